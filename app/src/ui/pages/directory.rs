use crate::ui::components::text::PageTitle;
use leptos::prelude::*;

use crate::ui::components::data_table::{Col, DataTable};

use crate::policy::Action;
use crate::ui::components::guard::Guarded;
use crate::ui::components::select_filter::SelectFilter;
use crate::ui::islands::picker::{Picker, PickerKind};
use leptos_router::hooks::use_query_map;
use rust_i18n::t;

use crate::api::directory::list_directory;
use crate::domain::OrganisationKind;
use crate::models::{DirectoryFilter, DirectoryList};
use crate::ui::components::error::ErrorNotice;

/// `/annuaire`: organisations and people, searched and filtered by the URL
/// (`q`, `type`, `commune`, `epci`, `mandat`).
#[component]
pub fn DirectoryPage() -> impl IntoView {
    view! {
        <PageTitle text=t!("directory.title").into_owned() />
        <Guarded action=Action::ViewDirectory>
            <Directory />
        </Guarded>
    }
}

#[component]
fn Directory() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| DirectoryFilter::from_params(|k| query.read().get(k)));
    let list = Resource::new(move || filter.get(), list_directory);
    view! {
        <div class="page-head">
            <h1>{t!("directory.title")}</h1>
            <p class="actions">
                <a class="button primary" href="/annuaire/organisations/nouvelle">{t!("directory.new_organisation")}</a>
                " "
                <a class="button" href="/annuaire/personnes/nouvelle">{t!("directory.new_person")}</a>
            </p>
        </div>
        <p>{t!("directory.intro")}</p>
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! {
                        <DirectoryFilters filter=filter.get() list=list.clone() />
                        <DirectoryTables list />
                    }.into_any(),
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DirectoryFilters(filter: DirectoryFilter, list: DirectoryList) -> impl IntoView {
    let commune = filter
        .commune
        .clone()
        .zip(list.commune_name.clone())
        .map(|(id, name)| crate::models::PickHit {
            label: format!("{name} ({id})"),
            id,
        });
    let mut epcis: Vec<(String, String)> = list
        .epci_choices
        .iter()
        .map(|e| (e.code.clone(), e.label.clone()))
        .collect();
    if let Some(current) = filter.epci.clone()
        && !epcis.iter().any(|(code, _)| *code == current)
    {
        let name = list.epci_name.clone().unwrap_or_else(|| current.clone());
        epcis.push((current, name));
    }
    let kind = filter.kind.clone();
    view! {
        <form class="card filters" method="get" action="/annuaire" role="search" aria-label=t!("directory.filter").into_owned()>
            <div class="filter-grid">
                <div class="field">
                    <label for="d-q">{t!("directory.search")}</label>
                    <input maxlength=crate::domain::input::max::SEARCH id="d-q" name="q" type="search" value=filter.q.clone().unwrap_or_default()
                        aria-describedby="d-q-aide" />
                    <p class="hint" id="d-q-aide">{t!("directory.search_hint")}</p>
                </div>
                <div class="field">
                    <label for="d-kind">{t!("directory.kind")}</label>
                    <select id="d-kind" name="type">
                        <option value="">{t!("directory.any_kind")}</option>
                        {OrganisationKind::ALL.iter().map(|k| view! {
                            <option value=k.as_str() selected=kind.as_deref() == Some(k.as_str())>{k.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <Picker
                    name="commune".to_owned()
                    id="d-commune".to_owned()
                    label=t!("directory.commune").into_owned()
                    initial=commune
                    kind=PickerKind::Communes
                    error=None
                />
                <SelectFilter id="d-epci" name="epci" label=t!("directory.epci").into_owned()
                    options=epcis
                    current=filter.epci.clone() />
                <div class="field checkbox">
                    <input id="d-mandate" name="mandat" type="checkbox" value="1" checked=filter.mandate />
                    <label for="d-mandate">{t!("directory.has_mandate")}</label>
                </div>
            </div>
            <button type="submit" class="button">{t!("directory.filter")}</button>
        </form>
    }
}

#[component]
fn DirectoryTables(list: DirectoryList) -> impl IntoView {
    let place = [list.commune_name.clone(), list.epci_name.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        {(!place.is_empty()).then(|| view! { <p class="criteria">{place}</p> })}
        <section aria-labelledby="orgs-title">
            <h2 id="orgs-title">{t!("directory.organisations")}</h2>
            <p class="muted" data-testid="organisation-count">
                {t!("directory.organisation_count", shown = list.organisations.len(), total = list.organisation_total)}
            </p>
            {if list.organisations.is_empty() {
                view! { <p>{t!("directory.none")}</p> }.into_any()
            } else {
                view! {
                    <DataTable cols=vec![
                        Col::text(t!("directory.name")), Col::text(t!("directory.kind")),
                        Col::text(t!("directory.commune")), Col::text(t!("directory.siren_siret")),
                    ]>
                        {list.organisations.into_iter().map(|o| view! {
                            <tr data-testid="organisation-row">
                                <td><a href=format!("/annuaire/organisations/{}", o.id)>{o.name}</a></td>
                                <td>{o.kind.label()}</td>
                                <td>{o.commune.or(o.epci).unwrap_or_default()}</td>
                                <td>{o.company_id.unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="people-title">
            <h2 id="people-title">{t!("directory.people")}</h2>
            <p class="muted" data-testid="people-count">
                {t!("directory.people_count", shown = list.people.len(), total = list.people_total)}
            </p>
            {if list.people.is_empty() {
                view! { <p>{t!("directory.none")}</p> }.into_any()
            } else {
                view! {
                    <DataTable cols=vec![
                        Col::text(t!("directory.name")), Col::text(t!("directory.job_title")),
                        Col::text(t!("directory.memberships")),
                        Col::text(t!("directory.mandates_now")),
                    ]>
                        {list.people.into_iter().map(|p| view! {
                            <tr data-testid="person-row">
                                <td><a href=format!("/annuaire/personnes/{}", p.id)>{p.name}</a></td>
                                <td>{p.job_title}</td>
                                <td>{p.organisations.join(", ")}</td>
                                <td>{p.mandates.join(" ; ")}</td>
                            </tr>
                        }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </section>
    }
}
