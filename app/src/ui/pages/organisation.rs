use crate::ui::components::text::PageTitle;
use leptos::prelude::*;

use crate::ui::components::data_table::{Col, DataTable};
use rust_i18n::t;

use crate::api::directory::{
    CreateOrganisation, UpdateOrganisation, get_directory_choices, get_organisation,
};
use crate::domain::{OrganisationKind, format_company_id};
use crate::error::AppError;
use crate::models::{
    DirectoryChoices, EntryRef, Involvement, MandateView, MembershipView, OrganisationDetail,
    PickHit,
};
use crate::ui::actions::{field_of, open_on_success};
use crate::ui::components::error::ErrorNotice;
use crate::ui::components::field::{Field, TextAreaField};
use crate::ui::format;
use crate::ui::islands::picker::{Picker, PickerKind};

/// The fields of the organisation form (creation and edition).
#[component]
fn OrganisationFields(
    org: Option<OrganisationDetail>,
    choices: DirectoryChoices,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let kind = org.as_ref().map(|o| o.kind);
    let company_id = org
        .as_ref()
        .and_then(|o| {
            o.siren
                .as_deref()
                .map(|s| format_company_id(s, o.siret.as_deref()))
        })
        .unwrap_or_default();
    let commune = org.as_ref().and_then(|o| {
        o.commune.as_ref().map(|c| PickHit {
            id: c.insee.clone(),
            label: format!("{} ({})", c.name, c.insee),
        })
    });
    let funder_id = org.as_ref().and_then(|o| o.funder.as_ref().map(|f| f.id));
    let duplicate = move || match error.get() {
        Some(AppError::Duplicate { message, href, .. }) => Some(view! {
            <div class="notice warning" role="alert" data-testid="duplicate">
                <p>{message}</p>
                <p><a href=href>{t!("directory.open_existing")}</a></p>
            </div>
        }),
        _ => None,
    };
    let general = move || match error.get() {
        Some(AppError::Validation(_) | AppError::Duplicate { .. }) | None => None,
        Some(other) => Some(other.message()),
    };
    view! {
        {duplicate}
        <p class="form-error" role="alert">{general}</p>
        <Field max=crate::domain::input::max::TITLE name="form[name]" id="org-name" label=t!("directory.name").into_owned() required=true
            value=org.as_ref().map(|o| o.name.clone()).unwrap_or_default() error=field_of(error, "name") />
        <div class="field" class:has-error=move || field_of(error, "kind").get().is_some()>
            <label for="org-kind">{t!("directory.kind")}" *"</label>
            <select id="org-kind" name="form[kind]" aria-describedby="org-kind-erreur">
                <option value="">{t!("directory.choose")}</option>
                {OrganisationKind::ALL.iter().map(|k| view! {
                    <option value=k.as_str() selected=kind == Some(*k)>{k.label()}</option>
                }).collect_view()}
            </select>
            <p class="field-error" id="org-kind-erreur" role="alert">{move || field_of(error, "kind").get()}</p>
        </div>
        <Field name="form[company_id]" id="org-siret" label=t!("directory.company_id").into_owned()
            hint=t!("directory.company_id_hint").into_owned() value=company_id error=field_of(error, "company_id") />
        <Picker name="form[commune]".to_owned() id="org-commune".to_owned() label=t!("directory.commune").into_owned()
            hint=t!("directory.organisation_hint").into_owned() initial=commune kind=PickerKind::Communes
            error=field_of(error, "commune").get_untracked() />
        <Field name="form[epci]" id="org-epci" label=t!("directory.epci").into_owned()
            hint=t!("directory.epci_hint").into_owned()
            value=org.as_ref().and_then(|o| o.epci_siren.clone()).unwrap_or_default() error=field_of(error, "epci") />
        <TextAreaField name="form[address]" id="org-address" label=t!("directory.address").into_owned() rows=2
            value=org.as_ref().map(|o| o.address.clone()).unwrap_or_default()
            max=crate::domain::input::max::ADDRESS error=field_of(error, "address") />
        <Field max=crate::domain::input::max::WEBSITE name="form[website]" id="org-website" label=t!("directory.website").into_owned() kind="url"
            value=org.as_ref().map(|o| o.website.clone()).unwrap_or_default() error=field_of(error, "website") />
        <div class="field" class:has-error=move || field_of(error, "funder_id").get().is_some()>
            <label for="org-funder">{t!("directory.funder")}</label>
            <p class="hint" id="org-funder-aide">{t!("directory.funder_hint")}</p>
            <select id="org-funder" name="form[funder_id]" aria-describedby="org-funder-aide org-funder-erreur">
                <option value="">{t!("directory.no_funder")}</option>
                {choices.funders.into_iter().map(|f| view! {
                    <option value=f.id.to_string() selected=funder_id == Some(f.id)>{f.name}</option>
                }).collect_view()}
            </select>
            <p class="field-error" id="org-funder-erreur" role="alert">{move || field_of(error, "funder_id").get()}</p>
        </div>
        <TextAreaField name="form[notes]" id="org-notes" label=t!("directory.notes").into_owned() rows=4
            value=org.as_ref().map(|o| o.notes.clone()).unwrap_or_default()
            max=crate::domain::input::max::DIRECTORY_NOTE error=field_of(error, "notes") />
        {move || matches!(error.get(), Some(AppError::Duplicate { confirmable: true, .. })).then(|| view! {
            <div class="field checkbox">
                <input id="org-confirm" type="checkbox" name="form[confirm_duplicate]" value="on" />
                <label for="org-confirm">{t!("directory.confirm_duplicate")}</label>
            </div>
        })}
    }
}

/// `/annuaire/organisations/nouvelle`
#[component]
pub fn NewOrganisationPage() -> impl IntoView {
    let choices = Resource::new(|| (), |_| get_directory_choices());
    let action = ServerAction::<CreateOrganisation>::new();
    let error = open_on_success(action, |id| format!("/annuaire/organisations/{id}"));
    view! {
        <PageTitle text=t!("directory.new_organisation").into_owned() />
        <p><a href="/annuaire">{t!("directory.title")}</a></p>
        <h1>{t!("directory.new_organisation")}</h1>
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => view! {
                        <ActionForm action attr:class="form card" attr:novalidate="true" attr:data-then="open" attr:data-open="/annuaire/organisations/{}">
                            <OrganisationFields org=None choices error />
                            <button type="submit" class="button primary" disabled=move || action.pending().get()>
                                {t!("directory.create")}
                            </button>
                        </ActionForm>
                    }.into_any(),
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/annuaire/organisations/:id`: the record, its people and mandates, its
/// projects and, for a commune, the network around it.
#[component]
pub fn OrganisationPage() -> impl IntoView {
    let id = super::record_id();
    let update = ServerAction::<UpdateOrganisation>::new();
    let reload = crate::ui::actions::reloads(update);
    let org = Resource::new(move || (id(), reload.get()), |(id, _)| get_organisation(id));
    let choices = Resource::new(|| (), |_| get_directory_choices());
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let saved = move || {
        matches!(update.value().get(), Some(Ok(_))).then(|| t!("directory.saved").into_owned())
    };
    view! {
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match (org.await, choices.await) {
                    (Ok(o), Ok(choices)) => view! {
                        <OrganisationView o=o.clone() />
                        <p class="notice" role="status">{saved}</p>
                        <details class="card" open=move || error.get().is_some()>
                            <summary>{t!("directory.edit")}</summary>
                            <ActionForm action=update attr:class="form" attr:novalidate="true" attr:data-anchor="contenu" attr:data-done=t!("directory.saved").into_owned()>
                                <input type="hidden" name="id" value=o.id.to_string() />
                                <input type="hidden" name="version" value=o.version.to_string() />
                                <OrganisationFields org=Some(o) choices error />
                                <button type="submit" class="button primary">{t!("directory.save")}</button>
                            </ActionForm>
                        </details>
                    }.into_any(),
                    (Err(err), _) | (_, Err(err)) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrganisationView(o: OrganisationDetail) -> impl IntoView {
    let company = o
        .siren
        .as_deref()
        .map(|s| format_company_id(s, o.siret.as_deref()));
    let (now, history): (Vec<MandateView>, Vec<MandateView>) =
        o.mandates.iter().cloned().partition(|m| m.current);
    view! {
        <PageTitle text=o.name.clone() />
        <p><a href="/annuaire">{t!("directory.title")}</a></p>
        <header class="project-head">
            <p class="muted">{o.kind.label()}</p>
            <h1 data-testid="organisation-name">{o.name.clone()}</h1>
        </header>
        <section class="card">
            <dl class="facts">
                {company.map(|c| view! { <dt>{t!("directory.siren_siret")}</dt><dd data-testid="company-id">{c}</dd> })}
                {o.commune.clone().map(|c| view! {
                    <dt>{t!("directory.commune")}</dt>
                    <dd><a href=format!("/annuaire?commune={}", c.insee)>{format!("{} ({})", c.name, c.insee)}</a></dd>
                })}
                {o.epci.clone().map(|e| {
                    let siren = o.epci_siren.clone().unwrap_or_default();
                    view! { <dt>{t!("directory.epci")}</dt><dd><a href=format!("/annuaire?epci={siren}")>{e.name}</a></dd> }
                })}
                {(!o.address.is_empty()).then(|| view! { <dt>{t!("directory.address")}</dt><dd class="pre">{o.address.clone()}</dd> })}
                {(!o.website.is_empty()).then(|| view! {
                    <dt>{t!("directory.website_link")}</dt><dd><a href=o.website.clone() rel="noopener noreferrer">{o.website.clone()}</a></dd>
                })}
                {o.funder.clone().map(|f| view! { <dt>{t!("directory.funder")}</dt><dd>{f.name}</dd> })}
            </dl>
            {(!o.notes.is_empty()).then(|| view! { <p class="pre">{o.notes.clone()}</p> })}
        </section>
        <section class="card" aria-labelledby="org-projects">
            <h2 id="org-projects">{t!("directory.projects")}</h2>
            <InvolvementTable items=o.projects.clone() />
        </section>
        {o.network.clone().map(|n| view! {
            <section class="card" aria-labelledby="org-network" data-testid="commune-network">
                <h2 id="org-network">{t!("directory.network")}</h2>
                <h3>{t!("directory.elected_now")}</h3>
                <MandateList items=n.elected_now show_person=true />
                <h3>{t!("directory.commune_projects")}</h3>
                {if n.projects.is_empty() {
                    view! { <p>{t!("directory.no_projects")}</p> }.into_any()
                } else {
                    view! { <ul>{n.projects.into_iter().map(|p| view! {
                        <li><a href=format!("/projets/{}", p.id)>{p.title}</a>" — "{p.stage.label()}", "{p.health.label()}</li>
                    }).collect_view()}</ul> }.into_any()
                }}
                <h3>{t!("directory.partner_organisations")}</h3>
                {if n.partners.is_empty() {
                    view! { <p>{t!("directory.none")}</p> }.into_any()
                } else {
                    view! { <ul>{n.partners.into_iter().map(|p| view! {
                        <li><a href=format!("/annuaire/organisations/{}", p.id)>{p.name}</a></li>
                    }).collect_view()}</ul> }.into_any()
                }}
            </section>
        })}
        <section class="card" aria-labelledby="org-people">
            <h2 id="org-people">{t!("directory.members")}</h2>
            <MembershipList items=o.members.clone() show_person=true />
        </section>
        <section class="card" aria-labelledby="org-mandates">
            <h2 id="org-mandates">{t!("directory.mandates_now")}</h2>
            <MandateList items=now show_person=true />
            <h3>{t!("directory.mandate_history")}</h3>
            <MandateList items=history show_person=true />
        </section>
    }
}

/// "du 23/05/2020 au 21/03/2026", "depuis le 22/03/2026".
pub fn period(start: Option<chrono::NaiveDate>, end: Option<chrono::NaiveDate>) -> String {
    match (start, end) {
        (Some(s), Some(e)) => t!(
            "directory.period",
            start = format::date(s),
            end = format::date(e)
        )
        .into_owned(),
        (Some(s), None) => t!("directory.since", date = format::date(s)).into_owned(),
        (None, Some(e)) => format!("→ {}", format::date(e)),
        (None, None) => String::new(),
    }
}

/// The link to the other side of a tie: the person on an organisation's
/// page, the organisation on a person's.
fn other_side(show_person: bool, person: &EntryRef, organisation: &EntryRef) -> AnyView {
    let (folder, entry) = if show_person {
        ("personnes", person)
    } else {
        ("organisations", organisation)
    };
    view! { <a href=format!("/annuaire/{folder}/{}", entry.id)>{entry.name.clone()}</a> }.into_any()
}

#[component]
pub fn MandateList(items: Vec<MandateView>, show_person: bool) -> impl IntoView {
    plain_list(items, |m| {
        let who = other_side(show_person, &m.person, &m.organisation);
        view! {
            <li data-testid="mandate">
                {who}", "{m.office.label()}" — "{period(Some(m.start_on), m.end_on)}
                {m.current.then(|| view! { " " <span class="badge">{t!("directory.current")}</span> })}
            </li>
        }
        .into_any()
    })
}

/// A plain list of `items`, each drawn by `item`; « Aucun » when empty.
fn plain_list<T>(items: Vec<T>, item: impl FnMut(T) -> AnyView) -> AnyView {
    if items.is_empty() {
        return view! { <p class="muted">{t!("directory.none")}</p> }.into_any();
    }
    view! { <ul class="plain-list">{items.into_iter().map(item).collect_view()}</ul> }.into_any()
}

#[component]
pub fn MembershipList(items: Vec<MembershipView>, show_person: bool) -> impl IntoView {
    plain_list(items, |m| {
        let who = other_side(show_person, &m.person, &m.organisation);
        let title = (!m.job_title.is_empty()).then(|| format!(", {}", m.job_title));
        view! {
            <li>
                {who}{title}" "<span class="muted">{period(m.start_on, m.end_on)}</span>
                {(!m.current).then(|| view! { " " <span class="badge">{t!("directory.ended")}</span> })}
            </li>
        }
        .into_any()
    })
}

#[component]
pub fn InvolvementTable(items: Vec<Involvement>) -> impl IntoView {
    if items.is_empty() {
        return view! { <p>{t!("directory.no_projects")}</p> }.into_any();
    }
    view! {
        <DataTable testid="involvements" cols=vec![
            Col::text(t!("directory.projects")), Col::text(t!("directory.role")),
            Col::text(t!("directory.stage")), Col::text(t!("directory.health")),
        ]>
            {items.into_iter().map(|i| {
                let detail = [i.with.map(|w| t!("directory.with", name = w).into_owned()), (!i.note.is_empty()).then_some(i.note)]
                    .into_iter().flatten().collect::<Vec<_>>().join(" — ");
                view! {
                    <tr data-testid="involvement">
                        <td><a href=format!("/projets/{}", i.project_id)>{i.project_title}</a></td>
                        <td>{i.role.label()}{(!detail.is_empty()).then(|| view! { <br /><span class="muted">{detail.clone()}</span> })}</td>
                        <td>{i.stage.label()}</td>
                        <td><span class=format!("badge health-{}", i.health)>{i.health.label()}</span></td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
    .into_any()
}
