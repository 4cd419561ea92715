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

use std::sync::Arc;

use app::server::AppState;
use app::server::page_slots::PageSlot;

pub async fn page_slots(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if !renders_a_page(&req) {
        return next.run(req).await;
    }
    let slot = Arc::new(state.pages.enter().await);
    // With the request: a render that outlives its reader
    // (`whole_renders`) takes it along and holds it until it ends.
    req.extensions_mut().insert(Held(Arc::clone(&slot)));
    next.run(req).await
}

/// A page slot, shared by the request and the render it goes to.
#[derive(Clone)]
struct Held(Arc<PageSlot>);

/// Takes the request's page slot out of it (none when the page does not
/// render in one), so that the slot goes where the render goes and not
/// into every copy of the request's parts.
pub fn take_slot(req: &mut Request) -> Option<Arc<PageSlot>> {
    req.extensions_mut().remove::<Held>().map(|held| held.0)
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
