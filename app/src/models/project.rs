//! Projects as the UI sees them, and the forms that change them.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{Health, InseeCode, MilestoneKind, OwnerKind, Stage, parse_euros};
use crate::error::{AppError, FieldErrors};

/// A code and its French label (themes, programmes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labelled {
    pub code: String,
    pub label: String,
}

/// A commune on a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneRef {
    pub insee: String,
    pub name: String,
}

/// One row of the project list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSummary {
    pub id: i64,
    pub reference: Option<String>,
    pub title: String,
    pub stage: Stage,
    pub health: String,
    pub lead_officer: Option<String>,
    pub communes: Vec<String>,
    pub estimated_cost_cents: Option<i64>,
    pub last_event_at: DateTime<Utc>,
}

/// A page of the project list, with the total behind the filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectPage {
    pub items: Vec<ProjectSummary>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// The project list's filters, sort and page; all optional, all in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectFilter {
    pub q: Option<String>,
    pub stage: Option<String>,
    pub health: Option<String>,
    pub officer: Option<i64>,
    pub commune: Option<String>,
    pub epci: Option<String>,
    pub departement: Option<String>,
    pub programme: Option<String>,
    pub theme: Option<String>,
    /// Only projects with an event on or after this day.
    pub since: Option<NaiveDate>,
    /// `title`, `recent` (default), `stage`, `cost`.
    pub sort: Option<String>,
    pub page: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneView {
    pub id: i64,
    pub kind: MilestoneKind,
    pub title: String,
    pub due_date: NaiveDate,
    pub done_date: Option<NaiveDate>,
    pub note: String,
    pub shareable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteView {
    pub id: i64,
    pub note_date: NaiveDate,
    pub author: Option<String>,
    pub body: String,
    pub shareable: bool,
}

/// One entry of the timeline: who did what when, with before/after values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub kind: String,
    pub data: serde_json::Value,
}

/// Everything on the project page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectDetail {
    pub id: i64,
    pub version: i32,
    pub reference: Option<String>,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub stage: Stage,
    pub health: Health,
    pub lead_officer_id: Option<i64>,
    pub lead_officer: Option<String>,
    pub estimated_cost_cents: Option<i64>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub owner_name: String,
    pub owner_kind: Option<OwnerKind>,
    pub communes: Vec<CommuneRef>,
    pub themes: Vec<Labelled>,
    pub programmes: Vec<Labelled>,
    pub milestones: Vec<MilestoneView>,
    pub notes: Vec<NoteView>,
    pub events: Vec<EventView>,
    pub created_at: DateTime<Utc>,
    /// The server's today, against which lateness is shown (the browser
    /// never reads its own clock for a rule).
    pub as_of: NaiveDate,
}

/// The create/edit form, as typed (text fields, lists of codes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectForm {
    pub title: String,
    pub reference: String,
    pub summary: String,
    pub description: String,
    /// A user id, or empty for none.
    pub lead_officer_id: String,
    pub communes: Vec<String>,
    pub themes: Vec<String>,
    pub programmes: Vec<String>,
    pub estimated_cost: String,
    pub start_date: String,
    pub end_date: String,
    pub owner_name: String,
    /// An `OwnerKind` code, or empty.
    pub owner_kind: String,
}

/// A [`ProjectForm`] that passed validation (codes still to be checked
/// against the reference tables by the server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectInput {
    pub title: String,
    pub reference: Option<String>,
    pub summary: String,
    pub description: String,
    pub lead_officer_id: Option<i64>,
    pub communes: Vec<InseeCode>,
    pub themes: Vec<String>,
    pub programmes: Vec<String>,
    pub estimated_cost_cents: Option<i64>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub owner_name: String,
    pub owner_kind: Option<OwnerKind>,
}

pub const TITLE_MAX: usize = 200;
pub const REFERENCE_MAX: usize = 40;

pub(crate) fn optional_date(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d/%m/%Y"))
    {
        Ok(date) => Some(date),
        Err(_) => {
            errors.add(field, rust_i18n::t!("project.invalid_date"));
            None
        }
    }
}

fn dedup(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        if !out.iter().any(|o| o == v) {
            out.push(v.to_owned());
        }
    }
    out
}

impl ProjectForm {
    /// Checks every field, reporting all problems at once.
    pub fn validate(&self) -> Result<ProjectInput, AppError> {
        let mut errors = FieldErrors::new();
        let title = self.title.trim().to_owned();
        if title.is_empty() {
            errors.add("title", rust_i18n::t!("project.title_required"));
        } else if title.chars().count() > TITLE_MAX {
            errors.add(
                "title",
                rust_i18n::t!("project.title_too_long", max = TITLE_MAX),
            );
        }
        let reference = Some(self.reference.trim().to_owned()).filter(|r| !r.is_empty());
        if reference
            .as_ref()
            .is_some_and(|r| r.chars().count() > REFERENCE_MAX)
        {
            errors.add(
                "reference",
                rust_i18n::t!("project.reference_too_long", max = REFERENCE_MAX),
            );
        }
        let mut communes = Vec::new();
        for code in dedup(&self.communes) {
            match InseeCode::parse(&code) {
                Ok(c) => communes.push(c),
                Err(e) => errors.add("communes", e.to_string()),
            }
        }
        if communes.is_empty() && errors.get("communes").is_none() {
            errors.add("communes", rust_i18n::t!("project.communes_required"));
        }
        let estimated_cost_cents = match self.estimated_cost.trim() {
            "" => None,
            text => parse_euros(text)
                .map_err(|e| errors.add("estimated_cost", e.to_string()))
                .ok(),
        };
        let lead_officer_id = match self.lead_officer_id.trim() {
            "" => None,
            id => id
                .parse::<i64>()
                .map_err(|_| {
                    errors.add("lead_officer_id", rust_i18n::t!("project.unknown_officer"))
                })
                .ok(),
        };
        let start_date = optional_date(&mut errors, "start_date", &self.start_date);
        let end_date = optional_date(&mut errors, "end_date", &self.end_date);
        if let (Some(start), Some(end)) = (start_date, end_date)
            && end < start
        {
            errors.add("end_date", rust_i18n::t!("project.end_before_start"));
        }
        let owner_name = self.owner_name.trim().to_owned();
        if owner_name.chars().count() > TITLE_MAX {
            errors.add(
                "owner_name",
                rust_i18n::t!("project.owner_name_too_long", max = TITLE_MAX),
            );
        }
        let owner_kind = match self.owner_kind.trim() {
            "" => None,
            code => code
                .parse::<OwnerKind>()
                .map_err(|e| errors.add("owner_kind", e))
                .ok(),
        };
        errors.into_result()?;
        Ok(ProjectInput {
            title,
            owner_name,
            owner_kind,
            reference,
            summary: self.summary.trim().to_owned(),
            description: self.description.trim().to_owned(),
            lead_officer_id,
            communes,
            themes: dedup(&self.themes),
            programmes: dedup(&self.programmes),
            estimated_cost_cents,
            start_date,
            end_date,
        })
    }
}

/// The health form: status code, reason, since-date as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HealthForm {
    pub status: String,
    pub reason: String,
    pub since: String,
}

impl HealthForm {
    pub fn validate(&self) -> Result<Health, AppError> {
        let mut errors = FieldErrors::new();
        let since = optional_date(&mut errors, "since", &self.since);
        errors.into_result()?;
        Health::parse(&self.status, Some(&self.reason), since).map_err(|e| {
            let field = match e {
                crate::domain::HealthError::UnknownStatus => "status",
                crate::domain::HealthError::ReasonRequired => "reason",
                crate::domain::HealthError::DateRequired => "since",
            };
            AppError::validation(field, e.to_string())
        })
    }
}

/// The milestone form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MilestoneForm {
    pub kind: String,
    pub title: String,
    pub due_date: String,
    pub done_date: String,
    pub note: String,
    pub shareable: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneInput {
    pub kind: MilestoneKind,
    pub title: String,
    pub due_date: NaiveDate,
    pub done_date: Option<NaiveDate>,
    pub note: String,
    pub shareable: bool,
}

impl MilestoneForm {
    pub fn validate(&self) -> Result<MilestoneInput, AppError> {
        let mut errors = FieldErrors::new();
        let kind = self
            .kind
            .parse::<MilestoneKind>()
            .map_err(|e| errors.add("kind", e))
            .ok();
        let title = self.title.trim().to_owned();
        if title.is_empty() {
            errors.add("title", rust_i18n::t!("milestone.title_required"));
        } else if title.chars().count() > TITLE_MAX {
            errors.add(
                "title",
                rust_i18n::t!("project.title_too_long", max = TITLE_MAX),
            );
        }
        let due_date = optional_date(&mut errors, "due_date", &self.due_date);
        if due_date.is_none() && errors.get("due_date").is_none() {
            errors.add("due_date", rust_i18n::t!("milestone.due_required"));
        }
        let done_date = optional_date(&mut errors, "done_date", &self.done_date);
        match (kind, due_date) {
            (Some(kind), Some(due_date)) if errors.is_empty() => Ok(MilestoneInput {
                kind,
                title,
                due_date,
                done_date,
                note: self.note.trim().to_owned(),
                shareable: crate::models::checkbox(&self.shareable),
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// The journal form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    pub body: String,
    pub note_date: String,
    pub shareable: Option<String>,
}

pub const NOTE_MAX: usize = 20_000;

/// Everything the officer's home shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerHome {
    pub projects: Vec<ProjectSummary>,
    pub late: Vec<MilestoneDue>,
    pub due_soon: Vec<MilestoneDue>,
    /// Funding steps and DETR lapse dates, overdue or in the next 90 days.
    pub deadlines: Vec<crate::models::FundingDeadline>,
}

/// A milestone with its project, for lists across projects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneDue {
    pub milestone_id: i64,
    pub project_id: i64,
    pub project_title: String,
    pub kind: MilestoneKind,
    pub title: String,
    pub due_date: NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ProjectForm {
        ProjectForm {
            title: " Maison de santé ".into(),
            communes: vec!["15187".into(), "15187".into(), " 15014 ".into()],
            estimated_cost: "1 250 000".into(),
            start_date: "2027-01-15".into(),
            end_date: "31/12/2028".into(),
            themes: vec!["sante".into(), "".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_good_form_is_normalised() {
        let input = form().validate().unwrap();
        assert_eq!(input.title, "Maison de santé");
        assert_eq!(
            input
                .communes
                .iter()
                .map(InseeCode::as_str)
                .collect::<Vec<_>>(),
            ["15187", "15014"]
        );
        assert_eq!(input.estimated_cost_cents, Some(125_000_000));
        assert_eq!(input.end_date, NaiveDate::from_ymd_opt(2028, 12, 31));
        assert_eq!(input.themes, ["sante"]);
        assert_eq!(input.reference, None);
    }

    #[test]
    fn each_field_says_what_is_wrong() {
        let bad = ProjectForm {
            title: "".into(),
            communes: vec![],
            estimated_cost: "beaucoup".into(),
            start_date: "2027-06-01".into(),
            end_date: "2027-01-01".into(),
            ..Default::default()
        };
        let err = bad.validate().unwrap_err();
        assert_eq!(
            err.field("title").as_deref(),
            Some("Le titre est obligatoire.")
        );
        assert_eq!(
            err.field("communes").as_deref(),
            Some("Choisissez au moins une commune.")
        );
        assert!(
            err.field("estimated_cost")
                .unwrap()
                .starts_with("Montant invalide")
        );
        assert_eq!(
            err.field("end_date").as_deref(),
            Some("La date de fin précède la date de début.")
        );
        let postal = ProjectForm {
            communes: vec!["15100x".into()],
            ..form()
        };
        assert!(
            postal
                .validate()
                .unwrap_err()
                .field("communes")
                .unwrap()
                .contains("Code INSEE invalide")
        );
    }

    #[test]
    fn health_form_points_at_the_missing_field() {
        let err = HealthForm {
            status: "paused".into(),
            reason: "".into(),
            since: "2026-11-01".into(),
        }
        .validate()
        .unwrap_err();
        assert!(err.field("reason").is_some());
        let err = HealthForm {
            status: "paused".into(),
            reason: "Élections".into(),
            since: "".into(),
        }
        .validate()
        .unwrap_err();
        assert!(err.field("since").is_some());
    }

    #[test]
    fn milestone_form_requires_kind_title_and_due_date() {
        let err = MilestoneForm {
            kind: "fete".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(
            err.field("kind").is_some()
                && err.field("title").is_some()
                && err.field("due_date").is_some()
        );
        let ok = MilestoneForm {
            kind: "steering_committee".into(),
            title: "COPIL n°1".into(),
            due_date: "2026-12-10".into(),
            shareable: Some("on".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert!(ok.shareable);
        assert_eq!(ok.kind, MilestoneKind::SteeringCommittee);
    }
}
