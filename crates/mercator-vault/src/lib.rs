//! Channel credentials live in the OS credential store (Windows Credential
//! Manager, macOS Keychain, Linux Secret Service) and nowhere else: never in
//! SQLite, logs, IPC replies or panic messages. If the store is unavailable or
//! locked, callers get [`VaultError::Unavailable`]; there is no plain-text fallback.
//!
//! Calls block (D-Bus, Keychain): call them from a blocking thread.

use mercator_core::{ErrorCode, ErrorPayload};
use zeroize::Zeroize;

/// Keyring service name under which every Mercator credential is stored.
pub const SERVICE: &str = "app.mercator.desktop";

/// A secret value. It cannot be printed, serialised or cloned by accident,
/// and its memory is wiped on drop.
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The only way to read the value: explicit, greppable.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The OS store is missing, locked or refused access.
    #[error("credential store unavailable: {0}")]
    Unavailable(String),
    #[error("no credential for {0}")]
    NoEntry(String),
    #[error("credential for {0} is not valid text")]
    BadSecret(String),
    #[error("invalid credential request: {0}")]
    Invalid(String),
}

impl From<&VaultError> for ErrorPayload {
    fn from(e: &VaultError) -> Self {
        match e {
            VaultError::Unavailable(d) => ErrorPayload::new(ErrorCode::VaultUnavailable).arg("detail", d),
            VaultError::NoEntry(a) => ErrorPayload::new(ErrorCode::VaultNoEntry).arg("account", a),
            VaultError::BadSecret(a) => ErrorPayload::new(ErrorCode::VaultBadSecret).arg("account", a),
            VaultError::Invalid(d) => {
                ErrorPayload::new(ErrorCode::InvalidArgument).arg("field", "account").arg("detail", d)
            }
        }
    }
}

/// Maps keyring errors without ever including the secret (keyring's own
/// messages describe the platform failure, not the value).
fn map_err(account: &str, e: keyring::Error) -> VaultError {
    match e {
        keyring::Error::NoEntry => VaultError::NoEntry(account.to_string()),
        keyring::Error::NoStorageAccess(inner) => VaultError::Unavailable(inner.to_string()),
        keyring::Error::PlatformFailure(inner) => VaultError::Unavailable(inner.to_string()),
        keyring::Error::BadEncoding(_) => VaultError::BadSecret(account.to_string()),
        keyring::Error::TooLong(what, _) => VaultError::Invalid(format!("{what} too long")),
        keyring::Error::Invalid(what, why) => VaultError::Invalid(format!("{what}: {why}")),
        keyring::Error::Ambiguous(_) => VaultError::Invalid(format!("several credentials for {account}")),
        other => VaultError::Unavailable(other.to_string()),
    }
}

/// Name of the platform store, for the Settings screen.
pub fn backend_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(windows) {
        "Windows Credential Manager"
    } else if cfg!(target_os = "linux") {
        "Secret Service"
    } else {
        "keyring"
    }
}

/// The credential store for one service name.
#[derive(Debug, Clone)]
pub struct Vault {
    service: String,
    /// Tests of the background engine run without a Secret Service: with the
    /// `memory` feature (a dev-dependency only, never in the app's build) a
    /// vault can keep its secrets in this process's memory instead.
    #[cfg(feature = "memory")]
    memory: Option<std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>>,
}

impl Default for Vault {
    fn default() -> Self {
        Self::new(SERVICE)
    }
}

impl Vault {
    pub fn new(service: &str) -> Self {
        Self {
            service: service.to_string(),
            #[cfg(feature = "memory")]
            memory: None,
        }
    }

    /// A vault whose secrets live in this process's memory (clones share
    /// them). Only for tests: the feature is never enabled in the app.
    #[cfg(feature = "memory")]
    pub fn in_memory() -> Self {
        Self { service: SERVICE.into(), memory: Some(Default::default()) }
    }

    #[cfg(feature = "memory")]
    fn memory(&self) -> Option<std::sync::MutexGuard<'_, std::collections::HashMap<String, String>>> {
        self.memory.as_ref().map(|m| m.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Account name for a channel's API token.
    pub fn channel_account(channel_id: &str) -> String {
        format!("channel:{channel_id}")
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, VaultError> {
        if account.is_empty() {
            return Err(VaultError::Invalid("empty account".into()));
        }
        keyring::Entry::new(&self.service, account).map_err(|e| map_err(account, e))
    }

    pub fn set(&self, account: &str, secret: &Secret) -> Result<(), VaultError> {
        #[cfg(feature = "memory")]
        if let Some(mut m) = self.memory() {
            m.insert(account.to_string(), secret.expose().to_string());
            return Ok(());
        }
        self.entry(account)?.set_password(secret.expose()).map_err(|e| map_err(account, e))
    }

    pub fn get(&self, account: &str) -> Result<Secret, VaultError> {
        #[cfg(feature = "memory")]
        if let Some(m) = self.memory() {
            return m.get(account).map(|v| Secret::new(v.clone())).ok_or_else(|| VaultError::NoEntry(account.into()));
        }
        self.entry(account)?.get_password().map(Secret).map_err(|e| map_err(account, e))
    }

    /// Removes the credential; removing a missing one is not an error.
    pub fn delete(&self, account: &str) -> Result<(), VaultError> {
        #[cfg(feature = "memory")]
        if let Some(mut m) = self.memory() {
            m.remove(account);
            return Ok(());
        }
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(account, e)),
        }
    }

    /// Checks that the store works: writes, reads back and removes a probe.
    pub fn probe(&self) -> Result<(), VaultError> {
        let account = "mercator-probe";
        let value = Secret::new(format!("probe-{}", std::process::id()));
        self.set(account, &value)?;
        let back = self.get(account)?;
        self.delete(account)?;
        if back.expose() != value.expose() {
            return Err(VaultError::Unavailable("the store returned a different value".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyring::mock::MockCredential;

    fn use_mock() {
        keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
    }

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("shpat_live_1234567890");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert!(!format!("{:?}", VaultError::NoEntry("channel:x".into())).contains("shpat"));
    }

    #[test]
    fn mock_round_trip_on_one_entry() {
        use_mock();
        // The mock keeps each Entry's value in that Entry, so exercise one entry.
        let entry = keyring::Entry::new(SERVICE, "channel:abc").unwrap();
        entry.set_password("token-1").unwrap();
        assert_eq!(entry.get_password().unwrap(), "token-1");
        entry.delete_credential().unwrap();
        assert!(matches!(map_err("channel:abc", entry.get_password().unwrap_err()), VaultError::NoEntry(_)));
    }

    #[test]
    fn locked_or_missing_store_maps_to_unavailable() {
        use_mock();
        let entry = keyring::Entry::new(SERVICE, "channel:locked").unwrap();
        let mock: &MockCredential = entry.get_credential().downcast_ref().unwrap();
        mock.set_error(keyring::Error::NoStorageAccess("collection is locked".into()));
        let err = map_err("channel:locked", entry.set_password("x").unwrap_err());
        assert!(matches!(&err, VaultError::Unavailable(d) if d.contains("locked")));
        let payload = ErrorPayload::from(&err);
        assert_eq!(payload.code, "vault-unavailable");
        mock.set_error(keyring::Error::PlatformFailure("no dbus".into()));
        assert!(matches!(map_err("a", entry.get_password().unwrap_err()), VaultError::Unavailable(_)));
    }

    #[test]
    fn vault_with_mock_store() {
        use_mock();
        let v = Vault::new("app.mercator.test");
        // A fresh mock entry has no value: reading reports NoEntry, not a fallback.
        assert!(matches!(v.get("channel:none"), Err(VaultError::NoEntry(_))));
        assert!(v.delete("channel:none").is_ok());
        assert!(matches!(v.set("", &Secret::new("x")), Err(VaultError::Invalid(_))));
        assert_eq!(Vault::channel_account("c1"), "channel:c1");
    }
}
