//! Project shares as the UI sees them, the share form, and what a shared
//! page holds (only the sections its share shows).
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::funding::FundingStatus;
use crate::domain::{ShareSections, ShareState, Stage};
use crate::error::{AppError, FieldErrors};
use crate::models::checkbox;
use crate::models::project::optional_date;

pub const SHARE_LABEL_MAX: usize = 120;

/// One share of a project, in the project's "Partage" section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareView {
    pub id: i64,
    /// The partner account, for an account share; `None` for a link.
    pub account: Option<PartnerAccount>,
    pub label: String,
    pub sections: ShareSections,
    pub expires_on: Option<NaiveDate>,
    pub state: ShareState,
    pub use_count: i64,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A partner account one can share with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerAccount {
    pub id: i64,
    pub display_name: String,
    pub email: String,
    pub organisation: Option<String>,
}

/// The "Partage" section of a project page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectShares {
    pub project_id: i64,
    pub shares: Vec<ShareView>,
    /// Active partner accounts, for the form.
    pub partner_accounts: Vec<PartnerAccount>,
    pub as_of: NaiveDate,
}

/// What creating a share answers: for a link, its token, shown once (only
/// its digest is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedShare {
    pub share_id: i64,
    pub token: Option<String>,
    /// The link's whole address (the site's public URL, else the host the
    /// officer reached).
    pub url: Option<String>,
}

/// A share link's path on this site.
pub fn share_path(token: &str) -> String {
    format!("/partage/{token}")
}

/// The share form, as typed. `target` is `account` or `link`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShareForm {
    pub target: String,
    pub user_id: String,
    pub label: String,
    pub expires_on: String,
    pub milestones: Option<String>,
    pub notes: Option<String>,
    pub funding: Option<String>,
    pub partners: Option<String>,
}

/// Who a share is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareTarget {
    Account(i64),
    Link,
}

/// The settings a share carries, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareSettings {
    pub label: String,
    pub expires_on: Option<NaiveDate>,
    pub sections: ShareSections,
}

/// How far ahead a share may run: two years.
pub const SHARE_MAX_DAYS: i64 = 731;

impl ShareForm {
    /// Checks the form for a new share (`today`: the server's day, so an
    /// expiry in the past is refused).
    pub fn validate(&self, today: NaiveDate) -> Result<(ShareTarget, ShareSettings), AppError> {
        let mut errors = FieldErrors::new();
        let target = match self.target.trim() {
            "link" => Some(ShareTarget::Link),
            "account" => match self.user_id.trim().parse::<i64>() {
                Ok(id) if id > 0 => Some(ShareTarget::Account(id)),
                _ => {
                    errors.add("user_id", rust_i18n::t!("share.error.account_required"));
                    None
                }
            },
            _ => {
                errors.add("target", rust_i18n::t!("share.error.target"));
                None
            }
        };
        let settings = self.settings(&mut errors, today, true);
        match (target, settings) {
            (Some(target), Some(settings)) if errors.is_empty() => Ok((target, settings)),
            _ => Err(AppError::Validation(errors)),
        }
    }

    /// Checks the form for a change to an existing share (its target
    /// stays). Whether a past last day may stay is the service's call: it
    /// knows the current one.
    pub fn validate_change(&self, today: NaiveDate) -> Result<ShareSettings, AppError> {
        let mut errors = FieldErrors::new();
        match self.settings(&mut errors, today, false) {
            Some(settings) if errors.is_empty() => Ok(settings),
            _ => Err(AppError::Validation(errors)),
        }
    }

    fn settings(
        &self,
        errors: &mut FieldErrors,
        today: NaiveDate,
        new: bool,
    ) -> Option<ShareSettings> {
        let label = self.label.trim().to_owned();
        if label.chars().count() > SHARE_LABEL_MAX {
            errors.add(
                "label",
                rust_i18n::t!("share.error.label_too_long", max = SHARE_LABEL_MAX),
            );
        }
        let expires_on = optional_date(errors, "expires_on", &self.expires_on);
        if new && expires_on.is_some_and(|d| d < today) {
            errors.add("expires_on", rust_i18n::t!("share.error.expiry_past"));
        } else if expires_on.is_some_and(|d| d > today + chrono::Duration::days(SHARE_MAX_DAYS)) {
            errors.add("expires_on", rust_i18n::t!("input.expiry_too_far"));
        }
        errors.is_empty().then(|| ShareSettings {
            label,
            expires_on,
            sections: ShareSections {
                milestones: checkbox(&self.milestones),
                notes: checkbox(&self.notes),
                funding: checkbox(&self.funding),
                partners: checkbox(&self.partners),
            },
        })
    }
}

/// A project shared with a partner account, on its home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedProjectSummary {
    pub project_id: i64,
    pub title: String,
    pub stage: Stage,
    pub communes: Vec<String>,
    pub shared_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
}

/// A milestone as a shared page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedMilestone {
    /// Not done and past its due date.
    pub late: bool,
    pub title: String,
    pub due_date: NaiveDate,
    pub done_date: Option<NaiveDate>,
}

/// A journal note as a shared page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedNote {
    pub note_date: NaiveDate,
    pub body: String,
}

/// One funder of the plan: its name, where its application stands, and the
/// amount the plan counts on (granted once granted, else requested).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedFunder {
    pub funder_name: String,
    pub status: FundingStatus,
    pub amount_cents: i64,
}

/// The funding summary of a shared page: the plan's own totals (the same
/// figures as the staff plan), of which the page shows
/// `PlanFigure::SHARED`, and the funders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedFunding {
    pub totals: crate::domain::funding::Totals,
    pub funders: Vec<SharedFunder>,
}

/// A partner as a shared page shows it: an organisation and its role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedPartner {
    pub name: String,
    pub role: String,
}

/// The officer to contact about the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerContact {
    pub name: String,
    pub email: String,
}

/// Everything a shared page shows, and nothing more: a section the share
/// does not show is empty here, so its data never reaches the HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedProject {
    /// The structure sharing the project.
    pub structure: String,
    pub title: String,
    pub summary: String,
    pub stage: Stage,
    pub communes: Vec<String>,
    pub owner_name: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub officer: Option<OfficerContact>,
    pub sections: ShareSections,
    pub upcoming: Vec<SharedMilestone>,
    pub past: Vec<SharedMilestone>,
    pub notes: Vec<SharedNote>,
    pub funding: Option<SharedFunding>,
    pub partners: Vec<SharedPartner>,
    pub expires_on: Option<NaiveDate>,
    pub as_of: NaiveDate,
    /// The address of the project's calendar feed, for a link holder when
    /// the share shows milestones or funding.
    pub feed: Option<String>,
    /// The documents the officer marked shared, with this reader's links.
    pub documents: Vec<crate::models::SharedDocument>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).expect("date")
    }

    #[test]
    fn a_link_with_chosen_sections() {
        let form = ShareForm {
            target: "link".into(),
            label: "  Comité de pilotage ".into(),
            expires_on: "31/12/2026".into(),
            milestones: Some("on".into()),
            funding: Some("on".into()),
            ..ShareForm::default()
        };
        let (target, settings) = form.validate(today()).expect("valid");
        assert_eq!(target, ShareTarget::Link);
        assert_eq!(settings.label, "Comité de pilotage");
        assert_eq!(settings.expires_on, NaiveDate::from_ymd_opt(2026, 12, 31));
        assert_eq!(
            settings.sections,
            ShareSections {
                milestones: true,
                notes: false,
                funding: true,
                partners: false
            }
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let form = ShareForm {
            target: "account".into(),
            user_id: "".into(),
            label: "x".repeat(SHARE_LABEL_MAX + 1),
            expires_on: "2026-11-28".into(),
            ..ShareForm::default()
        };
        let err = form.validate(today()).expect_err("invalid");
        assert!(err.field("user_id").is_some());
        assert!(err.field("label").is_some());
        assert_eq!(
            err.field("expires_on").as_deref(),
            Some("Le dernier jour d’accès ne peut pas être déjà passé.")
        );
        let form = ShareForm {
            target: "courriel".into(),
            expires_on: "demain".into(),
            ..ShareForm::default()
        };
        let err = form.validate(today()).expect_err("invalid");
        assert!(err.field("target").is_some());
        assert!(err.field("expires_on").is_some());
    }

    #[test]
    fn today_is_a_valid_last_day() {
        let form = ShareForm {
            target: "account".into(),
            user_id: "7".into(),
            expires_on: "2026-11-29".into(),
            ..ShareForm::default()
        };
        let (target, settings) = form.validate(today()).expect("valid");
        assert_eq!(target, ShareTarget::Account(7));
        assert_eq!(settings.sections, ShareSections::default());
        assert!(form.validate_change(today()).is_ok());
    }
}
