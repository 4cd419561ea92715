//! The portfolio summaries the dashboard reads instead of scanning the
//! portfolio. A project's `ProjectFacts` (its stage, money, links, officer,
//! funders, attention flags) add fixed amounts to summary rows keyed by
//! (scope, group, stage):
//! - the scope is what the dashboard is filtered to: the whole portfolio
//!   (`""`) or one value of one filter dimension (`"programme:pvd"`);
//! - the group is the line of the dashboard the amounts belong to: the
//!   funnel (`""`), a programme, theme, EPCI, officer, funder, or an
//!   attention reason that does not depend on the date.
//!
//! The attention reasons and deadlines that depend on today's date are kept
//! as day counters (`DayKey`) whose sum up to a day (or over a range of
//! days) is the figure on that day: a project with an open milestone due
//! on D is late from D + 1, so it adds 1 to the "late" counter of D + 1;
//! it has a step within N days on every day of [D − N, D], so it adds 1 at
//! the start of each such run of days and −1 after its end. Only active
//! projects add to them.
//!
//! The movements and the digest since a day D count projects by their last
//! event of a kind: a project that last entered stage S on E adds 1 to the
//! counter `entered:S` of E, and the projects that entered S since D are
//! the sum of that counter from D on. Every project adds to these.
//!
//! A write replaces a project's facts; `delta(old, new)` is what the
//! summaries must gain, so they stay equal to the sums over all projects.
//! Pure: no I/O, unit-tested below.
use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::{EventKind, HealthStatus, Stage};
use crate::models::DEADLINE_WINDOWS;

/// A project is stale after this many days without any event.
pub const STALE_DAYS: i64 = 90;
/// DETR dates this close (or past) put a project on the attention list.
pub const DETR_WARNING_DAYS: i64 = 90;

/// Day counters whose running sum up to today is the figure.
pub const LATE: &str = "late";
pub const STALE: &str = "stale";
pub const DETR: &str = "detr";
/// The dated steps of each day (summed over a range of days).
pub const STEPS: &str = "steps";

/// The day counter of "a step within `days` days".
pub fn within(days: i64) -> String {
    format!("within:{days}")
}

/// The event counters of a project's timeline event (`kind`, with the
/// state codes `Change::commit` keeps), as the project list's criteria
/// read them (`project_filter::entered`, `left` and the digest).
pub fn event_counters(kind: EventKind, from: Option<&str>, to: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    match kind {
        EventKind::Created => {
            out.push(tag("event", kind.as_str()));
            if let Some(to) = to {
                out.push(tag("entered", to));
            }
        }
        EventKind::StageChanged => {
            out.push(tag("event", kind.as_str()));
            if let Some(to) = to {
                out.push(tag("entered", to));
                if to == Stage::Abandoned.as_str() {
                    out.push(tag("event", "abandoned"));
                }
            }
            if let Some(from) = from {
                out.push(tag("left", from));
            }
        }
        EventKind::FundingStatusChanged => {
            if let Some(to @ ("granted" | "refused")) = to {
                out.push(tag("event", to));
            }
        }
        _ => {}
    }
    out
}

/// The filter dimensions the summaries are kept for, one value at a time.
pub const DIMENSIONS: [&str; 4] = ["programme", "theme", "epci", "officer"];

/// The date-independent attention reasons counted in the summaries.
pub const FLAGS: [&str; 3] = ["blocked", "paused", "rule_breach"];

/// Amounts added up in one summary row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measures {
    pub projects: i64,
    pub cost: i64,
    pub requested: i64,
    pub pending: i64,
    pub granted: i64,
    pub paid: i64,
    pub to_find: i64,
}

impl Measures {
    fn combine(self, o: Measures, f: impl Fn(i64, i64) -> i64) -> Measures {
        Measures {
            projects: f(self.projects, o.projects),
            cost: f(self.cost, o.cost),
            requested: f(self.requested, o.requested),
            pending: f(self.pending, o.pending),
            granted: f(self.granted, o.granted),
            paid: f(self.paid, o.paid),
            to_find: f(self.to_find, o.to_find),
        }
    }

    pub fn plus(self, o: Measures) -> Measures {
        self.combine(o, i64::saturating_add)
    }

    pub fn minus(self, o: Measures) -> Measures {
        self.combine(o, i64::saturating_sub)
    }

    pub fn is_zero(&self) -> bool {
        *self == Measures::default()
    }
}

/// One funder's figures in one project's plan (`funding::totals` of that
/// funder's lines).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunderFigures {
    pub funder_id: i64,
    pub requested: i64,
    pub pending: i64,
    pub granted: i64,
    pub paid: i64,
}

/// Dated steps counted by day, in date order: a project's size in the
/// summaries grows with its distinct dates, not with its milestones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Steps(Vec<(NaiveDate, i64)>);

impl Steps {
    /// Adds `n` steps on `day`.
    pub fn add(&mut self, day: NaiveDate, n: i64) {
        match self.0.binary_search_by_key(&day, |(d, _)| *d) {
            Ok(i) => self.0[i].1 += n,
            Err(i) => self.0.insert(i, (day, n)),
        }
    }

    /// Each day with its number of steps, in date order.
    pub fn iter(&self) -> impl Iterator<Item = (NaiveDate, i64)> + '_ {
        self.0.iter().copied()
    }

    /// The distinct days, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.0.iter().map(|(d, _)| *d)
    }

    /// Whether a step falls in `[from, to]`.
    pub fn any_within(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.days().any(|d| d >= from && d <= to)
    }
}

impl From<Vec<NaiveDate>> for Steps {
    fn from(days: Vec<NaiveDate>) -> Self {
        let mut steps = Steps::default();
        for d in days {
            steps.add(d, 1);
        }
        steps
    }
}

/// Counted facts (`[[day, n], …]`), or the list of days (repeats kept)
/// that summaries stored before steps were counted.
impl<'de> Deserialize<'de> for Steps {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Counted(Vec<(NaiveDate, i64)>),
            Listed(Vec<NaiveDate>),
        }
        Ok(match Stored::deserialize(d)? {
            Stored::Counted(rows) => {
                let mut steps = Steps::default();
                for (day, n) in rows {
                    steps.add(day, n);
                }
                steps
            }
            Stored::Listed(days) => days.into(),
        })
    }
}

/// What the summaries know of one project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectFacts {
    pub stage: Stage,
    pub health: HealthStatus,
    pub rule_breach: bool,
    pub officer: Option<i64>,
    /// Sorted, without repeats.
    pub programmes: Vec<String>,
    pub themes: Vec<String>,
    pub epcis: Vec<String>,
    /// Cost and plan figures (`projects` is 1).
    pub money: Measures,
    /// One entry per funder with at least one line, by funder id.
    pub funders: Vec<FunderFigures>,
    /// The earliest due date of the open milestones.
    pub first_open_due: Option<NaiveDate>,
    /// The day of the last event.
    pub last_event_on: Option<NaiveDate>,
    pub detr_due: Option<NaiveDate>,
    /// The dated steps: open milestones' due dates, identified funding
    /// lines' application deadlines, the DETR date (repeats counted).
    pub steps: Steps,
    /// The day of the last event of each event counter (`event_counters`).
    pub last_events: BTreeMap<String, NaiveDate>,
}

/// A day counter's key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DayKey {
    pub scope: String,
    pub group: String,
    pub stage: Stage,
    pub day: NaiveDate,
}

/// A summary row's key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SummaryKey {
    pub scope: String,
    pub group: String,
    pub stage: Stage,
}

/// `"dim:value"`, the encoding of scopes and groups.
pub fn tag(dim: &str, value: &str) -> String {
    format!("{dim}:{value}")
}

/// Splits a scope or group into its dimension and value (`""` has none).
pub fn untag(text: &str) -> Option<(&str, &str)> {
    text.split_once(':')
}

impl ProjectFacts {
    /// The dimension values this project has, as tags.
    fn tags(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in &self.programmes {
            out.push(tag("programme", p));
        }
        for t in &self.themes {
            out.push(tag("theme", t));
        }
        for e in &self.epcis {
            out.push(tag("epci", e));
        }
        if let Some(o) = self.officer {
            out.push(tag("officer", &o.to_string()));
        }
        out
    }

    /// The groups this project adds to and the amounts it adds to each.
    fn groups(&self, tags: &[String]) -> Vec<(String, Measures)> {
        let one = Measures {
            projects: 1,
            ..Measures::default()
        };
        let mut groups: Vec<(String, Measures)> = vec![(String::new(), self.money)];
        groups.extend(tags.iter().map(|t| (t.clone(), self.money)));
        for f in &self.funders {
            groups.push((
                tag("funder", &f.funder_id.to_string()),
                Measures {
                    projects: 1,
                    requested: f.requested,
                    pending: f.pending,
                    granted: f.granted,
                    paid: f.paid,
                    ..Measures::default()
                },
            ));
        }
        for flag in FLAGS {
            let set = match flag {
                "rule_breach" => self.rule_breach,
                health => self.health.as_str() == health,
            };
            if set {
                groups.push((tag("attention", flag), one));
            }
        }
        groups
    }

    /// Calls `f(scope, group, amounts)` for each row this project adds to.
    fn each_contribution(&self, mut f: impl FnMut(&str, &str, Measures)) {
        let tags = self.tags();
        let groups = self.groups(&tags);
        for scope in std::iter::once("").chain(tags.iter().map(String::as_str)) {
            for (group, m) in &groups {
                f(scope, group, *m);
            }
        }
    }

    /// The rows this project adds to, with the amounts it adds.
    pub fn contributions(&self) -> Vec<(SummaryKey, Measures)> {
        let mut out = Vec::new();
        self.each_contribution(|scope, group, m| {
            out.push((
                SummaryKey {
                    scope: scope.to_owned(),
                    group: group.to_owned(),
                    stage: self.stage,
                },
                m,
            ));
        });
        out
    }
}

/// `+1` on the first day of each run of days covered by `[d − n, d]` for
/// the dates `d`, `−1` on the day after its end.
fn runs(steps: &Steps, n: i64) -> Vec<(NaiveDate, i64)> {
    let mut out = Vec::new();
    let mut current: Option<(NaiveDate, NaiveDate)> = None;
    for d in steps.days() {
        let (start, end) = (d - Duration::days(n), d);
        current = match current {
            Some((s, e)) if start <= e + Duration::days(1) => Some((s, end.max(e))),
            Some((s, e)) => {
                out.push((s, 1));
                out.push((e + Duration::days(1), -1));
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((s, e)) = current {
        out.push((s, 1));
        out.push((e + Duration::days(1), -1));
    }
    out
}

impl ProjectFacts {
    fn active(&self) -> bool {
        self.stage.is_active()
    }

    /// Calls `f(scope, counter, day, n)` for each day counter this project
    /// adds to: its event counters, and the others when it is active.
    fn each_day(&self, mut f: impl FnMut(&str, &str, NaiveDate, i64)) {
        let tags = self.tags();
        let scopes = || std::iter::once("").chain(tags.iter().map(String::as_str));
        for scope in scopes() {
            for (counter, day) in &self.last_events {
                f(scope, counter, *day, 1);
            }
        }
        if !self.active() {
            return;
        }
        let mut counters: Vec<(String, NaiveDate, i64)> = Vec::new();
        if let Some(d) = self.first_open_due {
            counters.push((LATE.into(), d + Duration::days(1), 1));
        }
        if let Some(d) = self.last_event_on {
            counters.push((STALE.into(), d + Duration::days(STALE_DAYS + 1), 1));
        }
        if let Some(d) = self.detr_due {
            counters.push((DETR.into(), d - Duration::days(DETR_WARNING_DAYS), 1));
        }
        for days in DEADLINE_WINDOWS {
            let name = within(days);
            for (day, n) in runs(&self.steps, days) {
                counters.push((name.clone(), day, n));
            }
        }
        for (d, n) in self.steps.iter() {
            counters.push((STEPS.into(), d, n));
        }
        for scope in scopes() {
            for (counter, day, n) in &counters {
                f(scope, counter, *day, *n);
            }
        }
    }

    /// The day counters this project adds to.
    pub fn day_contributions(&self) -> Vec<(DayKey, i64)> {
        let mut out = Vec::new();
        self.each_day(|scope, group, day, n| {
            out.push((
                DayKey {
                    scope: scope.to_owned(),
                    group: group.to_owned(),
                    stage: self.stage,
                    day,
                },
                n,
            ));
        });
        out
    }
}

impl ProjectFacts {
    /// The counters that hold for this project on `today` by their
    /// definitions — late (an open milestone due before today), stale (no
    /// event for `STALE_DAYS`), DETR near (its date within
    /// `DETR_WARNING_DAYS` or past), a step within each deadline window —
    /// which is what the running sums of its day counters give on that day.
    /// Only active projects have them.
    pub fn counters_on(&self, today: NaiveDate) -> Vec<(String, i64)> {
        if !self.active() {
            return Vec::new();
        }
        let mut out = Vec::new();
        if self.first_open_due.is_some_and(|d| d < today) {
            out.push((LATE.to_owned(), 1));
        }
        if self
            .last_event_on
            .is_some_and(|d| d < today - Duration::days(STALE_DAYS))
        {
            out.push((STALE.to_owned(), 1));
        }
        if self
            .detr_due
            .is_some_and(|d| d <= today + Duration::days(DETR_WARNING_DAYS))
        {
            out.push((DETR.to_owned(), 1));
        }
        for n in DEADLINE_WINDOWS {
            let end = today + Duration::days(n);
            if self.steps.any_within(today, end) {
                out.push((within(n), 1));
            }
        }
        out
    }
}

/// What the summaries gain when a project's facts go from `old` to `new`
/// (`None`: the project is not counted), without the rows that do not
/// change, in key order (the order rows are locked in).
pub fn delta(
    old: Option<&ProjectFacts>,
    new: Option<&ProjectFacts>,
) -> Vec<(SummaryKey, Measures)> {
    let mut out: BTreeMap<SummaryKey, Measures> = BTreeMap::new();
    if let Some(old) = old {
        for (k, m) in old.contributions() {
            let e = out.entry(k).or_default();
            *e = e.minus(m);
        }
    }
    if let Some(new) = new {
        for (k, m) in new.contributions() {
            let e = out.entry(k).or_default();
            *e = e.plus(m);
        }
    }
    out.into_iter().filter(|(_, m)| !m.is_zero()).collect()
}

/// The day counters' delta, as `delta` for the summary rows.
pub fn day_delta(old: Option<&ProjectFacts>, new: Option<&ProjectFacts>) -> Vec<(DayKey, i64)> {
    let mut out: BTreeMap<DayKey, i64> = BTreeMap::new();
    for (facts, sign) in [(old, -1), (new, 1)] {
        for (k, n) in facts
            .map(ProjectFacts::day_contributions)
            .unwrap_or_default()
        {
            *out.entry(k).or_default() += sign * n;
        }
    }
    out.into_iter().filter(|(_, n)| *n != 0).collect()
}

/// Numbers for the strings of keys, so that a rebuild adds millions of
/// contributions up without allocating a key for each.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(id) = self.ids.get(s) {
            return *id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.ids.insert(s.to_owned(), id);
        self.names.push(s.to_owned());
        id
    }

    fn name(&self, id: u32) -> String {
        self.names[id as usize].clone()
    }
}

/// Adds contributions up by key (a rebuild from every project's facts).
pub fn sum_all<'a>(
    facts: impl IntoIterator<Item = &'a ProjectFacts>,
) -> BTreeMap<SummaryKey, Measures> {
    let mut strings = Interner::default();
    let mut sums: HashMap<(u32, u32, Stage), Measures> = HashMap::new();
    for f in facts {
        let stage = f.stage;
        f.each_contribution(|scope, group, m| {
            let key = (strings.id(scope), strings.id(group), stage);
            let e = sums.entry(key).or_default();
            *e = e.plus(m);
        });
    }
    sums.into_iter()
        .map(|((scope, group, stage), m)| {
            (
                SummaryKey {
                    scope: strings.name(scope),
                    group: strings.name(group),
                    stage,
                },
                m,
            )
        })
        .collect()
}

/// Adds day counters up by key (a rebuild), without the zeros.
pub fn sum_days<'a>(facts: impl IntoIterator<Item = &'a ProjectFacts>) -> BTreeMap<DayKey, i64> {
    let mut strings = Interner::default();
    let mut sums: HashMap<(u32, u32, Stage, NaiveDate), i64> = HashMap::new();
    for f in facts {
        let stage = f.stage;
        f.each_day(|scope, group, day, n| {
            let key = (strings.id(scope), strings.id(group), stage, day);
            *sums.entry(key).or_default() += n;
        });
    }
    sums.into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|((scope, group, stage, day), n)| {
            (
                DayKey {
                    scope: strings.name(scope),
                    group: strings.name(group),
                    stage,
                    day,
                },
                n,
            )
        })
        .collect()
}

/// The whole-portfolio rows (scope `""`) of these projects alone: what a
/// scope holding exactly them would hold, for a combination of filters
/// that no stored scope keeps.
pub fn sum_whole<'a>(
    facts: impl IntoIterator<Item = &'a ProjectFacts>,
) -> BTreeMap<SummaryKey, Measures> {
    let mut strings = Interner::default();
    let mut sums: HashMap<(u32, Stage), Measures> = HashMap::new();
    for f in facts {
        let stage = f.stage;
        f.each_contribution(|scope, group, m| {
            if scope.is_empty() {
                let e = sums.entry((strings.id(group), stage)).or_default();
                *e = e.plus(m);
            }
        });
    }
    sums.into_iter()
        .filter(|(_, m)| !m.is_zero())
        .map(|((group, stage), m)| {
            (
                SummaryKey {
                    scope: String::new(),
                    group: strings.name(group),
                    stage,
                },
                m,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> ProjectFacts {
        ProjectFacts {
            stage: Stage::Study,
            health: HealthStatus::Blocked,
            rule_breach: false,
            officer: Some(7),
            programmes: vec!["pvd".into()],
            themes: vec!["commerce".into(), "habitat".into()],
            epcis: vec!["200066637".into()],
            money: Measures {
                projects: 1,
                cost: 100_000,
                requested: 30_000,
                pending: 30_000,
                granted: 20_000,
                paid: 5_000,
                to_find: 10_000,
            },
            funders: vec![FunderFigures {
                funder_id: 3,
                requested: 30_000,
                pending: 30_000,
                granted: 0,
                paid: 0,
            }],
            first_open_due: None,
            last_event_on: None,
            detr_due: None,
            steps: Steps::default(),
            last_events: BTreeMap::new(),
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// The value of a day counter of the whole portfolio on `today`: the
    /// running sum (or the range sum for steps).
    fn on(facts: &ProjectFacts, group: &str, today: NaiveDate) -> i64 {
        facts
            .day_contributions()
            .iter()
            .filter(|(k, _)| k.scope.is_empty() && k.group == group && k.day <= today)
            .map(|(_, n)| n)
            .sum()
    }

    #[test]
    fn day_counters_match_the_definitions_on_every_day() {
        let mut f = facts();
        f.first_open_due = Some(day("2026-03-10"));
        f.last_event_on = Some(day("2026-01-05"));
        f.detr_due = Some(day("2026-09-30"));
        f.steps = vec![
            day("2026-03-10"),
            day("2026-03-10"),
            day("2026-04-20"),
            day("2026-09-30"),
        ]
        .into();
        let mut today = day("2025-12-01");
        while today < day("2027-01-01") {
            let late = f.first_open_due.is_some_and(|d| d < today);
            assert_eq!(on(&f, LATE, today), i64::from(late), "late {today}");
            let stale = f
                .last_event_on
                .is_some_and(|d| d < today - Duration::days(STALE_DAYS));
            assert_eq!(on(&f, STALE, today), i64::from(stale), "stale {today}");
            let detr = f
                .detr_due
                .is_some_and(|d| d <= today + Duration::days(DETR_WARNING_DAYS));
            assert_eq!(on(&f, DETR, today), i64::from(detr), "detr {today}");
            for n in DEADLINE_WINDOWS {
                let end = today + Duration::days(n);
                let any = f.steps.days().any(|d| d >= today && d <= end);
                assert_eq!(on(&f, &within(n), today), i64::from(any), "{n} {today}");
            }
            // The definitions as code give the same counters.
            let mut names: Vec<String> = vec![LATE.into(), STALE.into(), DETR.into()];
            names.extend(DEADLINE_WINDOWS.into_iter().map(within));
            let direct: BTreeMap<String, i64> = f.counters_on(today).into_iter().collect();
            for name in names {
                let summed = on(&f, &name, today);
                assert_eq!(
                    direct.get(&name).copied().unwrap_or(0),
                    summed,
                    "{name} {today}"
                );
            }
            today += Duration::days(1);
        }
        // Steps are counted with their repeats, on their day.
        let steps: Vec<_> = f
            .day_contributions()
            .into_iter()
            .filter(|(k, _)| k.scope.is_empty() && k.group == STEPS)
            .map(|(k, n)| (k.day, n))
            .collect();
        assert_eq!(
            steps,
            [
                (day("2026-03-10"), 2),
                (day("2026-04-20"), 1),
                (day("2026-09-30"), 1)
            ]
        );
        assert_eq!(steps.iter().map(|(_, n)| n).sum::<i64>(), 4);
    }

    #[test]
    fn steps_are_counted_by_day_and_read_back_from_either_form() {
        let mut steps = Steps::default();
        for d in ["2027-06-30", "2027-01-15", "2027-06-30", "2027-06-30"] {
            steps.add(day(d), 1);
        }
        assert_eq!(
            steps.iter().collect::<Vec<_>>(),
            [(day("2027-01-15"), 1), (day("2027-06-30"), 3)]
        );
        let json = serde_json::to_string(&steps).unwrap();
        assert_eq!(json, r#"[["2027-01-15",1],["2027-06-30",3]]"#);
        assert_eq!(serde_json::from_str::<Steps>(&json).unwrap(), steps);
        // Facts stored before steps were counted: a list with repeats.
        let listed = r#"["2027-06-30","2027-01-15","2027-06-30","2027-06-30"]"#;
        assert_eq!(serde_json::from_str::<Steps>(listed).unwrap(), steps);
        assert!(serde_json::from_str::<Steps>(r#"[["2027-06-30"]]"#).is_err());
    }

    #[test]
    fn event_counters_follow_the_list_criteria() {
        assert_eq!(
            event_counters(EventKind::Created, None, Some("emergence")),
            ["event:created", "entered:emergence"]
        );
        assert_eq!(
            event_counters(EventKind::StageChanged, Some("delivery"), Some("abandoned")),
            [
                "event:stage_changed",
                "entered:abandoned",
                "event:abandoned",
                "left:delivery"
            ]
        );
        assert_eq!(
            event_counters(
                EventKind::FundingStatusChanged,
                Some("requested"),
                Some("granted")
            ),
            ["event:granted"]
        );
        assert!(
            event_counters(EventKind::FundingStatusChanged, None, Some("requested")).is_empty()
        );
        assert!(event_counters(EventKind::NoteAdded, None, None).is_empty());
    }

    #[test]
    fn event_counters_count_since_any_day() {
        let mut f = facts();
        f.stage = Stage::Completed;
        f.last_events
            .insert("entered:completed".into(), day("2026-06-15"));
        // Summed from D on: counted for every D up to the event's day.
        let since = |d: &str| -> i64 {
            f.day_contributions()
                .iter()
                .filter(|(k, _)| k.scope.is_empty() && k.group == "entered:completed")
                .filter(|(k, _)| k.day >= day(d))
                .map(|(_, n)| n)
                .sum()
        };
        assert_eq!(since("2026-01-01"), 1);
        assert_eq!(since("2026-06-15"), 1);
        assert_eq!(since("2026-06-16"), 0);
    }

    #[test]
    fn inactive_projects_have_only_event_counters() {
        let mut f = facts();
        f.stage = Stage::Completed;
        f.first_open_due = Some(day("2026-03-10"));
        f.steps = vec![day("2026-03-10")].into();
        assert!(f.day_contributions().is_empty());
        assert!(f.counters_on(day("2026-06-01")).is_empty());
        let mut g = f.clone();
        g.stage = Stage::Delivery;
        // Reopening adds the counters in every scope.
        assert_eq!(day_delta(Some(&f), Some(&g)).len(), 6 * (1 + 2 * 3 + 1));
    }

    fn get(rows: &[(SummaryKey, Measures)], scope: &str, group: &str) -> Option<Measures> {
        rows.iter()
            .find(|(k, _)| k.scope == scope && k.group == group)
            .map(|(_, m)| *m)
    }

    #[test]
    fn a_project_adds_to_every_scope_it_belongs_to() {
        let rows = facts().contributions();
        // 6 scopes (all, 1 programme, 2 themes, 1 EPCI, 1 officer) × 8
        // groups (funnel, the 5 tags, 1 funder, blocked).
        assert_eq!(rows.len(), 6 * 8);
        assert!(rows.iter().all(|(k, _)| k.stage == Stage::Study));
        assert_eq!(get(&rows, "", "").unwrap().cost, 100_000);
        assert_eq!(
            get(&rows, "theme:habitat", "programme:pvd")
                .unwrap()
                .granted,
            20_000
        );
        let funder = get(&rows, "officer:7", "funder:3").unwrap();
        assert_eq!(
            (funder.projects, funder.requested, funder.cost),
            (1, 30_000, 0)
        );
        assert_eq!(get(&rows, "", "attention:blocked").unwrap().projects, 1);
        assert_eq!(get(&rows, "", "attention:paused"), None);
        assert_eq!(get(&rows, "programme:acv", ""), None);
    }

    #[test]
    fn the_delta_of_a_stage_move_moves_every_row() {
        let old = facts();
        let new = ProjectFacts {
            stage: Stage::Funding,
            ..old.clone()
        };
        let d = delta(Some(&old), Some(&new));
        assert_eq!(d.len(), 2 * 6 * 8);
        let total: i64 = d.iter().map(|(_, m)| m.projects).sum();
        assert_eq!(total, 0);
        assert!(
            d.iter()
                .filter(|(k, _)| k.stage == Stage::Study)
                .all(|(_, m)| m.projects == -1)
        );
    }

    #[test]
    fn the_delta_holds_only_what_changes() {
        let old = facts();
        assert!(delta(Some(&old), Some(&old)).is_empty());
        let mut new = old.clone();
        new.money.granted += 1_000;
        new.funders[0].granted = 1_000;
        let d = delta(Some(&old), Some(&new));
        // Every scope's funnel, programme, theme, EPCI, officer and funder
        // rows change; the attention row does not.
        assert_eq!(d.len(), 6 * 7);
        assert!(d.iter().all(|(_, m)| m.granted == 1_000 && m.projects == 0));
    }

    #[test]
    fn deltas_add_up_to_the_sum_of_the_final_facts() {
        let mut a = facts();
        a.first_open_due = Some(day("2026-02-01"));
        a.steps = vec![day("2026-02-01"), day("2026-05-01")].into();
        let mut b = facts();
        b.themes = vec!["sante".into()];
        b.health = HealthStatus::Paused;
        b.rule_breach = true;
        b.officer = None;
        b.last_event_on = Some(day("2026-01-01"));
        b.steps = vec![day("2026-03-01")].into();
        let mut c = b.clone();
        c.stage = Stage::Delivery;
        c.steps = vec![day("2026-03-01"), day("2026-03-20"), day("2026-12-01")].into();
        c.detr_due = Some(day("2026-12-01"));
        // Create a, create b, move b to c, delete a: the running sum equals
        // the sum of what is left.
        let mut running: BTreeMap<SummaryKey, Measures> = BTreeMap::new();
        for step in [
            delta(None, Some(&a)),
            delta(None, Some(&b)),
            delta(Some(&b), Some(&c)),
            delta(Some(&a), None),
        ] {
            for (k, m) in step {
                let e = running.entry(k).or_default();
                *e = e.plus(m);
            }
        }
        running.retain(|_, m| !m.is_zero());
        assert_eq!(running, sum_all([&c]));
        let mut days: BTreeMap<DayKey, i64> = BTreeMap::new();
        for step in [
            day_delta(None, Some(&a)),
            day_delta(None, Some(&b)),
            day_delta(Some(&b), Some(&c)),
            day_delta(Some(&a), None),
        ] {
            for (k, n) in step {
                *days.entry(k).or_default() += n;
            }
        }
        days.retain(|_, n| *n != 0);
        assert!(!days.is_empty());
        assert_eq!(days, sum_days([&c]));
    }

    #[test]
    fn a_combination_adds_up_like_a_stored_scope() {
        // Three projects: the scope `programme:pvd` of all three holds
        // exactly the whole-portfolio rows of the two in PVD.
        let a = facts();
        let mut b = facts();
        b.stage = Stage::Delivery;
        b.themes = vec!["sante".into()];
        b.health = HealthStatus::OnTrack;
        b.rule_breach = true;
        let mut c = facts();
        c.programmes = vec!["acv".into()];
        c.money.cost = 7;
        let in_scope = |scope: &str| -> BTreeMap<SummaryKey, Measures> {
            sum_all([&a, &b, &c])
                .into_iter()
                .filter(|(k, _)| k.scope == scope)
                .map(|(k, m)| {
                    (
                        SummaryKey {
                            scope: String::new(),
                            ..k
                        },
                        m,
                    )
                })
                .collect()
        };
        let pvd = sum_whole([&a, &b]);
        assert!(pvd.len() > 8);
        assert_eq!(pvd, in_scope("programme:pvd"));
        assert_eq!(sum_whole([&b]), in_scope("theme:sante"));
        assert_eq!(sum_whole([&a, &b, &c]), in_scope(""));
        assert!(sum_whole([]).is_empty());
    }

    #[test]
    fn tags_round_trip() {
        assert_eq!(
            untag(&tag("epci", "200066637")),
            Some(("epci", "200066637"))
        );
        assert_eq!(untag(""), None);
    }
}
