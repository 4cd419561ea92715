//! Calendar feeds as the account page shows them.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::calendar::FeedScope;

/// One of the user's feeds (its address is never shown again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarFeedView {
    pub scope: FeedScope,
    pub created_at: DateTime<Utc>,
    /// A filter's feed: its criteria.
    pub filter: Option<FeedFilter>,
}

/// The dashboard filter a feed publishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedFilter {
    /// Its criteria in words.
    pub label: String,
    pub filter: crate::models::DashboardFilter,
}

/// The account page's calendar section: the feeds the user may have, and
/// those they have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarFeeds {
    pub scopes: Vec<FeedScope>,
    /// Whether the user may have feeds of dashboard filters.
    pub filters: bool,
    pub feeds: Vec<CalendarFeedView>,
}

/// A new feed address, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedFeed {
    pub scope: FeedScope,
    pub url: String,
}

/// A feed's path on this site.
pub fn calendar_path(token: &str) -> String {
    format!("/calendrier/{token}.ics")
}
