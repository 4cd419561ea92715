//! The deadlines ahead, counted by window and listed.
use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use sea_orm::sea_query::{Alias, Func, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::domain::funding::{DetrDue, FundingStatus};
use crate::domain::rollup::{self};
use crate::error::AppError;
use crate::models::{DEADLINE_WINDOWS, DeadlineItem, DeadlineWindow, LIST_LIMIT, ProjectFilter};
use crate::server::entities::funding::{funder, funding_line};
use crate::server::entities::projects::{milestone, project};
use crate::server::services::project_filter::condition;
use crate::server::services::summaries::Summary;

use super::query::*;

#[derive(FromQueryResult)]
pub(super) struct DayCount {
    pub(super) day: NaiveDate,
    pub(super) n: i64,
}

/// The dated steps of active projects in the next 90 days: counts per
/// window (steps and projects) and the first `LIST_LIMIT` steps.
pub(super) async fn deadlines(
    db: &impl ConnectionTrait,
    active: &ProjectFilter,
    today: NaiveDate,
    summary: Option<&Summary>,
) -> Result<(Vec<DeadlineWindow>, Vec<DeadlineItem>), AppError> {
    let windows = match summary {
        Some(s) => DEADLINE_WINDOWS
            .into_iter()
            .map(|days| DeadlineWindow {
                days,
                items: s.steps_within(days, today),
                projects: s.counter(&rollup::within(days)),
                link: with(active, |f| f.due_within = Some(days)),
            })
            .collect(),
        None => deadline_windows(db, active, today).await?,
    };
    let items = deadline_items(db, active, today).await?;
    Ok((windows, items))
}

/// The live queries behind the deadline windows.
pub(super) async fn deadline_windows(
    db: &impl ConnectionTrait,
    active: &ProjectFilter,
    today: NaiveDate,
) -> Result<Vec<DeadlineWindow>, AppError> {
    let backend = db.get_database_backend();
    let horizon = DEADLINE_WINDOWS.into_iter().max().unwrap_or(90);
    let end = today + Duration::days(horizon);
    let cond = || condition(active, today);

    // Steps per day, from the three sources.
    let mut ms = Query::select();
    ms.expr_as(col("milestones", "due_date"), Alias::new("day"))
        .expr_as(
            Func::cast_as(Func::count(col("milestones", "id")), Alias::new("BIGINT")),
            Alias::new("n"),
        )
        .from(milestone::Entity)
        .and_where(milestone::Column::DoneDate.is_null())
        .and_where(milestone::Column::DueDate.between(today, end))
        .group_by_col((milestone::Entity, milestone::Column::DueDate));
    scoped(&mut ms, "milestones", "project_id", cond());
    let mut apps = Query::select();
    apps.expr_as(
        col("funding_lines", "application_deadline"),
        Alias::new("day"),
    )
    .expr_as(
        Func::cast_as(
            Func::count(col("funding_lines", "id")),
            Alias::new("BIGINT"),
        ),
        Alias::new("n"),
    )
    .from(funding_line::Entity)
    .and_where(funding_line::Column::Status.eq(FundingStatus::Identified))
    .and_where(funding_line::Column::ApplicationDeadline.between(today, end))
    .group_by_col((
        funding_line::Entity,
        funding_line::Column::ApplicationDeadline,
    ));
    scoped(&mut apps, "funding_lines", "project_id", cond());
    let mut detr = Query::select();
    detr.expr_as(col("projects", "detr_due"), Alias::new("day"))
        .expr_as(
            Func::cast_as(Func::count(col("projects", "id")), Alias::new("BIGINT")),
            Alias::new("n"),
        )
        .from(project::Entity)
        .and_where(project::Column::DetrDue.between(today, end))
        .cond_where(cond())
        .group_by_col((project::Entity, project::Column::DetrDue));
    let mut per_day: Vec<DayCount> = Vec::new();
    for q in [&ms, &apps, &detr] {
        per_day.extend(
            DayCount::find_by_statement(backend.build(q))
                .all(db)
                .await?,
        );
    }
    let mut windows = Vec::new();
    for days in DEADLINE_WINDOWS {
        let last = today + Duration::days(days);
        let link = with(active, |f| f.due_within = Some(days));
        windows.push(DeadlineWindow {
            days,
            items: per_day.iter().filter(|d| d.day <= last).map(|d| d.n).sum(),
            projects: count(db, &link, today).await?,
            link,
        });
    }
    Ok(windows)
}

/// The first steps of each source, merged by date.
pub(super) async fn deadline_items(
    db: &impl ConnectionTrait,
    active: &ProjectFilter,
    today: NaiveDate,
) -> Result<Vec<DeadlineItem>, AppError> {
    let horizon = DEADLINE_WINDOWS.into_iter().max().unwrap_or(90);
    let end = today + Duration::days(horizon);
    let cond = || condition(active, today);
    let limit = LIST_LIMIT;
    let mut items: Vec<DeadlineItem> = Vec::new();
    let milestones = milestone::Entity::find()
        .filter(milestone::Column::DoneDate.is_null())
        .filter(milestone::Column::DueDate.between(today, end))
        .filter(in_scope("milestones", "project_id", active, today))
        .order_by_asc(milestone::Column::DueDate)
        .order_by_asc(milestone::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    for m in milestones {
        items.push(DeadlineItem {
            date: m.due_date,
            kind: "milestone".into(),
            label: m.title,
            project_id: m.project_id,
            project_title: String::new(),
        });
    }
    let funders: HashMap<i64, String> = funder::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.id, f.name))
        .collect();
    let lines = funding_line::Entity::find()
        .filter(funding_line::Column::Status.eq(FundingStatus::Identified))
        .filter(funding_line::Column::ApplicationDeadline.between(today, end))
        .filter(in_scope("funding_lines", "project_id", active, today))
        .order_by_asc(funding_line::Column::ApplicationDeadline)
        .order_by_asc(funding_line::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    for l in lines {
        if let Some(date) = l.application_deadline {
            items.push(DeadlineItem {
                date,
                kind: "application".into(),
                label: funders.get(&l.funder_id).cloned().unwrap_or_default(),
                project_id: l.project_id,
                project_title: String::new(),
            });
        }
    }
    let detr_rows = project::Entity::find()
        .filter(project::Column::DetrDue.between(today, end))
        .filter(cond())
        .order_by_asc(project::Column::DetrDue)
        .order_by_asc(project::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    for p in detr_rows {
        if let Some(date) = p.detr_due {
            items.push(DeadlineItem {
                date,
                kind: p.detr_due_kind.map_or("", DetrDue::as_str).to_owned(),
                label: funders
                    .values()
                    .find(|n| n.contains("DETR"))
                    .cloned()
                    .unwrap_or_else(|| "DETR".into()),
                project_id: p.id,
                project_title: p.title,
            });
        }
    }
    items.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then(a.project_id.cmp(&b.project_id))
            .then(a.kind.cmp(&b.kind))
    });
    items.truncate(usize::try_from(limit).unwrap_or(20));
    let names = titles(db, items.iter().map(|i| i.project_id).collect()).await?;
    for i in &mut items {
        if let Some(n) = names.get(&i.project_id) {
            i.project_title = n.clone();
        }
    }
    Ok(items)
}
