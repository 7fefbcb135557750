//! The one parser of decimal text. Every amount, rate and measure that
//! arrives as text (typed by a user, in an imported cell, in a channel's
//! JSON) goes through [`parse_decimal`] with the rules of its source, so
//! "1,5", "1.2.3", ".5", "1e3" and "١٢" mean the same thing everywhere.

use rust_decimal::Decimal;

/// What a source's text may look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecimalRules {
    /// A leading minus is allowed.
    pub negative: bool,
    /// A decimal comma is read as a point when unambiguous: one comma, no
    /// point, and not exactly three digits after it (that is a thousands
    /// separator in half the world: "1,250" is refused, "12,50" is 12.50).
    pub comma: bool,
    /// At most this many digits after the separator.
    pub max_scale: Option<u32>,
}

impl DecimalRules {
    /// What a person types or a spreadsheet holds: non-negative, decimal comma allowed.
    pub const USER: DecimalRules = DecimalRules { negative: false, comma: true, max_scale: None };
    /// Like [`Self::USER`], negative allowed (adjustments, rates of change).
    pub const USER_SIGNED: DecimalRules = DecimalRules { negative: true, comma: true, max_scale: None };
    /// What an API sends: a point, a sign, nothing else.
    pub const MACHINE: DecimalRules = DecimalRules { negative: true, comma: false, max_scale: None };

    pub fn scale(self, max: u32) -> DecimalRules {
        DecimalRules { max_scale: Some(max), ..self }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    #[error("empty")]
    Empty,
    #[error("not a decimal number")]
    Malformed,
    #[error("negative")]
    Negative,
    #[error("too many decimals")]
    TooPrecise,
    #[error("out of range")]
    OutOfRange,
}

/// Parses decimal text by `rules`: optional minus, ASCII digits, at most
/// one separator with digits on both sides. Surrounding whitespace is
/// ignored; anything else (thousands separators, exponents, currency signs,
/// `+`, non-ASCII digits) is refused.
pub fn parse_decimal(text: &str, rules: DecimalRules) -> Result<Decimal, DecimalError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DecimalError::Empty);
    }
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    if negative && !rules.negative {
        return Err(DecimalError::Negative);
    }
    let commas = body.matches(',').count();
    let points = body.matches('.').count();
    let body: std::borrow::Cow<'_, str> = match (commas, points) {
        (0, 0 | 1) => body.into(),
        (1, 0) if rules.comma => {
            let frac = body.rsplit(',').next().unwrap_or_default();
            if frac.len() == 3 {
                return Err(DecimalError::Malformed);
            }
            body.replace(',', ".").into()
        }
        _ => return Err(DecimalError::Malformed),
    };
    let (int, frac) = body.split_once('.').unwrap_or((&body, ""));
    if int.is_empty() || (body.contains('.') && frac.is_empty()) {
        return Err(DecimalError::Malformed);
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DecimalError::Malformed);
    }
    if let Some(max) = rules.max_scale {
        if frac.len() > max as usize {
            return Err(DecimalError::TooPrecise);
        }
    }
    let digits = int.trim_start_matches('0').len() + frac.len();
    if digits > 28 || frac.len() > 28 {
        return Err(DecimalError::OutOfRange);
    }
    let d: Decimal = body.parse().map_err(|_| DecimalError::OutOfRange)?;
    Ok(if negative { -d } else { d })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn one_set_of_rules() {
        let u = DecimalRules::USER;
        assert_eq!(parse_decimal(" 12.50 ", u), Ok(d("12.50")));
        assert_eq!(parse_decimal("12,5", u), Ok(d("12.5")));
        assert_eq!(parse_decimal("0,99", u), Ok(d("0.99")));
        assert_eq!(parse_decimal("1,250", u), Err(DecimalError::Malformed), "a thousands separator, not 1.25");
        assert_eq!(parse_decimal("1,250.00", u), Err(DecimalError::Malformed));
        assert_eq!(parse_decimal("1.2.3", u), Err(DecimalError::Malformed));
        assert_eq!(parse_decimal(".5", u), Err(DecimalError::Malformed));
        assert_eq!(parse_decimal("5.", u), Err(DecimalError::Malformed));
        assert_eq!(parse_decimal("1e3", u), Err(DecimalError::Malformed));
        assert_eq!(parse_decimal("+5", u), Err(DecimalError::Malformed));
        assert_eq!(parse_decimal("¥5", u), Err(DecimalError::Malformed));
        assert_eq!(parse_decimal("１２", u), Err(DecimalError::Malformed), "full-width digits");
        assert_eq!(parse_decimal("", u), Err(DecimalError::Empty));
        assert_eq!(parse_decimal("-1", u), Err(DecimalError::Negative));
        assert_eq!(parse_decimal("-1", DecimalRules::USER_SIGNED), Ok(d("-1")));
        assert_eq!(parse_decimal("1.005", u.scale(2)), Err(DecimalError::TooPrecise));
        assert_eq!(parse_decimal("4.199", u.scale(3)), Ok(d("4.199")));
        assert_eq!(parse_decimal(&"9".repeat(29), u), Err(DecimalError::OutOfRange));
        assert_eq!(parse_decimal("12,50", DecimalRules::MACHINE), Err(DecimalError::Malformed));
        assert_eq!(parse_decimal("-0.10", DecimalRules::MACHINE), Ok(d("-0.10")));
        assert_eq!(parse_decimal("00012.5", u), Ok(d("12.5")));
    }
}
