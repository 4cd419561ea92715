//! The portfolio dashboard (`/tableau-de-bord`): server-rendered, filters in
//! the URL, every number a link to the project list behind it, each chart
//! an SVG with its data table.
use crate::ui::components::text::PageTitle;
use leptos::prelude::*;

use crate::ui::components::data_table::{Col, DataTable};

use crate::policy::Action;
use crate::ui::components::guard::Guarded;
use leptos_router::hooks::use_query_map;
use rust_i18n::t;

use crate::api::dashboard::{get_dashboard, get_dashboard_choices};
use crate::domain::funding::PlanFigure;
use crate::domain::{Stage, format_euros, format_whole_euros};
use crate::models::{
    AttentionGroup, BreakdownRow, Dashboard, DashboardChoices, DashboardFilter, DigestCount,
    DigestItem, FunnelRow, MoneyRow, ProjectFilter,
};
use crate::ui::components::error::ErrorNotice;
use crate::ui::components::select_filter::SelectFilter;
use crate::ui::format;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <PageTitle text=t!("dashboard.title").into_owned() />
        <Guarded action=Action::ViewDashboard>
            <h1>{t!("dashboard.title")}</h1>
            <DashboardView />
        </Guarded>
    }
}

/// The dashboard for the filter in the URL (also the head's home).
#[component]
pub fn DashboardView() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| DashboardFilter::from_params(|k| query.read().get(k)));
    let data = Resource::new(move || filter.get(), get_dashboard);
    let choices = Resource::new(|| (), |_| get_dashboard_choices());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let choices = choices.await.ok();
                view! { <FilterForm filter=filter.get() choices /> }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Sections d /> }.into_any(),
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FilterForm(filter: DashboardFilter, choices: Option<DashboardChoices>) -> impl IntoView {
    let c = choices.unwrap_or(DashboardChoices {
        programmes: vec![],
        themes: vec![],
        officers: vec![],
        epcis: vec![],
    });
    let query = filter.query();
    let export = |ext: &str| {
        if query.is_empty() {
            format!("/tableau-de-bord/export.{ext}")
        } else {
            format!("/tableau-de-bord/export.{ext}?{query}")
        }
    };
    let officer = filter.officer;
    view! {
        <form class="card filters" method="get" action="/tableau-de-bord" role="search"
            aria-label=t!("dashboard.filters").into_owned()>
            <div class="filter-grid">
                <SelectFilter id="d-programme" name="programme" label=t!("projects.programme").into_owned()
                    options=c.programmes.into_iter().map(|p| (p.code, p.label)).collect()
                    current=filter.programme.clone() />
                <SelectFilter id="d-theme" name="theme" label=t!("projects.theme").into_owned()
                    options=c.themes.into_iter().map(|p| (p.code, p.label)).collect()
                    current=filter.theme.clone() />
                <SelectFilter id="d-epci" name="epci" label=t!("projects.epci").into_owned()
                    options=c.epcis.into_iter().map(|p| (p.code, p.label)).collect()
                    current=filter.epci.clone() />
                <SelectFilter id="d-officer" name="charge" label=t!("projects.officer").into_owned()
                    options=c.officers.iter().map(|(id, name)| (id.to_string(), name.clone())).collect()
                    current=officer.map(|id| id.to_string()) />
                <SelectFilter id="d-assignee" name="attribue" label=t!("projects.assignee_filter").into_owned()
                    options=c.officers.into_iter().map(|(id, name)| (id.to_string(), name)).collect()
                    current=filter.assignee.map(|id| id.to_string()) />
                <SelectFilter id="d-stage" name="etape" label=t!("projects.stage").into_owned()
                    options=crate::ui::format::stage_options()
                    current=filter.stage.clone() />
                <div class="field">
                    <label for="d-since">{t!("dashboard.since")}</label>
                    <input id="d-since" name="depuis" type="date"
                        value=filter.since.map(|d| d.to_string()).unwrap_or_default() />
                </div>
            </div>
            <p class="actions">
                <button type="submit" class="button primary">{t!("projects.apply")}</button>
                " "
                <a href="/tableau-de-bord">{t!("projects.reset")}</a>
                " · "
                <a href=export("xlsx") download="" data-testid="export-xlsx">{t!("dashboard.export_xlsx")}</a>
                " · "
                <a href=export("csv") download="" data-testid="export-csv">{t!("dashboard.export_csv")}</a>
            </p>
        </form>
    }
}

/// A number linking to the project list behind it.
fn count_link(n: i64, link: &ProjectFilter) -> impl IntoView + use<> {
    view! { <a href=link.href() class="count-link">{n}</a> }
}

#[component]
fn Sections(d: Dashboard) -> impl IntoView {
    let since = format::date(d.since);
    let epci_fixed = d
        .filter
        .epci
        .as_deref()
        .is_some_and(|e| !e.trim().is_empty());
    let as_of = format::date(d.as_of);
    let mails_committee = crate::ui::session::user()
        .is_some_and(|u| crate::policy::allows(u.role, Action::MailCommitteeDigest));
    let subscribes = crate::ui::session::user()
        .is_some_and(|u| crate::domain::calendar::FeedScope::Filter.allowed(u.role));
    view! {
        <p class="muted" data-testid="dashboard-as-of">
            {t!("dashboard.as_of", date = as_of, since = since.clone())}
        </p>
        <div class="two-cols">
            <FunnelSection rows=d.funnel since=since.clone() />
            <MoneySection money=d.money />
        </div>
        <AttentionSection groups=d.attention />
        <section class="card" id="echeances" aria-labelledby="deadlines-title" data-testid="deadlines">
            <h2 id="deadlines-title">{t!("dashboard.deadlines")}</h2>
            <ul class="windows">
                {d.deadline_windows.into_iter().map(|w| view! {
                    <li data-days=w.days>
                        {t!("dashboard.window", days = w.days)}" : "
                        {crate::plural::plural("plural.deadlines", w.items)}" · "
                        <a href=w.link.href() class="count-link">{crate::plural::plural("plural.projects", w.projects)}</a>
                    </li>
                }).collect_view()}
            </ul>
            {if d.deadlines.is_empty() {
                view! { <p class="empty">{t!("home.empty")}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {d.deadlines.into_iter().map(|i| view! {
                            <li>
                                <span class="when">{format::date(i.date)}</span>" "
                                {t!(format!("dashboard.deadline_{}", i.kind))}" · "{i.label}" · "
                                <a href=format!("/projets/{}", i.project_id)>{i.project_title}</a>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <p data-testid="missing-documents">
                <a href=d.missing_documents_link.href() class="count-link">
                    {t!("documents.missing_link", n = crate::plural::plural("plural.projects", d.missing_documents))}
                </a>
            </p>
            {subscribes.then(|| view! { <FilterFeed filter=d.filter.clone() /> })}
        </section>
        <MoneyTable id="by-funder" title=t!("dashboard.by_funder").into_owned() rows=d.by_funder funder=true />
        <MoneyTable id="by-programme" title=t!("dashboard.by_programme").into_owned() rows=d.by_programme funder=false />
        <div class="three-cols">
            <Breakdown id="by-theme" title=t!("dashboard.by_theme").into_owned() rows=d.by_theme />
            <Breakdown id="by-epci" title=t!("dashboard.by_epci").into_owned() rows=d.by_epci />
            <Breakdown id="by-officer" title=t!("dashboard.by_officer").into_owned() rows=d.by_officer />
        </div>
        {if epci_fixed {
            view! { <Breakdown id="by-commune" title=t!("dashboard.by_commune").into_owned() rows=d.by_commune /> }.into_any()
        } else {
            view! { <p class="muted" data-testid="by-commune-hint">{t!("dashboard.by_commune_hint")}</p> }.into_any()
        }}
        <section class="card" id="recapitulatif" aria-labelledby="digest-title" data-testid="digest">
            <h2 id="digest-title">{t!("dashboard.digest", since = since)}</h2>
            <ul class="windows">
                {d.digest_counts.iter().map(|c| view! {
                    <li data-kind=c.kind.as_str()>
                        <a href=c.link.href() class="count-link">
                            {crate::plural::plural(&format!("plural.digest_{}", c.kind.as_str()), c.projects)}
                        </a>
                    </li>
                }).collect_view()}
            </ul>
            {if d.digest.is_empty() {
                view! { <p class="empty">{t!("dashboard.no_change")}</p> }.into_any()
            } else {
                digest_groups(&d.digest_counts, d.digest).into_any()
            }}
            {mails_committee.then(|| view! { <CommitteeMail filter=d.filter.clone() since=d.since /> })}
        </section>
    }
}

/// « M’abonner à l’agenda de cette sélection » (heads and admins): a
/// calendar feed of the deadlines of the projects this filter keeps, its
/// address shown once (the account page lists it, to revoke it).
#[component]
fn FilterFeed(filter: DashboardFilter) -> impl IntoView {
    let create = ServerAction::<crate::api::calendar::CreateCalendarFeed>::new();
    let criteria = DashboardFilter {
        since: None,
        ..filter
    };
    if criteria.query().is_empty() {
        return view! { <p class="hint" data-testid="filter-feed-hint">{t!("calendar.filter_hint")}</p> }.into_any();
    }
    view! {
        <div class="notice success" role="status" data-testid="new-filter-feed" id="new-filter-feed" hidden>
            <p>{t!("calendar.created")}</p>
            <label for="new-filter-feed-url">{t!("calendar.link_label")}</label>
            <input id="new-filter-feed-url" type="text" readonly data-result="url" class="copy-field" />
        </div>
        <ActionForm action=create attr:class="inline-form" attr:data-anchor="echeances"
            attr:data-then="show" attr:data-result-box="new-filter-feed">
            <input type="hidden" name="scope" value=crate::domain::calendar::FeedScope::Filter.as_str() />
            {criteria.form_fields().into_iter().map(|(name, value)| view! {
                <input type="hidden" name=name value=value />
            }).collect_view()}
            <p class="form-error" role="alert">{crate::ui::actions::general_error(create)}</p>
            <button type="submit" class="button" data-testid="create-filter-feed">{t!("calendar.filter_create")}</button>
        </ActionForm>
    }
    .into_any()
}

/// « M’envoyer ce récapitulatif » (heads and admins): the same filter and
/// « depuis le… » date, mailed to oneself before the steering committee.
#[component]
fn CommitteeMail(filter: DashboardFilter, since: chrono::NaiveDate) -> impl IntoView {
    let send = ServerAction::<crate::api::mail::MailCommitteeDigest>::new();
    let hidden = DashboardFilter {
        since: Some(since),
        ..filter
    }
    .form_fields();
    view! {
        <ActionForm action=send attr:class="inline-form committee-mail" attr:data-anchor="recapitulatif"
            attr:data-done=t!("mail.committee.sent").into_owned()>
            {hidden.into_iter().map(|(name, value)| view! {
                <input type="hidden" name=name value=value />
            }).collect_view()}
            <p class="hint">{t!("mail.committee.hint")}</p>
            <p class="form-error" role="alert">{crate::ui::actions::general_error(send)}</p>
            <button type="submit" class="button" data-testid="mail-committee">{t!("mail.committee.send")}</button>
        </ActionForm>
    }
}

/// The latest changes of each kind, `DIGEST_PER_KIND` at most, with a link
/// to the list of all the projects concerned.
fn digest_groups(counts: &[DigestCount], items: Vec<DigestItem>) -> impl IntoView + use<> {
    counts
        .iter()
        .filter(|c| c.projects > 0)
        .map(|c| {
            let of_kind: Vec<DigestItem> = items.iter().filter(|i| i.kind == c.kind).cloned().collect();
            let shown = of_kind.len().min(DIGEST_PER_KIND);
            let more = usize::try_from(c.projects).unwrap_or(0) > shown || of_kind.len() > shown;
            let id = format!("digest-{}", c.kind.as_str());
            let heading_id = id.clone();
            view! {
                <section class="digest-group" aria-labelledby=id data-kind=c.kind.as_str()>
                    <h3 id=heading_id>{c.kind.label()}</h3>
                    <ul class="plain-list">
                        {of_kind.into_iter().take(DIGEST_PER_KIND).map(|i| view! { <DigestLine i /> }).collect_view()}
                    </ul>
                    {more.then(|| view! {
                        <p class="more"><a href=c.link.href()>{crate::plural::plural("plural.digest_more", c.projects)}</a></p>
                    })}
                </section>
            }
        })
        .collect_view()
}

/// Lines of one kind shown in the digest; the rest is one link away.
const DIGEST_PER_KIND: usize = 5;

#[component]
fn DigestLine(i: DigestItem) -> impl IntoView {
    let stage = |code: &Option<String>| {
        code.as_deref()
            .and_then(|c| c.parse::<Stage>().ok())
            .map(|s| s.label())
            .unwrap_or_default()
    };
    let detail = match i.kind {
        crate::models::DigestKind::StageChanged => format!("{} → {}", stage(&i.from), stage(&i.to)),
        _ => String::new(),
    };
    view! {
        <li data-kind=i.kind.as_str()>
            <span class="when">{format::datetime(i.at)}</span>" "
            <strong>{i.kind.item_label()}</strong>" "
            {(!detail.is_empty()).then(|| view! { <span>{detail}" "</span> })}
            "· "<a href=format!("/projets/{}", i.project_id)>{i.project_title}</a>
            {i.actor.map(|a| view! { <span class="muted">" · "{a}</span> })}
        </li>
    }
}

/// Horizontal bars, one row each: the label, the bar (its length to scale,
/// drawn in SVG: the pages' CSP allows no inline style) and the value in
/// words. A grid of HTML text, so labels wrap instead of running over.
fn bars(title_id: &str, title: String, rows: &[(String, i64, String)]) -> impl IntoView + use<> {
    let max = rows.iter().map(|(_, v, _)| *v).max().unwrap_or(0).max(1);
    let items: Vec<_> = rows
        .iter()
        .map(|(label, v, shown)| {
            // Per mille of the largest value; a non-zero value stays visible.
            let width = (*v * 1000 / max).max(if *v > 0 { 4 } else { 0 });
            view! {
                <li class="bar-row">
                    <span class="bar-label">{label.clone()}</span>
                    <svg class="bar-track" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                        <rect class="bar" x="0" y="0" width=width height="10" />
                    </svg>
                    <span class="bar-value">{shown.clone()}</span>
                </li>
            }
        })
        .collect();
    let title_id = title_id.to_owned();
    let labelled_by = title_id.clone();
    view! {
        <figure class="chart" aria-labelledby=labelled_by>
            <figcaption id=title_id class="chart-title">{title}</figcaption>
            <ul class="bars">{items}</ul>
        </figure>
    }
}

#[component]
fn FunnelSection(rows: Vec<FunnelRow>, since: String) -> impl IntoView {
    let chart: Vec<(String, i64, String)> = rows
        .iter()
        .map(|r| {
            (
                r.stage.label(),
                r.projects,
                crate::plural::plural("plural.projects", r.projects),
            )
        })
        .collect();
    view! {
        <section class="card" aria-labelledby="funnel-title">
            <h2 id="funnel-title">{t!("dashboard.funnel")}</h2>
            {bars("funnel-chart-title", t!("dashboard.funnel_chart").into_owned(), &chart)}
            <DataTable testid="funnel" caption=t!("dashboard.funnel").into_owned() cols=vec![
                Col::text(t!("dashboard.stage")), Col::num(t!("dashboard.projects")),
                Col::num(t!("dashboard.cost")), Col::num(t!("dashboard.entered")),
                Col::num(t!("dashboard.left")),
            ]>
                {rows.into_iter().map(|r| view! {
                    <tr data-stage=r.stage.as_str()>
                        <th scope="row">{r.stage.label()}</th>
                        <td class="num" data-col="projects">{count_link(r.projects, &r.link)}</td>
                        <td class="num">{format_whole_euros(r.cost_cents)}</td>
                        <td class="num" data-col="entered">{count_link(r.entered, &r.entered_link)}</td>
                        <td class="num" data-col="left">{count_link(r.left, &r.left_link)}</td>
                    </tr>
                }).collect_view()}
            </DataTable>
            <p class="hint">{t!("dashboard.moves_since", since = since)}</p>
        </section>
    }
}

#[component]
fn MoneySection(money: MoneyRow) -> impl IntoView {
    let secured_unpaid = money.granted_cents.saturating_sub(money.paid_cents);
    let segments = [
        ("paid", money.paid_cents),
        ("granted", secured_unpaid),
        ("pending", money.pending_cents),
        (
            "to_find",
            money
                .to_find_cents
                .saturating_sub(money.pending_cents)
                .max(0),
        ),
    ];
    let total: i64 = segments.iter().map(|(_, v)| *v).sum::<i64>().max(1);
    let rects = crate::ui::components::stacked_bar::rects(&segments, total);
    view! {
        <section class="card" aria-labelledby="money-title">
            <h2 id="money-title">{t!("dashboard.money")}</h2>
            <figure class="funding-bar">
                <svg viewBox="0 0 1000 24" preserveAspectRatio="none" role="img" aria-labelledby="money-bar-title">
                    <title id="money-bar-title">{t!("dashboard.money_chart")}</title>
                    <rect class="seg-empty" x="0" y="0" width="1000" height="24" />
                    {rects}
                </svg>
                <figcaption>
                    <ul class="bar-legend" data-testid="money-legend">
                        {segments.into_iter().map(|(name, v)| {
                            let label = if name == "to_find" {
                                t!("dashboard.bar_to_find")
                            } else {
                                t!(format!("funding.bar_{name}"))
                            };
                            view! {
                                <li class="legend-item" data-segment=name>
                                    <span class=format!("swatch seg-{name}") aria-hidden="true"></span>
                                    {label}" : "{format_whole_euros(v)}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </figcaption>
            </figure>
            <dl class="facts figures" data-testid="portfolio-money">
                <div>
                    <dt>{t!("dashboard.active_projects")}</dt>
                    <dd>{count_link(money.projects, &money.link)}</dd>
                </div>
                <div>
                    <dt>{t!("dashboard.active_cost")}</dt>
                    <dd>{format_euros(money.cost_cents)}</dd>
                </div>
                {[
                    (PlanFigure::Requested, money.requested_cents),
                    (PlanFigure::Pending, money.pending_cents),
                    (PlanFigure::Granted, money.granted_cents),
                    (PlanFigure::Paid, money.paid_cents),
                    (PlanFigure::StillToFind, money.to_find_cents),
                ].into_iter().map(|(f, cents)| view! {
                    <div data-figure=f.as_str()>
                        <dt>{f.label()}</dt>
                        <dd>{format_euros(cents)}</dd>
                    </div>
                }).collect_view()}
            </dl>
        </section>
    }
}

#[component]
fn MoneyTable(id: &'static str, title: String, rows: Vec<MoneyRow>, funder: bool) -> impl IntoView {
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let chart: Vec<(String, i64, String)> = rows
        .iter()
        .map(|r| {
            (
                r.label.clone(),
                r.granted_cents,
                format_whole_euros(r.granted_cents),
            )
        })
        .collect();
    view! {
        <section class="card" aria-labelledby=labelled_by data-testid=id>
            <h2 id=title_id>{title.clone()}</h2>
            {if rows.is_empty() {
                view! { <p class="empty">{t!("home.empty")}</p> }.into_any()
            } else {
                view! {
                    {bars(&format!("{id}-chart"), t!("dashboard.granted_chart", what = title).into_owned(), &chart)}
                    <DataTable class="compact" cols=money_cols(funder)>
                        {rows.into_iter().map(|r| view! {
                            <tr data-key=r.key.clone()>
                                <th scope="row">{r.label.clone()}</th>
                                <td class="num" data-col="projects">{count_link(r.projects, &r.link)}</td>
                                {(!funder).then(|| view! { <td class="num">{format_whole_euros(r.cost_cents)}</td> })}
                                <td class="num">{format_whole_euros(r.requested_cents)}</td>
                                <td class="num">{format_whole_euros(r.pending_cents)}</td>
                                <td class="num">{format_whole_euros(r.granted_cents)}</td>
                                <td class="num">{format_whole_euros(r.paid_cents)}</td>
                                {(!funder).then(|| view! { <td class="num">{format_whole_euros(r.to_find_cents)}</td> })}
                            </tr>
                        }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </section>
    }
}

/// The money table's columns: a funder's row has no cost and nothing
/// still to find (those belong to projects, not to one funder).
fn money_cols(funder: bool) -> Vec<Col> {
    let mut cols = vec![
        Col::text(if funder {
            t!("dashboard.funder")
        } else {
            t!("projects.programme")
        }),
        Col::num(t!("dashboard.projects")),
    ];
    if !funder {
        cols.push(Col::num(t!("dashboard.cost")));
    }
    cols.extend(
        [
            PlanFigure::Requested,
            PlanFigure::Pending,
            PlanFigure::Granted,
            PlanFigure::Paid,
        ]
        .map(|f| Col::num(f.label())),
    );
    if !funder {
        cols.push(Col::num(PlanFigure::StillToFind.label()));
    }
    cols
}

#[component]
fn Breakdown(id: &'static str, title: String, rows: Vec<BreakdownRow>) -> impl IntoView {
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <section class="card" aria-labelledby=labelled_by data-testid=id>
            <h2 id=title_id>{title}</h2>
            {if rows.is_empty() {
                view! { <p class="empty">{t!("home.empty")}</p> }.into_any()
            } else {
                view! {
                    <DataTable cols=vec![
                        Col::text(t!("dashboard.name")), Col::num(t!("dashboard.active_projects")),
                        Col::num(t!("dashboard.cost")),
                    ]>
                        {rows.into_iter().map(|r| view! {
                            <tr data-key=r.key.clone()>
                                <th scope="row">{r.label.clone()}</th>
                                <td class="num" data-col="projects">{count_link(r.projects, &r.link)}</td>
                                <td class="num">{format_whole_euros(r.cost_cents)}</td>
                            </tr>
                        }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn AttentionSection(groups: Vec<AttentionGroup>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="attention-title" data-testid="attention">
            <h2 id="attention-title">{t!("dashboard.attention")}</h2>
            <div class="attention-grid">
                {groups.into_iter().map(|g| view! {
                    <div class="attention-group" data-kind=g.kind.as_str()>
                        <h3>{g.kind.label()}" : "{count_link(g.projects, &g.link)}</h3>
                        {(!g.items.is_empty()).then(|| view! {
                            <ul class="plain-list">
                                {g.items.into_iter().map(|i| view! {
                                    <li>
                                        {i.date.map(|d| view! { <span class="when">{format::date(d)}</span>" " })}
                                        <a href=format!("/projets/{}", i.project_id)>{i.project_title}</a>
                                        {(!i.detail.is_empty()).then(|| view! { <span class="muted">" · "{i.detail}</span> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        })}
                    </div>
                }).collect_view()}
            </div>
        </section>
    }
}
