//! The real `maillage serve` process stopped by SIGTERM while writes are in
//! flight (issue 15): it stops accepting, finishes what it received, closes
//! its pool and exits 0; every write it answered is committed and none it
//! did not answer is.
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use app::domain::Role;
use sea_orm::{ConnectionTrait, Statement};

use crate::both_backends;
use crate::support::{Backend, PASSWORD, TestDb, create_user, milestone_form};

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

async fn start(url: &str) -> Server {
    start_with(url, &[], Stdio::null()).await
}

/// `maillage serve` on `url`, with extra environment variables and its
/// standard error (its log) sent to `log`; returns once it answers.
pub(crate) async fn start_with(url: &str, env: &[(&str, &str)], log: Stdio) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_maillage"))
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn maillage serve");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    loop {
        if let Ok(res) = reqwest::get(format!("{}/healthz", server.base)).await
            && res.status() == 200
        {
            return server;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server never answered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn sigterm_finishes_what_it_answered(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.connect().await;
    crate::support::import_fixture(&db).await;
    create_user(&db, "officer@cc-exemple.fr", Role::Officer).await;
    let mut server = start(&test_db.url).await;
    let http = crate::support::client();
    let login = http
        .post(format!("{}/api/auth/login", server.base))
        .form(&[
            ("email", "officer@cc-exemple.fr"),
            ("password", PASSWORD),
            ("next", ""),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let project: i64 = http
        .post(format!("{}/api/projects/create", server.base))
        .form(&[("form[title]", "Halle"), ("form[communes][0]", "15187")])
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("id");

    let mut writes = Vec::new();
    for n in 0..40 {
        let http = http.clone();
        let url = format!("{}/api/milestones/add", server.base);
        writes.push(tokio::spawn(async move {
            // Spread over ~100 ms, so that some arrive after the signal.
            tokio::time::sleep(Duration::from_millis(n * 3)).await;
            http.post(url)
                .form(&milestone_form(project, n))
                .send()
                .await
                .map(|res| res.status().as_u16())
        }));
    }
    tokio::time::sleep(Duration::from_millis(40)).await;
    let pid = server.child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let mut answered = 0;
    for write in writes {
        match write.await.expect("task") {
            Ok(200) => answered += 1,
            Ok(status) => panic!("a write answered {status} during the stop"),
            // Refused at the door once the server stopped accepting.
            Err(_) => {}
        }
    }
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(25),
            "the server did not stop within its grace period"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status}");
    let committed = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM milestones".to_owned(),
        ))
        .await
        .expect("count")
        .expect("row")
        .try_get::<i64>("", "n")
        .expect("n");
    assert_eq!(committed, answered, "answered writes = committed writes");
    println!("{answered} of 40 writes answered before the stop");
    assert!(answered > 0, "no write was in flight");
    db.close().await.ok();
    test_db.drop().await;
}
both_backends!(sigterm_finishes_what_it_answered);
