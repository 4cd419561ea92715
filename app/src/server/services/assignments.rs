//! Who does what: the staff member a milestone is assigned to, checked on
//! the way in, and the open milestones each person answers for (their
//! home, their calendar feed).
use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};

use crate::domain::Stage;
use crate::error::AppError;
use crate::server::entities::projects::{milestone, project};
use crate::server::entities::user;
use crate::server::services::directory::names::by_keys;

/// The name of the one a milestone is assigned to, who must be an active
/// member of the staff (else a refusal naming the field `assignee`);
/// `None` when no one is chosen (the project's lead officer).
pub async fn check_assignee(
    db: &impl ConnectionTrait,
    assignee_id: Option<i64>,
) -> Result<Option<String>, AppError> {
    check_person(db, assignee_id, "assignee").await
}

/// `check_assignee` for any « Responsable » field (a funding line's
/// `responsible`): the refusal names `field`.
pub async fn check_person(
    db: &impl ConnectionTrait,
    person_id: Option<i64>,
    field: &str,
) -> Result<Option<String>, AppError> {
    let Some(id) = person_id else {
        return Ok(None);
    };
    match user::Entity::find_by_id(id).one(db).await? {
        Some(u) if u.active && u.role.is_staff() => Ok(Some(u.display_name)),
        _ => Err(AppError::validation(
            field,
            rust_i18n::t!("milestone.unknown_assignee"),
        )),
    }
}

/// The active staff, by name: whom a milestone can be assigned to.
pub async fn assignable(
    db: &impl ConnectionTrait,
) -> Result<Vec<crate::models::Labelled>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Role.ne(crate::domain::Role::Partner))
        .order_by_asc(user::Column::DisplayName)
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| crate::models::Labelled {
            code: u.id.to_string(),
            label: u.display_name,
        })
        .collect())
}

/// The open milestones `user_id` answers for on projects still under way:
/// those assigned to them, and on the projects they lead those assigned to
/// no one or to someone no longer active staff
/// (`domain::milestone::answerable`); due by `until` when given;
/// soonest first, each with its project's title.
pub async fn open_milestones_of(
    db: &impl ConnectionTrait,
    user_id: i64,
    until: Option<NaiveDate>,
) -> Result<Vec<(milestone::Model, String)>, AppError> {
    let under_way = project::Entity::find()
        .select_only()
        .column(project::Column::Id)
        .filter(
            project::Column::Stage
                .is_not_in([Stage::Completed.as_str(), Stage::Abandoned.as_str()]),
        )
        .into_query();
    let led = project::Entity::find()
        .select_only()
        .column(project::Column::Id)
        .filter(project::Column::LeadOfficerId.eq(user_id))
        .into_query();
    let active_staff = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Role.ne(crate::domain::Role::Partner))
        .into_query();
    let mut query = milestone::Entity::find()
        .filter(milestone::Column::DoneDate.is_null())
        .filter(milestone::Column::ProjectId.in_subquery(under_way))
        .filter(
            Condition::any()
                .add(milestone::Column::AssigneeId.eq(user_id))
                .add(
                    Condition::all()
                        .add(
                            Condition::any()
                                .add(milestone::Column::AssigneeId.is_null())
                                .add(milestone::Column::AssigneeId.not_in_subquery(active_staff)),
                        )
                        .add(milestone::Column::ProjectId.in_subquery(led)),
                ),
        )
        .order_by_asc(milestone::Column::DueDate)
        .order_by_asc(milestone::Column::Id);
    if let Some(until) = until {
        query = query.filter(milestone::Column::DueDate.lte(until));
    }
    let rows = query.all(db).await?;
    let titles: BTreeMap<i64, String> = by_keys::<project::Entity, _, _>(
        db,
        project::Column::Id,
        rows.iter().map(|m| m.project_id),
        |p| (p.id, p.title),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let title = titles.get(&m.project_id).cloned().unwrap_or_default();
            (m, title)
        })
        .collect())
}
