//! Schema migrations for Maillage, for PostgreSQL and SQLite alike.
//!
//! Each migration is a self-contained file `mYYYYMMDD_HHMMSS_name.rs`; the
//! server applies pending ones at start (`maillage migrate` does it alone).
pub use sea_orm_migration::prelude::*;

pub mod keys;

mod m20261128_000001_create_users;
mod m20261128_000002_create_sessions;
mod m20261128_000003_create_territories;
mod m20261128_000004_create_projects;
mod m20261128_000005_create_funding;
mod m20261129_000006_add_plan_figures;
mod m20261129_000007_create_directory;
mod m20261129_000008_create_shares;
mod m20261129_000009_create_dashboard_summaries;
mod m20261206_000010_create_imports;
mod m20261207_000011_create_calendar;
mod m20261207_000012_add_milestone_assignee;
mod m20261208_000013_create_mail;
mod m20261208_000014_add_line_responsible;
mod m20261209_000015_add_feed_filter;
mod m20261210_000016_create_documents;
mod m20261210_000017_create_funder_documents;
mod m20261211_000018_add_line_documents;
mod m20261211_000019_create_settings;
mod m20261212_000020_add_data_generation;
mod m20261213_000021_count_writes_postgres;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_users::Migration),
            Box::new(m20261128_000002_create_sessions::Migration),
            Box::new(m20261128_000003_create_territories::Migration),
            Box::new(m20261128_000004_create_projects::Migration),
            Box::new(m20261128_000005_create_funding::Migration),
            Box::new(m20261129_000006_add_plan_figures::Migration),
            Box::new(m20261129_000007_create_directory::Migration),
            Box::new(m20261129_000008_create_shares::Migration),
            Box::new(m20261129_000009_create_dashboard_summaries::Migration),
            Box::new(m20261206_000010_create_imports::Migration),
            Box::new(m20261207_000011_create_calendar::Migration),
            Box::new(m20261207_000012_add_milestone_assignee::Migration),
            Box::new(m20261208_000013_create_mail::Migration),
            Box::new(m20261208_000014_add_line_responsible::Migration),
            Box::new(m20261209_000015_add_feed_filter::Migration),
            Box::new(m20261210_000016_create_documents::Migration),
            Box::new(m20261210_000017_create_funder_documents::Migration),
            Box::new(m20261211_000018_add_line_documents::Migration),
            Box::new(m20261211_000019_create_settings::Migration),
            Box::new(m20261212_000020_add_data_generation::Migration),
            Box::new(m20261213_000021_count_writes_postgres::Migration),
        ]
    }
}
