//! The heaviest reads — the dashboard, its choices, a project page — kept in
//! memory for as long as the database is unchanged (issue 15). A read
//! names what the database holds in its own read transaction
//! ([`generation`]); an answer computed for that same state is served
//! again, and any write anywhere, by this instance or another, a script or
//! a hand-typed statement, makes the next read compute afresh. Never
//! stale, so no expiry: entries only leave when the cache is full.
//!
//! Readers of a state not yet computed wait for the first one's answer
//! rather than all running the same statements (`get_value_or_guard_async`).
//! Errors are not kept.
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDate;
use quick_cache::sync::Cache;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseTransaction, Statement};

use crate::error::AppError;
use crate::models::{Dashboard, DashboardChoices, DashboardFilter, ProjectSections, ShowAll};

/// What a read transaction sees. On PostgreSQL, its snapshot
/// (`pg_current_snapshot()`: which transactions had committed when it was
/// taken; two transactions with the same snapshot see the same rows). On
/// SQLite, the count of writes the triggers of migration 20 keep, read in
/// the transaction's own WAL snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Generation(String);

/// The state `txn` reads. Call it in the read transaction the answer is
/// then computed in (`Call::snapshot`), so both see the same rows.
pub async fn generation(txn: &DatabaseTransaction) -> Result<Generation, AppError> {
    let backend = txn.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => "SELECT pg_current_snapshot()::text",
        _ => "SELECT CAST(n AS TEXT) FROM data_generation WHERE id = 1",
    };
    let row = txn
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
        .ok_or_else(|| AppError::internal("data_generation: no row"))?;
    Ok(Generation(row.try_get_by_index(0)?))
}

/// One kind of answer, by its arguments and the database's state.
pub struct Kept<K, V> {
    kind: &'static str,
    entries: Cache<(K, Generation), Arc<V>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl<K, V> Kept<K, V>
where
    K: Eq + Hash + Clone,
    V: Clone,
{
    fn new(kind: &'static str, capacity: usize) -> Self {
        Self {
            kind,
            entries: Cache::new(capacity),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Answers served kept, and computed, since the start.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// The answer for `key` in the state `txn` reads: kept, or computed
    /// by `read` (in `txn`) and kept.
    pub async fn get_or_read<F, Fut>(
        &self,
        txn: &DatabaseTransaction,
        key: K,
        read: F,
    ) -> Result<V, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, AppError>>,
    {
        let key = (key, generation(txn).await?);
        let guard = match self.entries.get_value_or_guard_async(&key).await {
            Ok(kept) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                self.count("hit");
                return Ok(V::clone(&kept));
            }
            Err(guard) => guard,
        };
        self.misses.fetch_add(1, Ordering::Relaxed);
        self.count("miss");
        let value = read().await?;
        let _ = guard.insert(Arc::new(value.clone()));
        Ok(value)
    }

    fn count(&self, outcome: &'static str) {
        metrics::counter!("maillage_read_cache_total", "kind" => self.kind, "outcome" => outcome)
            .increment(1);
    }
}

/// The project page's arguments: the project, the timeline's start, what
/// is shown whole, whether the shares are shown (by role), and today.
pub type ProjectPageKey = (i64, Option<NaiveDate>, ShowAll, bool, NaiveDate);

/// The kept answers of one database (`AppState::reads`): one instance per
/// database, since two databases may be in the same state by number.
pub struct Reads {
    pub dashboards: Kept<(DashboardFilter, NaiveDate), Dashboard>,
    pub choices: Kept<(), DashboardChoices>,
    pub project_pages: Kept<ProjectPageKey, ProjectSections>,
}

impl Default for Reads {
    /// Sizes: a dashboard answer is a few kilobytes and filters combine;
    /// a project page at most some tens of kilobytes (its lists are
    /// capped): a few megabytes at worst.
    fn default() -> Self {
        Self {
            dashboards: Kept::new("dashboard", 64),
            choices: Kept::new("dashboard_choices", 4),
            project_pages: Kept::new("project_page", 256),
        }
    }
}
