//! Spreadsheet imports: a file is kept with its mapping and its preview;
//! the confirmation analyses the same bytes again against the portfolio as
//! it is, refuses if anything differs from the preview, and writes every
//! passing row in one `Change` (all or nothing, the forms' validation, the
//! same events and summaries); the undo reverses it as a whole while its
//! projects are as the import left them.
use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::domain::funding::FundingStatus;
use crate::domain::import::{FunderName, ImportField, ImportKind};
use crate::domain::{Role, Stage, search_key};
use crate::error::AppError;
use crate::models::{
    ColumnView, CurrentUser, ImportCounts, ImportKey, ImportStatus, ImportSummary, ImportView,
    LineDates, Mapping, ProjectForm, ReferenceList, RowVerdict,
};
use crate::server::entities::directory::{membership, organisation, person};
use crate::server::entities::funding::{funder, funding_line};
use crate::server::entities::import;
use crate::server::entities::projects::{
    project, project_commune, project_programme, project_theme,
};
use crate::server::entities::territory::{commune, epci};
use crate::server::entities::user;
use crate::server::import::analyse::{
    CommuneEntry, Existing, ExistingLine, ExistingOrganisation, ExistingPerson, Planned, Refs,
    analyse, cents_text, check_mapping, propose_mapping,
};
use crate::server::import::contacts::{OrganisationRef, PlannedContact, analyse_contacts};
use crate::server::import::lines::{PlannedFundingLine, analyse_lines};
use crate::server::import::read::{self, Grid};
use crate::server::services::change::Change;
use crate::server::services::directory::{organisations, people};
use crate::server::services::{funding, projects, references};

/// The most rows an import's page receives: refusals first, then updates,
/// creations, unchanged rows; the counts cover the whole file.
pub const SHOWN_ROWS: usize = 1_000;

/// How many sample values each column shows on the mapping screen.
const SAMPLES: usize = 3;
/// How many differing lines a refused confirmation names.
const NAMED_LINES: usize = 10;

fn t(key: &str) -> String {
    rust_i18n::t!(key).into_owned()
}

/// A project's communes, themes and programmes.
type Links = (Vec<String>, Vec<String>, Vec<String>);
/// An import as the list reads it: id, file, status, when, by whom, counts.
type ListRow = (i64, String, String, DateTime<Utc>, Option<i64>, String);
/// A funding line as rows are checked against it: project, funder,
/// status, amounts requested, granted and paid, programme.
type LineRow = (
    i64,
    i64,
    FundingStatus,
    Option<i64>,
    Option<i64>,
    i64,
    String,
);

/// What a confirmation wrote, for the undo.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Outcome {
    created: Vec<Written>,
    updated: Vec<Written>,
    /// Funding lines added to projects the import did not create.
    #[serde(default)]
    lines: Vec<i64>,
    /// A contacts file's organisations and people created.
    #[serde(default)]
    organisations: Vec<i64>,
    #[serde(default)]
    people: Vec<i64>,
    /// Memberships given to people already in the directory.
    #[serde(default)]
    memberships: Vec<i64>,
}

/// What a file's passing rows write.
enum Plan {
    Projects(Vec<Planned>),
    Contacts(Vec<PlannedContact>),
    Lines(Vec<PlannedFundingLine>),
}

/// The verdicts on a file's rows and what they write, by its kind.
fn analyse_any(grid: &Grid, mapping: &Mapping, refs: &Refs) -> (Vec<RowVerdict>, Plan) {
    match mapping.kind {
        ImportKind::Projects => {
            let (rows, planned) = analyse(grid, mapping, refs);
            (rows, Plan::Projects(planned))
        }
        ImportKind::Contacts => {
            let (rows, planned) = analyse_contacts(grid, mapping, refs);
            (rows, Plan::Contacts(planned))
        }
        ImportKind::Funding => {
            let (rows, planned) = analyse_lines(grid, mapping, refs);
            (rows, Plan::Lines(planned))
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Written {
    project_id: i64,
    line: u32,
    /// The version the import left.
    version: i32,
    /// The values before an update.
    before: Option<(ProjectForm, Stage)>,
}

fn decode<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, AppError> {
    crate::server::db::decode_stored(what, text)
}

fn encode<T: Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(AppError::internal)
}

/// Reads a file off the async threads (a large workbook takes a moment).
async fn read_grid(bytes: Vec<u8>, kind: ImportKind) -> Result<Result<Grid, String>, AppError> {
    tokio::task::spawn_blocking(move || read::read_sheet(&bytes, kind.sheet_names()))
        .await
        .map_err(AppError::internal)
}

/// The mapping this structure chose last, header by header.
async fn remembered(
    db: &impl ConnectionTrait,
    kind: ImportKind,
) -> Result<HashMap<String, Option<ImportField>>, AppError> {
    let last = import::Entity::find()
        .filter(import::Column::Status.is_in([
            ImportStatus::Committed.as_str(),
            ImportStatus::Undone.as_str(),
        ]))
        .order_by_desc(import::Column::CommittedAt)
        .one(db)
        .await?;
    let Some(last) = last else {
        return Ok(HashMap::new());
    };
    let mapping: Mapping = decode("imports.mapping", &last.mapping)?;
    if mapping.kind != kind {
        return Ok(HashMap::new());
    }
    Ok(mapping
        .headers
        .iter()
        .zip(&mapping.fields)
        .map(|(h, f)| (search_key(h), *f))
        .filter(|(h, _)| !h.is_empty())
        .collect())
}

/// The communes of the reference data, by code and by name.
async fn load_communes(db: &impl ConnectionTrait, refs: &mut Refs) -> Result<(), AppError> {
    let communes: Vec<(String, String, String)> = commune::Entity::find()
        .select_only()
        .column(commune::Column::Insee)
        .column(commune::Column::Name)
        .column(commune::Column::DepartementCode)
        .into_tuple()
        .all(db)
        .await?;
    for (insee, name, departement) in communes {
        refs.add_commune(CommuneEntry {
            insee,
            name,
            departement,
        });
    }
    Ok(())
}

/// The team and the reference lists a projects file's rows name.
async fn load_project_lists(db: &impl ConnectionTrait, refs: &mut Refs) -> Result<(), AppError> {
    refs.officers = user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .filter(|u| u.role != Role::Partner)
        .map(|u| (u.id, u.display_name, u.email))
        .collect();
    for (list, target) in [
        (ReferenceList::Themes, &mut refs.themes),
        (ReferenceList::Programmes, &mut refs.programmes),
    ] {
        *target = references::all(db, list)
            .await?
            .into_iter()
            .filter(|e| e.active)
            .map(|e| (e.code, e.label))
            .collect();
    }
    Ok(())
}

/// The reference data and the portfolio, as rows are checked against them.
async fn load_refs(db: &impl ConnectionTrait, kind: ImportKind) -> Result<Refs, AppError> {
    let mut refs = Refs::default();
    // A funding lines file names projects and funders only.
    if kind != ImportKind::Funding {
        load_communes(db, &mut refs).await?;
    }
    if kind == ImportKind::Contacts {
        load_directory(db, &mut refs).await?;
        return Ok(refs);
    }
    if kind == ImportKind::Projects {
        load_project_lists(db, &mut refs).await?;
    }
    let mut links: HashMap<i64, Links> = HashMap::new();
    for r in project_commune::Entity::find().all(db).await? {
        links.entry(r.project_id).or_default().0.push(r.insee);
    }
    for r in project_theme::Entity::find().all(db).await? {
        links.entry(r.project_id).or_default().1.push(r.theme_code);
    }
    for r in project_programme::Entity::find().all(db).await? {
        links
            .entry(r.project_id)
            .or_default()
            .2
            .push(r.programme_code);
    }
    refs.funders = active_funders(db).await?;
    let mut lines: HashMap<i64, Vec<ExistingLine>> = HashMap::new();
    let rows: Vec<LineRow> = funding_line::Entity::find()
        .select_only()
        .column(funding_line::Column::ProjectId)
        .column(funding_line::Column::FunderId)
        .column(funding_line::Column::Status)
        .column(funding_line::Column::AmountRequestedCents)
        .column(funding_line::Column::AmountGrantedCents)
        .column(funding_line::Column::AmountPaidCents)
        .column(funding_line::Column::Programme)
        .into_tuple()
        .all(db)
        .await?;
    for (project_id, funder_id, status, requested, granted, paid, programme) in rows {
        lines.entry(project_id).or_default().push(ExistingLine {
            funder_id,
            status,
            requested,
            granted,
            paid,
            programme,
        });
    }
    for p in project::Entity::find().all(db).await? {
        let (communes, themes, programmes) = links.remove(&p.id).unwrap_or_default();
        refs.projects.push(Existing {
            id: p.id,
            version: p.version,
            stage: p.stage,
            form: form_of(&p, communes, themes, programmes),
            lines: lines.remove(&p.id).unwrap_or_default(),
        });
    }
    Ok(refs)
}

/// The directory, as a contacts file's rows are checked against it.
async fn load_directory(db: &impl ConnectionTrait, refs: &mut Refs) -> Result<(), AppError> {
    refs.epcis = epci::Entity::find()
        .select_only()
        .column(epci::Column::Siren)
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    refs.organisations = organisation::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|o| ExistingOrganisation {
            id: o.id,
            name: o.name,
            search_key: o.search_key,
            siren: o.siren,
            siret: o.siret,
            commune: o.commune_code,
        })
        .collect();
    let mut member_of: HashMap<i64, Vec<i64>> = HashMap::new();
    for m in membership::Entity::find().all(db).await? {
        member_of
            .entry(m.person_id)
            .or_default()
            .push(m.organisation_id);
    }
    refs.people = person::Entity::find()
        .filter(person::Column::ErasedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|p| ExistingPerson {
            id: p.id,
            name: format!("{} {}", p.first_name, p.last_name),
            search_key: p.search_key,
            email: p.email,
            organisations: member_of.remove(&p.id).unwrap_or_default(),
        })
        .collect();
    Ok(())
}

/// The funders a column can be mapped to, in the list's order.
async fn active_funders(db: &impl ConnectionTrait) -> Result<Vec<FunderName>, AppError> {
    Ok(funder::Entity::find()
        .filter(funder::Column::Active.eq(true))
        .order_by_asc(funder::Column::Position)
        .order_by_asc(funder::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|f| FunderName {
            id: f.id,
            code: f.code,
            name: f.name,
        })
        .collect())
}

/// A project's values as its edit form holds them.
fn form_of(
    p: &project::Model,
    communes: Vec<String>,
    themes: Vec<String>,
    programmes: Vec<String>,
) -> ProjectForm {
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    ProjectForm {
        title: p.title.clone(),
        reference: p.reference.clone().unwrap_or_default(),
        summary: p.summary.clone(),
        description: p.description.clone(),
        lead_officer_id: p
            .lead_officer_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        communes,
        themes,
        programmes,
        estimated_cost: p.estimated_cost_cents.map(cents_text).unwrap_or_default(),
        start_date: date(p.start_date),
        end_date: date(p.end_date),
        owner_name: p.owner_name.clone(),
        owner_kind: p
            .owner_kind
            .map(|k| k.as_str().to_owned())
            .unwrap_or_default(),
    }
}

/// The refusal of an upload of an unknown kind of file.
pub fn unknown_kind() -> AppError {
    AppError::validation("type", t("import.kind_unknown"))
}

/// The refusal of an upload without a file.
pub fn no_file() -> AppError {
    AppError::validation("fichier", t("import.no_file"))
}

/// Keeps an uploaded file and its first preview; a file that cannot be
/// read is kept too, with the reason, and shown on its page.
pub async fn upload(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    file_name: &str,
    bytes: Vec<u8>,
    kind: ImportKind,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let digest = hex::encode(Sha256::digest(&bytes));
    let size = bytes.len() as i64;
    let name: String = file_name.trim().chars().take(255).collect();
    let name = if name.is_empty() {
        t("import.unnamed_file")
    } else {
        name
    };
    let (status, error, mapping, preview) = match read_grid(bytes.clone(), kind).await? {
        Err(message) => (
            ImportStatus::Failed,
            Some(message),
            Mapping {
                kind,
                ..Mapping::default()
            },
            Vec::new(),
        ),
        Ok(grid) => {
            let refs = load_refs(db, kind).await?;
            let remembered = remembered(db, kind).await?;
            let mapping = propose_mapping(&grid, kind, &remembered, &refs.funders);
            let (rows, _) = analyse_any(&grid, &mapping, &refs);
            (ImportStatus::Previewed, None, mapping, rows)
        }
    };
    let row = import::ActiveModel {
        file_name: Set(name),
        file_size: Set(size),
        digest: Set(digest),
        content: Set(bytes),
        status: Set(status.as_str().to_owned()),
        error: Set(error),
        mapping: Set(encode(&mapping)?),
        preview: Set(encode(&preview)?),
        counts: Set(encode(&ImportCounts::of(&preview))?),
        outcome: Set(None),
        created_by: Set(Some(actor.id)),
        created_at: Set(now),
        committed_at: Set(None),
        undone_at: Set(None),
        ..Default::default()
    };
    let txn = crate::server::db::begin_write(db).await?;
    let row = row.insert(&*txn).await?;
    txn.commit().await?;
    tracing::info!(
        by = actor.id,
        import = row.id,
        status = status.as_str(),
        "import uploaded"
    );
    Ok(row.id)
}

async fn find(db: &impl ConnectionTrait, id: i64) -> Result<import::Model, AppError> {
    import::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

fn status_of(row: &import::Model) -> Result<ImportStatus, AppError> {
    ImportStatus::parse(&row.status)
        .ok_or_else(|| AppError::internal(format!("imports.status: unknown code {}", row.status)))
}

/// An import with its columns and the verdict of each row, as last shown.
pub async fn view(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
) -> Result<ImportView, AppError> {
    let row = find(db, id).await?;
    let status = status_of(&row)?;
    let mapping: Mapping = decode("imports.mapping", &row.mapping)?;
    let mut rows: Vec<RowVerdict> = decode("imports.preview", &row.preview)?;
    let counts = ImportCounts::of(&rows);
    if rows.len() > SHOWN_ROWS {
        rows.sort_by_key(|r| (r.action.urgency(), r.line));
        rows.truncate(SHOWN_ROWS);
        rows.sort_by_key(|r| r.line);
    }
    let columns = if status == ImportStatus::Failed {
        Vec::new()
    } else {
        let grid = read_grid(row.content.clone(), mapping.kind)
            .await?
            .map_err(|_| AppError::internal("imports.content: unreadable"))?;
        columns_of(&grid, &mapping)
    };
    let created_by = match row.created_by {
        Some(uid) => user::Entity::find_by_id(uid)
            .one(db)
            .await?
            .map(|u| u.display_name),
        None => None,
    };
    Ok(ImportView {
        id: row.id,
        file_name: row.file_name,
        status,
        error: row.error,
        created_at: row.created_at,
        created_by,
        committed_at: row.committed_at,
        undone_at: row.undone_at,
        header_line: mapping.header_line,
        key: mapping.key,
        columns,
        counts,
        rows,
        may_undo: status == ImportStatus::Committed
            && crate::policy::allows(actor.role, crate::policy::Action::UndoImports),
        funders: active_funders(db)
            .await?
            .into_iter()
            .map(|f| (f.id, f.name))
            .collect(),
        kind: mapping.kind,
    })
}

fn columns_of(grid: &Grid, mapping: &Mapping) -> Vec<ColumnView> {
    (0..mapping.headers.len())
        .map(|i| ColumnView {
            index: i,
            header: crate::server::import::analyse::column_name(mapping, i),
            field: mapping.fields.get(i).copied().flatten(),
            samples: grid
                .rows
                .iter()
                .filter(|(l, _)| *l > mapping.header_line)
                .filter_map(|(_, cells)| cells.get(i).map(|c| c.text()))
                .filter(|s| !s.trim().is_empty())
                .take(SAMPLES)
                .map(|s| s.chars().take(60).collect())
                .collect(),
        })
        .collect()
}

/// The imports, latest first.
pub async fn list(db: &DatabaseConnection) -> Result<Vec<ImportSummary>, AppError> {
    let rows: Vec<ListRow> = import::Entity::find()
        .select_only()
        .column(import::Column::Id)
        .column(import::Column::FileName)
        .column(import::Column::Status)
        .column(import::Column::CreatedAt)
        .column(import::Column::CreatedBy)
        .column(import::Column::Counts)
        .order_by_desc(import::Column::Id)
        .limit(50)
        .into_tuple()
        .all(db)
        .await?;
    let names: HashMap<i64, String> = user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    rows.into_iter()
        .map(|(id, file_name, status, created_at, by, counts)| {
            Ok(ImportSummary {
                id,
                file_name,
                status: ImportStatus::parse(&status)
                    .ok_or_else(|| AppError::internal("imports.status: unknown code"))?,
                created_at,
                created_by: by.and_then(|b| names.get(&b).cloned()),
                counts: decode("imports.counts", &counts)?,
            })
        })
        .collect()
}

/// Changes the mapping (a field code or empty per column, and the key) and
/// shows the preview again.
pub async fn remap(
    db: &DatabaseConnection,
    id: i64,
    fields: &[String],
    key: &str,
) -> Result<(), AppError> {
    let row = find(db, id).await?;
    if status_of(&row)? != ImportStatus::Previewed {
        return Err(AppError::Conflict(t("import.not_previewed")));
    }
    let mut mapping: Mapping = decode("imports.mapping", &row.mapping)?;
    if fields.len() != mapping.headers.len() {
        return Err(AppError::validation("fields", t("import.mapping_mismatch")));
    }
    mapping.fields = fields
        .iter()
        .map(|code| match code.trim() {
            "" => Ok(None),
            code => ImportField::parse(code)
                .map(Some)
                .ok_or_else(|| AppError::validation("fields", t("import.field_unknown"))),
        })
        .collect::<Result<_, _>>()?;
    mapping.key = ImportKey::parse(key.trim())
        .ok_or_else(|| AppError::validation("key", t("import.key_unknown")))?;
    let refs = load_refs(db, mapping.kind).await?;
    check_mapping(&mapping, &refs.funders)?;
    let grid = read_grid(row.content.clone(), mapping.kind)
        .await?
        .map_err(|_| AppError::internal("imports.content: unreadable"))?;
    let (rows, _) = analyse_any(&grid, &mapping, &refs);
    store_preview(db, id, Some(&mapping), &rows).await
}

/// Says whether a contacts file's line names another organisation than
/// the directory's namesake in the same commune, and shows the preview
/// again.
pub async fn set_distinct(
    db: &DatabaseConnection,
    id: i64,
    line: u32,
    distinct: bool,
) -> Result<(), AppError> {
    let row = find(db, id).await?;
    if status_of(&row)? != ImportStatus::Previewed {
        return Err(AppError::Conflict(t("import.not_previewed")));
    }
    let mut mapping: Mapping = decode("imports.mapping", &row.mapping)?;
    if mapping.kind != ImportKind::Contacts {
        return Err(AppError::validation(
            "line",
            t("import.distinct_contacts_only"),
        ));
    }
    let shown: Vec<RowVerdict> = decode("imports.preview", &row.preview)?;
    if !shown.iter().any(|r| r.line == line && r.namesake.is_some()) {
        return Err(AppError::validation(
            "line",
            t("import.distinct_no_namesake"),
        ));
    }
    mapping.distinct.retain(|l| *l != line);
    if distinct {
        mapping.distinct.push(line);
        mapping.distinct.sort_unstable();
    }
    let refs = load_refs(db, mapping.kind).await?;
    let grid = read_grid(row.content.clone(), mapping.kind)
        .await?
        .map_err(|_| AppError::internal("imports.content: unreadable"))?;
    let (rows, _) = analyse_any(&grid, &mapping, &refs);
    store_preview(db, id, Some(&mapping), &rows).await
}

async fn store_preview(
    db: &DatabaseConnection,
    id: i64,
    mapping: Option<&Mapping>,
    rows: &[RowVerdict],
) -> Result<(), AppError> {
    let txn = crate::server::db::begin_write(db).await?;
    let mut active = import::ActiveModel {
        id: Set(id),
        preview: Set(encode(&rows)?),
        counts: Set(encode(&ImportCounts::of(rows))?),
        ..Default::default()
    };
    if let Some(m) = mapping {
        active.mapping = Set(encode(m)?);
    }
    active.update(&*txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Writes the file's passing rows, all or nothing. Refused (and the
/// preview shown again) when the portfolio moved since the preview: a
/// project edited meanwhile is reported, never overwritten.
pub async fn commit(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    now: DateTime<Utc>,
) -> Result<ImportCounts, AppError> {
    let row = find(db, id).await?;
    if status_of(&row)? != ImportStatus::Previewed {
        return Err(AppError::Conflict(t("import.not_previewed")));
    }
    let mapping: Mapping = decode("imports.mapping", &row.mapping)?;
    let shown: Vec<RowVerdict> = decode("imports.preview", &row.preview)?;
    let grid = read_grid(row.content.clone(), mapping.kind)
        .await?
        .map_err(|_| AppError::internal("imports.content: unreadable"))?;
    let mut change = Change::begin_wide(db, Some(actor), now).await?;
    // Checked inside the write transaction: nobody writes in between.
    let refs = load_refs(change.txn(), mapping.kind).await?;
    check_mapping(&mapping, &refs.funders)?;
    let (rows, plan) = analyse_any(&grid, &mapping, &refs);
    if rows != shown {
        drop(change);
        let lines: Vec<String> = rows
            .iter()
            .zip(shown.iter().map(Some).chain(std::iter::repeat(None)))
            .filter(|(now, before)| Some(*now) != *before)
            .take(NAMED_LINES)
            .map(|(r, _)| r.line.to_string())
            .collect();
        store_preview(db, id, None, &rows).await?;
        return Err(AppError::Conflict(
            rust_i18n::t!("import.preview_outdated", lines = lines.join(", ")).into_owned(),
        ));
    }
    let counts = ImportCounts::of(&rows);
    let mut outcome = Outcome::default();
    match plan {
        Plan::Projects(planned) => {
            for p in planned {
                let origin = json!({ "id": id, "file": row.file_name, "line": p.line });
                write_row(&mut change, actor, &p, &row.file_name, origin, &mut outcome).await?;
            }
        }
        Plan::Contacts(planned) => write_contacts(&change, planned, now, &mut outcome).await?,
        Plan::Lines(planned) => {
            for p in planned {
                let origin = json!({ "id": id, "file": row.file_name, "line": p.line });
                let mut input = p.input;
                input.notes = rust_i18n::t!(
                    "import.line_note_dated",
                    file = row.file_name,
                    line = p.line
                )
                .into_owned();
                let line = funding::add_line_in(
                    &mut change,
                    p.project_id,
                    input,
                    p.status,
                    p.dates,
                    Some(origin),
                )
                .await?;
                outcome.lines.push(line);
            }
        }
    }
    import::ActiveModel {
        id: Set(id),
        status: Set(ImportStatus::Committed.as_str().to_owned()),
        outcome: Set(Some(encode(&outcome)?)),
        committed_at: Set(Some(now)),
        ..Default::default()
    }
    .update(change.txn())
    .await?;
    change.commit().await?;
    tracing::info!(
        by = actor.id,
        import = id,
        created = counts.create,
        updated = counts.update,
        "import committed"
    );
    Ok(counts)
}

async fn write_row(
    change: &mut Change,
    actor: &CurrentUser,
    p: &Planned,
    file: &str,
    origin: serde_json::Value,
    outcome: &mut Outcome,
) -> Result<(), AppError> {
    let line_error = |e: AppError| match e {
        AppError::Validation(errors) => AppError::Conflict(
            rust_i18n::t!(
                "import.row_refused_at_write",
                line = p.line,
                message = errors.0.values().cloned().collect::<Vec<_>>().join(" ")
            )
            .into_owned(),
        ),
        other => other,
    };
    match p.project_id {
        None => {
            let id = projects::create_in(change, actor, &p.input, p.stage, Some(origin.clone()))
                .await
                .map_err(line_error)?;
            add_lines(change, id, p, file, &origin).await?;
            outcome.created.push(Written {
                project_id: id,
                line: p.line,
                version: 1,
                before: None,
            });
        }
        Some(id) => {
            let changed =
                projects::update_in(change, id, p.version, &p.input, Some(origin.clone()))
                    .await
                    .map_err(line_error)?;
            let bumped = changed || p.stage_from.is_some();
            outcome
                .lines
                .extend(add_lines(change, id, p, file, &origin).await?);
            if let Some(from) = p.stage_from {
                if !changed {
                    change.bump_version(id, p.version).await?;
                }
                projects::move_stage_in(
                    change,
                    id,
                    from,
                    p.stage,
                    &rust_i18n::t!("import.stage_reason"),
                    Some(origin),
                )
                .await
                .map_err(line_error)?;
            }
            outcome.updated.push(Written {
                project_id: id,
                line: p.line,
                version: p.version + i32::from(bumped),
                before: p.before.clone(),
            });
        }
    }
    Ok(())
}

/// Writes a contacts file's rows through the directory's own creation (its
/// checks and duplicate detection again, inside the import's transaction).
async fn write_contacts(
    change: &Change,
    planned: Vec<PlannedContact>,
    now: DateTime<Utc>,
    outcome: &mut Outcome,
) -> Result<(), AppError> {
    let mut created: HashMap<u32, i64> = HashMap::new();
    for p in planned {
        let line = p.line;
        let line_error = |e: AppError| match e {
            AppError::Validation(errors) => AppError::Conflict(
                rust_i18n::t!(
                    "import.row_refused_at_write",
                    line = line,
                    message = errors.0.values().cloned().collect::<Vec<_>>().join(" ")
                )
                .into_owned(),
            ),
            AppError::Duplicate { message, .. } => AppError::Conflict(
                rust_i18n::t!(
                    "import.row_refused_at_write",
                    line = line,
                    message = message
                )
                .into_owned(),
            ),
            other => other,
        };
        if let Some(input) = p.organisation {
            let id = organisations::create_organisation_in(change.txn(), input, now)
                .await
                .map_err(line_error)?;
            created.insert(p.line, id);
            outcome.organisations.push(id);
        }
        if let Some(mut input) = p.person {
            input.organisation_id = match p.belongs_to {
                Some(OrganisationRef::Existing(id)) => Some(id),
                Some(OrganisationRef::Created(line)) => created.get(&line).copied(),
                None => None,
            };
            let id = people::create_person_in(change.txn(), input, now)
                .await
                .map_err(line_error)?;
            outcome.people.push(id);
        }
        let target = match p.belongs_to {
            Some(OrganisationRef::Existing(id)) => Some(id),
            Some(OrganisationRef::Created(line)) => created.get(&line).copied(),
            None => None,
        };
        if let (Some((person_id, job_title)), Some(org)) = (p.joins, target) {
            let id = people::join_in(change.txn(), person_id, org, job_title)
                .await
                .map_err(line_error)?;
            outcome.memberships.push(id);
        }
    }
    Ok(())
}

/// Adds a row's funding lines to project `id`, each noting the file and
/// line it came from; the ids of the lines added.
async fn add_lines(
    change: &mut Change,
    id: i64,
    p: &Planned,
    file: &str,
    origin: &serde_json::Value,
) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::with_capacity(p.lines.len());
    for line in &p.lines {
        let mut input = line.input.clone();
        input.notes = rust_i18n::t!("import.line_note", file = file, line = p.line).into_owned();
        ids.push(
            funding::add_line_in(
                change,
                id,
                input,
                line.status,
                LineDates::default(),
                Some(origin.clone()),
            )
            .await?,
        );
    }
    Ok(ids)
}

/// Undoes a confirmed import: deletes the projects it created, puts back
/// the values it changed. Refused, naming them, if any of its projects
/// changed since.
pub async fn undo(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut change = Change::begin_wide(db, Some(actor), now).await?;
    let row = find(change.txn(), id).await?;
    if status_of(&row)? != ImportStatus::Committed {
        return Err(AppError::Conflict(t("import.not_committed")));
    }
    let committed_at = row.committed_at.unwrap_or(row.created_at);
    let outcome: Outcome = decode("imports.outcome", row.outcome.as_deref().unwrap_or("{}"))?;
    undo_contacts(&change, &outcome).await?;
    let ids: Vec<i64> = outcome
        .created
        .iter()
        .chain(&outcome.updated)
        .map(|w| w.project_id)
        .collect();
    let mut current: HashMap<i64, project::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for p in project::Entity::find()
            .filter(project::Column::Id.is_in(chunk.to_vec()))
            .all(change.txn())
            .await?
        {
            current.insert(p.id, p);
        }
    }
    let mut moved = Vec::new();
    for w in outcome.created.iter().chain(&outcome.updated) {
        match current.get(&w.project_id) {
            Some(p) if p.version == w.version && p.last_event_at <= committed_at => {}
            Some(p) => moved.push(format!("« {} »", p.title)),
            None => moved.push(rust_i18n::t!("import.project_deleted", line = w.line).into_owned()),
        }
    }
    if !moved.is_empty() {
        let count = moved.len();
        moved.truncate(NAMED_LINES);
        return Err(AppError::Conflict(
            rust_i18n::t!(
                "import.undo_blocked",
                count = count,
                projects = moved.join(", ")
            )
            .into_owned(),
        ));
    }
    let origin = json!({ "id": id, "file": row.file_name, "undo": true });
    for w in &outcome.created {
        delete_project(&mut change, w.project_id).await?;
    }
    for line_id in &outcome.lines {
        funding::remove_line_in(&mut change, *line_id, Some(origin.clone())).await?;
    }
    for w in &outcome.updated {
        let Some((form, stage)) = &w.before else {
            continue;
        };
        let input = form.validate()?;
        let changed = projects::update_in(
            &mut change,
            w.project_id,
            w.version,
            &input,
            Some(origin.clone()),
        )
        .await?;
        let now_stage = current.get(&w.project_id).map(|p| p.stage);
        if let Some(from) = now_stage.filter(|s| s != stage) {
            if !changed {
                change.bump_version(w.project_id, w.version).await?;
            }
            projects::move_stage_in(
                &mut change,
                w.project_id,
                from,
                *stage,
                &rust_i18n::t!("import.undo_reason"),
                Some(origin.clone()),
            )
            .await?;
        }
    }
    import::ActiveModel {
        id: Set(id),
        status: Set(ImportStatus::Undone.as_str().to_owned()),
        undone_at: Set(Some(now)),
        ..Default::default()
    }
    .update(change.txn())
    .await?;
    change.commit().await?;
    tracing::info!(by = actor.id, import = id, "import undone");
    Ok(())
}

/// Deletes the organisations and people a contacts file created, with the
/// memberships it gave them and those it gave people already there. Refused, naming them, if any changed since
/// or was tied to something else (a project, a mandate, another person,
/// an RGPD export).
async fn undo_contacts(change: &Change, outcome: &Outcome) -> Result<(), AppError> {
    use crate::server::entities::directory::{audit, mandate, project_partner};
    if outcome.organisations.is_empty()
        && outcome.people.is_empty()
        && outcome.memberships.is_empty()
    {
        return Ok(());
    }
    let txn = change.txn();
    let mut moved = Vec::new();
    for chunk in outcome.people.chunks(500) {
        let ids = chunk.to_vec();
        let rows = person::Entity::find()
            .filter(person::Column::Id.is_in(ids.clone()))
            .all(txn)
            .await?;
        let tied: BTreeSet<i64> = project_partner::Entity::find()
            .filter(project_partner::Column::PersonId.is_in(ids.clone()))
            .all(txn)
            .await?
            .into_iter()
            .filter_map(|l| l.person_id)
            .chain(
                mandate::Entity::find()
                    .filter(mandate::Column::PersonId.is_in(ids.clone()))
                    .all(txn)
                    .await?
                    .into_iter()
                    .map(|m| m.person_id),
            )
            .chain(
                audit::Entity::find()
                    .filter(audit::Column::PersonId.is_in(ids.clone()))
                    .all(txn)
                    .await?
                    .into_iter()
                    .filter_map(|a| a.person_id),
            )
            .collect();
        if rows.len() != chunk.len() {
            moved.push(t("import.contact_deleted"));
        }
        for p in rows {
            if p.version != 1 || p.erased_at.is_some() || tied.contains(&p.id) {
                moved.push(format!("« {} {} »", p.first_name, p.last_name));
            }
        }
    }
    let ours: BTreeSet<i64> = outcome.people.iter().copied().collect();
    let joined: BTreeSet<i64> = outcome.memberships.iter().copied().collect();
    for chunk in outcome.organisations.chunks(500) {
        let ids = chunk.to_vec();
        let rows = organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(ids.clone()))
            .all(txn)
            .await?;
        let mut tied: BTreeSet<i64> = project_partner::Entity::find()
            .filter(project_partner::Column::OrganisationId.is_in(ids.clone()))
            .all(txn)
            .await?
            .into_iter()
            .filter_map(|l| l.organisation_id)
            .collect();
        tied.extend(
            mandate::Entity::find()
                .filter(mandate::Column::OrganisationId.is_in(ids.clone()))
                .all(txn)
                .await?
                .into_iter()
                .map(|m| m.organisation_id),
        );
        tied.extend(
            membership::Entity::find()
                .filter(membership::Column::OrganisationId.is_in(ids.clone()))
                .all(txn)
                .await?
                .into_iter()
                .filter(|m| !ours.contains(&m.person_id) && !joined.contains(&m.id))
                .map(|m| m.organisation_id),
        );
        if rows.len() != chunk.len() {
            moved.push(t("import.contact_deleted"));
        }
        for o in rows {
            if o.version != 1 || tied.contains(&o.id) {
                moved.push(format!("« {} »", o.name));
            }
        }
    }
    if !moved.is_empty() {
        let count = moved.len();
        moved.truncate(NAMED_LINES);
        return Err(AppError::Conflict(
            rust_i18n::t!(
                "import.undo_blocked_contacts",
                count = count,
                names = moved.join(", ")
            )
            .into_owned(),
        ));
    }
    for chunk in outcome.memberships.chunks(500) {
        membership::Entity::delete_many()
            .filter(membership::Column::Id.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
    }
    for chunk in outcome.people.chunks(500) {
        membership::Entity::delete_many()
            .filter(membership::Column::PersonId.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
        person::Entity::delete_many()
            .filter(person::Column::Id.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
    }
    for chunk in outcome.organisations.chunks(500) {
        organisation::Entity::delete_many()
            .filter(organisation::Column::Id.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Deletes a project the import created, with its links and events.
async fn delete_project(change: &mut Change, id: i64) -> Result<(), AppError> {
    let txn = change.txn();
    projects::delete_links(txn, id).await?;
    funding_line::Entity::delete_many()
        .filter(funding_line::Column::ProjectId.eq(id))
        .exec(txn)
        .await?;
    crate::server::entities::projects::event::Entity::delete_many()
        .filter(crate::server::entities::projects::event::Column::ProjectId.eq(id))
        .exec(txn)
        .await?;
    project::Entity::delete_by_id(id).exec(txn).await?;
    change.project_removed(id);
    Ok(())
}
