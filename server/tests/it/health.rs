use sea_orm::ConnectionTrait;
use serde_json::Value;

use crate::both_backends;
use crate::support::api::ok_json;
use crate::support::{Backend, TestApp, TestDb, client, pg_admin_url, signed_in_as};
use app::domain::Role;

async fn healthz_reports_the_database(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    let res = app.get("/healthz").await;
    let body: Value = ok_json(res).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"]["status"], "ok");
    let expected = if backend == Backend::Postgres {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"]["backend"], expected);
    app.stop().await;
    test_db.drop().await;
}
both_backends!(healthz_reports_the_database);

/// The pool recovers when the database drops every connection (as in a
/// restart), and `/healthz` says 503 while the database is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_killed_then_database_gone() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let app = TestApp::spawn(&test_db).await;
    let http = client();
    let officer = signed_in_as(&app, "officer@cc-exemple.fr", Role::Officer).await;
    assert_eq!(
        http.get(app.url("/healthz"))
            .send()
            .await
            .expect("req")
            .status(),
        200
    );

    let admin = sea_orm::Database::connect(pg_admin_url())
        .await
        .expect("admin");
    admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()",
            test_db.name
        ))
        .await
        .expect("terminate");
    // Connections were tested before use: the next request gets a fresh one.
    let res = http.get(app.url("/healthz")).send().await.expect("req");
    assert_eq!(res.status(), 200, "pool did not recover");
    // A request through the session store still answers (a real query
    // path, not only the ping). Full page renders are in `tests/pages.rs`.
    assert_eq!(
        http.post(app.url("/api/auth/me"))
            .send()
            .await
            .expect("req")
            .status(),
        200
    );

    admin
        .execute_unprepared(&format!("DROP DATABASE {} WITH (FORCE)", test_db.name))
        .await
        .expect("drop");
    let res = http.get(app.url("/healthz")).send().await.expect("req");
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["database"]["status"], "unreachable");
    // During the outage, a signed-in user's page and server function get a
    // French 503 with Retry-After, not a bare 500.
    for (path, json) in [("/api/projects/list", true), ("/projets", false)] {
        let res = if json {
            officer.post(app.url(path)).send().await.expect("req")
        } else {
            officer.get(app.url(path)).send().await.expect("req")
        };
        assert_eq!(res.status(), 503, "{path}");
        assert!(res.headers().contains_key("retry-after"), "{path}");
        let body = res.text().await.expect("body");
        let message = if json {
            serde_json::from_str::<app::error::AppError>(&body)
                .expect("an AppError")
                .message()
        } else {
            body
        };
        assert!(
            message.contains("momentanément indisponible"),
            "{path}: {message}"
        );
    }
    admin.close().await.ok();
    app.stop().await;
}
