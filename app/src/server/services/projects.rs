//! Projects: creation, edits with optimistic locking, stage and health
//! changes, milestones, journal, and the timeline written in the same
//! transaction as each change.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Set, SqlErr,
};
use serde_json::{Value, json};

use crate::domain::EventKind;
use crate::domain::milestone::MilestoneStatus;
use crate::domain::{Health, OwnerKind, Stage, check_stage_move, milestone_status, search_key};
use crate::error::AppError;
use crate::models::{
    CommuneRef, CurrentUser, EventView, HiddenRows, MilestoneDue, MilestoneView, NoteView,
    OfficerHome, ProjectDetail, ProjectFilter, ProjectInput, ProjectPage, ProjectSections,
    ProjectSummary, ReferenceList, ShowAll, list_limits, take_first,
};
use crate::server::entities::projects::{
    event, milestone, note, project, project_commune, project_programme, project_theme,
};
use crate::server::entities::territory::commune;
use crate::server::entities::user;
use crate::server::services::change::Change;
use crate::server::services::directory::names::{by_keys, commune_names};
use crate::server::services::directory::partners;
use crate::server::services::{funding, project_filter, references, shares};

pub const PER_PAGE: u64 = 25;

fn t(key: &str) -> String {
    rust_i18n::t!(key).into_owned()
}

fn project_search_key(input: &ProjectInput) -> String {
    search_key(&format!(
        "{} {} {}",
        input.title,
        input.summary,
        input.reference.as_deref().unwrap_or_default()
    ))
}

/// Checks that every code the form names exists in the reference tables.
async fn check_references(db: &impl ConnectionTrait, input: &ProjectInput) -> Result<(), AppError> {
    let mut errors = crate::error::FieldErrors::new();
    let codes: Vec<String> = input
        .communes
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    let known: Vec<String> = commune::Entity::find()
        .filter(commune::Column::Insee.is_in(codes.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.insee)
        .collect();
    if let Some(missing) = codes.iter().find(|c| !known.contains(c)) {
        errors.add(
            "communes",
            rust_i18n::t!("project.unknown_commune", code = missing),
        );
    }
    for (list, codes, key) in [
        (ReferenceList::Themes, &input.themes, "themes"),
        (ReferenceList::Programmes, &input.programmes, "programmes"),
    ] {
        let known = references::labels(db, list, codes).await?;
        if let Some(missing) = codes.iter().find(|c| !known.iter().any(|k| &k.code == *c)) {
            let message = match list {
                ReferenceList::Themes => rust_i18n::t!("project.unknown_theme", code = missing),
                ReferenceList::Programmes => {
                    rust_i18n::t!("project.unknown_programme", code = missing)
                }
                ReferenceList::DocumentTypes => rust_i18n::t!("documents.type_unknown"),
            };
            errors.add(key, message);
        }
    }
    if let Some(officer) = input.lead_officer_id {
        let staff = user::Entity::find_by_id(officer)
            .one(db)
            .await?
            .is_some_and(|u| u.active && u.role != crate::domain::Role::Partner);
        if !staff {
            errors.add("lead_officer_id", t("project.unknown_officer"));
        }
    }
    errors.into_result()
}

async fn replace_links(
    txn: &DatabaseTransaction,
    id: i64,
    input: &ProjectInput,
) -> Result<(), AppError> {
    delete_links(txn, id).await?;
    insert_links(txn, id, input).await
}

/// Unlinks a project from its communes, themes and programmes.
pub(crate) async fn delete_links(txn: &DatabaseTransaction, id: i64) -> Result<(), AppError> {
    project_commune::Entity::delete_many()
        .filter(project_commune::Column::ProjectId.eq(id))
        .exec(txn)
        .await?;
    project_theme::Entity::delete_many()
        .filter(project_theme::Column::ProjectId.eq(id))
        .exec(txn)
        .await?;
    project_programme::Entity::delete_many()
        .filter(project_programme::Column::ProjectId.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Links a project to its communes, themes and programmes.
async fn insert_links(
    txn: &DatabaseTransaction,
    id: i64,
    input: &ProjectInput,
) -> Result<(), AppError> {
    if !input.communes.is_empty() {
        project_commune::Entity::insert_many(input.communes.iter().map(|c| {
            project_commune::ActiveModel {
                project_id: Set(id),
                insee: Set(c.as_str().to_owned()),
            }
        }))
        .exec(txn)
        .await?;
    }
    if !input.themes.is_empty() {
        project_theme::Entity::insert_many(input.themes.iter().map(|c| {
            project_theme::ActiveModel {
                project_id: Set(id),
                theme_code: Set(c.clone()),
            }
        }))
        .exec(txn)
        .await?;
    }
    if !input.programmes.is_empty() {
        project_programme::Entity::insert_many(input.programmes.iter().map(|c| {
            project_programme::ActiveModel {
                project_id: Set(id),
                programme_code: Set(c.clone()),
            }
        }))
        .exec(txn)
        .await?;
    }
    Ok(())
}

fn reference_taken(err: &sea_orm::DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

fn map_write_error(err: sea_orm::DbErr) -> AppError {
    if reference_taken(&err) {
        AppError::validation("reference", t("project.reference_taken"))
    } else {
        err.into()
    }
}

/// Creates a project at the `emergence` stage, on track.
pub async fn create(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    input: ProjectInput,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    check_references(db, &input).await?;
    let mut change = Change::begin(db, actor, now).await?;
    let id = create_in(&mut change, actor, &input, Stage::Emergence, None).await?;
    change.commit().await?;
    Ok(id)
}

/// Creates a project within `change`, at `stage`, on track; `origin` is
/// added to its creation event (an import's file and line).
pub(crate) async fn create_in(
    change: &mut Change,
    actor: &CurrentUser,
    input: &ProjectInput,
    stage: Stage,
    origin: Option<Value>,
) -> Result<i64, AppError> {
    let now = change.now();
    let txn = change.txn();
    let row = project::ActiveModel {
        reference: Set(input.reference.clone()),
        title: Set(input.title.clone()),
        summary: Set(input.summary.clone()),
        description: Set(input.description.clone()),
        stage: Set(stage),
        health: Set(crate::domain::HealthStatus::OnTrack),
        health_reason: Set(None),
        health_since: Set(None),
        lead_officer_id: Set(input
            .lead_officer_id
            .or(Some(actor.id).filter(|_| actor.role.is_staff()))),
        estimated_cost_cents: Set(input.estimated_cost_cents),
        start_date: Set(input.start_date),
        end_date: Set(input.end_date),
        owner_name: Set(input.owner_name.clone()),
        owner_kind: Set(input.owner_kind),
        derogation_kind: Set(None),
        derogation_reason: Set(None),
        version: Set(1),
        search_key: Set(project_search_key(input)),
        created_at: Set(now),
        updated_at: Set(now),
        last_event_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(map_write_error)?;
    insert_links(txn, row.id, input).await?;
    let mut data = json!({ "title": row.title, "stage": row.stage });
    if let Some(origin) = origin {
        data["import"] = origin;
    }
    change.record(row.id, EventKind::Created, data);
    change.plan_moved(row.id);
    Ok(row.id)
}

pub(crate) async fn load_for_write(
    txn: &DatabaseTransaction,
    id: i64,
    version: i32,
) -> Result<project::Model, AppError> {
    let row = project::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.version != version {
        return Err(AppError::Conflict(t("project.conflict")));
    }
    Ok(row)
}

async fn codes_of(
    txn: &impl ConnectionTrait,
    id: i64,
) -> Result<(Vec<String>, Vec<String>, Vec<String>), AppError> {
    let communes = project_commune::Entity::find()
        .filter(project_commune::Column::ProjectId.eq(id))
        .all(txn)
        .await?
        .into_iter()
        .map(|r| r.insee)
        .collect();
    let themes = project_theme::Entity::find()
        .filter(project_theme::Column::ProjectId.eq(id))
        .all(txn)
        .await?
        .into_iter()
        .map(|r| r.theme_code)
        .collect();
    let programmes = project_programme::Entity::find()
        .filter(project_programme::Column::ProjectId.eq(id))
        .all(txn)
        .await?
        .into_iter()
        .map(|r| r.programme_code)
        .collect();
    Ok((communes, themes, programmes))
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Saves an edit made on version `version`; a stale version is refused
/// with a conflict and nothing is written.
pub async fn update(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    version: i32,
    input: ProjectInput,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    check_references(db, &input).await?;
    let mut change = Change::begin(db, actor, now).await?;
    if update_in(&mut change, id, version, &input, None).await? {
        change.commit().await?;
    }
    Ok(())
}

/// Saves an edit within `change`; whether anything changed (the version
/// moves only then). `origin` is added to the event (an import's line).
pub(crate) async fn update_in(
    change: &mut Change,
    id: i64,
    version: i32,
    input: &ProjectInput,
    origin: Option<Value>,
) -> Result<bool, AppError> {
    let now = change.now();
    let txn = change.txn();
    let row = load_for_write(txn, id, version).await?;
    let (communes, themes, programmes) = codes_of(txn, id).await?;
    let mut changes = Vec::new();
    let mut diff = |field: &str, before: Value, after: Value| {
        if before != after {
            changes.push(json!({ "field": field, "before": before, "after": after }));
        }
    };
    diff("title", json!(row.title), json!(input.title));
    diff("reference", json!(row.reference), json!(input.reference));
    diff("summary", json!(row.summary), json!(input.summary));
    diff(
        "description",
        json!(row.description),
        json!(input.description),
    );
    diff(
        "lead_officer_id",
        json!(row.lead_officer_id),
        json!(input.lead_officer_id),
    );
    diff(
        "estimated_cost_cents",
        json!(row.estimated_cost_cents),
        json!(input.estimated_cost_cents),
    );
    diff("start_date", json!(row.start_date), json!(input.start_date));
    diff("end_date", json!(row.end_date), json!(input.end_date));
    diff("owner_name", json!(row.owner_name), json!(input.owner_name));
    diff(
        "owner_kind",
        json!(row.owner_kind),
        json!(input.owner_kind.map(OwnerKind::as_str)),
    );
    let new_communes: Vec<String> = input
        .communes
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    diff(
        "communes",
        json!(sorted(communes)),
        json!(sorted(new_communes)),
    );
    diff(
        "themes",
        json!(sorted(themes)),
        json!(sorted(input.themes.clone())),
    );
    diff(
        "programmes",
        json!(sorted(programmes)),
        json!(sorted(input.programmes.clone())),
    );
    if changes.is_empty() {
        return Ok(false);
    }
    change.bump_version(id, version).await?;
    let mut active: project::ActiveModel = row.into();
    active.title = Set(input.title.clone());
    active.reference = Set(input.reference.clone());
    active.summary = Set(input.summary.clone());
    active.description = Set(input.description.clone());
    active.lead_officer_id = Set(input.lead_officer_id);
    active.estimated_cost_cents = Set(input.estimated_cost_cents);
    active.start_date = Set(input.start_date);
    active.end_date = Set(input.end_date);
    active.owner_name = Set(input.owner_name.clone());
    active.owner_kind = Set(input.owner_kind);
    active.search_key = Set(project_search_key(input));
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    active.update(txn).await.map_err(map_write_error)?;
    replace_links(txn, id, input).await?;
    let mut data = json!({ "changes": changes });
    if let Some(origin) = origin {
        data["import"] = origin;
    }
    change.record(id, EventKind::Updated, data);
    change.plan_moved(id);
    Ok(true)
}

/// Moves a project's stage within `change` (its version already moved by
/// the caller), through the one stage rule, `reason` given.
pub(crate) async fn move_stage_in(
    change: &mut Change,
    id: i64,
    from: Stage,
    to: Stage,
    reason: &str,
    origin: Option<Value>,
) -> Result<(), AppError> {
    let kind = check_stage_move(from, to, Some(reason))
        .map_err(|e| AppError::validation(e.field(), e.to_string()))?;
    project::Entity::update_many()
        .col_expr(project::Column::Stage, Expr::value(to))
        .filter(project::Column::Id.eq(id))
        .exec(change.txn())
        .await?;
    let mut data = json!({ "from": from, "to": to, "move": kind, "reason": reason });
    if let Some(origin) = origin {
        data["import"] = origin;
    }
    change.record(id, EventKind::StageChanged, data);
    Ok(())
}

/// Moves a project to another stage through the one stage rule.
pub async fn change_stage(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    version: i32,
    to: Stage,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    let txn = change.txn();
    let row = load_for_write(txn, id, version).await?;
    let from: Stage = row.stage;
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    let kind = check_stage_move(from, to, reason.as_deref())
        .map_err(|e| AppError::validation(e.field(), e.to_string()))?;
    change.bump_version(id, version).await?;
    project::Entity::update_many()
        .col_expr(project::Column::Stage, Expr::value(to))
        .filter(project::Column::Id.eq(id))
        .exec(txn)
        .await?;
    let data = json!({ "from": from, "to": to, "move": kind, "reason": reason });
    change.record(id, EventKind::StageChanged, data);
    change.commit().await?;
    Ok(())
}

/// Sets the health status (with its reason and date when paused or blocked).
pub async fn change_health(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    id: i64,
    version: i32,
    health: Health,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    let txn = change.txn();
    let row = load_for_write(txn, id, version).await?;
    let before =
        json!({ "status": row.health, "reason": row.health_reason, "since": row.health_since });
    let after =
        json!({ "status": health.code(), "reason": health.reason(), "since": health.since() });
    if before == after {
        return Ok(());
    }
    change.bump_version(id, version).await?;
    project::Entity::update_many()
        .col_expr(project::Column::Health, Expr::value(health.status()))
        .col_expr(
            project::Column::HealthReason,
            Expr::value(health.reason().map(str::to_owned)),
        )
        .col_expr(project::Column::HealthSince, Expr::value(health.since()))
        .filter(project::Column::Id.eq(id))
        .exec(txn)
        .await?;
    change.record(
        id,
        EventKind::HealthChanged,
        json!({ "before": before, "after": after }),
    );
    change.commit().await?;
    Ok(())
}

/// Display names of accounts by id, in one query.
pub(crate) async fn user_names(
    db: &impl ConnectionTrait,
    ids: Vec<i64>,
) -> Result<BTreeMap<i64, String>, AppError> {
    by_keys::<user::Entity, _, _>(db, user::Column::Id, ids, |u| (u.id, u.display_name)).await
}

/// The milestones of one project that `person` answers for: assigned to
/// them, or (`leads`: they lead the project) to no one still in the team.
fn milestones_of(person: i64, leads: bool) -> Condition {
    let named = Condition::any().add(milestone::Column::AssigneeId.eq(person));
    if !leads {
        return named;
    }
    named.add(milestone::Column::AssigneeId.is_null()).add(
        milestone::Column::AssigneeId.not_in_subquery(
            user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .filter(user::Column::Active.eq(true))
                .filter(user::Column::Role.ne(crate::domain::Role::Partner))
                .into_query(),
        ),
    )
}

/// The project page's sections, read at once: the project (a missing one
/// is `NotFound`), its plan, its partners and, `with_shares`, its shares.
pub async fn sections(
    db: &impl ConnectionTrait,
    id: i64,
    since: Option<NaiveDate>,
    show_all: ShowAll,
    with_shares: bool,
    today: NaiveDate,
) -> Result<ProjectSections, AppError> {
    let shares = async {
        if with_shares {
            shares::shares_of(db, id, today).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let (project, plan, partners, shares, assignable) = tokio::try_join!(
        detail(db, id, since, show_all, today),
        funding::plan(db, id, today),
        partners::partners_of(db, id),
        shares,
        super::assignments::assignable(db),
    )?;
    Ok(ProjectSections {
        project,
        plan,
        partners,
        shares,
        assignable,
        documents: Default::default(),
    })
}

/// The whole project page; the timeline only from `since` when given;
/// milestone lateness is judged on `today`.
pub async fn detail(
    db: &impl ConnectionTrait,
    id: i64,
    since: Option<NaiveDate>,
    show_all: ShowAll,
    today: NaiveDate,
) -> Result<ProjectDetail, AppError> {
    let row = project::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (codes, theme_codes, programme_codes) = codes_of(db, id).await?;
    let names = commune_names(db, codes.clone()).await?;
    let mut communes: Vec<CommuneRef> = codes
        .into_iter()
        .map(|insee| CommuneRef {
            name: names.get(&insee).cloned().unwrap_or_else(|| insee.clone()),
            insee,
        })
        .collect();
    communes.sort_by(|a, b| a.name.cmp(&b.name));
    let themes = references::labels(db, ReferenceList::Themes, &theme_codes).await?;
    let programmes = references::labels(db, ReferenceList::Programmes, &programme_codes).await?;

    // Each list: its first rows, one more to know whether some are left
    // out, and then only its full count.
    let limit = |all: bool, n: u64| (!all).then_some(n);
    let milestones_limit = |n| limit(show_all.milestones, n);
    let answers = show_all
        .milestones_of
        .map(|person| milestones_of(person, row.lead_officer_id == Some(person)));
    let open = milestone::Entity::find()
        .filter(milestone::Column::ProjectId.eq(id))
        .apply_if(answers.clone(), QueryFilter::filter)
        .filter(milestone::Column::DoneDate.is_null())
        .order_by_asc(milestone::Column::DueDate)
        .order_by_asc(milestone::Column::Id)
        .limit(milestones_limit(list_limits::OPEN_MILESTONES).map(|n| n + 1))
        .all(db)
        .await?;
    let (open, open_cut) = take_first(open, milestones_limit(list_limits::OPEN_MILESTONES));
    let done = milestone::Entity::find()
        .filter(milestone::Column::ProjectId.eq(id))
        .apply_if(answers.clone(), QueryFilter::filter)
        .filter(milestone::Column::DoneDate.is_not_null())
        .order_by_desc(milestone::Column::DoneDate)
        .order_by_desc(milestone::Column::Id)
        .limit(milestones_limit(list_limits::DONE_MILESTONES).map(|n| n + 1))
        .all(db)
        .await?;
    let (done, done_cut) = take_first(done, milestones_limit(list_limits::DONE_MILESTONES));
    let mut rows: Vec<milestone::Model> = open.into_iter().chain(done).collect();
    rows.sort_by_key(|m| (m.due_date, m.id));
    let mut more = HiddenRows::default();
    if open_cut || done_cut {
        more.milestones = Some(
            milestone::Entity::find()
                .filter(milestone::Column::ProjectId.eq(id))
                .apply_if(answers, QueryFilter::filter)
                .count(db)
                .await?,
        );
    }
    let notes_limit = limit(show_all.notes, list_limits::NOTES);
    let notes = note::Entity::find()
        .filter(note::Column::ProjectId.eq(id))
        .order_by_desc(note::Column::NoteDate)
        .order_by_desc(note::Column::Id)
        .limit(notes_limit.map(|n| n + 1))
        .all(db)
        .await?;
    let (notes, notes_cut) = take_first(notes, notes_limit);
    if notes_cut {
        more.notes = Some(
            note::Entity::find()
                .filter(note::Column::ProjectId.eq(id))
                .count(db)
                .await?,
        );
    }
    let mut events_query = event::Entity::find().filter(event::Column::ProjectId.eq(id));
    if let Some(since) = since {
        events_query = events_query.filter(
            // The structure's day, not UTC's: after local midnight « since
            // today » keeps what was done since then.
            event::Column::At.gte(crate::server::clock::day_start(since)),
        );
    }
    let events_limit = limit(show_all.events, list_limits::EVENTS);
    let events = events_query
        .clone()
        .order_by_desc(event::Column::At)
        .order_by_desc(event::Column::Id)
        .limit(events_limit.map(|n| n + 1))
        .all(db)
        .await?;
    let (events, events_cut) = take_first(events, events_limit);
    if events_cut {
        more.events = Some(events_query.count(db).await?);
    }
    let mut people: Vec<i64> = notes.iter().filter_map(|n| n.author_id).collect();
    people.extend(events.iter().filter_map(|e| e.actor_id));
    people.extend(row.lead_officer_id);
    people.extend(rows.iter().filter_map(|m| m.assignee_id));
    let people = user_names(db, people).await?;
    // Whether each assignee is still active staff (else the officer answers).
    let can_answer: BTreeMap<i64, bool> = by_keys::<user::Entity, _, _>(
        db,
        user::Column::Id,
        rows.iter().filter_map(|m| m.assignee_id),
        |u| (u.id, u.active && u.role.is_staff()),
    )
    .await?;
    let milestones = rows
        .into_iter()
        .map(|m| MilestoneView {
            id: m.id,
            kind: m.kind,
            title: m.title,
            due_date: m.due_date,
            done_date: m.done_date,
            note: m.note,
            shareable: m.shareable,
            assignee_id: m.assignee_id,
            assignee_name: m.assignee_id.and_then(|id| people.get(&id).cloned()),
            assignee: crate::domain::milestone::answerable(
                m.assignee_id
                    .map(|id| (id, can_answer.get(&id).copied().unwrap_or(false))),
                row.lead_officer_id,
            )
            .and_then(|id| people.get(&id).cloned()),
        })
        .collect();

    Ok(ProjectDetail {
        id: row.id,
        version: row.version,
        reference: row.reference,
        title: row.title,
        summary: row.summary,
        description: row.description,
        stage: row.stage,
        health: Health::from_parts(row.health, row.health_reason.as_deref(), row.health_since)
            .map_err(|e| AppError::internal(format_args!("projects.health of {}: {e}", row.id)))?,
        lead_officer_id: row.lead_officer_id,
        lead_officer: row.lead_officer_id.and_then(|id| people.get(&id).cloned()),
        estimated_cost_cents: row.estimated_cost_cents,
        start_date: row.start_date,
        end_date: row.end_date,
        owner_kind: row.owner_kind,
        owner_name: row.owner_name,
        communes,
        themes,
        programmes,
        milestones,
        notes: notes
            .into_iter()
            .map(|n| NoteView {
                id: n.id,
                note_date: n.note_date,
                author: n.author_id.and_then(|id| people.get(&id).cloned()),
                body: n.body,
                shareable: n.shareable,
            })
            .collect(),
        events: events
            .into_iter()
            .map(|e| EventView {
                id: e.id,
                at: e.at,
                actor: e.actor_id.and_then(|id| people.get(&id).cloned()),
                kind: e.kind,
                data: serde_json::from_str(&e.data).unwrap_or(Value::Null),
            })
            .collect(),
        more,
        created_at: row.created_at,
        as_of: today,
    })
}

/// The names of each project's communes, sorted (two queries).
pub(crate) async fn project_communes(
    db: &impl ConnectionTrait,
    project_ids: Vec<i64>,
) -> Result<HashMap<i64, Vec<String>>, AppError> {
    let links = project_commune::Entity::find()
        .filter(project_commune::Column::ProjectId.is_in(project_ids))
        .all(db)
        .await?;
    let names = commune_names(db, links.iter().map(|l| l.insee.clone())).await?;
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for link in links {
        let name = names.get(&link.insee).cloned().unwrap_or(link.insee);
        out.entry(link.project_id).or_default().push(name);
    }
    for names in out.values_mut() {
        names.sort();
    }
    Ok(out)
}

/// Summaries for rows, with officer and commune names loaded in three queries.
async fn summaries(
    db: &impl ConnectionTrait,
    rows: Vec<project::Model>,
) -> Result<Vec<ProjectSummary>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let officers = user_names(db, rows.iter().filter_map(|r| r.lead_officer_id).collect()).await?;
    let mut communes_of = project_communes(db, ids).await?;
    rows.into_iter()
        .map(|r| {
            let communes = communes_of.remove(&r.id).unwrap_or_default();
            Ok(ProjectSummary {
                id: r.id,
                reference: r.reference,
                title: r.title,
                stage: r.stage,
                health: r.health,
                lead_officer: r.lead_officer_id.and_then(|id| officers.get(&id).cloned()),
                communes,
                estimated_cost_cents: r.estimated_cost_cents,
                last_event_at: r.last_event_at,
            })
        })
        .collect()
}

/// One page of the filtered, sorted project list.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &ProjectFilter,
    today: NaiveDate,
) -> Result<ProjectPage, AppError> {
    let mut query = project::Entity::find().filter(project_filter::condition(filter, today));
    query = match filter.sort.as_deref() {
        Some("title") => query.order_by_asc(project::Column::Title),
        Some("stage") => query
            .order_by_asc(project::Column::Stage)
            .order_by_asc(project::Column::Title),
        Some("cost") => query.order_by_desc(project::Column::EstimatedCostCents),
        _ => query.order_by_desc(project::Column::LastEventAt),
    }
    .order_by_asc(project::Column::Id);
    let page = filter.page.unwrap_or(1).max(1);
    let paginator = query.paginate(db, PER_PAGE);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page - 1).await?;
    Ok(ProjectPage {
        items: summaries(db, rows).await?,
        total,
        page,
        per_page: PER_PAGE,
    })
}

/// The officer's home: their active projects, and the late milestones and
/// those due in the next 30 days that they answer for (assigned to them, or
/// unassigned on their projects).
pub async fn officer_home(
    db: &impl ConnectionTrait,
    officer_id: i64,
    today: NaiveDate,
) -> Result<OfficerHome, AppError> {
    let rows = project::Entity::find()
        .filter(project::Column::LeadOfficerId.eq(officer_id))
        .filter(
            project::Column::Stage
                .is_not_in([Stage::Completed.as_str(), Stage::Abandoned.as_str()]),
        )
        .order_by_desc(project::Column::LastEventAt)
        .limit(100)
        .all(db)
        .await?;
    let horizon = today + chrono::Duration::days(crate::domain::DUE_SOON_DAYS);
    let (mut late, mut due_soon) = (Vec::new(), Vec::new());
    for (m, project_title) in
        super::assignments::open_milestones_of(db, officer_id, Some(horizon)).await?
    {
        let list = match milestone_status(m.due_date, m.done_date, today) {
            MilestoneStatus::Late => &mut late,
            MilestoneStatus::DueSoon => &mut due_soon,
            _ => continue,
        };
        list.push(MilestoneDue {
            milestone_id: m.id,
            project_id: m.project_id,
            project_title,
            kind: m.kind,
            title: m.title,
            due_date: m.due_date,
        });
    }
    let deadlines = super::funding::deadlines_of(
        db,
        officer_id,
        today,
        today + chrono::Duration::days(super::funding::DEADLINE_HORIZON_DAYS),
    )
    .await?;
    Ok(OfficerHome {
        person: None,
        team: Vec::new(),
        projects: summaries(db, rows).await?,
        late,
        due_soon,
        deadlines,
    })
}
