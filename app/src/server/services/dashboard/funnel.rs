//! The funnel (projects and money by stage) and the movements since D.
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Func, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, FromQueryResult};

use crate::domain::rollup::tag;
use crate::domain::{EventKind, Stage};
use crate::error::AppError;
use crate::models::{FunnelRow, MoneyRow, ProjectFilter};
use crate::server::entities::projects::{event, project};
use crate::server::services::project_filter::{self, condition, day_start};
use crate::server::services::summaries::Summary;

use super::query::*;

/// Funnel (every stage) and the money of active projects.
pub(super) async fn funnel(
    db: &impl ConnectionTrait,
    base: &ProjectFilter,
    since: NaiveDate,
    today: NaiveDate,
    summary: Option<&Summary>,
) -> Result<(Vec<FunnelRow>, MoneyRow), AppError> {
    let rows = match summary {
        Some(s) => Stage::ALL
            .into_iter()
            .map(|stage| {
                let m = s.stage(stage);
                let row = StageRow {
                    stage: stage.as_str().to_owned(),
                    projects: m.projects,
                    cost: Some(m.cost),
                    requested: Some(m.requested),
                    pending: Some(m.pending),
                    granted: Some(m.granted),
                    paid: Some(m.paid),
                    to_find: Some(m.to_find),
                };
                (row.stage.clone(), row)
            })
            .filter(|(_, r)| r.projects > 0)
            .collect(),
        None => stage_rows(db, base, today).await?,
    };
    let (entered, left) = match summary {
        Some(s) => {
            let moves = |dim: &str| -> HashMap<String, i64> {
                Stage::ALL
                    .into_iter()
                    .map(|st| {
                        let code = st.as_str().to_owned();
                        (code.clone(), s.counter(&tag(dim, &code)))
                    })
                    .collect()
            };
            (moves("entered"), moves("left"))
        }
        None => movements(db, base, since, today).await?,
    };
    Ok(funnel_rows(base, since, rows, &entered, &left))
}

/// Projects and figures per stage, by one `GROUP BY` over `projects`.
pub(super) async fn stage_rows(
    db: &impl ConnectionTrait,
    base: &ProjectFilter,
    today: NaiveDate,
) -> Result<HashMap<String, StageRow>, AppError> {
    let backend = db.get_database_backend();
    let mut q = Query::select();
    q.column((project::Entity, project::Column::Stage))
        .expr_as(
            Func::cast_as(Func::count(col("projects", "id")), Alias::new("BIGINT")),
            Alias::new("projects"),
        )
        .from(project::Entity)
        .cond_where(condition(base, today))
        .group_by_col((project::Entity, project::Column::Stage));
    money_columns(&mut q);
    Ok(StageRow::find_by_statement(backend.build(&q))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.stage.clone(), r))
        .collect())
}

/// Movements since D by live queries: distinct projects per stage entered
/// and left.
pub(super) async fn movements(
    db: &impl ConnectionTrait,
    base: &ProjectFilter,
    since: NaiveDate,
    today: NaiveDate,
) -> Result<(HashMap<String, i64>, HashMap<String, i64>), AppError> {
    let backend = db.get_database_backend();
    let moves = |entered: bool| {
        let state = if entered { "state_to" } else { "state_from" };
        let kinds: &[EventKind] = if entered {
            &[EventKind::Created, EventKind::StageChanged]
        } else {
            &[EventKind::StageChanged]
        };
        let mut q = Query::select();
        q.expr_as(col("project_events", state), Alias::new("code"))
            .expr_as(
                count_distinct("project_events", "project_id"),
                Alias::new("n"),
            )
            .from(event::Entity)
            .and_where(event::Column::Kind.is_in(kinds.iter().copied()))
            .and_where(event::Column::At.gte(day_start(since)))
            .group_by_col((event::Entity, Alias::new(state)));
        scoped(
            &mut q,
            "project_events",
            "project_id",
            condition(base, today),
        );
        q
    };
    let counts = |rows: Vec<CodeCount>| -> HashMap<String, i64> {
        rows.into_iter()
            .filter_map(|r| Some((r.code?, r.n)))
            .collect()
    };
    let entered = counts(
        CodeCount::find_by_statement(backend.build(&moves(true)))
            .all(db)
            .await?,
    );
    let left = counts(
        CodeCount::find_by_statement(backend.build(&moves(false)))
            .all(db)
            .await?,
    );
    Ok((entered, left))
}

/// The funnel from the per-stage figures and the movements since D.
pub(super) fn funnel_rows(
    base: &ProjectFilter,
    since: NaiveDate,
    rows: HashMap<String, StageRow>,
    entered: &HashMap<String, i64>,
    left: &HashMap<String, i64>,
) -> (Vec<FunnelRow>, MoneyRow) {
    let mut active = GroupRow {
        code: None,
        projects: 0,
        cost: Some(0),
        requested: Some(0),
        pending: Some(0),
        granted: Some(0),
        paid: Some(0),
        to_find: Some(0),
    };
    let add = |a: Option<i64>, b: Option<i64>| Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0)));
    // When the filter fixes a stage, the funnel is that stage's row (a link
    // cannot select "this stage and another").
    let fixed = project_filter::nonempty(&base.stage);
    let funnel = Stage::ALL
        .into_iter()
        .filter(|s| fixed.is_none_or(|f| f == s.as_str()))
        .map(|stage| {
            let row = rows.get(stage.as_str());
            if let Some(r) = row.filter(|_| stage.is_active()) {
                active.projects += r.projects;
                active.cost = add(active.cost, r.cost);
                active.requested = add(active.requested, r.requested);
                active.pending = add(active.pending, r.pending);
                active.granted = add(active.granted, r.granted);
                active.paid = add(active.paid, r.paid);
                active.to_find = add(active.to_find, r.to_find);
            }
            let code = stage.as_str().to_owned();
            FunnelRow {
                stage,
                projects: row.map_or(0, |r| r.projects),
                cost_cents: row.and_then(|r| r.cost).unwrap_or(0),
                entered: entered.get(stage.as_str()).copied().unwrap_or(0),
                left: left.get(stage.as_str()).copied().unwrap_or(0),
                link: with(base, |f| f.stage = Some(code.clone())),
                entered_link: with(base, |f| {
                    f.entered = Some(code.clone());
                    f.since = Some(since);
                }),
                left_link: with(base, |f| {
                    f.left = Some(code.clone());
                    f.since = Some(since);
                }),
            }
        })
        .collect();
    let money = money_row(
        String::new(),
        t("dashboard.active_total"),
        &active,
        with(base, |f| f.active = true),
    );
    (funnel, money)
}
