//! Integration tests against the real OS credential store. They need a
//! particular environment, so they are `#[ignore]`d in a plain `cargo test`
//! and run explicitly (`--ignored`) by `cargo xtask test`: the first inside a
//! D-Bus session with an unlocked gnome-keyring, the second with no session bus.

use mercator_vault::{Secret, Vault, VaultError};

#[test]
#[ignore = "needs an unlocked Secret Service: run by `cargo xtask test` inside tests/with-keyring.sh"]
fn real_os_keyring_round_trip() {
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
#[ignore = "needs a process without a D-Bus session bus: run by `cargo xtask test`"]
fn unavailable_store_is_an_error_not_a_fallback() {
    let v = Vault::new("app.mercator.integration-test");
    match v.set("channel:x", &Secret::new("s3cr3t-token-value")) {
        Err(VaultError::Unavailable(detail)) => assert!(!detail.contains("s3cr3t"), "{detail}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
}
