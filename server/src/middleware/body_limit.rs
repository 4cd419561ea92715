//! A body announced larger than [`MAX_BODY_BYTES`] is refused at once with
//! 413, before a byte of it is read; a body that grows past it unannounced
//! (chunked) is cut by axum's `DefaultBodyLimit`, which the server-function
//! codec answers with the same 413.
use axum::{
    extract::Request,
    http::{StatusCode, header},
    middleware::Next,
    response::Response,
};

use app::error::AppError;

use crate::middleware::error_pages::error_response;
use crate::router::MAX_BODY_BYTES;

pub async fn refuse_large_bodies(req: Request, next: Next) -> Response {
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        let is_api = req.uri().path().starts_with("/api/");
        return error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            &AppError::PayloadTooLarge,
            is_api,
        );
    }
    next.run(req).await
}
