use leptos::prelude::*;

use crate::error::AppError;
use crate::policy::{Action, allows};
use crate::ui::components::error::ErrorNotice;

/// Shows `children` only to a user the policy lets do `action`; anyone else
/// gets the French refusal alone and a 403. Pages render on the server only
/// (islands), where the request already carries its user: decided at once,
/// with no Suspense. Inside a `Suspend`, `children` would be built again by
/// every `dry_resolve` of the Suspense, each time starting its resources
/// anew: the dashboard and the project list ran their server functions two
/// and three times per page.
#[component]
pub fn Guarded(action: Action, children: Children) -> impl IntoView {
    match crate::ui::session::user().map(|u| u.role) {
        Some(role) if allows(role, action) => children().into_any(),
        _ => {
            refused_status(&AppError::Forbidden);
            view! { <ErrorNotice error=AppError::Forbidden /> }.into_any()
        }
    }
}

/// On the server, the page's HTTP status says the refusal.
fn refused_status(err: &AppError) {
    #[cfg(feature = "ssr")]
    crate::server::auth::set_response_status(err);
    #[cfg(not(feature = "ssr"))]
    let _ = err;
}
