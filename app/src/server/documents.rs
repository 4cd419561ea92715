//! The document store: the contents of documents on local disk, named by
//! their SHA-256 (the same file is stored once, whoever sends it and
//! however often), under the directory `DOCUMENTS_DIR`.
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
//! two instances sharing one directory would need object storage (not
//! built: see docs/ARCHITECTURE.md).
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::sync::{Mutex, MutexGuard};

use crate::domain::document::HEAD_BYTES;
use crate::error::AppError;

/// Where the contents live, and the lock of their commits.
pub struct Store {
    root: PathBuf,
    lock: Mutex<()>,
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
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Store {
            root: root.into(),
            lock: Mutex::new(()),
        }
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
    pub async fn open(&self, sha256: &str) -> Result<tokio::fs::File, AppError> {
        let path = self.path_of(sha256).ok_or(AppError::NotFound)?;
        tokio::fs::File::open(&path).await.map_err(|e| {
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
        tokio::fs::metadata(&path)
            .await
            .ok()
            .and_then(|m| m.modified().ok())
            .is_some_and(|t| chrono::DateTime::<chrono::Utc>::from(t) > since)
    }

    /// Every name of contents in the store.
    pub async fn names(&self) -> Result<Vec<String>, AppError> {
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
