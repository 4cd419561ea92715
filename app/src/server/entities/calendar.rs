//! Calendar feeds and the entries they published (migrations m20261207_000011
//! and m20261209_000015).

pub mod calendar_feed {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "calendar_feeds")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub user_id: i64,
        pub scope: crate::domain::calendar::FeedScope,
        /// SHA-256 (hex) of the feed's token.
        pub token_digest: String,
        pub created_at: DateTimeUtc,
        /// The dashboard filter a `filter` feed publishes, as its query
        /// string; `""` for the other scopes (migration m20261209_000015).
        pub filter: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod calendar_entry {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "calendar_entries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub uid: String,
        pub day: Date,
        pub sequence: i32,
        pub moved_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
