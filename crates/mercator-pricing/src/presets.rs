//! Starting points a seller edits: fee schedules, tax and logistics for the
//! channels and markets Mercator knows. Figures are typical published
//! rates (referral fees by category, VAT/GST rates, FBA-like size tiers) and
//! plausible China-origin freight; every one of them is editable in the app.

use crate::policy::*;
use mercator_core::{Currency, Money};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_default()
}

fn m(minor: i64, c: Currency) -> Money {
    Money::from_minor(minor, c)
}

fn cur(code: &str) -> Currency {
    code.parse().unwrap_or(Currency::USD)
}

/// Standard VAT/GST rate, whether shelf prices include it, and its name.
pub fn tax_of(country: &str) -> (Decimal, TaxDisplay, &'static str) {
    use TaxDisplay::{Exclusive, Inclusive};
    match country {
        "US" => (d("0"), Exclusive, "Sales tax"),
        "CA" => (d("0.05"), Exclusive, "GST"),
        "GB" | "UK" => (d("0.20"), Inclusive, "VAT"),
        "DE" => (d("0.19"), Inclusive, "VAT"),
        "FR" => (d("0.20"), Inclusive, "VAT"),
        "IT" => (d("0.22"), Inclusive, "VAT"),
        "ES" => (d("0.21"), Inclusive, "VAT"),
        "NL" | "BE" => (d("0.21"), Inclusive, "VAT"),
        "PL" => (d("0.23"), Inclusive, "VAT"),
        "SE" => (d("0.25"), Inclusive, "VAT"),
        "IE" => (d("0.23"), Inclusive, "VAT"),
        "AT" => (d("0.20"), Inclusive, "VAT"),
        "JP" => (d("0.10"), Inclusive, "JCT"),
        "SG" => (d("0.09"), Inclusive, "GST"),
        "AU" => (d("0.10"), Inclusive, "GST"),
        "NZ" => (d("0.15"), Inclusive, "GST"),
        "MY" => (d("0.10"), Inclusive, "SST"),
        "TH" => (d("0.07"), Inclusive, "VAT"),
        "PH" => (d("0.12"), Inclusive, "VAT"),
        "VN" => (d("0.10"), Inclusive, "VAT"),
        "ID" => (d("0.11"), Inclusive, "VAT"),
        "MX" => (d("0.16"), Inclusive, "IVA"),
        "BR" => (d("0.17"), Inclusive, "ICMS"),
        _ => (d("0"), Exclusive, "Tax"),
    }
}

fn eu(country: &str) -> bool {
    matches!(country, "DE" | "FR" | "IT" | "ES" | "NL" | "BE" | "PL" | "SE" | "IE" | "AT")
}

/// Reduced rates for categories that have them.
fn reduced(country: &str) -> Vec<(String, Decimal)> {
    match country {
        "DE" => vec![("books".into(), d("0.07"))],
        "FR" => vec![("books".into(), d("0.055"))],
        "JP" => vec![("food".into(), d("0.08"))],
        "GB" | "UK" => vec![("books".into(), d("0"))],
        _ => vec![],
    }
}

fn referral(rates: &[(&str, &str)], min: Option<Money>) -> Vec<ReferralFee> {
    rates.iter().map(|(c, r)| ReferralFee { category: c.to_string(), rate: d(r), min_per_item: min }).collect()
}

fn amazon_tiers(country: &str, c: Currency) -> Vec<SizeTier> {
    let t = |name: &str, g: i64, l: i64, w: i64, h: i64, fee: i64| SizeTier {
        name: name.into(),
        max_weight_g: g,
        max_longest_mm: l,
        max_median_mm: w,
        max_shortest_mm: h,
        fee: m(fee, c),
    };
    match country {
        "US" => vec![
            t("Small standard", 454, 381, 305, 19, 322),
            t("Large standard 1 lb", 454, 457, 356, 203, 440),
            t("Large standard 3 lb", 1361, 457, 356, 203, 550),
            t("Large standard 20 lb", 9072, 457, 356, 203, 692),
            t("Small oversize", 31_751, 1524, 762, 762, 973),
        ],
        "JP" => vec![
            t("小型", 250, 250, 180, 20, 288),
            t("標準 1", 1000, 350, 300, 330, 421),
            t("標準 2", 2000, 600, 300, 330, 530),
            t("標準 3", 9000, 600, 450, 400, 640),
            t("大型", 40_000, 2000, 800, 800, 1_350),
        ],
        _ => vec![
            t("Small envelope", 80, 200, 150, 10, 270),
            t("Standard envelope", 460, 330, 230, 25, 307),
            t("Small parcel", 1000, 350, 250, 120, 387),
            t("Standard parcel", 12_000, 450, 340, 260, 540),
            t("Small oversize", 29_760, 610, 460, 460, 915),
        ],
    }
}

/// Price endings of currencies whose unit is worth a cent or less: prices
/// there are whole units, rounded to tens or thousands as their buyers see
/// them. None for the rest (the ending follows the decimals).
fn low_value_ending(c: Currency) -> Option<Ending> {
    let unit = 10i64.pow(c.exponent());
    let (step, rest) = match c.code() {
        // Rp 587,900; ₩12,900
        "IDR" | "KRW" => (1000, 900),
        // 199,000₫; COP 59.000
        "VND" | "COP" => (1000, 0),
        // CLP 12.990
        "CLP" => (1000, 990),
        // ฿299, ₱299, NT$299
        "THB" | "PHP" | "TWD" => (10, 9),
        // 4,990 Ft
        "HUF" => (10, 0),
        _ => return None,
    };
    Some(Ending { step: step * unit, rest: rest * unit })
}

/// A market as a seller starting out with `channel_kind` in `country` would
/// set it up; `channel_name` is shown in explanations.
pub fn market(channel_kind: &str, channel_name: &str, country: &str, currency: &str) -> Market {
    let c = cur(currency);
    let exp = c.exponent();
    let (rate, display, label) = tax_of(country);
    let inclusive = display == TaxDisplay::Inclusive;
    let collector = match (channel_kind, country) {
        ("amazon" | "ebay" | "tiktok", "US") => TaxCollector::Marketplace,
        ("amazon" | "ebay" | "tiktok", _) if eu(country) || country == "GB" || country == "UK" => {
            TaxCollector::Marketplace
        }
        ("shopee" | "tiktok", "SG") => TaxCollector::MarketplaceUpTo { limit: m(40_000, Currency::SGD) },
        ("amazon", "AU") => TaxCollector::Marketplace,
        _ => TaxCollector::Seller,
    };
    let min = |minor: i64| Some(m(minor, c));
    // a fee given in hundredths of the currency's unit (30 = 0.30), in its
    // minor units whatever its decimals: 0.30 EUR = 30 cents, 0.300 KWD = 300 fils
    let hundredths = |h: i64| Some(m(h * 10i64.pow(exp) / 100, c));
    let fees = match channel_kind {
        "amazon" => FeeSchedule {
            referral: match country {
                "JP" => {
                    referral(&[("", "0.10"), ("kitchen", "0.10"), ("electronics", "0.08"), ("beauty", "0.10")], min(30))
                }
                "US" => referral(
                    &[("", "0.15"), ("kitchen", "0.15"), ("electronics", "0.08"), ("beauty", "0.15"), ("pets", "0.15")],
                    hundredths(30),
                ),
                _ => referral(
                    &[("", "0.15"), ("kitchen", "0.15"), ("electronics", "0.07"), ("beauty", "0.15")],
                    hundredths(30),
                ),
            },
            per_order: None,
            payment_rate: Decimal::ZERO,
            payment_fixed: None,
            closing: None,
            on_tax_inclusive: inclusive,
            on_shipping: true,
        },
        "shopee" => FeeSchedule {
            referral: referral(&[("", "0.06"), ("electronics", "0.05")], None),
            per_order: None,
            payment_rate: d("0.02"),
            payment_fixed: None,
            closing: None,
            on_tax_inclusive: true,
            on_shipping: false,
        },
        "tiktok" => FeeSchedule {
            referral: referral(&[("", "0.06")], None),
            per_order: None,
            payment_rate: d("0.02"),
            payment_fixed: None,
            closing: None,
            on_tax_inclusive: true,
            on_shipping: false,
        },
        "ebay" => FeeSchedule {
            referral: referral(&[("", "0.1325"), ("electronics", "0.09")], None),
            per_order: if exp == 0 { None } else { hundredths(30) },
            payment_rate: Decimal::ZERO,
            payment_fixed: None,
            closing: None,
            on_tax_inclusive: inclusive,
            on_shipping: true,
        },
        // own store: payment processing only
        _ => FeeSchedule {
            referral: vec![],
            per_order: None,
            payment_rate: if country == "JP" { d("0.0355") } else { d("0.029") },
            payment_fixed: if exp == 0 { None } else { hundredths(30) },
            closing: None,
            on_tax_inclusive: true,
            on_shipping: true,
        },
    };
    let fba = channel_kind == "amazon";
    let logistics = Logistics {
        freight_per_kg: m(
            match country {
                "US" | "CA" => 4_200,
                "JP" | "SG" | "MY" | "TH" | "PH" | "VN" | "ID" => 2_600,
                _ => 3_800,
            },
            Currency::CNY,
        ),
        volumetric_divisor: if country == "US" || country == "JP" { 6000 } else { 5000 },
        packaging: m(150, Currency::CNY),
        duty: match country {
            "US" => vec![
                DutyRate { hs_prefix: "3924".into(), rate: d("0.034") },
                DutyRate { hs_prefix: "8518".into(), rate: d("0") },
                DutyRate { hs_prefix: "9405".into(), rate: d("0.039") },
            ],
            _ if eu(country) => vec![
                DutyRate { hs_prefix: "3924".into(), rate: d("0.065") },
                DutyRate { hs_prefix: "8518".into(), rate: d("0.02") },
                DutyRate { hs_prefix: "9405".into(), rate: d("0.047") },
            ],
            _ => vec![],
        },
        default_duty: match country {
            "US" => d("0.035"),
            "JP" | "SG" => d("0"),
            _ => d("0.03"),
        },
        duty_on_freight: country != "US",
        fulfilment: if fba { amazon_tiers(country, c) } else { vec![] },
        last_mile: if fba {
            Money::zero(c)
        } else {
            match country {
                "JP" => m(600, Currency::JPY),
                "SG" => m(199, Currency::SGD),
                "US" => m(550, Currency::USD),
                _ => m(450, Currency::EUR),
            }
        },
        // Shopee buyers pay part of the shipping
        // (1.99 of a currency whose unit is worth cents: rupiah, baht ... it is not)
        shipping_charged: if channel_kind == "shopee" && exp == 2 && low_value_ending(c).is_none() {
            m(199, c)
        } else {
            Money::zero(c)
        },
    };
    let ending = match (low_value_ending(c), exp) {
        // a unit worth little: whole units (Rp 587,900, 199,000₫, ฿299), never sen
        (Some(e), _) => e,
        (None, 0) => Ending::JPY80,
        // three decimals (KWD, BHD, OMR): 4.990, not 4.199
        (None, 3) => Ending::M990,
        _ if channel_kind == "shopee" => Ending::C90,
        _ => Ending::C99,
    };
    let rules = MarketRules {
        target: Target::Margin { margin: d("0.25") },
        min_margin: d("0.10"),
        ending,
        rounding: Rounding::Up,
        floor: None,
        ceiling: None,
        map: None,
    };
    Market {
        channel: channel_name.to_string(),
        country: country.to_string(),
        currency: c,
        fees,
        tax: TaxRule {
            label: label.to_string(),
            default_rate: rate,
            by_category: reduced(country),
            display,
            collector,
        },
        logistics,
        rules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid() {
        for (kind, name, country, currency) in [
            ("amazon", "Amazon.com", "US", "USD"),
            ("amazon", "Amazon.de", "DE", "EUR"),
            ("amazon", "Amazon.co.jp", "JP", "JPY"),
            ("amazon", "Amazon.co.uk", "GB", "GBP"),
            ("shopee", "Shopee SG", "SG", "SGD"),
            ("shopify", "Own store", "JP", "JPY"),
            ("woocommerce", "Own store", "DE", "EUR"),
            ("ebay", "eBay US", "US", "USD"),
            ("tiktok", "TikTok Shop", "GB", "GBP"),
        ] {
            let mk = market(kind, name, country, currency);
            mk.validate().unwrap_or_else(|e| panic!("{kind} {country}: {e}"));
        }
    }
}
