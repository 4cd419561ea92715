//! A plan's figures are the same wherever they are shown (issue 17, item 6):
//! the staff plan (its JSON and its page), the page shared by link, the
//! partner's page, the dashboard and its Excel export read the one
//! definition of each figure (`domain::funding::Totals`) under the one label
//! (`PlanFigure::label`).
use std::io::Cursor;

use app::domain::funding::{PlanFigure, Totals};
use app::domain::{Email, OrganisationKind, OwnerKind, Role, Stage, format_euros};
use app::models::{Dashboard, NewUser};
use calamine::{Data, Reader, Xlsx};
use scraper::{Html, Selector};

use crate::both_backends;
use crate::support::api::{
    add_line, created, funder, html, move_status, ok, ok_json, plan, share, signed_in,
};
use crate::support::builders::{OrgBuilder, ProjectBuilder};
use crate::support::{Backend, PASSWORD, client, login};

/// The `(label, value)` of every `[data-figure]` of a page, by figure.
fn figures_on(html: &str) -> Vec<(String, String, String)> {
    let page = Html::parse_document(html);
    let item = Selector::parse("[data-figure]").expect("selector");
    let dt = Selector::parse("dt").expect("selector");
    let dd = Selector::parse("dd").expect("selector");
    let text = |e: scraper::ElementRef| e.text().collect::<String>().trim().to_owned();
    page.select(&item)
        .filter_map(|e| {
            let name = e.value().attr("data-figure")?.to_owned();
            let label = e.select(&dt).next().map(text)?;
            let value = e.select(&dd).next().map(text)?;
            Some((name, label, value))
        })
        .collect()
}

/// Checks that `page` shows exactly `shown`, each with its label and the
/// plan's value.
fn assert_shows(page: &str, html: &str, totals: &Totals, shown: &[PlanFigure]) {
    let found = figures_on(html);
    let expected: Vec<(String, String, String)> = shown
        .iter()
        .filter_map(|f| {
            let value = f.of(totals)?;
            Some((f.as_str().to_owned(), f.label(), format_euros(value)))
        })
        .collect();
    assert_eq!(found, expected, "{page}");
}

/// A commune's 2,4 M€ project, half of it its own money: DETR 480 000
/// granted, the Région's 480 000 awaiting its decision, the Département's
/// 240 000 foreseen. Nothing is missing from the plan, and what is still
/// to find is exactly what awaits a decision or a filing.
async fn a_plan_shows_the_same_figures_on_every_page(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let id = ProjectBuilder::new("Pôle culturel de la gare")
        .commune("15187")
        .cost("2 400 000")
        .owner("Commune de Saint-Flour", OwnerKind::Commune)
        .create(&http, &app)
        .await;
    let p = plan(&http, &app, id).await;
    let detr = add_line(&http, &app, id, funder(&p, "detr"), "480 000", &[]).await;
    let region = add_line(&http, &app, id, funder(&p, "region"), "480 000", &[]).await;
    add_line(&http, &app, id, funder(&p, "departement"), "240 000", &[]).await;
    add_line(
        &http,
        &app,
        id,
        funder(&p, "autofinancement"),
        "1 200 000",
        &[],
    )
    .await;
    let filed = [("form[date]", "2026-03-02")];
    ok(move_status(&http, &app, detr, 1, "requested", &filed).await).await;
    let granted = [("form[date]", "2026-07-15")];
    ok(move_status(&http, &app, detr, 2, "granted", &granted).await).await;
    ok(move_status(&http, &app, region, 1, "requested", &filed).await).await;
    // Another project, at another stage, that the dashboard's filter leaves out.
    let other = ProjectBuilder::new("Voie verte")
        .commune("15142")
        .cost("300 000")
        .at_stage(Stage::Study, None)
        .create(&http, &app)
        .await;
    add_line(&http, &app, other, funder(&p, "region"), "90 000", &[]).await;

    // The staff plan: the definitions, in figures.
    let totals = plan(&http, &app, id).await.totals;
    assert_eq!(totals.cost, Some(2_400_000_00));
    assert_eq!(totals.own_funds, 1_200_000_00);
    assert_eq!(totals.granted, 480_000_00);
    assert_eq!(totals.requested, 960_000_00, "DETR and Région filed");
    assert_eq!(totals.pending, 480_000_00, "the Région awaits");
    assert_eq!(totals.identified, 240_000_00, "the Département foreseen");
    assert_eq!(totals.still_to_find, Some(720_000_00));
    assert_eq!(totals.bar.to_find, 0, "the plan covers the cost");

    // The staff page shows every figure; the shared pages the partners' few.
    let staff = html(&http, &app, &format!("/projets/{id}")).await;
    assert_shows("staff page", &staff, &totals, &PlanFigure::ALL);

    let link = share(
        &http,
        &app,
        id,
        &[("form[target]", "link"), ("form[funding]", "on")],
    )
    .await;
    let token = created(link).await.token.expect("token");
    let shared = html(&client(), &app, &format!("/partage/{token}")).await;
    assert_shows("shared link", &shared, &totals, &PlanFigure::SHARED);

    let commune = OrgBuilder::new("Commune de Saint-Flour", OrganisationKind::Commune)
        .commune("15187")
        .create(&http, &app)
        .await;
    let partner = app::server::services::users::create(
        &app.db,
        NewUser {
            display_name: "Christine Durand".into(),
            email: Email::parse("c.durand@mairie-exemple.fr").expect("email"),
            role: Role::Partner,
            password: PASSWORD.into(),
            organisation_id: Some(commune),
        },
    )
    .await
    .expect("partner account")
    .id;
    let partner_user = partner.to_string();
    let fields = [
        ("form[target]", "account"),
        ("form[user_id]", partner_user.as_str()),
        ("form[funding]", "on"),
    ];
    created(share(&http, &app, id, &fields).await).await;
    let partner_http = client();
    login(&partner_http, &app, "c.durand@mairie-exemple.fr", PASSWORD).await;
    let theirs = html(
        &partner_http,
        &app,
        &format!("/espace-partenaire/projets/{id}"),
    )
    .await;
    assert_shows("partner page", &theirs, &totals, &PlanFigure::SHARED);

    // The dashboard narrowed to this project's stage adds up the same
    // figures.
    let res = http
        .post(app.url("/api/dashboard/view"))
        .form(&[("filter[stage]", "emergence")])
        .send()
        .await
        .expect("dashboard");
    let d: Dashboard = ok_json(res).await;
    let m = &d.money;
    assert_eq!(
        (
            m.projects,
            m.requested_cents,
            m.pending_cents,
            m.granted_cents,
            m.paid_cents,
            m.to_find_cents
        ),
        (
            1,
            totals.requested,
            totals.pending,
            totals.granted,
            totals.paid,
            totals.still_to_find.expect("a cost")
        )
    );
    let board = html(&http, &app, "/tableau-de-bord?etape=emergence").await;
    let figures = [
        PlanFigure::Requested,
        PlanFigure::Pending,
        PlanFigure::Granted,
        PlanFigure::Paid,
        PlanFigure::StillToFind,
    ];
    assert_shows("dashboard", &board, &totals, &figures);

    // The Excel summary: the same labels, the same amounts in euros.
    let res = http
        .get(app.url("/tableau-de-bord/export.xlsx?etape=emergence"))
        .send()
        .await
        .expect("xlsx");
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.expect("bytes");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("workbook");
    let summary = book.worksheet_range("Synthèse").expect("summary");
    for f in figures {
        let row = summary
            .rows()
            .find(|r| r.first() == Some(&Data::String(f.label())))
            .unwrap_or_else(|| panic!("{} in the export", f.label()));
        let cents = f.of(&totals).expect("a value");
        assert_eq!(row[1], Data::Float(cents as f64 / 100.0), "{}", f.label());
    }
    crate::support::finish(app, test_db).await;
}
both_backends!(a_plan_shows_the_same_figures_on_every_page);
