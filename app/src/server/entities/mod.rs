//! SeaORM entities, written and owned by hand (not generated): each mirrors
//! a table created in `migrations/`.
pub mod calendar;
pub mod directory;
pub mod documents;
pub mod funding;
pub mod import;
pub mod mail;
pub mod projects;
pub mod rollup;
pub mod session;
pub mod setting;
pub mod share;
pub mod territory;
pub mod user;
