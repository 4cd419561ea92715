//! `maillage demo`: realistic demonstration data written through the real
//! services, idempotent (running it twice adds nothing). `run` is the one
//! entry point; each module seeds one part and later features add theirs.
//! Needs the reference data (the communes of the CC de Saint-Flour).
use app::error::AppError;
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

pub mod accounts;
pub mod directory;
mod funding;
pub mod projects;
pub mod scale;
pub mod shares;

pub use accounts::{DEMO_PASSWORD, DEMO_USERS};

/// `hour:minute` on `day` in the structure's zone, never after `now`: the
/// demo writes its history at believable office hours, over two years.
pub(crate) fn at_office(
    day: NaiveDate,
    hour: u32,
    minute: u32,
    now: chrono::DateTime<chrono::Utc>,
) -> chrono::DateTime<chrono::Utc> {
    let at = app::server::clock::day_start(day)
        + chrono::Duration::hours(i64::from(hour))
        + chrono::Duration::minutes(i64::from(minute));
    at.min(now)
}

/// A while after project `id`'s latest activity (`hours` later, never after
/// now): the demo's later writes keep each project's history in order.
pub(crate) async fn after_last(
    db: &DatabaseConnection,
    id: i64,
    hours: i64,
) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    use app::server::entities::projects::project;
    use sea_orm::EntityTrait;
    let now = chrono::Utc::now();
    let last = project::Entity::find_by_id(id)
        .one(db)
        .await?
        .map_or(now, |p| p.last_event_at);
    Ok((last + chrono::Duration::hours(hours)).min(now))
}

/// What `run` created (zero everywhere on a second run).
#[derive(Debug)]
pub struct DemoReport {
    pub accounts: usize,
    pub projects: usize,
    pub organisations: usize,
    /// The path of the demo share link, shown once when it is made.
    pub share_link: Option<String>,
    /// The generated portfolio, with the time it took, when asked for.
    pub scale: Option<(scale::ScaleReport, std::time::Duration)>,
}

/// Seeds accounts, projects, the directory and the shares, then `scale`
/// generated projects when given, as of `today`.
pub async fn run(
    db: &DatabaseConnection,
    today: NaiveDate,
    scale: Option<usize>,
) -> Result<DemoReport, AppError> {
    let accounts = accounts::seed(db).await?;
    let projects = projects::seed(db, today).await?;
    let organisations = directory::seed(db, today).await?;
    let share_link = shares::seed(db, today).await?;
    let scale = match scale {
        Some(n) => {
            let started = std::time::Instant::now();
            let report = scale::generate(db, n, today).await?;
            Some((report, started.elapsed()))
        }
        None => None,
    };
    Ok(DemoReport {
        accounts,
        projects,
        organisations,
        share_link,
        scale,
    })
}
