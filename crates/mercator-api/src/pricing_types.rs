//! The pricing engine's inputs and results as the UI sees them: the API's
//! own copies of `mercator_pricing`'s policy (a market's fees, tax,
//! logistics and rules; the global settings) and quote ("why this price")
//! types, mapped once each way, so the engine's types can change without
//! changing the UI's contract. Amounts inside are core `Money` (declared for
//! the UI by `bindings::CORE_WIRE_TYPES`) or exact decimal text.

use mercator_core::{Currency, ErrorPayload, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Whether the market's shelf prices include tax (EU, UK, JP, AU, SG) or
/// have it added at checkout (US, CA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TaxDisplay {
    Inclusive,
    Exclusive,
}

/// Who collects and remits the tax on a sale. With the marketplace
/// collecting (US marketplace facilitator laws, the EU import scheme for
/// consignments up to EUR 150) the seller neither adds it nor pays it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum TaxCollector {
    Seller,
    Marketplace,
    /// The marketplace collects when the price (without tax) is at most
    /// `limit`; above it the seller does.
    MarketplaceUpTo {
        #[ts(type = "Money")]
        limit: Money,
    },
}

/// Tax on sales in one market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TaxRule {
    /// `VAT`, `GST`, `JCT`, `Sales tax`: shown in explanations.
    pub label: String,
    #[ts(type = "string")]
    pub default_rate: Decimal,
    /// (category, rate) where it differs from the default (reduced rates).
    #[ts(type = "[string, string][]")]
    pub by_category: Vec<(String, Decimal)>,
    pub display: TaxDisplay,
    pub collector: TaxCollector,
}

/// A referral (commission) fee for one category; category "" is the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReferralFee {
    pub category: String,
    #[ts(type = "string")]
    pub rate: Decimal,
    /// Minimum fee per item (Amazon: 0.30 in most markets).
    #[ts(type = "Money | null")]
    pub min_per_item: Option<Money>,
}

/// What a channel charges in one market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FeeSchedule {
    pub referral: Vec<ReferralFee>,
    /// Fixed fee per order (e.g. Amazon's per-item fee for individual sellers, Shopee's transaction fee).
    #[ts(type = "Money | null")]
    pub per_order: Option<Money>,
    /// Payment processing, on what the buyer pays (tax and shipping included).
    #[ts(type = "string")]
    pub payment_rate: Decimal,
    #[ts(type = "Money | null")]
    pub payment_fixed: Option<Money>,
    /// A closing fee per item sold.
    #[ts(type = "Money | null")]
    pub closing: Option<Money>,
    /// The referral fee is computed on the tax-inclusive price (Amazon EU,
    /// UK, JP) rather than on the price without tax.
    pub on_tax_inclusive: bool,
    /// The referral fee also applies to shipping charged to the buyer
    /// (Amazon: on the total sales price).
    pub on_shipping: bool,
}

/// Import duty for HS codes starting with `hs_prefix` (the longest match wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DutyRate {
    pub hs_prefix: String,
    #[ts(type = "string")]
    pub rate: Decimal,
}

/// A size tier of the fulfilment fee table (e.g. FBA "Small standard").
/// Dimensions are compared sorted: longest, median, shortest side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SizeTier {
    pub name: String,
    pub max_weight_g: i64,
    pub max_longest_mm: i64,
    pub max_median_mm: i64,
    pub max_shortest_mm: i64,
    #[ts(type = "Money")]
    pub fee: Money,
}

/// Getting one unit to the buyer in this market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Logistics {
    /// First-leg freight per kilogram of chargeable weight.
    #[ts(type = "Money")]
    pub freight_per_kg: Money,
    /// Volumetric weight = L x W x H (cm) / divisor; 5000 (air express) or 6000.
    pub volumetric_divisor: u32,
    #[ts(type = "Money")]
    pub packaging: Money,
    pub duty: Vec<DutyRate>,
    #[ts(type = "string")]
    pub default_duty: Decimal,
    /// Duty is charged on cost + freight (CIF: EU, UK, JP) rather than on
    /// the cost alone (FOB: US).
    pub duty_on_freight: bool,
    /// Last-mile or fulfilment fee by size tier; empty when the seller ships
    /// with `last_mile`.
    pub fulfilment: Vec<SizeTier>,
    /// Last-mile cost per unit when there is no fulfilment table.
    #[ts(type = "Money")]
    pub last_mile: Money,
    /// Shipping charged to the buyer per unit (shown the way prices are: with
    /// tax in tax-inclusive markets).
    #[ts(type = "Money")]
    pub shipping_charged: Money,
}

/// What the price must achieve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Target {
    /// Profit as a fraction of net revenue (revenue without tax).
    Margin {
        #[ts(type = "string")]
        margin: Decimal,
    },
    /// Profit per unit.
    Profit {
        #[ts(type = "Money")]
        profit: Money,
    },
}

/// Which way a computed price moves to the nearest allowed ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Rounding {
    Up,
    Down,
    Nearest,
}

/// Allowed price endings: prices `p` (in minor units) with
/// `p % step == rest`. `.99` is (100, 99); JPY ending in 80 is (100, 80);
/// none is (1, 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Ending {
    pub step: i64,
    pub rest: i64,
}

/// How prices are set in one market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MarketRules {
    pub target: Target,
    /// Promotions warn when they take the margin below this.
    #[ts(type = "string")]
    pub min_margin: Decimal,
    pub ending: Ending,
    pub rounding: Rounding,
    #[ts(type = "Money | null")]
    pub floor: Option<Money>,
    #[ts(type = "Money | null")]
    pub ceiling: Option<Money>,
    /// Minimum advertised price agreed with the brand.
    #[ts(type = "Money | null")]
    pub map: Option<Money>,
}

/// One market of one channel account: where a listing sells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Market {
    /// Channel account name (`Amazon.de`), for explanations.
    pub channel: String,
    /// ISO 3166 country.
    pub country: String,
    #[ts(type = "Currency")]
    pub currency: Currency,
    pub fees: FeeSchedule,
    pub tax: TaxRule,
    pub logistics: Logistics,
    pub rules: MarketRules,
}

/// Settings that apply to every market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Globals {
    /// Costs are converted at a rate worse by this fraction, against FX moves
    /// between buying and selling.
    #[ts(type = "string")]
    pub fx_buffer: Decimal,
    /// Rates older than this many days make a price warn.
    pub max_rate_age_days: u32,
}

/// A value in an explanation step, formatted by the UI in the user's locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Arg {
    /// An amount, exact (may have more decimals than the currency's minor unit).
    Money {
        #[ts(type = "string")]
        value: Decimal,
        #[ts(type = "Currency")]
        currency: Currency,
        /// The currency's minor-unit digits (ISO 4217), for display.
        exponent: u32,
    },
    /// A fraction shown as a percentage.
    Percent {
        #[ts(type = "string")]
        value: Decimal,
    },
    Number {
        #[ts(type = "string")]
        value: Decimal,
    },
    Text {
        value: String,
    },
}

/// One line of "why this price": a Fluent message `price-step-<code>` with args.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub code: String,
    pub args: Vec<(String, Arg)>,
}

/// The cost side of a unit in one market, in the market's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Landed {
    #[ts(type = "string")]
    pub purchase: Decimal,
    #[ts(type = "string")]
    pub freight: Decimal,
    #[ts(type = "string")]
    pub packaging: Decimal,
    #[ts(type = "string")]
    pub duty: Decimal,
    #[ts(type = "string")]
    pub fulfilment: Decimal,
    #[ts(type = "string")]
    pub total: Decimal,
    pub chargeable_g: i64,
    pub tier: Option<String>,
}

/// Fees on one sale, in the market's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Fees {
    #[ts(type = "string")]
    pub referral: Decimal,
    #[ts(type = "string")]
    pub payment: Decimal,
    #[ts(type = "string")]
    pub per_order: Decimal,
    #[ts(type = "string")]
    pub closing: Decimal,
    #[ts(type = "string")]
    pub total: Decimal,
}

/// A price with everything it is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    #[ts(type = "Money")]
    pub price: Money,
    /// Shipping charged to the buyer.
    #[ts(type = "Money")]
    pub shipping: Money,
    #[ts(type = "string")]
    pub tax: Decimal,
    #[ts(type = "string")]
    pub tax_rate: Decimal,
    /// The marketplace collects and remits the tax (the seller does not).
    pub tax_by_marketplace: bool,
    #[ts(type = "string")]
    pub net_revenue: Decimal,
    pub fees: Fees,
    pub landed: Landed,
    #[ts(type = "string")]
    pub profit: Decimal,
    /// Profit / net revenue (0 when there is no revenue).
    #[ts(type = "string")]
    pub margin: Decimal,
    #[ts(type = "ErrorPayload[]")]
    pub warnings: Vec<ErrorPayload>,
    pub steps: Vec<Step>,
}

/// A promotion's effect: the quote at the promotional price, compared with
/// the regular one, and warnings (below floor, margin below the limit, loss).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PromoQuote {
    pub regular: Quote,
    pub promoted: Quote,
    #[ts(type = "ErrorPayload[]")]
    pub warnings: Vec<ErrorPayload>,
}

impl From<mercator_pricing::policy::TaxDisplay> for TaxDisplay {
    fn from(x: mercator_pricing::policy::TaxDisplay) -> Self {
        match x {
            mercator_pricing::policy::TaxDisplay::Inclusive => TaxDisplay::Inclusive,
            mercator_pricing::policy::TaxDisplay::Exclusive => TaxDisplay::Exclusive,
        }
    }
}

impl From<TaxDisplay> for mercator_pricing::policy::TaxDisplay {
    fn from(x: self::TaxDisplay) -> Self {
        match x {
            TaxDisplay::Inclusive => mercator_pricing::policy::TaxDisplay::Inclusive,
            TaxDisplay::Exclusive => mercator_pricing::policy::TaxDisplay::Exclusive,
        }
    }
}

impl From<mercator_pricing::policy::TaxCollector> for TaxCollector {
    fn from(x: mercator_pricing::policy::TaxCollector) -> Self {
        match x {
            mercator_pricing::policy::TaxCollector::Seller => TaxCollector::Seller,
            mercator_pricing::policy::TaxCollector::Marketplace => TaxCollector::Marketplace,
            mercator_pricing::policy::TaxCollector::MarketplaceUpTo { limit } => {
                TaxCollector::MarketplaceUpTo { limit }
            }
        }
    }
}

impl From<TaxCollector> for mercator_pricing::policy::TaxCollector {
    fn from(x: self::TaxCollector) -> Self {
        match x {
            TaxCollector::Seller => mercator_pricing::policy::TaxCollector::Seller,
            TaxCollector::Marketplace => mercator_pricing::policy::TaxCollector::Marketplace,
            TaxCollector::MarketplaceUpTo { limit } => {
                mercator_pricing::policy::TaxCollector::MarketplaceUpTo { limit }
            }
        }
    }
}

impl From<mercator_pricing::policy::TaxRule> for TaxRule {
    fn from(x: mercator_pricing::policy::TaxRule) -> Self {
        TaxRule {
            label: x.label,
            default_rate: x.default_rate,
            by_category: x.by_category,
            display: x.display.into(),
            collector: x.collector.into(),
        }
    }
}

impl From<TaxRule> for mercator_pricing::policy::TaxRule {
    fn from(x: self::TaxRule) -> Self {
        mercator_pricing::policy::TaxRule {
            label: x.label,
            default_rate: x.default_rate,
            by_category: x.by_category,
            display: x.display.into(),
            collector: x.collector.into(),
        }
    }
}

impl From<mercator_pricing::policy::ReferralFee> for ReferralFee {
    fn from(x: mercator_pricing::policy::ReferralFee) -> Self {
        ReferralFee { category: x.category, rate: x.rate, min_per_item: x.min_per_item }
    }
}

impl From<ReferralFee> for mercator_pricing::policy::ReferralFee {
    fn from(x: self::ReferralFee) -> Self {
        mercator_pricing::policy::ReferralFee { category: x.category, rate: x.rate, min_per_item: x.min_per_item }
    }
}

impl From<mercator_pricing::policy::FeeSchedule> for FeeSchedule {
    fn from(x: mercator_pricing::policy::FeeSchedule) -> Self {
        FeeSchedule {
            referral: x.referral.into_iter().map(Into::into).collect(),
            per_order: x.per_order,
            payment_rate: x.payment_rate,
            payment_fixed: x.payment_fixed,
            closing: x.closing,
            on_tax_inclusive: x.on_tax_inclusive,
            on_shipping: x.on_shipping,
        }
    }
}

impl From<FeeSchedule> for mercator_pricing::policy::FeeSchedule {
    fn from(x: self::FeeSchedule) -> Self {
        mercator_pricing::policy::FeeSchedule {
            referral: x.referral.into_iter().map(Into::into).collect(),
            per_order: x.per_order,
            payment_rate: x.payment_rate,
            payment_fixed: x.payment_fixed,
            closing: x.closing,
            on_tax_inclusive: x.on_tax_inclusive,
            on_shipping: x.on_shipping,
        }
    }
}

impl From<mercator_pricing::policy::DutyRate> for DutyRate {
    fn from(x: mercator_pricing::policy::DutyRate) -> Self {
        DutyRate { hs_prefix: x.hs_prefix, rate: x.rate }
    }
}

impl From<DutyRate> for mercator_pricing::policy::DutyRate {
    fn from(x: self::DutyRate) -> Self {
        mercator_pricing::policy::DutyRate { hs_prefix: x.hs_prefix, rate: x.rate }
    }
}

impl From<mercator_pricing::policy::SizeTier> for SizeTier {
    fn from(x: mercator_pricing::policy::SizeTier) -> Self {
        SizeTier {
            name: x.name,
            max_weight_g: x.max_weight_g,
            max_longest_mm: x.max_longest_mm,
            max_median_mm: x.max_median_mm,
            max_shortest_mm: x.max_shortest_mm,
            fee: x.fee,
        }
    }
}

impl From<SizeTier> for mercator_pricing::policy::SizeTier {
    fn from(x: self::SizeTier) -> Self {
        mercator_pricing::policy::SizeTier {
            name: x.name,
            max_weight_g: x.max_weight_g,
            max_longest_mm: x.max_longest_mm,
            max_median_mm: x.max_median_mm,
            max_shortest_mm: x.max_shortest_mm,
            fee: x.fee,
        }
    }
}

impl From<mercator_pricing::policy::Logistics> for Logistics {
    fn from(x: mercator_pricing::policy::Logistics) -> Self {
        Logistics {
            freight_per_kg: x.freight_per_kg,
            volumetric_divisor: x.volumetric_divisor,
            packaging: x.packaging,
            duty: x.duty.into_iter().map(Into::into).collect(),
            default_duty: x.default_duty,
            duty_on_freight: x.duty_on_freight,
            fulfilment: x.fulfilment.into_iter().map(Into::into).collect(),
            last_mile: x.last_mile,
            shipping_charged: x.shipping_charged,
        }
    }
}

impl From<Logistics> for mercator_pricing::policy::Logistics {
    fn from(x: self::Logistics) -> Self {
        mercator_pricing::policy::Logistics {
            freight_per_kg: x.freight_per_kg,
            volumetric_divisor: x.volumetric_divisor,
            packaging: x.packaging,
            duty: x.duty.into_iter().map(Into::into).collect(),
            default_duty: x.default_duty,
            duty_on_freight: x.duty_on_freight,
            fulfilment: x.fulfilment.into_iter().map(Into::into).collect(),
            last_mile: x.last_mile,
            shipping_charged: x.shipping_charged,
        }
    }
}

impl From<mercator_pricing::policy::Target> for Target {
    fn from(x: mercator_pricing::policy::Target) -> Self {
        match x {
            mercator_pricing::policy::Target::Margin { margin } => Target::Margin { margin },
            mercator_pricing::policy::Target::Profit { profit } => Target::Profit { profit },
        }
    }
}

impl From<Target> for mercator_pricing::policy::Target {
    fn from(x: self::Target) -> Self {
        match x {
            Target::Margin { margin } => mercator_pricing::policy::Target::Margin { margin },
            Target::Profit { profit } => mercator_pricing::policy::Target::Profit { profit },
        }
    }
}

impl From<mercator_pricing::policy::Rounding> for Rounding {
    fn from(x: mercator_pricing::policy::Rounding) -> Self {
        match x {
            mercator_pricing::policy::Rounding::Up => Rounding::Up,
            mercator_pricing::policy::Rounding::Down => Rounding::Down,
            mercator_pricing::policy::Rounding::Nearest => Rounding::Nearest,
        }
    }
}

impl From<Rounding> for mercator_pricing::policy::Rounding {
    fn from(x: self::Rounding) -> Self {
        match x {
            Rounding::Up => mercator_pricing::policy::Rounding::Up,
            Rounding::Down => mercator_pricing::policy::Rounding::Down,
            Rounding::Nearest => mercator_pricing::policy::Rounding::Nearest,
        }
    }
}

impl From<mercator_pricing::policy::Ending> for Ending {
    fn from(x: mercator_pricing::policy::Ending) -> Self {
        Ending { step: x.step, rest: x.rest }
    }
}

impl From<Ending> for mercator_pricing::policy::Ending {
    fn from(x: self::Ending) -> Self {
        mercator_pricing::policy::Ending { step: x.step, rest: x.rest }
    }
}

impl From<mercator_pricing::policy::MarketRules> for MarketRules {
    fn from(x: mercator_pricing::policy::MarketRules) -> Self {
        MarketRules {
            target: x.target.into(),
            min_margin: x.min_margin,
            ending: x.ending.into(),
            rounding: x.rounding.into(),
            floor: x.floor,
            ceiling: x.ceiling,
            map: x.map,
        }
    }
}

impl From<MarketRules> for mercator_pricing::policy::MarketRules {
    fn from(x: self::MarketRules) -> Self {
        mercator_pricing::policy::MarketRules {
            target: x.target.into(),
            min_margin: x.min_margin,
            ending: x.ending.into(),
            rounding: x.rounding.into(),
            floor: x.floor,
            ceiling: x.ceiling,
            map: x.map,
        }
    }
}

impl From<mercator_pricing::policy::Market> for Market {
    fn from(x: mercator_pricing::policy::Market) -> Self {
        Market {
            channel: x.channel,
            country: x.country,
            currency: x.currency,
            fees: x.fees.into(),
            tax: x.tax.into(),
            logistics: x.logistics.into(),
            rules: x.rules.into(),
        }
    }
}

impl From<Market> for mercator_pricing::policy::Market {
    fn from(x: self::Market) -> Self {
        mercator_pricing::policy::Market {
            channel: x.channel,
            country: x.country,
            currency: x.currency,
            fees: x.fees.into(),
            tax: x.tax.into(),
            logistics: x.logistics.into(),
            rules: x.rules.into(),
        }
    }
}

impl From<mercator_pricing::policy::Globals> for Globals {
    fn from(x: mercator_pricing::policy::Globals) -> Self {
        Globals { fx_buffer: x.fx_buffer, max_rate_age_days: x.max_rate_age_days }
    }
}

impl From<Globals> for mercator_pricing::policy::Globals {
    fn from(x: self::Globals) -> Self {
        mercator_pricing::policy::Globals { fx_buffer: x.fx_buffer, max_rate_age_days: x.max_rate_age_days }
    }
}

impl From<mercator_pricing::engine::Arg> for Arg {
    fn from(x: mercator_pricing::engine::Arg) -> Self {
        match x {
            mercator_pricing::engine::Arg::Money { value, currency, exponent } => {
                Arg::Money { value, currency, exponent }
            }
            mercator_pricing::engine::Arg::Percent { value } => Arg::Percent { value },
            mercator_pricing::engine::Arg::Number { value } => Arg::Number { value },
            mercator_pricing::engine::Arg::Text { value } => Arg::Text { value },
        }
    }
}

impl From<mercator_pricing::engine::Step> for Step {
    fn from(x: mercator_pricing::engine::Step) -> Self {
        Step { code: x.code, args: x.args.into_iter().map(|(k, v)| (k, v.into())).collect() }
    }
}

impl From<mercator_pricing::engine::Landed> for Landed {
    fn from(x: mercator_pricing::engine::Landed) -> Self {
        Landed {
            purchase: x.purchase,
            freight: x.freight,
            packaging: x.packaging,
            duty: x.duty,
            fulfilment: x.fulfilment,
            total: x.total,
            chargeable_g: x.chargeable_g,
            tier: x.tier,
        }
    }
}

impl From<mercator_pricing::engine::Fees> for Fees {
    fn from(x: mercator_pricing::engine::Fees) -> Self {
        Fees { referral: x.referral, payment: x.payment, per_order: x.per_order, closing: x.closing, total: x.total }
    }
}

impl From<mercator_pricing::engine::Quote> for Quote {
    fn from(x: mercator_pricing::engine::Quote) -> Self {
        Quote {
            price: x.price,
            shipping: x.shipping,
            tax: x.tax,
            tax_rate: x.tax_rate,
            tax_by_marketplace: x.tax_by_marketplace,
            net_revenue: x.net_revenue,
            fees: x.fees.into(),
            landed: x.landed.into(),
            profit: x.profit,
            margin: x.margin,
            warnings: x.warnings,
            steps: x.steps.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<mercator_pricing::engine::PromoQuote> for PromoQuote {
    fn from(x: mercator_pricing::engine::PromoQuote) -> Self {
        PromoQuote { regular: x.regular.into(), promoted: x.promoted.into(), warnings: x.warnings }
    }
}
