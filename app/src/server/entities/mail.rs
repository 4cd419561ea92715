//! Mail choices and mail jobs (migration m20261208_000013).

pub mod mail_setting {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mail_settings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: i64,
        pub reminders: bool,
        pub digest: crate::domain::mail::DigestFrequency,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod mail_job {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mail_jobs")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub dedupe_key: String,
        pub user_id: i64,
        pub kind: crate::domain::mail::MailKind,
        pub recipient: String,
        pub subject: String,
        pub body_text: String,
        pub body_html: String,
        /// SHA-256 (hex) of the unsubscribe link's token.
        pub unsubscribe_digest: String,
        /// The unsubscribe link, for the `List-Unsubscribe` header.
        pub unsubscribe_url: String,
        pub status: crate::domain::mail::MailStatus,
        pub attempts: i32,
        pub next_attempt_at: DateTimeUtc,
        pub claimed_until: Option<DateTimeUtc>,
        pub last_error: Option<String>,
        pub created_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
