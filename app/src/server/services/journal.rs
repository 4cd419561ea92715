//! Milestones and journal notes of a project; each change writes its
//! timeline event in the same transaction.
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, ModelTrait, QuerySelect, Set};
use serde_json::json;

use crate::domain::EventKind;
use crate::domain::MilestoneKind;
use crate::error::AppError;
use crate::models::{CurrentUser, MilestoneInput};
use crate::server::entities::projects::{milestone, note};
use crate::server::services::assignments;
use crate::server::services::change::Change;

/// The plan reads one kind of milestone: the works start (DETR and
/// LEADER deadlines).
fn moves_plan(kind: &MilestoneKind) -> bool {
    *kind == MilestoneKind::WorksStart
}

pub async fn add_milestone(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    project_id: i64,
    input: MilestoneInput,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    change.project_exists(project_id).await?;
    let assignee_id = input.assignee_id.flatten();
    let assignee = assignments::check_assignee(change.txn(), assignee_id).await?;
    let row = milestone::ActiveModel {
        project_id: Set(project_id),
        kind: Set(input.kind),
        title: Set(input.title.clone()),
        due_date: Set(input.due_date),
        done_date: Set(input.done_date),
        note: Set(input.note.clone()),
        shareable: Set(input.shareable),
        assignee_id: Set(assignee_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(change.txn())
    .await?;
    let data = json!({ "milestone_id": row.id, "kind": input.kind, "title": input.title, "due_date": input.due_date, "assignee": assignee });
    change.record(project_id, EventKind::MilestoneAdded, data);
    if input.kind == MilestoneKind::WorksStart {
        change.plan_moved(project_id);
    }
    change.commit().await?;
    Ok(row.id)
}

/// Rewrites a milestone; the event lists the fields that changed, with
/// their values before and after. Returns the project id.
pub async fn update_milestone(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    milestone_id: i64,
    input: MilestoneInput,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    // Locked until the commit (PostgreSQL; SQLite writers take turns): a
    // concurrent change of the same milestone waits, then reads this one's
    // result, so the timeline's « before » is always the true one.
    let row = milestone::Entity::find_by_id(milestone_id)
        .lock_exclusive()
        .one(change.txn())
        .await?
        .ok_or(AppError::NotFound)?;
    let project_id = row.project_id;
    let mut changes = Vec::new();
    let mut diff = |field: &str, before: serde_json::Value, after: serde_json::Value| {
        if before != after {
            changes.push(json!({ "field": field, "before": before, "after": after }));
        }
    };
    diff("kind", json!(row.kind), json!(input.kind.as_str()));
    diff("title", json!(row.title), json!(input.title));
    diff("due_date", json!(row.due_date), json!(input.due_date));
    diff("done_date", json!(row.done_date), json!(input.done_date));
    diff("note", json!(row.note), json!(input.note));
    diff("shareable", json!(row.shareable), json!(input.shareable));
    // Absent from the form: kept.
    let assignee_id = input.assignee_id.unwrap_or(row.assignee_id);
    if row.assignee_id != assignee_id {
        // By name, as the timeline shows it; `null`: the lead officer.
        let after = assignments::check_assignee(change.txn(), assignee_id).await?;
        let before = match row.assignee_id {
            Some(id) => crate::server::services::projects::user_names(change.txn(), vec![id])
                .await?
                .remove(&id),
            None => None,
        };
        changes.push(json!({ "field": "assignee", "before": before, "after": after }));
    }
    if changes.is_empty() {
        return Ok(project_id);
    }
    let data = json!({ "milestone_id": row.id, "title": input.title, "changes": changes });
    let works_start = moves_plan(&row.kind) || input.kind == MilestoneKind::WorksStart;
    let mut active: milestone::ActiveModel = row.into();
    active.kind = Set(input.kind);
    active.title = Set(input.title);
    active.due_date = Set(input.due_date);
    active.done_date = Set(input.done_date);
    active.note = Set(input.note);
    active.shareable = Set(input.shareable);
    active.assignee_id = Set(assignee_id);
    active.updated_at = Set(now);
    active.update(change.txn()).await?;
    change.record(project_id, EventKind::MilestoneUpdated, data);
    if works_start {
        change.plan_moved(project_id);
    }
    change.commit().await?;
    Ok(project_id)
}

/// Deletes a milestone; the event keeps what it was. Returns the project id.
pub async fn delete_milestone(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    milestone_id: i64,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    // Locked until the commit (PostgreSQL; SQLite writers take turns): a
    // concurrent change of the same milestone waits, then reads this one's
    // result, so the timeline's « before » is always the true one.
    let row = milestone::Entity::find_by_id(milestone_id)
        .lock_exclusive()
        .one(change.txn())
        .await?
        .ok_or(AppError::NotFound)?;
    let project_id = row.project_id;
    let data = json!({
        "milestone_id": row.id,
        "kind": row.kind,
        "title": row.title,
        "due_date": row.due_date,
        "done_date": row.done_date,
        "note": row.note,
        "shareable": row.shareable,
    });
    let works_start = moves_plan(&row.kind);
    row.delete(change.txn()).await?;
    crate::server::services::documents::detach(
        change.txn(),
        crate::models::Attachment::Milestone(milestone_id),
    )
    .await?;
    change.record(project_id, EventKind::MilestoneDeleted, data);
    if works_start {
        change.plan_moved(project_id);
    }
    change.commit().await?;
    Ok(project_id)
}

/// Marks a milestone done on `done`, or reopens it with `None`.
pub async fn set_milestone_done(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    milestone_id: i64,
    done: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    // Locked until the commit (PostgreSQL; SQLite writers take turns): a
    // concurrent change of the same milestone waits, then reads this one's
    // result, so the timeline's « before » is always the true one.
    let row = milestone::Entity::find_by_id(milestone_id)
        .lock_exclusive()
        .one(change.txn())
        .await?
        .ok_or(AppError::NotFound)?;
    if row.done_date == done {
        return Ok(row.project_id);
    }
    let project_id = row.project_id;
    let works_start = moves_plan(&row.kind);
    let data = json!({ "milestone_id": row.id, "title": row.title, "before": row.done_date, "after": done });
    let mut active: milestone::ActiveModel = row.into();
    active.done_date = Set(done);
    active.updated_at = Set(now);
    active.update(change.txn()).await?;
    let kind = if done.is_some() {
        EventKind::MilestoneDone
    } else {
        EventKind::MilestoneReopened
    };
    change.record(project_id, kind, data);
    if works_start {
        change.plan_moved(project_id);
    }
    change.commit().await?;
    Ok(project_id)
}

/// A dated journal entry, internal unless `shareable`.
pub async fn add_note(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    project_id: i64,
    body: String,
    note_date: NaiveDate,
    shareable: bool,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    change.project_exists(project_id).await?;
    let excerpt = excerpt(&body);
    let row = note::ActiveModel {
        project_id: Set(project_id),
        author_id: Set(Some(actor.id)),
        note_date: Set(note_date),
        body: Set(body),
        shareable: Set(shareable),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(change.txn())
    .await?;
    let data = json!({ "note_id": row.id, "excerpt": excerpt, "shareable": shareable });
    change.record(project_id, EventKind::NoteAdded, data);
    change.commit().await?;
    Ok(row.id)
}

/// The part of a note its timeline event keeps.
pub(crate) fn excerpt(body: &str) -> String {
    body.chars().take(140).collect()
}
