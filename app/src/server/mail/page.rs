//! The page behind a mail's unsubscribe link: a question and one button
//! (a link opened by a mail scanner changes nothing), then the answer. No
//! script; only the app's own words and the checked token go in.
use html_escape::encode_text as esc;
use rust_i18n::t;

use crate::domain::mail::MailKind;

fn document(body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Maillage</title><link rel=\"stylesheet\" href=\"/pkg/maillage.css\">\
         </head><body><main class=\"error-page\" data-testid=\"unsubscribe\"><h1>{title}</h1>{body}\
         </main></body></html>",
        title = esc(&t!("mail.unsubscribe.title")),
    )
}

/// The question, with the button that posts to the same address.
pub fn ask(kind: MailKind) -> String {
    let question = match kind {
        MailKind::Reminder => t!("mail.unsubscribe.ask_reminder"),
        MailKind::Digest => t!("mail.unsubscribe.ask_digest"),
        MailKind::Committee => t!("mail.unsubscribe.ask_committee"),
    };
    document(&format!(
        "<p>{}</p><form method=\"post\"><button type=\"submit\" class=\"button primary\">{}</button></form>",
        esc(&question),
        esc(&t!("mail.unsubscribe.confirm")),
    ))
}

/// Done.
pub fn done(kind: MailKind) -> String {
    let message = match kind {
        MailKind::Reminder => t!("mail.unsubscribe.done_reminder"),
        MailKind::Digest => t!("mail.unsubscribe.done_digest"),
        MailKind::Committee => t!("mail.unsubscribe.done_committee"),
    };
    document(&format!("<p role=\"status\">{}</p>", esc(&message)))
}

/// An unknown token.
pub fn unknown() -> String {
    document(&format!("<p>{}</p>", esc(&t!("mail.unsubscribe.unknown"))))
}
