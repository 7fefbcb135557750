//! Pricing engine: golden cases computed by hand (arithmetic in the
//! comments), properties over generated inputs, the ECB parser on its real
//! format, and bad input.

use mercator_core::{Currency, Money};
use mercator_pricing::policy::*;
use mercator_pricing::{evaluate, parse_ecb, price, promote, Context, FxTable, Promotion, RateInfo};
use proptest::prelude::*;
use rust_decimal::Decimal;
use time::macros::date;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Rates per EUR: USD 1.08, JPY 160, CNY 7.80, SGD 1.45 (round numbers so the
/// golden arithmetic can be followed by hand).
fn fx() -> FxTable {
    let mut t = FxTable::new();
    for (c, r) in [("USD", "1.08"), ("JPY", "160"), ("CNY", "7.80"), ("SGD", "1.45")] {
        t.set(c.parse().unwrap(), RateInfo { per_eur: d(r), as_of: date!(2026 - 11 - 30), source: "ECB".into() });
    }
    t
}

fn globals() -> Globals {
    Globals { fx_buffer: d("0.02"), max_rate_age_days: 7 }
}

/// A silicone kitchen item from Shenzhen: CN¥39.00, 300 g, 200 x 150 x 50 mm.
fn item() -> Item {
    Item {
        cost: Money::from_minor(3900, Currency::CNY),
        weight_g: 300,
        length_mm: 200,
        width_mm: 150,
        height_mm: 50,
        hs_code: "392410".into(),
        category: "kitchen".into(),
    }
}

fn m(minor: i64, c: &str) -> Money {
    Money::from_minor(minor, c.parse().unwrap())
}

fn tier(name: &str, g: i64, l: i64, w: i64, h: i64, fee: Money) -> SizeTier {
    SizeTier { name: name.into(), max_weight_g: g, max_longest_mm: l, max_median_mm: w, max_shortest_mm: h, fee }
}

fn rules(margin: &str, ending: Ending) -> MarketRules {
    MarketRules {
        target: Target::Margin { margin: d(margin) },
        min_margin: d("0.10"),
        ending,
        rounding: Rounding::Up,
        floor: None,
        ceiling: None,
        map: None,
    }
}

fn amazon_us() -> Market {
    Market {
        channel: "Amazon.com".into(),
        country: "US".into(),
        currency: Currency::USD,
        fees: FeeSchedule {
            referral: vec![ReferralFee { category: String::new(), rate: d("0.15"), min_per_item: Some(m(30, "USD")) }],
            per_order: None,
            payment_rate: Decimal::ZERO,
            payment_fixed: None,
            closing: None,
            on_tax_inclusive: false,
            on_shipping: true,
        },
        tax: TaxRule {
            label: "Sales tax".into(),
            default_rate: Decimal::ZERO,
            by_category: vec![],
            display: TaxDisplay::Exclusive,
            collector: TaxCollector::Marketplace,
        },
        logistics: Logistics {
            freight_per_kg: m(3900, "CNY"),
            volumetric_divisor: 6000,
            packaging: m(156, "CNY"),
            duty: vec![DutyRate { hs_prefix: "3924".into(), rate: d("0.034") }],
            default_duty: d("0.035"),
            duty_on_freight: false,
            fulfilment: vec![
                tier("Small standard", 454, 381, 305, 19, m(322, "USD")),
                tier("Large standard", 454, 457, 356, 203, m(440, "USD")),
            ],
            last_mile: m(0, "USD"),
            shipping_charged: m(0, "USD"),
        },
        rules: rules("0.25", Ending::C99),
    }
}

fn amazon_de() -> Market {
    Market {
        channel: "Amazon.de".into(),
        country: "DE".into(),
        currency: Currency::EUR,
        fees: FeeSchedule {
            referral: vec![ReferralFee { category: String::new(), rate: d("0.15"), min_per_item: Some(m(30, "EUR")) }],
            per_order: None,
            payment_rate: Decimal::ZERO,
            payment_fixed: None,
            closing: None,
            on_tax_inclusive: true,
            on_shipping: true,
        },
        tax: TaxRule {
            label: "VAT".into(),
            default_rate: d("0.19"),
            by_category: vec![("books".into(), d("0.07"))],
            display: TaxDisplay::Inclusive,
            collector: TaxCollector::Marketplace,
        },
        logistics: Logistics {
            freight_per_kg: m(3900, "CNY"),
            volumetric_divisor: 5000,
            packaging: m(156, "CNY"),
            duty: vec![DutyRate { hs_prefix: "3924".into(), rate: d("0.065") }],
            default_duty: d("0.03"),
            duty_on_freight: true,
            fulfilment: vec![
                tier("Standard envelope", 460, 330, 230, 25, m(307, "EUR")),
                tier("Small parcel", 1000, 350, 250, 120, m(387, "EUR")),
            ],
            last_mile: m(0, "EUR"),
            shipping_charged: m(0, "EUR"),
        },
        rules: rules("0.25", Ending::C99),
    }
}

fn amazon_jp() -> Market {
    Market {
        channel: "Amazon.co.jp".into(),
        country: "JP".into(),
        currency: Currency::JPY,
        fees: FeeSchedule {
            referral: vec![ReferralFee { category: String::new(), rate: d("0.10"), min_per_item: Some(m(30, "JPY")) }],
            per_order: None,
            payment_rate: Decimal::ZERO,
            payment_fixed: None,
            closing: None,
            on_tax_inclusive: true,
            on_shipping: true,
        },
        tax: TaxRule {
            label: "JCT".into(),
            default_rate: d("0.10"),
            by_category: vec![],
            display: TaxDisplay::Inclusive,
            collector: TaxCollector::Seller,
        },
        logistics: Logistics {
            freight_per_kg: m(2600, "CNY"),
            volumetric_divisor: 6000,
            packaging: m(156, "CNY"),
            duty: vec![],
            default_duty: Decimal::ZERO,
            duty_on_freight: true,
            fulfilment: vec![
                tier("小型", 250, 250, 180, 20, m(288, "JPY")),
                tier("標準 1", 1000, 350, 300, 330, m(421, "JPY")),
            ],
            last_mile: m(0, "JPY"),
            shipping_charged: m(0, "JPY"),
        },
        rules: rules("0.25", Ending::JPY80),
    }
}

fn shopee_sg() -> Market {
    Market {
        channel: "Shopee SG".into(),
        country: "SG".into(),
        currency: Currency::SGD,
        fees: FeeSchedule {
            referral: vec![ReferralFee { category: String::new(), rate: d("0.06"), min_per_item: None }],
            per_order: None,
            payment_rate: d("0.02"),
            payment_fixed: None,
            closing: None,
            on_tax_inclusive: true,
            on_shipping: false,
        },
        tax: TaxRule {
            label: "GST".into(),
            default_rate: d("0.09"),
            by_category: vec![],
            display: TaxDisplay::Inclusive,
            collector: TaxCollector::MarketplaceUpTo { limit: m(40_000, "SGD") },
        },
        logistics: Logistics {
            freight_per_kg: m(2600, "CNY"),
            volumetric_divisor: 6000,
            packaging: m(156, "CNY"),
            duty: vec![],
            default_duty: Decimal::ZERO,
            duty_on_freight: true,
            fulfilment: vec![],
            last_mile: m(199, "SGD"),
            shipping_charged: m(199, "SGD"),
        },
        rules: rules("0.20", Ending::C90),
    }
}

fn ctx<'a>(fx: &'a FxTable, g: &'a Globals) -> Context<'a> {
    Context { fx, globals: g, today: date!(2026 - 12 - 01) }
}

fn r4(x: Decimal) -> Decimal {
    x.round_dp(4)
}

/// Amazon US, prices without tax (sales tax added at checkout and remitted by
/// Amazon), referral 15 % on price + shipping, FBA "Large standard" $4.40.
///   CNY->USD = 1.08 / 7.80; with the 2 % buffer: x 1.02
///   purchase  39.00 x 1.08/7.80 x 1.02          = 5.508
///   weight    max(300 g, 200x150x50/6000 = 250 g) = 300 g
///   freight   39.00/kg x 1.08/7.80 x 1.02 x 0.3 = 1.6524
///   packaging 1.56 x 1.08/7.80 x 1.02            = 0.22032
///   duty      3.4 % of 5.508 (FOB)               = 0.187272
///   FBA                                          = 4.40
///   landed                                       = 11.967992
///   margin 25 %: P - 0.15 P - 11.967992 = 0.25 P -> P = 11.967992 / 0.60 = 19.9467
///   ending .99, up -> $19.99; profit 19.99 - 2.9985 - 11.967992 = 5.023508 (25.13 %)
#[test]
fn golden_amazon_us() {
    let (fx, g) = (fx(), globals());
    let q = price(&ctx(&fx, &g), &item(), &amazon_us(), true).unwrap();
    assert_eq!(q.landed.total, d("11.967992"));
    assert_eq!(q.landed.chargeable_g, 300);
    assert_eq!(q.landed.tier.as_deref(), Some("Large standard"));
    assert_eq!(q.price, m(1999, "USD"));
    assert_eq!(q.tax, Decimal::ZERO);
    assert!(q.tax_by_marketplace);
    assert_eq!(q.fees.referral, d("2.9985"));
    assert_eq!(q.profit, d("5.023508"));
    assert_eq!(q.profit_money(), m(502, "USD"));
    assert_eq!(r4(q.margin), d("0.2513"));
    let codes: Vec<&str> = q.steps.iter().map(|s| s.code.as_str()).collect();
    for c in [
        "cost",
        "fx",
        "freight",
        "duty-fob",
        "fulfilment",
        "landed",
        "target-margin",
        "solve",
        "rounding",
        "tax-added-marketplace",
        "referral",
        "profit",
    ] {
        assert!(codes.contains(&c), "step {c} in {codes:?}");
    }
}

/// Amazon DE, prices include 19 % VAT (Amazon collects it from non-EU
/// sellers), referral 15 % on the VAT-inclusive total, duty 6.5 % CIF,
/// FBA "Small parcel" €3.87.
///   CNY->EUR = 1 / 7.80, x 1.02
///   purchase  39.00 / 7.80 x 1.02          = 5.10
///   weight    max(300 g, 200x150x50/5000 = 300 g) = 300 g
///   freight   39.00 / 7.80 x 1.02 x 0.3    = 1.53
///   packaging 1.56 / 7.80 x 1.02           = 0.204
///   duty      6.5 % of (5.10 + 1.53)       = 0.43095
///   FBA                                    = 3.87
///   landed                                 = 11.13495
///   net = P / 1.19; margin 25 %: 0.75 P/1.19 - 0.15 P = 11.13495 -> P = 23.1856
///   ending .99, up -> €23.99; net 20.1597, VAT 3.8303, referral 3.5985,
///   profit 20.1597 - 3.5985 - 11.13495 = 5.4262 (26.92 %)
#[test]
fn golden_amazon_de() {
    let (fx, g) = (fx(), globals());
    let q = price(&ctx(&fx, &g), &item(), &amazon_de(), true).unwrap();
    assert_eq!(q.landed.total, d("11.13495"));
    assert_eq!(q.landed.tier.as_deref(), Some("Small parcel"));
    assert_eq!(q.price, m(2399, "EUR"));
    assert_eq!(r4(q.net_revenue), d("20.1597"));
    assert_eq!(r4(q.tax), d("3.8303"));
    assert_eq!(q.fees.referral, d("3.5985"), "referral on the VAT-inclusive price");
    assert_eq!(r4(q.profit), d("5.4262"));
    assert_eq!(r4(q.margin), d("0.2692"));
    assert!(q.steps.iter().any(|s| s.code == "tax-included-marketplace"));
    assert!(q.steps.iter().any(|s| s.code == "duty-cif"));
}

/// Amazon JP, prices include 10 % JCT, whole yen, endings in 80.
///   CNY->JPY = 160 / 7.80, x 1.02
///   purchase  39.00 x 160/7.80 x 1.02         = 816
///   freight   26.00/kg x 160/7.80 x 1.02 x 0.3 = 163.2
///   packaging 1.56 x 160/7.80 x 1.02          = 32.64
///   duty 0; FBA "標準 1"                       = 421
///   landed                                    = 1,432.84
///   0.75 P/1.1 - 0.10 P = 1,432.84 -> P = 2,462.69 -> ¥2,463 -> ending 80 -> ¥2,480
///   net 2,254.55, JCT 225.45, referral 248, profit 573.71 (25.45 %)
#[test]
fn golden_amazon_jp() {
    let (fx, g) = (fx(), globals());
    let q = price(&ctx(&fx, &g), &item(), &amazon_jp(), true).unwrap();
    assert_eq!(q.landed.total, d("1432.84"));
    assert_eq!(q.price, m(2480, "JPY"));
    assert_eq!(q.price.currency().exponent(), 0);
    assert_eq!(q.fees.referral, d("248.0"));
    assert_eq!(q.profit_money(), m(574, "JPY"));
    assert_eq!(r4(q.margin), d("0.2545"));
    assert!(!q.tax_by_marketplace, "the seller remits JCT");
}

/// Shopee SG, prices include 9 % GST (Shopee collects it on goods up to
/// S$400), commission 6 % on the price, transaction fee 2 % on what the buyer
/// pays, buyer pays S$1.99 shipping, last mile S$1.99.
///   CNY->SGD = 1.45 / 7.80, x 1.02
///   purchase  39.00 x 1.45/7.80 x 1.02          = 7.395
///   freight   26.00/kg x 1.45/7.80 x 1.02 x 0.3 = 1.479
///   packaging 1.56 x 1.45/7.80 x 1.02           = 0.2958
///   last mile                                   = 1.99
///   landed                                      = 11.1598
///   net = (P + 1.99)/1.09; margin 20 %:
///   0.8 (P + 1.99)/1.09 - 0.06 P - 0.02 (P + 1.99) = 11.1598 -> P = 14.8928
///   ending .90, up -> S$14.90; net 15.4954, commission 0.894, payment 0.3378,
///   profit 3.1038 (20.03 %)
#[test]
fn golden_shopee_sg() {
    let (fx, g) = (fx(), globals());
    let q = price(&ctx(&fx, &g), &item(), &shopee_sg(), true).unwrap();
    assert_eq!(q.landed.total, d("11.1598"));
    assert_eq!(q.price, m(1490, "SGD"));
    assert_eq!(q.shipping, m(199, "SGD"));
    assert_eq!(q.fees.referral, d("0.8940"));
    assert_eq!(q.fees.payment, d("0.3378"));
    assert_eq!(r4(q.net_revenue), d("15.4954"));
    assert_eq!(r4(q.profit), d("3.1038"));
    assert_eq!(r4(q.margin), d("0.2003"));
    assert!(q.tax_by_marketplace, "under S$400 Shopee collects GST");
}

#[test]
fn the_reverse_direction_gives_profit_and_margin_for_a_price() {
    let (fx, g) = (fx(), globals());
    let q = evaluate(&ctx(&fx, &g), &item(), &amazon_de(), m(2999, "EUR"), false).unwrap();
    // net 29.99/1.19 = 25.20168; referral 4.4985; profit 25.20168 - 4.4985 - 11.13495 = 9.56823
    assert_eq!(r4(q.profit), d("9.5682"));
    assert_eq!(r4(q.margin), d("0.3797"));
}

#[test]
fn the_referral_minimum_applies_to_cheap_items() {
    let (fx, g) = (fx(), globals());
    let cheap = Item { cost: m(100, "CNY"), weight_g: 20, length_mm: 100, width_mm: 50, height_mm: 10, ..item() };
    let mut mk = amazon_us();
    mk.logistics.fulfilment.clear();
    mk.logistics.freight_per_kg = m(0, "CNY");
    mk.logistics.packaging = m(0, "CNY");
    mk.rules.ending = Ending::NONE;
    let q = price(&ctx(&fx, &g), &cheap, &mk, true).unwrap();
    // landed 1.00 x 1.08/7.80 x 1.02 x 1.035 (duty) ~ 0.14617; 15 % of a price near 0.59 is under the $0.30 minimum:
    // 0.75 P = 0.30 + 0.14617 -> P = 0.5949 -> $0.60
    assert_eq!(q.fees.referral, d("0.30"));
    assert_eq!(q.price, m(60, "USD"));
    assert!(q.margin >= d("0.25"));
    assert!(q.steps.iter().any(|s| s.code == "referral-min"));
}

#[test]
fn floors_ceilings_and_map_bound_the_price_and_never_undercut_the_target() {
    let (fx, g) = (fx(), globals());
    let c = ctx(&fx, &g);
    let mut mk = amazon_us();
    mk.rules.floor = Some(m(2450, "USD"));
    assert_eq!(price(&c, &item(), &mk, false).unwrap().price, m(2499, "USD"), "floor, then the next .99");
    mk.rules.floor = None;
    mk.rules.map = Some(m(2100, "USD"));
    let q = price(&c, &item(), &mk, true).unwrap();
    assert_eq!(q.price, m(2199, "USD"));
    assert!(q.steps.iter().any(|s| s.code == "map"));
    mk.rules.map = None;
    mk.rules.ceiling = Some(m(1500, "USD"));
    let e = price(&c, &item(), &mk, false).unwrap_err();
    assert_eq!(e.code, "price-ceiling-below-target", "never silently below the target margin");
    mk.rules.ceiling = Some(m(3000, "USD"));
    mk.rules.rounding = Rounding::Down;
    // rounding down to 18.99 would miss the 25 % margin: the next ending up
    let q = price(&c, &item(), &mk, true).unwrap();
    assert_eq!(q.price, m(1999, "USD"));
    assert!(q.steps.iter().any(|s| s.code == "rounding-raised"));
}

#[test]
fn a_target_profit_is_met_exactly_or_just_above() {
    let (fx, g) = (fx(), globals());
    let mut mk = amazon_jp();
    mk.rules.target = Target::Profit { profit: m(800, "JPY") };
    mk.rules.ending = Ending::NONE;
    let q = price(&ctx(&fx, &g), &item(), &mk, false).unwrap();
    assert!(q.profit >= d("800"));
    let one_less = evaluate(&ctx(&fx, &g), &item(), &mk, m(q.price.minor() - 1, "JPY"), false).unwrap();
    assert!(one_less.profit < d("800"), "the smallest whole-yen price that makes ¥800");
}

#[test]
fn cannot_price_says_why_and_never_returns_zero() {
    let (fx, g) = (fx(), globals());
    let c = ctx(&fx, &g);
    // no GBP rate
    let mut uk = amazon_de();
    uk.currency = Currency::GBP;
    uk.fees.referral[0].min_per_item = Some(m(25, "GBP"));
    uk.logistics.shipping_charged = m(0, "GBP");
    let e = price(&c, &item(), &uk, false).unwrap_err();
    assert_eq!((e.code.as_str(), e.args["from"].as_str(), e.args["to"].as_str()), ("price-no-fx-rate", "CNY", "GBP"));
    // fees + margin over 100 %
    let mut greedy = amazon_us();
    greedy.fees.referral[0].rate = d("0.80");
    let e = price(&c, &item(), &greedy, false).unwrap_err();
    assert_eq!(e.code, "price-target-unreachable");
    // too big for any fulfilment tier
    let big = Item { weight_g: 5000, ..item() };
    assert_eq!(price(&c, &big, &amazon_de(), false).unwrap_err().code, "price-no-size-tier");
}

#[test]
fn negative_or_absurd_inputs_are_refused_with_the_field_named() {
    let (fx, g) = (fx(), globals());
    let c = ctx(&fx, &g);
    type Breaker = Box<dyn Fn(&mut Market)>;
    let cases: Vec<(Breaker, &str)> = vec![
        (Box::new(|mk: &mut Market| mk.fees.referral[0].rate = d("-0.1")), "fees.referral[0].rate"),
        (Box::new(|mk: &mut Market| mk.fees.payment_rate = d("1.5")), "fees.paymentRate"),
        (Box::new(|mk: &mut Market| mk.tax.default_rate = d("2")), "tax.defaultRate"),
        (Box::new(|mk: &mut Market| mk.logistics.volumetric_divisor = 7), "logistics.volumetricDivisor"),
        (Box::new(|mk: &mut Market| mk.logistics.packaging = m(-5, "CNY")), "logistics.packaging"),
        (Box::new(|mk: &mut Market| mk.rules.target = Target::Margin { margin: d("1.2") }), "rules.target.margin"),
        (Box::new(|mk: &mut Market| mk.rules.floor = Some(m(100, "EUR"))), "rules.floor"),
        (Box::new(|mk: &mut Market| mk.logistics.freight_per_kg = m(i64::MAX / 2, "CNY")), "logistics.freightPerKg"),
    ];
    for (break_it, field) in cases {
        let mut mk = amazon_us();
        break_it(&mut mk);
        let e = price(&c, &item(), &mk, false).unwrap_err();
        assert_eq!((e.code.as_str(), e.args["field"].as_str()), ("pricing-input-invalid", field));
    }
    let e = price(&c, &Item { weight_g: -1, ..item() }, &amazon_us(), false).unwrap_err();
    assert_eq!(e.args["field"], "weightG");
}

#[test]
fn stale_rates_warn() {
    let mut fx = FxTable::new();
    fx.set(Currency::CNY, RateInfo { per_eur: d("7.80"), as_of: date!(2026 - 11 - 01), source: "ECB".into() });
    fx.set(Currency::USD, RateInfo { per_eur: d("1.08"), as_of: date!(2026 - 11 - 30), source: "ECB".into() });
    let g = globals();
    let q = price(&ctx(&fx, &g), &item(), &amazon_us(), false).unwrap();
    let w = q.warnings.iter().find(|w| w.code == "price-warn-fx-stale").expect("a stale-rate warning");
    assert_eq!((w.args["currency"].as_str(), w.args["days"].as_str()), ("CNY", "30"));
}

#[test]
fn promotions_show_their_effect_and_warn() {
    let (fx, g) = (fx(), globals());
    let c = ctx(&fx, &g);
    let mut mk = amazon_de();
    mk.rules.floor = Some(m(2000, "EUR"));
    let base = m(2399, "EUR");
    let p = promote(&c, &item(), &mk, base, &Promotion::PercentOff { rate: d("0.10") }).unwrap();
    assert_eq!(p.promoted.price, m(2159, "EUR"));
    assert!(p.promoted.margin < p.regular.margin);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let p = promote(&c, &item(), &mk, base, &Promotion::AmountOff { amount: m(500, "EUR") }).unwrap();
    let codes: Vec<&str> = p.warnings.iter().map(|w| w.code.as_str()).collect();
    assert!(codes.contains(&"price-warn-promo-below-floor"), "{codes:?}");
    let p = promote(&c, &item(), &mk, base, &Promotion::PercentOff { rate: d("0.45") }).unwrap();
    assert!(p.warnings.iter().any(|w| w.code == "price-warn-promo-loss"));
    // free shipping over S$10: the buyer no longer pays the S$1.99
    let sg = shopee_sg();
    let p =
        promote(&c, &item(), &sg, m(1490, "SGD"), &Promotion::FreeShippingOver { threshold: m(1000, "SGD") }).unwrap();
    assert_eq!(p.promoted.shipping, m(0, "SGD"));
    assert!(p.promoted.profit < p.regular.profit);
    assert!(p.warnings.iter().any(|w| w.code == "price-warn-promo-margin"));
}

const ECB_DAILY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
	<gesmes:subject>Reference rates</gesmes:subject>
	<gesmes:Sender>
		<gesmes:name>European Central Bank</gesmes:name>
	</gesmes:Sender>
	<Cube>
		<Cube time='2026-11-30'>
			<Cube currency='USD' rate='1.0566'/>
			<Cube currency='JPY' rate='158.42'/>
			<Cube currency='BGN' rate='1.9558'/>
			<Cube currency='CZK' rate='25.153'/>
			<Cube currency='GBP' rate='0.83080'/>
			<Cube currency='CNY' rate='7.6530'/>
			<Cube currency='SGD' rate='1.4175'/>
			<Cube currency='XDR' rate='0.8'/>
		</Cube>
	</Cube>
</gesmes:Envelope>"#;

#[test]
fn ecb_daily_file_parses_and_bad_files_are_refused_whole() {
    let days = parse_ecb(ECB_DAILY).unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].date, date!(2026 - 11 - 30));
    assert_eq!(days[0].rates.len(), 7);
    assert!(days[0].rates.contains(&(Currency::JPY, d("158.42"))));
    assert_eq!(days[0].skipped, vec!["XDR".to_string()], "unknown codes are kept out, not guessed");
    for (bad, why) in [
        ("not xml at all", "not XML"),
        (&ECB_DAILY.replace("rate='158.42'", "rate='abc'") as &str, "a rate that is not a number"),
        (&ECB_DAILY.replace("rate='1.0566'", "rate='-1'"), "a negative rate"),
        (&ECB_DAILY.replace("currency='CZK'", "currency='USD'"), "a currency twice"),
        (&ECB_DAILY.replace("2026-11-30", "30.11.2026"), "a bad date"),
        (&ECB_DAILY.replace("gesmes:Envelope", "html"), "another document"),
        (&ECB_DAILY[..ECB_DAILY.len() / 2], "a truncated file"),
    ] {
        assert_eq!(parse_ecb(bad).map(|_| ()).unwrap_err().code, "ecb-malformed", "{why}");
    }
}

fn arb_market() -> impl Strategy<Value = Market> {
    (
        prop::sample::select(vec![amazon_us(), amazon_de(), amazon_jp(), shopee_sg()]),
        0u32..40, // margin %
        0u32..20, // referral %
        0u32..4,  // ending
        0u32..3,  // rounding
        0u32..3,  // payment %
        any::<bool>(),
    )
        .prop_map(|(mut mk, margin, referral, ending, rounding, payment, on_gross)| {
            mk.rules.target = Target::Margin { margin: Decimal::new(margin.into(), 2) };
            mk.fees.referral[0].rate = Decimal::new(referral.into(), 2);
            mk.fees.payment_rate = Decimal::new(payment.into(), 2);
            mk.fees.on_tax_inclusive = on_gross;
            mk.rules.ending = if mk.currency.exponent() == 0 {
                [Ending::NONE, Ending::JPY80, Ending::JPY00, Ending { step: 10, rest: 8 }][ending as usize]
            } else {
                [Ending::NONE, Ending::C99, Ending::C95, Ending::C90][ending as usize]
            };
            mk.rules.rounding = [Rounding::Up, Rounding::Down, Rounding::Nearest][rounding as usize];
            mk
        })
}

fn arb_item() -> impl Strategy<Value = Item> {
    (1i64..500_000, 1i64..3000, 10i64..340, 10i64..240, 5i64..110).prop_map(|(cost, g, l, w, h)| Item {
        cost: Money::from_minor(cost, Currency::CNY),
        weight_g: g.min(900),
        length_mm: l,
        width_mm: w,
        height_mm: h,
        hs_code: "392410".into(),
        category: "kitchen".into(),
    })
}

proptest! {
    /// A rounded price never falls below the target margin, respects the
    /// currency's exponent and the ending, and is the lowest such price
    /// when rounding up.
    #[test]
    fn rounded_prices_meet_the_target_and_the_rules(mk in arb_market(), it in arb_item()) {
        let (fx, g) = (fx(), globals());
        let c = ctx(&fx, &g);
        let Target::Margin { margin } = mk.rules.target.clone() else { unreachable!() };
        match price(&c, &it, &mk, false) {
            Ok(q) => {
                prop_assert_eq!(q.price.currency(), mk.currency);
                prop_assert!(q.price.minor() > 0);
                prop_assert_eq!((q.price.minor() - mk.rules.ending.rest).rem_euclid(mk.rules.ending.step), 0);
                prop_assert!(q.margin >= margin - Decimal::new(1, 12), "margin {} < {}", q.margin, margin);
                if mk.rules.rounding == Rounding::Up {
                    let lower = mk.rules.ending.down(q.price.minor() - 1);
                    if lower > 0 {
                        let below = evaluate(&c, &it, &mk, Money::from_minor(lower, mk.currency), false).unwrap();
                        prop_assert!(below.margin < margin, "{lower} would have been enough");
                    }
                }
            }
            Err(e) => prop_assert!(
                ["price-target-unreachable", "price-no-size-tier"].contains(&e.code.as_str()),
                "{}", e
            ),
        }
    }

    /// price -> margin -> price: asking for the margin a price earns gives
    /// that price back (with rounding up and no ending).
    #[test]
    fn price_margin_price_round_trips(mk in arb_market(), it in arb_item(), extra in 0i64..100_000) {
        let (fx, g) = (fx(), globals());
        let c = ctx(&fx, &g);
        let mut mk = mk;
        mk.rules.ending = Ending::NONE;
        mk.rules.rounding = Rounding::Up;
        mk.rules.target = Target::Margin { margin: Decimal::ZERO };
        let Ok(base) = price(&c, &it, &mk, false) else { return Ok(()) };
        let p = Money::from_minor(base.price.minor() + extra, mk.currency);
        let q = evaluate(&c, &it, &mk, p, false).unwrap();
        prop_assume!(q.margin > Decimal::ZERO && q.margin < Decimal::ONE);
        mk.rules.target = Target::Margin { margin: q.margin };
        let back = price(&c, &it, &mk, false).unwrap();
        prop_assert_eq!(back.price, p);
    }
}

#[test]
fn rates_and_buffers_no_market_has_are_refused_at_the_engines_door() {
    let g = globals();
    for (rate, ok) in [("0", false), ("-1.08", false), ("0.0000001", false), ("1000000001", false), ("1.08", true)] {
        let mut t = fx();
        t.set(Currency::USD, RateInfo { per_eur: d(rate), as_of: date!(2026 - 11 - 30), source: "typed".into() });
        let r = price(&ctx(&t, &g), &item(), &amazon_us(), false);
        if ok {
            assert!(r.is_ok(), "{rate}: {r:?}");
        } else {
            let e = r.unwrap_err();
            assert_eq!((e.code.as_str(), e.args["field"].as_str()), ("pricing-input-invalid", "fx.USD"), "{rate}");
        }
    }
    let fx = fx();
    for buffer in ["-0.01", "0.51", "5"] {
        let g = Globals { fx_buffer: d(buffer), max_rate_age_days: 7 };
        let e = price(&ctx(&fx, &g), &item(), &amazon_us(), false).unwrap_err();
        assert_eq!(e.args["field"], "fxBuffer", "{buffer}");
        let e = evaluate(&ctx(&fx, &g), &item(), &amazon_us(), m(1999, "USD"), false).unwrap_err();
        assert_eq!(e.args["field"], "fxBuffer");
    }
}

#[test]
fn amounts_at_the_edge_of_decimal_cannot_price_instead_of_panicking() {
    let g = globals();
    let mut fx = fx();
    // the yuan at the edge of what a rate may say (a million euros a yuan)
    fx.set(Currency::CNY, RateInfo { per_eur: d("0.000001"), as_of: date!(2026 - 11 - 30), source: "typed".into() });
    let c = ctx(&fx, &g);
    // a parcel the size of a house: its volumetric weight times the freight rate leaves Decimal's range
    let huge = Item { length_mm: 10_000_000, width_mm: 10_000_000, height_mm: 10_000_000, ..item() };
    let mut mk = amazon_us();
    mk.logistics.fulfilment.clear();
    mk.logistics.freight_per_kg = m(100_000_000_000, "CNY");
    mk.logistics.volumetric_divisor = 5000;
    let e = price(&c, &huge, &mk, true).unwrap_err();
    assert_eq!(e.code, "price-out-of-range");
    // the rupiah at the edge of what a rate may be, a cost at the edge of what an item may cost
    let mut t = fx.clone();
    t.set(
        "IDR".parse().unwrap(),
        RateInfo { per_eur: d("1000000000"), as_of: date!(2026 - 11 - 30), source: "typed".into() },
    );
    t.set(Currency::CNY, RateInfo { per_eur: d("0.000001"), as_of: date!(2026 - 11 - 30), source: "typed".into() });
    let mut idr = shopee_sg();
    idr.currency = "IDR".parse().unwrap();
    idr.logistics.shipping_charged = m(0, "IDR");
    idr.fees.referral.iter_mut().for_each(|r| r.min_per_item = None);
    idr.fees.per_order = None;
    idr.fees.payment_fixed = None;
    idr.fees.closing = None;
    idr.tax.collector = TaxCollector::Seller;
    let rich = Item { cost: m(100_000_000_000, "CNY"), ..item() };
    let r = price(&ctx(&t, &g), &rich, &idr, true);
    assert!(matches!(&r, Err(e) if e.code == "price-out-of-range") || r.is_ok(), "{r:?}");
}

proptest! {
    /// Whatever the inputs the validation lets through, the engine answers
    /// (a price or "cannot price"), never panics.
    #[test]
    fn extreme_inputs_never_panic(
        cost in 0i64..=100_000_000_000,
        weight in 0i64..=10_000_000,
        side in 0i64..=10_000_000,
        per_kg in 0i64..=100_000_000_000,
        rate in prop::sample::select(vec!["0.000001", "0.3", "1", "17500", "1000000000"]),
        margin in 0u32..99,
    ) {
        let g = globals();
        let mut t = fx();
        t.set(Currency::CNY, RateInfo { per_eur: d(rate), as_of: date!(2026 - 11 - 30), source: "typed".into() });
        let it = Item { cost: m(cost, "CNY"), weight_g: weight, length_mm: side, width_mm: side, height_mm: side, ..item() };
        let mut mk = amazon_de();
        mk.logistics.fulfilment.clear();
        mk.logistics.freight_per_kg = m(per_kg, "CNY");
        mk.rules.target = Target::Margin { margin: Decimal::new(margin.into(), 2) };
        let _ = price(&ctx(&t, &g), &it, &mk, true);
        let _ = evaluate(&ctx(&t, &g), &it, &mk, m(1999, "EUR"), true);
    }
}

#[test]
fn three_decimal_currencies_get_their_own_ending_and_fees_in_fils() {
    let kw = mercator_pricing::presets::market("amazon", "Amazon.kw", "KW", "KWD");
    assert_eq!(kw.rules.ending, Ending::M990, "4.990 KWD, not 4.199");
    assert_eq!(kw.fees.referral[0].min_per_item.map(|m| m.minor()), Some(300), "0.300 KWD, not 0.030");
    let de = mercator_pricing::presets::market("amazon", "Amazon.de", "DE", "EUR");
    assert_eq!(de.fees.referral[0].min_per_item.map(|m| m.minor()), Some(30), "0.30 EUR");
    assert_eq!(de.rules.ending, Ending::C99);
}

#[test]
fn currencies_whose_unit_is_worth_little_are_priced_in_whole_units_not_cents() {
    // Rp 587,601.90 is no price a buyer in Jakarta sees: Rp 587,900 is
    let id = mercator_pricing::presets::market("shopee", "Shopee ID", "ID", "IDR");
    assert_eq!(id.rules.ending, Ending { step: 100_000, rest: 90_000 });
    assert_eq!(id.rules.ending.up(58_760_190), 58_790_000);
    assert_eq!(id.logistics.shipping_charged.minor(), 0, "no Rp 1.99 shipping charge");
    let vn = mercator_pricing::presets::market("shopee", "Shopee VN", "VN", "VND");
    assert_eq!(vn.rules.ending.up(198_401), 199_000);
    let th = mercator_pricing::presets::market("shopee", "Shopee TH", "TH", "THB");
    assert_eq!(th.rules.ending.up(29_150), 29_900, "฿299");
    let sg = mercator_pricing::presets::market("shopee", "Shopee SG", "SG", "SGD");
    assert_eq!((sg.rules.ending, sg.logistics.shipping_charged.minor()), (Ending::C90, 199));
}
