use crate::ui::components::text::PageTitle;
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use rust_i18n::t;

use crate::api::projects::{
    AddMilestone, AddNote, ChangeHealth, ChangeStage, DeleteMilestone, SetMilestoneDone,
    UpdateMilestone, get_project_sections,
};
use crate::domain::funding::PlanFigure;
use crate::domain::{
    Health, MilestoneKind, MilestoneStatus, Stage, format_euros, milestone_status,
};
use crate::models::{
    Attachment, DocumentView, FundingPlan, Labelled, MilestoneView, ProjectDetail, ProjectPartners,
    ProjectSections, ProjectShares, ShowAll,
};
use crate::ui::actions::{field_error, general_error};
use crate::ui::components::error::ErrorNotice;
use crate::ui::components::field::{Field, TextAreaField};
use crate::ui::components::on_demand::{CloseLink, EditLink, editing};
use crate::ui::components::select_filter::SelectFilter;
use crate::ui::format;
use crate::ui::pages::project_documents::{
    AttachedDocuments, DocumentActions, DocumentsSection, attached,
};
use crate::ui::pages::project_funding::{FundingActions, FundingSection};
use crate::ui::pages::project_partners::{PartnerActions, PartnersSection};
use crate::ui::pages::project_shares::{ShareActions, SharesSection};

/// `/projets/:id`, laid out for the officer's work: the project's state and
/// its next dates at the top with the everyday actions, a section
/// navigation, then milestones, journal, funding, partners, sharing,
/// presentation and timeline (`?depuis=AAAA-MM-JJ` narrows the timeline).
/// The forms open on demand (`<details>`).
#[component]
pub fn ProjectPage() -> impl IntoView {
    let query = use_query_map();
    let id = super::record_id();
    let since = move || {
        query
            .read()
            .get("depuis")
            .and_then(|v| v.parse::<NaiveDate>().ok())
            .filter(|d| crate::domain::input::DateKind::Planning.check(*d).is_ok())
    };

    let stage = ServerAction::<ChangeStage>::new();
    let health = ServerAction::<ChangeHealth>::new();
    let milestone = ServerAction::<AddMilestone>::new();
    let done = ServerAction::<SetMilestoneDone>::new();
    let note = ServerAction::<AddNote>::new();
    let funding = FundingActions::new();
    let partners = PartnerActions::new();
    let shares = ShareActions::new();
    let document_actions = DocumentActions::new();
    // « Voir tout » on a list: `?jalons=tous`, `?notes=toutes`, `?historique=tout`.
    let show_all = move || {
        let q = query.read();
        ShowAll {
            milestones: q.get("jalons").as_deref() == Some("tous"),
            notes: q.get("notes").as_deref() == Some("toutes"),
            events: q.get("historique").as_deref() == Some("tout"),
            milestones_of: q.get("jalons_de").and_then(|v| v.parse().ok()),
        }
    };
    // Rendered once on the server: a write reloads the page. One call
    // reads every section (the project row once); made here, at the top,
    // not under the `Suspend` below, whose `dry_resolve` would start it
    // again.
    let page = Resource::new(
        move || (id(), since(), show_all()),
        |(id, since, all)| get_project_sections(id, since, Some(all)),
    );
    let actions = Actions {
        stage,
        health,
        milestone,
        done,
        note,
    };

    view! {
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(ProjectSections { project: p, plan, partners: partner_list, shares: share_list, assignable, documents }) => view! { <ProjectView p plan actions funding partners shares partner_list share_list assignable documents document_actions since=since() shown=show_all() /> }.into_any(),
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    stage: ServerAction<ChangeStage>,
    health: ServerAction<ChangeHealth>,
    milestone: ServerAction<AddMilestone>,
    done: ServerAction<SetMilestoneDone>,
    note: ServerAction<AddNote>,
}

/// One date ahead of the project, for the « Prochaines échéances » box.
struct Upcoming {
    date: NaiveDate,
    what: String,
    late: bool,
    href: &'static str,
}

/// The project's next dates: its open milestones (late ones first, then by
/// date), the filing deadlines of aids still to file, the DETR dates.
fn upcoming(p: &ProjectDetail, plan: &FundingPlan, today: NaiveDate) -> Vec<Upcoming> {
    let mut items: Vec<Upcoming> = p
        .milestones
        .iter()
        .filter(|m| m.done_date.is_none())
        .map(|m| Upcoming {
            date: m.due_date,
            what: m.title.clone(),
            late: m.due_date < today,
            href: "#jalons",
        })
        .collect();
    for l in &plan.lines {
        if l.status == crate::domain::funding::FundingStatus::Identified
            && let Some(d) = l.application_deadline
        {
            items.push(Upcoming {
                date: d,
                what: t!("projects.upcoming_filing", funder = l.funder_name).into_owned(),
                late: d < today,
                href: "#financements",
            });
        }
        if let Some(detr) = &l.detr {
            let (date, key) = match detr.complete_by {
                Some(end) => (end, "projects.upcoming_detr_end"),
                None => (detr.start_by, "projects.upcoming_detr_start"),
            };
            items.push(Upcoming {
                date,
                what: t!(key).into_owned(),
                late: date < today,
                href: "#financements",
            });
        }
    }
    items.sort_by_key(|u| (!u.late, u.date));
    items.truncate(5);
    items
}

#[component]
fn ProjectView(
    p: ProjectDetail,
    plan: FundingPlan,
    actions: Actions,
    funding: FundingActions,
    partners: PartnerActions,
    shares: ShareActions,
    partner_list: ProjectPartners,
    share_list: Option<ProjectShares>,
    assignable: Vec<Labelled>,
    documents: crate::models::ProjectDocuments,
    document_actions: DocumentActions,
    since: Option<NaiveDate>,
    shown: ShowAll,
) -> impl IntoView {
    let today = p.as_of;
    let Actions {
        stage,
        health,
        milestone,
        done,
        note,
    } = actions;
    let current = p.stage;
    let next = upcoming(&p, &plan, today);
    let facts = p.clone();
    let figures = [
        PlanFigure::Cost,
        PlanFigure::Granted,
        PlanFigure::StillToFind,
    ];
    let key_figures = figures
        .into_iter()
        .filter_map(|f| f.of(&plan.totals).map(|v| (f, v)))
        .collect::<Vec<_>>();
    let add_choices = assignable.clone();
    view! {
        <PageTitle text=p.title.clone() />
        <header class="project-head" id="entete">
            <p class="muted">{p.reference.clone().unwrap_or_default()}</p>
            <h1 data-testid="project-title">{p.title.clone()}</h1>
            <p class="project-state">
                <span class=format!("badge health-{}", p.health.code()) data-testid="health-badge">{p.health.label()}</span>
                {p.health.reason().map(|r| view! { <span class="muted">" — "{r.to_owned()}</span> })}
                <span class="muted">
                    " · "{p.lead_officer.clone().unwrap_or_else(|| t!("projects.none").into_owned())}
                    " · "{p.communes.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(", ")}
                </span>
            </p>
            <StageBar current />
            <ul class="project-actions" aria-label=t!("projects.actions").into_owned()>
                <li><a class="button primary" href="#nouveau-jalon" data-opens="nouveau-jalon">{t!("projects.add_milestone")}</a></li>
                <li><a class="button" href="#nouvelle-note" data-opens="nouvelle-note">{t!("projects.add_note")}</a></li>
                <li><a class="button" href=format!("/projets/{}/modifier", p.id)>{t!("projects.edit")}</a></li>
                <li><a class="button" href=format!("/projets/{}/fiche", p.id)>{t!("projects.sheet")}</a></li>
            </ul>
            <div class="head-forms">
                <details id="changer-etape" open=move || stage.value().with(|v| matches!(v, Some(Err(_))))>
                    <summary>{t!("projects.move_stage")}</summary>
                    <ActionForm action=stage attr:class="form" attr:novalidate="true" attr:data-anchor="entete" attr:data-done=t!("done.stage").into_owned()>
                        <input type="hidden" name="id" value=p.id.to_string() />
                        <input type="hidden" name="version" value=p.version.to_string() />
                        <div class="field">
                            <label for="stage">{t!("projects.new_stage")}</label>
                            <select id="stage" name="stage">
                                {Stage::ALL.into_iter().filter(|s| *s != current).map(|s| view! {
                                    <option value=s.as_str()>{s.label()}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <Field max=crate::domain::input::max::REASON name="reason" id="stage-reason" label=t!("projects.reason").into_owned() error=field_error(stage, "reason") />
                        <p class="form-error" role="alert">{general_error(stage)}</p>
                        <button type="submit" class="button">{t!("projects.move")}</button>
                    </ActionForm>
                </details>
                <details id="changer-sante" open=move || health.value().with(|v| matches!(v, Some(Err(_))))>
                    <summary>{t!("projects.change_health")}</summary>
                    <ActionForm action=health attr:class="form" attr:novalidate="true" attr:data-anchor="entete" attr:data-done=t!("done.health").into_owned()>
                        <input type="hidden" name="id" value=p.id.to_string() />
                        <input type="hidden" name="version" value=p.version.to_string() />
                        <div class="field">
                            <label for="health-status">{t!("projects.health_status")}</label>
                            <select id="health-status" name="form[status]">
                                {Health::CODES.into_iter().map(|c| view! {
                                    <option value=c selected=c == p.health.code()>{Health::label_of(c)}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <Field max=crate::domain::input::max::REASON name="form[reason]" id="health-reason" label=t!("projects.health_reason").into_owned() error=field_error(health, "reason") />
                        <Field name="form[since]" id="health-since" kind="date" label=t!("projects.health_since").into_owned() error=field_error(health, "since") />
                        <p class="form-error" role="alert">{general_error(health)}</p>
                        <button type="submit" class="button">{t!("projects.update_health")}</button>
                    </ActionForm>
                </details>
            </div>
        </header>

        <section class="card next-dates" id="echeances" aria-labelledby="next-title">
            <h2 id="next-title">{t!("projects.upcoming")}</h2>
            <div class="next-grid">
                {if next.is_empty() {
                    view! { <p class="empty">{t!("projects.upcoming_none")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="upcoming" data-testid="upcoming">
                            {next.into_iter().map(|u| view! {
                                <li class:late=u.late>
                                    <span class="when">{format::date(u.date)}</span>
                                    " "<a href=u.href>{u.what}</a>
                                    {u.late.then(|| view! { " "<span class="badge late">{t!("projects.milestone_late")}</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <dl class="facts key-figures">
                    {key_figures.into_iter().map(|(f, v)| view! {
                        <div data-key-figure=f.as_str()>
                            <dt>{f.label()}</dt>
                            <dd class="num">{format_euros(v)}</dd>
                        </div>
                    }).collect_view()}
                </dl>
            </div>
        </section>

        <nav class="section-nav" aria-label=t!("projects.sections").into_owned()>
            <ul>
                <li><a href="#jalons">{t!("projects.milestones")}</a></li>
                <li><a href="#journal">{t!("projects.journal")}</a></li>
                <li><a href="#financements">{t!("funding.title")}</a></li>
                <li><a href="#documents">{t!("documents.title")}</a></li>
                <li><a href="#partenaires">{t!("directory.partners")}</a></li>
                <li><a href="#partages">{t!("share.title")}</a></li>
                <li><a href="#presentation">{t!("projects.overview")}</a></li>
                <li><a href="#historique">{t!("projects.timeline")}</a></li>
            </ul>
        </nav>

        <section class="card" id="jalons" aria-labelledby="milestones-title">
            <h2 id="milestones-title">{t!("projects.milestones")}</h2>
            <details class="add-form" id="nouveau-jalon" open=move || milestone.value().with(|v| matches!(v, Some(Err(_))))>
                <summary>{t!("projects.add_milestone")}</summary>
                <ActionForm action=milestone attr:class="form" attr:novalidate="true" attr:data-anchor="jalons" attr:data-done=t!("done.milestone_added").into_owned()>
                    <input type="hidden" name="project_id" value=p.id.to_string() />
                    <Field max=crate::domain::input::max::TITLE name="form[title]" id="milestone-title" label=t!("projects.milestone_title").into_owned() required=true error=field_error(milestone, "title") />
                    <Field name="form[due_date]" id="milestone-due" kind="date" label=t!("projects.milestone_due").into_owned() required=true error=field_error(milestone, "due_date") />
                    <div class="field">
                        <label for="milestone-kind">{t!("projects.milestone_kind")}</label>
                        <select id="milestone-kind" name="form[kind]">
                            {MilestoneKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <AssigneeField id="milestone-assignee".to_owned() name="form[assignee]" label=t!("projects.milestone_assignee").into_owned() choices=add_choices.clone() current=None error=field_error(milestone, "assignee") />
                    <Field max=crate::domain::input::max::NOTE name="form[note]" id="milestone-note" label=t!("projects.milestone_note").into_owned() error=field_error(milestone, "note") />
                    <label class="check"><input type="checkbox" name="form[shareable]" />{t!("projects.milestone_shareable")}</label>
                    <p class="form-error" role="alert">{general_error(milestone)}</p>
                    <button type="submit" class="button primary">{t!("projects.add_milestone")}</button>
                </ActionForm>
            </details>
            <MilestoneFilter assignable=assignable.clone() shown since />
            {if p.milestones.is_empty() {
                view! { <p class="empty">{t!("projects.no_milestones")}</p> }.into_any()
            } else {
                view! {
                    <ul class="milestones">
                        {p.milestones.iter().cloned().map(|m| {
                            let docs = attached(&documents, Attachment::Milestone(m.id));
                            view! { <MilestoneItem m today done assignable=assignable.clone() docs /> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <SeeAll total=p.more.milestones shown=p.milestones.len() key="jalons" value="tous" anchor="jalons" />
        </section>

        <section class="card" id="journal" aria-labelledby="journal-title">
            <h2 id="journal-title">{t!("projects.journal")}</h2>
            <details class="add-form" id="nouvelle-note" open=move || note.value().with(|v| matches!(v, Some(Err(_))))>
                <summary>{t!("projects.add_note")}</summary>
                <ActionForm action=note attr:class="form" attr:novalidate="true" attr:data-anchor="journal" attr:data-done=t!("done.note_added").into_owned()>
                    <input type="hidden" name="project_id" value=p.id.to_string() />
                    <TextAreaField name="form[body]" id="note-body" label=t!("projects.note_body").into_owned() rows=3
                        max=crate::models::NOTE_MAX error=field_error(note, "body") />
                    <Field name="form[note_date]" id="note-date" kind="date" label=t!("projects.note_date").into_owned()
                        hint=t!("projects.note_date_hint").into_owned() value=today.to_string() error=field_error(note, "note_date") />
                    <label class="check"><input type="checkbox" name="form[shareable]" />{t!("projects.note_shareable")}</label>
                    <p class="form-error" role="alert">{general_error(note)}</p>
                    <button type="submit" class="button primary">{t!("projects.add_note")}</button>
                </ActionForm>
            </details>
            {if p.notes.is_empty() {
                view! { <p class="empty">{t!("projects.no_notes")}</p> }.into_any()
            } else {
                view! {
                    <ul class="notes">
                        {p.notes.iter().cloned().map(|n| view! {
                            <li data-testid="note">
                                <p class="muted">
                                    {format::date(n.note_date)}" · "{n.author.unwrap_or_default()}" · "
                                    {if n.shareable { t!("projects.shared") } else { t!("projects.internal") }}
                                </p>
                                <p class="pre">{n.body}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <SeeAll total=p.more.notes shown=p.notes.len() key="notes" value="toutes" anchor="journal" />
        </section>

        <FundingSection plan stage=current actions=funding documents=documents.clone() />
        <DocumentsSection project_id=p.id docs=documents actions=document_actions />
        <PartnersSection project_id=p.id actions=partners partners=partner_list />
        {share_list.map(|s| view! { <SharesSection actions=shares shares=s /> })}

        <section class="card" id="presentation" aria-labelledby="overview-title">
            <h2 id="overview-title">{t!("projects.overview")}</h2>
            <p>{p.summary.clone()}</p>
            <p class="pre">{p.description.clone()}</p>
            <ProjectFacts p=facts />
        </section>

        <section class="card" id="historique" aria-labelledby="timeline-title">
            <h2 id="timeline-title">{t!("projects.timeline")}</h2>
            <form method="get" class="inline-form" action="#historique">
                <label for="depuis">{t!("projects.since_filter")}</label>
                " "
                <input id="depuis" name="depuis" type="date" value=since.map(|d| d.to_string()).unwrap_or_default() />
                " "
                <button type="submit" class="button small">{t!("projects.show")}</button>
            </form>
            {if p.events.is_empty() {
                view! { <p class="empty">{t!("projects.no_events")}</p> }.into_any()
            } else {
                view! {
                    <ol class="timeline">
                        {p.events.iter().map(|e| view! {
                            <li data-testid="event">
                                <span class="muted">{format::datetime(e.at)}</span>
                                " "
                                <span>{format::event(e)}</span>
                                {e.actor.clone().map(|a| view! { <span class="muted">" — "{t!("event.by", name = a)}</span> })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            <SeeAll total=p.more.events shown=p.events.len() key="historique" value="tout" anchor="historique" />
        </section>
    }
}

/// The project's facts as a definition list (the page's « Présentation »
/// and the printable sheet).
#[component]
pub fn ProjectFacts(p: ProjectDetail) -> impl IntoView {
    let none = || t!("projects.none").into_owned();
    view! {
        <dl class="facts">
            <dt>{t!("projects.communes")}</dt>
            <dd>{p.communes.iter().map(|c| format!("{} ({})", c.name, c.insee)).collect::<Vec<_>>().join(", ")}</dd>
            <dt>{t!("projects.officer")}</dt>
            <dd>{p.lead_officer.clone().unwrap_or_else(none)}</dd>
            <dt>{t!("projects.field_owner_name")}</dt>
            <dd data-testid="project-owner">
                {if p.owner_name.is_empty() { none() } else { p.owner_name.clone() }}
                {p.owner_kind.map(|k| format!(" ({})", k.label()))}
            </dd>
            <dt>{t!("projects.field_cost")}</dt>
            <dd>{p.estimated_cost_cents.map(format_euros).unwrap_or_else(none)}</dd>
            <dt>{t!("projects.field_start")}" / "{t!("projects.field_end")}</dt>
            <dd>{p.start_date.map(format::date).unwrap_or_default()}" – "{p.end_date.map(format::date).unwrap_or_default()}</dd>
            <dt>{t!("projects.field_themes")}</dt>
            <dd>{p.themes.iter().map(|t| t.label.clone()).collect::<Vec<_>>().join(", ")}</dd>
            <dt>{t!("projects.field_programmes")}</dt>
            <dd>{p.programmes.iter().map(|t| t.label.clone()).collect::<Vec<_>>().join(", ")}</dd>
        </dl>
    }
}

/// « N affichés sur T — voir tout » under a list shown in part: a link to
/// the same page with `key=value` added to its query (the other lists and
/// the timeline's date stay as they are).
#[component]
fn SeeAll(
    total: Option<u64>,
    shown: usize,
    key: &'static str,
    value: &'static str,
    anchor: &'static str,
) -> impl IntoView {
    let query = use_query_map();
    total.map(|total| {
        let mut pairs: Vec<(String, String)> = query
            .get_untracked()
            .into_iter()
            .filter(|(k, _)| k != key)
            .map(|(k, v)| (k.into_owned(), v))
            .collect();
        pairs.push((key.to_owned(), value.to_owned()));
        let href = format!(
            "?{}#{anchor}",
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
        );
        view! {
            <p class="see-all muted">
                {t!("projects.shown_of", shown = shown, total = total)}" "
                <a href=href>{t!("projects.see_all")}</a>
            </p>
        }
    })
}

/// « Responsable : » over the milestones: only those a staff member
/// answers for (`?jalons_de=`), the page's other choices kept.
#[component]
fn MilestoneFilter(
    assignable: Vec<Labelled>,
    shown: ShowAll,
    since: Option<NaiveDate>,
) -> impl IntoView {
    view! {
        <form class="inline-form milestone-filter" method="get" action="#jalons" role="search"
            aria-label=t!("projects.milestone_filter").into_owned()>
            {since.map(|d| view! { <input type="hidden" name="depuis" value=d.to_string() /> })}
            {shown.milestones.then(|| view! { <input type="hidden" name="jalons" value="tous" /> })}
            {shown.notes.then(|| view! { <input type="hidden" name="notes" value="toutes" /> })}
            {shown.events.then(|| view! { <input type="hidden" name="historique" value="tout" /> })}
            <SelectFilter id="milestones-of" name="jalons_de" label=t!("projects.milestone_assignee").into_owned()
                options=assignable.into_iter().map(|l| (l.code, l.label)).collect()
                current=shown.milestones_of.map(|id| id.to_string()) />
            <button type="submit" class="button">{t!("projects.apply")}</button>
        </form>
    }
}

/// One milestone: status badges, done/reopen, and an edit form (with delete)
/// folded under "Modifier".
#[component]
fn MilestoneItem(
    m: MilestoneView,
    today: NaiveDate,
    done: ServerAction<SetMilestoneDone>,
    assignable: Vec<Labelled>,
    /// Its own documents.
    docs: Vec<DocumentView>,
) -> impl IntoView {
    let update = ServerAction::<UpdateMilestone>::new();
    let delete = ServerAction::<DeleteMilestone>::new();
    let status = milestone_status(m.due_date, m.done_date, today);
    let badge = match status {
        MilestoneStatus::Done => m
            .done_date
            .map(|d| t!("projects.milestone_done_on", date = format::date(d)).into_owned()),
        MilestoneStatus::Late => Some(t!("projects.milestone_late").into_owned()),
        MilestoneStatus::DueSoon => Some(t!("projects.milestone_soon").into_owned()),
        MilestoneStatus::Upcoming => None,
    };
    let is_done = m.done_date.is_some();
    let id = m.id;
    let prefix = format!("milestone-{id}");
    let key = format!("jalon-{id}");
    let general = move || {
        general_error(update)
            .get()
            .or_else(|| general_error(delete).get())
    };
    view! {
        <li class=format!("milestone status-{status:?}").to_lowercase() data-testid="milestone" id=key.clone()>
            <span class="when">{format::date(m.due_date)}</span>
            <span class="kind">{m.kind.label()}</span>
            <strong>{m.title.clone()}</strong>
            {badge.map(|b| view! { <span class="badge">{b}</span> })}
            {m.shareable.then(|| view! { <span class="badge shared">{t!("projects.shared")}</span> })}
            {(!m.note.is_empty()).then(|| view! { <span class="muted">" — "{m.note.clone()}</span> })}
            {m.assignee.clone().map(|name| view! { <span class="assignee muted" data-testid="milestone-assignee">" · "{t!("projects.assigned_to", name = name)}</span> })}
            <AttachedDocuments docs />
            <ActionForm action=done attr:class="inline-form" attr:data-anchor="jalons" attr:data-done=t!("done.milestone_done").into_owned()>
                <input type="hidden" name="milestone_id" value=id.to_string() />
                {is_done.then(|| view! { <input type="hidden" name="undo" value="true" /> })}
                <button type="submit" class="button small">
                    {if is_done { t!("projects.reopen") } else { t!("projects.mark_done") }}
                </button>
            </ActionForm>
            {if editing(&key) { view! {
            <div class="milestone-edit">
                <ActionForm action=update attr:class="form" attr:novalidate="true" attr:data-anchor="jalons" attr:data-done=t!("done.milestone_saved").into_owned()>
                    <input type="hidden" name="milestone_id" value=id.to_string() />
                    <div class="field">
                        <label for=format!("{prefix}-kind")>{t!("projects.milestone_kind")}</label>
                        <select id=format!("{prefix}-kind") name="form[kind]">
                            {MilestoneKind::ALL.into_iter().map(|k| view! {
                                <option value=k.as_str() selected=k == m.kind>{k.label()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <Field max=crate::domain::input::max::TITLE name="form[title]" id=format!("{prefix}-title") label=t!("projects.milestone_title").into_owned()
                        required=true value=m.title.clone() error=field_error(update, "title") />
                    <Field name="form[due_date]" id=format!("{prefix}-due") kind="date" label=t!("projects.milestone_due").into_owned()
                        required=true value=m.due_date.to_string() error=field_error(update, "due_date") />
                    <Field name="form[done_date]" id=format!("{prefix}-done") kind="date" label=t!("projects.milestone_done_date").into_owned()
                        value=m.done_date.map(|d| d.to_string()).unwrap_or_default() error=field_error(update, "done_date") />
                    <AssigneeField id=format!("{prefix}-assignee") name="form[assignee]" label=t!("projects.milestone_assignee").into_owned() choices=assignable
                        current=m.assignee_id.map(|id| (id, m.assignee_name.clone().unwrap_or_default())) error=field_error(update, "assignee") />
                    <Field max=crate::domain::input::max::NOTE name="form[note]" id=format!("{prefix}-note") label=t!("projects.milestone_note").into_owned()
                        value=m.note.clone() error=field_error(update, "note") />
                    <label class="check">
                        <input type="checkbox" name="form[shareable]" checked=m.shareable />
                        {t!("projects.milestone_shareable")}
                    </label>
                    <button type="submit" class="button">{t!("projects.save_milestone")}</button>
                </ActionForm>
                <ActionForm action=delete attr:class="inline-form" attr:data-anchor="jalons" attr:data-done=t!("done.milestone_deleted").into_owned() attr:data-confirm=t!("confirm.delete_milestone").into_owned()>
                    <input type="hidden" name="milestone_id" value=id.to_string() />
                    <button type="submit" class="button small danger">{t!("projects.delete_milestone")}</button>
                </ActionForm>
                <p class="form-error" role="alert">{general}</p>
                <CloseLink anchor=key.clone() label=t!("projects.close_edit").into_owned() />
            </div>
            }.into_any() } else { view! {
                <EditLink key=key.clone() label=t!("projects.edit_milestone").into_owned() />
            }.into_any() }}
        </li>
    }
}

/// « Responsable »: the project's lead officer by default, or a member of
/// the staff. A current assignee no longer in the team (deactivated, or
/// now a partner) stays offered, marked so, so that saving another change
/// keeps them (meanwhile the lead officer answers for it).
#[component]
pub(crate) fn AssigneeField(
    id: String,
    /// The field's name (`form[assignee]`, `form[responsible]`).
    name: &'static str,
    label: String,
    choices: Vec<Labelled>,
    current: Option<(i64, String)>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let chosen = current.as_ref().map(|(id, _)| id.to_string());
    let gone = current.filter(|(id, _)| !choices.iter().any(|c| c.code == id.to_string()));
    let error_id = format!("{id}-erreur");
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <select id=id.clone() name=name aria-describedby=error_id.clone()>
                <option value=crate::models::ASSIGNEE_LEAD selected=chosen.is_none()>{t!("projects.assignee_default")}</option>
                {gone.map(|(id, name)| view! {
                    <option value=id.to_string() selected=true>{t!("projects.assignee_inactive", name = name)}</option>
                })}
                {choices.into_iter().map(|c| {
                    let selected = chosen.as_deref() == Some(c.code.as_str());
                    view! { <option value=c.code selected=selected>{c.label}</option> }
                }).collect_view()}
            </select>
            <p class="field-error" id=error_id role="alert">{move || error.get()}</p>
        </div>
    }
}

/// The five stages as a step bar; abandoned projects show it greyed.
#[component]
fn StageBar(current: Stage) -> impl IntoView {
    let rank = current.rank();
    view! {
        <ol class="stage-bar" class:abandoned=current == Stage::Abandoned aria-label=t!("projects.stage_bar").into_owned()>
            {Stage::PATH.into_iter().map(|s| {
                let state = match (s.rank(), rank) {
                    (Some(a), Some(b)) if a < b => "done",
                    (Some(a), Some(b)) if a == b => "current",
                    _ => "todo",
                };
                let is_current = state == "current";
                view! {
                    <li class=state aria-current=is_current.then_some("step")>
                        {s.label()}
                        {is_current.then(|| view! { <span class="visually-hidden">" ("{t!("projects.current_stage")}")"</span> })}
                    </li>
                }
            }).collect_view()}
            {(current == Stage::Abandoned).then(|| view! { <li class="current" aria-current="step">{Stage::Abandoned.label()}</li> })}
        </ol>
    }
}
