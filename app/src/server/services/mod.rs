//! Data access and business operations, as plain async functions taking the
//! database connection. Server functions call these after the policy check.
pub mod projects;
pub mod territories;
pub mod users;
