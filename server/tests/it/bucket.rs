//! Documents on S3-compatible object storage: the document tests run again
//! with the app's store in a bucket of a real S3 server (moto's, from PyPI,
//! installed by scripts/test.sh and started here), on SQLite — the store
//! does not depend on the database.
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

use app::server::config::S3Config;

use crate::calendar::python;
use crate::support::Backend;

/// A real S3 server (moto), on a free local port.
struct S3Server {
    child: Child,
    port: u16,
}

impl S3Server {
    async fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let child = Command::new(python())
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p"])
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto (scripts/test.sh installs it)");
        // Owned at once: dropped (killed and waited for) if it never answers.
        let server = Self { child, port };
        for _ in 0..300 {
            if reqwest::get(format!("http://127.0.0.1:{port}/moto-api/"))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the S3 server did not start on port {port}");
    }

    /// A new, empty bucket, and how the app reaches it.
    async fn bucket(&self, name: &str) -> S3Config {
        let res = reqwest::Client::new()
            .put(format!("http://127.0.0.1:{}/{name}", self.port))
            .send()
            .await
            .expect("create the bucket");
        assert_eq!(res.status(), 200, "{:?}", res.text().await);
        S3Config {
            bucket: name.to_owned(),
            endpoint: Some(format!("http://127.0.0.1:{}", self.port)),
            region: "eu-west-3".to_owned(),
            access_key_id: "maillage".to_owned(),
            secret_access_key: "secret-de-test".to_owned(),
            prefix: "maillage/".to_owned(),
        }
    }

    /// The keys the bucket holds, as the S3 API lists them.
    async fn keys(&self, name: &str) -> Vec<String> {
        let xml = reqwest::get(format!("http://127.0.0.1:{}/{name}?list-type=2", self.port))
            .await
            .expect("list")
            .text()
            .await
            .expect("body");
        xml.split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split("</Key>").next())
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Upload, versions, byte-identical downloads, deletion and the purge,
/// with the contents in a bucket: under the prefix, by digest, and
/// nothing on disk but the (empty) upload folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_are_kept_in_a_bucket() {
    let s3 = S3Server::start().await;
    let bucket = s3.bucket("versions").await;
    crate::documents::kept_versioned_and_downloaded(Backend::Sqlite, Some(bucket)).await;
    let keys = s3.keys("versions").await;
    assert_eq!(keys.len(), 1, "only the photo is left: {keys:?}");
    let key = &keys[0];
    let digest = key.rsplit('/').next().unwrap_or_default();
    assert_eq!(
        key,
        &format!("maillage/{}/{}/{digest}", &digest[..2], &digest[2..4])
    );
}

/// Ten uploads of one file at once: one object.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_file_is_stored_once_in_a_bucket() {
    let s3 = S3Server::start().await;
    let bucket = s3.bucket("once").await;
    crate::documents::stored_once(Backend::Sqlite, Some(bucket)).await;
    assert_eq!(s3.keys("once").await.len(), 1);
}

/// A write that fails takes back the objects it put, not one a row cites.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_write_takes_back_its_objects() {
    let s3 = S3Server::start().await;
    let bucket = s3.bucket("undo").await;
    crate::documents::failed_write_taken_back(Backend::Sqlite, Some(bucket)).await;
    assert_eq!(s3.keys("undo").await.len(), 1);
}

/// An unreachable bucket: the upload is refused with the French error
/// page, and nothing is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_bucket_keeps_nothing() {
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let bucket = S3Config {
        bucket: "nulle-part".to_owned(),
        endpoint: Some(format!("http://127.0.0.1:{port}")),
        region: "eu-west-3".to_owned(),
        access_key_id: "maillage".to_owned(),
        secret_access_key: "secret-de-test".to_owned(),
        prefix: String::new(),
    };
    let (test_db, app, http, _) =
        crate::support::api::signed_in_on(Backend::Sqlite, Some(bucket)).await;
    let id = crate::support::api::create(&http, &app, "Halle", &["15187"], &[]).await;
    let res = crate::documents::send(
        &http,
        &app,
        &format!("/projets/{id}/documents"),
        crate::documents::multipart(
            &[("type_code", "devis")],
            &[("devis.pdf", &crate::documents::pdf("devis"))],
        ),
    )
    .await;
    assert_eq!(res.status(), 500);
    assert!(res.text().await.expect("body").contains("lang=\"fr\""));
    let parts = std::fs::read_dir(app.documents.root().join("tmp"))
        .map(|dir| dir.count())
        .unwrap_or(0);
    assert_eq!(parts, 0, "the received file is not left behind");
    crate::support::finish(app, test_db).await;
}
