//! Every Leptos page × anonymous and every signed-in role, over HTTP, on
//! records that exist: anonymous visitors get the login page or a redirect
//! to it; partners reach no staff page, even one about a project shared
//! with them (they read it on its shared page); admin pages are the
//! admin's. The pages come from the router's route list, so a new page
//! without an expectation fails here.
//!
//! These renders once lived in a test binary of their own because a render
//! hung about one run in five while other tests started apps: each app
//! built the route list, and `generate_route_list` sets leptos_server's
//! process-wide `SuppressResourceLoad` flag, under which a resource created
//! by a concurrent render never loads (leptos issue 4773). The route list
//! is now built once per process (`server::router::route_list`), before
//! any render; `route_list_never_suppresses_a_render` below guards it.

use std::path::PathBuf;

use app::domain::Role;
use app::models::UserSummary;
use app::server::services::territories::import_from_dir;

use crate::both_backends;
use crate::support::api::{
    Form, create, create_org, created, new_person, ok, ok_id, ok_json, post, share,
};
use crate::support::{Backend, PASSWORD, TestApp, TestDb, call, client, create_user, login};

/// Pages anyone may open.
const PUBLIC_PAGES: &[&str] = &["/connexion"];

/// GET `path` as `who`; a page that never answers fails here, naming itself.
async fn answer(http: &reqwest::Client, app: &TestApp, path: &str, who: &str) -> reqwest::Response {
    tokio::time::timeout(
        std::time::Duration::from_secs(20),
        http.get(app.url(path)).send(),
    )
    .await
    .unwrap_or_else(|_| panic!("{who} GET {path}: no answer in 20 s"))
    .expect("get")
}

fn registered_pages() -> Vec<String> {
    server::router::route_list()
        .iter()
        .map(|route| route.path().to_owned())
        .collect()
}

/// What a signed-in role gets from each Leptos page (the status the SSR
/// render answers, set by the server functions the page calls). Every page
/// of the router must appear here.
fn expected_page(route: &str, role: Role) -> u16 {
    let staff = role.is_staff();
    match route {
        "" | "/" | "/connexion" => 200,
        "/equipe" => {
            if staff {
                200
            } else {
                403
            }
        }
        // Everyone's own page; a partner reads that they have no feed.
        "/mon-compte" => 200,
        // The outbox holds everyone's mail: the admin's too.
        "/admin/programmes"
        | "/admin/thematiques"
        | "/admin/types-de-documents"
        | "/admin/financeurs"
        | "/admin/courriels" => {
            if role == Role::Admin {
                200
            } else {
                403
            }
        }
        "/projets"
        | "/projets/nouveau"
        | "/projets/{id}"
        | "/projets/{id}/modifier"
        | "/projets/{id}/fiche"
        | "/tableau-de-bord"
        | "/annuaire"
        | "/annuaire/organisations/nouvelle"
        | "/annuaire/organisations/{id}"
        | "/annuaire/personnes/nouvelle"
        | "/annuaire/personnes/{id}"
        | "/importer" => {
            if staff {
                200
            } else {
                403
            }
        }
        // No import has the id the walk uses.
        "/importer/{id}" => {
            if staff {
                404
            } else {
                403
            }
        }
        other => panic!("no policy expectation for page {other}: add it to this matrix"),
    }
}

async fn pages_by_role_over_http(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/decoupage");
    import_from_dir(&app.db, &fixtures).await.expect("fixture");
    for role in Role::ALL {
        create_user(&app.db, &format!("{role}@cc-exemple.fr"), role).await;
    }
    let officer = client();
    login(&officer, &app, "officer@cc-exemple.fr", PASSWORD).await;
    let project = create(&officer, &app, "Projet partagé", &["15187"], &[]).await;
    let users: Vec<UserSummary> = ok_json(call(&officer, &app, "users/list", &[]).await).await;
    let partner = users
        .iter()
        .find(|u| u.role == Role::Partner)
        .expect("partner")
        .id
        .to_string();
    let sections = [
        ("form[target]", "account"),
        ("form[user_id]", partner.as_str()),
        ("form[milestones]", "on"),
        ("form[notes]", "on"),
        ("form[funding]", "on"),
        ("form[partners]", "on"),
    ];
    created(share(&officer, &app, project, &sections).await).await;
    let fields = [
        ("form[name]", "Association test"),
        ("form[kind]", "association"),
    ];
    let organisation = ok_id(create_org(&officer, &app, &fields).await).await;
    let person = new_person(&officer, &app, "Léa", "Roux", &[]).await;

    // Anonymous: the login page (with a failed login's message too), and a
    // redirect to it from every other page, unknown ones included.
    let anonymous = client();
    let unknown = "/page-inconnue".to_owned();
    let pages = registered_pages();
    assert!(pages.len() >= 3, "routes found: {pages:?}");
    for route in pages.iter().chain(std::iter::once(&unknown)) {
        let page = route.replace("{id}", "42");
        let res = answer(&anonymous, &app, &page, "anonymous").await;
        if PUBLIC_PAGES.contains(&page.as_str()) {
            assert_eq!(res.status(), 200, "{page}");
            continue;
        }
        assert_eq!(res.status(), 303, "{page} must redirect to login");
        let location = res.headers()["location"].to_str().expect("loc");
        let expected: String = form_urlencoded::byte_serialize(page.as_bytes()).collect();
        assert_eq!(location, format!("/connexion?suivant={expected}"), "{page}");
    }
    let res = anonymous
        .post(app.url("/api/auth/login"))
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", app.url("/connexion"))
        .form(&[
            ("email", "officer@cc-exemple.fr"),
            ("password", "mauvais mot de passe"),
            ("next", "/equipe"),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().expect("loc").to_owned();
    let html = answer(&anonymous, &app, &location, "anonymous")
        .await
        .text()
        .await
        .expect("html");
    assert!(html.contains("Adresse e-mail ou mot de passe incorrect."));

    for role in Role::ALL {
        let http = client();
        login(&http, &app, &format!("{role}@cc-exemple.fr"), PASSWORD).await;
        for route in registered_pages() {
            let id = if route.starts_with("/annuaire/organisations") {
                organisation
            } else if route.starts_with("/annuaire/personnes") {
                person
            } else {
                project
            };
            let path = route.replace("{id}", &id.to_string());
            let res = answer(&http, &app, &path, role.as_str()).await;
            assert_eq!(
                res.status().as_u16(),
                expected_page(&route, role),
                "{role} GET {path}"
            );
            if role == Role::Officer && (route.is_empty() || route == "/") {
                let html = res.text().await.expect("html");
                assert!(html.contains("<html lang=\"fr\""));
                assert!(html.contains("Mes projets"), "officer home rendered");
            }
        }
    }
    app.stop().await;
    test_db.drop().await;
}

both_backends!(pages_by_role_over_http);

/// Markup typed into a field comes back as text in every raw-text element
/// the server writes it into (`<title>` through `leptos_meta`, `<textarea>`
/// children), and each page sends a CSP whose nonce is the hydration
/// script's. Against the code before `components::text`, the project title
/// closed the page's `<title>` and its script ran.
async fn stored_markup_stays_text(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/decoupage");
    import_from_dir(&app.db, &fixtures).await.expect("fixture");
    create_user(&app.db, "officer@cc-exemple.fr", Role::Officer).await;
    let officer = client();
    login(&officer, &app, "officer@cc-exemple.fr", PASSWORD).await;
    const TITLE: &str = "</title><script>alert('t')</script>";
    const AREA: &str = "</textarea><svg onload=alert('a')>";
    let texts = [("form[summary]", AREA), ("form[description]", AREA)];
    let project = create(&officer, &app, TITLE, &["15187"], &texts).await;
    let derogation: Form = vec![
        ("project_id", project.to_string()),
        ("version", "1".into()),
        ("form[kind]", "listed_monument".into()),
        ("form[reason]", AREA.into()),
    ];
    ok(post(&officer, &app, "funding/derogation", &derogation).await).await;
    let fields = [
        ("form[name]", TITLE),
        ("form[kind]", "association"),
        ("form[address]", AREA),
        ("form[notes]", AREA),
    ];
    let organisation = ok_id(create_org(&officer, &app, &fields).await).await;
    let person = new_person(&officer, &app, TITLE, "Roux", &[("form[notes]", AREA)]).await;
    let escaped_title = "&lt;/title&gt;&lt;script&gt;alert('t')&lt;/script&gt;";
    let escaped_area = "&lt;/textarea&gt;&lt;svg onload=alert('a')&gt;";
    for (path, title, areas) in [
        (format!("/projets/{project}"), true, 1),
        (format!("/projets/{project}/modifier"), false, 2),
        (format!("/annuaire/organisations/{organisation}"), true, 2),
        (format!("/annuaire/personnes/{person}"), true, 1),
    ] {
        let res = answer(&officer, &app, &path, "officer").await;
        assert_eq!(res.status(), 200, "{path}");
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .to_owned();
        let html = res.text().await.expect("html");
        assert!(
            !html.contains("<script>alert"),
            "{path}: script written raw"
        );
        assert!(!html.contains("<svg onload"), "{path}: svg written raw");
        if title {
            assert!(
                html.contains(&format!("<title>{escaped_title}")),
                "{path}: title not escaped"
            );
        }
        assert!(
            html.matches(escaped_area).count() >= areas,
            "{path}: textarea text not escaped"
        );
        // The CSP's nonce is the one on the hydration script.
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in the CSP");
        assert!(
            html.contains(&format!("<script type=\"module\" nonce=\"{nonce}\">")),
            "{path}: hydration script without the CSP's nonce"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
    }
    // The login page shows the message of a known error code only, never
    // text taken from its address.
    let anonymous = client();
    let html = answer(
        &anonymous,
        &app,
        "/connexion?erreur=Compte%20pirat%C3%A9%20%3A%20appelez%20le%2008",
        "anonymous",
    )
    .await
    .text()
    .await
    .expect("html");
    assert!(
        !html.contains("Compte piraté"),
        "free text shown as an error"
    );
    let html = answer(
        &anonymous,
        &app,
        "/connexion?erreur=identifiants",
        "anonymous",
    )
    .await
    .text()
    .await
    .expect("html");
    assert!(html.contains("Adresse e-mail ou mot de passe incorrect."));
    app.stop().await;
    test_db.drop().await;
}

both_backends!(stored_markup_stays_text);

/// Apps built while pages render never freeze those renders: a thread
/// builds routers without pause while the login page (whose session
/// resource is what froze) is rendered again and again, each given 5 s.
/// Against a router that ran `generate_route_list` on every build, the
/// renders hung here (see the module's comment).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_list_never_suppresses_a_render() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let test_db = TestDb::new(Backend::Sqlite).await;
    let app = TestApp::spawn(&test_db).await;
    // Stops the builder however the test ends (a failed render panics, and
    // the runtime would wait for the blocking task forever).
    struct StopOnDrop(Arc<AtomicBool>);
    impl Drop for StopOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let guard = StopOnDrop(stop.clone());
    let builder = {
        let (stop, db, url) = (stop.clone(), app.db.clone(), test_db.url.clone());
        tokio::task::spawn_blocking(move || {
            let mut built = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let config = app::server::config::Config::for_database(&url);
                let state =
                    app::server::AppState::new(db.clone(), config, server::site::leptos_options());
                drop(server::router(state));
                built += 1;
            }
            built
        })
    };
    let http = client();
    for i in 0..40 {
        let res = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            http.get(app.url("/connexion")).send(),
        )
        .await
        .unwrap_or_else(|_| panic!("render {i} of /connexion hung while routers were built"))
        .expect("get");
        assert_eq!(res.status(), 200);
        assert!(res.text().await.expect("html").contains("<form"));
    }
    drop(guard);
    let built = builder.await.expect("builder");
    assert!(built > 0, "routers were built during the renders");
    app.stop().await;
    test_db.drop().await;
}
