//! `/desabonnement/{token}`: the link of every mail (`List-Unsubscribe`).
//! `GET` asks (a mail scanner following links changes nothing); `POST`
//! turns that kind of mail off for its recipient, from the page's button or
//! from the mail client's one-click request (RFC 8058: `POST` with
//! `List-Unsubscribe=One-Click`, no session, no cookie). The token is the
//! only credential and grants nothing else; rate-limited per IP (its own
//! count, the share links' quota); an unknown token answers 404.
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;

use app::server::mail::{page, settings};
use app::server::{AppState, auth};

use crate::shared_page::page as html;

fn throttled(state: &AppState, req: Request) -> bool {
    let (parts, _) = req.into_parts();
    let ip = auth::rate_key(auth::client_ip(&parts, state.config.trust_proxy));
    state.unsubscribe_limiter.check_key(&ip).is_err()
}

fn too_many() -> Response {
    html(StatusCode::TOO_MANY_REQUESTS, page::unknown())
}

fn failed(err: &app::error::AppError) -> Response {
    tracing::error!(error = ?err, "unsubscribe");
    html(StatusCode::INTERNAL_SERVER_ERROR, page::unknown())
}

pub async fn ask(
    State(state): State<AppState>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    if throttled(&state, req) {
        return too_many();
    }
    match settings::mail_of_token(&state.db, &token).await {
        Ok(Some((kind, _))) => html(StatusCode::OK, page::ask(kind)),
        Ok(None) => html(StatusCode::NOT_FOUND, page::unknown()),
        Err(err) => failed(&err),
    }
}

pub async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    if throttled(&state, req) {
        return too_many();
    }
    match settings::unsubscribe(&state.db, &token, Utc::now()).await {
        Ok(Some(kind)) => html(StatusCode::OK, page::done(kind)),
        Ok(None) => html(StatusCode::NOT_FOUND, page::unknown()),
        Err(err) => failed(&err),
    }
}
