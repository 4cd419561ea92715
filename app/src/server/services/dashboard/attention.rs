//! The « points d'attention »: blocked, paused, late, stale, rule breaches,
//! DETR lapses, each a count and a bounded list.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::domain::funding::DetrDue;
use crate::domain::rollup::{self, tag};
use crate::error::AppError;
use crate::models::{AttentionGroup, AttentionItem, AttentionKind, LIST_LIMIT, ProjectFilter};
use crate::server::entities::projects::{milestone, project};
use crate::server::services::project_filter::condition;
use crate::server::services::summaries::Summary;

use super::query::*;

pub(super) async fn attention(
    db: &impl ConnectionTrait,
    active: &ProjectFilter,
    kind: AttentionKind,
    today: NaiveDate,
    summary: Option<&Summary>,
) -> Result<AttentionGroup, AppError> {
    let link = with(active, |f| f.attention = Some(kind.as_str().to_owned()));
    let projects = match summary {
        Some(s) => match kind {
            AttentionKind::Blocked => s.active(&tag("attention", "blocked")).projects,
            AttentionKind::Paused => s.active(&tag("attention", "paused")).projects,
            AttentionKind::RuleBreach => s.active(&tag("attention", "rule_breach")).projects,
            AttentionKind::LateMilestones => s.counter(rollup::LATE),
            AttentionKind::Stale => s.counter(rollup::STALE),
            AttentionKind::DetrLapse => s.counter(rollup::DETR),
        },
        None => count(db, &link, today).await?,
    };
    let cond = condition(&link, today);
    let find = project::Entity::find()
        .filter(cond.clone())
        .limit(LIST_LIMIT);
    let item = |p: &project::Model, detail: String, date: Option<NaiveDate>| AttentionItem {
        project_id: p.id,
        project_title: p.title.clone(),
        detail,
        date,
    };
    let items = match kind {
        AttentionKind::Blocked | AttentionKind::Paused => find
            .order_by_asc(project::Column::HealthSince)
            .order_by_asc(project::Column::Id)
            .all(db)
            .await?
            .iter()
            .map(|p| {
                item(
                    p,
                    p.health_reason.clone().unwrap_or_default(),
                    p.health_since,
                )
            })
            .collect(),
        AttentionKind::Stale => find
            .order_by_asc(project::Column::LastEventAt)
            .order_by_asc(project::Column::Id)
            .all(db)
            .await?
            .iter()
            .map(|p| {
                item(
                    p,
                    t("dashboard.last_event"),
                    Some(crate::server::clock::local_date(p.last_event_at)),
                )
            })
            .collect(),
        AttentionKind::RuleBreach => find
            .order_by_asc(project::Column::Title)
            .order_by_asc(project::Column::Id)
            .all(db)
            .await?
            .iter()
            .map(|p| item(p, t("dashboard.rule_breach_detail"), None))
            .collect(),
        AttentionKind::DetrLapse => find
            .order_by_asc(project::Column::DetrDue)
            .order_by_asc(project::Column::Id)
            .all(db)
            .await?
            .iter()
            .map(|p| {
                let kind = p.detr_due_kind.map_or("", DetrDue::as_str);
                item(p, t(&format!("dashboard.deadline_{kind}")), p.detr_due)
            })
            .collect(),
        AttentionKind::LateMilestones => {
            let rows = milestone::Entity::find()
                .filter(milestone::Column::DoneDate.is_null())
                .filter(milestone::Column::DueDate.lt(today))
                .filter(in_scope("milestones", "project_id", active, today))
                .order_by_asc(milestone::Column::DueDate)
                .order_by_asc(milestone::Column::Id)
                .limit(LIST_LIMIT)
                .all(db)
                .await?;
            let titles = titles(db, rows.iter().map(|m| m.project_id).collect()).await?;
            rows.into_iter()
                .map(|m| AttentionItem {
                    project_title: titles.get(&m.project_id).cloned().unwrap_or_default(),
                    project_id: m.project_id,
                    detail: m.title,
                    date: Some(m.due_date),
                })
                .collect()
        }
    };
    Ok(AttentionGroup {
        kind,
        projects,
        link,
        items,
    })
}
