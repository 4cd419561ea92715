//! Shared server state, provided to every request, SSR render and server function.
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::FromRef;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use leptos::prelude::LeptosOptions;
use sea_orm::DatabaseConnection;

use super::config::Config;
use super::page_slots::PageSlots;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    /// Login attempts per client IP (in memory, per instance; the per-account
    /// counter lives in the database and holds across instances).
    pub login_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Share-link page requests per client IP (guessing tokens).
    pub share_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Unsubscribe-link requests per client IP (guessing tokens), with the
    /// share links' quota but its own count: a mail client's one-click
    /// requests never use up a reader's share-link budget.
    pub unsubscribe_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Pages rendered at once, at most `max_concurrent_pages`.
    pub pages: Arc<PageSlots>,
    /// The documents' contents (`DOCUMENTS_DIR`).
    pub documents: Arc<crate::server::documents::Store>,
    /// The heaviest reads, kept while the database is unchanged.
    pub reads: Arc<crate::server::read_cache::Reads>,
}

impl AppState {
    pub fn new(db: DatabaseConnection, config: Config, leptos_options: LeptosOptions) -> Self {
        let per_minute =
            NonZeroU32::new(config.login_attempts_per_ip_per_minute).unwrap_or(NonZeroU32::MIN);
        let share_per_minute =
            NonZeroU32::new(config.share_requests_per_ip_per_minute).unwrap_or(NonZeroU32::MIN);
        Self {
            db,
            login_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
            share_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(share_per_minute))),
            unsubscribe_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(share_per_minute))),
            pages: Arc::new(PageSlots::new(config.max_concurrent_pages)),
            documents: Arc::new(
                crate::server::documents::Store::from_config(&config.documents)
                    .expect("the document store (DOCUMENTS_S3_*)"),
            ),
            reads: Arc::default(),
            config: Arc::new(config),
            leptos_options,
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
