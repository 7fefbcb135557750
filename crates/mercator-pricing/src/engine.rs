//! From cost to price, and back.
//!
//! Definitions (also in docs/PRICING.md and the UI):
//! - **Price** `P`: what the buyer sees on the listing, in the market's
//!   currency; it includes tax in tax-inclusive markets. Shipping charged to
//!   the buyer `S` is shown the same way.
//! - **Net revenue** `N`: what the sale brings without tax:
//!   `(P + S) / (1 + t)` in tax-inclusive markets, `P + S` where tax is added
//!   at checkout.
//! - **Fees**: referral `max(r x base, minimum)` where base is `P` (plus `S`
//!   when the channel charges on shipping), with or without tax as the
//!   channel computes it; payment processing on what the buyer pays (tax and
//!   shipping included); fixed per-order and closing fees.
//! - **Landed cost** `L`: purchase cost converted at the FX rate made worse
//!   by the buffer, first-leg freight on chargeable weight (the larger of
//!   actual and volumetric), packaging, duty on cost (FOB) or on cost +
//!   freight (CIF), and the fulfilment or last-mile fee.
//! - **Profit** = `N - fees - L`; **margin** = profit / `N` (margin on net
//!   revenue, without tax).
//!
//! Everything is computed in `rust_decimal` at full precision; only the
//! price itself (and reported amounts) are rounded to the currency's minor
//! unit.

use crate::fx::{Conversion, FxTable};
use crate::policy::{Globals, Item, Market, Rounding, Target, TaxCollector, TaxDisplay};
use mercator_core::{Currency, ErrorCode, ErrorPayload, Money};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use time::Date;

/// What the engine knows besides the market and the item.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub fx: &'a FxTable,
    pub globals: &'a Globals,
    pub today: Date,
}

/// A value in an explanation step, formatted by the UI in the user's locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Arg {
    /// An amount, exact (may have more decimals than the currency's minor unit).
    Money {
        value: Decimal,
        currency: Currency,
        /// The currency's minor-unit digits (ISO 4217), for display.
        exponent: u32,
    },
    /// A fraction shown as a percentage.
    Percent {
        value: Decimal,
    },
    Number {
        value: Decimal,
    },
    Text {
        value: String,
    },
}

/// Every step an explanation can hold; each is a Fluent message
/// `price-step-<code>` in every locale (checked by mercator-i18n's tests),
/// and a step not listed here fails every test that explains a price.
pub const STEP_CODES: &[&str] = &[
    "cost",
    "fx",
    "freight",
    "packaging",
    "duty-cif",
    "duty-fob",
    "fulfilment",
    "last-mile",
    "landed",
    "target-margin",
    "target-profit",
    "solve",
    "rounding",
    "rounding-raised",
    "floor",
    "map",
    "ceiling",
    "price",
    "tax-included-marketplace",
    "tax-included-seller",
    "tax-added-marketplace",
    "tax-added-seller",
    "net-revenue",
    "referral",
    "referral-min",
    "payment",
    "per-order",
    "closing",
    "fees",
    "profit",
];

/// One line of "why this price": a Fluent message `price-step-<code>` with args.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub code: String,
    pub args: Vec<(String, Arg)>,
}

fn money(value: Decimal, currency: Currency) -> Arg {
    Arg::Money { value, currency, exponent: currency.exponent() }
}
fn pct(value: Decimal) -> Arg {
    Arg::Percent { value }
}
fn num(value: impl Into<Decimal>) -> Arg {
    Arg::Number { value: value.into() }
}
fn text(value: impl ToString) -> Arg {
    Arg::Text { value: value.to_string() }
}

/// Collects explanation steps when asked to (the bulk path passes none).
struct Explain<'a>(Option<&'a mut Vec<Step>>);

impl Explain<'_> {
    fn step(&mut self, code: &str, args: impl FnOnce() -> Vec<(&'static str, Arg)>) {
        debug_assert!(STEP_CODES.contains(&code), "step {code} is not in STEP_CODES (and has no message)");
        if let Some(steps) = self.0.as_deref_mut() {
            steps.push(Step {
                code: code.to_string(),
                args: args().into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            });
        }
    }
}

/// The cost side of a unit in one market, in the market's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Landed {
    pub purchase: Decimal,
    pub freight: Decimal,
    pub packaging: Decimal,
    pub duty: Decimal,
    pub fulfilment: Decimal,
    pub total: Decimal,
    pub chargeable_g: i64,
    pub tier: Option<String>,
}

/// Fees on one sale, in the market's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fees {
    pub referral: Decimal,
    pub payment: Decimal,
    pub per_order: Decimal,
    pub closing: Decimal,
    pub total: Decimal,
}

/// A price with everything it is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    pub price: Money,
    /// Shipping charged to the buyer.
    pub shipping: Money,
    pub tax: Decimal,
    pub tax_rate: Decimal,
    /// The marketplace collects and remits the tax (the seller does not).
    pub tax_by_marketplace: bool,
    pub net_revenue: Decimal,
    pub fees: Fees,
    pub landed: Landed,
    pub profit: Decimal,
    /// Profit / net revenue (0 when there is no revenue).
    pub margin: Decimal,
    pub warnings: Vec<mercator_core::ErrorPayload>,
    pub steps: Vec<Step>,
}

impl Quote {
    pub fn profit_money(&self) -> Money {
        round_money(self.profit, self.price.currency())
    }
}

fn round_money(v: Decimal, c: Currency) -> Money {
    Money::from_decimal_rounded(v, c).unwrap_or(Money::zero(c))
}

fn to_decimal(m: &Money) -> Decimal {
    m.to_decimal()
}

fn cannot(code: ErrorCode) -> ErrorPayload {
    ErrorPayload::new(code)
}

/// A product or quotient that leaves `Decimal`'s range is "cannot price:
/// out of range", never a panic that stops a whole reprice.
fn ck(v: Option<Decimal>) -> Result<Decimal, ErrorPayload> {
    v.ok_or_else(|| cannot(ErrorCode::PriceOutOfRange))
}

/// Smallest and largest units of a currency per euro a rate may say (the
/// dong and rupiah are ~30,000 and ~18,000 per euro, the dinar ~0.3).
const MIN_PER_EUR: Decimal = Decimal::from_parts(1, 0, 0, false, 6); // 0.000001
const MAX_PER_EUR: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

impl Context<'_> {
    /// Refuses what no real market has, at the engine's door, naming it:
    /// a buffer outside 0-50 %, a rate of zero, below zero or absurd.
    pub fn validate(&self) -> Result<(), ErrorPayload> {
        self.globals.validate()?;
        for (c, r) in self.fx.currencies() {
            if r.per_eur < MIN_PER_EUR || r.per_eur > MAX_PER_EUR {
                return Err(cannot(ErrorCode::PricingInputInvalid)
                    .arg("field", format!("fx.{c}"))
                    .arg("detail", "range"));
            }
        }
        Ok(())
    }
}

/// Converts a cost into the market's currency at a rate made worse by the
/// FX buffer; remembers the conversion (for the staleness check, and so that
/// pricing many items on one market computes each rate once).
fn convert_cost(
    ctx: &Context,
    amount: &Money,
    to: Currency,
    seen: &mut Vec<(Conversion, Decimal)>,
    ex: &mut Explain,
    what: &str,
) -> Result<Decimal, ErrorPayload> {
    if amount.currency() == to {
        return Ok(to_decimal(amount));
    }
    let from = amount.currency();
    let i = match seen.iter().position(|(c, _)| c.from == from && c.to == to) {
        Some(i) => i,
        None => {
            let c = ctx.fx.conversion(from, to)?;
            let factor = c.apply(Decimal::ONE, Decimal::ONE + ctx.globals.fx_buffer);
            seen.push((c, factor));
            seen.len() - 1
        }
    };
    let (c, factor) = &seen[i];
    // 12 decimals: exact for every real amount, free of division residue
    let value =
        ck(to_decimal(amount).checked_mul(*factor))?.round_dp_with_strategy(12, RoundingStrategy::MidpointNearestEven);
    ex.step("fx", || {
        vec![
            ("what", text(what)),
            ("amount", money(to_decimal(amount), from)),
            ("rate", num(c.rate.round_dp(6))),
            ("buffer", pct(ctx.globals.fx_buffer)),
            ("result", money(value, to)),
            ("date", text(c.as_of.map(|d| d.to_string()).unwrap_or_default())),
            ("source", text(&c.source)),
        ]
    });
    Ok(value)
}

/// The landed cost of one unit of `item` in `market`.
pub fn landed_cost(ctx: &Context, item: &Item, market: &Market) -> Result<(Landed, Vec<ErrorPayload>), ErrorPayload> {
    let mut seen = vec![];
    let landed = landed_inner(ctx, item, market, &mut seen, &mut Explain(None))?;
    Ok((landed, stale_warnings(ctx, &seen)))
}

fn landed_inner(
    ctx: &Context,
    item: &Item,
    market: &Market,
    seen: &mut Vec<(Conversion, Decimal)>,
    ex: &mut Explain,
) -> Result<Landed, ErrorPayload> {
    let cur = market.currency;
    let l = &market.logistics;
    ex.step("cost", || vec![("amount", money(to_decimal(&item.cost), item.cost.currency()))]);
    let purchase = convert_cost(ctx, &item.cost, cur, seen, ex, "cost")?;
    // chargeable weight: actual or volumetric (L x W x H in cm / divisor, in kg)
    // L x W x H in mm / divisor = grams (cm^3 / divisor = kg), rounded up
    let volume_mm3 = i128::from(item.length_mm) * i128::from(item.width_mm) * i128::from(item.height_mm);
    let divisor = i128::from(l.volumetric_divisor.max(1));
    let volumetric_g = i64::try_from((volume_mm3 + divisor - 1) / divisor).unwrap_or(i64::MAX);
    let chargeable_g = item.weight_g.max(volumetric_g);
    let per_kg = convert_cost(ctx, &l.freight_per_kg, cur, seen, ex, "freight")?;
    let freight = ck(per_kg.checked_mul(Decimal::new(chargeable_g, 3)))?;
    ex.step("freight", || {
        vec![
            ("actual", num(item.weight_g)),
            ("volumetric", num(volumetric_g)),
            ("divisor", num(l.volumetric_divisor)),
            ("chargeable", num(chargeable_g)),
            ("perKg", money(per_kg, cur)),
            ("amount", money(freight, cur)),
        ]
    });
    let packaging = convert_cost(ctx, &l.packaging, cur, seen, ex, "packaging")?;
    ex.step("packaging", || vec![("amount", money(packaging, cur))]);
    let duty_rate = l.duty_for(&item.hs_code);
    let duty_base = if l.duty_on_freight { ck(purchase.checked_add(freight))? } else { purchase };
    let duty = ck(duty_base.checked_mul(duty_rate))?;
    ex.step(if l.duty_on_freight { "duty-cif" } else { "duty-fob" }, || {
        vec![
            ("hs", text(if item.hs_code.is_empty() { "—" } else { &item.hs_code })),
            ("rate", pct(duty_rate)),
            ("base", money(duty_base, cur)),
            ("amount", money(duty, cur)),
        ]
    });
    let (fulfilment, tier) = if l.fulfilment.is_empty() {
        let v = convert_cost(ctx, &l.last_mile, cur, seen, ex, "last-mile")?;
        ex.step("last-mile", || vec![("amount", money(v, cur))]);
        (v, None)
    } else {
        let mut dims = [item.length_mm, item.width_mm, item.height_mm];
        dims.sort_unstable_by(|a, b| b.cmp(a));
        let tier = l
            .fulfilment
            .iter()
            .find(|t| {
                item.weight_g <= t.max_weight_g
                    && dims[0] <= t.max_longest_mm
                    && dims[1] <= t.max_median_mm
                    && dims[2] <= t.max_shortest_mm
            })
            .ok_or_else(|| {
                cannot(ErrorCode::PriceNoSizeTier)
                    .arg("weight", item.weight_g)
                    .arg("dimensions", format!("{}×{}×{}", dims[0], dims[1], dims[2]))
            })?;
        let v = convert_cost(ctx, &tier.fee, cur, seen, ex, "fulfilment")?;
        ex.step("fulfilment", || vec![("tier", text(&tier.name)), ("amount", money(v, cur))]);
        (v, Some(tier.name.clone()))
    };
    let total = [freight, packaging, duty, fulfilment].into_iter().try_fold(purchase, |a, b| ck(a.checked_add(b)))?;
    ex.step("landed", || vec![("amount", money(total, cur))]);
    Ok(Landed { purchase, freight, packaging, duty, fulfilment, total, chargeable_g, tier })
}

/// How revenue and fees depend on the price in one market for one category:
/// per unit of displayed price.
#[derive(Debug, Clone, Copy)]
struct Coeffs {
    tax_rate: Decimal,
    /// net revenue per displayed unit
    alpha: Decimal,
    /// referral base per displayed unit
    beta: Decimal,
    /// buyer payment per displayed unit
    gamma: Decimal,
    referral_rate: Decimal,
    referral_min: Decimal,
    on_shipping: bool,
    payment_rate: Decimal,
    /// fixed fees: payment fixed + per order + closing
    fixed: Decimal,
}

fn coeffs(market: &Market, category: &str) -> Coeffs {
    let t = market.tax.rate_for(category);
    let inclusive = market.tax.display == TaxDisplay::Inclusive;
    let one = Decimal::ONE;
    let alpha = if inclusive { one / (one + t) } else { one };
    let f = &market.fees;
    let beta = match (inclusive, f.on_tax_inclusive) {
        (true, true) | (false, false) => one,
        (true, false) => alpha,
        (false, true) => one + t,
    };
    let gamma = if inclusive { one } else { one + t };
    let referral = f.referral_for(category);
    let m = |o: &Option<Money>| o.as_ref().map(to_decimal).unwrap_or_default();
    Coeffs {
        tax_rate: t,
        alpha,
        beta,
        gamma,
        referral_rate: referral.map(|r| r.rate).unwrap_or_default(),
        referral_min: referral.map(|r| m(&r.min_per_item)).unwrap_or_default(),
        on_shipping: f.on_shipping,
        payment_rate: f.payment_rate,
        fixed: m(&f.payment_fixed) + m(&f.per_order) + m(&f.closing),
    }
}

/// Revenue side of a sale at price `p` with shipping `s` (displayed units).
fn revenue(k: &Coeffs, p: Decimal, s: Decimal) -> (Decimal, Decimal, Decimal) {
    let shown = p + s;
    let net = shown * k.alpha;
    let referral_base = (p + if k.on_shipping { s } else { Decimal::ZERO }) * k.beta;
    let referral = (referral_base * k.referral_rate).max(k.referral_min);
    let fees = referral + shown * k.gamma * k.payment_rate + k.fixed;
    (net, referral, fees)
}

/// The quote for a given price (the reverse direction: price -> profit, margin).
pub fn evaluate(
    ctx: &Context,
    item: &Item,
    market: &Market,
    price: Money,
    explain: bool,
) -> Result<Quote, ErrorPayload> {
    ctx.validate()?;
    market.validate()?;
    item.validate()?;
    if price.currency() != market.currency {
        return Err(cannot(ErrorCode::PricingInputInvalid).arg("field", "price").arg("detail", "currency"));
    }
    let mut steps = vec![];
    let mut seen = vec![];
    let mut q = {
        let mut ex = Explain(explain.then_some(&mut steps));
        let landed = landed_inner(ctx, item, market, &mut seen, &mut ex)?;
        let s = to_decimal(&market.logistics.shipping_charged);
        quote_at(ctx, item, market, &landed, price, s, &mut ex)
    };
    q.warnings.extend(stale_warnings(ctx, &seen));
    q.steps = steps;
    Ok(q)
}

fn quote_at(
    ctx: &Context,
    item: &Item,
    market: &Market,
    landed: &Landed,
    price: Money,
    shipping: Decimal,
    ex: &mut Explain,
) -> Quote {
    let cur = market.currency;
    let k = coeffs(market, &item.category);
    let p = to_decimal(&price);
    let (net, referral, fees) = revenue(&k, p, shipping);
    let inclusive = market.tax.display == TaxDisplay::Inclusive;
    let tax = if inclusive { p + shipping - net } else { (p + shipping) * k.tax_rate };
    let by_marketplace = match &market.tax.collector {
        TaxCollector::Seller => false,
        TaxCollector::Marketplace => true,
        TaxCollector::MarketplaceUpTo { limit } => {
            let limit_in_market = ctx
                .fx
                .conversion(limit.currency(), cur)
                .map_or(Decimal::MAX, |c| c.apply(to_decimal(limit), Decimal::ONE));
            net <= limit_in_market
        }
    };
    let payment = (p + shipping) * k.gamma * k.payment_rate
        + market.fees.payment_fixed.as_ref().map(to_decimal).unwrap_or_default();
    let per_order = market.fees.per_order.as_ref().map(to_decimal).unwrap_or_default();
    let closing = market.fees.closing.as_ref().map(to_decimal).unwrap_or_default();
    let profit = net - fees - landed.total;
    let margin = if net.is_zero() { Decimal::ZERO } else { profit / net };
    ex.step("price", || vec![("price", money(p, cur)), ("shipping", money(shipping, cur))]);
    ex.step(
        match (inclusive, by_marketplace) {
            (true, true) => "tax-included-marketplace",
            (true, false) => "tax-included-seller",
            (false, true) => "tax-added-marketplace",
            (false, false) => "tax-added-seller",
        },
        || {
            vec![
                ("label", text(&market.tax.label)),
                ("rate", pct(k.tax_rate)),
                ("amount", money(tax, cur)),
                ("channel", text(&market.channel)),
            ]
        },
    );
    ex.step("net-revenue", || vec![("amount", money(net, cur))]);
    ex.step(if referral == k.referral_min && !k.referral_min.is_zero() { "referral-min" } else { "referral" }, || {
        vec![
            ("rate", pct(k.referral_rate)),
            ("base", money((p + if k.on_shipping { shipping } else { Decimal::ZERO }) * k.beta, cur)),
            ("min", money(k.referral_min, cur)),
            ("amount", money(referral, cur)),
            (
                "basis",
                text(match (market.fees.on_tax_inclusive, market.fees.on_shipping) {
                    (true, true) => "gross-shipping",
                    (true, false) => "gross",
                    (false, true) => "net-shipping",
                    (false, false) => "net",
                }),
            ),
        ]
    });
    if !payment.is_zero() {
        ex.step("payment", || vec![("rate", pct(k.payment_rate)), ("amount", money(payment, cur))]);
    }
    if !per_order.is_zero() {
        ex.step("per-order", || vec![("amount", money(per_order, cur))]);
    }
    if !closing.is_zero() {
        ex.step("closing", || vec![("amount", money(closing, cur))]);
    }
    ex.step("fees", || vec![("amount", money(fees, cur))]);
    ex.step("profit", || vec![("amount", money(profit, cur)), ("margin", pct(margin.round_dp(4)))]);
    Quote {
        price,
        shipping: round_money(shipping, cur),
        tax,
        tax_rate: k.tax_rate,
        tax_by_marketplace: by_marketplace,
        net_revenue: net,
        fees: Fees { referral, payment, per_order, closing, total: fees },
        landed: landed.clone(),
        profit,
        margin,
        warnings: vec![],
        steps: vec![],
    }
}

fn stale_warnings(ctx: &Context, seen: &[(Conversion, Decimal)]) -> Vec<ErrorPayload> {
    let max = i64::from(ctx.globals.max_rate_age_days);
    seen.iter()
        .filter_map(|(c, _)| {
            let d = c.as_of?;
            let age = (ctx.today - d).whole_days();
            (age > max).then(|| {
                let cur = if c.from == Currency::EUR { c.to } else { c.from };
                ErrorPayload::new(ErrorCode::PriceWarnFxStale).arg("currency", cur).arg("date", d).arg("days", age)
            })
        })
        .collect()
}

/// Slack for comparing exact decimals that went through a division.
fn eps() -> Decimal {
    Decimal::new(1, 12)
}

/// The price that meets the market's target, rounded to its rules, with
/// its breakdown (`explain`: with the steps of "why this price").
pub fn price(ctx: &Context, item: &Item, market: &Market, explain: bool) -> Result<Quote, ErrorPayload> {
    ctx.validate()?;
    market.validate()?;
    item.validate()?;
    let mut steps = vec![];
    let mut seen = vec![];
    let mut q = {
        let mut ex = Explain(explain.then_some(&mut steps));
        let landed = landed_inner(ctx, item, market, &mut seen, &mut ex)?;
        let minor = solve(market, item, &landed, &mut ex)?;
        let s = to_decimal(&market.logistics.shipping_charged);
        quote_at(ctx, item, market, &landed, Money::from_minor(minor, market.currency), s, &mut ex)
    };
    q.warnings.extend(stale_warnings(ctx, &seen));
    q.steps = steps;
    Ok(q)
}

/// A price with its profit and margin, without the breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Priced {
    /// In the market currency's minor units.
    pub price_minor: i64,
    /// Profit in minor units (rounded half-even).
    pub profit_minor: i64,
    /// Margin in basis points (1/100 of a percent, rounded half-even).
    pub margin_bp: i64,
}

/// What pricing many items on one market can reuse: its rates and its
/// per-category coefficients.
#[derive(Debug, Default)]
pub struct MarketCache {
    rates: Vec<(Conversion, Decimal)>,
    coeffs: Vec<(String, Coeffs)>,
}

/// Just the price, profit and margin (the bulk path: no quote, no steps).
pub fn price_minor(ctx: &Context, item: &Item, market: &Market) -> Result<Priced, ErrorPayload> {
    price_cached(ctx, item, market, &mut MarketCache::default())
}

/// [`price_minor`] reusing what earlier items on the same market computed.
/// The market and item must be valid (see [`Market::validate`]).
pub fn price_cached(
    ctx: &Context,
    item: &Item,
    market: &Market,
    cache: &mut MarketCache,
) -> Result<Priced, ErrorPayload> {
    let landed = landed_inner(ctx, item, market, &mut cache.rates, &mut Explain(None))?;
    let k = match cache.coeffs.iter().find(|(c, _)| *c == item.category) {
        Some((_, k)) => *k,
        None => {
            let k = coeffs(market, &item.category);
            cache.coeffs.push((item.category.clone(), k));
            k
        }
    };
    let minor = solve_with(market, &k, &landed, &mut Explain(None))?;
    let cur = market.currency;
    let (net, _, fees) =
        revenue(&k, Decimal::new(minor, cur.exponent()), to_decimal(&market.logistics.shipping_charged));
    priced(minor, net, fees, landed.total, cur)
}

/// Price, profit and margin in whole units; out of range is "cannot price", never a 0.
fn priced(
    price_minor: i64,
    net: Decimal,
    fees: Decimal,
    landed: Decimal,
    cur: Currency,
) -> Result<Priced, ErrorPayload> {
    let profit = ck(ck(net.checked_sub(fees))?.checked_sub(landed))?;
    let margin = if net.is_zero() { Decimal::ZERO } else { ck(profit.checked_div(net))? };
    let scaled = |v: Decimal, by: Decimal| -> Result<i64, ErrorPayload> {
        let x = ck(v.checked_mul(by))?.round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven);
        i64::try_from(x).map_err(|_| cannot(ErrorCode::PriceOutOfRange))
    };
    Ok(Priced {
        price_minor,
        profit_minor: scaled(profit, Decimal::from(10i64.pow(cur.exponent())))?,
        margin_bp: scaled(margin, Decimal::from(10_000))?,
    })
}

/// Profit and margin at a given price (the reverse direction, bulk path).
pub fn at_price_cached(
    ctx: &Context,
    item: &Item,
    market: &Market,
    price_minor: i64,
    cache: &mut MarketCache,
) -> Result<Priced, ErrorPayload> {
    let landed = landed_inner(ctx, item, market, &mut cache.rates, &mut Explain(None))?;
    let k = coeffs(market, &item.category);
    let cur = market.currency;
    let (net, _, fees) =
        revenue(&k, Decimal::new(price_minor, cur.exponent()), to_decimal(&market.logistics.shipping_charged));
    priced(price_minor, net, fees, landed.total, cur)
}

/// Profit at price `p` minus what the target asks for at that price; >= 0 means the target is met.
fn surplus(k: &Coeffs, target: &Target, landed: Decimal, p: Decimal, s: Decimal) -> Decimal {
    let (net, _, fees) = revenue(k, p, s);
    let profit = net - fees - landed;
    match target {
        Target::Margin { margin } => profit - *margin * net,
        Target::Profit { profit: t } => profit - to_decimal(t),
    }
}

fn solve(market: &Market, item: &Item, landed: &Landed, ex: &mut Explain) -> Result<i64, ErrorPayload> {
    solve_with(market, &coeffs(market, &item.category), landed, ex)
}

fn solve_with(market: &Market, k: &Coeffs, landed: &Landed, ex: &mut Explain) -> Result<i64, ErrorPayload> {
    let k = *k;
    let cur = market.currency;
    let rules = &market.rules;
    let s = to_decimal(&market.logistics.shipping_charged);
    let one = Decimal::ONE;
    // profit - target = A*P + B, piecewise in the referral minimum
    let (m, extra) = match &rules.target {
        Target::Margin { margin } => (*margin, Decimal::ZERO),
        Target::Profit { profit } => (Decimal::ZERO, to_decimal(profit)),
    };
    let keep = (one - m) * k.alpha - k.gamma * k.payment_rate; // per displayed unit, before referral
    let sigma = if k.on_shipping { one } else { Decimal::ZERO };
    let cost = landed.total + k.fixed + extra;
    let a_pct = keep - k.referral_rate * k.beta;
    let cost = ck(cost.checked_add(Decimal::ZERO))?;
    let raw = if a_pct > Decimal::ZERO {
        let p = ck((cost - s * (keep - k.referral_rate * k.beta * sigma)).checked_div(a_pct))?;
        if ck(ck((p + s * sigma).checked_mul(k.beta))?.checked_mul(k.referral_rate))? >= k.referral_min {
            Some(p)
        } else if keep > Decimal::ZERO {
            Some(ck((cost + k.referral_min - s * keep).checked_div(keep))?)
        } else {
            None
        }
    } else {
        None
    };
    let Some(raw) = raw else {
        return Err(cannot(ErrorCode::PriceTargetUnreachable)
            .arg("channel", &market.channel)
            .arg("fees", (k.referral_rate * k.beta + k.gamma * k.payment_rate).round_dp(4) * Decimal::ONE_HUNDRED)
            .arg("margin", m * Decimal::ONE_HUNDRED));
    };
    let scale = Decimal::from(10i64.pow(cur.exponent()));
    let raw_minor = ck(raw.checked_mul(scale))?.round_dp_with_strategy(9, RoundingStrategy::MidpointNearestEven);
    let unit = |p: i64| Decimal::new(p, cur.exponent());
    match &rules.target {
        Target::Margin { margin } => ex.step("target-margin", || vec![("margin", pct(*margin))]),
        Target::Profit { profit } => ex.step("target-profit", || vec![("profit", money(to_decimal(profit), cur))]),
    }
    ex.step("solve", || vec![("raw", money(raw_minor.max(Decimal::ZERO) / scale, cur))]);
    let lowest = 1i64; // a price is at least one minor unit
    let ceil = i64::try_from(raw_minor.ceil()).map_err(|_| cannot(ErrorCode::PriceOutOfRange))?.max(lowest);
    let floor_v = i64::try_from(raw_minor.floor()).map_err(|_| cannot(ErrorCode::PriceOutOfRange))?.max(lowest);
    let e = rules.ending;
    let up = |v: i64| {
        let mut c = e.up(v);
        while c < lowest {
            c = e.up(c + 1);
        }
        c
    };
    let down_or_up = |v: i64| {
        let d = e.down(v);
        if d >= lowest {
            d
        } else {
            up(v)
        }
    };
    let mut c = match rules.rounding {
        Rounding::Up => up(ceil),
        Rounding::Down => down_or_up(floor_v),
        Rounding::Nearest => {
            let (d, u) = (down_or_up(floor_v), up(ceil));
            if raw_minor - Decimal::from(d) <= Decimal::from(u) - raw_minor {
                d
            } else {
                u
            }
        }
    };
    let meets = |p: i64| surplus(&k, &rules.target, landed.total, unit(p), s) >= -eps();
    let rounded = c;
    // never below the target: move up to the next allowed ending
    let mut guard = 0;
    while !meets(c) {
        c = up(c + 1);
        guard += 1;
        if guard > 100_000 {
            return Err(cannot(ErrorCode::PriceOutOfRange));
        }
    }
    ex.step(if c == rounded { "rounding" } else { "rounding-raised" }, || {
        vec![
            ("from", money(raw_minor.max(Decimal::ZERO) / scale, cur)),
            ("to", money(unit(c), cur)),
            ("ending", text(ending_text(&e, cur))),
            (
                "direction",
                text(match rules.rounding {
                    Rounding::Up => "up",
                    Rounding::Down => "down",
                    Rounding::Nearest => "nearest",
                }),
            ),
        ]
    });
    // floor and minimum advertised price
    let lower = [rules.floor.as_ref(), rules.map.as_ref()].into_iter().flatten().map(Money::minor).max();
    if let Some(lim) = lower {
        if c < lim {
            let to = up(lim);
            let which = if rules.map.as_ref().is_some_and(|m| m.minor() == lim) { "map" } else { "floor" };
            ex.step(which, || vec![("limit", money(unit(lim), cur)), ("to", money(unit(to), cur))]);
            c = to;
        }
    }
    if let Some(ceiling) = &rules.ceiling {
        if c > ceiling.minor() {
            let to = e.down(ceiling.minor());
            if to < lowest || !meets(to) || lower.is_some_and(|l| to < l) {
                return Err(cannot(ErrorCode::PriceCeilingBelowTarget)
                    .arg("ceiling", Money::from_minor(ceiling.minor(), cur))
                    .arg("needed", Money::from_minor(c, cur)));
            }
            ex.step("ceiling", || vec![("limit", money(to_decimal(ceiling), cur)), ("to", money(unit(to), cur))]);
            c = to;
        }
    }
    Ok(c)
}

/// The ending as a buyer reads it: ".99" of a cent ending, "…900" of an
/// ending in whole units (Rp 587,900), in the currency's own units.
fn ending_text(e: &crate::policy::Ending, cur: Currency) -> String {
    if e.step <= 1 {
        return "—".into();
    }
    let unit = 10i64.pow(cur.exponent());
    let width = |n: i64| n.to_string().len() - 1;
    if e.step <= unit {
        return format!(".{:0w$}", e.rest, w = width(e.step));
    }
    if e.step % unit == 0 && e.rest % unit == 0 {
        return format!("…{:0w$}", e.rest / unit, w = width(e.step / unit));
    }
    format!("…{}/{}", e.rest, e.step)
}

/// A promotion on a listing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Promotion {
    PercentOff {
        rate: Decimal,
    },
    AmountOff {
        amount: Money,
    },
    /// Shipping is free for the buyer when the price reaches `threshold`.
    FreeShippingOver {
        threshold: Money,
    },
}

/// A promotion's effect: the quote at the promotional price, compared with
/// the regular one, and warnings (below floor, margin below the limit, loss).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PromoQuote {
    pub regular: Quote,
    pub promoted: Quote,
    pub warnings: Vec<ErrorPayload>,
}

pub fn promote(
    ctx: &Context,
    item: &Item,
    market: &Market,
    price: Money,
    promo: &Promotion,
) -> Result<PromoQuote, ErrorPayload> {
    let regular = evaluate(ctx, item, market, price, false)?;
    let cur = market.currency;
    let invalid = |f: &str, d: &str| cannot(ErrorCode::PricingInputInvalid).arg("field", f).arg("detail", d);
    let mut shipping = to_decimal(&market.logistics.shipping_charged);
    let promo_price = match promo {
        Promotion::PercentOff { rate } => {
            if rate.is_sign_negative() || *rate >= Decimal::ONE {
                return Err(invalid("promotion.rate", "range"));
            }
            round_money(to_decimal(&price) * (Decimal::ONE - rate), cur)
        }
        Promotion::AmountOff { amount } => {
            if amount.currency() != cur {
                return Err(invalid("promotion.amount", "currency"));
            }
            if amount.minor() < 0 || amount.minor() >= price.minor() {
                return Err(invalid("promotion.amount", "range"));
            }
            Money::from_minor(price.minor() - amount.minor(), cur)
        }
        Promotion::FreeShippingOver { threshold } => {
            if threshold.currency() != cur || threshold.minor() < 0 {
                return Err(invalid("promotion.threshold", "range"));
            }
            if price.minor() >= threshold.minor() {
                shipping = Decimal::ZERO;
            }
            price
        }
    };
    let mut seen = vec![];
    let mut steps = vec![];
    let landed = landed_inner(ctx, item, market, &mut seen, &mut Explain(None))?;
    let mut promoted = quote_at(ctx, item, market, &landed, promo_price, shipping, &mut Explain(Some(&mut steps)));
    promoted.steps = steps;
    let mut warnings = vec![];
    if let Some(floor) = &market.rules.floor {
        if promo_price.minor() < floor.minor() {
            warnings.push(
                ErrorPayload::new(ErrorCode::PriceWarnPromoBelowFloor).arg("floor", floor).arg("price", promo_price),
            );
        }
    }
    if promoted.profit < Decimal::ZERO {
        warnings.push(ErrorPayload::new(ErrorCode::PriceWarnPromoLoss).arg("profit", promoted.profit_money()));
    } else if promoted.margin < market.rules.min_margin {
        warnings.push(
            ErrorPayload::new(ErrorCode::PriceWarnPromoMargin)
                .arg("margin", (promoted.margin * Decimal::ONE_HUNDRED).round_dp(1))
                .arg("limit", (market.rules.min_margin * Decimal::ONE_HUNDRED).round_dp(1)),
        );
    }
    Ok(PromoQuote { regular, promoted, warnings })
}

#[cfg(test)]
mod tests {
    use super::ending_text;
    use crate::policy::Ending;
    use mercator_core::Currency;

    #[test]
    fn an_ending_reads_in_the_currency_s_own_units() {
        let c = |s: &str| s.parse::<Currency>().unwrap();
        assert_eq!(ending_text(&Ending::C99, c("EUR")), ".99");
        assert_eq!(ending_text(&Ending::M990, c("KWD")), ".990");
        assert_eq!(ending_text(&Ending::JPY80, c("JPY")), "…80");
        assert_eq!(ending_text(&Ending { step: 100_000, rest: 90_000 }, c("IDR")), "…900", "Rp 587,900");
        assert_eq!(ending_text(&Ending { step: 1_000, rest: 900 }, c("THB")), "…9", "฿299");
        assert_eq!(ending_text(&Ending { step: 1_000, rest: 0 }, c("HUF")), "…0");
        assert_eq!(ending_text(&Ending { step: 1_000, rest: 0 }, c("VND")), "…000");
        assert_eq!(ending_text(&Ending::NONE, c("EUR")), "—");
    }
}
