//! Spreadsheet imports (migration m20261206_000010).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub file_name: String,
    pub file_size: i64,
    /// SHA-256 of the file, hex.
    pub digest: String,
    pub content: Vec<u8>,
    /// An `ImportStatus` code.
    pub status: String,
    pub error: Option<String>,
    /// JSON `Mapping`.
    pub mapping: String,
    /// JSON `Vec<RowVerdict>`: the preview as last shown.
    pub preview: String,
    /// JSON `ImportCounts` of the preview.
    pub counts: String,
    /// JSON `Outcome`: what the confirmation wrote.
    pub outcome: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub committed_at: Option<DateTimeUtc>,
    pub undone_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
