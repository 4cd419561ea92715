//! The portfolio dashboard. Every staff member may read it (heads, admins
//! and officers alike, like the project list its numbers link to: a
//! structure's officers see all its projects); partners never.
use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{Dashboard, DashboardChoices, DashboardFilter};
#[cfg(feature = "ssr")]
use crate::{policy::Action, server::auth, server::services::dashboard};

/// An empty filter sends no field at all: `default` makes it the default
/// filter rather than a missing argument.
#[server(endpoint = "dashboard/view")]
pub async fn get_dashboard(
    #[server(default)] filter: DashboardFilter,
) -> Result<Dashboard, AppError> {
    auth::run(Action::ViewDashboard, |cx| async move {
        let filter = filter.validated()?;
        let today = cx.today();
        let txn = cx.snapshot().await?;
        let view = auth::state()?
            .reads
            .dashboards
            .get_or_read(&txn, (filter.clone(), today), || {
                dashboard::dashboard(&txn, &filter, today)
            })
            .await?;
        txn.commit().await?;
        Ok(view)
    })
    .await
}

#[server(endpoint = "dashboard/choices")]
pub async fn get_dashboard_choices() -> Result<DashboardChoices, AppError> {
    auth::run(Action::ViewDashboard, |cx| async move {
        let txn = cx.snapshot().await?;
        let choices = auth::state()?
            .reads
            .choices
            .get_or_read(&txn, (), || dashboard::choices(&txn))
            .await?;
        txn.commit().await?;
        Ok(choices)
    })
    .await
}

#[cfg(feature = "ssr")]
crate::server_fn_args!(GetDashboard, GetDashboardChoices);
