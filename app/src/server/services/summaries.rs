//! The dashboard's figures from the summaries kept by `rollup`. A filter
//! that fixes at most one dimension (programme, theme, EPCI or officer),
//! with or without a stage, reads its stored scope (`load`: a few hundred
//! rows and three indexed range sums over the day counters, whatever the
//! size of the portfolio). A filter that fixes two or more reads the
//! counted facts of the projects it keeps (`combined`) and adds them up.
use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use sea_orm::sea_query::{Alias, Expr, Func, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::domain::Stage;
use crate::domain::rollup::{
    DETR, LATE, Measures, ProjectFacts, STALE, STEPS, sum_whole, tag, untag, within,
};
use crate::error::AppError;
use crate::models::{DEADLINE_WINDOWS, DashboardFilter, DigestKind, ProjectFilter};
use crate::server::entities::projects::project;
use crate::server::entities::rollup::{dashboard_day, dashboard_total, project_rollup};
use crate::server::services::project_filter::{condition, nonempty};
use crate::server::services::rollup;

/// The dimensions a filter fixes, each with its value as the project list
/// reads it (trimmed; EPCI in capitals), tagged `"dim:value"`.
fn fixed_tags(filter: &DashboardFilter) -> Vec<String> {
    let mut fixed = Vec::new();
    if let Some(p) = nonempty(&filter.programme) {
        fixed.push(tag("programme", p));
    }
    if let Some(t) = nonempty(&filter.theme) {
        fixed.push(tag("theme", t));
    }
    if let Some(e) = nonempty(&filter.epci) {
        fixed.push(tag("epci", &e.to_ascii_uppercase()));
    }
    if let Some(o) = filter.officer {
        fixed.push(tag("officer", &o.to_string()));
    }
    fixed
}

/// The stored summaries' scope of a filter: `""` for none, `"dim:value"`
/// for one dimension, `None` when two or more are fixed (no scope holds
/// that combination; `combined` adds it up from the projects' facts).
pub fn scope_of(filter: &DashboardFilter) -> Option<String> {
    // No stored scope is kept per assignee: the kept projects' facts are
    // added up instead.
    if filter.assignee.is_some() {
        return None;
    }
    let mut fixed = fixed_tags(filter);
    match fixed.len() {
        0 => Some(String::new()),
        1 => fixed.pop(),
        _ => None,
    }
}

/// One scope's summaries on one day.
pub struct Summary {
    /// The dimensions the filter fixes, as `"dim:value"` tags.
    fixed: Vec<String>,
    stage: Option<String>,
    /// (group, stage) → figures.
    rows: HashMap<(String, Stage), Measures>,
    /// Day counters summed up to today, event counters from D on.
    counters: HashMap<String, i64>,
    /// Steps per day, today to the largest window.
    steps: Vec<(NaiveDate, i64)>,
}

/// The stages whose projects the active figures count.
fn counted_stages(stage: Option<&str>) -> Vec<Stage> {
    Stage::ALL
        .into_iter()
        .filter(|s| s.is_active() && stage.is_none_or(|f| f == s.as_str()))
        .collect()
}

/// The last day of the largest deadline window, in days from today.
fn horizon() -> i64 {
    DEADLINE_WINDOWS.into_iter().max().unwrap_or(90)
}

/// The stages a filter keeps (every stage without one).
fn kept_stages(stage: Option<&str>) -> Vec<Stage> {
    Stage::ALL
        .into_iter()
        .filter(|s| stage.is_none_or(|f| f == s.as_str()))
        .collect()
}

/// The event counters the movements and the digest read.
fn event_names() -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in Stage::ALL {
        names.push(tag("entered", s.as_str()));
        names.push(tag("left", s.as_str()));
    }
    names.extend(
        DigestKind::ALL
            .into_iter()
            .map(|k| tag("event", k.as_str())),
    );
    names
}

/// The day counters `names` of one scope, summed over the days `days` and
/// the projects in `stages`, by counter (`Grp`) or by day (`Day`, keyed as
/// `YYYY-MM-DD`): one indexed range query.
async fn sums(
    db: &impl ConnectionTrait,
    by: dashboard_day::Column,
    scope: &str,
    names: Vec<String>,
    days: Expr,
    stages: &[Stage],
) -> Result<HashMap<String, i64>, AppError> {
    let mut q = Query::select();
    q.column(by)
        .expr(Func::cast_as(
            Func::sum(Expr::col((dashboard_day::Entity, dashboard_day::Column::N))),
            Alias::new("BIGINT"),
        ))
        .from(dashboard_day::Entity)
        .and_where(dashboard_day::Column::Scope.eq(scope))
        .and_where(dashboard_day::Column::Grp.is_in(names))
        .and_where(days)
        .and_where(dashboard_day::Column::Stage.is_in(stages.iter().copied()))
        .group_by_col(by);
    let mut out = HashMap::new();
    for row in db.query_all(&q).await? {
        let key: String = match by {
            dashboard_day::Column::Day => row.try_get_by_index::<NaiveDate>(0)?.to_string(),
            _ => row.try_get_by_index(0)?,
        };
        let sum: Option<i64> = row.try_get_by_index(1)?;
        out.insert(key, sum.unwrap_or(0));
    }
    Ok(out)
}

/// The summaries of a filter that fixes at most one dimension, as stored:
/// a few hundred rows of one scope and three indexed range sums over its
/// day counters, whatever the size of the portfolio.
pub async fn load(
    db: &impl ConnectionTrait,
    scope: &str,
    stage: Option<&str>,
    since: NaiveDate,
    today: NaiveDate,
) -> Result<Summary, AppError> {
    let rows = dashboard_total::Entity::find()
        .filter(dashboard_total::Column::Scope.eq(scope))
        .all(db)
        .await?
        .into_iter()
        .map(|r| {
            let m = rollup::measures(&r);
            ((r.grp, r.stage), m)
        })
        .collect();
    let counted = counted_stages(stage);
    let mut names: Vec<String> = vec![LATE.into(), STALE.into(), DETR.into()];
    names.extend(DEADLINE_WINDOWS.into_iter().map(within));
    let mut counters = sums(
        db,
        dashboard_day::Column::Grp,
        scope,
        names,
        dashboard_day::Column::Day.lte(today),
        &counted,
    )
    .await?;
    let steps = sums(
        db,
        dashboard_day::Column::Day,
        scope,
        vec![STEPS.to_owned()],
        dashboard_day::Column::Day.between(today, today + Duration::days(horizon())),
        &counted,
    )
    .await?
    .into_iter()
    .filter_map(|(day, n)| Some((day.parse::<NaiveDate>().ok()?, n)))
    .collect();
    // Event counters from D on, over every stage the filter keeps.
    counters.extend(
        sums(
            db,
            dashboard_day::Column::Grp,
            scope,
            event_names(),
            dashboard_day::Column::Day.gte(since),
            &kept_stages(stage),
        )
        .await?,
    );
    Ok(Summary {
        fixed: if scope.is_empty() {
            Vec::new()
        } else {
            vec![scope.to_owned()]
        },
        stage: stage.map(str::to_owned),
        rows,
        counters,
        steps,
    })
}

/// The summaries of a filter that fixes two dimensions or more, from the
/// counted facts of exactly the projects it keeps (one indexed query): the
/// rows a scope of those projects alone would hold (`sum_whole`), and the
/// counters by their definitions on today (`ProjectFacts::counters_on`,
/// the steps of the next days, the events from D on) — what that scope's
/// day counters would sum to.
pub async fn combined(
    db: &impl ConnectionTrait,
    filter: &DashboardFilter,
    today: NaiveDate,
) -> Result<Summary, AppError> {
    // The stage is applied to the facts below, as in the stored scopes.
    let dims = ProjectFilter {
        stage: None,
        ..filter.projects()
    };
    let facts = project_rollup::Entity::find()
        .filter(
            project_rollup::Column::ProjectId.in_subquery(
                Query::select()
                    .column((project::Entity, project::Column::Id))
                    .from(project::Entity)
                    .cond_where(condition(&dims, today))
                    .to_owned(),
            ),
        )
        .all(db)
        .await?
        .iter()
        .map(|r| {
            crate::server::db::decode_stored::<ProjectFacts>("project_rollups.facts", &r.facts)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let stage = nonempty(&filter.stage);
    let since = filter.since_or_default(today);
    let (counted, kept, events) = (counted_stages(stage), kept_stages(stage), event_names());
    let last = today + Duration::days(horizon());
    let mut counters: HashMap<String, i64> = HashMap::new();
    let mut steps: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for f in &facts {
        if counted.contains(&f.stage) {
            for (name, n) in f.counters_on(today) {
                *counters.entry(name).or_default() += n;
            }
            for (d, n) in f.steps.iter().filter(|(d, _)| *d >= today && *d <= last) {
                *steps.entry(d).or_default() += n;
            }
        }
        if kept.contains(&f.stage) {
            for (name, day) in &f.last_events {
                if *day >= since && events.contains(name) {
                    *counters.entry(name.clone()).or_default() += 1;
                }
            }
        }
    }
    Ok(Summary {
        fixed: fixed_tags(filter),
        stage: stage.map(str::to_owned),
        rows: sum_whole(&facts)
            .into_iter()
            .map(|(k, m)| ((k.group, k.stage), m))
            .collect(),
        counters,
        steps: steps.into_iter().collect(),
    })
}

impl Summary {
    fn counts(&self, stage: Stage) -> bool {
        stage.is_active() && self.stage.as_deref().is_none_or(|f| f == stage.as_str())
    }

    /// The funnel's figures of one stage.
    pub fn stage(&self, stage: Stage) -> Measures {
        self.rows
            .get(&(String::new(), stage))
            .copied()
            .unwrap_or_default()
    }

    /// A group's figures over the active projects.
    pub fn active(&self, group: &str) -> Measures {
        self.rows
            .iter()
            .filter(|((g, s), _)| g == group && self.counts(*s))
            .fold(Measures::default(), |acc, (_, m)| acc.plus(*m))
    }

    /// Every value of a dimension with active projects, and its figures.
    /// When the filter fixes that dimension, only its own value (a
    /// programme filter shows that programme's line, not its neighbours').
    pub fn groups(&self, dim: &str) -> Vec<(String, Measures)> {
        let own = self
            .fixed
            .iter()
            .filter_map(|t| untag(t))
            .find(|(d, _)| *d == dim)
            .map(|(_, v)| v);
        let mut out: HashMap<&str, Measures> = HashMap::new();
        for ((g, s), m) in &self.rows {
            if let Some((d, value)) = untag(g)
                && d == dim
                && own.is_none_or(|o| o == value)
                && self.counts(*s)
            {
                let e = out.entry(value).or_default();
                *e = e.plus(*m);
            }
        }
        out.into_iter()
            .filter(|(_, m)| m.projects > 0)
            .map(|(k, m)| (k.to_owned(), m))
            .collect()
    }

    /// A day counter's value today.
    pub fn counter(&self, name: &str) -> i64 {
        self.counters.get(name).copied().unwrap_or(0)
    }

    /// The steps dated today to `days` days ahead.
    pub fn steps_within(&self, days: i64, today: NaiveDate) -> i64 {
        let last = today + Duration::days(days);
        self.steps
            .iter()
            .filter(|(d, _)| *d <= last)
            .map(|(_, n)| n)
            .sum()
    }
}
