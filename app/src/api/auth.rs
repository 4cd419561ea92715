use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::auth;
use crate::{error::AppError, models::CurrentUser};

/// Logs in and returns where to go next (a local path). Throttled per client
/// IP (in memory) and per account (in the database).
#[server(endpoint = "auth/login")]
pub async fn login(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<String, AppError> {
    use crate::domain::safe_next;
    use crate::server::services::users;

    let result = async {
        let state = auth::state()?;
        let parts = auth::request_parts();
        let ip = auth::rate_key(auth::client_ip(&parts, state.config.trust_proxy));
        if state.login_limiter.check_key(&ip).is_err() {
            tracing::warn!(%ip, "login throttled for this IP");
            return Err(AppError::TooManyRequests(
                rust_i18n::t!("login.too_many_from_ip").into_owned(),
            ));
        }
        if password.is_empty() {
            return Err(AppError::validation(
                "password",
                rust_i18n::t!("password.empty"),
            ));
        }
        let user = users::authenticate(
            &state.db,
            &state.config,
            &email,
            &password,
            chrono::Utc::now(),
        )
        .await?;
        let session = leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "no session layer");
                AppError::internal_here()
            })?;
        auth::start(&session, user.id).await?;
        tracing::info!(user_id = user.id, "login");
        Ok(safe_next(next.as_deref()))
    }
    .await;
    // A plain HTML form post (no JavaScript): answer with a redirect.
    if accepts_html() {
        match &result {
            Ok(next) => leptos_axum::redirect(next),
            Err(err) => leptos_axum::redirect(&format!(
                "/connexion?erreur={}",
                crate::models::LoginErrorCode::of(err).code()
            )),
        }
        return result;
    }
    auth::respond(result)
}

#[cfg(feature = "ssr")]
fn accepts_html() -> bool {
    auth::request_parts()
        .headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Ends the session.
#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    let result = async {
        let session = leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|e| AppError::internal(format_args!("session layer missing: {e}")))?;
        if let Some(user) = auth::current_user() {
            tracing::info!(user_id = user.id, "logout");
        }
        auth::end(&session).await
    }
    .await;
    if accepts_html() && result.is_ok() {
        leptos_axum::redirect("/connexion?deconnecte=1");
    }
    auth::respond(result)
}

/// Who is signed in (`None` for an anonymous visitor).
#[server(endpoint = "auth/me")]
pub async fn me() -> Result<Option<CurrentUser>, AppError> {
    Ok(auth::current_user())
}

#[cfg(feature = "ssr")]
crate::server_fn_args!(Login, Logout, Me);
