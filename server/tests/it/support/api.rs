//! The test client: the server functions called as a browser calls them
//! (a form POST to `/api/…` with the session cookie), one function per
//! call the tests make often, and the checks of their answers.
use app::domain::Role;
use app::error::AppError;
use app::models::{CreatedShare, FundingPlan, ProjectDetail};

use crate::support::import_fixture;
use crate::support::{Backend, PASSWORD, TestApp, TestDb, client, create_user, login};

pub type Form<'a> = Vec<(&'a str, String)>;

pub async fn post(
    http: &reqwest::Client,
    app: &TestApp,
    endpoint: &str,
    form: &Form<'_>,
) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    super::call(http, app, endpoint, &pairs).await
}

/// `post` with owned field names (`form[types][3]`, `filter[stage]`).
pub async fn post_owned(
    http: &reqwest::Client,
    app: &TestApp,
    endpoint: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let form: Form = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    post(http, app, endpoint, &form).await
}

/// The JSON of a 200 answer; any other status fails the test with the
/// answer's body.
pub async fn ok_json<T: serde::de::DeserializeOwned>(res: reqwest::Response) -> T {
    let status = res.status();
    let body = res.text().await.unwrap_or_default();
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// A 200 answer, whatever it holds; any other status fails the test with
/// the answer's body.
pub async fn ok(res: reqwest::Response) {
    let _: serde_json::Value = ok_json(res).await;
}

/// The id a creation answered (200); any other status fails the test.
pub async fn ok_id(res: reqwest::Response) -> i64 {
    ok_json(res).await
}

pub async fn get(
    http: &reqwest::Client,
    app: &TestApp,
    id: i64,
    since: Option<&str>,
) -> ProjectDetail {
    let mut form: Form = vec![("id", id.to_string())];
    if let Some(since) = since {
        form.push(("since", since.to_owned()));
    }
    let res = post(http, app, "projects/get", &form).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("json")
}

pub async fn create(
    http: &reqwest::Client,
    app: &TestApp,
    title: &str,
    communes: &[&str],
    extra: &[(&'static str, &str)],
) -> i64 {
    let mut form: Form = vec![("form[title]", title.to_owned())];
    let keys = [
        "form[communes][0]",
        "form[communes][1]",
        "form[communes][2]",
    ];
    for (key, code) in keys.iter().zip(communes) {
        form.push((key, (*code).to_owned()));
    }
    form.extend(form_of(extra));
    ok_json(post(http, app, "projects/create", &form).await).await
}

pub async fn signed_in(backend: Backend) -> (TestDb, TestApp, reqwest::Client, i64) {
    signed_in_on(backend, None).await
}

/// `signed_in`, the app keeping its documents in `bucket` when given.
pub async fn signed_in_on(
    backend: Backend,
    bucket: Option<app::server::config::S3Config>,
) -> (TestDb, TestApp, reqwest::Client, i64) {
    let test_db = TestDb::new(backend).await;
    let mut config = app::server::config::Config::for_database(&test_db.url);
    config.documents.s3 = bucket;
    let app = TestApp::spawn_with(&test_db, config).await;
    import_fixture(&app.db).await;
    let officer = create_user(&app.db, "julien.moreau@cc-exemple.fr", Role::Officer).await;
    let http = client();
    assert_eq!(
        login(&http, &app, "julien.moreau@cc-exemple.fr", PASSWORD)
            .await
            .status(),
        200
    );
    (test_db, app, http, officer)
}

pub async fn plan(http: &reqwest::Client, app: &TestApp, id: i64) -> FundingPlan {
    let form: Form = vec![("project_id", id.to_string())];
    ok_json(post(http, app, "funding/plan", &form).await).await
}

pub fn funder(plan: &FundingPlan, code: &str) -> String {
    plan.funders
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("funder {code}"))
        .id
        .to_string()
}

pub async fn add_line(
    http: &reqwest::Client,
    app: &TestApp,
    project: i64,
    funder_id: impl ToString,
    amount: &str,
    extra: &[(&'static str, &str)],
) -> i64 {
    let mut form: Form = vec![
        ("project_id", project.to_string()),
        ("form[funder_id]", funder_id.to_string()),
        ("form[amount_requested]", amount.to_owned()),
    ];
    form.extend(form_of(extra));
    ok_json(post(http, app, "funding/lines/add", &form).await).await
}

pub async fn move_status(
    http: &reqwest::Client,
    app: &TestApp,
    line: i64,
    version: i32,
    status: &str,
    extra: &[(&'static str, &str)],
) -> reqwest::Response {
    let mut form: Form = vec![
        ("line_id", line.to_string()),
        ("version", version.to_string()),
        ("form[status]", status.to_owned()),
    ];
    form.extend(form_of(extra));
    post(http, app, "funding/lines/status", &form).await
}

/// A new DETR line on `project`, filed 90 days before `notified`, then
/// granted on `notified` (the start of its lapse dates); its id.
pub async fn granted_detr(
    http: &reqwest::Client,
    app: &TestApp,
    project: i64,
    detr: &str,
    notified: chrono::NaiveDate,
) -> i64 {
    let line = add_line(http, app, project, detr, "150 000", &[]).await;
    let filed = (notified - chrono::Duration::days(90)).to_string();
    let notified = notified.to_string();
    for (version, status, date) in [(1, "requested", filed), (2, "granted", notified)] {
        let res = move_status(
            http,
            app,
            line,
            version,
            status,
            &[("form[date]", date.as_str())],
        )
        .await;
        assert_eq!(
            res.status(),
            200,
            "{status}: {}",
            res.text().await.unwrap_or_default()
        );
    }
    line
}

/// The answer is `status` with an `AppError` in French naming `field`.
pub async fn refused_on(res: reqwest::Response, status: u16, field: &str) -> AppError {
    let err = refused(res, status).await;
    let named = match &err {
        AppError::Validation(fields) => fields.get(field).is_some(),
        AppError::BadRequest { field: Some(f), .. } => f == field,
        _ => false,
    };
    assert!(named, "expected a refusal naming {field}: {err:?}");
    assert!(
        err.message().contains(field) || err.field(field).is_some(),
        "{err:?}"
    );
    err
}

/// `projects/stage`: moves project `id`, seen at `version`, to `stage`.
pub async fn change_stage(
    http: &reqwest::Client,
    app: &TestApp,
    id: i64,
    version: impl ToString,
    stage: &str,
    reason: Option<&str>,
) -> reqwest::Response {
    let mut form: Form = vec![
        ("id", id.to_string()),
        ("version", version.to_string()),
        ("stage", stage.to_owned()),
    ];
    if let Some(reason) = reason {
        form.push(("reason", reason.to_owned()));
    }
    post(http, app, "projects/stage", &form).await
}

/// `milestones/add`: a milestone of `kind` on `project`, due on `due`.
pub async fn add_milestone(
    http: &reqwest::Client,
    app: &TestApp,
    project: impl ToString,
    kind: &str,
    title: &str,
    due: &str,
) -> reqwest::Response {
    let form: Form = vec![
        ("project_id", project.to_string()),
        ("form[kind]", kind.to_owned()),
        ("form[title]", title.to_owned()),
        ("form[due_date]", due.to_owned()),
    ];
    post(http, app, "milestones/add", &form).await
}

/// `notes/add`: a note on `project`.
pub async fn add_note(
    http: &reqwest::Client,
    app: &TestApp,
    project: i64,
    body: &str,
) -> reqwest::Response {
    let form: Form = vec![
        ("project_id", project.to_string()),
        ("form[body]", body.to_owned()),
    ];
    post(http, app, "notes/add", &form).await
}

/// `projects/health`: project `id`, seen at `version`, is `status` because
/// of `reason`.
pub async fn set_health(
    http: &reqwest::Client,
    app: &TestApp,
    id: i64,
    version: impl ToString,
    status: &str,
    reason: &str,
) -> reqwest::Response {
    let form: Form = vec![
        ("id", id.to_string()),
        ("version", version.to_string()),
        ("form[status]", status.to_owned()),
        ("form[reason]", reason.to_owned()),
    ];
    post(http, app, "projects/health", &form).await
}

/// The fields as a form.
pub fn form_of<'a>(fields: &[(&'a str, &str)]) -> Form<'a> {
    fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

/// The `AppError` of an answer that must be `status`; any other status, or
/// a body that is not an `AppError`, fails the test with the body.
pub async fn refused(res: reqwest::Response, status: u16) -> AppError {
    let got = res.status().as_u16();
    let body = res.text().await.unwrap_or_default();
    assert_eq!(got, status, "{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("not an AppError ({e}): {body}"))
}

/// `directory/organisations/create` with `fields` (`form[name]`, `form[kind]`…).
pub async fn create_org(
    http: &reqwest::Client,
    app: &TestApp,
    fields: &[(&'static str, &str)],
) -> reqwest::Response {
    post(
        http,
        app,
        "directory/organisations/create",
        &form_of(fields),
    )
    .await
}

/// `directory/people/create`: the new person's id.
pub async fn new_person(
    http: &reqwest::Client,
    app: &TestApp,
    first: &str,
    last: &str,
    extra: &[(&'static str, &str)],
) -> i64 {
    let mut form: Form = vec![
        ("form[first_name]", first.to_owned()),
        ("form[last_name]", last.to_owned()),
    ];
    form.extend(form_of(extra));
    ok_json(post(http, app, "directory/people/create", &form).await).await
}

/// `partners/add`: `org` or `person` is a partner of `project` in `role`.
pub async fn link(
    http: &reqwest::Client,
    app: &TestApp,
    project: i64,
    role: &str,
    org: Option<i64>,
    person: Option<i64>,
    note: &str,
) -> reqwest::Response {
    post(
        http,
        app,
        "partners/add",
        &vec![
            ("project_id", project.to_string()),
            ("form[role]", role.to_owned()),
            (
                "form[organisation_id]",
                org.map(|o| o.to_string()).unwrap_or_default(),
            ),
            (
                "form[person_id]",
                person.map(|p| p.to_string()).unwrap_or_default(),
            ),
            ("form[note]", note.to_owned()),
        ],
    )
    .await
}

/// `shares/create` on `project` with `fields` (`form[target]`…).
pub async fn share(
    http: &reqwest::Client,
    app: &TestApp,
    project: i64,
    fields: &[(&'static str, &str)],
) -> reqwest::Response {
    let mut form: Form = vec![("project_id", project.to_string())];
    form.extend(form_of(fields));
    post(http, app, "shares/create", &form).await
}

/// The share a `shares/create` answered.
pub async fn created(res: reqwest::Response) -> CreatedShare {
    ok_json(res).await
}

/// A page's HTML over real HTTP; any answer but 200 fails the test.
pub async fn html(http: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let res = http.get(app.url(path)).send().await.expect("page");
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.expect("html")
}
