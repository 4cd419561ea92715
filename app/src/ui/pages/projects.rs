use crate::ui::components::text::PageTitle;
use leptos::prelude::*;

use crate::ui::components::data_table::{Col, DataTable};

use crate::policy::Action;
use crate::ui::components::guard::Guarded;
use leptos_router::hooks::use_query_map;
use rust_i18n::t;

use crate::api::projects::{
    ProjectReferences, get_project_references, list_projects, search_communes,
};
use crate::domain::{Health, Stage, format_euros};
use crate::models::{ProjectFilter, ProjectPage};
use crate::ui::components::error::ErrorNotice;
use crate::ui::components::select_filter::SelectFilter;
use crate::ui::format;
use crate::ui::islands::picker::{Picker, PickerKind};

/// The filter as read from the URL (`?q=…&etape=…`): a link reproduces the view.
fn filter_from_query(q: &leptos_router::params::ParamsMap) -> ProjectFilter {
    ProjectFilter::from_params(|k| q.get(k))
}

fn page_link(filter: &ProjectFilter, page: u64) -> String {
    ProjectFilter {
        page: Some(page),
        ..filter.clone()
    }
    .href()
}

#[component]
pub fn ProjectListPage() -> impl IntoView {
    // A partner sees the refusal alone, not the staff's filters above it.
    view! {
        <PageTitle text=t!("projects.title").into_owned() />
        <Guarded action=Action::ViewProjects>
            <ProjectList />
        </Guarded>
    }
}

#[component]
fn ProjectList() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| filter_from_query(&query.read()));
    let page = Resource::new(move || filter.get(), list_projects);
    let refs = Resource::new(|| (), |_| get_project_references());
    let commune = Resource::new(
        move || filter.get().commune,
        |insee| async move {
            let insee = insee.filter(|c| !c.trim().is_empty())?;
            let hit = search_communes(insee).await.ok()?.into_iter().next()?;
            Some(crate::models::PickHit {
                label: crate::ui::islands::picker::commune_label(&hit),
                id: hit.insee,
            })
        },
    );

    view! {
        <div class="page-head">
            <h1>{t!("projects.title")}</h1>
            <a class="button primary" href="/projets/nouveau">{t!("projects.new")}</a>
            " "
            <a class="button" href="/importer">{t!("import.nav")}</a>
        </div>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let refs = refs.await.ok();
                let commune = commune.await;
                let f = filter.get();
                view! { <FilterForm filter=f refs commune /> }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <ProjectTable page=p filter=filter.get() /> }.into_any(),
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The choices of a select, keeping the value in the URL even when no
/// project is there any more (a link from elsewhere).
fn with_current(
    choices: Vec<crate::models::Labelled>,
    current: Option<&str>,
) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> =
        choices.into_iter().map(|c| (c.code, c.label)).collect();
    if let Some(current) = current.filter(|c| !c.is_empty())
        && !options.iter().any(|(code, _)| code == current)
    {
        options.push((current.to_owned(), current.to_owned()));
    }
    options
}

#[component]
fn FilterForm(
    filter: ProjectFilter,
    refs: Option<ProjectReferences>,
    /// The commune of the filter, named.
    commune: Option<crate::models::PickHit>,
) -> impl IntoView {
    let refs = refs.unwrap_or(ProjectReferences {
        themes: vec![],
        programmes: vec![],
        officers: vec![],
        epcis: vec![],
        departements: vec![],
    });
    // The dashboard's criteria have no field here: kept as hidden inputs,
    // and said in words.
    const FORM_FIELDS: [&str; 12] = [
        "q",
        "etape",
        "sante",
        "charge",
        "attribue",
        "commune",
        "epci",
        "departement",
        "programme",
        "theme",
        "depuis",
        "tri",
    ];
    let hidden: Vec<(&'static str, String)> = filter
        .params()
        .into_iter()
        .filter(|(k, _)| !FORM_FIELDS.contains(k) && *k != "page")
        .collect();
    let described = dashboard_criteria(&filter);
    view! {
        <form class="card filters" method="get" action="/projets" role="search" aria-label=t!("projects.filters").into_owned()>
            {hidden.into_iter().map(|(k, v)| view! { <input type="hidden" name=k value=v /> }).collect_view()}
            {(!described.is_empty()).then(|| view! {
                <p class="criteria" data-testid="dashboard-criteria">
                    {t!("projects.dashboard_criteria")}" "{described.join(" · ")}
                    " "<a href="/projets">{t!("projects.reset")}</a>
                </p>
            })}
            <div class="filter-grid">
                <div class="field">
                    <label for="f-q">{t!("projects.search")}</label>
                    <input maxlength=crate::domain::input::max::SEARCH id="f-q" name="q" type="search" value=filter.q.clone().unwrap_or_default() />
                </div>
                <SelectFilter id="f-stage" name="etape" label=t!("projects.stage").into_owned()
                    options=crate::ui::format::stage_options()
                    current=filter.stage.clone() />
                <SelectFilter id="f-health" name="sante" label=t!("projects.health").into_owned()
                    options=Health::CODES.into_iter().map(|c| (c.to_owned(), Health::label_of(c))).collect()
                    current=filter.health.clone() />
                <SelectFilter id="f-officer" name="charge" label=t!("projects.officer").into_owned()
                    options=refs.officers.iter().map(|u| (u.id.to_string(), u.display_name.clone())).collect()
                    current=filter.officer.map(|id| id.to_string()) />
                <SelectFilter id="f-assignee" name="attribue" label=t!("projects.assignee_filter").into_owned()
                    options=refs.officers.iter().map(|u| (u.id.to_string(), u.display_name.clone())).collect()
                    current=filter.assignee.map(|id| id.to_string()) />
                <SelectFilter id="f-programme" name="programme" label=t!("projects.programme").into_owned()
                    options=refs.programmes.into_iter().map(|p| (p.code, p.label)).collect()
                    current=filter.programme.clone() />
                <SelectFilter id="f-theme" name="theme" label=t!("projects.theme").into_owned()
                    options=refs.themes.into_iter().map(|p| (p.code, p.label)).collect()
                    current=filter.theme.clone() />
                <Picker
                    name="commune".to_owned()
                    id="f-commune".to_owned()
                    label=t!("projects.commune").into_owned()
                    initial=commune
                    kind=PickerKind::Communes
                    error=None
                />
                <SelectFilter id="f-epci" name="epci" label=t!("projects.epci").into_owned()
                    options=with_current(refs.epcis, filter.epci.as_deref())
                    current=filter.epci.clone() />
                <SelectFilter id="f-dep" name="departement" label=t!("projects.departement").into_owned()
                    options=with_current(refs.departements, filter.departement.as_deref())
                    current=filter.departement.clone() />
                <div class="field">
                    <label for="f-since">{t!("projects.since")}</label>
                    <input id="f-since" name="depuis" type="date" value=filter.since.map(|d| d.to_string()).unwrap_or_default() />
                </div>
                <SelectFilter id="f-sort" name="tri" label=t!("projects.sort").into_owned()
                    options=[("title", "projects.sort_title"), ("stage", "projects.sort_stage"), ("cost", "projects.sort_cost")]
                        .into_iter().map(|(v, k)| (v.to_owned(), t!(k).into_owned())).collect()
                    current=filter.sort.clone()
                    empty=t!("projects.sort_recent").into_owned() />
            </div>
            <p class="actions">
                <button type="submit" class="button primary">{t!("projects.apply")}</button>
                " "
                <a href="/projets">{t!("projects.reset")}</a>
            </p>
        </form>
    }
}

/// The dashboard's criteria of a filter, in French words.
fn dashboard_criteria(filter: &ProjectFilter) -> Vec<String> {
    let stage = |code: &str| {
        code.parse::<Stage>()
            .map(|s| s.label())
            .unwrap_or_else(|_| code.to_owned())
    };
    let mut out = Vec::new();
    if filter.active {
        out.push(t!("projects.crit_active").into_owned());
    }
    if let Some(s) = &filter.entered {
        out.push(t!("projects.crit_entered", stage = stage(s)).into_owned());
    }
    if let Some(s) = &filter.left {
        out.push(t!("projects.crit_left", stage = stage(s)).into_owned());
    }
    if let Some(e) = &filter.event {
        out.push(t!(format!("dashboard.event_{e}")).into_owned());
    }
    if let Some(a) = &filter.attention {
        out.push(t!(format!("dashboard.attention_{a}")).into_owned());
    }
    if let Some(f) = filter.funder {
        out.push(t!("projects.crit_funder", id = f).into_owned());
    }
    if filter.missing_documents {
        out.push(t!("projects.crit_missing_documents").into_owned());
    }
    if let Some(d) = filter.due_within {
        out.push(t!("projects.crit_due_within", days = d).into_owned());
    }
    out
}

#[component]
fn ProjectTable(page: ProjectPage, filter: ProjectFilter) -> impl IntoView {
    let pages = page.total.div_ceil(page.per_page).max(1);
    let prev = (page.page > 1).then(|| page_link(&filter, page.page - 1));
    let next = (page.page < pages).then(|| page_link(&filter, page.page + 1));
    view! {
        <p class="count" data-testid="project-count">{crate::plural::plural("plural.projects", i64::try_from(page.total).unwrap_or(i64::MAX))}</p>
        {if page.items.is_empty() {
            view! { <p class="empty">{t!("projects.empty")}</p> }.into_any()
        } else {
            view! {
                <DataTable class="stack-on-phone" cols=vec![
                    Col::text(t!("projects.col_title")), Col::text(t!("projects.stage")),
                    Col::text(t!("projects.health")), Col::text(t!("projects.col_communes")),
                    Col::text(t!("projects.officer")), Col::num(t!("projects.col_cost")),
                    Col::text(t!("projects.col_activity")),
                ]>
                    {page.items.into_iter().map(|p| view! {
                        <tr>
                            <td>
                                <a href=format!("/projets/{}", p.id)>{p.title}</a>
                                {p.reference.map(|r| view! { <span class="muted">" · "{r}</span> })}
                            </td>
                            <td data-label=t!("projects.stage").into_owned()>{p.stage.label()}</td>
                            <td data-label=t!("projects.health").into_owned()><span class=format!("badge health-{}", p.health)>{p.health.label()}</span></td>
                            <td data-label=t!("projects.col_communes").into_owned()>{p.communes.join(", ")}</td>
                            <td data-label=t!("projects.officer").into_owned()>{p.lead_officer.unwrap_or_default()}</td>
                            <td class="num" data-label=t!("projects.col_cost").into_owned()>{p.estimated_cost_cents.map(format_euros).unwrap_or_default()}</td>
                            <td class="when" data-label=t!("projects.col_activity").into_owned()>{format::datetime(p.last_event_at)}</td>
                        </tr>
                    }).collect_view()}
                </DataTable>
            }.into_any()
        }}
        <nav class="pagination" aria-label="Pagination">
            {prev.map(|href| view! { <a href=href rel="prev">{t!("projects.previous")}</a> })}
            <span>{t!("projects.page", page = page.page, pages = pages)}</span>
            {next.map(|href| view! { <a href=href rel="next">{t!("projects.next")}</a> })}
        </nav>
    }
}
