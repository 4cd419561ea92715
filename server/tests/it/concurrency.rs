//! Concurrent writers, on both backends (issue 15): five officers saving at
//! the same moment never get an error. Before write transactions took
//! SQLite's lock at BEGIN (`db::begin_write`), 19 of 20 simultaneous
//! milestone adds on one project answered 500 « database is locked ».
use app::domain::Role;
use sea_orm::{ConnectionTrait, Statement};

use crate::both_backends;
use crate::support::assert_summaries_match;
use crate::support::{
    Backend, PASSWORD, TestApp, TestDb, call, client, create_user, login, milestone_form,
    signed_in_as,
};

async fn count(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .expect("count")
    .expect("row")
    .try_get::<i64>("", "n")
    .expect("n")
}

async fn concurrent_writers_all_succeed(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    crate::support::import_fixture(&app.db).await;
    let mut officers = Vec::new();
    for i in 0..5 {
        let email = format!("officer{i}@cc-exemple.fr");
        create_user(&app.db, &email, Role::Officer).await;
        let http = client();
        assert_eq!(login(&http, &app, &email, PASSWORD).await.status(), 200);
        officers.push(http);
    }
    let mut projects = Vec::new();
    for (i, officer) in officers.iter().enumerate() {
        let res = call(
            officer,
            &app,
            "projects/create",
            &[
                ("form[title]", &format!("Projet {i}")),
                ("form[communes][0]", "15187"),
            ],
        )
        .await;
        assert_eq!(res.status(), 200);
        projects.push(res.json::<i64>().await.expect("id"));
    }

    // 20 milestones on one project at once, then 20 spread over five.
    for spread in [false, true] {
        let mut writes = Vec::new();
        for n in 0..20 {
            let http = officers[n % 5].clone();
            let project = if spread { projects[n % 5] } else { projects[0] };
            let url = app.url("/api/milestones/add");
            writes.push(tokio::spawn(async move {
                http.post(url)
                    .form(&milestone_form(project, n))
                    .send()
                    .await
                    .expect("request")
                    .status()
                    .as_u16()
            }));
        }
        for write in writes {
            assert_eq!(write.await.expect("task"), 200, "spread: {spread}");
        }
    }
    // None lost: every acknowledged milestone and its event are there.
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) AS n FROM milestones").await,
        40
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) AS n FROM project_events WHERE kind = 'milestone_added'"
        )
        .await,
        40
    );

    // Concurrent edits of one project: one wins, the others get a
    // deliberate 409 (optimistic locking), never a 500.
    let mut edits = Vec::new();
    for (n, http) in officers.iter().enumerate() {
        let http = http.clone();
        let url = app.url("/api/projects/update");
        let id = projects[1];
        edits.push(tokio::spawn(async move {
            http.post(url)
                .form(&[
                    ("id", id.to_string()),
                    ("version", "1".to_owned()),
                    ("form[title]", format!("Titre {n}")),
                    ("form[communes][0]", "15187".to_owned()),
                ])
                .send()
                .await
                .expect("request")
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for edit in edits {
        statuses.push(edit.await.expect("task"));
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [200, 409].contains(s)),
        "{statuses:?}"
    );
    crate::support::finish(app, test_db).await;
}
both_backends!(concurrent_writers_all_succeed);

/// Writers on five projects while an administrator changes, again and
/// again, the category of the funder all their lines use: the funder's
/// change spans every project (`Change::begin_wide`) and the writers each
/// hold one. Every write answers 200, none waits in a circle, and every
/// stored figure and summary equals its recomputation.
async fn a_change_across_projects_runs_beside_writers(backend: Backend) {
    use app::models::FunderView;

    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    crate::support::import_fixture(&app.db).await;
    let admin = signed_in_as(&app, "admin@cc-exemple.fr", Role::Admin).await;
    let funder_form = |category: &str| {
        vec![
            ("form[code]", "fonds_essai".to_owned()),
            ("form[name]", "Fonds d'essai".to_owned()),
            ("form[category]", category.to_owned()),
            ("form[active]", "on".to_owned()),
        ]
    };
    let res = admin
        .post(app.url("/api/funders/save"))
        .form(&funder_form("public"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    let funders: Vec<FunderView> = admin
        .post(app.url("/api/funders/list"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let funder = funders
        .iter()
        .find(|f| f.code == "fonds_essai")
        .expect("the new funder")
        .id;

    let mut officers = Vec::new();
    let mut projects = Vec::new();
    for i in 0..5 {
        let email = format!("officer{i}@cc-exemple.fr");
        create_user(&app.db, &email, Role::Officer).await;
        let http = client();
        assert_eq!(login(&http, &app, &email, PASSWORD).await.status(), 200);
        let res = call(
            &http,
            &app,
            "projects/create",
            &[
                ("form[title]", &format!("Projet {i}")),
                ("form[communes][0]", "15187"),
                ("form[estimated_cost]", "100 000"),
                ("form[owner_kind]", "commune"),
            ],
        )
        .await;
        assert_eq!(res.status(), 200);
        projects.push(res.json::<i64>().await.expect("id"));
        officers.push(http);
    }

    let mut writes = Vec::new();
    for n in 0..20 {
        let http = officers[n % 5].clone();
        let form = [
            ("project_id", projects[n % 5].to_string()),
            ("form[funder_id]", funder.to_string()),
            ("form[amount_requested]", format!("{} 000", 10 + n)),
        ];
        let url = app.url("/api/funding/lines/add");
        writes.push(tokio::spawn(async move {
            let res = http.post(url).form(&form).send().await.expect("request");
            (res.status().as_u16(), "line")
        }));
        if n % 4 == 0 {
            let admin = admin.clone();
            let form = funder_form(if n % 8 == 0 { "private" } else { "public" });
            let url = app.url("/api/funders/save");
            writes.push(tokio::spawn(async move {
                let res = admin.post(url).form(&form).send().await.expect("request");
                (res.status().as_u16(), "funder")
            }));
        }
    }
    for write in writes {
        let (status, what) = write.await.expect("task");
        assert_eq!(status, 200, "{what}");
    }
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) AS n FROM funding_lines").await,
        20
    );
    assert_summaries_match(&app.db).await;

    // The commune's own share is 0 % of the public money: the 20 % rule
    // is broken while the funder is public, and no longer applies to it
    // once private. The last change reaches every project.
    let breaches = || async {
        count(
            &app.db,
            "SELECT COUNT(*) AS n FROM projects WHERE rule_breach = TRUE",
        )
        .await
    };
    let save = |category: &'static str| {
        let admin = admin.clone();
        let url = app.url("/api/funders/save");
        let form = funder_form(category);
        async move {
            let res = admin.post(url).form(&form).send().await.expect("request");
            assert_eq!(res.status(), 200, "{category}");
        }
    };
    save("public").await;
    assert_eq!(breaches().await, 5);
    save("private").await;
    assert_eq!(breaches().await, 0);
    crate::support::finish(app, test_db).await;
}
both_backends!(a_change_across_projects_runs_beside_writers);
