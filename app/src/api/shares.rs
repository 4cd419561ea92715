//! Sharing projects: staff share, change and revoke (`ShareProjects`); a
//! partner account lists what is shared with it (`ViewSharedWithMe`). The
//! shared pages themselves are axum routes (`server/src/shared_page.rs`),
//! which ask `policy::project_access`.
use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{CreatedShare, ProjectShares, ShareForm, SharedProjectSummary};
#[cfg(feature = "ssr")]
use crate::{policy::Action, server::auth, server::services::shares};

/// The project's shares and the partner accounts one may share with.
#[server(endpoint = "shares/list")]
pub async fn list_shares(project_id: i64) -> Result<ProjectShares, AppError> {
    auth::run(Action::ShareProjects, |cx| async move {
        shares::list(&cx.db, project_id, cx.today()).await
    })
    .await
}

/// Shares the project with a partner account or by a new link; a link's
/// token comes back once.
#[server(endpoint = "shares/create")]
pub async fn create_share(project_id: i64, form: ShareForm) -> Result<CreatedShare, AppError> {
    auth::run(Action::ShareProjects, |cx| async move {
        let (target, settings) = form.validate(cx.today())?;
        let state = auth::state()?;
        let mut created =
            shares::create(&state.db, &cx.actor, project_id, target, settings, cx.now).await?;
        created.url = created.token.as_deref().map(|token| {
            format!(
                "{}{}",
                auth::public_base(&state),
                crate::models::share_path(token)
            )
        });
        Ok(created)
    })
    .await
}

/// Changes a share's label, expiry and sections.
#[server(endpoint = "shares/update")]
pub async fn update_share(share_id: i64, form: ShareForm) -> Result<(), AppError> {
    auth::run(Action::ShareProjects, |cx| async move {
        let settings = form.validate_change(cx.today())?;
        shares::change(&cx.db, &cx.actor, share_id, settings, cx.now).await
    })
    .await
}

/// Revokes a share at once.
#[server(endpoint = "shares/revoke")]
pub async fn revoke_share(share_id: i64) -> Result<(), AppError> {
    auth::run(Action::ShareProjects, |cx| async move {
        shares::revoke(&cx.db, &cx.actor, share_id, cx.now).await
    })
    .await
}

/// The projects shared with the signed-in partner account.
#[server(endpoint = "shares/mine")]
pub async fn shared_with_me() -> Result<Vec<SharedProjectSummary>, AppError> {
    auth::run(Action::ViewSharedWithMe, |cx| async move {
        shares::shared_with(&cx.db, cx.actor.id, cx.today()).await
    })
    .await
}

#[cfg(feature = "ssr")]
crate::server_fn_args!(
    ListShares,
    CreateShare,
    UpdateShare,
    RevokeShare,
    SharedWithMe
);
