//! The one write path of a change to projects. A write opens a `Change`
//! (the write transaction), makes its own row changes through `txn()`,
//! says what happened (`record`: a timeline event; `plan_moved`: the plan
//! figures may have moved) and `commit`s. The commit does the rest, each
//! once per project whatever the number of events: the events, the
//! project's last change, its plan figures (`plan_figures`), then the
//! dashboard's summaries (`rollup::refresh`), and the commit itself.
//!
//! Locks, in the one order every write takes them, so writers never wait
//! in a circle: on PostgreSQL the summaries lock first (shared by the
//! writers of one project each, exclusive for a change that spans
//! projects or rebuilds the summaries), then the write's own rows, then
//! the project's counted facts, then the summary rows in key order. A
//! SQLite writer holds the whole database (`BEGIN IMMEDIATE`).
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::Value;

use crate::domain::EventKind;
use crate::error::AppError;
use crate::models::CurrentUser;
use crate::server::entities::projects::{event, project};
use crate::server::services::{plan_figures, rollup};

/// How a write holds the summaries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// One project: writers of different projects go side by side.
    Project,
    /// Any number of projects, or all summaries: alone.
    Wide,
}

/// A timeline event waiting for the commit.
struct PendingEvent {
    project_id: i64,
    kind: EventKind,
    data: Value,
}

/// One unit of work: a change to one project (`begin`) or to several
/// (`begin_wide`).
pub struct Change {
    txn: crate::server::db::WriteTxn,
    scope: Scope,
    actor_id: Option<i64>,
    now: DateTime<Utc>,
    events: Vec<PendingEvent>,
    /// Projects whose plan figures may have moved.
    figures: BTreeSet<i64>,
    /// Projects deleted by this change: only their summaries are refreshed.
    removed: BTreeSet<i64>,
}

impl Change {
    /// Opens the write transaction of a change by `actor` to one project.
    pub async fn begin(
        db: &DatabaseConnection,
        actor: &CurrentUser,
        now: DateTime<Utc>,
    ) -> Result<Self, AppError> {
        Self::open(db, Some(actor.id), now, Scope::Project).await
    }

    /// Opens a change that may touch many projects (a funder's category,
    /// figures recomputed after a rule change). It runs alone.
    pub async fn begin_wide(
        db: &DatabaseConnection,
        actor: Option<&CurrentUser>,
        now: DateTime<Utc>,
    ) -> Result<Self, AppError> {
        Self::open(db, actor.map(|a| a.id), now, Scope::Wide).await
    }

    async fn open(
        db: &DatabaseConnection,
        actor_id: Option<i64>,
        now: DateTime<Utc>,
        scope: Scope,
    ) -> Result<Self, AppError> {
        let txn = crate::server::db::begin_write(db).await?;
        rollup::lock_summaries(&txn, scope == Scope::Wide).await?;
        Ok(Change {
            txn,
            scope,
            actor_id,
            now,
            events: Vec::new(),
            figures: BTreeSet::new(),
            removed: BTreeSet::new(),
        })
    }

    /// The transaction, for the write's own rows.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// The time of the change (events, `updated_at`).
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Adds an event to the project's timeline at the commit.
    pub fn record(&mut self, project_id: i64, kind: EventKind, data: Value) {
        self.events.push(PendingEvent {
            project_id,
            kind,
            data,
        });
    }

    /// Moves the project to its next version, only if it is still at
    /// `version` (compare-and-set; a stale edit gets the French 409).
    pub async fn bump_version(&self, project_id: i64, version: i32) -> Result<(), AppError> {
        let result = project::Entity::update_many()
            .col_expr(project::Column::Version, Expr::value(version + 1))
            .col_expr(project::Column::UpdatedAt, Expr::value(self.now))
            .filter(project::Column::Id.eq(project_id))
            .filter(project::Column::Version.eq(version))
            .exec(self.txn())
            .await?;
        if result.rows_affected == 1 {
            Ok(())
        } else {
            Err(AppError::Conflict(
                rust_i18n::t!("project.conflict").into_owned(),
            ))
        }
    }

    /// The project's plan figures may have moved: they are recomputed at
    /// the commit.
    pub fn plan_moved(&mut self, project_id: i64) {
        self.figures.insert(project_id);
    }

    /// The project was deleted (an import undone): the commit takes it out
    /// of the summaries. Only a change that spans projects deletes.
    pub fn project_removed(&mut self, project_id: i64) {
        self.removed.insert(project_id);
    }

    /// `NotFound` unless the project exists.
    pub async fn project_exists(&self, project_id: i64) -> Result<(), AppError> {
        project_exists(self.txn(), project_id).await
    }

    /// Writes the events, each touched project's last change, plan figures
    /// and summaries, and commits.
    pub async fn commit(self) -> Result<(), AppError> {
        let Change {
            txn,
            scope,
            actor_id,
            now,
            events,
            figures,
            removed,
        } = self;
        if scope == Scope::Wide {
            commit_wide(&txn, actor_id, now, events, &figures, &removed).await?;
            txn.commit().await?;
            return Ok(());
        }
        // Each touched project, and whether it has an event.
        let mut touched: BTreeMap<i64, bool> = BTreeMap::new();
        for e in events {
            insert_event(&txn, actor_id, now, e.project_id, e.kind, e.data).await?;
            touched.insert(e.project_id, true);
        }
        for id in &figures {
            touched.entry(*id).or_insert(false);
        }
        if !removed.is_empty() {
            // Only a change spanning projects deletes one.
            return Err(AppError::internal_here());
        }
        if touched.len() > 1 {
            // A change opened for one project that reaches others could take
            // summary rows in another order than a neighbour's.
            tracing::error!(
                projects = touched.len(),
                "a one-project change touched several projects"
            );
            return Err(AppError::internal_here());
        }
        for (&id, &has_event) in &touched {
            if has_event {
                project::Entity::update_many()
                    .col_expr(project::Column::LastEventAt, Expr::value(now))
                    .filter(project::Column::Id.eq(id))
                    .exec(&*txn)
                    .await?;
            }
            if figures.contains(&id) {
                let f = plan_figures::compute(&*txn, id).await?;
                plan_figures::store(&*txn, id, &f).await?;
            }
            rollup::refresh(&*txn, id).await?;
        }
        txn.commit().await?;
        Ok(())
    }
}

/// How many rows one statement of a wide commit touches.
const WIDE_CHUNK: usize = 500;

/// The commit of a change spanning projects (an import, a rule change):
/// the same work as one project's, batched. Events are inserted many per
/// statement, the last change moved per chunk, the plan figures computed
/// from rows read per chunk (`PlanRows::load_many`, the code `compute`
/// runs), and the summaries refreshed once for all (`refresh_many`).
async fn commit_wide(
    txn: &DatabaseTransaction,
    actor_id: Option<i64>,
    now: DateTime<Utc>,
    events: Vec<PendingEvent>,
    figures: &BTreeSet<i64>,
    removed: &BTreeSet<i64>,
) -> Result<(), AppError> {
    let mut touched: BTreeSet<i64> = figures.clone();
    let mut with_event: BTreeSet<i64> = BTreeSet::new();
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        let chunk: Vec<event::ActiveModel> = events
            .by_ref()
            .take(WIDE_CHUNK)
            .map(|e| {
                with_event.insert(e.project_id);
                event_row(actor_id, now, e.project_id, e.kind, e.data)
            })
            .collect();
        event::Entity::insert_many(chunk)
            .exec_without_returning(txn)
            .await?;
    }
    touched.extend(with_event.iter().copied());
    for id in removed {
        touched.remove(id);
    }
    let ids: Vec<i64> = with_event
        .into_iter()
        .filter(|id| !removed.contains(id))
        .collect();
    for chunk in ids.chunks(WIDE_CHUNK) {
        project::Entity::update_many()
            .col_expr(project::Column::LastEventAt, Expr::value(now))
            .filter(project::Column::Id.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
    }
    let moved: Vec<i64> = figures
        .iter()
        .copied()
        .filter(|id| !removed.contains(id))
        .collect();
    for chunk in moved.chunks(WIDE_CHUNK) {
        let rows = crate::server::services::plan_rows::PlanRows::load_many(txn, chunk).await?;
        for (id, rows) in rows {
            plan_figures::store(txn, id, &rows.figures()).await?;
        }
    }
    let all: Vec<i64> = touched.into_iter().chain(removed.iter().copied()).collect();
    rollup::refresh_many(txn, &all).await
}

/// `NotFound` unless the project exists.
pub async fn project_exists(db: &impl ConnectionTrait, id: i64) -> Result<(), AppError> {
    project::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|_| ())
        .ok_or(AppError::NotFound)
}

async fn insert_event(
    txn: &DatabaseTransaction,
    actor_id: Option<i64>,
    now: DateTime<Utc>,
    project_id: i64,
    kind: EventKind,
    data: Value,
) -> Result<(), AppError> {
    event_row(actor_id, now, project_id, kind, data)
        .insert(txn)
        .await?;
    Ok(())
}

/// An event's row, with the state columns the dashboard's movements read.
fn event_row(
    actor_id: Option<i64>,
    now: DateTime<Utc>,
    project_id: i64,
    kind: EventKind,
    data: Value,
) -> event::ActiveModel {
    // State changes keep their codes as columns (the dashboard's movement
    // queries); a creation "enters" the project's first stage.
    let state = |key: &str| data.get(key).and_then(Value::as_str).map(str::to_owned);
    let (state_from, state_to) = match kind {
        k if k.is_state_change() => (state("from"), state("to")),
        EventKind::Created => (None, state("stage")),
        _ => (None, None),
    };
    event::ActiveModel {
        state_from: Set(state_from),
        state_to: Set(state_to),
        project_id: Set(project_id),
        actor_id: Set(actor_id),
        at: Set(now),
        kind: Set(kind),
        data: Set(data.to_string()),
        ..Default::default()
    }
}

/// Recomputes the projects whose plan figures predate `FIGURES_VERSION` (rows
/// from before the migration, or from older rules). Returns how many.
pub async fn refresh_outdated(db: &sea_orm::DatabaseConnection) -> Result<u64, AppError> {
    let mut done = 0;
    loop {
        let ids: Vec<i64> = project::Entity::find()
            .select_only()
            .column(project::Column::Id)
            .filter(project::Column::FiguresVersion.lt(plan_figures::FIGURES_VERSION))
            .limit(500)
            .into_tuple()
            .all(db)
            .await?;
        if ids.is_empty() {
            return Ok(done);
        }
        let mut change = Change::begin_wide(db, None, chrono::Utc::now()).await?;
        for id in &ids {
            change.plan_moved(*id);
        }
        change.commit().await?;
        done += ids.len() as u64;
    }
}
