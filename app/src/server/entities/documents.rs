//! Documents and their versions (migration m20261210_000016); their
//! contents live in the document store (`server::documents::store`).

pub mod document {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "documents")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub project_id: i64,
        pub milestone_id: Option<i64>,
        pub funding_line_id: Option<i64>,
        pub type_code: String,
        pub title: String,
        pub doc_date: Option<Date>,
        /// Shown on the project's shared pages.
        pub shared: bool,
        pub created_by: Option<i64>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        /// Deleted: hidden; its contents go when the retention ends.
        pub deleted_at: Option<DateTimeUtc>,
        /// Optimistic lock of the document's own fields.
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod document_version {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "document_versions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub document_id: i64,
        /// 1 for the first file, then one more for each replacement.
        pub number: i32,
        /// Hex SHA-256 of the contents: their name in the store.
        pub sha256: String,
        pub size: i64,
        pub media_type: String,
        pub filename: String,
        pub uploaded_by: Option<i64>,
        pub uploaded_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod funder_document {
    use sea_orm::entity::prelude::*;

    /// A document type a funder asks for with an application (migration
    /// m20261210_000017).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "funder_documents")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub funder_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub type_code: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod line_document {
    use sea_orm::entity::prelude::*;

    /// A document type one funding line's application needs, when the line
    /// keeps its own list (migration m20261211_000018).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "line_documents")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub funding_line_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub type_code: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
