use app::models::ProjectFilter;
use app::server::services::projects;

use crate::both_backends;
use crate::support::{Backend, TestDb};
use crate::territories::import_fixture;

async fn demo_seed_is_realistic_and_idempotent(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.connect().await;
    import_fixture(&db).await;
    let today = chrono::Utc::now().date_naive();
    assert_eq!(
        server::demo::seed(&db).await.expect("accounts"),
        server::demo::DEMO_USERS.len()
    );
    assert_eq!(
        server::demo::seed_projects(&db, today)
            .await
            .expect("projects"),
        40
    );
    assert_eq!(server::demo::seed(&db).await.expect("again"), 0);
    assert_eq!(
        server::demo::seed_projects(&db, today)
            .await
            .expect("again"),
        0
    );

    let all = projects::list(&db, &ProjectFilter::default())
        .await
        .expect("list");
    assert_eq!(all.total, 40);
    for stage in [
        "emergence",
        "study",
        "funding",
        "delivery",
        "completed",
        "abandoned",
    ] {
        let filter = ProjectFilter {
            stage: Some(stage.into()),
            ..Default::default()
        };
        let n = projects::list(&db, &filter).await.expect("list").total;
        assert!(n > 0, "no demo project at stage {stage}");
    }
    let epci = ProjectFilter {
        epci: Some("200066660".into()),
        ..Default::default()
    };
    assert_eq!(
        projects::list(&db, &epci).await.expect("list").total,
        40,
        "all in the CC de Saint-Flour"
    );
    db.close().await.ok();
    test_db.drop().await;
}
both_backends!(demo_seed_is_realistic_and_idempotent);
