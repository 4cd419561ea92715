//! Calendar feeds: each staff member creates, renews and revokes the
//! private addresses of their feeds (`SubscribeCalendar`; the portfolio's
//! feed for heads and admins). The feeds themselves are an axum route
//! (`server/src/calendar_feed.rs`): the token is their only credential.
use leptos::prelude::*;

use crate::domain::calendar::FeedScope;
use crate::error::AppError;
use crate::models::{CalendarFeeds, CreatedFeed, DashboardFilter};
#[cfg(feature = "ssr")]
use crate::{policy::Action, server::auth, server::services::calendar};

/// The feeds the user may have, and those they have.
#[server(endpoint = "calendar/feeds")]
pub async fn list_calendar_feeds() -> Result<CalendarFeeds, AppError> {
    auth::run(Action::SubscribeCalendar, |cx| async move {
        Ok(CalendarFeeds {
            scopes: FeedScope::for_role(cx.actor.role),
            filters: FeedScope::Filter.allowed(cx.actor.role),
            feeds: calendar::feeds_of(&cx.db, cx.actor.id).await?,
        })
    })
    .await
}

/// A new address for the feed of `scope` — for a filter's feed, of
/// `filter`, the dashboard's criteria — (the previous one stops working);
/// shown once.
#[server(endpoint = "calendar/create")]
pub async fn create_calendar_feed(
    scope: FeedScope,
    #[server(default)] filter: Option<DashboardFilter>,
) -> Result<CreatedFeed, AppError> {
    auth::run(Action::SubscribeCalendar, |cx| async move {
        let state = auth::state()?;
        let token = calendar::create(&cx.db, &cx.actor, scope, filter.as_ref(), cx.now).await?;
        Ok(CreatedFeed {
            scope,
            url: format!(
                "{}{}",
                auth::public_base(&state),
                crate::models::calendar_path(&token)
            ),
        })
    })
    .await
}

/// Ends the feed of `scope` (of `filter`, for a filter's feed): its
/// address answers 404 from now on.
#[server(endpoint = "calendar/revoke")]
pub async fn revoke_calendar_feed(
    scope: FeedScope,
    #[server(default)] filter: Option<DashboardFilter>,
) -> Result<(), AppError> {
    auth::run(Action::SubscribeCalendar, |cx| async move {
        calendar::revoke(&cx.db, &cx.actor, scope, filter.as_ref()).await
    })
    .await
}

#[cfg(feature = "ssr")]
crate::server_fn_args!(ListCalendarFeeds, CreateCalendarFeed, RevokeCalendarFeed);
