//! Mercator's offline-first store: one SQLite file per shop profile.
//!
//! - [`Store::open`] validates the data folder, takes the profile lock, refuses
//!   databases written by a newer app, backs the file up before migrating, and
//!   runs the embedded migrations (each in a transaction).
//! - [`Store`] is the one storage type the app reads and writes through,
//!   its methods grouped by area in the modules below; team mode will put a
//!   server database behind the same methods.
//! - [`outbox`] holds changes waiting to be sent to a channel.

pub mod catalog;
mod channels;
mod error;
pub mod inbox;
pub mod inventory;
mod listings;
mod open;
pub mod outbox;
pub mod pricing;
mod repo;
pub mod rules;
pub mod search;
mod seed;
pub mod shipping;
pub mod sync;

pub use error::StoreError;

/// The profile folder attachments are written to when the seller opens them.
pub const ATTACHMENTS_DIR: &str = "attachments";
pub use open::{
    known_schema_version, CopiesPurged, OpenOptions, OpenReport, Store, BACKUPS_KEPT, DB_FILE_NAME, LOCK_FILE_NAME,
};
pub use repo::*;
pub use seed::SeedStats;

/// Current UTC time as stored in the database (RFC 3339, seconds precision, `Z`).
/// Who made a change recorded on this desk (team mode will name the user).
pub const LOCAL_ACTOR: &str = "local";

pub fn now_utc() -> String {
    fmt_ts(time::OffsetDateTime::now_utc())
}

pub use mercator_core::order::fmt_utc as fmt_ts;
