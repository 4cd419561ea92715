//! Pure domain rules: no I/O, no clock, no database; compiled for the server
//! and the browser alike, unit-tested beside the code.
pub mod email;
pub mod password;
pub mod redirect;
pub mod role;

pub use email::Email;
pub use password::{PasswordIssue, check_password};
pub use redirect::safe_next;
pub use role::Role;
