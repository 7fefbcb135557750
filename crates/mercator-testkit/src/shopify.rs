//! [`ShopifyFake`]: what Mercator uses of the Shopify Admin GraphQL API
//! (2026-07), with Shopify's runtime rules that a schema mock cannot know:
//! the access-token header, a leaky-bucket cost budget (requested cost
//! charged up front, the unused part refunded, `THROTTLED` when the bucket
//! holds less than a query asks for, `MAX_COST_EXCEEDED` above 1,000
//! points), `updated_at` search filters, keyset cursors, line items paged
//! inside an order, fulfillment orders and `fulfillmentCreate`,
//! `inventorySetQuantities`.
//!
//! Operations are told apart by their operation names (the connector's
//! queries are validated against the real schema elsewhere); the answers
//! have the schema's shapes.

use crate::{next_fault, Fault, FaultSource};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use mercator_core::rng::SplitMix64;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use time::OffsetDateTime;

pub const ACCESS_TOKEN: &str = "shpat_0123456789abcdef_test";
pub const API_PATH: &str = "/admin/api/2026-07/graphql.json";
/// Shopify rejects any single query whose requested cost is above this.
pub const MAX_QUERY_COST: i64 = 1000;

#[derive(Default, Clone, Debug)]
pub struct ShopifyStats {
    pub order_requests: u64,
    pub requests: u64,
    pub throttled: u64,
    pub faults_served: u64,
    /// (order gid, the fulfillment input) of every fulfillment created.
    pub fulfillments: Vec<(String, Value)>,
    /// Every `inventorySetQuantities` input.
    pub stock_sets: Vec<Value>,
    /// Every `productVariantsBulkUpdate` (product id, variants).
    pub price_sets: Vec<(String, Value)>,
    /// Every `productUpdate` input.
    pub product_updates: Vec<Value>,
}

struct Inner {
    orders: Vec<Value>,
    /// Current price of each of `SKUS` (Money strings).
    prices: Vec<String>,
    sorted: Vec<usize>,
    faults: FaultSource,
    last_page: Option<Value>,
    clock: u64,
    /// Cost budget in thousandths of a point.
    available_milli: i64,
    maximum: i64,
    restore_per_s: i64,
    refilled_at: Instant,
    stats: ShopifyStats,
}

/// A fake Shopify shop on loopback.
#[derive(Clone)]
pub struct ShopifyFake {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

crate::fake_controls!(ShopifyFake);

fn ts(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0).unwrap_or(t).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn money(minor: i64, cur: &str) -> Value {
    json!({ "shopMoney": { "amount": format!("{}.{:02}", minor / 100, minor % 100), "currencyCode": cur } })
}

const SKUS: &[&str] = &["KIT-00001-BLK", "KIT-00001-WHT", "ELE-00012-BLK", "HOM-00021-M", "SPO-00031-L"];

/// A plausible Shopify `Order` (USD, shipping in the US); every 17th order
/// has seven lines, more than one page of line items.
pub fn order_node(n: u64, rng: &mut SplitMix64, created: OffsetDateTime, updated: OffsetDateTime) -> Value {
    let lines = if n % 17 == 3 { 7 } else { rng.range(1, 3) };
    let fulfilled = rng.chance(40);
    let mut nodes = vec![];
    let mut subtotal = 0;
    let mut tax_total = 0;
    for i in 0..lines {
        let qty = rng.range(1, 3);
        let cents = rng.range(999, 5999);
        let tax = qty * cents * 8 / 100;
        subtotal += qty * cents;
        tax_total += tax;
        nodes.push(json!({
            "id": format!("gid://shopify/LineItem/{}", 9_000_000_000u64 + n * 10 + i as u64),
            "sku": rng.pick(SKUS), "name": format!("Test product {n}-{i}"),
            "quantity": qty, "unfulfilledQuantity": if fulfilled { 0 } else { qty },
            "originalUnitPriceSet": money(cents, "USD"),
            "taxLines": [{ "priceSet": money(tax, "USD") }]
        }));
    }
    let shipping = 599;
    let cancelled = n % 29 == 5;
    json!({
        "id": format!("gid://shopify/Order/{}", 5_000_000_000u64 + n),
        "name": format!("#{}", 1001 + n),
        "createdAt": ts(created), "updatedAt": ts(updated),
        "cancelledAt": if cancelled { json!(ts(updated)) } else { Value::Null },
        "displayFinancialStatus": if n % 11 == 4 { "PENDING" } else { "PAID" },
        "displayFulfillmentStatus": if fulfilled { "FULFILLED" } else { "UNFULFILLED" },
        "currencyCode": "USD",
        "subtotalPriceSet": money(subtotal, "USD"), "totalTaxSet": money(tax_total, "USD"),
        "totalShippingPriceSet": money(shipping, "USD"), "totalPriceSet": money(subtotal + tax_total + shipping, "USD"),
        "shippingAddress": { "name": format!("Buyer {n}"), "address1": format!("{} Main St", n % 900 + 1), "address2": null,
            "city": "Austin", "province": "Texas", "zip": "78701", "countryCodeV2": "US", "phone": "+1 512 555 0100" },
        "customer": { "displayName": format!("Buyer {n}") },
        "lineItems": { "nodes": nodes }
    })
}

fn key_of(o: &Value) -> (String, String) {
    (o["updatedAt"].as_str().unwrap_or_default().to_string(), o["id"].as_str().unwrap_or_default().to_string())
}

impl ShopifyFake {
    /// A shop holding `orders` orders updated over the 29 days before now,
    /// on the Standard plan's budget (2,000 points, 100 per second).
    pub async fn start(orders: usize, seed: u64) -> ShopifyFake {
        let mut rng = SplitMix64::new(seed);
        let now = OffsetDateTime::now_utc() - time::Duration::minutes(10);
        let list: Vec<Value> = (0..orders as u64)
            .map(|n| {
                let created = now - time::Duration::seconds(rng.range(3600, 29 * 86_400));
                let updated = created + time::Duration::seconds(rng.range(0, 3600));
                order_node(n, &mut rng, created, updated.min(now))
            })
            .collect();
        let mut sorted: Vec<usize> = (0..list.len()).collect();
        sorted.sort_by_key(|&k| key_of(&list[k]));
        let inner = Arc::new(Mutex::new(Inner {
            prices: SKUS.iter().map(|_| "19.99".to_string()).collect(),
            orders: list,
            sorted,
            faults: FaultSource::default(),
            last_page: None,
            clock: 0,
            available_milli: 2_000_000,
            maximum: 2000,
            restore_per_s: 100,
            refilled_at: Instant::now(),
            stats: ShopifyStats::default(),
        }));
        let app = Router::new().route(API_PATH, post(graphql)).with_state(inner.clone());
        let addr = crate::serve(app).await;
        ShopifyFake { addr, inner }
    }

    /// The cost budget: bucket size and points restored per second (a
    /// large rate stands for "no waiting", as in the benchmarks).
    pub fn budget(&self, maximum: i64, restore_per_s: i64) {
        self.with(|i| {
            i.maximum = maximum;
            i.restore_per_s = restore_per_s;
            i.available_milli = maximum * 1000;
            i.refilled_at = Instant::now();
        });
    }

    /// Changes `count` orders now (fulfilled, new `updatedAt`).
    pub fn update_orders(&self, count: usize) {
        self.with(|i| mutate(i, count));
    }

    /// Every order as the shop holds it: (gid, updatedAt, fulfillment status).
    pub fn snapshot(&self) -> Vec<(String, String, String)> {
        self.with(|i| {
            i.orders
                .iter()
                .map(|o| {
                    let (u, id) = key_of(o);
                    (id, u, o["displayFulfillmentStatus"].as_str().unwrap_or_default().to_string())
                })
                .collect()
        })
    }

    pub fn stats(&self) -> ShopifyStats {
        self.with(|i| i.stats.clone())
    }
}

fn mutate(i: &mut Inner, count: usize) {
    i.clock += 1;
    let now = OffsetDateTime::now_utc() - time::Duration::seconds(5);
    let n = i.orders.len().max(1);
    for k in 0..count {
        let idx = ((i.clock as usize) * 7919 + k * 104_729) % n;
        let o = &mut i.orders[idx];
        o["updatedAt"] = json!(ts(now + time::Duration::milliseconds(k as i64 * 1000)));
        fulfil(o);
    }
    let orders = &i.orders;
    i.sorted.sort_by_key(|&k| key_of(&orders[k]));
}

fn fulfil(o: &mut Value) {
    o["displayFulfillmentStatus"] = json!("FULFILLED");
    if let Some(lines) = o.pointer_mut("/lineItems/nodes").and_then(Value::as_array_mut) {
        for l in lines {
            l["unfulfilledQuantity"] = json!(0);
        }
    }
}

/// The operation name: `query Orders(...)` -> `Orders`; anonymous -> "".
fn operation(query: &str) -> String {
    let q = query.trim_start();
    let rest = q.strip_prefix("query").or_else(|| q.strip_prefix("mutation")).unwrap_or("");
    rest.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
}

/// `lineItems(first: N` in the query text.
fn lines_first(query: &str) -> i64 {
    query
        .split("lineItems(first:")
        .nth(1)
        .and_then(|r| r.trim_start().split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|d| d.parse().ok())
        .unwrap_or(0)
}

/// Shopify's static estimate, in the same spirit: an object 1 point, a
/// connection 2 plus its `first` times its node's cost.
fn order_cost(line_first: i64) -> i64 {
    // order 1, four money bags 2 each, address 1, customer 1, lines connection 2 + pageInfo
    14 + line_first * 6
}

fn error_json(message: &str, code: &str) -> Value {
    json!({ "message": message, "extensions": { "code": code } })
}

fn refill(i: &mut Inner) {
    let ms = i64::try_from(i.refilled_at.elapsed().as_millis()).unwrap_or(i64::MAX / 4);
    i.refilled_at = Instant::now();
    i.available_milli = (i.available_milli + ms.saturating_mul(i.restore_per_s)).min(i.maximum * 1000);
}

fn cost_ext(i: &Inner, requested: i64, actual: i64) -> Value {
    json!({ "cost": { "requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": {
        "maximumAvailable": format!("{}.0", i.maximum).parse::<serde_json::Number>().ok(),
        "currentlyAvailable": i.available_milli / 1000,
        "restoreRate": format!("{}.0", i.restore_per_s).parse::<serde_json::Number>().ok() } } })
}

async fn graphql(State(s): State<Arc<Mutex<Inner>>>, headers: HeaderMap, body: String) -> Response {
    if headers.get("x-shopify-access-token").and_then(|v| v.to_str().ok()) != Some(ACCESS_TOKEN) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(
                json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}),
            ),
        )
            .into_response();
    }
    let Ok(req) = serde_json::from_str::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"errors": [error_json("Invalid JSON", "BAD_REQUEST")]})))
            .into_response();
    };
    let query = req["query"].as_str().unwrap_or_default().to_string();
    let vars = req.get("variables").cloned().unwrap_or(json!({}));
    let op = operation(&query);
    let fault = {
        let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        i.stats.requests += 1;
        if op == "Orders" {
            i.stats.order_requests += 1;
            let f = next_fault(&mut i.faults, &RANDOM);
            if f.is_some() {
                i.stats.faults_served += 1;
            }
            f
        } else if matches!(op.as_str(), "Fulfill" | "Stock") && i.faults.script.front() == Some(&Fault::ServerError) {
            i.faults.script.pop_front();
            i.stats.faults_served += 1;
            Some(Fault::ServerError)
        } else {
            None
        }
    };
    match &fault {
        Some(Fault::ServerError) => {
            return (StatusCode::SERVICE_UNAVAILABLE, axum::Json(json!({"errors": "Service Unavailable"})))
                .into_response()
        }
        Some(Fault::Delay(d)) => tokio::time::sleep(*d).await,
        _ => {}
    }
    let mut i = s.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    refill(&mut i);
    let lf = lines_first(&query);
    let requested = match op.as_str() {
        "Orders" => 3 + vars["first"].as_i64().unwrap_or(0) * order_cost(lf),
        "OrderLines" => 3 + lf * 6,
        "Fulfill" | "Stock" | "Price" | "Content" => 10,
        _ => 2,
    };
    if requested > MAX_QUERY_COST {
        let e = error_json(
            &format!("Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST})."),
            "MAX_COST_EXCEEDED",
        );
        let ext = cost_ext(&i, requested, 0);
        return axum::Json(json!({ "errors": [e], "extensions": ext })).into_response();
    }
    if fault == Some(Fault::TooManyRequests) || i.available_milli < requested * 1000 {
        i.stats.throttled += 1;
        let ext = cost_ext(&i, requested, 0);
        return axum::Json(json!({ "errors": [error_json("Throttled", "THROTTLED")], "extensions": ext }))
            .into_response();
    }
    i.available_milli -= requested * 1000;
    if let Some(Fault::UpdateWhilePaging(n)) = &fault {
        mutate(&mut i, *n);
    }
    let (data, actual) = match op.as_str() {
        "Orders" => match orders(&mut i, &vars, lf, fault.as_ref()) {
            Ok(v) => v,
            Err(e) => return axum::Json(json!({ "errors": [e] })).into_response(),
        },
        "OrderLines" => order_lines(&i, &vars, lf),
        "FulfillmentOrders" => fulfillment_orders(&i, &vars),
        "Fulfill" => fulfill(&mut i, &vars),
        "VariantBySku" => variant_by_sku(&i, &vars),
        "Variants" => variants_page(&i, &vars),
        "Price" => set_price(&mut i, &vars),
        "Content" => update_product(&mut i, &vars),
        "Stock" => stock(&mut i, &vars),
        "" if query.contains("shop") => (json!({ "shop": { "name": "Mercator Test Shop", "currencyCode": "USD" } }), 1),
        other => {
            let e = error_json(&format!("operation {other} is not served by this fake"), "BAD_REQUEST");
            return axum::Json(json!({ "errors": [e] })).into_response();
        }
    };
    i.available_milli = (i.available_milli + (requested - actual).max(0) * 1000).min(i.maximum * 1000);
    let ext = cost_ext(&i, requested, actual);
    let body = json!({ "data": data, "extensions": ext });
    if fault == Some(Fault::Truncated) {
        let text = body.to_string();
        return (StatusCode::OK, [("content-type", "application/json")], text[..text.len() / 2].to_string())
            .into_response();
    }
    axum::Json(body).into_response()
}

static RANDOM: [Fault; 6] = [
    Fault::TooManyRequests,
    Fault::ServerError,
    Fault::Truncated,
    Fault::DuplicatePage,
    Fault::OverlappingPage,
    Fault::UpdateWhilePaging(3),
];

/// `updated_at:>='A' AND updated_at:<'B'`
fn window(q: &str) -> Option<(String, String)> {
    let after = q.split("updated_at:>='").nth(1)?.split('\'').next()?;
    let before = q.split("updated_at:<'").nth(1)?.split('\'').next()?;
    let norm = |s: &str| OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok().map(ts);
    Some((norm(after)?, norm(before)?))
}

fn cut_lines(o: &Value, first: i64) -> Value {
    let mut o = o.clone();
    let all = o.pointer("/lineItems/nodes").and_then(Value::as_array).cloned().unwrap_or_default();
    let n = usize::try_from(first).unwrap_or(0);
    let more = all.len() > n;
    let end = if more { format!("line:{n}") } else { String::new() };
    o["lineItems"] = json!({ "nodes": all.into_iter().take(n).collect::<Vec<_>>(),
        "pageInfo": { "hasNextPage": more, "endCursor": if more { json!(end) } else { Value::Null } } });
    o
}

fn orders(i: &mut Inner, vars: &Value, lf: i64, fault: Option<&Fault>) -> Result<(Value, i64), Value> {
    if fault == Some(&Fault::DuplicatePage) {
        if let Some(p) = i.last_page.clone() {
            let n = p.pointer("/orders/nodes").and_then(Value::as_array).map_or(0, Vec::len) as i64;
            return Ok((p, 3 + n * order_cost(2)));
        }
    }
    let first = usize::try_from(vars["first"].as_i64().unwrap_or(0)).unwrap_or(0);
    if first == 0 || first > 250 {
        return Err(error_json("first must be between 1 and 250", "BAD_REQUEST"));
    }
    // `id:N`: that one order (reading an order again by its id)
    if let Some(n) = vars["query"].as_str().and_then(|q| q.strip_prefix("id:")) {
        let gid = format!("gid://shopify/Order/{n}");
        let nodes: Vec<Value> = i.orders.iter().filter(|o| o["id"] == gid.as_str()).map(|o| cut_lines(o, lf)).collect();
        let page = json!({ "orders": { "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": nodes } });
        return Ok((page, 3 + 14));
    }
    let Some((after, before)) = vars["query"].as_str().and_then(window) else {
        return Err(error_json("this fake needs updated_at:>='…' AND updated_at:<'…'", "BAD_REQUEST"));
    };
    let from: Option<(String, String)> = vars["after"]
        .as_str()
        .and_then(|c| c.strip_prefix("cursor:"))
        .and_then(|c| c.split_once('|'))
        .map(|(a, b)| (a.to_string(), b.to_string()));
    let inner = &*i;
    let mut start = inner.sorted.partition_point(|&k| key_of(&inner.orders[k]).0 < after);
    if let Some(f) = &from {
        start = start.max(inner.sorted.partition_point(|&k| key_of(&inner.orders[k]) <= *f));
    }
    if fault == Some(&Fault::OverlappingPage) {
        start = start.saturating_sub(2);
    }
    let idx: Vec<usize> = inner.sorted[start.min(inner.sorted.len())..]
        .iter()
        .copied()
        .take_while(|&k| key_of(&inner.orders[k]).0 < before)
        .take(first + 1)
        .collect();
    let more = idx.len() > first;
    let nodes: Vec<Value> = idx.iter().take(first).map(|&k| cut_lines(&inner.orders[k], lf)).collect();
    let end = nodes.last().map(|o| {
        let (a, b) = key_of(o);
        format!("cursor:{a}|{b}")
    });
    let actual: i64 = 3 + nodes
        .iter()
        .map(|o| 14 + 6 * o.pointer("/lineItems/nodes").and_then(Value::as_array).map_or(0, Vec::len) as i64)
        .sum::<i64>();
    let page = json!({ "orders": { "pageInfo": { "hasNextPage": more, "endCursor": end }, "nodes": nodes } });
    i.last_page = Some(page.clone());
    Ok((page, actual))
}

fn find<'a>(i: &'a Inner, gid: &str) -> Option<&'a Value> {
    i.orders.iter().find(|o| o["id"].as_str() == Some(gid))
}

fn order_lines(i: &Inner, vars: &Value, lf: i64) -> (Value, i64) {
    let Some(o) = vars["id"].as_str().and_then(|g| find(i, g)) else { return (json!({ "order": null }), 1) };
    let skip: usize =
        vars["after"].as_str().and_then(|c| c.strip_prefix("line:")).and_then(|n| n.parse().ok()).unwrap_or(0);
    let all = o.pointer("/lineItems/nodes").and_then(Value::as_array).cloned().unwrap_or_default();
    let n = usize::try_from(lf).unwrap_or(0);
    let page: Vec<Value> = all.iter().skip(skip).take(n).cloned().collect();
    let more = all.len() > skip + n;
    let cost = 3 + 6 * page.len() as i64;
    (
        json!({ "order": { "lineItems": { "nodes": page,
            "pageInfo": { "hasNextPage": more, "endCursor": if more { json!(format!("line:{}", skip + n)) } else { Value::Null } } } } }),
        cost,
    )
}

fn fo_gid(order_gid: &str) -> String {
    order_gid.replace("/Order/", "/FulfillmentOrder/")
}

fn fo_status(o: &Value) -> &'static str {
    if !o["cancelledAt"].is_null() {
        "CANCELLED"
    } else if o["displayFulfillmentStatus"] == "FULFILLED" {
        "CLOSED"
    } else {
        "OPEN"
    }
}

fn fulfillment_orders(i: &Inner, vars: &Value) -> (Value, i64) {
    match vars["id"].as_str().and_then(|g| find(i, g)) {
        Some(o) => {
            let gid = o["id"].as_str().unwrap_or_default();
            (
                json!({ "order": { "fulfillmentOrders": { "nodes": [{ "id": fo_gid(gid), "status": fo_status(o) }] } } }),
                4,
            )
        }
        None => (json!({ "order": null }), 1),
    }
}

fn user_error(field: &[&str], message: &str) -> Value {
    json!({ "field": field, "message": message })
}

fn fulfill(i: &mut Inner, vars: &Value) -> (Value, i64) {
    let f = &vars["f"];
    let reply = |errors: Vec<Value>, ok: Option<Value>| {
        (json!({ "fulfillmentCreate": { "fulfillment": ok, "userErrors": errors } }), 10)
    };
    let number = f.pointer("/trackingInfo/number").and_then(Value::as_str).unwrap_or_default();
    if number.is_empty() {
        return reply(
            vec![user_error(&["fulfillment", "trackingInfo", "number"], "Tracking number can't be blank")],
            None,
        );
    }
    let Some(fo) = f.pointer("/lineItemsByFulfillmentOrder/0/fulfillmentOrderId").and_then(Value::as_str) else {
        return reply(vec![user_error(&["fulfillment", "lineItemsByFulfillmentOrder"], "is required")], None);
    };
    let gid = fo.replace("/FulfillmentOrder/", "/Order/");
    let Some(idx) = i.orders.iter().position(|o| o["id"].as_str() == Some(gid.as_str())) else {
        return reply(vec![user_error(&["fulfillment"], "Fulfillment order does not exist.")], None);
    };
    let status = fo_status(&i.orders[idx]);
    if status != "OPEN" {
        let msg = format!("Fulfillment order {fo} has an unfulfillable status= {}.", status.to_lowercase());
        return reply(vec![user_error(&["fulfillment"], &msg)], None);
    }
    i.clock += 1;
    let o = &mut i.orders[idx];
    fulfil(o);
    o["updatedAt"] = json!(ts(OffsetDateTime::now_utc()));
    let orders = &i.orders;
    i.sorted.sort_by_key(|&k| key_of(&orders[k]));
    i.stats.fulfillments.push((gid, f.clone()));
    let id = format!("gid://shopify/Fulfillment/{}", i.stats.fulfillments.len());
    reply(vec![], Some(json!({ "id": id, "status": "SUCCESS" })))
}

/// The shop's variants: one per SKU the fake's orders use.
fn set_price(i: &mut Inner, vars: &Value) -> (Value, i64) {
    let product = vars["p"].as_str().unwrap_or_default().to_string();
    let variants = vars["v"].as_array().cloned().unwrap_or_default();
    let mut out = vec![];
    for v in &variants {
        let k = v["id"]
            .as_str()
            .and_then(|id| id.strip_prefix("gid://shopify/ProductVariant/"))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| n.checked_sub(4000))
            .filter(|k| *k < SKUS.len() && product == format!("gid://shopify/Product/{}", 5000 + k));
        // Money is a decimal string
        let price = v["price"].as_str().filter(|p| p.parse::<rust_decimal::Decimal>().is_ok());
        let (Some(k), Some(price)) = (k, price) else {
            let e = user_error(&["variants", "0"], "variant of this product with a decimal price is required");
            return (json!({ "productVariantsBulkUpdate": { "productVariants": null, "userErrors": [e] } }), 10);
        };
        i.prices[k] = price.to_string();
        out.push(json!({ "id": v["id"], "price": price }));
    }
    i.stats.price_sets.push((product, Value::Array(variants)));
    (json!({ "productVariantsBulkUpdate": { "productVariants": out, "userErrors": [] } }), 10)
}

fn update_product(i: &mut Inner, vars: &Value) -> (Value, i64) {
    let p = &vars["p"];
    let known = p["id"]
        .as_str()
        .and_then(|id| id.strip_prefix("gid://shopify/Product/"))
        .and_then(|n| n.parse::<usize>().ok())
        .is_some_and(|n| (5000..5000 + SKUS.len()).contains(&n));
    if !known || p["title"].as_str().is_none_or(str::is_empty) {
        let e = user_error(&["id"], "Product does not exist or has no title");
        return (json!({ "productUpdate": { "product": null, "userErrors": [e] } }), 10);
    }
    i.stats.product_updates.push(p.clone());
    (json!({ "productUpdate": { "product": { "id": p["id"] }, "userErrors": [] } }), 10)
}

/// `productVariants` pages over the shop's SKUs; the cursor is the offset.
fn variants_page(i: &Inner, vars: &Value) -> (Value, i64) {
    let first = vars["first"].as_u64().unwrap_or(10) as usize;
    let from: usize =
        vars["after"].as_str().and_then(|c| c.strip_prefix("v:")).and_then(|n| n.parse().ok()).unwrap_or(0);
    let nodes: Vec<Value> = SKUS
        .iter()
        .enumerate()
        .skip(from)
        .take(first)
        .map(|(k, s)| {
            json!({ "id": format!("gid://shopify/ProductVariant/{}", 4000 + k), "sku": s, "price": i.prices[k],
                    "product": { "id": format!("gid://shopify/Product/{}", 5000 + k), "status": if k == 0 { "DRAFT" } else { "ACTIVE" } } })
        })
        .collect();
    let end = from + nodes.len();
    let more = end < SKUS.len();
    (
        json!({ "productVariants": { "nodes": nodes, "pageInfo": { "hasNextPage": more, "endCursor": format!("v:{end}") } } }),
        3,
    )
}

fn variant_by_sku(i: &Inner, vars: &Value) -> (Value, i64) {
    let q = vars["q"].as_str().unwrap_or_default();
    let wanted = q.strip_prefix("sku:").unwrap_or("").trim_matches('"');
    let nodes: Vec<Value> = SKUS
        .iter()
        .enumerate()
        .filter(|(_, s)| **s == wanted)
        .map(|(k, s)| {
            json!({ "id": format!("gid://shopify/ProductVariant/{}", 4000 + k), "sku": s, "price": i.prices[k],
                    "product": { "id": format!("gid://shopify/Product/{}", 5000 + k) },
                    "inventoryItem": { "id": format!("gid://shopify/InventoryItem/{}", 7000 + k) } })
        })
        .collect();
    (
        json!({ "productVariants": { "nodes": nodes }, "locations": { "nodes": [{ "id": "gid://shopify/Location/1" }] } }),
        6,
    )
}

fn stock(i: &mut Inner, vars: &Value) -> (Value, i64) {
    let input = &vars["i"];
    let ok = input["name"] == "available"
        && input["reason"].as_str().is_some()
        && input["quantities"].as_array().is_some_and(|q| {
            !q.is_empty()
                && q.iter().all(|e| {
                    e["inventoryItemId"].as_str().is_some_and(|s| s.starts_with("gid://shopify/InventoryItem/"))
                        && e["locationId"].as_str().is_some_and(|s| s.starts_with("gid://shopify/Location/"))
                        && e["quantity"].is_i64()
                })
        });
    if !ok {
        let e = user_error(&["input"], "name, reason and quantities (inventory item, location, quantity) are required");
        return (json!({ "inventorySetQuantities": { "inventoryAdjustmentGroup": null, "userErrors": [e] } }), 10);
    }
    i.stats.stock_sets.push(input.clone());
    let id = format!("gid://shopify/InventoryAdjustmentGroup/{}", i.stats.stock_sets.len());
    (json!({ "inventorySetQuantities": { "inventoryAdjustmentGroup": { "id": id }, "userErrors": [] } }), 10)
}
