//! Deny by default: finds the signed-in user for every request and sends
//! anonymous visitors of any non-public path to the login page (pages) or
//! answers 401 (server functions). Permission checks per action happen in
//! the server functions, through `app::policy`.
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use tower_sessions::Session;

use app::error::AppError;
use app::server::{AppState, auth};

use crate::middleware::body_limit::after_body;
use crate::middleware::error_pages::error_response;

/// Paths anyone may reach without a session. A share link's page, a
/// calendar feed and a mail's unsubscribe link are public: their token is
/// the credential, checked by their handler. So is a shared project's
/// feed, `/partage/{token}/agenda.ics`.
fn is_public(path: &str) -> bool {
    if let Some(token) = path
        .strip_prefix("/partage/")
        .and_then(|rest| rest.strip_suffix("/agenda.ics"))
    {
        return !token.is_empty() && !token.contains('/');
    }
    // A shared document: `/partage/{token}/documents/{id}`.
    if let Some((token, id)) = path
        .strip_prefix("/partage/")
        .and_then(|rest| rest.split_once("/documents/"))
    {
        return !token.is_empty()
            && !token.contains('/')
            && !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_digit());
    }
    if let Some(token) = path
        .strip_prefix("/partage/")
        .or_else(|| path.strip_prefix("/calendrier/"))
        .or_else(|| path.strip_prefix("/desabonnement/"))
    {
        return !token.is_empty() && !token.contains('/');
    }
    matches!(
        path,
        "/connexion"
            | "/healthz"
            | "/metrics"
            | "/favicon.ico"
            | "/api/auth/login"
            | "/api/auth/logout"
            | "/api/auth/me"
    ) || is_asset(path)
}

/// Compiled assets: no session work at all.
fn is_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.ico" || path == "/robots.txt"
}

/// When the session's expiry was last pushed, in milliseconds (a session
/// from before held seconds: it is pushed at its next request).
const LAST_SEEN: &str = "last_seen_ms";

pub async fn auth_gate(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    if is_asset(&path) {
        return next.run(req).await;
    }
    let user = match auth::user_of_session(&state, &session).await {
        Ok(user) => user,
        Err(err) => {
            let res = error_response(err.http_status(), &err, path.starts_with("/api/"));
            return after_body(req.into_body(), res).await;
        }
    };
    match user {
        Some(user) => {
            touch(&session, state.config.session_idle).await;
            req.extensions_mut().insert(user);
            next.run(req).await
        }
        None if is_public(&path) => next.run(req).await,
        None if path.starts_with("/api/") => {
            let err = AppError::Unauthenticated;
            after_body(
                req.into_body(),
                error_response(err.http_status(), &err, true),
            )
            .await
        }
        None => {
            let target = req
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str().to_owned())
                .unwrap_or_else(|| path.clone());
            let next: String = form_urlencoded::byte_serialize(target.as_bytes()).collect();
            let res = Redirect::to(&format!("/connexion?suivant={next}")).into_response();
            after_body(req.into_body(), res).await
        }
    }
}

/// Extends the idle expiry (a session write) once a twentieth of the idle
/// time has passed since the last extension, at most once a minute: a page
/// view does not write the session, and a session in use never reaches
/// its idle end (tower-sessions saves only a modified session).
async fn touch(session: &Session, idle: std::time::Duration) {
    let now = Utc::now().timestamp_millis();
    let last = session
        .get::<i64>(LAST_SEEN)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    if now - last >= touch_interval_ms(idle) {
        let _ = session.insert(LAST_SEEN, now).await;
    }
}

/// How long a session goes without its expiry being pushed.
fn touch_interval_ms(idle: std::time::Duration) -> i64 {
    i64::try_from((idle / 20).as_millis())
        .unwrap_or(i64::MAX)
        .min(60_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expiry_is_pushed_well_before_the_idle_end() {
        use std::time::Duration;
        assert_eq!(touch_interval_ms(Duration::from_secs(2 * 3600)), 60_000);
        assert_eq!(touch_interval_ms(Duration::from_secs(60)), 3_000);
        assert_eq!(touch_interval_ms(Duration::from_secs(3)), 150);
    }

    #[test]
    fn only_the_login_door_and_assets_are_public() {
        for public in [
            "/connexion",
            "/healthz",
            "/pkg/maillage.wasm",
            "/api/auth/login",
            "/favicon.ico",
            "/partage/0123abcd",
            "/partage/0123abcd/agenda.ics",
            "/partage/0123abcd/documents/12",
            "/calendrier/0123abcd.ics",
            "/desabonnement/0123abcd",
        ] {
            assert!(is_public(public), "{public}");
        }
        for private in [
            "/",
            "/equipe",
            "/api/users/list",
            "/api/users/create",
            "/connexion/x",
            "/pkgx",
            "/partage/",
            "/partage/x/y",
            "/partage//agenda.ics",
            "/partage/x/documents/",
            "/partage/x/documents/1/2",
            "/partage/x/y/documents/1",
            "/partage/x/y/agenda.ics",
            "/partagex/abc",
            "/calendrier/",
            "/calendrier/x/y",
            "/desabonnement/",
            "/desabonnement/x/y",
            "/espace-partenaire/projets/1",
        ] {
            assert!(!is_public(private), "{private}");
        }
    }
}
