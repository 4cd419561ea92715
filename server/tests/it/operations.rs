//! What operators rely on (issue 15): `/metrics` for the token or the
//! allowed addresses only, a request id in the log line and on the French
//! error page, and a bounded number of connections that idle ones cannot
//! hold forever.
use std::process::Stdio;
use std::time::Duration;

use app::server::config::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{Backend, TestApp, TestDb, add_milestone, client, signed_in_as};

const TOKEN: &str = "un-jeton-de-supervision-assez-long";

/// The value of the first sample of `metric` whose labels contain every
/// one of `labels` (`name="value"`), or 0.
fn sample(text: &str, metric: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .filter(|(series, _)| {
            series.split('{').next() == Some(metric) && labels.iter().all(|x| series.contains(x))
        })
        .map(|(_, v)| v.parse::<f64>().expect("a number"))
        .sum()
}

async fn scrape(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut req = client().get(app.url("/metrics"));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.expect("scrape")
}

async fn metrics_for_the_token_only(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let mut config = Config::for_database(&test_db.url);
    config.metrics_token = Some(TOKEN.to_owned());
    let app = TestApp::spawn_with(&test_db, config).await;

    for token in [None, Some("mauvais"), Some(&TOKEN[1..])] {
        let res = scrape(&app, token).await;
        assert_eq!(res.status(), 404, "token {token:?}");
        assert!(res.text().await.expect("body").contains("Page introuvable"));
    }
    let before = scrape(&app, Some(TOKEN)).await;
    assert_eq!(before.status(), 200);
    assert!(
        before.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .expect("type")
            .starts_with("text/plain; version=0.0.4")
    );
    let before = before.text().await.expect("text");

    // Three health checks, a missing file, a signed-in write.
    for _ in 0..3 {
        app.get("/healthz").await;
    }
    let missing = app.get("/pkg/pas-de-page-ici.js").await;
    assert_eq!(missing.status(), 404);
    crate::support::import_fixture(&app.db).await;
    let officer = signed_in_as(&app, "officer@cc-exemple.fr", app::domain::Role::Officer).await;
    let project = crate::support::api::create(&officer, &app, "Halle", &["15187"], &[]).await;
    assert_eq!(add_milestone(&officer, &app, project, 1).await, 200);

    let after = scrape(&app, Some(TOKEN)).await.text().await.expect("text");
    let health = [r#"route="/healthz""#, r#"method="GET""#, r#"status="200""#];
    // Other tests of this process count too: compare, never expect a total.
    assert!(
        sample(&after, "maillage_http_requests_total", &health)
            >= sample(&before, "maillage_http_requests_total", &health) + 3.0,
        "{after}"
    );
    // A file path is one series, not one per path.
    assert!(
        sample(
            &after,
            "maillage_http_requests_total",
            &[r#"route="/pkg/*""#, r#"status="404""#]
        ) >= 1.0,
        "{after}"
    );
    assert!(!after.contains("pas-de-page-ici"));
    // Each server function is its own route.
    assert!(
        sample(
            &after,
            "maillage_http_requests_total",
            &[
                r#"route="/api/milestones/add""#,
                r#"method="POST""#,
                r#"status="200""#
            ]
        ) >= 1.0,
        "{after}"
    );
    assert!(
        sample(
            &after,
            "maillage_http_request_duration_seconds_bucket",
            &[r#"route="/healthz""#, r#"le="+Inf""#]
        ) >= 3.0
    );
    assert!(sample(&after, "maillage_summaries_refresh_seconds_count", &[]) >= 2.0);
    assert!(after.contains(r#"maillage_db_pool_connections{state="idle"}"#));
    assert!(after.contains(r#"maillage_db_pool_connections{state="in_use"}"#));
    app.stop().await;
    test_db.drop().await;
}
crate::both_backends!(metrics_for_the_token_only);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_for_an_allowed_address() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let mut config = Config::for_database(&test_db.url);
    config.metrics_allow = vec![std::net::IpAddr::from([127, 0, 0, 1])];
    let app = TestApp::spawn_with(&test_db, config).await;
    let res = scrape(&app, None).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .expect("text")
            .contains("maillage_db_pool_connections")
    );
    // X-Forwarded-For never opens it: only the TCP peer counts.
    let mut other = Config::for_database(&test_db.url);
    other.metrics_allow = vec![std::net::IpAddr::from([10, 0, 0, 9])];
    other.trust_proxy = true;
    let closed = TestApp::spawn_with(&test_db, other).await;
    let res = client()
        .get(closed.url("/metrics"))
        .header("x-forwarded-for", "10.0.0.9")
        .send()
        .await
        .expect("scrape");
    assert_eq!(res.status(), 404);
    closed.stop().await;
    app.stop().await;
}

/// The id in `X-Request-Id` is the one printed on the French error page and
/// in the request's JSON log line; a hostile incoming id is replaced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_id_on_the_error_page_and_in_the_log() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let dir = tempfile::tempdir().expect("dir");
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let ops = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("addr")
        .to_string();
    let server = crate::shutdown::start_with(
        &test_db.url,
        &[
            ("LOG_FORMAT", "json"),
            ("RUST_LOG", "info"),
            ("OPS_ADDR", &ops),
        ],
        Stdio::from(log),
    )
    .await;
    let http = client();
    // A page the app cannot find, with no id given: a fresh one.
    let res = http
        .get(format!("{}/partage/%FF%FE", server.base))
        .send()
        .await
        .expect("get");
    let id = res.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_owned();
    assert_eq!(id.len(), 32, "{id}");
    let page = res.text().await.expect("page");
    assert!(page.contains(&format!("<code>{id}</code>")), "{page}");
    assert!(page.contains("Référence à donner au support"));

    // A proxy's id is kept; a hostile one is not echoed anywhere.
    let res = http
        .get(format!("{}/healthz", server.base))
        .header("x-request-id", "proxy-4242")
        .send()
        .await
        .expect("get");
    assert_eq!(res.headers()["x-request-id"], "proxy-4242");
    let res = http
        .get(format!("{}/partage/%FF%FE", server.base))
        .header("x-request-id", "<b>x</b>")
        .send()
        .await
        .expect("get");
    assert_ne!(res.headers()["x-request-id"], "<b>x</b>");
    assert!(!res.text().await.expect("page").contains("<b>x</b>"));

    // The operations address answers with an id too.
    let res = http
        .get(format!("http://{ops}/healthz"))
        .header("x-request-id", "ops-4242")
        .send()
        .await
        .expect("get on OPS_ADDR");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-request-id"], "ops-4242");

    // The log line of each answer carries its id, status and latency, on
    // either address.
    for wanted in ["proxy-4242", "ops-4242"] {
        let mut found = None;
        for _ in 0..50 {
            let text = std::fs::read_to_string(&log_path).expect("log");
            found = text
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .find(|l| l["span"]["id"] == wanted && l["fields"]["status"] == 200);
            if found.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let line = found.unwrap_or_else(|| {
            panic!(
                "a JSON log line for the request {wanted} in:\n{}",
                std::fs::read_to_string(&log_path).unwrap_or_default()
            )
        });
        assert_eq!(line["span"]["uri"], "/healthz");
        assert!(line["fields"]["latency"].is_string());
    }
    let text = std::fs::read_to_string(&log_path).expect("log");
    assert!(
        text.contains(&format!("\"id\":\"{id}\"")),
        "the error page's id is in the log"
    );
    drop(server);
}

/// A burst of readers renders at most `max_concurrent_pages` pages at a
/// time; the others wait their turn and are all answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_readers_renders_a_few_pages_at_a_time() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let mut config = Config::for_database(&test_db.url);
    config.max_concurrent_pages = 2;
    let app = TestApp::spawn_with(&test_db, config).await;
    crate::support::import_fixture(&app.db).await;
    let officer = signed_in_as(&app, "officer@cc-exemple.fr", app::domain::Role::Officer).await;
    let project = crate::support::api::create(&officer, &app, "Halle", &["15187"], &[]).await;

    let mut pages = tokio::task::JoinSet::new();
    for i in 0..24 {
        let path = match i % 3 {
            0 => format!("/projets/{project}"),
            1 => "/projets".to_owned(),
            _ => "/tableau-de-bord".to_owned(),
        };
        let (officer, url) = (officer.clone(), app.url(&path));
        pages.spawn(async move {
            let res = officer.get(url).send().await.expect("get");
            (path, res.status())
        });
    }
    while let Some(answer) = pages.join_next().await {
        let (path, status) = answer.expect("a page");
        assert_eq!(status, 200, "{path}");
    }
    // The hashed files and the probe never wait for a slot.
    assert_eq!(app.get("/healthz").await.status(), 200);
    let peak = app.pages.peak();
    assert!((1..=2).contains(&peak), "{peak} pages rendered at once");
}

/// A reader who leaves mid-render: the render runs to its end on its own
/// task, holding its page slot until then. (A Leptos render whose
/// request's owner was dropped mid-way could walk the page again without
/// its router and panic: seen under load as wrk closed its connections.)
/// The page's read is held back by a lock on the projects (PostgreSQL).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_render_outlives_a_reader_who_leaves() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let test_db = TestDb::new(Backend::Postgres).await;
    let app = TestApp::spawn(&test_db).await;
    crate::support::import_fixture(&app.db).await;
    let officer = signed_in_as(&app, "officer@cc-exemple.fr", app::domain::Role::Officer).await;
    let project = crate::support::api::create(&officer, &app, "Halle", &["15187"], &[]).await;

    let locker = sea_orm::Database::connect(&test_db.url)
        .await
        .expect("connect");
    let lock = locker.begin().await.expect("begin");
    lock.execute_unprepared("LOCK TABLE projects IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock");
    // The reader gives up after 1.5 s and closes its connection.
    let gone = officer
        .get(app.url(&format!("/projets/{project}")))
        .timeout(Duration::from_millis(1500))
        .send()
        .await;
    assert!(gone.is_err(), "the page waited for the lock");
    // Long after the reader left, the render still waits, in its slot.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        app.pages.rendering(),
        1,
        "the render goes on without its reader"
    );

    lock.commit().await.expect("unlock");
    let mut left = app.pages.rendering();
    for _ in 0..100 {
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        left = app.pages.rendering();
    }
    assert_eq!(left, 0, "the render ended once the rows were there");
    // The next reader is served.
    let res = officer
        .get(app.url(&format!("/projets/{project}")))
        .send()
        .await
        .expect("page");
    assert_eq!(res.status(), 200);
    locker.close().await.ok();
    crate::support::finish(app, test_db).await;
}

/// At most `max_connections` are served; a silent one is closed after the
/// idle timeout, which frees its place for the next client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_cannot_hold_the_server() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let mut config = Config::for_database(&test_db.url);
    config.max_connections = 8;
    config.idle_timeout = Duration::from_secs(1);
    let app = TestApp::spawn_with(&test_db, config).await;

    // Eight idle connections and one that sends half a request.
    let mut idle = Vec::new();
    for _ in 0..7 {
        idle.push(
            tokio::net::TcpStream::connect(app.addr)
                .await
                .expect("connect"),
        );
    }
    let mut trickle = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    trickle
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Every place is taken: a ninth client is not served yet…
    let waiting = client()
        .get(app.url("/healthz"))
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(waiting.is_err(), "served beyond the limit: {waiting:?}");

    // …the silent ones are closed by the server…
    for mut conn in idle.into_iter().chain([trickle]) {
        let mut buf = [0u8; 64];
        let read = tokio::time::timeout(Duration::from_secs(10), conn.read(&mut buf))
            .await
            .expect("the server closes an idle connection");
        assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    }
    // …and the next client is served.
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);

    // A kept-alive connection that keeps working is not cut: four requests
    // on one connection, spaced by more than half the idle timeout.
    let mut kept = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    for n in 0..4 {
        kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        let mut answer = Vec::new();
        while !answer.ends_with(b"}") {
            let mut buf = [0u8; 1024];
            let read = tokio::time::timeout(Duration::from_secs(5), kept.read(&mut buf))
                .await
                .expect("answered")
                .expect("read");
            assert!(
                read > 0,
                "request {n}: the server closed a working connection"
            );
            answer.extend_from_slice(&buf[..read]);
        }
        assert!(answer.starts_with(b"HTTP/1.1 200"));
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    app.stop().await;
}

/// Both answers a kept-alive connection gives to a refused server-function
/// call whose body comes 300 ms after its head, then to `GET /healthz`; or
/// what came before the server closed the connection.
async fn refusal_then_health(app: &TestApp, extra_headers: &str) -> String {
    let mut conn = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    let body = "id=1";
    let head = format!(
        "POST /api/projects/get HTTP/1.1\r\nHost: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n{extra_headers}\r\n",
        app.addr,
        body.len()
    );
    conn.write_all(head.as_bytes()).await.expect("head");
    tokio::time::sleep(Duration::from_millis(300)).await;
    conn.write_all(body.as_bytes()).await.expect("body");
    // The next request on the same connection, as a client's pool sends it.
    let _ = conn
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let mut seen = Vec::new();
    loop {
        let mut buf = [0u8; 4096];
        match tokio::time::timeout(Duration::from_secs(5), conn.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
        }
        let text = String::from_utf8_lossy(&seen);
        if text.matches("HTTP/1.1 ").count() == 2 && text.ends_with('}') {
            break;
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

/// A refusal decided before the request's body is read (no session,
/// another site) still reads it, so the kept-alive connection serves the
/// next request. hyper closes a connection whose body was left unread,
/// without a `Connection: close` the client could see: a client reusing it
/// got « connection closed before message completed » (the fuzz failure,
/// seed 1796314515 case 6415). Before `body_limit::after_body` both cases
/// here ended after the refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_early_refusal_keeps_the_connection_usable() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let app = TestApp::spawn(&test_db).await;
    for (what, headers, status) in [
        ("no session", String::new(), "401"),
        (
            "another site",
            "Origin: https://ailleurs.example\r\n".to_owned(),
            "403",
        ),
    ] {
        let text = refusal_then_health(&app, &headers).await;
        assert!(
            !text.to_ascii_lowercase().contains("connection: close"),
            "{what}: {text}"
        );
        // The status of each answer read, in order: the refusal, then the
        // health check on the same connection.
        let statuses: Vec<&str> = text
            .match_indices("HTTP/1.1 ")
            .filter_map(|(at, prefix)| text.get(at + prefix.len()..at + prefix.len() + 3))
            .collect();
        assert_eq!(
            statuses,
            [status, "200"],
            "{what}: the connection ended after the refusal: {text}"
        );
    }
    app.stop().await;
}

/// With `OPS_ADDR` set, `/healthz` (and `/metrics`, with its rule) answer
/// on their own listener while every slot of the public one is held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_on_the_operations_address_when_every_slot_is_held() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let ops = format!("127.0.0.1:{}", crate::shutdown::free_port());
    let server = crate::shutdown::start_with(
        &test_db.url,
        &[
            ("MAX_CONNECTIONS", "4"),
            ("IDLE_TIMEOUT_SECONDS", "60"),
            ("OPS_ADDR", &ops),
            ("METRICS_TOKEN", TOKEN),
        ],
        Stdio::null(),
    )
    .await;
    let public = server.base.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(
            tokio::net::TcpStream::connect(&public)
                .await
                .expect("connect"),
        );
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let waiting = client()
        .get(format!("{}/healthz", server.base))
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(waiting.is_err(), "served beyond the limit: {waiting:?}");
    for _ in 0..3 {
        let res = client()
            .get(format!("http://{ops}/healthz"))
            .timeout(Duration::from_secs(1))
            .send()
            .await
            .expect("the operations address answers within 1 s");
        assert_eq!(res.status(), 200);
        assert!(res.text().await.expect("body").contains("\"ok\""));
    }
    let metrics = client()
        .get(format!("http://{ops}/metrics"))
        .timeout(Duration::from_secs(1))
        .send()
        .await
        .expect("metrics");
    assert_eq!(metrics.status(), 404, "no token, no metrics");
    let metrics = client()
        .get(format!("http://{ops}/metrics"))
        .bearer_auth(TOKEN)
        .timeout(Duration::from_secs(1))
        .send()
        .await
        .expect("metrics");
    assert_eq!(metrics.status(), 200);
    // Only the probes live there: pages stay on the public listener.
    let page = client()
        .get(format!("http://{ops}/connexion"))
        .timeout(Duration::from_secs(1))
        .send()
        .await
        .expect("answer");
    assert_eq!(page.status(), 404);
    drop(held);
    drop(server);
    test_db.drop().await;
}
