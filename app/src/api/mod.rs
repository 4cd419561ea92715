//! Server functions: the only doors from the UI to the server. Each one is
//! thin — session → policy → service → DTO — and has a fixed endpoint under
//! `/api/` so permissions can be tested by URL.
#[cfg(feature = "ssr")]
pub mod args;
pub mod auth;
pub mod dashboard;
pub mod directory;
pub mod funding;
pub mod projects;
pub mod references;
pub mod shares;
pub mod users;

/// The server's today (UTC): the date rules are checked against. The
/// browser never reads its own clock for a rule.
#[cfg(feature = "ssr")]
pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Every API module's listed server functions (see `args`).
#[cfg(feature = "ssr")]
pub(crate) const ARGS: &[&[args::ArgsDecoder]] = &[
    auth::ARGS,
    dashboard::ARGS,
    directory::ARGS,
    funding::ARGS,
    projects::ARGS,
    references::ARGS,
    shares::ARGS,
    users::ARGS,
];
