//! Channel connectors: one client per marketplace, each speaking that
//! marketplace's real protocol (authentication, paging, rate limits), all
//! mapping orders to one model ([`model::RemoteOrder`]) with one canonical
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
pub mod model;
pub mod shopee;
pub mod shopify;
pub mod woocommerce;

pub use model::*;
