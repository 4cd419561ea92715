//! A `tower_sessions::SessionStore` on SeaORM, so sessions live in the same
//! database as everything else (PostgreSQL or SQLite). tower-sessions does
//! the cookie, id generation and expiry logic; this only stores records.
//! (The SQLx stores of tower-sessions pin another sqlx major version than
//! SeaORM 2, and two `libsqlite3-sys` cannot link into one binary.)
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use super::entities::session;

#[derive(Debug, Clone)]
pub struct SeaOrmStore {
    db: DatabaseConnection,
}

impl SeaOrmStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// Marks a store error that means the database is unreachable, so the
/// request answers 503 rather than 500 (`auth::session_error`).
pub const UNREACHABLE: &str = "database unreachable: ";

fn backend(err: impl std::fmt::Display + 'static) -> session_store::Error {
    let unreachable = (&err as &dyn std::any::Any)
        .downcast_ref::<sea_orm::DbErr>()
        .is_some_and(crate::error::database_unreachable);
    if unreachable {
        session_store::Error::Backend(format!("{UNREACHABLE}{err}"))
    } else {
        session_store::Error::Backend(err.to_string())
    }
}

fn to_chrono(at: tower_sessions::cookie::time::OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(at.unix_timestamp(), at.nanosecond()).unwrap_or_default()
}

impl SeaOrmStore {
    async fn upsert(&self, record: &Record) -> session_store::Result<()> {
        let row = session::ActiveModel {
            id: Set(record.id.to_string()),
            data: Set(serde_json::to_string(&record.data).map_err(backend)?),
            expires_at: Set(to_chrono(record.expiry_date)),
        };
        session::Entity::insert(row)
            .on_conflict(
                OnConflict::column(session::Column::Id)
                    .update_columns([session::Column::Data, session::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl SessionStore for SeaOrmStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits; on the off chance of a collision, draw again.
        loop {
            let existing = session::Entity::find_by_id(record.id.to_string())
                .one(&self.db)
                .await
                .map_err(backend)?;
            if existing.is_none() {
                break;
            }
            record.id = Id::default();
        }
        self.upsert(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.upsert(record).await
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let row = session::Entity::find_by_id(session_id.to_string())
            .filter(session::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await
            .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let data = serde_json::from_str(&row.data).map_err(backend)?;
        let expiry_date = tower_sessions::cookie::time::OffsetDateTime::from_unix_timestamp(
            row.expires_at.timestamp(),
        )
        .map_err(backend)?;
        Ok(Some(Record {
            id: *session_id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        session::Entity::delete_by_id(session_id.to_string())
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for SeaOrmStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(Utc::now()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
