//! The project's documents: editing a document's own fields and deleting
//! it (`EditProjects`). Files come and go through axum routes
//! (`server/src/documents.rs`): uploads in `multipart/form-data`,
//! downloads streamed from the store.
use leptos::prelude::*;

use crate::error::AppError;
use crate::models::{DocumentForm, RetentionForm, RetentionView};
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

/// How long deleted documents are kept (admins).
#[server(endpoint = "documents/retention")]
pub async fn get_retention() -> Result<RetentionView, AppError> {
    auth::run(Action::ManageReferenceLists, |cx| async move {
        let state = auth::state()?;
        crate::server::services::settings::document_retention(
            &cx.db,
            state.config.documents.retention_days,
        )
        .await
    })
    .await
}

/// Sets how long deleted documents are kept, or (empty) goes back to the
/// server's period (admins).
#[server(endpoint = "documents/retention/save")]
pub async fn save_retention(#[server(default)] form: RetentionForm) -> Result<(), AppError> {
    auth::run(Action::ManageReferenceLists, |cx| async move {
        let days = form.validate()?;
        tracing::info!(by = cx.actor.id, ?days, "document retention set");
        crate::server::services::settings::set_document_retention(&cx.db, days, cx.now).await
    })
    .await
}

#[cfg(feature = "ssr")]
crate::server_fn_args!(UpdateDocument, DeleteDocument, GetRetention, SaveRetention);
