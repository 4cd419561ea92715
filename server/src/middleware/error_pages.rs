//! Every refusal in French: answers that axum, tower-http or a panic gave
//! as bare or English text (`Invalid URL: Cannot parse…`, `length limit
//! exceeded`, a timeout, a panic) are replaced by the app's own error — a
//! JSON `AppError` under `/api/`, a French page elsewhere — with the same
//! status. Answers of our own (JSON, HTML pages, files) pass untouched.
use std::any::Any;

use axum::{
    body::Body,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use app::error::{AppError, BadInput};

pub async fn french_errors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    if status.as_u16() < 400 || is_ours(&res) {
        return res;
    }
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let mut answer = error_response(status, &error_for(status), is_api);
    if let Some(value) = retry_after {
        answer.headers_mut().insert(header::RETRY_AFTER, value);
    }
    answer
}

/// JSON, HTML and files are the app's own answers; a missing or plain-text
/// type is a library's.
fn is_ours(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| !t.starts_with("text/plain"))
}

/// The app's error for a library's status.
fn error_for(status: StatusCode) -> AppError {
    match status.as_u16() {
        401 => AppError::Unauthenticated,
        403 => AppError::Forbidden,
        404 | 405 => AppError::NotFound,
        413 => AppError::PayloadTooLarge,
        408 | 503 | 504 => AppError::Unavailable,
        400..=499 => AppError::BadRequest {
            kind: BadInput::Malformed,
            field: None,
        },
        _ => AppError::internal_here(),
    }
}

/// `err` as `/api/` clients read it (JSON) or as a page (French HTML).
pub fn error_response(status: StatusCode, err: &AppError, json: bool) -> Response {
    let mut res = if json {
        let body = serde_json::to_string(&err.clone().with_reference()).unwrap_or_default();
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    } else {
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            app::server::error_page::render(status.as_u16(), err),
        )
            .into_response()
    };
    if matches!(err, AppError::Unavailable) {
        res.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(app::error::RETRY_AFTER_SECONDS),
        );
    }
    res
}

/// A panic in a handler answers a French 500 (and is logged) instead of a
/// closed connection.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    tracing::error!(%detail, "a handler panicked");
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        &AppError::internal_here(),
        false,
    )
}
