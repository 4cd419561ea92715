use std::collections::BTreeSet;

use app::domain::Role;
use app::error::AppError;
use app::models::UserSummary;
use app::policy::Actor;

use crate::both_backends;
use crate::forms::{form_for, new_user_form};
use crate::support::api::{created, refused, share};
use crate::support::{Backend, PASSWORD, TestApp, TestDb, call, client, create_user, login};

/// Server functions anyone may call, signed in or not.
const PUBLIC_FUNCTIONS: &[&str] = &["/api/auth/login", "/api/auth/logout", "/api/auth/me"];

/// Every server function the app registered (from the registry, not a list).
fn registered_functions() -> BTreeSet<String> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _method)| path.to_owned())
        .collect()
}

/// Whether each role may call each protected server function. Every
/// registered function must appear here: a new one fails the suite until
/// its policy is written down.
fn allowed(function: &str, role: Role) -> bool {
    match function {
        "/api/users/list" => role.is_staff(),
        "/api/users/create"
        | "/api/reference/list"
        | "/api/reference/save"
        | "/api/funders/list"
        | "/api/funders/save"
        | "/api/funders/documents"
        | "/api/funders/documents/save"
        | "/api/documents/retention"
        | "/api/documents/retention/save"
        | "/api/directory/people/erase" => role == Role::Admin,
        "/api/shares/mine" => role == Role::Partner,
        "/api/projects/list"
        | "/api/projects/get"
        | "/api/projects/page"
        | "/api/projects/references"
        | "/api/projects/home"
        | "/api/territories/communes"
        | "/api/projects/create"
        | "/api/projects/update"
        | "/api/projects/stage"
        | "/api/projects/health"
        | "/api/milestones/add"
        | "/api/milestones/done"
        | "/api/milestones/update"
        | "/api/milestones/delete"
        | "/api/notes/add"
        | "/api/funding/plan"
        | "/api/funding/lines/add"
        | "/api/funding/lines/update"
        | "/api/funding/lines/delete"
        | "/api/funding/lines/status"
        | "/api/funding/lines/documents"
        | "/api/funding/derogation"
        | "/api/dashboard/view"
        | "/api/dashboard/choices"
        | "/api/directory/list"
        | "/api/directory/pick"
        | "/api/directory/choices"
        | "/api/directory/organisation"
        | "/api/directory/organisations/create"
        | "/api/directory/organisations/update"
        | "/api/directory/person"
        | "/api/directory/people/create"
        | "/api/directory/people/update"
        | "/api/directory/memberships/add"
        | "/api/directory/memberships/update"
        | "/api/directory/memberships/delete"
        | "/api/directory/mandates/add"
        | "/api/directory/mandates/update"
        | "/api/directory/mandates/delete"
        | "/api/partners/list"
        | "/api/partners/add"
        | "/api/partners/remove"
        | "/api/shares/list"
        | "/api/shares/create"
        | "/api/shares/update"
        | "/api/shares/revoke"
        | "/api/imports/list"
        | "/api/imports/get"
        | "/api/imports/mapping"
        | "/api/imports/distinct"
        | "/api/imports/commit" => role.is_staff(),
        "/api/imports/undo" => matches!(role, Role::Head | Role::Admin),
        // Every staff member's own feeds (the portfolio's scope is checked
        // in the service: it/calendar.rs).
        "/api/calendar/feeds" | "/api/calendar/create" | "/api/calendar/revoke" => role.is_staff(),
        // Partners get no mail; the outbox holds everyone's mail.
        "/api/mail/settings" | "/api/mail/save" => role.is_staff(),
        "/api/mail/outbox" => role == Role::Admin,
        "/api/mail/committee" => matches!(role, Role::Head | Role::Admin),
        // A document's fields and its deletion: staff who edit projects.
        "/api/documents/update" | "/api/documents/delete" => role.is_staff(),
        other => panic!("no policy expectation for server function {other}: add it to this matrix"),
    }
}

async fn anonymous_gets_401_from_every_function(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    let http = client();

    let functions = registered_functions();
    for f in PUBLIC_FUNCTIONS {
        assert!(functions.contains(*f), "{f} is not registered");
    }
    for function in functions
        .iter()
        .filter(|f| !PUBLIC_FUNCTIONS.contains(&f.as_str()))
    {
        let res = http
            .post(app.url(function))
            .form(&form_for(function, "anon"))
            .send()
            .await
            .expect("req");
        assert_eq!(res.status(), 401, "{function}");
        assert_eq!(
            res.json::<AppError>().await.expect("json"),
            AppError::Unauthenticated,
            "{function}"
        );
    }
    app.stop().await;
    test_db.drop().await;
}
both_backends!(anonymous_gets_401_from_every_function);

/// Each role × each protected server function, called by URL like an
/// attacker would, not through the UI.
async fn role_matrix_over_http(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    for role in Role::ALL {
        create_user(&app.db, &format!("{role}@cc-exemple.fr"), role).await;
    }
    crate::support::import_fixture(&app.db).await;
    let functions = registered_functions();
    for role in Role::ALL {
        let http = client();
        assert_eq!(
            login(&http, &app, &format!("{role}@cc-exemple.fr"), PASSWORD)
                .await
                .status(),
            200
        );
        for function in functions
            .iter()
            .filter(|f| !PUBLIC_FUNCTIONS.contains(&f.as_str()))
        {
            let res = http
                .post(app.url(function))
                .form(&form_for(function, role.as_str()))
                .send()
                .await
                .expect("req");
            let status = res.status().as_u16();
            if allowed(function, role) {
                assert!(
                    status != 401 && status != 403,
                    "{role} → {function}: {status}"
                );
                assert!(
                    status < 500,
                    "{role} → {function}: {status} {}",
                    res.text().await.unwrap_or_default()
                );
            } else {
                assert_eq!(status, 403, "{role} → {function}");
                assert_eq!(
                    res.json::<AppError>().await.expect("json"),
                    AppError::Forbidden
                );
            }
        }
    }
    // Only the admin's creation went through.
    let http = client();
    login(&http, &app, "admin@cc-exemple.fr", PASSWORD).await;
    let list: Vec<UserSummary> = call(&http, &app, "users/list", &[])
        .await
        .json()
        .await
        .expect("json");
    let created: Vec<_> = list
        .iter()
        .filter(|u| u.email.starts_with("lea."))
        .map(|u| u.email.as_str())
        .collect();
    assert_eq!(created, vec!["lea.admin@cc-exemple.fr"]);
    app.stop().await;
    test_db.drop().await;
}
both_backends!(role_matrix_over_http);

async fn account_creation_reports_each_bad_field(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    create_user(&app.db, "admin@cc-exemple.fr", Role::Admin).await;
    let http = client();
    login(&http, &app, "admin@cc-exemple.fr", PASSWORD).await;

    let bad = [
        ("form[display_name]", ""),
        ("form[email]", "pas-une-adresse"),
        ("form[role]", "chef"),
        ("form[password]", "court"),
    ];
    let res = http
        .post(app.url("/api/users/create"))
        .form(&bad)
        .send()
        .await
        .expect("req");
    let err = refused(res, 422).await;
    assert_eq!(
        err.field("display_name").as_deref(),
        Some("Le nom est obligatoire.")
    );
    assert!(
        err.field("email")
            .expect("email error")
            .contains("n’est pas valide")
    );
    assert!(
        err.field("role")
            .expect("role error")
            .contains("Rôle inconnu")
    );
    assert_eq!(
        err.field("password").as_deref(),
        Some("Le mot de passe doit contenir au moins 12 caractères.")
    );

    // A taken address (in any case) is a field error, and nothing is written.
    let mut dup = new_user_form("x");
    dup[1].1 = "ADMIN@cc-exemple.fr".into();
    let res = http
        .post(app.url("/api/users/create"))
        .form(&dup)
        .send()
        .await
        .expect("req");
    let err = refused(res, 422).await;
    assert_eq!(
        err.field("email").as_deref(),
        Some("Un compte existe déjà avec cette adresse e-mail.")
    );
    let list: Vec<UserSummary> = call(&http, &app, "users/list", &[])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list.len(), 1);
    app.stop().await;
    test_db.drop().await;
}
both_backends!(account_creation_reports_each_bad_field);

async fn cross_origin_posts_are_refused(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    create_user(&app.db, "admin@cc-exemple.fr", Role::Admin).await;
    let http = client();
    login(&http, &app, "admin@cc-exemple.fr", PASSWORD).await;

    let attempt = |headers: &'static [(&'static str, &'static str)], tag: &str| {
        let mut req = http
            .post(app.url("/api/users/create"))
            .form(&new_user_form(tag));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send()
    };
    let res = attempt(&[("origin", "https://evil.example")], "evil1")
        .await
        .expect("req");
    assert_eq!(res.status(), 403);
    let res = attempt(
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ],
        "evil2",
    )
    .await
    .expect("req");
    assert_eq!(res.status(), 403);
    // A cross-site login attempt (login CSRF) is refused too.
    let res = http
        .post(app.url("/api/auth/login"))
        .header("origin", "https://evil.example")
        .form(&[("email", "admin@cc-exemple.fr"), ("password", PASSWORD)])
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), 403);

    let list: Vec<UserSummary> = call(&http, &app, "users/list", &[])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list.len(), 1, "nothing was created by the refused requests");

    // The same request from the app's own pages goes through.
    let origin = format!("http://{}", app.addr);
    let res = http
        .post(app.url("/api/users/create"))
        .header("origin", origin)
        .header("sec-fetch-site", "same-origin")
        .form(&new_user_form("ok"))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), 200);
    app.stop().await;
    test_db.drop().await;
}
both_backends!(cross_origin_posts_are_refused);

/// A call whose arguments cannot be decoded answers 400 with a French
/// message, not 500 (the app's own forms never send one).
async fn malformed_calls_are_bad_requests(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    create_user(&app.db, "officer@cc-exemple.fr", Role::Officer).await;
    let http = client();
    login(&http, &app, "officer@cc-exemple.fr", PASSWORD).await;
    for (function, form) in [
        // The whole `form` argument is missing.
        (
            "/api/funding/derogation",
            vec![("project_id", "1"), ("version", "1")],
        ),
        // Not a number.
        ("/api/projects/get", vec![("id", "douze")]),
    ] {
        let res = http
            .post(app.url(function))
            .form(&form)
            .send()
            .await
            .expect("req");
        assert_eq!(res.status(), 400, "{function}");
        let err: AppError = res.json().await.expect("json");
        assert!(
            matches!(err, AppError::BadRequest { .. }),
            "{function}: {err:?}"
        );
        assert!(err.message().contains("Requête invalide"));
    }
    app.stop().await;
    test_db.drop().await;
}
both_backends!(malformed_calls_are_bad_requests);

/// One account per role, an officer's session, and a project the officer
/// shared with the partner account (with `sections` ticked).
async fn shared_world(
    backend: Backend,
    sections: &[(&'static str, &str)],
) -> (TestDb, TestApp, reqwest::Client, i64) {
    let test_db = TestDb::new(backend).await;
    // Every actor opens every token route from one address: more than a
    // reader's quota of share-link requests.
    let mut config = app::server::config::Config::for_database(&test_db.url);
    config.share_requests_per_ip_per_minute = 10_000;
    let app = TestApp::spawn_with(&test_db, config).await;
    crate::support::import_fixture(&app.db).await;
    for role in Role::ALL {
        create_user(&app.db, &format!("{role}@cc-exemple.fr"), role).await;
    }
    let officer = client();
    login(&officer, &app, "officer@cc-exemple.fr", PASSWORD).await;
    let project =
        crate::support::api::create(&officer, &app, "Projet partagé", &["15187"], &[]).await;
    let partner_id = list_users(&officer, &app)
        .await
        .into_iter()
        .find(|u| u.role == Role::Partner)
        .expect("partner")
        .id
        .to_string();
    let mut form = vec![
        ("form[target]", "account"),
        ("form[user_id]", partner_id.as_str()),
    ];
    form.extend_from_slice(sections);
    created(share(&officer, &app, project, &form).await).await;
    (test_db, app, officer, project)
}

/// What an actor gets from one axum route (the routes outside the Leptos
/// router), for the shared project (`shared`) or another one: the status,
/// and for a redirect where it leads. Every route of
/// `server::router::extra_routes` must appear here.
fn expected_route(path: &str, actor: Actor, shared: bool, project: i64) -> (u16, String) {
    let login = "/connexion?suivant=".to_owned();
    let partner = actor == Actor::User(Role::Partner);
    let signed_in = matches!(actor, Actor::User(_));
    match path {
        "/healthz" => (200, String::new()),
        // Closed unless the admin sets a token or allowed addresses.
        "/metrics" => (404, String::new()),
        "/tableau-de-bord/export.xlsx" | "/tableau-de-bord/export.csv" if !signed_in => {
            (303, login)
        }
        "/tableau-de-bord/export.xlsx" | "/tableau-de-bord/export.csv" if partner => {
            (403, String::new())
        }
        "/tableau-de-bord/export.xlsx" | "/tableau-de-bord/export.csv" => (200, String::new()),
        // No such person: staff pass the policy and learn it does not exist.
        "/annuaire/personnes/{id}/export.json" if !signed_in => (303, login),
        "/annuaire/personnes/{id}/export.json" if partner => (403, String::new()),
        "/annuaire/personnes/{id}/export.json" => (404, String::new()),
        // The token is the credential, whoever holds it; "another" is a
        // revoked link.
        "/partage/{token}" if shared => (200, String::new()),
        "/partage/{token}" => (410, String::new()),
        // The project's feed: the same token, the same rules.
        "/partage/{token}/agenda.ics" if shared => (200, String::new()),
        "/partage/{token}/agenda.ics" => (410, String::new()),
        // A share link's token is not a feed's: no feed, whoever asks (the
        // feeds themselves: it/calendar.rs).
        "/calendrier/{token}" => (404, String::new()),
        // Nor a mail's unsubscribe token (the links themselves: it/mail.rs).
        "/desabonnement/{token}" => (404, String::new()),
        "/espace-partenaire/projets/{id}" if !signed_in => (303, login),
        "/espace-partenaire/projets/{id}" if partner && shared => (200, String::new()),
        "/espace-partenaire/projets/{id}" if partner => (404, String::new()),
        // Staff read the project on its own page.
        "/espace-partenaire/projets/{id}" => (303, format!("/projets/{project}")),
        // The upload is a POST (its policy is checked in `imports.rs`);
        // a GET passes the gate, then finds no such method.
        "/importer/fichier" if !signed_in => (303, login),
        "/importer/fichier" => (405, String::new()),
        // Documents (the documents themselves: it/documents.rs). Uploads
        // are POSTs; a GET passes the gate, then finds no such method.
        "/projets/{id}/documents" | "/documents/{id}/version" if !signed_in => (303, login),
        "/projets/{id}/documents" | "/documents/{id}/version" => (405, String::new()),
        // No such document: staff learn it; a partner may not ask.
        "/documents/{id}/fichier" if !signed_in => (303, login),
        "/documents/{id}/fichier" if partner => (403, String::new()),
        "/documents/{id}/fichier" => (404, String::new()),
        "/partage/{token}/documents/{document}" if shared => (404, String::new()),
        "/partage/{token}/documents/{document}" => (410, String::new()),
        "/espace-partenaire/projets/{id}/documents/{document}" if !signed_in => (303, login),
        "/espace-partenaire/projets/{id}/documents/{document}" if partner => (404, String::new()),
        "/espace-partenaire/projets/{id}/documents/{document}" => {
            (303, "/documents/999999/fichier".to_owned())
        }
        other => panic!("no policy expectation for route {other}: add it to this matrix"),
    }
}

/// Every axum route × every actor (anonymous, link holder, partner,
/// officer, head, admin) × a shared project and another one, over HTTP; and
/// a link holder calls every server function and gets 401: a token opens
/// one page, never the API.
async fn routes_by_actor_over_http(backend: Backend) {
    let (test_db, app, officer, shared) = shared_world(backend, &[]).await;
    let other = crate::support::api::create(&officer, &app, "Autre projet", &["15187"], &[]).await;
    let link = created(share(&officer, &app, shared, &[("form[target]", "link")]).await)
        .await
        .token
        .expect("token");
    let revoked = created(share(&officer, &app, other, &[("form[target]", "link")]).await).await;
    let res = officer
        .post(app.url("/api/shares/revoke"))
        .form(&[("share_id", revoked.share_id.to_string())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(res.status(), 200);
    let revoked = revoked.token.expect("token");

    let routes: Vec<&str> = server::router::extra_routes()
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    assert!(routes.contains(&"/partage/{token}"));
    for actor in Actor::ALL {
        let http = client();
        match actor {
            Actor::User(role) => {
                let res = login(&http, &app, &format!("{role}@cc-exemple.fr"), PASSWORD).await;
                assert_eq!(res.status(), 200);
            }
            Actor::LinkHolder => {
                let res = http
                    .get(app.url(&format!("/partage/{link}")))
                    .send()
                    .await
                    .expect("open link");
                assert_eq!(res.status(), 200);
            }
            Actor::Anonymous => {}
        }
        for route in &routes {
            for is_shared in [true, false] {
                let (project, token) = if is_shared {
                    (shared, &link)
                } else {
                    (other, &revoked)
                };
                let path = route
                    .replace("{id}", &project.to_string())
                    .replace("{token}", token)
                    .replace("{document}", "999999");
                let res = http.get(app.url(&path)).send().await.expect("get");
                let (status, location) = expected_route(route, actor, is_shared, project);
                assert_eq!(res.status().as_u16(), status, "{actor:?} GET {path}");
                if status == 303 {
                    let got = res.headers()["location"].to_str().expect("location");
                    assert!(got.starts_with(&location), "{actor:?} GET {path} → {got}");
                }
            }
        }
        if actor == Actor::LinkHolder {
            for function in registered_functions()
                .iter()
                .filter(|f| !PUBLIC_FUNCTIONS.contains(&f.as_str()))
            {
                let res = http
                    .post(app.url(function))
                    .form(&form_for(function, "link"))
                    .send()
                    .await
                    .expect("req");
                assert_eq!(res.status(), 401, "link holder → {function}");
            }
        }
    }
    app.stop().await;
    test_db.drop().await;
}
both_backends!(routes_by_actor_over_http);

async fn list_users(http: &reqwest::Client, app: &TestApp) -> Vec<UserSummary> {
    call(http, app, "users/list", &[])
        .await
        .json()
        .await
        .expect("users")
}

/// Every registered server function lists its argument decoder
/// (`server_fn_args!`), so that a malformed argument is refused naming
/// its field rather than with no field at all.
#[test]
fn every_server_function_names_its_malformed_fields() {
    let listed: BTreeSet<&str> = app::api::args::listed_paths().into_iter().collect();
    let missing: Vec<String> = registered_functions()
        .into_iter()
        .filter(|p| !listed.contains(p.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "not in a server_fn_args! list: {missing:?}"
    );
}
