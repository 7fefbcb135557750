//! Exchange rates: a table of rates against the euro (the ECB's reference
//! rates are quoted that way), cross rates through EUR, and the parser for
//! the ECB's `eurofxref-daily.xml` (and `-hist.xml`, which holds many days).

use mercator_core::{Currency, ErrorCode, ErrorPayload};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::str::FromStr;
use time::Date;

/// How many units of a currency one euro buys, as of a date, from a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateInfo {
    pub per_eur: Decimal,
    pub as_of: Date,
    /// `ECB`, `manual`, ...
    pub source: String,
}

/// A conversion the engine made: shown in the explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    pub from: Currency,
    pub to: Currency,
    /// Units of `to` per unit of `from` (before any buffer).
    pub rate: Decimal,
    /// The rate as `to per EUR / from per EUR`, for exact conversions
    /// (multiply by `numer` first, divide by `denom` last).
    pub numer: Decimal,
    pub denom: Decimal,
    /// The older of the two rates' dates (None for EUR to EUR).
    pub as_of: Option<Date>,
    pub source: String,
}

/// Current rates, one per currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FxTable {
    rates: HashMap<Currency, RateInfo>,
}

impl Conversion {
    /// `amount` in the target currency, times `factor` (the FX buffer).
    pub fn apply(&self, amount: Decimal, factor: Decimal) -> Decimal {
        amount * self.numer * factor / self.denom
    }
}

impl FxTable {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(&mut self, currency: Currency, info: RateInfo) {
        if currency != Currency::EUR {
            self.rates.insert(currency, info);
        }
    }

    pub fn get(&self, currency: Currency) -> Option<&RateInfo> {
        self.rates.get(&currency)
    }

    pub fn currencies(&self) -> impl Iterator<Item = (&Currency, &RateInfo)> {
        self.rates.iter()
    }

    fn per_eur(&self, c: Currency) -> Option<(Decimal, Option<Date>, &str)> {
        if c == Currency::EUR {
            return Some((Decimal::ONE, None, "ECB"));
        }
        self.rates.get(&c).map(|r| (r.per_eur, Some(r.as_of), r.source.as_str()))
    }

    /// The rate from one currency to another, crossing through EUR.
    pub fn conversion(&self, from: Currency, to: Currency) -> Result<Conversion, ErrorPayload> {
        let missing = || ErrorPayload::new(ErrorCode::PriceNoFxRate).arg("from", from).arg("to", to);
        if from == to {
            return Ok(Conversion {
                from,
                to,
                rate: Decimal::ONE,
                numer: Decimal::ONE,
                denom: Decimal::ONE,
                as_of: None,
                source: String::new(),
            });
        }
        let (f, fd, fs) = self.per_eur(from).ok_or_else(missing)?;
        let (t, td, ts) = self.per_eur(to).ok_or_else(missing)?;
        if f.is_zero() {
            return Err(missing());
        }
        let as_of = match (fd, td) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let source = if from == Currency::EUR { ts } else { fs };
        Ok(Conversion { from, to, rate: t / f, numer: t, denom: f, as_of, source: source.to_string() })
    }
}

/// One day of ECB reference rates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcbDay {
    pub date: Date,
    pub rates: Vec<(Currency, Decimal)>,
    /// Codes in the file that Mercator does not know (kept out, not an error).
    pub skipped: Vec<String>,
}

fn malformed(detail: impl ToString) -> ErrorPayload {
    ErrorPayload::new(ErrorCode::EcbMalformed).arg("detail", detail)
}

/// Parses the ECB's reference-rate XML (`eurofxref-daily.xml` or the
/// history file). The whole file is refused on any problem: not XML, not the
/// ECB's envelope, a day without a valid date, a rate that is not a positive
/// number, a currency listed twice in a day, or no rates at all.
pub fn parse_ecb(xml: &str) -> Result<Vec<EcbDay>, ErrorPayload> {
    let doc = roxmltree::Document::parse(xml).map_err(malformed)?;
    let root = doc.root_element();
    if root.tag_name().name() != "Envelope" {
        return Err(malformed(format!("root element <{}>", root.tag_name().name())));
    }
    let mut days = vec![];
    for cube in root.descendants().filter(|n| n.is_element() && n.tag_name().name() == "Cube") {
        let Some(time) = cube.attribute("time") else { continue };
        let date = Date::parse(time, time::macros::format_description!("[year]-[month]-[day]"))
            .map_err(|_| malformed(format!("date {time:?}")))?;
        let mut rates: Vec<(Currency, Decimal)> = vec![];
        let mut skipped = vec![];
        for c in cube.children().filter(roxmltree::Node::is_element) {
            let (Some(code), Some(rate)) = (c.attribute("currency"), c.attribute("rate")) else {
                return Err(malformed(format!("a rate on {time} without currency or rate")));
            };
            let value = Decimal::from_str(rate.trim()).map_err(|_| malformed(format!("{code} rate {rate:?}")))?;
            if value <= Decimal::ZERO || value > Decimal::from(1_000_000_000) {
                return Err(malformed(format!("{code} rate {rate:?}")));
            }
            if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(malformed(format!("currency {code:?}")));
            }
            match Currency::from_str(code) {
                Ok(cur) => {
                    if rates.iter().any(|(c, _)| *c == cur) {
                        return Err(malformed(format!("{code} twice on {time}")));
                    }
                    rates.push((cur, value));
                }
                Err(_) => skipped.push(code.to_string()),
            }
        }
        if rates.is_empty() {
            return Err(malformed(format!("no rates on {time}")));
        }
        days.push(EcbDay { date, rates, skipped });
    }
    if days.is_empty() {
        return Err(malformed("no dated rates"));
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn table() -> FxTable {
        let mut t = FxTable::new();
        for (c, r) in [(Currency::USD, "1.0866"), (Currency::JPY, "169.45"), (Currency::CNY, "7.8477")] {
            t.set(c, RateInfo { per_eur: r.parse().unwrap(), as_of: date!(2024 - 05 - 17), source: "ECB".into() });
        }
        t
    }

    #[test]
    fn cross_rates_go_through_the_euro() {
        let t = table();
        let c = t.conversion(Currency::CNY, Currency::USD).unwrap();
        assert_eq!(c.rate.round_dp(6), "0.138461".parse::<Decimal>().unwrap());
        assert_eq!(t.conversion(Currency::EUR, Currency::JPY).unwrap().rate, "169.45".parse::<Decimal>().unwrap());
        assert_eq!(t.conversion(Currency::USD, Currency::USD).unwrap().rate, Decimal::ONE);
        let e = t.conversion(Currency::CNY, Currency::GBP).unwrap_err();
        assert_eq!((e.code.as_str(), e.args["to"].as_str()), ("price-no-fx-rate", "GBP"));
    }
}
