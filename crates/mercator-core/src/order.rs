//! The order concepts every layer shares: one canonical state, mapped to by
//! each channel's connector and stored as its text.

use serde::{Deserialize, Serialize};

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
