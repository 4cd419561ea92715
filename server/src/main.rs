//! The `maillage` binary: serve the app, migrate, create accounts, seed demo data.
use std::future::IntoFuture;
use std::sync::Arc;

use std::io::BufRead;
use tokio::sync::Notify;

use clap::{Parser, Subcommand};
use tower_sessions::ExpiredDeletion;

use app::models::NewUserForm;
use app::server::{
    AppState, config::Config, db, services::territories, services::users,
    session_store::SeaOrmStore,
};
use server::{demo, router, site};

/// Page renders allocate many small values; mimalloc serves them with far
/// less contention than glibc's malloc (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "maillage",
    version,
    about = "Maillage : le suivi des projets de territoire"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the application (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an account. The password is read from standard input (one line)
    /// unless --password is given.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, head, officer or partner.
        #[arg(long)]
        role: String,
        #[arg(long)]
        password: Option<String>,
        /// For a partner: the id of their organisation in the directory.
        #[arg(long)]
        organisation: Option<i64>,
    },
    /// Load the demonstration data (idempotent) and print the demo logins.
    /// Imports the territories first when the database has none.
    Demo {
        #[arg(long, env = "REF_DATA_DIR")]
        ref_data: Option<std::path::PathBuf>,
        /// Also generate this many extra projects (ten milestones and three
        /// funding lines each) by bulk inserts, for benchmarks.
        #[arg(long)]
        scale: Option<usize>,
    },
    /// The dashboard's summaries: check them against the projects, or
    /// recompute them (after data was changed behind the application).
    Summaries {
        /// Only compare; exit with an error when they differ.
        #[arg(long)]
        check: bool,
    },
    /// SQLite: write an online, consistent copy of the database to FILE
    /// (the app may keep running). PostgreSQL: use pg_dump (README).
    Backup { file: std::path::PathBuf },
    /// SQLite: replace the database by the backup FILE (stop the server first).
    Restore { file: std::path::PathBuf },
    /// Reference data (territories).
    Ref {
        #[command(subcommand)]
        action: RefAction,
    },
}

#[derive(Subcommand)]
enum RefAction {
    /// Import (or update) régions, départements, EPCI and communes from the
    /// `data/` directory of the npm package `@etalab/decoupage-administratif`.
    Import {
        #[arg(long, env = "REF_DATA_DIR")]
        from: std::path::PathBuf,
    },
}

#[tokio::main]
async fn main() {
    let _ = dotenvy::dotenv();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into());
    // The log goes to standard error (standard output carries the
    // commands' results). LOG_FORMAT=json: one JSON object per line (for a log collector),
    // with the request span's id, method and path in each.
    if std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json") {
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    if let Err(message) = run(Cli::parse()).await {
        eprintln!("Erreur : {message}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    app::server::clock::use_zone(config.time_zone);
    // A restore replaces the file before anything opens it.
    if let Some(Command::Restore { file }) = &cli.command {
        let target = db::sqlite_file(&config.database_url)
            .ok_or("la restauration intégrée concerne SQLite ; pour PostgreSQL, utilisez pg_restore (voir le README)")?;
        app::server::backup::restore(file, std::path::Path::new(target)).await?;
        println!("Base restaurée depuis {}.", file.display());
        return Ok(());
    }
    let conn = db::connect_with(&config.database_url, config.database_pool)
        .await
        .map_err(|e| {
            format!(
                "connexion à la base impossible ({}) : {e}",
                redact(&config.database_url)
            )
        })?;
    db::migrate(&conn)
        .await
        .map_err(|e| format!("migration impossible : {e}"))?;

    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(conn, config).await,
        Command::Backup { file } => {
            app::server::backup::backup(&conn, &file).await?;
            println!("Sauvegarde écrite : {}", file.display());
            Ok(())
        }
        Command::Restore { .. } => Ok(()),
        Command::Migrate => {
            println!("Base de données à jour.");
            Ok(())
        }
        Command::CreateUser {
            email,
            name,
            role,
            password,
            organisation,
        } => {
            let password = match password {
                Some(p) => p,
                None => {
                    eprintln!("Mot de passe (une ligne sur l’entrée standard) :");
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .map_err(|e| e.to_string())?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let form = NewUserForm {
                display_name: name,
                email,
                role,
                password,
                organisation_id: organisation.map(|id| id.to_string()).unwrap_or_default(),
            };
            let new = form.validate().map_err(describe)?;
            let created = users::create(&conn, new).await.map_err(describe)?;
            println!(
                "Compte créé : {} ({}), rôle {}",
                created.display_name,
                created.email,
                created.role.label()
            );
            Ok(())
        }
        Command::Ref {
            action: RefAction::Import { from },
        } => {
            let started = std::time::Instant::now();
            let report = territories::import_from_dir(&conn, &from)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "Référentiel importé en {:.1} s : {} régions, {} départements, {} EPCI, {} communes.",
                started.elapsed().as_secs_f64(),
                report.regions,
                report.departements,
                report.epcis,
                report.communes
            );
            Ok(())
        }
        Command::Summaries { check } => {
            use app::server::services::rollup;
            if check {
                let stored = rollup::stored(&conn).await.map_err(describe)?;
                let expected = rollup::expected(&conn).await.map_err(describe)?;
                if stored != expected {
                    return Err(
                        "les synthèses du tableau de bord diffèrent des projets : lancez `maillage summaries`"
                            .into(),
                    );
                }
                println!("Synthèses du tableau de bord à jour.");
            } else {
                let started = std::time::Instant::now();
                let n = rollup::rebuild(&conn).await.map_err(describe)?;
                println!(
                    "Synthèses du tableau de bord recalculées pour {n} projet(s) en {:.1} s.",
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(())
        }
        Command::Demo { ref_data, scale } => {
            if territories::commune_count(&conn).await.map_err(describe)? == 0 {
                let dir = ref_data.ok_or(
                    "le référentiel des communes est vide : indiquez --ref-data (ou REF_DATA_DIR), le dossier data/ \
                     du paquet npm @etalab/decoupage-administratif",
                )?;
                let report = territories::import_from_dir(&conn, &dir)
                    .await
                    .map_err(|e| e.to_string())?;
                println!("Référentiel importé : {} communes.", report.communes);
            }
            let report = demo::run(
                &conn,
                app::server::clock::local_date(chrono::Utc::now()),
                scale,
            )
            .await
            .map_err(describe)?;
            println!(
                "Données de démonstration chargées ({} compte(s), {} projet(s), {} organisation(s) créés).",
                report.accounts, report.projects, report.organisations
            );
            if let Some(path) = report.share_link {
                let addr = site::leptos_options().site_addr;
                println!(
                    "Lien de partage de démonstration (affiché une seule fois) : http://{addr}{path}"
                );
            }
            if let Some((r, took)) = report.scale {
                println!(
                    "Portefeuille généré en {:.1} s : {} projets, {} jalons, {} lignes de financement, {} événements.",
                    took.as_secs_f64(),
                    r.projects,
                    r.milestones,
                    r.funding_lines,
                    r.events
                );
            }
            print_demo_logins();
            Ok(())
        }
    }
}

async fn serve(conn: sea_orm::DatabaseConnection, config: Config) -> Result<(), String> {
    let options = site::leptos_options();
    let addr = options.site_addr;
    let store = SeaOrmStore::new(conn.clone());
    let state = AppState::new(conn, config, options);
    let limiters = [
        state.login_limiter.clone(),
        state.share_limiter.clone(),
        state.unsubscribe_limiter.clone(),
    ];
    // The metrics recorder keeps samples until they are folded into the
    // histograms: fold them every few seconds, scraped or not.
    let metrics = server::metrics::handle();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            every.tick().await;
            metrics.run_upkeep();
        }
    });
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(err) = store.delete_expired().await {
                tracing::warn!(error = %err, "expired session cleanup failed");
            }
            // Forget the per-IP counters of clients quiet for a while, so
            // memory does not grow with every address ever seen.
            for limiter in &limiters {
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        }
    });
    // Documents deleted past their retention, files no row refers to,
    // uploads a stopped process left: once at start, then every 6 hours.
    {
        let (db, documents) = (state.db.clone(), state.documents.clone());
        let retention = state.config.documents.retention_days;
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(6 * 3600));
            loop {
                every.tick().await;
                match app::server::services::documents::scheduled_purge(
                    &db,
                    &documents,
                    retention,
                    chrono::Utc::now(),
                )
                .await
                {
                    Ok((0, 0)) => {}
                    Ok((rows, files)) => tracing::info!(rows, files, "documents purged"),
                    Err(err) => tracing::warn!(error = ?err, "document purge failed"),
                }
            }
        });
    }
    if state.config.mail.scheduler {
        let mailer = app::server::mail::Mailer::new(&state.config.mail)?;
        app::server::mail::Scheduler {
            db: state.db.clone(),
            mailer: Arc::new(mailer),
            base_url: state
                .config
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{addr}"))
                .trim_end_matches('/')
                .to_owned(),
            uid_domain: server::calendar_feed::uid_domain(&state),
            zone: state.config.time_zone,
        }
        .spawn(state.config.mail.tick);
    }
    let db = state.db.clone();
    let limits = server::listener::Limits::of(&state.config);
    let stop = Arc::new(Notify::new());
    if let Some(ops_addr) = state.config.ops_addr {
        let ops = tokio::net::TcpListener::bind(ops_addr)
            .await
            .map_err(|e| format!("impossible d’écouter sur {ops_addr} (OPS_ADDR) : {e}"))?;
        let ops_app = server::router::ops_router(state.clone());
        let stop = stop.clone();
        tokio::spawn(async move {
            let served = axum::serve(
                ops,
                ops_app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(async move { stop.notified().await })
            .await;
            if let Err(err) = served {
                tracing::error!(error = %err, "operations listener stopped");
            }
        });
        println!("Santé et métriques : http://{ops_addr}/healthz");
    }
    let app = router(state);
    let tcp = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("impossible d’écouter sur {addr} : {e}"))?;
    let listener = server::listener::bounded(tcp, limits);
    println!("Maillage est prêt : http://{addr}/");
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown({
        let stop = stop.clone();
        async move { stop.notified().await }
    })
    .into_future();
    tokio::pin!(server);
    let result = tokio::select! {
        result = &mut server => result,
        signal = stop_signal() => {
            tracing::info!(signal, "stopping: no new connections, finishing the requests in flight");
            stop.notify_waiters();
            match tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await {
                Ok(result) => result,
                Err(_) => {
                    tracing::warn!(grace = ?SHUTDOWN_GRACE, "requests still running at the end of the grace period: stopping anyway");
                    Ok(())
                }
            }
        }
    };
    db.close().await.map_err(|e| e.to_string())?;
    result.map_err(|e| e.to_string())
}

/// How long requests in flight may take to finish once a stop is asked.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(20);

/// Ctrl-C, or SIGTERM (`systemctl stop`, a container stop).
async fn stop_signal() -> &'static str {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(err) => {
            tracing::warn!(error = %err, "SIGTERM cannot be caught: Ctrl-C only");
            let _ = tokio::signal::ctrl_c().await;
            return "SIGINT";
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}

fn print_demo_logins() {
    println!(
        "Comptes de démonstration (mot de passe : {}) :",
        demo::DEMO_PASSWORD
    );
    for (email, name, role) in demo::DEMO_USERS {
        println!("  {:<22} {:<40} {}", role.label(), email, name);
    }
}

/// A field-by-field account of an error, for the terminal.
fn describe(err: app::error::AppError) -> String {
    match &err {
        app::error::AppError::Validation(fields) => fields
            .0
            .iter()
            .map(|(field, message)| format!("{field} : {message}"))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => err.message(),
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
