//! Amazon Selling Partner API.
//!
//! - Login with Amazon: the refresh token is exchanged for an access token
//!   (`POST {token_url}` with `grant_type=refresh_token`), cached until a
//!   minute before it expires, refreshed once when a call answers 401/403.
//! - Orders 2026-01-01: `GET /orders/2026-01-01/orders` by last-updated time
//!   (`lastUpdatedAfter`/`lastUpdatedBefore`), 100 per page, following
//!   `pagination.nextToken` with `paginationToken`; `x-amz-access-token`.
//! - Orders v0 where 2026-01-01 has nothing: `confirmShipment`.
//! - Messaging v1 (`messaging`): the messages Amazon allows about an order.
//! - Rate limits: 429 answers are retried by [`crate::http`], waiting for the
//!   bucket named by `x-amzn-RateLimit-Limit`.

pub mod messaging;

use crate::http::{Answer, Http, RetryPolicy};
use crate::model::*;
use mercator_core::Currency;
use mercator_vault::Secret;
use serde::Deserialize;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The account's non-secret settings (stored with the channel).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct AmazonAccount {
    /// SP-API regional endpoint, e.g. `https://sellingpartnerapi-eu.amazon.com`.
    pub endpoint: String,
    /// Login with Amazon token endpoint.
    pub token_url: String,
    /// e.g. `A1PA6795UKMFR9` (Amazon.de).
    pub marketplace_id: String,
    /// The LWA app's client id (not secret).
    pub client_id: String,
    /// Currency of orders that carry no amounts yet (pending ones).
    pub currency: String,
    /// The seller's merchant token, for the Listings Items API.
    #[serde(default)]
    pub seller_id: String,
}

impl AmazonAccount {
    pub const TOKEN_URL: &'static str = "https://api.amazon.com/auth/o2/token";

    /// Known marketplaces: (country, marketplace id, endpoint, currency).
    pub fn marketplace(country: &str) -> Option<(&'static str, &'static str, &'static str)> {
        const NA: &str = "https://sellingpartnerapi-na.amazon.com";
        const EU: &str = "https://sellingpartnerapi-eu.amazon.com";
        const FE: &str = "https://sellingpartnerapi-fe.amazon.com";
        Some(match country {
            "US" => ("ATVPDKIKX0DER", NA, "USD"),
            "CA" => ("A2EUQ1WTGCTBG2", NA, "CAD"),
            "MX" => ("A1AM78C64UM0Y8", NA, "MXN"),
            "DE" => ("A1PA6795UKMFR9", EU, "EUR"),
            "GB" | "UK" => ("A1F83G8C2ARO7P", EU, "GBP"),
            "FR" => ("A13V1IB3VIYZZH", EU, "EUR"),
            "IT" => ("APJ6JRA9NG5V4", EU, "EUR"),
            "ES" => ("A1RKKUPIHCS9HS", EU, "EUR"),
            "NL" => ("A1805IZSGTT6HS", EU, "EUR"),
            "JP" => ("A1VC38T7YXB528", FE, "JPY"),
            "AU" => ("A39IBJ37TRP1C6", FE, "AUD"),
            "SG" => ("A19VAU5U5O7RUS", FE, "SGD"),
            _ => return None,
        })
    }
}

/// What the account needs from the OS keyring.
pub struct AmazonSecrets {
    pub client_secret: Secret,
    pub refresh_token: Secret,
}

pub struct Amazon {
    account: AmazonAccount,
    secrets: AmazonSecrets,
    pub http: Http,
    token: tokio::sync::Mutex<Option<(String, Instant)>>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: u64,
}

/// A package confirmed as shipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub package_reference_id: String,
    pub carrier_code: String,
    pub tracking_number: String,
    pub ship_date: time::OffsetDateTime,
    /// (order item id, quantity)
    pub items: Vec<(String, i64)>,
}

impl Amazon {
    pub fn new(account: AmazonAccount, secrets: AmazonSecrets, policy: RetryPolicy) -> Result<Self, ChannelError> {
        if account.endpoint.is_empty() || account.marketplace_id.is_empty() || account.client_id.is_empty() {
            return Err(ChannelError::Missing { what: "account-ids", subject: String::new() });
        }
        // the client secret and refresh token are posted to the token URL
        crate::http::check_endpoint("endpoint", &account.endpoint)?;
        crate::http::check_endpoint("token_url", &account.token_url)?;
        Ok(Amazon { account, secrets, http: Http::new(policy)?, token: tokio::sync::Mutex::new(None) })
    }

    async fn access_token(&self, force: bool) -> Result<String, ChannelError> {
        let mut cached = self.token.lock().await;
        if !force {
            if let Some((t, until)) = cached.as_ref() {
                if Instant::now() < *until {
                    return Ok(t.clone());
                }
            }
        }
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", self.secrets.refresh_token.expose()),
            ("client_id", self.account.client_id.as_str()),
            ("client_secret", self.secrets.client_secret.expose()),
        ];
        let a = self.http.send(|c| c.post(&self.account.token_url).form(&form)).await?;
        if a.status != 200 {
            // LWA answers {error, error_description}: no secrets in it
            return Err(ChannelError::Auth(a.describe()));
        }
        let t: TokenAnswer = a.json()?;
        let life = Duration::from_secs(t.expires_in.saturating_sub(60).max(1));
        *cached = Some((t.access_token.clone(), Instant::now() + life));
        Ok(t.access_token)
    }

    /// Sends an SP-API call with the access token; refreshes it once when
    /// the call is refused.
    async fn call(
        &self,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<Answer, ChannelError> {
        self.call_mode(build, false).await
    }

    /// [`Self::call`] for a write without an idempotency key: sent once in
    /// effect ([`crate::http::Http::send_once`]).
    async fn call_once(
        &self,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<Answer, ChannelError> {
        self.call_mode(build, true).await
    }

    async fn call_mode(
        &self,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
        once: bool,
    ) -> Result<Answer, ChannelError> {
        let mut token = self.access_token(false).await?;
        for first in [true, false] {
            let send = |c: &reqwest::Client| build(c, &token).header("x-amz-access-token", &token);
            let a = if once { self.http.send_once(send).await? } else { self.http.send(send).await? };
            if (a.status == 401 || a.status == 403) && first {
                token = self.access_token(true).await?;
                continue;
            }
            return match a.status {
                200..=299 => Ok(a),
                401 | 403 => Err(ChannelError::Auth(a.describe())),
                _ => Err(ChannelError::Rejected(a.describe())),
            };
        }
        Err(ChannelError::Auth("refused after a token refresh".into()))
    }

    /// One page of orders updated in `window`.
    pub async fn search_orders(&self, window: &Window, page_token: Option<&str>) -> Result<OrdersPage, ChannelError> {
        let url = format!("{}/orders/2026-01-01/orders", self.account.endpoint.trim_end_matches('/'));
        let after = fmt_time(window.after);
        let before = fmt_time(window.before);
        let a = self
            .call(|c, _| {
                let mut q: Vec<(&str, &str)> = vec![
                    ("marketplaceIds", self.account.marketplace_id.as_str()),
                    ("lastUpdatedAfter", after.as_str()),
                    ("lastUpdatedBefore", before.as_str()),
                    ("maxResultsPerPage", "100"),
                    ("includedData", "BUYER,RECIPIENT,PROCEEDS,FULFILLMENT"),
                ];
                if let Some(t) = page_token {
                    q.push(("paginationToken", t));
                }
                c.get(&url).query(&q)
            })
            .await?;
        let body: Value = a.json()?;
        let orders = body
            .get("orders")
            .and_then(Value::as_array)
            .ok_or_else(|| ChannelError::BadResponse("no orders array".into()))?;
        let fallback: Currency = self.account.currency.parse().unwrap_or(Currency::USD);
        let (orders, unreadable) = crate::map_each(orders, "orderId", |o| map_order(o, fallback));
        let next = body.pointer("/pagination/nextToken").and_then(Value::as_str).map(str::to_string);
        let rate_limit = a.header("x-amzn-ratelimit-limit").map(|r| format!("{r}/s"));
        Ok(OrdersPage { orders, unreadable, next, rate_limit })
    }

    /// One order by its id (Orders 2026-01-01 `getOrder`), mapped like a
    /// page of one: to read again an order that could not be read before.
    pub async fn order(&self, order_id: &str) -> Result<OrdersPage, ChannelError> {
        let url =
            format!("{}/orders/2026-01-01/orders/{}", self.account.endpoint.trim_end_matches('/'), percent(order_id));
        let a =
            self.call(|c, _| c.get(&url).query(&[("includedData", "BUYER,RECIPIENT,PROCEEDS,FULFILLMENT")])).await?;
        let body: Value = a.json()?;
        let o = body.get("order").cloned().unwrap_or(body);
        let fallback: Currency = self.account.currency.parse().unwrap_or(Currency::USD);
        let (orders, unreadable) = crate::map_each(std::slice::from_ref(&o), "orderId", |o| map_order(o, fallback));
        Ok(OrdersPage { orders, unreadable, next: None, rate_limit: None })
    }

    /// Confirms a shipment with its tracking (Orders v0 `confirmShipment`).
    pub async fn confirm_shipment(&self, order_id: &str, s: &Shipment) -> Result<(), ChannelError> {
        let url = format!(
            "{}/orders/v0/orders/{}/shipmentConfirmation",
            self.account.endpoint.trim_end_matches('/'),
            order_id
        );
        let body = serde_json::json!({
            "marketplaceId": self.account.marketplace_id,
            "packageDetail": {
                "packageReferenceId": s.package_reference_id,
                "carrierCode": s.carrier_code,
                "trackingNumber": s.tracking_number,
                "shipDate": fmt_time(s.ship_date),
                "orderItems": s.items.iter().map(|(id, q)| serde_json::json!({"orderItemId": id, "quantity": q})).collect::<Vec<_>>(),
            }
        });
        self.call_once(|c, _| c.post(&url).json(&body)).await.map(|_| ())
    }

    /// The tracking numbers of the packages Amazon already has for an order
    /// (Orders 2026-01-01 `getOrder` with `PACKAGES`).
    pub async fn tracking_numbers(&self, order_id: &str) -> Result<Vec<String>, ChannelError> {
        let url =
            format!("{}/orders/2026-01-01/orders/{}", self.account.endpoint.trim_end_matches('/'), percent(order_id));
        let a = self.call(|c, _| c.get(&url).query(&[("includedData", "PACKAGES")])).await?;
        let body: Value = a.json()?;
        let order = body.get("order").unwrap_or(&body);
        Ok(order
            .get("packages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("trackingNumber").and_then(Value::as_str))
            .map(str::to_string)
            .collect())
    }

    /// One page of the account's FBA stock in its marketplace (FBA Inventory
    /// v1 `getInventorySummaries` with details): per seller SKU what Amazon
    /// can ship now, what is inbound and what is reserved.
    pub async fn fba_inventory(&self, next: Option<&str>) -> Result<FbaPage, ChannelError> {
        let url = format!("{}/fba/inventory/v1/summaries", self.account.endpoint.trim_end_matches('/'));
        let mp = self.account.marketplace_id.as_str();
        let mut q = vec![
            ("details", "true".to_string()),
            ("granularityType", "Marketplace".to_string()),
            ("granularityId", mp.to_string()),
            ("marketplaceIds", mp.to_string()),
        ];
        if let Some(t) = next {
            q.push(("nextToken", t.to_string()));
        }
        let a = self.call(|c, _| c.get(&url).query(&q)).await?;
        let body: Value = a.json()?;
        let list = body.pointer("/payload/inventorySummaries").and_then(Value::as_array).ok_or_else(|| {
            ChannelError::BadResponse("inventory summaries without payload.inventorySummaries".into())
        })?;
        let n = |v: Option<&Value>| v.and_then(Value::as_i64).unwrap_or(0).max(0);
        let mut items = vec![];
        for s in list {
            let Some(sku) = s.get("sellerSku").and_then(Value::as_str) else {
                return Err(ChannelError::BadResponse("an inventory summary without sellerSku".into()));
            };
            let d = s.get("inventoryDetails");
            let inbound = ["inboundWorkingQuantity", "inboundShippedQuantity", "inboundReceivingQuantity"]
                .iter()
                .map(|k| n(d.and_then(|d| d.get(*k))))
                .sum();
            items.push(FbaItem {
                seller_sku: sku.to_string(),
                fulfillable: n(d.and_then(|d| d.get("fulfillableQuantity"))),
                inbound,
                reserved: n(d.and_then(|d| d.pointer("/reservedQuantity/totalReservedQuantity"))),
                total: n(s.get("totalQuantity")),
            });
        }
        let next =
            body.pointer("/pagination/nextToken").and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_string);
        Ok(FbaPage { items, next })
    }

    /// One page of the seller's listings in the account's marketplace
    /// (Listings Items 2021-08-01 `searchListingsItems` with summaries and
    /// offers), to link them with the catalog by SKU.
    pub async fn listings(&self, next: Option<&str>) -> Result<crate::ListingsPage, ChannelError> {
        if self.account.seller_id.is_empty() {
            return Err(ChannelError::Missing { what: "seller-id", subject: String::new() });
        }
        let url = format!(
            "{}/listings/2021-08-01/items/{}",
            self.account.endpoint.trim_end_matches('/'),
            self.account.seller_id
        );
        let mp = self.account.marketplace_id.as_str();
        let mut q = vec![
            ("marketplaceIds", mp.to_string()),
            ("includedData", "summaries,offers".to_string()),
            ("pageSize", "20".to_string()),
        ];
        if let Some(t) = next {
            q.push(("pageToken", t.to_string()));
        }
        let a = self.call(|c, _| c.get(&url).query(&q)).await?;
        let body: Value = a.json()?;
        let items = body
            .get("items")
            .and_then(Value::as_array)
            .ok_or_else(|| ChannelError::BadResponse("listings search without items".into()))?;
        let mut listings = vec![];
        for it in items {
            let Some(sku) = it.get("sku").and_then(Value::as_str) else {
                return Err(ChannelError::BadResponse("a listing without sku".into()));
            };
            let summary = it
                .get("summaries")
                .and_then(Value::as_array)
                .and_then(|s| s.iter().find(|x| x.get("marketplaceId").and_then(Value::as_str) == Some(mp)));
            let live = summary
                .and_then(|s| s.get("status"))
                .and_then(Value::as_array)
                .is_some_and(|st| st.iter().any(|x| x.as_str() == Some("BUYABLE")));
            let price = it
                .get("offers")
                .and_then(Value::as_array)
                .and_then(|o| o.iter().find(|x| x.get("marketplaceId").and_then(Value::as_str) == Some(mp)))
                .and_then(|o| o.pointer("/price/amount"))
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
            listings.push(crate::RemoteListing {
                sku: sku.to_string(),
                external_id: summary
                    .and_then(|s| s.get("asin"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                price,
                live,
            });
        }
        let next =
            body.pointer("/pagination/nextToken").and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_string);
        Ok(crate::ListingsPage { listings, next })
    }

    /// Uploads a shipment unless Amazon already has a package with its
    /// tracking number (check-before-write: confirmShipment has no
    /// idempotency key, so a retry after a lost answer must not add a
    /// second package).
    pub async fn ship(&self, order_id: &str, s: &Shipment) -> Result<(), ChannelError> {
        crate::checked_write(
            || async {
                Ok(self.tracking_numbers(order_id).await?.iter().any(|t| t.eq_ignore_ascii_case(&s.tracking_number)))
            },
            || self.confirm_shipment(order_id, s),
        )
        .await
    }

    /// Sets a listing's price (Listings Items 2021-08-01 `patchListingsItem`,
    /// `purchasable_offer`). `price` is decimal text in `currency`, written
    /// into the JSON as is (no float). Replacing with the same value twice
    /// has the effect of once.
    pub async fn patch_price(&self, sku: &str, currency: &str, price: &str) -> Result<(), ChannelError> {
        if self.account.seller_id.is_empty() {
            return Err(ChannelError::Missing { what: "seller-id", subject: String::new() });
        }
        crate::check_decimal_text(price)?;
        let url = format!(
            "{}/listings/2021-08-01/items/{}/{}",
            self.account.endpoint.trim_end_matches('/'),
            self.account.seller_id,
            percent(sku)
        );
        let body = format!(
            r#"{{"productType":"PRODUCT","patches":[{{"op":"replace","path":"/attributes/purchasable_offer","value":[{{"marketplace_id":{mp},"currency":{cur},"our_price":[{{"schedule":[{{"value_with_tax":{price}}}]}}]}}]}}]}}"#,
            mp = serde_json::Value::from(self.account.marketplace_id.as_str()),
            cur = serde_json::Value::from(currency),
        );
        let a = self
            .call(|c, _| {
                c.patch(&url)
                    .query(&[("marketplaceIds", self.account.marketplace_id.as_str())])
                    .header("content-type", "application/json")
                    .body(body.clone())
            })
            .await?;
        submission(&a)
    }

    /// Sets the quantity a seller-fulfilled listing offers (Listings Items
    /// `patchListingsItem`, `fulfillment_availability`). Absolute, so sending
    /// it twice is sending it once.
    pub async fn patch_quantity(&self, sku: &str, quantity: i64) -> Result<(), ChannelError> {
        if self.account.seller_id.is_empty() {
            return Err(ChannelError::Missing { what: "seller-id", subject: String::new() });
        }
        let quantity = quantity.max(0);
        let url = format!(
            "{}/listings/2021-08-01/items/{}/{}",
            self.account.endpoint.trim_end_matches('/'),
            self.account.seller_id,
            percent(sku)
        );
        let body = serde_json::json!({
            "productType": "PRODUCT",
            "patches": [{ "op": "replace", "path": "/attributes/fulfillment_availability",
                          "value": [{ "fulfillment_channel_code": "DEFAULT", "quantity": quantity }] }]
        });
        let a = self
            .call(|c, _| c.patch(&url).query(&[("marketplaceIds", self.account.marketplace_id.as_str())]).json(&body))
            .await?;
        submission(&a)
    }

    /// Replaces the listing's title, bullet points, description and search
    /// keywords in the account's marketplace (Listings Items
    /// `patchListingsItem`, one `replace` per attribute, in the content's
    /// language). Empty fields are left as the channel has them.
    pub async fn patch_content(&self, sku: &str, content: &crate::ListingContent) -> Result<(), ChannelError> {
        if self.account.seller_id.is_empty() {
            return Err(ChannelError::Missing { what: "seller-id", subject: String::new() });
        }
        if content.title.trim().is_empty() {
            return Err(ChannelError::Missing { what: "listing-title", subject: sku.to_string() });
        }
        let mp = self.account.marketplace_id.as_str();
        // Amazon writes language tags with an underscore: de_DE
        let tag = content.lang.replace('-', "_");
        let one = |v: &str| serde_json::json!([{ "value": v, "language_tag": tag, "marketplace_id": mp }]);
        let mut patches =
            vec![serde_json::json!({ "op": "replace", "path": "/attributes/item_name", "value": one(&content.title) })];
        if !content.bullets.is_empty() {
            let bullets: Vec<Value> = content
                .bullets
                .iter()
                .map(|b| serde_json::json!({ "value": b, "language_tag": tag, "marketplace_id": mp }))
                .collect();
            patches.push(serde_json::json!({ "op": "replace", "path": "/attributes/bullet_point", "value": bullets }));
        }
        if !content.description.trim().is_empty() {
            patches.push(serde_json::json!({ "op": "replace", "path": "/attributes/product_description", "value": one(&content.description) }));
        }
        if !content.keywords.trim().is_empty() {
            patches.push(serde_json::json!({ "op": "replace", "path": "/attributes/generic_keyword", "value": one(&content.keyword_terms().join(" ")) }));
        }
        let url = format!(
            "{}/listings/2021-08-01/items/{}/{}",
            self.account.endpoint.trim_end_matches('/'),
            self.account.seller_id,
            percent(sku)
        );
        let body = serde_json::json!({ "productType": "PRODUCT", "patches": patches });
        let a = self.call(|c, _| c.patch(&url).query(&[("marketplaceIds", mp)]).json(&body)).await?;
        submission(&a)
    }

    /// Checks the credentials and that orders can be read.
    pub async fn test_connection(&self) -> Result<(), ChannelError> {
        self.access_token(true).await?;
        let now = time::OffsetDateTime::now_utc();
        self.search_orders(
            &Window { after: now - time::Duration::days(1), before: now - time::Duration::minutes(2) },
            None,
        )
        .await
        .map(|_| ())
    }
}

/// A path segment with everything but unreserved characters percent-encoded.
fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn money_of(v: Option<&Value>, currency: Currency) -> Result<i64, ChannelError> {
    match v.and_then(|m| m.get("amount")).and_then(Value::as_str) {
        Some(a) => minor_of(a, currency),
        None => Ok(0),
    }
}

fn breakdown(v: Option<&Value>, kind: &str, currency: Currency) -> Result<i64, ChannelError> {
    let mut sum = 0;
    for b in v.and_then(|p| p.get("breakdowns")).and_then(Value::as_array).into_iter().flatten() {
        if b.get("type").and_then(Value::as_str) == Some(kind) {
            sum += money_of(b.get("subtotal"), currency)?;
        }
    }
    Ok(sum)
}

fn text(v: &Value, p: &str) -> String {
    v.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// Maps an Orders 2026-01-01 `Order`.
pub fn map_order(o: &Value, fallback: Currency) -> Result<Order, ChannelError> {
    let id = o
        .get("orderId")
        .and_then(Value::as_str)
        .ok_or_else(|| ChannelError::BadResponse("order without orderId".into()))?;
    let created_s = o
        .get("createdTime")
        .and_then(Value::as_str)
        .ok_or_else(|| ChannelError::BadResponse(format!("{id}: no createdTime")))?;
    let updated_s = o
        .get("lastUpdatedTime")
        .and_then(Value::as_str)
        .ok_or_else(|| ChannelError::BadResponse(format!("{id}: no lastUpdatedTime")))?;
    let created = parse_time(created_s)?;
    let updated = parse_time(updated_s)?;
    let currency: Currency = o
        .pointer("/proceeds/grandTotal/currencyCode")
        .or_else(|| o.pointer("/orderItems/0/product/price/unitPrice/currencyCode"))
        .and_then(Value::as_str)
        .and_then(|c| c.parse().ok())
        .unwrap_or(fallback);
    let raw_status = text(o, "/fulfillment/fulfillmentStatus");
    let state = match raw_status.as_str() {
        "UNSHIPPED" => OrderState::Unshipped,
        "PARTIALLY_SHIPPED" => OrderState::PartiallyShipped,
        "SHIPPED" => OrderState::Shipped,
        "CANCELLED" | "UNFULFILLABLE" => OrderState::Cancelled,
        _ => OrderState::Pending,
    };
    let proceeds = o.get("proceeds");
    let mut lines = vec![];
    for it in o.get("orderItems").and_then(Value::as_array).into_iter().flatten() {
        let quantity = it.get("quantityOrdered").and_then(Value::as_i64).unwrap_or(0);
        if quantity <= 0 {
            return Err(ChannelError::BadResponse(format!("{id}: an item without quantity")));
        }
        lines.push(OrderLine {
            external_id: text(it, "/orderItemId"),
            sku: text(it, "/product/sellerSku"),
            title: text(it, "/product/title"),
            quantity,
            quantity_shipped: it.pointer("/fulfillment/quantityFulfilled").and_then(Value::as_i64).unwrap_or(0),
            unit_price_minor: money_of(it.pointer("/product/price/unitPrice"), currency)?,
            tax_minor: breakdown(it.get("proceeds"), "TAX", currency)?,
        });
    }
    let addr = o.pointer("/recipient/deliveryAddress");
    let ship_to = addr.map(|a| Address {
        name: text(a, "/name"),
        line1: text(a, "/addressLine1"),
        line2: [text(a, "/addressLine2"), text(a, "/addressLine3")]
            .iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        city: text(a, "/city"),
        region: text(a, "/stateOrRegion"),
        postal_code: text(a, "/postalCode"),
        country: text(a, "/countryCode"),
        phone: text(a, "/phone"),
    });
    let buyer = [text(o, "/buyer/buyerName"), ship_to.as_ref().map(|a| a.name.clone()).unwrap_or_default()]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_default();
    Ok(Order {
        external_id: id.to_string(),
        number: id.to_string(),
        raw_status,
        state,
        ordered_offset: fmt_offset(created.offset()),
        ordered_at: created.to_offset(time::UtcOffset::UTC),
        updated_at: updated.to_offset(time::UtcOffset::UTC),
        currency,
        subtotal_minor: breakdown(proceeds, "ITEM", currency)?,
        tax_minor: breakdown(proceeds, "TAX", currency)?,
        shipping_minor: breakdown(proceeds, "SHIPPING", currency)?,
        total_minor: money_of(proceeds.and_then(|p| p.get("grandTotal")), currency)?,
        lines,
        buyer_name: buyer,
        ship_to,
        raw: o.clone(),
    })
}

/// One seller SKU's stock at Amazon's fulfilment centres.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FbaItem {
    pub seller_sku: String,
    /// What Amazon can pick, pack and ship now.
    pub fulfillable: i64,
    /// On its way to Amazon (working, shipped, receiving).
    pub inbound: i64,
    /// Held for orders, transfers or processing.
    pub reserved: i64,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FbaPage {
    pub items: Vec<FbaItem>,
    pub next: Option<String>,
}

/// What a Listings Items submission answered: only a readable `ACCEPTED`
/// is a success; an answer that cannot be read, or has no status, is a
/// failure kept with its text (and retried), never taken for accepted.
fn submission(a: &Answer) -> Result<(), ChannelError> {
    let v: Value = a.json()?;
    match v.get("status").and_then(Value::as_str) {
        Some("ACCEPTED") => Ok(()),
        Some(other) => {
            Err(ChannelError::Rejected(format!("{other}: {}", v.get("issues").cloned().unwrap_or_default())))
        }
        None => Err(ChannelError::BadResponse(format!("no submission status: {}", a.describe()))),
    }
}
