//! Calendar feeds (issue 20): each staff member's private feed addresses
//! (a token given once, stored hashed, renewable and revocable), and the
//! deadlines a feed publishes: open milestones, applications still to file
//! by their closing date, DETR works-start and completion dates. The
//! iCalendar text itself is written by `server::ical`.
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::domain::Stage;
use crate::domain::calendar::{EntryKind, FeedScope, entry_uid, next_sequence};
use crate::error::AppError;
use crate::models::{CalendarFeedView, CurrentUser};
use crate::server::db::begin_write;
use crate::server::entities::calendar::{calendar_entry, calendar_feed};
use crate::server::entities::projects::{milestone, project};
use crate::server::entities::user;
use crate::server::share_token;

/// Projects read per statement (bound parameters stay far below SQLite's
/// limit whatever the portfolio's size).
const CHUNK: usize = 1000;

/// The user's feeds.
pub async fn feeds_of(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Vec<CalendarFeedView>, AppError> {
    Ok(calendar_feed::Entity::find()
        .filter(calendar_feed::Column::UserId.eq(user_id))
        .order_by_asc(calendar_feed::Column::Scope)
        .all(db)
        .await?
        .into_iter()
        .map(|f| CalendarFeedView {
            scope: f.scope,
            created_at: f.created_at,
        })
        .collect())
}

/// A new address for the actor's feed of `scope`, replacing the one they
/// had (which stops working at once). The token comes back once.
pub async fn create(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    scope: FeedScope,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    if !scope.allowed(actor.role) {
        return Err(AppError::Forbidden);
    }
    let (token, digest) = share_token::generate();
    let txn = begin_write(db).await?;
    // One row per user and scope: a renewal replaces the digest, and two
    // renewals at once both succeed (the last one's address stands).
    calendar_feed::Entity::insert(calendar_feed::ActiveModel {
        user_id: Set(actor.id),
        scope: Set(scope),
        token_digest: Set(digest),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([calendar_feed::Column::UserId, calendar_feed::Column::Scope])
            .update_columns([
                calendar_feed::Column::TokenDigest,
                calendar_feed::Column::CreatedAt,
            ])
            .to_owned(),
    )
    .exec(&*txn)
    .await?;
    txn.commit().await?;
    Ok(token)
}

/// Ends the actor's feed of `scope`; its address answers 404 from now on.
/// Ending a feed that does not exist is not an error.
pub async fn revoke(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    scope: FeedScope,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    calendar_feed::Entity::delete_many()
        .filter(calendar_feed::Column::UserId.eq(actor.id))
        .filter(calendar_feed::Column::Scope.eq(scope))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The feed behind `token` and the account it belongs to, if the token is
/// known and the account may still read it (active, and a role that
/// allows the scope: a head moved back to officer loses the portfolio).
pub async fn open(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<(FeedScope, user::Model)>, AppError> {
    if !share_token::well_formed(token) {
        return Ok(None);
    }
    let Some(feed) = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::TokenDigest.eq(share_token::digest(token)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if !share_token::matches(token, &feed.token_digest) {
        return Ok(None);
    }
    let owner = user::Entity::find_by_id(feed.user_id)
        .one(db)
        .await?
        .filter(|u| u.active && feed.scope.allowed(u.role));
    Ok(owner.map(|u| (feed.scope, u)))
}

/// One deadline as a feed publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    pub uid: String,
    pub kind: EntryKind,
    pub day: NaiveDate,
    /// Grows each time the day moves (`calendar_entries`).
    pub sequence: i32,
    /// When the day last moved (or was first published).
    pub moved_at: DateTime<Utc>,
    pub project_id: i64,
    pub project_title: String,
    /// The milestone's title, or the funder's name.
    pub subject: String,
}

/// The projects under way, for the portfolio's feed.
async fn projects_of(db: &impl ConnectionTrait) -> Result<Vec<(i64, String)>, AppError> {
    Ok(project::Entity::find()
        .select_only()
        .columns([project::Column::Id, project::Column::Title])
        .filter(
            project::Column::Stage
                .is_not_in([Stage::Completed.as_str(), Stage::Abandoned.as_str()]),
        )
        .order_by_asc(project::Column::Id)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?)
}

/// One deadline someone answers for (a feed's entry, a reminder, a line
/// of a digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub uid: String,
    pub kind: EntryKind,
    pub day: NaiveDate,
    pub project_id: i64,
    pub project_title: String,
    /// The milestone's title, or the funder's name.
    pub subject: String,
}

/// Every deadline of the feed `scope` of `owner_id`, soonest first, past
/// ones included: for « mine », the open milestones and funding deadlines
/// they answer for (named, or as lead officer when no one active is); for
/// the portfolio, every open milestone, application still to file and DETR
/// date of the projects under way.
pub async fn deadlines(
    db: &impl ConnectionTrait,
    scope: FeedScope,
    owner_id: i64,
    domain: &str,
    today: NaiveDate,
) -> Result<Vec<Deadline>, AppError> {
    let mut titles: HashMap<i64, String> = HashMap::new();
    let mut found: Vec<(String, EntryKind, NaiveDate, i64, String)> = Vec::new();
    let milestone_entry = |m: milestone::Model| {
        (
            entry_uid(EntryKind::Milestone, m.id, domain),
            EntryKind::Milestone,
            m.due_date,
            m.project_id,
            m.title,
        )
    };
    let funding_entry = |d: crate::models::FundingDeadline| {
        let kind = match d.kind.as_str() {
            "application" => EntryKind::Application,
            "detr_start" => EntryKind::DetrStart,
            "detr_completion" => EntryKind::DetrCompletion,
            other => {
                tracing::error!(kind = other, "unknown funding deadline kind");
                return None;
            }
        };
        Some((
            entry_uid(kind, d.line_id, domain),
            kind,
            d.date,
            d.project_id,
            d.funder_name,
        ))
    };
    match scope {
        FeedScope::Mine => {
            // What they answer for: milestones assigned to them on any
            // project, or unassigned on the projects they lead; funding lines
            // likewise (`funding::deadlines_of`).
            for (m, title) in super::assignments::open_milestones_of(db, owner_id, None).await? {
                titles.entry(m.project_id).or_insert(title);
                found.push(milestone_entry(m));
            }
            for d in super::funding::deadlines_of(db, owner_id, today, NaiveDate::MAX).await? {
                titles
                    .entry(d.project_id)
                    .or_insert_with(|| d.project_title.clone());
                found.extend(funding_entry(d));
            }
        }
        FeedScope::Portfolio => {
            let projects = projects_of(db).await?;
            titles.extend(projects.iter().cloned());
            for chunk in projects.chunks(CHUNK) {
                let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
                let chunk_titles: HashMap<i64, String> = chunk.iter().cloned().collect();
                for m in milestone::Entity::find()
                    .filter(milestone::Column::ProjectId.is_in(ids.clone()))
                    .filter(milestone::Column::DoneDate.is_null())
                    .all(db)
                    .await?
                {
                    found.push(milestone_entry(m));
                }
                for d in
                    super::funding::deadlines_until(db, &ids, &chunk_titles, today, NaiveDate::MAX)
                        .await?
                {
                    found.extend(funding_entry(d));
                }
            }
        }
    }
    let mut out: Vec<Deadline> = found
        .into_iter()
        .map(|(uid, kind, day, project_id, subject)| Deadline {
            kind,
            day,
            project_title: titles.get(&project_id).cloned().unwrap_or_default(),
            project_id,
            subject,
            uid,
        })
        .collect();
    out.sort_by(|a, b| a.day.cmp(&b.day).then_with(|| a.uid.cmp(&b.uid)));
    Ok(out)
}

/// Every deadline of the feed, soonest first, each with the sequence it is
/// published under (recorded on the way: see `publish`).
pub async fn entries(
    db: &DatabaseConnection,
    scope: FeedScope,
    owner: &user::Model,
    domain: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<FeedEntry>, AppError> {
    let found = deadlines(db, scope, owner.id, domain, today).await?;
    let published = publish(db, found.iter().map(|d| (d.uid.clone(), d.day)), now).await?;
    Ok(found
        .into_iter()
        .map(|d| {
            let (sequence, moved_at) = published.get(&d.uid).copied().unwrap_or((0, now));
            FeedEntry {
                kind: d.kind,
                day: d.day,
                sequence,
                moved_at,
                project_title: d.project_title,
                project_id: d.project_id,
                subject: d.subject,
                uid: d.uid,
            }
        })
        .collect())
}

/// Records the day each entry is published on and returns its sequence and
/// when it last moved: a new entry starts at 0, a moved one goes up by one
/// (`next_sequence`). Writes only when something is new or moved; two
/// readers publishing the same move at once raise it once (the update only
/// applies while the stored day differs).
async fn publish(
    db: &DatabaseConnection,
    entries: impl Iterator<Item = (String, NaiveDate)>,
    now: DateTime<Utc>,
) -> Result<HashMap<String, (i32, DateTime<Utc>)>, AppError> {
    let wanted: Vec<(String, NaiveDate)> = entries.collect();
    let stored = stored_entries(db, wanted.iter().map(|(uid, _)| uid.clone())).await?;
    // In UID order: two readers writing the same entries take their row
    // locks in the same order (no deadlock on PostgreSQL).
    let mut changed: Vec<&(String, NaiveDate)> = wanted
        .iter()
        .filter(|(uid, day)| {
            let before = stored.get(uid).map(|e| (e.day, e.sequence));
            next_sequence(before, *day).1
        })
        .collect();
    changed.sort();
    changed.dedup();
    let mut out: HashMap<String, (i32, DateTime<Utc>)> = stored
        .into_iter()
        .map(|(uid, e)| (uid, (e.sequence, e.moved_at)))
        .collect();
    if changed.is_empty() {
        return Ok(out);
    }
    let txn = begin_write(db).await?;
    for (uid, day) in &changed {
        calendar_entry::Entity::insert(calendar_entry::ActiveModel {
            uid: Set(uid.clone()),
            day: Set(*day),
            sequence: Set(0),
            moved_at: Set(now),
        })
        .on_conflict_do_nothing_on([calendar_entry::Column::Uid])
        .exec(&*txn)
        .await?;
        calendar_entry::Entity::update_many()
            .col_expr(calendar_entry::Column::Day, Expr::value(*day))
            .col_expr(
                calendar_entry::Column::Sequence,
                Expr::col(calendar_entry::Column::Sequence).add(1),
            )
            .col_expr(calendar_entry::Column::MovedAt, Expr::value(now))
            .filter(calendar_entry::Column::Uid.eq(uid.clone()))
            .filter(calendar_entry::Column::Day.ne(*day))
            .exec(&*txn)
            .await?;
    }
    // Read back inside the transaction: the day and sequence this answer
    // publishes are the ones it wrote or found, never a later writer's.
    let again = stored_entries(&*txn, changed.iter().map(|(uid, _)| uid.clone())).await?;
    txn.commit().await?;
    out.extend(
        again
            .into_iter()
            .map(|(uid, e)| (uid, (e.sequence, e.moved_at))),
    );
    Ok(out)
}

async fn stored_entries(
    db: &impl ConnectionTrait,
    uids: impl Iterator<Item = String>,
) -> Result<HashMap<String, calendar_entry::Model>, AppError> {
    let uids: Vec<String> = uids.collect();
    let mut out = HashMap::with_capacity(uids.len());
    for chunk in uids.chunks(CHUNK) {
        for e in calendar_entry::Entity::find()
            .filter(calendar_entry::Column::Uid.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            out.insert(e.uid.clone(), e);
        }
    }
    Ok(out)
}
