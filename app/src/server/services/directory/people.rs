//! People of the directory, with their memberships of organisations over
//! time and their elected mandates (written by `ties`).
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set,
};

use crate::domain::directory::is_current;
use crate::error::AppError;
use crate::models::{EntryRef, MandateView, MembershipView, PersonDetail, PersonInput};
use crate::server::entities::directory::{mandate, membership, organisation, person};
use crate::server::phone;
use crate::server::services::directory::names::{organisation_names, person_names};

fn t(key: &str) -> String {
    rust_i18n::t!(key).into_owned()
}

/// Memberships matching `condition`, current ones first, then the most
/// recent.
pub(crate) async fn memberships(
    db: &impl sea_orm::ConnectionTrait,
    condition: impl sea_orm::sea_query::IntoCondition,
    today: NaiveDate,
) -> Result<Vec<MembershipView>, AppError> {
    let rows = membership::Entity::find()
        .filter(condition)
        .order_by_desc(membership::Column::StartOn)
        .order_by_desc(membership::Column::Id)
        .all(db)
        .await?;
    let orgs = organisation_names(db, rows.iter().map(|m| m.organisation_id)).await?;
    let people = person_names(db, rows.iter().map(|m| m.person_id)).await?;
    let mut views: Vec<MembershipView> = rows
        .into_iter()
        .map(|m| MembershipView {
            id: m.id,
            person: EntryRef {
                id: m.person_id,
                name: people.get(&m.person_id).cloned().unwrap_or_default(),
            },
            organisation: EntryRef {
                id: m.organisation_id,
                name: orgs.get(&m.organisation_id).cloned().unwrap_or_default(),
            },
            job_title: m.job_title,
            start_on: m.start_on,
            end_on: m.end_on,
            current: is_current(m.start_on, m.end_on, today),
        })
        .collect();
    views.sort_by_key(|v| !v.current);
    Ok(views)
}

/// Mandates matching `condition`: current ones first, then history, most
/// recent first.
pub(crate) async fn mandates(
    db: &impl sea_orm::ConnectionTrait,
    condition: impl sea_orm::sea_query::IntoCondition,
    today: NaiveDate,
) -> Result<Vec<MandateView>, AppError> {
    let rows = mandate::Entity::find()
        .filter(condition)
        .order_by_desc(mandate::Column::StartOn)
        .order_by_asc(mandate::Column::Id)
        .all(db)
        .await?;
    let orgs = organisation_names(db, rows.iter().map(|m| m.organisation_id)).await?;
    let people = person_names(db, rows.iter().map(|m| m.person_id)).await?;
    let mut views: Vec<MandateView> = rows
        .into_iter()
        .map(|m| MandateView {
            id: m.id,
            person: EntryRef {
                id: m.person_id,
                name: people.get(&m.person_id).cloned().unwrap_or_default(),
            },
            office: m.office,
            organisation: EntryRef {
                id: m.organisation_id,
                name: orgs.get(&m.organisation_id).cloned().unwrap_or_default(),
            },
            start_on: m.start_on,
            end_on: m.end_on,
            current: is_current(Some(m.start_on), m.end_on, today),
        })
        .collect();
    views.sort_by_key(|v| !v.current);
    Ok(views)
}

/// The phone as typed → its canonical form, or the field error.
fn phone_of(input: &PersonInput) -> Result<Option<String>, AppError> {
    phone::normalise(&input.phone).map_err(|message| AppError::validation("phone", message))
}

pub(super) async fn organisation_exists(
    db: &impl sea_orm::ConnectionTrait,
    id: i64,
) -> Result<(), AppError> {
    match organisation::Entity::find_by_id(id).one(db).await? {
        Some(_) => Ok(()),
        None => Err(AppError::validation(
            "organisation_id",
            t("directory.organisation_unknown"),
        )),
    }
}

/// A person who can still be written to (exists, not erased).
pub(super) async fn live_person(
    db: &impl sea_orm::ConnectionTrait,
    id: i64,
) -> Result<person::Model, AppError> {
    let p = person::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if p.erased_at.is_some() {
        return Err(AppError::Conflict(t("directory.person_erased")));
    }
    Ok(p)
}

/// Creates a person, with their organisation when one is given.
pub async fn create_person(
    db: &DatabaseConnection,
    input: PersonInput,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let txn = crate::server::db::begin_write(db).await?;
    let id = create_person_in(&txn, input, now).await?;
    txn.commit().await?;
    Ok(id)
}

/// Creates a person within a write transaction (the form's, or an
/// import's), with the same checks.
pub(crate) async fn create_person_in(
    txn: &DatabaseTransaction,
    input: PersonInput,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let phone = phone_of(&input)?;
    if let Some(org) = input.organisation_id {
        organisation_exists(txn, org).await?;
    }
    let row = person::ActiveModel {
        first_name: Set(input.first_name),
        last_name: Set(input.last_name),
        search_key: Set(input.search_key),
        job_title: Set(input.job_title.clone()),
        email: Set(input.email),
        phone: Set(phone),
        notes: Set(input.notes),
        erased_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    if let Some(org) = input.organisation_id {
        membership::ActiveModel {
            person_id: Set(row.id),
            organisation_id: Set(org),
            job_title: Set(input.job_title),
            start_on: Set(None),
            end_on: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(row.id)
}

/// Makes a person of the directory a member of an organisation, within a
/// write transaction (an import's); the membership's id.
pub(crate) async fn join_in(
    txn: &DatabaseTransaction,
    person_id: i64,
    organisation_id: i64,
    job_title: String,
) -> Result<i64, AppError> {
    live_person(txn, person_id).await?;
    organisation_exists(txn, organisation_id).await?;
    let row = membership::ActiveModel {
        person_id: Set(person_id),
        organisation_id: Set(organisation_id),
        job_title: Set(job_title),
        start_on: Set(None),
        end_on: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(row.id)
}

/// Rewrites a person's record, compare-and-set on its version.
pub async fn update_person(
    db: &DatabaseConnection,
    id: i64,
    version: i32,
    input: PersonInput,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let phone = phone_of(&input)?;
    let txn = crate::server::db::begin_write(db).await?;
    let current = live_person(&*txn, id).await?;
    if current.version != version {
        return Err(AppError::Conflict(t("directory.conflict")));
    }
    let result = person::Entity::update_many()
        .col_expr(person::Column::FirstName, Expr::value(input.first_name))
        .col_expr(person::Column::LastName, Expr::value(input.last_name))
        .col_expr(person::Column::SearchKey, Expr::value(input.search_key))
        .col_expr(person::Column::JobTitle, Expr::value(input.job_title))
        .col_expr(person::Column::Email, Expr::value(input.email))
        .col_expr(person::Column::Phone, Expr::value(phone))
        .col_expr(person::Column::Notes, Expr::value(input.notes))
        .col_expr(person::Column::Version, Expr::value(version + 1))
        .col_expr(person::Column::UpdatedAt, Expr::value(now))
        .filter(person::Column::Id.eq(id))
        .filter(person::Column::Version.eq(version))
        .exec(&*txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(AppError::Conflict(t("directory.conflict")));
    }
    txn.commit().await?;
    Ok(id)
}

/// A person's page.
pub async fn person_detail(
    db: &DatabaseConnection,
    id: i64,
    today: NaiveDate,
) -> Result<PersonDetail, AppError> {
    let p = person::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let memberships = memberships(db, membership::Column::PersonId.eq(id), today).await?;
    let mandates = mandates(db, mandate::Column::PersonId.eq(id), today).await?;
    let projects =
        crate::server::services::directory::partners::involvements_of_person(db, id).await?;
    Ok(PersonDetail {
        id: p.id,
        version: p.version,
        first_name: p.first_name,
        last_name: p.last_name,
        job_title: p.job_title,
        email: p.email,
        phone: p.phone,
        notes: p.notes,
        erased_at: p.erased_at,
        memberships,
        mandates,
        projects,
    })
}
