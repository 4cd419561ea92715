//! Projects and their satellites (tables from migration m20261128_000004).
pub mod project {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "projects")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub reference: Option<String>,
        pub title: String,
        pub summary: String,
        pub description: String,
        pub stage: crate::domain::Stage,
        pub health: crate::domain::HealthStatus,
        pub health_reason: Option<String>,
        pub health_since: Option<Date>,
        pub lead_officer_id: Option<i64>,
        pub estimated_cost_cents: Option<i64>,
        pub start_date: Option<Date>,
        pub end_date: Option<Date>,
        pub version: i32,
        pub search_key: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub last_event_at: DateTimeUtc,
        /// The porteur / maître d'ouvrage (m…0005).
        pub owner_name: String,
        pub owner_kind: Option<crate::domain::OwnerKind>,
        /// A derogation to the 20 % self-funding rule: kind and reason.
        pub derogation_kind: Option<crate::domain::funding::DerogationKind>,
        pub derogation_reason: Option<String>,
        /// The plan's figures for the dashboard (m…0006), rewritten with
        /// every change that moves them (`services::plan_figures`).
        pub plan_requested_cents: i64,
        pub plan_pending_cents: i64,
        pub plan_granted_cents: i64,
        pub plan_paid_cents: i64,
        pub plan_to_find_cents: i64,
        pub rule_breach: bool,
        pub detr_due: Option<Date>,
        pub detr_due_kind: Option<crate::domain::funding::DetrDue>,
        pub figures_version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod project_commune {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "project_communes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub project_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub insee: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod project_theme {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "project_themes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub project_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub theme_code: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod project_programme {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "project_programmes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub project_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub programme_code: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod milestone {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "milestones")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub project_id: i64,
        pub kind: crate::domain::MilestoneKind,
        pub title: String,
        pub due_date: Date,
        pub done_date: Option<Date>,
        pub note: String,
        pub shareable: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        /// Who answers for it; none: the project's lead officer.
        pub assignee_id: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod note {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "notes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub project_id: i64,
        pub author_id: Option<i64>,
        pub note_date: Date,
        pub body: String,
        pub shareable: bool,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "project_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub project_id: i64,
        pub actor_id: Option<i64>,
        pub at: DateTimeUtc,
        pub kind: crate::domain::EventKind,
        /// JSON: what changed (before/after values).
        pub data: String,
        /// For a state change (stage, funding status): the codes before
        /// and after, as columns for the dashboard (m…0006).
        pub state_from: Option<String>,
        pub state_to: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
