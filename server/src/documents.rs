//! The project's documents over HTTP (issue 21), as plain axum routes:
//!
//! - `POST /projets/{id}/documents`: files sent by the project page's form
//!   (`multipart/form-data`, works without script), streamed to the store
//!   as they arrive, judged on their contents, kept together or not at all;
//! - `POST /documents/{id}/version`: a new version of a document;
//! - `GET /documents/{id}/fichier` (`?version=N`, `?apercu=1`): staff;
//! - `GET /partage/{token}/documents/{id}`: a link holder, a document the
//!   officer marked shared, while the link is live;
//! - `GET /espace-partenaire/projets/{pid}/documents/{id}`: a partner
//!   account, the same rule through its own share.
//!
//! Every download goes out as an attachment (in place only for images and
//! PDF, on request), `nosniff`, under a CSP that lets nothing run: a file
//! can never act as a page of this site.
use axum::body::Body;
use axum::extract::{Extension, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use tokio_util::io::ReaderStream;

use app::domain::ShareState;
use app::domain::document::previewable;
use app::error::AppError;
use app::models::{CurrentUser, DocumentForm};
use app::policy::{Action, authorize};
use app::server::documents::{Contents, UploadError};
use app::server::entities::documents::document_version;
use app::server::services::documents::{self, Received, no_file, too_large};
use app::server::services::shares::{self, LinkRefusal};
use app::server::{AppState, auth};

use crate::middleware::error_pages::error_response;

/// Files one request may carry.
pub const MAX_FILES: usize = 20;
/// The most a text field of the form may hold.
const MAX_FIELD_BYTES: usize = 4096;

/// Whether `path` receives files (no global body limit; a longer timeout).
pub fn is_upload(method: &axum::http::Method, path: &str) -> bool {
    if method != axum::http::Method::POST {
        return false;
    }
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    matches!(
        parts.as_slice(),
        ["projets", id, "documents"] | ["documents", id, "version"] if id.parse::<i64>().is_ok()
    )
}

fn refuse(err: &AppError) -> Response {
    refuse_as(err, false)
}

/// The refusal as a French page, or as the `AppError` JSON the page's
/// script reads (`Accept: application/json`).
fn refuse_as(err: &AppError, json: bool) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status.is_server_error() {
        tracing::error!(error = ?err, "documents");
    }
    error_response(status, err, json)
}

/// Whether the client reads JSON (the page's script) rather than pages.
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// What the form sent: its fields and its files, each file streamed to the
/// store as it arrives (a file past the limit stops the request at once).
struct Sent {
    form: DocumentForm,
    version: Option<i32>,
    files: Vec<Received>,
}

/// The request's body as multipart, bounded as a whole: `MAX_FILES` files
/// of the largest size and the form's few fields, no more (a part header
/// that never ends cannot grow the memory past it).
async fn multipart_of(state: &AppState, req: Request) -> Result<Multipart, AppError> {
    let limit = (MAX_FILES as u64)
        .saturating_mul(state.config.documents.max_file_bytes)
        .saturating_add(1 << 20);
    // Never below what `drain` reads after a refusal: a bound reached
    // mid-drain ends the read, the answer goes out over unread bytes and
    // the client may see a reset connection instead of the French refusal
    // (seen with a small `max_file_bytes` and a 3 MB file: the read stopped at 2,3 MB).
    let limit = usize::try_from(limit)
        .unwrap_or(usize::MAX)
        .max(crate::middleware::body_limit::DRAIN_MAX_BYTES);
    let req = req.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
    Multipart::from_request(req, state)
        .await
        .map_err(|_| no_file())
}

/// Reads and drops what the client still sends after a refusal, within
/// bounds, so that it reads the French answer instead of a broken
/// connection.
async fn drain(multipart: &mut Multipart) {
    let read = async {
        let mut seen = 0usize;
        while let Ok(Some(mut field)) = multipart.next_field().await {
            while let Ok(Some(chunk)) = field.chunk().await {
                seen += chunk.len();
                if seen > crate::middleware::body_limit::DRAIN_MAX_BYTES {
                    return;
                }
            }
        }
    };
    let _ = tokio::time::timeout(crate::middleware::body_limit::DRAIN_TIMEOUT, read).await;
}

async fn read_form(state: &AppState, multipart: &mut Multipart) -> Result<Sent, AppError> {
    let config = &state.config.documents;
    let mut sent = Sent {
        form: DocumentForm::default(),
        version: None,
        files: Vec::new(),
    };
    let malformed = || AppError::BadRequest {
        kind: app::error::BadInput::Malformed,
        field: None,
    };
    while let Some(mut field) = multipart.next_field().await.map_err(|_| malformed())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let filename = field.file_name().unwrap_or_default().to_owned();
            if filename.is_empty() {
                // An empty file input sends a part with no name and no bytes.
                while field.chunk().await.map_err(|_| malformed())?.is_some() {}
                continue;
            }
            if sent.files.len() >= MAX_FILES {
                return Err(documents::too_many_files(MAX_FILES));
            }
            let mut upload = state.documents.begin(config.max_file_bytes).await?;
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => match upload.write(&chunk).await {
                        Ok(()) => {}
                        Err(UploadError::TooLarge) => return Err(too_large(&filename, config)),
                        Err(UploadError::Io(e)) => {
                            return Err(AppError::internal(format!("document upload: {e}")));
                        }
                    },
                    Ok(None) => break,
                    Err(_) => return Err(malformed()),
                }
            }
            let sha256 = upload.finish().await?;
            sent.files.push(Received {
                upload,
                sha256,
                filename,
            });
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| malformed())? {
            value.extend_from_slice(&chunk);
            if value.len() > MAX_FIELD_BYTES {
                return Err(documents::field_too_long(&name, MAX_FIELD_BYTES));
            }
        }
        let text = String::from_utf8(value).map_err(|_| malformed())?;
        match name.as_str() {
            "type_code" => sent.form.type_code = text,
            "title" => sent.form.title = text,
            "doc_date" => sent.form.doc_date = text,
            "attachment" => sent.form.attachment = text,
            "shared" => sent.form.shared = Some(text),
            "version" => sent.version = text.trim().parse().ok(),
            _ => {}
        }
    }
    Ok(sent)
}

fn staff(user: Option<Extension<CurrentUser>>, action: Action) -> Result<CurrentUser, AppError> {
    let user = user.map(|Extension(u)| u);
    authorize(user.as_ref().map(|u| u.role), action)?;
    user.ok_or(AppError::Unauthenticated)
}

/// An upload's sender (staff who may edit), its form and files, and whether
/// it wants JSON back; or the refusal, the body read and dropped within
/// bounds so that the client gets it.
async fn receive(
    state: &AppState,
    user: Option<Extension<CurrentUser>>,
    req: Request,
) -> Result<(CurrentUser, Sent, bool), Response> {
    let json = wants_json(req.headers());
    let refuse = |err: &AppError| refuse_as(err, json);
    let user = match staff(user, Action::EditProjects) {
        Ok(user) => user,
        Err(err) => {
            return Err(
                crate::middleware::body_limit::after_body(req.into_body(), refuse(&err)).await,
            );
        }
    };
    let mut multipart = multipart_of(state, req).await.map_err(|err| refuse(&err))?;
    match read_form(state, &mut multipart).await {
        Ok(sent) => Ok((user, sent, json)),
        Err(err) => {
            drain(&mut multipart).await;
            Err(refuse(&err))
        }
    }
}

/// `POST /projets/{id}/documents`.
pub async fn upload(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(project_id): Path<i64>,
    req: Request,
) -> Response {
    let (user, sent, json) = match receive(&state, user, req).await {
        Ok(received) => received,
        Err(refused) => return refused,
    };
    let refuse = |err: &AppError| refuse_as(err, json);
    let fields = match sent.form.validate() {
        Ok(fields) => fields,
        Err(err) => return refuse(&err),
    };
    match documents::add(
        &state.db,
        documents::Storage {
            store: &state.documents,
            config: &state.config.documents,
        },
        &user,
        project_id,
        fields,
        sent.files,
        Utc::now(),
    )
    .await
    {
        Ok(ids) if json => axum::Json(ids).into_response(),
        Ok(_) => Redirect::to(&format!("/projets/{project_id}#documents")).into_response(),
        Err(err) => refuse(&err),
    }
}

/// `POST /documents/{id}/version`.
pub async fn new_version(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(id): Path<i64>,
    req: Request,
) -> Response {
    let (user, mut sent, json) = match receive(&state, user, req).await {
        Ok(received) => received,
        Err(refused) => return refused,
    };
    let refuse = |err: &AppError| refuse_as(err, json);
    let Some(version) = sent.version else {
        return refuse(&documents::version_missing());
    };
    if sent.files.len() != 1 {
        return refuse(&documents::one_file());
    }
    let Some(file) = sent.files.pop() else {
        return refuse(&no_file());
    };
    match documents::add_version(
        &state.db,
        documents::Storage {
            store: &state.documents,
            config: &state.config.documents,
        },
        &user,
        id,
        version,
        file,
        Utc::now(),
    )
    .await
    {
        Ok(number) if json => axum::Json(number).into_response(),
        Ok(_) => match documents::staff_file(&state.db, id, None).await {
            Ok((d, _)) => {
                Redirect::to(&format!("/projets/{}#documents", d.project_id)).into_response()
            }
            Err(err) => refuse(&err),
        },
        Err(err) => refuse(&err),
    }
}

#[derive(serde::Deserialize)]
pub struct FileQuery {
    version: Option<i32>,
    apercu: Option<String>,
}

/// `GET /documents/{id}/fichier`: staff.
pub async fn staff_download(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(id): Path<i64>,
    Query(query): Query<FileQuery>,
) -> Response {
    if let Err(err) = staff(user, Action::ViewProjects) {
        return refuse(&err);
    }
    let (version, inline) = (query.version, query.apercu.as_deref() == Some("1"));
    match documents::staff_file(&state.db, id, version).await {
        Ok((_, v)) => send(&state, &v, inline).await,
        Err(err) => refuse(&err),
    }
}

/// `GET /partage/{token}/documents/{id}`: a link holder.
pub async fn link_download(
    State(state): State<AppState>,
    Path((token, id)): Path<(String, i64)>,
    Query(query): Query<FileQuery>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let ip = auth::rate_key(auth::client_ip(&parts, state.config.trust_proxy));
    if state.share_limiter.check_key(&ip).is_err() {
        return refuse(&app::server::ical::too_many());
    }
    let today = app::server::clock::local_date(Utc::now());
    let share = match shares::live_link(&state.db, &token, today).await {
        Ok(Ok(share)) => share,
        Ok(Err(LinkRefusal::Unknown)) => return refuse(&AppError::NotFound),
        Ok(Err(LinkRefusal::Gone(_))) => return refuse(&app::server::ical::shared_gone()),
        Err(err) => return refuse(&err),
    };
    let inline = query.apercu.as_deref() == Some("1");
    match documents::shared_file(&state.db, share.project_id, id).await {
        Ok((_, v)) => send(&state, &v, inline).await,
        Err(err) => refuse(&err),
    }
}

/// `GET /espace-partenaire/projets/{pid}/documents/{id}`: a partner
/// account through its live share; staff go to their own route.
pub async fn partner_download(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path((project_id, id)): Path<(i64, i64)>,
    Query(query): Query<FileQuery>,
) -> Response {
    let Some(Extension(user)) = user else {
        return refuse(&AppError::NotFound);
    };
    if user.role.is_staff() {
        return Redirect::to(&format!("/documents/{id}/fichier")).into_response();
    }
    let today = app::server::clock::local_date(Utc::now());
    match shares::account_share(&state.db, user.id, project_id, today).await {
        Ok(Some(share)) if share.state(today) == ShareState::Active => {}
        Ok(_) => return refuse(&AppError::NotFound),
        Err(err) => return refuse(&err),
    }
    let inline = query.apercu.as_deref() == Some("1");
    match documents::shared_file(&state.db, project_id, id).await {
        Ok((_, v)) => send(&state, &v, inline).await,
        Err(err) => refuse(&err),
    }
}

/// `Content-Disposition` for `filename`: an ASCII fallback and the UTF-8
/// name (RFC 6266, RFC 8187).
fn disposition(inline: bool, filename: &str) -> String {
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{}; filename=\"{fallback}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        utf8_percent_encode(filename, NON_ALPHANUMERIC)
    )
}

/// The file of `version`, streamed from the store.
async fn send(state: &AppState, version: &document_version::Model, inline: bool) -> Response {
    let file = match state.documents.open(&version.sha256).await {
        Ok(file) => file,
        Err(err) => return refuse(&err),
    };
    let inline = inline && previewable(&version.media_type);
    let body = match file {
        Contents::File(file) => Body::from_stream(ReaderStream::new(file)),
        Contents::Object(object) => Body::from_stream(object.into_stream()),
    };
    let mut res = Response::new(body);
    let headers = res.headers_mut();
    let mut set = |name: header::HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    // Only UTF-8 text is kept: say so.
    let content_type = if version.media_type.starts_with("text/") {
        format!("{}; charset=utf-8", version.media_type)
    } else {
        version.media_type.clone()
    };
    set(header::CONTENT_TYPE, &content_type);
    set(header::CONTENT_LENGTH, &version.size.to_string());
    set(
        header::CONTENT_DISPOSITION,
        &disposition(inline, &version.filename),
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Nothing in a file may run as a page of this site; a PDF shown in
    // place is left to the browser's viewer, which a sandbox would blank.
    let pdf_in_place = inline && version.media_type == "application/pdf";
    set(
        header::CONTENT_SECURITY_POLICY,
        if pdf_in_place {
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        } else {
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
        },
    );
    set(
        header::HeaderName::from_static("x-robots-tag"),
        "noindex, nofollow",
    );
    set(header::CACHE_CONTROL, "private, no-store");
    set(header::REFERRER_POLICY, "no-referrer");
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_upload_routes_take_files() {
        let post = axum::http::Method::POST;
        assert!(is_upload(&post, "/projets/12/documents"));
        assert!(is_upload(&post, "/documents/3/version"));
        assert!(!is_upload(
            &axum::http::Method::GET,
            "/projets/12/documents"
        ));
        assert!(!is_upload(&post, "/projets/x/documents"));
        assert!(!is_upload(&post, "/projets/12/documents/1"));
        assert!(!is_upload(&post, "/api/projects/create"));
    }

    #[test]
    fn names_are_sent_in_both_forms() {
        assert_eq!(
            disposition(false, "Devis été \"2026\".pdf"),
            "attachment; filename=\"Devis _t_ _2026_.pdf\"; filename*=UTF-8''Devis%20%C3%A9t%C3%A9%20%222026%22%2Epdf"
        );
        assert!(disposition(true, "a.pdf").starts_with("inline;"));
    }
}
