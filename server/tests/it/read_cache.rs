//! The kept answers (`app::server::read_cache`, issue 15): the dashboard,
//! its choices and the project page are computed once per state of the
//! database and served again until anything is written — by the app, or
//! behind its back. Every answer is compared with the same read done
//! afresh on the database.
use app::models::{Dashboard, DashboardChoices, DashboardFilter, ProjectSections, ShowAll};
use app::policy::Action;
use app::server::clock::local_date;
use app::server::services::{dashboard, projects};
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::both_backends;
use crate::support::api::{Form, add_milestone, change_stage, create, ok_json, post, signed_in};
use crate::support::{Backend, TestApp, finish};

async fn page(http: &reqwest::Client, app: &TestApp, id: i64) -> ProjectSections {
    let form: Form = vec![("id", id.to_string())];
    ok_json(post(http, app, "projects/page", &form).await).await
}

async fn board(http: &reqwest::Client, app: &TestApp) -> Dashboard {
    ok_json(post(http, app, "dashboard/view", &Vec::new()).await).await
}

async fn choices(http: &reqwest::Client, app: &TestApp) -> DashboardChoices {
    ok_json(post(http, app, "dashboard/choices", &Vec::new()).await).await
}

/// The project page's sections read afresh for an officer (who may
/// share), as the call does; the documents are compared apart.
async fn fresh_page(db: &DatabaseConnection, id: i64) -> ProjectSections {
    let with_shares = app::policy::allows(app::domain::Role::Officer, Action::ShareProjects);
    projects::sections(
        db,
        id,
        None,
        ShowAll::default(),
        with_shares,
        local_date(Utc::now()),
    )
    .await
    .expect("sections")
}

async fn fresh_board(db: &DatabaseConnection) -> Dashboard {
    dashboard::dashboard(db, &DashboardFilter::default(), local_date(Utc::now()))
        .await
        .expect("dashboard")
}

/// A statement run behind the app's back, as a script or another
/// instance would.
async fn by_hand(db: &DatabaseConnection, sql: &str) {
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect(sql);
}

async fn kept_answers_follow_every_write(backend: Backend) {
    let (test_db, app, http, officer) = signed_in(backend).await;
    let id = create(&http, &app, "Halle gourmande", &["15187"], &[]).await;

    let first = page(&http, &app, id).await;
    let again = page(&http, &app, id).await;
    assert_eq!(first, again);
    assert_eq!(first.project.title, "Halle gourmande");
    let mut expected = fresh_page(&app.db, id).await;
    expected.documents = first.documents.clone();
    assert_eq!(first, expected, "the kept page is the page read afresh");

    // A write through the app: the next page shows it.
    let res = add_milestone(&http, &app, id, "decision", "Vote du conseil", "2027-03-31").await;
    assert_eq!(res.status(), 200);
    let after = page(&http, &app, id).await;
    assert!(
        after
            .project
            .milestones
            .iter()
            .any(|m| m.title == "Vote du conseil"),
        "the milestone added shows at once: {:?}",
        after.project.milestones
    );

    // A write behind the app's back (a script, another instance).
    by_hand(
        &app.db,
        &format!("UPDATE projects SET title = 'Halle renommée à la main' WHERE id = {id}"),
    )
    .await;
    assert_eq!(
        page(&http, &app, id).await.project.title,
        "Halle renommée à la main"
    );

    // The dashboard: kept, then moved by a stage change.
    let before = board(&http, &app).await;
    assert_eq!(before, board(&http, &app).await);
    assert_eq!(before, fresh_board(&app.db).await);
    let version = page(&http, &app, id).await.project.version;
    assert_eq!(
        change_stage(&http, &app, id, version, "study", None)
            .await
            .status(),
        200
    );
    let moved = board(&http, &app).await;
    assert_ne!(moved.funnel, before.funnel, "the funnel follows the move");
    assert_eq!(moved, fresh_board(&app.db).await);

    // The choices: an officer renamed by hand shows at once.
    let named = choices(&http, &app).await;
    assert!(named.officers.iter().any(|(i, _)| *i == officer));
    by_hand(
        &app.db,
        &format!("UPDATE users SET display_name = 'Julien Moreau-Renommé' WHERE id = {officer}"),
    )
    .await;
    let renamed = choices(&http, &app).await;
    assert!(
        renamed
            .officers
            .contains(&(officer, "Julien Moreau-Renommé".to_owned())),
        "{:?}",
        renamed.officers
    );
    finish(app, test_db).await;
}
both_backends!(kept_answers_follow_every_write);

/// On SQLite, where the state is a count only this database moves, the
/// kept answers are provably served again: a second read is a hit, and
/// sixteen readers of a state not yet computed wait for one computation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_of_one_state_share_one_computation() {
    let (test_db, app, http, _) = signed_in(Backend::Sqlite).await;
    let id = create(&http, &app, "Voie verte", &["15142"], &[]).await;
    let (hits, misses) = app.reads.project_pages.counts();
    assert_eq!((hits, misses), (0, 0));
    page(&http, &app, id).await;
    page(&http, &app, id).await;
    assert_eq!(app.reads.project_pages.counts(), (1, 1));

    let res = add_milestone(&http, &app, id, "decision", "Vote", "2027-03-31").await;
    assert_eq!(res.status(), 200);
    let app = std::sync::Arc::new(app);
    let mut readers = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (http, app) = (http.clone(), app.clone());
        readers.spawn(async move { page(&http, &app, id).await });
    }
    let answers = readers.join_all().await;
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(
        app.reads.project_pages.counts(),
        (16, 2),
        "one computation for the new state, fifteen waited for it"
    );

    board(&http, &app).await;
    board(&http, &app).await;
    assert_eq!(app.reads.dashboards.counts(), (1, 1));
    let app = std::sync::Arc::into_inner(app).expect("the readers are done");
    finish(app, test_db).await;
}
