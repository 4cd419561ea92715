//! Funding plans as the screens see them, and the forms that change them.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::funding::{
    Derogation, DerogationKind, FunderCategory, FundingStatus, LineAmounts, SelfFundingCheck,
    Totals, check_amounts,
};
use crate::domain::{OwnerKind, parse_euros, parse_percent};
use crate::error::{AppError, FieldErrors};
use crate::models::checkbox;
use crate::models::project::optional_date;

/// A funder of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunderView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub category: FunderCategory,
    pub active: bool,
}

/// DETR lapse dates of a granted line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetrDeadlines {
    /// Works must start by then or the grant lapses.
    pub start_by: NaiveDate,
    /// Works must be completed by then (known once works have started).
    pub complete_by: Option<NaiveDate>,
}

/// One line of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingLineView {
    pub id: i64,
    pub version: i32,
    pub funder_id: i64,
    pub funder_code: String,
    pub funder_name: String,
    pub category: FunderCategory,
    pub programme: String,
    /// `ht` or `ttc`.
    pub basis: String,
    pub status: FundingStatus,
    pub amount_requested_cents: Option<i64>,
    pub amount_granted_cents: Option<i64>,
    pub amount_paid_cents: i64,
    pub eligible_base_cents: Option<i64>,
    pub rate_basis_points: Option<i32>,
    pub application_deadline: Option<NaiveDate>,
    pub requested_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub agreement_on: Option<NaiveDate>,
    pub advance_on: Option<NaiveDate>,
    pub balance_on: Option<NaiveDate>,
    pub start_extended: bool,
    pub completion_extended: bool,
    pub notes: String,
    /// The staff member named responsible (`None`: the lead officer), and
    /// the name of whoever answers for it (the lead officer's when no one,
    /// or someone no longer in the team, is named).
    pub responsible_id: Option<i64>,
    pub responsible: Option<String>,
    /// The name of the one named, even if no longer in the team.
    pub responsible_name: Option<String>,
    /// The amount the plan counts on for this line.
    pub planned_cents: i64,
    pub detr: Option<DetrDeadlines>,
    /// Rule warnings about this line, in French.
    pub warnings: Vec<String>,
    /// The documents the funder asks for with the application, each there
    /// (a live document of that type attached to this line) or missing.
    pub required_documents: Vec<RequiredDocument>,
    /// The line keeps its own list of what its application asks for, not
    /// its funder's.
    pub own_documents: bool,
}

/// A document a funder asks for, and whether the line has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredDocument {
    pub type_code: String,
    pub label: String,
    pub present: bool,
}

/// The whole plan of a project, with its checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingPlan {
    pub project_id: i64,
    /// The project's version (the derogation form writes the project).
    pub project_version: i32,
    pub owner_name: String,
    pub owner_kind: Option<OwnerKind>,
    pub lines: Vec<FundingLineView>,
    pub totals: Totals,
    pub self_funding: SelfFundingCheck,
    pub derogation: Option<Derogation>,
    /// The recorded works start (the done "début des travaux" milestone).
    pub works_start: Option<NaiveDate>,
    /// In delivery or completed with no funding line at all.
    pub unfunded_delivery: bool,
    /// Active funders, for the add-line form.
    pub funders: Vec<FunderView>,
    /// The active staff, whom a line's application can be given to.
    pub assignable: Vec<crate::models::Labelled>,
    /// The server's today.
    pub as_of: NaiveDate,
}

/// A dated funding step ahead (or overdue), for the officer's home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingDeadline {
    pub project_id: i64,
    pub project_title: String,
    pub line_id: i64,
    pub funder_name: String,
    /// `application` (dossier to file), `detr_start`, `detr_completion`.
    pub kind: String,
    pub date: NaiveDate,
    /// Already past (the server's today).
    pub overdue: bool,
    /// The staff member named responsible for the line, if any.
    pub responsible_id: Option<i64>,
}

/// The dates of a line's steps (an import's; the forms date each step as
/// it is recorded).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineDates {
    pub requested_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub agreement_on: Option<NaiveDate>,
    pub advance_on: Option<NaiveDate>,
    pub balance_on: Option<NaiveDate>,
}

/// The add/edit line form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FundingLineForm {
    pub funder_id: String,
    pub programme: String,
    pub basis: String,
    pub amount_requested: String,
    pub amount_granted: String,
    pub amount_paid: String,
    pub eligible_base: String,
    pub rate: String,
    pub application_deadline: String,
    pub start_extended: Option<String>,
    pub completion_extended: Option<String>,
    pub notes: String,
    /// Who answers for the application: a staff member's id, `lead` (the
    /// project's lead officer), absent (kept on an edit, the lead officer on
    /// an add), as a milestone's `assignee`.
    pub responsible: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundingLineInput {
    pub funder_id: i64,
    pub programme: String,
    pub basis: String,
    pub amount_requested_cents: Option<i64>,
    pub amount_granted_cents: Option<i64>,
    pub amount_paid_cents: i64,
    pub eligible_base_cents: Option<i64>,
    pub rate_basis_points: Option<i32>,
    pub application_deadline: Option<NaiveDate>,
    pub start_extended: bool,
    pub completion_extended: bool,
    pub notes: String,
    /// `Some(None)`: the lead officer; `None`: not in the form.
    pub responsible_id: Option<Option<i64>>,
}

impl FundingLineInput {
    pub fn amounts(&self) -> LineAmounts {
        LineAmounts {
            requested: self.amount_requested_cents,
            granted: self.amount_granted_cents,
            paid: self.amount_paid_cents,
        }
    }
}

fn optional_amount(errors: &mut FieldErrors, field: &str, text: &str) -> Option<i64> {
    match text.trim() {
        "" => None,
        t => parse_euros(t)
            .map_err(|e| errors.add(field, e.to_string()))
            .ok(),
    }
}

pub const NOTES_MAX: usize = crate::domain::input::max::NOTE;

impl FundingLineForm {
    /// Checks every field; `status` is the line's current status (new lines
    /// are identified), against which the amounts must make sense.
    pub fn validate(&self, status: FundingStatus) -> Result<FundingLineInput, AppError> {
        let mut errors = FieldErrors::new();
        let funder_id = self
            .funder_id
            .trim()
            .parse::<i64>()
            .map_err(|_| errors.add("funder_id", rust_i18n::t!("funding.funder_required")))
            .unwrap_or_default();
        let programme = self.programme.trim().to_owned();
        if programme.chars().count() > 200 {
            errors.add("programme", rust_i18n::t!("funding.programme_too_long"));
        }
        let basis = match self.basis.trim() {
            "" | "ht" => "ht",
            "ttc" => "ttc",
            _ => {
                errors.add("basis", rust_i18n::t!("funding.basis_invalid"));
                "ht"
            }
        }
        .to_owned();
        let requested = optional_amount(&mut errors, "amount_requested", &self.amount_requested);
        let granted = optional_amount(&mut errors, "amount_granted", &self.amount_granted);
        let paid = optional_amount(&mut errors, "amount_paid", &self.amount_paid).unwrap_or(0);
        let eligible_base = optional_amount(&mut errors, "eligible_base", &self.eligible_base);
        let rate = match self.rate.trim() {
            "" => None,
            t => parse_percent(t)
                .map_err(|_| errors.add("rate", rust_i18n::t!("funding.rate_invalid")))
                .ok(),
        };
        let application_deadline = optional_date(
            &mut errors,
            "application_deadline",
            &self.application_deadline,
        );
        let notes = self.notes.trim().to_owned();
        if notes.chars().count() > NOTES_MAX {
            errors.add(
                "notes",
                rust_i18n::t!("funding.notes_too_long", max = NOTES_MAX),
            );
        }
        let input = FundingLineInput {
            funder_id,
            programme,
            basis,
            amount_requested_cents: requested,
            amount_granted_cents: granted,
            amount_paid_cents: paid,
            eligible_base_cents: eligible_base,
            rate_basis_points: rate,
            application_deadline,
            start_extended: checkbox(&self.start_extended),
            completion_extended: checkbox(&self.completion_extended),
            notes,
            responsible_id: crate::models::person_choice(
                &mut errors,
                "responsible",
                self.responsible.as_deref(),
            ),
        };
        if errors.is_empty() {
            // A line foreseen but not yet asked for still needs an amount.
            if status == FundingStatus::Identified && requested.is_none() {
                errors.add("amount_requested", rust_i18n::t!("funding.amount_required"));
            } else if let Some(g) = granted
                && requested.is_some_and(|r| g > r)
            {
                errors.add(
                    "amount_granted",
                    rust_i18n::t!("funding.granted_above_requested"),
                );
            } else if let Err(e) = check_amounts(status, input.amounts()) {
                errors.add(e.field(), e.to_string());
            }
        }
        errors.into_result()?;
        Ok(input)
    }
}

/// A status move as typed: the new status, the date of that step (today
/// when empty), the amount that goes with it (requested, granted or paid,
/// depending on the step; blank keeps the line's), and a reason for going
/// back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FundingStatusForm {
    pub status: String,
    pub date: String,
    pub amount: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundingStatusInput {
    pub status: FundingStatus,
    pub date: Option<NaiveDate>,
    pub amount: Option<i64>,
    pub reason: Option<String>,
}

impl FundingStatusForm {
    pub fn validate(&self) -> Result<FundingStatusInput, AppError> {
        let mut errors = FieldErrors::new();
        let status = self
            .status
            .parse::<FundingStatus>()
            .map_err(|e| errors.add("status", e))
            .ok();
        let date = optional_date(&mut errors, "date", &self.date);
        let amount = optional_amount(&mut errors, "amount", &self.amount);
        crate::models::project::limit(
            &mut errors,
            "reason",
            self.reason.trim(),
            crate::domain::input::max::REASON,
        );
        errors.into_result()?;
        Ok(FundingStatusInput {
            status: status.unwrap_or(FundingStatus::Identified),
            date,
            amount,
            reason: Some(self.reason.trim().to_owned()).filter(|r| !r.is_empty()),
        })
    }
}

/// The derogation form: an empty kind clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DerogationForm {
    pub kind: String,
    pub reason: String,
}

impl DerogationForm {
    pub fn validate(&self) -> Result<Option<Derogation>, AppError> {
        let kind = self.kind.trim();
        if kind.is_empty() {
            return Ok(None);
        }
        let mut errors = FieldErrors::new();
        let kind = kind
            .parse::<DerogationKind>()
            .map_err(|e| errors.add("kind", e))
            .ok();
        let reason = self.reason.trim().to_owned();
        if reason.is_empty() {
            errors.add(
                "reason",
                rust_i18n::t!("funding.derogation_reason_required"),
            );
        } else {
            crate::models::project::limit(
                &mut errors,
                "reason",
                &reason,
                crate::domain::input::max::REASON,
            );
        }
        errors.into_result()?;
        Ok(kind.map(|kind| Derogation { kind, reason }))
    }
}

/// The admin's funder form: a new funder, or an existing one (by code) to
/// rename, re-categorise or (de)activate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FunderForm {
    pub code: String,
    pub name: String,
    pub category: String,
    pub active: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunderInput {
    pub code: String,
    pub name: String,
    pub category: FunderCategory,
    pub active: bool,
}

impl FunderForm {
    pub fn validate(&self) -> Result<FunderInput, AppError> {
        let mut errors = FieldErrors::new();
        let code = super::reference::entry_code(&self.code, &mut errors);
        let name = super::reference::entry_label("name", &self.name, &mut errors);
        let category = self
            .category
            .parse::<FunderCategory>()
            .map_err(|e| errors.add("category", e))
            .ok();
        errors.into_result()?;
        Ok(FunderInput {
            code,
            name,
            category: category.unwrap_or(FunderCategory::Public),
            active: checkbox(&self.active),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> FundingLineForm {
        FundingLineForm {
            funder_id: "1".into(),
            programme: " DETR 2027 ".into(),
            amount_requested: "120 000".into(),
            rate: "30".into(),
            eligible_base: "400 000".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_line_is_normalised() {
        let line = form().validate(FundingStatus::Identified).unwrap();
        assert_eq!(line.programme, "DETR 2027");
        assert_eq!(line.basis, "ht");
        assert_eq!(line.amount_requested_cents, Some(120_000_00));
        assert_eq!(line.rate_basis_points, Some(3000));
        assert_eq!(line.amount_paid_cents, 0);
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = FundingLineForm {
            funder_id: "".into(),
            basis: "brut".into(),
            amount_requested: "douze".into(),
            rate: "120".into(),
            application_deadline: "31/02/2027".into(),
            ..Default::default()
        };
        let err = bad.validate(FundingStatus::Identified).unwrap_err();
        for field in [
            "funder_id",
            "basis",
            "amount_requested",
            "rate",
            "application_deadline",
        ] {
            assert!(err.field(field).is_some(), "{field}: {err:?}");
        }
    }

    #[test]
    fn amounts_must_fit_the_status() {
        let mut f = form();
        f.amount_requested = String::new();
        assert!(
            f.validate(FundingStatus::Identified)
                .unwrap_err()
                .field("amount_requested")
                .is_some()
        );
        let mut f = form();
        f.amount_granted = "130 000".into();
        assert!(
            f.validate(FundingStatus::Identified)
                .unwrap_err()
                .field("amount_granted")
                .is_some()
        );
        // A granted line cannot lose its granted amount.
        assert!(
            form()
                .validate(FundingStatus::Granted)
                .unwrap_err()
                .field("amount_granted")
                .is_some()
        );
    }

    #[test]
    fn a_derogation_needs_a_reason() {
        assert_eq!(DerogationForm::default().validate().unwrap(), None);
        let err = DerogationForm {
            kind: "listed_monument".into(),
            reason: " ".into(),
        }
        .validate()
        .unwrap_err();
        assert!(err.field("reason").is_some());
        let ok = DerogationForm {
            kind: "disaster_repair".into(),
            reason: "Crue de juin, arrêté du préfet".into(),
        }
        .validate()
        .unwrap()
        .unwrap();
        assert_eq!(ok.kind, DerogationKind::DisasterRepair);
    }
}

/// What each funder of the catalogue asks for with an application (the
/// admin's page), and the document types to choose from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskedDocuments {
    pub types: Vec<crate::models::Labelled>,
    pub by_funder: Vec<FunderAsks>,
}

/// One funder and the type codes it asks for, in the admin's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunderAsks {
    pub code: String,
    pub name: String,
    pub types: Vec<String>,
}

/// A list of document types as a form of checkboxes sends it
/// (`form[types][i]`); for a funding line, `reset` goes back to its
/// funder's list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AskedDocumentsForm {
    pub types: Vec<String>,
    pub reset: Option<String>,
}
