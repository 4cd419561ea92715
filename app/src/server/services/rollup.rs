//! The dashboard's summaries (`domain::rollup`), kept in the write
//! transactions: `refresh` reads a project's facts as they are now,
//! compares them with the facts last counted (`project_rollups`) and adds
//! the difference to `dashboard_totals` and `dashboard_days` by upserts in
//! key order. `change::Change::commit` calls it once per touched project,
//! so every write that changes a project keeps the summaries equal to the sums over all projects; `rebuild` recomputes
//! them from scratch (an existing database, a bulk import, new territory
//! data).
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, OnConflict, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QuerySelect, Set,
};

use crate::domain::funding::{FunderCategory, FundingStatus, PlanLine, line_sums};
use crate::domain::rollup::{
    DayKey, FunderFigures, Measures, ProjectFacts, SummaryKey, day_delta, delta, event_counters,
    sum_all, sum_days,
};
use crate::domain::{EventKind, HealthStatus, Stage};
use crate::error::AppError;
use crate::server::entities::funding::funding_line;
use crate::server::entities::projects::{
    event, milestone, project, project_commune, project_programme, project_theme,
};
use crate::server::entities::rollup::{dashboard_day, dashboard_total, project_rollup};
use crate::server::entities::territory::commune;

/// The PostgreSQL advisory lock of the summaries (`pg_advisory_xact_lock`):
/// shared by writers of one project, exclusive for a change across projects
/// and a rebuild.
const SUMMARIES_LOCK: i64 = 7_300_210_001;

/// Takes the summaries lock for the rest of the transaction (PostgreSQL;
/// SQLite's write lock already covers it).
pub(crate) async fn lock_summaries(
    txn: &sea_orm::DatabaseTransaction,
    wide: bool,
) -> Result<(), AppError> {
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        let sql = if wide {
            format!("SELECT pg_advisory_xact_lock({SUMMARIES_LOCK})")
        } else {
            format!("SELECT pg_advisory_xact_lock_shared({SUMMARIES_LOCK})")
        };
        txn.execute_unprepared(&sql).await?;
    }
    Ok(())
}

/// Bound parameters per multi-row statement, under both backends' limits.
const PARAMS_PER_STATEMENT: usize = 30_000;

/// `project_id IN ids`, or every project.
fn among(column: impl ColumnTrait, ids: Option<&[i64]>) -> Condition {
    match ids {
        Some(ids) => Condition::all().add(column.is_in(ids.iter().copied())),
        None => Condition::all(),
    }
}

/// The facts of the given projects (every project for `None`) as they are
/// in the database now, in a fixed number of queries.
pub async fn load_facts(
    db: &impl ConnectionTrait,
    ids: Option<&[i64]>,
) -> Result<HashMap<i64, ProjectFacts>, AppError> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        stage: Stage,
        health: HealthStatus,
        rule_breach: bool,
        lead_officer_id: Option<i64>,
        estimated_cost_cents: Option<i64>,
        plan_requested_cents: i64,
        plan_pending_cents: i64,
        plan_granted_cents: i64,
        plan_paid_cents: i64,
        plan_to_find_cents: i64,
        detr_due: Option<NaiveDate>,
        last_event_at: chrono::DateTime<chrono::Utc>,
    }
    let rows: Vec<Row> = project::Entity::find()
        .select_only()
        .columns([
            project::Column::Id,
            project::Column::Stage,
            project::Column::Health,
            project::Column::RuleBreach,
            project::Column::LeadOfficerId,
            project::Column::EstimatedCostCents,
            project::Column::PlanRequestedCents,
            project::Column::PlanPendingCents,
            project::Column::PlanGrantedCents,
            project::Column::PlanPaidCents,
            project::Column::PlanToFindCents,
            project::Column::DetrDue,
            project::Column::LastEventAt,
        ])
        .filter(among(project::Column::Id, ids))
        .into_model()
        .all(db)
        .await?;
    let mut facts: HashMap<i64, ProjectFacts> = rows
        .into_iter()
        .map(|r| {
            let f = ProjectFacts {
                stage: r.stage,
                health: r.health,
                rule_breach: r.rule_breach,
                officer: r.lead_officer_id,
                money: Measures {
                    projects: 1,
                    cost: r.estimated_cost_cents.unwrap_or(0),
                    requested: r.plan_requested_cents,
                    pending: r.plan_pending_cents,
                    granted: r.plan_granted_cents,
                    paid: r.plan_paid_cents,
                    to_find: r.plan_to_find_cents,
                },
                detr_due: r.detr_due,
                last_event_on: Some(crate::server::clock::local_date(r.last_event_at)),
                steps: r.detr_due.into_iter().collect::<Vec<_>>().into(),
                ..ProjectFacts::default()
            };
            (r.id, f)
        })
        .collect();

    let programmes: Vec<(i64, String)> = project_programme::Entity::find()
        .select_only()
        .columns([
            project_programme::Column::ProjectId,
            project_programme::Column::ProgrammeCode,
        ])
        .filter(among(project_programme::Column::ProjectId, ids))
        .into_tuple()
        .all(db)
        .await?;
    for (id, code) in programmes {
        if let Some(f) = facts.get_mut(&id) {
            f.programmes.push(code);
        }
    }
    let themes: Vec<(i64, String)> = project_theme::Entity::find()
        .select_only()
        .columns([
            project_theme::Column::ProjectId,
            project_theme::Column::ThemeCode,
        ])
        .filter(among(project_theme::Column::ProjectId, ids))
        .into_tuple()
        .all(db)
        .await?;
    for (id, code) in themes {
        if let Some(f) = facts.get_mut(&id) {
            f.themes.push(code);
        }
    }
    let mut epcis = Query::select();
    epcis
        .column((project_commune::Entity, project_commune::Column::ProjectId))
        .column((commune::Entity, commune::Column::EpciSiren))
        .from(project_commune::Entity)
        .inner_join(
            commune::Entity,
            Expr::col((commune::Entity, commune::Column::Insee))
                .equals((project_commune::Entity, project_commune::Column::Insee)),
        )
        .and_where(Expr::col((commune::Entity, commune::Column::EpciSiren)).is_not_null());
    if let Some(ids) = ids {
        epcis.and_where(
            Expr::col((project_commune::Entity, project_commune::Column::ProjectId))
                .is_in(ids.iter().copied()),
        );
    }
    for row in db.query_all(&epcis).await? {
        let id: i64 = row.try_get_by_index(0)?;
        let siren: String = row.try_get_by_index(1)?;
        if let Some(f) = facts.get_mut(&id) {
            f.epcis.push(siren);
        }
    }

    // Open milestones counted by due date: one row per distinct date.
    let open: Vec<(i64, NaiveDate, i64)> = milestone::Entity::find()
        .select_only()
        .columns([milestone::Column::ProjectId, milestone::Column::DueDate])
        .column_as(milestone::Column::Id.count(), "n")
        .filter(milestone::Column::DoneDate.is_null())
        .filter(among(milestone::Column::ProjectId, ids))
        .group_by(milestone::Column::ProjectId)
        .group_by(milestone::Column::DueDate)
        .into_tuple()
        .all(db)
        .await?;
    for (id, due, n) in open {
        if let Some(f) = facts.get_mut(&id) {
            f.first_open_due = Some(f.first_open_due.map_or(due, |d| Ord::min(d, due)));
            f.steps.add(due, n);
        }
    }

    type LineRow = (
        i64,
        i64,
        FundingStatus,
        Option<i64>,
        Option<i64>,
        i64,
        Option<NaiveDate>,
    );
    let lines: Vec<LineRow> = funding_line::Entity::find()
        .select_only()
        .columns([
            funding_line::Column::ProjectId,
            funding_line::Column::FunderId,
            funding_line::Column::Status,
            funding_line::Column::AmountRequestedCents,
            funding_line::Column::AmountGrantedCents,
            funding_line::Column::AmountPaidCents,
            funding_line::Column::ApplicationDeadline,
        ])
        .filter(among(funding_line::Column::ProjectId, ids))
        .into_tuple()
        .all(db)
        .await?;
    let mut per_funder: BTreeMap<(i64, i64), Vec<PlanLine>> = BTreeMap::new();
    for (id, funder_id, status, requested, granted, paid, deadline) in lines {
        if status == FundingStatus::Identified
            && let (Some(d), Some(f)) = (deadline, facts.get_mut(&id))
        {
            f.steps.add(d, 1);
        }
        per_funder
            .entry((id, funder_id))
            .or_default()
            .push(PlanLine {
                // The category plays no part in these sums.
                category: FunderCategory::Public,
                status,
                requested,
                granted,
                paid,
            });
    }
    for ((id, funder_id), lines) in per_funder {
        let t = line_sums(&lines);
        if let Some(f) = facts.get_mut(&id) {
            f.funders.push(FunderFigures {
                funder_id,
                requested: t.requested,
                pending: t.pending,
                granted: t.granted,
                paid: t.paid,
            });
        }
    }
    // The last event of each kind the movements and the digest count.
    let mut events = Query::select();
    events
        .columns([
            event::Column::ProjectId,
            event::Column::Kind,
            event::Column::StateFrom,
            event::Column::StateTo,
        ])
        .expr(Func::max(Expr::col(event::Column::At)))
        .from(event::Entity)
        .and_where(event::Column::Kind.is_in([
            EventKind::Created,
            EventKind::StageChanged,
            EventKind::FundingStatusChanged,
        ]))
        .group_by_columns([
            event::Column::ProjectId,
            event::Column::Kind,
            event::Column::StateFrom,
            event::Column::StateTo,
        ]);
    if let Some(ids) = ids {
        events.and_where(event::Column::ProjectId.is_in(ids.iter().copied()));
    }
    for row in db.query_all(&events).await? {
        let id: i64 = row.try_get_by_index(0)?;
        let kind: EventKind = row.try_get_by_index(1)?;
        let from: Option<String> = row.try_get_by_index(2)?;
        let to: Option<String> = row.try_get_by_index(3)?;
        let at: chrono::DateTime<chrono::Utc> = row.try_get_by_index(4)?;
        if let Some(f) = facts.get_mut(&id) {
            for counter in event_counters(kind, from.as_deref(), to.as_deref()) {
                let day = f
                    .last_events
                    .entry(counter)
                    .or_insert(crate::server::clock::local_date(at));
                *day = Ord::max(*day, crate::server::clock::local_date(at));
            }
        }
    }
    for f in facts.values_mut() {
        for list in [&mut f.programmes, &mut f.themes, &mut f.epcis] {
            list.sort();
            list.dedup();
        }
    }
    Ok(facts)
}

/// Adds `rows` to the summary rows (`add`), or inserts them into empty
/// tables (a rebuild).
async fn write_totals(
    db: &impl ConnectionTrait,
    rows: &[(SummaryKey, Measures)],
    add: bool,
) -> Result<(), AppError> {
    use dashboard_total::Column as C;
    let plus = |c: C| {
        (
            c,
            Expr::col((dashboard_total::Entity, c)).add(Expr::col((Alias::new("excluded"), c))),
        )
    };
    for chunk in rows.chunks(PARAMS_PER_STATEMENT / 10) {
        let mut q = Query::insert();
        q.into_table(dashboard_total::Entity).columns([
            C::Scope,
            C::Grp,
            C::Stage,
            C::Projects,
            C::Cost,
            C::Requested,
            C::Pending,
            C::Granted,
            C::Paid,
            C::ToFind,
        ]);
        for (k, m) in chunk {
            q.values_panic([
                k.scope.clone().into(),
                k.group.clone().into(),
                k.stage.into(),
                m.projects.into(),
                m.cost.into(),
                m.requested.into(),
                m.pending.into(),
                m.granted.into(),
                m.paid.into(),
                m.to_find.into(),
            ]);
        }
        if !add {
            db.execute(&q).await?;
            continue;
        }
        q.on_conflict(
            OnConflict::columns([C::Scope, C::Grp, C::Stage])
                .values([
                    plus(C::Projects),
                    plus(C::Cost),
                    plus(C::Requested),
                    plus(C::Pending),
                    plus(C::Granted),
                    plus(C::Paid),
                    plus(C::ToFind),
                ])
                .to_owned(),
        );
        db.execute(&q).await?;
    }
    Ok(())
}

async fn write_days(
    db: &impl ConnectionTrait,
    rows: &[(DayKey, i64)],
    add: bool,
) -> Result<(), AppError> {
    use dashboard_day::Column as C;
    for chunk in rows.chunks(PARAMS_PER_STATEMENT / 5) {
        let mut q = Query::insert();
        q.into_table(dashboard_day::Entity)
            .columns([C::Scope, C::Grp, C::Day, C::Stage, C::N]);
        for (k, n) in chunk {
            q.values_panic([
                k.scope.clone().into(),
                k.group.clone().into(),
                k.day.into(),
                k.stage.into(),
                (*n).into(),
            ]);
        }
        if !add {
            db.execute(&q).await?;
            continue;
        }
        q.on_conflict(
            OnConflict::columns([C::Scope, C::Grp, C::Day, C::Stage])
                .value(
                    C::N,
                    Expr::col((dashboard_day::Entity, C::N))
                        .add(Expr::col((Alias::new("excluded"), C::N))),
                )
                .to_owned(),
        );
        db.execute(&q).await?;
    }
    Ok(())
}

fn encode(facts: &ProjectFacts) -> Result<String, AppError> {
    serde_json::to_string(facts).map_err(AppError::internal)
}

/// Brings the summaries up to date with one project (call it inside the
/// write's transaction, after the change). Its duration is the
/// `maillage_summaries_refresh_seconds` histogram of `/metrics`.
pub async fn refresh(db: &impl ConnectionTrait, project_id: i64) -> Result<(), AppError> {
    let started = std::time::Instant::now();
    let result = refresh_project(db, project_id).await;
    metrics::histogram!("maillage_summaries_refresh_seconds")
        .record(started.elapsed().as_secs_f64());
    result
}

/// `refresh` for many projects at once, for a change that holds the
/// summaries alone (`lock_summaries(.., true)`): the deltas of every
/// project are added up, then written once, in key order.
pub async fn refresh_many(db: &impl ConnectionTrait, project_ids: &[i64]) -> Result<(), AppError> {
    let mut totals: BTreeMap<SummaryKey, Measures> = BTreeMap::new();
    let mut days: BTreeMap<DayKey, i64> = BTreeMap::new();
    for chunk in project_ids.chunks(500) {
        let stored: HashMap<i64, ProjectFacts> = project_rollup::Entity::find()
            .filter(project_rollup::Column::ProjectId.is_in(chunk.iter().copied()))
            .lock_exclusive()
            .all(db)
            .await?
            .into_iter()
            .map(|row| {
                crate::server::db::decode_stored("project_rollups.facts", &row.facts)
                    .map(|f| (row.project_id, f))
            })
            .collect::<Result<_, AppError>>()?;
        let mut new = load_facts(db, Some(chunk)).await?;
        let mut gone = Vec::new();
        let mut rows = Vec::new();
        for id in chunk {
            let old = stored.get(id);
            let now = new.remove(id);
            if old == now.as_ref() {
                continue;
            }
            for (k, m) in delta(old, now.as_ref()) {
                let e = totals.entry(k).or_default();
                *e = e.plus(m);
            }
            for (k, n) in day_delta(old, now.as_ref()) {
                *days.entry(k).or_default() += n;
            }
            if old.is_some() {
                gone.push(*id);
            }
            if let Some(f) = now {
                rows.push(project_rollup::ActiveModel {
                    project_id: Set(*id),
                    facts: Set(encode(&f)?),
                });
            }
        }
        if !gone.is_empty() {
            project_rollup::Entity::delete_many()
                .filter(project_rollup::Column::ProjectId.is_in(gone))
                .exec(db)
                .await?;
        }
        if !rows.is_empty() {
            project_rollup::Entity::insert_many(rows)
                .exec_without_returning(db)
                .await?;
        }
    }
    let totals: Vec<_> = totals.into_iter().filter(|(_, m)| !m.is_zero()).collect();
    let days: Vec<_> = days.into_iter().filter(|(_, n)| *n != 0).collect();
    write_totals(db, &totals, true).await?;
    write_days(db, &days, true).await?;
    Ok(())
}

async fn refresh_project(db: &impl ConnectionTrait, project_id: i64) -> Result<(), AppError> {
    // Summary rows are shared by every project: the writer holds the
    // summaries lock (`change`, shared among one-project changes) and takes
    // the rows in key order (`delta`, `day_delta`), totals before days, so
    // writers never wait for each other in a circle.
    // The counted facts, locked until the transaction ends (PostgreSQL; a
    // SQLite writer holds the whole database) so two writers of one project
    // cannot both subtract them.
    let stored = project_rollup::Entity::find_by_id(project_id)
        .lock_exclusive()
        .one(db)
        .await?;
    let old: Option<ProjectFacts> = match &stored {
        Some(row) => Some(crate::server::db::decode_stored(
            "project_rollups.facts",
            &row.facts,
        )?),
        None => None,
    };
    let new = load_facts(db, Some(&[project_id]))
        .await?
        .remove(&project_id);
    if old == new {
        return Ok(());
    }
    write_totals(db, &delta(old.as_ref(), new.as_ref()), true).await?;
    write_days(db, &day_delta(old.as_ref(), new.as_ref()), true).await?;
    match (&stored, &new) {
        (_, None) => {
            project_rollup::Entity::delete_by_id(project_id)
                .exec(db)
                .await?;
        }
        (Some(_), Some(f)) => {
            project_rollup::Entity::update(project_rollup::ActiveModel {
                project_id: Set(project_id),
                facts: Set(encode(f)?),
            })
            .exec(db)
            .await?;
        }
        (None, Some(f)) => {
            project_rollup::Entity::insert(project_rollup::ActiveModel {
                project_id: Set(project_id),
                facts: Set(encode(f)?),
            })
            .exec_without_returning(db)
            .await?;
        }
    }
    Ok(())
}

/// Recomputes every summary from the projects, in one transaction. Returns
/// the number of projects counted.
pub async fn rebuild(db: &DatabaseConnection) -> Result<usize, AppError> {
    let txn = crate::server::db::begin_write(db).await?;
    lock_summaries(&txn, true).await?;
    dashboard_total::Entity::delete_many().exec(&*txn).await?;
    dashboard_day::Entity::delete_many().exec(&*txn).await?;
    project_rollup::Entity::delete_many().exec(&*txn).await?;
    let facts = load_facts(&*txn, None).await?;
    let totals: Vec<_> = sum_all(facts.values())
        .into_iter()
        .filter(|(_, m)| !m.is_zero())
        .collect();
    write_totals(&*txn, &totals, false).await?;
    let days: Vec<_> = sum_days(facts.values()).into_iter().collect();
    write_days(&*txn, &days, false).await?;
    let mut rows = Vec::with_capacity(facts.len());
    for (id, f) in &facts {
        rows.push(project_rollup::ActiveModel {
            project_id: Set(*id),
            facts: Set(encode(f)?),
        });
    }
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(PARAMS_PER_STATEMENT / 2).collect();
        project_rollup::Entity::insert_many(chunk)
            .exec_without_returning(&*txn)
            .await?;
    }
    txn.commit().await?;
    Ok(facts.len())
}

/// Rebuilds the summaries when they do not count every project (a database
/// from before they existed). Returns the number of projects counted, or
/// `None` when they were complete.
pub async fn ensure(db: &DatabaseConnection) -> Result<Option<usize>, AppError> {
    let projects = project::Entity::find().count(db).await?;
    let counted = project_rollup::Entity::find().count(db).await?;
    if projects == counted {
        return Ok(None);
    }
    rebuild(db).await.map(Some)
}

/// A summary row's figures.
pub(crate) fn measures(r: &dashboard_total::Model) -> Measures {
    Measures {
        projects: r.projects,
        cost: r.cost,
        requested: r.requested,
        pending: r.pending,
        granted: r.granted,
        paid: r.paid,
        to_find: r.to_find,
    }
}

/// The summaries as stored, every non-zero row by key (compared with
/// `expected` by the tests and by `maillage summaries --check`).
pub async fn stored(
    db: &impl ConnectionTrait,
) -> Result<(BTreeMap<SummaryKey, Measures>, BTreeMap<DayKey, i64>), AppError> {
    let totals = dashboard_total::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| {
            let m = measures(&r);
            (
                SummaryKey {
                    scope: r.scope,
                    group: r.grp,
                    stage: r.stage,
                },
                m,
            )
        })
        .filter(|(_, m)| !m.is_zero())
        .collect();
    let days = dashboard_day::Entity::find()
        .filter(dashboard_day::Column::N.ne(0))
        .all(db)
        .await?
        .into_iter()
        .map(|r| {
            (
                DayKey {
                    scope: r.scope,
                    group: r.grp,
                    stage: r.stage,
                    day: r.day,
                },
                r.n,
            )
        })
        .collect();
    Ok((totals, days))
}

/// The summaries as they should be: recomputed from the projects.
pub async fn expected(
    db: &impl ConnectionTrait,
) -> Result<(BTreeMap<SummaryKey, Measures>, BTreeMap<DayKey, i64>), AppError> {
    let facts = load_facts(db, None).await?;
    let mut totals = sum_all(facts.values());
    totals.retain(|_, m| !m.is_zero());
    Ok((totals, sum_days(facts.values())))
}
