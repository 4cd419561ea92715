//! The project's documents (issue 21) over real HTTP, on both databases and
//! the local store: uploads judged on their contents, versions, downloads
//! byte for byte with safe headers, edits and deletions on the timeline,
//! what partners and link holders may download (nothing else: 404), size
//! and project limits, hostile names, concurrent uploads of one file
//! (stored once), and failed uploads that leave neither file nor row.
use app::domain::{EventKind, Role};
use app::models::{ProjectDetail, ProjectSections};
use app::server::config::{Config, S3Config};
use app::server::entities::documents::{document, document_version};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::both_backends;
use crate::support::api::{
    add_line, add_milestone, create, created, funder, get, ok, ok_id, ok_json, plan, post, refused,
    refused_on, share, signed_in, signed_in_on,
};
use crate::support::{Backend, TestApp, TestDb, client, create_user, signed_in_as};

const BOUNDARY: &str = "----maillage-documents-5f2c";

/// A PDF as its first bytes show it.
pub(crate) fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.7\n% {text}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n").into_bytes()
}

/// A PNG as its first bytes show it.
fn png(seed: u8) -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.extend_from_slice(&[0, 0, 0, 13, b'I', b'H', b'D', b'R']);
    bytes.extend(std::iter::repeat_n(seed, 64));
    bytes
}

/// A form sent as the page's form sends it (`multipart/form-data`).
pub(crate) fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (filename, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub(crate) async fn send(
    http: &reqwest::Client,
    app: &TestApp,
    path: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    http.post(app.url(path))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("Origin", app.url(""))
        .body(body)
        .send()
        .await
        .expect("upload")
}

/// Uploads `files` to project `id` with `fields`.
async fn upload(
    http: &reqwest::Client,
    app: &TestApp,
    id: i64,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> reqwest::Response {
    let mut all = vec![("type_code", "deliberation")];
    all.extend_from_slice(fields);
    send(
        http,
        app,
        &format!("/projets/{id}/documents"),
        multipart(&all, files),
    )
    .await
}

/// A refusal's French page names `needle`; its status is `status`.
async fn refused_page(res: reqwest::Response, status: u16, needle: &str) {
    assert_eq!(res.status(), status);
    let body = res.text().await.expect("body");
    assert!(body.contains(needle), "{needle} in {body}");
}

async fn sections(http: &reqwest::Client, app: &TestApp, id: i64) -> ProjectSections {
    ok_json(post(http, app, "projects/page", &vec![("id", id.to_string())]).await).await
}

async fn download(http: &reqwest::Client, app: &TestApp, path: &str) -> reqwest::Response {
    http.get(app.url(path)).send().await.expect("download")
}

/// The store's files, and the parts of uploads left in `tmp/`.
async fn store_state(app: &TestApp) -> (Vec<String>, usize) {
    let names = app.documents.names().await.expect("names");
    let parts = std::fs::read_dir(app.documents.root().join("tmp"))
        .map(|dir| dir.count())
        .unwrap_or(0);
    (names, parts)
}

/// How many rows the table of `E` holds.
async fn rows<E: EntityTrait>(app: &TestApp) -> u64
where
    E::Model: Sync,
{
    E::find().count(&app.db).await.expect("count")
}

fn sha(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

async fn documents_are_kept_versioned_and_downloaded_byte_for_byte(backend: Backend) {
    kept_versioned_and_downloaded(backend, None).await;
}

/// The test's body, on disk or (`bucket`) on object storage.
pub(crate) async fn kept_versioned_and_downloaded(backend: Backend, bucket: Option<S3Config>) {
    let (test_db, app, http, _) = signed_in_on(backend, bucket).await;
    let id = create(&http, &app, "Maison de santé", &["15187"], &[]).await;
    let detr = funder(&plan(&http, &app, id).await, "detr");
    let line = add_line(&http, &app, id, &detr, "120 000", &[]).await;
    let deliberation = pdf("délibération du conseil");
    let photo = png(7);
    let attachment = format!("ligne:{line}");
    let res = upload(
        &http,
        &app,
        id,
        &[
            ("title", ""),
            ("doc_date", "2026-11-03"),
            ("attachment", &attachment),
        ],
        &[
            ("Délibération 2026-11.pdf", &deliberation),
            ("chantier.png", &photo),
        ],
    )
    .await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let page = sections(&http, &app, id).await;
    let docs = page.documents.documents;
    assert_eq!(docs.len(), 2);
    for d in &docs {
        assert_eq!(d.funding_line_id, Some(line));
        assert!(
            d.attached_to.as_deref().is_some_and(|a| a.contains("DETR")),
            "{:?}",
            d.attached_to
        );
        assert!(!d.shared);
        assert_eq!(d.type_label, "Délibération");
    }
    let by_name = |name: &str| {
        docs.iter()
            .find(|d| d.versions[0].filename == name)
            .unwrap_or_else(|| panic!("{name}"))
            .clone()
    };
    let delib = by_name("Délibération 2026-11.pdf");
    assert_eq!(delib.versions[0].media_type, "application/pdf");
    assert_eq!(delib.versions[0].size, deliberation.len() as u64);
    assert_eq!(
        page.documents.used_bytes,
        (deliberation.len() + photo.len()) as u64
    );

    // Downloaded byte for byte, as an attachment that cannot run.
    let res = download(&http, &app, &format!("/documents/{}/fichier", delib.id)).await;
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("sandbox")
    );
    let disposition = headers["content-disposition"].to_str().expect("ascii");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''D%C3%A9lib%C3%A9ration"),
        "{disposition}"
    );
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), deliberation);
    let res = download(
        &http,
        &app,
        &format!("/documents/{}/fichier?apercu=1", delib.id),
    )
    .await;
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .starts_with("inline;"),
        "a PDF may be previewed"
    );

    // A new version: the old one stays, listed and downloadable.
    let signed = pdf("délibération signée");
    let res = send(
        &http,
        &app,
        &format!("/documents/{}/version", delib.id),
        multipart(&[("version", "1")], &[("Délibération signée.pdf", &signed)]),
    )
    .await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    // The same page again (version 1): refused, the other's version kept.
    let res = send(
        &http,
        &app,
        &format!("/documents/{}/version", delib.id),
        multipart(&[("version", "1")], &[("autre.pdf", &pdf("autre"))]),
    )
    .await;
    assert_eq!(res.status(), 409);
    let now = sections(&http, &app, id).await.documents;
    let delib_now = now
        .documents
        .iter()
        .find(|d| d.id == delib.id)
        .expect("kept")
        .clone();
    assert_eq!(
        delib_now
            .versions
            .iter()
            .map(|v| v.number)
            .collect::<Vec<_>>(),
        vec![2, 1]
    );
    let latest = download(&http, &app, &format!("/documents/{}/fichier", delib.id)).await;
    assert_eq!(latest.bytes().await.expect("bytes").as_ref(), signed);
    let first = download(
        &http,
        &app,
        &format!("/documents/{}/fichier?version=1", delib.id),
    )
    .await;
    assert_eq!(first.bytes().await.expect("bytes").as_ref(), deliberation);
    assert_eq!(
        download(
            &http,
            &app,
            &format!("/documents/{}/fichier?version=9", delib.id)
        )
        .await
        .status(),
        404
    );

    // Its own fields: shared, retitled, attached to a milestone.
    let milestone =
        ok_id(add_milestone(&http, &app, id, "other", "Dépôt du dossier", "2027-01-15").await)
            .await;
    let other_project = create(&http, &app, "Autre projet", &["15142"], &[]).await;
    let foreign = ok_id(
        add_milestone(
            &http,
            &app,
            other_project,
            "other",
            "Ailleurs",
            "2027-01-15",
        )
        .await,
    )
    .await;
    let edit = |version: i32, type_code: &str, attachment: String| {
        vec![
            ("document_id", delib.id.to_string()),
            ("version", version.to_string()),
            ("form[type_code]", type_code.to_owned()),
            ("form[title]", "Délibération du 3 novembre <b>".to_owned()),
            ("form[doc_date]", "2026-11-03".to_owned()),
            ("form[attachment]", attachment),
            ("form[shared]", "on".to_owned()),
        ]
    };
    refused_on(
        post(
            &http,
            &app,
            "documents/update",
            &edit(2, "inexistant", String::new()),
        )
        .await,
        422,
        "type_code",
    )
    .await;
    refused_on(
        post(
            &http,
            &app,
            "documents/update",
            &edit(2, "deliberation", format!("jalon:{foreign}")),
        )
        .await,
        422,
        "attachment",
    )
    .await;
    refused_on(
        post(
            &http,
            &app,
            "documents/update",
            &edit(2, "deliberation", "jalon:abc".to_owned()),
        )
        .await,
        422,
        "attachment",
    )
    .await;
    ok(post(
        &http,
        &app,
        "documents/update",
        &edit(2, "deliberation", format!("jalon:{milestone}")),
    )
    .await)
    .await;
    let edited = sections(&http, &app, id)
        .await
        .documents
        .documents
        .into_iter()
        .find(|d| d.id == delib.id)
        .expect("kept");
    assert!(edited.shared);
    assert_eq!(edited.milestone_id, Some(milestone));
    assert_eq!(edited.title, "Délibération du 3 novembre <b>");
    // The page shows the title as text, never as markup.
    let html = crate::support::api::html(&http, &app, &format!("/projets/{id}")).await;
    assert!(html.contains("Délibération du 3 novembre &lt;b&gt;"));

    // Deleted: gone from the page and every route at once, on the
    // timeline; its contents go at the purge.
    delete_document(&http, &app, delib.id, 3).await;
    assert_eq!(
        download(&http, &app, &format!("/documents/{}/fichier", delib.id))
            .await
            .status(),
        404
    );
    assert_eq!(sections(&http, &app, id).await.documents.documents.len(), 1);
    let detail: ProjectDetail = get(&http, &app, id, None).await;
    let kinds: Vec<EventKind> = detail.events.iter().map(|e| e.kind).collect();
    for kind in [
        EventKind::DocumentAdded,
        EventKind::DocumentVersionAdded,
        EventKind::DocumentUpdated,
        EventKind::DocumentDeleted,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} in {kinds:?}");
    }
    let (names, _) = store_state(&app).await;
    assert!(names.contains(&sha(&deliberation)) && names.contains(&sha(&signed)));
    // Within the retention period, kept; past it, rows and files go.
    let purge = |days: i64, at: chrono::DateTime<chrono::Utc>| {
        let app = &app;
        async move {
            app::server::services::documents::purge(&app.db, &app.documents, days, at)
                .await
                .expect("purge")
        }
    };
    assert_eq!(purge(30, chrono::Utc::now()).await, (0, 0));
    let later = chrono::Utc::now() + chrono::Duration::days(31);
    assert_eq!(purge(30, later).await, (1, 2));
    let (names, parts) = store_state(&app).await;
    assert_eq!(names, vec![sha(&photo)], "only the photo's file is left");
    assert_eq!(parts, 0);
    assert_eq!(rows::<document_version::Entity>(&app).await, 1);
    crate::support::finish(app, test_db).await;
}
both_backends!(documents_are_kept_versioned_and_downloaded_byte_for_byte);

async fn shared_documents_reach_only_their_readers(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let id = create(&http, &app, "Halle", &["15187"], &[]).await;
    let other = create(&http, &app, "Voie verte", &["15142"], &[]).await;
    let public = pdf("convention signée");
    let internal = pdf("note interne");
    let elsewhere = pdf("autre projet");
    for (project, name, bytes, shared) in [
        (id, "convention.pdf", &public, true),
        (id, "note.pdf", &internal, false),
        (other, "ailleurs.pdf", &elsewhere, true),
    ] {
        let mut fields = vec![("type_code", "convention")];
        if shared {
            fields.push(("shared", "on"));
        }
        let res = send(
            &http,
            &app,
            &format!("/projets/{project}/documents"),
            multipart(&fields, &[(name, bytes)]),
        )
        .await;
        assert_eq!(res.status(), 303);
    }
    let docs = sections(&http, &app, id).await.documents.documents;
    let doc_id = |name: &str| {
        docs.iter()
            .find(|d| d.versions[0].filename == name)
            .expect(name)
            .id
    };
    let (shared, hidden) = (doc_id("convention.pdf"), doc_id("note.pdf"));
    let foreign = sections(&http, &app, other).await.documents.documents[0].id;

    // A link holder: the shared page lists the shared one, which downloads;
    // the others are not found, whether they exist or not.
    let link = created(share(&http, &app, id, &[("form[target]", "link")]).await).await;
    let token = link.token.clone().expect("token");
    let anonymous = client();
    let page = crate::support::api::html(&anonymous, &app, &format!("/partage/{token}")).await;
    assert!(page.contains("convention.pdf"), "{page}");
    assert!(!page.contains("note.pdf"));
    let res = download(
        &anonymous,
        &app,
        &format!("/partage/{token}/documents/{shared}"),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), public);
    for doc in [hidden, foreign, 999_999] {
        assert_eq!(
            download(
                &anonymous,
                &app,
                &format!("/partage/{token}/documents/{doc}")
            )
            .await
            .status(),
            404,
            "{doc}"
        );
    }
    // Staff routes stay closed to them.
    let res = download(&anonymous, &app, &format!("/documents/{shared}/fichier")).await;
    assert_eq!(res.status(), 303, "to the login page");

    // A partner account through its own share; another partner sees nothing.
    let partner = signed_in_as(&app, "elu@mairie.fr", Role::Partner).await;
    let partner_id = crate::support::user_id(&app.db, "elu@mairie.fr").await;
    let user_id = partner_id.to_string();
    created(
        share(
            &http,
            &app,
            id,
            &[("form[target]", "account"), ("form[user_id]", &user_id)],
        )
        .await,
    )
    .await;
    let path = |doc: i64| format!("/espace-partenaire/projets/{id}/documents/{doc}");
    let res = download(&partner, &app, &path(shared)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), public);
    assert_eq!(download(&partner, &app, &path(hidden)).await.status(), 404);
    assert_eq!(
        download(
            &partner,
            &app,
            &format!("/espace-partenaire/projets/{other}/documents/{foreign}")
        )
        .await
        .status(),
        404,
        "a project not shared with them"
    );
    assert_eq!(
        download(&partner, &app, &format!("/documents/{shared}/fichier"))
            .await
            .status(),
        403
    );
    let page =
        crate::support::api::html(&partner, &app, &format!("/espace-partenaire/projets/{id}"))
            .await;
    assert!(page.contains(&path(shared)) && !page.contains("note.pdf"));
    let stranger = signed_in_as(&app, "autre@mairie.fr", Role::Partner).await;
    assert_eq!(download(&stranger, &app, &path(shared)).await.status(), 404);
    // A partner may not upload.
    let res = upload(&partner, &app, id, &[], &[("x.pdf", &pdf("x"))]).await;
    assert_eq!(res.status(), 403);

    // No longer shared, or deleted: not found for them at once.
    let unshare = |version: i32| {
        vec![
            ("document_id", shared.to_string()),
            ("version", version.to_string()),
            ("form[type_code]", "convention".to_owned()),
        ]
    };
    ok(post(&http, &app, "documents/update", &unshare(1)).await).await;
    assert_eq!(
        download(
            &anonymous,
            &app,
            &format!("/partage/{token}/documents/{shared}")
        )
        .await
        .status(),
        404
    );
    assert_eq!(download(&partner, &app, &path(shared)).await.status(), 404);
    let mut reshare = unshare(2);
    reshare.push(("form[shared]", "on".to_owned()));
    ok(post(&http, &app, "documents/update", &reshare).await).await;
    assert_eq!(download(&partner, &app, &path(shared)).await.status(), 200);
    delete_document(&http, &app, shared, 3).await;
    assert_eq!(download(&partner, &app, &path(shared)).await.status(), 404);

    // The link revoked: closed.
    ok(post(
        &http,
        &app,
        "shares/revoke",
        &vec![("share_id", link.share_id.to_string())],
    )
    .await)
    .await;
    assert_eq!(
        download(
            &anonymous,
            &app,
            &format!("/partage/{token}/documents/{shared}")
        )
        .await
        .status(),
        410
    );
    crate::support::finish(app, test_db).await;
}
both_backends!(shared_documents_reach_only_their_readers);

async fn nothing_kept(app: &TestApp) {
    assert_eq!(store_state(app).await, (Vec::new(), 0), "no file left");
    assert_eq!(rows::<document::Entity>(app).await, 0, "no row");
}

/// An app whose files may weigh 64 KB and a project's 200 KB, an officer
/// signed in (their session cookie) and one project.
async fn small_limits(backend: Backend) -> (TestDb, TestApp, reqwest::Client, String, i64) {
    let test_db = TestDb::new(backend).await;
    let mut config = Config::for_database(&test_db.url);
    config.documents.max_file_bytes = 64 * 1024;
    config.documents.max_project_bytes = 200 * 1024;
    let app = TestApp::spawn_with(&test_db, config).await;
    crate::support::import_fixture(&app.db).await;
    create_user(&app.db, "officer@test.fr", Role::Officer).await;
    let http = client();
    let res = crate::support::login(&http, &app, "officer@test.fr", crate::support::PASSWORD).await;
    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next())
        .collect::<Vec<_>>()
        .join("; ");
    let id = create(&http, &app, "Halle", &["15187"], &[]).await;
    (test_db, app, http, cookie, id)
}

async fn bad_files_are_refused_and_leave_nothing(backend: Backend) {
    let (test_db, app, http, _, id) = small_limits(backend).await;
    let big = {
        let mut bytes = pdf("gros");
        bytes.resize(64 * 1024 + 1, b' ');
        bytes
    };
    let mut elf = vec![0x7F, b'E', b'L', b'F', 2, 1, 1, 0];
    elf.extend(std::iter::repeat_n(0u8, 64));
    let mut exe = b"MZ\x90\x00".to_vec();
    exe.extend(std::iter::repeat_n(0u8, 64));
    for (name, bytes, needle) in [
        ("gros.pdf", big.clone(), "dépasse la taille maximale"),
        ("devis.pdf", exe.clone(), "programme"),
        ("rapport.pdf", elf.clone(), "programme"),
        (
            "page.pdf",
            b"<!DOCTYPE html><script>alert(1)</script>".to_vec(),
            "page web",
        ),
        (
            "image.png",
            b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".to_vec(),
            "page web",
        ),
        ("vide.pdf", Vec::new(), "est vide"),
        // A page that carries a PDF signature further in (detectors accept
        // it anywhere in the first kilobyte).
        (
            "polyglotte.pdf",
            b"<!doctype html><script>alert(1)</script><!--%PDF-1.4 -->".to_vec(),
            "page web",
        ),
        (
            "lot.bat",
            b"@echo off\r\n%PDF-1.4\r\n".to_vec(),
            "type accepté",
        ),
        // Far past the limit: refused while it arrives, the rest read and
        // dropped so that the French answer reaches the client.
        (
            "enorme.pdf",
            {
                let mut bytes = pdf("énorme");
                bytes.resize(3 * 1024 * 1024, b' ');
                bytes
            },
            "dépasse la taille maximale",
        ),
        ("script.txt", b"#!/bin/sh\nrm -rf /\n".to_vec(), "programme"),
        ("bruit.txt", vec![0u8, 1, 2, 3, 200, 201], "type accepté"),
        ("page.html", b"bonjour".to_vec(), "type accepté"),
    ] {
        let res = upload(&http, &app, id, &[], &[(name, &bytes)]).await;
        refused_page(res, 422, needle).await;
        nothing_kept(&app).await;
    }
    // One bad file among good ones: none is kept.
    let res = upload(
        &http,
        &app,
        id,
        &[],
        &[("bon.pdf", &pdf("bon")), ("devis.exe", &exe)],
    )
    .await;
    refused_page(res, 422, "programme").await;
    nothing_kept(&app).await;
    // The fields are checked too, after the files arrived: nothing kept.
    let res = send(
        &http,
        &app,
        &format!("/projets/{id}/documents"),
        multipart(&[("type_code", "inexistant")], &[("bon.pdf", &pdf("bon"))]),
    )
    .await;
    refused_page(res, 422, "Type").await;
    nothing_kept(&app).await;
    for (field, value, needle) in [
        ("doc_date", "0001-01-01", "Date"),
        ("doc_date", "demain", "date"),
        ("attachment", "ligne:999999", "Rattaché"),
        ("attachment", "../../", "Rattaché"),
    ] {
        let res = send(
            &http,
            &app,
            &format!("/projets/{id}/documents"),
            multipart(
                &[("type_code", "devis"), (field, value)],
                &[("bon.pdf", &pdf("bon"))],
            ),
        )
        .await;
        assert_eq!(res.status(), 422, "{field}={value}");
        let body = res.text().await.expect("body");
        assert!(
            body.to_lowercase().contains(&needle.to_lowercase()),
            "{body}"
        );
        nothing_kept(&app).await;
    }
    let res = upload(&http, &app, id, &[], &[]).await;
    refused_page(res, 422, "choisissez au moins un fichier").await;
    let res = send(
        &http,
        &app,
        "/projets/999999/documents",
        multipart(&[("type_code", "devis")], &[("a.pdf", &pdf("a"))]),
    )
    .await;
    assert_eq!(res.status(), 404);
    nothing_kept(&app).await;

    // A hostile name is kept as its last part, cleaned; the store names
    // files by their digest only.
    let hostile = pdf("hostile");
    let res = upload(
        &http,
        &app,
        id,
        &[("title", &format!("{}\u{0}", "t".repeat(300)))],
        &[("../../etc/passwd\".pdf", &hostile)],
    )
    .await;
    refused_page(res, 422, "Titre").await;
    nothing_kept(&app).await;
    let res = upload(
        &http,
        &app,
        id,
        &[],
        &[("..\\..\\etc/pass;wd\".pdf", &hostile)],
    )
    .await;
    assert_eq!(res.status(), 303);
    let docs = sections(&http, &app, id).await.documents.documents;
    // The quote ends the name in the part's header: what is left of it,
    // cleaned, given the extension of what it holds.
    assert_eq!(docs[0].versions[0].filename, "pass_wd.pdf");
    assert_eq!(docs[0].versions[0].media_type, "application/pdf");
    let res = download(&http, &app, &format!("/documents/{}/fichier", docs[0].id)).await;
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"pass_wd.pdf\""),
        "{disposition}"
    );
    assert_eq!(store_state(&app).await.0, vec![sha(&hostile)]);
    // A name that claims another kind gets the right extension.
    let res = upload(&http, &app, id, &[], &[("devis.exe", &pdf("devis"))]).await;
    assert_eq!(res.status(), 303);
    let docs = sections(&http, &app, id).await.documents.documents;
    assert!(
        docs.iter()
            .any(|d| d.versions[0].filename == "devis.exe.pdf"),
        "{docs:?}"
    );
    // A new version without the document's version is refused on it.
    let res = send(
        &http,
        &app,
        &format!("/documents/{}/version", docs[0].id),
        multipart(&[], &[("v2.pdf", &pdf("v2"))]),
    )
    .await;
    refused_page(res, 422, "La version du document manque").await;
    // Text goes out as UTF-8 text.
    let res = upload(
        &http,
        &app,
        id,
        &[],
        &[("plan.csv", "Commune;Montant\nAllanche;12\n".as_bytes())],
    )
    .await;
    assert_eq!(res.status(), 303);
    let csv = sections(&http, &app, id)
        .await
        .documents
        .documents
        .into_iter()
        .find(|d| d.versions[0].filename == "plan.csv")
        .expect("the CSV");
    let res = download(&http, &app, &format!("/documents/{}/fichier", csv.id)).await;
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    // Clean up for the quota below: the three go, their bytes still count
    // until the purge.
    delete_all_but(&http, &app, id, "pass_wd.pdf").await;
    app::server::services::documents::purge(
        &app.db,
        &app.documents,
        0,
        chrono::Utc::now() + chrono::Duration::days(1),
    )
    .await
    .expect("purge");

    // The project's space: what would pass it is refused whole.
    let fill = {
        let mut bytes = pdf("remplissage");
        bytes.resize(60 * 1024, b' ');
        bytes
    };
    let mut fills = Vec::new();
    for i in 0..4u8 {
        let mut b = fill.clone();
        b.push(i);
        fills.push(b);
    }
    let res = upload(
        &http,
        &app,
        id,
        &[],
        &[
            ("a.pdf", &fills[0]),
            ("b.pdf", &fills[1]),
            ("c.pdf", &fills[2]),
            ("d.pdf", &fills[3]),
        ],
    )
    .await;
    refused_page(res, 422, "espace réservé").await;
    assert_eq!(store_state(&app).await.0, vec![sha(&hostile)]);
    assert_eq!(rows::<document::Entity>(&app).await, 1);
    // Deleting does not free the space until the purge: sending again and
    // deleting cannot pass the limit.
    let res = upload(
        &http,
        &app,
        id,
        &[],
        &[("a.pdf", &fills[0]), ("b.pdf", &fills[1])],
    )
    .await;
    assert_eq!(res.status(), 303);
    delete_all_but(&http, &app, id, "pass_wd.pdf").await;
    let res = upload(
        &http,
        &app,
        id,
        &[],
        &[("c.pdf", &fills[2]), ("d.pdf", &fills[3])],
    )
    .await;
    refused_page(res, 422, "espace réservé").await;
    app.stop().await;
    test_db.drop().await;
}
both_backends!(bad_files_are_refused_and_leave_nothing);

/// A file far past the limit sent slowly, as over a poor line: the server
/// refuses it early, reads the rest and drops it, and the client, still
/// sending when the refusal is ready, gets the French answer rather than a
/// reset connection. With the multipart bound below the drain's (a small
/// `max_file_bytes`), the read stopped at 2,3 MB and the connection was
/// closed under the sender (the flaky `IncompleteMessage` of a CI run).
#[tokio::test]
async fn a_refused_upload_sent_slowly_still_gets_its_answer() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (test_db, app, _, cookie, id) = small_limits(Backend::Sqlite).await;
    let mut file = pdf("énorme");
    file.resize(3 * 1024 * 1024, b' ');
    let body = multipart(&[("type_code", "devis")], &[("enorme.pdf", &file)]);
    let head = format!(
        "POST /projets/{id}/documents HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\n\
         Cookie: {cookie}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
         Content-Length: {len}\r\nConnection: close\r\n\r\n",
        addr = app.addr,
        origin = app.url(""),
        len = body.len(),
    );
    let mut conn = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    conn.write_all(head.as_bytes()).await.expect("head");
    // 64 KB every 2 ms: still sending when the refusal is ready. The
    // server reads it all (a browser whose upload is cut shows a reset
    // connection, not the answer).
    let mut sent = head.len();
    for chunk in body.chunks(64 * 1024) {
        let wrote = conn.write_all(chunk).await;
        assert!(wrote.is_ok(), "cut after {sent} bytes: {wrote:?}");
        sent += chunk.len();
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let mut answer = Vec::new();
    let read = conn.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        read.is_ok(),
        "the connection was reset: {read:?}, read {answer:?}"
    );
    assert!(answer.starts_with("HTTP/1.1 422"), "{answer}");
    assert!(answer.contains("dépasse la taille maximale"), "{answer}");
    app.stop().await;
    test_db.drop().await;
}

async fn the_same_file_sent_at_once_is_stored_once(backend: Backend) {
    stored_once(backend, None).await;
}

/// The test's body, on disk or (`bucket`) on object storage.
pub(crate) async fn stored_once(backend: Backend, bucket: Option<S3Config>) {
    let (test_db, app, http, _) = signed_in_on(backend, bucket).await;
    let a = create(&http, &app, "Halle", &["15187"], &[]).await;
    let b = create(&http, &app, "Voie verte", &["15142"], &[]).await;
    let bytes = pdf("plan de financement signé");
    let mut tasks = Vec::new();
    for i in 0..10 {
        let (http, app_url, body) = (
            http.clone(),
            app.url(""),
            multipart(
                &[("type_code", "plan_financement")],
                &[("plan.pdf", &bytes)],
            ),
        );
        let project = if i % 2 == 0 { a } else { b };
        tasks.push(tokio::spawn(async move {
            http.post(format!("{app_url}/projets/{project}/documents"))
                .header(
                    "Content-Type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .header("Origin", app_url.clone())
                .body(body)
                .send()
                .await
                .expect("upload")
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), 303);
    }
    assert_eq!(
        store_state(&app).await,
        (vec![sha(&bytes)], 0),
        "stored once"
    );
    assert_eq!(rows::<document::Entity>(&app).await, 10);
    let res = download(
        &http,
        &app,
        &format!(
            "/documents/{}/fichier",
            sections(&http, &app, b).await.documents.documents[0].id
        ),
    )
    .await;
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), bytes);
    crate::support::finish(app, test_db).await;
}
both_backends!(the_same_file_sent_at_once_is_stored_once);

async fn an_erasure_removes_the_documents_that_name_the_person(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let admin = signed_in_as(&app, "admin@cc-exemple.fr", Role::Admin).await;
    let id = create(&http, &app, "Tiers-lieu", &["15187"], &[]).await;
    let person = crate::support::api::new_person(&http, &app, "Hélène", "Marchal", &[]).await;
    let cv = pdf("curriculum");
    let plan_bytes = pdf("plan");
    for (title, name, bytes) in [
        ("CV d’Hélène Marchal", "cv.pdf", &cv),
        ("", "plan.pdf", &plan_bytes),
    ] {
        let res = upload(&http, &app, id, &[("title", title)], &[(name, bytes)]).await;
        assert_eq!(res.status(), 303);
    }
    let res = upload(
        &http,
        &app,
        id,
        &[],
        &[("Courrier à helene marchal.pdf", &pdf("courrier"))],
    )
    .await;
    assert_eq!(res.status(), 303);
    // The export lists the two that name her (title, file name).
    let export: serde_json::Value = admin
        .get(app.url(&format!("/annuaire/personnes/{person}/export.json")))
        .send()
        .await
        .expect("export")
        .json()
        .await
        .expect("json");
    let named = export["documents_naming_them"].as_array().expect("list");
    assert_eq!(named.len(), 2, "{export}");
    assert!(named.iter().all(|d| d["title"] == "Tiers-lieu"));
    // Erased: those documents and their contents go at once.
    ok(post(
        &admin,
        &app,
        "directory/people/erase",
        &vec![("person_id", person.to_string())],
    )
    .await)
    .await;
    let left = sections(&http, &app, id).await.documents.documents;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].versions[0].filename, "plan.pdf");
    assert_eq!(store_state(&app).await.0, vec![sha(&plan_bytes)]);
    let detail: ProjectDetail = get(&http, &app, id, None).await;
    let timeline = serde_json::to_string(&detail.events).expect("json");
    assert!(!timeline.contains("Marchal"), "{timeline}");
    crate::support::finish(app, test_db).await;
}
both_backends!(an_erasure_removes_the_documents_that_name_the_person);

async fn a_funding_line_shows_the_documents_its_funder_asks_for(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let head = signed_in_as(&app, "direction@cc-exemple.fr", Role::Head).await;
    let id = create(&http, &app, "Halle", &["15187"], &[]).await;
    let complete = create(&http, &app, "Voie verte", &["15142"], &[]).await;
    let detr = funder(&plan(&http, &app, id).await, "detr");
    let line = add_line(&http, &app, id, &detr, "120 000", &[]).await;
    let other_line = add_line(&http, &app, complete, &detr, "50 000", &[]).await;
    let required = |p: &app::models::FundingPlan, line: i64| {
        p.lines
            .iter()
            .find(|l| l.id == line)
            .expect("line")
            .required_documents
            .iter()
            .map(|r| (r.type_code.clone(), r.present))
            .collect::<Vec<_>>()
    };
    let asked = [
        "deliberation",
        "plan_financement",
        "devis",
        "calendrier",
        "attestation_non_commencement",
    ];
    assert_eq!(
        required(&plan(&http, &app, id).await, line),
        asked
            .iter()
            .map(|c| ((*c).to_owned(), false))
            .collect::<Vec<_>>(),
        "DETR's list, none there yet"
    );
    // The other project gets all five on its line; this one only the
    // délibération, and a devis attached to the project, not the line.
    for (code, i) in asked.iter().zip(0u8..) {
        let attachment = format!("ligne:{other_line}");
        let res = send(
            &http,
            &app,
            &format!("/projets/{complete}/documents"),
            multipart(
                &[("type_code", code), ("attachment", &attachment)],
                &[("piece.pdf", &pdf(&format!("{code} {i}")))],
            ),
        )
        .await;
        assert_eq!(res.status(), 303);
    }
    let attachment = format!("ligne:{line}");
    let res = upload(
        &http,
        &app,
        id,
        &[("attachment", &attachment)],
        &[("deliberation.pdf", &pdf("délibération"))],
    )
    .await;
    assert_eq!(res.status(), 303);
    let res = send(
        &http,
        &app,
        &format!("/projets/{id}/documents"),
        multipart(&[("type_code", "devis")], &[("devis.pdf", &pdf("devis"))]),
    )
    .await;
    assert_eq!(res.status(), 303);
    let now = required(&plan(&http, &app, id).await, line);
    assert_eq!(now[0], ("deliberation".to_owned(), true));
    assert!(now[1..].iter().all(|(_, present)| !present), "{now:?}");
    assert!(
        required(&plan(&http, &app, complete).await, other_line)
            .iter()
            .all(|(_, present)| *present)
    );

    // The dashboard counts the incomplete applications; its link lists them.
    assert_eq!(
        crate::asked_documents::incomplete(&head, &app).await,
        (vec![id], 1)
    );
    let board: app::models::Dashboard =
        ok_json(post(&head, &app, "dashboard/view", &vec![]).await).await;
    assert_eq!(
        board.missing_documents_link.href(),
        "/projets?actifs=1&pieces=manquantes"
    );
    // Refused: no application left to complete.
    let today = chrono::Utc::now().date_naive().to_string();
    for (version, to) in [(1, "requested"), (2, "refused")] {
        ok(crate::support::api::move_status(
            &http,
            &app,
            line,
            version,
            to,
            &[("form[date]", &today)],
        )
        .await)
        .await;
    }
    let board: app::models::Dashboard =
        ok_json(post(&head, &app, "dashboard/view", &vec![]).await).await;
    assert_eq!(board.missing_documents, 0);
    crate::support::finish(app, test_db).await;
}
both_backends!(a_funding_line_shows_the_documents_its_funder_asks_for);

/// Deletes document `id`, seen at `version` (answered 200).
async fn delete_document(http: &reqwest::Client, app: &TestApp, id: i64, version: i32) {
    let form = vec![
        ("document_id", id.to_string()),
        ("version", version.to_string()),
    ];
    ok(post(http, app, "documents/delete", &form).await).await;
}

/// Deletes every live document of the project except the one with this
/// file name.
async fn delete_all_but(http: &reqwest::Client, app: &TestApp, project: i64, keep: &str) {
    for d in sections(http, app, project).await.documents.documents {
        if d.versions[0].filename != keep {
            delete_document(http, app, d.id, d.version).await;
        }
    }
}

/// Makes every new row of `document_versions` fail, as a database that
/// refuses the write would.
async fn break_version_writes(app: &TestApp, backend: Backend) {
    use sea_orm::ConnectionTrait;
    let statements: &[&str] = match backend {
        Backend::Sqlite => &[
            "CREATE TRIGGER refuse_versions BEFORE INSERT ON document_versions \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        ],
        Backend::Postgres => &[
            "CREATE FUNCTION refuse_versions() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
            "CREATE TRIGGER refuse_versions BEFORE INSERT ON document_versions \
             FOR EACH ROW EXECUTE FUNCTION refuse_versions()",
        ],
    };
    for sql in statements {
        app.db.execute_unprepared(sql).await.expect("trigger");
    }
}

async fn a_failed_write_takes_back_the_files_it_kept(backend: Backend) {
    failed_write_taken_back(backend, None).await;
}

/// The test's body, on disk or (`bucket`) on object storage.
pub(crate) async fn failed_write_taken_back(backend: Backend, bucket: Option<S3Config>) {
    let (test_db, app, http, _) = signed_in_on(backend, bucket).await;
    let id = create(&http, &app, "Halle", &["15187"], &[]).await;
    let first = pdf("délibération");
    let res = upload(&http, &app, id, &[], &[("deliberation.pdf", &first)]).await;
    assert_eq!(res.status(), 303);
    let doc = sections(&http, &app, id).await.documents.documents[0].clone();
    let events_before = sections(&http, &app, id).await.project.events.len();

    break_version_writes(&app, backend).await;
    // Two files, one already stored for the first document: the write
    // fails, the new file goes, the one a row cites stays.
    let new = pdf("devis");
    let res = upload(
        &http,
        &app,
        id,
        &[],
        &[("encore.pdf", &first), ("devis.pdf", &new)],
    )
    .await;
    assert_eq!(res.status(), 500);
    let body = res.text().await.expect("body");
    assert!(body.contains("lang=\"fr\""), "the French error page");
    assert_eq!(store_state(&app).await, (vec![sha(&first)], 0));
    // A new version fails the same way and leaves the document as it was.
    let mut form = Vec::new();
    let version = doc.version.to_string();
    form.push(("version", version.as_str()));
    let res = send(
        &http,
        &app,
        &format!("/documents/{}/version", doc.id),
        multipart(&form, &[("v2.pdf", &new)]),
    )
    .await;
    assert_eq!(res.status(), 500);
    assert_eq!(store_state(&app).await, (vec![sha(&first)], 0));
    let after = sections(&http, &app, id).await;
    assert_eq!(after.documents.documents.len(), 1);
    assert_eq!(after.documents.documents[0].versions.len(), 1);
    assert_eq!(after.documents.documents[0].version, doc.version);
    assert_eq!(
        after.project.events.len(),
        events_before,
        "nothing recorded"
    );
    assert_eq!(rows::<document::Entity>(&app).await, 1);
    assert_eq!(rows::<document_version::Entity>(&app).await, 1);
    crate::support::finish(app, test_db).await;
}
both_backends!(a_failed_write_takes_back_the_files_it_kept);

async fn the_admin_sets_how_long_deleted_documents_are_kept(backend: Backend) {
    let (test_db, app, http, _) = signed_in(backend).await;
    let admin = signed_in_as(&app, "admin@cc-exemple.fr", Role::Admin).await;
    let retention = |who: &reqwest::Client| {
        let (who, app) = (who.clone(), &app);
        async move {
            ok_json::<app::models::RetentionView>(
                post(&who, app, "documents/retention", &vec![]).await,
            )
            .await
        }
    };
    let save = |who: &reqwest::Client, days: &str| {
        let (who, app, days) = (who.clone(), &app, days.to_owned());
        async move {
            post(
                &who,
                app,
                "documents/retention/save",
                &vec![("form[days]", days)],
            )
            .await
        }
    };
    assert_eq!(
        retention(&admin).await,
        app::models::RetentionView {
            days: 30,
            default_days: 30,
            set: false
        }
    );
    // Admins only.
    for who in [
        &http,
        &signed_in_as(&app, "direction@cc-exemple.fr", Role::Head).await,
    ] {
        refused(post(who, &app, "documents/retention", &vec![]).await, 403).await;
        refused(save(who, "1").await, 403).await;
    }
    // Anything but whole days within ten years is refused on its field.
    let long = "9".repeat(5_000);
    for bad in ["-1", "3651", "1e3", "30 jours", "<script>", long.as_str()] {
        let err = refused_on(save(&admin, bad).await, 422, "days").await;
        assert!(!err.message().contains('<'), "{err:?}");
    }
    assert!(!retention(&admin).await.set, "nothing changed");

    // A document deleted now: kept 30 days by default, 5 once set.
    let id = create(&http, &app, "Halle", &["15187"], &[]).await;
    let res = upload(&http, &app, id, &[], &[("vieux.pdf", &pdf("vieux"))]).await;
    assert_eq!(res.status(), 303);
    let doc = sections(&http, &app, id).await.documents.documents[0].clone();
    delete_document(&http, &app, doc.id, doc.version).await;
    let in_six_days = chrono::Utc::now() + chrono::Duration::days(6);
    let scheduled = || async {
        app::server::services::documents::scheduled_purge(&app.db, &app.documents, 30, in_six_days)
            .await
            .expect("purge")
    };
    assert_eq!(scheduled().await, (0, 0), "30 days by default");
    // Two admins save at once: both are answered, one value is kept.
    let (a, b) = tokio::join!(save(&admin, "5"), save(&admin, " 7 "));
    ok(a).await;
    ok(b).await;
    let now = retention(&admin).await;
    assert!(now.set && [5, 7].contains(&now.days), "{now:?}");
    ok(save(&admin, "5").await).await;
    assert_eq!(
        retention(&admin).await,
        app::models::RetentionView {
            days: 5,
            default_days: 30,
            set: true
        }
    );
    assert_eq!(scheduled().await, (1, 1), "past 5 days, row and file go");
    assert_eq!(store_state(&app).await, (Vec::new(), 0));
    // Empty: back to the server's period.
    ok(save(&admin, "").await).await;
    assert_eq!(
        retention(&admin).await,
        app::models::RetentionView {
            days: 30,
            default_days: 30,
            set: false
        }
    );
    // The admin's page shows it, and the form.
    let page = crate::support::api::html(&admin, &app, "/admin/types-de-documents").await;
    assert!(page.contains("Conservation des documents supprimés"));
    assert!(page.contains("En vigueur : 30 jours."));
    crate::support::finish(app, test_db).await;
}
both_backends!(the_admin_sets_how_long_deleted_documents_are_kept);
