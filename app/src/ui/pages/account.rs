//! « Mon compte »: the signed-in user's own settings. For now, the private
//! addresses of their calendar feeds (create, renew, revoke).
use leptos::prelude::*;
use rust_i18n::t;

use crate::api::calendar::{CreateCalendarFeed, RevokeCalendarFeed, list_calendar_feeds};
use crate::domain::calendar::FeedScope;
use crate::models::CalendarFeeds;
use crate::policy::{Action, allows};
use crate::ui::actions::general_error;
use crate::ui::components::error::ErrorNotice;
use crate::ui::components::text::PageTitle;
use crate::ui::format;
use crate::ui::session;

#[component]
pub fn AccountPage() -> impl IntoView {
    // A partner has no feed: the page does not ask for them.
    let subscribes = session::user().is_some_and(|u| allows(u.role, Action::SubscribeCalendar));
    let feeds = subscribes.then(|| Resource::new(|| (), |_| list_calendar_feeds()));
    let create = ServerAction::<CreateCalendarFeed>::new();
    let revoke = ServerAction::<RevokeCalendarFeed>::new();
    view! {
        <PageTitle text=t!("calendar.page_title").into_owned() />
        <h1>{t!("calendar.page_title")}</h1>
        <section class="card" id="agenda" aria-labelledby="agenda-title" data-testid="calendar-feeds">
            <h2 id="agenda-title">{t!("calendar.title")}</h2>
            {match feeds {
                None => view! { <p class="empty">{t!("calendar.none_for_partners")}</p> }.into_any(),
                Some(feeds) => view! {
                    <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
                        {move || Suspend::new(async move {
                            match feeds.await {
                                Ok(feeds) => view! { <Feeds feeds create revoke /> }.into_any(),
                                Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                            }
                        })}
                    </Suspense>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Feeds(
    feeds: CalendarFeeds,
    create: ServerAction<CreateCalendarFeed>,
    revoke: ServerAction<RevokeCalendarFeed>,
) -> impl IntoView {
    view! {
        <p>{t!("calendar.intro")}</p>
        <p class="hint">{t!("calendar.secret")}</p>
        // A new address, shown once (filled by the `Live` island).
        <div class="notice success" role="status" data-testid="new-feed" id="new-feed" hidden>
            <p>{t!("calendar.created")}</p>
            <label for="new-feed-url">{t!("calendar.link_label")}</label>
            <input id="new-feed-url" type="text" readonly data-result="url" class="copy-field" />
            <p><a href="/mon-compte#agenda">{t!("calendar.done")}</a></p>
        </div>
        <p class="form-error" role="alert">{general_error(create)}</p>
        <p class="form-error" role="alert">{general_error(revoke)}</p>
        {feeds.scopes.into_iter().map(|scope| {
            let active = feeds.feeds.iter().find(|f| f.scope == scope).map(|f| f.created_at);
            view! { <Feed scope active create revoke /> }
        }).collect_view()}
    }
}

#[component]
fn Feed(
    scope: FeedScope,
    active: Option<chrono::DateTime<chrono::Utc>>,
    create: ServerAction<CreateCalendarFeed>,
    revoke: ServerAction<RevokeCalendarFeed>,
) -> impl IntoView {
    let code = scope.as_str();
    let status = match active {
        Some(at) => t!("calendar.active", date = format::datetime(at)).into_owned(),
        None => t!("calendar.inactive").into_owned(),
    };
    let title_id = format!("agenda-{code}");
    let labelled_by = title_id.clone();
    view! {
        <div class="feed" data-testid=format!("feed-{code}") data-active=active.is_some().to_string()
            role="group" aria-labelledby=labelled_by>
            <h3 id=title_id>{scope.label()}</h3>
            <p class="hint">{t!(format!("calendar.scope_hint.{code}"))}</p>
            <p>{status}</p>
            <div class="actions">
                <ActionForm action=create attr:class="inline-form" attr:data-anchor="agenda"
                    attr:data-then="show" attr:data-result-box="new-feed">
                    <input type="hidden" name="scope" value=code />
                    <button type="submit" class="button primary" data-testid="create-feed">
                        {if active.is_some() { t!("calendar.renew") } else { t!("calendar.create") }}
                    </button>
                </ActionForm>
                {active.is_some().then(|| view! {
                    <ActionForm action=revoke attr:class="inline-form" attr:data-anchor="agenda"
                        attr:data-done=t!("calendar.revoked").into_owned()
                        attr:data-confirm=t!("calendar.revoke_confirm").into_owned()>
                        <input type="hidden" name="scope" value=code />
                        <button type="submit" class="button danger" data-testid="revoke-feed">{t!("calendar.revoke")}</button>
                    </ActionForm>
                })}
            </div>
        </div>
    }
}
