use crate::error::{sqlite_code, StoreError, SQLITE_BUSY, SQLITE_CORRUPT, SQLITE_NOTADB};
use crate::seed::SeedStats;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection, SqlitePool};
use std::fs::{File, OpenOptions as FsOpen};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DB_FILE_NAME: &str = "mercator.db";
pub const LOCK_FILE_NAME: &str = "mercator.lock";
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Load the demo shop into a database that has no shop yet.
    pub seed_demo: bool,
    pub max_connections: u32,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self { seed_demo: true, max_connections: 4 }
    }
}

/// What opening did, for the log and the UI.
#[derive(Debug, Clone, Default)]
pub struct OpenReport {
    /// The data folder or database file did not exist before.
    pub created_dir: bool,
    pub created_db: bool,
    /// Backup written before migrations ran, if any ran on an existing file.
    pub backup: Option<PathBuf>,
    pub applied_migrations: Vec<i64>,
    pub seeded: Option<SeedStats>,
}

/// An open shop profile: the pool and the lock that keeps other processes out.
pub struct Store {
    pool: SqlitePool,
    pub(crate) data_dir: PathBuf,
    db_path: PathBuf,
    _lock: File,
    delivery: Delivery,
}

/// The one delivery loop of a profile: whoever holds `running` sends;
/// anyone else who wants a round sets `again` and leaves, and the holder
/// runs once more before it lets go. So two senders never race on the
/// same entries, and a request to send is never lost.
#[derive(Debug, Default)]
pub struct Delivery {
    pub running: tokio::sync::Mutex<()>,
    pub again: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("db_path", &self.db_path).finish_non_exhaustive()
    }
}

/// Highest migration version this build knows.
pub fn known_schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

fn map_open_err(path: &Path, e: sqlx::Error) -> StoreError {
    match sqlite_code(&e) {
        Some(SQLITE_NOTADB | SQLITE_CORRUPT) => StoreError::Corrupt { path: path.to_path_buf(), detail: e.to_string() },
        Some(SQLITE_BUSY) => StoreError::Locked(path.to_path_buf()),
        _ => StoreError::Db(e),
    }
}

/// Checks the folder, creating it when its parent exists.
fn prepare_dir(dir: &Path) -> Result<bool, StoreError> {
    let mut created = false;
    if !dir.exists() {
        match dir.parent() {
            Some(parent) if parent.as_os_str().is_empty() || parent.is_dir() => {
                std::fs::create_dir(dir)
                    .map_err(|e| StoreError::DataDirReadOnly { path: dir.to_path_buf(), detail: e.to_string() })?;
                created = true;
            }
            _ => return Err(StoreError::DataDirMissing(dir.to_path_buf())),
        }
    }
    if !dir.is_dir() {
        return Err(StoreError::DataDirNotDir(dir.to_path_buf()));
    }
    let probe = dir.join(".mercator-write-test");
    FsOpen::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&probe)
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|e| StoreError::DataDirReadOnly { path: dir.to_path_buf(), detail: e.to_string() })?;
    Ok(created)
}

fn take_lock(dir: &Path, db_path: &Path) -> Result<File, StoreError> {
    let f = FsOpen::new().create(true).truncate(false).read(true).write(true).open(dir.join(LOCK_FILE_NAME))?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Locked(db_path.to_path_buf())),
        Err(std::fs::TryLockError::Error(e)) => Err(StoreError::Io(e)),
    }
}

fn check_header(db_path: &Path) -> Result<bool, StoreError> {
    let Ok(mut f) = File::open(db_path) else {
        return Ok(false);
    };
    let len = f.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    let mut head = [0u8; 16];
    if len < 16 || f.read_exact(&mut head).is_err() || &head != SQLITE_MAGIC {
        return Err(StoreError::NotADatabase(db_path.to_path_buf()));
    }
    Ok(true)
}

fn connect_options(db_path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(db_path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a commit is on disk when it returns. With NORMAL a power cut
        // can lose the last commits, and for the outbox and shipments that is
        // an effect sent but forgotten (sent again, or a package recorded
        // nowhere). The cost is one WAL sync per commit; writes are batched.
        .synchronous(SqliteSynchronous::Full)
        // deleted rows (purged buyer data) are overwritten, not left in free pages
        .pragma("secure_delete", "ON")
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .pragma("temp_store", "memory")
        .pragma("cache_size", "-8192")
}

/// Schema versions already applied to an existing database, checked against
/// what this build knows. Never writes.
async fn applied_versions(conn: &mut SqliteConnection, db_path: &Path) -> Result<Vec<i64>, StoreError> {
    let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| map_open_err(db_path, e))?;
    let has_migrations = tables.iter().any(|n| n == "_sqlx_migrations");
    if !has_migrations {
        if tables.is_empty() {
            return Ok(vec![]);
        }
        return Err(StoreError::ForeignDatabase(db_path.to_path_buf()));
    }
    let rows: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1 ORDER BY version")
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| map_open_err(db_path, e))?;
    let versions: Vec<i64> = rows;
    let known = known_schema_version();
    if let Some(&found) = versions.iter().max() {
        if found > known || versions.iter().any(|v| !MIGRATOR.iter().any(|m| m.version == *v)) {
            return Err(StoreError::NewerVersion { path: db_path.to_path_buf(), found, known });
        }
    }
    Ok(versions)
}

impl Store {
    /// The profile's delivery loop guard (see [`Delivery`]).
    pub fn delivery(&self) -> &Delivery {
        &self.delivery
    }

    /// Opens (creating if needed) the shop profile in `data_dir`.
    pub async fn open(data_dir: &Path, opts: &OpenOptions) -> Result<(Store, OpenReport), StoreError> {
        let mut report = OpenReport { created_dir: prepare_dir(data_dir)?, ..Default::default() };
        let db_path = data_dir.join(DB_FILE_NAME);
        let lock = take_lock(data_dir, &db_path)?;
        let existed = check_header(&db_path)?;
        report.created_db = !existed;

        // Inspect with a single connection before any pool writes to the file.
        let mut conn =
            SqliteConnection::connect_with(&connect_options(&db_path)).await.map_err(|e| map_open_err(&db_path, e))?;
        let applied = applied_versions(&mut conn, &db_path).await?;
        let pending: Vec<i64> = MIGRATOR.iter().map(|m| m.version).filter(|v| !applied.contains(v)).collect();

        if existed && !pending.is_empty() && !applied.is_empty() {
            let backup = backup_path(data_dir, applied.iter().max().copied().unwrap_or(0));
            if let Some(parent) = backup.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| StoreError::BackupFailed { path: db_path.clone(), detail: e.to_string() })?;
            }
            // SQLite's online backup: a consistent copy of the live database,
            // written under a temporary name and renamed when complete, so a
            // process killed while copying leaves no half backup and no name
            // that stops the next start
            let partial = backup.with_extension("partial");
            let _ = std::fs::remove_file(&partial);
            sqlx::query("VACUUM INTO ?")
                .bind(partial.display().to_string())
                .execute(&mut conn)
                .await
                .map_err(|e| StoreError::BackupFailed { path: db_path.clone(), detail: e.to_string() })?;
            std::fs::rename(&partial, &backup)
                .map_err(|e| StoreError::BackupFailed { path: db_path.clone(), detail: e.to_string() })?;
            tracing::info!(backup = %backup.display(), "database backed up before migration");
            report.backup = Some(backup);
        }
        conn.close().await.map_err(|e| map_open_err(&db_path, e))?;

        // Migrations run on a connection of their own with foreign keys off,
        // as SQLite asks for table rebuilds (a DROP TABLE would otherwise run
        // the cascades); the result is checked with foreign_key_check. Each
        // migration runs in its own transaction (sqlx); a failure leaves the
        // schema at the last good version and the backup beside it.
        if !pending.is_empty() {
            let failed = |detail: String, backup: Option<std::path::PathBuf>| StoreError::MigrationFailed {
                path: db_path.clone(),
                detail,
                backup,
            };
            let one = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(connect_options(&db_path).foreign_keys(false))
                .await
                .map_err(|e| map_open_err(&db_path, e))?;
            if let Err(e) = MIGRATOR.run(&one).await {
                one.close().await;
                return Err(failed(e.to_string(), report.backup));
            }
            let broken: Vec<String> = sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(&one)
                .await
                .map_err(|e| failed(e.to_string(), report.backup.clone()))?;
            one.close().await;
            if let Some(table) = broken.first() {
                return Err(failed(format!("foreign keys broken in {table}"), report.backup));
            }
        }
        report.applied_migrations = pending;

        let pool = SqlitePoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .connect_with(connect_options(&db_path))
            .await
            .map_err(|e| map_open_err(&db_path, e))?;

        let store =
            Store { pool, data_dir: data_dir.to_path_buf(), db_path, _lock: lock, delivery: Delivery::default() };
        // This process holds the profile's lock: whatever was being sent
        // when the last one stopped has no sender any more. It goes again
        // now (sends are absolute or checked first), not after its lease.
        crate::outbox::release_orphans(store.pool()).await?;
        // The demo goes only into a database created by this very start, never
        // into an existing profile (which may hold the seller's own catalog).
        if !store.has_shop().await? {
            if opts.seed_demo && report.created_db {
                report.seeded = Some(store.seed_demo(time::OffsetDateTime::now_utc()).await?);
            } else {
                store.create_empty_shop().await?;
            }
        } else if report.applied_migrations.contains(&20261201000007) {
            // an existing shop gains pricing: its channels start from presets
            let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
            crate::pricing::seed_presets(&mut tx, crate::pricing::today()).await?;
            tx.commit().await?;
        }
        Ok((store, report))
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Checkpoints the WAL and closes all connections (the lock is released on drop).
    pub async fn close(self) {
        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await;
        self.pool.close().await;
    }

    /// Renames an unreadable database (and its WAL/SHM) to
    /// `mercator.db.broken-<timestamp>`; never deletes. Returns the new path.
    pub fn move_aside(data_dir: &Path) -> Result<PathBuf, StoreError> {
        let db = data_dir.join(DB_FILE_NAME);
        let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let target = data_dir.join(format!("{DB_FILE_NAME}.broken-{stamp}"));
        std::fs::rename(&db, &target)?;
        for suffix in ["-wal", "-shm"] {
            let side = data_dir.join(format!("{DB_FILE_NAME}{suffix}"));
            if side.exists() {
                std::fs::rename(&side, data_dir.join(format!("{DB_FILE_NAME}.broken-{stamp}{suffix}")))?;
            }
        }
        Ok(target)
    }
}

/// Backups kept (the newest) after each purge.
pub const BACKUPS_KEPT: usize = 3;

/// What [`Store::purge_copies`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopiesPurged {
    /// Old backups deleted (beyond the newest [`BACKUPS_KEPT`]).
    pub backups_deleted: usize,
    /// Orders purged inside the backups kept.
    pub orders_purged: i64,
    /// Damaged copies set aside more than the retention ago, deleted.
    pub broken_deleted: usize,
}

impl Store {
    /// Buyer data leaves the profile's copies too: the newest
    /// [`BACKUPS_KEPT`] backups are kept and purged like the live database
    /// (then vacuumed, so nothing stays in free pages), older ones deleted;
    /// a damaged copy set aside (`mercator.db.broken-*`) is deleted once it
    /// is older than `cutoff`. A backup that cannot be opened to purge it
    /// is deleted rather than kept with buyer data in it.
    pub async fn purge_copies(&self, cutoff: &str) -> Result<CopiesPurged, StoreError> {
        let mut done = CopiesPurged::default();
        let cutoff_t = time::OffsetDateTime::parse(cutoff, &time::format_description::well_known::Rfc3339)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let mut backups: Vec<PathBuf> = std::fs::read_dir(self.data_dir.join("backups"))
            .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "bak")).collect())
            .unwrap_or_default();
        // a backup cut off by a crash is never a backup to keep (buyer data in it)
        for p in std::fs::read_dir(self.data_dir.join("backups")).into_iter().flatten().flatten() {
            if p.path().extension().is_some_and(|x| x == "partial") {
                std::fs::remove_file(p.path()).map_err(StoreError::Io)?;
            }
        }
        backups.sort_by_key(|p| std::cmp::Reverse(mtime(p)));
        for (i, b) in backups.iter().enumerate() {
            let keep = i < BACKUPS_KEPT
                && match purge_file(b, cutoff).await {
                    Ok(n) => {
                        done.orders_purged += n;
                        true
                    }
                    Err(e) => {
                        tracing::warn!(backup = %b.display(), error = %e, "backup could not be purged: deleted");
                        false
                    }
                };
            if !keep {
                std::fs::remove_file(b).map_err(StoreError::Io)?;
                done.backups_deleted += 1;
            }
        }
        let prefix = format!("{DB_FILE_NAME}.broken-");
        for e in std::fs::read_dir(&self.data_dir).map_err(StoreError::Io)?.flatten() {
            let old = mtime(&e.path()).map(time::OffsetDateTime::from).is_some_and(|t| t < cutoff_t);
            if e.file_name().to_string_lossy().starts_with(&prefix) && old {
                std::fs::remove_file(e.path()).map_err(StoreError::Io)?;
                done.broken_deleted += 1;
            }
        }
        Ok(done)
    }
}

/// Purges one backup file in place (rollback journal, as it was written) and vacuums it.
async fn purge_file(path: &Path, cutoff: &str) -> Result<i64, sqlx::Error> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .journal_mode(SqliteJournalMode::Delete)
        .pragma("secure_delete", "ON");
    let mut conn = sqlx::ConnectOptions::connect(&opts).await?;
    let has: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info('orders') WHERE name = 'pii_purged_at'")
            .fetch_all(&mut conn)
            .await?;
    let mut n = 0;
    if !has.is_empty() {
        n = crate::sync::purge_in(&mut conn, cutoff, &crate::now_utc())
            .await
            .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    }
    sqlx::query("VACUUM").execute(&mut conn).await?;
    sqlx::Connection::close(conn).await?;
    Ok(n)
}

fn backup_path(data_dir: &Path, from_version: i64) -> PathBuf {
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let dir = data_dir.join("backups");
    // a start in the same second as the last one (after a crash) keeps both backups
    (0u32..10_000)
        .map(|n| {
            let extra = if n == 0 { String::new() } else { format!("-{n}") };
            dir.join(format!("{DB_FILE_NAME}.v{from_version}.{stamp}{extra}.bak"))
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(format!("{DB_FILE_NAME}.v{from_version}.{stamp}.bak")))
}

#[cfg(test)]
mod backup_name_tests {
    #[test]
    fn a_start_in_the_same_second_keeps_both_backups() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("backups")).unwrap();
        let first = super::backup_path(dir.path(), 13);
        std::fs::write(&first, b"x").unwrap();
        let second = super::backup_path(dir.path(), 13);
        assert_ne!(first, second);
        assert_eq!(second.extension().and_then(|e| e.to_str()), Some("bak"));
    }
}
