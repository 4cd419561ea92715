//! A page's render runs to its end even when its reader leaves (issue 15).
//! Leptos renders a page's `<Suspense>` from an effect on its own task; a
//! reader who closes the connection mid-render drops the request's owner
//! while that task may still be queued to walk the page again, and the
//! walk then finds no router or context and panics (seen under load when
//! wrk closes its connections; leptos-rs/leptos#4698, #3595). Run on its
//! own task, the render finishes with its owner alive and is dropped whole
//! afterwards; the reader, if still there, gets it. The render keeps its
//! page slot until it ends (`page_slots::take_slot`), so readers who leave
//! cannot pile renders beyond the bound, and it ends within
//! `REQUEST_TIMEOUT` plus a margin, its reader gone or not.
use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::{Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tracing::Instrument;

use app::server::request_id::RequestId;

use crate::middleware::page_slots::take_slot;
use crate::router::REQUEST_TIMEOUT;

/// How long a render may outlive its request's timeout.
const MARGIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Layered on the Leptos routes and the fallback (the 404 page)
/// (`router::router`): pages, and the server functions, of which only GETs
/// are detached.
pub async fn whole_renders(mut req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let id = req.extensions().get::<RequestId>().cloned();
    let slot = take_slot(&mut req);
    let render = async move {
        let _slot = slot;
        let Ok(res) = tokio::time::timeout(REQUEST_TIMEOUT + MARGIN, next.run(req)).await else {
            tracing::error!("page render outlived its time");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        };
        let (parts, body) = res.into_parts();
        match to_bytes(body, usize::MAX).await {
            Ok(bytes) => Response::from_parts(parts, Body::from(bytes)),
            Err(e) => {
                tracing::error!(error = %e, "page body failed");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
    .instrument(tracing::Span::current());
    let task = match id {
        Some(id) => tokio::spawn(id.scope(render)),
        None => tokio::spawn(render),
    };
    match task.await {
        Ok(res) => res,
        // A panic in the render reaches `CatchPanicLayer` as before.
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
