use crate::ui::components::text::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use rust_i18n::t;

use crate::api::auth::Login;
use crate::ui::components::field::Field;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("suivant").unwrap_or_default();
    let value = login.value();

    // Success: a full page load, so that every part of the page sees the new session.
    Effect::new(move |_| {
        if let Some(Ok(next)) = value.get() {
            let _ = window().location().set_href(&next);
        }
    });

    let result_error = move || value.get().and_then(Result::err);
    let field_error = move |name: &'static str| {
        Signal::derive(move || result_error().and_then(|e| e.field(name)))
    };
    let general_error = move || match result_error() {
        Some(err) if err.field("email").is_none() && err.field("password").is_none() => {
            Some(err.message())
        }
        Some(_) => None,
        // Without JavaScript, the server redirects here with the message.
        None => query
            .read()
            .get("erreur")
            .and_then(|code| crate::models::LoginErrorCode::parse(&code))
            .map(crate::models::LoginErrorCode::message),
    };
    let notice = move || {
        let q = query.read();
        if q.get("deconnecte").is_some() {
            Some(t!("login.logged_out").into_owned())
        } else if q.get("expiree").is_some() {
            Some(t!("login.expired").into_owned())
        } else {
            None
        }
    };

    view! {
        <PageTitle text=t!("login.title").into_owned() />
        <section class="card login-card" aria-labelledby="login-title">
            <h1 id="login-title">{t!("login.title")}</h1>
            <p>{t!("login.intro")}</p>
            {move || notice().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            <ActionForm action=login attr:class="form" attr:novalidate="true" attr:data-then="open" attr:data-open="{}">
                <input type="hidden" name="next" value=next />
                <Field
                    name="email"
                    id="email"
                    label=t!("login.email").into_owned()
                    kind="email"
                    autocomplete="username"
                    required=true
                    error=field_error("email")
                />
                <Field
                    name="password"
                    id="password"
                    label=t!("login.password").into_owned()
                    kind="password"
                    autocomplete="current-password"
                    required=true
                    error=field_error("password")
                />
                <p class="form-error" role="alert" data-testid="login-error">{general_error}</p>
                <button type="submit" class="button primary" disabled=move || login.pending().get()>
                    {move || if login.pending().get() { t!("login.submitting") } else { t!("login.submit") }}
                </button>
            </ActionForm>
        </section>
    }
}
