//! Request guards that run before any page or server function.
pub mod auth_gate;
pub mod bad_request;
pub mod origin_guard;
