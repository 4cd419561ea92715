//! Commune type-ahead on the full official list (~35 000 communes), on
//! SQLite and, when reachable, PostgreSQL. Run on purpose:
//!
//!     scripts/bench.sh            (or: cargo bench -p server --bench communes)
//!
//! Needs the reference data (`REF_DATA_DIR`, installed by the scripts) and,
//! for PostgreSQL, `BENCH_PG_URL` (default postgres://postgres@127.0.0.1:5432/postgres).
//! Prints one Markdown row per backend for docs/PERFORMANCE.md.
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use app::server::{db, services::territories};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// What officers type: prefixes, accents left out, hyphens as spaces,
/// common words that match thousands of communes, an INSEE code.
const QUERIES: &[&str] = &[
    "sa",
    "saint",
    "saint etienne",
    "st flour",
    "saint-flour",
    "chaudes aigues",
    "ville",
    "sur",
    "mont",
    "le puy",
    "aix",
    "15187",
    "2A004",
    "xyzzy",
];
const ROUNDS: usize = 40;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

async fn run(label: &str, db: &DatabaseConnection, dir: &Path) {
    db::migrate(db).await.expect("migrate");
    let started = Instant::now();
    let report = territories::import_from_dir(db, dir).await.expect("import");
    let import = started.elapsed();
    // Warm up, then measure every query ROUNDS times.
    for q in QUERIES {
        territories::search_communes(db, q, 12)
            .await
            .expect("search");
    }
    let mut all = Vec::new();
    let mut worst: (Duration, &str) = (Duration::ZERO, "");
    for _ in 0..ROUNDS {
        for q in QUERIES {
            let t = Instant::now();
            let hits = territories::search_communes(db, q, 12)
                .await
                .expect("search");
            let d = t.elapsed();
            if d > worst.0 {
                worst = (d, q);
            }
            all.push(d);
            if *q == "saint etienne" {
                assert!(hits.iter().any(|h| h.name == "Saint-Étienne"), "{hits:?}");
            }
        }
    }
    all.sort();
    println!(
        "| {label} | {} communes | import {:.1} s | {} searches | p50 {:.1} ms | p95 {:.1} ms | max {:.1} ms (« {} ») |",
        report.communes,
        import.as_secs_f64(),
        all.len(),
        percentile(&all, 0.5).as_secs_f64() * 1e3,
        percentile(&all, 0.95).as_secs_f64() * 1e3,
        worst.0.as_secs_f64() * 1e3,
        worst.1,
    );
}

fn main() {
    let dir = PathBuf::from(
        std::env::var("REF_DATA_DIR")
            .expect("REF_DATA_DIR: the data folder of @etalab/decoupage-administratif"),
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let tmp = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}/bench.db?mode=rwc", tmp.path().display());
        let sqlite = db::connect(&url).await.expect("sqlite");
        run("SQLite", &sqlite, &dir).await;

        let admin_url = std::env::var("BENCH_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        match sea_orm::Database::connect(&admin_url).await {
            Ok(admin) => {
                let name = format!("maillage_bench_{}", std::process::id());
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create bench database");
                let (root, _) = admin_url.rsplit_once('/').expect("url");
                let pg = db::connect(&format!("{root}/{name}")).await.expect("pg");
                run("PostgreSQL", &pg, &dir).await;
                pg.close().await.ok();
                admin
                    .execute_unprepared(&format!("DROP DATABASE {name}"))
                    .await
                    .ok();
            }
            Err(e) => eprintln!("PostgreSQL not reachable ({e}): skipped"),
        }
    });
}
