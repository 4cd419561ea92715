use app::domain::EpciKind;
use app::server::entities::territory::{commune, epci};
use app::server::services::territories::{commune_count, import_from_dir, search_communes};
use sea_orm::EntityTrait;

use crate::both_backends;
use crate::support::{Backend, TestDb, fixture_dir};

async fn import_is_idempotent_and_search_ignores_accents(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.connect().await;

    let first = import_from_dir(&db, &fixture_dir()).await.expect("import");
    assert_eq!(first.communes, 57, "the commune-deleguee is skipped");
    assert_eq!(commune_count(&db).await.expect("count"), 57);
    let again = import_from_dir(&db, &fixture_dir())
        .await
        .expect("re-import");
    assert_eq!(again, first);
    assert_eq!(
        commune_count(&db).await.expect("count"),
        57,
        "re-import adds nothing"
    );

    let saint_flour = commune::Entity::find_by_id("15187".to_owned())
        .one(&db)
        .await
        .expect("q")
        .expect("row");
    assert_eq!(saint_flour.name, "Saint-Flour");
    assert_eq!(saint_flour.epci_siren.as_deref(), Some("200066660"));
    assert_eq!(saint_flour.departement_code, "15");
    let kinds: Vec<(String, EpciKind)> = epci::Entity::find()
        .all(&db)
        .await
        .expect("epcis")
        .into_iter()
        .map(|e| (e.siren, e.kind))
        .collect();
    assert!(
        kinds.contains(&("200066660".into(), EpciKind::Cc)),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("244200770".into(), EpciKind::Metro)),
        "{kinds:?}"
    );
    let ajaccio = commune::Entity::find_by_id("2A004".to_owned())
        .one(&db)
        .await
        .expect("q")
        .expect("row");
    assert_eq!(
        (ajaccio.name.as_str(), ajaccio.departement_code.as_str()),
        ("Ajaccio", "2A")
    );

    let names =
        |hits: Vec<app::models::CommuneHit>| hits.into_iter().map(|h| h.name).collect::<Vec<_>>();
    let hits = names(
        search_communes(&db, "saint etienne", 10)
            .await
            .expect("search"),
    );
    assert_eq!(
        hits.first().map(String::as_str),
        Some("Saint-Étienne"),
        "{hits:?}"
    );
    assert_eq!(
        names(
            search_communes(&db, "SAINT-ÉTIENNE", 10)
                .await
                .expect("search")
        )[0],
        "Saint-Étienne"
    );
    assert_eq!(
        names(search_communes(&db, "2a004", 10).await.expect("search")),
        vec!["Ajaccio"]
    );
    // Names starting with the query come before names merely containing it.
    let flour = names(search_communes(&db, "flour", 10).await.expect("search"));
    assert_eq!(flour[0], "Saint-Flour", "{flour:?}");
    let hits = names(search_communes(&db, "saint", 5).await.expect("search"));
    assert_eq!(hits.len(), 5);
    assert!(hits.iter().all(|n| n.starts_with("Saint")), "{hits:?}");
    assert!(
        search_communes(&db, "s", 10)
            .await
            .expect("search")
            .is_empty(),
        "one letter is too short"
    );
    db.close().await.ok();
    test_db.drop().await;
}
both_backends!(import_is_idempotent_and_search_ignores_accents);

/// An EPCI of a type the code does not know stops the import before it
/// writes anything, with a French message naming the EPCI and the type.
async fn an_unknown_epci_kind_stops_the_import(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.connect().await;
    let dir = tempfile::tempdir().expect("temp dir");
    for file in ["regions.json", "departements.json", "communes.json"] {
        std::fs::copy(fixture_dir().join(file), dir.path().join(file)).expect("copy");
    }
    let epcis = std::fs::read_to_string(fixture_dir().join("epci.json")).expect("epci.json");
    let renamed = epcis.replacen("\"METRO\"", "\"PETR\"", 1);
    assert_ne!(renamed, epcis, "the fixture has a METRO");
    std::fs::write(dir.path().join("epci.json"), renamed).expect("write");

    let err = import_from_dir(&db, dir.path())
        .await
        .expect_err("an unknown EPCI type is refused");
    assert_eq!(
        err.to_string(),
        "EPCI 244200770 : type « PETR » inconnu (attendu : CC, CA, CU, METRO ou MET69)"
    );
    assert_eq!(
        commune_count(&db).await.expect("count"),
        0,
        "nothing written"
    );
    db.close().await.ok();
    test_db.drop().await;
}
both_backends!(an_unknown_epci_kind_stops_the_import);

/// The commune type-ahead puts the structure's own territory (the EPCIs its
/// projects are in) before larger communes elsewhere; an exact name still
/// comes first.
async fn the_structure_territory_comes_first(backend: Backend) {
    let (test_db, app, http, _) = crate::support::api::signed_in(backend).await;
    let names =
        |hits: Vec<app::models::CommuneHit>| hits.into_iter().map(|h| h.name).collect::<Vec<_>>();
    let before = names(search_communes(&app.db, "saint", 5).await.expect("search"));
    assert_eq!(before[0], "Saint-Étienne", "{before:?}");

    crate::support::builders::ProjectBuilder::new("Halle")
        .commune("15187")
        .create(&http, &app)
        .await;
    let after = names(search_communes(&app.db, "saint", 5).await.expect("search"));
    assert_eq!(after[0], "Saint-Flour", "{after:?}");
    assert!(!after.contains(&"Saint-Étienne".to_owned()), "{after:?}");
    let exact = names(
        search_communes(&app.db, "saint-etienne", 5)
            .await
            .expect("search"),
    );
    assert_eq!(exact[0], "Saint-Étienne", "{exact:?}");
    crate::support::finish(app, test_db).await;
}
both_backends!(the_structure_territory_comes_first);
