//! Hostile and careless input, one reproduction per failure found when the
//! app was tried as an attacker would (issue 14): every answer is a clear
//! French refusal naming the field, with the right status, and a refused
//! write changes nothing (every table's row count is read again).
use app::domain::Role;
use app::domain::input::max;
use app::error::{AppError, BadInput};
use calamine::{Data, Reader, Xlsx};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::Value;

use crate::both_backends;
use crate::support::api::{refused, refused_on};
use crate::support::{Backend, PASSWORD, TestApp, TestDb, client, create_user, login};

/// The tables a refused write must leave as they were.
const TABLES: &[&str] = &[
    "projects",
    "project_communes",
    "milestones",
    "notes",
    "funding_lines",
    "project_events",
    "organisations",
    "people",
    "memberships",
    "mandates",
    "project_partners",
    "project_shares",
    "users",
];

async fn row_counts(db: &DatabaseConnection) -> Vec<(String, i64)> {
    let mut counts = Vec::new();
    for table in TABLES {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("row");
        counts.push(((*table).to_owned(), row.try_get::<i64>("", "n").expect("n")));
    }
    counts
}

/// The project's whole page as the API gives it (minus the server's day).
async fn project_json(s: &Session<'_>, id: i64) -> Value {
    let mut v = s
        .ok(s.post("projects/get", &[("id", &id.to_string())]).await)
        .await;
    v.as_object_mut().map(|o| o.remove("as_of"));
    v
}

/// A signed-in client that knows the app.
struct Session<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
}

impl<'a> Session<'a> {
    async fn new(app: &'a TestApp, email: &str) -> Self {
        let http = client();
        let res = login(&http, app, email, PASSWORD).await;
        assert_eq!(res.status(), 200, "login {email}");
        Self { app, http }
    }

    async fn post(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(self.app.url(&format!("/api/{endpoint}")))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// A body sent as it is (possibly not UTF-8, possibly huge).
    async fn post_raw(&self, endpoint: &str, body: Vec<u8>) -> reqwest::Response {
        self.http
            .post(self.app.url(&format!("/api/{endpoint}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("request")
    }

    async fn ok(&self, res: reqwest::Response) -> Value {
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).expect("json")
    }

    async fn create_project(&self, extra: &[(&str, &str)]) -> i64 {
        let mut form: Vec<(&str, &str)> = [
            ("form[title]", "Halle de marché"),
            ("form[communes][0]", "15187"),
        ]
        .into_iter()
        .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
        .collect();
        form.extend_from_slice(extra);
        self.ok(self.post("projects/create", &form).await)
            .await
            .as_i64()
            .expect("id")
    }

    async fn funder(&self, project: i64, code: &str) -> String {
        let plan = self
            .ok(self
                .post("funding/plan", &[("project_id", &project.to_string())])
                .await)
            .await;
        plan["funders"]
            .as_array()
            .expect("funders")
            .iter()
            .find(|f| f["code"] == code)
            .map(|f| f["id"].to_string())
            .expect("funder")
    }
}

/// A write refused on `field`: the endpoint, its form, the field.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
async fn setup(backend: Backend) -> (TestDb, TestApp) {
    let test_db = TestDb::new(backend).await;
    let app = TestApp::spawn(&test_db).await;
    crate::support::import_fixture(&app.db).await;
    create_user(&app.db, "officer@cc-exemple.fr", Role::Officer).await;
    create_user(&app.db, "partner@cc-exemple.fr", Role::Partner).await;
    (test_db, app)
}

async fn malformed_requests_name_their_field(backend: Backend) {
    let (test_db, app) = setup(backend).await;
    let s = Session::new(&app, "officer@cc-exemple.fr").await;
    let project = s.create_project(&[]).await;
    let before = row_counts(&app.db).await;

    // A 3 MB body: 413 in French, nothing read.
    let res = s
        .post_raw(
            "projects/create",
            format!("form[title]={}", "a".repeat(3_000_000)).into_bytes(),
        )
        .await;
    let err = refused(res, 413).await;
    assert_eq!(err, AppError::PayloadTooLarge);
    assert!(err.message().contains("trop volumineux"));

    // Bytes that are not UTF-8, raw or percent-encoded, and a NUL.
    let res = s
        .post_raw(
            "projects/create",
            b"form[title]=\xff\xfe&form[communes][0]=15187".to_vec(),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.json::<AppError>().await.expect("json"),
        AppError::BadRequest {
            kind: BadInput::NotText,
            field: None
        }
    );
    for title in ["%FF%FE", "Halle%00", "%1B%5B31m"] {
        let body = format!("form[title]={title}&form[communes][0]=15187");
        let err = refused_on(
            s.post_raw("projects/create", body.into_bytes()).await,
            400,
            "title",
        )
        .await;
        assert!(err.message().contains("pas du texte"), "{err:?}");
    }

    // A key twice, a missing one, a malformed one: each named.
    let res = s
        .post_raw(
            "projects/create",
            b"form[title]=a&form[title]=b&form[communes][0]=15187".to_vec(),
        )
        .await;
    let err = refused_on(res, 400, "title").await;
    assert!(err.message().contains("deux fois"), "{}", err.message());
    let err = refused_on(s.post("projects/get", &[]).await, 400, "id").await;
    assert!(err.message().contains("« id » manque"), "{}", err.message());
    let err = refused_on(s.post("projects/get", &[("id", "douze")]).await, 400, "id").await;
    assert!(
        err.message().contains("forme attendue"),
        "{}",
        err.message()
    );
    refused_on(
        s.post(
            "milestones/done",
            &[("milestone_id", "1"), ("undo", "peut-être")],
        )
        .await,
        400,
        "undo",
    )
    .await;

    // The page number that panicked sea-query's binder, and one past u64.
    refused_on(
        s.post("projects/list", &[("filter[page]", "18446744073709551615")])
            .await,
        422,
        "page",
    )
    .await;
    refused_on(
        s.post("projects/list", &[("filter[page]", "18446744073709551616")])
            .await,
        400,
        "page",
    )
    .await;

    // 50 000 characters of search: answered, not "pattern too complex".
    let long = "saint".repeat(10_000);
    for (endpoint, form) in [
        ("projects/list", vec![("filter[q]", long.as_str())]),
        ("territories/communes", vec![("q", long.as_str())]),
        (
            "directory/pick",
            vec![("q", long.as_str()), ("people", "false")],
        ),
        ("directory/list", vec![("filter[q]", long.as_str())]),
    ] {
        let res = s.post(endpoint, &form).await;
        assert_eq!(res.status(), 200, "{endpoint}");
    }

    // Too many communes: 1 500 named (refused on its field) and 40 000
    // (the body is larger than any form: refused before decoding).
    let mut many: Vec<(String, String)> = (0..1_500)
        .map(|i| (format!("form[communes][{i}]"), "15187".to_owned()))
        .collect();
    many.push(("form[title]".into(), "Trop de communes".into()));
    let res = s
        .http
        .post(app.url("/api/projects/create"))
        .form(&many)
        .send()
        .await
        .expect("req");
    refused_on(res, 422, "communes").await;
    let huge: Vec<(String, String)> = (0..40_000)
        .map(|i| (format!("form[communes][{i}]"), "15187".to_owned()))
        .collect();
    let res = s
        .http
        .post(app.url("/api/projects/create"))
        .form(&huge)
        .send()
        .await
        .expect("req");
    assert!(
        [400, 413].contains(&res.status().as_u16()),
        "{}",
        res.status()
    );

    // partners/list of a project that does not exist: 404, not empty lists.
    let res = s.post("partners/list", &[("project_id", "999999")]).await;
    assert_eq!(res.status(), 404);
    let res = s
        .post("partners/list", &[("project_id", &project.to_string())])
        .await;
    assert_eq!(res.status(), 200);

    assert_eq!(
        row_counts(&app.db).await,
        before,
        "a refusal wrote something"
    );
    app.stop().await;
    test_db.drop().await;
}
both_backends!(malformed_requests_name_their_field);

const ABSURD_DATES: &[&str] = &[
    "0000-01-01",
    "0202-01-01",
    "1899-12-31",
    "-0001-01-01",
    "+99999-01-01",
    "2101-01-01",
];

async fn absurd_dates_are_refused_on_their_field(backend: Backend) {
    let (test_db, app) = setup(backend).await;
    let s = Session::new(&app, "officer@cc-exemple.fr").await;
    let project = s.create_project(&[]).await;
    let pid = project.to_string();
    let detr = s.funder(project, "detr").await;
    let org: i64 = s
        .ok(s
            .post(
                "directory/organisations/create",
                &[
                    ("form[name]", "Commune de Saint-Flour"),
                    ("form[kind]", "association"),
                ],
            )
            .await)
        .await
        .as_i64()
        .expect("org");
    let person: i64 = s
        .ok(s
            .post(
                "directory/people/create",
                &[("form[first_name]", "Léa"), ("form[last_name]", "Roux")],
            )
            .await)
        .await
        .as_i64()
        .expect("person");
    let (org, person) = (org.to_string(), person.to_string());
    let before = row_counts(&app.db).await;
    let page_before = project_json(&s, project).await;

    for date in ABSURD_DATES {
        let cases: Vec<Case> = vec![
            (
                "milestones/add",
                vec![
                    ("project_id", &pid),
                    ("form[kind]", "decision"),
                    ("form[title]", "Délibération"),
                    ("form[due_date]", date),
                ],
                "due_date",
            ),
            (
                "milestones/add",
                vec![
                    ("project_id", &pid),
                    ("form[kind]", "decision"),
                    ("form[title]", "Délibération"),
                    ("form[due_date]", "2026-12-01"),
                    ("form[done_date]", date),
                ],
                "done_date",
            ),
            (
                "projects/update",
                vec![
                    ("id", &pid),
                    ("version", "1"),
                    ("form[title]", "Halle de marché"),
                    ("form[communes][0]", "15187"),
                    ("form[start_date]", date),
                ],
                "start_date",
            ),
            (
                "projects/create",
                vec![
                    ("form[title]", "Autre"),
                    ("form[communes][0]", "15187"),
                    ("form[end_date]", date),
                ],
                "end_date",
            ),
            (
                "notes/add",
                vec![
                    ("project_id", &pid),
                    ("form[body]", "Réunion"),
                    ("form[note_date]", date),
                ],
                "note_date",
            ),
            (
                "funding/lines/add",
                vec![
                    ("project_id", &pid),
                    ("form[funder_id]", &detr),
                    ("form[amount_requested]", "1000"),
                    ("form[application_deadline]", date),
                ],
                "application_deadline",
            ),
            (
                "projects/health",
                vec![
                    ("id", &pid),
                    ("version", "1"),
                    ("form[status]", "paused"),
                    ("form[reason]", "Attente"),
                    ("form[since]", date),
                ],
                "since",
            ),
            (
                "directory/mandates/add",
                vec![
                    ("person_id", &person),
                    ("form[office]", "maire"),
                    ("form[organisation_id]", &org),
                    ("form[start_on]", date),
                ],
                "start_on",
            ),
            (
                "directory/memberships/add",
                vec![
                    ("person_id", &person),
                    ("form[organisation_id]", &org),
                    ("form[start_on]", date),
                ],
                "start_on",
            ),
            (
                "shares/create",
                vec![
                    ("project_id", &pid),
                    ("form[target]", "link"),
                    ("form[expires_on]", date),
                ],
                "expires_on",
            ),
        ];
        for (endpoint, form, field) in cases {
            let res = s.post(endpoint, &form).await;
            let status = res.status().as_u16();
            // chrono reads some of these (the range refuses them), the others
            // are not dates at all: both are invalid values on their field.
            assert_eq!(status, 422, "{endpoint} {field}={date}");
            let err: AppError = res.json().await.expect("json");
            assert!(
                err.field(field).is_some(),
                "{endpoint} {field}={date}: {err:?}"
            );
        }
    }
    // A share may run two years at most.
    let far = (app::server::clock::local_date(chrono::Utc::now()) + chrono::Duration::days(800))
        .to_string();
    refused_on(
        s.post(
            "shares/create",
            &[
                ("project_id", &pid),
                ("form[target]", "link"),
                ("form[expires_on]", &far),
            ],
        )
        .await,
        422,
        "expires_on",
    )
    .await;
    // The dashboard's « depuis » in year 1.
    refused_on(
        s.post("dashboard/view", &[("filter[since]", "0001-01-01")])
            .await,
        422,
        "since",
    )
    .await;

    assert_eq!(
        row_counts(&app.db).await,
        before,
        "a refusal wrote something"
    );
    assert_eq!(project_json(&s, project).await, page_before);

    // The range's own ends are accepted.
    for date in ["1990-01-01", "2100-12-31"] {
        s.ok(s
            .post(
                "milestones/add",
                &[
                    ("project_id", &pid),
                    ("form[kind]", "decision"),
                    ("form[title]", "Borne"),
                    ("form[due_date]", date),
                ],
            )
            .await)
            .await;
    }
    // An elected mandate from 1977 is history, and accepted.
    s.ok(s
        .post(
            "directory/mandates/add",
            &[
                ("person_id", &person),
                ("form[office]", "maire"),
                ("form[organisation_id]", &org),
                ("form[start_on]", "1977-03-20"),
            ],
        )
        .await)
        .await;
    app.stop().await;
    test_db.drop().await;
}
both_backends!(absurd_dates_are_refused_on_their_field);

async fn texts_over_their_limit_are_refused(backend: Backend) {
    let (test_db, app) = setup(backend).await;
    let s = Session::new(&app, "officer@cc-exemple.fr").await;
    let project = s.create_project(&[]).await;
    let pid = project.to_string();
    let detr = s.funder(project, "detr").await;
    let over = |n: usize| "é".repeat(n + 1);
    let (summary, description, reason, note, dnote, address) = (
        over(max::SUMMARY),
        over(max::DESCRIPTION),
        over(max::REASON),
        over(max::NOTE),
        over(max::DIRECTORY_NOTE),
        over(max::ADDRESS),
    );
    let before = row_counts(&app.db).await;
    let page_before = project_json(&s, project).await;
    let cases: Vec<Case> = vec![
        (
            "projects/update",
            vec![
                ("id", &pid),
                ("version", "1"),
                ("form[title]", "Halle"),
                ("form[communes][0]", "15187"),
                ("form[summary]", &summary),
            ],
            "summary",
        ),
        (
            "projects/update",
            vec![
                ("id", &pid),
                ("version", "1"),
                ("form[title]", "Halle"),
                ("form[communes][0]", "15187"),
                ("form[description]", &description),
            ],
            "description",
        ),
        (
            "projects/stage",
            vec![
                ("id", &pid),
                ("version", "1"),
                ("stage", "study"),
                ("reason", &reason),
            ],
            "reason",
        ),
        (
            "projects/health",
            vec![
                ("id", &pid),
                ("version", "1"),
                ("form[status]", "blocked"),
                ("form[reason]", &reason),
            ],
            "reason",
        ),
        (
            "milestones/add",
            vec![
                ("project_id", &pid),
                ("form[kind]", "decision"),
                ("form[title]", "Délibération"),
                ("form[due_date]", "2026-12-01"),
                ("form[note]", &note),
            ],
            "note",
        ),
        (
            "notes/add",
            vec![("project_id", &pid), ("form[body]", &note)],
            "body",
        ),
        (
            "funding/lines/add",
            vec![
                ("project_id", &pid),
                ("form[funder_id]", &detr),
                ("form[amount_requested]", "1000"),
                ("form[notes]", &note),
            ],
            "notes",
        ),
        (
            "funding/derogation",
            vec![
                ("project_id", &pid),
                ("version", "1"),
                ("form[kind]", "listed_monument"),
                ("form[reason]", &reason),
            ],
            "reason",
        ),
        (
            "directory/organisations/create",
            vec![
                ("form[name]", "Association"),
                ("form[kind]", "association"),
                ("form[address]", &address),
            ],
            "address",
        ),
        (
            "directory/people/create",
            vec![
                ("form[first_name]", "Léa"),
                ("form[last_name]", "Roux"),
                ("form[notes]", &dnote),
            ],
            "notes",
        ),
    ];
    for (endpoint, form, field) in cases {
        refused_on(s.post(endpoint, &form).await, 422, field).await;
    }
    assert_eq!(
        row_counts(&app.db).await,
        before,
        "a refusal wrote something"
    );
    assert_eq!(project_json(&s, project).await, page_before);

    // At the limit: accepted, and read back exactly.
    let longest = "é".repeat(max::DESCRIPTION);
    s.ok(s
        .post(
            "projects/update",
            &[
                ("id", &pid),
                ("version", "1"),
                ("form[title]", "Halle"),
                ("form[communes][0]", "15187"),
                ("form[description]", &longest),
            ],
        )
        .await)
        .await;
    assert_eq!(
        project_json(&s, project).await["description"].as_str(),
        Some(longest.as_str())
    );

    // A SIREN or SIRET of zeros passes Luhn but names no one.
    for number in ["000000000", "00000000000000"] {
        refused_on(
            s.post(
                "directory/organisations/create",
                &[
                    ("form[name]", "Zéro"),
                    ("form[kind]", "association"),
                    ("form[company_id]", number),
                ],
            )
            .await,
            422,
            "company_id",
        )
        .await;
    }
    app.stop().await;
    test_db.drop().await;
}
both_backends!(texts_over_their_limit_are_refused);

async fn refusals_land_on_the_field_they_are_about(backend: Backend) {
    let (test_db, app) = setup(backend).await;
    let s = Session::new(&app, "officer@cc-exemple.fr").await;
    let project = s.create_project(&[]).await;
    // Émergence → Achevé is not a move the rule allows: the stage's fault.
    let err = refused_on(
        s.post(
            "projects/stage",
            &[
                ("id", &project.to_string()),
                ("version", "1"),
                ("stage", "completed"),
            ],
        )
        .await,
        422,
        "stage",
    )
    .await;
    assert!(err.field("reason").is_none(), "{err:?}");

    // Every error page is French, the partner route's included.
    let partner = Session::new(&app, "partner@cc-exemple.fr").await;
    for path in [
        "/espace-partenaire/projets/abc",
        "/annuaire/personnes/abc/export.json",
        "/espace-partenaire/projets/99999999999999999999",
    ] {
        for who in [&partner.http, &s.http] {
            let res = who.get(app.url(path)).send().await.expect("get");
            let status = res.status().as_u16();
            assert!((400..500).contains(&status), "{path}: {status}");
            let body = res.text().await.expect("body");
            assert!(!body.contains("Invalid URL"), "{path}: {body}");
            assert!(!body.contains("Cannot parse"), "{path}: {body}");
            assert!(
                body.contains("Requête invalide")
                    || body.contains("introuvable")
                    || body.contains("n’existe pas")
                    || body.contains("droits"),
                "{path}: {body}"
            );
        }
    }
    app.stop().await;
    test_db.drop().await;
}
both_backends!(refusals_land_on_the_field_they_are_about);

/// The exports succeed with the longest accepted texts and the extreme
/// accepted dates, round-trip the text, neutralise formulas; and values
/// stored before the limits (a year-202 date, a 40 000-character reason)
/// no longer break them for everyone.
async fn exports_hold_every_accepted_value(backend: Backend) {
    let (test_db, app) = setup(backend).await;
    let s = Session::new(&app, "officer@cc-exemple.fr").await;
    let formula = "=HYPERLINK(\"http://x\")&";
    let title = format!(
        "{formula}{}",
        "é".repeat(max::TITLE - formula.chars().count())
    );
    assert_eq!(title.chars().count(), max::TITLE);
    // The longest labels an admin may give a programme and a funder, each
    // starting like a formula.
    create_user(&app.db, "admin@cc-exemple.fr", Role::Admin).await;
    let admin = Session::new(&app, "admin@cc-exemple.fr").await;
    let label = format!("+{}", "è".repeat(119));
    admin
        .ok(admin
            .post(
                "reference/save",
                &[
                    ("list", "programmes"),
                    ("form[code]", "prog_long"),
                    ("form[label]", &label),
                    ("form[active]", "on"),
                ],
            )
            .await)
        .await;
    let funder_name = format!("-{}", "ô".repeat(119));
    admin
        .ok(admin
            .post(
                "funders/save",
                &[
                    ("form[code]", "funder_long"),
                    ("form[name]", &funder_name),
                    ("form[category]", "public"),
                    ("form[active]", "on"),
                ],
            )
            .await)
        .await;
    let project = s
        .create_project(&[
            ("form[title]", &title),
            ("form[programmes][0]", "prog_long"),
        ])
        .await;
    let pid = project.to_string();
    let funder = s.funder(project, "funder_long").await;
    s.ok(s
        .post(
            "funding/lines/add",
            &[
                ("project_id", &pid),
                ("form[funder_id]", &funder),
                ("form[amount_requested]", "999 999 999,99"),
                ("form[application_deadline]", "2100-12-31"),
            ],
        )
        .await)
        .await;
    let reason = "R".repeat(max::REASON);
    s.ok(s
        .post(
            "projects/health",
            &[
                ("id", &pid),
                ("version", "1"),
                ("form[status]", "blocked"),
                ("form[reason]", &reason),
            ],
        )
        .await)
        .await;
    for date in ["1990-01-01", "2100-12-31"] {
        s.ok(s
            .post(
                "milestones/add",
                &[
                    ("project_id", &pid),
                    ("form[kind]", "decision"),
                    ("form[title]", "Borne"),
                    ("form[due_date]", date),
                ],
            )
            .await)
            .await;
    }
    let xlsx = |query: &'static str| {
        let http = s.http.clone();
        let url = app.url(&format!("/tableau-de-bord/export.xlsx{query}"));
        async move { http.get(url).send().await.expect("xlsx") }
    };
    let res = xlsx("").await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.expect("bytes");
    let mut book = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("workbook");
    let mut texts = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("sheet");
        texts.extend(
            range
                .rows()
                .flat_map(|r| r.to_vec())
                .filter_map(|c| match c {
                    Data::String(s) => Some(s),
                    _ => None,
                }),
        );
    }
    assert!(texts.contains(&title), "title read back exactly");
    assert!(texts.contains(&label), "programme label read back exactly");
    assert!(
        texts.contains(&funder_name),
        "funder name read back exactly"
    );

    let res = s
        .http
        .get(app.url("/tableau-de-bord/export.csv"))
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), 200);
    let csv = res.text().await.expect("text");
    // Quoted as CSV quotes it (the title holds quotes), behind the apostrophe
    // that keeps a spreadsheet from reading it as a formula.
    let quoted = format!("\"'{}\"", title.replace('"', "\"\""));
    assert!(csv.contains(&quoted), "formula neutralised, text exact");
    assert!(!csv.lines().any(|l| l.starts_with('=')));
    assert_eq!(xlsx("?depuis=0001-01-01").await.status(), 200);

    // Values stored before the forms checked them.
    let db = &app.db;
    db.execute_unprepared("UPDATE milestones SET due_date = '0202-01-01'")
        .await
        .expect("old date");
    db.execute_unprepared(&format!(
        "UPDATE projects SET health_reason = '{}'",
        "x".repeat(40_000)
    ))
    .await
    .expect("old reason");
    assert_eq!(xlsx("").await.status(), 200, "old values break the file");
    let res = s
        .http
        .get(app.url("/tableau-de-bord/export.csv"))
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), 200);
    app.stop().await;
    test_db.drop().await;
}
both_backends!(exports_hold_every_accepted_value);
