//! Market rules: what a listing needs before a channel accepts it in a market.
//! Checked on every change (the store keeps the result per listing) and shown
//! as badges whose text is the Fluent message `rule-<code>` with `args`.
//!
//! The rules are a table per channel and per market, not code per case, so a
//! seller (or a later settings screen) can read them in one place.

use crate::catalog::Certification;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The channel would refuse the listing or take it down.
    Error,
    /// Accepted, but it costs visibility or conversions.
    Warning,
}

/// One broken rule, with what the message needs to say why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleIssue {
    pub code: String,
    pub severity: Severity,
    pub args: BTreeMap<String, String>,
}

impl RuleIssue {
    fn new(code: &str, severity: Severity) -> Self {
        Self { code: code.to_string(), severity, args: BTreeMap::new() }
    }
    fn arg(mut self, k: &str, v: impl ToString) -> Self {
        self.args.insert(k.to_string(), v.to_string());
        self
    }
}

/// Every rule code; each has a message `rule-<code>` in every locale.
pub const RULE_CODES: &[&str] = &[
    "title-missing",
    "title-too-long",
    "title-forbidden-chars",
    "bullets-missing",
    "keywords-too-long",
    "gtin-required",
    "cert-required",
    "cert-expired",
    "images-missing",
    "image-too-small",
];

/// What one channel accepts.
#[derive(Debug, Clone, Copy)]
pub struct ChannelRules {
    pub title_max: usize,
    pub forbidden: &'static [char],
    pub bullets_min: usize,
    /// Backend search terms limit in UTF-8 bytes (Amazon: 249).
    pub keywords_max_bytes: Option<usize>,
    pub gtin_required: bool,
    pub images_min: usize,
    /// Longest side of the smallest acceptable image, in pixels.
    pub image_min_px: u32,
}

pub fn channel_rules(kind: &str) -> ChannelRules {
    match kind {
        // Amazon: 200-character titles, no ! $ ? _ { } ^ ¬ ¦ (title policy),
        // bullet points expected, product IDs (GTIN) unless exempt, a main
        // image of at least 500 px on the longest side (1000 px for zoom).
        "amazon" => ChannelRules {
            title_max: 200,
            forbidden: &['!', '$', '?', '_', '{', '}', '^', '¬', '¦'],
            bullets_min: 1,
            keywords_max_bytes: Some(249),
            gtin_required: true,
            images_min: 1,
            image_min_px: 500,
        },
        "ebay" => ChannelRules {
            title_max: 80,
            forbidden: &['<', '>'],
            bullets_min: 0,
            keywords_max_bytes: None,
            gtin_required: true,
            images_min: 1,
            image_min_px: 500,
        },
        "shopee" => ChannelRules {
            title_max: 120,
            forbidden: &[],
            bullets_min: 0,
            keywords_max_bytes: None,
            gtin_required: false,
            images_min: 1,
            image_min_px: 500,
        },
        "tiktok" => ChannelRules {
            title_max: 255,
            forbidden: &[],
            bullets_min: 0,
            keywords_max_bytes: None,
            gtin_required: false,
            images_min: 1,
            image_min_px: 600,
        },
        // Shopify, WooCommerce: the shop's own site
        _ => ChannelRules {
            title_max: 255,
            forbidden: &[],
            bullets_min: 0,
            keywords_max_bytes: None,
            gtin_required: false,
            images_min: 1,
            image_min_px: 0,
        },
    }
}

const EU: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT",
    "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

/// The language buyers in a market read listings in (its primary subtag).
pub fn market_language(market: &str) -> &'static str {
    match market {
        "DE" | "AT" => "de",
        "FR" | "BE" => "fr",
        "IT" => "it",
        "ES" | "MX" => "es",
        "NL" => "nl",
        "PL" => "pl",
        "SE" => "sv",
        "JP" => "ja",
        "CN" => "zh",
        "TW" | "HK" => "zh",
        "KR" => "ko",
        "BR" | "PT" => "pt",
        "TH" => "th",
        "VN" => "vi",
        "ID" => "id",
        _ => "en", // US, UK, CA, AU, SG, MY, PH, IE, ...
    }
}

/// Whether content in language `tag` (`de-DE`, `de`) serves buyers of `market`.
pub fn serves_market(tag: &str, market: &str) -> bool {
    tag.split('-').next() == Some(market_language(market))
}

/// Certificates a market requires for a product category.
pub fn required_certifications(market: &str, category: &str) -> Vec<&'static str> {
    let electrical = matches!(category, "electronics");
    let toy = matches!(category, "toys");
    let mut need = vec![];
    if EU.contains(&market) && (electrical || toy) {
        need.push("CE");
    }
    if (market == "UK" || market == "GB") && (electrical || toy) {
        need.push("UKCA");
    }
    if market == "JP" && electrical {
        need.push("PSE");
    }
    if market == "US" {
        if electrical {
            need.push("FCC");
        }
        if toy {
            need.push("CPC");
        }
    }
    need
}

/// Everything the rules look at for one listing. `title`, `bullets` and
/// `keywords` are the listing's effective content in the market's language
/// (its override if it has one, else the product's text), or `None` when the
/// product has no text in that language.
#[derive(Debug, Clone)]
pub struct ListingFacts<'a> {
    pub channel_kind: &'a str,
    pub market: &'a str,
    pub category: &'a str,
    pub title: Option<&'a str>,
    pub bullets: usize,
    pub keywords: &'a str,
    pub has_gtin: bool,
    pub gtin_exempt: bool,
    pub certifications: &'a [Certification],
    /// (width, height) of each image.
    pub images: &'a [(u32, u32)],
    /// Today, `YYYY-MM-DD` (certificates expiring today are still valid).
    pub today: &'a str,
}

/// Checks one listing; errors first, then warnings.
pub fn check_listing(f: &ListingFacts<'_>) -> Vec<RuleIssue> {
    let r = channel_rules(f.channel_kind);
    let mut out = vec![];
    let lang = market_language(f.market);
    match f.title {
        None => out.push(RuleIssue::new("title-missing", Severity::Error).arg("lang", lang)),
        Some(title) => {
            let n = title.chars().count();
            if n > r.title_max {
                out.push(RuleIssue::new("title-too-long", Severity::Error).arg("count", n).arg("max", r.title_max));
            }
            let mut bad: Vec<char> = title.chars().filter(|c| r.forbidden.contains(c)).collect();
            bad.sort_unstable();
            bad.dedup();
            if !bad.is_empty() {
                let chars: String = bad.iter().map(|c| format!("{c} ")).collect();
                out.push(RuleIssue::new("title-forbidden-chars", Severity::Error).arg("chars", chars.trim_end()));
            }
            if f.bullets < r.bullets_min {
                out.push(
                    RuleIssue::new("bullets-missing", Severity::Warning)
                        .arg("count", f.bullets)
                        .arg("min", r.bullets_min),
                );
            }
            if let Some(max) = r.keywords_max_bytes {
                if f.keywords.len() > max {
                    out.push(
                        RuleIssue::new("keywords-too-long", Severity::Warning)
                            .arg("bytes", f.keywords.len())
                            .arg("max", max),
                    );
                }
            }
        }
    }
    if r.gtin_required && !f.has_gtin && !f.gtin_exempt {
        out.push(RuleIssue::new("gtin-required", Severity::Error));
    }
    for kind in required_certifications(f.market, f.category) {
        match f.certifications.iter().find(|c| c.kind == kind) {
            None => {
                out.push(RuleIssue::new("cert-required", Severity::Error).arg("cert", kind).arg("market", f.market));
            }
            Some(c) => {
                if let Some(exp) = c.expires.as_deref() {
                    if exp < f.today {
                        out.push(RuleIssue::new("cert-expired", Severity::Error).arg("cert", kind).arg("date", exp));
                    }
                }
            }
        }
    }
    if f.images.len() < r.images_min {
        out.push(RuleIssue::new("images-missing", Severity::Error).arg("min", r.images_min));
    } else if r.image_min_px > 0 {
        if let Some((w, h)) = f.images.iter().find(|(w, h)| (*w).max(*h) < r.image_min_px) {
            out.push(
                RuleIssue::new("image-too-small", Severity::Warning)
                    .arg("min", r.image_min_px)
                    .arg("width", w)
                    .arg("height", h),
            );
        }
    }
    out.sort_by_key(|i| i.severity);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(kind: &'a str, market: &'a str, title: Option<&'a str>) -> ListingFacts<'a> {
        ListingFacts {
            channel_kind: kind,
            market,
            category: "kitchen",
            title,
            bullets: 3,
            keywords: "",
            has_gtin: true,
            gtin_exempt: false,
            certifications: &[],
            images: &[(1200, 1200)],
            today: "2026-11-22",
        }
    }

    fn codes(v: &[RuleIssue]) -> Vec<&str> {
        v.iter().map(|i| i.code.as_str()).collect()
    }

    #[test]
    fn a_complete_listing_passes() {
        assert!(check_listing(&facts("amazon", "DE", Some("Silikon-Pfannenwender"))).is_empty());
        assert!(check_listing(&facts("shopify", "JP", Some("シリコン"))).is_empty());
    }

    #[test]
    fn titles_per_channel() {
        let long = "a".repeat(201);
        let i = check_listing(&facts("amazon", "US", Some(&long)));
        assert_eq!(codes(&i), ["title-too-long"]);
        assert_eq!((i[0].args["count"].as_str(), i[0].args["max"].as_str()), ("201", "200"));
        // the same title is fine on Shopify, too long for eBay (80)
        assert!(check_listing(&facts("shopify", "US", Some(&long))).is_empty());
        assert_eq!(codes(&check_listing(&facts("ebay", "US", Some(&"b".repeat(81))))), ["title-too-long"]);
        let i = check_listing(&facts("amazon", "US", Some("Best spatula!! $9 {sale}")));
        assert_eq!(codes(&i), ["title-forbidden-chars"]);
        assert_eq!(i[0].args["chars"], "! $ { }");
        let i = check_listing(&facts("amazon", "JP", None));
        assert_eq!((codes(&i), i[0].args["lang"].as_str()), (vec!["title-missing"], "ja"));
    }

    #[test]
    fn gtin_bullets_images() {
        let mut f = facts("amazon", "US", Some("Spatula"));
        f.has_gtin = false;
        f.bullets = 0;
        f.images = &[(400, 300)];
        assert_eq!(codes(&check_listing(&f)), ["gtin-required", "bullets-missing", "image-too-small"]);
        f.gtin_exempt = true;
        f.images = &[];
        assert_eq!(codes(&check_listing(&f)), ["images-missing", "bullets-missing"]);
        // Shopify needs neither a GTIN nor bullets
        let mut s = facts("shopify", "US", Some("Spatula"));
        s.has_gtin = false;
        s.bullets = 0;
        assert!(check_listing(&s).is_empty());
    }

    #[test]
    fn certificates_per_market_and_expiry() {
        let mut f = facts("amazon", "DE", Some("Kopfhörer"));
        f.category = "electronics";
        let i = check_listing(&f);
        assert_eq!((codes(&i), i[0].args["cert"].as_str()), (vec!["cert-required"], "CE"));
        let certs =
            [Certification { kind: "CE".into(), reference: "DoC-1".into(), expires: Some("2026-11-21".into()) }];
        f.certifications = &certs;
        let i = check_listing(&f);
        assert_eq!((codes(&i), i[0].args["date"].as_str()), (vec!["cert-expired"], "2026-11-21"));
        f.today = "2026-11-21"; // valid through its last day
        assert!(check_listing(&f).is_empty());
        assert_eq!(required_certifications("JP", "electronics"), ["PSE"]);
        assert_eq!(required_certifications("UK", "toys"), ["UKCA"]);
        assert_eq!(required_certifications("US", "toys"), ["CPC"]);
        assert!(required_certifications("JP", "kitchen").is_empty());
    }

    #[test]
    fn amazon_keywords_are_counted_in_bytes() {
        let kw = "耳机".repeat(42); // 84 chars, 252 bytes
        let mut f = facts("amazon", "US", Some("Headphones"));
        f.keywords = &kw;
        assert_eq!(codes(&check_listing(&f)), ["keywords-too-long"]);
    }
}
