use leptos::prelude::*;
use leptos_meta::{Link, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode, StaticSegment,
    components::{Route, Router, Routes},
    path,
};
use rust_i18n::t;

use super::components::layout::Layout;
use super::pages::{
    account::AccountPage,
    dashboard::DashboardPage,
    directory::DirectoryPage,
    funders::FundersPage,
    home::HomePage,
    imports::{ImportPage, ImportsPage},
    login::LoginPage,
    not_found::NotFound,
    organisation::{NewOrganisationPage, OrganisationPage},
    outbox::OutboxPage,
    person::{NewPersonPage, PersonPage},
    project::ProjectPage,
    project_form::{EditProjectPage, NewProjectPage},
    project_sheet::ProjectSheetPage,
    projects::ProjectListPage,
    reference_lists::{DocumentTypesPage, ProgrammesPage, ThemesPage},
    team::TeamPage,
};
use super::session;

/// The HTML document around the app (server side). Its answer carries a
/// Content-Security-Policy naming this render's nonce, the only inline
/// script allowed (Leptos' hydration script and resource data carry it).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::headers::send_page_policy();
    let islands = session::with_islands();
    // Without the islands' script nothing hydrates: no resource's data is
    // written into the page for a browser that would never read it.
    #[cfg(feature = "ssr")]
    if !islands && let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    view! {
        <!DOCTYPE html>
        <html lang="fr">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                {islands.then(|| view! { <HydrationScripts options islands=true /> })}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The stylesheet's URL, set once by the server from its build's hashes.
static STYLESHEET: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Names the built stylesheet (`/pkg/maillage.<hash>.css`); the first call wins.
pub fn use_stylesheet(href: String) {
    let _ = STYLESHEET.set(href);
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    session::provide();

    view! {
        <Stylesheet
            id="leptos"
            href=STYLESHEET.get().cloned().unwrap_or_else(|| "/pkg/maillage.css".to_owned())
        />
        <Link rel="icon" href="/favicon.ico" />
        <Title formatter=|page: String| {
            if page.is_empty() { "Maillage".to_owned() } else { format!("{page} · Maillage") }
        } />
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async />
                    <Route path=StaticSegment("connexion") view=LoginPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("equipe") view=TeamPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("mon-compte") view=AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/projets") view=ProjectListPage ssr=SsrMode::Async />
                    <Route path=path!("/tableau-de-bord") view=DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/programmes") view=ProgrammesPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/thematiques") view=ThemesPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/types-de-documents") view=DocumentTypesPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/financeurs") view=FundersPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/courriels") view=OutboxPage ssr=SsrMode::Async />
                    <Route path=path!("/projets/nouveau") view=NewProjectPage ssr=SsrMode::Async />
                    <Route path=path!("/projets/:id") view=ProjectPage ssr=SsrMode::Async />
                    <Route path=path!("/projets/:id/modifier") view=EditProjectPage ssr=SsrMode::Async />
                    <Route path=path!("/projets/:id/fiche") view=ProjectSheetPage ssr=SsrMode::Async />
                    <Route path=path!("/importer") view=ImportsPage ssr=SsrMode::Async />
                    <Route path=path!("/importer/:id") view=ImportPage ssr=SsrMode::Async />
                    <Route path=path!("/annuaire") view=DirectoryPage ssr=SsrMode::Async />
                    <Route path=path!("/annuaire/organisations/nouvelle") view=NewOrganisationPage ssr=SsrMode::Async />
                    <Route path=path!("/annuaire/organisations/:id") view=OrganisationPage ssr=SsrMode::Async />
                    <Route path=path!("/annuaire/personnes/nouvelle") view=NewPersonPage ssr=SsrMode::Async />
                    <Route path=path!("/annuaire/personnes/:id") view=PersonPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
        <noscript>{t!("app.tagline")}</noscript>
    }
}
