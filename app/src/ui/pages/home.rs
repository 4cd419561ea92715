use crate::ui::components::text::PageTitle;
use leptos::prelude::*;
use rust_i18n::t;

use crate::api::projects::get_officer_home;
use crate::api::shares::shared_with_me;
use crate::domain::Role;
use crate::models::CurrentUser;
use crate::models::{FundingDeadline, MilestoneDue};
use crate::ui::components::error::ErrorNotice;
use crate::ui::components::select_filter::SelectFilter;
use crate::ui::format;
use crate::ui::pages::dashboard::DashboardView;

/// The landing page: each role has its own. Decided from the request's
/// user at once (pages render on the server only), not under a `Suspend`,
/// whose `dry_resolve` would start the role's resources again (the head's
/// dashboard ran its server functions several times per page).
#[component]
pub fn HomePage() -> impl IntoView {
    crate::ui::session::user().map(|user| view! { <RoleHome user /> })
}

#[component]
fn RoleHome(user: CurrentUser) -> impl IntoView {
    let (title, intro) = match user.role {
        Role::Officer => (t!("home.officer_title"), t!("home.officer_intro")),
        Role::Head => (t!("home.head_title"), t!("home.head_intro")),
        Role::Partner => (t!("home.partner_title"), t!("home.partner_intro")),
        Role::Admin => (t!("home.admin_title"), t!("home.admin_intro")),
    };
    let officer_home = (user.role == Role::Officer).then(|| view! { <OfficerHomeView /> });
    let head_home = (user.role == Role::Head).then(|| view! { <DashboardView /> });
    let partner_home = (user.role == Role::Partner).then(|| view! { <PartnerHomeView /> });
    let admin_link = (user.role == Role::Admin).then(|| {
        view! {
            <p>
                <a class="button" href="/equipe">{t!("team.title")}</a>
                " "
                <a class="button" href="/admin/programmes">{t!("reference.programmes.title")}</a>
                " "
                <a class="button" href="/admin/thematiques">{t!("reference.themes.title")}</a>
                " "
                <a class="button" href="/admin/types-de-documents">{t!("reference.document_types.title")}</a>
                " "
                <a class="button" href="/admin/financeurs">{t!("funders.title")}</a>
            </p>
        }
    });
    view! {
        <PageTitle text=title.clone().into_owned() />
        <p class="welcome">{t!("home.welcome", name = user.display_name)}</p>
        <h1 id="home-title" data-testid="home-title">{title}</h1>
        <section class="card">
            <p>{intro}</p>
            {admin_link}
        </section>
        {officer_home}
        {head_home}
        {partner_home}
    }
}

/// A partner account's home: exactly the projects shared with it. Their
/// pages are server routes outside the app (no script), hence full loads.
#[component]
fn PartnerHomeView() -> impl IntoView {
    let shared = Resource::new(|| (), |_| shared_with_me());
    view! {
        <section class="card" aria-labelledby="home-title" data-testid="shared-with-me">
            <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
                {move || Suspend::new(async move {
                    match shared.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{t!("home.shared_empty")}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="plain-list">
                                {list.into_iter().map(|p| view! {
                                    <li data-testid="shared-project">
                                        <a href=format!("/espace-partenaire/projets/{}", p.project_id) rel="external">{p.title}</a>
                                        <span class="muted">
                                            " · "{p.stage.label()}" · "{p.communes.join(", ")}
                                            " · "{t!("home.shared_since", date = format::date(p.shared_on))}
                                            {p.expires_on.map(|d| format!(" · {}", t!("home.shared_until", date = format::date(d))))}
                                        </span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// "Mes projets": active projects, late milestones, those due in 30 days.
#[component]
fn OfficerHomeView() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let person = move || query.read().get("pour").and_then(|v| v.parse::<i64>().ok());
    let home = Resource::new(person, get_officer_home);
    view! {
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(home) => view! {
                        <form class="card inline-form" method="get" action="/" role="search"
                            aria-label=t!("home.whose_label").into_owned() data-testid="whose-work">
                            <SelectFilter id="home-person" name="pour" label=t!("home.whose").into_owned()
                                options=home.team.iter().map(|l| (l.code.clone(), l.label.clone())).collect()
                                current=home.person.as_ref().map(|(id, _)| id.to_string())
                                empty=t!("home.whose_me").into_owned() />
                            <button type="submit" class="button">{t!("projects.apply")}</button>
                            {home.person.as_ref().map(|(_, name)| view! {
                                <p class="hint" data-testid="whose-name">{t!("home.whose_shown", name = name.clone())}</p>
                            })}
                        </form>
                        <div class="two-cols">
                            <section class="card" aria-labelledby="late-title">
                                <h2 id="late-title">{t!("projects.late_title")}</h2>
                                <MilestoneList items=home.late />
                            </section>
                            <section class="card" aria-labelledby="soon-title">
                                <h2 id="soon-title">{t!("projects.soon_title")}</h2>
                                <MilestoneList items=home.due_soon />
                            </section>
                        </div>
                        <section class="card" aria-labelledby="deadlines-title" data-testid="funding-deadlines">
                            <h2 id="deadlines-title">{t!("funding.deadlines_title")}</h2>
                            <DeadlineList items=home.deadlines />
                        </section>
                        <section class="card" aria-labelledby="mine-title">
                            <h2 id="mine-title">{match &home.person {
                                Some((_, name)) => t!("projects.their_projects", name = name.clone()),
                                None => t!("projects.my_projects"),
                            }}</h2>
                            {if home.projects.is_empty() {
                                view! { <p class="empty">{t!("home.empty")}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain-list">
                                        {home.projects.into_iter().map(|p| view! {
                                            <li>
                                                <a href=format!("/projets/{}", p.id)>{p.title}</a>
                                                <span class="muted">" · "{p.stage.label()}" · "{p.communes.join(", ")}</span>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            <p><a class="button primary" href="/projets/nouveau">{t!("projects.new")}</a></p>
                        </section>
                    }.into_any(),
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DeadlineList(items: Vec<FundingDeadline>) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="empty">{t!("home.empty")}</p> }.into_any();
    }
    view! {
        <ul class="plain-list">
            {items.into_iter().map(|d| view! {
                <li class:late=d.overdue data-testid="funding-deadline">
                    <span class="when">{format::date(d.date)}</span>" "
                    {t!(format!("funding.deadline_{}", d.kind), funder = d.funder_name)}
                    {d.overdue.then(|| view! { " " <span class="badge">{t!("funding.overdue")}</span> })}
                    " · "
                    <a href=format!("/projets/{}", d.project_id)>{d.project_title}</a>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn MilestoneList(items: Vec<MilestoneDue>) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="empty">{t!("home.empty")}</p> }.into_any();
    }
    view! {
        <ul class="plain-list">
            {items.into_iter().map(|m| view! {
                <li>
                    <span class="when">{format::date(m.due_date)}</span>" "
                    <a href=format!("/projets/{}", m.project_id)>{m.title}</a>
                    <span class="muted">" · "{m.project_title}</span>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}
