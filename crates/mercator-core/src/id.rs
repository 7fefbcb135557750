//! Globally unique record ids (UUIDv7, time-ordered), so that several desks
//! can later share one shop through a server database without renumbering.

use uuid::Uuid;

/// A fresh UUIDv7 as its canonical lowercase hyphenated string.
pub fn new_id() -> String {
    Uuid::now_v7().to_string()
}

/// Whether `s` is a canonical UUID string (any version).
pub fn is_valid_id(s: &str) -> bool {
    Uuid::parse_str(s).is_ok_and(|u| u.hyphenated().to_string() == s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_unique_and_ordered() {
        let a = new_id();
        let b = new_id();
        assert_ne!(a, b);
        assert!(is_valid_id(&a));
        assert_eq!(Uuid::parse_str(&a).unwrap().get_version_num(), 7);
        // v7 ids sort by creation time
        assert!(a < b);
        assert!(!is_valid_id("42"));
    }
}
