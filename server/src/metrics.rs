//! `/metrics` in the Prometheus text format: requests by route, method and
//! status, their duration (histogram), open connections, the database
//! pool (in use, idle) and the summaries' refresh time. Readable only with
//! the admin's token or from the addresses they allow (`METRICS_TOKEN`,
//! `METRICS_ALLOW`); otherwise it does not exist (404).
use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;
use std::time::Instant;

use axum::{
    extract::{ConnectInfo, MatchedPath, Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use subtle::ConstantTimeEq;

use app::error::AppError;
use app::server::{AppState, config::Config};

use crate::middleware::error_pages::error_response;

/// Upper bounds (seconds) of the duration histograms' buckets.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process's recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
            .expect("non-empty buckets")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed: /metrics stays empty");
        }
        handle
    })
}

/// Counts and times every request. A route is its pattern
/// (`/projets/{id}`), never the path itself, so the series stay few.
pub async fn track(req: Request, next: Next) -> Response {
    let route = match req.extensions().get::<MatchedPath>() {
        _ if req.uri().path().starts_with("/pkg/") => "/pkg/*".to_owned(),
        Some(path) => path.as_str().to_owned(),
        None => "other".to_owned(),
    };
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::histogram!(
        "maillage_http_request_duration_seconds",
        "route" => route.clone(),
        "method" => method.clone()
    )
    .record(started.elapsed().as_secs_f64());
    metrics::counter!(
        "maillage_http_requests_total",
        "route" => route,
        "method" => method,
        "status" => status
    )
    .increment(1);
    res
}

/// The `/metrics` page, for the token or an allowed address only.
pub async fn metrics_page(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !may_read(&state.config, peer.ip(), bearer) {
        return error_response(StatusCode::NOT_FOUND, &AppError::NotFound, false);
    }
    record_pool(&state.db);
    let handle = handle();
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// The token (compared in constant time) or an allowed peer address.
pub fn may_read(config: &Config, peer: IpAddr, bearer: Option<&str>) -> bool {
    let token_ok = match (&config.metrics_token, bearer) {
        (Some(token), Some(given)) => bool::from(token.as_bytes().ct_eq(given.as_bytes())),
        _ => false,
    };
    token_ok || config.metrics_allow.contains(&peer)
}

/// The pool's connections in use and idle, read at each scrape.
fn record_pool(db: &sea_orm::DatabaseConnection) {
    let (size, idle) = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX).min(size);
    metrics::gauge!("maillage_db_pool_connections", "state" => "idle").set(f64::from(idle));
    metrics::gauge!("maillage_db_pool_connections", "state" => "in_use")
        .set(f64::from(size - idle));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(token: Option<&str>, allow: &[IpAddr]) -> Config {
        let mut c = Config::for_database("sqlite::memory:");
        c.metrics_token = token.map(str::to_owned);
        c.metrics_allow = allow.to_vec();
        c
    }

    #[test]
    fn closed_unless_the_admin_opens_it() {
        let local = IpAddr::from([127, 0, 0, 1]);
        let other = IpAddr::from([10, 0, 0, 7]);
        let token = "x".repeat(32);
        assert!(!may_read(&config(None, &[]), local, None));
        assert!(!may_read(&config(None, &[]), local, Some(&token)));
        let by_token = config(Some(&token), &[]);
        assert!(may_read(&by_token, other, Some(&token)));
        assert!(!may_read(&by_token, other, Some(&"x".repeat(31))));
        assert!(!may_read(&by_token, other, Some("")));
        assert!(!may_read(&by_token, local, None));
        let by_address = config(None, &[local]);
        assert!(may_read(&by_address, local, None));
        assert!(!may_read(&by_address, other, None));
    }
}
