//! [`ShopeeFake`]: the Shopee Open Platform v2 calls Mercator makes, with the
//! documented rules: every request signed (HMAC-SHA256 over partner id,
//! path, timestamp, and for shop calls the access token and shop id), the
//! timestamp within 5 minutes, access tokens that expire, single-use
//! refresh tokens that rotate, order lists limited to 15-day windows and
//! 100 a page, details for at most 50 orders with only the optional fields
//! asked for, partial answers reported in `warning`, `ship_order` only for
//! orders ready to ship, `update_stock` failures per model.
//!
//! Shopee does not document how its order-list cursor behaves while orders
//! change; this fake's cursor is keyset-like (update time, order number),
//! so the client is tested for what it controls: windows, retries, tokens,
//! partial answers, duplicates.

use crate::{next_fault, Fault, FaultSource};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hmac::{Hmac, Mac};
use mercator_core::rng::SplitMix64;
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

pub const PARTNER_ID: i64 = 2_001_887;
pub const PARTNER_KEY: &str = "shpk_test_partner_key_0123456789abcdef";
pub const SHOP_ID: i64 = 14_701_711;
pub const REFRESH_TOKEN: &str = "rt_initial_0123456789";

#[derive(Default, Clone, Debug)]
pub struct ShopeeStats {
    pub list_requests: u64,
    pub detail_requests: u64,
    pub refreshes: u64,
    pub faults_served: u64,
    /// (order_sn, tracking number) of every accepted ship_order.
    pub shipments: Vec<(String, String)>,
    /// Every accepted update_stock body.
    pub stock_updates: Vec<Value>,
    /// (item, model, price as the request's JSON text) of every accepted update_price.
    pub price_updates: Vec<(i64, i64, String)>,
    /// Every accepted update_item body.
    pub item_updates: Vec<Value>,
}

struct Inner {
    orders: Vec<Value>,
    faults: FaultSource,
    stats: ShopeeStats,
    clock: u64,
    access: HashMap<String, i64>,
    access_life_s: i64,
    refresh: String,
    /// A refresh is applied at once but answered this late.
    refresh_delay: std::time::Duration,
    last_page: Option<Value>,
    /// The shop's items: one per SKU of `SKUS` (with one model each), then
    /// `items_plain` without models.
    items: Vec<ShopItem>,
    /// `get_item_list` answers "more" with a `next_offset` that does not move.
    stuck_item_pages: bool,
    chat: Chat,
}

/// The shop's seller chat: conversations with their messages (newest last).
#[derive(Default)]
struct Chat {
    /// The app has not been granted the chat module: every call is refused.
    denied: bool,
    conversations: Vec<ChatConversation>,
    next_id: u64,
    /// Texts the seller sent: (conversation id, text).
    sent: Vec<(String, String)>,
}

struct ChatConversation {
    id: String,
    buyer_id: String,
    buyer_name: String,
    unread: i64,
    messages: Vec<Value>,
}

/// A buyer id above 2^53, as Shopee's are: it must survive as text.
pub const CHAT_BUYER_ID: &str = "4224948255757271305";

/// One of the fake shop's items, as `get_item_base_info` and
/// `get_model_list` show it.
#[derive(Clone, Debug)]
pub struct ShopItem {
    pub item_id: i64,
    /// None: an item without variations (model 0).
    pub model_id: Option<i64>,
    pub sku: String,
    /// The original price as Shopee writes it (a JSON number's text).
    pub price: String,
    /// NORMAL or UNLIST.
    pub status: &'static str,
}

fn shop_items() -> Vec<ShopItem> {
    let prices = ["12.90", "24.50", "8.99", "15.00"];
    let mut items: Vec<ShopItem> = SKUS
        .iter()
        .enumerate()
        .map(|(k, sku)| ShopItem {
            item_id: 880_000 + k as i64,
            model_id: Some(990_000 + k as i64),
            sku: sku.to_string(),
            price: prices[k % prices.len()].to_string(),
            // the last one unlisted: linked, but not live
            status: if k + 1 == SKUS.len() { "UNLIST" } else { "NORMAL" },
        })
        .collect();
    // an item without variations whose SKU the catalog does not know
    items.push(ShopItem {
        item_id: 881_000,
        model_id: None,
        sku: "SHP-PLAIN-0001".into(),
        price: "3.50".into(),
        status: "NORMAL",
    });
    items
}

#[derive(Clone)]
pub struct ShopeeFake {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

crate::fake_controls!(ShopeeFake);

fn sign(base: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(PARTNER_KEY.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(base.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

const SKUS: &[&str] = &["KIT-00001-BLK", "ELE-00012-BLK", "HOM-00021-M", "BEA-00035-BLU"];
const STATUSES: &[&str] =
    &["READY_TO_SHIP", "READY_TO_SHIP", "PROCESSED", "SHIPPED", "COMPLETED", "UNPAID", "CANCELLED", "IN_CANCEL"];

/// A `get_order_detail` order (Singapore, SGD) with every optional field.
pub fn order_json(n: u64, rng: &mut SplitMix64, created: i64, updated: i64) -> Value {
    let mut items = vec![];
    let mut total = 0i64;
    for i in 0..rng.range(1, 3) {
        let qty = rng.range(1, 3);
        let cents = rng.range(590, 4990);
        total += qty * cents;
        let k = (n as usize + i as usize) % SKUS.len();
        items.push(json!({
            "item_id": 880_000 + k as u64, "item_name": format!("Shopee product {n}-{i}"), "item_sku": "",
            "model_id": 990_000 + k as u64, "model_name": "default", "model_sku": SKUS[k],
            "model_quantity_purchased": qty,
            "model_original_price": format!("{}.{:02}", cents * 12 / 1000, cents * 12 / 10 % 100).parse::<serde_json::Number>().ok(),
            "model_discounted_price": format!("{}.{:02}", cents / 100, cents % 100).parse::<serde_json::Number>().ok(),
            "order_item_id": 880_000 + k as u64, "weight": 0.2, "wholesale": false
        }));
    }
    let shipping = 199;
    total += shipping;
    json!({
        "order_sn": format!("2412{:02}{:06}SG", n % 28 + 1, n), "region": "SG", "currency": "SGD", "cod": false,
        "order_status": rng.pick(STATUSES), "create_time": created, "update_time": updated,
        "pay_time": created + 60, "days_to_ship": 2, "ship_by_date": created + 2 * 86_400,
        "buyer_user_id": 10_000 + n, "buyer_username": format!("buyer_{n}"), "message_to_seller": "",
        "total_amount": format!("{}.{:02}", total / 100, total % 100).parse::<serde_json::Number>().ok(),
        "estimated_shipping_fee": 1.99,
        "recipient_address": { "name": format!("Tan {n}"), "phone": "6591234567", "town": "", "district": "",
            "city": "Singapore", "state": "", "region": "SG", "zipcode": "018956", "full_address": format!("{} Marina Blvd", n % 90 + 1) },
        "item_list": items, "package_list": []
    })
}

fn key_of(o: &Value) -> (i64, String) {
    (o["update_time"].as_i64().unwrap_or(0), o["order_sn"].as_str().unwrap_or_default().to_string())
}

fn envelope_error(status: StatusCode, error: &str, message: &str) -> Response {
    (status, axum::Json(json!({ "error": error, "message": message, "request_id": format!("fake-{}", now()) })))
        .into_response()
}

fn ok(response: Value, warning: Option<Value>) -> Response {
    let mut v = json!({ "error": "", "message": "", "request_id": format!("fake-{}", now()), "response": response });
    if let Some(w) = warning {
        v["warning"] = w;
    }
    axum::Json(v).into_response()
}

impl ShopeeFake {
    pub async fn start(orders: usize, seed: u64) -> ShopeeFake {
        let mut rng = SplitMix64::new(seed);
        let t = now() - 600;
        let list: Vec<Value> = (0..orders as u64)
            .map(|n| {
                let created = t - rng.range(3600, 29 * 86_400);
                let updated = (created + rng.range(0, 3600)).min(t);
                order_json(n, &mut rng, created, updated)
            })
            .collect();
        let inner = Arc::new(Mutex::new(Inner {
            orders: list,
            faults: FaultSource::default(),
            stats: ShopeeStats::default(),
            clock: 0,
            access: HashMap::new(),
            access_life_s: 4 * 3600,
            refresh: REFRESH_TOKEN.to_string(),
            refresh_delay: std::time::Duration::ZERO,
            last_page: None,
            items: shop_items(),
            stuck_item_pages: false,
            chat: Chat::default(),
        }));
        let app = Router::new()
            .route("/api/v2/auth/access_token/get", post(refresh))
            .route("/api/v2/order/get_order_list", get(order_list))
            .route("/api/v2/order/get_order_detail", get(order_detail))
            .route("/api/v2/logistics/ship_order", post(ship_order))
            .route("/api/v2/logistics/get_tracking_number", get(tracking_number))
            .route("/api/v2/product/update_stock", post(update_stock))
            .route("/api/v2/product/update_price", post(update_price))
            .route("/api/v2/product/update_item", post(update_item))
            .route("/api/v2/product/get_item_list", get(item_list))
            .route("/api/v2/product/get_item_base_info", get(item_base_info))
            .route("/api/v2/product/get_model_list", get(model_list))
            .route("/api/v2/sellerchat/get_conversation_list", get(chat_conversations))
            .route("/api/v2/sellerchat/get_message", get(chat_messages))
            .route("/api/v2/sellerchat/send_message", post(chat_send))
            .route("/api/v2/sellerchat/read_conversation", post(chat_read))
            .with_state(inner.clone());
        let addr = crate::serve(app).await;
        ShopeeFake { addr, inner }
    }

    /// Refreshes from now on rotate the tokens at once and answer this late
    /// (a caller that gives up meanwhile has spent its refresh token).
    pub fn refresh_delay(&self, delay: std::time::Duration) {
        self.with(|i| i.refresh_delay = delay);
    }

    /// Access tokens issued from now on last this long.
    pub fn access_life(&self, seconds: i64) {
        self.with(|i| i.access_life_s = seconds);
    }

    /// The refresh token the shop accepts now (it rotates on every refresh).
    /// Every access token issued so far.
    pub fn access_tokens(&self) -> Vec<String> {
        self.with(|i| i.access.keys().cloned().collect())
    }

    pub fn refresh_token(&self) -> String {
        self.with(|i| i.refresh.clone())
    }

    /// Changes `count` orders now (shipped, new update time).
    pub fn update_orders(&self, count: usize) {
        self.with(|i| mutate(i, count));
    }

    /// Sets the value at `pointer` of the `n`-th order (another currency,
    /// another amount) and returns its order number.
    pub fn set_order_field(&self, n: usize, pointer: &str, value: Value) -> String {
        self.with(|i| {
            if let Some(slot) = i.orders[n].pointer_mut(pointer) {
                *slot = value;
            }
            i.orders[n]["order_sn"].as_str().unwrap_or_default().to_string()
        })
    }

    /// (order_sn, update_time, status) of every order.
    pub fn snapshot(&self) -> Vec<(String, i64, String)> {
        self.with(|i| {
            i.orders
                .iter()
                .map(|o| {
                    let (u, sn) = key_of(o);
                    (sn, u, o["order_status"].as_str().unwrap_or_default().to_string())
                })
                .collect()
        })
    }

    /// The shop's items as they are now (prices as last set).
    pub fn items(&self) -> Vec<ShopItem> {
        self.with(|i| i.items.clone())
    }

    /// From now on the item list says "more" without moving on (a broken
    /// or hostile server).
    pub fn stick_item_pages(&self) {
        self.with(|i| i.stuck_item_pages = true);
    }

    /// Sets the original price of the item at `k` (decimal text).
    pub fn set_item_price(&self, k: usize, price: &str) {
        self.with(|i| i.items[k].price = price.to_string());
    }

    /// A buyer writes in the chat (a new conversation for a new buyer id);
    /// `order_sn` links the message to an order as Shopee's order cards do.
    pub fn buyer_writes(&self, buyer_id: &str, buyer_name: &str, text: &str, order_sn: Option<&str>) {
        self.with(|i| chat_add(i, buyer_id, buyer_name, text, order_sn, false));
    }

    /// Withholds (or grants) the chat module, as for an app Shopee has not approved.
    pub fn deny_chat(&self, denied: bool) {
        self.with(|i| i.chat.denied = denied);
    }

    /// The unread count of each chat conversation, as the seller's chat shows it.
    pub fn chat_unread(&self) -> Vec<i64> {
        self.with(|i| i.chat.conversations.iter().map(|c| c.unread).collect())
    }

    /// What the seller sent through the chat: (conversation id, text).
    pub fn chat_sent(&self) -> Vec<(String, String)> {
        self.with(|i| i.chat.sent.clone())
    }

    pub fn stats(&self) -> ShopeeStats {
        self.with(|i| i.stats.clone())
    }
}

fn mutate(i: &mut Inner, count: usize) {
    i.clock += 1;
    let t = now() - 5;
    let n = i.orders.len().max(1);
    for k in 0..count {
        let idx = ((i.clock as usize) * 7919 + k * 104_729) % n;
        i.orders[idx]["order_status"] = json!("SHIPPED");
        i.orders[idx]["update_time"] = json!(t);
    }
}

type Q = HashMap<String, String>;

/// Checks the common parameters and the signature; shop calls also the
/// access token and shop id.
fn verify(i: &Inner, q: &Q, path: &str, shop: bool) -> Result<(), Box<Response>> {
    let bad = |m: &str| Err(Box::new(envelope_error(StatusCode::FORBIDDEN, "error_param", m)));
    if q.get("partner_id").and_then(|p| p.parse::<i64>().ok()) != Some(PARTNER_ID) {
        return bad("Wrong partner_id.");
    }
    let Some(ts) = q.get("timestamp").and_then(|t| t.parse::<i64>().ok()) else { return bad("no timestamp") };
    if (now() - ts).abs() > 300 {
        return bad("Invalid timestamp");
    }
    let Some(sig) = q.get("sign") else { return bad("There is no sign in query.") };
    let base = if shop {
        let Some(token) = q.get("access_token") else { return bad("There is no access_token in query.") };
        if q.get("shop_id").and_then(|s| s.parse::<i64>().ok()) != Some(SHOP_ID) {
            return Err(Box::new(envelope_error(StatusCode::FORBIDDEN, "error_shop", "shopid is invalid")));
        }
        format!("{PARTNER_ID}{path}{ts}{token}{SHOP_ID}")
    } else {
        format!("{PARTNER_ID}{path}{ts}")
    };
    if *sig != sign(&base) {
        return Err(Box::new(envelope_error(StatusCode::FORBIDDEN, "error_sign", "Wrong sign.")));
    }
    if shop {
        let token = q.get("access_token").cloned().unwrap_or_default();
        if i.access.get(&token).is_none_or(|until| *until <= now()) {
            return Err(Box::new(envelope_error(StatusCode::FORBIDDEN, "error_auth", "Invalid access_token.")));
        }
    }
    Ok(())
}

async fn refresh(State(s): State<Arc<Mutex<Inner>>>, Query(q): Query<Q>, body: String) -> Response {
    let (answer, delay) = rotate(&s, &q, &body);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    answer
}

/// Applies a refresh at once; the answer goes out after the delay.
fn rotate(s: &Mutex<Inner>, q: &Q, body: &str) -> (Response, std::time::Duration) {
    let none = std::time::Duration::ZERO;
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(r) = verify(&i, q, "/api/v2/auth/access_token/get", false) {
        return (*r, none);
    }
    let Ok(b) = serde_json::from_str::<Value>(body) else {
        return (envelope_error(StatusCode::BAD_REQUEST, "error_param", "Wrong parameters, detail: body"), none);
    };
    if b["partner_id"].as_i64() != Some(PARTNER_ID) || b["shop_id"].as_i64() != Some(SHOP_ID) {
        let e = envelope_error(StatusCode::BAD_REQUEST, "error_param", "Wrong parameters, detail: partner_id, shop_id");
        return (e, none);
    }
    if b["refresh_token"].as_str() != Some(i.refresh.as_str()) {
        eprintln!(
            "fake shopee: refused refresh token {:?}, current {:?} at {}",
            b["refresh_token"].as_str(),
            i.refresh,
            now()
        );
        return (envelope_error(StatusCode::FORBIDDEN, "error_auth", "Invalid refresh_token."), none);
    }
    i.stats.refreshes += 1;
    let n = i.stats.refreshes;
    let access = format!("at_{n:04}_{:x}", now());
    let refresh = format!("rt_{n:04}_{:x}", now());
    let life = i.access_life_s;
    i.access.insert(access.clone(), now() + life);
    i.refresh.clone_from(&refresh); // the old one is spent
    eprintln!("fake shopee: refresh {n} at {}", now());
    let answer = axum::Json(
        json!({ "partner_id": PARTNER_ID, "shop_id": SHOP_ID, "refresh_token": refresh, "access_token": access,
        "expire_in": life, "request_id": format!("fake-{n}"), "error": "", "message": "" }),
    )
    .into_response();
    (answer, i.refresh_delay)
}

static RANDOM: [Fault; 7] = [
    Fault::TooManyRequests,
    Fault::ServerError,
    Fault::Truncated,
    Fault::DuplicatePage,
    Fault::ExpireToken,
    Fault::UpdateWhilePaging(3),
    Fault::PartialAnswer,
];

fn take_fault(s: &Arc<Mutex<Inner>>) -> Option<Fault> {
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let f = next_fault(&mut i.faults, &RANDOM);
    if f.is_some() {
        i.stats.faults_served += 1;
    }
    f
}

fn transport_fault(f: Option<&Fault>) -> Option<Response> {
    match f {
        Some(Fault::TooManyRequests) => {
            Some(envelope_error(StatusCode::TOO_MANY_REQUESTS, "error_too_many_request", "Too many requests."))
        }
        Some(Fault::ServerError) => Some(envelope_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "error_server",
            "System error. Please try again later.",
        )),
        Some(Fault::StallBody) => Some(crate::stalled_body()),
        _ => None,
    }
}

fn truncated(v: Response) -> Response {
    let _ = v;
    (StatusCode::OK, [("content-type", "application/json")], "{\"error\":\"\",\"message\":\"\",\"response\":{\"order_l")
        .into_response()
}

async fn order_list(State(s): State<Arc<Mutex<Inner>>>, Query(q): Query<Q>) -> Response {
    let fault = take_fault(&s);
    if let Some(r) = transport_fault(fault.as_ref()) {
        return r;
    }
    if let Some(Fault::Delay(d)) = &fault {
        tokio::time::sleep(*d).await;
    }
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    i.stats.list_requests += 1;
    if fault == Some(Fault::ExpireToken) {
        i.access.clear();
    }
    if let Err(r) = verify(&i, &q, "/api/v2/order/get_order_list", true) {
        return *r;
    }
    if let Some(Fault::UpdateWhilePaging(n)) = &fault {
        mutate(&mut i, *n);
    }
    if fault == Some(Fault::DuplicatePage) {
        if let Some(p) = i.last_page.clone() {
            return ok(p, None);
        }
    }
    if q.get("time_range_field").map(String::as_str) != Some("update_time") {
        return envelope_error(StatusCode::BAD_REQUEST, "error_param", "Wrong parameters, detail: time_range_field");
    }
    let (Some(from), Some(to)) =
        (q.get("time_from").and_then(|v| v.parse::<i64>().ok()), q.get("time_to").and_then(|v| v.parse::<i64>().ok()))
    else {
        return envelope_error(StatusCode::BAD_REQUEST, "error_param", "Wrong parameters, detail: time_from, time_to");
    };
    if from >= to || to - from > 15 * 86_400 {
        return envelope_error(
            StatusCode::BAD_REQUEST,
            "order.order_list_invalid_time",
            "Start time must be earlier than end time and diff in 15days.",
        );
    }
    let size = match q.get("page_size").and_then(|v| v.parse::<usize>().ok()) {
        Some(n) if (1..=100).contains(&n) => n,
        _ => return envelope_error(StatusCode::BAD_REQUEST, "error_param", "Wrong parameters, detail: page_size"),
    };
    let after: Option<(i64, String)> = q
        .get("cursor")
        .filter(|c| !c.is_empty())
        .and_then(|c| c.split_once('|'))
        .and_then(|(u, sn)| Some((u.parse().ok()?, sn.to_string())));
    let mut hits: Vec<&Value> = i
        .orders
        .iter()
        .filter(|o| {
            let u = o["update_time"].as_i64().unwrap_or(0);
            u >= from && u <= to
        })
        .filter(|o| after.as_ref().is_none_or(|a| key_of(o) > *a))
        .collect();
    hits.sort_by_key(|o| key_of(o));
    let more = hits.len() > size;
    let page: Vec<&Value> = hits.into_iter().take(size).collect();
    let next = if more {
        page.last().map(|o| format!("{}|{}", key_of(o).0, key_of(o).1)).unwrap_or_default()
    } else {
        String::new()
    };
    let list: Vec<Value> =
        page.iter().map(|o| json!({ "order_sn": o["order_sn"], "order_status": o["order_status"] })).collect();
    let response = json!({ "more": more, "next_cursor": next, "order_list": list });
    i.last_page = Some(response.clone());
    let r = ok(response, None);
    if fault == Some(Fault::Truncated) {
        return truncated(r);
    }
    r
}

const OPTIONAL: &[&str] = &[
    "buyer_user_id",
    "buyer_username",
    "estimated_shipping_fee",
    "recipient_address",
    "item_list",
    "pay_time",
    "total_amount",
    "package_list",
    "shipping_carrier",
    "payment_method",
    "actual_shipping_fee",
    "note",
];

async fn order_detail(State(s): State<Arc<Mutex<Inner>>>, Query(q): Query<Q>) -> Response {
    let fault = take_fault(&s);
    if let Some(r) = transport_fault(fault.as_ref()) {
        return r;
    }
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    i.stats.detail_requests += 1;
    if fault == Some(Fault::ExpireToken) {
        i.access.clear();
    }
    if let Err(r) = verify(&i, &q, "/api/v2/order/get_order_detail", true) {
        return *r;
    }
    let sns: Vec<&str> =
        q.get("order_sn_list").map(|l| l.split(',').filter(|s| !s.is_empty()).collect()).unwrap_or_default();
    if sns.is_empty() || sns.len() > 50 {
        return envelope_error(
            StatusCode::BAD_REQUEST,
            "error_param",
            "Wrong parameters, detail: order_sn_list limit [1,50]",
        );
    }
    let fields: Vec<&str> = q.get("response_optional_fields").map(|f| f.split(',').collect()).unwrap_or_default();
    let mut found: Vec<Value> = vec![];
    let mut warning: Vec<Value> = vec![];
    for (k, sn) in sns.iter().enumerate() {
        if fault == Some(Fault::PartialAnswer) && k == 0 {
            warning.push(json!(format!("order_sn {sn} is temporarily unavailable")));
            continue;
        }
        match i.orders.iter().find(|o| o["order_sn"] == json!(sn)) {
            Some(o) => {
                let mut o = o.clone();
                if let Some(m) = o.as_object_mut() {
                    m.retain(|k, _| !OPTIONAL.contains(&k.as_str()) || fields.contains(&k.as_str()));
                }
                found.push(o);
            }
            None => warning.push(json!(format!("order_sn {sn} is not found"))),
        }
    }
    let r = ok(json!({ "order_list": found }), (!warning.is_empty()).then_some(Value::Array(warning)));
    if fault == Some(Fault::Truncated) {
        return truncated(r);
    }
    r
}

async fn ship_order(State(s): State<Arc<Mutex<Inner>>>, Query(q): Query<Q>, body: String) -> Response {
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(r) = verify(&i, &q, "/api/v2/logistics/ship_order", true) {
        return *r;
    }
    if i.faults.script.front() == Some(&Fault::ServerError) {
        i.faults.script.pop_front();
        i.stats.faults_served += 1;
        return envelope_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "error_server",
            "System error. Please try again later.",
        );
    }
    let Ok(b) = serde_json::from_str::<Value>(&body) else {
        return envelope_error(StatusCode::BAD_REQUEST, "logistics.error_param", "Wrong parameters, detail: body");
    };
    let sn = b["order_sn"].as_str().unwrap_or_default().to_string();
    let tracking = b.pointer("/non_integrated/tracking_number").and_then(Value::as_str).unwrap_or_default().to_string();
    if tracking.is_empty() {
        return envelope_error(
            StatusCode::BAD_REQUEST,
            "logistics.error_param",
            "Parameter tracking_number can not be null.",
        );
    }
    let Some(k) = i.orders.iter().position(|o| o["order_sn"] == json!(sn)) else {
        return envelope_error(StatusCode::BAD_REQUEST, "logistics.invalid_error", "The order is not exist.");
    };
    if !matches!(i.orders[k]["order_status"].as_str(), Some("READY_TO_SHIP" | "PROCESSED" | "RETRY_SHIP")) {
        return envelope_error(StatusCode::BAD_REQUEST, "logistics.error_param", "logistic status not ready to ship");
    }
    i.orders[k]["order_status"] = json!("SHIPPED");
    i.orders[k]["update_time"] = json!(now());
    i.orders[k]["tracking_number"] = json!(tracking);
    i.stats.shipments.push((sn, tracking));
    axum::Json(json!({ "error": "", "message": "", "request_id": "fake-ship" })).into_response()
}

async fn tracking_number(State(s): State<Arc<Mutex<Inner>>>, Query(q): Query<Q>) -> Response {
    let i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(r) = verify(&i, &q, "/api/v2/logistics/get_tracking_number", true) {
        return *r;
    }
    let sn = q.get("order_sn").cloned().unwrap_or_default();
    match i.orders.iter().find(|o| o["order_sn"] == json!(sn)) {
        Some(o) => ok(json!({ "tracking_number": o["tracking_number"].as_str().unwrap_or_default() }), None),
        None => envelope_error(StatusCode::BAD_REQUEST, "logistics.invalid_error", "The order is not exist."),
    }
}

async fn update_stock(State(s): State<Arc<Mutex<Inner>>>, Query(q): Query<Q>, body: String) -> Response {
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(r) = verify(&i, &q, "/api/v2/product/update_stock", true) {
        return *r;
    }
    let Ok(b) = serde_json::from_str::<Value>(&body) else {
        return envelope_error(StatusCode::BAD_REQUEST, "product.error_param", "invalid body");
    };
    let Some(item) = b["item_id"].as_i64() else {
        return envelope_error(
            StatusCode::BAD_REQUEST,
            "product.error_param",
            "invalid field ItemId: value must  Not Null",
        );
    };
    let list = b["stock_list"].as_array().cloned().unwrap_or_default();
    if list.is_empty() || list.len() > 50 {
        return envelope_error(StatusCode::BAD_REQUEST, "product.error_param", "stock_list length [1,50]");
    }
    let known = (880_000..880_000 + SKUS.len() as i64).contains(&item);
    let mut success = vec![];
    let mut failure = vec![];
    for e in &list {
        let model = e["model_id"].as_i64().unwrap_or(-1);
        let stock = e.pointer("/seller_stock/0/stock").and_then(Value::as_i64);
        match stock {
            Some(st) if known && model == item - 880_000 + 990_000 => {
                success.push(json!({ "model_id": model, "location_id": "", "stock": st }));
            }
            _ => failure.push(json!({ "model_id": model, "failed_reason": "model not found or stock missing" })),
        }
    }
    if failure.is_empty() {
        i.stats.stock_updates.push(b.clone());
    }
    ok(json!({ "failure_list": failure, "success_list": success }), Some(json!("")))
}

/// The item and model ids of the shop's SKUs: item 880000 + k, model 990000 + k.
fn model_of(item: i64) -> Option<i64> {
    (880_000..880_000 + SKUS.len() as i64).contains(&item).then(|| item - 880_000 + 990_000)
}

async fn update_price(State(s): State<Arc<Mutex<Inner>>>, Query(q): Query<Q>, body: String) -> Response {
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(r) = verify(&i, &q, "/api/v2/product/update_price", true) {
        return *r;
    }
    let Ok(b) = serde_json::from_str::<Value>(&body) else {
        return envelope_error(StatusCode::BAD_REQUEST, "product.error_param", "invalid body");
    };
    let Some(item) = b["item_id"].as_i64() else {
        return envelope_error(
            StatusCode::BAD_REQUEST,
            "product.error_param",
            "invalid field ItemId: value must  Not Null",
        );
    };
    let list = b["price_list"].as_array().cloned().unwrap_or_default();
    if list.len() != 1 {
        return envelope_error(StatusCode::BAD_REQUEST, "product.error_param", "price_list length [1,50]");
    }
    let model = list[0]["model_id"].as_i64().unwrap_or(-1);
    // the price as written in the request (a JSON number), to check no float crept in
    let text = body.split("\"original_price\":").nth(1).map(|t| t.trim_end_matches(['}', ']']).trim().to_string());
    let number_ok = list[0]["original_price"].is_number()
        && text.as_deref().is_some_and(|t| t.parse::<rust_decimal::Decimal>().is_ok());
    if model_of(item) != Some(model) || !number_ok {
        let failure = json!([{ "model_id": model, "failed_reason": "model not found or price invalid" }]);
        return ok(json!({ "failure_list": failure, "success_list": [] }), Some(json!("")));
    }
    let text = text.unwrap_or_default();
    if let Some(it) = i.items.iter_mut().find(|it| it.item_id == item && it.model_id == Some(model)) {
        it.price.clone_from(&text);
    }
    i.stats.price_updates.push((item, model, text));
    ok(
        json!({ "failure_list": [], "success_list": [{ "model_id": model, "original_price": list[0]["original_price"] }] }),
        Some(json!("")),
    )
}

/// `get_item_list`: items with one of the asked `item_status` values, in
/// pages of at most 2 (smaller than asked, as Shopee may), with
/// `has_next_page` and `next_offset`.
async fn item_list(State(s): State<Arc<Mutex<Inner>>>, Query(pairs): Query<Vec<(String, String)>>) -> Response {
    let q: Q = pairs.iter().cloned().collect();
    let i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(r) = verify(&i, &q, "/api/v2/product/get_item_list", true) {
        return *r;
    }
    let statuses: Vec<&str> = pairs.iter().filter(|(k, _)| k == "item_status").map(|(_, v)| v.as_str()).collect();
    let (Some(offset), Some(size)) = (
        q.get("offset").and_then(|o| o.parse::<usize>().ok()),
        q.get("page_size").and_then(|o| o.parse::<usize>().ok()),
    ) else {
        return envelope_error(StatusCode::BAD_REQUEST, "product.error_param", "offset and page_size are required");
    };
    if statuses.is_empty() || !(1..=100).contains(&size) {
        return envelope_error(StatusCode::BAD_REQUEST, "product.error_param", "item_status or page_size invalid");
    }
    let matching: Vec<&ShopItem> = i.items.iter().filter(|it| statuses.contains(&it.status)).collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(size.min(2))
        .map(|it| json!({ "item_id": it.item_id, "item_status": it.status, "update_time": now() }))
        .collect();
    let next = if i.stuck_item_pages { offset } else { offset + page.len() };
    let more = i.stuck_item_pages || next < matching.len();
    ok(
        json!({ "item": page, "total_count": matching.len(), "has_next_page": more, "next_offset": next }),
        Some(json!("")),
    )
}

fn price_info(price: &str) -> Value {
    let n: serde_json::Number = price.parse().unwrap_or_else(|_| serde_json::Number::from(0));
    json!([{ "currency": "SGD", "original_price": n, "current_price": n }])
}

/// `get_item_base_info` for up to 50 comma-separated ids.
async fn item_base_info(State(s): State<Arc<Mutex<Inner>>>, Query(q): Query<Q>) -> Response {
    let i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(r) = verify(&i, &q, "/api/v2/product/get_item_base_info", true) {
        return *r;
    }
    let ids: Vec<i64> =
        q.get("item_id_list").map(|l| l.split(',').filter_map(|x| x.trim().parse().ok()).collect()).unwrap_or_default();
    if ids.is_empty() || ids.len() > 50 {
        return envelope_error(StatusCode::BAD_REQUEST, "product.error_param", "item_id_list length [1,50]");
    }
    let list: Vec<Value> = ids
        .iter()
        .filter_map(|id| i.items.iter().find(|it| it.item_id == *id))
        .map(|it| {
            let mut v = json!({
                "item_id": it.item_id, "item_status": it.status, "item_name": format!("Shopee {}", it.sku),
                "has_model": it.model_id.is_some(), "item_sku": if it.model_id.is_some() { "" } else { it.sku.as_str() },
            });
            if it.model_id.is_none() {
                v["price_info"] = price_info(&it.price);
            }
            v
        })
        .collect();
    ok(json!({ "item_list": list }), Some(json!("")))
}

/// `get_model_list` of one item.
async fn model_list(State(s): State<Arc<Mutex<Inner>>>, Query(q): Query<Q>) -> Response {
    let i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(r) = verify(&i, &q, "/api/v2/product/get_model_list", true) {
        return *r;
    }
    let id = q.get("item_id").and_then(|x| x.parse::<i64>().ok()).unwrap_or(-1);
    let Some(it) = i.items.iter().find(|it| it.item_id == id) else {
        return envelope_error(StatusCode::BAD_REQUEST, "product.error_item_not_found", "item_id not found");
    };
    let models: Vec<Value> = it
        .model_id
        .iter()
        .map(|m| json!({ "model_id": m, "model_sku": it.sku, "tier_index": [0], "price_info": price_info(&it.price) }))
        .collect();
    ok(
        json!({ "tier_variation": [{ "name": "Variation", "option_list": [{ "option": "default" }] }], "model": models }),
        Some(json!("")),
    )
}

async fn update_item(State(s): State<Arc<Mutex<Inner>>>, Query(q): Query<Q>, body: String) -> Response {
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(r) = verify(&i, &q, "/api/v2/product/update_item", true) {
        return *r;
    }
    let Ok(b) = serde_json::from_str::<Value>(&body) else {
        return envelope_error(StatusCode::BAD_REQUEST, "product.error_param", "invalid body");
    };
    let item = b["item_id"].as_i64().unwrap_or(-1);
    if model_of(item).is_none() {
        return envelope_error(StatusCode::BAD_REQUEST, "product.error_item_not_found", "item_id not found");
    }
    // Shopee: names up to 120 characters, descriptions 3000
    let name_ok = b["item_name"].as_str().is_some_and(|n| !n.trim().is_empty() && n.chars().count() <= 120);
    let desc_ok = b.get("description").is_none_or(|d| d.as_str().is_some_and(|d| d.chars().count() <= 3000));
    if !name_ok || !desc_ok {
        return envelope_error(
            StatusCode::BAD_REQUEST,
            "product.error_param",
            "item_name [1,120], description [0,3000]",
        );
    }
    i.stats.item_updates.push(b.clone());
    ok(json!({ "item_id": item }), Some(json!("")))
}

// ---- seller chat (sellerchat.*) ----

/// Nanoseconds now, strictly increasing within the fake (Shopee's conversation times are nanoseconds).
fn chat_nanos(i: &mut Inner) -> i64 {
    i.chat.next_id += 1;
    OffsetDateTime::now_utc().unix_timestamp() * 1_000_000_000
        + i64::try_from(i.chat.next_id % 1_000_000).unwrap_or(0) * 1000
}

fn chat_add(
    i: &mut Inner,
    buyer_id: &str,
    buyer_name: &str,
    text: &str,
    order_sn: Option<&str>,
    from_shop: bool,
) -> Value {
    let nanos = chat_nanos(i);
    let id = format!("{}", 7_000_000_000_000_000_000u64 + i.chat.next_id);
    let k = match i.chat.conversations.iter().position(|c| c.buyer_id == buyer_id) {
        Some(k) => k,
        None => {
            i.chat.conversations.push(ChatConversation {
                id: format!("{}", 160_000_000_000_000_000u64 + i.chat.next_id),
                buyer_id: buyer_id.to_string(),
                buyer_name: buyer_name.to_string(),
                unread: 0,
                messages: vec![],
            });
            i.chat.conversations.len() - 1
        }
    };
    let c = &mut i.chat.conversations[k];
    let (from, to) = if from_shop {
        (SHOP_ID.to_string(), buyer_id.to_string())
    } else {
        (buyer_id.to_string(), SHOP_ID.to_string())
    };
    let m = json!({
        "message_id": id,
        "message_type": "text",
        "from_id": from.parse::<u64>().unwrap_or(0),
        "from_shop_id": if from_shop { SHOP_ID } else { 0 },
        "to_id": to.parse::<u64>().unwrap_or(0),
        "to_shop_id": if from_shop { 0 } else { SHOP_ID },
        "conversation_id": c.id,
        "created_timestamp": nanos / 1_000_000_000,
        "region": "MY",
        "status": "normal",
        "content": { "text": text },
        "source_content": { "order_sn": order_sn.unwrap_or_default() },
        "_nanos": nanos,
    });
    if !from_shop {
        c.unread += 1;
    }
    c.messages.push(m.clone());
    m
}

fn chat_denied(i: &Inner) -> Option<Response> {
    i.chat.denied.then(|| envelope_error(StatusCode::FORBIDDEN, "error_auth", "No permission to current api."))
}

fn chat_conversation_json(c: &ChatConversation) -> Value {
    let last = c.messages.last().cloned().unwrap_or(Value::Null);
    json!({
        "conversation_id": c.id,
        "to_id": c.buyer_id.parse::<u64>().unwrap_or(0),
        "to_name": c.buyer_name,
        "to_avatar": "",
        "shop_id": SHOP_ID,
        "unread_count": c.unread,
        "pinned": false,
        "latest_message_id": last["message_id"],
        "latest_message_type": "text",
        "latest_message_content": last["content"],
        "latest_message_from_id": last["from_id"],
        "last_message_timestamp": last["_nanos"],
    })
}

/// Newest first, 25 a page; `next_timestamp_nano` continues below a time.
async fn chat_conversations(State(s): State<Arc<Mutex<Inner>>>, Query(q): Query<Q>) -> Response {
    let i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(r) = verify(&i, &q, "/api/v2/sellerchat/get_conversation_list", true) {
        return *r;
    }
    if let Some(r) = chat_denied(&i) {
        return r;
    }
    if !matches!(q.get("direction").map(String::as_str), Some("latest" | "older"))
        || !matches!(q.get("type").map(String::as_str), Some("all" | "pinned" | "unread"))
    {
        return envelope_error(StatusCode::BAD_REQUEST, "error_param", "direction and type are required");
    }
    let size = q.get("page_size").and_then(|p| p.parse::<usize>().ok()).unwrap_or(25).clamp(1, 60);
    let below = q.get("next_timestamp_nano").and_then(|t| t.parse::<i64>().ok()).unwrap_or(i64::MAX);
    let mut list: Vec<&ChatConversation> = i
        .chat
        .conversations
        .iter()
        .filter(|c| c.messages.last().and_then(|m| m["_nanos"].as_i64()).is_some_and(|n| n < below))
        .collect();
    list.sort_by_key(|c| std::cmp::Reverse(c.messages.last().and_then(|m| m["_nanos"].as_i64())));
    let more = list.len() > size;
    list.truncate(size);
    let next = list.last().and_then(|c| c.messages.last()).map(|m| m["_nanos"].to_string()).unwrap_or_default();
    ok(
        json!({
            "conversations": list.iter().map(|c| chat_conversation_json(c)).collect::<Vec<_>>(),
            "page_result": { "page_size": size, "more": more, "next_cursor": { "next_message_time_nano": next, "conversation_id": "" } }
        }),
        None,
    )
}

/// Newest first, 25 a page; `offset` is the position as text.
async fn chat_messages(State(s): State<Arc<Mutex<Inner>>>, Query(q): Query<Q>) -> Response {
    let i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(r) = verify(&i, &q, "/api/v2/sellerchat/get_message", true) {
        return *r;
    }
    if let Some(r) = chat_denied(&i) {
        return r;
    }
    let id = q.get("conversation_id").cloned().unwrap_or_default();
    let Some(c) = i.chat.conversations.iter().find(|c| c.id == id) else {
        return envelope_error(StatusCode::BAD_REQUEST, "error_param", "conversation not found");
    };
    let size = q.get("page_size").and_then(|p| p.parse::<usize>().ok()).unwrap_or(25).clamp(1, 60);
    let from = q.get("offset").and_then(|o| o.parse::<usize>().ok()).unwrap_or(0);
    let newest_first: Vec<Value> = c.messages.iter().rev().skip(from).take(size).cloned().collect();
    let next = if from + size < c.messages.len() { (from + size).to_string() } else { String::new() };
    ok(json!({ "messages": newest_first, "page_result": { "next_offset": next, "page_size": size } }), None)
}

async fn chat_send(State(s): State<Arc<Mutex<Inner>>>, Query(q): Query<Q>, body: String) -> Response {
    let fault = crate::write_fault(&mut s.lock().unwrap_or_else(std::sync::PoisonError::into_inner).faults);
    let delay = match fault {
        Some(Fault::ApplyThenDelay(d)) => Some(d),
        _ => None,
    };
    let answer = {
        let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Err(r) = verify(&i, &q, "/api/v2/sellerchat/send_message", true) {
            return *r;
        }
        if let Some(r) = chat_denied(&i) {
            return r;
        }
        let Ok(b) = serde_json::from_str::<Value>(&body) else {
            return envelope_error(StatusCode::BAD_REQUEST, "error_param", "body is not JSON");
        };
        let to = match &b["to_id"] {
            Value::Number(n) => n.to_string(),
            Value::String(t) => t.clone(),
            _ => String::new(),
        };
        let text = b.pointer("/content/text").and_then(Value::as_str).unwrap_or_default().to_string();
        if b["message_type"] != json!("text") || text.is_empty() {
            return envelope_error(StatusCode::BAD_REQUEST, "error_param", "message_type text needs content.text");
        }
        if text.chars().count() > 600 {
            return envelope_error(StatusCode::BAD_REQUEST, "sellerchat.message_too_long", "The message is too long.");
        }
        let Some(c) = i.chat.conversations.iter().find(|c| c.buyer_id == to) else {
            return envelope_error(
                StatusCode::BAD_REQUEST,
                "sellerchat.user_is_forbidden",
                "You can not chat with this user.",
            );
        };
        let (conv, name) = (c.id.clone(), c.buyer_name.clone());
        let m = chat_add(&mut i, &to, &name, &text, None, true);
        i.chat.sent.push((conv, text));
        json!({
            "message_id": m["message_id"], "to_id": m["to_id"], "message_type": "text", "content": m["content"],
            "conversation_id": m["conversation_id"].as_str().and_then(|c| c.parse::<u64>().ok()),
            "created_timestamp": m["created_timestamp"],
        })
    };
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    ok(answer, None)
}

async fn chat_read(State(s): State<Arc<Mutex<Inner>>>, Query(q): Query<Q>, body: String) -> Response {
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(r) = verify(&i, &q, "/api/v2/sellerchat/read_conversation", true) {
        return *r;
    }
    if let Some(r) = chat_denied(&i) {
        return r;
    }
    let b: Value = serde_json::from_str(&body).unwrap_or_default();
    let id = match &b["conversation_id"] {
        Value::Number(n) => n.to_string(),
        Value::String(t) => t.clone(),
        _ => String::new(),
    };
    match i.chat.conversations.iter_mut().find(|c| c.id == id) {
        Some(c) => {
            c.unread = 0;
            ok(json!({}), None)
        }
        None => envelope_error(StatusCode::BAD_REQUEST, "error_param", "conversation not found"),
    }
}
