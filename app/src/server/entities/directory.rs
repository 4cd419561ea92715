//! The partner directory (tables from migration m20261129_000007).
pub mod organisation {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "organisations")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        /// `domain::search_key(name)`: accent- and case-insensitive search
        /// and duplicate detection.
        pub search_key: String,
        /// An `OrganisationKind` code.
        pub kind: crate::domain::OrganisationKind,
        pub siren: Option<String>,
        pub siret: Option<String>,
        /// INSEE code of the commune it is (or sits in).
        pub commune_code: Option<String>,
        /// SIREN of the EPCI it is.
        pub epci_siren: Option<String>,
        pub address: String,
        pub website: String,
        pub notes: String,
        /// The funder of the catalogue it stands for.
        pub funder_id: Option<i64>,
        pub version: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod person {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "people")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub first_name: String,
        pub last_name: String,
        pub search_key: String,
        pub job_title: String,
        pub email: Option<String>,
        /// Canonical form (`server::phone::normalise`).
        pub phone: Option<String>,
        pub notes: String,
        /// Set when the person was erased (RGPD): the personal fields are
        /// empty, the row stays so that links keep the history coherent.
        pub erased_at: Option<DateTimeUtc>,
        pub version: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod membership {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "memberships")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub person_id: i64,
        pub organisation_id: i64,
        pub job_title: String,
        pub start_on: Option<Date>,
        pub end_on: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod mandate {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mandates")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub person_id: i64,
        pub organisation_id: i64,
        pub office: crate::domain::Office,
        pub start_on: Date,
        pub end_on: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod project_partner {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "project_partners")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub project_id: i64,
        pub organisation_id: Option<i64>,
        pub person_id: Option<i64>,
        /// A `PartnerRole` code; at most one `owner` per project (unique
        /// partial index).
        pub role: crate::domain::PartnerRole,
        pub note: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod audit {
    use sea_orm::entity::prelude::*;

    /// Personal-data operations (RGPD export, erasure): who, when, whom.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "directory_audit")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: DateTimeUtc,
        pub actor_id: Option<i64>,
        pub action: crate::domain::AuditAction,
        pub person_id: Option<i64>,
        /// JSON: counts, never the erased values.
        pub details: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
