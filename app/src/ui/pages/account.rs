//! « Mon compte »: the signed-in user's own settings: the private addresses
//! of their calendar feeds (create, renew, revoke) and the mails they
//! receive (reminders, weekly digest).
use leptos::prelude::*;
use rust_i18n::t;

use crate::api::calendar::{CreateCalendarFeed, RevokeCalendarFeed, list_calendar_feeds};
use crate::api::mail::{SaveMailSettings, get_mail_settings};
use crate::domain::calendar::FeedScope;
use crate::domain::mail::DigestFrequency;
use crate::models::{CalendarFeeds, MailSettingsView};
use crate::policy::{Action, allows};
use crate::ui::actions::{field_error, general_error};
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
    let mails = subscribes.then(|| Resource::new(|| (), |_| get_mail_settings()));
    let save_mail = ServerAction::<SaveMailSettings>::new();
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
        {mails.map(|mails| view! {
            <section class="card" id="courriels" aria-labelledby="mail-title" data-testid="mail-settings">
                <h2 id="mail-title">{t!("mail.settings.title")}</h2>
                <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
                    {move || Suspend::new(async move {
                        match mails.await {
                            Ok(choice) => view! { <MailChoices choice save=save_mail /> }.into_any(),
                            Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        })}
    }
}

#[component]
fn MailChoices(choice: MailSettingsView, save: ServerAction<SaveMailSettings>) -> impl IntoView {
    view! {
        <p>{t!("mail.settings.intro")}</p>
        <ActionForm action=save attr:class="form" attr:novalidate="true" attr:data-anchor="courriels"
            attr:data-done=t!("mail.settings.saved").into_owned()>
            <p class="form-error" role="alert">{general_error(save)}</p>
            <div class="check-field">
                <label class="check">
                    <input type="checkbox" name="form[reminders]" id="mail-reminders" checked=choice.reminders />
                    {t!("mail.settings.reminders")}
                </label>
                <p class="hint">{t!("mail.settings.reminders_hint")}</p>
            </div>
            <div class="field">
                <label for="mail-digest">{t!("mail.settings.digest")}</label>
                <select id="mail-digest" name="form[digest]" aria-describedby="mail-digest-hint mail-digest-error">
                    {DigestFrequency::ALL.iter().map(|f| view! {
                        <option value=f.as_str() selected=*f == choice.digest>{f.label()}</option>
                    }).collect_view()}
                </select>
                <p class="hint" id="mail-digest-hint">{t!("mail.settings.digest_hint")}</p>
                <p class="field-error" id="mail-digest-error" role="alert">{field_error(save, "digest")}</p>
            </div>
            <button type="submit" class="button primary" data-testid="save-mail">{t!("mail.settings.save")}</button>
        </ActionForm>
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
        {feeds.filters.then(|| {
            let filtered: Vec<_> = feeds.feeds.into_iter().filter_map(|f| f.filter.map(|filter| (f.created_at, filter))).collect();
            view! { <FilterFeeds filtered revoke /> }
        })}
    }
}

/// The user's feeds of dashboard filters (created from the dashboard),
/// each with its criteria, a link to the dashboard so filtered, and
/// « Révoquer ».
#[component]
fn FilterFeeds(
    filtered: Vec<(chrono::DateTime<chrono::Utc>, crate::models::FeedFilter)>,
    revoke: ServerAction<RevokeCalendarFeed>,
) -> impl IntoView {
    let code = FeedScope::Filter.as_str();
    view! {
        <div class="feed" data-testid="feed-filter" role="group" aria-labelledby="agenda-filter">
            <h3 id="agenda-filter">{t!("calendar.filter_feeds")}</h3>
            <p class="hint">{t!(format!("calendar.scope_hint.{code}"))}</p>
            {if filtered.is_empty() {
                view! { <p class="empty">{t!("calendar.filter_none")}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {filtered.into_iter().map(|(at, f)| view! {
                            <li data-testid="filter-feed">
                                <strong>{f.label.clone()}</strong>
                                " · "<a href=format!("/tableau-de-bord?{}", f.filter.query())>{t!("calendar.filter_open")}</a>
                                <span class="muted">" · "{t!("calendar.active", date = format::datetime(at))}</span>
                                <ActionForm action=revoke attr:class="inline-form" attr:data-anchor="agenda"
                                    attr:data-done=t!("calendar.revoked").into_owned()
                                    attr:data-confirm=t!("calendar.revoke_confirm").into_owned()>
                                    <input type="hidden" name="scope" value=code />
                                    {f.filter.form_fields().into_iter().map(|(name, value)| view! {
                                        <input type="hidden" name=name value=value />
                                    }).collect_view()}
                                    <button type="submit" class="button danger" data-testid="revoke-filter-feed">{t!("calendar.revoke")}</button>
                                </ActionForm>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </div>
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
