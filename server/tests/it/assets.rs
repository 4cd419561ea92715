//! How the built files and the pages are cached and compressed: hashed
//! files kept a year and served in the brotli or gzip copy made at build
//! time; pages and the icon with their own policy.
use std::path::Path;

use crate::support::api::{add_milestone, create, ok, signed_in};
use crate::support::{Backend, TestApp, TestDb, client};

/// `/pkg` of a hashed build (what scripts/build.sh writes), over real HTTP.
async fn serve_pkg(site_root: &Path, hashed: bool) -> String {
    let options = leptos::config::LeptosOptions::builder()
        .output_name("maillage")
        .site_root(site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .hash_files(hashed)
        .build();
    let router = axum::Router::new().nest_service("/pkg", server::site::pkg_service(&options));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn hashed_files_are_immutable_and_served_precompressed() {
    let site = tempfile::tempdir().expect("tempdir");
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg");
    let name = "maillage.0123456789abcdef.js";
    std::fs::write(pkg.join(name), "console.log('brut');").expect("raw");
    std::fs::write(pkg.join(format!("{name}.br")), b"BROTLI").expect("br");
    std::fs::write(pkg.join(format!("{name}.gz")), b"GZIP").expect("gz");
    let base = serve_pkg(site.path(), true).await;
    let url = format!("{base}/pkg/{name}");

    for (accept, encoding, body) in [
        ("br, gzip", Some("br"), "BROTLI"),
        ("gzip", Some("gzip"), "GZIP"),
        ("identity", None, "console.log('brut');"),
    ] {
        let res = client()
            .get(&url)
            .header("accept-encoding", accept)
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), 200, "{accept}");
        let header = |name: &str| {
            res.headers()
                .get(name)
                .map(|v| v.to_str().expect("ascii").to_owned())
        };
        assert_eq!(
            header("cache-control").as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(header("content-encoding").as_deref(), encoding, "{accept}");
        assert!(
            header("content-type")
                .expect("type")
                .starts_with("text/javascript"),
            "{accept}"
        );
        assert_eq!(res.text().await.expect("body"), body, "{accept}");
    }

    // Unhashed names (a cargo-leptos build) are revalidated instead.
    let plain = serve_pkg(site.path(), false).await;
    let res = client()
        .get(format!("{plain}/pkg/{name}"))
        .send()
        .await
        .expect("get");
    assert_eq!(
        res.headers().get("cache-control").expect("policy"),
        "no-cache"
    );
}

#[tokio::test]
async fn pages_are_never_kept_by_shared_caches() {
    let test_db = TestDb::new(Backend::Sqlite).await;
    let app = TestApp::spawn(&test_db).await;
    let page = app.get("/connexion").await;
    assert_eq!(page.status(), 200);
    assert_eq!(
        page.headers().get("cache-control").expect("policy"),
        "no-cache, private"
    );
    let missing = app.get("/pkg/absent.0123456789abcdef.js").await;
    assert_eq!(missing.status(), 404);
    // A missing file is never kept: the next build may bring it.
    let policy = missing.headers().get("cache-control").expect("policy");
    assert!(
        !policy.to_str().expect("ascii").contains("max-age"),
        "{policy:?}"
    );
    crate::support::finish(app, test_db).await;
}

/// A page the browser holds and revalidates comes back as a 304 without
/// its body while nothing on it changed — though each render has its own
/// nonce — and with no policy, so the browser keeps the one whose nonce is
/// in its copy; once the project changed, the page comes back whole.
#[tokio::test]
async fn an_unchanged_page_is_revalidated_without_its_body() {
    let (test_db, app, http, _) = signed_in(Backend::Sqlite).await;
    let id = create(&http, &app, "Halle", &["15187"], &[]).await;
    let url = app.url(&format!("/projets/{id}"));
    let first = http.get(&url).send().await.expect("page");
    assert_eq!(first.status(), 200);
    let tag = first.headers().get("etag").expect("a validator").clone();
    let policy = first.headers()["content-security-policy"].clone();

    let again = http
        .get(&url)
        .header("if-none-match", &tag)
        .send()
        .await
        .expect("page");
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], tag);
    assert_eq!(again.headers()["cache-control"], "no-cache, private");
    assert!(again.headers().get("content-security-policy").is_none());
    assert!(again.bytes().await.expect("body").is_empty());

    // Another render: another nonce, the same tag.
    let third = http.get(&url).send().await.expect("page");
    assert_ne!(third.headers()["content-security-policy"], policy);
    assert_eq!(third.headers()["etag"], tag);

    ok(add_milestone(&http, &app, id, "decision", "Visite du site", "2027-03-01").await).await;
    let changed = http
        .get(&url)
        .header("if-none-match", &tag)
        .send()
        .await
        .expect("page");
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"], tag);
    assert!(
        changed
            .text()
            .await
            .expect("body")
            .contains("Visite du site")
    );
    crate::support::finish(app, test_db).await;
}
