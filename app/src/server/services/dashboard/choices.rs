//! The choices of the dashboard's filter form.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::Role;
use crate::error::AppError;
use crate::models::ReferenceList;
use crate::server::entities::user;
use crate::server::services::references;

/// The choices of the dashboard's filter form.
pub async fn choices(
    db: &impl ConnectionTrait,
) -> Result<crate::models::DashboardChoices, AppError> {
    let programmes = references::offered(db, ReferenceList::Programmes).await?;
    let themes = references::offered(db, ReferenceList::Themes).await?;
    let officers = user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Role.ne(Role::Partner))
        .order_by_asc(user::Column::DisplayName)
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let epcis = crate::server::services::territories::territory_epcis(db).await?;
    Ok(crate::models::DashboardChoices {
        programmes,
        themes,
        officers,
        epcis,
    })
}
