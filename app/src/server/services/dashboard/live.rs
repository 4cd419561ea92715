//! The whole dashboard by live queries only, never from the summaries:
//! only the tests use it, to check that the summaries give the same figures.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;

use crate::error::AppError;
use crate::models::{Dashboard, DashboardFilter};

use super::assemble;

/// The whole dashboard by live queries only (the tests check that the
/// summaries give the same figures).
pub async fn dashboard_live(
    db: &impl ConnectionTrait,
    filter: &DashboardFilter,
    today: NaiveDate,
) -> Result<Dashboard, AppError> {
    assemble(db, filter, today, None).await
}
