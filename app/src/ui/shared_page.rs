//! The pages shown outside the staff: a project shared with a partner
//! (by account or by link), and the French pages that refuse a link.
//! Rendered once on the server into a whole HTML document with its CSS
//! inlined and no script at all: nothing to hydrate, readable with
//! JavaScript off, one request on a poor connection.
use leptos::prelude::*;

use crate::ui::components::data_table::{Col, DataTable};
use rust_i18n::t;

use crate::domain::funding::PlanFigure;
use crate::domain::{Stage, format_euros};
use crate::models::{SharedFunding, SharedMilestone, SharedProject};
use crate::ui::format;

const CSS: &str = include_str!("../../../style/shared.css");

/// Who is reading: the header offers a partner account its way home.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    PartnerAccount,
    LinkHolder,
}

/// A whole HTML document around `body`.
fn document(
    title: String,
    header: impl IntoView + 'static,
    body: impl IntoView + 'static,
) -> String {
    let owner = Owner::new();
    let html = owner.with(|| {
        view! {
            <html lang="fr">
                <head>
                    <meta charset="utf-8" />
                    <meta name="viewport" content="width=device-width, initial-scale=1" />
                    <meta name="robots" content="noindex, nofollow" />
                    // A token in the address never leaks to another site.
                    <meta name="referrer" content="no-referrer" />
                    <title>{title}</title>
                    // Raw: text children would be HTML-escaped, and CSS is not HTML.
                    <style inner_html=CSS></style>
                </head>
                <body>
                    {header}
                    <main id="contenu">{body}</main>
                </body>
            </html>
        }
        .to_html()
    });
    format!("<!DOCTYPE html>{html}")
}

fn header(structure: String, reader: Reader) -> impl IntoView {
    let nav = (reader == Reader::PartnerAccount).then(|| {
        view! {
            <nav aria-label=t!("nav.label").into_owned()>
                <a href="/">{t!("shared.back")}</a>
                <form method="post" action="/api/auth/logout">
                    <button type="submit">{t!("shared.logout")}</button>
                </form>
            </nav>
        }
    });
    view! {
        <header class="shared-head">
            <p class="structure">{t!("shared.shared_by", structure = structure)}</p>
            <p class="read-only">{t!("shared.read_only")}</p>
            {nav}
        </header>
    }
}

/// The shared page of a project.
pub fn render_project(project: SharedProject, reader: Reader) -> String {
    let title = format!("{} · {}", project.title, project.structure);
    let head = header(project.structure.clone(), reader);
    document(title, head, view! { <SharedProjectView project /> })
}

/// Why a shared page shows nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such link (404).
    UnknownLink,
    /// The project is not (or no longer) shared with this account (404).
    NotShared,
    /// The link was revoked (410).
    Revoked,
    /// The link's last day has passed (410).
    Expired,
    /// Too many links opened from this IP (429).
    TooManyRequests,
    /// Something broke on the server (500).
    Unavailable,
}

/// A French page saying why there is nothing to show.
pub fn render_refusal(structure: &str, refusal: Refusal) -> String {
    let (title, body) = match refusal {
        Refusal::UnknownLink => (t!("shared.unknown_title"), t!("shared.unknown_body")),
        Refusal::NotShared => (t!("shared.not_shared_title"), t!("shared.not_shared_body")),
        Refusal::Revoked => (t!("shared.gone_title"), t!("shared.revoked_body")),
        Refusal::Expired => (t!("shared.gone_title"), t!("shared.expired_body")),
        Refusal::TooManyRequests => (t!("shared.too_many_title"), t!("shared.too_many_body")),
        Refusal::Unavailable => (t!("shared.unavailable_title"), t!("error.internal")),
    };
    let (title, body) = (title.into_owned(), body.into_owned());
    let structure = structure.to_owned();
    let head = view! {
        <header class="shared-head">
            <p class="structure">{structure}</p>
        </header>
    };
    document(
        title.clone(),
        head,
        view! {
            <h1>{title}</h1>
            <p class="lead">{body}</p>
        },
    )
}

#[component]
fn SharedProjectView(project: SharedProject) -> impl IntoView {
    let SharedProject {
        title,
        summary,
        stage,
        communes,
        owner_name,
        start_date,
        end_date,
        officer,
        sections,
        upcoming,
        past,
        notes,
        funding,
        partners,
        expires_on,
        as_of,
        feed,
        documents,
        ..
    } = project;
    let dates = match (start_date, end_date) {
        (Some(s), Some(e)) => Some(t!(
            "shared.from_to",
            start = format::date(s),
            end = format::date(e)
        )),
        (Some(s), None) => Some(t!("shared.from", start = format::date(s))),
        (None, Some(e)) => Some(t!("shared.to", end = format::date(e))),
        (None, None) => None,
    };
    let milestones = sections
        .milestones
        .then(|| view! { <Milestones upcoming past /> });
    let notes = sections.notes.then(|| {
        view! {
            <section aria-labelledby="notes-title" data-section="notes">
                <h2 id="notes-title">{t!("shared.notes")}</h2>
                {if notes.is_empty() {
                    view! { <p class="empty">{t!("shared.no_notes")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain">
                            {notes.into_iter().map(|n| view! {
                                <li>
                                    <span class="when">{format::date(n.note_date)}</span>
                                    <p class="note-body">{n.body}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        }
    });
    let funding = funding.map(|funding| view! { <Funding funding /> });
    let partners = sections.partners.then(|| {
        view! {
            <section aria-labelledby="partners-title" data-section="partners">
                <h2 id="partners-title">{t!("shared.partners")}</h2>
                {if partners.is_empty() {
                    view! { <p class="empty">{t!("shared.no_partners")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain">
                            {partners.into_iter().map(|p| view! {
                                <li>{p.name}" "<span class="muted">"("{p.role}")"</span></li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        }
    });
    let contact = match officer {
        Some(o) => view! {
            <p>{o.name}" · "<a href=format!("mailto:{}", o.email)>{o.email.clone()}</a></p>
        }
        .into_any(),
        None => view! { <p class="empty">{t!("shared.contact_none")}</p> }.into_any(),
    };
    view! {
        <h1 data-testid="shared-title">{title}</h1>
        {(!summary.is_empty()).then(|| view! { <p class="lead">{summary}</p> })}
        <section>
            <dl class="facts">
                <dt>{t!("shared.communes")}</dt>
                <dd>{communes.join(", ")}</dd>
                {(!owner_name.is_empty()).then(|| view! {
                    <dt>{t!("shared.owner")}</dt>
                    <dd>{owner_name}</dd>
                })}
                {dates.map(|d| view! {
                    <dt>{t!("shared.dates")}</dt>
                    <dd>{d}</dd>
                })}
            </dl>
        </section>
        <StepBar stage />
        {milestones}
        {notes}
        {funding}
        {partners}
        <section aria-labelledby="contact-title">
            <h2 id="contact-title">{t!("shared.contact")}</h2>
            {contact}
        </section>
        {(!documents.is_empty()).then(|| view! {
            <section aria-labelledby="documents-title" data-section="documents">
                <h2 id="documents-title">{t!("documents.shared_title")}</h2>
                <ul>
                    {documents.into_iter().map(|d| view! {
                        <li data-testid="shared-document">
                            <a href=d.href download="">{d.name}</a>
                            " · "{d.type_label}
                            {d.doc_date.map(|day| format!(" · {}", format::date(day)))}
                            " · "{crate::domain::document::size_label(d.size)}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {feed.filter(|_| sections.milestones || sections.funding).map(|url| {
            let shown = url.clone();
            view! {
                <section aria-labelledby="feed-title" data-section="feed">
                    <h2 id="feed-title">{t!("shared.feed_title")}</h2>
                    <p>{t!("shared.feed_intro")}</p>
                    <p><a href=url data-testid="shared-feed" class="feed-url">{shown}</a></p>
                </section>
            }
        })}
        <footer>
            <p>
                {t!("shared.as_of", date = format::date(as_of))}
                {expires_on.map(|d| view! { " "{t!("shared.expires", date = format::date(d))} })}
            </p>
        </footer>
    }
}

#[component]
fn StepBar(stage: Stage) -> impl IntoView {
    let rank = stage.rank();
    view! {
        <section aria-labelledby="progress-title">
            <h2 id="progress-title">{t!("shared.progress")}</h2>
            {(stage == Stage::Abandoned).then(|| view! {
                <p class="notice">{t!("shared.abandoned")}</p>
            })}
            <ol class="steps">
                {Stage::PATH.into_iter().enumerate().map(|(i, s)| {
                    let (class, current) = match rank {
                        Some(r) if i < r => ("done", false),
                        Some(r) if i == r => ("current", true),
                        _ => ("todo", false),
                    };
                    view! {
                        <li class=class aria-current=current.then_some("step")>
                            {s.label()}
                            {current.then(|| view! { <span class="state">{t!("shared.current")}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn Milestones(upcoming: Vec<SharedMilestone>, past: Vec<SharedMilestone>) -> impl IntoView {
    let list = |items: Vec<SharedMilestone>| {
        if items.is_empty() {
            return view! { <p class="empty">{t!("shared.no_milestones")}</p> }.into_any();
        }
        view! {
            <ul class="plain">
                {items.into_iter().map(|m| {
                    let when = match m.done_date {
                        Some(d) => t!("shared.done_on", date = format::date(d)),
                        None => t!("shared.due_on", date = format::date(m.due_date)),
                    };
                    view! {
                        <li>
                            <span class="when">{when}</span>{m.title}
                            {m.late.then(|| view! { " " <span class="late">{t!("shared.late")}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="upcoming-title" data-section="milestones">
            <h2 id="upcoming-title">{t!("shared.upcoming")}</h2>
            {list(upcoming)}
            <h2 id="past-title">{t!("shared.past")}</h2>
            {list(past)}
        </section>
    }
}

#[component]
fn Funding(funding: SharedFunding) -> impl IntoView {
    let total = |figure: PlanFigure, cents: Option<i64>| {
        cents.map(|c| {
            view! {
                <div data-figure=figure.as_str()>
                    <dt>{figure.label()}</dt>
                    <dd>{format_euros(c)}</dd>
                </div>
            }
        })
    };
    view! {
        <section aria-labelledby="funding-title" data-section="funding">
            <h2 id="funding-title">{t!("shared.funding")}</h2>
            <dl class="totals">
                {PlanFigure::SHARED.into_iter().map(|f| total(f, f.of(&funding.totals))).collect_view()}
            </dl>
            {if funding.funders.is_empty() {
                view! { <p class="empty">{t!("shared.no_funding")}</p> }.into_any()
            } else {
                view! {
                    <DataTable cols=vec![
                        Col::text(t!("shared.funder")), Col::text(t!("shared.status")),
                        Col::num(t!("shared.amount")),
                    ]>
                        {funding.funders.into_iter().map(|f| view! {
                            <tr>
                                <td>{f.funder_name}</td>
                                <td>{f.status.label()}</td>
                                <td class="num">{format_euros(f.amount_cents)}</td>
                            </tr>
                        }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </section>
    }
}
