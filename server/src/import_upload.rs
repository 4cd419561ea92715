//! `POST /importer/fichier`: a spreadsheet sent by the « Importer » page's
//! form (`multipart/form-data`, works without script). The file is kept
//! with its first preview and the browser is sent to `/importer/{id}`,
//! where a file that could not be read says why. Nothing is written to the
//! portfolio here.
use axum::extract::{Extension, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use app::domain::import::ImportKind;
use app::error::AppError;
use app::models::CurrentUser;
use app::policy::{Action, authorize};
use app::server::AppState;
use app::server::import::read::MAX_FILE_BYTES;
use app::server::services::imports;

use crate::middleware::error_pages::error_response;

/// The upload's path (its body limit is the import's, not the forms').
pub const PATH: &str = "/importer/fichier";

/// The largest upload body: the file and the form's few bytes around it.
pub const MAX_UPLOAD_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;

fn refuse(err: &AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    error_response(status, err, false)
}

pub async fn upload(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let user = user.map(|Extension(u)| u);
    if let Err(err) = authorize(user.as_ref().map(|u| u.role), Action::ImportProjects) {
        return refuse(&err);
    }
    let Some(user) = user else {
        return refuse(&AppError::Forbidden);
    };
    let no_file = imports::no_file;
    let Ok(mut multipart) = multipart else {
        return refuse(&no_file());
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut kind = ImportKind::Projects;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("fichier") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                match field.bytes().await {
                    Ok(bytes) if !bytes.is_empty() => file = Some((name, bytes.to_vec())),
                    Ok(_) => {}
                    Err(_) => return refuse(&no_file()),
                }
            }
            Ok(Some(field)) if field.name() == Some("type") => match field.text().await {
                Ok(code) => match ImportKind::parse(code.trim()) {
                    Some(k) => kind = k,
                    None => return refuse(&imports::unknown_kind()),
                },
                Err(_) => return refuse(&no_file()),
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => return refuse(&no_file()),
        }
    }
    let Some((name, bytes)) = file else {
        return refuse(&no_file());
    };
    match imports::upload(&state.db, &user, &name, bytes, kind, chrono::Utc::now()).await {
        Ok(id) => Redirect::to(&format!("/importer/{id}")).into_response(),
        Err(err) => refuse(&err),
    }
}
