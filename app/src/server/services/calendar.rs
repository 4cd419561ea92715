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
    QuerySelect, QueryTrait, Set,
};

use crate::domain::Stage;
use crate::domain::calendar::{EntryKind, FeedScope, entry_uid, next_sequence};
use crate::error::AppError;
use crate::models::{CalendarFeedView, CurrentUser, DashboardChoices, DashboardFilter, FeedFilter};
use crate::server::db::begin_write;
use crate::server::entities::calendar::{calendar_entry, calendar_feed};
use crate::server::entities::projects::{milestone, project};
use crate::server::entities::user;
use crate::server::share_token;

/// Projects read per statement (bound parameters stay far below SQLite's
/// limit whatever the portfolio's size).
const CHUNK: usize = 1000;

/// The user's feeds, a filter's described in words.
pub async fn feeds_of(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Vec<CalendarFeedView>, AppError> {
    let rows = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::UserId.eq(user_id))
        .order_by_asc(calendar_feed::Column::Scope)
        .order_by_asc(calendar_feed::Column::CreatedAt)
        .all(db)
        .await?;
    let choices = if rows.iter().any(|f| !f.filter.is_empty()) {
        Some(super::dashboard::choices(db).await?)
    } else {
        None
    };
    Ok(rows
        .into_iter()
        .map(|f| {
            let filter = (!f.filter.is_empty()).then(|| {
                let parsed = parse_filter(&f.filter);
                FeedFilter {
                    label: choices
                        .as_ref()
                        .map(|c| describe_filter(&parsed, c))
                        .unwrap_or_default(),
                    filter: parsed,
                }
            });
            CalendarFeedView {
                scope: f.scope,
                created_at: f.created_at,
                filter,
            }
        })
        .collect())
}

/// The name of `feed` of `owner` in the reader's calendar list.
pub async fn feed_name(
    db: &impl ConnectionTrait,
    feed: &calendar_feed::Model,
    owner: &user::Model,
    structure: &str,
) -> Result<String, AppError> {
    let criteria = if feed.scope == FeedScope::Filter {
        let choices = super::dashboard::choices(db).await?;
        describe_filter(&parse_filter(&feed.filter), &choices)
    } else {
        String::new()
    };
    Ok(crate::server::ical::feed_name(
        feed.scope,
        &owner.display_name,
        structure,
        &criteria,
    ))
}

/// A dashboard filter as a feed keeps it: its criteria without the
/// « depuis le… » date, which changes no deadline. `None` without any
/// criterion (that is the portfolio's feed).
pub fn feed_filter(filter: &DashboardFilter) -> Option<String> {
    let query = DashboardFilter {
        since: None,
        ..filter.clone()
    }
    .query();
    (!query.is_empty()).then_some(query)
}

/// A stored filter back (bad values dropped, as from a hand-edited URL).
pub fn parse_filter(query: &str) -> DashboardFilter {
    DashboardFilter::from_params(|k| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.into_owned())
    })
}

/// A feed's criteria must be among the dashboard's choices (a feed of an
/// unknown programme would stay empty for ever): each one outside them is
/// refused on its field.
fn check_criteria(filter: &DashboardFilter, choices: &DashboardChoices) -> Result<(), AppError> {
    let mut errors = crate::error::FieldErrors::default();
    let known = |list: &[crate::models::Labelled], code: &Option<String>| {
        code.as_deref()
            .is_none_or(|c| list.iter().any(|l| l.code.eq_ignore_ascii_case(c.trim())))
    };
    let unknown = rust_i18n::t!("calendar.criterion_unknown");
    for (field, ok) in [
        ("programme", known(&choices.programmes, &filter.programme)),
        ("theme", known(&choices.themes, &filter.theme)),
        ("epci", known(&choices.epcis, &filter.epci)),
        (
            "stage",
            filter
                .stage
                .as_deref()
                .is_none_or(|s| s.trim().parse::<Stage>().is_ok()),
        ),
    ] {
        if !ok {
            errors.add(field, unknown.clone());
        }
    }
    for (field, person) in [("officer", filter.officer), ("assignee", filter.assignee)] {
        if person.is_some_and(|id| !choices.officers.iter().any(|(o, _)| *o == id)) {
            errors.add(field, rust_i18n::t!("milestone.unknown_assignee"));
        }
    }
    errors.into_result()
}

/// A filter's criteria in words, from the dashboard's choices: « PVD ·
/// Financement · confié à Claire Martin ».
pub fn describe_filter(filter: &DashboardFilter, choices: &DashboardChoices) -> String {
    let label = |list: &[crate::models::Labelled], code: &Option<String>| {
        code.as_deref().map(|code| {
            list.iter()
                .find(|l| l.code.eq_ignore_ascii_case(code.trim()))
                .map_or_else(|| code.to_owned(), |l| l.label.clone())
        })
    };
    let person = |id: Option<i64>| {
        id.map(|id| {
            choices
                .officers
                .iter()
                .find(|(o, _)| *o == id)
                .map_or_else(|| format!("n° {id}"), |(_, name)| name.clone())
        })
    };
    let stage = filter.stage.as_deref().map(|code| {
        code.parse::<Stage>()
            .map_or_else(|_| code.to_owned(), |s| s.label())
    });
    [
        label(&choices.programmes, &filter.programme),
        label(&choices.themes, &filter.theme),
        label(&choices.epcis, &filter.epci),
        person(filter.officer)
            .map(|n| rust_i18n::t!("calendar.criteria.officer", name = n).into_owned()),
        person(filter.assignee)
            .map(|n| rust_i18n::t!("calendar.criteria.assignee", name = n).into_owned()),
        stage,
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ")
}

/// A new address for the actor's feed of `scope`, replacing the one they
/// had (which stops working at once). The token comes back once.
pub async fn create(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    scope: FeedScope,
    filter: Option<&DashboardFilter>,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    if !scope.allowed(actor.role) {
        return Err(AppError::Forbidden);
    }
    // A filter's feed keeps its criteria; the other scopes have none.
    let kept = match scope {
        FeedScope::Filter => {
            let filter = filter.cloned().unwrap_or_default().validated()?;
            check_criteria(&filter, &super::dashboard::choices(db).await?)?;
            feed_filter(&filter).ok_or_else(|| {
                AppError::validation("filter", rust_i18n::t!("calendar.filter_empty"))
            })?
        }
        FeedScope::Mine | FeedScope::Portfolio => String::new(),
    };
    let (token, digest) = share_token::generate();
    let txn = begin_write(db).await?;
    // One row per user and scope: a renewal replaces the digest, and two
    // renewals at once both succeed (the last one's address stands).
    calendar_feed::Entity::insert(calendar_feed::ActiveModel {
        user_id: Set(actor.id),
        scope: Set(scope),
        token_digest: Set(digest),
        created_at: Set(now),
        filter: Set(kept),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            calendar_feed::Column::UserId,
            calendar_feed::Column::Scope,
            calendar_feed::Column::Filter,
        ])
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

/// Ends the actor's feed of `scope` (of `filter`, for a filter's feed);
/// its address answers 404 from now on. Ending a feed that does not exist
/// is not an error.
pub async fn revoke(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    scope: FeedScope,
    filter: Option<&DashboardFilter>,
) -> Result<(), AppError> {
    let kept = match scope {
        FeedScope::Filter => filter.and_then(feed_filter).unwrap_or_default(),
        FeedScope::Mine | FeedScope::Portfolio => String::new(),
    };
    let txn = begin_write(db).await?;
    calendar_feed::Entity::delete_many()
        .filter(calendar_feed::Column::UserId.eq(actor.id))
        .filter(calendar_feed::Column::Scope.eq(scope))
        .filter(calendar_feed::Column::Filter.eq(kept))
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
) -> Result<Option<(calendar_feed::Model, user::Model)>, AppError> {
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
    Ok(owner.map(|u| (feed, u)))
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

/// The projects under way (of `filter`, when given), for the portfolio's
/// feed and a filter's.
async fn projects_of(
    db: &impl ConnectionTrait,
    filter: Option<&DashboardFilter>,
    today: NaiveDate,
) -> Result<Vec<(i64, String)>, AppError> {
    let kept = filter.map(|f| {
        super::project_filter::condition(
            &crate::models::ProjectFilter {
                active: true,
                ..f.projects()
            },
            today,
        )
    });
    Ok(project::Entity::find()
        .select_only()
        .columns([project::Column::Id, project::Column::Title])
        .filter(
            project::Column::Stage
                .is_not_in([Stage::Completed.as_str(), Stage::Abandoned.as_str()]),
        )
        .apply_if(kept, QueryFilter::filter)
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
/// date of the projects under way; for a filter, the same of the projects
/// under way that the dashboard keeps with `filter` (a stored query).
pub async fn deadlines(
    db: &impl ConnectionTrait,
    scope: FeedScope,
    owner_id: i64,
    filter: &str,
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
        let kind = funding_kind(&d.kind)?;
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
        FeedScope::Portfolio | FeedScope::Filter => {
            let kept = (scope == FeedScope::Filter).then(|| parse_filter(filter));
            let projects = projects_of(db, kept.as_ref(), today).await?;
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

/// The deadlines of one shared project as its share lets partners see
/// them, soonest first, with the project's title: its open milestones marked shareable when the share
/// shows the milestones; its applications still to file and DETR dates
/// when it shows the funding. Nothing else (no other milestone, no
/// internal note) reaches the feed.
pub async fn shared_deadlines(
    db: &impl ConnectionTrait,
    project_id: i64,
    sections: crate::domain::ShareSections,
    domain: &str,
    today: NaiveDate,
) -> Result<(String, Vec<Deadline>), AppError> {
    let Some(title) = project::Entity::find_by_id(project_id)
        .select_only()
        .column(project::Column::Title)
        .into_tuple::<String>()
        .one(db)
        .await?
    else {
        return Err(AppError::NotFound);
    };
    let mut out = Vec::new();
    if sections.milestones {
        for m in milestone::Entity::find()
            .filter(milestone::Column::ProjectId.eq(project_id))
            .filter(milestone::Column::Shareable.eq(true))
            .filter(milestone::Column::DoneDate.is_null())
            .all(db)
            .await?
        {
            out.push(Deadline {
                uid: entry_uid(EntryKind::Milestone, m.id, domain),
                kind: EntryKind::Milestone,
                day: m.due_date,
                project_id,
                project_title: title.clone(),
                subject: m.title,
            });
        }
    }
    if sections.funding {
        let titles = HashMap::from([(project_id, title.clone())]);
        for d in super::funding::deadlines_until(db, &[project_id], &titles, today, NaiveDate::MAX)
            .await?
        {
            if let Some(kind) = funding_kind(&d.kind) {
                out.push(Deadline {
                    uid: entry_uid(kind, d.line_id, domain),
                    kind,
                    day: d.date,
                    project_id,
                    project_title: title.clone(),
                    subject: d.funder_name,
                });
            }
        }
    }
    out.sort_by(|a, b| a.day.cmp(&b.day).then_with(|| a.uid.cmp(&b.uid)));
    Ok((title, out))
}

/// The entry kind of a funding deadline's kind.
fn funding_kind(kind: &str) -> Option<EntryKind> {
    match kind {
        "application" => Some(EntryKind::Application),
        "detr_start" => Some(EntryKind::DetrStart),
        "detr_completion" => Some(EntryKind::DetrCompletion),
        other => {
            tracing::error!(kind = other, "unknown funding deadline kind");
            None
        }
    }
}

/// Every deadline of the feed, soonest first, each with the sequence it is
/// published under (recorded on the way: see `publish`).
pub async fn entries(
    db: &DatabaseConnection,
    feed: &calendar_feed::Model,
    domain: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<FeedEntry>, AppError> {
    let found = deadlines(db, feed.scope, feed.user_id, &feed.filter, domain, today).await?;
    published(db, found, now).await
}

/// `found`, each with the sequence it is published under (recorded on the
/// way: see `publish`).
pub async fn published(
    db: &DatabaseConnection,
    found: Vec<Deadline>,
    now: DateTime<Utc>,
) -> Result<Vec<FeedEntry>, AppError> {
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

/// How long past its day an entry's sequence is kept.
pub const KEPT_DAYS: i64 = 400;

/// Forgets the entries of days more than `KEPT_DAYS` before `today`; how
/// many. A deadline that old still open is published again at sequence 0
/// on the same day, which a client shows unchanged.
pub async fn prune(db: &DatabaseConnection, today: NaiveDate) -> Result<u64, AppError> {
    let done = calendar_entry::Entity::delete_many()
        .filter(calendar_entry::Column::Day.lt(today - chrono::Duration::days(KEPT_DAYS)))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}
