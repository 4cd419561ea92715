//! Sessions and the signed-in user, for server functions and middleware.
use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use chrono::Utc;
use http::request::Parts;
use leptos::prelude::{expect_context, use_context};
use leptos_axum::ResponseOptions;
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
    AppError::Internal
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
        AppError::Internal
    })
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

/// Ends a server function: on error, the HTTP status says what happened.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result
        && let Some(options) = use_context::<ResponseOptions>()
    {
        options.set_status(
            http::StatusCode::from_u16(err.status())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    result
}

/// The client's IP: the socket peer, or the first `X-Forwarded-For` hop when
/// the deployment says a trusted proxy sets it.
pub fn client_ip(parts: &Parts, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy
        && let Some(ip) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(ip);
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// The request parts of the current server function call.
pub fn request_parts() -> Parts {
    expect_context::<Parts>()
}
