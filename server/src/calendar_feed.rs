//! `GET /calendrier/{token}.ics`: a staff member's calendar feed, read by
//! calendar clients with no session; the token is the only credential and
//! grants nothing else. Rate-limited per IP like share links; unknown,
//! renewed or revoked tokens answer 404. `ETag` and `If-None-Match`: a
//! client polling an unchanged feed gets 304.
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use app::error::AppError;
use app::server::ical::{FeedHeading, project_feed_name, render, shared_gone, too_many};
use app::server::services::calendar::{self, FeedEntry};
use app::server::services::shares::{self, LinkRefusal};
use app::server::{AppState, auth, clock};

use crate::middleware::page_validator::{matches, tag_of};

/// The host in every entry's UID: the configured public address's, so
/// that UIDs stay the same whatever address a client used.
pub fn uid_domain(state: &AppState) -> String {
    state
        .config
        .public_url
        .as_deref()
        .and_then(|url| url.split("://").nth(1))
        .map(|rest| rest.split(['/', ':']).next().unwrap_or_default().to_owned())
        .filter(|host| !host.is_empty())
        .unwrap_or_else(|| "maillage".to_owned())
}

/// A refusal as the French page of its error (a calendar client shows only
/// the status; a person who opens the address reads why).
fn refusal(err: &AppError) -> Response {
    let status = err.http_status();
    let mut res = crate::middleware::error_pages::error_response(status, err, false);
    let retry = match status {
        StatusCode::TOO_MANY_REQUESTS => Some("60"),
        StatusCode::SERVICE_UNAVAILABLE => Some(app::error::RETRY_AFTER_SECONDS),
        _ => None,
    };
    if let Some(seconds) = retry {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static(seconds));
    }
    res
}

fn failure(err: &AppError) -> Response {
    if err.http_status().is_server_error() {
        tracing::error!(error = ?err, "calendar feed");
    }
    refusal(err)
}

pub async fn calendar_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    req: Request,
) -> Response {
    let parts = match admitted(&state, req) {
        Ok(parts) => parts,
        Err(err) => return refusal(&err),
    };
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let (feed, owner) = match calendar::open(&state.db, token).await {
        Ok(Some(found)) => found,
        Ok(None) => return refusal(&AppError::NotFound),
        Err(err) => return failure(&err),
    };
    let now = Utc::now();
    let entries = match calendar::entries(
        &state.db,
        &feed,
        &uid_domain(&state),
        clock::local_date(now),
        now,
    )
    .await
    {
        Ok(entries) => entries,
        Err(err) => return failure(&err),
    };
    let name =
        match calendar::feed_name(&state.db, &feed, &owner, &state.config.structure_name).await {
            Ok(name) => name,
            Err(err) => return failure(&err),
        };
    published(&state, &parts, &name, None, &entries, now)
}

/// `GET /partage/{token}/agenda.ics`: the calendar feed of a shared
/// project, for whoever holds its share link — the same token, the same
/// rules (a revoked link answers 410, an expired one too, an unknown one
/// 404), and only what the share shows: its shareable open milestones when
/// it shows the milestones, its funding deadlines when it shows the
/// funding. Reading it does not count as a use of the link (a calendar
/// reads it every hour). Each entry links to the shared page.
pub async fn shared_feed(
    State(state): State<AppState>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    let parts = match admitted(&state, req) {
        Ok(parts) => parts,
        Err(err) => return refusal(&err),
    };
    let now = Utc::now();
    let today = clock::local_date(now);
    let share = match shares::live_link(&state.db, &token, today).await {
        Ok(Ok(share)) => share,
        Ok(Err(LinkRefusal::Unknown)) => return refusal(&AppError::NotFound),
        Ok(Err(LinkRefusal::Gone(_))) => {
            return refusal(&shared_gone());
        }
        Err(err) => return failure(&err),
    };
    let domain = uid_domain(&state);
    let (title, found) = match calendar::shared_deadlines(
        &state.db,
        share.project_id,
        share.sections(),
        &domain,
        today,
    )
    .await
    {
        Ok(found) => found,
        Err(err) => return failure(&err),
    };
    let entries = match calendar::published(&state.db, found, now).await {
        Ok(entries) => entries,
        Err(err) => return failure(&err),
    };
    let name = project_feed_name(&title, &state.config.structure_name);
    let page = format!("/partage/{token}");
    published(&state, &parts, &name, Some(&page), &entries, now)
}

/// The request's parts, unless its IP has asked too often (feeds share the
/// share links' limit).
fn admitted(state: &AppState, req: Request) -> Result<axum::http::request::Parts, AppError> {
    let (parts, _) = req.into_parts();
    let ip = auth::rate_key(auth::client_ip(&parts, state.config.trust_proxy));
    if state.share_limiter.check_key(&ip).is_err() {
        tracing::warn!(%ip, "calendar feeds throttled for this IP");
        return Err(too_many());
    }
    Ok(parts)
}

/// The feed named `name` holding `entries`; `page` (a path) is where each
/// entry links when not to the staff pages.
fn published(
    state: &AppState,
    parts: &axum::http::request::Parts,
    name: &str,
    page: Option<&str>,
    entries: &[FeedEntry],
    now: chrono::DateTime<Utc>,
) -> Response {
    let base = auth::public_base_of(state, parts);
    let page = page.map(|path| format!("{base}{path}"));
    let body = render(
        &FeedHeading {
            name,
            structure: &state.config.structure_name,
            base_url: &base,
            page: page.as_deref(),
            zone: clock::zone(),
        },
        entries,
        now,
    );
    answer(parts, body)
}

/// The feed `body` as the answer: 304 when the client holds it already.
fn answer(parts: &axum::http::request::Parts, body: String) -> Response {
    let tag = tag_of(body.as_bytes(), None);
    let unchanged = parts
        .headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|h| matches(h, &tag));
    let mut res = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(Body::from(body))
    };
    let headers = res.headers_mut();
    if !unchanged {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/calendar; charset=utf-8"),
        );
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("inline; filename=\"maillage.ics\""),
        );
    }
    if let Ok(value) = HeaderValue::from_str(&tag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    res
}
