//! Calendar feeds over HTTP, on both databases, read back by an independent
//! parser (Python's `icalendar`, installed by scripts/test.sh): what a feed
//! holds, stable UIDs and a SEQUENCE that grows when a date moves (never
//! twice for one move, even with readers at once), deadlines that leave,
//! reminders, the time zone, hostile titles, ETag, and the token as the only
//! credential (renewed, revoked, a deactivated account, another scope).
use std::io::Write;
use std::process::{Command, Stdio};

use app::domain::Role;
use app::models::CreatedFeed;
use app::server::entities::user;
use chrono::{Duration, Months, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::Value;

use crate::both_backends;
use crate::support::api::{
    Form, add_line, add_milestone, create, funder, granted_detr, ok, ok_id, ok_json, plan, post,
    refused, signed_in,
};
use crate::support::{TestApp, client, signed_in_as};

/// The Python that has `icalendar`: `MAILLAGE_PYTHON`, else the one
/// scripts/test.sh installs under target/tools.
pub(crate) fn python() -> std::path::PathBuf {
    if let Some(path) = std::env::var_os("MAILLAGE_PYTHON") {
        return path.into();
    }
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tools/python/bin/python");
    assert!(
        path.exists(),
        "{} is missing: scripts/test.sh installs Python's icalendar there",
        path.display()
    );
    path
}

/// The feed as Python's `icalendar` reads it; fails on anything it
/// could not read or on a malformed line.
pub(crate) fn parsed(ics: &str) -> Value {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/tools/ical_check.py");
    let mut child = Command::new(python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(ics.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python ran");
    assert!(
        out.status.success(),
        "{}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(value["problems"], serde_json::json!([]), "{ics}");
    value
}

fn today() -> NaiveDate {
    app::server::clock::local_date(Utc::now())
}

pub(crate) fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

pub(crate) async fn new_feed(http: &reqwest::Client, app: &TestApp, scope: &str) -> String {
    let created: CreatedFeed = ok_json(on_feed(http, app, "create", scope).await).await;
    assert_eq!(created.scope.as_str(), scope);
    let path = created
        .url
        .split_once("/calendrier/")
        .map(|(_, rest)| format!("/calendrier/{rest}"))
        .expect("a feed address");
    assert!(path.ends_with(".ics"), "{path}");
    path
}

/// `calendar/<action>` for `scope` (create, revoke).
async fn on_feed(
    http: &reqwest::Client,
    app: &TestApp,
    action: &str,
    scope: &str,
) -> reqwest::Response {
    post(
        http,
        app,
        &format!("calendar/{action}"),
        &vec![("scope", scope.to_owned())],
    )
    .await
}

/// The feed read by a calendar client: no cookie, no session.
pub(crate) async fn fetch(app: &TestApp, path: &str) -> (u16, String, String) {
    let res = client().get(app.url(path)).send().await.expect("get");
    let status = res.status().as_u16();
    assert!(
        res.headers().get("set-cookie").is_none(),
        "a feed opens no session"
    );
    let tag = res
        .headers()
        .get("etag")
        .map(|t| t.to_str().expect("etag").to_owned())
        .unwrap_or_default();
    if status == 200 {
        assert_eq!(
            res.headers()["content-type"],
            "text/calendar; charset=utf-8"
        );
        assert_eq!(res.headers()["cache-control"], "private, no-cache");
    }
    (status, tag, res.text().await.expect("body"))
}

pub(crate) fn events(feed: &Value) -> Vec<Value> {
    feed["events"].as_array().expect("events").clone()
}

fn event<'a>(events: &'a [Value], uid_prefix: &str) -> &'a Value {
    events
        .iter()
        .find(|e| e["uid"].as_str().is_some_and(|u| u.starts_with(uid_prefix)))
        .unwrap_or_else(|| panic!("no {uid_prefix} in {events:?}"))
}

async fn a_feed_publishes_deadlines_and_follows_them(backend: crate::support::Backend) {
    let (test_db, app, http, _officer) = signed_in(backend).await;
    // Text that iCalendar must escape, placeholders the French templates
    // must not expand, and a title long enough to fold inside an accent.
    let project_title = "Maison de santé; Allanche, Marcenat: \\ %{title}";
    let id = create(&http, &app, project_title, &["15187"], &[]).await;
    let hostile = format!(
        "Réunion publique; élus, habitants: \\ %{{project}}\r\nBEGIN:VEVENT\rUID:x <script>alert(1)</script> {}",
        "é".repeat(60)
    );
    // What a calendar shows of it: one kind of line break.
    let shown = hostile.replace("\r\n", "\n").replace('\r', "\n");
    let milestone =
        ok_id(add_milestone(&http, &app, id, "public_meeting", &hostile, &day(20)).await).await;
    let done =
        ok_id(add_milestone(&http, &app, id, "other", "Visite de chantier", &day(5)).await).await;
    ok(post(
        &http,
        &app,
        "milestones/done",
        &vec![("milestone_id", done.to_string())],
    )
    .await)
    .await;

    // An application to file with the Région, and a DETR grant whose works
    // must start two years after its notification.
    let p = plan(&http, &app, id).await;
    let region = funder(&p, "region");
    let detr = funder(&p, "detr");
    let application = add_line(
        &http,
        &app,
        id,
        &region,
        "30 000",
        &[("form[application_deadline]", day(40).as_str())],
    )
    .await;
    let notified = today() - Duration::days(100);
    let detr_line = granted_detr(&http, &app, id, &detr, notified).await;
    // A colleague's project is not in this officer's feed.
    let colleague = signed_in_as(&app, "claire.petit@cc-exemple.fr", Role::Officer).await;
    let other = create(&colleague, &app, "Voie verte des Planèzes", &["15142"], &[]).await;
    ok_id(add_milestone(&colleague, &app, other, "other", "Jalon de Claire", &day(3)).await).await;

    let path = new_feed(&http, &app, "mine").await;
    let (status, tag, ics) = fetch(&app, &path).await;
    assert_eq!(status, 200, "{ics}");
    assert!(!tag.is_empty(), "an ETag");
    let feed = parsed(&ics);
    assert_eq!(feed["version"], "2.0");
    assert_eq!(feed["timezone"], "Europe/Paris");
    assert_eq!(
        feed["zones"]["Europe/Paris"],
        serde_json::json!({"01-15": [3600, 3600], "07-15": [7200, 7200]}),
        "the VTIMEZONE gives Paris' real offsets, this year and the next"
    );
    // Escaped on the wire: no line of the feed starts a second event.
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 3, "{ics}");
    assert!(!ics.contains("\r\nUID:x"), "{ics}");
    let list = events(&feed);
    assert_eq!(list.len(), 3, "{list:?}");

    let m = event(&list, &format!("jalon-{milestone}@"));
    assert_eq!(
        m["start"],
        serde_json::json!({"date": day(20)}),
        "an all-day event"
    );
    assert_eq!(
        m["end"],
        serde_json::json!({"date": day(21)}),
        "ending the next day, excluded"
    );
    assert_eq!(m["sequence"], 0);
    assert_eq!(
        m["summary"],
        format!("Jalon : {shown} — {project_title}"),
        "escaped on the wire, intact once read, no placeholder expanded"
    );
    assert_eq!(m["alarms"].as_array().expect("alarms").len(), 1);
    assert_eq!(
        m["alarms"][0]["seconds_before"],
        3 * 86_400 - 9 * 3600,
        "J-3 at 9:00"
    );
    assert_eq!(m["alarms"][0]["action"], "DISPLAY");
    let link = format!("/projets/{id}");
    assert!(m["url"].as_str().expect("url").ends_with(&link), "{m}");
    assert!(
        m["description"]
            .as_str()
            .expect("description")
            .contains(&link)
    );

    let a = event(&list, &format!("depot-{application}@"));
    assert_eq!(a["start"], serde_json::json!({"date": day(40)}));
    assert_eq!(
        a["summary"],
        format!("Dépôt du dossier (Région) : date limite — {project_title}")
    );
    let before: Vec<i64> = a["alarms"]
        .as_array()
        .expect("alarms")
        .iter()
        .map(|x| x["seconds_before"].as_i64().expect("seconds"))
        .collect();
    assert_eq!(
        before,
        [30 * 86_400 - 9 * 3600, 7 * 86_400 - 9 * 3600],
        "J-30 and J-7 at 9:00"
    );

    let start_by = notified
        .checked_add_months(Months::new(24))
        .expect("date")
        .to_string();
    let d = event(&list, &format!("detr-debut-{detr_line}@"));
    assert_eq!(d["start"], serde_json::json!({"date": start_by}));
    assert!(
        d["summary"]
            .as_str()
            .expect("summary")
            .starts_with("DETR : début des travaux")
    );

    // Unchanged: the same bytes, and 304 for a client that has them.
    let (_, again_tag, again) = fetch(&app, &path).await;
    assert_eq!(
        (again_tag.as_str(), again.as_str()),
        (tag.as_str(), ics.as_str())
    );
    let res = client()
        .get(app.url(&path))
        .header("if-none-match", &tag)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 304);

    // The milestone moves: the same UID, one more SEQUENCE, no duplicate;
    // readers at once raise it once.
    let form: Form = vec![
        ("milestone_id", milestone.to_string()),
        ("form[kind]", "public_meeting".into()),
        ("form[title]", hostile.clone()),
        ("form[due_date]", day(27)),
    ];
    ok(post(&http, &app, "milestones/update", &form).await).await;
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let app_url = app.url(&path);
            tokio::spawn(async move {
                let res = client().get(app_url).send().await.expect("get");
                (res.status().as_u16(), res.text().await.expect("body"))
            })
        })
        .collect();
    let mut bodies = Vec::new();
    for reader in readers {
        let (status, body) = reader.await.expect("reader");
        assert_eq!(status, 200, "{body}");
        bodies.push(body);
    }
    let (_, moved_tag, moved) = fetch(&app, &path).await;
    assert_ne!(moved_tag, tag);
    let list = events(&parsed(&moved));
    assert_eq!(list.len(), 3, "moved, not duplicated");
    let m = event(&list, &format!("jalon-{milestone}@"));
    assert_eq!(m["start"], serde_json::json!({"date": day(27)}));
    assert_eq!(m["sequence"], 1, "raised once for one move");
    for body in &bodies {
        let m = event(&events(&parsed(body)), &format!("jalon-{milestone}@")).clone();
        assert_eq!(m["sequence"], 1);
    }
    // Back to the first date: still one more, never back to 0.
    let mut back = form.clone();
    back[3].1 = day(20);
    ok(post(&http, &app, "milestones/update", &back).await).await;
    let (_, _, ics) = fetch(&app, &path).await;
    assert_eq!(
        event(&events(&parsed(&ics)), &format!("jalon-{milestone}@"))["sequence"],
        2
    );

    // Done: it leaves the feed.
    ok(post(
        &http,
        &app,
        "milestones/done",
        &vec![("milestone_id", milestone.to_string())],
    )
    .await)
    .await;
    let (_, _, ics) = fetch(&app, &path).await;
    let list = events(&parsed(&ics));
    assert_eq!(list.len(), 2, "{list:?}");
    assert!(
        list.iter()
            .all(|e| !e["uid"].as_str().unwrap_or_default().starts_with("jalon-"))
    );

    // The portfolio: a head's, with the colleague's project; not an officer's.
    let refusal = refused(on_feed(&http, &app, "create", "portfolio").await, 403).await;
    assert!(!refusal.message().is_empty());
    let head = signed_in_as(&app, "anne.roux@cc-exemple.fr", Role::Head).await;
    let portfolio = new_feed(&head, &app, "portfolio").await;
    let (status, _, ics) = fetch(&app, &portfolio).await;
    assert_eq!(status, 200);
    let summaries: Vec<String> = events(&parsed(&ics))
        .iter()
        .map(|e| e["summary"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        summaries.contains(&"Jalon : Jalon de Claire — Voie verte des Planèzes".to_owned()),
        "{summaries:?}"
    );
    assert_eq!(summaries.len(), 3, "{summaries:?}");

    crate::support::finish(app, test_db).await;
}
both_backends!(a_feed_publishes_deadlines_and_follows_them);

/// Changes an account as an admin would (deactivation, another role).
pub(crate) async fn change_user(
    app: &TestApp,
    id: i64,
    change: impl FnOnce(&mut user::ActiveModel),
) {
    let mut row: user::ActiveModel = user::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("query")
        .expect("user")
        .into();
    change(&mut row);
    row.update(&app.db).await.expect("change the account");
}

async fn the_token_is_the_only_credential_and_grants_nothing_else(
    backend: crate::support::Backend,
) {
    let (test_db, app, http, officer) = signed_in(backend).await;
    let first = new_feed(&http, &app, "mine").await;
    assert_eq!(fetch(&app, &first).await.0, 200);

    // The account page lists it, without its address.
    let feeds: Value = ok_json(post(&http, &app, "calendar/feeds", &vec![]).await).await;
    assert_eq!(feeds["scopes"], serde_json::json!(["mine"]));
    assert_eq!(feeds["feeds"].as_array().expect("feeds").len(), 1);
    assert!(
        !feeds.to_string().contains(
            first
                .trim_start_matches("/calendrier/")
                .trim_end_matches(".ics")
        )
    );

    // Renewed: the old address is dead at once, the new one works.
    let second = new_feed(&http, &app, "mine").await;
    assert_ne!(first, second);
    assert_eq!(fetch(&app, &first).await.0, 404);
    assert_eq!(fetch(&app, &second).await.0, 200);

    // The token opens nothing else: the client that read the feed is still
    // anonymous everywhere.
    let reader = client();
    assert_eq!(
        reader
            .get(app.url(&second))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );
    let home = reader.get(app.url("/projets")).send().await.expect("get");
    assert_eq!(home.status(), 303, "a feed's reader is not signed in");
    let api = reader
        .post(app.url("/api/calendar/feeds"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .expect("post");
    assert_eq!(api.status(), 401);
    let token = second
        .trim_start_matches("/calendrier/")
        .trim_end_matches(".ics");
    assert_eq!(
        fetch(&app, &format!("/partage/{token}")).await.0,
        404,
        "not a share link"
    );

    // Garbage and near misses: 404, never 500.
    let mut wrong = token.to_owned();
    wrong.replace_range(0..1, if wrong.starts_with('a') { "b" } else { "a" });
    for path in [
        "/calendrier/x.ics".to_owned(),
        "/calendrier/.ics".to_owned(),
        format!("/calendrier/{wrong}.ics"),
        format!(
            "/calendrier/{}.ics",
            token
                .to_uppercase()
                .replace(|c: char| c.is_ascii_digit(), "G")
        ),
        format!("/calendrier/{}.ics", "0".repeat(5000)),
        "/calendrier/%00%0d%0a.ics".to_owned(),
    ] {
        let (status, _, body) = fetch(&app, &path).await;
        assert_eq!(status, 404, "{path}: {body}");
    }

    // A deactivated account's feed stops.
    change_user(&app, officer, |row| row.active = Set(false)).await;
    assert_eq!(fetch(&app, &second).await.0, 404);

    // A head moved back to officer loses the portfolio's feed.
    let head_id = crate::support::create_user(&app.db, "anne.roux@cc-exemple.fr", Role::Head).await;
    let head = client();
    assert_eq!(
        crate::support::login(
            &head,
            &app,
            "anne.roux@cc-exemple.fr",
            crate::support::PASSWORD
        )
        .await
        .status(),
        200
    );
    let portfolio = new_feed(&head, &app, "portfolio").await;
    let mine = new_feed(&head, &app, "mine").await;
    assert_eq!(fetch(&app, &portfolio).await.0, 200);
    change_user(&app, head_id, |row| row.role = Set(Role::Officer)).await;
    assert_eq!(fetch(&app, &portfolio).await.0, 404);
    assert_eq!(fetch(&app, &mine).await.0, 200);

    // Revoked: 404; revoking again is no error. A partner has no feed.
    ok(on_feed(&head, &app, "revoke", "mine").await).await;
    assert_eq!(fetch(&app, &mine).await.0, 404);
    ok(on_feed(&head, &app, "revoke", "mine").await).await;
    let partner = signed_in_as(&app, "elu@mairie-exemple.fr", Role::Partner).await;
    refused(on_feed(&partner, &app, "create", "mine").await, 403).await;
    refused(post(&partner, &app, "calendar/feeds", &vec![]).await, 403).await;
    // An unknown scope is refused naming its field.
    let res = on_feed(&head, &app, "create", "everything").await;
    assert_eq!(
        res.status(),
        400,
        "{}",
        res.text().await.unwrap_or_default()
    );

    crate::support::finish(app, test_db).await;
}
both_backends!(the_token_is_the_only_credential_and_grants_nothing_else);
