//! The words of each mail, in French: a plain-text part and an HTML part
//! (user text escaped), a link to each project and the unsubscribe link.
use chrono::NaiveDate;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as esc};
use rust_i18n::t;

use crate::domain::mail::DIGEST_AHEAD_DAYS;
use crate::server::ical::{clean_text, title};
use crate::server::services::calendar::Deadline;
use crate::ui::format;

/// A mail ready to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Where links point (no trailing slash) and the unsubscribe link.
pub struct Links<'a> {
    pub base: &'a str,
    pub unsubscribe: &'a str,
}

/// One line of text: no line breaks or control characters (a subject, a
/// title).
fn line(text: &str) -> String {
    clean_text(text).replace('\n', " ")
}

fn deadline_title(d: &Deadline) -> String {
    line(&title(d.kind, &d.subject, &d.project_title))
}

fn project_link(links: &Links, project_id: i64) -> String {
    format!("{}/projets/{project_id}", links.base)
}

/// The HTML part: `body`, then why the mail came and, for a mail sent on
/// a schedule, the unsubscribe link (none is given when `links` has none).
fn html_page(body: &str, links: &Links, why: &str) -> String {
    let stop = if links.unsubscribe.is_empty() {
        String::new()
    } else {
        format!(
            " <a href=\"{}\">{}</a>",
            attr(links.unsubscribe),
            esc(&t!("mail.unsubscribe_link"))
        )
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family:sans-serif;line-height:1.5;max-width:40em\">{body}\
         <hr><p style=\"color:#555;font-size:90%\">{why}{stop}</p></body></html>\n",
        why = esc(why),
    )
}

fn text_footer(links: &Links, why: &str) -> String {
    if links.unsubscribe.is_empty() {
        return format!("\n-- \n{why}\n");
    }
    format!(
        "\n-- \n{why}\n{stop} : {url}\n",
        stop = t!("mail.unsubscribe_link"),
        url = links.unsubscribe
    )
}

/// A titled list of links, written to both parts: `- label` and its link
/// in the text, `<h2>` and `<ul>` in the HTML (user text escaped).
fn push_list(text: &mut String, body: &mut String, heading: &str, rows: &[(String, String)]) {
    text.push_str(&format!("\n{heading}\n"));
    body.push_str(&format!(
        "<h2 style=\"font-size:110%\">{}</h2><ul>",
        esc(heading)
    ));
    for (label, link) in rows {
        text.push_str(&format!("- {label}\n  {link}\n"));
        body.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>",
            attr(link),
            esc(label)
        ));
    }
    body.push_str("</ul>");
}

/// How far the day is, in words: « aujourd’hui », « demain », « dans 7 jours ».
pub fn days_left(day: NaiveDate, today: NaiveDate) -> String {
    match (day - today).num_days() {
        0 => t!("mail.today").into_owned(),
        1 => t!("mail.tomorrow").into_owned(),
        n if n > 1 => t!("mail.in_days", n = n).into_owned(),
        n => t!("mail.days_ago", n = -n).into_owned(),
    }
}

/// The reminder of one deadline, sent `days_left` before it.
pub fn reminder(d: &Deadline, today: NaiveDate, links: &Links) -> Composed {
    let what = deadline_title(d);
    let when = format!("{} ({})", format::date(d.day), days_left(d.day, today));
    let link = project_link(links, d.project_id);
    let subject = line(&t!(
        "mail.reminder.subject",
        when = days_left(d.day, today),
        what = what.as_str()
    ));
    let why = t!("mail.reminder.why").into_owned();
    let text = format!(
        "{intro}\n\n{what}\n{due} : {when}\n{see} : {link}\n{footer}",
        intro = t!("mail.reminder.intro"),
        due = t!("mail.due"),
        see = t!("mail.see"),
        footer = text_footer(links, &why),
    );
    let body = format!(
        "<p>{intro}</p><p><strong>{what}</strong><br>{due} : {when}</p>\
         <p><a href=\"{link}\">{see}</a></p>",
        intro = esc(&t!("mail.reminder.intro")),
        what = esc(&what),
        due = esc(&t!("mail.due")),
        when = esc(&when),
        link = attr(&link),
        see = esc(&t!("mail.see_project")),
    );
    Composed {
        subject,
        text,
        html: html_page(&body, links, &why),
    }
}

/// What a weekly digest says. Empty: no mail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Digest {
    /// Deadlines already past, still open.
    pub late: Vec<Deadline>,
    /// Deadlines in the next `DIGEST_AHEAD_DAYS` days.
    pub soon: Vec<Deadline>,
    /// Projects they lead that others changed since the last digest: id,
    /// title, how many changes.
    pub changes: Vec<(i64, String, usize)>,
}

impl Digest {
    pub fn is_empty(&self) -> bool {
        self.late.is_empty() && self.soon.is_empty() && self.changes.is_empty()
    }
}

/// The weekly digest.
pub fn digest(d: &Digest, today: NaiveDate, since: NaiveDate, links: &Links) -> Composed {
    let subject = line(&t!(
        "mail.digest.subject",
        late = d.late.len(),
        soon = d.soon.len()
    ));
    let why = t!("mail.digest.why").into_owned();
    let mut text = format!("{}\n", t!("mail.digest.intro", date = format::date(today)));
    let mut body = format!(
        "<p>{}</p>",
        esc(&t!("mail.digest.intro", date = format::date(today)))
    );
    let mut section = |heading: String, rows: Vec<(String, String)>| {
        if !rows.is_empty() {
            push_list(&mut text, &mut body, &heading, &rows);
        }
    };
    let dated = |list: &[Deadline]| {
        list.iter()
            .map(|x| {
                (
                    format!(
                        "{} — {} ({})",
                        format::date(x.day),
                        deadline_title(x),
                        days_left(x.day, today)
                    ),
                    project_link(links, x.project_id),
                )
            })
            .collect::<Vec<_>>()
    };
    section(
        t!("mail.digest.late", n = d.late.len()).into_owned(),
        dated(&d.late),
    );
    section(
        t!("mail.digest.soon", days = DIGEST_AHEAD_DAYS).into_owned(),
        dated(&d.soon),
    );
    section(
        t!("mail.digest.changes", date = format::date(since)).into_owned(),
        d.changes
            .iter()
            .map(|(id, title, n)| {
                (
                    line(&t!("mail.digest.changed", project = title.as_str(), n = n)),
                    project_link(links, *id),
                )
            })
            .collect(),
    );
    text.push_str(&text_footer(links, &why));
    Composed {
        subject,
        text,
        html: html_page(&body, links, &why),
    }
}

/// Changes of one kind a committee mail lists; the rest is one link away.
const COMMITTEE_PER_KIND: usize = 5;

/// A head's mail before the steering committee: the dashboard's « depuis
/// le… » digest for their filter (changes by kind, the latest of each),
/// and the deadlines ahead, with a link to the dashboard itself.
pub fn committee(d: &crate::models::Dashboard, links: &Links) -> Composed {
    let since = format::date(d.since);
    let subject = line(&t!("mail.committee.subject", since = since.as_str()));
    let why = t!("mail.committee.why").into_owned();
    let dashboard = format!("{}/tableau-de-bord?{}", links.base, d.filter.query());
    let mut text = format!(
        "{}\n{} : {dashboard}\n",
        t!(
            "mail.committee.intro",
            since = since.as_str(),
            date = format::date(d.as_of)
        ),
        t!("mail.committee.open_dashboard")
    );
    let mut body = format!(
        "<p>{}</p><p><a href=\"{}\">{}</a></p>",
        esc(&t!(
            "mail.committee.intro",
            since = since.as_str(),
            date = format::date(d.as_of)
        )),
        attr(&dashboard),
        esc(&t!("mail.committee.open_dashboard")),
    );
    for count in d.digest_counts.iter().filter(|c| c.projects > 0) {
        let heading = format!(
            "{} — {}",
            count.kind.label(),
            crate::plural::plural(
                &format!("plural.digest_{}", count.kind.as_str()),
                count.projects
            )
        );
        // As the page: the latest few of each kind, then the whole list one
        // link away.
        let of_kind: Vec<_> = d.digest.iter().filter(|i| i.kind == count.kind).collect();
        let mut rows = Vec::new();
        for i in of_kind.iter().take(COMMITTEE_PER_KIND) {
            let stage = |code: &Option<String>| {
                code.as_deref()
                    .and_then(|c| c.parse::<crate::domain::Stage>().ok())
                    .map(|s| s.label())
                    .unwrap_or_default()
            };
            let detail = match i.kind {
                crate::models::DigestKind::StageChanged => {
                    format!(" ({} → {})", stage(&i.from), stage(&i.to))
                }
                _ => String::new(),
            };
            let label = line(&format!(
                "{} · {}{detail}{}",
                format::date(i.at.date_naive()),
                i.project_title,
                i.actor
                    .as_deref()
                    .map(|a| format!(" — {a}"))
                    .unwrap_or_default()
            ));
            rows.push((label, project_link(links, i.project_id)));
        }
        push_list(&mut text, &mut body, &heading, &rows);
        let shown = of_kind.len().min(COMMITTEE_PER_KIND);
        if usize::try_from(count.projects).unwrap_or(0) > shown || of_kind.len() > shown {
            let all = format!("{}{}", links.base, count.link.href());
            let more = crate::plural::plural("plural.digest_more", count.projects);
            text.push_str(&format!("  {more} : {all}\n"));
            body.push_str(&format!(
                "<p><a href=\"{}\">{}</a></p>",
                attr(&all),
                esc(&more)
            ));
        }
    }
    if d.digest_counts.iter().all(|c| c.projects == 0) {
        text.push_str(&format!("\n{}\n", t!("dashboard.no_change")));
        body.push_str(&format!("<p>{}</p>", esc(&t!("dashboard.no_change"))));
    }
    if !d.deadlines.is_empty() {
        let rows: Vec<(String, String)> = d
            .deadlines
            .iter()
            .map(|x| {
                let label = line(&format!(
                    "{} — {} · {}",
                    format::date(x.date),
                    x.label,
                    x.project_title
                ));
                (label, project_link(links, x.project_id))
            })
            .collect();
        push_list(&mut text, &mut body, &t!("mail.committee.deadlines"), &rows);
    }
    text.push_str(&text_footer(links, &why));
    Composed {
        subject,
        text,
        html: html_page(&body, links, &why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::EntryKind;

    fn deadline(subject: &str, project: &str, day: &str) -> Deadline {
        Deadline {
            uid: "jalon-1@h".into(),
            kind: EntryKind::Milestone,
            day: day.parse().unwrap(),
            project_id: 7,
            project_title: project.into(),
            subject: subject.into(),
        }
    }

    const LINKS: Links = Links {
        base: "https://m.example",
        unsubscribe: "https://m.example/desabonnement/ab",
    };

    #[test]
    fn user_text_is_escaped_in_html_and_kept_on_one_line_in_the_subject() {
        let d = deadline(
            "<script>alert(1)</script>\r\nBcc: x@y",
            "Halle & \"marché\"",
            "2027-03-04",
        );
        let mail = reminder(&d, "2027-03-01".parse().unwrap(), &LINKS);
        assert!(!mail.html.contains("<script>"), "{}", mail.html);
        assert!(mail.html.contains("&lt;script&gt;"));
        assert!(!mail.subject.contains('\n') && !mail.subject.contains('\r'));
        assert!(mail.subject.contains("dans 3 jours"), "{}", mail.subject);
        assert!(mail.text.contains("https://m.example/projets/7"));
        assert!(mail.text.contains("https://m.example/desabonnement/ab"));
        assert!(
            mail.html
                .contains("href=\"https://m.example/desabonnement/ab\"")
        );
    }

    #[test]
    fn a_digest_lists_only_the_sections_that_have_something() {
        let mut d = Digest::default();
        assert!(d.is_empty());
        d.soon.push(deadline("Comité", "Halle", "2027-03-04"));
        assert!(!d.is_empty());
        let today = "2027-03-01".parse().unwrap();
        let mail = digest(&d, today, "2027-02-22".parse().unwrap(), &LINKS);
        assert!(
            mail.text.contains("Jalon : Comité — Halle"),
            "{}",
            mail.text
        );
        assert!(!mail.text.contains("En retard"), "{}", mail.text);
        assert!(!mail.text.contains("Modifié"), "{}", mail.text);
    }
}
