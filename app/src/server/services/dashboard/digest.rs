//! The digest: what happened since D, counted by kind and listed.
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::domain::EventKind;
use crate::domain::funding::FundingStatus;
use crate::domain::rollup::tag;
use crate::error::AppError;
use crate::models::{DIGEST_LIMIT, DigestCount, DigestItem, DigestKind, ProjectFilter};
use crate::server::entities::projects::event;
use crate::server::entities::user;
use crate::server::services::project_filter::day_start;
use crate::server::services::summaries::Summary;

use super::query::*;

pub(super) async fn digest(
    db: &impl ConnectionTrait,
    base: &ProjectFilter,
    since: NaiveDate,
    today: NaiveDate,
    summary: Option<&Summary>,
) -> Result<(Vec<DigestCount>, Vec<DigestItem>), AppError> {
    let mut counts = Vec::new();
    for kind in DigestKind::ALL {
        let link = with(base, |f| {
            f.event = Some(kind.as_str().to_owned());
            f.since = Some(since);
        });
        let projects = match summary {
            Some(s) => s.counter(&tag("event", kind.as_str())),
            None => count(db, &link, today).await?,
        };
        counts.push(DigestCount {
            kind,
            projects,
            link,
        });
    }
    let decisions = [
        FundingStatus::Granted.as_str(),
        FundingStatus::Refused.as_str(),
    ];
    let rows = event::Entity::find()
        .filter(event::Column::At.gte(day_start(since)))
        .filter(
            Condition::any()
                .add(event::Column::Kind.is_in([EventKind::Created, EventKind::StageChanged]))
                .add(
                    Condition::all()
                        .add(event::Column::Kind.eq(EventKind::FundingStatusChanged))
                        .add(event::Column::StateTo.is_in(decisions)),
                ),
        )
        .filter(in_scope("project_events", "project_id", base, today))
        .order_by_desc(event::Column::At)
        .order_by_desc(event::Column::Id)
        .limit(DIGEST_LIMIT)
        .all(db)
        .await?;
    let names = titles(db, rows.iter().map(|e| e.project_id).collect()).await?;
    let actor_ids: Vec<i64> = rows.iter().filter_map(|e| e.actor_id).collect();
    let actors: HashMap<i64, String> = if actor_ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(actor_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect()
    };
    let items = rows
        .into_iter()
        .map(|e| {
            let kind = match (e.kind, e.state_to.as_deref()) {
                (EventKind::Created, _) => DigestKind::Created,
                (EventKind::StageChanged, Some("abandoned")) => DigestKind::Abandoned,
                (EventKind::StageChanged, _) => DigestKind::StageChanged,
                (_, Some("granted")) => DigestKind::Granted,
                _ => DigestKind::Refused,
            };
            DigestItem {
                at: e.at,
                kind,
                project_title: names.get(&e.project_id).cloned().unwrap_or_default(),
                project_id: e.project_id,
                from: e.state_from,
                to: e.state_to,
                actor: e.actor_id.and_then(|id| actors.get(&id).cloned()),
            }
        })
        .collect();
    Ok((counts, items))
}
