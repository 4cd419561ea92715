//! The portfolio at 1 000 and 100 000 projects (ten milestones and three
//! funding lines each, from `demo --scale`), on PostgreSQL and SQLite: the
//! server time of the dashboard (unfiltered, filtered by programme, and by
//! two and three dimensions at once), the
//! project list (first page) and a project page. Run on purpose:
//!
//!     scripts/bench.sh    (or: cargo bench -p server --bench dashboard)
//!
//! Needs `REF_DATA_DIR` (the territories) and, for PostgreSQL, `BENCH_PG_URL`
//! (default postgres://postgres@127.0.0.1:5432/postgres). `BENCH_SIZES`
//! overrides the sizes (e.g. `1000`), `BENCH_ROUNDS` the measured runs.
//! Prints Markdown rows for docs/PERFORMANCE.md.
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use app::models::{DashboardFilter, ProjectFilter};
use app::server::{db, services};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

async fn measure<F, Fut>(label: &str, backend: &str, size: usize, rounds: usize, mut f: F)
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    // Warm-up (caches, prepared plans), then the measured rounds.
    for i in 0..3 {
        f(i).await;
    }
    let mut times = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let t = Instant::now();
        f(i).await;
        times.push(t.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "| {backend} | {size} | {label} | {rounds} | {:.1} | {:.1} | {:.1} |",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        ms(percentile(&times, 0.99)),
    );
}

async fn run(backend: &str, conn: &DatabaseConnection, dir: &Path, size: usize) {
    use app::server::entities::funding::funding_line;
    use app::server::entities::projects::{milestone, project};

    db::migrate(conn).await.expect("migrate");
    services::territories::import_from_dir(conn, dir)
        .await
        .expect("territories");
    server::demo::accounts::seed(conn).await.expect("accounts");
    let today = chrono::Utc::now().date_naive();
    let started = Instant::now();
    server::demo::scale::generate(conn, size, today)
        .await
        .expect("generate");
    let generated = started.elapsed();
    let projects = project::Entity::find().count(conn).await.expect("count");
    let milestones = milestone::Entity::find().count(conn).await.expect("count");
    let lines = funding_line::Entity::find()
        .count(conn)
        .await
        .expect("count");
    eprintln!(
        "{backend} {size}: {projects} projects, {milestones} milestones, {lines} funding lines generated in {:.1} s (summaries included)",
        generated.as_secs_f64()
    );
    {
        use app::server::entities::rollup::{dashboard_day, dashboard_total};
        let totals = dashboard_total::Entity::find()
            .count(conn)
            .await
            .expect("count");
        let days = dashboard_day::Entity::find()
            .count(conn)
            .await
            .expect("count");
        let started = Instant::now();
        services::rollup::rebuild(conn).await.expect("rebuild");
        eprintln!(
            "{backend} {size}: summaries {totals} total rows, {days} day-counter rows; a full rebuild takes {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let rounds = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(if size > 10_000 { 60 } else { 200 });
    let all = DashboardFilter::default();
    measure("dashboard", backend, size, rounds, |_| async {
        services::dashboard::dashboard(conn, &all, today)
            .await
            .expect("dashboard");
    })
    .await;
    let pvd = DashboardFilter {
        programme: Some("pvd".into()),
        ..DashboardFilter::default()
    };
    measure(
        "dashboard (programme PVD)",
        backend,
        size,
        rounds,
        |_| async {
            services::dashboard::dashboard(conn, &pvd, today)
                .await
                .expect("dashboard");
        },
    )
    .await;
    // Two dimensions or more: the summaries added up from the kept
    // projects' facts.
    let officer = project::Entity::find_by_id(1)
        .one(conn)
        .await
        .expect("project")
        .and_then(|p| p.lead_officer_id);
    let combined = [
        (
            "dashboard (programme PVD + officer)",
            DashboardFilter {
                programme: Some("pvd".into()),
                officer,
                ..DashboardFilter::default()
            },
        ),
        (
            "dashboard (programme ACV + theme commerce + stage funding)",
            DashboardFilter {
                programme: Some("acv".into()),
                theme: Some("commerce".into()),
                stage: Some("funding".into()),
                ..DashboardFilter::default()
            },
        ),
    ];
    for (label, filter) in &combined {
        let kept = services::projects::list(conn, &filter.projects(), today)
            .await
            .expect("list")
            .total;
        eprintln!("{backend} {size}: {label} keeps {kept} projects");
        measure(label, backend, size, rounds, |_| async {
            services::dashboard::dashboard(conn, filter, today)
                .await
                .expect("dashboard");
        })
        .await;
    }
    let list = ProjectFilter::default();
    measure("project list (page 1)", backend, size, rounds, |_| async {
        services::projects::list(conn, &list, today)
            .await
            .expect("list");
    })
    .await;
    let first = i64::try_from(projects).unwrap_or(1);
    measure("project page", backend, size, rounds, |i| async move {
        // Pages spread over the portfolio, each a different project.
        let id = 1 + (i as i64 * 7919) % first;
        services::projects::detail(conn, id, None, Default::default(), today)
            .await
            .expect("detail");
    })
    .await;
    // The price of the summaries: a write (health blocked, then back on
    // track) with its event and the summary upserts, one project each run.
    let head = app::server::entities::user::Entity::find()
        .filter(app::server::entities::user::Column::Role.eq("head"))
        .one(conn)
        .await
        .expect("users")
        .expect("a head account");
    let actor = app::models::CurrentUser {
        id: head.id,
        email: head.email,
        display_name: head.display_name,
        role: app::domain::Role::Head,
    };
    let actor = &actor;
    measure(
        "write: health change (with summaries)",
        backend,
        size,
        rounds,
        |i| async move {
            let id = 1 + (i as i64 * 104_729) % first;
            let row = project::Entity::find_by_id(id)
                .one(conn)
                .await
                .expect("project")
                .expect("exists");
            let health = if row.health == app::domain::HealthStatus::Blocked {
                app::domain::Health::OnTrack
            } else {
                app::domain::Health::Blocked {
                    reason: "Recours".into(),
                }
            };
            services::projects::change_health(
                conn,
                actor,
                id,
                row.version,
                health,
                chrono::Utc::now(),
            )
            .await
            .expect("write");
        },
    )
    .await;
    // The worst case for the summaries: a stage move changes every row the
    // project counts in (timed alone, then rolled back).
    measure(
        "summaries: refresh after a stage move",
        backend,
        size,
        rounds,
        |i| async move {
            use sea_orm::TransactionTrait;
            let id = 1 + (i as i64 * 7_919) % first;
            let txn = conn.begin().await.expect("begin");
            let row = project::Entity::find_by_id(id)
                .one(&txn)
                .await
                .expect("project")
                .expect("exists");
            let to = if row.stage == app::domain::Stage::Funding {
                app::domain::Stage::Delivery
            } else {
                app::domain::Stage::Funding
            };
            project::Entity::update_many()
                .col_expr(project::Column::Stage, sea_orm::sea_query::Expr::value(to))
                .filter(project::Column::Id.eq(id))
                .exec(&txn)
                .await
                .expect("move");
            services::rollup::refresh(&txn, id).await.expect("refresh");
            txn.rollback().await.expect("rollback");
        },
    )
    .await;
}

fn main() {
    // `RUST_LOG=sqlx::query=info` prints every statement with its time.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let dir = PathBuf::from(
        std::env::var("REF_DATA_DIR")
            .expect("REF_DATA_DIR: the data folder of @etalab/decoupage-administratif"),
    );
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "1000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        println!("| Backend | Projects | Measure | Runs | p50 (ms) | p95 (ms) | p99 (ms) |");
        println!("|---|---|---|---|---|---|---|");
        let admin_url = std::env::var("BENCH_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        for &size in &sizes {
            match sea_orm::Database::connect(&admin_url).await {
                Ok(admin) => {
                    let name = format!("maillage_bench_dash_{}_{size}", std::process::id());
                    admin
                        .execute_unprepared(&format!("CREATE DATABASE {name}"))
                        .await
                        .expect("create bench database");
                    let (root, _) = admin_url.rsplit_once('/').expect("url");
                    let pg = db::connect(&format!("{root}/{name}")).await.expect("pg");
                    run("PostgreSQL", &pg, &dir, size).await;
                    pg.close().await.ok();
                    admin
                        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
                        .await
                        .ok();
                }
                Err(e) => eprintln!("PostgreSQL not reachable ({e}): skipped"),
            }
            let tmp = tempfile::tempdir().expect("tempdir");
            let url = format!("sqlite://{}/bench.db?mode=rwc", tmp.path().display());
            let sqlite = db::connect(&url).await.expect("sqlite");
            run("SQLite", &sqlite, &dir, size).await;
        }
    });
}
