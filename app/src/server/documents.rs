//! The document store: the contents of documents named by their SHA-256
//! (the same file is stored once, whoever sends it and however often),
//! on local disk under the directory `DOCUMENTS_DIR`, or on S3-compatible
//! object storage when `DOCUMENTS_S3_BUCKET` is set (`object_store`; the
//! directory then holds only the uploads being received).
//!
//! An upload is written to `tmp/` as it arrives, hashed and counted on
//! the way (never held whole in memory), refused as soon as it passes the
//! size limit, and moved into place only when whole. An upload dropped
//! before `keep` (refused, cut, failed) leaves nothing behind.
//!
//! Moving a file into place and writing the rows that refer to it happen
//! under one lock (`commit_lock`), and so does removing contents no row
//! refers to any more: a removal never takes a file that an upload in
//! progress has just found already stored. The lock is this process's;
//! across instances (one bucket or one shared directory), an upload that
//! finds its contents already stored writes them again, which dates them
//! anew, and the purge spares contents dated within the last hour.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use object_store::ObjectStore;
use object_store::path::Path as Key;

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::sync::{Mutex, MutexGuard};

use crate::domain::document::HEAD_BYTES;
use crate::error::AppError;

/// Where the contents live, and the lock of their commits.
pub struct Store {
    /// The contents on disk, and always the uploads being received
    /// (`tmp/`).
    root: PathBuf,
    /// The contents in a bucket instead, under a prefix.
    objects: Option<(Arc<dyn ObjectStore>, String)>,
    lock: Mutex<()>,
}

/// The contents of a document, to send.
pub enum Contents {
    File(tokio::fs::File),
    Object(object_store::GetResult),
}

/// A file received whole and kept in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub sha256: String,
    pub size: u64,
    /// Its first bytes, to judge its kind.
    pub head: Vec<u8>,
    /// Whether this upload put the contents in the store (they were not
    /// there already).
    pub created: bool,
}

/// Why an upload stopped.
#[derive(Debug)]
pub enum UploadError {
    /// Past the size limit.
    TooLarge,
    Io(std::io::Error),
}

impl From<std::io::Error> for UploadError {
    fn from(e: std::io::Error) -> Self {
        UploadError::Io(e)
    }
}

/// Whether `name` is a SHA-256 in hex (a name the store gave).
fn is_digest(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl Store {
    /// The contents on disk under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Store {
            root: root.into(),
            objects: None,
            lock: Mutex::new(()),
        }
    }

    /// The store `config` describes: on disk, or in its bucket (uploads
    /// still received under its directory).
    pub fn from_config(config: &crate::server::config::DocumentsConfig) -> Result<Self, AppError> {
        let mut store = Store::new(config.dir.clone());
        if let Some(s3) = &config.s3 {
            let mut builder = object_store::aws::AmazonS3Builder::new()
                .with_bucket_name(&s3.bucket)
                .with_region(&s3.region)
                .with_access_key_id(&s3.access_key_id)
                .with_secret_access_key(&s3.secret_access_key)
                // A few quick retries: a user waits on the other end.
                .with_retry(object_store::RetryConfig {
                    max_retries: 3,
                    retry_timeout: std::time::Duration::from_secs(15),
                    ..Default::default()
                })
                // A part of a large file may take a while on a slow link.
                .with_client_options(
                    object_store::ClientOptions::new()
                        .with_timeout(std::time::Duration::from_secs(300))
                        .with_connect_timeout(std::time::Duration::from_secs(5)),
                );
            if let Some(endpoint) = &s3.endpoint {
                builder = builder
                    .with_endpoint(endpoint)
                    .with_allow_http(endpoint.starts_with("http://"))
                    // MinIO and most others address buckets by path.
                    .with_virtual_hosted_style_request(false);
            }
            let client = builder.build().map_err(|e| {
                AppError::internal(format!("document store: S3 configuration: {e}"))
            })?;
            store.objects = Some((Arc::new(client), s3.prefix.clone()));
        }
        Ok(store)
    }

    /// The key of the contents named `sha256` in the bucket.
    fn key_of(prefix: &str, sha256: &str) -> Key {
        Key::from(format!(
            "{prefix}{}/{}/{sha256}",
            &sha256[..2],
            &sha256[2..4]
        ))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the contents named `sha256` are (two levels of folders, so
    /// that no folder holds too many files).
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        is_digest(sha256).then(|| {
            self.root
                .join(&sha256[..2])
                .join(&sha256[2..4])
                .join(sha256)
        })
    }

    fn tmp(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// A new upload of at most `limit` bytes.
    pub async fn begin(&self, limit: u64) -> Result<Upload, AppError> {
        tokio::fs::create_dir_all(self.tmp()).await.map_err(io)?;
        let name = format!("{}.part", crate::server::share_token::generate().0);
        let path = self.tmp().join(name);
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(io)?;
        Ok(Upload {
            file: Some(file),
            path,
            hasher: Sha256::new(),
            size: 0,
            limit,
            head: Vec::new(),
        })
    }

    /// The commit lock: held while contents move into place and rows refer
    /// to them, and while unreferenced contents are removed.
    pub async fn commit_lock(&self) -> MutexGuard<'_, ()> {
        self.lock.lock().await
    }

    /// Opens the contents named `sha256`.
    pub async fn open(&self, sha256: &str) -> Result<Contents, AppError> {
        let path = self.path_of(sha256).ok_or(AppError::NotFound)?;
        if let Some((objects, prefix)) = &self.objects {
            return match objects.get(&Self::key_of(prefix, sha256)).await {
                Ok(found) => Ok(Contents::Object(found)),
                Err(e) => {
                    if matches!(e, object_store::Error::NotFound { .. }) {
                        tracing::error!(sha256, "document contents missing from the bucket");
                    }
                    Err(object_error(e))
                }
            };
        }
        tokio::fs::File::open(&path)
            .await
            .map(Contents::File)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    tracing::error!(sha256, "document contents missing from the store");
                }
                io(e)
            })
    }

    /// Removes the contents named `sha256` (under the commit lock, once no
    /// row refers to them). Removing what is not there is not an error.
    pub async fn remove(&self, sha256: &str) -> Result<(), AppError> {
        let Some(path) = self.path_of(sha256) else {
            return Ok(());
        };
        if let Some((objects, prefix)) = &self.objects {
            return match objects.delete(&Self::key_of(prefix, sha256)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(object_error(e)),
            };
        }
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(e)),
        }
    }

    /// Whether the contents `sha256` were written or last found by an
    /// upload after `since`.
    pub async fn used_since(&self, sha256: &str, since: chrono::DateTime<chrono::Utc>) -> bool {
        let Some(path) = self.path_of(sha256) else {
            return false;
        };
        if let Some((objects, prefix)) = &self.objects {
            return objects
                .head(&Self::key_of(prefix, sha256))
                .await
                .is_ok_and(|meta| meta.last_modified > since);
        }
        tokio::fs::metadata(&path)
            .await
            .ok()
            .and_then(|m| m.modified().ok())
            .is_some_and(|t| chrono::DateTime::<chrono::Utc>::from(t) > since)
    }

    /// Every name of contents in the store.
    pub async fn names(&self) -> Result<Vec<String>, AppError> {
        if let Some((objects, prefix)) = &self.objects {
            use futures::TryStreamExt;
            let under = (!prefix.is_empty()).then(|| Key::from(prefix.trim_end_matches('/')));
            let mut out: Vec<String> = objects
                .list(under.as_ref())
                .map_ok(|meta| meta.location.filename().unwrap_or_default().to_owned())
                .try_filter(|name| std::future::ready(is_digest(name)))
                .try_collect()
                .await
                .map_err(object_error)?;
            out.sort();
            return Ok(out);
        }
        let mut out = Vec::new();
        let mut stack = vec![self.root.clone()];
        while let Some(dir) = stack.pop() {
            let mut entries = match tokio::fs::read_dir(&dir).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io(e)),
            };
            while let Some(entry) = entries.next_entry().await.map_err(io)? {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if entry.file_type().await.map_err(io)?.is_dir() {
                    if path != self.tmp() {
                        stack.push(path);
                    }
                } else if is_digest(&name) {
                    out.push(name);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Removes the parts of uploads that never finished, older than
    /// `age` (a process stopped mid-upload leaves them); how many.
    pub async fn sweep_parts(&self, age: std::time::Duration) -> Result<usize, AppError> {
        let mut entries = match tokio::fs::read_dir(self.tmp()).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(io(e)),
        };
        let mut removed = 0;
        while let Some(entry) = entries.next_entry().await.map_err(io)? {
            let old = entry
                .metadata()
                .await
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|elapsed| elapsed > age);
            if old && tokio::fs::remove_file(entry.path()).await.is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }
}

fn io(e: std::io::Error) -> AppError {
    AppError::internal(format!("document store: {e}"))
}

fn object_error(e: object_store::Error) -> AppError {
    AppError::internal(format!("document store (bucket): {e}"))
}

/// A file being received: written to `tmp/`, hashed and counted.
pub struct Upload {
    file: Option<tokio::fs::File>,
    path: PathBuf,
    hasher: Sha256,
    size: u64,
    limit: u64,
    head: Vec<u8>,
}

impl Upload {
    /// Adds the next bytes; `TooLarge` as soon as the limit is passed.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), UploadError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(UploadError::TooLarge);
        }
        if self.head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| std::io::Error::other("upload already finished"))?;
        file.write_all(chunk).await?;
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The contents written to disk and their digest; the file stays in
    /// `tmp/` until `keep`.
    pub async fn finish(&mut self) -> Result<String, AppError> {
        if let Some(mut file) = self.file.take() {
            file.flush().await.map_err(io)?;
            file.sync_all().await.map_err(io)?;
        }
        Ok(hex::encode(self.hasher.clone().finalize()))
    }

    /// Moves the finished upload into place under its digest (call it under
    /// the commit lock): when the same contents are there already, they
    /// stay and this copy goes.
    pub async fn keep(mut self, store: &Store, sha256: &str) -> Result<Stored, AppError> {
        let target = store.path_of(sha256).ok_or(AppError::NotFound)?;
        if let Some((objects, prefix)) = &store.objects {
            let key = Store::key_of(prefix, sha256);
            let created = match objects.head(&key).await {
                Ok(_) => false,
                Err(object_store::Error::NotFound { .. }) => true,
                Err(e) => return Err(object_error(e)),
            };
            // Sent even when there already, which dates it anew (see the
            // module's comment); large files go in parts.
            let mut file = tokio::fs::File::open(&self.path).await.map_err(io)?;
            let mut writer = object_store::buffered::BufWriter::new(objects.clone(), key);
            tokio::io::copy(&mut file, &mut writer).await.map_err(io)?;
            writer.shutdown().await.map_err(io)?;
            drop(file);
            tokio::fs::remove_file(&self.path).await.map_err(io)?;
            self.path = PathBuf::new();
            return Ok(Stored {
                sha256: sha256.to_owned(),
                size: self.size,
                head: std::mem::take(&mut self.head),
                created,
            });
        }
        let created = if tokio::fs::try_exists(&target).await.map_err(io)? {
            tokio::fs::remove_file(&self.path).await.map_err(io)?;
            // Marked as just used: a sweep leaves files this young alone,
            // whichever instance runs it.
            let touched = target.clone();
            tokio::task::spawn_blocking(move || {
                std::fs::File::options()
                    .write(true)
                    .open(&touched)
                    .and_then(|f| f.set_modified(std::time::SystemTime::now()))
            })
            .await
            .map_err(|e| AppError::internal(format!("document store: {e}")))?
            .map_err(io)?;
            false
        } else {
            if let Some(dir) = target.parent() {
                tokio::fs::create_dir_all(dir).await.map_err(io)?;
            }
            tokio::fs::rename(&self.path, &target).await.map_err(io)?;
            true
        };
        // Nothing left in tmp/ to remove on drop.
        self.path = PathBuf::new();
        Ok(Stored {
            sha256: sha256.to_owned(),
            size: self.size,
            head: std::mem::take(&mut self.head),
            created,
        })
    }
}

impl Drop for Upload {
    /// An upload never kept leaves nothing behind.
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::config::{DocumentsConfig, S3Config};

    fn bucket(endpoint: Option<&str>) -> DocumentsConfig {
        DocumentsConfig {
            s3: Some(S3Config {
                bucket: "maillage".to_owned(),
                endpoint: endpoint.map(str::to_owned),
                region: "fr-par".to_owned(),
                access_key_id: "SCWXXXX".to_owned(),
                secret_access_key: "le-secret-du-compartiment".to_owned(),
                prefix: "documents/".to_owned(),
            }),
            ..DocumentsConfig::default()
        }
    }

    #[test]
    fn a_bucket_is_reached_over_https_or_at_amazon() {
        for endpoint in [Some("https://s3.fr-par.scw.cloud"), None] {
            let store = Store::from_config(&bucket(endpoint)).expect("a store");
            assert!(store.objects.is_some());
        }
        assert!(
            Store::from_config(&DocumentsConfig::default())
                .expect("a store")
                .objects
                .is_none()
        );
    }

    #[test]
    fn the_secret_never_shows_in_the_logs() {
        let shown = format!("{:?}", bucket(None));
        assert!(shown.contains("SCWXXXX"), "{shown}");
        assert!(!shown.contains("le-secret"), "{shown}");
    }

    #[test]
    fn keys_are_under_the_prefix_by_digest() {
        let digest = "ab".repeat(32);
        assert_eq!(
            Store::key_of("documents/", &digest).as_ref(),
            format!("documents/ab/ab/{digest}")
        );
    }
}
