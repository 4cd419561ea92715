//! Funding plans over HTTP: lines, status moves, the 20 % rule, derogations,
//! DETR deadlines, conflicts and the timeline, on both databases.
use app::domain::OwnerKind;
use app::domain::funding::{FundingStatus, Verdict};
use app::error::AppError;
use app::models::{FundingPlan, OfficerHome};
use app::server::entities::funding::funding_line;
use app::server::entities::projects::event;
use chrono::{Months, Utc};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::both_backends;
use crate::support::api::{
    Form, add_line, create, funder, get, granted_detr, move_status, plan, post, refused,
    refused_on, signed_in,
};
use crate::support::builders::ProjectBuilder;
use crate::support::{Backend, TestApp};

async fn events(app: &TestApp) -> u64 {
    event::Entity::find().count(&app.db).await.expect("count")
}

/// The halle of Saint-Flour (1,2 M€, a commune's project) with three lines:
/// DETR 400 000, Région 300 000, the commune's own 200 000.
struct Halle {
    test_db: crate::support::TestDb,
    app: TestApp,
    http: reqwest::Client,
    id: i64,
    detr: String,
    region: String,
    detr_line: i64,
    region_line: i64,
}

impl Halle {
    async fn new(backend: Backend) -> Self {
        let (test_db, app, http, _) = signed_in(backend).await;
        let id = ProjectBuilder::new("Restauration de la halle")
            .commune("15187")
            .cost("1 200 000")
            .owner("Commune de Saint-Flour", OwnerKind::Commune)
            .create(&http, &app)
            .await;
        let empty = plan(&http, &app, id).await;
        assert!(empty.lines.is_empty());
        assert_eq!(empty.totals.still_to_find, Some(1_200_000_00));
        let detr = funder(&empty, "detr");
        let region = funder(&empty, "region");
        let own = funder(&empty, "autofinancement");
        let detr_line = add_line(
            &http,
            &app,
            id,
            &detr,
            "400 000",
            &[("form[programme]", "DETR 2027")],
        )
        .await;
        let region_line = add_line(&http, &app, id, &region, "300 000", &[]).await;
        add_line(&http, &app, id, &own, "200 000", &[]).await;
        Self {
            test_db,
            app,
            http,
            id,
            detr,
            region,
            detr_line,
            region_line,
        }
    }

    /// The DETR line's form at `version`, asking `amount`.
    fn detr_update(&self, version: i32, amount: &str) -> Form<'static> {
        vec![
            ("line_id", self.detr_line.to_string()),
            ("version", version.to_string()),
            ("form[funder_id]", self.detr.clone()),
            ("form[programme]", "DETR 2027".to_owned()),
            ("form[amount_requested]", amount.to_owned()),
        ]
    }

    /// The events on the project's timeline.
    async fn kinds(&self) -> Vec<String> {
        get(&self.http, &self.app, self.id, None)
            .await
            .events
            .iter()
            .map(|e| e.kind.as_str().to_owned())
            .collect()
    }

    async fn end(self) {
        crate::support::finish(self.app, self.test_db).await;
    }
}

fn line(p: &FundingPlan, id: i64) -> app::models::FundingLineView {
    p.lines.iter().find(|l| l.id == id).cloned().expect("line")
}

/// The plan's totals and the 20 % rule follow every line written: met,
/// breached, a stale form refused, over-funding reported, a derogation.
async fn a_plan_is_checked_against_the_rules(backend: Backend) {
    let h = Halle::new(backend).await;
    let (http, app, id, detr_line) = (&h.http, &h.app, h.id, h.detr_line);
    let region = &h.region;
    let p = plan(http, app, id).await;
    assert_eq!(p.lines.len(), 3);
    assert_eq!(p.totals.planned, 900_000_00);
    // No aid granted yet: the cost less the commune's own 200 000.
    assert_eq!(
        p.totals.still_to_find,
        Some(1_000_000_00),
        "nothing secured yet"
    );
    assert_eq!(p.totals.own_funds, 200_000_00);
    assert_eq!(p.totals.bar.identified, 700_000_00, "the aids foreseen");
    assert_eq!(p.totals.bar.own_funds, 200_000_00);
    assert_eq!(p.totals.bar.to_find, 300_000_00);
    // 200 000 of 900 000 public = 22,2 %: met.
    assert_eq!(p.self_funding.public_total, 900_000_00);
    assert_eq!(p.self_funding.threshold, 180_000_00);
    assert_eq!(p.self_funding.verdict, Verdict::Met);

    // Raising the DETR to 550 000: 200 000 of 1 050 000 = 19,0 % → breached.
    let update = |version: i32, amount: &str| h.detr_update(version, amount);
    let res = post(http, app, "funding/lines/update", &update(1, "550 000")).await;
    assert_eq!(
        res.status(),
        200,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let p = plan(http, app, id).await;
    assert_eq!(line(&p, detr_line).version, 2);
    assert_eq!(p.self_funding.threshold, 210_000_00);
    assert_eq!(p.self_funding.verdict, Verdict::Breached);
    assert_eq!(
        p.self_funding.share.expect("share").to_string(),
        "19,0\u{a0}%"
    );

    // A stale form is refused and changes nothing.
    let before = events(app).await;
    let res = post(http, app, "funding/lines/update", &update(1, "100 000")).await;
    assert_eq!(res.status(), 409);
    assert!(
        matches!(res.json::<AppError>().await.expect("json"), AppError::Conflict(m) if m.contains("modifié"))
    );
    assert_eq!(
        line(&plan(http, app, id).await, detr_line).amount_requested_cents,
        Some(550_000_00)
    );
    assert_eq!(events(app).await, before, "no event for a refused write");

    // Over-funding is reported.
    let extra = add_line(http, app, id, &region, "200 000", &[]).await;
    assert_eq!(
        plan(http, app, id).await.totals.over_funding,
        Some(50_000_00)
    );
    let res = post(
        http,
        app,
        "funding/lines/delete",
        &vec![("line_id", extra.to_string()), ("version", "1".into())],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(plan(http, app, id).await.totals.over_funding, None);

    // A derogation needs its reason; with it the verdict says derogation.
    let p = plan(http, app, id).await;
    let derogation = |version: i32, reason: &str| {
        vec![
            ("project_id", id.to_string()),
            ("version", version.to_string()),
            ("form[kind]", "listed_monument".to_owned()),
            ("form[reason]", reason.to_owned()),
        ]
    };
    let res = post(
        http,
        app,
        "funding/derogation",
        &derogation(p.project_version, " "),
    )
    .await;
    refused_on(res, 422, "reason").await;
    let res = post(
        http,
        app,
        "funding/derogation",
        &derogation(
            p.project_version,
            "Halle inscrite MH, arrêté du préfet du 2 mars",
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    let p = plan(http, app, id).await;
    assert!(
        matches!(&p.self_funding.verdict, Verdict::Derogation(d) if d.reason.contains("arrêté"))
    );

    let kinds = h.kinds().await;
    for kind in [
        "funding_line_added",
        "funding_line_updated",
        "funding_line_deleted",
        "derogation_set",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    h.end().await;
}
both_backends!(a_plan_is_checked_against_the_rules);

/// A line's status moves are checked (no payment before the grant, no
/// grant above the request, a reason to go back), with their dates and the
/// DETR deadline; a stale delete deletes nothing.
async fn funding_status_moves_are_checked(backend: Backend) {
    let h = Halle::new(backend).await;
    let (http, app, id, detr_line, region_line) =
        (&h.http, &h.app, h.id, h.detr_line, h.region_line);
    let detr = &h.detr;
    let res = post(
        http,
        app,
        "funding/lines/update",
        &h.detr_update(1, "550 000"),
    )
    .await;
    assert_eq!(res.status(), 200);
    let p = plan(http, app, id).await;
    // Status moves: paid before granted is impossible; filing then granting works.
    let v = line(&p, detr_line).version;
    let before = events(app).await;
    let res = move_status(http, app, detr_line, v, "balance_paid", &[]).await;
    refused_on(res, 422, "status").await;
    assert_eq!(events(app).await, before);
    let res = move_status(
        http,
        app,
        detr_line,
        v,
        "requested",
        &[("form[date]", "2026-02-10")],
    )
    .await;
    assert_eq!(
        res.status(),
        200,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let res = move_status(
        http,
        app,
        detr_line,
        v + 1,
        "granted",
        &[("form[date]", "2026-06-30"), ("form[amount]", "600 000")],
    )
    .await;
    assert_eq!(res.status(), 422, "granted above requested");
    let res = move_status(
        http,
        app,
        detr_line,
        v + 1,
        "granted",
        &[("form[date]", "2026-06-30"), ("form[amount]", "500 000")],
    )
    .await;
    assert_eq!(res.status(), 200);
    let p = plan(http, app, id).await;
    let l = line(&p, detr_line);
    assert_eq!(l.status, FundingStatus::Granted);
    assert_eq!(l.amount_granted_cents, Some(500_000_00));
    assert_eq!(
        l.requested_on.map(|d| d.to_string()).as_deref(),
        Some("2026-02-10")
    );
    assert_eq!(
        l.decided_on.map(|d| d.to_string()).as_deref(),
        Some("2026-06-30")
    );
    assert_eq!(p.totals.granted, 500_000_00);
    // 1 200 000 − 500 000 granted − 200 000 of the commune's own.
    assert_eq!(p.totals.still_to_find, Some(500_000_00));
    assert_eq!(p.totals.bar.granted, 500_000_00);
    // DETR: works to start within two years of the notification.
    let detr_deadlines = l.detr.expect("detr deadlines");
    assert_eq!(detr_deadlines.start_by.to_string(), "2028-06-30");
    assert_eq!(detr_deadlines.complete_by, None);

    // Going back needs a reason, and clears the later dates.
    let res = move_status(http, app, detr_line, l.version, "requested", &[]).await;
    refused_on(res, 422, "reason").await;
    let res = move_status(
        http,
        app,
        detr_line,
        l.version,
        "requested",
        &[("form[reason]", "Notification saisie par erreur")],
    )
    .await;
    assert_eq!(res.status(), 200);
    let l = line(&plan(http, app, id).await, detr_line);
    assert_eq!((l.status, l.decided_on), (FundingStatus::Requested, None));
    assert_eq!(l.amount_granted_cents, None, "no grant below granted");
    // Granted again without an amount: the amount requested.
    let res = move_status(
        http,
        app,
        detr_line,
        l.version,
        "granted",
        &[("form[date]", "2026-07-01")],
    )
    .await;
    assert_eq!(res.status(), 200);
    let l = line(&plan(http, app, id).await, detr_line);
    assert_eq!(l.amount_granted_cents, Some(550_000_00));

    // Money paid on a line that records no payment is refused on its field.
    let res = post(
        http,
        app,
        "funding/lines/update",
        &vec![
            ("line_id", detr_line.to_string()),
            ("version", l.version.to_string()),
            ("form[funder_id]", detr.clone()),
            ("form[amount_requested]", "550 000".into()),
            ("form[amount_granted]", "550 000".into()),
            ("form[amount_paid]", "10 000".into()),
        ],
    )
    .await;
    refused_on(res, 422, "amount_paid").await;

    // A stale delete is refused and deletes nothing.
    let res = post(
        http,
        app,
        "funding/lines/delete",
        &vec![
            ("line_id", region_line.to_string()),
            ("version", "7".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 409);
    assert!(
        plan(http, app, id)
            .await
            .lines
            .iter()
            .any(|l| l.id == region_line)
    );

    let detail = get(http, app, id, None).await;
    let kinds: Vec<&str> = detail.events.iter().map(|e| e.kind.as_str()).collect();
    for kind in ["funding_line_added", "funding_status_changed"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let back = detail
        .events
        .iter()
        .find(|e| e.kind.as_str() == "funding_status_changed" && e.data["backward"] == true)
        .expect("backward move");
    assert_eq!(back.data["reason"], "Notification saisie par erreur");
    h.end().await;
}
both_backends!(funding_status_moves_are_checked);

async fn funding_deadlines_reach_the_officer_home(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let today = app::server::clock::local_date(Utc::now());
    let id = create(
        &http,
        &app,
        "Voie verte",
        &["15187"],
        &[
            ("form[estimated_cost]", "500 000"),
            ("form[owner_kind]", "epci"),
        ],
    )
    .await;
    let p = plan(&http, &app, id).await;
    let detr = funder(&p, "detr");
    let leader = funder(&p, "leader");
    let dept = funder(&p, "departement");
    let soon = (today + chrono::Duration::days(30)).to_string();
    let far = (today + chrono::Duration::days(200)).to_string();
    add_line(
        &http,
        &app,
        id,
        &dept,
        "50 000",
        &[("form[application_deadline]", soon.as_str())],
    )
    .await;
    add_line(
        &http,
        &app,
        id,
        &dept,
        "20 000",
        &[("form[application_deadline]", far.as_str())],
    )
    .await;
    // A DETR grant notified two years ago minus 20 days: works must start
    // within 20 days.
    let notified =
        today.checked_sub_months(Months::new(24)).expect("date") + chrono::Duration::days(20);
    let detr_line = granted_detr(&http, &app, id, &detr, notified).await;

    let home: OfficerHome = post(&http, &app, "projects/home", &vec![])
        .await
        .json()
        .await
        .expect("home");
    let got: Vec<(String, String)> = home
        .deadlines
        .iter()
        .map(|d| (d.kind.clone(), d.date.to_string()))
        .collect();
    let start_by = (notified.checked_add_months(Months::new(24)).expect("date")).to_string();
    assert_eq!(
        got,
        [
            ("detr_start".to_owned(), start_by),
            ("application".to_owned(), soon.clone())
        ],
        "soonest first; the 200-day deadline is beyond the horizon"
    );

    // Works start recorded: the DETR deadline becomes the completion date
    // (four years later, beyond the horizon); LEADER filed after it warns.
    let started = (today - chrono::Duration::days(10)).to_string();
    let res = post(
        &http,
        &app,
        "milestones/add",
        &vec![
            ("project_id", id.to_string()),
            ("form[kind]", "works_start".into()),
            ("form[title]", "Ordre de service".into()),
            ("form[due_date]", started.clone()),
            ("form[done_date]", started.clone()),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    // The milestone alone moved the stored DETR date (the dashboard's).
    crate::support::assert_summaries_match(&app.db).await;
    let leader_line = add_line(&http, &app, id, &leader, "30 000", &[]).await;
    // Works started and LEADER not filed: already too late.
    let p = plan(&http, &app, id).await;
    assert_eq!(
        p.lines
            .iter()
            .find(|l| l.id == leader_line)
            .expect("leader")
            .warnings
            .len(),
        1
    );
    assert_eq!(
        move_status(&http, &app, leader_line, 1, "requested", &[])
            .await
            .status(),
        200
    );
    let p = plan(&http, &app, id).await;
    assert_eq!(p.works_start.map(|d| d.to_string()), Some(started));
    let d = p
        .lines
        .iter()
        .find(|l| l.id == detr_line)
        .and_then(|l| l.detr)
        .expect("detr");
    assert_eq!(
        d.complete_by,
        Some(today - chrono::Duration::days(10) + chrono::Duration::days(0))
            .map(|s| s.checked_add_months(Months::new(48)).expect("date"))
    );
    let leader_warnings = &p
        .lines
        .iter()
        .find(|l| l.id == leader_line)
        .expect("leader")
        .warnings;
    assert_eq!(leader_warnings.len(), 1, "{leader_warnings:?}");
    assert!(leader_warnings[0].contains("LEADER"));
    let home: OfficerHome = post(&http, &app, "projects/home", &vec![])
        .await
        .json()
        .await
        .expect("home");
    assert_eq!(home.deadlines.len(), 1);
    assert_eq!(home.deadlines[0].kind, "application");
    crate::support::finish(app, test_db).await;
}
both_backends!(funding_deadlines_reach_the_officer_home);

async fn bad_lines_are_refused_field_by_field(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let id = create(&http, &app, "Médiathèque", &["15187"], &[]).await;
    let p = plan(&http, &app, id).await;
    let res = post(
        &http,
        &app,
        "funding/lines/add",
        &vec![
            ("project_id", id.to_string()),
            ("form[funder_id]", "999999".into()),
            ("form[amount_requested]", "12,345".into()),
            ("form[rate]", "150".into()),
        ],
    )
    .await;
    let err = refused(res, 422).await;
    assert!(err.field("amount_requested").is_some() && err.field("rate").is_some());
    // An unknown funder is named as such once the amounts are fine.
    let res = post(
        &http,
        &app,
        "funding/lines/add",
        &vec![
            ("project_id", id.to_string()),
            ("form[funder_id]", "999999".into()),
            ("form[amount_requested]", "10 000".into()),
        ],
    )
    .await;
    refused_on(res, 422, "funder_id").await;
    // A line on a project that does not exist.
    let res = post(
        &http,
        &app,
        "funding/lines/add",
        &vec![
            ("project_id", "424242".into()),
            ("form[funder_id]", funder(&p, "detr")),
            ("form[amount_requested]", "10 000".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 404);
    assert_eq!(
        funding_line::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        0
    );
    crate::support::finish(app, test_db).await;
}
both_backends!(bad_lines_are_refused_field_by_field);

async fn admins_keep_the_funder_catalogue(backend: Backend) {
    use crate::support::{PASSWORD, create_user, login};
    use app::domain::Role;
    use app::models::FunderView;
    let (test_db, app, http, _) = signed_in(backend).await;
    // A project in delivery with no plan is flagged on its plan.
    let id = create(&http, &app, "Salle des fêtes", &["15187"], &[]).await;
    for (version, stage) in [(1, "study"), (2, "funding"), (3, "delivery")] {
        let res = post(
            &http,
            &app,
            "projects/stage",
            &vec![
                ("id", id.to_string()),
                ("version", version.to_string()),
                ("stage", stage.to_owned()),
            ],
        )
        .await;
        assert_eq!(res.status(), 200, "{stage}");
    }
    assert!(plan(&http, &app, id).await.unfunded_delivery);

    create_user(&app.db, "admin@cc-exemple.fr", Role::Admin).await;
    let admin = crate::support::client();
    login(&admin, &app, "admin@cc-exemple.fr", PASSWORD).await;
    let save = |code: &str, name: &str, category: &str, active: bool| {
        let mut form: Form = vec![
            ("form[code]", code.to_owned()),
            ("form[name]", name.to_owned()),
            ("form[category]", category.to_owned()),
        ];
        if active {
            form.push(("form[active]", "on".into()));
        }
        form
    };
    for (code, name, category, active, status) in [
        (
            "region_ara",
            "Région Auvergne-Rhône-Alpes",
            "public",
            true,
            200,
        ),
        ("mecenat", "Mécénat", "private", false, 200),
    ] {
        let res = post(
            &admin,
            &app,
            "funders/save",
            &save(code, name, category, active),
        )
        .await;
        assert_eq!(res.status(), status, "{code}");
    }
    let res = post(
        &admin,
        &app,
        "funders/save",
        &save("Région AURA", "", "banque", true),
    )
    .await;
    let err = refused(res, 422).await;
    for field in ["code", "name", "category"] {
        assert!(err.field(field).is_some(), "{field}");
    }
    let all: Vec<FunderView> = post(&admin, &app, "funders/list", &vec![])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(all.last().map(|f| f.code.as_str()), Some("region_ara"));
    assert!(
        all.iter()
            .any(|f| f.code == "mecenat" && !f.active && f.name == "Mécénat")
    );
    // Officers are offered the new funder, not the deactivated one, and
    // cannot use the latter on a new line.
    let p = plan(&http, &app, id).await;
    assert!(p.funders.iter().any(|f| f.code == "region_ara"));
    assert!(!p.funders.iter().any(|f| f.code == "mecenat"));
    let mecenat = all
        .iter()
        .find(|f| f.code == "mecenat")
        .expect("mecenat")
        .id
        .to_string();
    let res = post(
        &http,
        &app,
        "funding/lines/add",
        &vec![
            ("project_id", id.to_string()),
            ("form[funder_id]", mecenat),
            ("form[amount_requested]", "5 000".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    // An officer cannot touch the catalogue.
    let res = post(&http, &app, "funders/save", &save("x", "X", "public", true)).await;
    assert_eq!(res.status(), 403);
    let region = funder(&p, "region_ara");
    add_line(&http, &app, id, &region, "80 000", &[]).await;
    assert!(!plan(&http, &app, id).await.unfunded_delivery);
    crate::support::finish(app, test_db).await;
}
both_backends!(admins_keep_the_funder_catalogue);
