//! Malformed server-function calls answer 400, not 500.
//!
//! When a request's arguments cannot be decoded (a field missing or of the
//! wrong type — not reachable from the app's own forms), the server-function
//! layer answers before any of our code runs, always with status 500. Its
//! body is our `AppError::BadRequest` (see `FromServerFnError`); this layer
//! gives such answers their proper status.
use axum::{
    body::Body,
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};

use app::error::AppError;

/// Error bodies are small; anything larger is not one of ours.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn bad_request_status(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(AppError::BadRequest(detail)) = serde_json::from_slice::<AppError>(&bytes) {
        tracing::warn!(%detail, "malformed server-function call");
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, Body::from(bytes))
}
