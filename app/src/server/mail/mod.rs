//! E-mail (issue 20): deadline reminders and weekly digests, written in
//! French (`compose`), planned and sent by the in-app scheduler
//! (`scheduler`) through mail jobs (`jobs`: SMTP with `lettre`, or the
//! outbox when no SMTP server is configured), as each person chose
//! (`settings`, with the one-click unsubscribe of RFC 8058).
pub mod compose;
pub mod jobs;
pub mod page;
pub mod scheduler;
pub mod settings;

pub use jobs::Mailer;
pub use scheduler::Scheduler;
