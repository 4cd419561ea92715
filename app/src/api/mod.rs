//! Server functions: the only doors from the UI to the server. Each one is
//! thin — `auth::run(action, |cx| …)`: session → policy, then the input's
//! `validate()`, a service called with `cx.db`, `cx.actor` and `cx.now` (the
//! call's one reading of the clock; `cx.today()` for date rules), a DTO —
//! and has a fixed endpoint under `/api/` so permissions can be tested by URL.
#[cfg(feature = "ssr")]
pub mod args;
pub mod auth;
pub mod calendar;
pub mod dashboard;
pub mod directory;
pub mod documents;
pub mod funding;
pub mod imports;
pub mod mail;
pub mod projects;
pub mod references;
pub mod shares;
pub mod users;

/// Every API module's listed server functions (see `args`).
#[cfg(feature = "ssr")]
pub(crate) const ARGS: &[&[args::ArgsDecoder]] = &[
    auth::ARGS,
    calendar::ARGS,
    dashboard::ARGS,
    directory::ARGS,
    documents::ARGS,
    funding::ARGS,
    imports::ARGS,
    mail::ARGS,
    projects::ARGS,
    references::ARGS,
    shares::ARGS,
    users::ARGS,
];
