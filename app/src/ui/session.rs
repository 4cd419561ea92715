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
