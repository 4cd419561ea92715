use sea_orm_migration::{prelude::*, schema::*};

use crate::keys::{cascade, drop_tables, index, set_null};

/// Projects and what hangs off them: reference lists (themes, programmes),
/// communes, milestones, journal notes and the timeline of events.
#[derive(DeriveMigrationName)]
pub struct Migration;

const THEMES: &[(&str, &str)] = &[
    ("economie", "Économie"),
    ("commerce", "Commerce"),
    ("tourisme", "Tourisme"),
    ("mobilite", "Mobilité"),
    ("transition_ecologique", "Transition écologique"),
    ("habitat", "Habitat"),
    ("services", "Services au public"),
    ("sante", "Santé"),
    ("culture", "Culture"),
    ("agriculture", "Agriculture et alimentation"),
    ("numerique", "Numérique"),
    ("jeunesse", "Jeunesse et sport"),
    ("eau", "Eau et assainissement"),
];

const PROGRAMMES: &[(&str, &str)] = &[
    ("pvd", "Petites Villes de Demain"),
    ("acv", "Action Cœur de Ville"),
    ("crte", "CRTE"),
    ("territoires_industrie", "Territoires d'industrie"),
    ("villages_avenir", "Villages d'avenir"),
    ("qpv", "Quartiers prioritaires (QPV)"),
    ("frr", "France ruralités revitalisation"),
    ("leader", "LEADER"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, code, label, active, position) in [
            (
                Themes::Table.into_iden(),
                Themes::Code.into_iden(),
                Themes::Label.into_iden(),
                Themes::Active.into_iden(),
                Themes::Position.into_iden(),
            ),
            (
                Programmes::Table.into_iden(),
                Programmes::Code.into_iden(),
                Programmes::Label.into_iden(),
                Programmes::Active.into_iden(),
                Programmes::Position.into_iden(),
            ),
        ] {
            manager
                .create_table(
                    Table::create()
                        .table(table)
                        .col(string_len(code, 40).primary_key())
                        .col(string_len(label, 120))
                        .col(boolean(active).default(true))
                        .col(integer(position).default(0))
                        .to_owned(),
                )
                .await?;
        }
        for (list, table, code, label, position) in [
            (
                THEMES,
                Themes::Table.into_iden(),
                Themes::Code.into_iden(),
                Themes::Label.into_iden(),
                Themes::Position.into_iden(),
            ),
            (
                PROGRAMMES,
                Programmes::Table.into_iden(),
                Programmes::Code.into_iden(),
                Programmes::Label.into_iden(),
                Programmes::Position.into_iden(),
            ),
        ] {
            let mut insert = Query::insert();
            insert.into_table(table).columns([code, label, position]);
            for (i, (c, l)) in list.iter().enumerate() {
                insert.values_panic([
                    (*c).into(),
                    (*l).into(),
                    <i32 as TryFrom<usize>>::try_from(i).unwrap_or(0).into(),
                ]);
            }
            manager.exec_stmt(insert).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Projects::Table)
                    .col(big_pk_auto(Projects::Id))
                    .col(string_len_null(Projects::Reference, 40).unique_key())
                    .col(string_len(Projects::Title, 200))
                    .col(text(Projects::Summary))
                    .col(text(Projects::Description))
                    .col(string_len(Projects::Stage, 16))
                    .col(string_len(Projects::Health, 16))
                    .col(text_null(Projects::HealthReason))
                    .col(date_null(Projects::HealthSince))
                    .col(big_integer_null(Projects::LeadOfficerId))
                    .col(big_integer_null(Projects::EstimatedCostCents))
                    .col(date_null(Projects::StartDate))
                    .col(date_null(Projects::EndDate))
                    .col(integer(Projects::Version).default(1))
                    .col(text(Projects::SearchKey))
                    .col(timestamp_with_time_zone(Projects::CreatedAt))
                    .col(timestamp_with_time_zone(Projects::UpdatedAt))
                    .col(timestamp_with_time_zone(Projects::LastEventAt))
                    .foreign_key(&mut set_null(Projects::LeadOfficerId, Users::Table))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_projects_stage", Projects::Stage),
            ("idx_projects_health", Projects::Health),
            ("idx_projects_lead_officer", Projects::LeadOfficerId),
            ("idx_projects_last_event_at", Projects::LastEventAt),
        ] {
            index(manager, name, Projects::Table, [col]).await?;
        }

        // Link tables: (project, code) pairs.
        for (table, other, other_len, name) in [
            (
                ProjectCommunes::Table.into_iden(),
                ProjectCommunes::Insee.into_iden(),
                5,
                "project_communes",
            ),
            (
                ProjectThemes::Table.into_iden(),
                ProjectThemes::ThemeCode.into_iden(),
                40,
                "project_themes",
            ),
            (
                ProjectProgrammes::Table.into_iden(),
                ProjectProgrammes::ProgrammeCode.into_iden(),
                40,
                "project_programmes",
            ),
        ] {
            manager
                .create_table(
                    Table::create()
                        .table(table.clone())
                        .col(big_integer(ProjectCommunes::ProjectId))
                        .col(string_len(other.clone(), other_len))
                        .primary_key(
                            Index::create()
                                .col(ProjectCommunes::ProjectId)
                                .col(other.clone()),
                        )
                        .foreign_key(&mut cascade(ProjectCommunes::ProjectId, Projects::Table))
                        .to_owned(),
                )
                .await?;
            index(manager, format!("idx_{name}_code"), table, [other]).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Milestones::Table)
                    .col(big_pk_auto(Milestones::Id))
                    .col(big_integer(Milestones::ProjectId))
                    .col(string_len(Milestones::Kind, 32))
                    .col(string_len(Milestones::Title, 200))
                    .col(date(Milestones::DueDate))
                    .col(date_null(Milestones::DoneDate))
                    .col(text(Milestones::Note))
                    .col(boolean(Milestones::Shareable).default(false))
                    .col(timestamp_with_time_zone(Milestones::CreatedAt))
                    .col(timestamp_with_time_zone(Milestones::UpdatedAt))
                    .foreign_key(&mut cascade(Milestones::ProjectId, Projects::Table))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_milestones_project",
            Milestones::Table,
            [Milestones::ProjectId, Milestones::DueDate],
        )
        .await?;
        index(
            manager,
            "idx_milestones_open_due",
            Milestones::Table,
            [Milestones::DoneDate, Milestones::DueDate],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notes::Table)
                    .col(big_pk_auto(Notes::Id))
                    .col(big_integer(Notes::ProjectId))
                    .col(big_integer_null(Notes::AuthorId))
                    .col(date(Notes::NoteDate))
                    .col(text(Notes::Body))
                    .col(boolean(Notes::Shareable).default(false))
                    .col(timestamp_with_time_zone(Notes::CreatedAt))
                    .foreign_key(&mut cascade(Notes::ProjectId, Projects::Table))
                    .foreign_key(&mut set_null(Notes::AuthorId, Users::Table))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_notes_project",
            Notes::Table,
            [Notes::ProjectId, Notes::NoteDate],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProjectEvents::Table)
                    .col(big_pk_auto(ProjectEvents::Id))
                    .col(big_integer(ProjectEvents::ProjectId))
                    .col(big_integer_null(ProjectEvents::ActorId))
                    .col(timestamp_with_time_zone(ProjectEvents::At))
                    .col(string_len(ProjectEvents::Kind, 40))
                    .col(text(ProjectEvents::Data))
                    .foreign_key(&mut cascade(ProjectEvents::ProjectId, Projects::Table))
                    .foreign_key(&mut set_null(ProjectEvents::ActorId, Users::Table))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_project_events_project_at",
            ProjectEvents::Table,
            [ProjectEvents::ProjectId, ProjectEvents::At],
        )
        .await?;
        index(
            manager,
            "idx_project_events_at",
            ProjectEvents::Table,
            [ProjectEvents::At],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                ProjectEvents::Table.into_iden(),
                Notes::Table.into_iden(),
                Milestones::Table.into_iden(),
                ProjectProgrammes::Table.into_iden(),
                ProjectThemes::Table.into_iden(),
                ProjectCommunes::Table.into_iden(),
                Projects::Table.into_iden(),
                Programmes::Table.into_iden(),
                Themes::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum Themes {
    Table,
    Code,
    Label,
    Active,
    Position,
}

#[derive(DeriveIden)]
enum Programmes {
    Table,
    Code,
    Label,
    Active,
    Position,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    Reference,
    Title,
    Summary,
    Description,
    Stage,
    Health,
    HealthReason,
    HealthSince,
    LeadOfficerId,
    EstimatedCostCents,
    StartDate,
    EndDate,
    Version,
    SearchKey,
    CreatedAt,
    UpdatedAt,
    LastEventAt,
}

#[derive(DeriveIden)]
enum ProjectCommunes {
    Table,
    ProjectId,
    Insee,
}

#[derive(DeriveIden)]
enum ProjectThemes {
    Table,
    ThemeCode,
}

#[derive(DeriveIden)]
enum ProjectProgrammes {
    Table,
    ProgrammeCode,
}

#[derive(DeriveIden)]
enum Milestones {
    Table,
    Id,
    ProjectId,
    Kind,
    Title,
    DueDate,
    DoneDate,
    Note,
    Shareable,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Notes {
    Table,
    Id,
    ProjectId,
    AuthorId,
    NoteDate,
    Body,
    Shareable,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProjectEvents {
    Table,
    Id,
    ProjectId,
    ActorId,
    At,
    Kind,
    Data,
}
