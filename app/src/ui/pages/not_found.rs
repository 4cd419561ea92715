use crate::ui::components::text::PageTitle;
use leptos::prelude::*;
use rust_i18n::t;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <PageTitle text=t!("not_found.title").into_owned() />
        <section class="card">
            <h1>{t!("not_found.title")}</h1>
            <p>{t!("not_found.body")}</p>
            <p><a href="/">{t!("not_found.back")}</a></p>
        </section>
    }
}
