//! The one order model every connector maps to, and the errors they report.

use mercator_core::{Currency, ErrorCode, ErrorPayload, Money};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use mercator_core::order::{Address, Order, OrderLine, OrderState};

/// What a listing shows buyers, in one language: sent whole (a replace),
/// so sending the same content twice is sending it once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingContent {
    /// BCP 47 tag of the language the buyers read (`de-DE`).
    pub lang: String,
    pub title: String,
    pub bullets: Vec<String>,
    /// Plain text; paragraphs separated by blank lines.
    pub description: String,
    /// Search keywords, space or comma separated.
    pub keywords: String,
}

impl ListingContent {
    /// The keywords as separate terms.
    pub fn keyword_terms(&self) -> Vec<String> {
        self.keywords
            .split(|c: char| c == ',' || c == '，' || c == ';' || c.is_whitespace())
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The description and bullets as HTML for channels that take HTML
    /// (Shopify, WooCommerce): everything escaped, bullets as a list,
    /// paragraphs as `<p>`. Our text never becomes markup by itself.
    pub fn html(&self) -> String {
        let esc = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;")
        };
        let mut out = String::new();
        if !self.bullets.is_empty() {
            out.push_str("<ul>");
            for b in &self.bullets {
                out.push_str(&format!("<li>{}</li>", esc(b)));
            }
            out.push_str("</ul>");
        }
        for p in self.description.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            out.push_str(&format!("<p>{}</p>", esc(p).replace('\n', "<br>")));
        }
        out
    }
}

/// A listing as the channel has it, to link with the catalog by SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteListing {
    pub sku: String,
    /// The channel's id for it (ASIN, variant gid).
    pub external_id: String,
    /// Its price there as decimal text, when the channel says.
    pub price: Option<String>,
    /// Buyable now.
    pub live: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingsPage {
    pub listings: Vec<RemoteListing>,
    pub next: Option<String>,
}

/// A page of orders and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrdersPage {
    pub orders: Vec<Order>,
    /// Orders of this page that could not be read (a bad amount or time):
    /// set aside with the reason, the rest of the page goes on.
    pub unreadable: Vec<Unreadable>,
    /// Token for the next page; None at the end.
    pub next: Option<String>,
    /// What the channel said about the remaining rate budget, for the sync log.
    pub rate_limit: Option<String>,
}

/// What [`ChannelError::Missing`] can name; each is a case of the message
/// `error-channel-missing` in every locale.
pub const MISSING: &[&str] = &[
    "seller-id",
    "account-ids",
    "listing-title",
    "shopee-item-id",
    "order-id",
    "price",
    "message-kind",
    "chat-permission",
];

/// An order a connector could not map, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The channel's id of the order, as far as it can be read.
    pub external_id: String,
    /// The mapping error, secret-free and without the order's buyer data.
    pub reason: ChannelError,
}

/// Maps each order of a page; those that fail are set aside, not the page.
pub fn map_each(
    items: &[serde_json::Value],
    id_key: &str,
    map: impl Fn(&serde_json::Value) -> Result<Order, ChannelError>,
) -> (Vec<Order>, Vec<Unreadable>) {
    let (mut ok, mut bad) = (vec![], vec![]);
    for o in items {
        match map(o) {
            Ok(r) => ok.push(r),
            Err(reason) => bad.push(Unreadable {
                external_id: o.get(id_key).and_then(json_number_text).unwrap_or_else(|| "?".into()),
                reason,
            }),
        }
    }
    (ok, bad)
}

/// The updated-time window a pull covers (inclusive start, exclusive end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub after: OffsetDateTime,
    pub before: OffsetDateTime,
}

/// Why a channel call failed. Never holds credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// Credentials refused (after one token refresh where the protocol has one).
    #[error("the channel refused the credentials: {}", crate::redact::redact(.0))]
    Auth(String),
    /// Still rate limited after the retries.
    #[error("rate limited: {}", crate::redact::redact(.0))]
    RateLimited(String),
    /// Unreachable, timing out or failing (5xx) after the retries.
    #[error("channel unavailable: {}", crate::redact::redact(.0))]
    Unavailable(String),
    /// A write timed out or failed in a way that leaves open whether the
    /// channel applied it: look before writing again.
    #[error("no clear answer: {}", crate::redact::redact(.0))]
    Uncertain(String),
    /// The host could not be reached at all (no network, DNS failure,
    /// connection refused) after the retries: this desk is probably offline.
    #[error("offline: {}", crate::redact::redact(.0))]
    Offline(String),
    /// The answer was not what the protocol promises (truncated, invalid JSON, missing fields).
    #[error("unreadable answer: {}", crate::redact::redact(.0))]
    BadResponse(String),
    /// The channel rejected the request (4xx) with this message.
    #[error("the channel rejected the request: {}", crate::redact::redact(.0))]
    Rejected(String),
    /// Missing or wrong account settings.
    #[error("account settings: {}", crate::redact::redact(.0))]
    Config(String),
    /// An account or listing lacks what the channel needs (`what`: one of
    /// [`MISSING`]), for `subject` (a SKU, an order id; may be empty).
    #[error("missing {what} {subject}")]
    Missing { what: &'static str, subject: String },
    /// No answer within the time a run or a send may take (seconds).
    #[error("no answer within {0} s")]
    NoAnswer(u64),
    /// An address that would send credentials in the clear (the field named).
    #[error("not https: {0}")]
    Insecure(String),
}

impl ChannelError {
    /// Worth retrying later (the sync's next cycle) rather than a user's fix.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ChannelError::RateLimited(_)
                | ChannelError::Unavailable(_)
                | ChannelError::Uncertain(_)
                | ChannelError::NoAnswer(_)
                | ChannelError::Offline(_)
                | ChannelError::BadResponse(_)
        )
    }
}

impl From<&ChannelError> for ErrorPayload {
    fn from(e: &ChannelError) -> Self {
        let (code, detail) = match e {
            ChannelError::Auth(d) => (ErrorCode::ChannelAuth, d),
            ChannelError::RateLimited(d) => (ErrorCode::ChannelRateLimited, d),
            ChannelError::Unavailable(d) | ChannelError::Uncertain(d) => (ErrorCode::ChannelUnavailable, d),
            ChannelError::Offline(d) => (ErrorCode::ChannelOffline, d),
            ChannelError::BadResponse(d) => (ErrorCode::ChannelBadResponse, d),
            ChannelError::Rejected(d) => (ErrorCode::ChannelRejected, d),
            ChannelError::Config(d) => (ErrorCode::ChannelConfig, d),
            ChannelError::Insecure(field) => {
                return ErrorPayload::new(ErrorCode::ChannelInsecureUrl).arg("field", field);
            }
            ChannelError::NoAnswer(seconds) => {
                return ErrorPayload::new(ErrorCode::ChannelNoAnswer).arg("seconds", seconds);
            }
            ChannelError::Missing { what, subject } => {
                return ErrorPayload::new(ErrorCode::ChannelMissing).arg("what", what).arg("subject", subject);
            }
        };
        ErrorPayload::new(code).arg("detail", crate::redact::redact(detail))
    }
}

/// A JSON number or numeric string as its exact decimal text (numbers with
/// a fraction arrive as strings from [`crate::http::Answer::json`]).
pub fn json_number_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// The amount at `pointer` in `v` as minor units of `currency`; a missing
/// or empty amount is an unreadable order, never a silent zero.
pub fn required_minor(v: &serde_json::Value, pointer: &str, currency: Currency) -> Result<i64, ChannelError> {
    let text = v
        .pointer(pointer)
        .and_then(json_number_text)
        .ok_or_else(|| ChannelError::BadResponse(format!("no amount at {pointer}")))?;
    minor_of(&text, currency)
}

/// A decimal amount text ("12.34") in `currency` as minor units, rounded
/// half-even to the currency's exponent (the one decimal parser, API rules).
pub fn minor_of(amount: &str, currency: Currency) -> Result<i64, ChannelError> {
    let d = mercator_core::decimal::parse_decimal(amount, mercator_core::decimal::DecimalRules::MACHINE)
        .map_err(|_| ChannelError::BadResponse(format!("amount {amount:?}")))?;
    Money::from_decimal_rounded(d, currency)
        .map(|m| m.minor())
        .map_err(|_| ChannelError::BadResponse(format!("amount {amount:?}")))
}

/// A price as a channel's JSON takes it: plain decimal text ("12.90"),
/// written into requests as is, never through a float.
pub fn check_decimal_text(price: &str) -> Result<(), ChannelError> {
    let ok = !price.is_empty()
        && !price.starts_with('.')
        && price.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && price.bytes().filter(|b| *b == b'.').count() <= 1;
    if ok {
        Ok(())
    } else {
        Err(ChannelError::Missing { what: "price", subject: price.to_string() })
    }
}

pub fn parse_time(s: &str) -> Result<OffsetDateTime, ChannelError> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|_| ChannelError::BadResponse(format!("time {s:?}")))
}

pub use mercator_core::order::fmt_utc as fmt_time;

/// `+09:00` for an offset.
pub fn fmt_offset(o: time::UtcOffset) -> String {
    let (h, m, _) = o.as_hms();
    format!("{}{:02}:{:02}", if o.is_negative() { '-' } else { '+' }, h.abs(), m.abs())
}
