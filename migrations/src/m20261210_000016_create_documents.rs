//! The project's file (issue 21): the document types the admin keeps (a
//! reference list like themes and programmes), the documents of a project
//! (attached to the project, one of its milestones or one of its funding
//! lines; shared with its partners or not; deleted documents kept until
//! the retention period ends), and each document's versions, whose
//! contents live in the document store under their SHA-256.
use sea_orm_migration::{prelude::*, schema::*};

use crate::keys::{cascade, drop_tables, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TYPES: &[(&str, &str)] = &[
    ("deliberation", "Délibération"),
    ("plan_financement", "Plan de financement signé"),
    ("devis", "Devis"),
    ("etude", "Étude"),
    ("autorisation", "Permis / autorisation"),
    ("arrete", "Arrêté attributif"),
    ("convention", "Convention"),
    ("demande_versement", "Demande de versement"),
    ("facture", "Facture"),
    ("photo", "Photo"),
    ("compte_rendu", "Compte rendu"),
    ("autre", "Autre"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DocumentTypes::Table)
                    .col(string_len(DocumentTypes::Code, 40).primary_key())
                    .col(string_len(DocumentTypes::Label, 120))
                    .col(boolean(DocumentTypes::Active).default(true))
                    .col(integer(DocumentTypes::Position).default(0))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert.into_table(DocumentTypes::Table).columns([
            DocumentTypes::Code,
            DocumentTypes::Label,
            DocumentTypes::Position,
        ]);
        for (i, (code, label)) in TYPES.iter().enumerate() {
            insert.values_panic([
                (*code).into(),
                (*label).into(),
                <i32 as TryFrom<usize>>::try_from(i).unwrap_or(0).into(),
            ]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .col(big_pk_auto(Documents::Id))
                    .col(big_integer(Documents::ProjectId))
                    // Attached to one milestone or one funding line of the
                    // project, or to the project itself (both null). The
                    // service checks they belong to the project; a deleted
                    // milestone or line leaves the document on the project.
                    .col(big_integer_null(Documents::MilestoneId))
                    .col(big_integer_null(Documents::FundingLineId))
                    .col(string_len(Documents::TypeCode, 40))
                    .col(string_len(Documents::Title, 200).default(""))
                    .col(date_null(Documents::DocDate))
                    .col(boolean(Documents::Shared).default(false))
                    .col(big_integer_null(Documents::CreatedBy))
                    .col(timestamp_with_time_zone(Documents::CreatedAt))
                    .col(timestamp_with_time_zone(Documents::UpdatedAt))
                    // Deleted: hidden at once, its contents removed when
                    // the retention period ends.
                    .col(timestamp_with_time_zone_null(Documents::DeletedAt))
                    .col(integer(Documents::Version).default(1))
                    .foreign_key(&mut cascade(Documents::ProjectId, Projects::Table))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_documents_project",
            Documents::Table,
            [Documents::ProjectId],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(DocumentVersions::Table)
                    .col(big_pk_auto(DocumentVersions::Id))
                    .col(big_integer(DocumentVersions::DocumentId))
                    .col(integer(DocumentVersions::Number))
                    // Hex SHA-256 of the contents: their name in the store.
                    .col(string_len(DocumentVersions::Sha256, 64))
                    .col(big_integer(DocumentVersions::Size))
                    .col(string_len(DocumentVersions::MediaType, 100))
                    .col(string_len(DocumentVersions::Filename, 255))
                    .col(big_integer_null(DocumentVersions::UploadedBy))
                    .col(timestamp_with_time_zone(DocumentVersions::UploadedAt))
                    .foreign_key(&mut cascade(DocumentVersions::DocumentId, Documents::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_document_versions_number")
                    .table(DocumentVersions::Table)
                    .col(DocumentVersions::DocumentId)
                    .col(DocumentVersions::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_document_versions_sha256",
            DocumentVersions::Table,
            [DocumentVersions::Sha256],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [DocumentVersions::Table]).await?;
        drop_tables(manager, [Documents::Table]).await?;
        drop_tables(manager, [DocumentTypes::Table]).await
    }
}

#[derive(DeriveIden)]
enum DocumentTypes {
    Table,
    Code,
    Label,
    Active,
    Position,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    ProjectId,
    MilestoneId,
    FundingLineId,
    TypeCode,
    Title,
    DocDate,
    Shared,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
    Version,
}

#[derive(DeriveIden)]
enum DocumentVersions {
    Table,
    Id,
    DocumentId,
    Number,
    Sha256,
    Size,
    MediaType,
    Filename,
    UploadedBy,
    UploadedAt,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
}
