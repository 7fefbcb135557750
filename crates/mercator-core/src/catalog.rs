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
        return Err(ErrorPayload::new(ErrorCode::DescriptionTooLong).arg("max", MAX_DESCRIPTION_LEN));
    }
    Ok(raw.trim_end().to_string())
}

pub const MAX_BRAND_LEN: usize = 100;
pub const MAX_CATEGORY_LEN: usize = 200;
pub const MAX_ATTRIBUTE_VALUE_LEN: usize = 200;

/// A brand as the editor and the import accept it: trimmed, one line, at most 100 characters.
pub fn validate_brand(raw: &str) -> Result<String, ErrorPayload> {
    let b = one_line(raw);
    if b.chars().count() > MAX_BRAND_LEN {
        return Err(ErrorPayload::new(ErrorCode::BrandTooLong).arg("max", MAX_BRAND_LEN));
    }
    Ok(b)
}

/// A category path (`home > kitchen`): trimmed, one line, at most 200 characters.
pub fn validate_category(raw: &str) -> Result<String, ErrorPayload> {
    let c = one_line(raw);
    if c.chars().count() > MAX_CATEGORY_LEN {
        return Err(ErrorPayload::new(ErrorCode::CategoryTooLong).arg("max", MAX_CATEGORY_LEN));
    }
    Ok(c)
}

/// A variant attribute's value (`Black / 黑色`): one line, at most 200 characters.
pub fn validate_attribute_value(name: &str, raw: &str) -> Result<String, ErrorPayload> {
    let v = one_line(raw);
    if v.chars().count() > MAX_ATTRIBUTE_VALUE_LEN {
        return Err(ErrorPayload::new(ErrorCode::AttributeValue).arg("name", name).arg("max", MAX_ATTRIBUTE_VALUE_LEN));
    }
    Ok(v)
}

/// Line breaks and control characters become spaces; runs of spaces one.
fn one_line(raw: &str) -> String {
    raw.split(|c: char| c.is_whitespace() || c.is_control()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
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

pub const MAX_BULLETS: usize = 5;
pub const MAX_BULLET_LEN: usize = 500;
pub const MAX_KEYWORDS_LEN: usize = 1000;
pub const MAX_DIMENSION: i64 = 10_000_000;

/// Certification kinds a seller can record (market rules ask for some).
pub const CERT_KINDS: &[&str] =
    &["CE", "UKCA", "FCC", "FDA", "CPC", "PSE", "TELEC", "RoHS", "REACH", "KC", "CCC", "GPSR"];

/// A certificate held for a variant: its kind, the document reference (file
/// name or certificate number) and, when it has one, the expiry date.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Certification {
    pub kind: String,
    pub reference: String,
    /// `YYYY-MM-DD`, or `null` for certificates that do not expire.
    pub expires: Option<String>,
}

/// An image of a product: the original file as imported and a thumbnail,
/// both named by content hash inside the data folder's `images/`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImageRef {
    pub file: String,
    pub thumb: String,
    pub width: u32,
    pub height: u32,
    /// The variants this image shows (ids); empty: every variant.
    #[serde(default)]
    pub variants: Vec<String>,
}

impl ImageRef {
    /// Whether this image belongs to `variant_id`'s listings.
    pub fn shows(&self, variant_id: &str) -> bool {
        self.variants.is_empty() || self.variants.iter().any(|v| v == variant_id)
    }
}

/// Trims bullets, drops empty ones, and checks count and length.
pub fn validate_bullets(raw: &[String]) -> Result<Vec<String>, ErrorPayload> {
    // a bullet is one line: inner line breaks become spaces
    let bullets: Vec<String> =
        raw.iter().map(|b| b.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|b| !b.is_empty()).collect();
    if bullets.len() > MAX_BULLETS {
        return Err(ErrorPayload::new(ErrorCode::BulletsTooMany).arg("max", MAX_BULLETS).arg("count", bullets.len()));
    }
    if let Some((i, _)) = bullets.iter().enumerate().find(|(_, b)| b.chars().count() > MAX_BULLET_LEN) {
        return Err(ErrorPayload::new(ErrorCode::BulletTooLong).arg("number", i + 1).arg("max", MAX_BULLET_LEN));
    }
    Ok(bullets)
}

/// Search keywords: one line of terms; whitespace runs collapse to one space.
pub fn validate_keywords(raw: &str) -> Result<String, ErrorPayload> {
    let k = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if k.chars().count() > MAX_KEYWORDS_LEN {
        return Err(ErrorPayload::new(ErrorCode::KeywordsTooLong).arg("max", MAX_KEYWORDS_LEN));
    }
    Ok(k)
}

/// Harmonized System code: 6 to 10 digits (dots and spaces ignored); empty
/// means none.
pub fn validate_hs_code(raw: &str) -> Result<String, ErrorPayload> {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '.').collect();
    if digits.is_empty() {
        return Ok(digits);
    }
    if !(6..=10).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(ErrorPayload::new(ErrorCode::HsCodeFormat).arg("value", raw.trim()));
    }
    Ok(digits)
}

/// ISO 3166-1 alpha-2 country code, upper-cased; empty means unknown.
pub fn validate_country(raw: &str) -> Result<String, ErrorPayload> {
    let c = raw.trim().to_ascii_uppercase();
    if c.is_empty() || (c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase())) {
        Ok(c)
    } else {
        Err(ErrorPayload::new(ErrorCode::CountryCode).arg("value", raw.trim()))
    }
}

/// A weight in grams or a length in millimetres: a whole number >= 0.
pub fn validate_dimension(field: &str, raw: &str) -> Result<i64, ErrorPayload> {
    let t = raw.trim();
    match t.parse::<i64>() {
        Ok(n) if (0..=MAX_DIMENSION).contains(&n) => Ok(n),
        _ => Err(ErrorPayload::new(ErrorCode::DimensionInvalid).arg("field", field).arg("value", t)),
    }
}

/// Checks kinds and dates; trims references. Keeps the given order.
pub fn validate_certifications(raw: &[Certification]) -> Result<Vec<Certification>, ErrorPayload> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    raw.iter()
        .map(|c| {
            let kind = CERT_KINDS
                .iter()
                .find(|k| k.eq_ignore_ascii_case(c.kind.trim()))
                .ok_or_else(|| ErrorPayload::new(ErrorCode::CertKind).arg("value", c.kind.trim()))?;
            let expires = match c.expires.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
                None => None,
                Some(d) => {
                    time::Date::parse(d, &fmt)
                        .map_err(|_| ErrorPayload::new(ErrorCode::CertDate).arg("cert", *kind).arg("value", d))?;
                    Some(d.to_string())
                }
            };
            Ok(Certification { kind: kind.to_string(), reference: c.reference.trim().to_string(), expires })
        })
        .collect()
}

/// Attribute names (colour, size, ...): 1-40 characters, no control characters.
pub fn validate_attribute_name(raw: &str) -> Result<String, ErrorPayload> {
    let n = raw.trim();
    if n.is_empty() || n.chars().count() > 40 || n.chars().any(char::is_control) {
        return Err(ErrorPayload::new(ErrorCode::AttributeName).arg("value", n));
    }
    Ok(n.to_string())
}

pub const LISTING_STATUSES: &[&str] = &["draft", "ready", "live", "inactive", "error"];

pub fn validate_listing_status(raw: &str) -> Result<String, ErrorPayload> {
    LISTING_STATUSES
        .iter()
        .find(|s| **s == raw.trim())
        .map(std::string::ToString::to_string)
        .ok_or_else(|| ErrorPayload::new(ErrorCode::ListingStatus).arg("value", raw.trim()))
}

/// Content fields a listing may override for its market.
pub const OVERRIDE_FIELDS: &[&str] = &["title", "bullets", "description", "keywords"];

/// One change from the product editor (or one step of a bulk edit). Amounts
/// and measures arrive as the text the user typed and are validated by the
/// store, which knows the record's currency.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Edit {
    Title {
        lang: String,
        value: String,
    },
    Description {
        lang: String,
        value: String,
    },
    Bullets {
        lang: String,
        value: Vec<String>,
    },
    Keywords {
        lang: String,
        value: String,
    },
    Brand {
        value: String,
    },
    Category {
        value: String,
    },
    GtinExempt {
        value: bool,
    },
    /// The product's images in display order (the first is the main image).
    Images {
        value: Vec<ImageRef>,
    },
    Sku {
        variant_id: String,
        value: String,
    },
    Gtin {
        variant_id: String,
        value: String,
    },
    /// Decimal text in the variant's cost currency, e.g. "18.50".
    Cost {
        variant_id: String,
        value: String,
    },
    Stock {
        variant_id: String,
        value: i64,
    },
    /// `weight_g`, `length_mm`, `width_mm` or `height_mm`; whole number text.
    Measure {
        variant_id: String,
        field: String,
        value: String,
    },
    HsCode {
        variant_id: String,
        value: String,
    },
    Origin {
        variant_id: String,
        value: String,
    },
    Certifications {
        variant_id: String,
        value: Vec<Certification>,
    },
    /// Sets (value) or removes (null) one attribute of a variant.
    Attribute {
        variant_id: String,
        name: String,
        value: Option<String>,
    },
    ListingStatus {
        listing_id: String,
        value: String,
    },
    SellerSku {
        listing_id: String,
        value: String,
    },
    ExternalId {
        listing_id: String,
        value: String,
    },
    /// `stock` (all available), `buffer` (available minus value), `fixed` (value).
    QtyPolicy {
        listing_id: String,
        policy: String,
        value: i64,
    },
    /// Sets (value) or removes (null) the market's own version of a content
    /// field (`title`, `bullets`, `description`, `keywords`).
    Override {
        listing_id: String,
        field: String,
        value: Option<serde_json::Value>,
    },
}

/// What the catalog table is narrowed to and sorted by; crosses IPC as is.
/// Empty = everything in creation order.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CatalogFilter {
    /// Searches SKUs, GTINs and titles in every language.
    pub query: Option<String>,
    pub channel_id: Option<String>,
    /// ISO 3166 market some listing of the product is in.
    pub market: Option<String>,
    /// Listing status some listing of the product has (with the channel, if set).
    pub status: Option<String>,
    /// Only products with market-rule problems.
    pub issues_only: bool,
    /// Only products without a title in this language.
    pub missing_lang: Option<String>,
    /// `out` (0 in stock), `low` (1-9), `in` (> 0).
    pub stock: Option<String>,
    /// `sku`, `title`, `stock`, `cost`, `updated`, `issues`.
    pub sort: Option<String>,
    pub desc: bool,
}

impl CatalogFilter {
    /// Trimmed, with blank text fields as `None` (what a form sends for "all").
    pub fn normalised(&self) -> CatalogFilter {
        let s = |o: &Option<String>| o.as_ref().map(|x| x.trim().to_string()).filter(|x| !x.is_empty());
        CatalogFilter {
            query: s(&self.query),
            channel_id: s(&self.channel_id),
            market: s(&self.market),
            status: s(&self.status),
            missing_lang: s(&self.missing_lang),
            stock: s(&self.stock),
            sort: s(&self.sort),
            ..self.clone()
        }
    }
}

/// One operation over a selection of products; all of it is one op in the
/// history (one undo).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum BulkOp {
    /// `brand`, `category` (products) or `hs_code`, `origin` (every variant).
    SetField {
        field: String,
        value: String,
    },
    /// Literal, case-sensitive find and replace in the titles of one language.
    ReplaceInTitles {
        lang: String,
        find: String,
        replace: String,
    },
    SetAttribute {
        name: String,
        value: String,
    },
    RemoveAttribute {
        name: String,
    },
    /// Sets the status of the products' listings (on one channel, or all).
    ListingStatus {
        channel_id: Option<String>,
        value: String,
    },
}

/// Which version of a conflicting field to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Keep {
    Ours,
    Theirs,
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
    fn content_and_customs_fields() {
        let b = |v: &[&str]| v.iter().map(std::string::ToString::to_string).collect::<Vec<_>>();
        assert_eq!(validate_bullets(&b(&[" a ", "", "b"])).unwrap(), b(&["a", "b"]));
        assert_eq!(validate_bullets(&b(&["1", "2", "3", "4", "5", "6"])).unwrap_err().code, "bullets-too-many");
        let long = "x".repeat(501);
        let e = validate_bullets(&b(&["ok", &long])).unwrap_err();
        assert_eq!((e.code.as_str(), e.args["number"].as_str()), ("bullet-too-long", "2"));
        assert_eq!(validate_keywords(" silicone   spatula\nkitchen ").unwrap(), "silicone spatula kitchen");
        assert_eq!(validate_hs_code("8518.30.00").unwrap(), "85183000");
        assert_eq!(validate_hs_code("").unwrap(), "");
        assert_eq!(validate_hs_code("85A1").unwrap_err().code, "hs-code-format");
        assert_eq!(validate_hs_code("12345").unwrap_err().code, "hs-code-format");
        assert_eq!(validate_country(" cn ").unwrap(), "CN");
        assert_eq!(validate_country("China").unwrap_err().code, "country-code");
        assert_eq!(validate_dimension("weight", " 250 ").unwrap(), 250);
        assert_eq!(validate_dimension("weight", "-1").unwrap_err().code, "dimension-invalid");
        assert_eq!(validate_dimension("weight", "2.5").unwrap_err().code, "dimension-invalid");
        let cert = |k: &str, d: Option<&str>| Certification {
            kind: k.into(),
            reference: " doc.pdf ".into(),
            expires: d.map(Into::into),
        };
        let ok = validate_certifications(&[cert("ce", None), cert("PSE", Some("2027-03-31"))]).unwrap();
        assert_eq!((ok[0].kind.as_str(), ok[0].reference.as_str()), ("CE", "doc.pdf"));
        assert_eq!(validate_certifications(&[cert("ABC", None)]).unwrap_err().code, "cert-kind");
        assert_eq!(validate_certifications(&[cert("CE", Some("2027-02-30"))]).unwrap_err().code, "cert-date");
        assert_eq!(validate_listing_status("live").unwrap(), "live");
        assert_eq!(validate_listing_status("gone").unwrap_err().code, "listing-status");
        assert_eq!(validate_attribute_name(" 颜色 ").unwrap(), "颜色");
        assert!(validate_attribute_name("").is_err());
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
