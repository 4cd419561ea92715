//! Connecting to the database (PostgreSQL or SQLite, chosen by the URL) and
//! applying migrations.
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// Opens a pool that survives a database restart: connections are tested
/// before use, recycled after 30 minutes, and waiting for one times out.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
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
        .max_connections(if is_sqlite { 8 } else { 20 })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(10 * 60))
        .max_lifetime(Duration::from_secs(30 * 60))
        .test_before_acquire(true)
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

/// Starts the transaction of a write. On SQLite it takes the write lock at
/// `BEGIN IMMEDIATE`: a writer then waits its turn (the busy timeout)
/// instead of failing at once with "database is locked" when its first
/// read would have to become a write while another writer holds the lock.
/// On PostgreSQL it is a plain `BEGIN`.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Applies the pending migrations, then recomputes the figures that code
/// keeps on rows (`plan_figures`) where they predate the current rules,
/// and the dashboard's summaries (`rollup`) when they do not count every
/// project.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await?;
    crate::server::services::plan_figures::refresh_outdated(db)
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
