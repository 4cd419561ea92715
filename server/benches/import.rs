//! A 10 000-row spreadsheet of projects imported on PostgreSQL and SQLite:
//! the preview (read, check every row against the real communes, store),
//! the confirmation, the same file again (no change), a file with 1 000
//! rows changed, and the undo. Run on purpose:
//!
//!     scripts/bench.sh    (or: cargo bench -p server --bench import --profile server-release)
//!
//! Needs `REF_DATA_DIR` (the territories) and, for PostgreSQL, `BENCH_PG_URL`
//! (default postgres://postgres@127.0.0.1:5432/postgres). `BENCH_ROWS`
//! overrides the row count. Prints Markdown rows for docs/PERFORMANCE.md.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use app::domain::import::{ImportKind, commune_key};
use app::models::CurrentUser;
use app::server::entities::territory::commune;
use app::server::{db, services};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};

/// The file: a French-Excel CSV (`;`, Windows-1252), communes by name for
/// two rows in three and by INSEE code otherwise, amounts as text.
fn sheet(communes: &[(String, String)], rows: usize, changed_every: Option<usize>) -> Vec<u8> {
    let stages = [
        "Émergence",
        "Études",
        "Montage financier",
        "en travaux",
        "Achevé",
    ];
    let mut text = String::from(
        "Référence;Intitulé;Commune(s);Maître d'ouvrage;Coût total HT;Phase;Date de début;DETR sollicitée;Région accordé\r\n",
    );
    for i in 0..rows {
        let (insee, name) = &communes[(i * 7) % communes.len()];
        let place = if i % 3 == 0 { insee } else { name };
        let mut cost = 10_000 + (i * 1_337) % 2_000_000;
        if changed_every.is_some_and(|n| i % n == 0) {
            cost += 1;
        }
        let cost = format!("{} {:03},{:02} €", cost / 1000, cost % 1000, i % 100);
        // Two funding lines per row: a DETR asked for, and every other row
        // a Région granted.
        let detr = format!("{} 000", 2 + i % 40);
        let region = if i % 2 == 0 { "5 000" } else { "" };
        text.push_str(&format!(
            "B-{i:05};Projet de territoire n° {i};{place};Commune de {name};{cost};{};{:02}/{:02}/2026;{detr};{region}\r\n",
            stages[i % stages.len()],
            1 + i % 28,
            1 + i % 12
        ));
    }
    encoding_rs::WINDOWS_1252.encode(&text).0.into_owned()
}

/// The same rows as an `.xlsx` workbook: amounts as numbers, dates as text.
fn workbook(csv: &[u8]) -> Vec<u8> {
    let text = encoding_rs::WINDOWS_1252.decode(csv).0.into_owned();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(';').enumerate() {
            let (r, c) = (r as u32, c as u16);
            let number = cell
                .trim_end_matches(" €")
                .replace(' ', "")
                .replace(',', ".")
                .parse::<f64>();
            match number {
                Ok(n) if c == 4 && r > 0 => sheet.write_number(r, c, n),
                _ => sheet.write_string(r, c, cell),
            }
            .expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

async fn run(backend: &str, conn: &DatabaseConnection, dir: &Path, rows: usize) {
    db::migrate(conn).await.expect("migrate");
    services::territories::import_from_dir(conn, dir)
        .await
        .expect("territories");
    server::demo::accounts::seed(conn).await.expect("accounts");
    let user = |role: &'static str| async move {
        let u = app::server::entities::user::Entity::find()
            .filter(app::server::entities::user::Column::Role.eq(role))
            .one(conn)
            .await
            .expect("users")
            .expect("an account");
        CurrentUser {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
        }
    };
    let officer = user("officer").await;
    let head = user("head").await;
    // Communes whose name is unique in France, so every row passes.
    let all: Vec<(String, String)> = commune::Entity::find()
        .all(conn)
        .await
        .expect("communes")
        .into_iter()
        .map(|c| (c.insee, c.name))
        .collect();
    let mut count: HashMap<String, usize> = HashMap::new();
    for (_, name) in &all {
        *count.entry(commune_key(name)).or_default() += 1;
    }
    let unique: Vec<(String, String)> = all
        .into_iter()
        .filter(|(_, name)| count[&commune_key(name)] == 1 && !name.contains([',', ';', '/']))
        .collect();
    let file = sheet(&unique, rows, None);
    let updated = sheet(&unique, rows, Some(10));
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let line = |what: &str, t: f64, note: String| {
        println!("| {backend} | {rows} | {what} | {t:.0} | {note} |");
    };

    let now = chrono::Utc::now();
    let t = Instant::now();
    let id = services::imports::upload(
        conn,
        &officer,
        "bench.csv",
        file.clone(),
        ImportKind::Projects,
        now,
    )
    .await
    .expect("upload");
    let preview = ms(t);
    let view = services::imports::view(conn, &officer, id)
        .await
        .expect("view");
    line(
        "preview (read, check, store)",
        preview,
        format!(
            "{} to create, {} refused",
            view.counts.create, view.counts.refused
        ),
    );
    let xlsx = workbook(&file);
    let t = Instant::now();
    let as_xlsx = services::imports::upload(
        conn,
        &officer,
        "bench.xlsx",
        xlsx.clone(),
        ImportKind::Projects,
        now,
    )
    .await
    .expect("upload");
    let preview = ms(t);
    let v = services::imports::view(conn, &officer, as_xlsx)
        .await
        .expect("view");
    line(
        "preview of the same rows as .xlsx",
        preview,
        format!("{} KB, {} to create", xlsx.len() / 1024, v.counts.create),
    );
    let t = Instant::now();
    let counts = services::imports::commit(conn, &officer, id, chrono::Utc::now())
        .await
        .expect("commit");
    let took = ms(t);
    let lines = app::server::entities::funding::funding_line::Entity::find()
        .count(conn)
        .await
        .expect("count");
    line(
        "confirmation",
        took,
        format!("{} projects created, {lines} funding lines", counts.create),
    );

    let t = Instant::now();
    let again =
        services::imports::upload(conn, &officer, "bench.csv", file, ImportKind::Projects, now)
            .await
            .expect("upload");
    let preview = ms(t);
    let v = services::imports::view(conn, &officer, again)
        .await
        .expect("view");
    line(
        "same file again: preview",
        preview,
        format!("{} unchanged", v.counts.unchanged),
    );

    let t = Instant::now();
    services::imports::undo(conn, &head, id, chrono::Utc::now())
        .await
        .expect("undo");
    line(
        "undo of the creation",
        ms(t),
        format!("{rows} projects deleted"),
    );
    // The portfolio again, for the update.
    let id = services::imports::upload(
        conn,
        &officer,
        "bench.csv",
        sheet(&unique, rows, None),
        ImportKind::Projects,
        now,
    )
    .await
    .expect("upload");
    services::imports::commit(conn, &officer, id, chrono::Utc::now())
        .await
        .expect("commit");

    let t = Instant::now();
    let changed = services::imports::upload(
        conn,
        &officer,
        "bench-2.csv",
        updated,
        ImportKind::Projects,
        now,
    )
    .await
    .expect("upload");
    let preview = ms(t);
    let v = services::imports::view(conn, &officer, changed)
        .await
        .expect("view");
    line(
        "updated file: preview",
        preview,
        format!("{} to update", v.counts.update),
    );
    let t = Instant::now();
    services::imports::commit(conn, &officer, changed, chrono::Utc::now())
        .await
        .expect("commit");
    line("updated file: confirmation", ms(t), String::new());
    let t = Instant::now();
    services::imports::undo(conn, &head, changed, chrono::Utc::now())
        .await
        .expect("undo");
    line("undo of the update", ms(t), String::new());
    assert!(
        services::rollup::stored(conn).await.expect("stored")
            == services::rollup::expected(conn).await.expect("expected"),
        "the summaries equal a rebuild"
    );
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let dir = PathBuf::from(
        std::env::var("REF_DATA_DIR")
            .expect("REF_DATA_DIR: the data folder of @etalab/decoupage-administratif"),
    );
    let rows: usize = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10_000);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        println!("| Backend | Rows | Step | Time (ms) | Result |");
        println!("|---|---|---|---|---|");
        let admin_url = std::env::var("BENCH_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        match sea_orm::Database::connect(&admin_url).await {
            Ok(admin) => {
                let name = format!("maillage_bench_import_{}", std::process::id());
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create bench database");
                let (root, _) = admin_url.rsplit_once('/').expect("url");
                let pg = db::connect(&format!("{root}/{name}")).await.expect("pg");
                run("PostgreSQL", &pg, &dir, rows).await;
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
        run("SQLite", &sqlite, &dir, rows).await;
    });
}
