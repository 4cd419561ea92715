//! The portfolio dashboard (heads; every staff member may read it, like the
//! project list it links to).
use leptos::prelude::*;

use crate::error::AppError;
use crate::models::PortfolioSummary;
#[cfg(feature = "ssr")]
use crate::{policy::Action, server::auth, server::services::dashboard};

#[server(endpoint = "dashboard/summary")]
pub async fn get_portfolio_summary() -> Result<PortfolioSummary, AppError> {
    auth::respond(
        async {
            auth::require(Action::ViewProjects)?;
            dashboard::summary(&auth::state()?.db).await
        }
        .await,
    )
}
