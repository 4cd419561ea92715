use leptos::prelude::*;
use leptos_meta::Title;
use rust_i18n::t;

use crate::domain::Role;
use crate::models::CurrentUser;
use crate::ui::app::MeResource;
use crate::ui::components::error::ErrorNotice;

/// The landing page: each role has its own.
#[component]
pub fn HomePage() -> impl IntoView {
    let me = expect_context::<MeResource>();
    view! {
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) => view! { <RoleHome user /> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RoleHome(user: CurrentUser) -> impl IntoView {
    let (title, intro) = match user.role {
        Role::Officer => (t!("home.officer_title"), t!("home.officer_intro")),
        Role::Head => (t!("home.head_title"), t!("home.head_intro")),
        Role::Partner => (t!("home.partner_title"), t!("home.partner_intro")),
        Role::Admin => (t!("home.admin_title"), t!("home.admin_intro")),
    };
    let admin_link = (user.role == Role::Admin)
        .then(|| view! { <p><a class="button" href="/equipe">{t!("team.title")}</a></p> });
    view! {
        <Title text=title.clone().into_owned() />
        <p class="welcome">{t!("home.welcome", name = user.display_name)}</p>
        <h1 data-testid="home-title">{title}</h1>
        <section class="card">
            <p>{intro}</p>
            <p class="empty">{t!("home.empty")}</p>
            {admin_link}
        </section>
    }
}
