//! The signed-in user as the pages see it: loaded once per page load by the
//! app shell (`provide`) and read by the layout, the guards and the pages.
use leptos::prelude::*;

use crate::api::auth::me;
use crate::error::AppError;
use crate::models::CurrentUser;

/// The signed-in user, loaded once per page load and shared by every page.
pub type MeResource = Resource<Result<Option<CurrentUser>, AppError>>;

/// Starts loading the signed-in user and shares it with every page below.
pub fn provide() {
    let me: MeResource = Resource::new(|| (), |_| me());
    provide_context(me);
}

/// The signed-in user of the request being rendered, at once: pages render
/// on the server only, where the auth gate has put it in the request. (The
/// browser renders no page, so there it is `None`.)
pub fn user() -> Option<CurrentUser> {
    #[cfg(feature = "ssr")]
    {
        crate::server::auth::current_user()
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// Whether the page carries the islands' script: not for partner accounts,
/// whose pages are read-only and work without any (they download no wasm).
pub fn with_islands() -> bool {
    #[cfg(feature = "ssr")]
    {
        crate::server::auth::current_user().is_none_or(|u| u.role != crate::domain::Role::Partner)
    }
    #[cfg(not(feature = "ssr"))]
    {
        true
    }
}
