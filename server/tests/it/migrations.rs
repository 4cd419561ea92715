use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};

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

/// The schema the migrations build, as text: every table, column, key and
/// index, in a stable order. SQLite gives its stored DDL; PostgreSQL its
/// catalogue, read so that the dump does not depend on the server's version.
async fn schema_dump(db: &DatabaseConnection) -> String {
    let backend = db.get_database_backend();
    let queries: &[&str] = match backend {
        sea_orm::DatabaseBackend::Postgres => &[
            "SELECT table_name || '.' || column_name, data_type \
               || COALESCE('(' || character_maximum_length::text || ')', '') \
               || CASE is_nullable WHEN 'NO' THEN ' NOT NULL' ELSE '' END \
               || COALESCE(' DEFAULT ' || column_default, '') \
             FROM information_schema.columns WHERE table_schema = 'public' \
               AND table_name <> 'seaql_migrations' \
             ORDER BY table_name, ordinal_position",
            "SELECT conrelid::regclass::text || ' ' || conname, pg_get_constraintdef(oid) \
             FROM pg_constraint WHERE connamespace = 'public'::regnamespace \
               AND conrelid::regclass::text <> 'seaql_migrations' \
             ORDER BY 1",
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' \
               AND tablename <> 'seaql_migrations' ORDER BY 1",
        ],
        _ => &[
            "SELECT type || ' ' || name, COALESCE(sql, '') FROM sqlite_master \
             WHERE name NOT LIKE 'sqlite_%' AND tbl_name <> 'seaql_migrations' \
             ORDER BY type, name",
        ],
    };
    let mut dump = String::new();
    for sql in queries {
        let rows = db
            .query_all_raw(Statement::from_string(backend, *sql))
            .await
            .expect("schema query");
        for row in rows {
            let name: String = row.try_get_by_index(0).expect("name");
            let definition: String = row.try_get_by_index(1).expect("definition");
            dump.push_str(&format!("{name}: {definition}\n"));
        }
    }
    dump
}

/// The migrations build exactly the schema recorded in
/// `migrations/schema/<backend>.txt`: a refactoring of the migrations (or of
/// the helpers they share) cannot change a table unseen. A deliberate change
/// of schema comes with a new migration and the recorded file rewritten by
/// `MAILLAGE_RECORD_SCHEMA=1` (then reviewed in the diff).
async fn schema_is_the_recorded_one(backend: Backend) {
    let test_db = TestDb::empty(backend).await;
    let db = test_db.connect().await;
    Migrator::up(&db, None).await.expect("up");
    let dump = schema_dump(&db).await;
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations/schema")
        .join(match backend {
            Backend::Postgres => "postgres.txt",
            Backend::Sqlite => "sqlite.txt",
        });
    if std::env::var_os("MAILLAGE_RECORD_SCHEMA").is_some() {
        std::fs::create_dir_all(file.parent().expect("folder")).expect("folder");
        std::fs::write(&file, &dump).expect("record the schema");
    }
    let recorded = std::fs::read_to_string(&file).expect("the recorded schema");
    assert!(dump.lines().count() > 50, "{dump}");
    for (got, want) in dump.lines().zip(recorded.lines()) {
        assert_eq!(got, want, "the schema differs from {}", file.display());
    }
    assert_eq!(dump, recorded, "the schema differs from {}", file.display());
    // Down then up again gives the same schema.
    Migrator::down(&db, None).await.expect("down");
    Migrator::up(&db, None).await.expect("up again");
    assert_eq!(schema_dump(&db).await, dump);
    db.close().await.ok();
    test_db.drop().await;
}
both_backends!(schema_is_the_recorded_one);

/// Every table but `keys::UNCOUNTED_TABLES` counts its writes in
/// `data_generation` (insert, update and delete; on PostgreSQL truncate
/// too), or a write there would leave a kept answer stale
/// (`app::server::read_cache`). A migration that creates a table and
/// forgets `keys::count_table_writes` fails here. Then a write of each kind
/// moves the count: on SQLite each statement, on PostgreSQL each
/// transaction once, at its commit, and a rolled-back one not at all.
async fn every_table_counts_its_writes(backend: Backend) {
    let test_db = TestDb::empty(backend).await;
    let db = test_db.connect().await;
    Migrator::up(&db, None).await.expect("up");
    let db_backend = db.get_database_backend();
    // Each table with the number of its counting triggers, of `want`. On
    // PostgreSQL `tgtype`'s bits: 1 for each row, 4 insert, 8 delete, 16
    // update, 32 truncate.
    let (sql, want) = match backend {
        Backend::Sqlite => (
            "SELECT t.name, (SELECT count(*) FROM sqlite_master g WHERE g.type = 'trigger' \
               AND g.tbl_name = t.name AND g.name LIKE t.name || '_count_%' \
               AND g.sql LIKE '%UPDATE data_generation SET n = n + 1%') \
             FROM sqlite_master t WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%' \
             ORDER BY t.name",
            3,
        ),
        Backend::Postgres => (
            "SELECT c.relname::text, (SELECT count(*) FROM pg_trigger g \
               JOIN pg_proc p ON p.oid = g.tgfoid \
               WHERE g.tgrelid = c.oid AND p.proname = 'data_generation_count' \
               AND ((g.tgname = c.relname || '_count' AND g.tgdeferrable AND g.tginitdeferred \
                     AND g.tgtype & 29 = 29) \
                 OR (g.tgname = c.relname || '_count_truncate' AND g.tgtype & 32 = 32))) \
             FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace \
               AND c.relkind = 'r' ORDER BY 1",
            2,
        ),
    };
    let rows = db
        .query_all_raw(Statement::from_string(db_backend, sql))
        .await
        .expect("tables");
    let mut uncounted = Vec::new();
    let mut counted = 0;
    for row in rows {
        let table: String = row.try_get_by_index(0).expect("name");
        let triggers: i64 = row.try_get_by_index(1).expect("count");
        if migrations::keys::UNCOUNTED_TABLES.contains(&table.as_str()) {
            assert_eq!(triggers, 0, "{table} is not counted");
        } else if triggers == want {
            counted += 1;
        } else {
            uncounted.push(format!("{table} ({triggers} of {want})"));
        }
    }
    assert!(
        uncounted.is_empty(),
        "tables that do not count their writes: {uncounted:?}"
    );
    assert!(counted > 30, "{counted} tables counted");

    let count = || async {
        let row = db
            .query_one_raw(Statement::from_string(
                db_backend,
                "SELECT n FROM data_generation",
            ))
            .await
            .expect("count")
            .expect("one row");
        row.try_get_by_index::<i64>(0).expect("n")
    };
    let writes = [
        "INSERT INTO settings (name, value, updated_at) VALUES ('x', '1', '2026-12-07T00:00:00Z')",
        "UPDATE settings SET value = '2' WHERE name = 'x'",
        "DELETE FROM settings WHERE name = 'x'",
    ];
    let start = count().await;
    for sql in writes {
        db.execute_unprepared(sql).await.expect(sql);
    }
    assert_eq!(count().await, start + 3, "one write per statement");

    // Three writes in one transaction.
    let start = count().await;
    let txn = db.begin().await.expect("begin");
    for sql in writes {
        txn.execute_unprepared(sql).await.expect(sql);
    }
    txn.commit().await.expect("commit");
    let once = match backend {
        Backend::Sqlite => 3,
        Backend::Postgres => 1,
    };
    assert_eq!(count().await, start + once, "a transaction of three writes");

    // A rolled-back transaction changed nothing, so counts nothing.
    let txn = db.begin().await.expect("begin");
    txn.execute_unprepared(writes[0]).await.expect("insert");
    txn.rollback().await.expect("rollback");
    assert_eq!(count().await, start + once, "a rolled-back write");

    if backend == Backend::Postgres {
        db.execute_unprepared("TRUNCATE settings")
            .await
            .expect("truncate");
        assert_eq!(count().await, start + once + 1, "a truncate");

        // On one connection, one transaction after another: the mark of
        // the first does not hide the second's write; a transaction of 500
        // rows counts once.
        let one = app::server::db::connect_with(&test_db.url, Some(1))
            .await
            .expect("one connection");
        let start = count().await;
        for i in 0..2 {
            let txn = one.begin().await.expect("begin");
            txn.execute_unprepared(&format!(
                "INSERT INTO settings (name, value, updated_at) \
                 VALUES ('y{i}', '1', '2026-12-07T00:00:00Z')"
            ))
            .await
            .expect("insert");
            txn.commit().await.expect("commit");
        }
        assert_eq!(count().await, start + 2, "two transactions, one connection");
        one.execute_unprepared(
            "INSERT INTO settings (name, value, updated_at) \
             SELECT 'z' || i, '1', '2026-12-07T00:00:00Z' FROM generate_series(1, 500) i",
        )
        .await
        .expect("500 rows");
        assert_eq!(count().await, start + 3, "500 rows in one statement");
        one.close().await.ok();
    }
    db.close().await.ok();
    test_db.drop().await;
}
both_backends!(every_table_counts_its_writes);
