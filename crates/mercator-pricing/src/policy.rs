//! What a price is made from: per market (a channel account selling in one
//! country and currency) its channel fees, tax, logistics and pricing rules;
//! per variant its cost, size and customs data. Every input is validated
//! here, with the field named, before the engine sees it.
//!
//! Rates are fractions (`0.15` is 15 %), amounts are [`Money`].

use mercator_core::{Currency, ErrorCode, ErrorPayload, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Whether the market's shelf prices include tax (EU, UK, JP, AU, SG) or
/// have it added at checkout (US, CA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TaxDisplay {
    Inclusive,
    Exclusive,
}

/// Who collects and remits the tax on a sale. With the marketplace
/// collecting (US marketplace facilitator laws, the EU import scheme for
/// consignments up to EUR 150) the seller neither adds it nor pays it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum TaxCollector {
    Seller,
    Marketplace,
    /// The marketplace collects when the price (without tax) is at most
    /// `limit`; above it the seller does.
    MarketplaceUpTo {
        limit: Money,
    },
}

/// Tax on sales in one market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxRule {
    /// `VAT`, `GST`, `JCT`, `Sales tax`: shown in explanations.
    pub label: String,
    pub default_rate: Decimal,
    /// (category, rate) where it differs from the default (reduced rates).
    pub by_category: Vec<(String, Decimal)>,
    pub display: TaxDisplay,
    pub collector: TaxCollector,
}

impl TaxRule {
    pub fn rate_for(&self, category: &str) -> Decimal {
        self.by_category.iter().find(|(c, _)| c == category).map_or(self.default_rate, |(_, r)| *r)
    }
}

/// A referral (commission) fee for one category; category "" is the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferralFee {
    pub category: String,
    pub rate: Decimal,
    /// Minimum fee per item (Amazon: 0.30 in most markets).
    pub min_per_item: Option<Money>,
}

/// What a channel charges in one market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeeSchedule {
    pub referral: Vec<ReferralFee>,
    /// Fixed fee per order (e.g. Amazon's per-item fee for individual sellers, Shopee's transaction fee).
    pub per_order: Option<Money>,
    /// Payment processing, on what the buyer pays (tax and shipping included).
    pub payment_rate: Decimal,
    pub payment_fixed: Option<Money>,
    /// A closing fee per item sold.
    pub closing: Option<Money>,
    /// The referral fee is computed on the tax-inclusive price (Amazon EU,
    /// UK, JP) rather than on the price without tax.
    pub on_tax_inclusive: bool,
    /// The referral fee also applies to shipping charged to the buyer
    /// (Amazon: on the total sales price).
    pub on_shipping: bool,
}

impl FeeSchedule {
    pub fn referral_for(&self, category: &str) -> Option<&ReferralFee> {
        self.referral
            .iter()
            .find(|r| r.category == category)
            .or_else(|| self.referral.iter().find(|r| r.category.is_empty()))
    }
}

/// Import duty for HS codes starting with `hs_prefix` (the longest match wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DutyRate {
    pub hs_prefix: String,
    pub rate: Decimal,
}

/// A size tier of the fulfilment fee table (e.g. FBA "Small standard").
/// Dimensions are compared sorted: longest, median, shortest side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SizeTier {
    pub name: String,
    pub max_weight_g: i64,
    pub max_longest_mm: i64,
    pub max_median_mm: i64,
    pub max_shortest_mm: i64,
    pub fee: Money,
}

/// Getting one unit to the buyer in this market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Logistics {
    /// First-leg freight per kilogram of chargeable weight.
    pub freight_per_kg: Money,
    /// Volumetric weight = L x W x H (cm) / divisor; 5000 (air express) or 6000.
    pub volumetric_divisor: u32,
    pub packaging: Money,
    pub duty: Vec<DutyRate>,
    pub default_duty: Decimal,
    /// Duty is charged on cost + freight (CIF: EU, UK, JP) rather than on
    /// the cost alone (FOB: US).
    pub duty_on_freight: bool,
    /// Last-mile or fulfilment fee by size tier; empty when the seller ships
    /// with `last_mile`.
    pub fulfilment: Vec<SizeTier>,
    /// Last-mile cost per unit when there is no fulfilment table.
    pub last_mile: Money,
    /// Shipping charged to the buyer per unit (shown the way prices are: with
    /// tax in tax-inclusive markets).
    pub shipping_charged: Money,
}

impl Logistics {
    pub fn duty_for(&self, hs_code: &str) -> Decimal {
        self.duty
            .iter()
            .filter(|d| !d.hs_prefix.is_empty() && hs_code.starts_with(&d.hs_prefix))
            .max_by_key(|d| d.hs_prefix.len())
            .map_or(self.default_duty, |d| d.rate)
    }
}

/// What the price must achieve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Target {
    /// Profit as a fraction of net revenue (revenue without tax).
    Margin { margin: Decimal },
    /// Profit per unit.
    Profit { profit: Money },
}

/// Which way a computed price moves to the nearest allowed ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Rounding {
    Up,
    Down,
    Nearest,
}

/// Allowed price endings: prices `p` (in minor units) with
/// `p % step == rest`. `.99` is (100, 99); JPY ending in 80 is (100, 80);
/// none is (1, 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ending {
    pub step: i64,
    pub rest: i64,
}

impl Ending {
    pub const NONE: Ending = Ending { step: 1, rest: 0 };
    pub const C99: Ending = Ending { step: 100, rest: 99 };
    pub const C95: Ending = Ending { step: 100, rest: 95 };
    pub const C90: Ending = Ending { step: 100, rest: 90 };
    /// Three-decimal currencies: 4.990 KWD.
    pub const M990: Ending = Ending { step: 1000, rest: 990 };
    /// JPY: ¥1,480, ¥2,980.
    pub const JPY80: Ending = Ending { step: 100, rest: 80 };
    /// JPY: ¥1,500, ¥3,000.
    pub const JPY00: Ending = Ending { step: 100, rest: 0 };

    /// The smallest allowed price >= `minor`.
    pub fn up(&self, minor: i64) -> i64 {
        let r = (minor - self.rest).rem_euclid(self.step);
        if r == 0 {
            minor
        } else {
            minor + (self.step - r)
        }
    }

    /// The largest allowed price <= `minor`.
    pub fn down(&self, minor: i64) -> i64 {
        minor - (minor - self.rest).rem_euclid(self.step)
    }
}

/// How prices are set in one market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarketRules {
    pub target: Target,
    /// Promotions warn when they take the margin below this.
    pub min_margin: Decimal,
    pub ending: Ending,
    pub rounding: Rounding,
    pub floor: Option<Money>,
    pub ceiling: Option<Money>,
    /// Minimum advertised price agreed with the brand.
    pub map: Option<Money>,
}

/// One market of one channel account: where a listing sells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Market {
    /// Channel account name (`Amazon.de`), for explanations.
    pub channel: String,
    /// ISO 3166 country.
    pub country: String,
    pub currency: Currency,
    pub fees: FeeSchedule,
    pub tax: TaxRule,
    pub logistics: Logistics,
    pub rules: MarketRules,
}

/// What the engine needs of a variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub cost: Money,
    pub weight_g: i64,
    pub length_mm: i64,
    pub width_mm: i64,
    pub height_mm: i64,
    pub hs_code: String,
    pub category: String,
}

/// Settings that apply to every market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Globals {
    /// Costs are converted at a rate worse by this fraction, against FX moves
    /// between buying and selling.
    pub fx_buffer: Decimal,
    /// Rates older than this many days make a price warn.
    pub max_rate_age_days: u32,
}

impl Default for Globals {
    fn default() -> Self {
        Globals { fx_buffer: Decimal::new(2, 2), max_rate_age_days: 7 }
    }
}

fn bad(field: &str, detail: &str) -> ErrorPayload {
    ErrorPayload::new(ErrorCode::PricingInputInvalid).arg("field", field).arg("detail", detail)
}

const ABSURD_RATE: Decimal = Decimal::from_parts(5, 0, 0, false, 0); // rates above 500 %

fn rate(field: &str, r: Decimal, max: Decimal) -> Result<(), ErrorPayload> {
    if r.is_sign_negative() {
        return Err(bad(field, "negative"));
    }
    if r > max {
        return Err(bad(field, "too-large"));
    }
    Ok(())
}

fn amount(field: &str, m: &Money, currency: Option<Currency>) -> Result<(), ErrorPayload> {
    if m.minor() < 0 {
        return Err(bad(field, "negative"));
    }
    // a billion in any currency's major unit is no per-unit amount
    if m.minor() / 10i64.pow(m.currency().exponent()) > 1_000_000_000 {
        return Err(bad(field, "too-large"));
    }
    if let Some(c) = currency {
        if m.currency() != c {
            return Err(bad(field, "currency"));
        }
    }
    Ok(())
}

fn opt(field: &str, m: Option<&Money>, currency: Option<Currency>) -> Result<(), ErrorPayload> {
    m.map_or(Ok(()), |m| amount(field, m, currency))
}

impl Market {
    /// Refuses negative or absurd inputs, naming the field. Amounts the
    /// buyer sees (fees, limits, shipping charged) must be in the market's
    /// currency; costs (freight, packaging) may be in any.
    pub fn validate(&self) -> Result<(), ErrorPayload> {
        let cur = Some(self.currency);
        let one = Decimal::ONE;
        for (i, r) in self.fees.referral.iter().enumerate() {
            rate(&format!("fees.referral[{i}].rate"), r.rate, one)?;
            opt(&format!("fees.referral[{i}].minPerItem"), r.min_per_item.as_ref(), cur)?;
        }
        opt("fees.perOrder", self.fees.per_order.as_ref(), cur)?;
        rate("fees.paymentRate", self.fees.payment_rate, one)?;
        opt("fees.paymentFixed", self.fees.payment_fixed.as_ref(), cur)?;
        opt("fees.closing", self.fees.closing.as_ref(), cur)?;
        rate("tax.defaultRate", self.tax.default_rate, one)?;
        for (c, r) in &self.tax.by_category {
            rate(&format!("tax.byCategory.{c}"), *r, one)?;
        }
        if let TaxCollector::MarketplaceUpTo { limit } = &self.tax.collector {
            amount("tax.collector.limit", limit, None)?;
        }
        let l = &self.logistics;
        amount("logistics.freightPerKg", &l.freight_per_kg, None)?;
        if !(1000..=20_000).contains(&l.volumetric_divisor) {
            return Err(bad("logistics.volumetricDivisor", "range"));
        }
        amount("logistics.packaging", &l.packaging, None)?;
        for d in &l.duty {
            rate(&format!("logistics.duty.{}", d.hs_prefix), d.rate, ABSURD_RATE)?;
        }
        rate("logistics.defaultDuty", l.default_duty, ABSURD_RATE)?;
        for t in &l.fulfilment {
            amount(&format!("logistics.fulfilment.{}", t.name), &t.fee, None)?;
            if t.max_weight_g <= 0 || t.max_longest_mm <= 0 || t.max_median_mm <= 0 || t.max_shortest_mm <= 0 {
                return Err(bad(&format!("logistics.fulfilment.{}", t.name), "range"));
            }
        }
        amount("logistics.lastMile", &l.last_mile, None)?;
        amount("logistics.shippingCharged", &l.shipping_charged, cur)?;
        let r = &self.rules;
        match &r.target {
            Target::Margin { margin } => {
                if margin.is_sign_negative() || *margin >= one {
                    return Err(bad("rules.target.margin", "range"));
                }
            }
            Target::Profit { profit } => amount("rules.target.profit", profit, cur)?,
        }
        if r.min_margin >= one || r.min_margin < -one {
            return Err(bad("rules.minMargin", "range"));
        }
        if r.ending.step < 1 || r.ending.rest < 0 || r.ending.rest >= r.ending.step || r.ending.step > 1_000_000 {
            return Err(bad("rules.ending", "range"));
        }
        opt("rules.floor", r.floor.as_ref(), cur)?;
        opt("rules.ceiling", r.ceiling.as_ref(), cur)?;
        opt("rules.map", r.map.as_ref(), cur)?;
        if let (Some(f), Some(c)) = (&r.floor, &r.ceiling) {
            if f.minor() > c.minor() {
                return Err(bad("rules.ceiling", "below-floor"));
            }
        }
        Ok(())
    }
}

impl Item {
    pub fn validate(&self) -> Result<(), ErrorPayload> {
        amount("cost", &self.cost, None)?;
        for (f, v) in [
            ("weightG", self.weight_g),
            ("lengthMm", self.length_mm),
            ("widthMm", self.width_mm),
            ("heightMm", self.height_mm),
        ] {
            if !(0..=10_000_000).contains(&v) {
                return Err(bad(f, "range"));
            }
        }
        Ok(())
    }
}

impl Globals {
    pub fn validate(&self) -> Result<(), ErrorPayload> {
        rate("fxBuffer", self.fx_buffer, Decimal::new(5, 1))?;
        if self.max_rate_age_days == 0 || self.max_rate_age_days > 365 {
            return Err(bad("maxRateAgeDays", "range"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endings_find_the_allowed_prices_around_a_price() {
        assert_eq!(Ending::C99.up(1850), 1899);
        assert_eq!(Ending::C99.down(1850), 1799);
        assert_eq!(Ending::C99.up(1899), 1899);
        assert_eq!(Ending::JPY80.up(1401), 1480);
        assert_eq!(Ending::JPY80.down(1401), 1380);
        assert_eq!(Ending::JPY00.up(1401), 1500);
        assert_eq!(Ending::NONE.up(1234), 1234);
        assert_eq!(Ending::C95.down(50), -5, "below the first allowed price");
    }

    #[test]
    fn duty_uses_the_longest_matching_prefix() {
        let l = Logistics {
            freight_per_kg: Money::zero(Currency::CNY),
            volumetric_divisor: 5000,
            packaging: Money::zero(Currency::CNY),
            duty: vec![
                DutyRate { hs_prefix: "85".into(), rate: Decimal::new(2, 2) },
                DutyRate { hs_prefix: "8518".into(), rate: Decimal::new(45, 3) },
            ],
            default_duty: Decimal::new(3, 2),
            duty_on_freight: true,
            fulfilment: vec![],
            last_mile: Money::zero(Currency::EUR),
            shipping_charged: Money::zero(Currency::EUR),
        };
        assert_eq!(l.duty_for("851830"), Decimal::new(45, 3));
        assert_eq!(l.duty_for("850440"), Decimal::new(2, 2));
        assert_eq!(l.duty_for("392410"), Decimal::new(3, 2));
        assert_eq!(l.duty_for(""), Decimal::new(3, 2));
    }
}
