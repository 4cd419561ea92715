use std::time::Duration;

use app::domain::Role;
use app::error::AppError;
use app::models::CurrentUser;
use app::server::config::Config;
use app::server::entities::user;
use sea_orm::EntityTrait;

use crate::both_backends;
use crate::support::api::refused;
use crate::support::{Backend, PASSWORD, TestApp, TestDb, call, client, create_user, login};

const EMAIL: &str = "claire.martin@cc-exemple.fr";

async fn me(http: &reqwest::Client, app: &TestApp) -> Option<CurrentUser> {
    let res = call(http, app, "auth/me", &[]).await;
    assert_eq!(res.status(), 200);
    res.json::<Option<CurrentUser>>().await.expect("json")
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("maillage_session="))
        .map(str::to_owned)
}

async fn login_survives_a_restart(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    create_user(&app.db, EMAIL, Role::Officer).await;
    let http = client();
    assert_eq!(me(&http, &app).await, None);

    let res = login(&http, &app, "  Claire.Martin@CC-Exemple.fr ", PASSWORD).await;
    assert_eq!(res.status(), 200);
    let cookie = session_cookie(&res).expect("session cookie set");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
    assert_eq!(res.json::<String>().await.expect("json"), "/");
    let user = me(&http, &app).await.expect("signed in");
    assert_eq!((user.email.as_str(), user.role), (EMAIL, Role::Officer));

    // A restart: a new process (new pool, new state) on the same database.
    app.stop().await;
    let app = TestApp::spawn(&test_db).await;
    assert_eq!(
        me(&http, &app).await.map(|u| u.email),
        Some(EMAIL.to_owned())
    );
    // The home page rendered for a signed-in officer is checked in
    // `tests/pages.rs`, the binary where full SSR renders run alone.

    let stored = user::Entity::find_by_id(user.id)
        .one(&app.db)
        .await
        .expect("q")
        .expect("row");
    assert!(stored.password_hash.starts_with("$argon2id$"));
    assert!(stored.last_login_at.is_some());
    app.stop().await;
    test_db.drop().await;
}
both_backends!(login_survives_a_restart);

async fn wrong_password_is_refused_counted_and_locks(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    let id = create_user(&app.db, EMAIL, Role::Officer).await;
    let http = client();

    let res = login(&http, &app, EMAIL, "pas le bon mot de passe").await;
    assert_eq!(res.status(), 401);
    assert!(session_cookie(&res).is_none());
    let err: AppError = res.json().await.expect("json");
    assert_eq!(err.message(), "Adresse e-mail ou mot de passe incorrect.");
    let row = user::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("q")
        .expect("row");
    assert_eq!(row.failed_logins, 1);

    // An unknown account gets exactly the same answer.
    let res = login(
        &http,
        &app,
        "personne@cc-exemple.fr",
        "pas le bon mot de passe",
    )
    .await;
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.json::<AppError>().await.expect("json").message(),
        "Adresse e-mail ou mot de passe incorrect."
    );

    // Four more failures lock the account (5 in a row by default)…
    for _ in 0..3 {
        assert_eq!(
            login(&http, &app, EMAIL, "encore faux !!!").await.status(),
            401
        );
    }
    let res = login(&http, &app, EMAIL, "encore faux !!!").await;
    let err: AppError = res.json().await.expect("json");
    assert!(
        err.message()
            .starts_with("Trop de tentatives échouées pour ce compte"),
        "{err:?}"
    );
    // …and then even the right password is refused until the lock ends.
    let res = login(&http, &app, EMAIL, PASSWORD).await;
    assert_eq!(res.status(), 401);
    assert!(
        res.json::<AppError>()
            .await
            .expect("json")
            .message()
            .contains("Réessayez dans 15 minute")
    );
    assert_eq!(me(&http, &app).await, None);
    let row = user::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("q")
        .expect("row");
    assert!(row.locked_until.is_some());
    app.stop().await;
    test_db.drop().await;
}
both_backends!(wrong_password_is_refused_counted_and_locks);

async fn a_success_resets_the_failure_count(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    let id = create_user(&app.db, EMAIL, Role::Head).await;
    let http = client();
    for _ in 0..4 {
        assert_eq!(
            login(&http, &app, EMAIL, "mauvais mot de passe")
                .await
                .status(),
            401
        );
    }
    assert_eq!(login(&http, &app, EMAIL, PASSWORD).await.status(), 200);
    let row = user::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("q")
        .expect("row");
    assert_eq!((row.failed_logins, row.locked_until), (0, None));
    app.stop().await;
    test_db.drop().await;
}
both_backends!(a_success_resets_the_failure_count);

async fn logins_are_throttled_per_ip(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let mut config = Config::for_database(&test_db.url);
    config.login_attempts_per_ip_per_minute = 3;
    let app = TestApp::spawn_with(&test_db, config).await;
    let http = client();
    for i in 0..3 {
        let email = format!("inconnu{i}@cc-exemple.fr");
        assert_eq!(login(&http, &app, &email, "x").await.status(), 401);
    }
    let res = login(&http, &app, "autre@cc-exemple.fr", "x").await;
    let err = refused(res, 429).await;
    assert!(
        err.message()
            .contains("Trop de tentatives de connexion depuis votre réseau")
    );
    app.stop().await;
    test_db.drop().await;
}
both_backends!(logins_are_throttled_per_ip);

async fn session_id_is_renewed_at_login_and_dropped_at_logout(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    create_user(&app.db, EMAIL, Role::Officer).await;
    create_user(&app.db, "admin@cc-exemple.fr", Role::Admin).await;
    let http = client();

    let first = session_cookie(&login(&http, &app, EMAIL, PASSWORD).await).expect("cookie");
    let second =
        session_cookie(&login(&http, &app, "admin@cc-exemple.fr", PASSWORD).await).expect("cookie");
    let id = |c: &str| c.split(';').next().unwrap_or_default().to_owned();
    assert_ne!(
        id(&first),
        id(&second),
        "a login must issue a new session id"
    );

    // The old id no longer opens anything.
    let stale = reqwest::Client::new();
    let res = stale
        .post(app.url("/api/auth/me"))
        .header("cookie", id(&first))
        .send()
        .await
        .expect("req");
    assert_eq!(res.json::<Option<CurrentUser>>().await.expect("json"), None);

    assert_eq!(me(&http, &app).await.map(|u| u.role), Some(Role::Admin));
    assert_eq!(call(&http, &app, "auth/logout", &[]).await.status(), 200);
    assert_eq!(me(&http, &app).await, None);
    let res = stale
        .post(app.url("/api/auth/me"))
        .header("cookie", id(&second))
        .send()
        .await
        .expect("req");
    assert_eq!(
        res.json::<Option<CurrentUser>>().await.expect("json"),
        None,
        "logout kills the session server-side"
    );
    app.stop().await;
    test_db.drop().await;
}
both_backends!(session_id_is_renewed_at_login_and_dropped_at_logout);

async fn sessions_expire_absolutely(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let mut config = Config::for_database(&test_db.url);
    config.session_absolute = Duration::from_secs(1);
    let app = TestApp::spawn_with(&test_db, config).await;
    create_user(&app.db, EMAIL, Role::Officer).await;
    let http = client();
    assert_eq!(login(&http, &app, EMAIL, PASSWORD).await.status(), 200);
    assert!(me(&http, &app).await.is_some());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        me(&http, &app).await,
        None,
        "past the absolute lifetime, activity or not"
    );
    app.stop().await;
    test_db.drop().await;
}
both_backends!(sessions_expire_absolutely);

async fn deactivated_accounts_lose_their_session(backend: Backend) {
    use sea_orm::{ActiveModelTrait, Set};
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    let id = create_user(&app.db, EMAIL, Role::Officer).await;
    let http = client();
    assert_eq!(login(&http, &app, EMAIL, PASSWORD).await.status(), 200);
    let row = user::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("q")
        .expect("row");
    let mut row: user::ActiveModel = row.into();
    row.active = Set(false);
    row.update(&app.db).await.expect("update");
    assert_eq!(me(&http, &app).await, None);
    let res = login(&http, &app, EMAIL, PASSWORD).await;
    assert_eq!(res.status(), 401);
    assert!(
        res.json::<AppError>()
            .await
            .expect("json")
            .message()
            .contains("désactivé")
    );
    app.stop().await;
    test_db.drop().await;
}
both_backends!(deactivated_accounts_lose_their_session);

#[tokio::test]
async fn cookies_are_secure_behind_https() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let mut config = Config::for_database(&test_db.url);
    config.public_url = Some("https://maillage.example.fr".into());
    let app = TestApp::spawn_with(&test_db, config).await;
    create_user(&app.db, EMAIL, Role::Officer).await;
    let res = login(&client(), &app, EMAIL, PASSWORD).await;
    let cookie = session_cookie(&res).expect("cookie");
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    app.stop().await;
}

/// Without JavaScript the login form posts as plain HTML: success and
/// failure both answer with a redirect the browser follows.
#[tokio::test]
async fn login_without_javascript_redirects() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let app = TestApp::spawn(&test_db).await;
    create_user(&app.db, EMAIL, Role::Officer).await;
    let http = client();
    let post = |password: &'static str| {
        http.post(app.url("/api/auth/login"))
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", app.url("/connexion"))
            .form(&[
                ("email", EMAIL),
                ("password", password),
                ("next", "/equipe"),
            ])
            .send()
    };
    let res = post("mauvais mot de passe").await.expect("req");
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().expect("loc").to_owned();
    // The page it leads to says why (rendered in tests/pages.rs, with
    // every other full page render).
    assert!(location.starts_with("/connexion?erreur="), "{location}");

    let res = post(PASSWORD).await.expect("req");
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/equipe");
    app.stop().await;
}

/// `next` never sends the user to another site.
#[tokio::test]
async fn login_next_stays_on_site() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let app = TestApp::spawn(&test_db).await;
    create_user(&app.db, EMAIL, Role::Officer).await;
    let res = call(
        &client(),
        &app,
        "auth/login",
        &[
            ("email", EMAIL),
            ("password", PASSWORD),
            ("next", "//evil.example/x"),
        ],
    )
    .await;
    assert_eq!(res.json::<String>().await.expect("json"), "/");
    app.stop().await;
}

/// A page view does not write the session: its expiry is pushed once a
/// twentieth of the idle time has passed (at most once a minute), so a
/// session in use outlives its idle time and an idle one ends on time.
async fn page_views_do_not_write_the_session(backend: Backend) {
    use app::server::entities::session;
    let test_db = TestDb::new(backend).await;
    let mut config = Config::for_database(&test_db.url);
    config.session_idle = Duration::from_secs(3);
    let app = TestApp::spawn_with(&test_db, config).await;
    create_user(&app.db, EMAIL, Role::Officer).await;
    let http = client();
    assert_eq!(login(&http, &app, EMAIL, PASSWORD).await.status(), 200);
    let stored = || async {
        session::Entity::find()
            .all(&app.db)
            .await
            .expect("sessions")
            .into_iter()
            .map(|s| (s.id, s.expires_at))
            .collect::<Vec<_>>()
    };
    // The first request pushes the expiry; the next ones, within a
    // twentieth of the idle time, write nothing.
    assert!(me(&http, &app).await.is_some());
    let after_login = stored().await;
    assert_eq!(after_login.len(), 1);
    for _ in 0..5 {
        assert!(me(&http, &app).await.is_some());
    }
    assert_eq!(stored().await, after_login, "five reads wrote nothing");
    // Activity past the slack (3 s / 20) pushes the expiry: the session
    // lives well beyond its 3 s idle time while used…
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(me(&http, &app).await.is_some(), "kept alive by activity");
    }
    let later = stored().await;
    assert_eq!(later[0].0, after_login[0].0);
    assert!(later[0].1 > after_login[0].1 + chrono::Duration::seconds(4));
    // …and ends once idle.
    tokio::time::sleep(Duration::from_millis(3300)).await;
    assert_eq!(me(&http, &app).await, None, "idle past its time");
    app.stop().await;
    test_db.drop().await;
}
both_backends!(page_views_do_not_write_the_session);
