//! PostgreSQL as operators meet it (issue 15): a database restart while
//! users work (on a throwaway cluster this test starts and stops), two app
//! instances on one database, and the documented pg_dump / pg_restore.
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::domain::Role;
use app::server::db;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::support::{
    Backend, PASSWORD, TestApp, TestDb, add_milestone, client, create_user, login, milestone_form,
    signed_in_as,
};

/// The PostgreSQL programs: `MAILLAGE_PG_BINDIR`, else the newest
/// `/usr/lib/postgresql/*/bin` (scripts/test.sh installs them).
fn bindir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MAILLAGE_PG_BINDIR") {
        return dir.into();
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's programs (initdb, pg_ctl) under /usr/lib/postgresql: run scripts/test.sh, which installs them")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    dirs.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop().expect("initdb under /usr/lib/postgresql/*/bin")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// A PostgreSQL server program, run as the postgres user when the tests
/// run as root (PostgreSQL refuses root).
fn server_program(program: &str) -> Command {
    let program = bindir().join(program);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// A PostgreSQL server of the test's own, in a temporary directory.
struct Cluster {
    dir: tempfile::TempDir,
    port: u16,
}

impl Cluster {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("dir");
        if is_root() {
            // PostgreSQL refuses to run as root.
            let ok = Command::new("chown")
                .args(["postgres", dir.path().to_str().expect("path")])
                .status()
                .expect("chown");
            assert!(ok.success());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let cluster = Self { dir, port };
        let data = cluster.data();
        cluster.run("initdb", &["-D", &data, "--auth=trust", "-U", "postgres"]);
        cluster.start();
        cluster
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = server_program(program)
            .args(args)
            .output()
            .expect("run a PostgreSQL program");
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
    }

    fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = server_program("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "-w", "stop"])
            .output();
    }
}

async fn blocking(cluster: &Arc<Cluster>, f: fn(&Cluster)) {
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || f(&c))
        .await
        .expect("task");
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .expect("query")
    .expect("row")
    .try_get_by_index(0)
    .expect("count")
}

/// The database restarts under signed-in users who read and write: while
/// it is down every answer is a French 503 with Retry-After (never a 500),
/// `/healthz` says so at once, and within 5 s of its return everything
/// works again with the same app process; no answered write is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restart_during_requests() {
    let cluster = Arc::new(
        tokio::task::spawn_blocking(Cluster::new)
            .await
            .expect("cluster"),
    );
    let admin = sea_orm::Database::connect(cluster.url("postgres"))
        .await
        .expect("admin");
    admin
        .execute_unprepared("CREATE DATABASE maillage")
        .await
        .expect("create");
    admin.close().await.ok();
    let test_db = TestDb::external(cluster.url("maillage"));
    let conn = db::connect(&test_db.url).await.expect("connect");
    db::migrate(&conn).await.expect("migrate");
    crate::support::import_fixture(&conn).await;
    create_user(&conn, "officer@cc-exemple.fr", Role::Officer).await;
    conn.close().await.ok();
    let app = Arc::new(TestApp::spawn(&test_db).await);
    let officer = client();
    assert_eq!(
        login(&officer, &app, "officer@cc-exemple.fr", PASSWORD)
            .await
            .status(),
        200
    );
    let project = crate::support::api::create(&officer, &app, "Halle", &["15187"], &[]).await;
    let page = app.url(&format!("/projets/{project}"));
    assert_eq!(officer.get(&page).send().await.expect("page").status(), 200);
    // Alone on this cluster, hardly anything moves the snapshot between two
    // reads (autovacuum's ANALYZE may, once): a read soon finds the page
    // kept whole (`server::middleware::kept_pages`).
    for _ in 0..5 {
        assert_eq!(officer.get(&page).send().await.expect("page").status(), 200);
        if app.reads.pages.counts().0 > 0 {
            break;
        }
    }
    let (hits, misses) = app.reads.pages.counts();
    assert!(
        hits >= 1,
        "no read served kept: {hits} hits, {misses} misses"
    );

    // Readers and writers run through the restart.
    let running = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let mut workers = Vec::new();
    for w in 0..4 {
        let (officer, app, running, page) =
            (officer.clone(), app.clone(), running.clone(), page.clone());
        workers.push(tokio::spawn(async move {
            let (mut statuses, mut written) = (Vec::new(), 0);
            let mut n = 0;
            while running.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let status = if n % 2 == 0 {
                    officer.get(&page).send().await.map(|r| r.status().as_u16())
                } else {
                    let form = milestone_form(project, format!("{w}-{n}"));
                    let res = officer
                        .post(app.url("/api/milestones/add"))
                        .form(&form)
                        .send()
                        .await;
                    let status = res.map(|r| r.status().as_u16());
                    if matches!(status, Ok(200)) {
                        written += 1;
                    }
                    status
                };
                statuses.push(status.expect("every request is answered"));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (statuses, written)
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    blocking(&cluster, Cluster::stop).await;

    // Down: French 503 pages and functions, health at once.
    let res = officer.get(&page).send().await.expect("page");
    assert_eq!(res.status(), 503);
    assert!(res.headers().contains_key("retry-after"));
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("momentanément indisponible")
    );
    let form = milestone_form(project, "pendant");
    let res = officer
        .post(app.url("/api/milestones/add"))
        .form(&form)
        .send()
        .await
        .expect("write");
    assert_eq!(res.status(), 503);
    assert!(res.headers().contains_key("retry-after"));
    let asked = Instant::now();
    let res = client()
        .get(app.url("/healthz"))
        .timeout(Duration::from_secs(3))
        .send()
        .await
        .expect("healthz answers while the database is down");
    assert_eq!(res.status(), 503);
    let health_took = asked.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;

    blocking(&cluster, Cluster::start).await;
    let back = Instant::now();
    loop {
        if officer.get(&page).send().await.expect("page").status() == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(5),
            "not healed 5 s after the restart"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let healed = back.elapsed();
    tokio::time::sleep(Duration::from_millis(300)).await;
    running.store(false, std::sync::atomic::Ordering::Relaxed);
    let (mut statuses, mut written) = (Vec::new(), 0);
    for w in workers {
        let (s, n) = w.await.expect("worker");
        statuses.extend(s);
        written += n;
    }
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "only 200 and 503: {statuses:?}"
    );
    assert!(statuses.contains(&503) && statuses.ends_with(&[200]));
    // After the return, everything works: twenty pages and writes in a row.
    for n in 0..10 {
        assert_eq!(officer.get(&page).send().await.expect("page").status(), 200);
        assert_eq!(
            add_milestone(&officer, &app, project, format!("après-{n}")).await,
            200
        );
        written += 1;
    }
    let committed = count(&app.db, "SELECT COUNT(*) FROM milestones").await;
    assert!(
        committed >= written,
        "answered writes lost: {committed} < {written}"
    );
    let writes_tried = statuses.len() as i64 / 2 + 11;
    assert!(committed <= writes_tried);
    crate::support::assert_summaries_match(&app.db).await;
    eprintln!(
        "healthz answered in {health_took:?} while down; healed {healed:?} after the restart"
    );
    Arc::try_unwrap(app).ok().expect("one owner").stop().await;
}

/// Two instances of the app on one PostgreSQL database: a session made on
/// one works on the other, logging out on either ends it on both, and a
/// stale save through one after a save through the other answers 409.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_database() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let a = TestApp::spawn(&test_db).await;
    let b = TestApp::spawn(&test_db).await;
    crate::support::import_fixture(&a.db).await;
    create_user(&a.db, "officer@cc-exemple.fr", Role::Officer).await;
    let on_a = client();
    assert_eq!(
        login(&on_a, &a, "officer@cc-exemple.fr", PASSWORD)
            .await
            .status(),
        200
    );
    let project = crate::support::api::create(&on_a, &a, "Halle", &["15187"], &[]).await;
    // A session made on A, its cookie sent by hand to both.
    let session = session_cookie(&a).await;
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = |app: &TestApp| {
        bare.get(app.url(&format!("/projets/{project}")))
            .header("cookie", session.clone())
            .send()
    };
    assert_eq!(
        page(&b).await.expect("b").status(),
        200,
        "the session works on B"
    );

    // Two people opened version 1: the save on A wins, the one on B is stale.
    let edit = |title: &str| {
        vec![
            ("id", project.to_string()),
            ("version", "1".to_owned()),
            ("form[title]", title.to_owned()),
            ("form[communes][0]", "15187".to_owned()),
        ]
    };
    let save = |app: &TestApp, title: &str| {
        bare.post(app.url("/api/projects/update"))
            .header("cookie", session.clone())
            .form(&edit(title))
            .send()
    };
    assert_eq!(save(&a, "Halle gourmande").await.expect("a").status(), 200);
    assert_eq!(save(&b, "Halle du bourg").await.expect("b").status(), 409);
    // B rendered the page before A's save: it shows the save at once.
    let seen = page(&b).await.expect("b").text().await.expect("html");
    assert!(
        seen.contains("Halle gourmande"),
        "B's page follows A's save"
    );

    // Logging out on B ends the session on A too.
    let res = bare
        .post(b.url("/api/auth/logout"))
        .header("cookie", session.clone())
        .send()
        .await
        .expect("logout");
    assert_eq!(res.status(), 200);
    let res = page(&a).await.expect("a");
    assert_eq!(res.status(), 303, "A still knows a session ended on B");
    assert!(
        res.headers()["location"]
            .to_str()
            .expect("loc")
            .starts_with("/connexion")
    );
    a.stop().await;
    b.stop().await;
    test_db.drop().await;
}

/// A new session on `app`, as a `Cookie` header.
async fn session_cookie(app: &TestApp) -> String {
    let res = client()
        .post(app.url("/api/auth/login"))
        .form(&[
            ("email", "officer@cc-exemple.fr"),
            ("password", PASSWORD),
            ("next", ""),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
    let set = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(server::router::SESSION_COOKIE))
        .expect("a session cookie")
        .to_owned();
    set.split(';').next().expect("name=value").to_owned()
}

/// Every table's rows as one digest per table, ordered by the row's text.
async fn table_digests(db: &DatabaseConnection) -> Vec<(String, String, i64)> {
    let tables = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
                .to_owned(),
        ))
        .await
        .expect("tables");
    let mut out = Vec::new();
    for t in tables {
        let name: String = t.try_get_by_index(0).expect("name");
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!(
                    "SELECT coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), ''), count(*) \
                     FROM \"{name}\" t"
                ),
            ))
            .await
            .expect("digest")
            .expect("row");
        out.push((
            name,
            row.try_get_by_index::<String>(0).expect("md5"),
            row.try_get_by_index::<i64>(1).expect("count"),
        ));
    }
    out
}

/// The README's commands: `pg_dump -Fc` of a working database, then
/// `pg_restore --no-owner` into an empty one, which holds every table's
/// rows identical and serves the app (its sequences follow).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_dump_and_restore_round_trip() {
    let source = TestDb::new(Backend::Postgres).await;
    let app = TestApp::spawn(&source).await;
    crate::support::import_fixture(&app.db).await;
    let officer = signed_in_as(&app, "officer@cc-exemple.fr", Role::Officer).await;
    let project =
        crate::support::api::create(&officer, &app, "Halle « bio » ; 'citée'", &["15187"], &[])
            .await;
    for n in 0..5 {
        assert_eq!(
            add_milestone(&officer, &app, project, format!("{n} — é\u{a0}\"x\"")).await,
            200
        );
    }
    let before = table_digests(&app.db).await;
    assert!(
        before.iter().any(|(t, _, n)| t == "milestones" && *n == 5),
        "{before:?}"
    );

    let dir = tempfile::tempdir().expect("dir");
    let dump = dir.path().join("maillage.dump");
    let out = Command::new(bindir().join("pg_dump"))
        .args(["-Fc", "-f", dump.to_str().expect("path"), &source.url])
        .output()
        .expect("pg_dump");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let target = TestDb::empty(Backend::Postgres).await;
    let out = Command::new(bindir().join("pg_restore"))
        .args([
            "--no-owner",
            "-d",
            &target.url,
            dump.to_str().expect("path"),
        ])
        .output()
        .expect("pg_restore");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let restored_app = TestApp::spawn(&target).await;
    assert_eq!(table_digests(&restored_app.db).await, before);
    // The restored database serves the same session-less login and takes
    // new rows without an id clash.
    let again = client();
    assert_eq!(
        login(&again, &restored_app, "officer@cc-exemple.fr", PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(
        add_milestone(&again, &restored_app, project, "après restauration").await,
        200
    );
    crate::support::assert_summaries_match(&restored_app.db).await;
    restored_app.stop().await;
    app.stop().await;
    target.drop().await;
    source.drop().await;
}
