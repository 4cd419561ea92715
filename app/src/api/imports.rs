//! Spreadsheet imports: the file itself arrives by `POST /importer/fichier`
//! (a multipart upload, `server::import_upload`); these calls read an
//! import, change its mapping, confirm it and undo it.
use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{ImportCounts, ImportSummary, ImportView};
#[cfg(feature = "ssr")]
use crate::{policy::Action, server::auth, server::services::imports};

/// The latest imports.
#[server(endpoint = "imports/list")]
pub async fn list_imports() -> Result<Vec<ImportSummary>, AppError> {
    auth::run(Action::ImportProjects, |cx| async move {
        imports::list(&cx.db).await
    })
    .await
}

/// One import: its columns and the verdict on each row.
#[server(endpoint = "imports/get")]
pub async fn get_import(id: i64) -> Result<ImportView, AppError> {
    auth::run(Action::ImportProjects, |cx| async move {
        imports::view(&cx.db, &cx.actor, id).await
    })
    .await
}

/// Sets the field of each column (a field code, or empty to leave the
/// column out) and the key rows are matched on; the preview is redone.
#[server(endpoint = "imports/mapping")]
pub async fn map_import(
    id: i64,
    #[server(default)] fields: Vec<String>,
    key: String,
) -> Result<(), AppError> {
    auth::run(Action::ImportProjects, |cx| async move {
        imports::remap(&cx.db, id, &fields, &key).await
    })
    .await
}

/// Says whether a contacts file's line names another organisation than
/// the directory's namesake (created anyway) or the same one.
#[server(endpoint = "imports/distinct")]
pub async fn distinct_import(id: i64, line: u32, distinct: bool) -> Result<(), AppError> {
    auth::run(Action::ImportProjects, |cx| async move {
        imports::set_distinct(&cx.db, id, line, distinct).await
    })
    .await
}

/// Writes the rows the preview accepted, all or nothing.
#[server(endpoint = "imports/commit")]
pub async fn commit_import(id: i64) -> Result<ImportCounts, AppError> {
    auth::run(Action::ImportProjects, |cx| async move {
        imports::commit(&cx.db, &cx.actor, id, cx.now).await
    })
    .await
}

/// Undoes a confirmed import as a whole (heads and admins).
#[server(endpoint = "imports/undo")]
pub async fn undo_import(id: i64) -> Result<(), AppError> {
    auth::run(Action::UndoImports, |cx| async move {
        imports::undo(&cx.db, &cx.actor, id, cx.now).await
    })
    .await
}

#[cfg(feature = "ssr")]
crate::server_fn_args!(
    ListImports,
    GetImport,
    MapImport,
    DistinctImport,
    CommitImport,
    UndoImport
);
