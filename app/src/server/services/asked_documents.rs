//! What an application asks for: the document types each funder asks for
//! by default (kept by the admin with the funder catalogue), a funding
//! line's own list when its application differs, and which of them the
//! line has.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use crate::domain::EventKind;
use crate::error::{AppError, FieldErrors};
use crate::models::{
    AskedDocuments, AskedDocumentsForm, CurrentUser, FunderAsks, Labelled, ReferenceList,
    RequiredDocument,
};
use crate::server::entities::documents::{document, funder_document, line_document};
use crate::server::entities::funding::{funder, funding_line};
use crate::server::services::change::Change;
use crate::server::services::references;

/// Each funder of the catalogue with the types it asks for, and the types
/// an admin may choose from (the active ones, and any already asked for).
pub async fn catalogue(db: &impl ConnectionTrait) -> Result<AskedDocuments, AppError> {
    let funders = funder::Entity::find()
        .order_by_asc(funder::Column::Position)
        .order_by_asc(funder::Column::Id)
        .all(db)
        .await?;
    let asked = funder_document::Entity::find().all(db).await?;
    let types = references::all(db, ReferenceList::DocumentTypes).await?;
    let in_order = |wanted: &dyn Fn(&str) -> bool| -> Vec<String> {
        types
            .iter()
            .filter(|t| wanted(&t.code))
            .map(|t| t.code.clone())
            .collect()
    };
    let by_funder = funders
        .into_iter()
        .map(|f| FunderAsks {
            types: in_order(&|code| {
                asked
                    .iter()
                    .any(|a| a.funder_id == f.id && a.type_code == code)
            }),
            code: f.code,
            name: f.name,
        })
        .collect();
    Ok(AskedDocuments {
        types: offered(&types, &asked.iter().map(|a| a.type_code.clone()).collect()),
        by_funder,
    })
}

/// The types one may choose: the active ones, and inactive ones still
/// chosen somewhere (so that saving keeps them).
fn offered(types: &[crate::models::ReferenceEntry], chosen: &HashSet<String>) -> Vec<Labelled> {
    types
        .iter()
        .filter(|t| t.active || chosen.contains(&t.code))
        .map(|t| Labelled {
            code: t.code.clone(),
            label: t.label.clone(),
        })
        .collect()
}

/// The document types the form names, each known (refused on `types`
/// otherwise), without repeats.
async fn checked(
    db: &impl ConnectionTrait,
    form: &AskedDocumentsForm,
) -> Result<Vec<String>, AppError> {
    let known: HashSet<String> = references::all(db, ReferenceList::DocumentTypes)
        .await?
        .into_iter()
        .map(|t| t.code)
        .collect();
    let mut errors = FieldErrors::new();
    let mut out: Vec<String> = Vec::new();
    for code in form.types.iter().map(|c| c.trim()) {
        if !known.contains(code) {
            errors.add(
                "types",
                rust_i18n::t!(
                    "documents.type_unknown_named",
                    code = code.chars().take(40).collect::<String>()
                ),
            );
            break;
        }
        if !out.iter().any(|c| c == code) {
            out.push(code.to_owned());
        }
    }
    errors.into_result()?;
    Ok(out)
}

/// Sets what the funder `code` asks for by default (admins).
pub async fn save_for_funder(
    db: &DatabaseConnection,
    code: &str,
    form: AskedDocumentsForm,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let change = Change::begin_wide(db, None, now).await?;
    let txn = change.txn();
    let types = checked(txn, &form).await?;
    let f = funder::Entity::find()
        .filter(funder::Column::Code.eq(code.trim()))
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    funder_document::Entity::delete_many()
        .filter(funder_document::Column::FunderId.eq(f.id))
        .exec(txn)
        .await?;
    if !types.is_empty() {
        funder_document::Entity::insert_many(types.into_iter().map(|type_code| {
            funder_document::ActiveModel {
                funder_id: Set(f.id),
                type_code: Set(type_code),
            }
        }))
        .exec(txn)
        .await?;
    }
    change.commit().await?;
    Ok(())
}

/// Gives line `line_id` its own list of the documents its application
/// asks for, or (`form.reset`) back its funder's. `version` is the line
/// as the form saw it. Recorded on the timeline; returns the project id.
pub async fn save_for_line(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    line_id: i64,
    version: i32,
    form: AskedDocumentsForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    let txn = change.txn();
    let row = super::funding::line_for_write(txn, line_id, version).await?;
    let own = !crate::models::checkbox(&form.reset);
    let types = if own {
        checked(txn, &form).await?
    } else {
        Vec::new()
    };
    let before = labels(txn, &asked_of(txn, &row).await?).await?;
    funding_line::Entity::update_many()
        .col_expr(
            funding_line::Column::OwnDocuments,
            sea_orm::sea_query::Expr::value(own),
        )
        .filter(funding_line::Column::Id.eq(line_id))
        .exec(txn)
        .await?;
    super::funding::bump_line(txn, line_id, version, now).await?;
    line_document::Entity::delete_many()
        .filter(line_document::Column::FundingLineId.eq(line_id))
        .exec(txn)
        .await?;
    if !types.is_empty() {
        line_document::Entity::insert_many(types.iter().map(|type_code| {
            line_document::ActiveModel {
                funding_line_id: Set(line_id),
                type_code: Set(type_code.clone()),
            }
        }))
        .exec(txn)
        .await?;
    }
    let mut row = row;
    row.own_documents = own;
    let after = labels(txn, &asked_of(txn, &row).await?).await?;
    let funder = funder::Entity::find_by_id(row.funder_id)
        .one(txn)
        .await?
        .map(|f| f.name)
        .unwrap_or_default();
    let project_id = row.project_id;
    if before != after {
        change.record(
            project_id,
            EventKind::FundingLineUpdated,
            json!({
                "line_id": line_id,
                "funder": funder,
                "changes": [{ "field": "documents", "before": before, "after": after }],
            }),
        );
    }
    change.commit().await?;
    Ok(project_id)
}

/// The type codes line `row` asks for now.
async fn asked_of(
    txn: &DatabaseTransaction,
    row: &funding_line::Model,
) -> Result<HashSet<String>, AppError> {
    Ok(if row.own_documents {
        line_document::Entity::find()
            .filter(line_document::Column::FundingLineId.eq(row.id))
            .all(txn)
            .await?
            .into_iter()
            .map(|d| d.type_code)
            .collect()
    } else {
        funder_document::Entity::find()
            .filter(funder_document::Column::FunderId.eq(row.funder_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|d| d.type_code)
            .collect()
    })
}

/// The labels of `codes`, in the admin's order of types.
async fn labels(
    db: &impl ConnectionTrait,
    codes: &HashSet<String>,
) -> Result<Vec<String>, AppError> {
    Ok(references::all(db, ReferenceList::DocumentTypes)
        .await?
        .into_iter()
        .filter(|t| codes.contains(&t.code))
        .map(|t| t.label)
        .collect())
}

/// For each line (id, funder, keeps its own list), the documents its
/// application asks for — its own list's, else its funder's — in the
/// admin's order of types, each present when a live document of that type
/// is attached to the line.
pub async fn required(
    db: &impl ConnectionTrait,
    lines: impl Iterator<Item = (i64, i64, bool)>,
) -> Result<HashMap<i64, Vec<RequiredDocument>>, AppError> {
    let lines: Vec<(i64, i64, bool)> = lines.collect();
    if lines.is_empty() {
        return Ok(HashMap::new());
    }
    let funders: Vec<i64> = lines
        .iter()
        .filter(|(_, _, own)| !own)
        .map(|(_, f, _)| *f)
        .collect();
    let own: Vec<i64> = lines
        .iter()
        .filter(|(_, _, own)| *own)
        .map(|(l, _, _)| *l)
        .collect();
    let mut asked: HashSet<(bool, i64, String)> = HashSet::new();
    if !funders.is_empty() {
        for row in funder_document::Entity::find()
            .filter(funder_document::Column::FunderId.is_in(funders))
            .all(db)
            .await?
        {
            asked.insert((false, row.funder_id, row.type_code));
        }
    }
    if !own.is_empty() {
        for row in line_document::Entity::find()
            .filter(line_document::Column::FundingLineId.is_in(own))
            .all(db)
            .await?
        {
            asked.insert((true, row.funding_line_id, row.type_code));
        }
    }
    if asked.is_empty() {
        return Ok(HashMap::new());
    }
    let types = references::all(db, ReferenceList::DocumentTypes).await?;
    let present: HashSet<(i64, String)> = document::Entity::find()
        .filter(document::Column::FundingLineId.is_in(lines.iter().map(|(l, _, _)| *l)))
        .filter(document::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|d| d.funding_line_id.map(|l| (l, d.type_code)))
        .collect();
    let mut out = HashMap::new();
    for (line, funder, own) in lines {
        let key = if own { line } else { funder };
        let list: Vec<RequiredDocument> = types
            .iter()
            .filter(|t| asked.contains(&(own, key, t.code.clone())))
            .map(|t| RequiredDocument {
                type_code: t.code.clone(),
                label: t.label.clone(),
                present: present.contains(&(line, t.code.clone())),
            })
            .collect();
        out.insert(line, list);
    }
    Ok(out)
}
