use crate::ui::components::text::PageTitle;
use leptos::prelude::*;
use rust_i18n::t;

use crate::api::directory::{
    AddMandate, AddMembership, CreatePerson, DeleteMandate, DeleteMembership, ErasePerson,
    UpdateMandate, UpdateMembership, UpdatePerson, get_person,
};
use crate::domain::Office;
use crate::error::AppError;
use crate::models::{MandateView, MembershipView, PersonDetail};
use crate::policy::{Action, allows};
use crate::ui::actions::{field_error, field_of, general_error, open_on_success, reloads};
use crate::ui::components::error::ErrorNotice;
use crate::ui::components::field::{Field, TextAreaField};
use crate::ui::components::guard::Guarded;
use crate::ui::format;
use crate::ui::islands::picker::{Picker, PickerKind};
use crate::ui::pages::organisation::{InvolvementTable, period};
use crate::ui::session::MeResource;

#[component]
fn PersonFields(p: Option<PersonDetail>, error: Signal<Option<AppError>>) -> impl IntoView {
    let value = |f: fn(&PersonDetail) -> String| p.as_ref().map(f).unwrap_or_default();
    view! {
        <p class="form-error" role="alert">{move || match error.get() {
            Some(AppError::Validation(_)) | None => None,
            Some(other) => Some(other.message()),
        }}</p>
        <Field max=crate::domain::input::max::PERSON_NAME name="form[first_name]" id="person-first" label=t!("directory.first_name").into_owned() required=true
            value=value(|p| p.first_name.clone()) error=field_of(error, "first_name") />
        <Field max=crate::domain::input::max::PERSON_NAME name="form[last_name]" id="person-last" label=t!("directory.last_name").into_owned() required=true
            value=value(|p| p.last_name.clone()) error=field_of(error, "last_name") />
        <Field max=crate::domain::input::max::TITLE name="form[job_title]" id="person-job" label=t!("directory.job_title").into_owned()
            value=value(|p| p.job_title.clone()) error=field_of(error, "job_title") />
        <Field max=254 name="form[email]" id="person-email" label=t!("directory.email").into_owned() kind="email"
            value=value(|p| p.email.clone().unwrap_or_default()) error=field_of(error, "email") />
        <Field max=crate::domain::input::max::PHONE name="form[phone]" id="person-phone" label=t!("directory.phone").into_owned() kind="tel"
            value=value(|p| p.phone.clone().unwrap_or_default()) error=field_of(error, "phone") />
        <TextAreaField name="form[notes]" id="person-notes" label=t!("directory.notes").into_owned() rows=3
            value=value(|p| p.notes.clone())
            max=crate::domain::input::max::DIRECTORY_NOTE error=field_of(error, "notes") />
    }
}

/// `/annuaire/personnes/nouvelle`
#[component]
pub fn NewPersonPage() -> impl IntoView {
    let action = ServerAction::<CreatePerson>::new();
    let error = open_on_success(action, |id| format!("/annuaire/personnes/{id}"));
    view! {
        <PageTitle text=t!("directory.new_person").into_owned() />
        <p><a href="/annuaire">{t!("directory.title")}</a></p>
        <h1>{t!("directory.new_person")}</h1>
        <Guarded action=Action::EditDirectory>
            <ActionForm action attr:class="form card" attr:novalidate="true" attr:data-then="open" attr:data-open="/annuaire/personnes/{}">
                <PersonFields p=None error />
                <Picker name="form[organisation_id]".to_owned() id="person-org".to_owned() label=t!("directory.organisation").into_owned()
                    hint=t!("directory.organisation_hint").into_owned() kind=PickerKind::Organisations
                    error=field_of(error, "organisation_id").get_untracked() />
                <button type="submit" class="button primary" disabled=move || action.pending().get()>
                    {t!("directory.create")}
                </button>
            </ActionForm>
        </Guarded>
    }
}

#[derive(Clone, Copy)]
struct PersonActions {
    update: ServerAction<UpdatePerson>,
    add_membership: ServerAction<AddMembership>,
    update_membership: ServerAction<UpdateMembership>,
    delete_membership: ServerAction<DeleteMembership>,
    add_mandate: ServerAction<AddMandate>,
    update_mandate: ServerAction<UpdateMandate>,
    delete_mandate: ServerAction<DeleteMandate>,
    erase: ServerAction<ErasePerson>,
}

/// `/annuaire/personnes/:id`: the record, organisations over time,
/// mandates (now and history), projects, and the RGPD operations.
#[component]
pub fn PersonPage() -> impl IntoView {
    let id = super::record_id();
    let actions = PersonActions {
        update: ServerAction::new(),
        add_membership: ServerAction::new(),
        update_membership: ServerAction::new(),
        delete_membership: ServerAction::new(),
        add_mandate: ServerAction::new(),
        update_mandate: ServerAction::new(),
        delete_mandate: ServerAction::new(),
        erase: ServerAction::new(),
    };
    let counts = [
        reloads(actions.update),
        reloads(actions.add_membership),
        reloads(actions.update_membership),
        reloads(actions.delete_membership),
        reloads(actions.add_mandate),
        reloads(actions.update_mandate),
        reloads(actions.delete_mandate),
        reloads(actions.erase),
    ];
    let writes = Memo::new(move |_| counts.iter().map(|c| c.get()).sum::<usize>());
    let person = Resource::new(move || (id(), writes.get()), |(id, _)| get_person(id));
    view! {
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match person.await {
                    Ok(p) => view! { <PersonView p actions /> }.into_any(),
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PersonView(p: PersonDetail, actions: PersonActions) -> impl IntoView {
    let me = expect_context::<MeResource>();
    let name = p.display_name();
    let erased = p.erased_at;
    let update_error = Signal::derive(move || actions.update.value().get().and_then(Result::err));
    let (now, history): (Vec<MandateView>, Vec<MandateView>) =
        p.mandates.iter().cloned().partition(|m| m.current);
    let live = erased.is_none();
    let pid = p.id;
    let record = live.then(|| {
        let p = p.clone();
        view! {
            <section class="card">
                <dl class="facts">
                    {p.email.clone().map(|e| view! { <dt>{t!("directory.email")}</dt><dd><a href=format!("mailto:{e}")>{e.clone()}</a></dd> })}
                    {p.phone.clone().map(|ph| view! { <dt>{t!("directory.phone")}</dt><dd data-testid="phone">{ph}</dd> })}
                </dl>
                {(!p.notes.is_empty()).then(|| view! { <p class="pre">{p.notes.clone()}</p> })}
                <details open=move || update_error.get().is_some()>
                    <summary>{t!("directory.edit")}</summary>
                    <ActionForm action=actions.update attr:class="form" attr:novalidate="true" attr:data-anchor="contenu" attr:data-done=t!("directory.saved").into_owned()>
                        <input type="hidden" name="id" value=p.id.to_string() />
                        <input type="hidden" name="version" value=p.version.to_string() />
                        <PersonFields p=Some(p.clone()) error=update_error />
                        <button type="submit" class="button primary">{t!("directory.save")}</button>
                    </ActionForm>
                </details>
            </section>
        }
    });
    view! {
        <PageTitle text=name.clone() />
        <p><a href="/annuaire">{t!("directory.title")}</a></p>
        <header class="project-head">
            <h1 data-testid="person-name">{name.clone()}</h1>
            {erased.map(|at| view! { <p class="notice warning" data-testid="erased">{t!("directory.erased_on", date = format::date(at.date_naive()))}</p> })}
            <p>{p.job_title.clone()}</p>
        </header>
        {record}
        <section class="card" aria-labelledby="person-projects">
            <h2 id="person-projects">{t!("directory.projects")}</h2>
            <InvolvementTable items=p.projects.clone() />
        </section>
        <section class="card" id="memberships" aria-labelledby="person-orgs">
            <h2 id="person-orgs">{t!("directory.memberships")}</h2>
            <Memberships items=p.memberships.clone() actions live />
            {live.then(|| view! { <AddMembershipForm person_id=pid action=actions.add_membership /> })}
        </section>
        <section class="card" id="mandates" aria-labelledby="person-mandates">
            <h2 id="person-mandates">{t!("directory.mandates_now")}</h2>
            <Mandates items=now actions live />
            <h3>{t!("directory.mandate_history")}</h3>
            <Mandates items=history actions live />
            {live.then(|| view! { <AddMandateForm person_id=pid action=actions.add_mandate /> })}
        </section>
        <section class="card" aria-labelledby="person-rgpd">
            <h2 id="person-rgpd">{t!("directory.rgpd")}</h2>
            <p>{t!("directory.rgpd_intro")}</p>
            <p><a class="button" href=format!("/annuaire/personnes/{}/export.json", p.id) download="" data-testid="rgpd-export">{t!("directory.export")}</a></p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let admin = me.await.ok().flatten().is_some_and(|u| allows(u.role, Action::ErasePersonalData));
                    (admin && live).then(|| view! {
                        <ActionForm action=actions.erase attr:class="form" attr:data-anchor="contenu" attr:data-done=t!("done.person_erased").into_owned() attr:data-confirm=t!("confirm.erase_person").into_owned()>
                            <input type="hidden" name="person_id" value=pid.to_string() />
                            <div class="field checkbox">
                                <input id="erase-confirm" type="checkbox" required=true />
                                <label for="erase-confirm">{t!("directory.erase_confirm")}</label>
                            </div>
                            <button type="submit" class="button danger">{t!("directory.erase")}</button>
                            <p class="form-error" role="alert">{general_error(actions.erase)}</p>
                        </ActionForm>
                    })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Memberships(items: Vec<MembershipView>, actions: PersonActions, live: bool) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted">{t!("directory.none")}</p> }.into_any();
    }
    view! {
        <ul class="plain-list">
            {items.into_iter().map(|m| {
                let title = (!m.job_title.is_empty()).then(|| format!(", {}", m.job_title));
                view! {
                    <li data-testid="membership">
                        <a href=format!("/annuaire/organisations/{}", m.organisation.id)>{m.organisation.name.clone()}</a>
                        {title}" "<span class="muted">{period(m.start_on, m.end_on)}</span>
                        {(!m.current).then(|| view! { " " <span class="badge">{t!("directory.ended")}</span> })}
                        {(live && m.current).then(|| view! {
                            <ActionForm action=actions.update_membership attr:class="inline-form" attr:data-anchor="memberships" attr:data-done=t!("done.membership_saved").into_owned()>
                                <input type="hidden" name="membership_id" value=m.id.to_string() />
                                <input type="hidden" name="form[organisation_id]" value=m.organisation.id.to_string() />
                                <input type="hidden" name="form[job_title]" value=m.job_title.clone() />
                                <input type="hidden" name="form[start_on]" value=m.start_on.map(|d| d.to_string()).unwrap_or_default() />
                                <label class="visually-hidden" for=format!("membership-end-{}", m.id)>{t!("directory.end_on")}</label>
                                <input id=format!("membership-end-{}", m.id) type="date" name="form[end_on]" required=true />
                                <button type="submit" class="button small">{t!("directory.end")}</button>
                            </ActionForm>
                        })}
                        {live.then(|| view! {
                            <ActionForm action=actions.delete_membership attr:class="inline-form" attr:data-anchor="memberships" attr:data-done=t!("done.membership_deleted").into_owned() attr:data-confirm=t!("confirm.delete_membership").into_owned()>
                                <input type="hidden" name="membership_id" value=m.id.to_string() />
                                <button type="submit" class="button-link">{t!("directory.delete")}</button>
                            </ActionForm>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
        <p class="form-error" role="alert">{move || field_error(actions.update_membership, "end_on").get().or_else(|| general_error(actions.update_membership).get())}</p>
    }
    .into_any()
}

#[component]
fn Mandates(items: Vec<MandateView>, actions: PersonActions, live: bool) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted">{t!("directory.none")}</p> }.into_any();
    }
    view! {
        <ul class="plain-list">
            {items.into_iter().map(|m| view! {
                <li data-testid="mandate">
                    {m.office.label()}" — "
                    <a href=format!("/annuaire/organisations/{}", m.organisation.id)>{m.organisation.name.clone()}</a>
                    " "<span class="muted">{period(Some(m.start_on), m.end_on)}</span>
                    {(live && m.current).then(|| view! {
                        <ActionForm action=actions.update_mandate attr:class="inline-form" attr:data-anchor="mandates" attr:data-done=t!("done.mandate_saved").into_owned()>
                            <input type="hidden" name="mandate_id" value=m.id.to_string() />
                            <input type="hidden" name="form[office]" value=m.office.as_str() />
                            <input type="hidden" name="form[organisation_id]" value=m.organisation.id.to_string() />
                            <input type="hidden" name="form[start_on]" value=m.start_on.to_string() />
                            <label class="visually-hidden" for=format!("mandate-end-{}", m.id)>{t!("directory.end_on")}</label>
                            <input id=format!("mandate-end-{}", m.id) type="date" name="form[end_on]" required=true />
                            <button type="submit" class="button small">{t!("directory.end")}</button>
                        </ActionForm>
                    })}
                    {live.then(|| view! {
                        <ActionForm action=actions.delete_mandate attr:class="inline-form" attr:data-anchor="mandates" attr:data-done=t!("done.mandate_deleted").into_owned() attr:data-confirm=t!("confirm.delete_mandate").into_owned()>
                            <input type="hidden" name="mandate_id" value=m.id.to_string() />
                            <button type="submit" class="button-link">{t!("directory.delete")}</button>
                        </ActionForm>
                    })}
                </li>
            }).collect_view()}
        </ul>
        <p class="form-error" role="alert">{move || field_error(actions.update_mandate, "end_on").get().or_else(|| general_error(actions.update_mandate).get())}</p>
    }
    .into_any()
}

#[component]
fn AddMembershipForm(person_id: i64, action: ServerAction<AddMembership>) -> impl IntoView {
    view! {
        <details>
            <summary>{t!("directory.membership_add")}</summary>
            <ActionForm action attr:class="form" attr:novalidate="true" attr:data-anchor="memberships" attr:data-done=t!("done.membership_saved").into_owned()>
                <input type="hidden" name="person_id" value=person_id.to_string() />
                <Picker name="form[organisation_id]".to_owned() id="membership-org".to_owned() label=t!("directory.organisation").into_owned()
                    hint=t!("directory.organisation_hint").into_owned() kind=PickerKind::Organisations
                    error=field_error(action, "organisation_id").get_untracked() />
                <Field max=crate::domain::input::max::TITLE name="form[job_title]" id="membership-job" label=t!("directory.job_title").into_owned() error=field_error(action, "job_title") />
                <Field name="form[start_on]" id="membership-start" kind="date" label=t!("directory.start_on").into_owned() error=field_error(action, "start_on") />
                <Field name="form[end_on]" id="membership-end" kind="date" label=t!("directory.end_on").into_owned() error=field_error(action, "end_on") />
                <p class="form-error" role="alert">{general_error(action)}</p>
                <button type="submit" class="button">{t!("directory.membership_add")}</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn AddMandateForm(person_id: i64, action: ServerAction<AddMandate>) -> impl IntoView {
    let office_error = field_error(action, "office");
    view! {
        <details>
            <summary>{t!("directory.mandate_add")}</summary>
            <ActionForm action attr:class="form" attr:novalidate="true" attr:data-anchor="mandates" attr:data-done=t!("done.mandate_saved").into_owned()>
                <input type="hidden" name="person_id" value=person_id.to_string() />
                <div class="field" class:has-error=move || office_error.get().is_some()>
                    <label for="mandate-office">{t!("directory.office")}" *"</label>
                    <select id="mandate-office" name="form[office]" aria-describedby="mandate-office-erreur">
                        <option value="">{t!("directory.choose")}</option>
                        {Office::ALL.iter().map(|o| view! { <option value=o.as_str()>{o.label()}</option> }).collect_view()}
                    </select>
                    <p class="field-error" id="mandate-office-erreur" role="alert">{move || office_error.get()}</p>
                </div>
                <Picker name="form[organisation_id]".to_owned() id="mandate-org".to_owned() label=t!("directory.territory").into_owned()
                    hint=t!("directory.organisation_hint").into_owned() kind=PickerKind::Organisations
                    error=field_error(action, "organisation_id").get_untracked() />
                <Field name="form[start_on]" id="mandate-start" kind="date" label=t!("directory.start_on").into_owned() required=true error=field_error(action, "start_on") />
                <Field name="form[end_on]" id="mandate-end" kind="date" label=t!("directory.end_on").into_owned() error=field_error(action, "end_on") />
                <p class="form-error" role="alert">{general_error(action)}</p>
                <button type="submit" class="button">{t!("directory.mandate_add")}</button>
            </ActionForm>
        </details>
    }
}
