//! The pages of projects shared outside the staff, as plain axum routes
//! rendering a whole document with no script (`app::ui::shared_page`):
//! `/partage/{token}` for whoever holds a share link (rate-limited per IP),
//! `/espace-partenaire/projets/{id}` for a signed-in partner account.
//! Both ask `app::policy::project_access` what the reader may see.
use axum::extract::{Extension, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;

use app::domain::{Role, ShareState};
use app::error::AppError;
use app::models::CurrentUser;
use app::policy::{Actor, ProjectAccess, Standing, project_access};
use app::server::services::shares::{self, LinkRefusal};
use app::server::{AppState, auth};
use app::ui::shared_page::{Reader, Refusal, render_project, render_refusal};

/// No script may run, no other site may frame or receive the address.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; \
                   form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

fn page(status: StatusCode, html: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (
                header::HeaderName::from_static("x-robots-tag"),
                "noindex, nofollow",
            ),
        ],
        html,
    )
        .into_response()
}

fn refusal(state: &AppState, refusal: Refusal) -> Response {
    let status = match refusal {
        Refusal::UnknownLink | Refusal::NotShared => StatusCode::NOT_FOUND,
        Refusal::Revoked | Refusal::Expired => StatusCode::GONE,
        Refusal::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
    };
    page(
        status,
        render_refusal(&state.config.structure_name, refusal),
    )
}

fn failure(err: &AppError) -> Response {
    tracing::error!(error = ?err, "shared page");
    crate::dashboard_export::error(err)
}

/// `GET /partage/{token}`: the project behind a live share link.
pub async fn share_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    if let Some(ip) = auth::client_ip(&parts, state.config.trust_proxy)
        && state.share_limiter.check_key(&ip).is_err()
    {
        tracing::warn!(%ip, "share links throttled for this IP");
        return refusal(&state, Refusal::TooManyRequests);
    }
    let now = Utc::now();
    let share = match shares::open_link(&state.db, &token, now).await {
        Ok(Ok(share)) => share,
        Ok(Err(LinkRefusal::Unknown)) => return refusal(&state, Refusal::UnknownLink),
        Ok(Err(LinkRefusal::Gone(ShareState::Revoked))) => {
            return refusal(&state, Refusal::Revoked);
        }
        Ok(Err(LinkRefusal::Gone(_))) => return refusal(&state, Refusal::Expired),
        Err(err) => return failure(&err),
    };
    let ProjectAccess::Shared(sections) =
        project_access(Actor::LinkHolder, Standing::Shared(share.sections()))
    else {
        return refusal(&state, Refusal::UnknownLink);
    };
    match shares::shared_project(
        &state.db,
        &state.config.structure_name,
        share.project_id,
        sections,
        share.expires_on,
        now.date_naive(),
    )
    .await
    {
        Ok(project) => page(StatusCode::OK, render_project(project, Reader::LinkHolder)),
        Err(err) => failure(&err),
    }
}

/// `GET /espace-partenaire/projets/{id}`: a project shared with the
/// signed-in partner account. Staff are sent to the project's own page;
/// anyone else learns only that it is not shared with them.
pub async fn partner_project(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(id): Path<i64>,
) -> Response {
    let Some(Extension(user)) = user else {
        return failure(&AppError::Unauthenticated);
    };
    let now = Utc::now();
    let today = now.date_naive();
    let share = if user.role == Role::Partner {
        match shares::account_share(&state.db, user.id, id, today).await {
            Ok(share) => share,
            Err(err) => return failure(&err),
        }
    } else {
        None
    };
    let standing = match &share {
        Some(share) => Standing::Shared(share.sections()),
        None => Standing::Other,
    };
    match project_access(Actor::User(user.role), standing) {
        ProjectAccess::Full => Redirect::to(&format!("/projets/{id}")).into_response(),
        ProjectAccess::Denied => refusal(&state, Refusal::NotShared),
        ProjectAccess::Shared(sections) => {
            let Some(share) = share else {
                return refusal(&state, Refusal::NotShared);
            };
            if let Err(err) = shares::count_use(&state.db, share.id, now).await {
                return failure(&err);
            }
            match shares::shared_project(
                &state.db,
                &state.config.structure_name,
                id,
                sections,
                share.expires_on,
                today,
            )
            .await
            {
                Ok(project) => page(
                    StatusCode::OK,
                    render_project(project, Reader::PartnerAccount),
                ),
                Err(err) => failure(&err),
            }
        }
    }
}
