//! From a file's cells to a verdict on each row: which row is the header,
//! which column fills which field, and, row by row, a new project, an
//! update of an existing one, no change, or a refusal with every problem
//! in French (line, column, value, how to fix it). Pure: the reference data
//! (communes, officers, codes, existing projects) comes in as `Refs`. The
//! preview and the confirmation run this same function on the same bytes,
//! so what is written is what was shown.
use std::collections::{BTreeSet, HashMap};

use crate::domain::funding::FundingStatus;
use crate::domain::import::{
    FunderAmount, FunderColumn, FunderName, ImportField, ImportKind, amount_of_number, commune_key,
    date_of_serial, funding_label, guess_funder, is_totals_label, name_and_departement,
    parse_amount, parse_date_text, parse_stage, split_list,
};
use crate::domain::{InseeCode, Stage, format_euros, search_key};
use crate::error::AppError;
use crate::models::{
    FundingLineForm, FundingLineInput, ImportKey, Mapping, ProjectForm, ProjectInput, RowAction,
    RowVerdict,
};
use crate::server::import::read::{Cell, Grid};

/// A commune of the reference data.
#[derive(Debug, Clone)]
pub struct CommuneEntry {
    pub insee: String,
    pub name: String,
    pub departement: String,
}

/// A project already in the portfolio, with its values as the form holds them.
#[derive(Debug, Clone)]
pub struct Existing {
    pub id: i64,
    pub version: i32,
    pub stage: Stage,
    pub form: ProjectForm,
    /// Its funding lines.
    pub lines: Vec<ExistingLine>,
}

/// A funding line already in a project's plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingLine {
    pub funder_id: i64,
    pub status: FundingStatus,
    pub requested: Option<i64>,
    pub granted: Option<i64>,
    pub paid: i64,
    pub programme: String,
}

/// What rows are checked against.
#[derive(Debug, Clone, Default)]
pub struct Refs {
    pub communes: HashMap<String, CommuneEntry>,
    /// `commune_key(name)` → INSEE codes.
    pub commune_names: HashMap<String, Vec<String>>,
    /// Active staff: id, name, e-mail.
    pub officers: Vec<(i64, String, String)>,
    /// Code and label.
    pub themes: Vec<(String, String)>,
    pub programmes: Vec<(String, String)>,
    pub projects: Vec<Existing>,
    /// Active funders, in the list's order.
    pub funders: Vec<FunderName>,
    /// The directory (loaded for contacts files only).
    pub organisations: Vec<ExistingOrganisation>,
    pub people: Vec<ExistingPerson>,
    /// SIREN of the EPCIs of the reference data (contacts files only).
    pub epcis: BTreeSet<String>,
}

/// An organisation of the directory.
#[derive(Debug, Clone)]
pub struct ExistingOrganisation {
    pub id: i64,
    pub name: String,
    pub search_key: String,
    pub siren: Option<String>,
    pub siret: Option<String>,
    pub commune: Option<String>,
}

/// A person of the directory (not erased).
#[derive(Debug, Clone)]
pub struct ExistingPerson {
    pub id: i64,
    pub name: String,
    pub search_key: String,
    pub email: Option<String>,
    pub organisations: Vec<i64>,
}

impl Refs {
    pub fn add_commune(&mut self, c: CommuneEntry) {
        self.commune_names
            .entry(commune_key(&c.name))
            .or_default()
            .push(c.insee.clone());
        self.communes.insert(c.insee.clone(), c);
    }
}

/// A row the confirmation writes.
#[derive(Debug, Clone)]
pub struct Planned {
    pub line: u32,
    /// The project updated, or `None` for a new one.
    pub project_id: Option<i64>,
    pub version: i32,
    pub input: ProjectInput,
    pub stage: Stage,
    /// The stage before, when an update moves it.
    pub stage_from: Option<Stage>,
    /// The project's values before an update, for the undo.
    pub before: Option<(ProjectForm, Stage)>,
    /// Funding lines added to the project's plan.
    pub lines: Vec<PlannedLine>,
}

/// A funding line the confirmation adds, at the status its amounts say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLine {
    pub status: FundingStatus,
    pub input: FundingLineInput,
}

/// How many characters of a faulty value a message quotes.
const SHOWN_VALUE_CHARS: usize = 80;

/// How many rows are looked at to find the header.
const HEADER_SEARCH_ROWS: usize = 30;

/// The header row (the one naming the most known fields among the first
/// rows, so title rows above it are passed over) and a field per column:
/// the one this structure chose last time for the same header, else the
/// usual French wording, then a funder's amount (« DETR sollicitée »).
/// Each field goes to one column at most.
pub fn propose_mapping(
    grid: &Grid,
    kind: ImportKind,
    remembered: &HashMap<String, Option<ImportField>>,
    funders: &[FunderName],
) -> Mapping {
    let active = |f: ImportField| match f {
        ImportField::Funding(c) => funders.iter().any(|x| x.id == c.funder_id),
        _ => true,
    };
    let guess = |h: &str| -> Option<ImportField> {
        match remembered.get(&search_key(h)) {
            Some(chosen) => chosen.filter(|f| active(*f) && kind.allows(*f)),
            None => kind.guess(h).or_else(|| {
                (kind == ImportKind::Projects)
                    .then(|| guess_funder(h, funders).map(ImportField::Funding))
                    .flatten()
            }),
        }
    };
    let score = |cells: &[Cell]| cells.iter().filter(|c| guess(&c.text()).is_some()).count();
    let header = grid
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .enumerate()
        .map(|(i, (_, cells))| (score(cells), std::cmp::Reverse(i)))
        .max()
        .filter(|(s, _)| *s >= 2)
        .map(|(_, std::cmp::Reverse(i))| i)
        .unwrap_or(0);
    let Some((line, cells)) = grid.rows.get(header) else {
        return Mapping::default();
    };
    let width = grid.rows.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
    let headers: Vec<String> = (0..width)
        .map(|i| cells.get(i).map(Cell::text).unwrap_or_default())
        .collect();
    let mut taken = BTreeSet::new();
    let fields = headers
        .iter()
        .map(|h| {
            let field = guess(h)?;
            taken.insert(field).then_some(field)
        })
        .collect();
    let key = if headers
        .iter()
        .any(|h| kind.guess(h) == Some(ImportField::Reference))
    {
        ImportKey::Reference
    } else {
        ImportKey::Title
    };
    Mapping {
        header_line: *line,
        headers,
        fields,
        key,
        kind,
        distinct: Vec::new(),
    }
}

/// The name a column goes by in messages: its header, else its letter.
pub fn column_name(mapping: &Mapping, index: usize) -> String {
    match mapping.headers.get(index).map(|h| h.trim()) {
        Some(h) if !h.is_empty() => h.to_owned(),
        _ => rust_i18n::t!("import.column_letter", letter = column_letter(index)).into_owned(),
    }
}

/// `A`, `B`, … `Z`, `AA`…
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The label of a field, a funder's amount naming the funder.
pub fn field_label(field: ImportField, funders: &[FunderName]) -> String {
    match field {
        ImportField::Funding(c) => {
            funding_label(c, funders.iter().map(|f| (f.id, f.name.as_str())))
        }
        other => other.label(),
    }
}

/// Checks a mapping a user sent against the file: one column per field at
/// most, a title column, funders of the list.
pub fn check_mapping(mapping: &Mapping, funders: &[FunderName]) -> Result<(), AppError> {
    let mut errors = crate::error::FieldErrors::new();
    let mut seen = BTreeSet::new();
    for field in mapping.fields.iter().flatten() {
        if !seen.insert(*field) {
            errors.add(
                "fields",
                rust_i18n::t!("import.field_twice", field = field_label(*field, funders)),
            );
        }
        if let ImportField::Funding(c) = field
            && !funders.iter().any(|f| f.id == c.funder_id)
        {
            errors.add("fields", rust_i18n::t!("import.funder_unknown"));
        }
        if !mapping.kind.allows(*field) {
            errors.add("fields", rust_i18n::t!("import.field_unknown"));
        }
    }
    match mapping.kind {
        ImportKind::Projects if !seen.contains(&ImportField::Title) => {
            errors.add("fields", rust_i18n::t!("import.title_column_required"));
        }
        ImportKind::Contacts
            if !seen.contains(&ImportField::Organisation)
                && !seen.contains(&ImportField::LastName) =>
        {
            errors.add("fields", rust_i18n::t!("import.contact_column_required"));
        }
        ImportKind::Funding if !seen.contains(&ImportField::Funder) => {
            errors.add("fields", rust_i18n::t!("import.funder_column_required"));
        }
        ImportKind::Funding
            if !seen.contains(&match mapping.key {
                ImportKey::Reference => ImportField::Reference,
                ImportKey::Title => ImportField::Title,
            }) =>
        {
            errors.add("key", rust_i18n::t!("import.project_column_required"));
        }
        _ => {}
    }
    errors.into_result()
}

/// One row being checked, with its problems so far.
pub(super) struct Row<'a> {
    pub(super) line: u32,
    pub(super) cells: &'a [Cell],
    pub(super) mapping: &'a Mapping,
    pub(super) problems: Vec<String>,
    /// Columns already at fault (the form's own check of the same field
    /// would only repeat it).
    pub(super) faulty: BTreeSet<usize>,
}

impl<'a> Row<'a> {
    pub(super) fn new(line: u32, cells: &'a [Cell], mapping: &'a Mapping) -> Self {
        Row {
            line,
            cells,
            mapping,
            problems: Vec::new(),
            faulty: BTreeSet::new(),
        }
    }

    pub(super) fn column(&self, field: ImportField) -> Option<usize> {
        self.mapping.fields.iter().position(|f| *f == Some(field))
    }

    /// The cell of `field`'s column, if mapped and not empty.
    pub(super) fn cell(&self, field: ImportField) -> Option<(usize, &Cell)> {
        let i = self.column(field)?;
        self.cells.get(i).filter(|c| !c.is_empty()).map(|c| (i, c))
    }

    pub(super) fn text(&self, field: ImportField) -> Option<String> {
        self.cell(field).map(|(_, c)| c.text())
    }

    pub(super) fn problem(&mut self, column: usize, value: &str, message: impl AsRef<str>) {
        self.faulty.insert(column);
        // A long value is named by its start: the message stays readable.
        let value = match value.char_indices().nth(SHOWN_VALUE_CHARS) {
            Some((end, _)) => format!("{}…", &value[..end]),
            None => value.to_owned(),
        };
        self.problems.push(
            rust_i18n::t!(
                "import.problem",
                line = self.line,
                column = column_name(self.mapping, column),
                value = value,
                message = message.as_ref()
            )
            .into_owned(),
        );
    }

    /// Reports a form's errors on the file's columns (`column_of` names the
    /// column behind each form field); a column already at fault is not
    /// blamed twice.
    pub(super) fn report(&mut self, err: AppError, column_of: fn(&str) -> Option<ImportField>) {
        let AppError::Validation(errors) = err else {
            self.problems.push(err.message());
            return;
        };
        for (field, message) in &errors.0 {
            match column_of(field).and_then(|f| self.column(f)) {
                Some(col) if self.faulty.contains(&col) => {}
                Some(col) => {
                    let value = self.cells.get(col).map(Cell::text).unwrap_or_default();
                    self.problem(col, &value, message);
                }
                None => {
                    let label = column_of(field).map(ImportField::label).unwrap_or_default();
                    self.problems.push(
                        rust_i18n::t!(
                            "import.problem_field",
                            line = self.line,
                            field = label,
                            message = message
                        )
                        .into_owned(),
                    );
                }
            }
        }
    }
}

/// The portfolio's projects by reference (lower case) and by title
/// (`search_key`), as rows name them.
pub(super) struct ProjectIndex {
    pub(super) by_reference: HashMap<String, usize>,
    pub(super) by_title: HashMap<String, Vec<usize>>,
}

impl ProjectIndex {
    pub(super) fn of(projects: &[Existing]) -> Self {
        let by_reference = projects
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.form.reference.is_empty())
            .map(|(i, p)| (p.form.reference.to_lowercase(), i))
            .collect();
        let mut by_title: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in projects.iter().enumerate() {
            by_title
                .entry(search_key(&p.form.title))
                .or_default()
                .push(i);
        }
        ProjectIndex {
            by_reference,
            by_title,
        }
    }
}

/// The verdict on every row after the header, and the writes of the rows
/// that pass.
pub fn analyse(grid: &Grid, mapping: &Mapping, refs: &Refs) -> (Vec<RowVerdict>, Vec<Planned>) {
    let ProjectIndex {
        by_reference,
        by_title,
    } = ProjectIndex::of(&refs.projects);
    let mut seen_keys: HashMap<String, u32> = HashMap::new();
    let mut verdicts = Vec::new();
    let mut planned = Vec::new();
    for (line, cells) in grid.rows.iter().filter(|(l, _)| *l > mapping.header_line) {
        let mut row = Row {
            line: *line,
            cells,
            mapping,
            problems: Vec::new(),
            faulty: BTreeSet::new(),
        };
        let title = row.text(ImportField::Title).unwrap_or_default();
        let reference = row.text(ImportField::Reference);
        let mut verdict = RowVerdict::refused(*line, title.clone(), reference.clone());
        if cells
            .iter()
            .any(|c| matches!(c, Cell::Text(t) if is_totals_label(t)))
            && (title.is_empty() || is_totals_label(&title))
        {
            verdict.skip_as_totals();
            verdicts.push(verdict);
            continue;
        }
        // The key, and the project it names.
        let key = match mapping.key {
            ImportKey::Reference => reference.as_ref().map(|r| r.trim().to_lowercase()),
            ImportKey::Title => Some(search_key(&title)).filter(|k| !k.is_empty()),
        };
        let mut existing: Option<&Existing> = None;
        if let Some(key) = &key {
            if let Some(first) = seen_keys.get(key) {
                let column = row
                    .column(match mapping.key {
                        ImportKey::Reference => ImportField::Reference,
                        ImportKey::Title => ImportField::Title,
                    })
                    .unwrap_or(0);
                let value = match mapping.key {
                    ImportKey::Reference => reference.clone().unwrap_or_default(),
                    ImportKey::Title => title.clone(),
                };
                row.problem(
                    column,
                    &value,
                    rust_i18n::t!("import.duplicate_key", first = first),
                );
            } else {
                seen_keys.insert(key.clone(), *line);
            }
            match mapping.key {
                ImportKey::Reference => {
                    existing = by_reference.get(key).map(|i| &refs.projects[*i])
                }
                ImportKey::Title => match by_title.get(key).map(Vec::as_slice) {
                    Some([one]) => existing = Some(&refs.projects[*one]),
                    Some([_, _, ..]) => {
                        let column = row.column(ImportField::Title).unwrap_or(0);
                        row.problem(column, &title, rust_i18n::t!("import.title_not_unique"));
                    }
                    _ => {}
                },
            }
        }
        let mut form = existing.map(|e| e.form.clone()).unwrap_or_default();
        let stage_before = existing.map(|e| e.stage);
        let mut stage = stage_before.unwrap_or_default();
        fill(&mut row, refs, &mut form, &mut stage);
        let input = match form.validate() {
            Ok(input) => Some(input),
            Err(e) => {
                row.report(e, form_field);
                None
            }
        };
        if let (Some(from), Some(input)) = (stage_before, &input)
            && from != stage
            && let Err(e) = crate::domain::check_stage_move(from, stage, Some("import"))
        {
            let col = row.column(ImportField::Stage).unwrap_or(0);
            row.problem(col, &stage.label(), e.to_string());
            let _ = input;
        }
        let lines = funding_lines(&mut row, refs, existing, &mut verdict.notes);
        verdict.problems = std::mem::take(&mut row.problems);
        let Some(input) = input.filter(|_| verdict.problems.is_empty()) else {
            verdict.notes.clear();
            verdicts.push(verdict);
            continue;
        };
        match existing {
            None => {
                verdict.action = RowAction::Create;
                planned.push(Planned {
                    line: *line,
                    project_id: None,
                    version: 0,
                    input,
                    stage,
                    stage_from: None,
                    before: None,
                    lines,
                });
            }
            Some(e) => {
                verdict.project_id = Some(e.id);
                verdict.version = Some(e.version);
                verdict.changes = changed_fields(&e.form, e.stage, &form, stage);
                if verdict.changes.is_empty() && lines.is_empty() {
                    verdict.action = RowAction::Unchanged;
                } else {
                    verdict.action = RowAction::Update;
                    planned.push(Planned {
                        line: *line,
                        project_id: Some(e.id),
                        version: e.version,
                        input,
                        stage,
                        stage_from: (e.stage != stage).then_some(e.stage),
                        before: Some((e.form.clone(), e.stage)),
                        lines,
                    });
                }
            }
        }
        verdicts.push(verdict);
    }
    (verdicts, planned)
}

/// A date cell, a spreadsheet's day number, or a date typed as text.
pub(super) fn cell_date(cell: &Cell) -> Option<chrono::NaiveDate> {
    match cell {
        Cell::Date(d) => Some(*d),
        Cell::Number(n) => n.parse::<f64>().ok().and_then(date_of_serial),
        Cell::Text(t) => parse_date_text(t),
        Cell::Empty => None,
    }
}

/// A number cell or an amount typed as text, in cents.
pub(super) fn cell_amount(cell: &Cell) -> Result<i64, crate::domain::import::AmountError> {
    match cell {
        Cell::Number(n) => amount_of_number(n),
        other => parse_amount(&other.text()),
    }
}

/// The funding lines a row's funder columns describe, each at the status
/// its amounts say (granted when an amount is granted, else requested when
/// one is asked for, else identified) and checked as the plan's form checks
/// it. An empty or zero amount says nothing. For a project already in the
/// portfolio, only funders its plan does not have yet are added: a line
/// already there is never overwritten, and a note says when the file
/// disagrees with it.
fn funding_lines(
    row: &mut Row<'_>,
    refs: &Refs,
    existing: Option<&Existing>,
    notes: &mut Vec<String>,
) -> Vec<PlannedLine> {
    let mut funders: Vec<i64> = Vec::new();
    for field in row.mapping.fields.iter().flatten() {
        if let ImportField::Funding(c) = field
            && !funders.contains(&c.funder_id)
        {
            funders.push(c.funder_id);
        }
    }
    let name = |id: i64| {
        refs.funders
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.name.clone())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for funder_id in funders {
        // Planned, requested, granted: the column, the cents, the text.
        let mut found: [Option<(usize, i64, String)>; 3] = [None, None, None];
        for (slot, amount) in found.iter_mut().zip(FunderAmount::ALL) {
            let field = ImportField::Funding(FunderColumn { funder_id, amount });
            let Some((col, cell)) = row.cell(field) else {
                continue;
            };
            let text = cell.text();
            match cell_amount(cell) {
                Ok(0) => {}
                Ok(cents) => *slot = Some((col, cents, text)),
                Err(e) => row.problem(col, &text, e.to_string()),
            }
        }
        let [planned, requested, granted] = found;
        let (status, asked, given) = match (planned, requested, granted) {
            (planned, requested, Some(g)) => (
                FundingStatus::Granted,
                requested.or(planned).unwrap_or_else(|| g.clone()),
                Some(g),
            ),
            (_, Some(r), None) => (FundingStatus::Requested, r, None),
            (Some(p), None, None) => (FundingStatus::Identified, p, None),
            (None, None, None) => continue,
        };
        let form = FundingLineForm {
            funder_id: funder_id.to_string(),
            amount_requested: cents_text(asked.1),
            amount_granted: given.as_ref().map(|g| cents_text(g.1)).unwrap_or_default(),
            ..Default::default()
        };
        let input = match form.validate(status) {
            Ok(input) => input,
            Err(AppError::Validation(errors)) => {
                for (field, message) in &errors.0 {
                    let (col, _, text) = match (field.as_str(), &given) {
                        ("amount_granted", Some(g)) => g,
                        _ => &asked,
                    };
                    if !row.faulty.contains(col) {
                        let (col, text) = (*col, text.clone());
                        row.problem(col, &text, message);
                    }
                }
                continue;
            }
            Err(other) => {
                row.problems.push(other.message());
                continue;
            }
        };
        let said = given.as_ref().unwrap_or(&asked).1;
        if let Some(e) = existing {
            let same: Vec<&ExistingLine> = e
                .lines
                .iter()
                .filter(|l| l.funder_id == funder_id)
                .collect();
            match same.as_slice() {
                [] => {}
                [l] if l.requested == Some(asked.1)
                    && given.as_ref().is_none_or(|g| l.granted == Some(g.1)) => {}
                _ => notes.push(
                    rust_i18n::t!(
                        "import.line_kept",
                        line = row.line,
                        funder = name(funder_id)
                    )
                    .into_owned(),
                ),
            }
            if !same.is_empty() {
                continue;
            }
        }
        notes.push(
            rust_i18n::t!(
                "import.line_added",
                funder = name(funder_id),
                status = status.label(),
                amount = format_euros(said)
            )
            .into_owned(),
        );
        out.push(PlannedLine { status, input });
    }
    out
}

/// The import field behind a form field's error.
fn form_field(field: &str) -> Option<ImportField> {
    Some(match field {
        "title" => ImportField::Title,
        "reference" => ImportField::Reference,
        "summary" => ImportField::Summary,
        "description" => ImportField::Description,
        "lead_officer_id" => ImportField::Officer,
        "communes" => ImportField::Communes,
        "themes" => ImportField::Themes,
        "programmes" => ImportField::Programmes,
        "estimated_cost" => ImportField::Cost,
        "start_date" => ImportField::Start,
        "end_date" => ImportField::End,
        "owner_name" => ImportField::Owner,
        _ => return None,
    })
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

/// The fields whose value differs between two forms.
fn changed_fields(
    a: &ProjectForm,
    a_stage: Stage,
    b: &ProjectForm,
    b_stage: Stage,
) -> Vec<ImportField> {
    let mut out = Vec::new();
    let mut diff = |field, same: bool| {
        if !same {
            out.push(field);
        }
    };
    diff(
        ImportField::Reference,
        a.reference.trim() == b.reference.trim(),
    );
    diff(ImportField::Title, a.title.trim() == b.title.trim());
    diff(
        ImportField::Communes,
        sorted(&a.communes) == sorted(&b.communes),
    );
    diff(
        ImportField::Owner,
        a.owner_name.trim() == b.owner_name.trim(),
    );
    diff(ImportField::Cost, a.estimated_cost == b.estimated_cost);
    diff(ImportField::Stage, a_stage == b_stage);
    diff(ImportField::Officer, a.lead_officer_id == b.lead_officer_id);
    diff(ImportField::Start, a.start_date == b.start_date);
    diff(ImportField::End, a.end_date == b.end_date);
    diff(ImportField::Themes, sorted(&a.themes) == sorted(&b.themes));
    diff(
        ImportField::Programmes,
        sorted(&a.programmes) == sorted(&b.programmes),
    );
    diff(ImportField::Summary, a.summary.trim() == b.summary.trim());
    diff(
        ImportField::Description,
        a.description.trim() == b.description.trim(),
    );
    out
}

/// Cents as the form takes them (« 1234.5 » → « 1234.50 »).
pub fn cents_text(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Sets each mapped, non-empty field of `form` from the row; an empty
/// cell leaves the value as it is (an update never erases by omission).
fn fill(row: &mut Row<'_>, refs: &Refs, form: &mut ProjectForm, stage: &mut Stage) {
    if let Some(v) = row.text(ImportField::Title) {
        form.title = v;
    }
    if let Some(v) = row.text(ImportField::Reference) {
        form.reference = v;
    }
    if let Some(v) = row.text(ImportField::Owner) {
        form.owner_name = v;
    }
    if let Some(v) = row.text(ImportField::Summary) {
        form.summary = v;
    }
    if let Some(v) = row.text(ImportField::Description) {
        form.description = v;
    }
    if let Some((col, cell)) = row.cell(ImportField::Cost) {
        let cell = cell.clone();
        let parsed = match &cell {
            Cell::Number(n) => amount_of_number(n),
            other => parse_amount(&other.text()),
        };
        match parsed {
            Ok(cents) => form.estimated_cost = cents_text(cents),
            Err(e) => row.problem(col, &cell.text(), e.to_string()),
        }
    }
    for (field, target) in [
        (ImportField::Start, &mut form.start_date),
        (ImportField::End, &mut form.end_date),
    ] {
        if let Some((col, cell)) = row.cell(field) {
            let cell = cell.clone();
            let date = cell_date(&cell);
            match date {
                Some(d) => *target = d.to_string(),
                None => row.problem(col, &cell.text(), rust_i18n::t!("import.date_invalid")),
            }
        }
    }
    if let Some((col, cell)) = row.cell(ImportField::Stage) {
        let text = cell.text();
        match parse_stage(&text) {
            Some(s) => *stage = s,
            None => row.problem(col, &text, rust_i18n::t!("import.stage_unknown")),
        }
    }
    if let Some((col, cell)) = row.cell(ImportField::Officer) {
        let text = cell.text();
        let wanted = text.trim().to_lowercase();
        let key = search_key(&text);
        let found: Vec<&(i64, String, String)> = refs
            .officers
            .iter()
            .filter(|(_, name, email)| email.to_lowercase() == wanted || search_key(name) == key)
            .collect();
        match found.as_slice() {
            [(id, _, _)] => form.lead_officer_id = id.to_string(),
            [] => row.problem(col, &text, rust_i18n::t!("import.officer_unknown")),
            _ => row.problem(col, &text, rust_i18n::t!("import.officer_ambiguous")),
        }
    }
    for (field, list, target) in [
        (ImportField::Themes, &refs.themes, &mut form.themes),
        (
            ImportField::Programmes,
            &refs.programmes,
            &mut form.programmes,
        ),
    ] {
        if let Some((col, cell)) = row.cell(field) {
            let text = cell.text();
            let mut codes = Vec::new();
            for item in split_list(&text) {
                let key = search_key(&item);
                match list
                    .iter()
                    .find(|(code, label)| *code == item || search_key(label) == key)
                {
                    Some((code, _)) => codes.push(code.clone()),
                    None => row.problem(col, &item, rust_i18n::t!("import.code_unknown")),
                }
            }
            *target = codes;
        }
    }
    let departement = row.cell(ImportField::Departement).map(|(_, c)| {
        let t = c.text().trim().to_uppercase();
        if t.len() == 1 { format!("0{t}") } else { t }
    });
    if let Some((col, cell)) = row.cell(ImportField::Communes) {
        let text = cell.text();
        // The project's communes so far settle a name shared by several
        // (Maillage's own export writes names only).
        let known = std::mem::take(&mut form.communes);
        let mut codes = Vec::new();
        for item in split_list(&text) {
            match commune_of(refs, &item, departement.as_deref(), &known) {
                Ok(code) => codes.push(code),
                Err(message) => row.problem(col, &item, message),
            }
        }
        form.communes = codes;
    }
}

/// The INSEE code of a commune written as its code or its name (with its
/// département in brackets or in the row's département column).
pub(super) fn commune_of(
    refs: &Refs,
    item: &str,
    departement: Option<&str>,
    known: &[String],
) -> Result<String, String> {
    let digits = item.trim();
    let padded = if digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit()) {
        format!("0{digits}")
    } else {
        digits.to_owned()
    };
    if let Ok(code) = InseeCode::parse(&padded) {
        return if refs.communes.contains_key(code.as_str()) {
            Ok(code.as_str().to_owned())
        } else {
            Err(rust_i18n::t!("import.commune_code_unknown").into_owned())
        };
    }
    let (name, dept) = name_and_departement(item);
    let dept = dept.as_deref().or(departement);
    let candidates: Vec<&CommuneEntry> = refs
        .commune_names
        .get(&commune_key(&name))
        .map(|codes| codes.iter().filter_map(|c| refs.communes.get(c)).collect())
        .unwrap_or_default();
    let kept: Vec<&CommuneEntry> = candidates
        .iter()
        .copied()
        .filter(|c| dept.is_none_or(|d| c.departement == d))
        .collect();
    let already: Vec<&CommuneEntry> = kept
        .iter()
        .copied()
        .filter(|c| known.contains(&c.insee))
        .collect();
    if let [one] = already.as_slice() {
        return Ok(one.insee.clone());
    }
    match kept.as_slice() {
        [one] => Ok(one.insee.clone()),
        [] if candidates.is_empty() => Err(rust_i18n::t!("import.commune_unknown").into_owned()),
        [] => Err(rust_i18n::t!(
            "import.commune_not_in_departement",
            departement = dept.unwrap_or_default()
        )
        .into_owned()),
        many => {
            let names: Vec<String> = many
                .iter()
                .take(5)
                .map(|c| format!("{} ({})", c.name, c.departement))
                .collect();
            Err(rust_i18n::t!(
                "import.commune_ambiguous",
                count = many.len(),
                names = names.join(", ")
            )
            .into_owned())
        }
    }
}
