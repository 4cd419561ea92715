//! Connecting to the database (PostgreSQL or SQLite, chosen by the URL) and
//! applying migrations.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use tokio::sync::OwnedMutexGuard;

use crate::error::AppError;

/// Opens a pool that survives a database restart: PostgreSQL connections
/// are tested before use, all are recycled after 30 minutes, and waiting
/// for one times out. A page holds a connection only for its read (at most
/// `MAX_CONCURRENT_PAGES` renders run at once), and each PostgreSQL
/// connection keeps its buffers and prepared statements: the pool is kept
/// small (PERFORMANCE.md, 2026-12-08).
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, None).await
}

/// [`connect`] with at most `pool` connections (`DATABASE_POOL_SIZE`), else
/// 8 on SQLite and 10 on PostgreSQL.
pub async fn connect_with(url: &str, pool: Option<u32>) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = sqlite_file(url)
        && let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
    }
    let is_sqlite = url.starts_with("sqlite:");
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(pool.unwrap_or(if is_sqlite { 8 } else { 10 }).max(1))
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(10 * 60))
        .max_lifetime(Duration::from_secs(30 * 60))
        // PostgreSQL: a connection may have died with a restart, so it is
        // pinged before use. An SQLite connection is a file handle that
        // cannot drop: its ping was one more round trip to the connection's
        // thread for every statement.
        .test_before_acquire(!is_sqlite)
        // MAILLAGE_LOG_SQL=1: every statement and its time, at the INFO
        // level of `sqlx::query` (for profiling; off by default).
        .sqlx_logging(std::env::var_os("MAILLAGE_LOG_SQL").is_some())
        // SQLite, on every connection: WAL lets readers work while one
        // writer writes; synchronous=NORMAL is what WAL needs to stay
        // durable across a crash of the process (only a power cut may lose
        // the last commits); a writer waits up to 5 s for the lock
        // (`begin_write` takes it at BEGIN so the wait works).
        .map_sqlx_sqlite_opts(|opts| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    Database::connect(options).await
}

/// The transaction of a write (`begin_write`): a `DatabaseTransaction`,
/// and on SQLite this process's turn to write, held until it ends.
pub struct WriteTxn {
    // Dropped first: an unfinished transaction rolls back, then the turn
    // passes on.
    txn: DatabaseTransaction,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }
}

/// How long a writer waits for its turn on SQLite before the write
/// answers « service momentanément indisponible ».
const TURN_TIMEOUT: Duration = Duration::from_secs(10);

/// One queue of writers per SQLite file.
fn turns(file: &std::path::Path) -> Arc<tokio::sync::Mutex<()>> {
    static TURNS: LazyLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
        LazyLock::new(Mutex::default);
    let mut all = TURNS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    all.entry(file.to_owned()).or_default().clone()
}

/// Starts the transaction of a write. On SQLite the writers of this
/// process first queue for their turn, first come first served (SQLite's
/// own busy wait polls, and under a stream of writes one writer could
/// wait past its timeout while later ones got in), then take the write
/// lock at `BEGIN IMMEDIATE` (another process, or a write outside
/// `begin_write`, may still hold it: the busy timeout covers that); a
/// transaction that reads before it writes would otherwise fail at once
/// with "database is locked". On PostgreSQL it is a plain `BEGIN`.
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    let turn = if db.get_database_backend() == DatabaseBackend::Sqlite {
        let file = db
            .get_sqlite_connection_pool()
            .connect_options()
            .get_filename()
            .to_owned();
        let queue = turns(&file);
        let turn = tokio::time::timeout(TURN_TIMEOUT, queue.lock_owned())
            .await
            .map_err(|_| DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout))?;
        Some(turn)
    } else {
        None
    };
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await?;
    Ok(WriteTxn { txn, _turn: turn })
}

/// Applies the pending migrations, then recomputes the figures that code
/// keeps on rows (`plan_figures`) where they predate the current rules,
/// and the dashboard's summaries (`rollup`) when they do not count every
/// project.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await?;
    crate::server::services::change::refresh_outdated(db)
        .await
        .map_err(|e| DbErr::Custom(format!("plan figures: {e}")))?;
    crate::server::services::rollup::ensure(db)
        .await
        .map_err(|e| DbErr::Custom(format!("dashboard summaries: {e}")))?;
    Ok(())
}

/// The file path of an SQLite URL, if it names a file.
pub fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// The JSON kept in a text column (a project's facts), decoded; a row that
/// does not decode is an internal error logged with its column and cause.
#[track_caller]
pub fn decode_stored<T: serde::de::DeserializeOwned>(
    column: &str,
    json: &str,
) -> Result<T, AppError> {
    serde_json::from_str(json).map_err(|e| AppError::internal(format_args!("{column}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn finds_the_sqlite_file() {
        assert_eq!(
            sqlite_file("sqlite://data/maillage.db?mode=rwc"),
            Some("data/maillage.db")
        );
        assert_eq!(sqlite_file("sqlite:/tmp/x.db"), Some("/tmp/x.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/x"), None);
    }
}
