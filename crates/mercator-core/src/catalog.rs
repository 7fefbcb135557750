//! Catalog rules that need no IO: what a valid SKU, GTIN, title and language
//! tag are. Errors carry the code and arguments the UI shows.

use crate::demo::is_valid_gtin;
use crate::{ErrorCode, ErrorPayload};

pub const MAX_SKU_LEN: usize = 64;
pub const MAX_TITLE_LEN: usize = 500;
pub const MAX_DESCRIPTION_LEN: usize = 20_000;

/// Trims and checks a seller SKU: 1–64 visible characters, no spaces.
pub fn validate_sku(raw: &str) -> Result<String, ErrorPayload> {
    let sku = raw.trim();
    if sku.is_empty() {
        return Err(ErrorPayload::new(ErrorCode::SkuEmpty));
    }
    if sku.chars().count() > MAX_SKU_LEN {
        return Err(ErrorPayload::new(ErrorCode::SkuTooLong).arg("max", MAX_SKU_LEN));
    }
    if let Some(bad) = sku.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(ErrorPayload::new(ErrorCode::SkuBadChar)
            .arg("sku", sku)
            .arg("char", format!("U+{:04X}", bad as u32)));
    }
    Ok(sku.to_string())
}

/// Checks a GTIN (EAN-8, UPC-A, EAN-13/JAN, GTIN-14) including its check
/// digit. Empty means "no GTIN" (`None`). Spaces and dashes are ignored.
pub fn validate_gtin(raw: &str) -> Result<Option<String>, ErrorPayload> {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if digits.is_empty() {
        return Ok(None);
    }
    if !digits.chars().all(|c| c.is_ascii_digit()) || ![8, 12, 13, 14].contains(&digits.len()) {
        return Err(ErrorPayload::new(ErrorCode::GtinFormat).arg("gtin", raw.trim()));
    }
    if !is_valid_gtin(&digits) {
        let body = &digits[..digits.len() - 1];
        let expected = check_digit(body);
        return Err(ErrorPayload::new(ErrorCode::GtinCheckDigit).arg("gtin", &digits).arg("expected", expected));
    }
    Ok(Some(digits))
}

/// GS1 check digit for a GTIN body (all digits but the last).
pub fn check_digit(body: &str) -> u32 {
    let sum: u32 =
        body.bytes().rev().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 }).sum();
    (10 - sum % 10) % 10
}

pub fn validate_title(raw: &str) -> Result<String, ErrorPayload> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(ErrorPayload::new(ErrorCode::TitleEmpty));
    }
    if t.chars().count() > MAX_TITLE_LEN {
        return Err(ErrorPayload::new(ErrorCode::TitleTooLong).arg("max", MAX_TITLE_LEN));
    }
    Ok(t.to_string())
}

pub fn validate_description(raw: &str) -> Result<String, ErrorPayload> {
    if raw.chars().count() > MAX_DESCRIPTION_LEN {
        return Err(ErrorPayload::new(ErrorCode::TitleTooLong).arg("max", MAX_DESCRIPTION_LEN));
    }
    Ok(raw.trim_end().to_string())
}

/// A BCP 47 tag of the simple shapes sellers use: `de`, `de-DE`, `zh-Hans-CN`.
pub fn validate_language(raw: &str) -> Result<String, ErrorPayload> {
    let tag = raw.trim();
    let parts: Vec<&str> = tag.split('-').collect();
    let ok = !tag.is_empty()
        && parts[0].len() >= 2
        && parts[0].len() <= 3
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[1..].iter().all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if ok {
        Ok(tag.to_string())
    } else {
        Err(ErrorPayload::new(ErrorCode::LanguageTag).arg("tag", tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn skus() {
        assert_eq!(validate_sku("  KIT-001 ").unwrap(), "KIT-001");
        assert_eq!(validate_sku(" ").unwrap_err().code, "sku-empty");
        assert_eq!(validate_sku("A B").unwrap_err().code, "sku-bad-char");
        assert_eq!(validate_sku(&"X".repeat(65)).unwrap_err().code, "sku-too-long");
        assert_eq!(validate_sku("耳机-黑色").unwrap(), "耳机-黑色");
    }

    #[test]
    fn gtins() {
        assert_eq!(validate_gtin("").unwrap(), None);
        assert_eq!(validate_gtin("4006381333931").unwrap().as_deref(), Some("4006381333931"));
        assert_eq!(validate_gtin("4006-3813 33931").unwrap().as_deref(), Some("4006381333931"));
        let e = validate_gtin("4006381333932").unwrap_err();
        assert_eq!((e.code.as_str(), e.args["expected"].as_str()), ("gtin-check-digit", "1"));
        assert_eq!(validate_gtin("12345").unwrap_err().code, "gtin-format");
        assert_eq!(validate_gtin("40063813339A1").unwrap_err().code, "gtin-format");
        assert!(validate_gtin("036000291452").is_ok()); // UPC-A
        assert!(validate_gtin("4901234567894").is_ok()); // JAN
        assert!(validate_gtin("10012345678902").is_ok()); // GTIN-14
    }

    proptest! {
        #[test]
        fn any_body_with_its_check_digit_is_valid(body in "[0-9]{12}") {
            let gtin = format!("{}{}", body, check_digit(&body));
            let ok = validate_gtin(&gtin).is_ok();
            prop_assert!(ok);
            // and every other last digit is refused
            let wrong = (check_digit(&body) + 1) % 10;
            let bad = format!("{body}{wrong}");
            prop_assert!(validate_gtin(&bad).is_err());
        }
    }

    #[test]
    fn titles_and_languages() {
        assert_eq!(validate_title("  硅胶锅铲 ").unwrap(), "硅胶锅铲");
        assert_eq!(validate_title("").unwrap_err().code, "title-empty");
        assert_eq!(validate_title(&"字".repeat(501)).unwrap_err().code, "title-too-long");
        for ok in ["de", "de-DE", "zh-CN", "zh-Hans-CN", "es-419"] {
            assert!(validate_language(ok).is_ok(), "{ok}");
        }
        for bad in ["", "DE", "german", "de_DE", "d"] {
            assert!(validate_language(bad).is_err(), "{bad}");
        }
    }
}
