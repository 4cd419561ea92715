//! Sharing projects with partners: shares with partner accounts and share
//! links, their changes and revocation (each an event on the project's
//! timeline), and the shared page's content, cut to the share's sections.
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set, SqlErr, UpdateMany,
};
use serde_json::{Value, json};

use crate::domain::EventKind;
use crate::domain::{Role, Section, ShareSections, ShareState};
use crate::error::AppError;
use crate::models::{
    CreatedShare, CurrentUser, OfficerContact, PartnerAccount, ProjectShares, ShareSettings,
    ShareTarget, ShareView, SharedFunder, SharedFunding, SharedMilestone, SharedNote,
    SharedPartner, SharedProject, SharedProjectSummary,
};
use crate::policy::{ProjectAccess, may_read};
use crate::server::entities::projects::{milestone, note, project};
use crate::server::entities::share;
use crate::server::entities::user;
use crate::server::services::change::Change;
use crate::server::services::change::project_exists;
use crate::server::services::directory::{names, partners};
use crate::server::services::{funding, projects};
use crate::server::share_token;

fn section_codes(sections: ShareSections) -> Value {
    Value::from(
        sections
            .shown()
            .into_iter()
            .map(Section::as_str)
            .collect::<Vec<_>>(),
    )
}

/// The accounts the "Partage" section names, in two queries: those the
/// project's shares are with (whatever they have become since: they still
/// are the ones shared with), by id; and the active partner accounts one
/// may share with (for the form), by name.
async fn partner_accounts(
    db: &impl ConnectionTrait,
    shared_with: Vec<i64>,
) -> Result<(HashMap<i64, PartnerAccount>, Vec<PartnerAccount>), AppError> {
    let eligible = Condition::all()
        .add(user::Column::Role.eq(Role::Partner))
        .add(user::Column::Active.eq(true));
    let accounts = user::Entity::find()
        .filter(
            Condition::any()
                .add(user::Column::Id.is_in(shared_with))
                .add(eligible),
        )
        .all(db)
        .await?;
    let names =
        names::organisation_names(db, accounts.iter().filter_map(|a| a.organisation_id)).await?;
    let mut choices = Vec::new();
    let mut by_id = HashMap::new();
    for a in accounts {
        let account = PartnerAccount {
            id: a.id,
            organisation: a.organisation_id.and_then(|id| names.get(&id).cloned()),
            display_name: a.display_name,
            email: a.email,
        };
        if a.role == Role::Partner && a.active {
            choices.push(account.clone());
        }
        by_id.insert(a.id, account);
    }
    choices.sort_by(|a, b| a.display_name.cmp(&b.display_name).then(a.id.cmp(&b.id)));
    Ok((by_id, choices))
}

/// The "Partage" section of a project page: every share (live ones first,
/// newest first), and the partner accounts one may share with.
pub async fn list(
    db: &DatabaseConnection,
    project_id: i64,
    today: NaiveDate,
) -> Result<ProjectShares, AppError> {
    project::Entity::find_by_id(project_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    shares_of(db, project_id, today).await
}

/// The shares of a project known to exist.
pub async fn shares_of(
    db: &impl ConnectionTrait,
    project_id: i64,
    today: NaiveDate,
) -> Result<ProjectShares, AppError> {
    let rows = share::Entity::find()
        .filter(share::Column::ProjectId.eq(project_id))
        .order_by_desc(share::Column::CreatedAt)
        .order_by_desc(share::Column::Id)
        .all(db)
        .await?;
    let (accounts, partner_accounts) =
        partner_accounts(db, rows.iter().filter_map(|r| r.user_id).collect()).await?;
    let creators =
        projects::user_names(db, rows.iter().filter_map(|r| r.created_by).collect()).await?;
    let mut shares: Vec<ShareView> = rows
        .into_iter()
        .map(|r| ShareView {
            id: r.id,
            account: r.user_id.and_then(|id| accounts.get(&id).cloned()),
            label: r.label.clone(),
            sections: r.sections(),
            expires_on: r.expires_on,
            state: r.state(today),
            use_count: r.use_count,
            last_used_at: r.last_used_at,
            created_by: r.created_by.and_then(|id| creators.get(&id).cloned()),
            created_at: r.created_at,
        })
        .collect();
    shares.sort_by_key(|s| s.state != ShareState::Active);
    Ok(ProjectShares {
        project_id,
        shares,
        partner_accounts,
        as_of: today,
    })
}

/// Who a share is for, in the timeline's words: the account's name, or
/// "lien « label »".
fn who(target_account: Option<&user::Model>, label: &str) -> String {
    match target_account {
        Some(account) => account.display_name.clone(),
        None if label.is_empty() => rust_i18n::t!("share.link").into_owned(),
        None => format!("{} «\u{a0}{label}\u{a0}»", rust_i18n::t!("share.link")),
    }
}

/// Shares a project with a partner account or by a new link. A link's
/// token is returned once; only its digest is stored.
pub async fn create(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    project_id: i64,
    target: ShareTarget,
    settings: ShareSettings,
    now: DateTime<Utc>,
) -> Result<CreatedShare, AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    let txn = change.txn();
    project_exists(txn, project_id).await?;
    let account = match target {
        ShareTarget::Account(id) => {
            let account = user::Entity::find_by_id(id)
                .one(txn)
                .await?
                .filter(|u| u.role == Role::Partner && u.active)
                .ok_or_else(|| {
                    AppError::validation("user_id", rust_i18n::t!("share.error.not_a_partner"))
                })?;
            let live = share::Entity::find()
                .filter(share::Column::ProjectId.eq(project_id))
                .filter(share::Column::UserId.eq(id))
                .filter(share::Column::RevokedAt.is_null())
                .one(txn)
                .await?;
            if live.is_some() {
                return Err(already_shared());
            }
            Some(account)
        }
        ShareTarget::Link => None,
    };
    let (token, digest) = match target {
        ShareTarget::Link => {
            let (token, digest) = share_token::generate();
            (Some(token), Some(digest))
        }
        ShareTarget::Account(_) => (None, None),
    };
    let sections = settings.sections;
    let row = share::ActiveModel {
        project_id: Set(project_id),
        user_id: Set(account.as_ref().map(|a| a.id)),
        token_digest: Set(digest),
        label: Set(settings.label.clone()),
        expires_on: Set(settings.expires_on),
        revoked_at: Set(None),
        show_milestones: Set(sections.milestones),
        show_notes: Set(sections.notes),
        show_funding: Set(sections.funding),
        show_partners: Set(sections.partners),
        use_count: Set(0),
        last_used_at: Set(None),
        created_by: Set(Some(actor.id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let row = match row.insert(txn).await {
        Ok(row) => row,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(already_shared());
        }
        Err(err) => return Err(err.into()),
    };
    change.record(
        project_id,
        EventKind::ShareCreated,
        json!({
            "share_id": row.id,
            "target": if account.is_some() { "account" } else { "link" },
            "who": who(account.as_ref(), &settings.label),
            "label": settings.label,
            "sections": section_codes(sections),
            "expires_on": settings.expires_on,
        }),
    );
    change.commit().await?;
    Ok(CreatedShare {
        share_id: row.id,
        token,
        url: None,
    })
}

fn already_revoked() -> AppError {
    AppError::Conflict(rust_i18n::t!("share.error.already_revoked").into_owned())
}

/// Runs `update` on share `share_id` only if it is not revoked: a
/// compare-and-set, so that of two writers at once the one that commits
/// second finds the share revoked and is refused.
async fn update_live(
    txn: &DatabaseTransaction,
    share_id: i64,
    update: UpdateMany<share::Entity>,
) -> Result<(), AppError> {
    let done = update
        .filter(share::Column::Id.eq(share_id))
        .filter(share::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(already_revoked());
    }
    Ok(())
}

fn already_shared() -> AppError {
    AppError::validation("user_id", rust_i18n::t!("share.error.already_shared"))
}

/// A live share of the project, or why not.
async fn live_share(
    txn: &impl ConnectionTrait,
    share_id: i64,
    today: NaiveDate,
) -> Result<(share::Model, Option<user::Model>), AppError> {
    let row = share::Entity::find_by_id(share_id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.state(today) == ShareState::Revoked {
        return Err(already_revoked());
    }
    let account = match row.user_id {
        Some(id) => user::Entity::find_by_id(id).one(txn).await?,
        None => None,
    };
    Ok((row, account))
}

/// Changes a share's label, expiry and sections (an expired share can be
/// given a new expiry; a revoked one stays revoked).
pub async fn change(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    share_id: i64,
    settings: ShareSettings,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    let txn = change.txn();
    let (row, account) = live_share(txn, share_id, crate::server::clock::local_date(now)).await?;
    let project_id = row.project_id;
    let before = row.sections();
    let before_expiry = row.expires_on;
    // A new last day cannot be past; an expired share keeps its own while
    // its label or sections change.
    if settings.expires_on != before_expiry
        && settings
            .expires_on
            .is_some_and(|d| d < crate::server::clock::local_date(now))
    {
        return Err(AppError::validation(
            "expires_on",
            rust_i18n::t!("share.error.expiry_past"),
        ));
    }
    // Compare-and-set on "not revoked": a revocation that commits first wins.
    let sections = settings.sections;
    let update = share::Entity::update_many()
        .col_expr(share::Column::Label, Expr::value(settings.label.clone()))
        .col_expr(share::Column::ExpiresOn, Expr::value(settings.expires_on))
        .col_expr(
            share::Column::ShowMilestones,
            Expr::value(sections.milestones),
        )
        .col_expr(share::Column::ShowNotes, Expr::value(sections.notes))
        .col_expr(share::Column::ShowFunding, Expr::value(sections.funding))
        .col_expr(share::Column::ShowPartners, Expr::value(sections.partners))
        .col_expr(share::Column::UpdatedAt, Expr::value(now));
    update_live(txn, share_id, update).await?;
    change.record(
        project_id,
        EventKind::ShareChanged,
        json!({
            "share_id": share_id,
            "who": who(account.as_ref(), &settings.label),
            "sections_before": section_codes(before),
            "sections": section_codes(settings.sections),
            "expires_on_before": before_expiry,
            "expires_on": settings.expires_on,
        }),
    );
    change.commit().await?;
    Ok(())
}

/// Revokes a share at once: its link or account stops reaching the project.
pub async fn revoke(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    share_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut change = Change::begin(db, actor, now).await?;
    let txn = change.txn();
    let (row, account) = live_share(txn, share_id, crate::server::clock::local_date(now)).await?;
    // Compare-and-set: two revocations at once write one event.
    let update = share::Entity::update_many()
        .col_expr(share::Column::RevokedAt, Expr::value(now))
        .col_expr(share::Column::UpdatedAt, Expr::value(now));
    update_live(txn, share_id, update).await?;
    change.record(
        row.project_id,
        EventKind::ShareRevoked,
        json!({ "share_id": share_id, "who": who(account.as_ref(), &row.label) }),
    );
    change.commit().await?;
    Ok(())
}

/// Why a link does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    /// No such link (or not a token at all): 404.
    Unknown,
    /// Revoked or expired: 410.
    Gone(ShareState),
}

/// The share behind a link's token, whatever its state.
async fn find_link(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<share::Model>, AppError> {
    if !share_token::well_formed(token) {
        return Ok(None);
    }
    let digest = share_token::digest(token);
    let Some(row) = share::Entity::find()
        .filter(share::Column::TokenDigest.eq(digest.as_str()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    // The lookup is by SHA-256 digest, so its timing says nothing an
    // attacker can use about a token; the digest is checked once more in
    // constant time all the same.
    Ok(row
        .token_digest
        .as_deref()
        .is_some_and(|stored| share_token::matches(token, stored))
        .then_some(row))
}

/// Why a share that is no longer live does not open: revoked or expired.
fn gone(state: ShareState) -> LinkRefusal {
    LinkRefusal::Gone(match state {
        ShareState::Active => ShareState::Revoked,
        gone => gone,
    })
}

/// The live share behind a link's token; counts the use.
pub async fn open_link(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Result<share::Model, LinkRefusal>, AppError> {
    let Some(row) = find_link(db, token).await? else {
        return Ok(Err(LinkRefusal::Unknown));
    };
    if count_live_use(db, row.id, now).await? {
        Ok(Ok(row))
    } else {
        // Revoked or expired, possibly an instant ago: read it again to say which.
        let state = share::Entity::find_by_id(row.id)
            .one(db)
            .await?
            .map_or(ShareState::Revoked, |r| {
                r.state(crate::server::clock::local_date(now))
            });
        Ok(Err(gone(state)))
    }
}

/// The live share behind a link's token, without counting a use: the
/// project's calendar feed, which a calendar client reads every hour.
pub async fn live_link(
    db: &impl ConnectionTrait,
    token: &str,
    today: NaiveDate,
) -> Result<Result<share::Model, LinkRefusal>, AppError> {
    Ok(match find_link(db, token).await? {
        None => Err(LinkRefusal::Unknown),
        Some(row) => match row.state(today) {
            ShareState::Active => Ok(row),
            state => Err(gone(state)),
        },
    })
}

/// The partner account's live share of a project, if any.
pub async fn account_share(
    db: &impl ConnectionTrait,
    user_id: i64,
    project_id: i64,
    today: NaiveDate,
) -> Result<Option<share::Model>, AppError> {
    Ok(share::Entity::find()
        .filter(share::Column::ProjectId.eq(project_id))
        .filter(share::Column::UserId.eq(user_id))
        .filter(share::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .filter(|s| s.state(today) == ShareState::Active))
}

/// Counts one use of a share if it is live at this instant, in one
/// conditional update (so a revocation or expiry that lands between the
/// read and the page is honoured); false when it is not live.
pub async fn count_live_use(
    db: &impl ConnectionTrait,
    share_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let done = share::Entity::update_many()
        .col_expr(
            share::Column::UseCount,
            Expr::col(share::Column::UseCount).add(1),
        )
        .col_expr(share::Column::LastUsedAt, Expr::value(now))
        .filter(share::Column::Id.eq(share_id))
        .filter(share::Column::RevokedAt.is_null())
        .filter(
            share::Column::ExpiresOn
                .is_null()
                .or(share::Column::ExpiresOn.gte(crate::server::clock::local_date(now))),
        )
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Exactly the projects shared with a partner account by a live share.
pub async fn shared_with(
    db: &impl ConnectionTrait,
    user_id: i64,
    today: NaiveDate,
) -> Result<Vec<SharedProjectSummary>, AppError> {
    let shares: Vec<share::Model> = share::Entity::find()
        .filter(share::Column::UserId.eq(user_id))
        .filter(share::Column::RevokedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .filter(|s| s.state(today) == ShareState::Active)
        .collect();
    let ids: Vec<i64> = shares.iter().map(|s| s.project_id).collect();
    let projects: HashMap<i64, project::Model> = project::Entity::find()
        .filter(project::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut communes = projects::project_communes(db, ids).await?;
    let mut out = Vec::with_capacity(shares.len());
    for s in shares {
        let Some(p) = projects.get(&s.project_id) else {
            continue;
        };
        out.push(SharedProjectSummary {
            project_id: p.id,
            title: p.title.clone(),
            stage: p.stage,
            communes: communes.remove(&p.id).unwrap_or_default(),
            shared_on: crate::server::clock::local_date(s.created_at),
            expires_on: s.expires_on,
        });
    }
    out.sort_by(|a, b| a.title.cmp(&b.title).then(a.project_id.cmp(&b.project_id)));
    Ok(out)
}

/// The shared page of a project for a reader with `access`: the summary,
/// plus the sections the policy lets them read. A hidden section is not
/// loaded at all; a shown one is cut to what a partner may read before it
/// leaves this function (no line notes, no people, no versions).
pub async fn shared_project(
    db: &DatabaseConnection,
    structure: &str,
    project_id: i64,
    access: ProjectAccess,
    expires_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<SharedProject, AppError> {
    let sections = match access {
        ProjectAccess::Shared(sections) => sections,
        ProjectAccess::Full | ProjectAccess::Denied => return Err(AppError::NotFound),
    };
    let shows = |section| may_read(access, section);
    let row = project::Entity::find_by_id(project_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let communes = projects::project_communes(db, vec![project_id])
        .await?
        .remove(&project_id)
        .unwrap_or_default();
    let officer = match row.lead_officer_id {
        Some(id) => user::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|u| u.active)
            .map(|u| OfficerContact {
                name: u.display_name,
                email: u.email,
            }),
        None => None,
    };

    let (mut upcoming, mut past) = (Vec::new(), Vec::new());
    if shows(Section::Milestones) {
        let rows = milestone::Entity::find()
            .filter(milestone::Column::ProjectId.eq(project_id))
            .filter(milestone::Column::Shareable.eq(true))
            .order_by_asc(milestone::Column::DueDate)
            .order_by_asc(milestone::Column::Id)
            .all(db)
            .await?;
        // Done ones are past; the others are still ahead, late or not.
        for m in rows {
            let shared = SharedMilestone {
                late: m.done_date.is_none() && m.due_date < today,
                title: m.title,
                due_date: m.due_date,
                done_date: m.done_date,
            };
            if shared.done_date.is_some() {
                past.push(shared);
            } else {
                upcoming.push(shared);
            }
        }
        past.sort_by_key(|m| std::cmp::Reverse(m.done_date));
    }
    let notes = if shows(Section::Notes) {
        note::Entity::find()
            .filter(note::Column::ProjectId.eq(project_id))
            .filter(note::Column::Shareable.eq(true))
            .order_by_desc(note::Column::NoteDate)
            .order_by_desc(note::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|n| SharedNote {
                note_date: n.note_date,
                body: n.body,
            })
            .collect()
    } else {
        Vec::new()
    };
    let funding = if shows(Section::Funding) {
        let plan = funding::plan(db, project_id, today).await?;
        Some(SharedFunding {
            totals: plan.totals,
            funders: plan
                .lines
                .into_iter()
                .map(|l| SharedFunder {
                    amount_cents: l
                        .amount_granted_cents
                        .or(l.amount_requested_cents)
                        .unwrap_or(l.planned_cents),
                    funder_name: l.funder_name,
                    status: l.status,
                })
                .collect(),
        })
    } else {
        None
    };
    // Organisations only: people's names and contacts stay internal.
    let partners = if shows(Section::Partners) {
        partners::project_partners(db, project_id)
            .await?
            .links
            .into_iter()
            .filter_map(|l| {
                l.organisation.map(|o| SharedPartner {
                    name: o.name,
                    role: l.role.label(),
                })
            })
            .collect()
    } else {
        Vec::new()
    };

    Ok(SharedProject {
        structure: structure.to_owned(),
        title: row.title,
        summary: row.summary,
        stage: row.stage,
        communes,
        owner_name: row.owner_name,
        start_date: row.start_date,
        end_date: row.end_date,
        officer,
        sections,
        upcoming,
        past,
        notes,
        funding,
        partners,
        expires_on,
        as_of: today,
        feed: None,
        documents: Vec::new(),
    })
}
