//! Server-function requests checked before Leptos decodes them, and
//! explained when it refuses them (see `app::api::args`).
//!
//! Before: the body is read (at most [`MAX_BODY_BYTES`], else 413) and
//! refused with 400 naming the field when it is not UTF-8 text, a value
//! holds control characters, a key comes twice or there are too many.
//! After: when the arguments could not be decoded, the server-function
//! layer answers 500 with a bare `BadRequest`; this layer answers 400 with
//! the field at fault.
use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::{Method, StatusCode},
    middleware::Next,
    response::Response,
};
use http_body_util::BodyExt;

use app::api::args::{check_body, diagnose};
use app::error::AppError;

use crate::middleware::body_limit::{drain, too_large};
use crate::middleware::error_pages::error_response;
use crate::router::MAX_BODY_BYTES;

/// Error bodies are small; anything larger is not one of ours.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn api_requests(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if !path.starts_with("/api/") || req.method() != Method::POST {
        return next.run(req).await;
    }
    let (parts, mut body) = req.into_parts();
    // Read up to the limit; a body that goes on past it (sent without a
    // length) is drained and refused.
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return refuse(AppError::BadRequest {
                kind: app::error::BadInput::Malformed,
                field: None,
            });
        };
        if let Some(data) = frame.data_ref() {
            bytes.extend_from_slice(data);
        }
        if bytes.len() > MAX_BODY_BYTES {
            drain(body).await;
            return too_large(true);
        }
    }
    let bytes = Bytes::from(bytes);
    if let Err(err) = check_body(&bytes) {
        return refuse(err);
    }
    let res = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    if res.status() == StatusCode::INTERNAL_SERVER_ERROR {
        return explain(res, &path, &bytes).await;
    }
    res
}

fn refuse(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
    error_response(status, &err, true)
}

/// A 500 whose body is a `BadRequest` (arguments Leptos could not decode)
/// becomes a 400 naming the field; any other answer is left as it is.
async fn explain(res: Response, path: &str, body: &Bytes) -> Response {
    let (parts, res_body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(res_body, MAX_ERROR_BODY).await else {
        return error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &AppError::internal_here(),
            true,
        );
    };
    match serde_json::from_slice::<AppError>(&bytes) {
        Ok(err @ AppError::BadRequest { .. }) => refuse(diagnose(path, body).unwrap_or(err)),
        _ => Response::from_parts(parts, Body::from(bytes)),
    }
}
