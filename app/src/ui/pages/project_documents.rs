//! The project page's « Documents » section: the project's file by type,
//! newest first, each with its versions; the upload form (files sent by
//! the browser itself, `multipart/form-data`, with or without script); a
//! document's edit, replacement and deletion.
use leptos::prelude::*;
use rust_i18n::t;

use crate::api::documents::{DeleteDocument, UpdateDocument};
use crate::domain::document::{previewable, size_label};
use crate::models::{Attachment, DocumentView, Labelled, ProjectDocuments};
use crate::ui::actions::{field_error, general_error};
use crate::ui::format;

/// The document writes of a project page.
#[derive(Clone, Copy)]
pub struct DocumentActions {
    pub update: ServerAction<UpdateDocument>,
    pub delete: ServerAction<DeleteDocument>,
}

impl DocumentActions {
    pub fn new() -> Self {
        Self {
            update: ServerAction::new(),
            delete: ServerAction::new(),
        }
    }
}

impl Default for DocumentActions {
    fn default() -> Self {
        Self::new()
    }
}

#[component]
pub fn DocumentsSection(
    project_id: i64,
    docs: ProjectDocuments,
    actions: DocumentActions,
) -> impl IntoView {
    // By type, in the order of the admin's list, then any other.
    let mut groups: Vec<(String, Vec<DocumentView>)> = Vec::new();
    for d in docs.documents.iter().cloned() {
        match groups.iter_mut().find(|(label, _)| *label == d.type_label) {
            Some((_, list)) => list.push(d),
            None => groups.push((d.type_label.clone(), vec![d])),
        }
    }
    let position = |label: &str| {
        docs.types
            .iter()
            .position(|t| t.label == label)
            .unwrap_or(usize::MAX)
    };
    groups.sort_by_key(|(label, _)| position(label));
    let types = docs.types.clone();
    let attachments = docs.attachments.clone();
    view! {
        <section class="card" id="documents" aria-labelledby="documents-title" data-testid="documents">
            <h2 id="documents-title">{t!("documents.title")}</h2>
            <p class="muted">{t!("documents.intro")}</p>
            <p class="hint" data-testid="documents-used">{t!(
                "documents.used",
                used = size_label(docs.used_bytes),
                max = size_label(docs.max_project_bytes)
            )}</p>
            {if groups.is_empty() {
                view! { <p class="empty">{t!("documents.empty")}</p> }.into_any()
            } else {
                groups.into_iter().map(|(label, list)| view! {
                    <h3>{label}</h3>
                    <ul class="documents">
                        {list.into_iter().map(|d| view! {
                            <DocumentItem d types=types.clone() attachments=attachments.clone() actions />
                        }).collect_view()}
                    </ul>
                }).collect_view().into_any()
            }}
            <UploadForm project_id types=docs.types.clone() attachments=docs.attachments.clone()
                max_file=docs.max_file_bytes />
        </section>
    }
}

#[component]
fn UploadForm(
    project_id: i64,
    types: Vec<Labelled>,
    attachments: Vec<Labelled>,
    max_file: u64,
) -> impl IntoView {
    view! {
        <details class="add-form" id="nouveaux-documents">
            <summary>{t!("documents.add")}</summary>
            <form class="form" method="post" action=format!("/projets/{project_id}/documents")
                enctype="multipart/form-data" data-upload="" data-anchor="documents"
                data-max-bytes=max_file.to_string()
                data-too-large=t!("documents.too_large", name = "{}", max = size_label(max_file)).into_owned()
                data-done=t!("documents.uploaded").into_owned() data-testid="upload-documents">
                <div class="field">
                    <label for="document-type">{t!("documents.type")}" *"</label>
                    <select id="document-type" name="type_code" required=true>
                        {types.into_iter().map(|t| view! { <option value=t.code>{t.label}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="document-title">{t!("documents.title_field")}</label>
                    <input id="document-title" name="title" type="text"
                        maxlength=crate::domain::input::max::TITLE.to_string() />
                </div>
                <div class="field">
                    <label for="document-date">{t!("documents.date")}</label>
                    <input id="document-date" name="doc_date" type="date" />
                </div>
                <AttachmentField id="document-attachment".to_owned() name="attachment" attachments current=String::new() />
                <label class="check"><input type="checkbox" name="shared" value="on" />{t!("documents.shared")}</label>
                <div class="field dropzone" data-dropzone="" data-testid="dropzone">
                    <label for="document-files">{t!("documents.files")}" *"</label>
                    <input id="document-files" name="file" type="file" multiple=true required=true
                        aria-describedby="document-files-aide" />
                    <p class="hint" id="document-files-aide">{t!("documents.files_hint", max = size_label(max_file))}" "{t!("documents.drop_hint")}</p>
                    <p class="field-error" id="document-files-erreur" role="alert"></p>
                    <ul class="upload-list plain-list" data-upload-list="" aria-live="polite"></ul>
                </div>
                <p class="form-error" role="alert"></p>
                <button type="submit" class="button primary" data-testid="send-documents">{t!("documents.send")}</button>
            </form>
        </details>
    }
}

#[component]
fn AttachmentField(
    id: String,
    name: &'static str,
    attachments: Vec<Labelled>,
    current: String,
) -> impl IntoView {
    let label_for = id.clone();
    view! {
        <div class="field">
            <label for=label_for>{t!("documents.attachment")}</label>
            <select id=id name=name>
                {attachments.into_iter().map(|a| {
                    let selected = a.code == current;
                    view! { <option value=a.code selected=selected>{a.label}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn DocumentItem(
    d: DocumentView,
    types: Vec<Labelled>,
    attachments: Vec<Labelled>,
    actions: DocumentActions,
) -> impl IntoView {
    let latest = d.versions.first().cloned();
    let href = format!("/documents/{}/fichier", d.id);
    let preview = latest
        .as_ref()
        .filter(|v| previewable(&v.media_type))
        .map(|_| format!("{href}?apercu=1"));
    let older: Vec<_> = d.versions.iter().skip(1).cloned().collect();
    let prefix = format!("document-{}", d.id);
    let (type_id, title_id, date_id, attachment_id, file_id) = (
        format!("{prefix}-type"),
        format!("{prefix}-title"),
        format!("{prefix}-date"),
        format!("{prefix}-attachment"),
        format!("{prefix}-file"),
    );
    let (type_for, title_for, date_for, file_for) = (
        type_id.clone(),
        title_id.clone(),
        date_id.clone(),
        file_id.clone(),
    );
    let current_attachment = match (d.milestone_id, d.funding_line_id) {
        (Some(m), _) => format!("jalon:{m}"),
        (None, Some(l)) => format!("ligne:{l}"),
        _ => String::new(),
    };
    let name = d.name();
    view! {
        <li class="document" data-testid="document" data-id=d.id.to_string()>
            <a href=href.clone() download="" rel="external" data-testid="document-link">{name.clone()}</a>
            {d.shared.then(|| view! { " " <span class="badge" data-testid="document-shared">{t!("documents.shared_badge")}</span> })}
            <span class="muted">
                {d.doc_date.map(|day| format!(" · {}", format::date(day)))}
                {latest.as_ref().map(|v| format!(" · {} · {}", v.filename, size_label(v.size)))}
                {d.attached_to.clone().map(|what| format!(" · {}", t!("documents.attached_to", what = what)))}
            </span>
            {preview.map(|p| view! { " " <a href=p target="_blank" rel="external noopener">{t!("documents.preview")}</a> })}
            {(!older.is_empty()).then(|| view! {
                <details class="versions">
                    <summary>{t!("documents.versions", n = older.len())}</summary>
                    <ul class="plain-list">
                        {older.into_iter().map(|v| view! {
                            <li>
                                <a href=format!("{href}?version={}", v.number) download="" rel="external">
                                    {t!("documents.version", number = v.number, date = format::datetime(v.uploaded_at))}
                                </a>
                                <span class="muted">" · "{v.filename}" · "{size_label(v.size)}
                                    {v.uploaded_by.map(|n| format!(" · {}", t!("documents.by", name = n)))}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
            <details class="edit">
                <summary>{t!("documents.edit")}</summary>
                <ActionForm action=actions.update attr:class="form" attr:novalidate="true" attr:data-anchor="documents"
                    attr:data-done=t!("documents.saved").into_owned()>
                    <input type="hidden" name="document_id" value=d.id.to_string() />
                    <input type="hidden" name="version" value=d.version.to_string() />
                    <div class="field">
                        <label for=type_for>{t!("documents.type")}</label>
                        <select id=type_id name="form[type_code]">
                            {types.into_iter().map(|t| {
                                let selected = t.code == d.type_code;
                                view! { <option value=t.code selected=selected>{t.label}</option> }
                            }).collect_view()}
                        </select>
                        <p class="field-error" role="alert">{field_error(actions.update, "type_code")}</p>
                    </div>
                    <div class="field">
                        <label for=title_for>{t!("documents.title_field")}</label>
                        <input id=title_id name="form[title]" type="text" value=d.title.clone()
                            maxlength=crate::domain::input::max::TITLE.to_string() />
                        <p class="field-error" role="alert">{field_error(actions.update, "title")}</p>
                    </div>
                    <div class="field">
                        <label for=date_for>{t!("documents.date")}</label>
                        <input id=date_id name="form[doc_date]" type="date"
                            value=d.doc_date.map(|x| x.to_string()).unwrap_or_default() />
                        <p class="field-error" role="alert">{field_error(actions.update, "doc_date")}</p>
                    </div>
                    <AttachmentField id=attachment_id name="form[attachment]" attachments current=current_attachment />
                    <label class="check"><input type="checkbox" name="form[shared]" value="on" checked=d.shared />{t!("documents.shared")}</label>
                    <p class="form-error" role="alert">{general_error(actions.update)}</p>
                    <button type="submit" class="button primary">{t!("documents.save")}</button>
                </ActionForm>
                <form class="form" method="post" action=format!("/documents/{}/version", d.id)
                    enctype="multipart/form-data" data-upload="" data-anchor="documents"
                    data-done=t!("documents.replaced").into_owned()>
                    <input type="hidden" name="version" value=d.version.to_string() />
                    <div class="field">
                        <label for=file_for>{t!("documents.replace")}</label>
                        <input id=file_id name="file" type="file" required=true />
                    </div>
                    <p class="form-error" role="alert"></p>
                    <button type="submit" class="button" data-testid="replace-document">{t!("documents.replace_send")}</button>
                </form>
                <ActionForm action=actions.delete attr:class="inline-form" attr:data-anchor="documents"
                    attr:data-done=t!("documents.deleted").into_owned()
                    attr:data-confirm=t!("documents.delete_confirm").into_owned()>
                    <input type="hidden" name="document_id" value=d.id.to_string() />
                    <input type="hidden" name="version" value=d.version.to_string() />
                    <p class="form-error" role="alert">{general_error(actions.delete)}</p>
                    <button type="submit" class="button danger" data-testid="delete-document">{t!("documents.delete")}</button>
                </ActionForm>
            </details>
        </li>
    }
}

/// A milestone's or a funding line's own documents, in a line under it:
/// each links to its file, the full entry staying in « Documents ».
#[component]
pub fn AttachedDocuments(docs: Vec<DocumentView>) -> impl IntoView {
    (!docs.is_empty()).then(|| {
        view! {
            <ul class="attached-documents" data-testid="attached-documents"
                aria-label=t!("documents.title").into_owned()>
                {docs.into_iter().map(|d| view! {
                    <li>
                        <a href=format!("/documents/{}/fichier", d.id) download="" rel="external">{d.name()}</a>
                        <span class="muted">" · "{d.type_label}</span>
                    </li>
                }).collect_view()}
            </ul>
        }
    })
}

/// The documents attached to `attachment`, newest first as listed.
pub fn attached(docs: &ProjectDocuments, attachment: Attachment) -> Vec<DocumentView> {
    docs.documents
        .iter()
        .filter(|d| match attachment {
            Attachment::Milestone(id) => d.milestone_id == Some(id),
            Attachment::FundingLine(id) => d.funding_line_id == Some(id),
            Attachment::Project => d.milestone_id.is_none() && d.funding_line_id.is_none(),
        })
        .cloned()
        .collect()
}
