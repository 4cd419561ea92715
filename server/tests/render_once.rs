//! Each page runs each of its server functions once per render. A resource
//! made under a `Suspend` is made again by every `dry_resolve` of its
//! Suspense: the dashboard and the project list ran theirs two or three
//! times per page (86 SQL statements for one dashboard). Counted with the
//! `maillage_server_function_calls_total` metric, per action; a binary of
//! its own, because the metrics are the process's and other tests would
//! add to the counts.
#[allow(dead_code, unused_imports, unused_macros)]
#[path = "it/support/mod.rs"]
mod support;

use app::domain::Role;
use support::{Backend, PASSWORD, client, create_user, login};

/// Calls so far, by action (`ViewProjects` …).
fn calls() -> std::collections::BTreeMap<String, f64> {
    let text = server::metrics::handle().render();
    text.lines()
        .filter(|l| l.starts_with("maillage_server_function_calls_total{"))
        .filter_map(|l| {
            let action = l.split("action=\"").nth(1)?.split('"').next()?.to_owned();
            let n = l.rsplit_once(' ')?.1.parse().ok()?;
            Some((action, n))
        })
        .collect()
}

/// What rendering `path` adds to the counts.
async fn calls_of(
    http: &reqwest::Client,
    app: &support::TestApp,
    path: &str,
) -> Vec<(String, f64)> {
    let before = calls();
    let res = http.get(app.url(path)).send().await.expect("page");
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.expect("body");
    let after = calls();
    after
        .into_iter()
        .filter_map(|(action, n)| {
            let added = n - before.get(&action).copied().unwrap_or(0.0);
            (added > 0.0).then_some((action, added))
        })
        .collect()
}

fn expect(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
    pairs.iter().map(|(a, n)| ((*a).to_owned(), *n)).collect()
}

#[tokio::test]
async fn each_page_runs_each_server_function_once() {
    let (test_db, app, officer, _) = support::api::signed_in(Backend::Sqlite).await;
    let project = support::builders::ProjectBuilder::new("Halle")
        .commune("15187")
        .cost("100 000")
        .create(&officer, &app)
        .await;
    create_user(&app.db, "head@cc-exemple.fr", Role::Head).await;
    let head = client();
    assert_eq!(
        login(&head, &app, "head@cc-exemple.fr", PASSWORD)
            .await
            .status(),
        200
    );

    // The dashboard: the figures and the filter's choices.
    assert_eq!(
        calls_of(&head, &app, "/tableau-de-bord").await,
        expect(&[("ViewDashboard", 2.0)])
    );
    // The head's home is the same dashboard.
    assert_eq!(
        calls_of(&head, &app, "/").await,
        expect(&[("ViewDashboard", 2.0)])
    );
    // The list and its references.
    assert_eq!(
        calls_of(&officer, &app, "/projets").await,
        expect(&[("ViewProjects", 2.0)])
    );
    // The officer's home.
    assert_eq!(
        calls_of(&officer, &app, "/").await,
        expect(&[("ViewProjects", 1.0)])
    );
    // The project: one call reads every section.
    assert_eq!(
        calls_of(&officer, &app, &format!("/projets/{project}")).await,
        expect(&[("ViewProjects", 1.0)])
    );
    assert_eq!(
        calls_of(&officer, &app, "/annuaire").await,
        expect(&[("ViewDirectory", 1.0)])
    );
    support::finish(app, test_db).await;
}
