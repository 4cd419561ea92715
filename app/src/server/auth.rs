//! Sessions and the signed-in user, for server functions and middleware.
use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use chrono::{DateTime, NaiveDate, Utc};
use http::request::Parts;
use leptos::prelude::{expect_context, use_context};
use leptos_axum::ResponseOptions;
use sea_orm::{
    AccessMode, DatabaseBackend, DatabaseConnection, DatabaseTransaction, IsolationLevel,
    TransactionTrait,
};
use tower_sessions::Session;

use super::services::users;
use super::state::AppState;
use crate::error::AppError;
use crate::models::CurrentUser;
use crate::policy::{self, Action};

const USER_ID: &str = "user_id";
const AUTHENTICATED_AT: &str = "authenticated_at";

fn session_error(err: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %err, "session store error");
    if err.to_string().contains(super::session_store::UNREACHABLE) {
        AppError::Unavailable
    } else {
        AppError::internal_here()
    }
}

/// Binds the session to `user_id` under a fresh session id (no fixation).
pub async fn start(session: &Session, user_id: i64) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(USER_ID, user_id)
        .await
        .map_err(session_error)?;
    session
        .insert(AUTHENTICATED_AT, Utc::now().timestamp())
        .await
        .map_err(session_error)
}

/// Ends the session: the record is deleted and the cookie cleared.
pub async fn end(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

/// The active user behind a session, or `None` (no login, absolute lifetime
/// exceeded, account deactivated or deleted). Called once per request.
pub async fn user_of_session(
    state: &AppState,
    session: &Session,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(user_id) = session.get::<i64>(USER_ID).await.map_err(session_error)? else {
        return Ok(None);
    };
    let authenticated_at = session
        .get::<i64>(AUTHENTICATED_AT)
        .await
        .map_err(session_error)?
        .unwrap_or_default();
    let age = Utc::now().timestamp().saturating_sub(authenticated_at);
    if age < 0 || age as u64 > state.config.session_absolute.as_secs() {
        end(session).await?;
        return Ok(None);
    }
    let user = users::find_active(&state.db, user_id).await?;
    if user.is_none() {
        end(session).await?;
    }
    Ok(user)
}

/// Inside a server function or SSR render: the shared state.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::internal_here()
    })
}

/// Inside a server function: the site's address, for links given out
/// (share links, calendar feeds). The configured public address; else the
/// one the user reached (as the trusted proxy saw it, when there is one).
/// No trailing slash.
pub fn public_base(state: &AppState) -> String {
    public_base_of(state, &request_parts())
}

/// `public_base` for a request handled outside Leptos.
pub fn public_base_of(state: &AppState, parts: &Parts) -> String {
    let base = state.config.public_url.clone().unwrap_or_else(|| {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|h| h.to_str().ok())
                .map(|v| v.split(',').next().unwrap_or_default().trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let trusted = |name: &str| header(name).filter(|_| state.config.trust_proxy);
        let scheme = trusted("x-forwarded-proto").unwrap_or_else(|| "http".to_owned());
        let host = trusted("x-forwarded-host")
            .or_else(|| header("host"))
            .unwrap_or_else(|| "localhost".to_owned());
        format!("{scheme}://{host}")
    });
    base.trim_end_matches('/').to_owned()
}

/// Inside a server function or SSR render: the user the auth middleware
/// found for this request.
pub fn current_user() -> Option<CurrentUser> {
    use_context::<Parts>().and_then(|parts| parts.extensions.get::<CurrentUser>().cloned())
}

/// The signed-in user, if the policy lets them do `action`.
pub fn require(action: Action) -> Result<CurrentUser, AppError> {
    let user = current_user();
    policy::authorize(user.as_ref().map(|u| u.role), action)?;
    user.ok_or(AppError::Unauthenticated)
}

/// What a server function runs with once its action is allowed: who asks,
/// the database, and the moment of the call (read once, so that a write and
/// the checks made for it agree on the time).
pub struct Call {
    pub actor: CurrentUser,
    pub db: DatabaseConnection,
    pub now: DateTime<Utc>,
}

impl Call {
    /// The day the rules are checked against.
    pub fn today(&self) -> NaiveDate {
        crate::server::clock::local_date(self.now)
    }

    /// A read transaction for the reads of one answer, ended by `commit`:
    /// its figures come from one snapshot, so they agree with each other,
    /// and its statements share one connection. A statement on the pool
    /// pays an acquire and a release (on SQLite two trips to the
    /// connection's thread, on PostgreSQL a ping): the project page served
    /// about 470 answers/s on SQLite and 250/s on PostgreSQL that way,
    /// about 590/s and 370/s in one transaction (docs/PERFORMANCE.md).
    ///
    /// On PostgreSQL it is REPEATABLE READ (READ COMMITTED, the default,
    /// takes a new snapshot for each statement) and READ ONLY; on SQLite a
    /// deferred transaction reads one snapshot of the WAL.
    pub async fn snapshot(&self) -> Result<DatabaseTransaction, AppError> {
        Ok(match self.db.get_database_backend() {
            DatabaseBackend::Postgres => {
                self.db
                    .begin_with_config(
                        Some(IsolationLevel::RepeatableRead),
                        Some(AccessMode::ReadOnly),
                    )
                    .await?
            }
            _ => self.db.begin().await?,
        })
    }
}

/// A server function's body: the current user must be allowed `action`
/// (policy first, before any input is read), then `body` runs with the
/// [`Call`]; an error sets the answer's HTTP status.
pub async fn run<T, F, Fut>(action: Action, body: F) -> Result<T, AppError>
where
    F: FnOnce(Call) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    // Calls per action: a page that starts its resources more than once
    // shows here (`server/tests/render_once.rs`).
    metrics::counter!("maillage_server_function_calls_total", "action" => format!("{action:?}"))
        .increment(1);
    let result = async {
        let actor = require(action)?;
        let db = state()?.db;
        body(Call {
            actor,
            db,
            now: Utc::now(),
        })
        .await
    }
    .await;
    respond(result)
}

/// Ends a server function: on error, the HTTP status says what happened.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        set_response_status(err);
    }
    result
}

/// The answer of the page or server function being rendered says `err`:
/// its status, and `Retry-After` when the service is unavailable.
pub fn set_response_status(err: &AppError) {
    if let Some(options) = use_context::<ResponseOptions>() {
        options.set_status(err.http_status());
        if *err == AppError::Unavailable {
            options.insert_header(
                http::header::RETRY_AFTER,
                http::HeaderValue::from_static(crate::error::RETRY_AFTER_SECONDS),
            );
        }
    }
}

/// The client's IP: the socket peer, or, when the deployment says a
/// trusted proxy sets `X-Forwarded-For`, the last hop of that header — the
/// one the proxy appended; earlier hops are whatever the client sent.
pub fn client_ip(parts: &Parts, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy
        && let Some(ip) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(ip);
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// The key a per-IP limiter counts under: an IPv6 client by its /64 (one
/// subscriber holds the whole block), and clients whose address is unknown
/// together, so none escapes the limit.
pub fn rate_key(ip: Option<IpAddr>) -> IpAddr {
    match ip {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        Some(v4) => v4,
        None => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
    }
}

/// The request parts of the current server function call.
pub fn request_parts() -> Parts {
    expect_context::<Parts>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(forwarded: &str) -> Parts {
        let (mut parts, ()) = http::Request::builder()
            .header("x-forwarded-for", forwarded)
            .body(())
            .expect("request")
            .into_parts();
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 4000))));
        parts
    }

    #[test]
    fn only_the_proxys_hop_is_trusted() {
        let p = parts("6.6.6.6, 203.0.113.7");
        assert_eq!(client_ip(&p, true), "203.0.113.7".parse().ok());
        assert_eq!(client_ip(&p, false), "127.0.0.1".parse().ok());
        assert_eq!(
            client_ip(&parts("n'importe quoi"), true),
            "127.0.0.1".parse().ok()
        );
    }

    #[test]
    fn ipv6_clients_count_by_their_64_block() {
        let a = rate_key("2001:db8:1:2:aaaa::1".parse().ok());
        let b = rate_key("2001:db8:1:2:bbbb::9".parse().ok());
        let c = rate_key("2001:db8:1:3::1".parse().ok());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(rate_key(None), rate_key(None));
        assert_eq!(
            rate_key("192.0.2.1".parse().ok()),
            "192.0.2.1".parse::<IpAddr>().expect("ip")
        );
    }
}
