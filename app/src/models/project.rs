//! Projects as the UI sees them, and the forms that change them.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::input::{DateKind, check_length, max, parse_date};
use crate::domain::{
    Health, HealthStatus, InseeCode, MilestoneKind, OwnerKind, Stage, parse_euros,
};
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
    pub health: HealthStatus,
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
/// The dashboard links each of its numbers to the list with the filter
/// that selects exactly the projects behind it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectFilter {
    pub q: Option<String>,
    pub stage: Option<String>,
    pub health: Option<String>,
    pub officer: Option<i64>,
    /// Projects where this staff member has work assigned: an open
    /// milestone, or a funding line still in progress naming them
    /// responsible.
    pub assignee: Option<i64>,
    pub commune: Option<String>,
    pub epci: Option<String>,
    pub departement: Option<String>,
    pub programme: Option<String>,
    pub theme: Option<String>,
    /// Only projects with an event on or after this day; also the start of
    /// the window of `entered`, `left` and `event`.
    pub since: Option<NaiveDate>,
    /// Only active projects (neither completed nor abandoned).
    pub active: bool,
    /// Projects that entered this stage (since `since`).
    pub entered: Option<String>,
    /// Projects that left this stage (since `since`).
    pub left: Option<String>,
    /// Projects with this kind of event (since `since`): `created`,
    /// `stage_changed`, `granted`, `refused`.
    pub event: Option<String>,
    /// Projects needing attention for this reason (`AttentionKind`).
    pub attention: Option<String>,
    /// Projects with a funding line from this funder.
    pub funder: Option<i64>,
    /// Projects with a deadline within this many days from today.
    pub due_within: Option<i64>,
    /// Projects with an application (to file, or filed) missing a document
    /// its funder asks for (`pieces=manquantes`).
    pub missing_documents: bool,
    /// `title`, `recent` (default), `stage`, `cost`.
    pub sort: Option<String>,
    pub page: Option<u64>,
}

impl ProjectFilter {
    fn check(&self) -> crate::domain::input::FilterCheck {
        let mut check = crate::domain::input::FilterCheck::default();
        for (field, value) in [
            ("stage", &self.stage),
            ("health", &self.health),
            ("commune", &self.commune),
            ("epci", &self.epci),
            ("departement", &self.departement),
            ("programme", &self.programme),
            ("theme", &self.theme),
            ("entered", &self.entered),
            ("left", &self.left),
            ("event", &self.event),
            ("attention", &self.attention),
            ("sort", &self.sort),
        ] {
            check.code(field, value);
        }
        check.date("since", self.since);
        check.page("page", self.page);
        check.window("due_within", self.due_within);
        check
    }

    /// The filter as the server uses it: out-of-range values refused on
    /// their field, the search cut to its maximum length.
    pub fn validated(&self) -> Result<Self, AppError> {
        self.check().errors.into_result()?;
        Ok(ProjectFilter {
            q: self.q.as_deref().map(crate::domain::input::search_text),
            ..self.clone()
        })
    }

    /// The filter from URL parameters (French names); bad values are
    /// ignored, as a hand-edited URL should not break the page.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let mut filter = Self::from_params_as_typed(get);
        let check = filter.check();
        let drop = |field: &str, value: &mut Option<String>| {
            if check.refused(field) {
                *value = None;
            }
        };
        drop("stage", &mut filter.stage);
        drop("health", &mut filter.health);
        drop("commune", &mut filter.commune);
        drop("epci", &mut filter.epci);
        drop("departement", &mut filter.departement);
        drop("programme", &mut filter.programme);
        drop("theme", &mut filter.theme);
        drop("entered", &mut filter.entered);
        drop("left", &mut filter.left);
        drop("event", &mut filter.event);
        drop("attention", &mut filter.attention);
        drop("sort", &mut filter.sort);
        if check.refused("since") {
            filter.since = None;
        }
        if check.refused("page") {
            filter.page = None;
        }
        if check.refused("due_within") {
            filter.due_within = None;
        }
        filter.q = filter.q.as_deref().map(crate::domain::input::search_text);
        filter
    }

    fn from_params_as_typed(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |k: &str| crate::domain::input::url_value(get(k));
        ProjectFilter {
            q: text("q"),
            stage: text("etape"),
            health: text("sante"),
            officer: text("charge").and_then(|v| v.parse().ok()),
            assignee: text("attribue").and_then(|v| v.parse().ok()),
            commune: text("commune"),
            epci: text("epci"),
            departement: text("departement"),
            programme: text("programme"),
            theme: text("theme"),
            since: text("depuis").and_then(|v| v.parse().ok()),
            active: text("actifs").is_some_and(|v| v == "1"),
            entered: text("entre"),
            left: text("sorti"),
            event: text("evenement"),
            attention: text("vigilance"),
            funder: text("financeur").and_then(|v| v.parse().ok()),
            due_within: text("echeance").and_then(|v| v.parse().ok()),
            missing_documents: text("pieces").is_some_and(|v| v == "manquantes"),
            sort: text("tri"),
            page: text("page").and_then(|v| v.parse().ok()),
        }
    }

    /// The URL parameters of this filter (the inverse of `from_params`).
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut pairs: Vec<(&'static str, String)> = Vec::new();
        let mut push = |k: &'static str, v: Option<String>| {
            if let Some(v) = v {
                pairs.push((k, v));
            }
        };
        push("q", self.q.clone());
        push("etape", self.stage.clone());
        push("sante", self.health.clone());
        push("charge", self.officer.map(|v| v.to_string()));
        push("attribue", self.assignee.map(|v| v.to_string()));
        push("commune", self.commune.clone());
        push("epci", self.epci.clone());
        push("departement", self.departement.clone());
        push("programme", self.programme.clone());
        push("theme", self.theme.clone());
        push("depuis", self.since.map(|d| d.to_string()));
        push("actifs", self.active.then(|| "1".to_owned()));
        push("entre", self.entered.clone());
        push("sorti", self.left.clone());
        push("evenement", self.event.clone());
        push("vigilance", self.attention.clone());
        push("financeur", self.funder.map(|v| v.to_string()));
        push("echeance", self.due_within.map(|v| v.to_string()));
        push(
            "pieces",
            self.missing_documents.then(|| "manquantes".to_owned()),
        );
        push("tri", self.sort.clone());
        push("page", self.page.map(|v| v.to_string()));
        pairs
    }

    /// `/projets?…`: the list showing exactly this filter.
    pub fn href(&self) -> String {
        let query = crate::models::query_string(&self.params());
        if query.is_empty() {
            "/projets".to_owned()
        } else {
            format!("/projets?{query}")
        }
    }
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
    /// The staff member chosen; `None`: the project's lead officer.
    pub assignee_id: Option<i64>,
    /// Who answers for it: the one chosen, else the lead officer (if any).
    pub assignee: Option<String>,
    /// The name of the one chosen, even if no longer in the team (the
    /// edit form offers them, marked so).
    pub assignee_name: Option<String>,
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
    pub kind: crate::domain::EventKind,
    pub data: serde_json::Value,
}

/// Which of the project page's lists to show whole (« voir tout »); by
/// default each shows its first rows (`LIST_LIMITS`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct ShowAll {
    pub milestones: bool,
    pub notes: bool,
    pub events: bool,
    /// Only the milestones this staff member answers for (`?jalons_de=`):
    /// assigned to them, or to no one still in the team on a project they
    /// lead.
    pub milestones_of: Option<i64>,
}

/// How many rows of each list the project page shows before « voir tout »:
/// the open milestones by due date, the latest done ones, the latest
/// notes and the latest events. A page stays small whatever the project's
/// history (a project with 1 269 milestones and 1 284 events made a 4 MB page).
pub mod list_limits {
    pub const OPEN_MILESTONES: u64 = 100;
    pub const DONE_MILESTONES: u64 = 10;
    pub const NOTES: u64 = 20;
    pub const EVENTS: u64 = 50;
}

/// For each list shown in part, the number of rows it has in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiddenRows {
    pub milestones: Option<u64>,
    pub notes: Option<u64>,
    pub events: Option<u64>,
}

/// The first `limit` of `rows` (fetched with one more than the limit) and
/// whether some were left out; `None` shows them all.
pub fn take_first<T>(mut rows: Vec<T>, limit: Option<u64>) -> (Vec<T>, bool) {
    match limit.and_then(|l| usize::try_from(l).ok()) {
        Some(limit) if rows.len() > limit => {
            rows.truncate(limit);
            (rows, true)
        }
        _ => (rows, false),
    }
}

/// What the project page shows, read in one call: the project, its
/// funding plan, its partners and, for a role that may share, its shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectSections {
    pub project: ProjectDetail,
    pub plan: crate::models::FundingPlan,
    pub partners: crate::models::ProjectPartners,
    pub shares: Option<crate::models::ProjectShares>,
    /// The active staff a milestone can be assigned to, by name.
    pub assignable: Vec<crate::models::Labelled>,
    /// The project's documents.
    pub documents: crate::models::ProjectDocuments,
}

/// The project itself, as its page and its sheet show it.
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
    /// The full count of each list the page shows only part of.
    pub more: HiddenRows,
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

pub const TITLE_MAX: usize = max::TITLE;
pub const REFERENCE_MAX: usize = max::REFERENCE;
/// Communes one project may name (a département has at most ~800).
pub const COMMUNES_MAX: usize = 1_000;
/// Themes or programmes one project may name.
pub const CODES_MAX: usize = 100;

/// A planning date as typed (1990–2100), or none when blank.
pub(crate) fn optional_date(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
) -> Option<NaiveDate> {
    optional_date_of(errors, field, value, DateKind::Planning)
}

/// A date of the given kind as typed, or none when blank.
pub(crate) fn optional_date_of(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    kind: DateKind,
) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    parse_date(value, kind)
        .map_err(|message| errors.add(field, message))
        .ok()
}

/// Records a too-long text on its field.
pub(crate) fn limit(errors: &mut FieldErrors, field: &str, value: &str, max: usize) {
    if let Err(message) = check_length(value, max) {
        errors.add(field, message);
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
        if self.communes.len() > COMMUNES_MAX {
            errors.add(
                "communes",
                rust_i18n::t!("project.too_many_communes", max = COMMUNES_MAX),
            );
        }
        for code in dedup(&self.communes).into_iter().take(COMMUNES_MAX) {
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
        limit(&mut errors, "summary", self.summary.trim(), max::SUMMARY);
        limit(
            &mut errors,
            "description",
            self.description.trim(),
            max::DESCRIPTION,
        );
        for (field, codes) in [("themes", &self.themes), ("programmes", &self.programmes)] {
            if codes.len() > CODES_MAX || codes.iter().any(|c| c.chars().count() > max::CODE) {
                errors.add(field, rust_i18n::t!("project.unknown_code"));
            }
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
        limit(&mut errors, "reason", self.reason.trim(), max::REASON);
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

/// The « Responsable » choice that means the project's lead officer.
pub const ASSIGNEE_LEAD: &str = "lead";

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
    /// A staff member's id; `lead` (`ASSIGNEE_LEAD`): the project's lead
    /// officer; absent or empty (a client that does not know the field; the
    /// form decoder reads an empty value as absent): unchanged on an edit,
    /// the lead officer on an add.
    pub assignee: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneInput {
    pub kind: MilestoneKind,
    pub title: String,
    pub due_date: NaiveDate,
    pub done_date: Option<NaiveDate>,
    pub note: String,
    pub shareable: bool,
    /// `Some(None)`: the project's lead officer answers for it; `None`: not
    /// in the form (kept on an edit, the lead officer on an add).
    pub assignee_id: Option<Option<i64>>,
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
        limit(&mut errors, "note", self.note.trim(), max::NOTE);
        let assignee_id =
            crate::models::person_choice(&mut errors, "assignee", self.assignee.as_deref());
        match (kind, due_date) {
            (Some(kind), Some(due_date)) if errors.is_empty() => Ok(MilestoneInput {
                kind,
                title,
                due_date,
                done_date,
                note: self.note.trim().to_owned(),
                shareable: crate::models::checkbox(&self.shareable),
                assignee_id,
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

pub const NOTE_MAX: usize = max::NOTE;

/// Everything the officer's home shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerHome {
    /// Whose work this is, when not the reader's own (`?pour=`): their id
    /// and name.
    pub person: Option<(i64, String)>,
    /// The active staff, whose work the reader may show instead.
    pub team: Vec<Labelled>,
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

    #[test]
    fn lists_stop_at_their_limit_and_say_so() {
        assert_eq!(take_first(vec![1, 2, 3], Some(2)), (vec![1, 2], true));
        assert_eq!(take_first(vec![1, 2], Some(2)), (vec![1, 2], false));
        assert_eq!(take_first(vec![1, 2, 3], None), (vec![1, 2, 3], false));
        assert_eq!(take_first(Vec::<i32>::new(), Some(0)), (vec![], false));
    }

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
        assert_eq!(ok.assignee_id, None);
    }

    #[test]
    fn milestone_assignee_is_an_id_or_nobody() {
        let form = |assignee: &str| MilestoneForm {
            kind: "steering_committee".into(),
            title: "COPIL".into(),
            due_date: "2026-12-10".into(),
            assignee: Some(assignee.into()),
            ..Default::default()
        };
        assert_eq!(form(" 12 ").validate().unwrap().assignee_id, Some(Some(12)));
        assert_eq!(form("lead").validate().unwrap().assignee_id, Some(None));
        assert_eq!(form("").validate().unwrap().assignee_id, None);
        let absent = MilestoneForm {
            assignee: None,
            ..form("")
        };
        assert_eq!(absent.validate().unwrap().assignee_id, None);
        for bad in [
            "douze",
            "1; DROP TABLE users",
            "99999999999999999999",
            "<script>",
        ] {
            let err = form(bad).validate().unwrap_err();
            assert!(err.field("assignee").is_some(), "{bad}");
        }
    }
}
