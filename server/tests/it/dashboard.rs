//! The dashboard on a small portfolio with known figures: every number
//! asserted exactly, every number's link giving the same count in the
//! project list, the filters, the exports (reopened with calamine) and who
//! may see it.
use std::io::Cursor;

use app::domain::{OwnerKind, Role, Stage};
use app::models::{Dashboard, ProjectFilter, ProjectPage};
use app::server::entities::projects::{event, project};
use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::both_backends;
use crate::support::api::{
    Form, add_line, add_milestone, change_stage, create, funder, move_status, ok, ok_json, plan,
    post, set_health, signed_in,
};
use crate::support::builders::{ProjectBuilder, fields};
use crate::support::{Backend, PASSWORD, client, create_user, login};

async fn list_total(
    http: &reqwest::Client,
    app: &crate::support::TestApp,
    f: &ProjectFilter,
) -> i64 {
    let res = http
        .post(app.url("/api/projects/list"))
        .form(&fields("filter", f))
        .send()
        .await
        .expect("list");
    assert_eq!(res.status(), 200, "{f:?}");
    let page: ProjectPage = res.json().await.expect("page");
    i64::try_from(page.total).expect("total")
}

async fn dashboard(
    http: &reqwest::Client,
    app: &crate::support::TestApp,
    extra: &[(&str, &str)],
) -> Dashboard {
    let mut form: Vec<(String, String)> = Vec::new();
    for (k, v) in extra {
        form.push((format!("filter[{k}]"), (*v).to_owned()));
    }
    // With no filter at all the form is empty (as the browser sends it).
    let res = http
        .post(app.url("/api/dashboard/view"))
        .form(&form)
        .send()
        .await
        .expect("dashboard");
    ok_json(res).await
}

/// Every (number, link) pair of the dashboard.
fn numbers(d: &Dashboard) -> Vec<(String, i64, ProjectFilter)> {
    let mut out = Vec::new();
    for r in &d.funnel {
        out.push((format!("funnel {}", r.stage), r.projects, r.link.clone()));
        out.push((
            format!("entered {}", r.stage),
            r.entered,
            r.entered_link.clone(),
        ));
        out.push((format!("left {}", r.stage), r.left, r.left_link.clone()));
    }
    out.push(("money".into(), d.money.projects, d.money.link.clone()));
    for r in d.by_funder.iter().chain(&d.by_programme) {
        out.push((format!("money {}", r.label), r.projects, r.link.clone()));
    }
    for g in &d.attention {
        out.push((
            format!("attention {:?}", g.kind),
            g.projects,
            g.link.clone(),
        ));
    }
    for w in &d.deadline_windows {
        out.push((format!("window {}", w.days), w.projects, w.link.clone()));
    }
    for r in d
        .by_theme
        .iter()
        .chain(&d.by_epci)
        .chain(&d.by_commune)
        .chain(&d.by_officer)
    {
        out.push((format!("breakdown {}", r.label), r.projects, r.link.clone()));
    }
    for c in &d.digest_counts {
        out.push((format!("digest {:?}", c.kind), c.projects, c.link.clone()));
    }
    out
}

async fn every_number_matches_its_list(
    http: &reqwest::Client,
    app: &crate::support::TestApp,
    d: &Dashboard,
) {
    for (what, n, link) in numbers(d) {
        assert_eq!(list_total(http, app, &link).await, n, "{what}: {link:?}");
    }
}

/// Five projects with known figures (A–E), as a head would find them, and
/// the dashboard they give.
struct Portfolio {
    test_db: crate::support::TestDb,
    app: crate::support::TestApp,
    http: reqwest::Client,
    officer: i64,
    today: chrono::NaiveDate,
    d: Dashboard,
}

impl Portfolio {
    async fn new(backend: Backend) -> Self {
        let (test_db, app, http, officer) = signed_in(backend).await;
        let today = app::server::clock::local_date(Utc::now());

        // A: study, PVD, tourism, Saint-Flour; a milestone in 10 days and a
        // Région application due in 45 days.
        let a = ProjectBuilder::new("A – Halle gourmande")
            .commune("15187")
            .cost("100 000")
            .programme("pvd")
            .theme("tourisme")
            .at_stage(Stage::Study, None)
            .create(&http, &app)
            .await;
        // B: funding, CRTE, tourism, Saint-Étienne; a commune's plan breaking
        // the 20 % rule, with a DETR grant whose works-start date is 20 days off.
        let b = ProjectBuilder::new("B – Voie verte")
            .commune("42218")
            .cost("200 000")
            .programme("crte")
            .theme("tourisme")
            .owner("Commune de Saint-Étienne", OwnerKind::Commune)
            .at_stage(Stage::Funding, None)
            .create(&http, &app)
            .await;
        // C: abandoned, with a DETR request (leaves the active figures).
        let c = ProjectBuilder::new("C – Piscine")
            .commune("15187")
            .cost("50 000")
            .create(&http, &app)
            .await;
        // D: blocked, a milestone late since yesterday.
        let d_id = ProjectBuilder::new("D – Tiers-lieu")
            .commune("15187")
            .create(&http, &app)
            .await;
        // E: stale (no event for 100 days), two communes of the same EPCI.
        let e = ProjectBuilder::new("E – Maison des services")
            .commune("15187")
            .commune("15142")
            .cost("30 000")
            .programme("pvd")
            .create(&http, &app)
            .await;

        let plan = plan(&http, &app, b).await;
        let (detr, region, own) = (
            funder(&plan, "detr"),
            funder(&plan, "region"),
            funder(&plan, "autofinancement"),
        );

        let b_detr = add_line(&http, &app, b, &detr, "80 000", &[]).await;
        let b_region = add_line(&http, &app, b, &region, "50 000", &[]).await;
        add_line(&http, &app, b, &own, "10 000", &[]).await;
        let in_45_days = (today + Duration::days(45)).to_string();
        let deadline = [("form[application_deadline]", in_45_days.as_str())];
        add_line(&http, &app, a, &region, "30 000", &deadline).await;
        let c_detr = add_line(&http, &app, c, &detr, "10 000", &[]).await;
        // Notified so that the works must start 20 days from now (two years on).
        let notified = (today + Duration::days(20))
            .checked_sub_months(chrono::Months::new(24))
            .expect("date");
        let filed = (notified - Duration::days(30)).to_string();
        let notified = notified.to_string();
        for (line, version, to, date) in [
            (b_detr, 1, "requested", &filed),
            (b_detr, 2, "granted", &notified),
            (b_region, 1, "requested", &filed),
            (c_detr, 1, "requested", &filed),
        ] {
            ok(move_status(&http, &app, line, version, to, &[("form[date]", date)]).await).await;
        }
        let reason = Some("Pas de maîtrise foncière");
        ok(change_stage(&http, &app, c, 1, "abandoned", reason).await).await;

        ok(set_health(&http, &app, d_id, 1, "blocked", "Recours contre le permis").await).await;
        for (project, title, due) in [
            (d_id, "COPIL de relance", today - Duration::days(1)),
            (a, "Comité technique", today + Duration::days(10)),
        ] {
            let due = due.to_string();
            ok(add_milestone(&http, &app, project, "steering_committee", title, &due).await).await;
        }
        // E was created 100 days ago and nothing happened since.
        let long_ago = Utc::now() - Duration::days(100);
        project::Entity::update_many()
            .col_expr(project::Column::LastEventAt, Expr::value(long_ago))
            .col_expr(project::Column::CreatedAt, Expr::value(long_ago))
            .filter(project::Column::Id.eq(e))
            .exec(&app.db)
            .await
            .expect("age E");
        event::Entity::update_many()
            .col_expr(event::Column::At, Expr::value(long_ago))
            .filter(event::Column::ProjectId.eq(e))
            .exec(&app.db)
            .await
            .expect("age E's events");
        // Written behind the services' back: the summaries are recomputed.
        app::server::services::rollup::rebuild(&app.db)
            .await
            .expect("rebuild summaries");

        let d = dashboard(&http, &app, &[]).await;
        Self {
            test_db,
            app,
            http,
            officer,
            today,
            d,
        }
    }

    async fn end(self) {
        crate::support::finish(self.app, self.test_db).await;
    }
}

/// Funnel: count, cost, entered and left since D.
async fn the_funnel_counts_each_stage(backend: Backend) {
    let p = Portfolio::new(backend).await;
    let (d, today) = (&p.d, p.today);
    assert_eq!(d.as_of, today);
    assert_eq!(d.since, today - Duration::days(30));
    let funnel: Vec<(Stage, i64, i64, i64, i64)> = d
        .funnel
        .iter()
        .map(|r| (r.stage, r.projects, r.cost_cents, r.entered, r.left))
        .collect();
    assert_eq!(
        funnel,
        [
            (Stage::Emergence, 2, 30_000_00, 4, 3),
            (Stage::Study, 1, 100_000_00, 2, 1),
            (Stage::Funding, 1, 200_000_00, 1, 0),
            (Stage::Delivery, 0, 0, 0, 0),
            (Stage::Completed, 0, 0, 0, 0),
            (Stage::Abandoned, 1, 50_000_00, 1, 0),
        ]
    );
    p.end().await;
}
both_backends!(the_funnel_counts_each_stage);

/// Money of active projects (A, B, D, E), by funder and by programme.
async fn the_money_adds_up_by_funder_and_programme(backend: Backend) {
    let p = Portfolio::new(backend).await;
    let d = &p.d;
    let m = &d.money;
    assert_eq!(
        (m.projects, m.cost_cents, m.requested_cents, m.pending_cents),
        (4, 330_000_00, 130_000_00, 50_000_00)
    );
    assert_eq!(
        (m.granted_cents, m.paid_cents, m.to_find_cents),
        (80_000_00, 0, 240_000_00)
    );
    let funders: Vec<(&str, i64, i64, i64, i64)> = d
        .by_funder
        .iter()
        .map(|r| {
            (
                r.label.as_str(),
                r.projects,
                r.requested_cents,
                r.pending_cents,
                r.granted_cents,
            )
        })
        .collect();
    assert_eq!(
        funders,
        [
            ("État – DETR", 1, 80_000_00, 0, 80_000_00),
            ("Région", 2, 50_000_00, 50_000_00, 0),
            ("Autofinancement du maître d’ouvrage", 1, 0, 0, 0),
        ]
    );
    let programmes: Vec<(&str, i64, i64, i64, i64)> = d
        .by_programme
        .iter()
        .map(|r| {
            (
                r.key.as_str(),
                r.projects,
                r.cost_cents,
                r.granted_cents,
                r.to_find_cents,
            )
        })
        .collect();
    assert_eq!(
        programmes,
        [
            ("pvd", 2, 130_000_00, 0, 130_000_00),
            ("crte", 1, 200_000_00, 80_000_00, 110_000_00),
        ]
    );
    p.end().await;
}
both_backends!(the_money_adds_up_by_funder_and_programme);

/// Attention: blocked, late, stale, the 20 % rule and DETR lapse.
async fn attention_names_the_projects_at_risk(backend: Backend) {
    let p = Portfolio::new(backend).await;
    let (d, today) = (&p.d, p.today);
    let attention: Vec<(&str, i64, Vec<&str>)> = d
        .attention
        .iter()
        .map(|g| {
            (
                g.kind.as_str(),
                g.projects,
                g.items.iter().map(|i| i.project_title.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        attention,
        [
            ("blocked", 1, vec!["D – Tiers-lieu"]),
            ("paused", 0, vec![]),
            ("late_milestones", 1, vec!["D – Tiers-lieu"]),
            ("stale", 1, vec!["E – Maison des services"]),
            ("rule_breach", 1, vec!["B – Voie verte"]),
            ("detr_lapse", 1, vec!["B – Voie verte"]),
        ]
    );
    let blocked = &d.attention[0].items[0];
    assert_eq!(blocked.detail, "Recours contre le permis");
    let late = &d.attention[2].items[0];
    assert_eq!(
        (late.detail.as_str(), late.date),
        ("COPIL de relance", Some(today - Duration::days(1)))
    );
    assert_eq!(
        d.attention[5].items[0].date,
        Some(today + Duration::days(20))
    );
    p.end().await;
}
both_backends!(attention_names_the_projects_at_risk);

/// Deadlines: A's milestone (10 days), B's DETR start (20), A's Région
/// application (45).
async fn deadlines_come_by_window_soonest_first(backend: Backend) {
    let p = Portfolio::new(backend).await;
    let (d, today) = (&p.d, p.today);
    let windows: Vec<(i64, i64, i64)> = d
        .deadline_windows
        .iter()
        .map(|w| (w.days, w.items, w.projects))
        .collect();
    assert_eq!(windows, [(30, 2, 2), (60, 3, 2), (90, 3, 2)]);
    let items: Vec<(i64, &str, &str)> = d
        .deadlines
        .iter()
        .map(|i| {
            (
                (i.date - today).num_days(),
                i.kind.as_str(),
                i.project_title.as_str(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            (10, "milestone", "A – Halle gourmande"),
            (20, "detr_start", "B – Voie verte"),
            (45, "application", "A – Halle gourmande"),
        ]
    );
    p.end().await;
}
both_backends!(deadlines_come_by_window_soonest_first);

/// Breakdowns of active projects; communes only within a chosen EPCI.
async fn breakdowns_count_the_active_projects(backend: Backend) {
    let p = Portfolio::new(backend).await;
    let (d, http, app) = (&p.d, &p.http, &p.app);
    let rows = |rows: &[app::models::BreakdownRow]| -> Vec<(String, i64, i64)> {
        rows.iter()
            .map(|r| (r.key.clone(), r.projects, r.cost_cents))
            .collect()
    };
    assert_eq!(rows(&d.by_theme), [("tourisme".to_owned(), 2, 300_000_00)]);
    assert_eq!(
        rows(&d.by_epci),
        [
            ("200066660".to_owned(), 3, 130_000_00),
            ("244200770".to_owned(), 1, 200_000_00),
        ]
    );
    assert_eq!(d.by_epci[0].label, "CC de Saint-Flour");
    assert_eq!(
        rows(&d.by_officer),
        [(p.officer.to_string(), 4, 330_000_00)]
    );
    assert!(d.by_commune.is_empty());
    let sf = dashboard(http, app, &[("epci", "200066660")]).await;
    assert_eq!(
        rows(&sf.by_commune),
        [
            ("15187".to_owned(), 3, 130_000_00),
            ("15142".to_owned(), 1, 30_000_00),
        ]
    );
    assert_eq!(sf.by_commune[0].label, "Saint-Flour");
    every_number_matches_its_list(http, app, &sf).await;
    p.end().await;
}
both_backends!(breakdowns_count_the_active_projects);

/// Since D: what the committee hears about; a later D sees no movement.
async fn the_digest_tells_what_changed_since_a_day(backend: Backend) {
    let p = Portfolio::new(backend).await;
    let (d, http, app, today) = (&p.d, &p.http, &p.app, p.today);
    let digest: Vec<(&str, i64)> = d
        .digest_counts
        .iter()
        .map(|c| (c.kind.as_str(), c.projects))
        .collect();
    assert_eq!(
        digest,
        [
            ("created", 4),
            ("stage_changed", 3),
            ("granted", 1),
            ("refused", 0),
            ("abandoned", 1)
        ]
    );
    // Newest first: C abandoned, B's DETR granted, D and C created, B's
    // moves and creation, A's (E's creation is older than D).
    let kinds: Vec<(&str, &str)> = d
        .digest
        .iter()
        .map(|i| {
            (
                i.kind.as_str(),
                i.project_title.get(..1).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("abandoned", "C"),
            ("granted", "B"),
            ("created", "D"),
            ("created", "C"),
            ("stage_changed", "B"),
            ("stage_changed", "B"),
            ("created", "B"),
            ("stage_changed", "A"),
            ("created", "A"),
        ]
    );
    assert_eq!(d.digest[0].project_title, "C – Piscine");
    assert_eq!(d.digest[0].from.as_deref(), Some("emergence"));
    let tomorrow = (today + Duration::days(1)).to_string();
    let later = dashboard(http, app, &[("since", &tomorrow)]).await;
    assert!(later.funnel.iter().all(|r| r.entered == 0 && r.left == 0));
    assert!(later.digest.is_empty());
    every_number_matches_its_list(http, app, &later).await;
    p.end().await;
}
both_backends!(the_digest_tells_what_changed_since_a_day);

/// Every number leads to the list of its projects, filtered or not.
async fn every_number_leads_to_its_projects(backend: Backend) {
    let p = Portfolio::new(backend).await;
    let (http, app) = (&p.http, &p.app);
    every_number_matches_its_list(http, app, &p.d).await;

    // Filtered by programme: only A and E.
    let pvd = dashboard(http, app, &[("programme", "pvd")]).await;
    let counts: Vec<i64> = pvd.funnel.iter().map(|r| r.projects).collect();
    assert_eq!(counts, [1, 1, 0, 0, 0, 0]);
    assert_eq!(pvd.money.projects, 2);
    assert_eq!(pvd.money.to_find_cents, 130_000_00);
    assert_eq!(pvd.by_programme.len(), 1, "only the filter's programme");
    assert_eq!(pvd.by_funder.len(), 1, "A's Région line");
    assert_eq!(pvd.attention[3].projects, 1, "E is stale");
    every_number_matches_its_list(http, app, &pvd).await;

    // Filtered by stage: the funnel is that stage's row.
    let funding = dashboard(http, app, &[("stage", "funding")]).await;
    let rows: Vec<(Stage, i64)> = funding
        .funnel
        .iter()
        .map(|r| (r.stage, r.projects))
        .collect();
    assert_eq!(rows, [(Stage::Funding, 1)]);
    every_number_matches_its_list(http, app, &funding).await;
    p.end().await;
}
both_backends!(every_number_leads_to_its_projects);

/// Exports: the Excel file reopened, cells of the right types; the CSV.
async fn the_exports_hold_the_figures(backend: Backend) {
    let p = Portfolio::new(backend).await;
    let (http, app, today) = (&p.http, &p.app, p.today);
    let res = http
        .get(app.url("/tableau-de-bord/export.xlsx?programme=crte"))
        .send()
        .await
        .expect("xlsx");
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()[reqwest::header::CONTENT_DISPOSITION]
            .to_str()
            .expect("header")
            .contains(".xlsx")
    );
    let bytes = res.bytes().await.expect("bytes");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("workbook");
    assert_eq!(
        book.sheet_names(),
        [
            "Synthèse",
            "Projets",
            "Financeurs",
            "Programmes",
            "Vigilance",
            "Échéances",
            "Répartitions",
            "Changements"
        ]
    );
    let summary = book.worksheet_range("Synthèse").expect("summary");
    assert_eq!(summary.get((0, 0)), Some(&Data::String("Étape".into())));
    // Funding stage: B, 1 project, 200 000 €, as numbers.
    assert_eq!(
        summary.get((3, 0)),
        Some(&Data::String("Montage financier".into()))
    );
    assert_eq!(summary.get((3, 1)), Some(&Data::Float(1.0)));
    assert_eq!(summary.get((3, 2)), Some(&Data::Float(200_000.0)));
    let as_of = summary
        .rows()
        .find(|r| r.first() == Some(&Data::String("Situation au".into())))
        .expect("as-of row");
    match &as_of[1] {
        Data::DateTime(dt) => {
            // Excel's serial day: days since 1899-12-30.
            let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("epoch");
            assert!(dt.is_datetime(), "a real date cell");
            assert_eq!(dt.as_f64(), (today - epoch).num_days() as f64);
        }
        other => panic!("expected a date cell, got {other:?}"),
    }
    // One row per project behind the filter (CRTE: B only), what a head
    // pastes into the committee's deck.
    let projects = book.worksheet_range("Projets").expect("projects");
    let header: Vec<String> = projects
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        header,
        [
            "Référence",
            "Intitulé",
            "Communes",
            "EPCI",
            "Étape",
            "Santé",
            "Chargé·e de mission",
            "Porteur",
            "Coût total du projet",
            "Aides sollicitées (dossiers déposés)",
            "Aides accordées",
            "Aides versées",
            "Reste à financer (coût − aides accordées − autofinancement)",
            "Programmes",
            "Thématiques",
            "Prochaine échéance",
            "Dernier changement",
        ]
    );
    assert_eq!(projects.height(), 2, "B alone");
    let b = projects.rows().nth(1).expect("B");
    assert_eq!(b[1], Data::String("B – Voie verte".into()));
    assert_eq!(b[2], Data::String("Saint-Étienne".into()));
    assert_eq!(b[3], Data::String("Saint-Étienne Métropole".into()));
    assert_eq!(b[4], Data::String("Montage financier".into()));
    assert_eq!(b[7], Data::String("Commune de Saint-Étienne".into()));
    let euros: Vec<&Data> = b[8..13].iter().collect();
    assert_eq!(
        euros,
        [
            &Data::Float(200_000.0),
            &Data::Float(130_000.0),
            &Data::Float(80_000.0),
            &Data::Float(0.0),
            &Data::Float(110_000.0)
        ]
    );
    assert_eq!(b[13], Data::String("CRTE".into()));
    assert_eq!(b[14], Data::String("Tourisme".into()));
    // Its next date: the DETR works start, in 20 days.
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("epoch");
    match &b[15] {
        Data::DateTime(dt) => assert_eq!(
            dt.as_f64(),
            (today + Duration::days(20) - epoch).num_days() as f64
        ),
        other => panic!("a date cell: {other:?}"),
    }
    let funders = book.worksheet_range("Financeurs").expect("funders");
    let detr_row = funders
        .rows()
        .find(|r| r.first() == Some(&Data::String("État – DETR".into())))
        .expect("DETR row");
    assert_eq!(detr_row[1], Data::Float(1.0));
    assert_eq!(detr_row[5], Data::Float(80_000.0), "granted, in euros");

    let res = http
        .get(app.url("/tableau-de-bord/export.csv"))
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.expect("csv bytes");
    // French Excel: a byte-order mark, `;`, decimal commas, jj/mm/aaaa.
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with its BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
    assert!(text.starts_with("Section;Ligne;Mesure;Valeur"), "{text}");
    assert!(
        text.lines()
            .any(|l| l == "Financeurs;État – DETR;Aides accordées;80000,00"),
        "{text}"
    );
    // Rows that start with a date are kept: the deadlines and the changes.
    let in_10_days = (today + Duration::days(10)).format("%d/%m/%Y").to_string();
    assert!(
        text.lines()
            .any(|l| l == format!("Échéances;{in_10_days};Projet;A – Halle gourmande")),
        "{text}"
    );
    let changes = text
        .lines()
        .filter(|l| l.starts_with(&format!("Changements;{}", today.format("%d/%m/%Y"))))
        .count();
    assert!(changes >= 9, "every change of the digest: {text}");
    assert!(
        text.lines().any(|l| l == "Synthèse;Études;Projets;1"),
        "{text}"
    );
    p.end().await;
}
both_backends!(the_exports_hold_the_figures);

/// An admin reclassifies the Région as the owner's own funds: B's owner
/// share becomes 60 000 of 140 000, the rule is met, and the figures kept
/// on the rows follow.
async fn a_funder_reclassified_moves_the_figures(backend: Backend) {
    let p = Portfolio::new(backend).await;
    let (http, app) = (&p.http, &p.app);
    create_user(&app.db, "admin@cc-exemple.fr", Role::Admin).await;
    let admin = client();
    assert_eq!(
        login(&admin, app, "admin@cc-exemple.fr", PASSWORD)
            .await
            .status(),
        200
    );
    let form: Form = vec![
        ("form[code]", "region".into()),
        ("form[name]", "Région".into()),
        ("form[category]", "own_funds".into()),
        ("form[active]", "on".into()),
    ];
    ok(post(&admin, app, "funders/save", &form).await).await;
    let after = dashboard(http, app, &[]).await;
    let breach = after
        .attention
        .iter()
        .find(|g| g.kind.as_str() == "rule_breach")
        .expect("group");
    assert_eq!(breach.projects, 0);
    every_number_matches_its_list(http, app, &after).await;
    p.end().await;
}
both_backends!(a_funder_reclassified_moves_the_figures);

/// Heads see the same; partners never; anonymous visitors sign in first.
async fn only_staff_see_the_dashboard(backend: Backend) {
    let p = Portfolio::new(backend).await;
    let app = &p.app;
    create_user(&app.db, "cheffe@cc-exemple.fr", Role::Head).await;
    let head = client();
    assert_eq!(
        login(&head, app, "cheffe@cc-exemple.fr", PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(dashboard(&head, app, &[]).await.money, p.d.money);
    create_user(&app.db, "partenaire@region.fr", Role::Partner).await;
    let partner = client();
    assert_eq!(
        login(&partner, app, "partenaire@region.fr", PASSWORD)
            .await
            .status(),
        200
    );
    let res = partner
        .post(app.url("/api/dashboard/view"))
        .form(&[("filter[stage]", "")])
        .send()
        .await
        .expect("partner");
    assert_eq!(res.status(), 403);
    for path in [
        "/tableau-de-bord/export.xlsx",
        "/tableau-de-bord/export.csv",
    ] {
        let res = partner
            .get(app.url(path))
            .send()
            .await
            .expect("partner export");
        assert_eq!(res.status(), 403, "{path}");
        let res = client().get(app.url(path)).send().await.expect("anonymous");
        assert_eq!(res.status(), 303, "{path}");
    }
    p.end().await;
}
both_backends!(only_staff_see_the_dashboard);

/// Figures kept on project rows are recomputed when a migration or a rule
/// change leaves them stale (`figures_version` below the code's).
async fn stale_figures_are_recomputed(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let id = create(
        &http,
        &app,
        "Projet",
        &["15187"],
        &[("form[estimated_cost]", "40 000")],
    )
    .await;
    let row = project::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("row")
        .expect("exists");
    assert_eq!(row.plan_to_find_cents, 40_000_00, "written at creation");
    project::Entity::update_many()
        .col_expr(project::Column::PlanToFindCents, Expr::value(0_i64))
        .col_expr(project::Column::FiguresVersion, Expr::value(0))
        .filter(project::Column::Id.eq(id))
        .exec(&app.db)
        .await
        .expect("make stale");
    let n = app::server::services::change::refresh_outdated(&app.db)
        .await
        .expect("refresh");
    assert_eq!(n, 1);
    let row = project::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("row")
        .expect("exists");
    assert_eq!(row.plan_to_find_cents, 40_000_00);
    assert_eq!(
        row.figures_version,
        app::server::services::plan_figures::FIGURES_VERSION
    );
    app.stop().await;
    test_db.drop().await;
}
both_backends!(stale_figures_are_recomputed);

/// The dashboard read from the summaries equals the dashboard computed by
/// the live queries: on a generated portfolio, after writes of each kind
/// through the API, for every one-dimension filter (with and without a
/// stage) and on days in the past and the future.
async fn summaries_give_the_live_figures(backend: Backend) {
    use app::models::DashboardFilter;
    use app::server::entities::projects::project_commune;
    use app::server::entities::territory::commune;
    use app::server::services::dashboard as board;
    use sea_orm::{PaginatorTrait, QueryOrder};

    let (test_db, app, http, officer) = signed_in(backend).await;
    let today = app::server::clock::local_date(Utc::now());
    server::demo::scale::generate(&app.db, 150, today)
        .await
        .expect("generate");
    crate::support::assert_summaries_match(&app.db).await;

    let first = |stage: &'static str| {
        let db = app.db.clone();
        async move {
            project::Entity::find()
                .filter(project::Column::Stage.eq(stage))
                .order_by_asc(project::Column::Id)
                .one(&db)
                .await
                .expect("query")
                .expect("a project at that stage")
        }
    };
    let p = first("study").await;
    ok(change_stage(&http, &app, p.id, p.version, "funding", None).await).await;
    let p = first("delivery").await;
    let reason = Some("Projet retiré par la commune");
    ok(change_stage(&http, &app, p.id, p.version, "abandoned", reason).await).await;
    let p = first("emergence").await;
    ok(set_health(&http, &app, p.id, p.version, "blocked", "Recours").await).await;
    let due = (today + Duration::days(12)).to_string();
    let copil = add_milestone(&http, &app, p.id, "steering_committee", "COPIL", &due);
    ok(copil.await).await;
    let region = app::server::entities::funding::funder::Entity::find()
        .filter(app::server::entities::funding::funder::Column::Code.eq("region"))
        .one(&app.db)
        .await
        .expect("funders")
        .expect("region");
    let in_40_days = (today + Duration::days(40)).to_string();
    let deadline = [("form[application_deadline]", in_40_days.as_str())];
    add_line(&http, &app, p.id, region.id, "25 000", &deadline).await;
    // A grant won and one refused (the digest's decisions).
    let date = today.to_string();
    for (amount, decision) in [("30 000", "granted"), ("12 000", "refused")] {
        let line = add_line(&http, &app, p.id, region.id, amount, &[]).await;
        for (version, to) in [(1, "requested"), (2, decision)] {
            ok(move_status(&http, &app, line, version, to, &[("form[date]", &date)]).await).await;
        }
    }
    crate::support::assert_summaries_match(&app.db).await;

    // One value of each dimension, as the dashboard's filter form sends it.
    let epci: String = {
        let insee: String = project_commune::Entity::find()
            .one(&app.db)
            .await
            .expect("links")
            .expect("a commune")
            .insee;
        commune::Entity::find_by_id(insee)
            .one(&app.db)
            .await
            .expect("commune")
            .expect("exists")
            .epci_siren
            .expect("an EPCI")
    };
    let generated = project::Entity::find()
        .filter(project::Column::LeadOfficerId.eq(officer))
        .count(&app.db)
        .await
        .expect("count");
    assert!(generated > 0, "the officer leads generated projects");
    let mut filters = vec![DashboardFilter::default()];
    for code in [
        "pvd",
        "acv",
        "crte",
        "territoires_industrie",
        "villages_avenir",
    ] {
        filters.push(DashboardFilter {
            programme: Some(code.into()),
            ..DashboardFilter::default()
        });
    }
    for code in ["commerce", "sante", "tourisme"] {
        filters.push(DashboardFilter {
            theme: Some(format!(" {code} ")),
            ..DashboardFilter::default()
        });
    }
    filters.push(DashboardFilter {
        epci: Some(epci.to_lowercase()),
        ..DashboardFilter::default()
    });
    filters.push(DashboardFilter {
        officer: Some(officer),
        ..DashboardFilter::default()
    });
    for stage in ["study", "funding", "completed"] {
        let with_stage: Vec<DashboardFilter> = filters
            .iter()
            .take(4)
            .map(|f| DashboardFilter {
                stage: Some(stage.into()),
                ..f.clone()
            })
            .collect();
        filters.extend(with_stage);
    }
    // Movements and digest since other days: a year back, and today (only
    // the writes above).
    for since in [today - Duration::days(365), today] {
        let with_since: Vec<DashboardFilter> = filters
            .iter()
            .take(4)
            .chain(filters.iter().rev().take(2))
            .map(|f| DashboardFilter {
                since: Some(since),
                ..f.clone()
            })
            .collect();
        filters.extend(with_since);
    }
    // Two dimensions or more: no stored scope, the summaries are added up
    // from the kept projects' facts.
    let pvd_by_officer = DashboardFilter {
        programme: Some("pvd".into()),
        officer: Some(officer),
        ..DashboardFilter::default()
    };
    let combined = vec![
        pvd_by_officer.clone(),
        DashboardFilter {
            theme: Some("commerce".into()),
            epci: Some(epci.to_lowercase()),
            ..DashboardFilter::default()
        },
        DashboardFilter {
            programme: Some(" pvd ".into()),
            theme: Some("commerce".into()),
            stage: Some("funding".into()),
            ..DashboardFilter::default()
        },
        DashboardFilter {
            officer: Some(officer),
            epci: Some(epci.clone()),
            since: Some(today - Duration::days(365)),
            ..DashboardFilter::default()
        },
        DashboardFilter {
            programme: Some("acv".into()),
            theme: Some("sante".into()),
            epci: Some(epci.clone()),
            officer: Some(officer),
            assignee: None,
            stage: Some("study".into()),
            since: Some(today),
        },
        // Nothing matches: every figure is zero.
        DashboardFilter {
            programme: Some("pvd".into()),
            officer: Some(i64::MAX),
            ..DashboardFilter::default()
        },
        // Whom work is confided to: no stored scope either.
        DashboardFilter {
            assignee: Some(officer),
            ..DashboardFilter::default()
        },
        DashboardFilter {
            assignee: Some(officer),
            programme: Some("pvd".into()),
            stage: Some("funding".into()),
            since: Some(today - Duration::days(365)),
            ..DashboardFilter::default()
        },
    ];
    for f in &combined {
        assert!(app::server::services::summaries::scope_of(f).is_none());
    }
    for day in [
        today,
        today - Duration::days(400),
        today + Duration::days(45),
    ] {
        for f in filters.iter().chain(&combined) {
            let summary = board::dashboard(&app.db, f, day).await.expect("summary");
            let live = board::dashboard_live(&app.db, f, day).await.expect("live");
            assert_eq!(summary, live, "{f:?} on {day}");
        }
    }
    for f in &filters {
        assert!(app::server::services::summaries::scope_of(f).is_some());
    }
    let d = board::dashboard(&app.db, &pvd_by_officer, today)
        .await
        .expect("dashboard");
    assert!(
        d.money.projects > 0 && d.funnel.iter().any(|r| r.projects > 0),
        "a combined filter keeps projects: {:?}",
        d.money
    );
    // The figures are not all zero: the comparison compares something.
    let d = board::dashboard(&app.db, &DashboardFilter::default(), today)
        .await
        .expect("dashboard");
    assert!(d.money.projects > 100);
    assert!(
        d.attention.iter().all(|g| g.projects > 0),
        "{:?}",
        d.attention
    );
    assert!(
        d.deadline_windows
            .iter()
            .all(|w| w.projects > 0 && w.items > 0)
    );
    let year = DashboardFilter {
        since: Some(today - Duration::days(365)),
        ..DashboardFilter::default()
    };
    let d = board::dashboard(&app.db, &year, today)
        .await
        .expect("dashboard");
    assert!(d.funnel.iter().any(|r| r.entered > 0 && r.left > 0));
    assert!(
        d.digest_counts.iter().all(|c| c.projects > 0),
        "{:?}",
        d.digest_counts
    );

    app.stop().await;
    test_db.drop().await;
}
both_backends!(summaries_give_the_live_figures);
