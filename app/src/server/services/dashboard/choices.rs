//! The choices of the dashboard's filter form.

use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::Role;
use crate::error::AppError;
use crate::models::ReferenceList;
use crate::server::entities::projects::project_commune;
use crate::server::entities::territory::{commune, epci};
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
    // The EPCI where projects are, by name.
    let sirens = Query::select()
        .distinct()
        .column(commune::Column::EpciSiren)
        .from(commune::Entity)
        .and_where(
            commune::Column::Insee.in_subquery(
                Query::select()
                    .column(project_commune::Column::Insee)
                    .from(project_commune::Entity)
                    .to_owned(),
            ),
        )
        .to_owned();
    let epcis = epci::Entity::find()
        .filter(epci::Column::Siren.in_subquery(sirens))
        .order_by_asc(epci::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|e| crate::models::Labelled {
            code: e.siren,
            label: e.name,
        })
        .collect();
    Ok(crate::models::DashboardChoices {
        programmes,
        themes,
        officers,
        epcis,
    })
}
