//! Bodies larger than [`MAX_BODY_BYTES`] get a French 413.
//!
//! The answer waits until the client has sent its body (read and thrown
//! away, up to [`DRAIN_MAX_BYTES`] and [`DRAIN_TIMEOUT`]): a server that
//! answers and closes mid-upload makes the client see a broken connection
//! instead of the 413. Past those bounds the connection is simply closed.
use std::time::Duration;

use axum::{
    body::Body,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::Response,
};
use http_body_util::BodyExt;

use app::error::AppError;

use crate::middleware::error_pages::error_response;
use crate::router::MAX_BODY_BYTES;

/// How much of an oversized body is read (and discarded) before answering.
pub const DRAIN_MAX_BYTES: usize = 16 * 1024 * 1024;
/// How long an oversized upload may take before the connection is closed.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn refuse_large_bodies(req: Request, next: Next) -> Response {
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // A spreadsheet upload has its own, larger, limit.
    // Documents are limited file by file as they arrive
    // (`crate::documents`).
    let limit = if req.uri().path() == crate::import_upload::PATH {
        crate::import_upload::MAX_UPLOAD_BYTES
    } else if crate::documents::is_upload(req.method(), req.uri().path()) {
        usize::MAX
    } else {
        MAX_BODY_BYTES
    };
    if announced.is_some_and(|n| n > limit as u64) {
        let is_api = req.uri().path().starts_with("/api/");
        drain(req.into_body()).await;
        return too_large(is_api);
    }
    next.run(req).await
}

/// Reads and drops what is left of a body, within the bounds above;
/// whether it was read to its end.
pub async fn drain(mut body: Body) -> bool {
    let read = async {
        let mut seen = 0usize;
        loop {
            match body.frame().await {
                None => return true,
                Some(Err(_)) => return false,
                Some(Ok(frame)) => {
                    seen += frame.data_ref().map_or(0, |d| d.len());
                    if seen > DRAIN_MAX_BYTES {
                        return false;
                    }
                }
            }
        }
    };
    tokio::time::timeout(DRAIN_TIMEOUT, read)
        .await
        .unwrap_or(false)
}

/// Answers `res` once the request's body is read and thrown away, for a
/// refusal decided before the body was needed (no session, another site).
/// hyper closes a kept-alive connection whose request body was left unread
/// without saying so in the answer, and a client reusing the connection
/// then sees « connection closed before message completed ». A body that
/// cannot be read within the bounds gets `Connection: close` instead.
pub async fn after_body(body: Body, mut res: Response) -> Response {
    if !drain(body).await {
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    res
}

/// The 413, closing the connection (its body was not all read).
pub fn too_large(is_api: bool) -> Response {
    let mut res = error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        &AppError::PayloadTooLarge,
        is_api,
    );
    res.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}
