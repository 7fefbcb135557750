//! [`WooFake`]: a WooCommerce store's REST API v3 as Mercator uses it, with
//! the behaviour that matters for a sync: HTTP Basic with the consumer key
//! and secret, `modified_after`/`modified_before` with `dates_are_gmt`,
//! offset paging (`page`, `per_page` ≤ 100) with `X-WP-Total` and
//! `X-WP-TotalPages` computed on every request, so an order modified while
//! a client pages moves out of its window and the pages after it shift, as
//! on a real store. Query parameters are checked against the published
//! route index (`wc-v3-index.json`) plus the 5.8 additions; unknown ones are
//! refused with WooCommerce's `rest_invalid_param`. Order notes and order
//! updates (status) are kept; the store's clock is UTC+8.

use crate::{next_fault, Fault, FaultSource};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use mercator_core::rng::SplitMix64;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

pub const CONSUMER_KEY: &str = "ck_0123456789abcdef0123456789abcdef01234567";
pub const CONSUMER_SECRET: &str = "cs_fedcba9876543210fedcba9876543210fedcba98";

#[derive(Default, Clone, Debug)]
pub struct WooStats {
    pub order_requests: u64,
    pub faults_served: u64,
    /// (order id, note body) of every note added.
    pub notes: Vec<(u64, Value)>,
    /// (order id, update body) of every order update.
    pub updates: Vec<(u64, Value)>,
    /// (product path, body) of every product or variation update.
    pub product_updates: Vec<(String, Value)>,
}

struct Inner {
    orders: Vec<Value>,
    faults: FaultSource,
    stats: WooStats,
    clock: u64,
    notes: HashMap<u64, Vec<Value>>,
}

#[derive(Clone)]
pub struct WooFake {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

crate::fake_controls!(WooFake);

const LOCAL: time::UtcOffset = match time::UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => time::UtcOffset::UTC,
};

fn naive(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    t.format(&f).unwrap_or_default()
}

fn parse_naive(s: &str) -> Option<OffsetDateTime> {
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(s.trim_end_matches('Z'), &f).ok().map(time::PlainDateTime::assume_utc)
}

fn amount(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

const SKUS: &[&str] = &["KIT-00001-BLK", "HOM-00021-M", "SPO-00031-L", "BEA-00035-BLU"];
const STATUSES: &[&str] = &["processing", "processing", "processing", "completed", "on-hold", "cancelled"];

/// A plausible REST v3 order in the published example's shape: a
/// cross-border store selling in USD from a UTC+8 back office.
pub fn order_json(id: u64, rng: &mut SplitMix64, created: OffsetDateTime, modified: OffsetDateTime) -> Value {
    let mut items = vec![];
    let mut subtotal = 0;
    let mut tax = 0;
    for i in 0..rng.range(1, 3) {
        let qty = rng.range(1, 3);
        let cents = rng.range(799, 3999);
        let t = qty * cents / 10;
        subtotal += qty * cents;
        tax += t;
        items.push(json!({
            "id": id * 10 + i as u64, "name": format!("Woo product {id}-{i}"), "product_id": 90 + i, "variation_id": 0,
            "quantity": qty, "tax_class": "", "subtotal": amount(qty * cents), "subtotal_tax": amount(t),
            "total": amount(qty * cents), "total_tax": amount(t), "taxes": [], "meta_data": [],
            "sku": rng.pick(SKUS), "price": amount(cents)
        }));
    }
    let shipping = 1000;
    let (c, m) = (created.to_offset(LOCAL), modified.to_offset(LOCAL));
    json!({
        "id": id, "parent_id": 0, "number": id.to_string(), "order_key": format!("wc_order_{id:013x}"),
        "created_via": "checkout", "version": "9.4.0", "status": rng.pick(STATUSES), "currency": "USD",
        "date_created": naive(c), "date_created_gmt": naive(created), "date_modified": naive(m), "date_modified_gmt": naive(modified),
        "discount_total": "0.00", "discount_tax": "0.00", "shipping_total": amount(shipping), "shipping_tax": "0.00",
        "cart_tax": amount(tax), "total": amount(subtotal + tax + shipping), "total_tax": amount(tax), "prices_include_tax": false,
        "billing": { "first_name": "Li", "last_name": format!("Wei {id}"), "address_1": "88 Market St", "address_2": "", "city": "San Francisco",
            "state": "CA", "postcode": "94103", "country": "US", "email": format!("buyer{id}@example.com"), "phone": "(555) 555-5555" },
        "shipping": { "first_name": "Li", "last_name": format!("Wei {id}"), "address_1": "88 Market St", "address_2": "", "city": "San Francisco",
            "state": "CA", "postcode": "94103", "country": "US" },
        "payment_method": "stripe", "line_items": items, "shipping_lines": [], "fee_lines": [], "coupon_lines": [], "refunds": []
    })
}

fn modified_of(o: &Value) -> String {
    o["date_modified_gmt"].as_str().unwrap_or_default().to_string()
}

impl WooFake {
    pub async fn start(orders: usize, seed: u64) -> WooFake {
        let mut rng = SplitMix64::new(seed);
        let now = OffsetDateTime::now_utc() - time::Duration::minutes(10);
        let list: Vec<Value> = (0..orders as u64)
            .map(|n| {
                let created = now - time::Duration::seconds(rng.range(3600, 29 * 86_400));
                let modified = created + time::Duration::seconds(rng.range(0, 3600));
                order_json(1000 + n, &mut rng, created, modified.min(now))
            })
            .collect();
        let inner = Arc::new(Mutex::new(Inner {
            orders: list,
            faults: FaultSource::default(),
            stats: WooStats::default(),
            clock: 0,
            notes: HashMap::new(),
        }));
        let app = Router::new()
            .route("/wp-json/wc/v3/orders", get(list_orders))
            .route("/wp-json/wc/v3/orders/{id}", get(get_order).put(update_order).post(update_order))
            .route("/wp-json/wc/v3/orders/{id}/notes", get(list_notes).post(add_note))
            .route("/wp-json/wc/v3/products", get(list_products))
            .route("/wp-json/wc/v3/products/{id}", axum::routing::put(update_product))
            .route("/wp-json/wc/v3/products/{parent}/variations/{id}", axum::routing::put(update_variation))
            .route("/wp-json/wc/v3/products/{parent}/variations", get(list_variations))
            .with_state(inner.clone());
        let addr = crate::serve(app).await;
        WooFake { addr, inner }
    }

    /// Changes `count` orders now (completed, modified now).
    pub fn update_orders(&self, count: usize) {
        self.with(|i| mutate(i, count));
    }

    /// (id, date_modified_gmt, status) of every order.
    pub fn snapshot(&self) -> Vec<(String, String, String)> {
        self.with(|i| {
            i.orders
                .iter()
                .map(|o| (o["id"].to_string(), modified_of(o), o["status"].as_str().unwrap_or_default().to_string()))
                .collect()
        })
    }

    pub fn stats(&self) -> WooStats {
        self.with(|i| i.stats.clone())
    }
}

fn mutate(i: &mut Inner, count: usize) {
    i.clock += 1;
    let now = OffsetDateTime::now_utc();
    let n = i.orders.len().max(1);
    for k in 0..count {
        let idx = ((i.clock as usize) * 7919 + k * 104_729) % n;
        let o = &mut i.orders[idx];
        o["status"] = json!("completed");
        o["date_modified_gmt"] = json!(naive(now));
        o["date_modified"] = json!(naive(now.to_offset(LOCAL)));
    }
}

fn authorized(headers: &HeaderMap) -> bool {
    use base64_lite::encode;
    let want = format!("Basic {}", encode(format!("{CONSUMER_KEY}:{CONSUMER_SECRET}").as_bytes()));
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(want.as_str())
}

fn woo_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({ "code": code, "message": message, "data": { "status": status.as_u16() } })))
        .into_response()
}

fn unauthorized() -> Response {
    woo_error(StatusCode::UNAUTHORIZED, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
}

/// The list route's arguments in the published index, and the ones
/// WooCommerce 5.8 added.
const LIST_ARGS: &[&str] = &[
    "context",
    "page",
    "per_page",
    "search",
    "after",
    "before",
    "exclude",
    "include",
    "offset",
    "order",
    "orderby",
    "parent",
    "parent_exclude",
    "status",
    "customer",
    "product",
    "dp",
    "modified_after",
    "modified_before",
    "dates_are_gmt",
];

async fn list_orders(
    State(s): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let fault = {
        let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        i.stats.order_requests += 1;
        let f = next_fault(&mut i.faults, &RANDOM);
        if f.is_some() {
            i.stats.faults_served += 1;
        }
        f
    };
    match &fault {
        Some(Fault::TooManyRequests) => {
            return woo_error(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", "Too many requests.")
        }
        Some(Fault::ServerError) => {
            return (StatusCode::BAD_GATEWAY, "<html><body><h1>502 Bad Gateway</h1></body></html>").into_response()
        }
        Some(Fault::Delay(d)) => tokio::time::sleep(*d).await,
        _ => {}
    }
    if let Some(bad) = q.keys().find(|k| !LIST_ARGS.contains(&k.as_str())) {
        return woo_error(StatusCode::BAD_REQUEST, "rest_invalid_param", &format!("Invalid parameter(s): {bad}"));
    }
    let per_page: usize = match q.get("per_page").map(|v| v.parse::<usize>()) {
        None => 10,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        _ => return woo_error(StatusCode::BAD_REQUEST, "rest_invalid_param", "Invalid parameter(s): per_page"),
    };
    let page: usize = match q.get("page").map(|v| v.parse::<usize>()) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n,
        _ => return woo_error(StatusCode::BAD_REQUEST, "rest_invalid_param", "Invalid parameter(s): page"),
    };
    if q.get("dates_are_gmt").map(String::as_str) != Some("true")
        || q.get("orderby").map(String::as_str) != Some("modified")
    {
        return woo_error(
            StatusCode::BAD_REQUEST,
            "rest_invalid_param",
            "this fake serves dates_are_gmt=true&orderby=modified",
        );
    }
    let (Some(after), Some(before)) =
        (q.get("modified_after").and_then(|v| parse_naive(v)), q.get("modified_before").and_then(|v| parse_naive(v)))
    else {
        return woo_error(
            StatusCode::BAD_REQUEST,
            "rest_invalid_param",
            "Invalid parameter(s): modified_after, modified_before",
        );
    };
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(Fault::UpdateWhilePaging(n)) = &fault {
        mutate(&mut i, *n);
    }
    let (after, before) = (naive(after), naive(before));
    let mut hits: Vec<&Value> = i.orders.iter().filter(|o| modified_of(o) > after && modified_of(o) < before).collect();
    hits.sort_by_key(|o| (modified_of(o), o["id"].as_u64()));
    if q.get("order").map(String::as_str) == Some("desc") {
        hits.reverse();
    }
    let total = hits.len();
    let pages = total.div_ceil(per_page);
    let page_items: Vec<Value> = hits.into_iter().skip((page - 1) * per_page).take(per_page).cloned().collect();
    let body = Value::Array(page_items).to_string();
    let body = if fault == Some(Fault::Truncated) { body[..body.len() / 2].to_string() } else { body };
    (
        StatusCode::OK,
        [
            ("content-type", "application/json".to_string()),
            ("x-wp-total", total.to_string()),
            ("x-wp-totalpages", pages.to_string()),
        ],
        body,
    )
        .into_response()
}

static RANDOM: [Fault; 5] = [
    Fault::TooManyRequests,
    Fault::ServerError,
    Fault::Truncated,
    Fault::UpdateWhilePaging(3),
    Fault::UpdateWhilePaging(1),
];

fn find(i: &Inner, id: u64) -> Option<usize> {
    i.orders.iter().position(|o| o["id"].as_u64() == Some(id))
}

async fn get_order(State(s): State<Arc<Mutex<Inner>>>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    match find(&i, id) {
        Some(k) => axum::Json(i.orders[k].clone()).into_response(),
        None => woo_error(StatusCode::NOT_FOUND, "woocommerce_rest_shop_order_invalid_id", "Invalid ID."),
    }
}

const ORDER_STATUSES: &[&str] =
    &["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "trash"];

async fn update_order(
    State(s): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    body: String,
) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if i.faults.script.front() == Some(&Fault::ServerError) {
        i.faults.script.pop_front();
        i.stats.faults_served += 1;
        return (StatusCode::BAD_GATEWAY, "<html><body><h1>502 Bad Gateway</h1></body></html>").into_response();
    }
    let Ok(v) = serde_json::from_str::<Value>(&body) else {
        return woo_error(StatusCode::BAD_REQUEST, "rest_invalid_json", "Invalid JSON body passed.");
    };
    let Some(k) = find(&i, id) else {
        return woo_error(StatusCode::NOT_FOUND, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
    };
    if let Some(st) = v.get("status") {
        if !st.as_str().is_some_and(|s| ORDER_STATUSES.contains(&s)) {
            return woo_error(StatusCode::BAD_REQUEST, "rest_invalid_param", "Invalid parameter(s): status");
        }
        let now = OffsetDateTime::now_utc();
        let o = &mut i.orders[k];
        o["status"] = st.clone();
        o["date_modified_gmt"] = json!(naive(now));
        o["date_modified"] = json!(naive(now.to_offset(LOCAL)));
    }
    i.stats.updates.push((id, v));
    axum::Json(i.orders[k].clone()).into_response()
}

async fn list_notes(State(s): State<Arc<Mutex<Inner>>>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if find(&i, id).is_none() {
        return woo_error(StatusCode::NOT_FOUND, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
    }
    axum::Json(Value::Array(i.notes.get(&id).cloned().unwrap_or_default())).into_response()
}

async fn add_note(
    State(s): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    body: String,
) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let fault = crate::write_fault(&mut s.lock().unwrap_or_else(std::sync::PoisonError::into_inner).faults);
    crate::write_under(fault, move || {
        let r = add_note_now(&mut s.lock().unwrap_or_else(std::sync::PoisonError::into_inner), id, &body);
        (r.status().is_success(), r)
    })
    .await
}

fn add_note_now(i: &mut Inner, id: u64, body: &str) -> Response {
    if find(i, id).is_none() {
        return woo_error(StatusCode::NOT_FOUND, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
    }
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return woo_error(StatusCode::BAD_REQUEST, "rest_invalid_json", "Invalid JSON body passed.");
    };
    let note = v.get("note").and_then(Value::as_str).unwrap_or_default();
    if note.is_empty() {
        return woo_error(StatusCode::BAD_REQUEST, "rest_missing_callback_param", "Missing parameter(s): note");
    }
    let customer = v.get("customer_note").and_then(Value::as_bool).unwrap_or(false);
    let n = i.notes.values().map(Vec::len).sum::<usize>() + 1;
    let stored = json!({ "id": 280 + n, "author": "Mercator", "date_created_gmt": naive(OffsetDateTime::now_utc()),
        "note": note, "customer_note": customer });
    i.notes.entry(id).or_default().push(stored.clone());
    i.stats.notes.push((id, v));
    (StatusCode::CREATED, axum::Json(stored)).into_response()
}

/// The store's products: a simple product per SKU, the last one a
/// variation of product 90.
fn products() -> Vec<Value> {
    SKUS.iter()
        .enumerate()
        .map(|(k, sku)| {
            if k + 1 == SKUS.len() {
                json!({ "id": 200 + k, "parent_id": 90, "type": "variation", "sku": sku, "manage_stock": true, "stock_quantity": 5,
                        "regular_price": "7.50", "status": "publish" })
            } else {
                json!({ "id": 100 + k, "parent_id": 0, "type": "simple", "sku": sku, "manage_stock": true, "stock_quantity": 5,
                        "regular_price": format!("{}.00", 12 + k), "status": if k == 1 { "draft" } else { "publish" } })
            }
        })
        .collect()
}

const PRODUCT_ARGS: &[&str] = &[
    "context",
    "page",
    "per_page",
    "search",
    "after",
    "before",
    "exclude",
    "include",
    "offset",
    "order",
    "orderby",
    "parent",
    "parent_exclude",
    "slug",
    "status",
    "type",
    "sku",
    "featured",
    "category",
    "tag",
    "shipping_class",
    "attribute",
    "attribute_term",
    "tax_class",
    "in_stock",
    "on_sale",
    "min_price",
    "max_price",
];

async fn list_products(headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    if let Some(bad) = q.keys().find(|k| !PRODUCT_ARGS.contains(&k.as_str())) {
        return woo_error(StatusCode::BAD_REQUEST, "rest_invalid_param", &format!("Invalid parameter(s): {bad}"));
    }
    let sku = q.get("sku").cloned().unwrap_or_default();
    if !sku.is_empty() {
        // a SKU search finds variations too
        let hits: Vec<Value> = products().into_iter().filter(|p| p["sku"] == json!(sku)).collect();
        return axum::Json(Value::Array(hits)).into_response();
    }
    // the catalog: the simple products and the variable product 90 (its variations under it), pages of `per_page`
    let mut all: Vec<Value> = products().into_iter().filter(|p| p["type"] == "simple").collect();
    all.push(
        json!({ "id": 90, "parent_id": 0, "type": "variable", "sku": "", "status": "publish", "variations": [203] }),
    );
    let per: usize = q.get("per_page").and_then(|v| v.parse().ok()).unwrap_or(10).clamp(1, 100);
    let page: usize = q.get("page").and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
    let pages = all.len().div_ceil(per).max(1);
    let body: Vec<Value> = all.into_iter().skip((page - 1) * per).take(per).collect();
    let mut r = axum::Json(Value::Array(body)).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&pages.to_string()) {
        r.headers_mut().insert("x-wp-totalpages", v);
    }
    r
}

async fn list_variations(headers: HeaderMap, Path(parent): Path<u64>) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let vars: Vec<Value> = products().into_iter().filter(|p| p["parent_id"] == json!(parent)).collect();
    axum::Json(Value::Array(vars)).into_response()
}

fn stock_update(s: &Arc<Mutex<Inner>>, path: String, body: &str, found: bool) -> Response {
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if i.faults.script.front() == Some(&Fault::ServerError) {
        i.faults.script.pop_front();
        i.stats.faults_served += 1;
        return (StatusCode::BAD_GATEWAY, "<html><body><h1>502 Bad Gateway</h1></body></html>").into_response();
    }
    if !found {
        return woo_error(StatusCode::NOT_FOUND, "woocommerce_rest_product_invalid_id", "Invalid ID.");
    }
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return woo_error(StatusCode::BAD_REQUEST, "rest_invalid_json", "Invalid JSON body passed.");
    };
    // the product schema's types: quantities are integers, prices decimal
    // strings, texts strings; a variation has no name or description of its own
    let variation = path.contains("/variations/");
    let bad = v.as_object().map_or(Some("body".to_string()), |o| {
        o.iter()
            .find(|(k, x)| match k.as_str() {
                "stock_quantity" => !x.is_i64(),
                "manage_stock" => !x.is_boolean(),
                "regular_price" => x.as_str().is_none_or(|p| p.parse::<rust_decimal::Decimal>().is_err()),
                "name" => variation || x.as_str().is_none_or(|n| n.trim().is_empty()),
                "description" | "short_description" => variation || !x.is_string(),
                _ => true,
            })
            .map(|(k, _)| k.clone())
    });
    if let Some(k) = bad.or_else(|| v.as_object().filter(|o| o.is_empty()).map(|_| "body".to_string())) {
        return woo_error(StatusCode::BAD_REQUEST, "rest_invalid_param", &format!("Invalid parameter(s): {k}"));
    }
    i.stats.product_updates.push((path, v.clone()));
    axum::Json(v).into_response()
}

async fn update_product(
    State(s): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    body: String,
) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    // a simple product, or the variable product 90 the last SKU is a variation of
    let found = id == 90 || products().iter().any(|p| p["id"] == json!(id) && p["type"] == "simple");
    stock_update(&s, format!("products/{id}"), &body, found)
}

async fn update_variation(
    State(s): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Path((parent, id)): Path<(u64, u64)>,
    body: String,
) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let found = products().iter().any(|p| p["id"] == json!(id) && p["parent_id"] == json!(parent));
    stock_update(&s, format!("products/{parent}/variations/{id}"), &body, found)
}

/// Base64 for the Basic header (no dependency for twelve lines).
mod base64_lite {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    pub fn encode(b: &[u8]) -> String {
        let mut out = String::new();
        for c in b.chunks(3) {
            let n = (u32::from(c[0]) << 16)
                | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                | u32::from(*c.get(2).unwrap_or(&0));
            for k in 0..4 {
                if k <= c.len() {
                    out.push(T[((n >> (18 - 6 * k)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}
