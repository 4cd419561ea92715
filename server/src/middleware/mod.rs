//! Request guards that run before any page or server function.
pub mod api_requests;
pub mod auth_gate;
pub mod body_limit;
pub mod cache_control;
pub mod error_pages;
pub mod kept_pages;
pub mod origin_guard;
pub mod page_slots;
pub mod page_validator;
pub mod request_id;
pub mod security_headers;
pub mod whole_renders;
