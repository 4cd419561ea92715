//! Personal data (RGPD): everything held about one person, and erasing
//! them. Both operations are written to `directory_audit`.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde_json::{Value, json};

use crate::domain::AuditAction;
use crate::domain::directory::{names_person, redact_person};
use crate::error::AppError;
use crate::models::{CurrentUser, NamingNote, PersonExport, PersonExportRecord, erased_name};
use crate::server::entities::directory::{
    audit, membership, organisation, person, project_partner,
};
use crate::server::entities::documents::{document, document_version};
use crate::server::entities::funding::funding_line;
use crate::server::entities::projects::{event, milestone, note};
use crate::server::services::directory::partners::involvements_of_person;
use crate::server::services::directory::people::{mandates, memberships};

fn t(key: &str) -> String {
    rust_i18n::t!(key).into_owned()
}

async fn audit(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    action: AuditAction,
    person_id: i64,
    details: Value,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    audit::ActiveModel {
        at: Set(now),
        actor_id: Set(Some(actor.id)),
        action: Set(action),
        person_id: Set(Some(person_id)),
        details: Set(details.to_string()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Journal notes, organisation notes and other people's notes that name
/// the person (first and last name, accent- and case-insensitive).
/// The project documents whose title or a version's file name names `p`
/// (source `document`: the document's id, its project's title, its name).
async fn documents_naming(
    db: &impl ConnectionTrait,
    p: &person::Model,
) -> Result<Vec<NamingNote>, AppError> {
    let (first, last) = (p.first_name.as_str(), p.last_name.as_str());
    let mut found = Vec::new();
    for (d, texts) in documents_with_names(db).await? {
        if texts.iter().any(|t| names_person(t, first, last)) {
            let title = crate::server::services::directory::names::project_refs(
                db,
                std::iter::once(d.project_id),
            )
            .await?
            .remove(&d.project_id)
            .map(|p| p.title)
            .unwrap_or_default();
            found.push(NamingNote {
                source: "document".into(),
                id: d.id,
                title,
                text: texts.join("\n"),
            });
        }
    }
    Ok(found)
}

/// Every document (deleted ones too: their contents are still kept) with
/// its title and its versions' file names.
async fn documents_with_names(
    db: &impl ConnectionTrait,
) -> Result<Vec<(document::Model, Vec<String>)>, AppError> {
    let mut names: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
    for v in document_version::Entity::find().all(db).await? {
        names.entry(v.document_id).or_default().push(v.filename);
    }
    Ok(document::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| {
            let mut texts = vec![d.title.clone()];
            texts.extend(names.remove(&d.id).unwrap_or_default());
            (d, texts)
        })
        .collect())
}

async fn notes_naming(
    db: &impl ConnectionTrait,
    p: &person::Model,
) -> Result<Vec<NamingNote>, AppError> {
    let (first, last) = (p.first_name.as_str(), p.last_name.as_str());
    let mut found = Vec::new();
    // Free text: SQL cannot fold accents alike on both backends, so the
    // notes are scanned here with the same rule as the erasure.
    let journal = note::Entity::find().all(db).await?;
    let titles = crate::server::services::directory::names::project_refs(
        db,
        journal
            .iter()
            .filter(|n| names_person(&n.body, first, last))
            .map(|n| n.project_id),
    )
    .await?;
    for n in journal {
        if names_person(&n.body, first, last) {
            found.push(NamingNote {
                source: "project_note".into(),
                id: n.id,
                title: titles
                    .get(&n.project_id)
                    .map(|p| p.title.clone())
                    .unwrap_or_default(),
                text: n.body,
            });
        }
    }
    for m in milestone::Entity::find().all(db).await? {
        let text = format!("{}\n{}", m.title, m.note);
        if names_person(&text, first, last) {
            found.push(NamingNote {
                source: "milestone".into(),
                id: m.id,
                title: m.title.clone(),
                text: m.note,
            });
        }
    }
    for l in funding_line::Entity::find().all(db).await? {
        if names_person(&l.notes, first, last) {
            found.push(NamingNote {
                source: "funding_line".into(),
                id: l.id,
                title: l.programme,
                text: l.notes,
            });
        }
    }
    for l in project_partner::Entity::find().all(db).await? {
        if names_person(&l.note, first, last) {
            found.push(NamingNote {
                source: "project_partner".into(),
                id: l.id,
                title: String::new(),
                text: l.note,
            });
        }
    }
    for o in organisation::Entity::find().all(db).await? {
        if names_person(&o.notes, first, last) {
            found.push(NamingNote {
                source: "organisation_notes".into(),
                id: o.id,
                title: o.name,
                text: o.notes,
            });
        }
    }
    for other in person::Entity::find()
        .filter(person::Column::Id.ne(p.id))
        .all(db)
        .await?
    {
        if names_person(&other.notes, first, last) {
            found.push(NamingNote {
                source: "person_notes".into(),
                id: other.id,
                title: format!("{} {}", other.first_name, other.last_name),
                text: other.notes,
            });
        }
    }
    Ok(found)
}

/// Everything held about one person (right of access), audited.
pub async fn export(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    person_id: i64,
    now: DateTime<Utc>,
) -> Result<PersonExport, AppError> {
    let p = person::Entity::find_by_id(person_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = crate::server::clock::local_date(now);
    let export = PersonExport {
        exported_at: now,
        memberships: memberships(db, membership::Column::PersonId.eq(person_id), today).await?,
        mandates: mandates(
            db,
            crate::server::entities::directory::mandate::Column::PersonId.eq(person_id),
            today,
        )
        .await?,
        project_links: involvements_of_person(db, person_id).await?,
        notes_naming_them: notes_naming(db, &p).await?,
        documents_naming_them: documents_naming(db, &p).await?,
        person: PersonExportRecord {
            id: p.id,
            first_name: p.first_name,
            last_name: p.last_name,
            job_title: p.job_title,
            email: p.email,
            phone: p.phone,
            notes: p.notes,
            created_at: p.created_at,
            updated_at: p.updated_at,
        },
    };
    audit(
        db,
        actor,
        AuditAction::PersonExported,
        person_id,
        json!({
            "memberships": export.memberships.len(),
            "mandates": export.mandates.len(),
            "project_links": export.project_links.len(),
            "notes": export.notes_naming_them.len(),
            "documents": export.documents_naming_them.len(),
        }),
        now,
    )
    .await?;
    Ok(export)
}

/// Erases a person (right to erasure): their personal fields are emptied
/// and every mention of their name in notes and timeline events is
/// replaced by "personne supprimée". Their links, memberships and mandates
/// stay, shown as "personne supprimée", so project histories stay coherent.
/// Audited with counts, never with the erased values.
pub async fn erase(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    person_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = crate::server::db::begin_write(db).await?;
    let p = person::Entity::find_by_id(person_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if p.erased_at.is_some() {
        return Err(AppError::Conflict(t("directory.already_erased")));
    }
    let replacement = format!("[{}]", erased_name());
    let (first, last) = (p.first_name.clone(), p.last_name.clone());
    let redact = |text: &str| redact_person(text, &first, &last, &replacement);

    // Notes that name them.
    let mut notes_redacted = 0;
    let mut redacted_bodies = std::collections::BTreeMap::new();
    for n in note::Entity::find().all(&*txn).await? {
        if let Some(body) = redact(&n.body) {
            redacted_bodies.insert(n.id, body.clone());
            note::Entity::update_many()
                .col_expr(note::Column::Body, Expr::value(body))
                .filter(note::Column::Id.eq(n.id))
                .exec(&*txn)
                .await?;
            notes_redacted += 1;
        }
    }
    for o in organisation::Entity::find().all(&*txn).await? {
        if let Some(notes) = redact(&o.notes) {
            organisation::Entity::update_many()
                .col_expr(organisation::Column::Notes, Expr::value(notes))
                .filter(organisation::Column::Id.eq(o.id))
                .exec(&*txn)
                .await?;
            notes_redacted += 1;
        }
    }
    for other in person::Entity::find()
        .filter(person::Column::Id.ne(person_id))
        .all(&*txn)
        .await?
    {
        if let Some(notes) = redact(&other.notes) {
            person::Entity::update_many()
                .col_expr(person::Column::Notes, Expr::value(notes))
                .filter(person::Column::Id.eq(other.id))
                .exec(&*txn)
                .await?;
            notes_redacted += 1;
        }
    }
    for m in milestone::Entity::find().all(&*txn).await? {
        let (title, text) = (redact(&m.title), redact(&m.note));
        if title.is_some() || text.is_some() {
            milestone::Entity::update_many()
                .col_expr(
                    milestone::Column::Title,
                    Expr::value(title.unwrap_or(m.title)),
                )
                .col_expr(milestone::Column::Note, Expr::value(text.unwrap_or(m.note)))
                .filter(milestone::Column::Id.eq(m.id))
                .exec(&*txn)
                .await?;
            notes_redacted += 1;
        }
    }
    for l in funding_line::Entity::find().all(&*txn).await? {
        if let Some(text) = redact(&l.notes) {
            funding_line::Entity::update_many()
                .col_expr(funding_line::Column::Notes, Expr::value(text))
                .filter(funding_line::Column::Id.eq(l.id))
                .exec(&*txn)
                .await?;
            notes_redacted += 1;
        }
    }
    let mut links = 0;
    for link in project_partner::Entity::find().all(&*txn).await? {
        if link.person_id == Some(person_id) {
            links += 1;
        }
        if let Some(note) = redact(&link.note) {
            project_partner::Entity::update_many()
                .col_expr(project_partner::Column::Note, Expr::value(note))
                .filter(project_partner::Column::Id.eq(link.id))
                .exec(&*txn)
                .await?;
            notes_redacted += 1;
        }
    }

    // Documents that name them in their title or a file name: gone at once
    // (their contents go with `documents::sweep` after the commit).
    for (d, texts) in documents_with_names(&*txn).await? {
        if texts.iter().any(|t| names_person(t, &first, &last)) {
            document_version::Entity::delete_many()
                .filter(document_version::Column::DocumentId.eq(d.id))
                .exec(&*txn)
                .await?;
            document::Entity::delete_by_id(d.id).exec(&*txn).await?;
            notes_redacted += 1;
        }
    }

    // Timeline events: the only rewrite events ever get. Every text they
    // carry is scanned (partner names, titles, before/after values); a
    // partner event names the person by id; a note's excerpt is cut again
    // from the redacted note, so a name split by the cut goes too.
    let mut events_redacted = 0;
    for e in event::Entity::find().all(&*txn).await? {
        let Ok(mut data) = serde_json::from_str::<Value>(&e.data) else {
            continue;
        };
        let mut changed = redact_json(&mut data, &redact);
        if data.get("person_id").and_then(Value::as_i64) == Some(person_id) {
            data["person"] = Value::String(erased_name());
            changed = true;
        }
        if e.kind == crate::domain::EventKind::NoteAdded
            && let Some(body) = data
                .get("note_id")
                .and_then(Value::as_i64)
                .and_then(|id| redacted_bodies.get(&id))
        {
            data["excerpt"] = Value::String(crate::server::services::journal::excerpt(body));
            changed = true;
        }
        if changed {
            event::Entity::update_many()
                .col_expr(event::Column::Data, Expr::value(data.to_string()))
                .filter(event::Column::Id.eq(e.id))
                .exec(&*txn)
                .await?;
            events_redacted += 1;
        }
    }

    membership::Entity::update_many()
        .col_expr(membership::Column::JobTitle, Expr::value(""))
        .filter(membership::Column::PersonId.eq(person_id))
        .exec(&*txn)
        .await?;
    person::Entity::update_many()
        .col_expr(person::Column::FirstName, Expr::value(""))
        .col_expr(person::Column::LastName, Expr::value(""))
        .col_expr(person::Column::SearchKey, Expr::value(""))
        .col_expr(person::Column::JobTitle, Expr::value(""))
        .col_expr(person::Column::Email, Expr::value(Option::<String>::None))
        .col_expr(person::Column::Phone, Expr::value(Option::<String>::None))
        .col_expr(person::Column::Notes, Expr::value(""))
        .col_expr(person::Column::ErasedAt, Expr::value(Some(now)))
        .col_expr(person::Column::Version, Expr::value(p.version + 1))
        .col_expr(person::Column::UpdatedAt, Expr::value(now))
        .filter(person::Column::Id.eq(person_id))
        .exec(&*txn)
        .await?;
    audit(
        &*txn,
        actor,
        AuditAction::PersonErased,
        person_id,
        json!({
            "project_links": links,
            "notes_redacted": notes_redacted,
            "events_redacted": events_redacted,
        }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Redacts every string inside `value`; whether anything changed.
fn redact_json(value: &mut Value, redact: &impl Fn(&str) -> Option<String>) -> bool {
    match value {
        Value::String(text) => match redact(text) {
            Some(redacted) => {
                *text = redacted;
                true
            }
            None => false,
        },
        Value::Array(items) => {
            // Every item is visited: no short-circuit.
            let mut changed = false;
            for v in items.iter_mut() {
                changed |= redact_json(v, redact);
            }
            changed
        }
        Value::Object(map) => {
            let mut changed = false;
            for v in map.values_mut() {
                changed |= redact_json(v, redact);
            }
            changed
        }
        _ => false,
    }
}
