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
use crate::server::entities::territory::commune;

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

/// The rows of `E` whose `key` column is one of `keys`, each made into a
/// map entry by `entry`: the one query behind every "names by id" look-up,
/// and none at all when there is no key.
pub(crate) async fn by_keys<E, K, V>(
    db: &impl ConnectionTrait,
    key: E::Column,
    keys: impl IntoIterator<Item = K>,
    entry: impl Fn(E::Model) -> (K, V),
) -> Result<BTreeMap<K, V>, AppError>
where
    E: EntityTrait,
    K: Ord + Into<sea_orm::Value>,
{
    let keys: BTreeSet<K> = keys.into_iter().collect();
    if keys.is_empty() {
        return Ok(BTreeMap::new());
    }
    Ok(E::find()
        .filter(key.is_in(keys))
        .all(db)
        .await?
        .into_iter()
        .map(entry)
        .collect())
}

/// Commune names by INSEE code.
pub(crate) async fn commune_names(
    db: &impl ConnectionTrait,
    codes: impl IntoIterator<Item = String>,
) -> Result<BTreeMap<String, String>, AppError> {
    by_keys::<commune::Entity, _, _>(db, commune::Column::Insee, codes, |c| (c.insee, c.name)).await
}

/// Organisation names by id.
pub(crate) async fn organisation_names(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = i64>,
) -> Result<BTreeMap<i64, String>, AppError> {
    by_keys::<organisation::Entity, _, _>(db, organisation::Column::Id, ids, |o| (o.id, o.name))
        .await
}

/// Title, stage and health of projects by id.
pub(crate) async fn project_refs(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = i64>,
) -> Result<BTreeMap<i64, ProjectRef>, AppError> {
    by_keys::<project::Entity, _, _>(db, project::Column::Id, ids, |p| {
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
    .await
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
    by_keys::<person::Entity, _, _>(db, person::Column::Id, ids, |p| (p.id, shown_name(&p))).await
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
