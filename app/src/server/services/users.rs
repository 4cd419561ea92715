//! Accounts: creation, listing, authentication with per-account throttling.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    SqlErr,
};

use crate::domain::Email;
use crate::error::AppError;
use crate::models::{CurrentUser, NewUser, UserSummary};
use crate::server::config::Config;
use crate::server::entities::directory::organisation;
use crate::server::entities::user;
use crate::server::passwords;
use crate::server::services::directory::names;

fn to_current(model: &user::Model) -> Result<CurrentUser, AppError> {
    Ok(CurrentUser {
        id: model.id,
        email: model.email.clone(),
        display_name: model.display_name.clone(),
        role: model.role,
    })
}

fn to_summary(model: &user::Model, organisation: Option<String>) -> Result<UserSummary, AppError> {
    Ok(UserSummary {
        id: model.id,
        email: model.email.clone(),
        display_name: model.display_name.clone(),
        role: model.role,
        active: model.active,
        last_login_at: model.last_login_at,
        organisation,
    })
}

fn email_taken() -> AppError {
    AppError::validation("email", rust_i18n::t!("error.email_taken"))
}

/// Creates an account. A taken e-mail is a field error, even when two
/// requests race (the unique index decides).
pub async fn create(db: &impl ConnectionTrait, new: NewUser) -> Result<UserSummary, AppError> {
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(new.email.as_str()))
        .one(db)
        .await?;
    if existing.is_some() {
        return Err(email_taken());
    }
    let organisation = match new.organisation_id {
        Some(id) => Some(
            organisation::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| {
                    AppError::validation(
                        "organisation_id",
                        rust_i18n::t!("team.organisation_unknown"),
                    )
                })?
                .name,
        ),
        None => None,
    };
    let password_hash = passwords::hash(new.password).await?;
    let now = Utc::now();
    let row = user::ActiveModel {
        email: Set(new.email.as_str().to_owned()),
        display_name: Set(new.display_name),
        role: Set(new.role),
        password_hash: Set(password_hash),
        active: Set(true),
        failed_logins: Set(0),
        locked_until: Set(None),
        last_login_at: Set(None),
        organisation_id: Set(new.organisation_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    match row.insert(db).await {
        Ok(model) => to_summary(&model, organisation),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(email_taken())
        }
        Err(err) => Err(err.into()),
    }
}

/// Every account, by name, with partners' organisations (one batch query).
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<UserSummary>, AppError> {
    let accounts = user::Entity::find()
        .order_by_asc(user::Column::DisplayName)
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    let names =
        names::organisation_names(db, accounts.iter().filter_map(|a| a.organisation_id)).await?;
    accounts
        .iter()
        .map(|a| to_summary(a, a.organisation_id.and_then(|id| names.get(&id).cloned())))
        .collect()
}

/// The account if it exists and is active.
pub async fn find_active(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<CurrentUser>, AppError> {
    match user::Entity::find_by_id(id).one(db).await? {
        Some(model) if model.active => Ok(Some(to_current(&model)?)),
        _ => Ok(None),
    }
}

pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &Email,
) -> Result<Option<user::Model>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?)
}

fn refused() -> AppError {
    AppError::LoginRefused(rust_i18n::t!("login.bad_credentials").into_owned())
}

fn locked(until: DateTime<Utc>, now: DateTime<Utc>) -> AppError {
    let minutes = (Ord::max((until - now).num_seconds(), 1) + 59) / 60;
    AppError::LoginRefused(
        rust_i18n::t!(
            "login.locked",
            minutes = crate::plural::plural("plural.minutes", minutes)
        )
        .into_owned(),
    )
}

/// Checks credentials. Unknown e-mails cost the same hash as known ones;
/// each failure is counted on the account, which locks after
/// `config.max_failed_logins` failures in a row for `config.lockout`.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    config: &Config,
    email: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<CurrentUser, AppError> {
    let account = match Email::parse(email) {
        Ok(email) => find_by_email(db, &email).await?,
        Err(_) => None,
    };
    let Some(account) = account else {
        passwords::verify(password.to_owned(), passwords::dummy_hash().to_owned()).await?;
        tracing::warn!(email = %email.trim(), "failed login: unknown account");
        return Err(refused());
    };
    if let Some(until) = account.locked_until
        && until > now
    {
        tracing::warn!(user_id = account.id, "failed login: account locked");
        return Err(locked(until, now));
    }
    if !passwords::verify(password.to_owned(), account.password_hash.clone()).await? {
        return Err(record_failure(db, config, &account, now).await?);
    }
    if !account.active {
        tracing::warn!(user_id = account.id, "failed login: account deactivated");
        return Err(AppError::LoginRefused(
            rust_i18n::t!("login.disabled").into_owned(),
        ));
    }
    let mut row: user::ActiveModel = account.clone().into();
    row.failed_logins = Set(0);
    row.locked_until = Set(None);
    row.last_login_at = Set(Some(now));
    let model = row.update(db).await?;
    to_current(&model)
}

/// Counts one failure atomically and locks the account at the threshold.
/// Returns the error to show.
async fn record_failure(
    db: &impl ConnectionTrait,
    config: &Config,
    account: &user::Model,
    now: DateTime<Utc>,
) -> Result<AppError, AppError> {
    user::Entity::update_many()
        .col_expr(
            user::Column::FailedLogins,
            Expr::col(user::Column::FailedLogins).add(1),
        )
        .filter(user::Column::Id.eq(account.id))
        .exec(db)
        .await?;
    let failures = user::Entity::find_by_id(account.id)
        .one(db)
        .await?
        .map(|m| m.failed_logins)
        .unwrap_or_default();
    tracing::warn!(
        user_id = account.id,
        failures,
        "failed login: wrong password"
    );
    if failures >= config.max_failed_logins {
        let until = now + chrono::Duration::from_std(config.lockout).unwrap_or_default();
        user::Entity::update_many()
            .col_expr(user::Column::FailedLogins, Expr::value(0))
            .col_expr(user::Column::LockedUntil, Expr::value(until))
            .filter(user::Column::Id.eq(account.id))
            .exec(db)
            .await?;
        tracing::warn!(user_id = account.id, %until, "account locked after repeated failed logins");
        return Ok(locked(until, now));
    }
    Ok(refused())
}
