//! The reference lists admins edit (themes, programmes).
use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldErrors};

/// Which reference list: its URL segment, table and labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceList {
    Themes,
    Programmes,
    /// The kinds of documents a project's file holds (issue 21).
    DocumentTypes,
}

impl ReferenceList {
    pub const ALL: [Self; 3] = [Self::Themes, Self::Programmes, Self::DocumentTypes];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Themes => "themes",
            Self::Programmes => "programmes",
            Self::DocumentTypes => "document_types",
        }
    }

    /// The table holding the list (`code`, `label`, `active`, `position`).
    pub fn table(self) -> &'static str {
        self.as_str()
    }

    /// The admin page's path.
    pub fn path(self) -> &'static str {
        match self {
            Self::Themes => "/admin/thematiques",
            Self::Programmes => "/admin/programmes",
            Self::DocumentTypes => "/admin/types-de-documents",
        }
    }
}

impl std::str::FromStr for ReferenceList {
    type Err = AppError;

    fn from_str(s: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| AppError::validation("list", rust_i18n::t!("reference.unknown_list")))
    }
}

/// A reference-list entry as admins edit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceEntry {
    pub code: String,
    pub label: String,
    pub active: bool,
}

/// The entry form (admins): a new code, or an existing one to rename or
/// (de)activate. An entry is never deleted: projects keep pointing at it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReferenceForm {
    pub code: String,
    pub label: String,
    pub active: Option<String>,
}

/// The code of a list entry (a reference list's or a funder's), trimmed:
/// 1–40 lower-case letters, digits or `_`; else an error on `code`.
pub(crate) fn entry_code(raw: &str, errors: &mut FieldErrors) -> String {
    let code = raw.trim().to_owned();
    if code.is_empty()
        || code.len() > 40
        || !code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        errors.add("code", rust_i18n::t!("reference.code_invalid"));
    }
    code
}

/// The label of a list entry, trimmed: 1–120 characters; else an error on
/// `field`.
pub(crate) fn entry_label(field: &str, raw: &str, errors: &mut FieldErrors) -> String {
    let label = raw.trim().to_owned();
    if label.is_empty() || label.chars().count() > 120 {
        errors.add(field, rust_i18n::t!("reference.label_invalid"));
    }
    label
}

impl ReferenceForm {
    pub fn validate(&self) -> Result<ReferenceEntry, AppError> {
        let mut errors = FieldErrors::new();
        let code = entry_code(&self.code, &mut errors);
        let label = entry_label("label", &self.label, &mut errors);
        errors.into_result()?;
        Ok(ReferenceEntry {
            code,
            label,
            active: crate::models::checkbox(&self.active),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_codes_are_simple_identifiers() {
        let ok = ReferenceForm {
            code: "cte".into(),
            label: " Contrat de transition ".into(),
            active: Some("on".into()),
        };
        assert_eq!(
            ok.validate().unwrap(),
            ReferenceEntry {
                code: "cte".into(),
                label: "Contrat de transition".into(),
                active: true
            }
        );
        let bad = ReferenceForm {
            code: "Petites Villes".into(),
            label: "".into(),
            active: None,
        };
        let err = bad.validate().unwrap_err();
        assert!(err.field("code").is_some() && err.field("label").is_some());
    }

    #[test]
    fn lists_are_named_by_their_code() {
        for list in ReferenceList::ALL {
            assert_eq!(list.as_str().parse::<ReferenceList>().unwrap(), list);
        }
        assert!("users".parse::<ReferenceList>().is_err());
    }
}
