//! The axum router: pages and server functions from the Leptos app, health,
//! static files, and the guards every request passes through.
use axum::{
    Router, middleware::from_fn, middleware::from_fn_with_state, routing::MethodRouter,
    routing::get,
};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::{compression::CompressionLayer, trace::TraceLayer};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite, cookie::time};

use app::server::{AppState, session_store::SeaOrmStore};
use app::{App, shell};

use crate::dashboard_export::{export_csv, export_xlsx};
use crate::health::healthz;
use crate::middleware::{
    auth_gate::auth_gate, bad_request::bad_request_status, origin_guard::origin_guard,
};
use crate::person_export::export_person;
use crate::shared_page::{partner_project, share_link};

pub const SESSION_COOKIE: &str = "maillage_session";

/// The routes served by axum handlers rather than Leptos pages: one list,
/// which builds the router and which the permission tests walk.
pub fn extra_routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/healthz", get(healthz)),
        ("/tableau-de-bord/export.xlsx", get(export_xlsx)),
        ("/tableau-de-bord/export.csv", get(export_csv)),
        ("/annuaire/personnes/{id}/export.json", get(export_person)),
        ("/partage/{token}", get(share_link)),
        ("/espace-partenaire/projets/{id}", get(partner_project)),
    ]
}

/// The span of a request, with share-link tokens masked: a token in a log
/// file would be a working key to the project.
fn request_span(req: &axum::extract::Request) -> tracing::Span {
    tracing::debug_span!(
        "request",
        method = %req.method(),
        uri = %redact_token(req.uri().path()),
        version = ?req.version(),
    )
}

/// `/partage/<token>` → `/partage/…`; other paths unchanged (and never
/// the query string, which may hold personal search terms).
pub fn redact_token(path: &str) -> std::borrow::Cow<'_, str> {
    match path.strip_prefix("/partage/") {
        Some(_) => "/partage/…".into(),
        None => path.into(),
    }
}

/// Builds the whole application for `state`. Layers, outermost first:
/// trace → compression → origin guard → sessions → auth gate → routes.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let idle =
        time::Duration::seconds(i64::try_from(state.config.session_idle.as_secs()).unwrap_or(7200));
    let sessions = SessionManagerLayer::new(SeaOrmStore::new(state.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies())
        .with_expiry(Expiry::OnInactivity(idle));
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();

    let mut router = Router::new();
    for (path, handler) in extra_routes() {
        router = router.route(path, handler);
    }
    router
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(from_fn(bad_request_status))
        .layer(from_fn_with_state(state.clone(), auth_gate))
        .layer(sessions)
        .layer(from_fn(origin_guard))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::redact_token;

    #[test]
    fn share_tokens_never_reach_the_logs() {
        assert_eq!(
            redact_token(&format!("/partage/{}", "ab".repeat(32))),
            "/partage/…"
        );
        assert_eq!(redact_token("/projets/12"), "/projets/12");
    }
}
