//! Data transfer objects: what the server sends the UI and the UI sends back.
//! Database entities never leave `server/`; these are plain serde types.
pub mod project;
pub mod user;

pub use project::*;
pub use user::*;
