//! A page (a GET or HEAD request, static files and the probes aside)
//! renders only once it holds one of `AppState::pages`' slots
//! (`app::server::page_slots`). Placed inside the request timeout: a
//! reader who waits too long gets the French 503, never an endless wait.
use axum::{
    extract::{Request, State},
    http::Method,
    middleware::Next,
    response::Response,
};

use app::server::AppState;

pub async fn page_slots(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !renders_a_page(&req) {
        return next.run(req).await;
    }
    let _slot = state.pages.enter().await;
    next.run(req).await
}

/// Reads that render: not the hashed files, the icon or the probes, which
/// cost nothing and must never queue behind pages.
fn renders_a_page(req: &Request) -> bool {
    let path = req.uri().path();
    matches!(*req.method(), Method::GET | Method::HEAD)
        && !path.starts_with("/pkg/")
        && !matches!(
            path,
            "/healthz" | "/metrics" | "/favicon.ico" | "/robots.txt"
        )
}
