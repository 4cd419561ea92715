//! `/projets/:id/fiche`: the « fiche projet », one or two A4 pages a head
//! brings to a steering committee: the project's state and facts, its open
//! milestones, its funding plan and its partners. No form; when printed,
//! no menu either (`@media print`).
use leptos::prelude::*;

use crate::ui::components::data_table::{Col, DataTable};
use rust_i18n::t;

use crate::api::directory::get_project_partners;
use crate::api::funding::get_funding_plan;
use crate::api::projects::get_project;
use crate::domain::format_euros;
use crate::domain::funding::PlanFigure;
use crate::models::{FundingPlan, ProjectDetail, ProjectPartners};
use crate::ui::components::error::ErrorNotice;
use crate::ui::components::text::PageTitle;
use crate::ui::format;
use crate::ui::pages::project::ProjectFacts;

#[component]
pub fn ProjectSheetPage() -> impl IntoView {
    let id = super::record_id();
    let project = Resource::new(id, |id| get_project(id, None, None));
    let plan = Resource::new(id, get_funding_plan);
    let partners = Resource::new(id, get_project_partners);
    view! {
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match (project.await, plan.await, partners.await) {
                    (Ok(p), Ok(plan), Ok(partners)) => view! { <Sheet p plan partners /> }.into_any(),
                    (Err(err), _, _) | (_, Err(err), _) | (_, _, Err(err)) => {
                        view! { <ErrorNotice error=err /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Sheet(p: ProjectDetail, plan: FundingPlan, partners: ProjectPartners) -> impl IntoView {
    let open: Vec<_> = p
        .milestones
        .iter()
        .filter(|m| m.done_date.is_none())
        .cloned()
        .collect();
    let id = p.id;
    view! {
        <PageTitle text=format!("{} · {}", t!("projects.sheet_title"), p.title) />
        <article class="project-sheet" data-testid="project-sheet">
            <p class="sheet-back no-print"><a href=format!("/projets/{id}")>{t!("projects.back_to_project")}</a></p>
            <header>
                <p class="muted">{t!("projects.sheet_title")}{p.reference.clone().map(|r| format!(" · {r}"))}</p>
                <h1>{p.title.clone()}</h1>
                <p>
                    <strong>{p.stage.label()}</strong>" · "{p.health.label()}
                    {p.health.reason().map(|r| format!(" — {r}"))}
                </p>
                <p class="muted">{t!("projects.sheet_printed", date = format::date(p.as_of))}</p>
            </header>
            <section aria-labelledby="sheet-summary">
                <h2 id="sheet-summary">{t!("projects.overview")}</h2>
                <p>{p.summary.clone()}</p>
                <ProjectFacts p=p.clone() />
            </section>
            <section aria-labelledby="sheet-milestones">
                <h2 id="sheet-milestones">{t!("projects.milestones")}</h2>
                {if open.is_empty() {
                    view! { <p class="empty">{t!("projects.upcoming_none")}</p> }.into_any()
                } else {
                    view! {
                        <DataTable cols=vec![
                            Col::text(t!("projects.milestone_due")),
                            Col::text(t!("projects.milestone_title")),
                            Col::text(t!("projects.milestone_kind")),
                        ]>
                            {open.into_iter().map(|m| view! {
                                <tr>
                                    <td>{format::date(m.due_date)}</td>
                                    <td>{m.title}</td>
                                    <td>{m.kind.label()}</td>
                                </tr>
                            }).collect_view()}
                        </DataTable>
                    }.into_any()
                }}
            </section>
            <section aria-labelledby="sheet-funding">
                <h2 id="sheet-funding">{t!("funding.title")}</h2>
                <dl class="facts">
                    {PlanFigure::ALL.into_iter().filter_map(|f| f.of(&plan.totals).map(|v| (f, v))).map(|(f, v)| view! {
                        <div data-figure=f.as_str()>
                            <dt>{f.label()}</dt>
                            <dd class="num">{format_euros(v)}</dd>
                        </div>
                    }).collect_view()}
                </dl>
                {(!plan.lines.is_empty()).then(|| view! {
                    <DataTable cols=vec![
                        Col::text(t!("funding.funder")), Col::text(t!("funding.status")),
                        Col::num(t!("funding.requested_or_planned")),
                        Col::num(t!("funding.granted")),
                    ]>
                        {plan.lines.iter().map(|l| view! {
                            <tr>
                                <th scope="row">{l.funder_name.clone()}</th>
                                <td>{l.status.label()}</td>
                                <td class="num">{l.amount_requested_cents.map(format_euros).unwrap_or_default()}</td>
                                <td class="num">{l.amount_granted_cents.map(format_euros).unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}
                    </DataTable>
                })}
            </section>
            <section aria-labelledby="sheet-partners">
                <h2 id="sheet-partners">{t!("directory.partners")}</h2>
                {if partners.links.is_empty() {
                    view! { <p class="empty">{t!("directory.no_partners")}</p> }.into_any()
                } else {
                    view! {
                        <ul>
                            {partners.links.into_iter().map(|l| {
                                let who = [l.organisation.map(|o| o.name), l.person.map(|x| x.name)]
                                    .into_iter()
                                    .flatten()
                                    .collect::<Vec<_>>()
                                    .join(", ");
                                view! { <li><strong>{l.role.label()}</strong>" : "{who}</li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        </article>
    }
}
