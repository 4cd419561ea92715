//! `/annuaire/personnes/{id}/export.json`: everything held about one person
//! (RGPD right of access) as a JSON download, behind the directory policy.
use axum::extract::{Extension, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use app::error::AppError;
use app::models::CurrentUser;
use app::policy::{Action, authorize};
use app::server::AppState;
use app::server::services::directory::rgpd;

pub async fn export_person(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        authorize(
            user.as_ref().map(|Extension(u)| u.role),
            Action::ViewDirectory,
        )?;
        let Some(Extension(actor)) = user else {
            return Err(AppError::Unauthenticated);
        };
        let export = rgpd::export(&state.db, &actor, id, chrono::Utc::now()).await?;
        serde_json::to_vec_pretty(&export).map_err(|err| {
            tracing::error!(error = %err, "person export");
            AppError::internal_here()
        })
    }
    .await;
    match result {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/json; charset=utf-8".to_owned(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"personne-{id}.json\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(err) => crate::dashboard_export::error(&err),
    }
}
