//! Funding plans: the funder catalogue, funding lines with their own
//! lifecycle and optimistic locking, the derogation to the self-funding
//! rule, and the plan with its checks. Every change writes its event on the
//! project timeline in the same transaction.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use serde_json::{Value, json};

use crate::domain::EventKind;
use crate::domain::Stage;
use crate::domain::funding::{
    Derogation, FundingStatus, LineAmounts, check_status_move, detr_next_due, leader_too_late,
};
use crate::error::AppError;
use crate::models::{
    CurrentUser, FunderInput, FunderView, FundingDeadline, FundingLineForm, FundingLineInput,
    FundingLineView, FundingPlan, FundingStatusInput, LineDates,
};
use crate::server::entities::funding::{funder, funding_line};
use crate::server::entities::projects::project;
use crate::server::entities::user;
use crate::server::services::change::Change;
use crate::server::services::change::project_exists;
use crate::server::services::plan_rows::{
    PlanRows, derogation_of, detr_deadlines, funder_catalogue, works_starts,
};
use crate::server::services::projects::load_for_write;

/// How far ahead the officer's home looks for funding deadlines.
pub const DEADLINE_HORIZON_DAYS: i64 = 90;

fn t(key: &str) -> String {
    rust_i18n::t!(key).into_owned()
}

fn funder_view(row: funder::Model) -> Result<FunderView, AppError> {
    Ok(FunderView {
        category: row.category,
        id: row.id,
        code: row.code,
        name: row.name,
        active: row.active,
    })
}

/// Every funder, active or not, in catalogue order.
pub async fn all_funders(db: &impl ConnectionTrait) -> Result<Vec<FunderView>, AppError> {
    funder::Entity::find()
        .order_by_asc(funder::Column::Position)
        .order_by_asc(funder::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(funder_view)
        .collect()
}

/// Adds a funder at the end of the catalogue, or updates the one with
/// that code. Funders are never deleted: lines keep pointing at them. A
/// new category moves the 20 % rule of every plan with this funder: their
/// figures are recomputed in the same change (a wide one: it runs alone).
pub async fn save_funder(db: &DatabaseConnection, input: FunderInput) -> Result<(), AppError> {
    let mut change = Change::begin_wide(db, None, Utc::now()).await?;
    let txn = change.txn();
    let before = funder::Entity::find()
        .filter(funder::Column::Code.eq(input.code.as_str()))
        .one(txn)
        .await?;
    let new_category = input.category;
    let position = funder::Entity::find().count(txn).await?;
    funder::Entity::insert(funder::ActiveModel {
        code: Set(input.code),
        name: Set(input.name),
        category: Set(input.category),
        active: Set(input.active),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(funder::Column::Code)
            .update_columns([
                funder::Column::Name,
                funder::Column::Category,
                funder::Column::Active,
            ])
            .to_owned(),
    )
    .exec(txn)
    .await?;
    if let Some(before) = before.filter(|b| b.category != new_category) {
        let ids: Vec<i64> = funding_line::Entity::find()
            .select_only()
            .column(funding_line::Column::ProjectId)
            .distinct()
            .filter(funding_line::Column::FunderId.eq(before.id))
            .into_tuple()
            .all(txn)
            .await?;
        for id in ids {
            change.plan_moved(id);
        }
    }
    change.commit().await
}

/// The plan of a project with its totals, checks and deadlines.
pub async fn plan(
    db: &impl ConnectionTrait,
    project_id: i64,
    today: NaiveDate,
) -> Result<FundingPlan, AppError> {
    let rows = PlanRows::load(db, project_id).await?;
    let works_start = rows.works_start;
    let rule_lines = rows.rule_lines();
    let lead = rows.project.lead_officer_id;
    // Names of the lead officer and of those named on lines, and whether
    // each may still answer (active staff; else the lead officer does).
    let staff: BTreeMap<i64, (String, bool)> =
        crate::server::services::directory::names::by_keys::<user::Entity, _, _>(
            db,
            user::Column::Id,
            rows.lines
                .iter()
                .filter_map(|(row, _, _)| row.responsible_id)
                .chain(lead),
            |u| (u.id, (u.display_name, u.active && u.role.is_staff())),
        )
        .await?;
    let mut required = super::asked_documents::required(
        db,
        rows.lines
            .iter()
            .map(|(row, _, _)| (row.id, row.funder_id, row.own_documents)),
    )
    .await?;
    let mut lines = Vec::with_capacity(rows.lines.len());
    for ((row, category, status), rule_line) in rows.lines.iter().zip(&rule_lines) {
        let (category, status) = (*category, *status);
        let f = rows.funders.get(&row.funder_id).ok_or_else(|| {
            AppError::internal(format_args!(
                "line {}: funder {} missing",
                row.id, row.funder_id
            ))
        })?;
        let mut warnings = Vec::new();
        if f.code == "leader"
            && status != FundingStatus::Refused
            && leader_too_late(row.requested_on, works_start)
        {
            warnings.push(t("funding.leader_after_start"));
        }
        let detr = rows.detr(row, status);
        if let Some(d) = detr {
            let start_by = d.start_by.format("%d/%m/%Y").to_string();
            match works_start {
                None if d.start_by < today => warnings
                    .push(rust_i18n::t!("funding.detr_lapsed", date = start_by).into_owned()),
                Some(started) if started > d.start_by => warnings.push(
                    rust_i18n::t!(
                        "funding.detr_started_late",
                        started = started.format("%d/%m/%Y").to_string(),
                        date = start_by
                    )
                    .into_owned(),
                ),
                _ => {}
            }
        }
        lines.push(FundingLineView {
            id: row.id,
            version: row.version,
            funder_id: row.funder_id,
            funder_code: f.code.clone(),
            funder_name: f.name.clone(),
            category,
            planned_cents: rule_line.planned(),
            detr,
            warnings,
            programme: row.programme.clone(),
            basis: row.basis.clone(),
            status,
            amount_requested_cents: row.amount_requested_cents,
            amount_granted_cents: row.amount_granted_cents,
            amount_paid_cents: row.amount_paid_cents,
            eligible_base_cents: row.eligible_base_cents,
            rate_basis_points: row.rate_basis_points,
            application_deadline: row.application_deadline,
            requested_on: row.requested_on,
            decided_on: row.decided_on,
            agreement_on: row.agreement_on,
            advance_on: row.advance_on,
            balance_on: row.balance_on,
            start_extended: row.start_extended,
            completion_extended: row.completion_extended,
            notes: row.notes.clone(),
            responsible_id: row.responsible_id,
            responsible_name: row
                .responsible_id
                .and_then(|id| staff.get(&id).map(|(name, _)| name.clone())),
            responsible: crate::domain::milestone::answerable(
                row.responsible_id
                    .map(|id| (id, staff.get(&id).is_some_and(|(_, ok)| *ok))),
                lead,
            )
            .and_then(|id| staff.get(&id).map(|(name, _)| name.clone())),
            required_documents: required.remove(&row.id).unwrap_or_default(),
            own_documents: row.own_documents,
        });
    }
    let mut active_funders: Vec<&funder::Model> =
        rows.funders.values().filter(|f| f.active).collect();
    active_funders.sort_by_key(|f| (f.position, f.id));
    let stage: Stage = rows.project.stage;
    Ok(FundingPlan {
        project_id,
        // Delivery or completion with no plan is allowed, and flagged.
        unfunded_delivery: matches!(stage, Stage::Delivery | Stage::Completed) && lines.is_empty(),
        project_version: rows.project.version,
        owner_name: rows.project.owner_name.clone(),
        owner_kind: rows.owner_kind(),
        totals: rows.totals(&rule_lines),
        self_funding: rows.self_funding(&rule_lines),
        derogation: derogation_of(&rows.project),
        lines,
        works_start,
        funders: active_funders
            .into_iter()
            .cloned()
            .map(funder_view)
            .collect::<Result<_, _>>()?,
        assignable: super::assignments::assignable(db).await?,
        as_of: today,
    })
}

async fn active_funder(txn: &DatabaseTransaction, id: i64) -> Result<funder::Model, AppError> {
    funder::Entity::find_by_id(id)
        .one(txn)
        .await?
        .filter(|f| f.active)
        .ok_or_else(|| AppError::validation("funder_id", t("funding.funder_required")))
}

fn line_summary(f: &funder::Model, input: &FundingLineInput) -> Value {
    json!({
        "funder": f.name,
        "programme": input.programme,
        "amount_requested": input.amount_requested_cents,
    })
}

pub async fn add_line(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    project_id: i64,
    input: FundingLineInput,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    project_exists(change.txn(), project_id).await?;
    let id = insert_line(
        &mut change,
        project_id,
        input,
        FundingStatus::Identified,
        Some(today),
        LineDates::default(),
        None,
    )
    .await?;
    change.commit().await?;
    Ok(id)
}

/// Adds a line within `change` (an import's), at the status its amounts
/// were checked for, with the dates of its steps the file gave. `origin`
/// is added to its event (the import's file and line).
pub(crate) async fn add_line_in(
    change: &mut Change,
    project_id: i64,
    input: FundingLineInput,
    status: FundingStatus,
    dates: LineDates,
    origin: Option<Value>,
) -> Result<i64, AppError> {
    project_exists(change.txn(), project_id).await?;
    insert_line(change, project_id, input, status, None, dates, origin).await
}

async fn insert_line(
    change: &mut Change,
    project_id: i64,
    input: FundingLineInput,
    status: FundingStatus,
    identified_on: Option<NaiveDate>,
    dates: LineDates,
    origin: Option<Value>,
) -> Result<i64, AppError> {
    let now = change.now();
    let txn = change.txn();
    let f = active_funder(txn, input.funder_id).await?;
    let responsible_id = input.responsible_id.flatten();
    let responsible = super::assignments::check_person(txn, responsible_id, "responsible").await?;
    let mut data = line_summary(&f, &input);
    if let Some(name) = responsible {
        data["responsible"] = json!(name);
    }
    let row = funding_line::ActiveModel {
        project_id: Set(project_id),
        funder_id: Set(input.funder_id),
        programme: Set(input.programme),
        basis: Set(input.basis),
        status: Set(status),
        amount_requested_cents: Set(input.amount_requested_cents),
        amount_granted_cents: Set(input.amount_granted_cents),
        amount_paid_cents: Set(input.amount_paid_cents),
        eligible_base_cents: Set(input.eligible_base_cents),
        rate_basis_points: Set(input.rate_basis_points),
        application_deadline: Set(input.application_deadline),
        identified_on: Set(identified_on),
        requested_on: Set(dates.requested_on),
        decided_on: Set(dates.decided_on),
        agreement_on: Set(dates.agreement_on),
        advance_on: Set(dates.advance_on),
        balance_on: Set(dates.balance_on),
        start_extended: Set(input.start_extended),
        completion_extended: Set(input.completion_extended),
        notes: Set(input.notes),
        responsible_id: Set(responsible_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    data["line_id"] = json!(row.id);
    if status != FundingStatus::Identified {
        data["status"] = json!(status);
        data["amount_granted"] = json!(row.amount_granted_cents);
    }
    if let Some(origin) = origin {
        data["import"] = origin;
    }
    change.record(project_id, EventKind::FundingLineAdded, data);
    change.plan_moved(project_id);
    Ok(row.id)
}

/// Loads a line for writing, refusing a stale version.
pub(crate) async fn line_for_write(
    txn: &DatabaseTransaction,
    id: i64,
    version: i32,
) -> Result<funding_line::Model, AppError> {
    let row = funding_line::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.version != version {
        return Err(AppError::Conflict(t("funding.conflict")));
    }
    Ok(row)
}

/// Bumps the line's version only if nobody else did meanwhile.
pub(crate) async fn bump_line(
    txn: &DatabaseTransaction,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let result = funding_line::Entity::update_many()
        .col_expr(funding_line::Column::Version, Expr::value(version + 1))
        .col_expr(funding_line::Column::UpdatedAt, Expr::value(now))
        .filter(funding_line::Column::Id.eq(id))
        .filter(funding_line::Column::Version.eq(version))
        .exec(txn)
        .await?;
    if result.rows_affected == 1 {
        Ok(())
    } else {
        Err(AppError::Conflict(t("funding.conflict")))
    }
}

/// Rewrites a line's details (not its status); the amounts must still fit
/// the line's status. Returns the project id.
pub async fn update_line(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    line_id: i64,
    version: i32,
    form: FundingLineForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    let txn = change.txn();
    let row = line_for_write(txn, line_id, version).await?;
    let input = form.validate(row.status)?;
    let f = active_funder_or_same(txn, &row, input.funder_id).await?;
    let mut changes = Vec::new();
    let mut diff = |field: &str, before: Value, after: Value| {
        if before != after {
            changes.push(json!({ "field": field, "before": before, "after": after }));
        }
    };
    diff("funder", json!(row.funder_id), json!(input.funder_id));
    diff("programme", json!(row.programme), json!(input.programme));
    diff("basis", json!(row.basis), json!(input.basis));
    diff(
        "amount_requested",
        json!(row.amount_requested_cents),
        json!(input.amount_requested_cents),
    );
    diff(
        "amount_granted",
        json!(row.amount_granted_cents),
        json!(input.amount_granted_cents),
    );
    diff(
        "amount_paid",
        json!(row.amount_paid_cents),
        json!(input.amount_paid_cents),
    );
    diff(
        "eligible_base",
        json!(row.eligible_base_cents),
        json!(input.eligible_base_cents),
    );
    diff(
        "rate",
        json!(row.rate_basis_points),
        json!(input.rate_basis_points),
    );
    diff(
        "application_deadline",
        json!(row.application_deadline),
        json!(input.application_deadline),
    );
    diff(
        "start_extended",
        json!(row.start_extended),
        json!(input.start_extended),
    );
    diff(
        "completion_extended",
        json!(row.completion_extended),
        json!(input.completion_extended),
    );
    diff("notes", json!(row.notes), json!(input.notes));
    // Absent from the form: kept. By name, as the timeline shows it.
    let responsible_id = input.responsible_id.unwrap_or(row.responsible_id);
    if responsible_id != row.responsible_id {
        let after = super::assignments::check_person(txn, responsible_id, "responsible").await?;
        let before = match row.responsible_id {
            Some(id) => super::projects::user_names(txn, vec![id])
                .await?
                .remove(&id),
            None => None,
        };
        changes.push(json!({ "field": "responsible", "before": before, "after": after }));
    }
    let project_id = row.project_id;
    if changes.is_empty() {
        return Ok(project_id);
    }
    bump_line(txn, line_id, version, now).await?;
    let mut active: funding_line::ActiveModel = row.into();
    active.funder_id = Set(input.funder_id);
    active.programme = Set(input.programme);
    active.basis = Set(input.basis);
    active.amount_requested_cents = Set(input.amount_requested_cents);
    active.amount_granted_cents = Set(input.amount_granted_cents);
    active.amount_paid_cents = Set(input.amount_paid_cents);
    active.eligible_base_cents = Set(input.eligible_base_cents);
    active.rate_basis_points = Set(input.rate_basis_points);
    active.application_deadline = Set(input.application_deadline);
    active.start_extended = Set(input.start_extended);
    active.completion_extended = Set(input.completion_extended);
    active.notes = Set(input.notes);
    active.responsible_id = Set(responsible_id);
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    active.update(txn).await?;
    let data = json!({ "line_id": line_id, "funder": f.name, "changes": changes });
    change.record(project_id, EventKind::FundingLineUpdated, data);
    change.plan_moved(project_id);
    change.commit().await?;
    Ok(project_id)
}

/// The line's funder may stay as it is even if since deactivated; a new
/// one must be active.
async fn active_funder_or_same(
    txn: &DatabaseTransaction,
    row: &funding_line::Model,
    funder_id: i64,
) -> Result<funder::Model, AppError> {
    if funder_id == row.funder_id {
        funder::Entity::find_by_id(funder_id)
            .one(txn)
            .await?
            .ok_or_else(|| AppError::internal(format_args!("funder {funder_id} missing")))
    } else {
        active_funder(txn, funder_id).await
    }
}

/// Deletes a line; the timeline keeps what it was. Returns the project id.
pub async fn delete_line(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    line_id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    let project_id = remove_line(&mut change, line_id, version, None).await?;
    change.commit().await?;
    Ok(project_id)
}

/// Deletes a line an import added (the undo), as the import left it.
pub(crate) async fn remove_line_in(
    change: &mut Change,
    line_id: i64,
    origin: Option<Value>,
) -> Result<i64, AppError> {
    remove_line(change, line_id, 1, origin).await
}

async fn remove_line(
    change: &mut Change,
    line_id: i64,
    version: i32,
    origin: Option<Value>,
) -> Result<i64, AppError> {
    let txn = change.txn();
    let row = line_for_write(txn, line_id, version).await?;
    let f = funder::Entity::find_by_id(row.funder_id)
        .one(txn)
        .await?
        .ok_or_else(|| {
            AppError::internal(format_args!(
                "line {line_id}: funder {} missing",
                row.funder_id
            ))
        })?;
    let project_id = row.project_id;
    let mut data = json!({
        "line_id": line_id,
        "funder": f.name,
        "programme": row.programme,
        "status": row.status,
        "amount_requested": row.amount_requested_cents,
        "amount_granted": row.amount_granted_cents,
        "amount_paid": row.amount_paid_cents,
    });
    if let Some(origin) = origin {
        data["import"] = origin;
    }
    // Deleted only if nobody changed it meanwhile.
    let deleted = funding_line::Entity::delete_many()
        .filter(funding_line::Column::Id.eq(line_id))
        .filter(funding_line::Column::Version.eq(version))
        .exec(txn)
        .await?;
    if deleted.rows_affected != 1 {
        return Err(AppError::Conflict(t("funding.conflict")));
    }
    crate::server::services::documents::detach(
        txn,
        crate::models::Attachment::FundingLine(line_id),
    )
    .await?;
    change.record(project_id, EventKind::FundingLineDeleted, data);
    change.plan_moved(project_id);
    Ok(project_id)
}

/// Moves a line to another status through the domain rule, recording the
/// date of the step and the amount that goes with it. Going back clears the
/// dates of the steps undone. Returns the project id.
pub async fn move_status(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    line_id: i64,
    version: i32,
    input: FundingStatusInput,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    use FundingStatus as S;
    let mut change = Change::begin(db, actor, now).await?;
    let txn = change.txn();
    let row = line_for_write(txn, line_id, version).await?;
    let from = row.status;
    let to = input.status;
    let mut amounts = LineAmounts {
        requested: row.amount_requested_cents,
        granted: row.amount_granted_cents,
        paid: row.amount_paid_cents,
    };
    match (to, input.amount) {
        (S::Requested, Some(a)) => amounts.requested = Some(a),
        (S::Granted | S::AgreementSigned, Some(a)) => amounts.granted = Some(a),
        (S::AdvancePaid | S::BalancePaid, Some(a)) => amounts.paid = a,
        _ => {}
    }
    let before = amounts;
    // Below "granted" there is no grant; without a payment step nothing is paid.
    if !to.is_secured() {
        amounts.granted = None;
    }
    if !to.has_payment() {
        amounts.paid = 0;
    }
    // A grant decided without a stated amount is the amount requested.
    if to == S::Granted && amounts.granted.is_none() {
        amounts.granted = amounts.requested;
    }
    // The balance paid without a stated amount is the whole grant.
    if to == S::BalancePaid && input.amount.is_none() && from != S::BalancePaid {
        amounts.paid = amounts.granted.unwrap_or(0);
    }
    let backward = check_status_move(from, to, amounts, input.reason.as_deref())
        .map_err(|e| AppError::validation(e.status_form_field(), e.to_string()))?;
    let date = input.date.unwrap_or(today);
    bump_line(txn, line_id, version, now).await?;
    let f = funder::Entity::find_by_id(row.funder_id)
        .one(txn)
        .await?
        .ok_or_else(|| {
            AppError::internal(format_args!(
                "line {line_id}: funder {} missing",
                row.funder_id
            ))
        })?;
    let project_id = row.project_id;
    let mut active: funding_line::ActiveModel = row.into();
    active.status = Set(to);
    active.amount_requested_cents = Set(amounts.requested);
    active.amount_granted_cents = Set(amounts.granted);
    active.amount_paid_cents = Set(amounts.paid);
    let step = |s: FundingStatus| match s {
        S::Identified => 0,
        S::Requested => 1,
        S::Granted | S::Refused => 2,
        S::AgreementSigned => 3,
        S::AdvancePaid => 4,
        S::BalancePaid => 5,
    };
    // The date of this step…
    match to {
        S::Identified => {}
        S::Requested => active.requested_on = Set(Some(date)),
        S::Granted | S::Refused => active.decided_on = Set(Some(date)),
        S::AgreementSigned => active.agreement_on = Set(Some(date)),
        S::AdvancePaid => active.advance_on = Set(Some(date)),
        S::BalancePaid => active.balance_on = Set(Some(date)),
    }
    // …and none for the steps not (or no longer) reached.
    let reached = step(to);
    if reached < 1 {
        active.requested_on = Set(None);
    }
    if reached < 2 {
        active.decided_on = Set(None);
    }
    if reached < 3 {
        active.agreement_on = Set(None);
    }
    if reached < 4 {
        active.advance_on = Set(None);
    }
    if reached < 5 {
        active.balance_on = Set(None);
    }
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    active.update(txn).await?;
    let data = json!({
        "line_id": line_id,
        "funder": f.name,
        "from": from,
        "to": to,
        "date": date,
        "amount_requested": amounts.requested,
        "amount_granted": amounts.granted,
        "amount_paid": amounts.paid,
        "before": {
            "amount_requested": before.requested,
            "amount_granted": before.granted,
            "amount_paid": before.paid,
        },
        "reason": input.reason,
        "backward": backward,
    });
    change.record(project_id, EventKind::FundingStatusChanged, data);
    change.plan_moved(project_id);
    change.commit().await?;
    Ok(project_id)
}

/// Records or clears the derogation to the self-funding rule on the
/// project (a project write: its version must be current).
pub async fn set_derogation(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    project_id: i64,
    version: i32,
    derogation: Option<Derogation>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    let txn = change.txn();
    let row = load_for_write(txn, project_id, version).await?;
    let before = derogation_of(&row);
    if before == derogation {
        return Ok(());
    }
    change.bump_version(project_id, version).await?;
    project::Entity::update_many()
        .col_expr(
            project::Column::DerogationKind,
            Expr::value(derogation.as_ref().map(|d| d.kind)),
        )
        .col_expr(
            project::Column::DerogationReason,
            Expr::value(derogation.as_ref().map(|d| d.reason.clone())),
        )
        .filter(project::Column::Id.eq(project_id))
        .exec(txn)
        .await?;
    let (kind, data) = match &derogation {
        Some(d) => (
            EventKind::DerogationSet,
            json!({ "kind": d.kind, "reason": d.reason }),
        ),
        None => (
            EventKind::DerogationCleared,
            json!({ "kind": before.as_ref().map(|d| d.kind), "reason": before.map(|d| d.reason) }),
        ),
    };
    change.record(project_id, kind, data);
    change.plan_moved(project_id);
    change.commit().await?;
    Ok(())
}

/// Funding deadlines of the given (active) projects, overdue or within the
/// horizon: dossiers still to file by their closing date, DETR works-start
/// and completion dates. Soonest first.
pub async fn deadlines(
    db: &impl ConnectionTrait,
    project_ids: &[i64],
    titles: &HashMap<i64, String>,
    today: NaiveDate,
) -> Result<Vec<FundingDeadline>, AppError> {
    let horizon = today + chrono::Duration::days(DEADLINE_HORIZON_DAYS);
    deadlines_until(db, project_ids, titles, today, horizon).await
}

/// The funding deadlines `user_id` answers for, overdue or up to
/// `horizon`, soonest first: on projects under way, the lines naming them
/// responsible, and on the projects they lead the lines naming no one or
/// someone no longer active staff (`domain::milestone::answerable`).
pub async fn deadlines_of(
    db: &impl ConnectionTrait,
    user_id: i64,
    today: NaiveDate,
    horizon: NaiveDate,
) -> Result<Vec<FundingDeadline>, AppError> {
    let named = funding_line::Entity::find()
        .select_only()
        .column(funding_line::Column::ProjectId)
        .filter(funding_line::Column::ResponsibleId.eq(user_id))
        .into_query();
    let projects: Vec<(i64, String, Option<i64>)> = project::Entity::find()
        .select_only()
        .columns([
            project::Column::Id,
            project::Column::Title,
            project::Column::LeadOfficerId,
        ])
        .filter(
            project::Column::Stage
                .is_not_in([Stage::Completed.as_str(), Stage::Abandoned.as_str()]),
        )
        .filter(
            sea_orm::Condition::any()
                .add(project::Column::LeadOfficerId.eq(user_id))
                .add(project::Column::Id.in_subquery(named)),
        )
        .into_tuple()
        .all(db)
        .await?;
    let lead: HashMap<i64, Option<i64>> = projects.iter().map(|(id, _, l)| (*id, *l)).collect();
    let mut out = Vec::new();
    for chunk in projects.chunks(1000) {
        let ids: Vec<i64> = chunk.iter().map(|(id, _, _)| *id).collect();
        let titles: HashMap<i64, String> =
            chunk.iter().map(|(id, t, _)| (*id, t.clone())).collect();
        out.extend(deadlines_until(db, &ids, &titles, today, horizon).await?);
    }
    let can_answer: BTreeMap<i64, bool> =
        crate::server::services::directory::names::by_keys::<user::Entity, _, _>(
            db,
            user::Column::Id,
            out.iter().filter_map(|d| d.responsible_id),
            |u| (u.id, u.active && u.role.is_staff()),
        )
        .await?;
    out.retain(|d| {
        crate::domain::milestone::answerable(
            d.responsible_id
                .map(|id| (id, can_answer.get(&id).copied().unwrap_or(false))),
            lead.get(&d.project_id).copied().flatten(),
        ) == Some(user_id)
    });
    out.sort_by(|a, b| a.date.cmp(&b.date).then(a.line_id.cmp(&b.line_id)));
    Ok(out)
}

/// The same deadlines up to `horizon` (the calendar feeds: all of them).
pub async fn deadlines_until(
    db: &impl ConnectionTrait,
    project_ids: &[i64],
    titles: &HashMap<i64, String>,
    today: NaiveDate,
    horizon: NaiveDate,
) -> Result<Vec<FundingDeadline>, AppError> {
    let funders = funder_catalogue(db).await?;
    let rows = funding_line::Entity::find()
        .filter(funding_line::Column::ProjectId.is_in(project_ids.to_vec()))
        .all(db)
        .await?;
    let starts = works_starts(db, project_ids).await?;
    let mut out = Vec::new();
    for row in rows {
        let status = row.status;
        let Some(f) = funders.get(&row.funder_id) else {
            continue;
        };
        let mut push = |kind: &str, date: NaiveDate| {
            if date <= horizon {
                out.push(FundingDeadline {
                    project_id: row.project_id,
                    project_title: titles.get(&row.project_id).cloned().unwrap_or_default(),
                    line_id: row.id,
                    funder_name: f.name.clone(),
                    kind: kind.to_owned(),
                    date,
                    overdue: date < today,
                    responsible_id: row.responsible_id,
                });
            }
        };
        if status == FundingStatus::Identified
            && let Some(d) = row.application_deadline
        {
            push("application", d);
        }
        if f.code == "detr"
            && let Some(d) = detr_deadlines(&row, status, starts.get(&row.project_id).copied())
            && let Some((due, date)) = detr_next_due(
                d.start_by,
                d.complete_by,
                status == FundingStatus::BalancePaid,
            )
        {
            push(due.as_str(), date);
        }
    }
    out.sort_by(|a, b| a.date.cmp(&b.date).then(a.project_id.cmp(&b.project_id)));
    Ok(out)
}
