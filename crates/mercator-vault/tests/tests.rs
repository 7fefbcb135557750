//! Integration test against the real OS credential store. It runs when
//! MERCATOR_REAL_KEYRING=1 (set by the test runner inside a D-Bus session with
//! an unlocked gnome-keyring); otherwise it reports that it was not run.

use mercator_vault::{Secret, Vault, VaultError};

#[test]
fn real_os_keyring_round_trip() {
    if std::env::var("MERCATOR_REAL_KEYRING").as_deref() != Ok("1") {
        eprintln!("skipped: set MERCATOR_REAL_KEYRING=1 inside a keyring session (xtask test does)");
        return;
    }
    let v = Vault::new("app.mercator.integration-test");
    let account = format!("channel:test-{}", std::process::id());
    v.probe().expect("probe works on a real store");
    v.set(&account, &Secret::new("shpat_secret_value")).unwrap();
    // A separate Entry object reads the value back: it really was stored by the OS service.
    assert_eq!(v.get(&account).unwrap().expose(), "shpat_secret_value");
    v.set(&account, &Secret::new("rotated")).unwrap();
    assert_eq!(v.get(&account).unwrap().expose(), "rotated");
    v.delete(&account).unwrap();
    assert!(matches!(v.get(&account), Err(VaultError::NoEntry(_))));
}

#[test]
fn unavailable_store_is_an_error_not_a_fallback() {
    if std::env::var("MERCATOR_NO_KEYRING").as_deref() != Ok("1") {
        eprintln!("skipped: set MERCATOR_NO_KEYRING=1 with no session bus (xtask test does)");
        return;
    }
    let v = Vault::new("app.mercator.integration-test");
    match v.set("channel:x", &Secret::new("s3cr3t-token-value")) {
        Err(VaultError::Unavailable(detail)) => assert!(!detail.contains("s3cr3t"), "{detail}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
}
