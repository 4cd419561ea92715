//! `maillage backup FILE` and `maillage restore FILE` for SQLite.
//!
//! A backup is `VACUUM INTO`: an online, consistent copy of the database
//! as of one transaction, taken while the app keeps serving and writing.
//! A restore puts such a copy in place of the database file; the server
//! must be stopped. PostgreSQL uses its own tools (`pg_dump -Fc`,
//! `pg_restore`; see the README).
use std::path::Path;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};

/// Writes a consistent copy of the SQLite database to `file` (which must
/// not exist yet).
pub async fn backup(db: &DatabaseConnection, file: &Path) -> Result<(), String> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Err(
            "la sauvegarde intégrée concerne SQLite ; pour PostgreSQL, utilisez pg_dump -Fc (voir le README)"
                .into(),
        );
    }
    if file.exists() {
        return Err(format!(
            "{} existe déjà : choisissez un autre fichier",
            file.display()
        ));
    }
    let path = file
        .to_str()
        .ok_or_else(|| format!("chemin illisible : {}", file.display()))?;
    db.execute_unprepared(&format!("VACUUM INTO '{}'", path.replace('\'', "''")))
        .await
        .map_err(|e| format!("sauvegarde impossible : {e}"))?;
    Ok(())
}

/// Replaces the SQLite database at `target` by the backup `file`, after
/// checking the backup is a sound Maillage database. The server must not
/// be running on `target`.
pub async fn restore(file: &Path, target: &Path) -> Result<(), String> {
    let url = format!("sqlite://{}?mode=ro", file.display());
    let copy = sea_orm::Database::connect(&url)
        .await
        .map_err(|e| format!("{} ne s’ouvre pas comme base SQLite : {e}", file.display()))?;
    let check = copy
        .query_one_raw(sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check".to_owned(),
        ))
        .await
        .map_err(|e| format!("{} n’est pas une base SQLite : {e}", file.display()))?
        .and_then(|row| row.try_get_by_index::<String>(0).ok());
    if check.as_deref() != Some("ok") {
        return Err(format!("{} est endommagée : {check:?}", file.display()));
    }
    let has_projects = copy
        .query_one_raw(sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'projects'".to_owned(),
        ))
        .await
        .ok()
        .flatten()
        .and_then(|row| row.try_get_by_index::<i64>(0).ok());
    copy.close().await.ok();
    if has_projects != Some(1) {
        return Err(format!(
            "{} n’est pas une sauvegarde de Maillage",
            file.display()
        ));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{} : {e}", dir.display()))?;
    }
    // Copy beside the target, then rename over it: a failure halfway leaves
    // the old database whole. The old WAL files would not match the copy.
    let partial = target.with_extension("restauration");
    std::fs::copy(file, &partial).map_err(|e| format!("copie impossible : {e}"))?;
    for suffix in ["-wal", "-shm"] {
        let side = format!("{}{suffix}", target.display());
        let _ = std::fs::remove_file(side);
    }
    std::fs::rename(&partial, target).map_err(|e| format!("remplacement impossible : {e}"))
}
