//! `maillage backup` while the app writes, then `maillage restore` into
//! another place (issue 15): the restored database is sound and holds, for
//! every table, exactly the rows the source held at one moment — the rows
//! written since are the only difference, and no write is half there.
use std::process::Command;

use app::domain::Role;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::support::{
    Backend, PASSWORD, TestApp, TestDb, call, client, create_user, login, milestone_form,
};

/// Every table's rows, each as one text line, sorted.
async fn table_rows(db: &DatabaseConnection) -> Vec<(String, Vec<String>)> {
    let backend = db.get_database_backend();
    let tables = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                .to_owned(),
        ))
        .await
        .expect("tables");
    let mut out = Vec::new();
    for t in tables {
        let name: String = t.try_get_by_index(0).expect("name");
        let rows = row_lines(db, &name).await;
        let mut rows: Vec<String> = rows;
        rows.sort();
        out.push((name, rows));
    }
    out
}

async fn row_lines(db: &DatabaseConnection, table: &str) -> Vec<String> {
    let backend = db.get_database_backend();
    let columns: Vec<String> = db
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
        ))
        .await
        .expect("columns")
        .into_iter()
        .map(|r| r.try_get_by_index::<String>(0).expect("column"))
        .collect();
    let select = columns
        .iter()
        .map(|c| format!("quote(\"{c}\")"))
        .collect::<Vec<_>>()
        .join(" || '|' || ");
    db.query_all_raw(Statement::from_string(
        backend,
        format!("SELECT {select} FROM \"{table}\""),
    ))
    .await
    .expect("rows")
    .into_iter()
    .map(|r| r.try_get_by_index::<String>(0).unwrap_or_default())
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_under_writes_restores_whole() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let app = TestApp::spawn(&test_db).await;
    crate::support::import_fixture(&app.db).await;
    create_user(&app.db, "officer@cc-exemple.fr", Role::Officer).await;
    let http = client();
    login(&http, &app, "officer@cc-exemple.fr", PASSWORD).await;
    let project: i64 = call(
        &http,
        &app,
        "projects/create",
        &[("form[title]", "Halle"), ("form[communes][0]", "15187")],
    )
    .await
    .json()
    .await
    .expect("id");

    // Writes go on while the backup is taken.
    let writer = {
        let http = http.clone();
        let url = app.url("/api/milestones/add");
        tokio::spawn(async move {
            for n in 0..60 {
                let res = http
                    .post(&url)
                    .form(&milestone_form(project, n))
                    .send()
                    .await
                    .expect("write");
                assert_eq!(res.status(), 200);
            }
        })
    };
    let dir = tempfile::tempdir().expect("dir");
    let copy = dir.path().join("sauvegarde.db");
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let out = Command::new(env!("CARGO_BIN_EXE_maillage"))
        .args(["backup", copy.to_str().expect("path")])
        .env("DATABASE_URL", &test_db.url)
        .output()
        .expect("backup");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    writer.await.expect("writer");

    // Restore into another place, through the binary.
    let target = dir.path().join("restauree").join("maillage.db");
    let target_url = format!("sqlite://{}?mode=rwc", target.display());
    let out = Command::new(env!("CARGO_BIN_EXE_maillage"))
        .args(["restore", copy.to_str().expect("path")])
        .env("DATABASE_URL", &target_url)
        .output()
        .expect("restore");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let restored = app::server::db::connect(&target_url).await.expect("open");
    let source = table_rows(&app.db).await;
    let back = table_rows(&restored).await;
    assert_eq!(
        source.iter().map(|(t, _)| t).collect::<Vec<_>>(),
        back.iter().map(|(t, _)| t).collect::<Vec<_>>()
    );
    let mut milestones = 0;
    for ((table, src), (_, bak)) in source.iter().zip(back.iter()) {
        match table.as_str() {
            // Appended to by the writer: the restored rows are some of the
            // source's.
            "milestones" | "project_events" => {
                for row in bak {
                    assert!(
                        src.contains(row),
                        "{table}: a restored row the source lacks"
                    );
                }
            }
            // Updated by each write (counters, the project's last event, the
            // count of writes): their consistency is checked below against
            // a rebuild.
            "projects" | "project_rollups" | "dashboard_totals" | "dashboard_days" | "sessions"
            | "data_generation" => {}
            _ => assert_eq!(src, bak, "{table}"),
        }
        if table == "milestones" {
            milestones = bak.len();
        }
    }
    // No write is half there: each restored milestone has its event.
    let events = restored
        .query_one_raw(Statement::from_string(
            restored.get_database_backend(),
            "SELECT COUNT(*) FROM project_events WHERE kind = 'milestone_added'".to_owned(),
        ))
        .await
        .expect("count")
        .expect("row")
        .try_get_by_index::<i64>(0)
        .expect("n");
    assert_eq!(events as usize, milestones);
    crate::support::assert_summaries_match(&restored).await;

    // Refusals: an existing file, a file that is no database.
    let out = Command::new(env!("CARGO_BIN_EXE_maillage"))
        .args(["backup", copy.to_str().expect("path")])
        .env("DATABASE_URL", &test_db.url)
        .output()
        .expect("backup");
    assert!(!out.status.success());
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"pas une base").expect("junk");
    let out = Command::new(env!("CARGO_BIN_EXE_maillage"))
        .args(["restore", junk.to_str().expect("path")])
        .env("DATABASE_URL", &target_url)
        .output()
        .expect("restore");
    assert!(!out.status.success());
    restored.close().await.ok();
    app.stop().await;
}
