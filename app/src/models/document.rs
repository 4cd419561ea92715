//! Documents as the project page shows them, and the form that edits one.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldErrors};

/// One version of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentVersionView {
    pub number: i32,
    pub filename: String,
    pub size: u64,
    pub media_type: String,
    pub uploaded_at: DateTime<Utc>,
    pub uploaded_by: Option<String>,
}

/// A document of the project, its latest version first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    pub id: i64,
    pub type_code: String,
    pub type_label: String,
    pub title: String,
    pub doc_date: Option<NaiveDate>,
    pub shared: bool,
    pub milestone_id: Option<i64>,
    pub funding_line_id: Option<i64>,
    /// What it is attached to, in words (« Jalon : … », « DETR »), when not
    /// the project itself.
    pub attached_to: Option<String>,
    pub version: i32,
    /// Newest first; never empty.
    pub versions: Vec<DocumentVersionView>,
}

impl DocumentView {
    /// The name it is shown under: its title, else its latest file's name.
    pub fn name(&self) -> String {
        if self.title.trim().is_empty() {
            self.versions
                .first()
                .map(|v| v.filename.clone())
                .unwrap_or_default()
        } else {
            self.title.clone()
        }
    }
}

/// The project's documents and what they may be attached to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDocuments {
    pub documents: Vec<DocumentView>,
    /// The document types offered (code, label).
    pub types: Vec<crate::models::Labelled>,
    /// What a document may be attached to: `""` the project, `jalon:ID`,
    /// `ligne:ID`, with its label.
    pub attachments: Vec<crate::models::Labelled>,
    /// Bytes used by the project's documents, and the most allowed.
    pub used_bytes: u64,
    pub max_project_bytes: u64,
    pub max_file_bytes: u64,
}

/// Where a document is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Attachment {
    Project,
    Milestone(i64),
    FundingLine(i64),
}

impl Attachment {
    /// `""` → the project; `jalon:12`; `ligne:7`; anything else is an
    /// error on `attachment`.
    pub fn parse(raw: &str, errors: &mut FieldErrors) -> Attachment {
        let raw = raw.trim();
        let id = |rest: &str| rest.parse::<i64>().ok().filter(|id| *id > 0);
        if raw.is_empty() {
            return Attachment::Project;
        }
        match raw.split_once(':') {
            Some(("jalon", rest)) if id(rest).is_some() => {
                Attachment::Milestone(id(rest).unwrap_or_default())
            }
            Some(("ligne", rest)) if id(rest).is_some() => {
                Attachment::FundingLine(id(rest).unwrap_or_default())
            }
            _ => {
                errors.add("attachment", rust_i18n::t!("documents.attachment_unknown"));
                Attachment::Project
            }
        }
    }

    /// The document's `(milestone_id, funding_line_id)`.
    pub fn ids(self) -> (Option<i64>, Option<i64>) {
        match self {
            Attachment::Project => (None, None),
            Attachment::Milestone(id) => (Some(id), None),
            Attachment::FundingLine(id) => (None, Some(id)),
        }
    }

    /// The form's value.
    pub fn code(self) -> String {
        match self {
            Attachment::Project => String::new(),
            Attachment::Milestone(id) => format!("jalon:{id}"),
            Attachment::FundingLine(id) => format!("ligne:{id}"),
        }
    }
}

/// A document's own fields as a form sends them (the upload's, and the
/// edit's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentForm {
    pub type_code: String,
    pub title: String,
    pub doc_date: String,
    pub attachment: String,
    pub shared: Option<String>,
}

/// The fields checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFields {
    pub type_code: String,
    pub title: String,
    pub doc_date: Option<NaiveDate>,
    pub attachment: Attachment,
    pub shared: bool,
}

impl DocumentForm {
    /// The fields, each error on its own field (the type's existence and
    /// the attachment's belonging to the project are the service's).
    pub fn validate(&self) -> Result<DocumentFields, AppError> {
        let mut errors = FieldErrors::default();
        let type_code = self.type_code.trim().to_owned();
        if type_code.is_empty() {
            errors.add("type_code", rust_i18n::t!("documents.type_required"));
        }
        // One line (a multipart form is not read by the request codec that
        // refuses control characters elsewhere).
        let title: String = self
            .title
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .trim()
            .to_owned();
        if let Err(message) =
            crate::domain::input::check_length(&title, crate::domain::input::max::TITLE)
        {
            errors.add(
                "title",
                format!("{} : {message}", rust_i18n::t!("documents.title_label")),
            );
        }
        let doc_date = match self.doc_date.trim() {
            "" => None,
            raw => crate::domain::input::parse_date(raw, crate::domain::input::DateKind::Planning)
                .map_err(|message| {
                    errors.add(
                        "doc_date",
                        format!("{} : {message}", rust_i18n::t!("documents.date")),
                    );
                })
                .ok(),
        };
        let attachment = Attachment::parse(&self.attachment, &mut errors);
        errors.into_result()?;
        Ok(DocumentFields {
            type_code,
            title,
            doc_date,
            attachment,
            shared: crate::models::checkbox(&self.shared),
        })
    }
}

/// A document on a shared page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedDocument {
    pub id: i64,
    pub type_label: String,
    pub name: String,
    pub doc_date: Option<NaiveDate>,
    pub size: u64,
    /// Its download address for this reader.
    pub href: String,
}

/// How long deleted documents are kept before their contents are erased
/// (the admin's page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionView {
    /// The period in force.
    pub days: i64,
    /// The server's (`DOCUMENT_RETENTION_DAYS`), in force when the admin
    /// set none.
    pub default_days: i64,
    /// Whether the admin set one.
    pub set: bool,
}

/// The retention as its form sends it: a whole number of days, or empty to
/// go back to the server's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionForm {
    pub days: String,
}

impl RetentionForm {
    /// The days (0 to ten years), `None` for the server's; an error on
    /// `days` otherwise.
    pub fn validate(&self) -> Result<Option<i64>, AppError> {
        use crate::domain::document::MAX_RETENTION_DAYS;
        let raw = self.days.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        match raw.parse::<i64>() {
            Ok(days) if (0..=MAX_RETENTION_DAYS).contains(&days) => Ok(Some(days)),
            _ => {
                let mut errors = FieldErrors::new();
                errors.add(
                    "days",
                    rust_i18n::t!("documents.retention_invalid", max = MAX_RETENTION_DAYS),
                );
                Err(AppError::Validation(errors))
            }
        }
    }
}

#[cfg(test)]
mod retention_tests {
    use super::*;

    #[test]
    fn the_retention_is_a_whole_number_of_days_within_ten_years() {
        let form = |days: &str| {
            RetentionForm {
                days: days.to_owned(),
            }
            .validate()
        };
        assert_eq!(form(""), Ok(None));
        assert_eq!(form(" 0 "), Ok(Some(0)));
        assert_eq!(form("3650"), Ok(Some(3650)));
        for bad in ["-1", "3651", "1e3", "30 jours", "٣٠", &"9".repeat(40)] {
            let err = form(bad).expect_err(bad);
            assert!(err.field("days").is_some(), "{bad}: {err:?}");
        }
    }
}
