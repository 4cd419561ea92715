//! `GET /healthz`: is the process up, and can it reach its database?
//! Answers within about a second either way: a database that does not
//! answer a ping within [`PING_TIMEOUT`] is reported unreachable (503).
use std::time::Duration;

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use app::server::AppState;

pub const PING_TIMEOUT: Duration = Duration::from_secs(1);

pub async fn healthz(State(state): State<AppState>) -> Response {
    let backend = match state.db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "postgres",
        sea_orm::DatabaseBackend::Sqlite => "sqlite",
        _ => "other",
    };
    let ping = match tokio::time::timeout(PING_TIMEOUT, state.db.ping()).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err(format!("no answer within {PING_TIMEOUT:?}")),
    };
    match ping {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": { "status": "ok", "backend": backend } })),
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "5")],
                Json(
                    json!({ "status": "degraded", "database": { "status": "unreachable", "backend": backend } }),
                ),
            )
                .into_response()
        }
    }
}
