use leptos::prelude::*;

use crate::error::AppError;

/// An error for the user, in French, announced to screen readers.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! { <p class="error-notice" role="alert">{error.message()}</p> }
}
