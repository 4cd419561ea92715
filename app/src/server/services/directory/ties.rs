//! A person's ties to organisations over time: memberships (a job title)
//! and elected mandates (an office). Both are written the same way — the
//! person must still be live, the organisation must exist — and differ
//! only in their own fields, which [`Tie`] names.
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PrimaryKeyTrait, Set,
};

use crate::error::AppError;
use crate::models::{MandateInput, MembershipInput};
use crate::server::db::begin_write;
use crate::server::entities::directory::{mandate, membership};
use crate::server::services::directory::people::{live_person, organisation_exists};

/// One kind of tie: its table, its checked input, how a row is made and
/// rewritten from that input.
pub trait Tie: EntityTrait
where
    <Self::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
{
    type Input: Send;
    type Active: ActiveModelTrait<Entity = Self> + ActiveModelBehavior + Send;

    /// An empty row for `person_id`.
    fn for_person(person_id: i64) -> Self::Active;
    fn organisation_id(input: &Self::Input) -> i64;
    fn person_id(row: &Self::Model) -> i64;
    /// Writes what the input holds into the row.
    fn fill(active: &mut Self::Active, input: Self::Input);
}

impl Tie for membership::Entity {
    type Input = MembershipInput;
    type Active = membership::ActiveModel;

    fn for_person(person_id: i64) -> membership::ActiveModel {
        membership::ActiveModel {
            person_id: Set(person_id),
            ..Default::default()
        }
    }
    fn organisation_id(input: &MembershipInput) -> i64 {
        input.organisation_id
    }
    fn person_id(row: &membership::Model) -> i64 {
        row.person_id
    }
    fn fill(active: &mut membership::ActiveModel, input: MembershipInput) {
        active.organisation_id = Set(input.organisation_id);
        active.job_title = Set(input.job_title);
        active.start_on = Set(input.start_on);
        active.end_on = Set(input.end_on);
    }
}

impl Tie for mandate::Entity {
    type Input = MandateInput;
    type Active = mandate::ActiveModel;

    fn for_person(person_id: i64) -> mandate::ActiveModel {
        mandate::ActiveModel {
            person_id: Set(person_id),
            ..Default::default()
        }
    }
    fn organisation_id(input: &MandateInput) -> i64 {
        input.organisation_id
    }
    fn person_id(row: &mandate::Model) -> i64 {
        row.person_id
    }
    fn fill(active: &mut mandate::ActiveModel, input: MandateInput) {
        active.organisation_id = Set(input.organisation_id);
        active.office = Set(input.office);
        active.start_on = Set(input.start_on);
        active.end_on = Set(input.end_on);
    }
}

/// Adds a tie (`T` is `membership::Entity` or `mandate::Entity`);
/// returns the person's id.
pub async fn add<T>(
    db: &DatabaseConnection,
    person_id: i64,
    input: T::Input,
) -> Result<i64, AppError>
where
    T: Tie,
    <T::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
    T::Model: IntoActiveModel<T::Active>,
{
    let txn = begin_write(db).await?;
    live_person(&*txn, person_id).await?;
    organisation_exists(&*txn, T::organisation_id(&input)).await?;
    let mut active = T::for_person(person_id);
    T::fill(&mut active, input);
    active.insert(&*txn).await?;
    txn.commit().await?;
    Ok(person_id)
}

/// Rewrites a tie (typically to end it); returns the person's id.
pub async fn update<T>(db: &DatabaseConnection, id: i64, input: T::Input) -> Result<i64, AppError>
where
    T: Tie,
    <T::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
    T::Model: IntoActiveModel<T::Active>,
{
    let txn = begin_write(db).await?;
    let row = T::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let person_id = T::person_id(&row);
    live_person(&*txn, person_id).await?;
    organisation_exists(&*txn, T::organisation_id(&input)).await?;
    let mut active = row.into_active_model();
    T::fill(&mut active, input);
    active.update(&*txn).await?;
    txn.commit().await?;
    Ok(person_id)
}

/// Removes a tie entered by mistake (an ended one gets an end date
/// instead); returns the person's id.
pub async fn delete<T>(db: &DatabaseConnection, id: i64) -> Result<i64, AppError>
where
    T: Tie,
    <T::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
{
    let row = T::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let person_id = T::person_id(&row);
    live_person(db, person_id).await?;
    T::delete_by_id(id).exec(db).await?;
    Ok(person_id)
}
