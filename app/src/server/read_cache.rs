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
use quick_cache::{UnitWeighter, Weighter};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseTransaction, Statement};

use crate::error::AppError;
use crate::models::{
    CurrentUser, Dashboard, DashboardChoices, DashboardFilter, ProjectSections, ShowAll,
};

/// What a read transaction sees: the count of writes the triggers of
/// migrations 20 (SQLite) and 21 (PostgreSQL) keep in `data_generation`,
/// read in the transaction's own snapshot. Sessions do not count
/// (`migrations::keys::UNCOUNTED_TABLES`): a user signing in or touched
/// does not make every kept page render afresh.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Generation(String);

/// The state `txn` reads. Call it in the read transaction the answer is
/// then computed in (`Call::snapshot`), so both see the same rows; or,
/// for an answer computed afterwards (a whole page, [`Reads::pages`]), on
/// the pool: what it then reads is that state or a later one.
pub async fn generation<C: ConnectionTrait>(txn: &C) -> Result<Generation, AppError> {
    let backend = txn.get_database_backend();
    // On PostgreSQL with the server's start: a count lost with a crash
    // (`synchronous_commit = off`) or a failover to a replica that lagged
    // could come again for other rows.
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "SELECT n::text || '@' || pg_postmaster_start_time()::text \
             FROM data_generation WHERE id = 1"
        }
        _ => "SELECT CAST(n AS TEXT) FROM data_generation WHERE id = 1",
    };
    let row = txn
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
        .ok_or_else(|| AppError::internal("data_generation: no row"))?;
    Ok(Generation(row.try_get_by_index(0)?))
}

/// One kind of answer, by its arguments and the database's state; `W`
/// weighs them (by default each counts one).
pub struct Kept<K, V, W = UnitWeighter> {
    kind: &'static str,
    entries: Cache<(K, Generation), Arc<V>, W>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl<K: Eq + Hash + Clone, V> Kept<K, V> {
    /// At most `capacity` answers.
    fn new(kind: &'static str, capacity: usize) -> Self {
        Self::weighed(kind, Cache::new(capacity))
    }
}

impl<K, V, W> Kept<K, V, W>
where
    K: Eq + Hash + Clone,
    W: Weighter<(K, Generation), Arc<V>> + Clone,
{
    fn weighed(kind: &'static str, entries: Cache<(K, Generation), Arc<V>, W>) -> Self {
        Self {
            kind,
            entries,
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
        V: Clone,
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

    /// The answer kept for `key` in the state `generation`, if any. With
    /// [`Kept::keep`], for answers that are often not kept (whole pages):
    /// readers of one key never wait for each other, where
    /// [`Kept::get_or_read`]'s guard would have them render one after
    /// another when the first one's answer is not to be kept.
    pub fn get(&self, generation: &Generation, key: &K) -> Option<Arc<V>> {
        let found = self.entries.get(&(key.clone(), generation.clone()));
        let outcome = if found.is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
            "hit"
        } else {
            self.misses.fetch_add(1, Ordering::Relaxed);
            "miss"
        };
        self.count(outcome);
        found
    }

    /// Keeps `value` for `key` in the state `generation`.
    pub fn keep(&self, generation: Generation, key: K, value: Arc<V>) {
        self.entries.insert((key, generation), value);
    }

    fn count(&self, outcome: &'static str) {
        metrics::counter!("maillage_read_cache_total", "kind" => self.kind, "outcome" => outcome)
            .increment(1);
    }
}

/// The project page's arguments: the project, the timeline's start, what
/// is shown whole, whether the shares are shown (by role), and today.
pub type ProjectPageKey = (i64, Option<NaiveDate>, ShowAll, bool, NaiveDate);

/// A whole page as one user reads it: the user as the request found them
/// (their row read before the state: a change of role or name between the
/// two makes another key, not a page of the old role kept for the new
/// state), the address (path and query), the host it was asked at (links
/// given out may name it), and today.
pub type PageKey = (CurrentUser, String, String, NaiveDate);

/// A rendered page kept whole (`server::middleware::kept_pages`): its
/// content type and its body cut where the render's CSP nonce stood, so
/// that each answer carries a fresh one.
#[derive(Debug)]
pub struct KeptPage {
    pub content_type: http::HeaderValue,
    pub pieces: Vec<Vec<u8>>,
}

impl KeptPage {
    /// Cuts `body` at each occurrence of `nonce`.
    pub fn new(content_type: http::HeaderValue, body: &[u8], nonce: &str) -> Self {
        let mut pieces = Vec::new();
        let mut rest = body;
        if !nonce.is_empty() {
            while let Some(at) = find(rest, nonce.as_bytes()) {
                pieces.push(rest[..at].to_vec());
                rest = &rest[at + nonce.len()..];
            }
        }
        pieces.push(rest.to_vec());
        Self {
            content_type,
            pieces,
        }
    }

    /// The body with `nonce` where the render's stood.
    pub fn body(&self, nonce: &str) -> Vec<u8> {
        let len = self.pieces.iter().map(Vec::len).sum::<usize>()
            + nonce.len() * self.pieces.len().saturating_sub(1);
        let mut body = Vec::with_capacity(len);
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                body.extend_from_slice(nonce.as_bytes());
            }
            body.extend_from_slice(piece);
        }
        body
    }

    /// Bytes held, for the cache's weight.
    fn weight(&self) -> u64 {
        self.pieces.iter().map(|p| p.len() as u64).sum::<u64>() + 64
    }
}

/// Where `needle` first occurs in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The bytes all kept pages may hold: some hundred pages of the usual
/// size (the project page of the demo data is about 60 kB).
pub const PAGE_BYTES: u64 = 8 * 1024 * 1024;

/// Weighs kept pages by their bytes.
#[derive(Clone)]
pub struct PageWeight;

impl quick_cache::Weighter<(PageKey, Generation), Arc<KeptPage>> for PageWeight {
    fn weight(&self, (key, generation): &(PageKey, Generation), page: &Arc<KeptPage>) -> u64 {
        let (user, address, host, _) = key;
        let key_bytes = user.email.len()
            + user.display_name.len()
            + address.len()
            + host.len()
            + generation.0.len();
        page.weight() + key_bytes as u64
    }
}

/// The kept answers of one database (`AppState::reads`): one instance per
/// database, since two databases may be in the same state by number.
pub struct Reads {
    pub dashboards: Kept<(DashboardFilter, NaiveDate), Dashboard>,
    pub choices: Kept<(), DashboardChoices>,
    pub project_pages: Kept<ProjectPageKey, ProjectSections>,
    pub pages: Kept<PageKey, KeptPage, PageWeight>,
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
            pages: Kept::weighed("page", Cache::with_weighter(128, PAGE_BYTES, PageWeight)),
        }
    }
}
