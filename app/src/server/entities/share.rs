//! Project shares (migration m20261129_000008).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_shares")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    /// The partner account, for an account share.
    pub user_id: Option<i64>,
    /// SHA-256 (hex) of a link's token, for a link share.
    pub token_digest: Option<String>,
    pub label: String,
    /// Works through this day, included.
    pub expires_on: Option<Date>,
    pub revoked_at: Option<DateTimeUtc>,
    pub show_milestones: bool,
    pub show_notes: bool,
    pub show_funding: bool,
    pub show_partners: bool,
    pub use_count: i64,
    pub last_used_at: Option<DateTimeUtc>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn sections(&self) -> crate::domain::ShareSections {
        crate::domain::ShareSections {
            milestones: self.show_milestones,
            notes: self.show_notes,
            funding: self.show_funding,
            partners: self.show_partners,
        }
    }

    pub fn state(&self, today: chrono::NaiveDate) -> crate::domain::ShareState {
        crate::domain::share_state(self.expires_on, self.revoked_at.is_some(), today)
    }
}
