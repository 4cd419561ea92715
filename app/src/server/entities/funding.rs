//! Funders and funding lines (tables from migration m20261128_000005).
pub mod funder {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "funders")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub code: String,
        pub name: String,
        /// `public`, `private` or `own_funds` (`FunderCategory`).
        pub category: crate::domain::funding::FunderCategory,
        pub active: bool,
        pub position: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod funding_line {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "funding_lines")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub project_id: i64,
        pub funder_id: i64,
        pub programme: String,
        /// `ht` or `ttc`.
        pub basis: String,
        /// A `FundingStatus` code.
        pub status: crate::domain::funding::FundingStatus,
        pub amount_requested_cents: Option<i64>,
        pub amount_granted_cents: Option<i64>,
        pub amount_paid_cents: i64,
        pub eligible_base_cents: Option<i64>,
        /// The funder's rate in hundredths of a percent (35 % = 3500).
        pub rate_basis_points: Option<i32>,
        pub application_deadline: Option<Date>,
        pub identified_on: Option<Date>,
        pub requested_on: Option<Date>,
        /// Notification of the decision (grant or refusal).
        pub decided_on: Option<Date>,
        pub agreement_on: Option<Date>,
        pub advance_on: Option<Date>,
        pub balance_on: Option<Date>,
        pub start_extended: bool,
        pub completion_extended: bool,
        pub notes: String,
        pub version: i32,
        /// The member of the staff responsible for the application (its
        /// deadlines go to them); `None`: the project's lead officer.
        pub responsible_id: Option<i64>,
        /// The line keeps its own list of the documents its application
        /// needs (`line_documents`), not its funder's.
        pub own_documents: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
