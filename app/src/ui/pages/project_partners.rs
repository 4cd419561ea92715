use leptos::prelude::*;
use rust_i18n::t;

use crate::api::directory::{AddPartner, RemovePartner};
use crate::domain::PartnerRole;
use crate::models::ProjectPartners;
use crate::ui::actions::{field_error, general_error, reloads};
use crate::ui::components::field::Field;
use crate::ui::islands::picker::{Picker, PickerKind};

/// The partner writes of a project page (they reload the timeline too).
#[derive(Clone, Copy)]
pub struct PartnerActions {
    pub add: ServerAction<AddPartner>,
    pub remove: ServerAction<RemovePartner>,
}

impl PartnerActions {
    pub fn new() -> Self {
        Self {
            add: ServerAction::new(),
            remove: ServerAction::new(),
        }
    }

    pub fn reloads(self) -> [Memo<usize>; 2] {
        [reloads(self.add), reloads(self.remove)]
    }
}

impl Default for PartnerActions {
    fn default() -> Self {
        Self::new()
    }
}

/// The partners section: links with their role, the plan's funders, and
/// the form that adds a partner.
#[component]
pub fn PartnersSection(
    project_id: i64,
    actions: PartnerActions,
    /// Read by the page's one call (`get_project_sections`).
    partners: ProjectPartners,
) -> impl IntoView {
    view! {
        <section class="card" id="partenaires" aria-labelledby="partners-title" data-testid="partners">
            <h2 id="partners-title">{t!("directory.partners")}</h2>
            <p class="muted">{t!("directory.partners_intro")}</p>
            <PartnerList p=partners actions />
            <details open=move || actions.add.value().with(|v| matches!(v, Some(Err(_))))>
                <summary>{t!("directory.add_partner")}</summary>
                <ActionForm action=actions.add attr:class="form" attr:novalidate="true" attr:data-anchor="partenaires" attr:data-done=t!("done.partner_added").into_owned()>
                    <input type="hidden" name="project_id" value=project_id.to_string() />
                    <div class="field" class:has-error=move || field_error(actions.add, "role").get().is_some()>
                        <label for="partner-role">{t!("directory.role")}" *"</label>
                        <select id="partner-role" name="form[role]" aria-describedby="partner-role-erreur">
                            <option value="">{t!("directory.choose")}</option>
                            {PartnerRole::ALL.iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                        </select>
                        <p class="field-error" id="partner-role-erreur" role="alert">{move || field_error(actions.add, "role").get()}</p>
                    </div>
                    <Picker name="form[organisation_id]".to_owned() id="partner-org".to_owned() label=t!("directory.organisation").into_owned()
                        hint=t!("directory.organisation_hint").into_owned() kind=PickerKind::Organisations
                        error=field_error(actions.add, "organisation_id").get_untracked() />
                    <Picker name="form[person_id]".to_owned() id="partner-person".to_owned() label=t!("directory.person").into_owned()
                        hint=t!("directory.person_hint").into_owned() kind=PickerKind::People
                        error=field_error(actions.add, "person_id").get_untracked() />
                    <Field max=1000 name="form[note]" id="partner-note" label=t!("directory.note").into_owned() error=field_error(actions.add, "note") />
                    <p class="form-error" role="alert">{general_error(actions.add)}</p>
                    <button type="submit" class="button">{t!("directory.add_partner")}</button>
                </ActionForm>
            </details>
        </section>
    }
}

#[component]
fn PartnerList(p: ProjectPartners, actions: PartnerActions) -> impl IntoView {
    let empty = p.links.is_empty() && p.plan_funders.is_empty();
    let no_owner = !p.links.iter().any(|l| l.role == PartnerRole::Owner);
    view! {
        {empty.then(|| view! { <p>{t!("directory.no_partners")}</p> })}
        {no_owner.then(|| view! { <p class="notice warning" data-testid="no-owner">{t!("directory.no_owner")}</p> })}
        {(!p.links.is_empty()).then(|| view! {
            <ul class="plain-list">
                {p.links.into_iter().map(|l| {
                    let org = l.organisation.map(|o| view! { <a href=format!("/annuaire/organisations/{}", o.id)>{o.name}</a> });
                    let person = l.person.map(|x| view! { <a href=format!("/annuaire/personnes/{}", x.id)>{x.name}</a> });
                    let both = org.is_some() && person.is_some();
                    view! {
                        <li data-testid="partner">
                            <strong>{l.role.label()}</strong>" : "{org}{both.then_some(", ")}{person}
                            {(!l.note.is_empty()).then(|| view! { <span class="muted">" — "{l.note.clone()}</span> })}
                            <ActionForm action=actions.remove attr:class="inline-form" attr:data-anchor="partenaires" attr:data-done=t!("done.partner_removed").into_owned() attr:data-confirm=t!("confirm.remove_partner").into_owned()>
                                <input type="hidden" name="link_id" value=l.id.to_string() />
                                <button type="submit" class="button-link">{t!("directory.remove")}</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
        {(!p.plan_funders.is_empty()).then(|| view! {
            <h3>{t!("directory.plan_funders")}</h3>
            <ul class="plain-list">
                {p.plan_funders.into_iter().map(|f| view! {
                    <li data-testid="plan-funder">
                        {f.funder_name}" — "
                        {match f.organisation {
                            Some(o) => view! { <a href=format!("/annuaire/organisations/{}", o.id)>{o.name}</a> }.into_any(),
                            None => view! { <span class="muted">{t!("directory.not_in_directory")}</span> }.into_any(),
                        }}
                    </li>
                }).collect_view()}
            </ul>
        })}
        <p class="form-error" role="alert">{general_error(actions.remove)}</p>
    }
}
