//! Data access and business operations, as plain async functions taking the
//! database connection. Server functions call these after the policy check.
pub mod asked_documents;
pub mod assignments;
pub mod calendar;
pub mod change;
pub mod dashboard;
pub mod directory;
pub mod documents;
pub mod funding;
pub mod imports;
pub mod journal;
pub mod plan_figures;
pub mod plan_rows;
pub mod project_filter;
pub mod projects;
pub mod references;
pub mod rollup;
pub mod settings;
pub mod shares;
pub mod summaries;
pub mod territories;
pub mod users;
