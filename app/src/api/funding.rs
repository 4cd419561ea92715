//! Funding plans: the plan of a project, its lines and their status moves,
//! the derogation to the self-funding rule, and the funder catalogue.
use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{
    DerogationForm, FunderForm, FunderView, FundingLineForm, FundingPlan, FundingStatusForm,
};
#[cfg(feature = "ssr")]
use crate::{
    domain::funding::FundingStatus, policy::Action, server::auth, server::services::funding,
};

#[cfg(feature = "ssr")]
use super::today;
#[server(endpoint = "funding/plan")]
pub async fn get_funding_plan(project_id: i64) -> Result<FundingPlan, AppError> {
    auth::respond(
        async {
            auth::require(Action::ViewProjects)?;
            funding::plan(&auth::state()?.db, project_id, today()).await
        }
        .await,
    )
}

/// Adds a line (identified) to a project's plan; returns its id.
#[server(endpoint = "funding/lines/add")]
pub async fn add_funding_line(project_id: i64, form: FundingLineForm) -> Result<i64, AppError> {
    auth::respond(
        async {
            let actor = auth::require(Action::EditProjects)?;
            let input = form.validate(FundingStatus::Identified)?;
            funding::add_line(
                &auth::state()?.db,
                &actor,
                project_id,
                input,
                today(),
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

/// Rewrites a line's details; returns its project's id.
#[server(endpoint = "funding/lines/update")]
pub async fn update_funding_line(
    line_id: i64,
    version: i32,
    form: FundingLineForm,
) -> Result<i64, AppError> {
    auth::respond(
        async {
            let actor = auth::require(Action::EditProjects)?;
            funding::update_line(
                &auth::state()?.db,
                &actor,
                line_id,
                version,
                form,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "funding/lines/delete")]
pub async fn delete_funding_line(line_id: i64, version: i32) -> Result<i64, AppError> {
    auth::respond(
        async {
            let actor = auth::require(Action::EditProjects)?;
            funding::delete_line(
                &auth::state()?.db,
                &actor,
                line_id,
                version,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

/// Moves a line through its lifecycle; returns its project's id.
#[server(endpoint = "funding/lines/status")]
pub async fn move_funding_status(
    line_id: i64,
    version: i32,
    form: FundingStatusForm,
) -> Result<i64, AppError> {
    auth::respond(
        async {
            let actor = auth::require(Action::EditProjects)?;
            let input = form.validate()?;
            funding::move_status(
                &auth::state()?.db,
                &actor,
                line_id,
                version,
                input,
                today(),
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

/// Records (or, with an empty kind, clears) the derogation to the
/// self-funding rule.
#[server(endpoint = "funding/derogation")]
pub async fn set_derogation(
    project_id: i64,
    version: i32,
    form: DerogationForm,
) -> Result<(), AppError> {
    auth::respond(
        async {
            let actor = auth::require(Action::EditProjects)?;
            let derogation = form.validate()?;
            funding::set_derogation(
                &auth::state()?.db,
                &actor,
                project_id,
                version,
                derogation,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

/// The whole funder catalogue (admins).
#[server(endpoint = "funders/list")]
pub async fn list_funders() -> Result<Vec<FunderView>, AppError> {
    auth::respond(
        async {
            auth::require(Action::ManageReferenceLists)?;
            funding::all_funders(&auth::state()?.db).await
        }
        .await,
    )
}

/// Adds or updates a funder (admins).
#[server(endpoint = "funders/save")]
pub async fn save_funder(form: FunderForm) -> Result<(), AppError> {
    auth::respond(
        async {
            let admin = auth::require(Action::ManageReferenceLists)?;
            let input = form.validate()?;
            tracing::info!(by = admin.id, code = %input.code, "funder saved");
            funding::save_funder(&auth::state()?.db, input).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
crate::server_fn_args!(
    GetFundingPlan,
    AddFundingLine,
    UpdateFundingLine,
    DeleteFundingLine,
    MoveFundingStatus,
    SetDerogation,
    ListFunders,
    SaveFunder
);
