//! Mercator's domain core: pure Rust, no IO, no Tauri.
//!
//! Everything here is deterministic and testable in milliseconds:
//! money in integer minor units with ISO 4217 currencies, globally unique ids,
//! the error codes that cross every boundary, and the demo-shop generator.

pub mod catalog;
pub mod decimal;
pub mod demo;
pub mod error;
pub mod id;
pub mod import;
pub mod inbox;
pub mod money;
pub mod order;
pub mod rng;
pub mod rules;
pub mod shipping;
pub(crate) mod table;
pub mod xlsx;

pub use error::{ErrorCode, ErrorPayload};
pub use id::new_id;
pub use money::{Currency, Money, MoneyError};
