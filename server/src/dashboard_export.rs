//! `/tableau-de-bord/export.xlsx` and `/tableau-de-bord/export.csv`: the
//! dashboard's URL filters, the dashboard's policy check, the files built by
//! `app::server::export`.
use std::collections::HashMap;

use axum::extract::{Extension, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use app::error::AppError;
use app::models::{CurrentUser, Dashboard, DashboardFilter};
use app::policy::{Action, authorize};
use app::server::AppState;
use app::server::export::{csv, xlsx};
use app::server::services::dashboard::{self, ProjectSheet};

/// An error as the plain-text answer of a download handler.
pub(crate) fn error(err: &AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, err.to_string()).into_response()
}

/// What an export is built from: the dashboard of the filter, and for the
/// workbook its « Projets » sheet.
struct Loaded {
    dashboard: Dashboard,
    projects: Option<ProjectSheet>,
}

async fn load(
    state: &AppState,
    user: Option<Extension<CurrentUser>>,
    params: &HashMap<String, String>,
    with_projects: bool,
) -> Result<Loaded, AppError> {
    authorize(user.map(|Extension(u)| u.role), Action::ViewDashboard)?;
    let filter = DashboardFilter::from_params(|k| params.get(k).cloned());
    let today = app::server::clock::local_date(chrono::Utc::now());
    let dashboard = dashboard::dashboard(&state.db, &filter, today).await?;
    let projects = if with_projects {
        Some(dashboard::project_sheet(&state.db, &filter, today).await?)
    } else {
        None
    };
    Ok(Loaded {
        dashboard,
        projects,
    })
}

fn attachment(name: &str, d: &Dashboard) -> String {
    format!(
        "attachment; filename=\"tableau-de-bord-{}.{name}\"",
        d.as_of
    )
}

/// The dashboard of `params` as a file built by `build`, or the error.
async fn export<E: std::fmt::Display>(
    state: &AppState,
    user: Option<Extension<CurrentUser>>,
    params: &HashMap<String, String>,
    ext: &str,
    content_type: &'static str,
    build: impl FnOnce(&Loaded) -> Result<Vec<u8>, E>,
) -> Response {
    let loaded = match load(state, user, params, ext == "xlsx").await {
        Ok(loaded) => loaded,
        Err(err) => return error(&err),
    };
    match build(&loaded) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, content_type.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    attachment(ext, &loaded.dashboard),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(%err, ext, "dashboard export");
            error(&AppError::internal_here())
        }
    }
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    export(
        &state,
        user,
        &params,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        |l| {
            let empty = ProjectSheet {
                rows: Vec::new(),
                total: 0,
            };
            xlsx(&l.dashboard, l.projects.as_ref().unwrap_or(&empty))
        },
    )
    .await
}

pub async fn export_csv(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    export(
        &state,
        user,
        &params,
        "csv",
        "text/csv; charset=utf-8",
        |l| csv(&l.dashboard),
    )
    .await
}
