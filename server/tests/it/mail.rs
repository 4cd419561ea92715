//! E-mail (issue 20), on both databases, through a real SMTP server
//! (Python's aiosmtpd, installed by scripts/test.sh, writing a maildir read
//! back by Python's own e-mail package): reminders and digests reach the
//! right person once, with their headers and both parts; nothing when
//! nothing is due; the one-click unsubscribe works without a session; an
//! SMTP outage then recovery delivers each mail once; two instances on one
//! database send each mail once; with no SMTP the admin reads the outbox.
//! The scheduler's clock is a parameter: a simulated fortnight runs in
//! seconds, no test sleeps for time to pass.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use app::domain::Role;
use app::domain::mail::{DigestFrequency, MailStatus};
use app::models::{MailSettingsView, Outbox};
use app::server::config::{MailConfig, Smtp, SmtpTls};
use app::server::entities::mail::mail_job;
use app::server::mail::{Mailer, Scheduler, settings};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

use crate::both_backends;
use crate::calendar::{day, python};
use crate::support::api::{
    Form, add_line, add_milestone, add_note, create, funder, ok, ok_id, ok_json, plan, post,
    refused, refused_on, signed_in,
};
use crate::support::{TestApp, client, create_user, signed_in_as};

use app::server::clock::DEFAULT_ZONE as ZONE;

/// A real SMTP server (aiosmtpd), writing what it receives to a maildir.
struct SmtpServer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

impl SmtpServer {
    /// Listens on `port`, writing to a new maildir under `parent`.
    async fn start(port: u16, parent: &Path) -> Self {
        // Python's Maildir makes its folders only when the path is new.
        let dir = parent.join("maildir");
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd (scripts/test.sh installs it)");
        // Owned at once: dropped (killed and waited for) if it never answers.
        let server = Self { child, port, dir };
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not start on port {port}");
    }

    /// Every message received, as Python's e-mail package reads it.
    fn received(&self) -> Vec<Value> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/tools/maildir_read.py");
        let out = Command::new(python())
            .arg(script)
            .arg(&self.dir)
            .output()
            .expect("python");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mails: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
        for m in &mails {
            assert_eq!(m["defects"], serde_json::json!([]), "{m}");
        }
        mails
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A text field of a received mail.
fn field<'a>(mail: &'a Value, key: &str) -> &'a str {
    mail[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {mail}"))
}

fn smtp_config(port: u16) -> MailConfig {
    MailConfig {
        smtp: Some(Smtp {
            host: "127.0.0.1".into(),
            port,
            tls: SmtpTls::None,
            user: None,
            password: None,
        }),
        from: "Pays Exemple <maillage@pays-exemple.fr>".into(),
        ..MailConfig::default()
    }
}

fn scheduler(app: &TestApp, db: sea_orm::DatabaseConnection, mailer: Mailer) -> Scheduler {
    Scheduler {
        db,
        mailer: Arc::new(mailer),
        base_url: app.url(""),
        uid_domain: "maillage.test".into(),
        zone: ZONE,
    }
}

/// A scheduler sending through the SMTP server on `port`.
fn smtp_scheduler(app: &TestApp, db: sea_orm::DatabaseConnection, port: u16) -> Scheduler {
    scheduler(app, db, Mailer::new(&smtp_config(port)).expect("mailer"))
}

/// `day` at `hour`:00 in the structure's zone.
fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    ZONE.from_local_datetime(&day.and_hms_opt(hour, 0, 0).expect("time"))
        .single()
        .expect("unambiguous")
        .with_timezone(&Utc)
}

fn today() -> NaiveDate {
    app::server::clock::local_date_in(ZONE, Utc::now())
}

/// The first Monday from `from` (included).
fn next_monday(from: NaiveDate) -> NaiveDate {
    let mut d = from;
    while d.weekday() != Weekday::Mon {
        d += Duration::days(1);
    }
    d
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    app::server::entities::user::Entity::find()
        .filter(app::server::entities::user::Column::Email.eq(email))
        .one(&app.db)
        .await
        .expect("query")
        .expect("user")
        .id
}

async fn choose(app: &TestApp, user: i64, reminders: bool, digest: DigestFrequency) {
    settings::save(
        &app.db,
        user,
        MailSettingsView { reminders, digest },
        Utc::now(),
    )
    .await
    .expect("save");
}

fn temp_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(name)
        .tempdir()
        .expect("tempdir")
}

async fn jobs(app: &TestApp) -> Vec<mail_job::Model> {
    mail_job::Entity::find().all(&app.db).await.expect("jobs")
}

async fn reminders_reach_the_assignee_once(backend: crate::support::Backend) {
    let (test_db, app, http, officer) = signed_in(backend).await;
    // Digests are the other test's: here only reminders.
    choose(&app, officer, true, DigestFrequency::Never).await;
    let id = create(&http, &app, "Halle & \"marché\" <couvert>", &["15187"], &[]).await;
    let hostile = "<script>alert(1)</script>\r\nBcc: victime@example.org %{when}";
    ok_id(add_milestone(&http, &app, id, "other", hostile, &day(10)).await).await;
    // Someone else's milestone (another officer's project): not Julien's mail.
    let claire = signed_in_as(&app, "claire.petit@cc-exemple.fr", Role::Officer).await;
    let hers = create(&claire, &app, "Voie verte", &["15187"], &[]).await;
    ok_id(add_milestone(&claire, &app, hers, "other", "Réunion de Claire", &day(4)).await).await;
    let claire_id = user_id(&app, "claire.petit@cc-exemple.fr").await;
    choose(&app, claire_id, true, DigestFrequency::Never).await;
    // An application to file with the Région by J+35: its J-30 reminder is
    // due on day 5 (its J-7 falls after the fortnight).
    let p = plan(&http, &app, id).await;
    add_line(
        &http,
        &app,
        id,
        funder(&p, "region"),
        "30 000",
        &[("form[application_deadline]", day(35).as_str())],
    )
    .await;

    let dir = temp_dir("smtp");
    let smtp = SmtpServer::start(free_port(), dir.path()).await;
    let run = smtp_scheduler(&app, app.db.clone(), smtp.port);
    let to = |mails: &[Value], who: &str| -> Vec<Value> {
        mails
            .iter()
            .filter(|m| m["rcpt"].as_str().unwrap_or_default().contains(who))
            .cloned()
            .collect()
    };
    // A simulated fortnight, two ticks a day (a restart, a second pass).
    let start = today();
    for offset in 0..14 {
        let d = start + Duration::days(offset);
        for hour in [8, 15] {
            run.tick(at(d, hour)).await.expect("tick");
        }
        let mails = smtp.received();
        // J-3 of a milestone due at J+10: on day 7, once, and never again;
        // J-30 of the application: on day 5; Claire's, due at J+4, on day
        // 1, to her alone.
        let julien = usize::from(offset >= 7) + usize::from(offset >= 5);
        assert_eq!(
            to(&mails, "julien.moreau").len(),
            julien,
            "day {offset}: {mails:?}"
        );
        assert_eq!(
            to(&mails, "claire.petit").len(),
            usize::from(offset >= 1),
            "day {offset}: {mails:?}"
        );
        assert_eq!(mails.len(), julien + usize::from(offset >= 1));
    }
    let mails = to(&smtp.received(), "julien.moreau");
    let funding = &mails[0];
    assert_eq!(
        field(funding, "subject"),
        "Échéance dans 30 jours : Dépôt du dossier (Région) : date limite — Halle & \"marché\" <couvert>"
    );
    let mail = &mails[1];
    // The envelope has one recipient: the title's « Bcc: » stayed text.
    assert_eq!(field(mail, "rcpt"), "julien.moreau@cc-exemple.fr", "{mail}");
    assert!(field(mail, "to").contains("julien.moreau@cc-exemple.fr"));
    assert!(field(mail, "from").contains("maillage@pays-exemple.fr"));
    assert_eq!(mail["content_type"], "multipart/alternative");
    assert_eq!(mail["auto_submitted"], "auto-generated");
    let subject = field(mail, "subject");
    assert!(
        subject.starts_with("Échéance dans 3 jours : Jalon : <script>"),
        "{subject}"
    );
    assert!(
        subject.contains("Bcc: victime@example.org %{when}"),
        "the title whole, on the subject's line: {subject}"
    );
    let text = field(mail, "text");
    assert!(
        text.contains(&format!("{}/projets/{id}", app.url(""))),
        "{text}"
    );
    let html = field(mail, "html");
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        html.contains("Halle &amp; \"marché\" &lt;couvert&gt;"),
        "{html}"
    );
    // RFC 8058: the link in the headers, and the one-click POST form.
    let header = field(mail, "list_unsubscribe");
    assert_eq!(mail["list_unsubscribe_post"], "List-Unsubscribe=One-Click");
    let link = header
        .strip_prefix('<')
        .and_then(|h| h.strip_suffix('>'))
        .unwrap_or_else(|| panic!("{header}"));
    assert!(link.starts_with(&app.url("/desabonnement/")), "{link}");
    assert!(
        text.contains(link) && html.contains(link),
        "the link is in both parts"
    );
    let path = link.strip_prefix(&app.url("")).expect("present").to_owned();

    // Opening the link (a mail scanner does) changes nothing.
    let page = client().get(app.url(&path)).send().await.expect("get");
    assert_eq!(page.status(), 200);
    assert!(page.headers().get("set-cookie").is_none(), "no session");
    let body = page.text().await.expect("request");
    assert!(body.contains("<form method=\"post\">"), "{body}");
    assert!(
        settings::of(&app.db, officer)
            .await
            .expect("request")
            .reminders
    );
    // The one-click POST, as a mail client sends it: no cookie, no Origin.
    let res = client()
        .post(app.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 200);
    let now = settings::of(&app.db, officer).await.expect("request");
    assert!(!now.reminders, "reminders off");
    assert_eq!(now.digest, DigestFrequency::Never, "the other choice kept");
    // Twice is harmless; a forged or unknown token is a 404 that changes nothing.
    assert_eq!(
        client()
            .post(app.url(&path))
            .send()
            .await
            .expect("request")
            .status(),
        200
    );
    for bad in [
        format!("/desabonnement/{}", "0".repeat(64)),
        "/desabonnement/abc".to_owned(),
        format!("/desabonnement/{}", "%3Cscript%3E".repeat(30)),
    ] {
        let res = client().post(app.url(&bad)).send().await.expect("request");
        assert_eq!(res.status(), 404, "{bad}");
        assert_eq!(
            client()
                .get(app.url(&bad))
                .send()
                .await
                .expect("request")
                .status(),
            404
        );
    }
    // Unsubscribed: a new deadline due in two days brings no reminder.
    ok_id(add_milestone(&http, &app, id, "other", "Après désabonnement", &day(2)).await).await;
    run.tick(at(start, 16)).await.expect("tick");
    assert_eq!(to(&smtp.received(), "julien.moreau").len(), 2);
    smtp.stop();
    crate::support::finish(app, test_db).await;
}
both_backends!(reminders_reach_the_assignee_once);

async fn a_digest_on_monday_and_none_with_nothing_to_say(backend: crate::support::Backend) {
    let (test_db, app, http, officer) = signed_in(backend).await;
    choose(&app, officer, false, DigestFrequency::Weekly).await;
    // Someone with nothing due and no project: no digest.
    let idle = create_user(&app.db, "sans.projet@cc-exemple.fr", Role::Officer).await;
    choose(&app, idle, false, DigestFrequency::Weekly).await;
    // Someone who turned the digest off.
    let claire = signed_in_as(&app, "claire.petit@cc-exemple.fr", Role::Officer).await;
    let claire_id = user_id(&app, "claire.petit@cc-exemple.fr").await;
    choose(&app, claire_id, false, DigestFrequency::Never).await;
    let hers = create(&claire, &app, "Voie verte", &["15187"], &[]).await;
    ok_id(add_milestone(&claire, &app, hers, "other", "Réunion de Claire", &day(3)).await).await;

    let id = create(&http, &app, "Maison de santé", &["15187"], &[]).await;
    ok_id(add_milestone(&http, &app, id, "other", "Dépôt du permis", &day(5)).await).await;
    ok_id(add_milestone(&http, &app, id, "other", "Lointain", &day(60)).await).await;
    // Claire notes something on Julien's project: a change by someone else.
    ok(add_note(&claire, &app, id, "Appel du maire").await).await;

    let dir = temp_dir("smtp");
    let smtp = SmtpServer::start(free_port(), dir.path()).await;
    let run = smtp_scheduler(&app, app.db.clone(), smtp.port);
    let monday = next_monday(today());
    // Sunday evening and Monday before seven: nothing.
    run.tick(at(monday - Duration::days(1), 20))
        .await
        .expect("tick");
    run.tick(at(monday, 6)).await.expect("tick");
    assert_eq!(smtp.received().len(), 0);
    // Monday from seven: one digest, for Julien only, once.
    for hour in [7, 9, 18] {
        run.tick(at(monday, hour)).await.expect("tick");
    }
    run.tick(at(monday + Duration::days(1), 9))
        .await
        .expect("tick");
    let mails = smtp.received();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert!(field(mail, "rcpt").contains("julien.moreau@cc-exemple.fr"));
    assert!(field(mail, "subject").starts_with("Votre semaine dans Maillage"));
    let text = field(mail, "text");
    // Due between Sunday and next Saturday: late or soon, listed either way.
    assert!(text.contains("Dépôt du permis"), "{text}");
    assert!(!text.contains("Lointain"), "{text}");
    assert!(!text.contains("Réunion de Claire"), "{text}");
    assert!(text.contains("Maison de santé : 1 changement(s)"), "{text}");
    assert_eq!(mail["list_unsubscribe_post"], "List-Unsubscribe=One-Click");
    // Unsubscribing from the digest leaves reminders as they were.
    let link = field(mail, "list_unsubscribe");
    let path = link
        .trim_matches(['<', '>'])
        .strip_prefix(&app.url(""))
        .expect("present")
        .to_owned();
    assert_eq!(
        client()
            .post(app.url(&path))
            .send()
            .await
            .expect("request")
            .status(),
        200
    );
    let now = settings::of(&app.db, officer).await.expect("request");
    assert_eq!((now.reminders, now.digest), (false, DigestFrequency::Never));
    // The next Monday: nothing (unsubscribed).
    run.tick(at(monday + Duration::days(7), 9))
        .await
        .expect("tick");
    assert_eq!(smtp.received().len(), 1);
    smtp.stop();
    crate::support::finish(app, test_db).await;
}
both_backends!(a_digest_on_monday_and_none_with_nothing_to_say);

async fn an_outage_then_recovery_delivers_each_mail_once(backend: crate::support::Backend) {
    let (test_db, app, http, officer) = signed_in(backend).await;
    choose(&app, officer, true, DigestFrequency::Never).await;
    let id = create(&http, &app, "Halle", &["15187"], &[]).await;
    ok_id(add_milestone(&http, &app, id, "other", "Jalon proche", &day(2)).await).await;

    // The SMTP server is down: the mail waits, with the error, and a time
    // for the next try.
    let port = free_port();
    let run = scheduler(
        &app,
        app.db.clone(),
        Mailer::new(&smtp_config(port)).expect("mailer"),
    );
    let t0 = Utc::now();
    let tick = run.tick(t0).await.expect("tick");
    assert_eq!((tick.reminders, tick.delivered.retried), (1, 1), "{tick:?}");
    let job = &jobs(&app).await[0];
    assert_eq!(job.status, MailStatus::Pending);
    assert_eq!(job.attempts, 1);
    assert!(job.last_error.is_some());
    assert!(job.claimed_until.is_none(), "the claim is released");
    // The admin sees it waiting, with its cause.
    let admin = signed_in_as(&app, "admin@cc-exemple.fr", Role::Admin).await;
    let outbox: Outbox = ok_json(post(&admin, &app, "mail/outbox", &vec![]).await).await;
    assert_eq!(outbox.entries.len(), 1);
    assert!(outbox.entries[0].last_error.is_some());

    // Back up: before the wait is over nothing is tried; after, it is sent once.
    let dir = temp_dir("smtp");
    let smtp = SmtpServer::start(port, dir.path()).await;
    let tick = run.tick(t0 + Duration::seconds(30)).await.expect("tick");
    assert_eq!(tick.delivered.sent, 0);
    for later in [2, 3, 10, 60] {
        run.tick(t0 + Duration::minutes(later)).await.expect("tick");
    }
    assert_eq!(smtp.received().len(), 1);
    let job = &jobs(&app).await[0];
    assert_eq!((job.status, job.attempts), (MailStatus::Sent, 2));
    assert!(job.last_error.is_none() && job.sent_at.is_some());
    smtp.stop();

    // A mail that keeps failing is given up after the last try, and shown.
    ok_id(add_milestone(&http, &app, id, "other", "Jamais remis", &day(1)).await).await;
    let mut t = t0 + Duration::hours(2);
    for _ in 0..8 {
        run.tick(t).await.expect("tick");
        t += Duration::days(1);
    }
    let failed = mail_job::Entity::find()
        .filter(mail_job::Column::Status.eq(MailStatus::Failed))
        .all(&app.db)
        .await
        .expect("request");
    assert_eq!(failed.len(), 1, "{:?}", jobs(&app).await);
    assert_eq!(failed[0].attempts, app::domain::mail::MAX_ATTEMPTS);
    let outbox: Outbox = ok_json(post(&admin, &app, "mail/outbox", &vec![]).await).await;
    assert!(
        outbox
            .entries
            .iter()
            .any(|e| e.status == MailStatus::Failed && e.last_error.is_some())
    );
    crate::support::finish(app, test_db).await;
}
both_backends!(an_outage_then_recovery_delivers_each_mail_once);

async fn two_instances_send_each_mail_once(backend: crate::support::Backend) {
    let (test_db, app, http, officer) = signed_in(backend).await;
    choose(&app, officer, true, DigestFrequency::Never).await;
    let id = create(&http, &app, "Halle", &["15187"], &[]).await;
    const MAILS: usize = 30;
    for n in 0..MAILS {
        ok_id(add_milestone(&http, &app, id, "other", &format!("Jalon {n}"), &day(2)).await).await;
    }
    let dir = temp_dir("smtp");
    let smtp = SmtpServer::start(free_port(), dir.path()).await;
    // Two instances: each its own pool on the same database.
    let (db_a, db_b) = (test_db.connect().await, test_db.connect().await);
    let a = smtp_scheduler(&app, db_a, smtp.port);
    let b = smtp_scheduler(&app, db_b, smtp.port);
    let now = Utc::now();
    for round in 0..3 {
        let at = now + Duration::seconds(round);
        let (ta, tb) = tokio::join!(a.tick(at), b.tick(at));
        let (ta, tb) = (ta.expect("a"), tb.expect("b"));
        if round == 0 {
            assert_eq!(
                ta.reminders + tb.reminders,
                MAILS,
                "planned once: {ta:?} {tb:?}"
            );
            assert_eq!(
                ta.delivered.sent + tb.delivered.sent,
                MAILS,
                "{ta:?} {tb:?} {:?}",
                jobs(&app)
                    .await
                    .iter()
                    .map(|j| &j.last_error)
                    .collect::<Vec<_>>()
            );
        }
    }
    let mails = smtp.received();
    assert_eq!(mails.len(), MAILS);
    let mut subjects: Vec<&str> = mails.iter().map(|m| field(m, "subject")).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), MAILS, "each mail once");
    assert_eq!(
        mail_job::Entity::find()
            .filter(mail_job::Column::Status.eq(MailStatus::Sent))
            .count(&app.db)
            .await
            .expect("request"),
        MAILS as u64
    );
    assert!(jobs(&app).await.iter().all(|j| j.attempts == 1));
    smtp.stop();
    crate::support::finish(app, test_db).await;
}
both_backends!(two_instances_send_each_mail_once);

async fn without_smtp_the_admin_reads_the_outbox(backend: crate::support::Backend) {
    let (test_db, app, http, officer) = signed_in(backend).await;
    let id = create(&http, &app, "Halle", &["15187"], &[]).await;
    ok_id(add_milestone(&http, &app, id, "other", "<b>Jalon</b>", &day(1)).await).await;
    // Choices: saved, read back; a hostile or unknown frequency refused
    // naming the field; partners have none.
    let form = |reminders: Option<&str>, digest: &str| -> Form<'static> {
        let mut f: Form = vec![("form[digest]", digest.to_owned())];
        if let Some(r) = reminders {
            f.push(("form[reminders]", r.to_owned()));
        }
        f
    };
    for bad in [
        "daily",
        "",
        "<script>alert(1)</script>",
        &"x".repeat(20_000),
    ] {
        refused_on(
            post(&http, &app, "mail/save", &form(Some("on"), bad)).await,
            422,
            "digest",
        )
        .await;
    }
    ok(post(&http, &app, "mail/save", &form(Some("on"), "weekly")).await).await;
    let mine: MailSettingsView = ok_json(post(&http, &app, "mail/settings", &vec![]).await).await;
    assert_eq!(
        mine,
        MailSettingsView {
            reminders: true,
            digest: DigestFrequency::Weekly
        }
    );
    let partner = signed_in_as(&app, "partenaire@mairie.fr", Role::Partner).await;
    refused(post(&partner, &app, "mail/settings", &vec![]).await, 403).await;
    refused(
        post(&partner, &app, "mail/save", &form(None, "never")).await,
        403,
    )
    .await;
    refused(post(&http, &app, "mail/outbox", &vec![]).await, 403).await;

    let run = scheduler(&app, app.db.clone(), Mailer::outbox());
    let tick = run.tick(Utc::now()).await.expect("tick");
    assert_eq!(tick.delivered.outbox, tick.reminders + tick.digests);
    assert!(tick.reminders >= 1);
    let admin = signed_in_as(&app, "admin@cc-exemple.fr", Role::Admin).await;
    let outbox: Outbox = ok_json(post(&admin, &app, "mail/outbox", &vec![]).await).await;
    assert!(!outbox.smtp);
    let entry = outbox
        .entries
        .iter()
        .find(|e| e.subject.contains("<b>Jalon</b>"))
        .expect("the reminder in the outbox");
    assert_eq!(entry.status, MailStatus::Outbox);
    // The admin reads the mail, not the recipient's unsubscribe link.
    assert!(
        !entry.body_text.contains("/desabonnement/"),
        "{}",
        entry.body_text
    );
    assert!(
        entry
            .body_text
            .contains("[lien de désabonnement personnel]")
    );
    assert!(entry.recipient.contains("julien.moreau@cc-exemple.fr"));
    // The page: escaped, under the admin's menu.
    let page = crate::support::api::html(&admin, &app, "/admin/courriels").await;
    assert!(page.contains("&lt;b&gt;Jalon&lt;/b&gt;"), "{page}");
    assert!(!page.contains("<b>Jalon</b>"));
    let _ = officer;
    crate::support::finish(app, test_db).await;
}
both_backends!(without_smtp_the_admin_reads_the_outbox);

async fn a_sender_that_dies_mid_send_leaves_the_mail_to_the_next_once(
    backend: crate::support::Backend,
) {
    use app::server::mail::jobs::{LEASE, claim};
    let (test_db, app, http, officer) = signed_in(backend).await;
    choose(&app, officer, true, DigestFrequency::Never).await;
    let id = create(&http, &app, "Halle", &["15187"], &[]).await;
    ok_id(add_milestone(&http, &app, id, "other", "Jalon proche", &day(2)).await).await;
    let dir = temp_dir("smtp");
    let smtp = SmtpServer::start(free_port(), dir.path()).await;
    let run = smtp_scheduler(&app, app.db.clone(), smtp.port);
    let t0 = Utc::now();
    assert_eq!(run.plan(t0).await.expect("plan"), (1, 0));
    // A sender takes it and dies before sending (the app restarts mid-run).
    assert_eq!(claim(&app.db, t0).await.expect("claim").len(), 1);
    // While its claim stands, no one else sends it.
    let tick = run.tick(t0 + Duration::minutes(1)).await.expect("tick");
    assert_eq!(tick.delivered, Default::default(), "{tick:?}");
    assert_eq!(smtp.received().len(), 0);
    // Once it lapses, the next sender sends it, once.
    let tick = run
        .tick(t0 + LEASE + Duration::seconds(1))
        .await
        .expect("tick");
    assert_eq!(tick.delivered.sent, 1, "{tick:?}");
    run.tick(t0 + LEASE + Duration::minutes(5))
        .await
        .expect("tick");
    assert_eq!(smtp.received().len(), 1);
    let job = &jobs(&app).await[0];
    assert_eq!((job.status, job.attempts), (MailStatus::Sent, 2));

    // A mail waiting for another try when its recipient opts out is not
    // sent after all, and the admin reads why.
    smtp.stop();
    ok_id(add_milestone(&http, &app, id, "other", "Retenu", &day(1)).await).await;
    let t1 = t0 + Duration::hours(1);
    let tick = run.tick(t1).await.expect("tick");
    assert_eq!(tick.delivered.retried, 1, "{tick:?}");
    choose(&app, officer, false, DigestFrequency::Never).await;
    let dir = temp_dir("smtp");
    let smtp = SmtpServer::start(free_port(), dir.path()).await;
    let run = smtp_scheduler(&app, app.db.clone(), smtp.port);
    run.tick(t1 + Duration::hours(1)).await.expect("tick");
    assert_eq!(smtp.received().len(), 0);
    let held = jobs(&app)
        .await
        .into_iter()
        .find(|j| j.subject.contains("Retenu"))
        .expect("the held mail");
    assert_eq!(held.status, MailStatus::Failed);
    assert!(
        held.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("désabonnée")
    );
    smtp.stop();
    crate::support::finish(app, test_db).await;
}
both_backends!(a_sender_that_dies_mid_send_leaves_the_mail_to_the_next_once);

async fn a_head_mails_herself_the_committee_digest(backend: crate::support::Backend) {
    let (test_db, app, http, _officer) = signed_in(backend).await;
    let id = create(&http, &app, "Halle <gourmande>", &["15187"], &[]).await;
    let head = signed_in_as(&app, "sophie.lambert@cc-exemple.fr", Role::Head).await;
    let since = day(-7);
    let form = |since: &str| -> Form<'static> { vec![("filter[since]", since.to_owned())] };
    // An impossible « depuis » is refused on its field; officers may not.
    refused_on(
        post(&head, &app, "mail/committee", &form("0001-01-01")).await,
        422,
        "since",
    )
    .await;
    refused(
        post(&http, &app, "mail/committee", &form(&since)).await,
        403,
    )
    .await;
    // Asked twice (a double click, or again the same day): one mail.
    ok(post(&head, &app, "mail/committee", &form(&since)).await).await;
    ok(post(&head, &app, "mail/committee", &form(&since)).await).await;
    let planned = jobs(&app).await;
    assert_eq!(planned.len(), 1, "{planned:?}");
    let mail = &planned[0];
    assert!(mail.recipient.contains("sophie.lambert@cc-exemple.fr"));
    let shown = NaiveDate::parse_from_str(&since, "%Y-%m-%d")
        .expect("date")
        .format("%d/%m/%Y")
        .to_string();
    assert_eq!(
        mail.subject,
        format!("Avant le comité : le portefeuille depuis le {shown}")
    );
    assert!(
        mail.body_text.contains("Halle <gourmande>"),
        "{}",
        mail.body_text
    );
    assert!(mail.body_text.contains(&format!("/projets/{id}")));
    assert!(
        mail.body_html.contains("Halle &lt;gourmande&gt;"),
        "{}",
        mail.body_html
    );
    assert!(!mail.body_html.contains("<gourmande>"));
    // Asked for, not scheduled: no unsubscribe link anywhere (one would
    // have turned her weekly digest off).
    assert_eq!(mail.kind, app::domain::mail::MailKind::Committee);
    for body in [&mail.body_text, &mail.body_html] {
        assert!(!body.contains("/desabonnement/"), "{body}");
    }
    // The scheduler sends it like any other, over real SMTP.
    let dir = temp_dir("committee");
    let smtp = SmtpServer::start(free_port(), dir.path()).await;
    let run = smtp_scheduler(&app, app.db.clone(), smtp.port);
    let tick = run.tick(Utc::now()).await.expect("tick");
    assert!(tick.delivered.sent >= 1, "{tick:?}");
    let received = smtp.received();
    let got = received
        .iter()
        .find(|m| field(m, "subject").starts_with("Avant le comité"))
        .expect("the committee mail arrived");
    assert_eq!(got["list_unsubscribe"], "", "{got}");
    assert_eq!(got["list_unsubscribe_post"], "", "{got}");
    assert!(field(got, "to").contains("sophie.lambert@cc-exemple.fr"));
    // Its token, were it guessed, changes nothing.
    let token = mail
        .unsubscribe_url
        .rsplit('/')
        .next()
        .expect("token")
        .to_owned();
    let res = client()
        .post(app.url(&format!("/desabonnement/{token}")))
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("post");
    assert!(res.status().is_success(), "{}", res.status());
    let choice = app::server::mail::settings::of(&app.db, head_id(&app).await)
        .await
        .expect("settings");
    assert_eq!(
        choice.digest,
        app::domain::mail::DigestFrequency::Weekly,
        "the weekly digest stays on"
    );
    smtp.stop();
    crate::support::finish(app, test_db).await;
}

async fn head_id(app: &TestApp) -> i64 {
    crate::support::user_id(&app.db, "sophie.lambert@cc-exemple.fr").await
}
both_backends!(a_head_mails_herself_the_committee_digest);

async fn old_mails_and_calendar_entries_are_forgotten(backend: crate::support::Backend) {
    use app::server::entities::calendar::calendar_entry;
    use sea_orm::{ActiveModelTrait, Set};

    let (test_db, app, http, _officer) = signed_in(backend).await;
    let id = create(&http, &app, "Halle", &["15187"], &[]).await;
    ok_id(crate::support::api::add_milestone(&http, &app, id, "other", "Jalon", &day(3)).await)
        .await;
    let now = Utc::now();
    let run = scheduler(&app, app.db.clone(), Mailer::outbox());
    // A reminder planned and handled (kept in the outbox) today.
    let tick = run.tick(now).await.expect("tick");
    assert!(tick.delivered.outbox >= 1, "{tick:?}");
    let handled = jobs(&app).await.len();
    // Two published entries: one of a day long past, one of today.
    let today = app::server::clock::local_date(now);
    for (uid, day) in [
        ("ancien@test", today - Duration::days(401)),
        ("recent@test", today - Duration::days(399)),
    ] {
        calendar_entry::ActiveModel {
            uid: Set(uid.to_owned()),
            day: Set(day),
            sequence: Set(2),
            moved_at: Set(now),
        }
        .insert(&app.db)
        .await
        .expect("entry");
    }
    // Nothing handled today is forgotten today.
    assert_eq!(run.prune(now).await.expect("prune"), (0, 1));
    assert_eq!(jobs(&app).await.len(), handled);
    let left: Vec<String> = calendar_entry::Entity::find()
        .all(&app.db)
        .await
        .expect("entries")
        .into_iter()
        .map(|e| e.uid)
        .collect();
    assert!(left.contains(&"recent@test".to_owned()), "{left:?}");
    assert!(!left.contains(&"ancien@test".to_owned()), "{left:?}");
    // Half a year on, the handled mails go; a mail still waiting stays.
    let later = now + Duration::days(181);
    let waiting = mail_job::Entity::find()
        .one(&app.db)
        .await
        .expect("jobs")
        .expect("a job");
    mail_job::Entity::update_many()
        .col_expr(
            mail_job::Column::Status,
            sea_orm::sea_query::Expr::value(MailStatus::Pending.as_str()),
        )
        .filter(mail_job::Column::Id.eq(waiting.id))
        .exec(&app.db)
        .await
        .expect("pending");
    let (mails, _) = run.prune(later).await.expect("prune");
    assert_eq!(mails, u64::try_from(handled - 1).expect("count"));
    let kept = jobs(&app).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].id, waiting.id);
    crate::support::finish(app, test_db).await;
}
both_backends!(old_mails_and_calendar_entries_are_forgotten);
