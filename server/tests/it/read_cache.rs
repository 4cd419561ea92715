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

/// A page as read: its body with its nonce taken out, and that nonce.
async fn read_page(http: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String, String) {
    let res = http.get(app.url(path)).send().await.expect(path);
    let status = res.status().as_u16();
    let policy = res
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_default()
        .to_owned();
    let body = res.text().await.expect("body");
    if status == 200 {
        assert!(
            !nonce.is_empty(),
            "{path}: a page names its nonce: {policy}"
        );
        assert!(
            body.contains(&format!("nonce=\"{nonce}\"")),
            "{path}: the scripts carry the policy's nonce"
        );
    }
    let body = if nonce.is_empty() {
        body
    } else {
        body.replace(&nonce, "NONCE")
    };
    (status, body, nonce)
}

fn user_name(body: &str) -> &str {
    body.split("data-testid=\"user-name\"")
        .nth(1)
        .and_then(|rest| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split('<').next())
        .expect("the page names its user")
}

/// Whole pages kept (`server::middleware::kept_pages`): the project page
/// and the dashboard are served again to the same user while nothing is
/// written, each answer with a fresh nonce; any write, through the app or
/// by hand, shows at once; another user, another address or an error is
/// never served a kept page.
async fn pages_are_kept_until_any_write(backend: Backend) {
    let (test_db, app, http, officer) = signed_in(backend).await;
    let id = create(&http, &app, "Halle gourmande", &["15187"], &[]).await;
    let path = format!("/projets/{id}");

    let (status, first, n1) = read_page(&http, &app, &path).await;
    assert_eq!(status, 200);
    assert!(first.contains("Halle gourmande"));
    let (_, again, n2) = read_page(&http, &app, &path).await;
    assert_ne!(n1, n2, "each answer has its own nonce");
    assert_eq!(first, again, "the same page, but for the nonce");
    assert_eq!(app.reads.pages.counts(), (1, 1));
    // Sessions written (each signed-in user's touch) change no page: still
    // kept, on both backends.
    by_hand(&app.db, "UPDATE sessions SET expires_at = expires_at").await;
    let (_, kept, _) = read_page(&http, &app, &path).await;
    assert_eq!(kept, first);
    assert_eq!(
        app.reads.pages.counts(),
        (2, 1),
        "kept across sessions written"
    );
    // The browser's revalidation still works on a kept page.
    let tagged = http.get(app.url(&path)).send().await.expect("page");
    let tag = tagged.headers()["etag"].clone();
    let res = http
        .get(app.url(&path))
        .header("If-None-Match", tag)
        .send()
        .await
        .expect("revalidation");
    assert_eq!(res.status(), 304);

    // Another user reads the same address: a page of their own.
    let head =
        crate::support::signed_in_as(&app, "cheffe@cc-exemple.fr", app::domain::Role::Head).await;
    let (status, theirs, _) = read_page(&head, &app, &path).await;
    assert_eq!(status, 200);
    assert_ne!(
        user_name(&theirs),
        user_name(&first),
        "{}",
        user_name(&theirs)
    );
    assert_eq!(
        user_name(&read_page(&http, &app, &path).await.1),
        user_name(&first)
    );

    // A write through the app shows at once.
    let res = add_milestone(&http, &app, id, "decision", "Vote du conseil", "2027-03-31").await;
    assert_eq!(res.status(), 200);
    let (_, after, _) = read_page(&http, &app, &path).await;
    assert!(
        after.contains("Vote du conseil"),
        "the milestone added shows"
    );
    // A write behind the app's back, too.
    by_hand(
        &app.db,
        &format!("UPDATE projects SET title = 'Halle renommée à la main' WHERE id = {id}"),
    )
    .await;
    let (_, renamed, _) = read_page(&http, &app, &path).await;
    assert!(renamed.contains("Halle renommée à la main"));
    assert!(!renamed.contains("Halle gourmande"));
    // Another address (the timeline from a date) is another page.
    let (status, since, _) = read_page(&http, &app, &format!("{path}?depuis=2020-01-01")).await;
    assert_eq!(status, 200);
    assert!(since.contains("Halle renommée à la main"));

    // The dashboard, kept then moved by a write.
    let (status, board_page, _) = read_page(&http, &app, "/tableau-de-bord").await;
    assert_eq!(status, 200);
    assert_eq!(
        read_page(&http, &app, "/tableau-de-bord").await.1,
        board_page
    );
    let (_, misses_before) = app.reads.pages.counts();
    by_hand(
        &app.db,
        &format!("UPDATE projects SET title = 'Halle du tableau' WHERE id = {id}"),
    )
    .await;
    let (_, moved, _) = read_page(&http, &app, "/tableau-de-bord").await;
    if board_page.contains("Halle renommée à la main") {
        assert!(moved.contains("Halle du tableau"));
    }
    // Rendered afresh after the write, once.
    let misses_after = app.reads.pages.counts().1;
    assert_eq!(
        misses_after,
        misses_before + 1,
        "the dashboard follows the write"
    );

    // The user renamed by hand: their next page names them so.
    by_hand(
        &app.db,
        &format!("UPDATE users SET display_name = 'Julien Renommé' WHERE id = {officer}"),
    )
    .await;
    assert_eq!(
        user_name(&read_page(&http, &app, &path).await.1),
        "Julien Renommé"
    );

    // A project that does not exist: the error is answered, never kept.
    let (before_hits, before_misses) = app.reads.pages.counts();
    for _ in 0..2 {
        let (status, _, _) = read_page(&http, &app, "/projets/999999").await;
        assert_eq!(status, 404);
    }
    let (hits, misses) = app.reads.pages.counts();
    assert_eq!((hits, misses), (before_hits, before_misses + 2));
    finish(app, test_db).await;
}
both_backends!(pages_are_kept_until_any_write);

/// Readers of a page while others write: every write answered, each
/// writer's next read shows its write, and the first read after the last
/// write shows every one of them (a page kept for an earlier state is
/// never served for a later one).
async fn pages_read_during_writes_show_them_all_after(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let id = create(&http, &app, "Voie verte", &["15142"], &[]).await;
    let path = format!("/projets/{id}");
    let app = std::sync::Arc::new(app);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..6 {
        let (http, app) = (http.clone(), app.clone());
        tasks.spawn(async move {
            let title = format!("Jalon concurrent {n}");
            let res = add_milestone(&http, &app, id, "decision", &title, "2027-03-31").await;
            assert_eq!(res.status(), 200, "{title}");
            // Its writer's next read shows it, whatever the others did.
            let (_, page, _) = read_page(&http, &app, &format!("/projets/{id}")).await;
            assert!(page.contains(&title), "{title} right after its write");
        });
    }
    for _ in 0..6 {
        let (http, app, path) = (http.clone(), app.clone(), path.clone());
        tasks.spawn(async move {
            for _ in 0..5 {
                assert_eq!(read_page(&http, &app, &path).await.0, 200);
            }
        });
    }
    tasks.join_all().await;
    let (_, page, _) = read_page(&http, &app, &path).await;
    for n in 0..6 {
        assert!(page.contains(&format!("Jalon concurrent {n}")), "jalon {n}");
    }
    let app = std::sync::Arc::into_inner(app).expect("the tasks are done");
    finish(app, test_db).await;
}
both_backends!(pages_read_during_writes_show_them_all_after);
