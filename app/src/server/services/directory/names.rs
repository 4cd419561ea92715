//! Look-ups shared by the directory's pages and by the other services:
//! names by id, what is current on a day, and the references of projects.
//! They read rows and never assemble a page.
use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::AppError;
use crate::models::{ProjectRef, erased_name};
use crate::server::entities::directory::{mandate, membership, organisation, person};
use crate::server::entities::projects::project;

/// Mandates held on `today`: started, not ended.
pub(crate) fn current_mandate(today: NaiveDate) -> Condition {
    Condition::all()
        .add(mandate::Column::StartOn.lte(today))
        .add(
            Condition::any()
                .add(mandate::Column::EndOn.is_null())
                .add(mandate::Column::EndOn.gte(today)),
        )
}

/// Memberships held on `today` (dates are optional).
pub(crate) fn current_membership(today: NaiveDate) -> Condition {
    Condition::all()
        .add(
            Condition::any()
                .add(membership::Column::StartOn.is_null())
                .add(membership::Column::StartOn.lte(today)),
        )
        .add(
            Condition::any()
                .add(membership::Column::EndOn.is_null())
                .add(membership::Column::EndOn.gte(today)),
        )
}

/// Organisation names by id.
pub(crate) async fn organisation_names(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = i64>,
) -> Result<BTreeMap<i64, String>, AppError> {
    let ids: BTreeSet<i64> = ids.collect();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// Title, stage and health of projects by id.
pub(crate) async fn project_refs(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = i64>,
) -> Result<BTreeMap<i64, ProjectRef>, AppError> {
    let ids: BTreeSet<i64> = ids.collect();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    Ok(project::Entity::find()
        .filter(project::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| {
            (
                p.id,
                ProjectRef {
                    id: p.id,
                    stage: p.stage,
                    health: p.health,
                    title: p.title,
                },
            )
        })
        .collect())
}

/// A person's name as shown, "personne supprimée" once erased.
pub(crate) fn shown_name(p: &person::Model) -> String {
    if p.erased_at.is_some() {
        erased_name()
    } else {
        format!("{} {}", p.first_name, p.last_name)
    }
}

/// People's shown names by id.
pub(crate) async fn person_names(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = i64>,
) -> Result<BTreeMap<i64, String>, AppError> {
    let ids: BTreeSet<i64> = ids.collect();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    Ok(person::Entity::find()
        .filter(person::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, shown_name(&p)))
        .collect())
}

/// For the directory list: each person's organisations and offices today.
pub(crate) async fn current_roles(
    db: &impl ConnectionTrait,
    ids: &[i64],
    today: NaiveDate,
) -> Result<(BTreeMap<i64, Vec<String>>, BTreeMap<i64, Vec<String>>), AppError> {
    if ids.is_empty() {
        return Ok((BTreeMap::new(), BTreeMap::new()));
    }
    let members = membership::Entity::find()
        .filter(membership::Column::PersonId.is_in(ids.to_vec()))
        .filter(current_membership(today))
        .all(db)
        .await?;
    let offices = mandate::Entity::find()
        .filter(mandate::Column::PersonId.is_in(ids.to_vec()))
        .filter(current_mandate(today))
        .order_by_asc(mandate::Column::StartOn)
        .all(db)
        .await?;
    let names = organisation_names(
        db,
        members
            .iter()
            .map(|m| m.organisation_id)
            .chain(offices.iter().map(|m| m.organisation_id)),
    )
    .await?;
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let mut belongs: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for m in members {
        belongs
            .entry(m.person_id)
            .or_default()
            .push(name(m.organisation_id));
    }
    let mut held: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for m in offices {
        let office = m.office.label();
        held.entry(m.person_id)
            .or_default()
            .push(format!("{office} — {}", name(m.organisation_id)));
    }
    Ok((belongs, held))
}
