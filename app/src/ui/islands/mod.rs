//! The islands: the only components the browser runs. Every other
//! component renders on the server only (Leptos `islands`), so a page's
//! script is these and nothing else.
pub mod live;
pub mod picker;
pub mod upload;
