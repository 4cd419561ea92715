//! The project's documents: editing a document's own fields and deleting
//! it (`EditProjects`). Files come and go through axum routes
//! (`server/src/documents.rs`): uploads in `multipart/form-data`,
//! downloads streamed from the store.
use leptos::prelude::*;

use crate::error::AppError;
use crate::models::DocumentForm;
#[cfg(feature = "ssr")]
use crate::{policy::Action, server::auth, server::services::documents};

/// Rewrites document `document_id`'s type, title, date, attachment and
/// sharing; `version` is the document as the form saw it.
#[server(endpoint = "documents/update")]
pub async fn update_document(
    document_id: i64,
    version: i32,
    form: DocumentForm,
) -> Result<(), AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        let fields = form.validate()?;
        documents::update(&cx.db, &cx.actor, document_id, version, fields, cx.now).await
    })
    .await
}

/// Deletes document `document_id` (recorded on the timeline; its contents
/// go when the retention period ends).
#[server(endpoint = "documents/delete")]
pub async fn delete_document(document_id: i64, version: i32) -> Result<(), AppError> {
    auth::run(Action::EditProjects, |cx| async move {
        documents::delete(&cx.db, &cx.actor, document_id, version, cx.now).await
    })
    .await
}

#[cfg(feature = "ssr")]
crate::server_fn_args!(UpdateDocument, DeleteDocument);
