//! Sharing projects with partners over HTTP, on both databases: partner
//! accounts tied to an organisation, shares with accounts and by link,
//! chosen sections (a hidden section's data is absent from the HTML),
//! changes and revocation on the timeline, expiry, 404/410 pages, use
//! counts, and token guessing throttled.
use app::domain::{OrganisationKind, Role};
use app::error::AppError;
use app::models::{CreatedShare, ProjectShares, SharedProjectSummary, UserSummary};
use app::server::config::Config;
use app::server::entities::share;
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use crate::both_backends;
use crate::support::api::{
    Form, add_line, create, created, funder, get, link, ok, ok_json, plan, post, refused, share,
    signed_in,
};
use crate::support::builders::OrgBuilder;
use crate::support::{Backend, PASSWORD, TestApp, TestDb, client, create_user, login};

fn day(offset: i64) -> String {
    (app::server::clock::local_date(Utc::now()) + Duration::days(offset)).to_string()
}

async fn shared_with_me(http: &reqwest::Client, app: &TestApp) -> Vec<SharedProjectSummary> {
    let res = post(http, app, "shares/mine", &vec![]).await;
    ok_json(res).await
}

/// Moves a share's last day to yesterday, as time would.
async fn expire_yesterday(app: &TestApp, share_id: i64) {
    let mut row: share::ActiveModel = share::Entity::find_by_id(share_id)
        .one(&app.db)
        .await
        .expect("query")
        .expect("row")
        .into();
    row.expires_on = Set(Some(
        app::server::clock::local_date(Utc::now()) - Duration::days(1),
    ));
    row.update(&app.db).await.expect("expire");
}

async fn shares_of(http: &reqwest::Client, app: &TestApp, project: i64) -> ProjectShares {
    ok_json(
        post(
            http,
            app,
            "shares/list",
            &vec![("project_id", project.to_string())],
        )
        .await,
    )
    .await
}

async fn page(http: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let res = http.get(app.url(path)).send().await.expect("get");
    let status = res.status().as_u16();
    // Shared pages and their refusals alike: no script, no cache, no
    // referrer, no indexing.
    if !(300..400).contains(&status) {
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .to_owned();
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
        assert_eq!(res.headers()["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(res.headers()["x-robots-tag"], "noindex, nofollow", "{path}");
    }
    (status, res.text().await.expect("body"))
}

/// A project with one item of each kind, shareable or not, and a second
/// project; returns (shared, other).
async fn portfolio(http: &reqwest::Client, app: &TestApp) -> (i64, i64) {
    let id = create(
        http,
        app,
        "Tiers-lieu de la gare",
        &["15187"],
        &[("form[estimated_cost]", "400 000")],
    )
    .await;
    for (title, due, shareable) in [
        ("Réunion publique de lancement", day(10), true),
        ("Arbitrage budgétaire interne", day(5), false),
        ("Étude de faisabilité rendue", day(-20), true),
    ] {
        let mut form: Form = vec![
            ("project_id", id.to_string()),
            ("form[kind]", "public_meeting".into()),
            ("form[title]", title.into()),
            ("form[due_date]", due),
        ];
        if shareable {
            form.push(("form[shareable]", "on".into()));
        }
        assert_eq!(post(http, app, "milestones/add", &form).await.status(), 200);
    }
    for (body, shareable) in [
        ("Le permis de construire est déposé.", true),
        ("Note interne : le maire hésite encore.", false),
    ] {
        let mut form: Form = vec![("project_id", id.to_string()), ("form[body]", body.into())];
        if shareable {
            form.push(("form[shareable]", "on".into()));
        }
        assert_eq!(post(http, app, "notes/add", &form).await.status(), 200);
    }
    let detr = funder(&plan(http, app, id).await, "detr");
    add_line(http, app, id, &detr, "120 000", &[]).await;
    let other = create(http, app, "Réseau de chaleur bois", &["15142"], &[]).await;
    (id, other)
}

/// The portfolio, an admin, the Commune de Saint-Flour (a partner of the
/// project, with an internal note on the link) and its partner account,
/// signed in; nothing shared yet.
struct Sharing {
    test_db: TestDb,
    app: TestApp,
    /// The officer.
    http: reqwest::Client,
    project: i64,
    other: i64,
    partner: UserSummary,
    partner_http: reqwest::Client,
}

impl Sharing {
    async fn new(backend: Backend) -> Self {
        let (test_db, app, http, _officer) = signed_in(backend).await;
        let (project, other) = portfolio(&http, &app).await;
        let admin = admin(&app).await;
        let organisation = commune_of_saint_flour(&admin, &app).await;
        let account = partner_account(Some(organisation));
        let partner: UserSummary =
            ok_json(post(&admin, &app, "users/create", &account).await).await;
        let role = "technical_partner";
        let note = "Note de lien confidentielle";
        ok(link(&http, &app, project, role, Some(organisation), None, note).await).await;
        let partner_http = client();
        login(&partner_http, &app, "c.durand@mairie-exemple.fr", PASSWORD).await;
        Self {
            test_db,
            app,
            http,
            project,
            other,
            partner,
            partner_http,
        }
    }

    /// Shares the project with the partner account: milestones and funding.
    async fn with_partner(&self) -> CreatedShare {
        let user = self.partner.id.to_string();
        let fields = [
            ("form[target]", "account"),
            ("form[user_id]", user.as_str()),
            ("form[milestones]", "on"),
            ("form[funding]", "on"),
        ];
        created(share(&self.http, &self.app, self.project, &fields).await).await
    }

    /// A link for the steering committee, 30 days, with the notes.
    async fn link(&self) -> CreatedShare {
        let last_day = day(30);
        let fields = [
            ("form[target]", "link"),
            ("form[label]", "Comité de pilotage"),
            ("form[expires_on]", last_day.as_str()),
            ("form[notes]", "on"),
        ];
        created(share(&self.http, &self.app, self.project, &fields).await).await
    }

    async fn update(&self, share_id: i64, fields: &[(&'static str, String)]) -> reqwest::Response {
        let mut form: Form = vec![("share_id", share_id.to_string())];
        form.extend(fields.iter().cloned());
        post(&self.http, &self.app, "shares/update", &form).await
    }

    async fn revoke(&self, share_id: i64) -> reqwest::Response {
        let form: Form = vec![("share_id", share_id.to_string())];
        post(&self.http, &self.app, "shares/revoke", &form).await
    }

    /// The partner's own project page: its status and HTML.
    async fn partner_page(&self) -> (u16, String) {
        let path = format!("/espace-partenaire/projets/{}", self.project);
        page(&self.partner_http, &self.app, &path).await
    }

    async fn end(self) {
        crate::support::finish(self.app, self.test_db).await;
    }
}

async fn admin(app: &TestApp) -> reqwest::Client {
    create_user(&app.db, "admin@cc-exemple.fr", Role::Admin).await;
    let admin = client();
    login(&admin, app, "admin@cc-exemple.fr", PASSWORD).await;
    admin
}

async fn commune_of_saint_flour(http: &reqwest::Client, app: &TestApp) -> i64 {
    OrgBuilder::new("Commune de Saint-Flour", OrganisationKind::Commune)
        .commune("15187")
        .create(http, app)
        .await
}

/// Christine Durand's partner account, tied to `organisation`.
fn partner_account(organisation: Option<i64>) -> Form<'static> {
    let mut account: Form = vec![
        ("form[display_name]", "Christine Durand".into()),
        ("form[email]", "c.durand@mairie-exemple.fr".into()),
        ("form[role]", "partner".into()),
        ("form[password]", PASSWORD.into()),
    ];
    if let Some(id) = organisation {
        account.push(("form[organisation_id]", id.to_string()));
    }
    account
}

/// The admin creates the partner account, tied to an organisation of the
/// directory (required, and it must exist).
async fn a_partner_account_belongs_to_an_organisation(backend: Backend) {
    let (test_db, app, _http, _officer) = signed_in(backend).await;
    let admin = admin(&app).await;
    let organisation = commune_of_saint_flour(&admin, &app).await;
    let account = partner_account(None);
    let err = refused(post(&admin, &app, "users/create", &account).await, 422).await;
    assert!(
        err.field("organisation_id")
            .expect("organisation error")
            .contains("organisation de l’annuaire")
    );
    let account = partner_account(Some(999999));
    let err = refused(post(&admin, &app, "users/create", &account).await, 422).await;
    assert!(err.field("organisation_id").is_some());
    let account = partner_account(Some(organisation));
    let res = post(&admin, &app, "users/create", &account).await;
    let partner: UserSummary = ok_json(res).await;
    assert_eq!(
        partner.organisation.as_deref(),
        Some("Commune de Saint-Flour")
    );
    crate::support::finish(app, test_db).await;
}
both_backends!(a_partner_account_belongs_to_an_organisation);

/// The partner sees exactly the shared project, and only its chosen
/// sections; sharing grants reading one page, nothing else.
async fn a_partner_sees_only_the_sections_shared(backend: Backend) {
    let s = Sharing::new(backend).await;
    let (http, app, project) = (&s.http, &s.app, s.project);
    // The officer sees the account in the form and shares with it.
    let listed = shares_of(http, app, project).await;
    assert!(listed.shares.is_empty());
    assert_eq!(listed.partner_accounts.len(), 1);
    assert_eq!(
        listed.partner_accounts[0].organisation.as_deref(),
        Some("Commune de Saint-Flour")
    );
    let account_share = s.with_partner().await;
    assert_eq!(account_share.token, None);

    let partner_http = &s.partner_http;
    let mine = shared_with_me(partner_http, app).await;
    assert_eq!(
        mine.iter().map(|p| p.project_id).collect::<Vec<_>>(),
        [project]
    );
    assert_eq!(mine[0].communes, ["Saint-Flour"]);
    let (status, html) = s.partner_page().await;
    assert_eq!(status, 200);
    assert!(html.contains("Tiers-lieu de la gare"));
    assert!(html.contains("Réunion publique de lancement"));
    assert!(html.contains("Étude de faisabilité rendue"));
    assert!(
        html.contains("DETR"),
        "the funding summary names its funders"
    );
    assert!(
        !html.contains("Arbitrage budgétaire interne"),
        "not shareable"
    );
    assert!(
        !html.contains("Le permis de construire"),
        "notes not chosen"
    );
    assert!(!html.contains("le maire hésite"), "internal note");
    assert!(!html.contains("<script"), "no script at all");
    assert!(
        !html.contains("Commune de Saint-Flour"),
        "partners not chosen"
    );
    assert!(!html.contains("Réseau de chaleur"), "other projects never");
    // Nor the internals: health, timeline, versions.
    assert!(!html.contains("Dans les temps") && !html.contains("Projet créé"));
    assert!(!html.contains("version"), "no version numbers");
    let (status, html) = page(
        partner_http,
        app,
        &format!("/espace-partenaire/projets/{}", s.other),
    )
    .await;
    assert_eq!(status, 404);
    assert!(html.contains("non partagé") && !html.contains("Réseau de chaleur"));
    refused(
        post(
            partner_http,
            app,
            "projects/get",
            &vec![("id", project.to_string())],
        )
        .await,
        403,
    )
    .await;
    refused(
        post(
            partner_http,
            app,
            "shares/create",
            &vec![
                ("project_id", project.to_string()),
                ("form[target]", "link".into()),
            ],
        )
        .await,
        403,
    )
    .await;
    // Staff opening the partner address go to the project's own page.
    let res = http
        .get(app.url(&format!("/espace-partenaire/projets/{project}")))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/projets/{project}"));
    s.end().await;
}
both_backends!(a_partner_sees_only_the_sections_shared);

/// A second live share for one account, a staff account, an expiry in the
/// past: each refused on its field, nothing written.
async fn a_bad_share_is_refused_on_its_field(backend: Backend) {
    let s = Sharing::new(backend).await;
    let (http, app, project) = (&s.http, &s.app, s.project);
    s.with_partner().await;
    let err = refused(
        share(
            http,
            app,
            project,
            &[
                ("form[target]", "account"),
                ("form[user_id]", &s.partner.id.to_string()),
            ],
        )
        .await,
        422,
    )
    .await;
    assert!(
        err.field("user_id")
            .expect("user error")
            .contains("déjà partagé")
    );
    let err = refused(
        share(
            http,
            app,
            project,
            &[("form[target]", "account"), ("form[user_id]", "1")],
        )
        .await,
        422,
    )
    .await;
    assert!(err.field("user_id").is_some());
    let err = refused(
        share(
            http,
            app,
            project,
            &[("form[target]", "link"), ("form[expires_on]", &day(-1))],
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        err.field("expires_on").as_deref(),
        Some("Le dernier jour d’accès ne peut pas être déjà passé.")
    );
    assert_eq!(shares_of(http, app, project).await.shares.len(), 1);
    s.end().await;
}
both_backends!(a_bad_share_is_refused_on_its_field);

/// Anyone with the link sees the page with its own sections; the token is
/// stored as a digest, opens no door to the API, counts its uses, and a
/// change of sections changes the page.
async fn a_link_shows_its_sections_to_anyone(backend: Backend) {
    let s = Sharing::new(backend).await;
    let (http, app, project) = (&s.http, &s.app, s.project);
    s.with_partner().await;
    let link = s.link().await;
    let token = link.token.clone().expect("a link has a token");
    assert!(token.len() >= 32 && token.chars().all(|c| c.is_ascii_hexdigit()));
    let url = link.url.clone().expect("url");
    assert!(url.ends_with(&format!("/partage/{token}")), "{url}");
    // Only the digest is stored.
    let row = share::Entity::find_by_id(link.share_id)
        .one(&app.db)
        .await
        .expect("query")
        .expect("row");
    assert_ne!(row.token_digest.as_deref(), Some(token.as_str()));
    assert_eq!(row.token_digest.as_deref().map(str::len), Some(64));

    let listed = shares_of(http, app, project).await;
    assert_eq!(listed.shares.len(), 2);
    let kinds: Vec<String> = get(http, app, project, None)
        .await
        .events
        .into_iter()
        .map(|e| e.kind.as_str().to_owned())
        .filter(|k| k.starts_with("share_"))
        .collect();
    assert_eq!(kinds, ["share_created", "share_created"]);

    let anonymous = client();
    let (status, html) = page(&anonymous, app, &format!("/partage/{token}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Tiers-lieu de la gare"));
    assert!(html.contains("Le permis de construire est déposé."));
    assert!(!html.contains("le maire hésite"));
    assert!(!html.contains("Réunion publique"), "milestones not chosen");
    assert!(!html.contains("DETR"), "funding not chosen");
    assert!(!html.contains("Plan de financement"));
    assert!(!html.contains("<script"));
    // The token opens no door to the API.
    let err = refused(
        post(
            &anonymous,
            app,
            "projects/get",
            &vec![("id", project.to_string())],
        )
        .await,
        401,
    )
    .await;
    assert_eq!(err, AppError::Unauthenticated);
    let listed = shares_of(http, app, project).await;
    let used = listed
        .shares
        .iter()
        .find(|s| s.id == link.share_id)
        .expect("link");
    assert_eq!(used.use_count, 1);
    assert!(used.last_used_at.is_some());

    // Unknown tokens are 404, whatever their shape.
    for bad in [
        "0".repeat(64),
        "abc".to_owned(),
        format!("{token}0"),
        token.to_uppercase().replace('A', "B"),
    ] {
        let (status, html) = page(&anonymous, app, &format!("/partage/{bad}")).await;
        assert_eq!(status, 404, "{bad}");
        assert!(html.contains("introuvable") && !html.contains("Tiers-lieu"));
    }

    // Changing the link's sections changes its page.
    let sections = [
        ("form[label]", "Comité de pilotage".into()),
        ("form[milestones]", "on".into()),
        ("form[partners]", "on".into()),
    ];
    ok(s.update(link.share_id, &sections).await).await;
    let (_, html) = page(&anonymous, app, &format!("/partage/{token}")).await;
    assert!(html.contains("Réunion publique de lancement"));
    assert!(!html.contains("Le permis de construire"));
    // Partners: the organisation and its role, never the link's note.
    assert!(html.contains("Commune de Saint-Flour"));
    assert!(html.contains("Partenaire technique"));
    assert!(!html.contains("Note de lien confidentielle"));
    s.end().await;
}
both_backends!(a_link_shows_its_sections_to_anyone);

/// Revoked: 410 and a French page, never the content; expired: works
/// through its last day, then 410; neither can be changed back to life.
async fn a_revoked_or_expired_link_is_gone(backend: Backend) {
    let s = Sharing::new(backend).await;
    let (http, app, project) = (&s.http, &s.app, s.project);
    let link = s.link().await;
    let token = link.token.clone().expect("token");
    let anonymous = client();
    assert_eq!(s.revoke(link.share_id).await.status(), 200);
    let (status, html) = page(&anonymous, app, &format!("/partage/{token}")).await;
    assert_eq!(status, 410);
    assert!(html.contains("n’est plus valable") && html.contains("révoqué"));
    assert!(!html.contains("Tiers-lieu"));
    let err = refused(s.revoke(link.share_id).await, 409).await;
    assert!(err.message().contains("déjà révoqué"));
    refused(
        s.update(link.share_id, &[("form[label]", "x".into())])
            .await,
        409,
    )
    .await;

    let expiring = created(
        share(
            http,
            app,
            project,
            &[("form[target]", "link"), ("form[expires_on]", &day(0))],
        )
        .await,
    )
    .await;
    let expiring_token = expiring.token.expect("token");
    assert_eq!(
        page(&anonymous, app, &format!("/partage/{expiring_token}"))
            .await
            .0,
        200
    );
    expire_yesterday(app, expiring.share_id).await;
    let (status, html) = page(&anonymous, app, &format!("/partage/{expiring_token}")).await;
    assert_eq!(status, 410);
    assert!(html.contains("date de validité est passée"));
    // An expired share's label changes; its past last day may stay, not move.
    let kept = [
        ("form[label]", "Ancien lien".into()),
        ("form[expires_on]", day(-1)),
    ];
    ok(s.update(expiring.share_id, &kept).await).await;
    let err = refused(
        s.update(expiring.share_id, &[("form[expires_on]", day(-2))])
            .await,
        422,
    )
    .await;
    assert!(err.field("expires_on").is_some());
    s.end().await;
}
both_backends!(a_revoked_or_expired_link_is_gone);

/// Revoking the account share takes the project off the partner's home; it
/// can be shared again; an expired account share is off the home too.
async fn an_account_share_ends_when_revoked_or_expired(backend: Backend) {
    let s = Sharing::new(backend).await;
    let (app, partner_http) = (&s.app, &s.partner_http);
    let account_share = s.with_partner().await;
    assert_eq!(s.partner_page().await.0, 200);
    assert_eq!(s.revoke(account_share.share_id).await.status(), 200);
    let mine = shared_with_me(partner_http, app).await;
    assert!(mine.is_empty());
    assert_eq!(s.partner_page().await.0, 404);
    let again = s.with_partner().await;
    assert_eq!(s.partner_page().await.0, 200);
    expire_yesterday(app, again.share_id).await;
    let mine = shared_with_me(partner_http, app).await;
    assert!(mine.is_empty());
    assert_eq!(s.partner_page().await.0, 404);
    s.end().await;
}
both_backends!(an_account_share_ends_when_revoked_or_expired);

/// Every share created, changed and revoked is on the project's timeline,
/// newest first, and a token is never written anywhere but in the
/// officer's answer.
async fn the_timeline_keeps_every_share_change_but_no_token(backend: Backend) {
    let s = Sharing::new(backend).await;
    let (http, app, project) = (&s.http, &s.app, s.project);
    let account_share = s.with_partner().await;
    let link = s.link().await;
    let token = link.token.clone().expect("token");
    let sections = [
        ("form[label]", "Comité de pilotage".into()),
        ("form[milestones]", "on".into()),
        ("form[partners]", "on".into()),
    ];
    ok(s.update(link.share_id, &sections).await).await;
    ok(s.revoke(link.share_id).await).await;
    let expiring = created(
        share(
            http,
            app,
            project,
            &[("form[target]", "link"), ("form[expires_on]", &day(0))],
        )
        .await,
    )
    .await;
    let expiring_token = expiring.token.clone().expect("token");
    expire_yesterday(app, expiring.share_id).await;
    let kept = [
        ("form[label]", "Ancien lien".into()),
        ("form[expires_on]", day(-1)),
    ];
    ok(s.update(expiring.share_id, &kept).await).await;
    ok(s.revoke(account_share.share_id).await).await;
    s.with_partner().await;

    let events = get(http, app, project, None).await.events;
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e.kind.as_str())
        .filter(|k| k.starts_with("share_"))
        .collect();
    assert_eq!(
        kinds,
        [
            "share_created",
            "share_revoked",
            "share_changed",
            "share_created",
            "share_revoked",
            "share_changed",
            "share_created",
            "share_created",
        ],
        "newest first"
    );
    for e in &events {
        let data = e.data.to_string();
        assert!(
            !data.contains(&token) && !data.contains(&expiring_token),
            "{data}"
        );
    }
    s.end().await;
}
both_backends!(the_timeline_keeps_every_share_change_but_no_token);

/// Guessing tokens is throttled per IP, before any lookup.
async fn guessing_tokens_is_throttled(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let mut config = Config::for_database(&test_db.url);
    config.share_requests_per_ip_per_minute = 3;
    let app = TestApp::spawn_with(&test_db, config).await;
    let http = client();
    for _ in 0..3 {
        let res = http
            .get(app.url(&format!("/partage/{}", "ab".repeat(32))))
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), 404);
    }
    let res = http
        .get(app.url(&format!("/partage/{}", "cd".repeat(32))))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 429);
    assert!(res.text().await.expect("body").contains("Trop de demandes"));
    crate::support::finish(app, test_db).await;
}
both_backends!(guessing_tokens_is_throttled);

/// Behind a trusted proxy, only the hop the proxy appended counts: a
/// client writing its own X-Forwarded-For entries stays one client.
async fn spoofed_forwarded_for_is_still_throttled(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let mut config = Config::for_database(&test_db.url);
    config.share_requests_per_ip_per_minute = 3;
    config.trust_proxy = true;
    let app = TestApp::spawn_with(&test_db, config).await;
    let http = client();
    let mut statuses = Vec::new();
    for i in 0..5 {
        let res = http
            .get(app.url(&format!("/partage/{}", "ab".repeat(32))))
            .header("x-forwarded-for", format!("10.0.0.{i}, 203.0.113.7"))
            .send()
            .await
            .expect("get");
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, [404, 404, 404, 429, 429]);
    // Another client behind the same proxy has its own budget.
    let res = http
        .get(app.url(&format!("/partage/{}", "ab".repeat(32))))
        .header("x-forwarded-for", "203.0.113.8")
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 404);
    crate::support::finish(app, test_db).await;
}
both_backends!(spoofed_forwarded_for_is_still_throttled);
