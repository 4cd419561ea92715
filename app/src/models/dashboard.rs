//! The portfolio dashboard: every figure comes with the project-list filter
//! that selects exactly the projects behind it.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::Stage;
use crate::models::ProjectFilter;

/// How far back "since D" looks by default.
pub const DEFAULT_SINCE_DAYS: i64 = 30;
/// The deadline windows, in days.
pub const DEADLINE_WINDOWS: [i64; 3] = [30, 60, 90];
/// How many items each list of the dashboard shows (counts are complete).
pub const LIST_LIMIT: u64 = 20;

/// The dashboard's filters, all in the URL (`/tableau-de-bord?…`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct DashboardFilter {
    pub programme: Option<String>,
    pub theme: Option<String>,
    pub epci: Option<String>,
    pub officer: Option<i64>,
    /// Projects where this staff member has work assigned
    /// (`ProjectFilter::assignee`).
    pub assignee: Option<i64>,
    pub stage: Option<String>,
    /// Start of the "since D" window (movements, digest); by default
    /// `DEFAULT_SINCE_DAYS` before today.
    pub since: Option<NaiveDate>,
}

impl DashboardFilter {
    fn check(&self) -> crate::domain::input::FilterCheck {
        let mut check = crate::domain::input::FilterCheck::default();
        check.code("programme", &self.programme);
        check.code("theme", &self.theme);
        check.code("epci", &self.epci);
        check.code("stage", &self.stage);
        check.date("since", self.since);
        check
    }

    /// Out-of-range values refused on their field (a « depuis » in year 1
    /// would make every export fail).
    pub fn validated(&self) -> Result<Self, crate::error::AppError> {
        self.check().errors.into_result()?;
        Ok(self.clone())
    }

    /// The filter from URL parameters; bad values are ignored.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |k: &str| crate::domain::input::url_value(get(k));
        let mut filter = DashboardFilter {
            programme: text("programme"),
            theme: text("theme"),
            epci: text("epci"),
            officer: text("charge").and_then(|v| v.parse().ok()),
            assignee: text("attribue").and_then(|v| v.parse().ok()),
            stage: text("etape"),
            since: text("depuis").and_then(|v| v.parse().ok()),
        };
        let check = filter.check();
        for (field, value) in [
            ("programme", &mut filter.programme),
            ("theme", &mut filter.theme),
            ("epci", &mut filter.epci),
            ("stage", &mut filter.stage),
        ] {
            if check.refused(field) {
                *value = None;
            }
        }
        if check.refused("since") {
            filter.since = None;
        }
        filter
    }

    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let mut push = |k: &'static str, v: Option<String>| {
            if let Some(v) = v {
                pairs.push((k, v));
            }
        };
        push("programme", self.programme.clone());
        push("theme", self.theme.clone());
        push("epci", self.epci.clone());
        push("charge", self.officer.map(|v| v.to_string()));
        push("attribue", self.assignee.map(|v| v.to_string()));
        push("etape", self.stage.clone());
        push("depuis", self.since.map(|d| d.to_string()));
        pairs
    }

    /// The filter as hidden fields of a form posting it to a server
    /// function's `filter` argument.
    pub fn form_fields(&self) -> Vec<(&'static str, String)> {
        [
            ("filter[programme]", self.programme.clone()),
            ("filter[theme]", self.theme.clone()),
            ("filter[epci]", self.epci.clone()),
            ("filter[officer]", self.officer.map(|o| o.to_string())),
            ("filter[assignee]", self.assignee.map(|o| o.to_string())),
            ("filter[stage]", self.stage.clone()),
            ("filter[since]", self.since.map(|d| d.to_string())),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name, v)))
        .collect()
    }

    /// The query string (without `?`), for the page and its exports.
    pub fn query(&self) -> String {
        crate::models::query_string(&self.params())
    }

    /// The project-list filter selecting the projects the dashboard covers.
    pub fn projects(&self) -> ProjectFilter {
        ProjectFilter {
            programme: self.programme.clone(),
            theme: self.theme.clone(),
            epci: self.epci.clone(),
            officer: self.officer,
            assignee: self.assignee,
            stage: self.stage.clone(),
            ..ProjectFilter::default()
        }
    }

    /// The start of the "since D" window for `today`.
    pub fn since_or_default(&self, today: NaiveDate) -> NaiveDate {
        self.since
            .unwrap_or(today - chrono::Duration::days(DEFAULT_SINCE_DAYS))
    }
}

/// One stage of the funnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelRow {
    pub stage: Stage,
    pub projects: i64,
    pub cost_cents: i64,
    /// Projects that entered / left the stage since D.
    pub entered: i64,
    pub left: i64,
    pub link: ProjectFilter,
    pub entered_link: ProjectFilter,
    pub left_link: ProjectFilter,
}

/// Money of a set of active projects (all, one funder's lines, one
/// programme's projects).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyRow {
    /// The funder id or programme code (empty for the total).
    pub key: String,
    pub label: String,
    pub projects: i64,
    /// Total cost of the projects (not meaningful for a funder: 0).
    pub cost_cents: i64,
    pub requested_cents: i64,
    pub pending_cents: i64,
    pub granted_cents: i64,
    pub paid_cents: i64,
    /// Still to find (not meaningful for a funder: 0).
    pub to_find_cents: i64,
    pub link: ProjectFilter,
}

/// Why a project is on the attention list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttentionKind {
    Blocked,
    Paused,
    LateMilestones,
    Stale,
    RuleBreach,
    DetrLapse,
}

impl AttentionKind {
    pub const ALL: [AttentionKind; 6] = [
        AttentionKind::Blocked,
        AttentionKind::Paused,
        AttentionKind::LateMilestones,
        AttentionKind::Stale,
        AttentionKind::RuleBreach,
        AttentionKind::DetrLapse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttentionKind::Blocked => "blocked",
            AttentionKind::Paused => "paused",
            AttentionKind::LateMilestones => "late_milestones",
            AttentionKind::Stale => "stale",
            AttentionKind::RuleBreach => "rule_breach",
            AttentionKind::DetrLapse => "detr_lapse",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == code)
    }

    pub fn label(self) -> String {
        rust_i18n::t!(format!("dashboard.attention_{}", self.as_str())).into_owned()
    }
}

/// One line of an attention group: the project and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttentionItem {
    pub project_id: i64,
    pub project_title: String,
    /// The reason, milestone title or deadline kind, in French.
    pub detail: String,
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttentionGroup {
    pub kind: AttentionKind,
    /// Projects (the list behind `link` has exactly as many).
    pub projects: i64,
    pub link: ProjectFilter,
    /// The first `LIST_LIMIT` items.
    pub items: Vec<AttentionItem>,
}

/// A deadline window: how many dated steps, on how many projects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineWindow {
    pub days: i64,
    pub items: i64,
    pub projects: i64,
    pub link: ProjectFilter,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineItem {
    pub date: NaiveDate,
    /// `milestone`, `application`, `detr_start`, `detr_completion`.
    pub kind: String,
    /// The milestone or funder, in French.
    pub label: String,
    pub project_id: i64,
    pub project_title: String,
}

/// A breakdown row (theme, EPCI, commune, officer): active projects and their cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakdownRow {
    pub key: String,
    pub label: String,
    pub projects: i64,
    pub cost_cents: i64,
    pub link: ProjectFilter,
}

/// What the digest counts since D (projects, each linked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DigestKind {
    Created,
    StageChanged,
    Granted,
    Refused,
    Abandoned,
}

impl DigestKind {
    pub const ALL: [DigestKind; 5] = [
        DigestKind::Created,
        DigestKind::StageChanged,
        DigestKind::Granted,
        DigestKind::Refused,
        DigestKind::Abandoned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DigestKind::Created => "created",
            DigestKind::StageChanged => "stage_changed",
            DigestKind::Granted => "granted",
            DigestKind::Refused => "refused",
            DigestKind::Abandoned => "abandoned",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == code)
    }

    pub fn label(self) -> String {
        rust_i18n::t!(format!("dashboard.event_{}", self.as_str())).into_owned()
    }

    /// The name of one such change (« Nouveau projet »).
    pub fn item_label(self) -> String {
        rust_i18n::t!(format!("dashboard.item_{}", self.as_str())).into_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestCount {
    pub kind: DigestKind,
    pub projects: i64,
    pub link: ProjectFilter,
}

/// One change of the digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestItem {
    pub at: DateTime<Utc>,
    pub kind: DigestKind,
    pub project_id: i64,
    pub project_title: String,
    /// Stage or funding status codes before and after, when a move.
    pub from: Option<String>,
    pub to: Option<String>,
    pub actor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub filter: DashboardFilter,
    pub as_of: NaiveDate,
    pub since: NaiveDate,
    pub funnel: Vec<FunnelRow>,
    /// Money of the active projects.
    pub money: MoneyRow,
    pub by_funder: Vec<MoneyRow>,
    pub by_programme: Vec<MoneyRow>,
    pub attention: Vec<AttentionGroup>,
    pub deadline_windows: Vec<DeadlineWindow>,
    /// The first `LIST_LIMIT` deadlines of the largest window.
    pub deadlines: Vec<DeadlineItem>,
    /// Active projects with an application (to file, or filed) missing a
    /// document its funder asks for, and the list behind that number.
    pub missing_documents: i64,
    pub missing_documents_link: ProjectFilter,
    pub by_theme: Vec<BreakdownRow>,
    pub by_epci: Vec<BreakdownRow>,
    /// The communes of the EPCI the filter fixes (empty without one).
    pub by_commune: Vec<BreakdownRow>,
    pub by_officer: Vec<BreakdownRow>,
    pub digest_counts: Vec<DigestCount>,
    /// The latest changes since D (at most `DIGEST_LIMIT`).
    pub digest: Vec<DigestItem>,
}

/// How many changes the digest lists.
pub const DIGEST_LIMIT: u64 = 100;

/// Filter choices for the dashboard form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardChoices {
    pub programmes: Vec<crate::models::Labelled>,
    pub themes: Vec<crate::models::Labelled>,
    pub officers: Vec<(i64, String)>,
    pub epcis: Vec<crate::models::Labelled>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_round_trip_through_the_url() {
        let f = DashboardFilter {
            programme: Some("pvd".into()),
            theme: Some("tourisme".into()),
            epci: Some("200066587".into()),
            officer: Some(7),
            assignee: Some(9),
            stage: Some("funding".into()),
            since: "2026-10-01".parse().ok(),
        };
        let pairs = f.params();
        let back = DashboardFilter::from_params(|k| {
            pairs.iter().find(|(p, _)| *p == k).map(|(_, v)| v.clone())
        });
        assert_eq!(back, f);

        let p = ProjectFilter {
            active: true,
            entered: Some("study".into()),
            attention: Some("stale".into()),
            funder: Some(3),
            due_within: Some(60),
            since: "2026-10-01".parse().ok(),
            ..f.projects()
        };
        let pairs = p.params();
        let back = ProjectFilter::from_params(|k| {
            pairs.iter().find(|(q, _)| *q == k).map(|(_, v)| v.clone())
        });
        assert_eq!(back, p);
        let href = p.href();
        assert!(
            href.starts_with("/projets?etape=funding&charge=7&"),
            "{href}"
        );
        assert!(href.contains("&actifs=1&entre=study&"), "{href}");
        assert_eq!(ProjectFilter::default().href(), "/projets");
    }

    #[test]
    fn codes_parse_back() {
        for k in AttentionKind::ALL {
            assert_eq!(AttentionKind::parse(k.as_str()), Some(k));
        }
        for k in DigestKind::ALL {
            assert_eq!(DigestKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(AttentionKind::parse("nope"), None);
    }
}
