use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::both_backends;
use crate::support::{Backend, TestDb};

async fn table_exists(db: &DatabaseConnection, table: &str) -> bool {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            format!(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = '{table}'"
            )
        }
        _ => format!("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{table}'"),
    };
    db.query_one_raw(Statement::from_string(backend, sql))
        .await
        .expect("query")
        .is_some()
}

async fn up_down_up(backend: Backend) {
    let test_db = TestDb::empty(backend).await;
    let db = test_db.connect().await;
    let all = Migrator::migrations().len();

    Migrator::up(&db, None).await.expect("up");
    assert_eq!(
        Migrator::get_pending_migrations(&db)
            .await
            .expect("pending")
            .len(),
        0
    );
    assert!(table_exists(&db, "users").await && table_exists(&db, "sessions").await);

    Migrator::down(&db, None).await.expect("down");
    assert_eq!(
        Migrator::get_pending_migrations(&db)
            .await
            .expect("pending")
            .len(),
        all
    );
    assert!(!table_exists(&db, "users").await && !table_exists(&db, "sessions").await);

    Migrator::up(&db, None).await.expect("up again");
    assert!(table_exists(&db, "users").await && table_exists(&db, "sessions").await);
    // Applying again is a no-op.
    Migrator::up(&db, None).await.expect("idempotent up");
    db.close().await.ok();
    test_db.drop().await;
}
both_backends!(up_down_up);
