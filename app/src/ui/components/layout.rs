use leptos::prelude::*;
use leptos_router::components::A;
use rust_i18n::t;

use crate::api::auth::Logout;
use crate::models::CurrentUser;
use crate::policy::{Action, allows};
use crate::ui::session::MeResource;

/// The frame of every page: skip link, header with the user, navigation, main.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let me = expect_context::<MeResource>();

    view! {
        <a class="skip-link" href="#contenu">{t!("app.skip_link")}</a>
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                {t!("app.name")}
            </a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    me.await.ok().flatten().map(|user| view! { <UserMenu user /> })
                })}
            </Suspense>
        </header>
        <main id="contenu" tabindex="-1" data-hydrated="false">
            {children()}
        </main>
        {crate::ui::session::with_islands().then(|| view! { <crate::ui::islands::live::Live /> })}
    }
}

#[component]
fn UserMenu(user: CurrentUser) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    // After logout, a full page load drops every cached piece of the session.
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            let _ = window().location().set_href("/connexion?deconnecte=1");
        }
    });
    let show_team = allows(user.role, Action::ViewTeam);
    let show_projects = allows(user.role, Action::ViewProjects);
    let show_directory = allows(user.role, Action::ViewDirectory);
    let show_outbox = allows(user.role, Action::ReadOutbox);
    view! {
        <nav class="main-nav" aria-label=t!("nav.label").into_owned()>
            <ul>
                <li><A href="/">{t!("nav.home")}</A></li>
                {show_projects.then(|| view! { <li><A href="/projets">{t!("nav.projects")}</A></li> })}
                {show_projects.then(|| view! { <li><A href="/tableau-de-bord">{t!("nav.dashboard")}</A></li> })}
                {show_directory.then(|| view! { <li><A href="/annuaire">{t!("nav.directory")}</A></li> })}
                {show_team.then(|| view! { <li><A href="/equipe">{t!("nav.team")}</A></li> })}
                {show_projects.then(|| view! { <li><A href="/mon-compte">{t!("nav.account")}</A></li> })}
                {show_outbox.then(|| view! { <li><A href="/admin/courriels">{t!("nav.outbox")}</A></li> })}
            </ul>
        </nav>
        <div class="user-box">
            <span class="visually-hidden">{t!("nav.connected_as")}" "</span>
            <span class="user-name" data-testid="user-name">{user.display_name.clone()}</span>
            <span class="role-badge" data-testid="user-role">{user.role.label()}</span>
            <ActionForm action=logout attr:class="logout-form" attr:data-then="open" attr:data-open="/connexion?deconnecte=1">
                <button type="submit" class="button-link">{t!("nav.logout")}</button>
            </ActionForm>
        </div>
    }
}
