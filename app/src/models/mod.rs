//! Data transfer objects: what the server sends the UI and the UI sends back.
//! Database entities never leave `server/`; these are plain serde types.
pub mod dashboard;
pub mod funding;
pub mod project;
pub mod reference;
pub mod user;

pub use dashboard::*;
pub use funding::*;
pub use project::*;
pub use reference::*;
pub use user::*;
