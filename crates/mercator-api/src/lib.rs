//! Mercator's commands as plain async functions over the store and the vault,
//! and the types that cross IPC (TypeScript generated with ts-rs). No Tauri
//! here: `src-tauri` wraps these functions as commands, tests call them directly.

mod bindings;
pub mod catalog;
pub mod catalog_types;
pub mod chat;
pub mod detail;
pub mod dto;
pub mod engine;
pub mod images;
pub mod import;
pub mod inbox;
pub mod inventory;
pub mod launch;
pub mod ops;
pub mod outbox;
pub mod pricing;
pub mod pricing_types;
pub mod shipping;
pub mod sync;
pub mod translation;

pub use bindings::{typescript_bindings, CORE_WIRE_TYPES};
pub use catalog_types::{BulkOp, CatalogFilter, Certification, Edit, ImageRef, Keep, RuleIssue, Severity};
pub use dto::*;
pub use launch::{parse_args, LaunchConfig};

use mercator_core::{ErrorCode, ErrorPayload};

/// An error as it crosses IPC: `{code, args}`; the UI shows `error-<code>`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct ApiError(pub ErrorPayload);

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        ApiError(ErrorPayload::new(code))
    }

    pub fn arg(self, key: &str, value: impl ToString) -> Self {
        ApiError(self.0.arg(key, value))
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for ApiError {}

impl From<mercator_store::StoreError> for ApiError {
    fn from(e: mercator_store::StoreError) -> Self {
        tracing::warn!(error = %e, "store error");
        ApiError(ErrorPayload::from(&e))
    }
}

impl From<mercator_vault::VaultError> for ApiError {
    fn from(e: mercator_vault::VaultError) -> Self {
        tracing::warn!(error = %e, "vault error");
        ApiError(ErrorPayload::from(&e))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
