//! Local servers speaking the marketplaces' protocols, for tests and
//! benchmarks, with faults injected on demand.
//!
//! [`AmazonFake`] implements what Mercator uses of the Selling Partner API:
//! the Login with Amazon token exchange, Orders 2026-01-01 `searchOrders`
//! (last-updated window, `maxResultsPerPage`, `paginationToken`; pages are
//! keyset-paged so they stay consistent while orders change) and Orders v0
//! `confirmShipment`. Faults are scripted ([`Fault`], applied to the next
//! order requests in turn) or random (a percentage of requests).

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use mercator_core::rng::SplitMix64;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

pub mod deepl;
pub mod mailserver;
pub mod shopee;
pub mod shopify;
pub mod woo;
pub use shopee::ShopeeFake;
pub use shopify::ShopifyFake;
pub use woo::WooFake;

/// A connector for the fake Amazon seller (the test kit's client id, secret
/// and refresh token): SP-API calls to `endpoint`, LWA tokens from
/// `tokens`'s `/auth/o2/token` (usually the same fake), fast retries. The
/// one place tests and tools build it.
pub fn amazon_connector(
    endpoint: &str,
    tokens: &str,
) -> Result<mercator_channels::amazon::Amazon, mercator_channels::ChannelError> {
    use mercator_channels::amazon::{Amazon, AmazonAccount, AmazonSecrets};
    use mercator_vault::Secret;
    Amazon::new(
        AmazonAccount {
            endpoint: endpoint.to_string(),
            token_url: format!("{tokens}/auth/o2/token"),
            marketplace_id: MARKETPLACE.into(),
            client_id: CLIENT_ID.into(),
            currency: "EUR".into(),
            seller_id: "A2SELLERTEST".into(),
        },
        AmazonSecrets { client_secret: Secret::new(CLIENT_SECRET), refresh_token: Secret::new(REFRESH_TOKEN) },
        mercator_channels::http::RetryPolicy::fast(),
    )
}

/// Binds a loopback port and serves `app` there for the rest of the
/// process: the start-up every fake shares.
pub(crate) async fn serve(app: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// The controls every fake has over its `addr` and its state `inner` (which
/// holds `faults: FaultSource`): its URL, and faults scripted, random or none.
/// Each protocol's routes decide which requests draw from the faults.
macro_rules! fake_controls {
    ($fake:ident) => {
        impl $fake {
            pub fn url(&self) -> String {
                format!("http://{}", self.addr)
            }

            fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
                let mut g = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                f(&mut g)
            }

            /// Faults for the next requests that draw one, in order.
            pub fn script(&self, faults: impl IntoIterator<Item = $crate::Fault>) {
                self.with(|i| i.faults.script.extend(faults));
            }

            /// A random fault on `percent` of the requests that draw one.
            pub fn random_faults(&self, seed: u64, percent: u64) {
                self.with(|i| i.faults.random = Some((mercator_core::rng::SplitMix64::new(seed), percent)));
            }

            pub fn no_faults(&self) {
                self.with(|i| {
                    i.faults.random = None;
                    i.faults.script.clear();
                });
            }
        }
    };
}
pub(crate) use fake_controls;

/// Something to go wrong with an order request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Nothing goes wrong with this request (to place later faults).
    Pass,
    /// 429 with `x-amzn-RateLimit-Limit`.
    TooManyRequests,
    /// 500.
    ServerError,
    /// Answers after this long (a client timeout).
    Delay(Duration),
    /// A 200 whose JSON body is cut in half.
    Truncated,
    /// The page is the previous one again (with its token).
    DuplicatePage,
    /// The page starts two orders before where it should (overlap).
    OverlappingPage,
    /// The access token expires now: this request answers 403.
    ExpireToken,
    /// Part of a batch is left out, with a `warning` naming it (Shopee).
    PartialAnswer,
    /// Before answering, this many orders change (new status, new
    /// last-updated time): updates arriving while the client pages.
    UpdateWhilePaging(usize),
    /// A write (shipment, listing patch, order note) arrives, waits this
    /// long, then is applied and answered: a send slower than its lease.
    SlowWrite(Duration),
    /// A write is applied at once but answered this late (the client times
    /// out without knowing it went through).
    ApplyThenDelay(Duration),
    /// A write is applied and answered 200 with its body cut off.
    TruncatedWrite,
    /// 200 and the start of a body, then nothing: the client times out
    /// while reading it.
    StallBody,
}

/// A 200 whose body starts and never finishes.
pub(crate) fn stalled_body() -> Response {
    use futures_util::StreamExt;
    let start = futures_util::stream::iter([Ok::<_, std::convert::Infallible>(axum::body::Bytes::from_static(
        b"{\"response\": {",
    ))]);
    let body = axum::body::Body::from_stream(start.chain(futures_util::stream::pending()));
    (StatusCode::OK, [("content-type", "application/json")], body).into_response()
}

/// Takes the next scripted fault if it is one for writes (reads leave it).
pub(crate) fn write_fault(src: &mut FaultSource) -> Option<Fault> {
    match src.script.front() {
        Some(Fault::SlowWrite(_) | Fault::ApplyThenDelay(_) | Fault::TruncatedWrite) => src.script.pop_front(),
        _ => None,
    }
}

/// Runs a write under its fault: slow before, late or cut off after. A
/// slow write is applied even if the client gave up waiting (as a real
/// server does once the request is in), so a stale send can land late.
pub(crate) async fn with_write_fault(
    state: Arc<Mutex<Inner>>,
    fault: Option<Fault>,
    apply: impl FnOnce(&mut Inner) -> Response + Send + 'static,
) -> Response {
    write_under(fault, move || {
        let r = apply(&mut state.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        (r.status().is_success(), r)
    })
    .await
}

pub(crate) async fn write_under(
    fault: Option<Fault>,
    apply: impl FnOnce() -> (bool, Response) + Send + 'static,
) -> Response {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let slow = match &fault {
        Some(Fault::SlowWrite(d)) => Some(*d),
        _ => None,
    };
    tokio::spawn(async move {
        if let Some(d) = slow {
            tokio::time::sleep(d).await;
        }
        let _ = tx.send(apply());
    });
    let Ok((applied, answer)) = rx.await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match fault {
        Some(Fault::ApplyThenDelay(d)) if applied => {
            tokio::time::sleep(d).await;
            answer
        }
        Some(Fault::TruncatedWrite) if applied => {
            (StatusCode::OK, [("content-type", "application/json")], "{\"status\": \"ACC").into_response()
        }
        _ => answer,
    }
}

/// Scripted faults (taken in turn) and an optional random rate.
#[derive(Default)]
pub(crate) struct FaultSource {
    pub(crate) script: VecDeque<Fault>,
    pub(crate) random: Option<(SplitMix64, u64)>,
}

/// The next fault to serve: the script first, else a random one from `pool`.
pub(crate) fn next_fault(src: &mut FaultSource, pool: &[Fault]) -> Option<Fault> {
    if let Some(f) = src.script.pop_front() {
        return Some(f);
    }
    let (rng, pct) = src.random.as_mut()?;
    let pct = *pct;
    if pool.is_empty() || !rng.chance(pct) {
        return None;
    }
    let r = rng.next_u64();
    Some(pool[(r % pool.len() as u64) as usize].clone())
}

static AMAZON_RANDOM: [Fault; 8] = [
    Fault::TooManyRequests,
    Fault::ServerError,
    Fault::Delay(Duration::from_millis(2500)),
    Fault::Truncated,
    Fault::DuplicatePage,
    Fault::OverlappingPage,
    Fault::ExpireToken,
    Fault::UpdateWhilePaging(3),
];

#[derive(Default)]
struct Stats {
    order_requests: u64,
    token_requests: u64,
    faults_served: u64,
    shipments: Vec<(String, Value)>,
    /// (seller id, sku, body) of every listings PATCH.
    patches: Vec<(String, String, Value)>,
    /// (order id, message kind, body) of every Messaging API send.
    messages: Vec<(String, String, Value)>,
    /// Upload destinations made (Uploads API), by id.
    uploads: HashMap<String, Upload>,
    /// Requests to the storage URL that carried an SP-API credential.
    credential_leaks: u64,
}

/// An upload destination and what was stored there.
#[derive(Clone, Default)]
struct Upload {
    resource: String,
    md5: String,
    bytes: Option<Vec<u8>>,
}

struct Inner {
    orders: Vec<Value>,
    /// Order indices sorted by (last updated, order id): the paging order.
    sorted: Vec<usize>,
    tokens: HashMap<String, Instant>,
    token_life: Duration,
    faults: FaultSource,
    last_page: Option<(Vec<Value>, Option<String>)>,
    clock: u64,
    stats: Stats,
    refresh_token: String,
    /// FBA stock: (seller SKU, fulfillable, inbound, reserved).
    fba: Vec<(String, i64, i64, i64)>,
}

/// A fake SP-API endpoint (and LWA token endpoint) on loopback.
#[derive(Clone)]
pub struct AmazonFake {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

crate::fake_controls!(AmazonFake);

pub const MARKETPLACE: &str = "A1PA6795UKMFR9";
pub const CLIENT_ID: &str = "amzn1.application-oa2-client.test";
pub const CLIENT_SECRET: &str = "test-client-secret";
pub const REFRESH_TOKEN: &str = "Atzr|test-refresh-token";

fn ts(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0).unwrap_or(t).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn parse_ts(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

const SKUS: &[&str] =
    &["KIT-00001-BLK", "KIT-00001-WHT", "ELE-00012-BLK", "HOM-00021-M", "SPO-00031-L", "BEA-00035-BLU"];
const STATUSES: &[&str] =
    &["PENDING", "UNSHIPPED", "UNSHIPPED", "SHIPPED", "SHIPPED", "PARTIALLY_SHIPPED", "CANCELLED"];

/// A plausible Orders 2026-01-01 order (EUR, Amazon.de).
pub fn order_json(n: u64, rng: &mut SplitMix64, created: OffsetDateTime, updated: OffsetDateTime) -> Value {
    let items = rng.range(1, 3);
    let mut order_items = vec![];
    let mut item_total = 0i64;
    for i in 0..items {
        let qty = rng.range(1, 3);
        let cents = rng.range(899, 4999);
        item_total += qty * cents;
        order_items.push(json!({
            "orderItemId": format!("{n:08}{i:02}"),
            "quantityOrdered": qty,
            "product": {
                "asin": format!("B0{n:08}"),
                "title": format!("Test product {n}-{i}"),
                "sellerSku": rng.pick(SKUS),
                "price": { "unitPrice": { "amount": format!("{}.{:02}", cents / 100, cents % 100), "currencyCode": "EUR" } }
            },
            "proceeds": { "proceedsTotal": { "amount": format!("{}.{:02}", qty * cents / 100, qty * cents % 100), "currencyCode": "EUR" } },
            "fulfillment": { "quantityFulfilled": 0, "quantityUnfulfilled": qty }
        }));
    }
    let tax = item_total * 19 / 119;
    let money = |m: i64| json!({ "amount": format!("{}.{:02}", m / 100, m % 100), "currencyCode": "EUR" });
    json!({
        "orderId": format!("302-{:07}-{:07}", n / 10_000_000 + 1000, n % 10_000_000),
        "createdTime": ts(created),
        "lastUpdatedTime": ts(updated),
        "salesChannel": { "channelName": "AMAZON", "marketplaceId": MARKETPLACE, "marketplaceName": "Amazon.de" },
        "buyer": { "buyerName": format!("Käufer {n}") },
        "recipient": { "deliveryAddress": {
            "name": format!("Käufer {n}"), "addressLine1": format!("Hauptstraße {}", n % 200 + 1), "city": "Berlin",
            "postalCode": "10115", "countryCode": "DE", "phone": "+49 30 123456"
        } },
        "proceeds": { "grandTotal": money(item_total), "breakdowns": [
            { "type": "ITEM", "subtotal": money(item_total - tax) },
            { "type": "TAX", "subtotal": money(tax) }
        ] },
        "fulfillment": { "fulfillmentStatus": rng.pick(STATUSES), "fulfilledBy": "MERCHANT" },
        "orderItems": order_items
    })
}

impl AmazonFake {
    /// Starts a server holding `orders` generated orders (created and
    /// updated over the 29 days before now: within a first sync's reach).
    pub async fn start(orders: usize, seed: u64) -> AmazonFake {
        let mut rng = SplitMix64::new(seed);
        let now = OffsetDateTime::now_utc() - time::Duration::minutes(10);
        let list: Vec<Value> = (0..orders as u64)
            .map(|n| {
                let created = now - time::Duration::seconds(rng.range(3600, 29 * 86_400));
                let updated = created + time::Duration::seconds(rng.range(0, 3600));
                order_json(n, &mut rng, created, updated.min(now))
            })
            .collect();
        let mut sorted: Vec<usize> = (0..list.len()).collect();
        sorted.sort_by_key(|&k| key_of(&list[k]));
        let inner = Arc::new(Mutex::new(Inner {
            sorted,
            orders: list,
            tokens: HashMap::new(),
            token_life: Duration::from_secs(3600),
            faults: FaultSource::default(),
            last_page: None,
            clock: 0,
            stats: Stats::default(),
            refresh_token: REFRESH_TOKEN.to_string(),
            fba: vec![],
        }));
        let app = Router::new()
            .route("/auth/o2/token", post(token))
            .route("/orders/2026-01-01/orders", get(search_orders))
            .route("/orders/2026-01-01/orders/{id}", get(get_order))
            .route("/orders/v0/orders/{id}/shipmentConfirmation", post(confirm_shipment))
            .route("/listings/2021-08-01/items/{seller}/{sku}", axum::routing::patch(patch_listing))
            .route("/fba/inventory/v1/summaries", get(fba_summaries))
            .route("/listings/2021-08-01/items/{seller}", get(search_listings))
            .route("/messaging/v1/orders/{id}", get(messaging_actions))
            .route("/messaging/v1/orders/{id}/attributes", get(messaging_attributes))
            .route("/messaging/v1/orders/{id}/messages/{kind}", post(messaging_send))
            .route("/uploads/2020-11-01/uploadDestinations/{*resource}", post(upload_destination))
            // the storage the destination's URL names (S3 on Amazon)
            .route("/_s3/{id}", axum::routing::put(upload_put))
            // not Amazon's: what this fake received, for end-to-end tests to read
            .route("/_fake/patches", get(patch_log))
            .route("/_fake/messages", get(message_log))
            .with_state(inner.clone());
        let addr = crate::serve(app).await;
        AmazonFake { addr, inner }
    }

    pub fn token_life(&self, life: Duration) {
        self.with(|i| i.token_life = life);
    }

    /// Sets the value at `pointer` of the `n`-th order (a broken amount, a
    /// bad time) and returns its id; the order's last-updated time is left alone.
    pub fn set_order_field(&self, n: usize, pointer: &str, value: Value) -> String {
        self.with(|i| {
            let o = &mut i.orders[n];
            match o.pointer_mut(pointer) {
                Some(slot) => *slot = value,
                // a field the order lacks: added to its parent object
                None => {
                    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
                    if let Some(Value::Object(m)) = o.pointer_mut(parent) {
                        m.insert(key.to_string(), value);
                    }
                }
            }
            o["orderId"].as_str().unwrap_or_default().to_string()
        })
    }

    /// Changes `count` orders now (status and last-updated time).
    pub fn update_orders(&self, count: usize) {
        self.with(|i| mutate(i, count));
    }

    /// Every order as the server holds it: (order id, last updated, status).
    pub fn snapshot(&self) -> Vec<(String, String, String)> {
        self.with(|i| {
            i.orders
                .iter()
                .map(|o| {
                    (
                        o["orderId"].as_str().unwrap_or_default().to_string(),
                        o["lastUpdatedTime"].as_str().unwrap_or_default().to_string(),
                        o.pointer("/fulfillment/fulfillmentStatus")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    )
                })
                .collect()
        })
    }

    /// (order requests, token requests, faults served)
    pub fn stats(&self) -> (u64, u64, u64) {
        self.with(|i| (i.stats.order_requests, i.stats.token_requests, i.stats.faults_served))
    }

    pub fn shipments(&self) -> Vec<(String, Value)> {
        self.with(|i| i.stats.shipments.clone())
    }

    /// Listings PATCHes received: (seller id, SKU, body).
    /// Sets what Amazon's fulfilment centres hold: (seller SKU, fulfillable, inbound, reserved).
    pub fn set_fba(&self, items: &[(&str, i64, i64, i64)]) {
        self.with(|i| i.fba = items.iter().map(|(s, f, n, r)| (s.to_string(), *f, *n, *r)).collect());
    }

    pub fn patches(&self) -> Vec<(String, String, Value)> {
        self.with(|i| i.stats.patches.clone())
    }

    /// Messaging API sends received: (order id, kind, body).
    pub fn messages(&self) -> Vec<(String, String, Value)> {
        self.with(|i| i.stats.messages.clone())
    }

    /// What was uploaded through the Uploads API: (resource, bytes).
    pub fn uploads(&self) -> Vec<(String, Vec<u8>)> {
        self.with(|i| {
            let mut v: Vec<(String, Vec<u8>)> =
                i.stats.uploads.values().filter_map(|u| Some((u.resource.clone(), u.bytes.clone()?))).collect();
            v.sort();
            v
        })
    }

    /// Requests to the storage URL that carried an SP-API credential (must stay 0).
    pub fn credential_leaks(&self) -> u64 {
        self.with(|i| i.stats.credential_leaks)
    }

    /// The id of the `n`-th order.
    pub fn order_id(&self, n: usize) -> String {
        self.with(|i| i.orders[n]["orderId"].as_str().unwrap_or_default().to_string())
    }
}

fn key_of(o: &Value) -> (String, String) {
    (
        o["lastUpdatedTime"].as_str().unwrap_or_default().to_string(),
        o["orderId"].as_str().unwrap_or_default().to_string(),
    )
}

fn mutate(i: &mut Inner, count: usize) {
    i.clock += 1;
    let now = OffsetDateTime::now_utc() - time::Duration::seconds(5);
    let n = i.orders.len().max(1);
    for k in 0..count {
        let idx = ((i.clock as usize) * 7919 + k * 104_729) % n;
        let o = &mut i.orders[idx];
        o["lastUpdatedTime"] = json!(ts(now + time::Duration::milliseconds(k as i64)));
        o["fulfillment"]["fulfillmentStatus"] = json!("SHIPPED");
    }
    let orders = &i.orders;
    i.sorted.sort_by_key(|&k| key_of(&orders[k]));
}

#[derive(serde::Deserialize)]
struct TokenForm {
    grant_type: String,
    refresh_token: String,
    client_id: String,
    client_secret: String,
}

async fn token(State(s): State<Arc<Mutex<Inner>>>, Form(f): Form<TokenForm>) -> Response {
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    i.stats.token_requests += 1;
    if f.grant_type != "refresh_token"
        || f.client_id != CLIENT_ID
        || f.client_secret != CLIENT_SECRET
        || f.refresh_token != i.refresh_token
    {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(
                json!({"error": "invalid_grant", "error_description": "The request has an invalid grant parameter"}),
            ),
        )
            .into_response();
    }
    let tok = format!("Atza|token-{}", i.stats.token_requests);
    let life = i.token_life;
    i.tokens.insert(tok.clone(), Instant::now() + life);
    axum::Json(json!({"access_token": tok, "token_type": "bearer", "expires_in": life.as_secs().max(1)}))
        .into_response()
}

fn rate_headers() -> [(&'static str, &'static str); 2] {
    [("x-amzn-RateLimit-Limit", "0.0167"), ("x-amzn-RequestId", "fake-request")]
}

async fn search_orders(
    State(s): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let fault = {
        let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        i.stats.order_requests += 1;
        let f = next_fault(&mut i.faults, &AMAZON_RANDOM);
        if f.is_some() {
            i.stats.faults_served += 1;
        }
        f
    };
    match &fault {
        Some(Fault::TooManyRequests) => {
            return (StatusCode::TOO_MANY_REQUESTS, rate_headers(), axum::Json(json!({"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource."}]}))).into_response();
        }
        Some(Fault::ServerError) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(
                    json!({"errors": [{"code": "InternalFailure", "message": "We encountered an internal error."}]}),
                ),
            )
                .into_response();
        }
        Some(Fault::Delay(d)) => tokio::time::sleep(*d).await,
        _ => {}
    }
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let token = headers.get("x-amz-access-token").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    if fault == Some(Fault::ExpireToken) {
        i.tokens.remove(&token);
    }
    let valid = i.tokens.get(&token).is_some_and(|until| Instant::now() < *until);
    if !valid {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(
                json!({"errors": [{"code": "Unauthorized", "message": "The access token you provided has expired."}]}),
            ),
        )
            .into_response();
    }
    if q.get("marketplaceIds").map(String::as_str) != Some(MARKETPLACE) {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"errors": [{"code": "InvalidInput", "message": "marketplaceIds is required"}]})),
        )
            .into_response();
    }
    if let Some(Fault::UpdateWhilePaging(n)) = &fault {
        mutate(&mut i, *n);
    }
    if fault == Some(Fault::DuplicatePage) {
        if let Some((orders, next)) = i.last_page.clone() {
            let body = json!({"orders": orders, "pagination": {"nextToken": next}});
            return (StatusCode::OK, rate_headers(), axum::Json(body)).into_response();
        }
    }
    let (Some(after), Some(before)) =
        (q.get("lastUpdatedAfter").and_then(|s| parse_ts(s)), q.get("lastUpdatedBefore").and_then(|s| parse_ts(s)))
    else {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"errors": [{"code": "InvalidInput", "message": "lastUpdatedAfter and lastUpdatedBefore are required"}]}))).into_response();
    };
    let max: usize = q.get("maxResultsPerPage").and_then(|v| v.parse().ok()).unwrap_or(100).clamp(1, 100);
    // keyset paging: the token is the (last updated, order id) the page ended at
    let from: Option<(String, String)> =
        q.get("paginationToken").and_then(|t| t.split_once('|').map(|(a, b)| (a.to_string(), b.to_string())));
    let (after_s, before_s) = (ts(after), ts(before));
    let inner = &*i;
    let keys = |k: usize| key_of(&inner.orders[k]);
    // the first order at or after the window's start, then past the token
    let mut start = inner
        .sorted
        .partition_point(|&k| inner.orders[k]["lastUpdatedTime"].as_str().unwrap_or_default() < after_s.as_str());
    if let Some(f) = &from {
        start = start.max(inner.sorted.partition_point(|&k| keys(k) <= *f));
    }
    if fault == Some(Fault::OverlappingPage) {
        start = start.saturating_sub(2);
    }
    let in_window = |k: usize| inner.orders[k]["lastUpdatedTime"].as_str().unwrap_or_default() <= before_s.as_str();
    let page_idx: Vec<usize> = inner.sorted[start.min(inner.sorted.len())..]
        .iter()
        .copied()
        .take_while(|&k| in_window(k))
        .take(max + 1)
        .collect();
    let more = page_idx.len() > max;
    let page: Vec<Value> = page_idx.iter().take(max).map(|&k| inner.orders[k].clone()).collect();
    let next = if more {
        page.last().map(|o| {
            let (a, b) = key_of(o);
            format!("{a}|{b}")
        })
    } else {
        None
    };
    i.last_page = Some((page.clone(), next.clone()));
    let body = json!({"orders": page, "pagination": {"nextToken": next}, "lastUpdatedBefore": ts(before)});
    if fault == Some(Fault::Truncated) {
        let text = body.to_string();
        let half = text.len() / 2;
        return (StatusCode::OK, [("content-type", "application/json")], text[..half].to_string()).into_response();
    }
    (StatusCode::OK, rate_headers(), axum::Json(body)).into_response()
}

async fn confirm_shipment(
    State(s): State<Arc<Mutex<Inner>>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let fault = write_fault(&mut s.lock().unwrap_or_else(std::sync::PoisonError::into_inner).faults);
    with_write_fault(s, fault, move |i| confirm_shipment_now(i, id, &headers, body)).await
}

fn confirm_shipment_now(i: &mut Inner, id: String, headers: &HeaderMap, body: Value) -> Response {
    if let Some(denied) = denied(i, headers) {
        return denied;
    }
    if body.get("marketplaceId").and_then(Value::as_str) != Some(MARKETPLACE)
        || body.pointer("/packageDetail/trackingNumber").is_none()
    {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"errors": [{"code": "InvalidInput", "message": "marketplaceId and packageDetail are required"}]}))).into_response();
    }
    let Some(idx) = i.orders.iter().position(|o| o["orderId"] == json!(id)) else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"errors": [{"code": "NotFound", "message": "order not found"}]})),
        )
            .into_response();
    };
    if let Some(Fault::ServerError) = i.faults.script.front() {
        i.faults.script.pop_front();
        i.stats.faults_served += 1;
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(
                json!({"errors": [{"code": "InternalFailure", "message": "We encountered an internal error."}]}),
            ),
        )
            .into_response();
    }
    // the package is on the order; the order is shipped and changed now
    let package = json!({
        "packageReferenceId": body.pointer("/packageDetail/packageReferenceId"),
        "carrier": body.pointer("/packageDetail/carrierCode"),
        "trackingNumber": body.pointer("/packageDetail/trackingNumber"),
        "shipTime": body.pointer("/packageDetail/shipDate"),
    });
    let o = &mut i.orders[idx];
    match o.get_mut("packages").and_then(Value::as_array_mut) {
        Some(p) => p.push(package),
        None => o["packages"] = json!([package]),
    }
    o["fulfillment"]["fulfillmentStatus"] = json!("SHIPPED");
    o["lastUpdatedTime"] = json!(ts(OffsetDateTime::now_utc()));
    let g = &mut *i;
    let orders = &g.orders;
    g.sorted.sort_by_key(|&k| key_of(&orders[k]));
    g.stats.shipments.push((id, body));
    StatusCode::NO_CONTENT.into_response()
}

async fn get_order(State(s): State<Arc<Mutex<Inner>>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(denied) = denied(&i, &headers) {
        return denied;
    }
    match i.orders.iter().find(|o| o["orderId"] == json!(id)) {
        Some(o) => {
            let mut o = o.clone();
            if o.get("packages").is_none() {
                o["packages"] = json!([]);
            }
            axum::Json(json!({ "order": o })).into_response()
        }
        None => {
            (StatusCode::NOT_FOUND, axum::Json(json!({"errors": [{"code": "NotFound", "message": "order not found"}]})))
                .into_response()
        }
    }
}

async fn patch_listing(
    State(s): State<Arc<Mutex<Inner>>>,
    Path((seller, sku)): Path<(String, String)>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    body: String,
) -> Response {
    let fault = write_fault(&mut s.lock().unwrap_or_else(std::sync::PoisonError::into_inner).faults);
    with_write_fault(s, fault, move |i| patch_listing_now(i, seller, sku, &headers, &q, body)).await
}

fn patch_listing_now(
    i: &mut Inner,
    seller: String,
    sku: String,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
    body: String,
) -> Response {
    if let Some(denied) = denied(i, headers) {
        return denied;
    }
    if let Some(f) = i.faults.script.front().cloned() {
        if f == Fault::ServerError {
            i.faults.script.pop_front();
            i.stats.faults_served += 1;
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(
                    json!({"errors": [{"code": "InternalFailure", "message": "We encountered an internal error."}]}),
                ),
            )
                .into_response();
        }
    }
    let Ok(v) = serde_json::from_str::<Value>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"errors": [{"code": "InvalidInput", "message": "body is not JSON"}]})),
        )
            .into_response();
    };
    let ok = q.get("marketplaceIds").map(String::as_str) == Some(MARKETPLACE)
        && v.get("productType").and_then(Value::as_str).is_some()
        && v.pointer("/patches/0/op").and_then(Value::as_str) == Some("replace")
        && (v.pointer("/patches/0/value/0/our_price/0/schedule/0/value_with_tax").is_some_and(Value::is_number)
            || (v.pointer("/patches/0/path").and_then(Value::as_str) == Some("/attributes/fulfillment_availability")
                && v.pointer("/patches/0/value/0/quantity").is_some_and(Value::is_u64))
            || content_patches_ok(&v));
    if !ok {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"errors": [{"code": "InvalidInput", "message": "productType, patches and marketplaceIds are required"}]}))).into_response();
    }
    i.stats.patches.push((seller, sku.clone(), v));
    axum::Json(json!({"sku": sku, "status": "ACCEPTED", "submissionId": format!("sub-{}", i.stats.patches.len()), "issues": []})).into_response()
}

/// Text attributes: every value carries its text, language tag (`de_DE`)
/// and this marketplace; the title comes first.
fn content_patches_ok(v: &Value) -> bool {
    const TEXT: &[&str] = &[
        "/attributes/item_name",
        "/attributes/bullet_point",
        "/attributes/product_description",
        "/attributes/generic_keyword",
    ];
    let Some(patches) = v["patches"].as_array() else { return false };
    patches.first().and_then(|p| p["path"].as_str()) == Some("/attributes/item_name")
        && patches.iter().all(|p| {
            p["op"] == "replace"
                && p["path"].as_str().is_some_and(|x| TEXT.contains(&x))
                && p["value"].as_array().is_some_and(|vals| {
                    !vals.is_empty()
                        && vals.iter().all(|e| {
                            e["value"].as_str().is_some_and(|t| !t.trim().is_empty())
                                && e["language_tag"].as_str().is_some_and(|t| t.len() == 5 && t.as_bytes()[2] == b'_')
                                && e["marketplace_id"] == MARKETPLACE
                        })
                })
        })
}

/// FBA stock pages of two summaries, `nextToken` = the next offset; the
/// required query parameters are checked as the published model has them.
async fn fba_summaries(
    State(s): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(denied) = denied(&i, &headers) {
        return denied;
    }
    if next_fault(&mut i.faults, &[Fault::ServerError]) == Some(Fault::ServerError) {
        i.stats.faults_served += 1;
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    }
    let ok = q.get("granularityType").map(String::as_str) == Some("Marketplace")
        && q.get("granularityId").map(String::as_str) == Some(MARKETPLACE)
        && q.get("marketplaceIds").map(String::as_str) == Some(MARKETPLACE);
    if !ok {
        let e = json!({"errors": [{"code": "InvalidInput", "message": "granularityType, granularityId and marketplaceIds are required"}]});
        return (StatusCode::BAD_REQUEST, axum::Json(e)).into_response();
    }
    let from: usize = q.get("nextToken").and_then(|t| t.strip_prefix("fba:")).and_then(|n| n.parse().ok()).unwrap_or(0);
    let details = q.get("details").map(String::as_str) == Some("true");
    let page: Vec<Value> = i
        .fba
        .iter()
        .skip(from)
        .take(2)
        .map(|(sku, f, n, r)| {
            let mut v = json!({ "asin": "B0FBA00001", "fnSku": format!("X00{sku}"), "sellerSku": sku, "condition": "NewItem",
                                "productName": format!("Product {sku}"), "totalQuantity": f + n + r,
                                "lastUpdatedTime": ts(OffsetDateTime::now_utc()) });
            if details {
                v["inventoryDetails"] = json!({ "fulfillableQuantity": f, "inboundWorkingQuantity": n, "inboundShippedQuantity": 0,
                    "inboundReceivingQuantity": 0, "reservedQuantity": { "totalReservedQuantity": r } });
            }
            v
        })
        .collect();
    let mut body = json!({ "payload": { "granularity": { "granularityType": "Marketplace", "granularityId": MARKETPLACE },
                                        "inventorySummaries": page } });
    if from + 2 < i.fba.len() {
        body["pagination"] = json!({ "nextToken": format!("fba:{}", from + 2) });
    }
    axum::Json(body).into_response()
}

async fn patch_log(State(s): State<Arc<Mutex<Inner>>>) -> Response {
    let i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let list: Vec<Value> = i
        .stats
        .patches
        .iter()
        .map(|(seller, sku, body)| json!({ "seller": seller, "sku": sku, "body": body }))
        .collect();
    axum::Json(Value::Array(list)).into_response()
}

async fn message_log(State(s): State<Arc<Mutex<Inner>>>) -> Response {
    let i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let list: Vec<Value> = i
        .stats
        .messages
        .iter()
        .map(|(order, kind, body)| json!({ "order": order, "kind": kind, "body": body }))
        .collect();
    axum::Json(Value::Array(list)).into_response()
}

/// `searchListingsItems`: the fake seller's SKUs (`SKUS`), four a page; the
/// last one is not buyable. `pageToken` = the next offset.
async fn search_listings(
    State(s): State<Arc<Mutex<Inner>>>,
    Path(_seller): Path<String>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(denied) = denied(&i, &headers) {
        return denied;
    }
    if q.get("marketplaceIds").map(String::as_str) != Some(MARKETPLACE) {
        let e = json!({"errors": [{"code": "InvalidInput", "message": "marketplaceIds is required"}]});
        return (StatusCode::BAD_REQUEST, axum::Json(e)).into_response();
    }
    let from: usize = q.get("pageToken").and_then(|t| t.strip_prefix("lst:")).and_then(|n| n.parse().ok()).unwrap_or(0);
    let items: Vec<Value> = SKUS
        .iter()
        .enumerate()
        .skip(from)
        .take(4)
        .map(|(k, sku)| {
            let status = if k + 1 == SKUS.len() { json!(["DISCOVERABLE"]) } else { json!(["BUYABLE", "DISCOVERABLE"]) };
            json!({ "sku": sku,
                    "summaries": [{ "marketplaceId": MARKETPLACE, "asin": format!("B0LIST{k:04}"), "productType": "PRODUCT",
                                    "status": status, "itemName": format!("Listing {sku}"),
                                    "createdDate": "2026-01-01T00:00:00Z", "lastUpdatedDate": "2026-11-01T00:00:00Z" }],
                    "offers": [{ "marketplaceId": MARKETPLACE, "offerType": "B2C",
                                 "price": { "currencyCode": "EUR", "amount": format!("{}.99", 10 + k) } }] })
        })
        .collect();
    let mut body = json!({ "numberOfResults": SKUS.len(), "items": items });
    if from + 4 < SKUS.len() {
        body["pagination"] = json!({ "nextToken": format!("lst:{}", from + 4) });
    }
    axum::Json(body).into_response()
}

/// The answer to a request without a valid `x-amz-access-token`, if it has none.
fn denied(i: &Inner, headers: &HeaderMap) -> Option<Response> {
    let token = headers.get("x-amz-access-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
    i.tokens.get(token).is_none_or(|until| Instant::now() >= *until).then(|| {
        let e = json!({"errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied."}]});
        (StatusCode::FORBIDDEN, axum::Json(e)).into_response()
    })
}

// ---- Messaging v1: which messages an order allows, the buyer's locale, sends ----

/// The kinds this fake allows for every order it has (the Amazon sandbox's
/// list, with the removed `negativeFeedbackRemoval` and `amazonMotors`).
const MESSAGING_KINDS: &[&str] = &[
    "confirmCustomizationDetails",
    "confirmDeliveryDetails",
    "legalDisclosure",
    "negativeFeedbackRemoval",
    "confirmOrderDetails",
    "confirmServiceDetails",
    "amazonMotors",
    "digitalAccessKey",
    "unexpectedProblem",
    "warranty",
    "invoice",
];

fn messaging_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({"errors": [{"code": code, "message": message}]}))).into_response()
}

/// The refusal of a messaging request without the marketplace or for an unknown order.
fn messaging_refusal(i: &Inner, id: &str, q: &HashMap<String, String>) -> Option<Response> {
    if q.get("marketplaceIds").map(String::as_str) != Some(MARKETPLACE) {
        return Some(messaging_error(StatusCode::BAD_REQUEST, "InvalidInput", "marketplaceIds is required"));
    }
    if !i.orders.iter().any(|o| o["orderId"] == json!(id)) {
        return Some(messaging_error(StatusCode::NOT_FOUND, "NotFound", "order not found"));
    }
    None
}

async fn messaging_actions(
    State(s): State<Arc<Mutex<Inner>>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(denied) = denied(&i, &headers) {
        return denied;
    }
    if let Some(r) = messaging_refusal(&i, &id, &q) {
        return r;
    }
    // a cancelled order allows nothing but the unexpected-problem message
    let cancelled = i
        .orders
        .iter()
        .any(|o| o["orderId"] == json!(id) && o.pointer("/fulfillment/fulfillmentStatus") == Some(&json!("CANCELLED")));
    let link = |k: &str| json!({"href": format!("/messaging/v1/orders/{id}/messages/{k}?marketplaceIds={MARKETPLACE}"), "name": k});
    let mut actions: Vec<Value> =
        MESSAGING_KINDS.iter().filter(|k| !cancelled || **k == "unexpectedProblem").map(|k| link(k)).collect();
    actions.push(json!({"href": format!("/messaging/v1/orders/{id}/attributes?marketplaceIds={MARKETPLACE}"), "name": "attributes"}));
    (
        StatusCode::OK,
        [("content-type", "application/hal+json")],
        axum::Json(json!({"_links": {"actions": actions, "self": {"href": format!("/messaging/v1/orders/{id}?marketplaceIds={MARKETPLACE}")}}})),
    )
        .into_response()
}

async fn messaging_attributes(
    State(s): State<Arc<Mutex<Inner>>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(denied) = denied(&i, &headers) {
        return denied;
    }
    messaging_refusal(&i, &id, &q).unwrap_or_else(|| axum::Json(json!({"buyer": {"locale": "de-DE"}})).into_response())
}

/// Uploads API: a destination for a file that a message will name.
async fn upload_destination(
    State(s): State<Arc<Mutex<Inner>>>,
    Path(resource): Path<String>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(denied) = denied(&i, &headers) {
        return denied;
    }
    let (Some(_), Some(md5)) = (q.get("marketplaceIds"), q.get("contentMD5")) else {
        return messaging_error(StatusCode::BAD_REQUEST, "InvalidInput", "marketplaceIds and contentMD5 are required");
    };
    let id = format!("upl-{:04}", i.stats.uploads.len() + 1);
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
    let upload = Upload { resource: resource.trim_start_matches('/').to_string(), md5: md5.clone(), bytes: None };
    i.stats.uploads.insert(id.clone(), upload);
    let url = format!("http://{host}/_s3/{id}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=fake");
    let payload = json!({"uploadDestinationId": id, "url": url, "headers": {"Content-MD5": md5, "x-amz-server-side-encryption": "aws:kms"}});
    (StatusCode::CREATED, axum::Json(json!({ "payload": payload }))).into_response()
}

/// The storage behind a destination: takes the file once its MD5 matches.
async fn upload_put(
    State(s): State<Arc<Mutex<Inner>>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    use base64::Engine as _;
    use md5::Digest as _;
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if headers.contains_key("x-amz-access-token") || headers.contains_key("authorization") {
        i.stats.credential_leaks += 1;
        return (StatusCode::BAD_REQUEST, "a credential was sent to storage").into_response();
    }
    let sent_md5 = headers.get("content-md5").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let actual = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(&body));
    let Some(u) = i.stats.uploads.get_mut(&id) else {
        return (StatusCode::FORBIDDEN, "no such destination").into_response();
    };
    if sent_md5 != u.md5 || actual != u.md5 {
        return (StatusCode::BAD_REQUEST, "BadDigest").into_response();
    }
    u.bytes = Some(body.to_vec());
    StatusCode::OK.into_response()
}

async fn messaging_send(
    State(s): State<Arc<Mutex<Inner>>>,
    Path((id, kind)): Path<(String, String)>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let fault = write_fault(&mut s.lock().unwrap_or_else(std::sync::PoisonError::into_inner).faults);
    with_write_fault(s, fault, move |i| {
        if let Some(denied) = denied(i, &headers) {
            return denied;
        }
        if let Some(r) = messaging_refusal(i, &id, &q) {
            return r;
        }
        if !MESSAGING_KINDS.contains(&kind.as_str()) {
            return messaging_error(StatusCode::NOT_FOUND, "NotFound", "no such message kind");
        }
        let text = body.get("text").and_then(Value::as_str);
        if text.is_some_and(|t| t.is_empty() || t.chars().count() > 2000 || t.contains('<') || t.contains('@')) {
            return messaging_error(StatusCode::BAD_REQUEST, "InvalidInput", "The text is not allowed.");
        }
        if let Some(Fault::ServerError) = i.faults.script.front() {
            i.faults.script.pop_front();
            i.stats.faults_served += 1;
            return messaging_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalFailure",
                "We encountered an internal error.",
            );
        }
        if matches!(kind.as_str(), "invoice" | "legalDisclosure") {
            // the attachment must name a destination made for this message, its file stored
            let dest = body.pointer("/attachments/0/uploadDestinationId").and_then(Value::as_str).unwrap_or_default();
            let name = body.pointer("/attachments/0/fileName").and_then(Value::as_str).unwrap_or_default();
            let ok = i.stats.uploads.get(dest).is_some_and(|u| {
                u.bytes.is_some() && u.resource == format!("messaging/v1/orders/{id}/messages/{kind}")
            });
            if !ok || name.is_empty() {
                return messaging_error(StatusCode::BAD_REQUEST, "InvalidInput", "The attachment was not uploaded.");
            }
        }
        i.stats.messages.push((id, kind, body));
        (StatusCode::CREATED, axum::Json(json!({}))).into_response()
    })
    .await
}
