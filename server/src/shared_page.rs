//! The pages of projects shared outside the staff, as plain axum routes
//! rendering a whole document with no script (`app::ui::shared_page`):
//! `/partage/{token}` for whoever holds a share link (rate-limited per IP),
//! `/espace-partenaire/projets/{id}` for a signed-in account. Both ask
//! `app::policy::project_access` what the reader may see.
use axum::extract::{Extension, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;

use app::domain::ShareState;
use app::error::AppError;
use app::models::{CurrentUser, SharedProject};
use app::policy::{Actor, ProjectAccess, Standing, project_access};
use app::server::entities::projects::project;
use app::server::services::shares::{self, LinkRefusal};
use app::server::{AppState, auth};
use app::ui::shared_page::{Reader, Refusal, render_project, render_refusal};
use sea_orm::EntityTrait;

/// No script may run, no other site may frame or receive the address.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; \
                   form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

pub(crate) fn page(status: StatusCode, html: String) -> Response {
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
        Refusal::Unavailable => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut response = page(
        status,
        render_refusal(&state.config.structure_name, refusal),
    );
    if refusal == Refusal::TooManyRequests {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    }
    response
}

/// A failure while building the page: a project gone since is "not
/// shared"; anything else is logged and answered with a French page.
fn failure(state: &AppState, err: &AppError) -> Response {
    if *err == AppError::NotFound {
        return refusal(state, Refusal::NotShared);
    }
    tracing::error!(error = ?err, "shared page");
    refusal(state, Refusal::Unavailable)
}

/// `GET /partage/{token}`: the project behind a live share link.
pub async fn share_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let ip = auth::rate_key(auth::client_ip(&parts, state.config.trust_proxy));
    if state.share_limiter.check_key(&ip).is_err() {
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
        Err(err) => return failure(&state, &err),
    };
    let access = project_access(Actor::LinkHolder, Standing::Shared(share.sections()));
    let feed = format!(
        "{}/partage/{token}/agenda.ics",
        auth::public_base_of(&state, &parts)
    );
    render(
        &state,
        share.project_id,
        access,
        share.expires_on,
        Reader::LinkHolder,
        Extras {
            feed: Some(feed),
            documents: format!("/partage/{token}/documents/"),
        },
    )
    .await
}

async fn render(
    state: &AppState,
    project_id: i64,
    access: ProjectAccess,
    expires_on: Option<chrono::NaiveDate>,
    reader: Reader,
    extras: Extras,
) -> Response {
    if access == ProjectAccess::Denied {
        return refusal(state, Refusal::NotShared);
    }
    match shares::shared_project(
        &state.db,
        &state.config.structure_name,
        project_id,
        access,
        expires_on,
        app::server::clock::local_date(Utc::now()),
    )
    .await
    {
        Ok(project) => {
            let documents = match app::server::services::documents::shared_documents(
                &state.db,
                project_id,
                |id| format!("{}{id}", extras.documents),
            )
            .await
            {
                Ok(documents) => documents,
                Err(err) => return failure(state, &err),
            };
            page(
                StatusCode::OK,
                render_project(
                    SharedProject {
                        feed: extras.feed,
                        documents,
                        ..project
                    },
                    reader,
                ),
            )
        }
        Err(err) => failure(state, &err),
    }
}

/// What a shared page links to beyond the project: its calendar feed (a
/// link holder's), and the prefix of its documents' addresses.
struct Extras {
    feed: Option<String>,
    documents: String,
}

/// `GET /espace-partenaire/projets/{id}`: a project shared with the
/// signed-in account. The policy decides from who asks and how the project
/// stands to them: staff read it on its own page, a partner through a live
/// share of their account, anyone else learns only that it is not shared
/// with them (404, whether it exists or not).
pub async fn partner_project(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(id): Path<i64>,
) -> Response {
    let Some(Extension(user)) = user else {
        // The auth gate sends anonymous visitors to the login page first.
        return refusal(&state, Refusal::NotShared);
    };
    let now = Utc::now();
    let share = match shares::account_share(&state.db, user.id, id, now.date_naive()).await {
        Ok(share) => share,
        Err(err) => return failure(&state, &err),
    };
    let standing = match &share {
        Some(share) => Standing::Shared(share.sections()),
        None => match project::Entity::find_by_id(id).one(&state.db).await {
            Ok(Some(p)) if p.lead_officer_id == Some(user.id) => Standing::Own,
            Ok(_) => Standing::Other,
            Err(err) => return failure(&state, &err.into()),
        },
    };
    match project_access(Actor::User(user.role), standing) {
        ProjectAccess::Full => Redirect::to(&format!("/projets/{id}")).into_response(),
        ProjectAccess::Denied => refusal(&state, Refusal::NotShared),
        access @ ProjectAccess::Shared(_) => {
            let Some(share) = share else {
                return refusal(&state, Refusal::NotShared);
            };
            match shares::count_live_use(&state.db, share.id, now).await {
                Ok(true) => {}
                Ok(false) => return refusal(&state, Refusal::NotShared),
                Err(err) => return failure(&state, &err),
            }
            render(
                &state,
                id,
                access,
                share.expires_on,
                Reader::PartnerAccount,
                Extras {
                    feed: None,
                    documents: format!("/espace-partenaire/projets/{id}/documents/"),
                },
            )
            .await
        }
    }
}
