use leptos::prelude::*;
use rust_i18n::t;

use crate::error::AppError;
use crate::policy::{Action, allows};
use crate::ui::components::error::ErrorNotice;
use crate::ui::session::MeResource;

/// Shows `children` only to a user the policy lets do `action`; anyone else
/// gets the French refusal and, on the server, a 403. For pages that load
/// nothing (a blank form) and so have no server function to refuse them.
#[component]
pub fn Guarded(action: Action, children: ChildrenFn) -> impl IntoView {
    let me = expect_context::<MeResource>();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) if allows(user.role, action) => {
                        children.with_value(|children| children()).into_any()
                    }
                    Ok(_) => {
                        refused_status(&AppError::Forbidden);
                        view! { <ErrorNotice error=AppError::Forbidden /> }.into_any()
                    }
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// On the server, the page's HTTP status says the refusal.
fn refused_status(err: &AppError) {
    #[cfg(feature = "ssr")]
    crate::server::auth::set_response_status(err);
    #[cfg(not(feature = "ssr"))]
    let _ = err;
}
