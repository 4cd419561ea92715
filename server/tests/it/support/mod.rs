//! Test support: a real database per test (PostgreSQL cloned from a migrated
//! template, or a fresh SQLite file) and the real app served over HTTP.
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use app::domain::{Email, Role};
use app::models::NewUser;
use app::server::{AppState, config::Config, db, services::users};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio::sync::OnceCell;
use tokio::task::JoinHandle;

pub const PASSWORD: &str = "une phrase de passe solide";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

pub mod api;
pub mod builders;

/// The few reference territories the tests use (`tests/fixtures/decoupage`).
pub fn fixture_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/decoupage")
}

/// Loads the fixture territories into a test database.
pub async fn import_fixture(db: &sea_orm::DatabaseConnection) {
    app::server::services::territories::import_from_dir(db, &fixture_dir())
        .await
        .expect("import fixture");
}

/// The PostgreSQL server tests may create databases on.
pub fn pg_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn pg_url_for(db_name: &str) -> String {
    let admin = pg_admin_url();
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b.to_owned(), format!("?{q}")),
        None => (admin.clone(), String::new()),
    };
    let root = base
        .rsplit_once('/')
        .map(|(r, _)| r.to_owned())
        .unwrap_or(base);
    format!("{root}/{db_name}{query}")
}

static COUNTER: AtomicU32 = AtomicU32::new(0);
static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// Migrates a template database once per test process.
async fn pg_template() -> String {
    TEMPLATE
        .get_or_init(|| async {
            let name = format!("mt_tpl_{}", std::process::id());
            let admin = sea_orm::Database::connect(pg_admin_url())
                .await
                .expect("PostgreSQL reachable");
            drop_dead_processes_databases(&admin).await;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                .await
                .expect("drop old template");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create template");
            admin.close().await.ok();
            let tpl = db::connect(&pg_url_for(&name))
                .await
                .expect("connect template");
            db::migrate(&tpl).await.expect("migrate template");
            tpl.close().await.ok();
            name
        })
        .await
        .clone()
}

/// The databases of test processes no longer running (`mt_<pid>_<n>`,
/// `mt_tpl_<pid>`: a run killed before its guards ran), dropped when a new
/// test process makes its template.
async fn drop_dead_processes_databases(admin: &DatabaseConnection) {
    let rows = admin
        .query_all_raw(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'mt\\_%'",
        ))
        .await
        .expect("list test databases");
    for row in rows {
        let name: String = row.try_get_by_index(0).expect("datname");
        let pid = name
            .trim_start_matches("mt_tpl_")
            .trim_start_matches("mt_")
            .split('_')
            .next()
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid
            && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}

/// One test's own database, dropped when the test ends: by `drop().await`,
/// or by the guard when the test panics before it.
pub struct TestDb {
    pub url: String,
    pub name: String,
    /// A PostgreSQL database this struct created (and must drop).
    owned: bool,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A fresh, migrated database.
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Postgres => {
                let template = pg_template().await;
                let name = format!(
                    "mt_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst)
                );
                let admin = sea_orm::Database::connect(pg_admin_url())
                    .await
                    .expect("PostgreSQL reachable");
                // Cloning a template fails while another clone reads it: retry briefly.
                let mut tries = 0;
                loop {
                    match admin
                        .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                        .await
                    {
                        Ok(_) => break,
                        Err(err) if tries < 50 => {
                            tries += 1;
                            let _ = err;
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                        Err(err) => panic!("create test database: {err}"),
                    }
                }
                admin.close().await.ok();
                Self {
                    url: pg_url_for(&name),
                    name,
                    owned: true,
                    _dir: None,
                }
            }
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("test.db");
                let url = format!("sqlite://{}?mode=rwc", path.display());
                let conn = db::connect(&url).await.expect("open sqlite");
                db::migrate(&conn).await.expect("migrate sqlite");
                conn.close().await.ok();
                Self {
                    url,
                    name: path.display().to_string(),
                    owned: false,
                    _dir: Some(dir),
                }
            }
        }
    }

    /// An empty database (no migrations applied).
    pub async fn empty(backend: Backend) -> Self {
        match backend {
            Backend::Postgres => {
                let name = format!(
                    "mt_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst)
                );
                let admin = sea_orm::Database::connect(pg_admin_url())
                    .await
                    .expect("PostgreSQL reachable");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create db");
                admin.close().await.ok();
                Self {
                    url: pg_url_for(&name),
                    name,
                    owned: true,
                    _dir: None,
                }
            }
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("empty.db");
                Self {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    name: path.display().to_string(),
                    owned: false,
                    _dir: Some(dir),
                }
            }
        }
    }

    /// A database this struct does not own (a test's own cluster): `drop`
    /// must not be called on it.
    pub fn external(url: String) -> Self {
        Self {
            name: url.clone(),
            url,
            owned: false,
            _dir: None,
        }
    }

    pub async fn connect(&self) -> DatabaseConnection {
        db::connect(&self.url).await.expect("connect test database")
    }

    /// Drops a PostgreSQL test database (SQLite files go with their temp dir).
    pub async fn drop(mut self) {
        if self.owned {
            drop_pg_database(&self.name).await;
            self.owned = false;
        }
    }
}

async fn drop_pg_database(name: &str) {
    let admin = sea_orm::Database::connect(pg_admin_url())
        .await
        .expect("PostgreSQL reachable");
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .expect("drop test database");
    admin.close().await.ok();
}

impl Drop for TestDb {
    /// A test that panicked before `drop().await`: its database is dropped
    /// here, on a thread of its own (Drop cannot await).
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        let name = std::mem::take(&mut self.name);
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(drop_pg_database(&name));
        })
        .join();
        if dropped.is_err() && !std::thread::panicking() {
            panic!("could not drop a test database");
        }
    }
}

pub async fn create_user(db: &DatabaseConnection, email: &str, role: Role) -> i64 {
    users::create(
        db,
        NewUser {
            display_name: format!("Test {role}"),
            email: Email::parse(email).expect("valid email"),
            role,
            password: PASSWORD.to_owned(),
            organisation_id: None,
        },
    )
    .await
    .expect("create user")
    .id
}

/// The id of the account with this e-mail address.
pub async fn user_id(db: &DatabaseConnection, email: &str) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    app::server::entities::user::Entity::find()
        .filter(app::server::entities::user::Column::Email.eq(email))
        .one(db)
        .await
        .expect("users")
        .unwrap_or_else(|| panic!("no account for {email}"))
        .id
}

/// The real application, served on a random local port.
pub struct TestApp {
    pub addr: SocketAddr,
    pub db: DatabaseConnection,
    /// The app's page slots, to read how many pages rendered at once.
    pub pages: std::sync::Arc<app::server::page_slots::PageSlots>,
    /// The app's document store.
    pub documents: std::sync::Arc<app::server::documents::Store>,
    /// The app's kept answers, to read how often they were served kept.
    pub reads: std::sync::Arc<app::server::read_cache::Reads>,
    _documents_dir: Option<tempfile::TempDir>,
    handle: JoinHandle<()>,
}

impl TestApp {
    pub async fn spawn(test_db: &TestDb) -> Self {
        Self::spawn_with(test_db, Config::for_database(&test_db.url)).await
    }

    pub async fn spawn_with(test_db: &TestDb, mut config: Config) -> Self {
        let db = test_db.connect().await;
        // Each app its own document store, unless the test chose one.
        let documents_dir =
            if config.documents.dir == app::server::config::DocumentsConfig::default().dir {
                let dir = tempfile::Builder::new()
                    .prefix("maillage-documents-")
                    .tempdir()
                    .expect("a documents directory");
                config.documents.dir = dir.path().to_owned();
                Some(dir)
            } else {
                None
            };
        let limits = server::listener::Limits::of(&config);
        let state = AppState::new(db.clone(), config, server::site::leptos_options());
        let pages = state.pages.clone();
        let documents = state.documents.clone();
        let reads = state.reads.clone();
        let router = server::router(state);
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = tcp.local_addr().expect("addr");
        let listener = server::listener::bounded(tcp, limits);
        let handle = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .expect("serve");
        });
        Self {
            addr,
            db,
            pages,
            documents,
            reads,
            _documents_dir: documents_dir,
            handle,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A GET of `path` by a new visitor (no cookie).
    pub async fn get(&self, path: &str) -> reqwest::Response {
        client().get(self.url(path)).send().await.expect(path)
    }

    /// Stops serving (like a process exit) and closes the pool.
    pub async fn stop(self) {
        self.handle.abort();
        let _ = self.handle.await;
        self.db.close().await.ok();
    }
}

/// A new account with `role`, and a client signed in as it.
pub async fn signed_in_as(app: &TestApp, email: &str, role: Role) -> reqwest::Client {
    create_user(&app.db, email, role).await;
    let http = client();
    let res = login(&http, app, email, PASSWORD).await;
    assert_eq!(res.status(), 200, "login of {email}");
    http
}

/// The summaries, as stored, equal the summaries recomputed from the
/// projects (every write kept them up to date).
pub async fn assert_summaries_match(db: &sea_orm::DatabaseConnection) {
    use app::server::services::rollup;
    let stored = rollup::stored(db).await.expect("stored summaries");
    let expected = rollup::expected(db).await.expect("expected summaries");
    assert_eq!(stored.0, expected.0, "dashboard_totals");
    assert_eq!(stored.1, expected.1, "dashboard_days");
    use app::server::services::plan_figures;
    let stored = plan_figures::stored(db).await.expect("stored figures");
    let expected = plan_figures::expected(db).await.expect("expected figures");
    for (id, figures) in &expected {
        assert_eq!(
            stored.get(id),
            Some(figures),
            "plan figures of project {id}"
        );
    }
    assert_eq!(stored.len(), expected.len(), "projects with figures");
}

/// The end of a test: the dashboard summaries and the plan figures kept on
/// the rows equal a rebuild, the app stops, its database goes.
pub async fn finish(app: TestApp, test_db: TestDb) {
    assert_summaries_match(&app.db).await;
    app.stop().await;
    test_db.drop().await;
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Calls a server function the way the Leptos client does (URL-encoded POST).
pub async fn call(
    client: &reqwest::Client,
    app: &TestApp,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/{endpoint}")))
        .form(form)
        .send()
        .await
        .expect("request")
}

pub async fn login(
    client: &reqwest::Client,
    app: &TestApp,
    email: &str,
    password: &str,
) -> reqwest::Response {
    call(
        client,
        app,
        "auth/login",
        &[("email", email), ("password", password), ("next", "")],
    )
    .await
}

/// Adds milestone number `n` to `project` through the server function;
/// the status it answered.
pub async fn add_milestone(
    client: &reqwest::Client,
    app: &TestApp,
    project: i64,
    n: impl std::fmt::Display,
) -> u16 {
    let form = milestone_form(project, n);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    call(client, app, "milestones/add", &form)
        .await
        .status()
        .as_u16()
}

/// The form of milestone number `n` on `project`, as the concurrent-writer
/// tests send it.
pub fn milestone_form(project: i64, n: impl std::fmt::Display) -> [(&'static str, String); 4] {
    [
        ("project_id", project.to_string()),
        ("form[kind]", "decision".to_owned()),
        ("form[title]", format!("Jalon {n}")),
        ("form[due_date]", "2027-03-01".to_owned()),
    ]
}

/// Runs the test body once on PostgreSQL and once on SQLite.
#[macro_export]
macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::support::Backend::Postgres).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::support::Backend::Sqlite).await;
            }
        }
    };
}
