//! `GET /healthz`: is the process up, and can it reach its database?
use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde_json::json;

use app::server::AppState;

pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let backend = match state.db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "postgres",
        sea_orm::DatabaseBackend::Sqlite => "sqlite",
        _ => "other",
    };
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": { "status": "ok", "backend": backend } })),
        ),
        Err(err) => {
            tracing::error!(error = %err, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    json!({ "status": "degraded", "database": { "status": "unreachable", "backend": backend } }),
                ),
            )
        }
    }
}
