//! Spreadsheet imports as the UI sees them: the columns and their mapping,
//! the verdict of each row, what a confirmation wrote.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::import::{ImportField, ImportKind};

/// How rows find the project they update.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKey {
    /// The project's reference (a row without one creates a project).
    #[default]
    Reference,
    /// The project's title, accents and case aside.
    Title,
}

impl ImportKey {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKey::Reference => "reference",
            ImportKey::Title => "title",
        }
    }

    pub fn parse(code: &str) -> Option<ImportKey> {
        match code {
            "reference" => Some(ImportKey::Reference),
            "title" => Some(ImportKey::Title),
            _ => None,
        }
    }
}

/// The file's header row and the field each column fills.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// The line of the header row (from 1), 0 when the file has none.
    pub header_line: u32,
    pub headers: Vec<String>,
    pub fields: Vec<Option<ImportField>>,
    pub key: ImportKey,
    /// What the file holds (projects when an older import says nothing).
    #[serde(default)]
    pub kind: ImportKind,
    /// Contacts files: the lines whose organisation the user said is not
    /// the directory's namesake in the same commune (created anyway).
    #[serde(default)]
    pub distinct: Vec<u32>,
}

/// What happens to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    Create,
    Update,
    Unchanged,
    Refused,
    /// A totals row: left out.
    Skipped,
}

impl RowAction {
    pub fn as_str(self) -> &'static str {
        match self {
            RowAction::Create => "create",
            RowAction::Update => "update",
            RowAction::Unchanged => "unchanged",
            RowAction::Refused => "refused",
            RowAction::Skipped => "skipped",
        }
    }

    pub fn label(self) -> String {
        rust_i18n::t!(format!("import.action.{}", self.as_str())).into_owned()
    }

    /// The order rows are shown in: the ones that need the user first.
    pub fn urgency(self) -> u8 {
        match self {
            RowAction::Refused => 0,
            RowAction::Update => 1,
            RowAction::Create => 2,
            RowAction::Unchanged => 3,
            RowAction::Skipped => 4,
        }
    }
}

/// The verdict on one row of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowVerdict {
    pub line: u32,
    pub action: RowAction,
    pub title: String,
    pub reference: Option<String>,
    /// The project updated (or left unchanged).
    pub project_id: Option<i64>,
    /// Its version when the preview was made.
    pub version: Option<i32>,
    /// The fields an update changes (codes of `ImportField`).
    pub changes: Vec<ImportField>,
    /// Each problem, in French, naming the line, the column and the value.
    pub problems: Vec<String>,
    /// What else the row does or leaves alone, in French (funding lines
    /// added; a line already in the plan that the file does not match).
    #[serde(default)]
    pub notes: Vec<String>,
    /// Contacts files: the directory's organisation of the same name in the
    /// same commune this row was matched to (or, when `distinct`, told
    /// apart from), so the user may say it is another one.
    #[serde(default)]
    pub namesake: Option<String>,
    #[serde(default)]
    pub distinct: bool,
}

impl RowVerdict {
    /// A totals row (« TOTAL », « Sous-total »): left out, and said so.
    pub fn skip_as_totals(&mut self) {
        self.action = RowAction::Skipped;
        self.problems
            .push(rust_i18n::t!("import.totals_row", line = self.line).into_owned());
    }

    /// A row refused until its checks pass.
    pub fn refused(line: u32, title: String, reference: Option<String>) -> Self {
        RowVerdict {
            line,
            action: RowAction::Refused,
            title,
            reference,
            project_id: None,
            version: None,
            changes: Vec::new(),
            problems: Vec::new(),
            notes: Vec::new(),
            namesake: None,
            distinct: false,
        }
    }
}

/// The counts of a preview.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub create: u64,
    pub update: u64,
    pub unchanged: u64,
    pub refused: u64,
    pub skipped: u64,
}

impl ImportCounts {
    pub fn of(rows: &[RowVerdict]) -> Self {
        let mut c = ImportCounts::default();
        for r in rows {
            match r.action {
                RowAction::Create => c.create += 1,
                RowAction::Update => c.update += 1,
                RowAction::Unchanged => c.unchanged += 1,
                RowAction::Refused => c.refused += 1,
                RowAction::Skipped => c.skipped += 1,
            }
        }
        c
    }
}

/// An import's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// The file could not be read.
    Failed,
    Previewed,
    Committed,
    Undone,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Failed => "failed",
            ImportStatus::Previewed => "previewed",
            ImportStatus::Committed => "committed",
            ImportStatus::Undone => "undone",
        }
    }

    pub fn parse(code: &str) -> Option<ImportStatus> {
        [
            ImportStatus::Failed,
            ImportStatus::Previewed,
            ImportStatus::Committed,
            ImportStatus::Undone,
        ]
        .into_iter()
        .find(|s| s.as_str() == code)
    }

    pub fn label(self) -> String {
        rust_i18n::t!(format!("import.status.{}", self.as_str())).into_owned()
    }
}

/// One column as the mapping screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnView {
    pub index: usize,
    pub header: String,
    pub field: Option<ImportField>,
    /// The first values under the header.
    pub samples: Vec<String>,
}

/// An import, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: i64,
    pub file_name: String,
    pub status: ImportStatus,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<String>,
    pub committed_at: Option<DateTime<Utc>>,
    pub undone_at: Option<DateTime<Utc>>,
    pub header_line: u32,
    pub key: ImportKey,
    pub columns: Vec<ColumnView>,
    pub counts: ImportCounts,
    pub rows: Vec<RowVerdict>,
    /// Whether the viewer may undo it (heads and admins, once committed).
    pub may_undo: bool,
    /// The active funders a column can be mapped to: id and name.
    pub funders: Vec<(i64, String)>,
    pub kind: ImportKind,
}

/// One import in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub id: i64,
    pub file_name: String,
    pub status: ImportStatus,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<String>,
    pub counts: ImportCounts,
}
