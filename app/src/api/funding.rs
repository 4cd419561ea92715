//! Funding plans: the plan of a project, its lines and their status moves,
//! the derogation to the self-funding rule, and the funder catalogue.
use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{
    AskedDocuments, AskedDocumentsForm, DerogationForm, FunderForm, FunderView, FundingLineForm,
    FundingPlan, FundingStatusForm,
};
#[cfg(feature = "ssr")]
use crate::{
    domain::funding::FundingStatus, policy::Action, server::auth, server::services::funding,
};

#[server(endpoint = "funding/plan")]
pub async fn get_funding_plan(project_id: i64) -> Result<FundingPlan, AppError> {
    auth::run(Action::ViewProjects, |cx| async move {
        funding::plan(&cx.db, project_id, cx.today()).await
    })
    .await
}

/// Adds a line (identified) to a project's plan; returns its id.
#[server(endpoint = "funding/lines/add")]
pub async fn add_funding_line(project_id: i64, form: FundingLineForm) -> Result<i64, AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        let input = form.validate(FundingStatus::Identified)?;
        funding::add_line(&cx.db, &cx.actor, project_id, input, cx.today(), cx.now).await
    })
    .await
}

/// Rewrites a line's details; returns its project's id.
#[server(endpoint = "funding/lines/update")]
pub async fn update_funding_line(
    line_id: i64,
    version: i32,
    form: FundingLineForm,
) -> Result<i64, AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        funding::update_line(&cx.db, &cx.actor, line_id, version, form, cx.now).await
    })
    .await
}

#[server(endpoint = "funding/lines/delete")]
pub async fn delete_funding_line(line_id: i64, version: i32) -> Result<i64, AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        funding::delete_line(&cx.db, &cx.actor, line_id, version, cx.now).await
    })
    .await
}

/// Moves a line through its lifecycle; returns its project's id.
#[server(endpoint = "funding/lines/status")]
pub async fn move_funding_status(
    line_id: i64,
    version: i32,
    form: FundingStatusForm,
) -> Result<i64, AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        let input = form.validate()?;
        funding::move_status(
            &cx.db,
            &cx.actor,
            line_id,
            version,
            input,
            cx.today(),
            cx.now,
        )
        .await
    })
    .await
}

/// Records (or, with an empty kind, clears) the derogation to the
/// self-funding rule.
#[server(endpoint = "funding/derogation")]
pub async fn set_derogation(
    project_id: i64,
    version: i32,
    form: DerogationForm,
) -> Result<(), AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        let derogation = form.validate()?;
        funding::set_derogation(&cx.db, &cx.actor, project_id, version, derogation, cx.now).await
    })
    .await
}

/// The whole funder catalogue (admins).
#[server(endpoint = "funders/list")]
pub async fn list_funders() -> Result<Vec<FunderView>, AppError> {
    auth::run(Action::ManageReferenceLists, |cx| async move {
        funding::all_funders(&cx.db).await
    })
    .await
}

/// Adds or updates a funder (admins).
#[server(endpoint = "funders/save")]
pub async fn save_funder(form: FunderForm) -> Result<(), AppError> {
    auth::run(Action::ManageReferenceLists, |cx| async move {
        let input = form.validate()?;
        tracing::info!(by = cx.actor.id, code = %input.code, "funder saved");
        funding::save_funder(&cx.db, input).await
    })
    .await
}

/// What each funder asks for with an application (admins).
#[server(endpoint = "funders/documents")]
pub async fn get_asked_documents() -> Result<AskedDocuments, AppError> {
    auth::run(Action::ManageReferenceLists, |cx| async move {
        crate::server::services::asked_documents::catalogue(&cx.db).await
    })
    .await
}

/// Sets the documents the funder `code` asks for by default (admins).
#[server(endpoint = "funders/documents/save")]
pub async fn save_funder_documents(
    code: String,
    #[server(default)] form: AskedDocumentsForm,
) -> Result<(), AppError> {
    auth::run(Action::ManageReferenceLists, |cx| async move {
        tracing::info!(by = cx.actor.id, code = %code, "funder documents saved");
        crate::server::services::asked_documents::save_for_funder(&cx.db, &code, form, cx.now).await
    })
    .await
}

/// Gives a funding line its own list of the documents its application
/// asks for, or back its funder's; returns its project's id.
#[server(endpoint = "funding/lines/documents")]
pub async fn save_line_documents(
    line_id: i64,
    version: i32,
    #[server(default)] form: AskedDocumentsForm,
) -> Result<i64, AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        crate::server::services::asked_documents::save_for_line(
            &cx.db, &cx.actor, line_id, version, form, cx.now,
        )
        .await
    })
    .await
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
    SaveFunder,
    GetAskedDocuments,
    SaveFunderDocuments,
    SaveLineDocuments
);
