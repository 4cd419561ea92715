//! The project's documents (issue 21): received files judged on their
//! contents and kept in the store (`server::documents`), their rows, their
//! versions, their edits and deletions on the project's timeline, and the
//! files a staff member, a partner or a link holder may download.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Alias, Expr, Func, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::json;

use crate::domain::EventKind;
use crate::domain::document::{Detected, Refusal, judge, kept_filename};
use crate::error::AppError;
use crate::models::{
    Attachment, CurrentUser, DocumentFields, DocumentVersionView, DocumentView, Labelled,
    ProjectDocuments, ReferenceList, SharedDocument,
};
use crate::server::config::DocumentsConfig;
use crate::server::documents::{Store, Stored, Upload};
use crate::server::entities::documents::{document, document_version};
use crate::server::entities::funding::{funder, funding_line};
use crate::server::entities::projects::{milestone, project};
use crate::server::services::change::Change;
use crate::server::services::references;

/// Where files go and how much they may weigh.
#[derive(Clone, Copy)]
pub struct Storage<'a> {
    pub store: &'a Store,
    pub config: &'a DocumentsConfig,
}

/// A file received for a document: its upload (finished: see
/// `Upload::finish`), its digest and the name it came with.
pub struct Received {
    pub upload: Upload,
    pub sha256: String,
    pub filename: String,
}

fn refusal(filename: &str, why: Refusal) -> AppError {
    let key = match why {
        Refusal::Executable => "documents.refused_program",
        Refusal::Markup => "documents.refused_markup",
        Refusal::Unknown => "documents.refused_kind",
        Refusal::Empty => "documents.refused_empty",
    };
    AppError::validation("file", rust_i18n::t!(key, name = filename))
}

/// The media type `file` is kept under, judged on its first bytes.
pub fn media_type_of(file: &Received) -> Result<&'static str, AppError> {
    let head = file.upload.head();
    let detected = match infer::get(head) {
        Some(kind) => Detected::Kind {
            media_type: kind.mime_type(),
            program: kind.matcher_type() == infer::MatcherType::App,
        },
        None => Detected::Nothing,
    };
    judge(detected, head, &file.filename).map_err(|why| refusal(&file.filename, why))
}

/// The refusal of a file past the size limit.
pub fn too_large(filename: &str, config: &DocumentsConfig) -> AppError {
    AppError::validation(
        "file",
        rust_i18n::t!(
            "documents.too_large",
            name = filename,
            max = crate::domain::document::size_label(config.max_file_bytes)
        ),
    )
}

/// The refusal of a request with more than `max` files.
pub fn too_many_files(max: usize) -> AppError {
    AppError::validation("file", rust_i18n::t!("documents.too_many", max = max))
}

/// The refusal of a request that should carry exactly one file.
pub fn one_file() -> AppError {
    AppError::validation("file", rust_i18n::t!("documents.one_file"))
}

/// The refusal of a form field far longer than any the form sends.
pub fn field_too_long(field: &str, max: usize) -> AppError {
    AppError::validation(
        field,
        rust_i18n::t!("documents.field_too_long", field = field, max = max),
    )
}

/// The refusal of a new version sent without the document's version.
pub fn version_missing() -> AppError {
    AppError::validation("version", rust_i18n::t!("documents.version_missing"))
}

/// The refusal of a request with no file.
pub fn no_file() -> AppError {
    AppError::validation("file", rust_i18n::t!("documents.no_file"))
}

/// The project's documents (deleted ones aside), newest first, with the
/// choices of the forms.
pub async fn of_project(
    db: &impl ConnectionTrait,
    project_id: i64,
    config: &DocumentsConfig,
) -> Result<ProjectDocuments, AppError> {
    let rows = document::Entity::find()
        .filter(document::Column::ProjectId.eq(project_id))
        .filter(document::Column::DeletedAt.is_null())
        .order_by_desc(document::Column::DocDate)
        .order_by_desc(document::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
    let mut versions: HashMap<i64, Vec<document_version::Model>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for v in document_version::Entity::find()
            .filter(document_version::Column::DocumentId.is_in(chunk.to_vec()))
            .order_by_desc(document_version::Column::Number)
            .all(db)
            .await?
        {
            versions.entry(v.document_id).or_default().push(v);
        }
    }
    let people: Vec<i64> = versions
        .values()
        .flatten()
        .filter_map(|v| v.uploaded_by)
        .collect();
    let names = super::projects::user_names(db, people).await?;
    let types = references::all(db, ReferenceList::DocumentTypes).await?;
    let type_labels: HashMap<&str, &str> = types
        .iter()
        .map(|t| (t.code.as_str(), t.label.as_str()))
        .collect();
    let attachments = attachments_of(db, project_id).await?;
    let attached: HashMap<String, String> = attachments
        .iter()
        .map(|a| (a.code.clone(), a.label.clone()))
        .collect();
    let documents = rows
        .into_iter()
        .filter_map(|d| {
            let versions: Vec<DocumentVersionView> = versions
                .remove(&d.id)?
                .into_iter()
                .map(|v| DocumentVersionView {
                    number: v.number,
                    filename: v.filename,
                    size: u64::try_from(v.size).unwrap_or_default(),
                    media_type: v.media_type,
                    uploaded_at: v.uploaded_at,
                    uploaded_by: v.uploaded_by.and_then(|id| names.get(&id).cloned()),
                })
                .collect();
            let attachment = attachment_of(&d);
            Some(DocumentView {
                id: d.id,
                type_label: type_labels
                    .get(d.type_code.as_str())
                    .map_or_else(|| d.type_code.clone(), |l| (*l).to_owned()),
                type_code: d.type_code,
                title: d.title,
                doc_date: d.doc_date,
                shared: d.shared,
                milestone_id: d.milestone_id,
                funding_line_id: d.funding_line_id,
                attached_to: (attachment != Attachment::Project)
                    .then(|| attached.get(&attachment.code()).cloned())
                    .flatten(),
                version: d.version,
                versions,
            })
        })
        .collect();
    Ok(ProjectDocuments {
        documents,
        types: types
            .into_iter()
            .filter(|t| t.active)
            .map(|t| Labelled {
                code: t.code,
                label: t.label,
            })
            .collect(),
        attachments,
        used_bytes: used_bytes(db, project_id).await?,
        max_project_bytes: config.max_project_bytes,
        max_file_bytes: config.max_file_bytes,
    })
}

fn attachment_of(d: &document::Model) -> Attachment {
    match (d.milestone_id, d.funding_line_id) {
        (Some(id), _) => Attachment::Milestone(id),
        (None, Some(id)) => Attachment::FundingLine(id),
        (None, None) => Attachment::Project,
    }
}

/// What a document of the project may be attached to: the project, each
/// milestone, each funding line (by its funder's name).
async fn attachments_of(
    db: &impl ConnectionTrait,
    project_id: i64,
) -> Result<Vec<Labelled>, AppError> {
    let mut out = vec![Labelled {
        code: String::new(),
        label: rust_i18n::t!("documents.attached_project").into_owned(),
    }];
    for m in milestone::Entity::find()
        .filter(milestone::Column::ProjectId.eq(project_id))
        .order_by_asc(milestone::Column::DueDate)
        .order_by_asc(milestone::Column::Id)
        .all(db)
        .await?
    {
        out.push(Labelled {
            code: Attachment::Milestone(m.id).code(),
            label: rust_i18n::t!("documents.attached_milestone", title = m.title).into_owned(),
        });
    }
    let lines = funding_line::Entity::find()
        .filter(funding_line::Column::ProjectId.eq(project_id))
        .order_by_asc(funding_line::Column::Id)
        .all(db)
        .await?;
    let funders: BTreeMap<i64, String> = funder::Entity::find()
        .filter(funder::Column::Id.is_in(lines.iter().map(|l| l.funder_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.id, f.name))
        .collect();
    for l in lines {
        out.push(Labelled {
            code: Attachment::FundingLine(l.id).code(),
            label: rust_i18n::t!(
                "documents.attached_line",
                funder = funders.get(&l.funder_id).cloned().unwrap_or_default()
            )
            .into_owned(),
        });
    }
    Ok(out)
}

/// Bytes the project's documents take on disk: every version of every
/// document, deleted ones too until the purge removes them (else deleting
/// and sending again would pass any limit).
async fn used_bytes(db: &impl ConnectionTrait, project_id: i64) -> Result<u64, AppError> {
    let total: Option<i64> = document_version::Entity::find()
        .select_only()
        .expr_as(
            Func::cast_as(
                Func::sum(Expr::col((
                    document_version::Entity,
                    document_version::Column::Size,
                ))),
                Alias::new("BIGINT"),
            ),
            "total",
        )
        .filter(
            document_version::Column::DocumentId.in_subquery(
                Query::select()
                    .column(document::Column::Id)
                    .from(document::Entity)
                    .and_where(document::Column::ProjectId.eq(project_id))
                    .to_owned(),
            ),
        )
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten();
    Ok(total.map_or(0, |t| u64::try_from(t).unwrap_or_default()))
}

/// The type and the attachment of `fields` checked against the project:
/// a type the admin keeps (and offers), a milestone or a funding line of
/// this very project.
async fn check_fields(
    db: &impl ConnectionTrait,
    project_id: i64,
    fields: &DocumentFields,
    keep_type: Option<&str>,
) -> Result<(), AppError> {
    let mut errors = crate::error::FieldErrors::default();
    let offered = references::offered(db, ReferenceList::DocumentTypes).await?;
    // A type since withdrawn stays valid on a document that has it.
    if !offered.iter().any(|t| t.code == fields.type_code) && keep_type != Some(&fields.type_code) {
        errors.add("type_code", rust_i18n::t!("documents.type_unknown"));
    }
    let belongs = match fields.attachment {
        Attachment::Project => true,
        Attachment::Milestone(id) => milestone::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_some_and(|m| m.project_id == project_id),
        Attachment::FundingLine(id) => funding_line::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_some_and(|l| l.project_id == project_id),
    };
    if !belongs {
        errors.add("attachment", rust_i18n::t!("documents.attachment_unknown"));
    }
    errors.into_result()
}

/// Whether any version refers to the contents `sha256`.
async fn referenced(db: &impl ConnectionTrait, sha256: &str) -> Result<bool, AppError> {
    Ok(document_version::Entity::find()
        .filter(document_version::Column::Sha256.eq(sha256))
        .one(db)
        .await?
        .is_some())
}

/// After a failed write: removes the contents this request put in the
/// store that no row refers to (under the commit lock).
async fn undo(db: &DatabaseConnection, store: &Store, stored: &[Stored]) {
    for s in stored.iter().filter(|s| s.created) {
        match referenced(db, &s.sha256).await {
            Ok(false) => {
                if let Err(err) = store.remove(&s.sha256).await {
                    tracing::error!(error = ?err, sha256 = %s.sha256, "an unused file stayed");
                }
            }
            Ok(true) => {}
            Err(err) => tracing::error!(error = ?err, "an unused file may have stayed"),
        }
    }
}

/// Judges every file, then checks the project's quota and keeps them, all
/// under the commit lock, then runs `write` with what was kept; a failure
/// anywhere leaves neither file nor row.
async fn keep_then<T, F, Fut>(
    db: &DatabaseConnection,
    store: &Store,
    config: &DocumentsConfig,
    project_id: i64,
    files: Vec<Received>,
    write: F,
) -> Result<T, AppError>
where
    F: FnOnce(Vec<(Stored, String, &'static str)>) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    if files.is_empty() {
        return Err(no_file());
    }
    let mut judged = Vec::with_capacity(files.len());
    for file in files {
        let media_type = media_type_of(&file)?;
        judged.push((file, media_type));
    }
    let _lock = store.commit_lock().await;
    let adding: u64 = judged.iter().map(|(f, _)| f.upload.size()).sum();
    if used_bytes(db, project_id).await?.saturating_add(adding) > config.max_project_bytes {
        return Err(AppError::validation(
            "file",
            rust_i18n::t!(
                "documents.project_full",
                max = crate::domain::document::size_label(config.max_project_bytes)
            ),
        ));
    }
    let mut kept = Vec::with_capacity(judged.len());
    let mut stored_all = Vec::new();
    for (file, media_type) in judged {
        match file.upload.keep(store, &file.sha256).await {
            Ok(stored) => {
                stored_all.push(stored.clone());
                kept.push((
                    stored,
                    kept_filename(&file.filename, media_type),
                    media_type,
                ));
            }
            Err(err) => {
                undo(db, store, &stored_all).await;
                return Err(err);
            }
        }
    }
    match write(kept).await {
        Ok(out) => Ok(out),
        Err(err) => {
            undo(db, store, &stored_all).await;
            Err(err)
        }
    }
}

fn version_row(
    document_id: i64,
    number: i32,
    stored: &Stored,
    filename: String,
    media_type: &str,
    actor: &CurrentUser,
    now: DateTime<Utc>,
) -> document_version::ActiveModel {
    document_version::ActiveModel {
        document_id: Set(document_id),
        number: Set(number),
        sha256: Set(stored.sha256.clone()),
        size: Set(i64::try_from(stored.size).unwrap_or(i64::MAX)),
        media_type: Set(media_type.to_owned()),
        filename: Set(filename),
        uploaded_by: Set(Some(actor.id)),
        uploaded_at: Set(now),
        ..Default::default()
    }
}

/// Adds one document per file to project `project_id`, each with `fields`;
/// their ids. Every file is refused or kept together.
pub async fn add(
    db: &DatabaseConnection,
    Storage { store, config }: Storage<'_>,
    actor: &CurrentUser,
    project_id: i64,
    fields: DocumentFields,
    files: Vec<Received>,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, AppError> {
    project::Entity::find_by_id(project_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    check_fields(db, project_id, &fields, None).await?;
    keep_then(db, store, config, project_id, files, |kept| async move {
        let mut change = Change::begin(db, actor, now).await?;
        let (milestone_id, funding_line_id) = fields.attachment.ids();
        let mut ids = Vec::with_capacity(kept.len());
        for (stored, filename, media_type) in kept {
            let row = document::ActiveModel {
                project_id: Set(project_id),
                milestone_id: Set(milestone_id),
                funding_line_id: Set(funding_line_id),
                type_code: Set(fields.type_code.clone()),
                title: Set(fields.title.clone()),
                doc_date: Set(fields.doc_date),
                shared: Set(fields.shared),
                created_by: Set(Some(actor.id)),
                created_at: Set(now),
                updated_at: Set(now),
                deleted_at: Set(None),
                version: Set(1),
                ..Default::default()
            }
            .insert(change.txn())
            .await?;
            version_row(row.id, 1, &stored, filename.clone(), media_type, actor, now)
                .insert(change.txn())
                .await?;
            change.record(
                project_id,
                EventKind::DocumentAdded,
                json!({
                    "document_id": row.id,
                    "name": if fields.title.is_empty() { filename.clone() } else { fields.title.clone() },
                    "type": fields.type_code,
                    "filename": filename,
                    "shared": fields.shared,
                }),
            );
            ids.push(row.id);
        }
        change.commit().await?;
        Ok(ids)
    })
    .await
}

/// A deleted milestone's or funding line's documents stay, on the project.
pub async fn detach(db: &impl ConnectionTrait, from: Attachment) -> Result<(), AppError> {
    let (column, id) = match from {
        Attachment::Milestone(id) => (document::Column::MilestoneId, id),
        Attachment::FundingLine(id) => (document::Column::FundingLineId, id),
        Attachment::Project => return Ok(()),
    };
    document::Entity::update_many()
        .col_expr(column, Expr::value(Option::<i64>::None))
        .filter(column.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The live (not deleted) document `id`, locked for the change, as the
/// form saw it (`version`; else the refusal of an outdated page).
async fn live(change: &Change, id: i64, version: i32) -> Result<document::Model, AppError> {
    let d = document::Entity::find_by_id(id)
        .lock_exclusive()
        .one(change.txn())
        .await?
        .filter(|d| d.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    if d.version != version {
        return Err(stale());
    }
    Ok(d)
}

/// The refusal of a change made on an outdated page.
pub fn stale() -> AppError {
    AppError::Conflict(rust_i18n::t!("documents.stale").into_owned())
}

fn name_of(d: &document::Model, filename: &str) -> String {
    if d.title.is_empty() {
        filename.to_owned()
    } else {
        d.title.clone()
    }
}

/// Replaces document `id`'s file by a new version (the older ones stay);
/// the new version's number. `version` is the document as the form saw it.
pub async fn add_version(
    db: &DatabaseConnection,
    Storage { store, config }: Storage<'_>,
    actor: &CurrentUser,
    id: i64,
    version: i32,
    file: Received,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let project_id = document::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|d| d.deleted_at.is_none())
        .ok_or(AppError::NotFound)?
        .project_id;
    keep_then(
        db,
        store,
        config,
        project_id,
        vec![file],
        |kept| async move {
            let mut change = Change::begin(db, actor, now).await?;
            let d = live(&change, id, version).await?;
            let number = document_version::Entity::find()
                .filter(document_version::Column::DocumentId.eq(id))
                .select_only()
                .column_as(document_version::Column::Number.max(), "n")
                .into_tuple::<Option<i32>>()
                .one(change.txn())
                .await?
                .flatten()
                .unwrap_or(0)
                + 1;
            let Some((stored, filename, media_type)) = kept.into_iter().next() else {
                return Err(no_file());
            };
            version_row(
                id,
                number,
                &stored,
                filename.clone(),
                media_type,
                actor,
                now,
            )
            .insert(change.txn())
            .await?;
            let name = name_of(&d, &filename);
            let mut row: document::ActiveModel = d.into();
            row.version = Set(version + 1);
            row.updated_at = Set(now);
            row.update(change.txn()).await?;
            change.record(
                project_id,
                EventKind::DocumentVersionAdded,
                json!({ "document_id": id, "name": name, "number": number, "filename": filename }),
            );
            change.commit().await?;
            Ok(number)
        },
    )
    .await
}

/// Rewrites document `id`'s own fields (type, title, date, attachment,
/// shared or not).
pub async fn update(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    version: i32,
    fields: DocumentFields,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    let d = live(&change, id, version).await?;
    check_fields(change.txn(), d.project_id, &fields, Some(&d.type_code)).await?;
    let (milestone_id, funding_line_id) = fields.attachment.ids();
    let latest = latest_version(change.txn(), id).await?;
    let project_id = d.project_id;
    let mut changes = Vec::new();
    let mut diff = |field: &str, before: serde_json::Value, after: serde_json::Value| {
        if before != after {
            changes.push(json!({ "field": field, "before": before, "after": after }));
        }
    };
    diff("type", json!(d.type_code), json!(fields.type_code));
    diff("title", json!(d.title), json!(fields.title));
    diff("doc_date", json!(d.doc_date), json!(fields.doc_date));
    diff("shared", json!(d.shared), json!(fields.shared));
    diff(
        "attachment",
        json!(attachment_of(&d).code()),
        json!(fields.attachment.code()),
    );
    if changes.is_empty() {
        return Ok(());
    }
    let name = if fields.title.is_empty() {
        latest.map(|v| v.filename).unwrap_or_default()
    } else {
        fields.title.clone()
    };
    let mut row: document::ActiveModel = d.into();
    row.type_code = Set(fields.type_code);
    row.title = Set(fields.title);
    row.doc_date = Set(fields.doc_date);
    row.shared = Set(fields.shared);
    row.milestone_id = Set(milestone_id);
    row.funding_line_id = Set(funding_line_id);
    row.version = Set(version + 1);
    row.updated_at = Set(now);
    row.update(change.txn()).await?;
    change.record(
        project_id,
        EventKind::DocumentUpdated,
        json!({ "document_id": id, "name": name, "changes": changes }),
    );
    change.commit().await
}

/// Deletes document `id`: hidden at once from every page and route, its
/// contents removed by `purge` once the retention period is over.
pub async fn delete(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    let d = live(&change, id, version).await?;
    let latest = latest_version(change.txn(), id).await?;
    let name = name_of(&d, &latest.map(|v| v.filename).unwrap_or_default());
    let project_id = d.project_id;
    let mut row: document::ActiveModel = d.into();
    row.deleted_at = Set(Some(now));
    row.version = Set(version + 1);
    row.updated_at = Set(now);
    row.update(change.txn()).await?;
    change.record(
        project_id,
        EventKind::DocumentDeleted,
        json!({ "document_id": id, "name": name }),
    );
    change.commit().await
}

async fn latest_version(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<document_version::Model>, AppError> {
    Ok(document_version::Entity::find()
        .filter(document_version::Column::DocumentId.eq(id))
        .order_by_desc(document_version::Column::Number)
        .one(db)
        .await?)
}

/// The file a staff member downloads: version `number` of document `id`
/// (the latest without one); a deleted document is not found.
pub async fn staff_file(
    db: &impl ConnectionTrait,
    id: i64,
    number: Option<i32>,
) -> Result<(document::Model, document_version::Model), AppError> {
    let d = document::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|d| d.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    let version = match number {
        Some(n) => {
            document_version::Entity::find()
                .filter(document_version::Column::DocumentId.eq(id))
                .filter(document_version::Column::Number.eq(n))
                .one(db)
                .await?
        }
        None => latest_version(db, id).await?,
    }
    .ok_or(AppError::NotFound)?;
    Ok((d, version))
}

/// The file a partner or a link holder downloads: the latest version of
/// document `id`, only if it belongs to `project_id`, is shared and is not
/// deleted (anything else is not found, whether it exists or not).
pub async fn shared_file(
    db: &impl ConnectionTrait,
    project_id: i64,
    id: i64,
) -> Result<(document::Model, document_version::Model), AppError> {
    let d = document::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|d| d.project_id == project_id && d.shared && d.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    let version = latest_version(db, id).await?.ok_or(AppError::NotFound)?;
    Ok((d, version))
}

/// The documents of `project_id` shared with its partners, each with its
/// address for this reader (`href` of its id).
pub async fn shared_documents(
    db: &impl ConnectionTrait,
    project_id: i64,
    href: impl Fn(i64) -> String,
) -> Result<Vec<SharedDocument>, AppError> {
    let rows = document::Entity::find()
        .filter(document::Column::ProjectId.eq(project_id))
        .filter(document::Column::Shared.eq(true))
        .filter(document::Column::DeletedAt.is_null())
        .order_by_desc(document::Column::DocDate)
        .order_by_desc(document::Column::Id)
        .all(db)
        .await?;
    let labels = references::labels(
        db,
        ReferenceList::DocumentTypes,
        &rows.iter().map(|d| d.type_code.clone()).collect::<Vec<_>>(),
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for d in rows {
        let Some(v) = latest_version(db, d.id).await? else {
            continue;
        };
        out.push(SharedDocument {
            id: d.id,
            type_label: labels
                .iter()
                .find(|l| l.code == d.type_code)
                .map_or_else(|| d.type_code.clone(), |l| l.label.clone()),
            name: name_of(&d, &v.filename),
            doc_date: d.doc_date,
            size: u64::try_from(v.size).unwrap_or_default(),
            href: href(d.id),
        });
    }
    Ok(out)
}

/// The purge run every few hours: with the retention the admin set, else
/// the server's `default_days`.
pub async fn scheduled_purge(
    db: &DatabaseConnection,
    store: &Store,
    default_days: i64,
    now: DateTime<Utc>,
) -> Result<(u64, usize), AppError> {
    let days = super::settings::document_retention(db, default_days)
        .await?
        .days;
    purge(db, store, days, now).await
}

/// Removes what the retention period no longer keeps: the documents
/// deleted more than `retention_days` before `now` (their rows and
/// versions), then every file of the store no version refers to (a
/// deleted project's too), then the parts of uploads a stopped process
/// left. How many documents and files went.
pub async fn purge(
    db: &DatabaseConnection,
    store: &Store,
    retention_days: i64,
    now: DateTime<Utc>,
) -> Result<(u64, usize), AppError> {
    let gone = document::Entity::delete_many()
        .filter(document::Column::DeletedAt.lt(now - Duration::days(retention_days)))
        .exec(db)
        .await?
        .rows_affected;
    // Versions of documents that no longer exist (SQLite keeps no foreign
    // key from versions here when its pragma is off).
    document_version::Entity::delete_many()
        .filter(
            document_version::Column::DocumentId.not_in_subquery(
                Query::select()
                    .column(document::Column::Id)
                    .from(document::Entity)
                    .to_owned(),
            ),
        )
        .exec(db)
        .await?;
    let files = sweep(db, store, now - Duration::hours(1)).await?;
    store
        .sweep_parts(std::time::Duration::from_secs(24 * 3600))
        .await?;
    Ok((gone, files))
}

/// Removes every file of the store no version refers to (a deleted
/// project's, an erased document's) and no upload wrote or found after
/// `before` (another instance may be writing its row); how many.
pub async fn sweep(
    db: &DatabaseConnection,
    store: &Store,
    before: DateTime<Utc>,
) -> Result<usize, AppError> {
    // The files no row cites, read in one statement; each is checked again
    // under the lock (uploads wait only for these few).
    let cited: std::collections::HashSet<String> = document_version::Entity::find()
        .select_only()
        .column(document_version::Column::Sha256)
        .distinct()
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let candidates: Vec<String> = store
        .names()
        .await?
        .into_iter()
        .filter(|name| !cited.contains(name))
        .collect();
    if candidates.is_empty() {
        return Ok(0);
    }
    let _lock = store.commit_lock().await;
    let mut files = 0;
    for name in candidates {
        if !referenced(db, &name).await? && !store.used_since(&name, before).await {
            store.remove(&name).await?;
            files += 1;
        }
    }
    Ok(files)
}
