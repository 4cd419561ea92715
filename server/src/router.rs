//! The axum router: pages and server functions from the Leptos app, health,
//! static files, and the guards every request passes through.
use std::sync::OnceLock;
use std::time::Duration;

use axum::handler::Handler;
use axum::{
    Router, extract::DefaultBodyLimit, http::StatusCode, middleware::from_fn,
    middleware::from_fn_with_state, routing::MethodRouter, routing::get,
};
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower_http::{
    CompressionLevel, LatencyUnit,
    catch_panic::CatchPanicLayer,
    classify::{ServerErrorsAsFailures, SharedClassifier},
    compression::CompressionLayer,
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite, cookie::time};

use app::server::{AppState, session_store::SeaOrmStore};
use app::{App, shell};

use crate::dashboard_export::{export_csv, export_xlsx};
use crate::health::healthz;
use crate::middleware::{
    api_requests::api_requests,
    auth_gate::auth_gate,
    error_pages::{french_errors, panic_response},
    origin_guard::origin_guard,
    request_id::request_id,
    security_headers::security_headers,
};
use crate::person_export::export_person;
use crate::shared_page::{partner_project, share_link};

pub const SESSION_COOKIE: &str = "maillage_session";

/// The largest request body accepted: every form of the app sends far less
/// (a project's longest texts add up to about 100 KB). Larger ones get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A request still unanswered after this gets a French 503 instead of
/// holding its connection (no page of the app takes near this long).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How long an upload of documents may take (a slow line sending many
/// megabytes); the connection's idle timeout still ends a stalled one.
pub const UPLOAD_TIMEOUT: Duration = Duration::from_secs(3600);

/// A French 503 for a request still unanswered after `REQUEST_TIMEOUT`
/// (`UPLOAD_TIMEOUT` for documents being sent).
async fn request_timeout(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = if crate::documents::is_upload(req.method(), req.uri().path()) {
        UPLOAD_TIMEOUT
    } else {
        REQUEST_TIMEOUT
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// The app's pages, listed once per process: `generate_route_list` renders
/// the app under a process-wide flag that stops resources from loading
/// (leptos_server's `SuppressResourceLoad`), so a second call while
/// another router serves pages could freeze their renders.
#[allow(clippy::disallowed_methods)] // the one call, once per process
pub fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The operations routes alone, for the listener of `OPS_ADDR`: outside
/// the public listener's connection limit, so a probe is answered while
/// every slot there is held. `/metrics` keeps its token or address rule.
pub fn ops_router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(crate::metrics::metrics_page))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(trace_layer())
        .layer(from_fn(request_id))
        .with_state(state)
}

/// What makes the span of a request.
type MakeSpan = fn(&axum::extract::Request) -> tracing::Span;
/// The trace layer of both routers.
type Trace = TraceLayer<SharedClassifier<ServerErrorsAsFailures>, MakeSpan, (), DefaultOnResponse>;

/// One log line per answer, in the request's span, with its status and
/// latency.
fn trace_layer() -> Trace {
    TraceLayer::new_for_http()
        .make_span_with(request_span as MakeSpan)
        .on_request(())
        .on_response(
            DefaultOnResponse::new()
                .level(tracing::Level::INFO)
                .latency_unit(LatencyUnit::Micros),
        )
}

/// The routes served by axum handlers rather than Leptos pages: one list,
/// which builds the router and which the permission tests walk.
pub fn extra_routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/healthz", get(healthz)),
        ("/metrics", get(crate::metrics::metrics_page)),
        ("/tableau-de-bord/export.xlsx", get(export_xlsx)),
        ("/tableau-de-bord/export.csv", get(export_csv)),
        ("/annuaire/personnes/{id}/export.json", get(export_person)),
        ("/partage/{token}", get(share_link)),
        (
            "/partage/{token}/documents/{document}",
            get(crate::documents::link_download),
        ),
        (
            "/projets/{id}/documents",
            axum::routing::post(crate::documents::upload).layer(DefaultBodyLimit::disable()),
        ),
        (
            "/documents/{id}/version",
            axum::routing::post(crate::documents::new_version).layer(DefaultBodyLimit::disable()),
        ),
        (
            "/documents/{id}/fichier",
            get(crate::documents::staff_download),
        ),
        (
            "/espace-partenaire/projets/{id}/documents/{document}",
            get(crate::documents::partner_download),
        ),
        (
            "/partage/{token}/agenda.ics",
            get(crate::calendar_feed::shared_feed),
        ),
        (
            "/calendrier/{token}",
            get(crate::calendar_feed::calendar_feed),
        ),
        ("/espace-partenaire/projets/{id}", get(partner_project)),
        (
            "/desabonnement/{token}",
            get(crate::unsubscribe::ask).post(crate::unsubscribe::confirm),
        ),
        (
            crate::import_upload::PATH,
            axum::routing::post(crate::import_upload::upload).layer(DefaultBodyLimit::max(
                crate::import_upload::MAX_UPLOAD_BYTES,
            )),
        ),
    ]
}

/// The span of a request (its id, method and path, with share-link tokens
/// masked: a token in a log file would be a working key to the project).
/// Each request logs one line when answered, with its status and latency.
fn request_span(req: &axum::extract::Request) -> tracing::Span {
    let id = req
        .extensions()
        .get::<app::server::request_id::RequestId>()
        .map(|id| id.as_str().to_owned())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        id = %id,
        method = %req.method(),
        uri = %redact_token(req.uri().path()),
        version = ?req.version(),
    )
}

/// `/partage/<token>` → `/partage/…`; other paths unchanged (and never
/// the query string, which may hold personal search terms).
pub fn redact_token(path: &str) -> std::borrow::Cow<'_, str> {
    if path.starts_with("/partage/") {
        "/partage/…".into()
    } else if path.starts_with("/calendrier/") {
        "/calendrier/…".into()
    } else if path.starts_with("/desabonnement/") {
        "/desabonnement/…".into()
    } else {
        path.into()
    }
}

/// Builds the whole application for `state`. Layers, outermost first:
/// request id → metrics → trace → compression → caching → page validator → French errors →
/// security headers → panics → timeout → page slots → body limit → origin guard → sessions →
/// auth gate → `/api/` argument checks → kept pages → routes (the Leptos ones
/// each on its own task: `whole_renders`).
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    crate::metrics::handle();
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
    app::ui::app::use_stylesheet(crate::site::stylesheet_href());

    let mut router =
        Router::new().nest_service("/pkg", crate::site::pkg_service(&state.leptos_options));
    for (path, handler) in extra_routes() {
        router = router.route(path, handler);
    }
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .route_layer(from_fn(crate::middleware::whole_renders::whole_renders));
    router
        .merge(pages)
        .fallback(
            leptos_axum::file_and_error_handler::<AppState, _>(shell)
                .layer(from_fn(crate::middleware::whole_renders::whole_renders)),
        )
        .layer(from_fn_with_state(
            state.clone(),
            crate::middleware::kept_pages::kept_pages,
        ))
        .layer(from_fn(api_requests))
        .layer(from_fn_with_state(state.clone(), auth_gate))
        .layer(sessions)
        .layer(from_fn(origin_guard))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(from_fn(crate::middleware::body_limit::refuse_large_bodies))
        .layer(from_fn_with_state(
            state.clone(),
            crate::middleware::page_slots::page_slots,
        ))
        .layer(from_fn(request_timeout))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(from_fn(security_headers))
        .layer(from_fn(french_errors))
        .layer(from_fn(crate::middleware::page_validator::page_validator))
        .layer(from_fn(crate::middleware::cache_control::cache_control))
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(trace_layer())
        .layer(from_fn(crate::metrics::track))
        .layer(from_fn(request_id))
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
        assert_eq!(
            redact_token(&format!("/calendrier/{}.ics", "ab".repeat(32))),
            "/calendrier/…"
        );
        assert_eq!(
            redact_token(&format!("/desabonnement/{}", "ab".repeat(32))),
            "/desabonnement/…"
        );
        assert_eq!(redact_token("/projets/12"), "/projets/12");
    }
}
