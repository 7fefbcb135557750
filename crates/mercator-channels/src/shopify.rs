//! Shopify Admin GraphQL API (2026-07): `X-Shopify-Access-Token`; orders by
//! `updated_at` window with cursor paging; cost-based throttling from
//! `extensions.cost.throttleStatus` (waits for the bucket to refill instead
//! of hitting `THROTTLED`); `fulfillmentCreate` with tracking;
//! `inventorySetQuantities`.

use crate::http::{Http, RetryPolicy};
use crate::model::*;
use mercator_core::Currency;
use mercator_vault::Secret;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::str::FromStr;
use std::time::Duration;

pub const API_VERSION: &str = "2026-07";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShopifyAccount {
    /// `https://your-shop.myshopify.com`
    pub shop_url: String,
    pub currency: String,
}

pub struct ShopifySecrets {
    pub access_token: Secret,
}

pub struct Shopify {
    account: ShopifyAccount,
    secrets: ShopifySecrets,
    pub http: Http,
    budget: std::sync::Mutex<Budget>,
}

/// What the last answer said of the cost bucket, and what each query shape
/// asked for last time: enough to wait *before* a query rather than be
/// refused with `THROTTLED`.
#[derive(Default)]
struct Budget {
    available: Decimal,
    restore: Decimal,
    seen_at: Option<std::time::Instant>,
    requested: std::collections::HashMap<String, Decimal>,
}

impl Budget {
    fn observe(&mut self, query: &str, cost: &Value) {
        let dec = |p: &str| cost.pointer(p).and_then(crate::json_number_text).and_then(|s| Decimal::from_str(&s).ok());
        if let Some(r) = dec("/requestedQueryCost") {
            self.requested.insert(query.to_string(), r);
        }
        if let (Some(a), Some(r)) = (dec("/throttleStatus/currentlyAvailable"), dec("/throttleStatus/restoreRate")) {
            self.available = a;
            self.restore = r;
            self.seen_at = Some(std::time::Instant::now());
        }
    }

    /// How long until the bucket holds what `query` asked for last time.
    fn wait_for(&self, query: &str) -> Option<Duration> {
        let need = *self.requested.get(query)?;
        let since = self.seen_at?.elapsed();
        if self.restore <= Decimal::ZERO {
            return None;
        }
        let ms = Decimal::from(u64::try_from(since.as_millis()).unwrap_or(u64::MAX / 2));
        let now = self.available + self.restore * ms / Decimal::from(1000);
        if now >= need {
            return None;
        }
        let wait = ((need - now) / self.restore * Decimal::from(1000)).ceil();
        Some(Duration::from_millis(u64::try_from(wait).unwrap_or(1000).clamp(1, 60_000)))
    }
}

/// Orders per page and line items per order in the orders query: Shopify
/// refuses any query whose requested cost passes 1,000 points, and a
/// connection costs its `first` times its node, so 20 orders of 5 lines
/// (about 860 points) fit; the rest of a longer order's lines come from
/// [`ORDER_LINES_QUERY`].
pub const ORDERS_PER_PAGE: i64 = 20;

const LINE_FIELDS: &str = "id sku name quantity unfulfilledQuantity \
  originalUnitPriceSet { shopMoney { amount currencyCode } } taxLines { priceSet { shopMoney { amount } } }";

/// The orders query: every field is checked against Shopify's published
/// 2026-07 schema by the conformance test.
pub fn orders_query() -> String {
    format!(
        "query Orders($first: Int!, $after: String, $query: String) {{ \
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{ \
    pageInfo {{ hasNextPage endCursor }} \
    nodes {{ id name createdAt updatedAt cancelledAt displayFinancialStatus displayFulfillmentStatus currencyCode \
      subtotalPriceSet {{ shopMoney {{ amount currencyCode }} }} totalTaxSet {{ shopMoney {{ amount currencyCode }} }} \
      totalShippingPriceSet {{ shopMoney {{ amount currencyCode }} }} totalPriceSet {{ shopMoney {{ amount currencyCode }} }} \
      shippingAddress {{ name address1 address2 city province zip countryCodeV2 phone }} customer {{ displayName }} \
      lineItems(first: 5) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {LINE_FIELDS} }} }} }} }} }}"
    )
}

/// The remaining line items of one order.
pub fn order_lines_query() -> String {
    format!(
        "query OrderLines($id: ID!, $after: String) {{ order(id: $id) {{ \
  lineItems(first: 50, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {LINE_FIELDS} }} }} }} }}"
    )
}

/// A variant's inventory item by SKU, and the shop's first location.
pub const VARIANT_BY_SKU_QUERY: &str =
    "query VariantBySku($q: String!) { productVariants(first: 2, query: $q) { nodes { id sku price product { id } \
  inventoryItem { id } } } locations(first: 1) { nodes { id } } }";

pub const VARIANTS_QUERY: &str =
    "query Variants($first: Int!, $after: String) { productVariants(first: $first, after: $after) { \
  nodes { id sku price product { id status } } pageInfo { hasNextPage endCursor } } }";

pub const SET_PRICE_MUTATION: &str = "mutation Price($p: ID!, $v: [ProductVariantsBulkInput!]!) { \
  productVariantsBulkUpdate(productId: $p, variants: $v) { productVariants { id price } userErrors { field message } } }";

pub const CONTENT_MUTATION: &str = "mutation Content($p: ProductUpdateInput!) { productUpdate(product: $p) { \
  product { id } userErrors { field message } } }";

/// What "test connection" asks.
pub const SHOP_QUERY: &str = "query { shop { name currencyCode } }";

pub const FULFILLMENT_ORDERS_QUERY: &str =
    "query FulfillmentOrders($id: ID!) { order(id: $id) { fulfillmentOrders(first: 10) { nodes { id status } } } }";

pub const FULFILL_MUTATION: &str = "mutation Fulfill($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) { \
  fulfillment { id status } userErrors { field message } } }";

pub const SET_STOCK_MUTATION: &str =
    "mutation Stock($i: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $i) { \
  inventoryAdjustmentGroup { id } userErrors { field message } } }";

impl Shopify {
    pub fn new(account: ShopifyAccount, secrets: ShopifySecrets, policy: RetryPolicy) -> Result<Self, ChannelError> {
        crate::http::check_endpoint("shop_url", &account.shop_url)?;
        Ok(Shopify { account, secrets, http: Http::new(policy)?, budget: Default::default() })
    }

    fn url(&self) -> String {
        format!("{}/admin/api/{API_VERSION}/graphql.json", self.account.shop_url.trim_end_matches('/'))
    }

    /// Runs a query; waits for the cost bucket when it runs low; a
    /// `THROTTLED` answer is retried after the bucket refills.
    pub async fn graphql(&self, query: &str, variables: Value) -> Result<Value, ChannelError> {
        self.graphql_with_budget(query, variables).await.map(|(d, _)| d)
    }

    /// [`Self::graphql`] and the budget left after it ("812/2000 points, +100/s").
    pub async fn graphql_with_budget(
        &self,
        query: &str,
        variables: Value,
    ) -> Result<(Value, Option<String>), ChannelError> {
        self.graphql_mode(query, variables, false).await
    }

    /// A mutation without an idempotency key, sent once in effect (a
    /// `THROTTLED` answer was not applied and is retried; an unclear one is
    /// [`ChannelError::Uncertain`]).
    async fn graphql_once(&self, query: &str, variables: Value) -> Result<Value, ChannelError> {
        self.graphql_mode(query, variables, true).await.map(|(d, _)| d)
    }

    async fn graphql_mode(
        &self,
        query: &str,
        variables: Value,
        once: bool,
    ) -> Result<(Value, Option<String>), ChannelError> {
        let url = self.url();
        let body = json!({ "query": query, "variables": variables });
        for _ in 0..6 {
            let pause = self.budget.lock().unwrap_or_else(std::sync::PoisonError::into_inner).wait_for(query);
            if let Some(w) = pause {
                self.http
                    .waited_ms
                    .fetch_add(u64::try_from(w.as_millis()).unwrap_or(0), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(w).await;
            }
            let build = |c: &reqwest::Client| {
                c.post(&url).header("X-Shopify-Access-Token", self.secrets.access_token.expose()).json(&body)
            };
            let a = if once { self.http.send_once(build).await? } else { self.http.send(build).await? };
            match a.status {
                200 => {}
                401 | 403 => return Err(ChannelError::Auth(a.describe())),
                _ => return Err(ChannelError::Rejected(a.describe())),
            }
            let v: Value = a.json()?;
            let cost = v.pointer("/extensions/cost");
            if let Some(c) = cost {
                self.budget.lock().unwrap_or_else(std::sync::PoisonError::into_inner).observe(query, c);
            }
            let budget = cost.and_then(budget_text);
            if let Some(errors) = v.get("errors").and_then(Value::as_array) {
                let code = |e: &Value| e.pointer("/extensions/code").and_then(Value::as_str).map(str::to_string);
                if errors.iter().any(|e| code(e).as_deref() == Some("THROTTLED")) {
                    if cost.is_none() {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    continue; // the next turn waits for the bucket
                }
                let messages: Vec<String> = errors
                    .iter()
                    .filter_map(|e| e.get("message").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect();
                return Err(ChannelError::Rejected(messages.join("; ")));
            }
            let data = v.get("data").cloned().ok_or_else(|| ChannelError::BadResponse("no data".into()))?;
            return Ok((data, budget));
        }
        Err(ChannelError::RateLimited("THROTTLED".into()))
    }

    pub async fn orders(&self, w: &Window, cursor: Option<&str>) -> Result<OrdersPage, ChannelError> {
        let q = format!("updated_at:>='{}' AND updated_at:<'{}'", fmt_time(w.after), fmt_time(w.before));
        self.orders_where(q, cursor).await
    }

    /// One order by its id (`gid://shopify/Order/N`), mapped like a page of one.
    pub async fn order(&self, gid: &str) -> Result<OrdersPage, ChannelError> {
        let n = gid.rsplit('/').next().unwrap_or_default();
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ChannelError::Missing { what: "order-id", subject: gid.to_string() });
        }
        let mut page = self.orders_where(format!("id:{n}"), None).await?;
        page.next = None;
        Ok(page)
    }

    async fn orders_where(&self, q: String, cursor: Option<&str>) -> Result<OrdersPage, ChannelError> {
        let vars = json!({ "first": ORDERS_PER_PAGE, "after": cursor, "query": q });
        let (data, budget) = self.graphql_with_budget(&orders_query(), vars).await?;
        let mut nodes = data
            .pointer("/orders/nodes")
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| ChannelError::BadResponse("no orders".into()))?;
        for o in &mut nodes {
            self.complete_lines(o).await?;
        }
        let fallback: Currency = self.account.currency.parse().unwrap_or(Currency::USD);
        let (mapped, unreadable) = crate::map_each(&nodes, "id", |o| map_order(o, fallback));
        let more = data.pointer("/orders/pageInfo/hasNextPage").and_then(Value::as_bool).unwrap_or(false);
        let next = if more {
            Some(
                data.pointer("/orders/pageInfo/endCursor")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| ChannelError::BadResponse("hasNextPage without endCursor".into()))?,
            )
        } else {
            None
        };
        Ok(OrdersPage { orders: mapped, unreadable, next, rate_limit: budget })
    }

    /// Fetches the line items past the first page into the order node.
    async fn complete_lines(&self, o: &mut Value) -> Result<(), ChannelError> {
        let mut more = o.pointer("/lineItems/pageInfo/hasNextPage").and_then(Value::as_bool).unwrap_or(false);
        let mut after = o.pointer("/lineItems/pageInfo/endCursor").cloned().unwrap_or(Value::Null);
        let id = o.get("id").cloned().unwrap_or(Value::Null);
        while more {
            let data = self.graphql(&order_lines_query(), json!({ "id": id, "after": after })).await?;
            let page = data
                .pointer("/order/lineItems")
                .ok_or_else(|| ChannelError::BadResponse(format!("{id}: no line items")))?;
            let extra = page.get("nodes").and_then(Value::as_array).cloned().unwrap_or_default();
            if let Some(lines) = o.pointer_mut("/lineItems/nodes").and_then(Value::as_array_mut) {
                lines.extend(extra);
            }
            more = page.pointer("/pageInfo/hasNextPage").and_then(Value::as_bool).unwrap_or(false);
            after = page.pointer("/pageInfo/endCursor").cloned().unwrap_or(Value::Null);
            if more && after.is_null() {
                return Err(ChannelError::BadResponse(format!("{id}: line items without a cursor")));
            }
        }
        if let Some(p) = o.pointer_mut("/lineItems/pageInfo") {
            *p = json!({ "hasNextPage": false, "endCursor": null });
        }
        Ok(())
    }

    /// Marks an order's open fulfillment orders fulfilled with tracking.
    pub async fn fulfill(
        &self,
        order_gid: &str,
        company: &str,
        number: &str,
        url: Option<&str>,
        notify: bool,
    ) -> Result<(), ChannelError> {
        // the open fulfillment orders, looked up before every attempt: none
        // left means the shipment is there (a lost answer, a retry)
        let open = || async {
            let fo = self.graphql(FULFILLMENT_ORDERS_QUERY, json!({ "id": order_gid })).await?;
            Ok::<Vec<Value>, ChannelError>(
                fo.pointer("/order/fulfillmentOrders/nodes")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|n| matches!(n.get("status").and_then(Value::as_str), Some("OPEN" | "IN_PROGRESS")))
                    .map(|n| json!({ "fulfillmentOrderId": n.get("id") }))
                    .collect(),
            )
        };
        let mut last = None;
        for attempt in 0..crate::WRITE_ATTEMPTS {
            let open = open().await?;
            if open.is_empty() {
                return Ok(());
            }
            match self.graphql_once(FULFILL_MUTATION, fulfill_variables(&open, company, number, url, notify)).await {
                Ok(data) => return user_errors(&data, "/fulfillmentCreate/userErrors"),
                Err(e @ ChannelError::Uncertain(_)) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
                }
                Err(e) => return Err(e),
            }
        }
        if open().await?.is_empty() {
            return Ok(());
        }
        Err(last.unwrap_or_else(|| ChannelError::Unavailable("no answer".into())))
    }

    /// Sets the available quantity of an inventory item at a location.
    pub async fn set_stock(
        &self,
        inventory_item: &str,
        location: &str,
        quantity: i64,
        reference: &str,
    ) -> Result<(), ChannelError> {
        let data =
            self.graphql(SET_STOCK_MUTATION, stock_variables(inventory_item, location, quantity, reference)).await?;
        user_errors(&data, "/inventorySetQuantities/userErrors")
    }

    /// Sets the available quantity of the variant with this SKU at the
    /// shop's first location (absolute: sending it twice is sending it once).
    pub async fn set_sku_stock(&self, sku: &str, quantity: i64, reference: &str) -> Result<(), ChannelError> {
        let (data, variant) = self.variant_by_sku(sku).await?;
        let item = variant
            .pointer("/inventoryItem/id")
            .and_then(Value::as_str)
            .ok_or_else(|| ChannelError::BadResponse("variant without inventory item".into()))?;
        let location = data
            .pointer("/locations/nodes/0/id")
            .and_then(Value::as_str)
            .ok_or_else(|| ChannelError::Rejected("the shop has no location".into()))?;
        self.set_stock(item, location, quantity.max(0), reference).await
    }

    /// The one variant with this SKU (and the whole answer, for the location).
    async fn variant_by_sku(&self, sku: &str) -> Result<(Value, Value), ChannelError> {
        let q = format!("sku:\"{}\"", sku.replace('"', ""));
        let data = self.graphql(VARIANT_BY_SKU_QUERY, json!({ "q": q })).await?;
        let variants: Vec<Value> = data
            .pointer("/productVariants/nodes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|v| v.get("sku").and_then(Value::as_str) == Some(sku))
            .cloned()
            .collect();
        match variants.as_slice() {
            [one] => Ok((data.clone(), one.clone())),
            [] => Err(ChannelError::Rejected(format!("no variant with SKU {sku} in the shop"))),
            _ => Err(ChannelError::Rejected(format!("more than one variant with SKU {sku} in the shop"))),
        }
    }

    /// One page (100) of the shop's variants, to link them with the catalog
    /// by SKU; variants without a SKU are left out.
    pub async fn listings(&self, next: Option<&str>) -> Result<crate::ListingsPage, ChannelError> {
        let data = self.graphql(VARIANTS_QUERY, json!({ "first": 100, "after": next })).await?;
        let conn = data.get("productVariants").ok_or_else(|| ChannelError::BadResponse("no productVariants".into()))?;
        let listings = conn
            .get("nodes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| {
                let sku = v.get("sku").and_then(Value::as_str).filter(|s| !s.is_empty())?;
                Some(crate::RemoteListing {
                    sku: sku.to_string(),
                    external_id: v.get("id").and_then(Value::as_str).unwrap_or_default().to_string(),
                    price: v.get("price").and_then(Value::as_str).map(str::to_string),
                    live: v.pointer("/product/status").and_then(Value::as_str) == Some("ACTIVE"),
                })
            })
            .collect();
        let more = conn.pointer("/pageInfo/hasNextPage").and_then(Value::as_bool).unwrap_or(false);
        let next =
            more.then(|| conn.pointer("/pageInfo/endCursor").and_then(Value::as_str).map(str::to_string)).flatten();
        Ok(crate::ListingsPage { listings, next })
    }

    /// Sets the price of the variant with this SKU (`productVariantsBulkUpdate`;
    /// `price` is the decimal text, sent as Shopify's `Money` string, never a
    /// float). Checks first: the same price already there is not sent again.
    pub async fn set_sku_price(&self, sku: &str, price: &str) -> Result<(), ChannelError> {
        crate::check_decimal_text(price)?;
        let (_, variant) = self.variant_by_sku(sku).await?;
        let same = variant.get("price").and_then(Value::as_str).and_then(|p| p.parse::<rust_decimal::Decimal>().ok())
            == price.parse::<rust_decimal::Decimal>().ok();
        if same {
            return Ok(());
        }
        let (Some(id), Some(product)) =
            (variant.get("id").and_then(Value::as_str), variant.pointer("/product/id").and_then(Value::as_str))
        else {
            return Err(ChannelError::BadResponse("variant without id or product".into()));
        };
        let vars = json!({ "p": product, "v": [{ "id": id, "price": price }] });
        let data = self.graphql(SET_PRICE_MUTATION, vars).await?;
        user_errors(&data, "/productVariantsBulkUpdate/userErrors")
    }

    /// Replaces the title, description (bullets and text as escaped HTML) and
    /// tags (the keywords) of the product the SKU belongs to (`productUpdate`).
    pub async fn update_sku_content(&self, sku: &str, content: &crate::ListingContent) -> Result<(), ChannelError> {
        if content.title.trim().is_empty() {
            return Err(ChannelError::Missing { what: "listing-title", subject: sku.to_string() });
        }
        let (_, variant) = self.variant_by_sku(sku).await?;
        let product = variant
            .pointer("/product/id")
            .and_then(Value::as_str)
            .ok_or_else(|| ChannelError::BadResponse("variant without product".into()))?;
        let vars = json!({ "p": {
            "id": product,
            "title": content.title,
            "descriptionHtml": content.html(),
            "tags": content.keyword_terms(),
        } });
        let data = self.graphql(CONTENT_MUTATION, vars).await?;
        user_errors(&data, "/productUpdate/userErrors")
    }

    pub async fn test_connection(&self) -> Result<(), ChannelError> {
        self.graphql(SHOP_QUERY, json!({})).await.map(|_| ())
    }
}

/// The variables of [`FULFILL_MUTATION`]: every open fulfillment order, one tracking number.
pub fn fulfill_variables(open: &[Value], company: &str, number: &str, url: Option<&str>, notify: bool) -> Value {
    json!({ "f": { "lineItemsByFulfillmentOrder": open,
                   "trackingInfo": { "company": company, "number": number, "url": url }, "notifyCustomer": notify } })
}

/// The variables of [`SET_STOCK_MUTATION`]: an absolute "available" quantity.
pub fn stock_variables(inventory_item: &str, location: &str, quantity: i64, reference: &str) -> Value {
    json!({ "i": { "name": "available", "reason": "correction", "referenceDocumentUri": reference,
                   "quantities": [{ "inventoryItemId": inventory_item, "locationId": location, "quantity": quantity, "changeFromQuantity": null }] } })
}

fn user_errors(data: &Value, path: &str) -> Result<(), ChannelError> {
    let errs: Vec<String> = data
        .pointer(path)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("message").and_then(Value::as_str).map(str::to_string))
        .collect();
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ChannelError::Rejected(errs.join("; ")))
    }
}

fn budget_text(cost: &Value) -> Option<String> {
    let t = cost.get("throttleStatus")?;
    let n = |k: &str| t.get(k).and_then(crate::json_number_text).map(|v| v.trim_end_matches(".0").to_string());
    Some(format!("{}/{} points, +{}/s", n("currentlyAvailable")?, n("maximumAvailable")?, n("restoreRate")?))
}

fn s(v: &Value, p: &str) -> String {
    v.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// Maps a Shopify `Order` node.
pub fn map_order(o: &Value, fallback: Currency) -> Result<Order, ChannelError> {
    let id = o.get("id").and_then(Value::as_str).ok_or_else(|| ChannelError::BadResponse("order without id".into()))?;
    let currency: Currency =
        o.get("currencyCode").and_then(Value::as_str).and_then(|c| c.parse().ok()).unwrap_or(fallback);
    let money = |p: &str| crate::required_minor(o, p, currency);
    let optional = |p: &str| match o.pointer(p) {
        None | Some(Value::Null) => Ok(0),
        Some(_) => crate::required_minor(o, p, currency),
    };
    let created = parse_time(&s(o, "/createdAt"))?;
    let updated = parse_time(&s(o, "/updatedAt")).unwrap_or(created);
    let fulfillment = s(o, "/displayFulfillmentStatus");
    let financial = s(o, "/displayFinancialStatus");
    let state = if o.get("cancelledAt").is_some_and(|c| !c.is_null()) {
        OrderState::Cancelled
    } else if financial == "REFUNDED" {
        OrderState::Refunded
    } else {
        match fulfillment.as_str() {
            "FULFILLED" => OrderState::Shipped,
            "PARTIALLY_FULFILLED" => OrderState::PartiallyShipped,
            _ if matches!(financial.as_str(), "PENDING" | "AUTHORIZED") => OrderState::Pending,
            _ => OrderState::Unshipped,
        }
    };
    let mut lines = vec![];
    for l in o.pointer("/lineItems/nodes").and_then(Value::as_array).into_iter().flatten() {
        let quantity = l.get("quantity").and_then(Value::as_i64).unwrap_or(0);
        if quantity < 0 {
            return Err(ChannelError::BadResponse(format!("{id}: negative quantity")));
        }
        let unfulfilled = l.get("unfulfilledQuantity").and_then(Value::as_i64).unwrap_or(quantity).clamp(0, quantity);
        let mut tax = 0;
        for t in l.get("taxLines").and_then(Value::as_array).into_iter().flatten() {
            if let Some(a) = t.pointer("/priceSet/shopMoney/amount").and_then(Value::as_str) {
                tax += minor_of(a, currency)?;
            }
        }
        lines.push(OrderLine {
            external_id: s(l, "/id"),
            sku: s(l, "/sku"),
            title: s(l, "/name"),
            quantity,
            quantity_shipped: quantity - unfulfilled,
            unit_price_minor: crate::required_minor(l, "/originalUnitPriceSet/shopMoney/amount", currency)?,
            tax_minor: tax,
        });
    }
    let ship_to = o.get("shippingAddress").filter(|a| !a.is_null()).map(|a| Address {
        name: s(a, "/name"),
        line1: s(a, "/address1"),
        line2: s(a, "/address2"),
        city: s(a, "/city"),
        region: s(a, "/province"),
        postal_code: s(a, "/zip"),
        country: s(a, "/countryCodeV2"),
        phone: s(a, "/phone"),
    });
    Ok(Order {
        external_id: id.to_string(),
        number: o.get("name").and_then(Value::as_str).unwrap_or(id).to_string(),
        raw_status: format!("{financial}/{fulfillment}"),
        state,
        ordered_offset: fmt_offset(created.offset()),
        ordered_at: created.to_offset(time::UtcOffset::UTC),
        updated_at: updated.to_offset(time::UtcOffset::UTC),
        currency,
        // nullable in the schema (an order without items left, without tax): 0 then
        subtotal_minor: optional("/subtotalPriceSet/shopMoney/amount")?,
        tax_minor: optional("/totalTaxSet/shopMoney/amount")?,
        shipping_minor: money("/totalShippingPriceSet/shopMoney/amount")?,
        total_minor: money("/totalPriceSet/shopMoney/amount")?,
        lines,
        buyer_name: [s(o, "/customer/displayName"), ship_to.as_ref().map(|a| a.name.clone()).unwrap_or_default()]
            .into_iter()
            .find(|n| !n.is_empty())
            .unwrap_or_default(),
        ship_to,
        raw: o.clone(),
    })
}
