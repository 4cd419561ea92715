//! The project-list filter as a query condition on `projects`. The list,
//! its count and every dashboard figure use this one function: a number on
//! the dashboard and the list behind its link cannot disagree.
use chrono::{Duration, NaiveDate};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition};

use crate::domain::EventKind;
use crate::domain::funding::FundingStatus;
use crate::domain::{HealthStatus, Role, Stage};
use crate::models::{AttentionKind, DigestKind, ProjectFilter};
use crate::server::entities::funding::funding_line;
use crate::server::entities::projects::{
    event, milestone, project, project_commune, project_programme, project_theme,
};
use crate::server::entities::territory::commune;
use crate::server::entities::user;

// The summaries' day counters use the same thresholds.
pub use crate::domain::rollup::{DETR_WARNING_DAYS, STALE_DAYS};

pub const INACTIVE: [Stage; 2] = [Stage::Completed, Stage::Abandoned];

/// Midnight of `day` in the structure's zone: events and activity are
/// compared from it.
pub fn day_start(day: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    crate::server::clock::day_start(day)
}

fn ids_from(select: SelectStatement) -> Condition {
    Condition::all().add(project::Column::Id.in_subquery(select))
}

/// Projects with an event of `kinds` since `since` and these state codes.
fn with_event(
    kinds: &[EventKind],
    since: Option<NaiveDate>,
    from: Option<&str>,
    to: Option<&str>,
) -> Condition {
    let mut q = Query::select();
    q.column(event::Column::ProjectId)
        .from(event::Entity)
        .and_where(event::Column::Kind.is_in(kinds.iter().copied()));
    if let Some(since) = since {
        q.and_where(event::Column::At.gte(day_start(since)));
    }
    if let Some(from) = from {
        q.and_where(event::Column::StateFrom.eq(from));
    }
    if let Some(to) = to {
        q.and_where(event::Column::StateTo.eq(to));
    }
    ids_from(q.to_owned())
}

/// Projects with an open milestone due in `[from, to]` (either bound open).
fn open_milestones(
    from: Option<NaiveDate>,
    to_before: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> SelectStatement {
    let mut q = Query::select();
    q.column(milestone::Column::ProjectId)
        .from(milestone::Entity)
        .and_where(milestone::Column::DoneDate.is_null());
    if let Some(from) = from {
        q.and_where(milestone::Column::DueDate.gte(from));
    }
    if let Some(before) = to_before {
        q.and_where(milestone::Column::DueDate.lt(before));
    }
    if let Some(to) = to {
        q.and_where(milestone::Column::DueDate.lte(to));
    }
    q.to_owned()
}

/// Identified funding lines whose application is due in `[from, to]`.
pub fn application_due(from: NaiveDate, to: NaiveDate) -> SelectStatement {
    Query::select()
        .column(funding_line::Column::ProjectId)
        .from(funding_line::Entity)
        .and_where(funding_line::Column::Status.eq(FundingStatus::Identified))
        .and_where(funding_line::Column::ApplicationDeadline.between(from, to))
        .to_owned()
}

/// The condition of one attention reason (active projects are added by the
/// caller's `active` flag).
pub fn attention(kind: AttentionKind, today: NaiveDate) -> Condition {
    match kind {
        AttentionKind::Blocked => {
            Condition::all().add(project::Column::Health.eq(HealthStatus::Blocked))
        }
        AttentionKind::Paused => {
            Condition::all().add(project::Column::Health.eq(HealthStatus::Paused))
        }
        AttentionKind::LateMilestones => ids_from(open_milestones(None, Some(today), None)),
        AttentionKind::Stale => Condition::all()
            .add(project::Column::LastEventAt.lt(day_start(today - Duration::days(STALE_DAYS)))),
        AttentionKind::RuleBreach => Condition::all().add(project::Column::RuleBreach.eq(true)),
        AttentionKind::DetrLapse => Condition::all()
            .add(project::Column::DetrDue.lte(today + Duration::days(DETR_WARNING_DAYS))),
    }
}

/// Projects with a dated step in the next `days` days (today included):
/// an open milestone, an application to file, a DETR date.
pub fn due_within(days: i64, today: NaiveDate) -> Condition {
    let end = today + Duration::days(days);
    Condition::any()
        .add(project::Column::Id.in_subquery(open_milestones(Some(today), None, Some(end))))
        .add(project::Column::Id.in_subquery(application_due(today, end)))
        .add(project::Column::DetrDue.between(today, end))
}

fn digest(kind: DigestKind, since: Option<NaiveDate>) -> Condition {
    match kind {
        DigestKind::Created => with_event(&[EventKind::Created], since, None, None),
        DigestKind::StageChanged => with_event(&[EventKind::StageChanged], since, None, None),
        DigestKind::Granted => with_event(
            &[EventKind::FundingStatusChanged],
            since,
            None,
            Some(FundingStatus::Granted.as_str()),
        ),
        DigestKind::Refused => with_event(
            &[EventKind::FundingStatusChanged],
            since,
            None,
            Some(FundingStatus::Refused.as_str()),
        ),
        DigestKind::Abandoned => with_event(
            &[EventKind::StageChanged],
            since,
            None,
            Some(Stage::Abandoned.as_str()),
        ),
    }
}

/// Entered a stage: created in it, or moved to it.
pub fn entered(stage: &str, since: Option<NaiveDate>) -> Condition {
    with_event(
        &[EventKind::Created, EventKind::StageChanged],
        since,
        None,
        Some(stage),
    )
}

pub fn left(stage: &str, since: Option<NaiveDate>) -> Condition {
    with_event(&[EventKind::StageChanged], since, Some(stage), None)
}

/// Projects where `person` has work to answer for, as their home, their
/// calendar feed and their reminders count it (`domain::milestone::
/// answerable`): an open milestone or a funding line in progress (neither
/// refused nor paid in full) that names them, or that names no one still in
/// the team on a project they lead.
pub fn assigned_to(person: i64) -> Condition {
    let staff = Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .and_where(user::Column::Active.eq(true))
        .and_where(user::Column::Role.ne(Role::Partner))
        .to_owned();
    let led = Query::select()
        .column(project::Column::Id)
        .from(project::Entity)
        .and_where(project::Column::LeadOfficerId.eq(person))
        .to_owned();
    let milestones = Query::select()
        .column(milestone::Column::ProjectId)
        .from(milestone::Entity)
        .and_where(milestone::Column::DoneDate.is_null())
        .cond_where(
            Condition::any()
                .add(milestone::Column::AssigneeId.eq(person))
                .add(
                    Condition::all()
                        .add(
                            Condition::any()
                                .add(milestone::Column::AssigneeId.is_null())
                                .add(milestone::Column::AssigneeId.not_in_subquery(staff.clone())),
                        )
                        .add(milestone::Column::ProjectId.in_subquery(led.clone())),
                ),
        )
        .to_owned();
    let lines = Query::select()
        .column(funding_line::Column::ProjectId)
        .from(funding_line::Entity)
        .and_where(
            funding_line::Column::Status
                .is_not_in([FundingStatus::Refused, FundingStatus::BalancePaid]),
        )
        .cond_where(
            Condition::any()
                .add(funding_line::Column::ResponsibleId.eq(person))
                .add(
                    Condition::all()
                        .add(
                            Condition::any()
                                .add(funding_line::Column::ResponsibleId.is_null())
                                .add(funding_line::Column::ResponsibleId.not_in_subquery(staff)),
                        )
                        .add(funding_line::Column::ProjectId.in_subquery(led)),
                ),
        )
        .to_owned();
    Condition::any()
        .add(ids_from(milestones))
        .add(ids_from(lines))
}

/// Projects with an application to file or filed (identified, requested)
/// that asks for a document type no live document attached to the line
/// has: the types of the line's own list when it keeps one, else its
/// funder's.
pub fn missing_documents() -> Condition {
    use crate::server::entities::documents::{funder_document, line_document};
    let by_funder = lines_missing(
        funder_document::Entity,
        funder_document::Column::TypeCode,
        Expr::col((funder_document::Entity, funder_document::Column::FunderId))
            .equals((funding_line::Entity, funding_line::Column::FunderId)),
        false,
    );
    let by_line = lines_missing(
        line_document::Entity,
        line_document::Column::TypeCode,
        Expr::col((line_document::Entity, line_document::Column::FundingLineId))
            .equals((funding_line::Entity, funding_line::Column::Id)),
        true,
    );
    Condition::any()
        .add(ids_from(by_funder))
        .add(ids_from(by_line))
}

/// The projects of the lines (to file or filed, keeping their own list or
/// not) for which a type of the list `asked` (joined `on`) has no live
/// document attached to the line.
fn lines_missing<E: sea_orm::EntityTrait, C: sea_orm::ColumnTrait>(
    asked: E,
    type_code: C,
    on: Expr,
    own: bool,
) -> SelectStatement {
    use crate::server::entities::documents::document;
    let has = Query::select()
        .expr(Expr::val(1))
        .from(document::Entity)
        .and_where(
            Expr::col((document::Entity, document::Column::FundingLineId))
                .equals((funding_line::Entity, funding_line::Column::Id)),
        )
        .and_where(
            Expr::col((document::Entity, document::Column::TypeCode)).equals((asked, type_code)),
        )
        .and_where(Expr::col((document::Entity, document::Column::DeletedAt)).is_null())
        .to_owned();
    Query::select()
        .column((funding_line::Entity, funding_line::Column::ProjectId))
        .from(funding_line::Entity)
        .inner_join(asked, on)
        .and_where(Expr::col((funding_line::Entity, funding_line::Column::OwnDocuments)).eq(own))
        .and_where(
            Expr::col((funding_line::Entity, funding_line::Column::Status)).is_in([
                FundingStatus::Identified.as_str(),
                FundingStatus::Requested.as_str(),
            ]),
        )
        .and_where(Expr::exists(has).not())
        .to_owned()
}

/// The value, trimmed, unless empty (as the list reads its criteria).
pub fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The filter as a condition on `projects`.
pub fn condition(filter: &ProjectFilter, today: NaiveDate) -> Condition {
    let mut cond = Condition::all();
    if let Some(q) = nonempty(&filter.q)
        .map(crate::domain::search_key)
        .filter(|k| !k.is_empty())
    {
        cond = cond.add(project::Column::SearchKey.contains(&q));
    }
    if let Some(stage) = nonempty(&filter.stage) {
        cond = cond.add(project::Column::Stage.eq(stage));
    }
    if let Some(health) = nonempty(&filter.health) {
        cond = cond.add(project::Column::Health.eq(health));
    }
    if let Some(officer) = filter.officer {
        cond = cond.add(project::Column::LeadOfficerId.eq(officer));
    }
    if let Some(person) = filter.assignee {
        cond = cond.add(assigned_to(person));
    }
    if filter.missing_documents {
        cond = cond.add(missing_documents());
    }
    if let Some(insee) = nonempty(&filter.commune) {
        cond = cond.add(ids_from(
            Query::select()
                .column(project_commune::Column::ProjectId)
                .from(project_commune::Entity)
                .and_where(project_commune::Column::Insee.eq(insee.to_ascii_uppercase()))
                .to_owned(),
        ));
    }
    for (value, column) in [
        (nonempty(&filter.epci), commune::Column::EpciSiren),
        (
            nonempty(&filter.departement),
            commune::Column::DepartementCode,
        ),
    ] {
        if let Some(value) = value {
            cond = cond.add(ids_from(
                Query::select()
                    .column(project_commune::Column::ProjectId)
                    .from(project_commune::Entity)
                    .and_where(
                        project_commune::Column::Insee.in_subquery(
                            Query::select()
                                .column(commune::Column::Insee)
                                .from(commune::Entity)
                                .and_where(column.eq(value.to_ascii_uppercase()))
                                .to_owned(),
                        ),
                    )
                    .to_owned(),
            ));
        }
    }
    if let Some(code) = nonempty(&filter.programme) {
        cond = cond.add(ids_from(
            Query::select()
                .column(project_programme::Column::ProjectId)
                .from(project_programme::Entity)
                .and_where(project_programme::Column::ProgrammeCode.eq(code))
                .to_owned(),
        ));
    }
    if let Some(code) = nonempty(&filter.theme) {
        cond = cond.add(ids_from(
            Query::select()
                .column(project_theme::Column::ProjectId)
                .from(project_theme::Entity)
                .and_where(project_theme::Column::ThemeCode.eq(code))
                .to_owned(),
        ));
    }
    if let Some(since) = filter.since {
        cond = cond.add(project::Column::LastEventAt.gte(day_start(since)));
    }
    if filter.active {
        cond = cond.add(project::Column::Stage.is_not_in(INACTIVE));
    }
    if let Some(stage) = nonempty(&filter.entered) {
        cond = cond.add(entered(stage, filter.since));
    }
    if let Some(stage) = nonempty(&filter.left) {
        cond = cond.add(left(stage, filter.since));
    }
    if let Some(kind) = nonempty(&filter.event) {
        cond = match DigestKind::parse(kind) {
            Some(kind) => cond.add(digest(kind, filter.since)),
            // An unknown criterion selects nothing rather than everything.
            None => cond.add(Expr::val(1).eq(0)),
        };
    }
    if let Some(kind) = nonempty(&filter.attention) {
        cond = match AttentionKind::parse(kind) {
            Some(kind) => cond.add(attention(kind, today)),
            None => cond.add(Expr::val(1).eq(0)),
        };
    }
    if let Some(funder) = filter.funder {
        cond = cond.add(ids_from(
            Query::select()
                .column(funding_line::Column::ProjectId)
                .from(funding_line::Entity)
                .and_where(funding_line::Column::FunderId.eq(funder))
                .to_owned(),
        ));
    }
    if let Some(days) = filter.due_within {
        cond = cond.add(due_within(days.clamp(0, 3660), today));
    }
    cond
}
