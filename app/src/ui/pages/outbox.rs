//! `/admin/courriels`: the mails the app sent or kept (the outbox when no
//! SMTP server is configured), newest first, with failures and their cause.
use leptos::prelude::*;
use rust_i18n::t;

use crate::api::mail::get_outbox;
use crate::domain::mail::MailStatus;
use crate::models::{Outbox, OutboxEntry};
use crate::ui::components::data_table::{Col, DataTable};
use crate::ui::components::error::ErrorNotice;
use crate::ui::components::text::PageTitle;
use crate::ui::format;

#[component]
pub fn OutboxPage() -> impl IntoView {
    let outbox = Resource::new(|| (), |_| get_outbox());
    view! {
        <PageTitle text=t!("mail.outbox.title").into_owned() />
        <h1>{t!("mail.outbox.title")}</h1>
        <Suspense fallback=|| view! { <p>{t!("app.loading")}</p> }>
            {move || Suspend::new(async move {
                match outbox.await {
                    Ok(outbox) => view! { <Mails outbox /> }.into_any(),
                    Err(err) => view! { <ErrorNotice error=err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Mails(outbox: Outbox) -> impl IntoView {
    let intro = if outbox.smtp {
        t!("mail.outbox.intro_smtp")
    } else {
        t!("mail.outbox.intro_outbox")
    };
    let empty = outbox.entries.is_empty();
    view! {
        <p>{intro}</p>
        {empty.then(|| view! { <p class="empty">{t!("mail.outbox.empty")}</p> })}
        {(!empty).then(|| view! {
            <DataTable class="stack-on-phone" testid="outbox" cols=vec![
                Col::text(t!("mail.outbox.date")), Col::text(t!("mail.outbox.recipient")),
                Col::text(t!("mail.outbox.subject")), Col::text(t!("mail.outbox.status")),
            ]>
                {outbox.entries.into_iter().map(|m| view! { <Mail m /> }).collect_view()}
            </DataTable>
        })}
    }
}

#[component]
fn Mail(m: OutboxEntry) -> impl IntoView {
    let status = match (m.status, &m.last_error) {
        (MailStatus::Pending, Some(error)) => t!(
            "mail.outbox.retrying",
            attempts = m.attempts,
            error = error.as_str()
        )
        .into_owned(),
        (MailStatus::Failed, Some(error)) => {
            format!("{} — {error}", m.status.label())
        }
        (status, _) => status.label(),
    };
    let failed = m.status == MailStatus::Failed;
    view! {
        <tr data-testid="outbox-row" data-status=m.status.as_str() class:failed=failed>
            <td data-label=t!("mail.outbox.date").into_owned()>{format::datetime(m.created_at)}</td>
            <td data-label=t!("mail.outbox.recipient").into_owned()>{m.recipient}</td>
            <td data-label=t!("mail.outbox.subject").into_owned()>
                <details>
                    <summary data-testid="outbox-subject">{m.subject}</summary>
                    <pre class="mail-body" data-testid="outbox-body">{m.body_text}</pre>
                </details>
            </td>
            <td data-label=t!("mail.outbox.status").into_owned()>{status}</td>
        </tr>
    }
}
