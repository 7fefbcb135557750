//! The one order model every layer shares: the canonical state, the order
//! and its lines as a channel reports them (mapped by each connector, kept by
//! the store), and the one way times are written.

use crate::Currency;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The canonical order state; every channel status maps to one (the raw
/// status is kept beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Placed, not yet payable or not ready to ship.
    Pending,
    /// Ready to ship, nothing shipped.
    Unshipped,
    PartiallyShipped,
    Shipped,
    Delivered,
    Cancelled,
    Refunded,
}

impl OrderState {
    pub const ALL: [OrderState; 7] = [
        OrderState::Pending,
        OrderState::Unshipped,
        OrderState::PartiallyShipped,
        OrderState::Shipped,
        OrderState::Delivered,
        OrderState::Cancelled,
        OrderState::Refunded,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            OrderState::Pending => "pending",
            OrderState::Unshipped => "unshipped",
            OrderState::PartiallyShipped => "partially_shipped",
            OrderState::Shipped => "shipped",
            OrderState::Delivered => "delivered",
            OrderState::Cancelled => "cancelled",
            OrderState::Refunded => "refunded",
        }
    }

    /// Whether stock for this order is still committed (reserved or gone).
    pub fn holds_stock(&self) -> bool {
        matches!(self, OrderState::Pending | OrderState::Unshipped | OrderState::PartiallyShipped)
    }
}

/// Where an order goes. Buyer personal data: stored only as needed for
/// fulfilment and purged on a schedule after shipment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// The channel's id of the line.
    pub external_id: String,
    pub sku: String,
    pub title: String,
    pub quantity: i64,
    pub quantity_shipped: i64,
    /// Price of one unit, in the order's currency, minor units.
    pub unit_price_minor: i64,
    pub tax_minor: i64,
}

/// An order as a channel reports it, mapped: what every connector produces
/// and the store keeps (the one order model).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub external_id: String,
    /// What the seller and the buyer call it (Shopify's `#1004`); the
    /// external id where the channel has no other.
    #[serde(default)]
    pub number: String,
    pub raw_status: String,
    pub state: OrderState,
    /// When it was placed (UTC) and the marketplace's UTC offset then (`+09:00`).
    #[serde(with = "time::serde::rfc3339")]
    pub ordered_at: OffsetDateTime,
    pub ordered_offset: String,
    /// The channel's last-updated time: newer copies replace older ones,
    /// never the reverse.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub currency: Currency,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub shipping_minor: i64,
    pub total_minor: i64,
    pub lines: Vec<OrderLine>,
    pub buyer_name: String,
    pub ship_to: Option<Address>,
    /// The channel's payload as received, for support.
    pub raw: serde_json::Value,
}

impl Order {
    /// What people call the order: the channel's number, else its id.
    pub fn number_or_id(&self) -> &str {
        if self.number.is_empty() {
            &self.external_id
        } else {
            &self.number
        }
    }

    /// The destination country (ISO), empty when the channel sent no address.
    pub fn ship_country(&self) -> &str {
        self.ship_to.as_ref().map_or("", |a| a.country.as_str())
    }
}

/// A time as stored and compared everywhere: UTC, whole seconds, RFC 3339.
pub fn fmt_utc(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC).replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
