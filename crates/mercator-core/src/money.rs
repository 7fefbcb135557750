//! Money as integer minor units with an ISO 4217 currency. Never f64.
//!
//! `Money` stores an `i64` count of the currency's minor unit (cents for USD,
//! yen for JPY, fils for KWD). Arithmetic refuses mixed currencies, and
//! allocation splits an amount into parts that always sum exactly to the whole.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// ISO 4217 code and minor-unit exponent of the currencies Mercator knows.
/// Source: ISO 4217 list (exponent = number of digits after the decimal point).
const ISO_4217: &[(&str, u8)] = &[
    ("AED", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EGP", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("MAD", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("NGN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PEN", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("QAR", 2),
    ("RON", 2),
    ("RUB", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("UAH", 2),
    ("USD", 2),
    ("VND", 0),
    ("ZAR", 2),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("unknown currency code {0:?}")]
    UnknownCurrency(String),
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("amount has more decimals than {0} allows")]
    TooPrecise(Currency),
    #[error("amount out of range")]
    Overflow,
    #[error("allocation needs at least one positive ratio")]
    BadRatios,
}

/// An ISO 4217 currency: its three-letter code; the exponent is looked up.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const USD: Currency = Currency(*b"USD");
    pub const EUR: Currency = Currency(*b"EUR");
    pub const JPY: Currency = Currency(*b"JPY");
    pub const CNY: Currency = Currency(*b"CNY");
    pub const GBP: Currency = Currency(*b"GBP");
    pub const SGD: Currency = Currency(*b"SGD");
    pub const KWD: Currency = Currency(*b"KWD");

    pub fn code(&self) -> &str {
        // Constructed only from the ASCII table above.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Number of minor-unit digits (JPY 0, USD 2, KWD 3).
    pub fn exponent(&self) -> u32 {
        ISO_4217.iter().find(|(c, _)| c.as_bytes() == self.0).map_or(2, |(_, e)| u32::from(*e))
    }

    pub fn all() -> impl Iterator<Item = Currency> {
        ISO_4217.iter().map(|(c, _)| {
            let b = c.as_bytes();
            Currency([b[0], b[1], b[2]])
        })
    }
}

/// A currency code read back from storage (sqlx `try_from`): an unknown code
/// is an error, never a silent default.
impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let up = s.trim().to_ascii_uppercase();
        ISO_4217
            .iter()
            .find(|(c, _)| *c == up)
            .map(|(c, _)| {
                let b = c.as_bytes();
                Currency([b[0], b[1], b[2]])
            })
            .ok_or_else(|| MoneyError::UnknownCurrency(s.to_string()))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An amount of money: integer minor units of one currency.
///
/// Serialized (for IPC and stored JSON) as `{minor, currency, exponent,
/// amount}`: the exponent from the ISO 4217 table here and the exact
/// decimal text, so a reader never computes either. Read back from `amount`
/// (decimal text, parsed by the one parser for the currency's decimals)
/// when it is there, else from `minor`: a form sends what the user typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Money", 4)?;
        st.serialize_field("minor", &self.minor)?;
        st.serialize_field("currency", &self.currency)?;
        st.serialize_field("exponent", &self.currency.exponent())?;
        st.serialize_field("amount", &self.to_decimal().to_string())?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            minor: Option<i64>,
            currency: Currency,
            amount: Option<String>,
        }
        let w = Wire::deserialize(d)?;
        match (w.amount, w.minor) {
            (Some(text), minor) => {
                let m = Money::parse_signed(&text, w.currency).map_err(|e| {
                    // the payload as JSON: callers that can name the field turn it back into one
                    serde::de::Error::custom(serde_json::to_string(&e).unwrap_or_else(|_| e.code.clone()))
                })?;
                // both given and different: which one is meant cannot be known
                match minor {
                    Some(n) if n != m.minor() && n != 0 => Err(serde::de::Error::custom("amount and minor disagree")),
                    _ => Ok(m),
                }
            }
            (None, Some(minor)) => Ok(Money::from_minor(minor, w.currency)),
            (None, None) => Err(serde::de::Error::missing_field("amount")),
        }
    }
}

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self::from_minor(0, currency)
    }

    /// Exact conversion from a decimal; refuses sub-minor-unit precision.
    pub fn from_decimal(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        let scaled = amount.checked_mul(Decimal::from(10i64.pow(currency.exponent()))).ok_or(MoneyError::Overflow)?;
        if scaled.fract() != Decimal::ZERO {
            return Err(MoneyError::TooPrecise(currency));
        }
        i64::try_from(scaled).map(|m| Self::from_minor(m, currency)).map_err(|_| MoneyError::Overflow)
    }

    /// Conversion from a decimal, rounding half-even to the currency's minor unit.
    pub fn from_decimal_rounded(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        let rounded = amount.round_dp_with_strategy(currency.exponent(), RoundingStrategy::MidpointNearestEven);
        Self::from_decimal(rounded, currency)
    }

    /// Parses an amount as a person types it (or a spreadsheet holds it)
    /// in `currency`: the one decimal parser's user rules, never negative,
    /// never more decimals than the currency has (ISO 4217).
    pub fn parse(text: &str, currency: Currency) -> Result<Money, crate::ErrorPayload> {
        Self::parse_with(text, currency, crate::decimal::DecimalRules::USER)
    }

    /// Like [`Money::parse`], with a leading minus allowed.
    pub fn parse_signed(text: &str, currency: Currency) -> Result<Money, crate::ErrorPayload> {
        Self::parse_with(text, currency, crate::decimal::DecimalRules::USER_SIGNED)
    }

    fn parse_with(
        text: &str,
        currency: Currency,
        rules: crate::decimal::DecimalRules,
    ) -> Result<Money, crate::ErrorPayload> {
        let bad = || {
            crate::ErrorPayload::new(crate::ErrorCode::MoneyInvalid)
                .arg("value", text.trim())
                .arg("currency", currency)
                .arg("decimals", currency.exponent())
        };
        let d = crate::decimal::parse_decimal(text, rules.scale(currency.exponent())).map_err(|_| bad())?;
        Money::from_decimal(d, currency).map_err(|_| bad())
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.minor, self.currency.exponent())
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same(other)?;
        self.minor.checked_add(other.minor).map(|m| Money::from_minor(m, self.currency)).ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same(other)?;
        self.minor.checked_sub(other.minor).map(|m| Money::from_minor(m, self.currency)).ok_or(MoneyError::Overflow)
    }

    pub fn checked_mul(self, qty: i64) -> Result<Money, MoneyError> {
        self.minor.checked_mul(qty).map(|m| Money::from_minor(m, self.currency)).ok_or(MoneyError::Overflow)
    }

    fn same(&self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    /// Splits the amount by `ratios` (largest-remainder method). The parts sum
    /// exactly to `self`; each part differs from its exact share by < 1 minor unit.
    pub fn allocate(&self, ratios: &[u64]) -> Result<Vec<Money>, MoneyError> {
        let total: u128 = ratios.iter().map(|&r| u128::from(r)).sum();
        if total == 0 {
            return Err(MoneyError::BadRatios);
        }
        let sign: i128 = if self.minor < 0 { -1 } else { 1 };
        let whole = i128::from(self.minor).abs();
        let mut parts: Vec<i128> = Vec::with_capacity(ratios.len());
        let mut rems: Vec<(u128, usize)> = Vec::with_capacity(ratios.len());
        for (i, &r) in ratios.iter().enumerate() {
            let num = whole.unsigned_abs() * u128::from(r);
            parts.push((num / total) as i128);
            rems.push((num % total, i));
        }
        let mut left = whole - parts.iter().sum::<i128>();
        // Biggest remainders first; ties go to the earlier part.
        rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in rems {
            if left == 0 {
                break;
            }
            parts[i] += 1;
            left -= 1;
        }
        parts
            .into_iter()
            .map(|p| {
                i64::try_from(p * sign).map(|m| Money::from_minor(m, self.currency)).map_err(|_| MoneyError::Overflow)
            })
            .collect()
    }
}

impl fmt::Display for Money {
    /// Locale-neutral form for logs and tests: `12.34 EUR`, `1980 JPY`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exponents() {
        assert_eq!(Currency::JPY.exponent(), 0);
        assert_eq!(Currency::USD.exponent(), 2);
        assert_eq!(Currency::KWD.exponent(), 3);
        assert_eq!("jpy".parse::<Currency>().unwrap(), Currency::JPY);
        assert!("XYZ".parse::<Currency>().is_err());
    }

    #[test]
    fn decimal_round_trip_respects_exponent() {
        let m = Money::from_decimal(Decimal::new(1599, 2), Currency::USD).unwrap();
        assert_eq!(m.minor(), 1599);
        assert_eq!(m.to_string(), "15.99 USD");
        assert_eq!(
            Money::from_decimal(Decimal::new(19805, 1), Currency::JPY),
            Err(MoneyError::TooPrecise(Currency::JPY))
        );
        let r = Money::from_decimal_rounded(Decimal::new(19805, 1), Currency::JPY).unwrap();
        assert_eq!(r.minor(), 1980); // half-even
        let k = Money::from_decimal(Decimal::new(1234, 3), Currency::KWD).unwrap();
        assert_eq!(k.minor(), 1234);
    }

    #[test]
    fn mixed_currency_is_refused() {
        let a = Money::from_minor(100, Currency::USD);
        let b = Money::from_minor(100, Currency::EUR);
        assert_eq!(a.checked_add(b), Err(MoneyError::CurrencyMismatch(Currency::USD, Currency::EUR)));
        assert_eq!(a.checked_add(a).unwrap().minor(), 200);
    }

    #[test]
    fn allocation_example() {
        let m = Money::from_minor(1000, Currency::EUR);
        let parts = m.allocate(&[1, 1, 1]).unwrap();
        assert_eq!(parts.iter().map(Money::minor).collect::<Vec<_>>(), vec![334, 333, 333]);
        assert!(m.allocate(&[0, 0]).is_err());
    }

    #[test]
    fn crosses_boundaries_with_its_exponent_and_exact_amount() {
        let idr: Currency = "IDR".parse().unwrap();
        for (m, json) in [
            (
                Money::from_minor(15_000_050, idr),
                r#"{"minor":15000050,"currency":"IDR","exponent":2,"amount":"150000.50"}"#,
            ),
            (Money::from_minor(1980, Currency::JPY), r#"{"minor":1980,"currency":"JPY","exponent":0,"amount":"1980"}"#),
            (
                Money::from_minor(4199, Currency::KWD),
                r#"{"minor":4199,"currency":"KWD","exponent":3,"amount":"4.199"}"#,
            ),
            (Money::from_minor(-5, Currency::EUR), r#"{"minor":-5,"currency":"EUR","exponent":2,"amount":"-0.05"}"#),
        ] {
            assert_eq!(serde_json::to_string(&m).unwrap(), json);
            assert_eq!(serde_json::from_str::<Money>(json).unwrap(), m);
        }
        // what a form sends: the text typed, parsed here for the currency
        let typed: Money = serde_json::from_str(r#"{"amount":"4,25","currency":"EUR"}"#).unwrap();
        assert_eq!(typed, Money::from_minor(425, Currency::EUR));
        let old: Money = serde_json::from_str(r#"{"minor":7,"currency":"USD"}"#).unwrap();
        assert_eq!(old, Money::from_minor(7, Currency::USD), "stored JSON of earlier versions");
        let e = serde_json::from_str::<Money>(r#"{"amount":"1.5","currency":"JPY"}"#).unwrap_err().to_string();
        assert!(e.contains("money-invalid"), "{e}");
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1.2345","currency":"KWD"}"#).is_err());
        assert!(
            serde_json::from_str::<Money>(r#"{"minor":199,"amount":"2.99","currency":"EUR"}"#).is_err(),
            "disagree"
        );
        assert!(serde_json::from_str::<Money>(r#"{"minor":299,"amount":"2.99","currency":"EUR"}"#).is_ok());
    }

    proptest! {
        #[test]
        fn allocation_sums_to_whole(minor in -1_000_000_000_000i64..1_000_000_000_000i64,
                                    ratios in proptest::collection::vec(0u64..10_000, 1..20)) {
            prop_assume!(ratios.iter().any(|&r| r > 0));
            let m = Money::from_minor(minor, Currency::USD);
            let parts = m.allocate(&ratios).unwrap();
            prop_assert_eq!(parts.len(), ratios.len());
            prop_assert_eq!(parts.iter().map(Money::minor).sum::<i64>(), minor);
            // zero ratio gets nothing
            for (p, r) in parts.iter().zip(&ratios) {
                if *r == 0 { prop_assert_eq!(p.minor(), 0); }
            }
        }

        #[test]
        fn decimal_round_trip(minor in any::<i32>(), cur in proptest::sample::select(Currency::all().collect::<Vec<_>>())) {
            let m = Money::from_minor(i64::from(minor), cur);
            prop_assert_eq!(Money::from_decimal(m.to_decimal(), cur).unwrap(), m);
            prop_assert_eq!(m.to_decimal().scale(), cur.exponent());
        }
    }
}
