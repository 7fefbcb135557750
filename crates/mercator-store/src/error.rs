use mercator_core::{ErrorCode, ErrorPayload};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("data folder {0} does not exist")]
    DataDirMissing(PathBuf),
    #[error("{0} is not a folder")]
    DataDirNotDir(PathBuf),
    #[error("data folder {path} is not writable: {detail}")]
    DataDirReadOnly { path: PathBuf, detail: String },
    #[error("database {0} is in use by another process")]
    Locked(PathBuf),
    #[error("database {path} is corrupt: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    #[error("{0} is not an SQLite database file")]
    NotADatabase(PathBuf),
    #[error("{0} holds another program's tables, not a Mercator shop")]
    ForeignDatabase(PathBuf),
    #[error("database {path} has schema {found}, newer than {known}")]
    NewerVersion { path: PathBuf, found: i64, known: i64 },
    #[error("backup of {path} failed: {detail}")]
    BackupFailed { path: PathBuf, detail: String },
    #[error("migrating {path} failed: {detail}")]
    MigrationFailed { path: PathBuf, detail: String, backup: Option<PathBuf> },
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("{field}: {detail}")]
    Invalid { field: String, detail: String },
    /// Input refused by a domain rule; the payload says what to fix.
    #[error("rejected: {0}")]
    Rejected(ErrorPayload),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// The path of the database file the error is about, if any.
    pub fn db_path(&self) -> Option<&std::path::Path> {
        match self {
            StoreError::Locked(p)
            | StoreError::NotADatabase(p)
            | StoreError::ForeignDatabase(p)
            | StoreError::Corrupt { path: p, .. }
            | StoreError::NewerVersion { path: p, .. }
            | StoreError::BackupFailed { path: p, .. }
            | StoreError::MigrationFailed { path: p, .. } => Some(p),
            _ => None,
        }
    }

    /// Whether "move the file aside and start fresh" is a sensible offer.
    pub fn can_move_aside(&self) -> bool {
        matches!(
            self,
            StoreError::Corrupt { .. }
                | StoreError::NotADatabase(_)
                | StoreError::ForeignDatabase(_)
                | StoreError::MigrationFailed { .. }
        )
    }
}

impl From<&StoreError> for ErrorPayload {
    fn from(e: &StoreError) -> Self {
        let p = |path: &std::path::Path| path.display().to_string();
        match e {
            StoreError::DataDirMissing(path) => ErrorPayload::new(ErrorCode::DataDirMissing).arg("path", p(path)),
            StoreError::DataDirNotDir(path) => ErrorPayload::new(ErrorCode::DataDirNotDir).arg("path", p(path)),
            StoreError::DataDirReadOnly { path, .. } => {
                ErrorPayload::new(ErrorCode::DataDirReadOnly).arg("path", p(path))
            }
            StoreError::Locked(path) => ErrorPayload::new(ErrorCode::DbLocked).arg("path", p(path)),
            StoreError::Corrupt { path, detail } => {
                ErrorPayload::new(ErrorCode::DbCorrupt).arg("path", p(path)).arg("detail", detail)
            }
            StoreError::NotADatabase(path) => ErrorPayload::new(ErrorCode::DbNotSqlite).arg("path", p(path)),
            StoreError::ForeignDatabase(path) => ErrorPayload::new(ErrorCode::DbForeign).arg("path", p(path)),
            StoreError::NewerVersion { path, found, known } => ErrorPayload::new(ErrorCode::DbNewerVersion)
                .arg("path", p(path))
                .arg("found", found)
                .arg("known", known),
            StoreError::BackupFailed { path, detail } => {
                ErrorPayload::new(ErrorCode::DbBackupFailed).arg("path", p(path)).arg("detail", detail)
            }
            StoreError::MigrationFailed { path, detail, backup } => ErrorPayload::new(ErrorCode::DbMigrationFailed)
                .arg("path", p(path))
                .arg("detail", detail)
                .arg("backup", backup.as_deref().map_or_else(|| "-".into(), p)),
            StoreError::NotFound { what } => ErrorPayload::new(ErrorCode::NotFound).arg("what", what),
            StoreError::Invalid { field, detail } => {
                ErrorPayload::new(ErrorCode::InvalidArgument).arg("field", field).arg("detail", detail)
            }
            StoreError::Rejected(p) => p.clone(),
            StoreError::Db(e) => ErrorPayload::new(ErrorCode::DbIo).arg("detail", e),
            StoreError::Io(e) => ErrorPayload::new(ErrorCode::DbIo).arg("detail", e),
        }
    }
}

/// SQLite primary result codes we react to.
pub(crate) fn sqlite_code(e: &sqlx::Error) -> Option<i32> {
    match e {
        sqlx::Error::Database(db) => db.code().and_then(|c| c.parse::<i32>().ok()).map(|c| c & 0xff),
        _ => None,
    }
}

pub(crate) const SQLITE_BUSY: i32 = 5;
pub(crate) const SQLITE_CORRUPT: i32 = 11;
pub(crate) const SQLITE_NOTADB: i32 = 26;
