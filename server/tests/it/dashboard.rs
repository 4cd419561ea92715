//! The portfolio figures, asserted exactly on a small known portfolio, and
//! each funnel count equal to the project list it links to.
use app::domain::Stage;
use app::models::{PortfolioSummary, ProjectPage};

use crate::both_backends;
use crate::projects::{create, post, signed_in};
use crate::support::Backend;

async fn the_funnel_and_the_money_add_up(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let stage = |id: i64, version: i32, to: &str, reason: Option<&str>| {
        let mut form = vec![
            ("id", id.to_string()),
            ("version", version.to_string()),
            ("stage", to.to_owned()),
        ];
        if let Some(r) = reason {
            form.push(("reason", r.to_owned()));
        }
        form
    };
    let a = create(
        &http,
        &app,
        "A",
        &["15187"],
        &[("form[estimated_cost]", "100 000")],
    )
    .await;
    assert_eq!(
        post(&http, &app, "projects/stage", &stage(a, 1, "study", None))
            .await
            .status(),
        200
    );
    let b = create(
        &http,
        &app,
        "B",
        &["15187"],
        &[("form[estimated_cost]", "200 000")],
    )
    .await;
    for (v, s) in [(1, "study"), (2, "funding")] {
        assert_eq!(
            post(&http, &app, "projects/stage", &stage(b, v, s, None))
                .await
                .status(),
            200
        );
    }
    let c = create(
        &http,
        &app,
        "C",
        &["15187"],
        &[("form[estimated_cost]", "50 000")],
    )
    .await;
    let d = create(&http, &app, "D", &["15187"], &[]).await;

    let plan: app::models::FundingPlan = post(
        &http,
        &app,
        "funding/plan",
        &vec![("project_id", b.to_string())],
    )
    .await
    .json()
    .await
    .expect("plan");
    let funder = |code: &str| {
        plan.funders
            .iter()
            .find(|f| f.code == code)
            .expect("funder")
            .id
            .to_string()
    };
    let add = |project: i64, funder: String, amount: &str| {
        vec![
            ("project_id", project.to_string()),
            ("form[funder_id]", funder),
            ("form[amount_requested]", amount.to_owned()),
        ]
    };
    let mut ids = Vec::new();
    for form in [
        add(b, funder("detr"), "80 000"),
        add(b, funder("region"), "50 000"),
        add(b, funder("autofinancement"), "70 000"),
        add(c, funder("detr"), "10 000"),
    ] {
        let res = post(&http, &app, "funding/lines/add", &form).await;
        assert_eq!(res.status(), 200);
        ids.push(res.json::<i64>().await.expect("id"));
    }
    let status = |line: i64, version: i32, to: &str| {
        vec![
            ("line_id", line.to_string()),
            ("version", version.to_string()),
            ("form[status]", to.to_owned()),
        ]
    };
    for form in [
        status(ids[0], 1, "requested"),
        status(ids[0], 2, "granted"),
        status(ids[1], 1, "requested"),
        status(ids[3], 1, "requested"),
    ] {
        assert_eq!(
            post(&http, &app, "funding/lines/status", &form)
                .await
                .status(),
            200
        );
    }
    // C is abandoned: its money leaves the figures of active projects.
    let res = post(
        &http,
        &app,
        "projects/stage",
        &stage(c, 1, "abandoned", Some("Pas de maîtrise foncière")),
    )
    .await;
    assert_eq!(res.status(), 200);

    let s: PortfolioSummary = post(&http, &app, "dashboard/summary", &vec![])
        .await
        .json()
        .await
        .expect("summary");
    let counts: Vec<(Stage, i64, i64)> = s
        .funnel
        .iter()
        .map(|r| (r.stage, r.projects, r.cost_cents))
        .collect();
    assert_eq!(
        counts,
        [
            (Stage::Emergence, 1, 0),
            (Stage::Study, 1, 100_000_00),
            (Stage::Funding, 1, 200_000_00),
            (Stage::Delivery, 0, 0),
            (Stage::Completed, 0, 0),
            (Stage::Abandoned, 1, 50_000_00),
        ]
    );
    assert_eq!(s.money.cost, Some(300_000_00));
    assert_eq!(s.money.requested, 130_000_00);
    assert_eq!(s.money.granted, 80_000_00);
    assert_eq!(s.money.paid, 0);
    assert_eq!(s.money.planned, 200_000_00);
    assert_eq!(s.money.still_to_find, Some(220_000_00));

    // Each funnel count is the count of the list it links to.
    for row in &s.funnel {
        let page: ProjectPage = post(
            &http,
            &app,
            "projects/list",
            &vec![("filter[stage]", row.stage.as_str().to_owned())],
        )
        .await
        .json()
        .await
        .expect("list");
        assert_eq!(page.total as i64, row.projects, "{}", row.stage);
    }
    let _ = d;
    app.stop().await;
    test_db.drop().await;
}
both_backends!(the_funnel_and_the_money_add_up);
