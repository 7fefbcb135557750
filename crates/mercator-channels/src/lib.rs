//! Channel connectors: one client per marketplace, each speaking that
//! marketplace's real protocol (authentication, paging, rate limits), all
//! mapping orders to one model ([`model::Order`]) with one canonical
//! state machine. No storage here: the sync (in `mercator-api`) decides what
//! to fetch and stores what comes back, page by page.
//!
//! - [`http`]: the shared HTTP layer: retries with exponential back-off and
//!   jitter on 429/5xx/timeouts, honouring the channel's rate-limit hints.
//! - [`amazon`]: Selling Partner API (Login with Amazon tokens, Orders
//!   2026-01-01 `searchOrders`, v0 `confirmShipment`).
//! - [`shopee`]: Shopee Open Platform v2 (HMAC-signed calls, rotating tokens).
//! - [`shopify`]: Shopify Admin GraphQL 2026-07 (cost-based throttling).
//! - [`woocommerce`]: WooCommerce REST v3.

pub mod amazon;
pub mod http;
pub mod mail;
pub mod mailbox;
pub mod model;
pub mod redact;
pub mod shopee;
pub mod shopify;
pub mod translate;
pub mod woocommerce;

pub use model::*;

/// Times a non-idempotent write is tried when its answers stay unclear.
pub const WRITE_ATTEMPTS: u32 = 3;

/// A write without an idempotency key, made once in effect: before every
/// attempt `applied` asks the channel whether it already has the change
/// (the package, the note, the fulfillment); `write` is sent with
/// [`http::Http::send_once`], and only an unclear outcome
/// ([`ChannelError::Uncertain`]) leads to another look and attempt.
pub async fn checked_write<A, AF, W, WF>(applied: A, write: W) -> Result<(), ChannelError>
where
    A: Fn() -> AF,
    AF: std::future::Future<Output = Result<bool, ChannelError>>,
    W: Fn() -> WF,
    WF: std::future::Future<Output = Result<(), ChannelError>>,
{
    let mut last = None;
    for attempt in 0..WRITE_ATTEMPTS {
        if applied().await? {
            return Ok(());
        }
        match write().await {
            Ok(()) => return Ok(()),
            Err(e @ ChannelError::Uncertain(_)) => {
                last = Some(e);
                // a write that timed out is often still being applied: look a few
                // times, waiting longer each time, before writing again
                for k in 0..3u64 {
                    tokio::time::sleep(std::time::Duration::from_millis((500 * (k + 1)) << attempt)).await;
                    if applied().await? {
                        return Ok(());
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
    if applied().await? {
        return Ok(());
    }
    Err(last.unwrap_or_else(|| ChannelError::Unavailable("no answer".into())))
}

/// What a connector can do for an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Pull orders incrementally.
    Orders,
    /// Set the quantity a listing offers (and, on Amazon, read FBA stock).
    Inventory,
    /// Send a listing's price and text.
    Listings,
    /// Upload tracking for shipped orders.
    Tracking,
    /// Buyer messages (the support inbox).
    Messages,
}

impl Capability {
    /// Every capability (each is a message `capability-<name>` in every locale).
    pub const ALL: &'static [Capability] =
        &[Capability::Orders, Capability::Inventory, Capability::Listings, Capability::Tracking, Capability::Messages];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Orders => "orders",
            Capability::Inventory => "inventory",
            Capability::Listings => "listings",
            Capability::Tracking => "tracking",
            Capability::Messages => "messages",
        }
    }
}

/// The capabilities of a channel kind's connector (`amazon`, `shopify`,
/// `woocommerce`, `shopee`); none for a kind without one. Amazon's messages
/// are the Messaging API's kinds about an order, Shopee's its seller chat;
/// buyer mail of every account comes through its mailbox, not the connector.
pub fn capabilities(kind: &str) -> &'static [Capability] {
    use Capability::{Inventory, Listings, Messages, Orders, Tracking};
    match kind {
        "amazon" | "shopee" => &[Orders, Inventory, Listings, Tracking, Messages],
        "shopify" | "woocommerce" => &[Orders, Inventory, Listings, Tracking],
        _ => &[],
    }
}
