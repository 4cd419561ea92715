//! Spreadsheet imports over real HTTP on both databases: a messy file of a
//! French office (title rows, blank lines, amounts as text, typos, a
//! duplicate, a totals row) in CSV Windows-1252 and as LibreOffice saved it
//! in `.xlsx` and `.ods`; the confirmation, the re-import, an updated file,
//! a concurrent edit, the undo, the round trip of Maillage's own export,
//! bad files and permissions.
use app::domain::Role;
use app::domain::import::ImportField;
use app::models::{ImportCounts, ImportStatus, ImportView, RowAction};
use app::server::entities::territory::commune;
use sea_orm::{ActiveModelTrait, Set};

use crate::both_backends;
use crate::support::api::{
    Form, create, get, html, ok, ok_json, post, refused, refused_on, signed_in,
};
use crate::support::{PASSWORD, TestApp, client, create_user, finish, login};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Sends a file as the « Importer » form does (multipart), answer as is.
async fn send(
    http: &reqwest::Client,
    app: &TestApp,
    name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let boundary = "----maillage-test-boundary-7d91";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    http.post(app.url("/importer/fichier"))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("Origin", app.url(""))
        .body(body)
        .send()
        .await
        .expect("upload")
}

/// Uploads a file and returns its import's id (the redirect's target).
async fn upload(http: &reqwest::Client, app: &TestApp, name: &str, bytes: &[u8]) -> i64 {
    let res = send(http, app, name, bytes).await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let to = res.headers()["location"]
        .to_str()
        .expect("present")
        .to_owned();
    to.strip_prefix("/importer/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirect to {to}"))
}

async fn view(http: &reqwest::Client, app: &TestApp, id: i64) -> ImportView {
    ok_json(post(http, app, "imports/get", &vec![("id", id.to_string())]).await).await
}

async fn commit(http: &reqwest::Client, app: &TestApp, id: i64) -> reqwest::Response {
    post(http, app, "imports/commit", &vec![("id", id.to_string())]).await
}

async fn undo(http: &reqwest::Client, app: &TestApp, id: i64) -> reqwest::Response {
    post(http, app, "imports/undo", &vec![("id", id.to_string())]).await
}

/// Each row's line and action, and its problems joined.
fn verdicts(v: &ImportView) -> Vec<(u32, RowAction, String)> {
    v.rows
        .iter()
        .map(|r| (r.line, r.action, r.problems.join(" | ")))
        .collect()
}

/// A second « Saint-Georges », in Lozère: the name is then ambiguous.
async fn add_homonym(app: &TestApp) {
    commune::ActiveModel {
        insee: Set("48150".into()),
        name: Set("Saint-Georges".into()),
        search_key: Set("saint georges".into()),
        departement_code: Set("48".into()),
        region_code: Set("76".into()),
        epci_siren: Set(None),
        population: Set(Some(120)),
    }
    .insert(&app.db)
    .await
    .expect("homonym");
}

/// The verdicts the messy sheet must get, whatever software saved it.
fn check_messy_verdicts(v: &ImportView) {
    assert_eq!(v.status, ImportStatus::Previewed);
    assert_eq!(
        v.header_line, 4,
        "title rows above the header are passed over"
    );
    let rows = verdicts(v);
    let lines: Vec<(u32, RowAction)> = rows.iter().map(|(l, a, _)| (*l, *a)).collect();
    assert_eq!(
        lines,
        [
            (5, RowAction::Create),
            (6, RowAction::Create),
            (8, RowAction::Refused),
            (9, RowAction::Refused),
            (10, RowAction::Refused),
            (11, RowAction::Refused),
            (12, RowAction::Create),
            (13, RowAction::Skipped),
        ],
        "{rows:#?}"
    );
    let problems = |line: u32| {
        rows.iter()
            .find(|r| r.0 == line)
            .expect("present")
            .2
            .clone()
    };
    let p8 = problems(8);
    assert!(
        p8.contains("Ligne 8, colonne Commune(s) : « St Flor » : commune inconnue"),
        "{p8}"
    );
    assert!(
        p8.contains("colonne Coût total HT : « 1,2 M€ » : montant abrégé"),
        "{p8}"
    );
    let p9 = problems(9);
    assert!(
        p9.contains(
            "« Saint-Georges » : correspond à 2 communes : Saint-Georges (15), Saint-Georges (48)"
        ),
        "{p9}"
    );
    assert!(
        p9.contains("colonne Phase : « peut-être » : étape inconnue"),
        "{p9}"
    );
    assert!(
        p9.contains("colonne Date de début : « 31/02/2026 » : date illisible"),
        "{p9}"
    );
    assert!(
        problems(10).contains("déjà présent ligne 5"),
        "{}",
        problems(10)
    );
    assert!(
        problems(11).contains("colonne Référent : « Inconnu Personne » : aucun compte"),
        "{}",
        problems(11)
    );
    assert!(problems(13).contains("ligne de totaux"));
    assert_eq!(
        v.counts,
        ImportCounts {
            create: 3,
            update: 0,
            unchanged: 0,
            refused: 4,
            skipped: 1
        }
    );
}

async fn a_messy_sheet_is_checked_row_by_row_in_every_format(backend: crate::support::Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    add_homonym(&app).await;
    for name in ["messy.csv", "messy.xlsx", "messy.ods", "messy.xls"] {
        let id = upload(&http, &app, name, &fixture(name)).await;
        let v = view(&http, &app, id).await;
        check_messy_verdicts(&v);
        let fields: Vec<Option<ImportField>> = v.columns.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [
                Some(ImportField::Reference),
                Some(ImportField::Title),
                Some(ImportField::Communes),
                Some(ImportField::Owner),
                Some(ImportField::Cost),
                Some(ImportField::Stage),
                Some(ImportField::Officer),
                Some(ImportField::Start),
            ],
            "{name}"
        );
    }
    finish(app, test_db).await;
}
both_backends!(a_messy_sheet_is_checked_row_by_row_in_every_format);

async fn project_id(app: &TestApp, reference: &str) -> Option<i64> {
    use app::server::entities::projects::project;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    project::Entity::find()
        .filter(project::Column::Reference.eq(reference))
        .one(&app.db)
        .await
        .expect("present")
        .map(|p| p.id)
}

async fn an_import_is_written_reimported_updated_and_undone(backend: crate::support::Backend) {
    let (test_db, app, http, officer) = signed_in(backend).await;
    add_homonym(&app).await;
    create_user(&app.db, "sophie.lambert@cc-exemple.fr", Role::Head).await;
    let head = client();
    assert_eq!(
        login(&head, &app, "sophie.lambert@cc-exemple.fr", PASSWORD)
            .await
            .status(),
        200
    );

    // Nothing is written before the confirmation.
    let first = upload(&http, &app, "messy.csv", &fixture("messy.csv")).await;
    assert_eq!(project_id(&app, "P-001").await, None);
    let counts: ImportCounts = ok_json(commit(&http, &app, first).await).await;
    assert_eq!((counts.create, counts.refused), (3, 4));
    let salle = project_id(&app, "P-001").await.expect("P-001 written");
    let p = get(&http, &app, salle, None).await;
    assert_eq!(p.title, "Rénovation de la salle des fêtes");
    assert_eq!(p.estimated_cost_cents, Some(123_456_789));
    assert_eq!(p.stage, app::domain::Stage::Study);
    assert_eq!(p.lead_officer_id, Some(officer));
    assert_eq!(
        p.start_date.map(|d| d.to_string()).as_deref(),
        Some("2026-03-05")
    );
    assert_eq!(p.communes[0].insee, "15187");
    assert_eq!(p.events[0].data["import"]["line"], 5);
    assert_eq!(p.events[0].data["import"]["file"], "messy.csv");
    // Refused rows wrote nothing.
    assert_eq!(project_id(&app, "P-003").await, None);
    // A confirmed import cannot be confirmed twice.
    refused(commit(&http, &app, first).await, 409).await;

    // The same file again changes nothing.
    let again = upload(&http, &app, "messy.csv", &fixture("messy.csv")).await;
    let v = view(&http, &app, again).await;
    assert_eq!(
        (v.counts.create, v.counts.update, v.counts.unchanged),
        (0, 0, 3)
    );

    // An updated file updates only what changed.
    let updated = upload(
        &http,
        &app,
        "messy-updated.csv",
        &fixture("messy-updated.csv"),
    )
    .await;
    let v = view(&http, &app, updated).await;
    let maison = project_id(&app, "P-002").await.expect("present");
    let row = v.rows.iter().find(|r| r.line == 6).expect("present");
    assert_eq!(
        (row.action, row.changes.clone()),
        (RowAction::Update, vec![ImportField::Cost])
    );
    assert_eq!((v.counts.update, v.counts.unchanged), (1, 2));

    // Someone edits that project meanwhile: the confirmation is refused,
    // naming the line, and nothing is written.
    let before = get(&http, &app, maison, None).await;
    let edit: Form = vec![
        ("id", maison.to_string()),
        ("version", before.version.to_string()),
        ("form[title]", "Maison de santé".into()),
        ("form[reference]", "P-002".into()),
        ("form[summary]", "Trois cabinets médicaux".into()),
        ("form[communes][0]", "15004".into()),
        ("form[communes][1]", "15231".into()),
        ("form[estimated_cost]", "250 000".into()),
        ("form[owner_name]", "CC Hautes Terres".into()),
        ("form[lead_officer_id]", officer.to_string()),
        ("form[start_date]", "2026-01-15".into()),
    ];
    ok(post(&http, &app, "projects/update", &edit).await).await;
    let err = refused(commit(&http, &app, updated).await, 409).await;
    assert!(err.message().contains("lignes 6"), "{}", err.message());
    let p = get(&http, &app, maison, None).await;
    assert_eq!(p.estimated_cost_cents, Some(25_000_000));
    // The preview now shows the project as it is; confirmed, it writes it.
    let v = view(&http, &app, updated).await;
    let row = v.rows.iter().find(|r| r.line == 6).expect("present");
    assert_eq!(
        (row.version, row.changes.clone()),
        (Some(p.version), vec![ImportField::Cost])
    );
    ok(commit(&http, &app, updated).await).await;
    let p = get(&http, &app, maison, None).await;
    assert_eq!(p.estimated_cost_cents, Some(26_000_000));
    assert_eq!(
        p.summary, "Trois cabinets médicaux",
        "a column the file lacks is kept"
    );

    // Only heads and admins undo.
    refused(undo(&http, &app, updated).await, 403).await;
    ok(undo(&head, &app, updated).await).await;
    let p = get(&http, &app, maison, None).await;
    assert_eq!(p.estimated_cost_cents, Some(25_000_000));
    assert_eq!(
        view(&head, &app, updated).await.status,
        ImportStatus::Undone
    );

    // The first import's projects changed since: its undo names them and
    // changes nothing.
    let err = refused(undo(&head, &app, first).await, 409).await;
    assert!(
        err.message().contains("« Maison de santé »"),
        "{}",
        err.message()
    );
    assert!(project_id(&app, "P-001").await.is_some());
    finish(app, test_db).await;
}
both_backends!(an_import_is_written_reimported_updated_and_undone);

async fn an_untouched_import_is_undone_whole(backend: crate::support::Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    add_homonym(&app).await;
    create_user(&app.db, "admin@cc-exemple.fr", Role::Admin).await;
    let admin = client();
    login(&admin, &app, "admin@cc-exemple.fr", PASSWORD).await;
    let id = upload(&http, &app, "messy.xlsx", &fixture("messy.xlsx")).await;
    ok(commit(&http, &app, id).await).await;
    assert!(project_id(&app, "P-006").await.is_some());
    ok(undo(&admin, &app, id).await).await;
    for reference in ["P-001", "P-002", "P-006"] {
        assert_eq!(project_id(&app, reference).await, None, "{reference}");
    }
    // The summaries equal a rebuild (checked by `finish`).
    finish(app, test_db).await;
}
both_backends!(an_untouched_import_is_undone_whole);

async fn the_mapping_is_chosen_by_the_user_and_checked(backend: crate::support::Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    add_homonym(&app).await;
    let id = upload(&http, &app, "messy.csv", &fixture("messy.csv")).await;
    let mut fields: Form = vec![("id", id.to_string()), ("key", "reference".into())];
    let codes = [
        "reference",
        "title",
        "communes",
        "owner",
        "cost",
        "stage",
        "",
        "start",
    ];
    let keys = [
        "fields[0]",
        "fields[1]",
        "fields[2]",
        "fields[3]",
        "fields[4]",
        "fields[5]",
        "fields[6]",
        "fields[7]",
    ];
    for (k, c) in keys.iter().zip(codes) {
        fields.push((k, c.to_owned()));
    }
    ok(post(&http, &app, "imports/mapping", &fields).await).await;
    // Without the officer column, line 11 passes.
    let v = view(&http, &app, id).await;
    assert_eq!(
        v.rows
            .iter()
            .find(|r| r.line == 11)
            .expect("present")
            .action,
        RowAction::Create
    );
    assert_eq!(v.columns[6].field, None);
    // One field on two columns, or no title: refused on `fields`.
    fields[2 + 6].1 = "title".into();
    refused_on(
        post(&http, &app, "imports/mapping", &fields).await,
        422,
        "fields",
    )
    .await;
    fields[2 + 6].1 = String::new();
    fields[2 + 1].1 = String::new();
    refused_on(
        post(&http, &app, "imports/mapping", &fields).await,
        422,
        "fields",
    )
    .await;
    fields[2 + 1].1 = "unknown-field".into();
    refused_on(
        post(&http, &app, "imports/mapping", &fields).await,
        422,
        "fields",
    )
    .await;
    fields[2 + 1].1 = "title".into();
    fields[1].1 = "siret".into();
    refused_on(
        post(&http, &app, "imports/mapping", &fields).await,
        422,
        "key",
    )
    .await;
    // The accepted mapping is proposed at the next import of the structure.
    fields[1].1 = "reference".into();
    ok(post(&http, &app, "imports/mapping", &fields).await).await;
    ok(commit(&http, &app, id).await).await;
    let next = upload(&http, &app, "messy.csv", &fixture("messy.csv")).await;
    assert_eq!(view(&http, &app, next).await.columns[6].field, None);
    finish(app, test_db).await;
}
both_backends!(the_mapping_is_chosen_by_the_user_and_checked);

async fn maillage_export_reimports_with_no_change(backend: crate::support::Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    // The export names communes without their département: a name two
    // communes share is settled by the project's own communes.
    add_homonym(&app).await;
    create(
        &http,
        &app,
        "Voie verte des gorges",
        &["15187", "15004"],
        &[
            ("form[reference]", "VV-01"),
            ("form[estimated_cost]", "1 250 000,50"),
            ("form[themes][0]", "sante"),
            ("form[programmes][0]", "pvd"),
            ("form[owner_name]", "Commune de Saint-Flour"),
        ],
    )
    .await;
    create(
        &http,
        &app,
        "Halle « couverte » ; 2ᵉ tranche",
        &["2A004", "15188"],
        &[("form[reference]", "H-2")],
    )
    .await;
    let res = http
        .get(app.url("/tableau-de-bord/export.xlsx"))
        .send()
        .await
        .expect("present");
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.expect("present");
    let id = upload(&http, &app, "tableau-de-bord.xlsx", &bytes).await;
    let v = view(&http, &app, id).await;
    assert_eq!(
        (
            v.counts.create,
            v.counts.update,
            v.counts.refused,
            v.counts.unchanged
        ),
        (0, 0, 0, 2),
        "{:#?}",
        v.rows
    );
    finish(app, test_db).await;
}
both_backends!(maillage_export_reimports_with_no_change);

async fn bad_files_get_a_french_reason_and_write_nothing(backend: crate::support::Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let reason = |v: ImportView| {
        assert_eq!(v.status, ImportStatus::Failed);
        v.error.expect("a reason")
    };
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let id = upload(&http, &app, "photo.png", &png).await;
    assert!(reason(view(&http, &app, id).await).contains("pas un tableur"));
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend_from_slice(&[0u8; 64]);
    let id = upload(&http, &app, "abime.xlsx", &zip).await;
    assert!(reason(view(&http, &app, id).await).contains("pas un tableur"));
    let id = upload(&http, &app, "protege.xlsx", &fixture("encrypted.xlsx")).await;
    assert!(reason(view(&http, &app, id).await).contains("mot de passe"));
    let id = upload(&http, &app, "bombe.xlsx", &fixture("bomb.xlsx")).await;
    assert!(reason(view(&http, &app, id).await).contains("démesurément grand"));
    let wide = format!("{}\r\n", vec!["Intitulé"; 500].join(";"));
    let id = upload(&http, &app, "large.csv", wide.as_bytes()).await;
    assert!(reason(view(&http, &app, id).await).contains("plus de 200 colonnes"));
    let id = upload(&http, &app, "vide.csv", b"\r\n;;\r\n").await;
    assert!(reason(view(&http, &app, id).await).contains("vide"));
    // Bigger than the limit: 413, nothing kept.
    let res = send(&http, &app, "gros.csv", &vec![b'a'; 9 * 1024 * 1024]).await;
    assert_eq!(res.status(), 413);
    // A form without the file.
    let res = http
        .post(app.url("/importer/fichier"))
        .header("Origin", app.url(""))
        .header("Content-Type", "multipart/form-data; boundary=x")
        .body("--x--\r\n")
        .send()
        .await
        .expect("present");
    assert_eq!(res.status(), 422);
    // A failed import cannot be confirmed.
    refused(commit(&http, &app, id).await, 409).await;
    use app::server::entities::projects::project;
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        project::Entity::find()
            .count(&app.db)
            .await
            .expect("present"),
        0
    );
    finish(app, test_db).await;
}
both_backends!(bad_files_get_a_french_reason_and_write_nothing);

async fn partners_and_strangers_never_import(backend: crate::support::Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let id = upload(&http, &app, "messy.csv", &fixture("messy.csv")).await;
    create_user(&app.db, "c.durand@mairie.fr", Role::Partner).await;
    let partner = client();
    login(&partner, &app, "c.durand@mairie.fr", PASSWORD).await;
    assert_eq!(
        send(&partner, &app, "messy.csv", &fixture("messy.csv"))
            .await
            .status(),
        403
    );
    for (endpoint, status) in [
        ("imports/get", 403),
        ("imports/commit", 403),
        ("imports/undo", 403),
        ("imports/list", 403),
    ] {
        let res = post(&partner, &app, endpoint, &vec![("id", id.to_string())]).await;
        assert_eq!(res.status(), status, "{endpoint}");
    }
    let choice: Form = vec![
        ("id", id.to_string()),
        ("line", "2".into()),
        ("distinct", "true".into()),
    ];
    assert_eq!(
        post(&partner, &app, "imports/distinct", &choice)
            .await
            .status(),
        403
    );
    let anonymous = client();
    let res = send(&anonymous, &app, "messy.csv", &fixture("messy.csv")).await;
    assert_eq!(res.status(), 303);
    assert!(
        res.headers()["location"]
            .to_str()
            .expect("present")
            .starts_with("/connexion")
    );
    finish(app, test_db).await;
}
both_backends!(partners_and_strangers_never_import);

async fn formulas_give_their_cached_values_and_merged_cells_are_read(
    backend: crate::support::Backend,
) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let id = upload(&http, &app, "formulas.xlsx", &fixture("formulas.xlsx")).await;
    let v = view(&http, &app, id).await;
    assert_eq!(v.header_line, 2, "the merged title row is passed over");
    let lines: Vec<(u32, RowAction)> = v.rows.iter().map(|r| (r.line, r.action)).collect();
    assert_eq!(
        lines,
        [
            (3, RowAction::Create),
            (4, RowAction::Create),
            (5, RowAction::Skipped)
        ],
        "{:#?}",
        v.rows
    );
    // The column under the merged header's second half is left out.
    assert_eq!(v.columns[3].field, None);
    assert_eq!(v.columns[3].header, "colonne D");
    ok(commit(&http, &app, id).await).await;
    let gym = get(
        &http,
        &app,
        project_id(&app, "F-1").await.expect("F-1"),
        None,
    )
    .await;
    assert_eq!(gym.estimated_cost_cents, Some(1_250_000));
    assert_eq!(
        gym.start_date.map(|d| d.to_string()).as_deref(),
        Some("2026-04-01")
    );
    let piste = get(
        &http,
        &app,
        project_id(&app, "F-2").await.expect("F-2"),
        None,
    )
    .await;
    assert_eq!(piste.estimated_cost_cents, Some(2_500_001));
    finish(app, test_db).await;
}
both_backends!(formulas_give_their_cached_values_and_merged_cells_are_read);

async fn two_confirmations_at_once_write_the_file_once(backend: crate::support::Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    add_homonym(&app).await;
    let a = upload(&http, &app, "messy.csv", &fixture("messy.csv")).await;
    let b = upload(&http, &app, "messy.xlsx", &fixture("messy.xlsx")).await;
    let (ra, rb) = tokio::join!(commit(&http, &app, a), commit(&http, &app, b));
    let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 409],
        "one writes, the other sees the preview moved"
    );
    use app::server::entities::projects::project;
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        project::Entity::find().count(&app.db).await.expect("count"),
        3
    );
    finish(app, test_db).await;
}
both_backends!(two_confirmations_at_once_write_the_file_once);

async fn hostile_cells_are_refused_or_kept_as_text(backend: crate::support::Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let long = "x".repeat(5_000);
    let csv = format!(
        "Référence;Intitulé;Commune\r\nH-1;{long};Saint-Flour\r\nH-2;<script>alert(1)</script>;Saint-Flour\r\nH-3;=HYPERLINK(\"http://x\");Saint-Flour\r\n"
    );
    let id = upload(&http, &app, "hostile.csv", csv.as_bytes()).await;
    let v = view(&http, &app, id).await;
    let first = &v.rows[0];
    assert_eq!(first.action, RowAction::Refused);
    assert!(
        first.problems[0].starts_with("Ligne 2, colonne Intitulé : « xxx")
            && first.problems[0].contains("ne doit pas dépasser"),
        "{:?}",
        first.problems
    );
    assert_eq!(
        (v.rows[1].action, v.rows[2].action),
        (RowAction::Create, RowAction::Create)
    );
    ok(commit(&http, &app, id).await).await;
    // Stored as typed, shown escaped.
    let script = project_id(&app, "H-2").await.expect("H-2");
    let page = html(&http, &app, &format!("/projets/{script}")).await;
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<script>alert(1)"));
    let page = html(&http, &app, &format!("/importer/{id}")).await;
    assert!(!page.contains("<script>alert(1)"));
    // A file name closing the page's <title>: shown as typed, in the title too.
    let named = upload(
        &http,
        &app,
        "</title><script>alert(2)</script>.csv",
        csv.as_bytes(),
    )
    .await;
    for path in [format!("/importer/{named}"), "/importer".to_owned()] {
        let page = html(&http, &app, &path).await;
        assert!(!page.contains("<script>alert(2)"), "{path}");
        assert!(
            page.contains("&lt;/title&gt;&lt;script&gt;alert(2)"),
            "{path}"
        );
    }
    finish(app, test_db).await;
}
both_backends!(hostile_cells_are_refused_or_kept_as_text);

async fn a_large_file_shows_its_refusals_first_and_counts_every_row(
    backend: crate::support::Backend,
) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let mut csv = String::from("Référence;Intitulé;Commune\r\n");
    for i in 0..1_100 {
        // The last five rows name a commune that does not exist.
        let commune = if i >= 1_095 {
            "Nulle-Part"
        } else {
            "Saint-Flour"
        };
        csv.push_str(&format!("L-{i};Projet {i};{commune}\r\n"));
    }
    let id = upload(&http, &app, "grand.csv", csv.as_bytes()).await;
    let v = view(&http, &app, id).await;
    assert_eq!((v.counts.create, v.counts.refused), (1_095, 5));
    assert_eq!(v.rows.len(), app::server::services::imports::SHOWN_ROWS);
    let refused: Vec<u32> = v
        .rows
        .iter()
        .filter(|r| r.action == RowAction::Refused)
        .map(|r| r.line)
        .collect();
    assert_eq!(refused, [1_097, 1_098, 1_099, 1_100, 1_101]);
    // The list of imports reads the counts, not the rows.
    let list: Vec<app::models::ImportSummary> =
        ok_json(post(&http, &app, "imports/list", &vec![]).await).await;
    assert_eq!(list[0].counts, v.counts);
    finish(app, test_db).await;
}
both_backends!(a_large_file_shows_its_refusals_first_and_counts_every_row);

/// A sheet with an amount column per funder, as offices keep them.
const FUNDED: &str = "Référence;Intitulé;Commune;Coût total HT;DETR sollicitée;DETR accordée;Région accordé;Subvention Département;Autofinancement
F-1;Salle polyvalente;Saint-Flour;500 000;150 000;120 000;;;
F-2;Halle couverte;Saint-Flour;200 000;;;50 000;;40 000
F-3;Voirie du bourg;Saint-Flour;100 000;30 000;40 000;;;
F-4;Crèche;Saint-Flour;300 000;;;;1,2 M€;
F-5;Gîte d'étape;Saint-Flour;80 000;0;;;;
";

fn funder_id(v: &ImportView, name: &str) -> i64 {
    v.funders
        .iter()
        .find(|(_, n)| n == name)
        .unwrap_or_else(|| panic!("funder {name}"))
        .0
}

async fn funders_amounts_become_funding_lines(backend: crate::support::Backend) {
    use crate::support::api::plan;
    use app::domain::EventKind;
    use app::domain::funding::FundingStatus;
    use app::domain::import::{FunderAmount, FunderColumn};
    let (test_db, app, http, _) = signed_in(backend).await;
    create_user(&app.db, "sophie.lambert@cc-exemple.fr", Role::Head).await;
    let head = client();
    login(&head, &app, "sophie.lambert@cc-exemple.fr", PASSWORD).await;

    // Each funder's column is recognised, with the amount it holds.
    let id = upload(&http, &app, "financements.csv", FUNDED.as_bytes()).await;
    let v = view(&http, &app, id).await;
    let detr = funder_id(&v, "État – DETR");
    let region = funder_id(&v, "Région");
    let dept = funder_id(&v, "Département");
    let own = funder_id(&v, "Autofinancement du maître d’ouvrage");
    let fields: Vec<Option<ImportField>> = v.columns.iter().map(|c| c.field).collect();
    let funding =
        |funder_id, amount| Some(ImportField::Funding(FunderColumn { funder_id, amount }));
    assert_eq!(
        fields[4..],
        [
            funding(detr, FunderAmount::Requested),
            funding(detr, FunderAmount::Granted),
            funding(region, FunderAmount::Granted),
            funding(dept, FunderAmount::Planned),
            funding(own, FunderAmount::Planned),
        ]
    );
    // Row by row: the lines each project gets, or why it is refused.
    let row = |line: u32| v.rows.iter().find(|r| r.line == line).expect("row").clone();
    let f1 = row(2);
    assert_eq!(f1.action, RowAction::Create);
    assert_eq!(f1.notes.len(), 1, "{:?}", f1.notes);
    assert!(
        f1.notes[0].contains("État – DETR") && f1.notes[0].contains("Accordé"),
        "{:?}",
        f1.notes
    );
    assert_eq!(row(3).notes.len(), 2, "{:?}", row(3).notes);
    let f3 = row(4);
    assert_eq!(f3.action, RowAction::Refused);
    assert!(
        f3.problems.join(" ").contains("colonne DETR accordée")
            && f3.problems.join(" ").contains("40 000"),
        "{:?}",
        f3.problems
    );
    assert!(f3.notes.is_empty(), "a refused row announces no line");
    let f4 = row(5);
    assert_eq!(f4.action, RowAction::Refused);
    assert!(
        f4.problems
            .join(" ")
            .contains("colonne Subvention Département : « 1,2 M€ »"),
        "{:?}",
        f4.problems
    );
    let f5 = row(6);
    assert_eq!(
        (f5.action, f5.notes.len()),
        (RowAction::Create, 0),
        "a zero is no line"
    );

    // Confirmed: the lines are in the plans, with their status and amounts,
    // and the timeline says where they came from.
    let counts: ImportCounts = ok_json(commit(&http, &app, id).await).await;
    assert_eq!((counts.create, counts.refused), (3, 2));
    let salle = project_id(&app, "F-1").await.expect("F-1");
    let halle = project_id(&app, "F-2").await.expect("F-2");
    let p = plan(&http, &app, salle).await;
    let lines: Vec<_> = p
        .lines
        .iter()
        .map(|l| {
            (
                l.funder_id,
                l.status,
                l.amount_requested_cents,
                l.amount_granted_cents,
            )
        })
        .collect();
    assert_eq!(
        lines,
        [(
            detr,
            FundingStatus::Granted,
            Some(15_000_000),
            Some(12_000_000)
        )]
    );
    assert!(
        p.lines[0].notes.contains("financements.csv"),
        "{}",
        p.lines[0].notes
    );
    assert_eq!(p.lines[0].decided_on, None, "the file gives no date");
    assert_eq!(p.totals.granted, 12_000_000);
    let p = plan(&http, &app, halle).await;
    let mut lines: Vec<_> = p
        .lines
        .iter()
        .map(|l| {
            (
                l.funder_id,
                l.status,
                l.amount_requested_cents,
                l.amount_granted_cents,
            )
        })
        .collect();
    lines.sort_by_key(|l| l.0);
    let mut expected = vec![
        (
            region,
            FundingStatus::Granted,
            Some(5_000_000),
            Some(5_000_000),
        ),
        (own, FundingStatus::Identified, Some(4_000_000), None),
    ];
    expected.sort_by_key(|l| l.0);
    assert_eq!(lines, expected);
    let d = get(&http, &app, salle, None).await;
    let added = d
        .events
        .iter()
        .find(|e| e.kind == EventKind::FundingLineAdded)
        .expect("event");
    assert_eq!(added.data["import"]["line"], 2);
    assert_eq!(added.data["status"], "granted");

    // The same file again: nothing to do.
    let again = upload(&http, &app, "financements.csv", FUNDED.as_bytes()).await;
    let v = view(&http, &app, again).await;
    assert_eq!(
        (v.counts.create, v.counts.update, v.counts.unchanged),
        (0, 0, 3)
    );
    assert!(v.rows.iter().all(|r| r.notes.is_empty()), "{:?}", v.rows);

    // An updated file: a new funder is added to an existing project; a line
    // already in the plan that the file contradicts is noted, not touched.
    let updated = FUNDED
        .replace(
            "F-1;Salle polyvalente;Saint-Flour;500 000;150 000;120 000",
            "F-1;Salle polyvalente;Saint-Flour;500 000;150 000;130 000",
        )
        .replace(
            "F-2;Halle couverte;Saint-Flour;200 000;;",
            "F-2;Halle couverte;Saint-Flour;200 000;60 000;",
        );
    let second = upload(&http, &app, "financements-v2.csv", updated.as_bytes()).await;
    let v = view(&http, &app, second).await;
    let row = |line: u32| v.rows.iter().find(|r| r.line == line).expect("row").clone();
    assert_eq!(row(2).action, RowAction::Unchanged);
    assert!(
        row(2).notes[0].contains("n’est pas modifiée"),
        "{:?}",
        row(2).notes
    );
    assert_eq!(row(3).action, RowAction::Update);
    assert_eq!(row(3).notes.len(), 1, "{:?}", row(3).notes);
    ok(commit(&http, &app, second).await).await;
    let p = plan(&http, &app, salle).await;
    assert_eq!(
        p.lines[0].amount_granted_cents,
        Some(12_000_000),
        "never overwritten"
    );
    let p = plan(&http, &app, halle).await;
    assert_eq!(p.lines.len(), 3);
    let version = get(&http, &app, halle, None).await.version;

    // Its undo takes the added line away and leaves the rest.
    ok(undo(&head, &app, second).await).await;
    let p = plan(&http, &app, halle).await;
    assert_eq!(p.lines.len(), 2);
    assert!(p.lines.iter().all(|l| l.funder_id != detr));
    assert_eq!(get(&http, &app, halle, None).await.version, version);

    // A whole import with its lines, undone: projects and lines gone.
    let sheet = FUNDED.replace("F-", "G-");
    let third = upload(&http, &app, "g.csv", sheet.as_bytes()).await;
    ok(commit(&http, &app, third).await).await;
    let g2 = project_id(&app, "G-2").await.expect("G-2");
    assert_eq!(plan(&http, &app, g2).await.lines.len(), 2);
    ok(undo(&head, &app, third).await).await;
    assert_eq!(project_id(&app, "G-2").await, None);
    // The summaries equal a rebuild (checked by `finish`).
    finish(app, test_db).await;
}
both_backends!(funders_amounts_become_funding_lines);

/// Sends a file as the « Importer » form does, saying what it holds.
async fn upload_as(
    http: &reqwest::Client,
    app: &TestApp,
    kind: &str,
    name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let boundary = "----maillage-test-boundary-8e02";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\n{kind}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    http.post(app.url("/importer/fichier"))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("Origin", app.url(""))
        .body(body)
        .send()
        .await
        .expect("upload")
}

/// Uploads a file of `kind` and returns its import's id.
async fn upload_kind(
    http: &reqwest::Client,
    app: &TestApp,
    kind: &str,
    name: &str,
    bytes: &[u8],
) -> i64 {
    let res = upload_as(http, app, kind, name, bytes).await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let to = res.headers()["location"]
        .to_str()
        .expect("present")
        .to_owned();
    to.trim_start_matches("/importer/").parse().expect("id")
}

async fn contacts_upload(http: &reqwest::Client, app: &TestApp, bytes: &[u8]) -> i64 {
    upload_kind(http, app, "contacts", "contacts.csv", bytes).await
}

/// A contacts file as offices keep them: one person per row, with their
/// organisation, some already in the directory, some rows wrong.
const CONTACTS: &str = "Structure;Type;N° SIRET;Commune;Prénom;Nom;Fonction;Courriel;Tél.
Mairie d'Andelat;Mairie;;Andelat;Claire;Vidal;Secrétaire de mairie;claire.vidal@andelat.fr;04 71 20 00 00
Mairie d'Andelat;Mairie;;Andelat;Paul;Roux;Maire;paul.roux@andelat.fr;
INSEE Auvergne;Service de l'État;12002701600357;Saint-Flour;Anne;Roux;Cheffe de service;anne.roux@insee.fr;
Association Le Lieu;Asso;;Saint-Flour;Léa;Martin;Présidente;;
Club des aînés;Club;;Talizat;;;;;
Gîte du Lac;Entreprise;123;Talizat;Jean;Blanc;;jean@gite;
;;;;Marc;Petit;;claire.vidal@andelat.fr;
CC de Saint-Flour;Communauté de communes;200066660;;Yves;Durand;Président;;06 12 34 56 78
Mairie de Talizat;Mairie;;Talizat;Éric;Lenoir;;;06 12 34
;;;;Louis;Brun;;louis.brun@lelieu.fr;
Association Le Lieu;Asso;;Saint-Flour;Louis;Brun;Bénévole;louis.brun@lelieu.fr;
";

async fn a_contacts_file_fills_the_directory_without_duplicates(backend: crate::support::Backend) {
    use crate::support::builders::OrgBuilder;
    use app::domain::OrganisationKind;
    use app::server::entities::directory::{organisation, person};
    use sea_orm::{EntityTrait, PaginatorTrait};
    let (test_db, app, http, _) = signed_in(backend).await;
    create_user(&app.db, "sophie.lambert@cc-exemple.fr", Role::Head).await;
    let head = client();
    login(&head, &app, "sophie.lambert@cc-exemple.fr", PASSWORD).await;
    // Already in the directory: INSEE by its SIRET, an association by its
    // name and commune, a person by their e-mail.
    let insee = OrgBuilder::new(
        "Insee – direction régionale",
        OrganisationKind::StateService,
    )
    .company_id("12002701600357")
    .create(&http, &app)
    .await;
    let lieu = OrgBuilder::new("Association « Le Lieu »", OrganisationKind::Association)
        .commune("15187")
        .create(&http, &app)
        .await;
    let louis: Form = vec![
        ("form[first_name]", "Louis".into()),
        ("form[last_name]", "Brun".into()),
        ("form[email]", "Louis.Brun@lelieu.fr".into()),
    ];
    ok(post(&http, &app, "directory/people/create", &louis).await).await;
    let orgs = organisation::Entity::find()
        .count(&app.db)
        .await
        .expect("count");
    let people = person::Entity::find().count(&app.db).await.expect("count");

    // A contacts file is never read as projects, nor a projects file's
    // fields offered for it.
    let res = upload_as(
        &http,
        &app,
        "personnes",
        "contacts.csv",
        CONTACTS.as_bytes(),
    )
    .await;
    assert_eq!(res.status(), 422);
    let id = contacts_upload(&http, &app, CONTACTS.as_bytes()).await;
    let v = view(&http, &app, id).await;
    assert_eq!(v.kind, app::domain::import::ImportKind::Contacts);
    let fields: Vec<Option<ImportField>> = v.columns.iter().map(|c| c.field).collect();
    assert_eq!(
        fields,
        [
            Some(ImportField::Organisation),
            Some(ImportField::OrganisationKind),
            Some(ImportField::Siret),
            Some(ImportField::Communes),
            Some(ImportField::FirstName),
            Some(ImportField::LastName),
            Some(ImportField::JobTitle),
            Some(ImportField::Email),
            Some(ImportField::Phone),
        ]
    );
    let row = |line: u32| v.rows.iter().find(|r| r.line == line).expect("row").clone();
    let text = |line: u32| {
        let r = row(line);
        format!("{} {}", r.problems.join(" | "), r.notes.join(" | "))
    };
    let actions: Vec<(u32, RowAction)> = v.rows.iter().map(|r| (r.line, r.action)).collect();
    assert_eq!(
        actions,
        [
            (2, RowAction::Create),
            (3, RowAction::Create),
            (4, RowAction::Create),
            (5, RowAction::Create),
            (6, RowAction::Refused),
            (7, RowAction::Refused),
            (8, RowAction::Refused),
            (9, RowAction::Create),
            (10, RowAction::Refused),
            (11, RowAction::Unchanged),
            (12, RowAction::Update),
        ],
        "{:#?}",
        v.rows
    );
    assert!(
        text(2).contains("Organisme ajouté à l’annuaire : « Mairie d'Andelat »"),
        "{}",
        text(2)
    );
    assert!(text(3).contains("créé par la ligne 2"), "{}", text(3));
    assert!(
        text(4).contains("même SIRET") && text(4).contains("Insee – direction régionale"),
        "{}",
        text(4)
    );
    assert!(text(5).contains("même nom, même commune"), "{}", text(5));
    assert!(text(6).contains("colonne Type : « Club »"), "{}", text(6));
    assert!(
        text(7).contains("colonne N° SIRET") && text(7).contains("colonne Courriel"),
        "{}",
        text(7)
    );
    assert!(text(8).contains("déjà présent ligne 2"), "{}", text(8));
    assert!(text(10).contains("colonne Tél."), "{}", text(10));
    assert!(text(11).contains("déjà dans l’annuaire"), "{}", text(11));
    assert_eq!(
        (v.counts.create, v.counts.unchanged, v.counts.refused),
        (5, 1, 4)
    );

    // Row by row, the user may say a namesake is another organisation;
    // only a row matched by name and commune offers it.
    let distinct = |line: u32, on: bool| {
        vec![
            ("id", id.to_string()),
            ("line", line.to_string()),
            ("distinct", on.to_string()),
        ]
    };
    refused_on(
        post(&http, &app, "imports/distinct", &distinct(4, true)).await,
        422,
        "line",
    )
    .await;
    assert_eq!(row(5).namesake.as_deref(), Some("Association « Le Lieu »"));
    ok(post(&http, &app, "imports/distinct", &distinct(5, true)).await).await;
    let v2 = view(&http, &app, id).await;
    let r5 = v2.rows.iter().find(|r| r.line == 5).expect("row");
    assert!(
        r5.distinct && r5.notes[0].contains("distinct de « Association « Le Lieu » »"),
        "{:?}",
        r5.notes
    );
    // Taken back: the row joins the namesake again.
    ok(post(&http, &app, "imports/distinct", &distinct(5, false)).await).await;
    let v2 = view(&http, &app, id).await;
    assert_eq!(v2.rows, v.rows, "the preview is as it was");

    // Confirmed: two organisations and five people, each where they belong.
    ok(commit(&http, &app, id).await).await;
    assert_eq!(
        organisation::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        orgs + 2
    );
    assert_eq!(
        person::Entity::find().count(&app.db).await.expect("count"),
        people + 5
    );
    let detail: app::models::OrganisationDetail = ok_json(
        post(
            &http,
            &app,
            "directory/organisation",
            &vec![("id", insee.to_string())],
        )
        .await,
    )
    .await;
    assert_eq!(detail.members.len(), 1);
    let detail: app::models::OrganisationDetail = ok_json(
        post(
            &http,
            &app,
            "directory/organisation",
            &vec![("id", lieu.to_string())],
        )
        .await,
    )
    .await;
    // Léa, new, and Louis, already in the directory, who joined it.
    assert_eq!(detail.members.len(), 2);
    let epci = organisation::Entity::find()
        .all(&app.db)
        .await
        .expect("all")
        .into_iter()
        .find(|o| o.name == "CC de Saint-Flour")
        .expect("created");
    assert_eq!(epci.epci_siren.as_deref(), Some("200066660"));
    let andelat = organisation::Entity::find()
        .all(&app.db)
        .await
        .expect("all")
        .into_iter()
        .find(|o| o.name == "Mairie d'Andelat")
        .expect("created");
    let detail: app::models::OrganisationDetail = ok_json(
        post(
            &http,
            &app,
            "directory/organisation",
            &vec![("id", andelat.id.to_string())],
        )
        .await,
    )
    .await;
    assert_eq!(detail.members.len(), 2);
    assert_eq!(andelat.commune_code.as_deref(), Some("15004"));

    // The same file again creates nothing.
    let again = contacts_upload(&http, &app, CONTACTS.as_bytes()).await;
    let v = view(&http, &app, again).await;
    assert_eq!(
        (v.counts.create, v.counts.update, v.counts.unchanged),
        (0, 0, 7),
        "{:#?}",
        v.rows
    );

    // The undo takes away what the import added, and nothing else: Louis
    // stays, no longer a member.
    ok(undo(&head, &app, id).await).await;
    let detail: app::models::OrganisationDetail = ok_json(
        post(
            &http,
            &app,
            "directory/organisation",
            &vec![("id", lieu.to_string())],
        )
        .await,
    )
    .await;
    assert!(detail.members.is_empty());
    assert_eq!(
        organisation::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        orgs
    );
    assert_eq!(
        person::Entity::find().count(&app.db).await.expect("count"),
        people
    );

    // Imported again, line 5 told apart from its namesake: a third
    // organisation is created; then a person edited: the undo is refused,
    // naming them.
    let third = contacts_upload(&http, &app, CONTACTS.as_bytes()).await;
    let apart: Form = vec![
        ("id", third.to_string()),
        ("line", "5".into()),
        ("distinct", "true".into()),
    ];
    ok(post(&http, &app, "imports/distinct", &apart).await).await;
    ok(commit(&http, &app, third).await).await;
    assert_eq!(
        organisation::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        orgs + 3
    );
    let claire = person::Entity::find()
        .all(&app.db)
        .await
        .expect("all")
        .into_iter()
        .find(|p| p.last_name == "Vidal")
        .expect("created");
    let mut edit: person::ActiveModel = claire.into();
    edit.version = Set(2);
    edit.update(&app.db).await.expect("edit");
    let err = refused(undo(&head, &app, third).await, 409).await;
    assert!(
        err.message().contains("« Claire Vidal »"),
        "{}",
        err.message()
    );
    assert_eq!(
        organisation::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        orgs + 3
    );
    finish(app, test_db).await;
}
both_backends!(a_contacts_file_fills_the_directory_without_duplicates);

/// A workbook of two sheets, as offices keep them: the projects, and their
/// funding lines one per row on « Financements ».
fn workbook_with_lines() -> Vec<u8> {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    let projects = book.add_worksheet();
    projects.set_name("Projets").expect("name");
    for (r, row) in [
        ["Référence", "Intitulé", "Commune"],
        ["L-1", "Salle polyvalente", "Saint-Flour"],
        ["L-2", "Halle couverte", "Andelat"],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            projects.write_string(r as u32, c as u16, *v).expect("cell");
        }
    }
    let lines = book.add_worksheet();
    lines.set_name("Financements").expect("name");
    let rows: &[[&str; 11]] = &[
        [
            "Référence projet",
            "Financeur",
            "Dispositif",
            "Statut",
            "Montant sollicité",
            "Montant accordé",
            "Montant versé",
            "Date de dépôt",
            "Date de notification",
            "Date de convention",
            "Date de versement",
        ],
        [
            "L-1",
            "DETR",
            "DETR 2026",
            "Accordé",
            "150000",
            "120000",
            "",
            "15/01/2026",
            "02/06/2026",
            "",
            "",
        ],
        [
            "L-1",
            "Conseil régional",
            "",
            "Dossier déposé",
            "80 000",
            "",
            "",
            "01/03/2026",
            "",
            "",
            "",
        ],
        [
            "L-2",
            "Fonds vert",
            "",
            "Soldé",
            "50000",
            "50000",
            "",
            "2025-01-10",
            "2025-04-01",
            "2025-05-01",
            "2025-12-01",
        ],
        [
            "L-2",
            "Département",
            "",
            "Accordé",
            "30000",
            "40000",
            "",
            "",
            "",
            "",
            "",
        ],
        ["L-9", "DETR", "", "Prévu", "1000", "", "", "", "", "", ""],
        ["L-1", "Mairie", "", "Prévu", "1000", "", "", "", "", "", ""],
        [
            "L-1",
            "État – DETR",
            "DETR 2026",
            "Prévu",
            "1000",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "L-2",
            "ADEME",
            "",
            "Accordé",
            "10000",
            "10000",
            "",
            "10/05/2026",
            "01/04/2026",
            "",
            "",
        ],
        [
            "L-2",
            "CAF",
            "",
            "Déposé",
            "5000",
            "",
            "",
            "",
            "01/04/2026",
            "",
            "",
        ],
        [
            "L-2",
            "Agence de l'eau",
            "",
            "Prévu",
            "12 000",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let number = r > 0 && (4..=6).contains(&c) && v.parse::<f64>().is_ok();
            if number {
                lines
                    .write_number(r as u32, c as u16, v.parse::<f64>().expect("number"))
                    .expect("cell");
            } else if !v.is_empty() {
                lines.write_string(r as u32, c as u16, *v).expect("cell");
            }
        }
    }
    book.save_to_buffer().expect("workbook")
}

async fn a_funding_sheet_adds_dated_lines_to_existing_projects(backend: crate::support::Backend) {
    use crate::support::api::plan;
    use app::domain::funding::FundingStatus;
    let (test_db, app, http, _) = signed_in(backend).await;
    create_user(&app.db, "sophie.lambert@cc-exemple.fr", Role::Head).await;
    let head = client();
    login(&head, &app, "sophie.lambert@cc-exemple.fr", PASSWORD).await;
    let book = workbook_with_lines();
    // The workbook as projects: its « Projets » sheet.
    let first = upload(&http, &app, "portefeuille.xlsx", &book).await;
    ok(commit(&http, &app, first).await).await;
    let salle = project_id(&app, "L-1").await.expect("L-1");
    let halle = project_id(&app, "L-2").await.expect("L-2");

    // The same workbook as funding lines: its « Financements » sheet.
    let id = upload_kind(&http, &app, "funding", "portefeuille.xlsx", &book).await;
    let v = view(&http, &app, id).await;
    let fields: Vec<Option<ImportField>> = v.columns.iter().map(|c| c.field).collect();
    assert_eq!(
        fields,
        [
            Some(ImportField::Reference),
            Some(ImportField::Funder),
            Some(ImportField::LineProgramme),
            Some(ImportField::LineStatus),
            Some(ImportField::AmountRequested),
            Some(ImportField::AmountGranted),
            Some(ImportField::AmountPaid),
            Some(ImportField::RequestedOn),
            Some(ImportField::DecidedOn),
            Some(ImportField::AgreementOn),
            Some(ImportField::PaidOn),
        ]
    );
    let actions: Vec<(u32, RowAction)> = v.rows.iter().map(|r| (r.line, r.action)).collect();
    assert_eq!(
        actions,
        [
            (2, RowAction::Create),
            (3, RowAction::Create),
            (4, RowAction::Create),
            (5, RowAction::Refused),
            (6, RowAction::Refused),
            (7, RowAction::Refused),
            (8, RowAction::Refused),
            (9, RowAction::Refused),
            (10, RowAction::Refused),
            (11, RowAction::Create),
        ],
        "{:#?}",
        v.rows
    );
    let problems = |line: u32| {
        v.rows
            .iter()
            .find(|r| r.line == line)
            .expect("row")
            .problems
            .join(" | ")
    };
    assert!(
        problems(5).contains("colonne Montant accordé"),
        "{}",
        problems(5)
    );
    assert!(
        problems(6).contains("« L-9 »") && problems(6).contains("importez d’abord le projet"),
        "{}",
        problems(6)
    );
    assert!(
        problems(7).contains("colonne Financeur : « Mairie »"),
        "{}",
        problems(7)
    );
    assert!(
        problems(8).contains("déjà présent ligne 2"),
        "{}",
        problems(8)
    );
    assert!(
        problems(9).contains("antérieure à la date de dépôt"),
        "{}",
        problems(9)
    );
    assert!(
        problems(10).contains("n’a pas atteinte"),
        "{}",
        problems(10)
    );

    // Confirmed: each line at its status, with its dates; the DETR lapse
    // dates follow from the notification the file gave.
    ok(commit(&http, &app, id).await).await;
    let p = plan(&http, &app, salle).await;
    let detr = p
        .lines
        .iter()
        .find(|l| l.funder_code == "detr")
        .expect("detr");
    assert_eq!(
        (
            detr.status,
            detr.amount_requested_cents,
            detr.amount_granted_cents
        ),
        (FundingStatus::Granted, Some(15_000_000), Some(12_000_000))
    );
    assert_eq!(detr.programme, "DETR 2026");
    assert_eq!(
        detr.requested_on.map(|d| d.to_string()).as_deref(),
        Some("2026-01-15")
    );
    assert_eq!(
        detr.decided_on.map(|d| d.to_string()).as_deref(),
        Some("2026-06-02")
    );
    assert_eq!(
        detr.detr
            .as_ref()
            .map(|d| d.start_by.to_string())
            .as_deref(),
        Some("2028-06-02")
    );
    let region = p
        .lines
        .iter()
        .find(|l| l.funder_code == "region")
        .expect("region");
    assert_eq!(region.status, FundingStatus::Requested);
    let p = plan(&http, &app, halle).await;
    let vert = p
        .lines
        .iter()
        .find(|l| l.funder_code == "fonds_vert")
        .expect("vert");
    assert_eq!(
        (
            vert.status,
            vert.amount_paid_cents,
            vert.balance_on.map(|d| d.to_string())
        ),
        (
            FundingStatus::BalancePaid,
            5_000_000,
            Some("2025-12-01".to_owned())
        )
    );
    assert_eq!(p.lines.len(), 2);

    // The same sheet again: nothing to add.
    let again = upload_kind(&http, &app, "funding", "portefeuille.xlsx", &book).await;
    let v = view(&http, &app, again).await;
    assert_eq!(
        (v.counts.create, v.counts.unchanged),
        (0, 4),
        "{:#?}",
        v.rows
    );

    // Undone: the lines go, the projects stay.
    ok(undo(&head, &app, id).await).await;
    assert!(plan(&http, &app, salle).await.lines.is_empty());
    assert!(plan(&http, &app, halle).await.lines.is_empty());
    finish(app, test_db).await;
}
both_backends!(a_funding_sheet_adds_dated_lines_to_existing_projects);

async fn hostile_contacts_and_lines_are_refused_or_kept_as_text(backend: crate::support::Backend) {
    use app::server::entities::directory::organisation;
    use sea_orm::EntityTrait;
    let (test_db, app, http, _) = signed_in(backend).await;
    let long = "x".repeat(5_000);
    let csv = format!(
        "Structure;Site web;Prénom;Nom;Courriel;Tél.\r\n{long};;;;;\r\n<img src=x onerror=alert(3)>;;;;;\r\nBureau;javascript:alert(4);;;;\r\nMairie;;Jo;Bla;\"jo@x.fr\nBcc: y@z.fr\";\r\nAtelier;;Al;Ba;;{long}\r\n"
    );
    let id = contacts_upload(&http, &app, csv.as_bytes()).await;
    let v = view(&http, &app, id).await;
    let actions: Vec<RowAction> = v.rows.iter().map(|r| r.action).collect();
    assert_eq!(
        actions,
        [
            RowAction::Refused,
            RowAction::Create,
            RowAction::Refused,
            RowAction::Refused,
            RowAction::Refused,
        ],
        "{:?}",
        v.rows
            .iter()
            .map(|r| r.problems.join(" | ").chars().take(300).collect::<String>())
            .collect::<Vec<_>>()
    );
    assert!(
        v.rows[0].problems[0].contains("colonne Structure"),
        "{:?}",
        v.rows[0].problems
    );
    assert!(
        v.rows[2].problems[0].contains("colonne Site web"),
        "{:?}",
        v.rows[2].problems
    );
    assert!(
        v.rows[3].problems[0].contains("colonne Courriel"),
        "{:?}",
        v.rows[3].problems
    );
    assert!(
        v.rows[4].problems[0].contains("colonne Tél."),
        "{:?}",
        v.rows[4].problems
    );
    ok(commit(&http, &app, id).await).await;
    // Stored as typed, shown escaped.
    let img = organisation::Entity::find()
        .all(&app.db)
        .await
        .expect("all")
        .into_iter()
        .find(|o| o.name.starts_with("<img"))
        .expect("stored as typed");
    for path in [
        format!("/annuaire/organisations/{}", img.id),
        format!("/importer/{id}"),
    ] {
        let page = html(&http, &app, &path).await;
        assert!(!page.contains("<img src=x"), "{path}");
        assert!(
            page.contains("&lt;img src=x onerror=alert(3)&gt;"),
            "{path}"
        );
    }
    // A funding lines file's hostile cells: refused on their column.
    let lines = format!(
        "Référence;Financeur;Montant sollicité;Date de dépôt\r\nX-1;{long};1000;\r\nX-1;DETR;1e300;\r\nX-1;DETR;1000;31/02/2026\r\n"
    );
    let lid = upload_kind(&http, &app, "funding", "lignes.csv", lines.as_bytes()).await;
    let v = view(&http, &app, lid).await;
    assert!(
        v.rows.iter().all(|r| r.action == RowAction::Refused),
        "{:#?}",
        v.rows
    );
    assert!(
        v.rows[1]
            .problems
            .join(" ")
            .contains("colonne Montant sollicité"),
        "{:?}",
        v.rows[1].problems
    );
    assert!(
        v.rows[2]
            .problems
            .join(" ")
            .contains("colonne Date de dépôt"),
        "{:?}",
        v.rows[2].problems
    );
    finish(app, test_db).await;
}
both_backends!(hostile_contacts_and_lines_are_refused_or_kept_as_text);

async fn concurrent_confirmations_of_contacts_and_lines_write_once(
    backend: crate::support::Backend,
) {
    use app::server::entities::directory::{organisation, person};
    use app::server::entities::funding::funding_line;
    use sea_orm::{EntityTrait, PaginatorTrait};
    let (test_db, app, http, _) = signed_in(backend).await;
    // The same contacts file twice, confirmed at once: one writes, the
    // other finds the directory moved since its preview.
    let a = contacts_upload(&http, &app, CONTACTS.as_bytes()).await;
    let b = contacts_upload(&http, &app, CONTACTS.as_bytes()).await;
    let (ra, rb) = tokio::join!(commit(&http, &app, a), commit(&http, &app, b));
    let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(
        organisation::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        4
    );
    assert_eq!(
        person::Entity::find().count(&app.db).await.expect("count"),
        6
    );
    // The same funding lines twice, confirmed at once: the lines once.
    let book = workbook_with_lines();
    let projects = upload(&http, &app, "portefeuille.xlsx", &book).await;
    ok(commit(&http, &app, projects).await).await;
    let a = upload_kind(&http, &app, "funding", "portefeuille.xlsx", &book).await;
    let b = upload_kind(&http, &app, "funding", "portefeuille.xlsx", &book).await;
    let (ra, rb) = tokio::join!(commit(&http, &app, a), commit(&http, &app, b));
    let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(
        funding_line::Entity::find()
            .count(&app.db)
            .await
            .expect("count"),
        4
    );
    // The summaries equal a rebuild (checked by `finish`).
    finish(app, test_db).await;
}
both_backends!(concurrent_confirmations_of_contacts_and_lines_write_once);
