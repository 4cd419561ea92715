//! `/importer`: drop a spreadsheet of projects; `/importer/:id`: its
//! columns' mapping, the verdict on each row, the confirmation and the undo.
use leptos::prelude::*;
use rust_i18n::t;

use crate::api::imports::{
    CommitImport, DistinctImport, MapImport, UndoImport, get_import, list_imports,
};
use crate::domain::import::{FunderAmount, FunderColumn, ImportField, ImportKind, funding_label};
use crate::models::{ImportKey, ImportStatus, ImportSummary, ImportView, RowAction, RowVerdict};
use crate::ui::components::data_table::{Col, DataTable};
use crate::ui::components::error::ErrorNotice;
use crate::ui::components::text::PageTitle;
use crate::ui::format;

/// `/importer`: the upload form and the latest imports.
#[component]
pub fn ImportsPage() -> impl IntoView {
    let imports = Resource::new(|| (), |_| list_imports());
    view! {
        <PageTitle text=t!("import.title").into_owned() />
        <h1>{t!("import.title")}</h1>
        <p>{t!("import.intro")}</p>
        <form class="form card" method="post" action="/importer/fichier" enctype="multipart/form-data" data-busy-label=t!("import.sending").into_owned()>
            <fieldset class="field">
                <legend>{t!("import.kind_label")}</legend>
                {ImportKind::ALL.into_iter().map(|k| {
                    let id = format!("type-{}", k.as_str());
                    view! {
                        <label for=id.clone() class="choice">
                            <input type="radio" id=id.clone() name="type" value=k.as_str() checked=k == ImportKind::Projects />
                            " "{k.label()}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <div class="field">
                <label for="fichier">{t!("import.file_label")}</label>
                <input id="fichier" name="fichier" type="file" required=true
                    accept=".xlsx,.xls,.ods,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel,application/vnd.oasis.opendocument.spreadsheet,text/csv" />
            </div>
            <button type="submit" class="button primary">{t!("import.send")}</button>
        </form>
        <h2>{t!("import.history")}</h2>
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match imports.await {
                    Ok(list) if list.is_empty() => view! { <p>{t!("import.no_history")}</p> }.into_any(),
                    Ok(list) => view! { <History list /> }.into_any(),
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn counts_line(c: &crate::models::ImportCounts) -> String {
    t!(
        "import.summary_counts",
        create = c.create,
        update = c.update,
        unchanged = c.unchanged,
        refused = c.refused
    )
    .into_owned()
}

#[component]
fn History(list: Vec<ImportSummary>) -> impl IntoView {
    view! {
        <DataTable cols=vec![
            Col::text(t!("import.file")), Col::text(t!("import.when")), Col::text(t!("import.by")),
            Col::text(t!("import.state")), Col::text(t!("import.details")),
        ]>
            {list.into_iter().map(|i| view! {
                <tr data-testid="import-row">
                    <td><a href=format!("/importer/{}", i.id)>{i.file_name}</a></td>
                    <td>{format::datetime(i.created_at)}</td>
                    <td>{i.created_by.unwrap_or_default()}</td>
                    <td>{i.status.label()}</td>
                    <td>{counts_line(&i.counts)}</td>
                </tr>
            }).collect_view()}
        </DataTable>
    }
}

/// `/importer/:id`.
#[component]
pub fn ImportPage() -> impl IntoView {
    let id = super::record_id();
    let import = Resource::new(id, get_import);
    view! {
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match import.await {
                    Ok(view) => view! { <ImportScreen view /> }.into_any(),
                    Err(err) => view! {
                        <PageTitle text=t!("import.title").into_owned() />
                        <h1>{t!("import.title")}</h1>
                        <ErrorNotice error=err />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ImportScreen(view: ImportView) -> impl IntoView {
    let title = format!("{} — {}", t!("import.title"), view.file_name);
    let failed = view.status == ImportStatus::Failed;
    let previewed = view.status == ImportStatus::Previewed;
    let committed = view.status == ImportStatus::Committed;
    let writes = view.counts.create + view.counts.update;
    let id = view.id;
    let (confirm_question, undo_question) = match view.kind {
        ImportKind::Projects => (t!("import.confirm_question"), t!("import.undo_question")),
        ImportKind::Contacts => (
            t!("import.confirm_contacts_question"),
            t!("import.undo_contacts_question"),
        ),
        ImportKind::Funding => (
            t!("import.confirm_lines_question"),
            t!("import.undo_lines_question"),
        ),
    };
    let (confirm_question, undo_question) =
        (confirm_question.into_owned(), undo_question.into_owned());
    view! {
        <PageTitle text=title.clone() />
        <p><a href="/importer">{t!("import.title")}</a></p>
        <h1>{title}</h1>
        <p data-testid="import-status">
            <strong>{view.status.label()}</strong>
            {(!failed).then(|| format!(" — {}", counts_line(&view.counts)))}
        </p>
        {view.error.clone().map(|e| view! {
            <p class="form-error" role="alert" data-testid="import-error">{t!("import.failed")}" : "{e}</p>
        })}
        <div id="import-message"></div>
        {previewed.then(|| view! { <MappingForm view=view.clone() /> })}
        {(!failed).then(|| {
            let c = view.counts;
            let total = c.create + c.update + c.unchanged + c.refused + c.skipped;
            view! { <Preview rows=view.rows.clone() total id=view.id open=previewed /> }
        })}
        {previewed.then(|| {
            let commit = ServerAction::<CommitImport>::new();
            view! {
                <section class="card" aria-labelledby="confirm-title">
                    <h2 id="confirm-title">{t!("import.confirm")}</h2>
                    <p>{t!("import.commit_hint")}</p>
                    {if writes == 0 {
                        view! { <p>{t!("import.nothing_to_write")}</p> }.into_any()
                    } else {
                        view! {
                            <ActionForm action=commit attr:class="form" attr:data-anchor="import-message" attr:data-done=t!("import.committed").into_owned() attr:data-confirm=confirm_question.clone() attr:data-busy-text=t!("import.writing").into_owned()>
                                <input type="hidden" name="id" value=id />
                                <p class="form-error" role="alert"></p>
                                <button type="submit" class="button primary" data-testid="import-confirm">{t!("import.confirm")}</button>
                            </ActionForm>
                        }.into_any()
                    }}
                </section>
            }
        })}
        {(committed && view.may_undo).then(|| {
            let undo = ServerAction::<UndoImport>::new();
            view! {
                <ActionForm action=undo attr:class="form" attr:data-anchor="import-message" attr:data-done=t!("import.undone").into_owned() attr:data-confirm=undo_question.clone() attr:data-busy-text=t!("import.undoing").into_owned()>
                    <input type="hidden" name="id" value=id />
                    <p class="form-error" role="alert"></p>
                    <button type="submit" class="button" data-testid="import-undo">{t!("import.undo")}</button>
                </ActionForm>
            }
        })}
    }
}

#[component]
fn MappingForm(view: ImportView) -> impl IntoView {
    let map = ServerAction::<MapImport>::new();
    let id = view.id;
    let funders = if view.kind == ImportKind::Projects {
        view.funders.clone()
    } else {
        Vec::new()
    };
    let fields = view.kind.fields();
    let key_select = view.kind != ImportKind::Contacts;
    view! {
        <section class="card" id="correspondances" aria-labelledby="mapping-title">
            <h2 id="mapping-title">{t!("import.mapping")}</h2>
            <p>{t!("import.mapping_intro")}</p>
            <p>{t!("import.header_line", line = view.header_line)}</p>
            <ActionForm action=map attr:class="form" attr:novalidate="true" attr:data-anchor="correspondances" attr:data-done=t!("import.mapping_saved").into_owned()>
                <input type="hidden" name="id" value=id />
                <p class="form-error" role="alert" data-error-for="fields"></p>
                <DataTable cols=vec![
                    Col::text(t!("import.column")), Col::text(t!("import.samples")), Col::text(t!("import.field_label")),
                ]>
                    {view.columns.into_iter().map(|c| {
                        let select_id = format!("colonne-{}", c.index);
                        let funder_options = funders.iter().flat_map(|(funder_id, _)| {
                            FunderAmount::ALL.map(|amount| ImportField::Funding(FunderColumn { funder_id: *funder_id, amount }))
                        }).map(|f| {
                            let label = match f { ImportField::Funding(col) => funding_label(col, funders.iter().map(|(i, n)| (*i, n.as_str()))), other => other.label() };
                            view! { <option value=f.code() selected=c.field == Some(f)>{label}</option> }
                        }).collect_view();
                        view! {
                            <tr data-testid="import-column">
                                <th scope="row"><label for=select_id.clone()>{c.header.clone()}</label></th>
                                <td>{c.samples.join(" · ")}</td>
                                <td>
                                    <select id=select_id name=format!("fields[{}]", c.index)>
                                        <option value="" selected=c.field.is_none()>{t!("import.ignore")}</option>
                                        {fields.iter().map(|f| view! {
                                            <option value=f.code() selected=c.field == Some(*f)>{f.label()}</option>
                                        }).collect_view()}
                                        {(!funders.is_empty()).then(|| view! {
                                            <optgroup label=t!("import.funders_group").into_owned()>{funder_options}</optgroup>
                                        })}
                                    </select>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </DataTable>
                {if key_select {
                    view! {
                        <div class="field">
                            <label for="import-key">{t!("import.key_label")}</label>
                            <select id="import-key" name="key">
                                <option value="reference" selected=view.key == ImportKey::Reference>{t!("import.key_reference")}</option>
                                <option value="title" selected=view.key == ImportKey::Title>{t!("import.key_title")}</option>
                            </select>
                            <p class="field-error" id="import-key-erreur" data-error-for="key"></p>
                        </div>
                    }.into_any()
                } else {
                    view! { <input type="hidden" name="key" value=view.key.as_str() /> }.into_any()
                }}
                <button type="submit" class="button">{t!("import.apply_mapping")}</button>
            </ActionForm>
        </section>
    }
}

/// « C'est un autre organisme » (or back to « le même »), for a row matched
/// to a namesake of the directory in the same commune.
#[component]
fn DistinctChoice(id: i64, line: u32, distinct: bool) -> impl IntoView {
    let choose = ServerAction::<DistinctImport>::new();
    let label = if distinct {
        t!("import.distinct_no")
    } else {
        t!("import.distinct_yes")
    };
    view! {
        <ActionForm action=choose attr:class="inline-form" attr:data-anchor="preview-title" attr:data-done=t!("import.distinct_saved").into_owned()>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="line" value=line />
            <input type="hidden" name="distinct" value=(!distinct).to_string() />
            <p class="form-error" role="alert"></p>
            <button type="submit" class="button small" data-testid="import-distinct">{label}</button>
        </ActionForm>
    }
}

/// The rows the server sent (all of a small file; the ones needing the
/// user first for a large one), refusals first; `total` is the file's.
#[component]
fn Preview(rows: Vec<RowVerdict>, total: u64, id: i64, open: bool) -> impl IntoView {
    let mut rows = rows;
    rows.sort_by_key(|r| (r.action.urgency(), r.line));
    let shown = rows.len() as u64;
    view! {
        <section aria-labelledby="preview-title">
            <h2 id="preview-title">{t!("import.preview")}</h2>
            <DataTable cols=vec![
                Col::num(t!("import.line")), Col::text(t!("import.action_label")),
                Col::text(t!("import.project")), Col::text(t!("import.details")),
            ]>
                {rows.into_iter().map(|r| {
                    let mut details: Vec<String> = if r.action == RowAction::Update && !r.changes.is_empty() {
                        let fields: Vec<String> = r.changes.iter().map(|f| f.label()).collect();
                        vec![t!("import.changes", fields = fields.join(", ")).into_owned()]
                    } else {
                        r.problems.clone()
                    };
                    details.extend(r.notes.iter().cloned());
                    let project = match r.project_id {
                        Some(pid) => view! { <a href=format!("/projets/{pid}")>{r.title.clone()}</a> }.into_any(),
                        None => view! { <span>{r.title.clone()}</span> }.into_any(),
                    };
                    view! {
                        <tr data-testid="import-verdict" data-line=r.line data-action=r.action.as_str()>
                            <td class="num">{r.line}</td>
                            <td>{r.action.label()}</td>
                            <td>{project}</td>
                            <td>
                                <ul class="plain-list">
                                    {details.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}
                                </ul>
                                {(open && r.namesake.is_some()).then(|| view! { <DistinctChoice id line=r.line distinct=r.distinct /> })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </DataTable>
            {(shown < total).then(|| view! { <p>{t!("import.rows_cut", shown = shown, total = total)}</p> })}
        </section>
    }
}
