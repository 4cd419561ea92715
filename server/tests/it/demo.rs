use app::models::{DirectoryFilter, ProjectFilter};
use app::server::entities::directory::mandate;
use app::server::entities::territory::commune;
use app::server::services::directory::{organisations, partners};
use app::server::services::projects;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::both_backends;
use crate::support::import_fixture;
use crate::support::{Backend, TestDb};

async fn demo_seed_is_realistic_and_idempotent(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.connect().await;
    import_fixture(&db).await;
    let today = app::server::clock::local_date(chrono::Utc::now());
    assert_eq!(
        server::demo::accounts::seed(&db).await.expect("accounts"),
        server::demo::DEMO_USERS.len()
    );
    assert_eq!(
        server::demo::projects::seed(&db, today)
            .await
            .expect("projects"),
        40
    );
    assert_eq!(server::demo::accounts::seed(&db).await.expect("again"), 0);
    assert_eq!(
        server::demo::projects::seed(&db, today)
            .await
            .expect("again"),
        0
    );

    let all = projects::list(&db, &ProjectFilter::default(), today)
        .await
        .expect("list");
    assert_eq!(all.total, 40);

    // A believable history: spread over two years, not one timestamp; each
    // project's latest activity its own; varied reasons.
    use app::server::entities::projects::{event, project};
    let events = event::Entity::find().all(&db).await.expect("events");
    let days: std::collections::BTreeSet<_> = events.iter().map(|e| e.at.date_naive()).collect();
    assert!(days.len() >= 60, "events on {} days only", days.len());
    let (first, last) = (days.first().expect("a day"), days.last().expect("a day"));
    assert!(
        (*last - *first).num_days() >= 600,
        "history from {first} to {last}"
    );
    let rows = project::Entity::find().all(&db).await.expect("projects");
    let latest: std::collections::BTreeSet<_> = rows.iter().map(|p| p.last_event_at).collect();
    assert!(
        latest.len() >= 30,
        "{} distinct last activities for 40 projects: {:?}",
        latest.len(),
        rows.iter()
            .map(|p| (p.id, p.stage, p.last_event_at))
            .collect::<Vec<_>>()
    );
    for p in &rows {
        let newest = events
            .iter()
            .filter(|e| e.project_id == p.id)
            .map(|e| e.at)
            .max();
        assert_eq!(
            newest,
            Some(p.last_event_at),
            "project {}: its latest event is its last activity",
            p.id
        );
    }
    let reasons: std::collections::BTreeSet<_> = rows
        .iter()
        .filter_map(|p| p.health_reason.clone())
        .collect();
    assert!(reasons.len() >= 3, "{reasons:?}");
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
        let n = projects::list(&db, &filter, today)
            .await
            .expect("list")
            .total;
        assert!(n > 0, "no demo project at stage {stage}");
    }
    let epci = ProjectFilter {
        epci: Some("200066660".into()),
        ..Default::default()
    };
    assert_eq!(
        projects::list(&db, &epci, today).await.expect("list").total,
        40,
        "all in the CC de Saint-Flour"
    );

    // Funding plans: realistic, one breaking the 20 % rule, one with a
    // derogation, every plan within its project's cost.
    use app::domain::funding::Verdict;
    use app::server::services::funding;
    let mut items = Vec::new();
    for page in [1, 2] {
        let filter = ProjectFilter {
            page: Some(page),
            ..Default::default()
        };
        items.extend(
            projects::list(&db, &filter, today)
                .await
                .expect("list")
                .items,
        );
    }
    assert_eq!(items.len(), 40);
    let mut verdicts = Vec::new();
    let mut with_lines = 0;
    let mut granted = 0;
    for p in &items {
        let plan = funding::plan(&db, p.id, today).await.expect("plan");
        assert_eq!(plan.totals.over_funding, None, "{}", p.title);
        if !plan.lines.is_empty() {
            with_lines += 1;
            assert!(plan.lines.iter().any(|l| l.funder_code == "detr"));
        }
        granted += plan.lines.iter().filter(|l| l.status.is_secured()).count();
        verdicts.push((p.title.clone(), plan.self_funding.verdict.clone()));
    }
    assert!(with_lines >= 20, "{with_lines} plans");
    assert!(granted >= 10, "{granted} granted lines");
    let breached: Vec<_> = verdicts
        .iter()
        .filter(|(_, v)| *v == Verdict::Breached)
        .collect();
    assert_eq!(breached.len(), 1, "{breached:?}");
    let derogations: Vec<_> = verdicts
        .iter()
        .filter(|(_, v)| matches!(v, Verdict::Derogation(_)))
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(derogations, ["Restauration de l’église Saint-Martin"]);
    assert!(verdicts.iter().any(|(_, v)| *v == Verdict::NotApplicable));

    // The directory: the EPCI, each of its communes with a mayor in office
    // since the 2026 elections, and every demo project's partners.
    let made = server::demo::directory::seed(&db, today)
        .await
        .expect("directory");
    let communes = commune::Entity::find()
        .filter(commune::Column::EpciSiren.eq(server::demo::directory::EPCI_SIREN))
        .count(&db)
        .await
        .expect("communes");
    assert!(communes >= 3, "{communes} communes in the fixture's EPCI");
    assert!(made as u64 > communes, "{made} organisations");
    assert_eq!(
        server::demo::directory::seed(&db, today)
            .await
            .expect("again"),
        0
    );
    let list = organisations::list(
        &db,
        &DirectoryFilter {
            kind: Some("commune".into()),
            mandate: true,
            ..Default::default()
        },
        today,
    )
    .await
    .expect("directory");
    assert_eq!(
        list.organisation_total, communes,
        "a mayor in every commune"
    );
    let everyone = organisations::list(&db, &DirectoryFilter::default(), today)
        .await
        .expect("everyone");
    assert!(everyone.people_total > communes);
    // Previous mayors are kept as history, not as current officials.
    let mandates = mandate::Entity::find().all(&db).await.expect("mandates");
    assert!(mandates.iter().any(|m| m.end_on.is_some()));
    let all_projects = app::server::entities::projects::project::Entity::find()
        .all(&db)
        .await
        .expect("projects");
    assert_eq!(all_projects.len(), 40);
    for p in all_projects {
        let links = partners::project_partners(&db, p.id)
            .await
            .expect("partners");
        let owners = links
            .links
            .iter()
            .filter(|l| l.role == app::domain::PartnerRole::Owner)
            .count();
        assert_eq!(owners, 1, "{}", p.title);
    }

    // Sharing: both partner accounts belong to an organisation and see
    // projects; one link is made, once.
    let link = server::demo::shares::seed(&db, today)
        .await
        .expect("shares");
    assert!(link.is_some_and(|path| path.starts_with("/partage/")));
    for (email, _, role) in server::demo::DEMO_USERS {
        if *role != app::domain::Role::Partner {
            continue;
        }
        let account = app::server::services::users::find_by_email(
            &db,
            &app::domain::Email::parse(email).expect("email"),
        )
        .await
        .expect("query")
        .expect("account");
        assert!(account.organisation_id.is_some(), "{email}");
        let shared = app::server::services::shares::shared_with(&db, account.id, today)
            .await
            .expect("shared");
        assert!(!shared.is_empty(), "{email} sees a project");
    }
    assert_eq!(
        server::demo::shares::seed(&db, today).await.expect("again"),
        None
    );
    // Seeded through the services: the dashboard's summaries follow.
    crate::support::assert_summaries_match(&db).await;
    db.close().await.ok();
    test_db.drop().await;
}
both_backends!(demo_seed_is_realistic_and_idempotent);
