//! WooCommerce REST API v3: consumer key and secret (HTTP Basic over HTTPS),
//! orders by `modified_after`/`modified_before` with `dates_are_gmt=true`,
//! `page`/`per_page` paging to `X-WP-TotalPages`.

use crate::http::{Http, RetryPolicy};
use crate::model::*;
use mercator_core::Currency;
use mercator_vault::Secret;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WooAccount {
    /// The store's address, e.g. `https://shop.example.com`.
    pub base_url: String,
    pub currency: String,
}

pub struct WooSecrets {
    pub consumer_key: Secret,
    pub consumer_secret: Secret,
}

pub struct WooCommerce {
    account: WooAccount,
    secrets: WooSecrets,
    pub http: Http,
}

impl WooCommerce {
    pub fn new(account: WooAccount, secrets: WooSecrets, policy: RetryPolicy) -> Result<Self, ChannelError> {
        if !(account.base_url.starts_with("https://") || account.base_url.starts_with("http://127.0.0.1")) {
            return Err(ChannelError::Config("the store address must start with https://".into()));
        }
        Ok(WooCommerce { account, secrets, http: Http::new(policy)? })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/wp-json/wc/v3{path}", self.account.base_url.trim_end_matches('/'))
    }

    /// One page of orders modified in `window`; the page token is the next page number.
    pub async fn orders(&self, window: &Window, page_token: Option<&str>) -> Result<OrdersPage, ChannelError> {
        let page: u32 = page_token.and_then(|p| p.parse().ok()).unwrap_or(1);
        let (after, before) = (woo_time(window.after), woo_time(window.before));
        let page_s = page.to_string();
        let url = self.url("/orders");
        let a = self
            .http
            .send(|c| {
                c.get(&url)
                    .basic_auth(self.secrets.consumer_key.expose(), Some(self.secrets.consumer_secret.expose()))
                    .query(&[
                        ("modified_after", after.as_str()),
                        ("modified_before", before.as_str()),
                        ("dates_are_gmt", "true"),
                        ("orderby", "modified"),
                        ("order", "asc"),
                        ("per_page", "100"),
                        ("page", page_s.as_str()),
                    ])
            })
            .await?;
        match a.status {
            200 => {}
            401 | 403 => return Err(ChannelError::Auth(a.describe())),
            _ => return Err(ChannelError::Rejected(a.describe())),
        }
        let body: Value = a.json()?;
        let list = body.as_array().ok_or_else(|| ChannelError::BadResponse("orders are not a list".into()))?;
        let fallback: Currency = self.account.currency.parse().unwrap_or(Currency::USD);
        let orders = list.iter().map(|o| map_order(o, fallback)).collect::<Result<Vec<_>, _>>()?;
        let pages: u32 = a.header("x-wp-totalpages").and_then(|v| v.trim().parse().ok()).unwrap_or(page);
        Ok(OrdersPage { orders, next: (page < pages).then(|| (page + 1).to_string()), rate_limit: None })
    }

    pub async fn test_connection(&self) -> Result<(), ChannelError> {
        let now = time::OffsetDateTime::now_utc();
        self.orders(&Window { after: now - time::Duration::days(1), before: now }, None).await.map(|_| ())
    }
}

/// WooCommerce takes ISO 8601 without an offset when `dates_are_gmt` is true.
fn woo_time(t: time::OffsetDateTime) -> String {
    fmt_time(t).trim_end_matches('Z').to_string()
}

fn gmt(s: &str) -> Result<time::OffsetDateTime, ChannelError> {
    let with_z = if s.ends_with('Z') || s.contains('+') { s.to_string() } else { format!("{s}Z") };
    parse_time(&with_z)
}

/// A JSON number or numeric string as decimal text (never through f64 arithmetic).
fn amount_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "0".into(),
    }
}

fn s(v: &Value, p: &str) -> String {
    v.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// Maps a WooCommerce order (REST v3 `Order`).
pub fn map_order(o: &Value, fallback: Currency) -> Result<RemoteOrder, ChannelError> {
    let id = match o.get("id") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => return Err(ChannelError::BadResponse("order without id".into())),
    };
    let currency: Currency = o.get("currency").and_then(Value::as_str).and_then(|c| c.parse().ok()).unwrap_or(fallback);
    let created_gmt =
        gmt(&s(o, "/date_created_gmt")).map_err(|_| ChannelError::BadResponse(format!("{id}: date_created_gmt")))?;
    let modified_gmt = gmt(&s(o, "/date_modified_gmt")).unwrap_or(created_gmt);
    // the store's local time beside GMT gives its offset
    let offset = gmt(&s(o, "/date_created"))
        .ok()
        .and_then(|local| {
            let secs = (local - created_gmt).whole_seconds();
            time::UtcOffset::from_whole_seconds(i32::try_from(secs).ok()?).ok()
        })
        .unwrap_or(time::UtcOffset::UTC);
    let raw_status = s(o, "/status");
    let state = match raw_status.as_str() {
        "processing" => OrderState::Unshipped,
        "completed" => OrderState::Shipped,
        "cancelled" | "trash" => OrderState::Cancelled,
        "refunded" => OrderState::Refunded,
        _ => OrderState::Pending, // pending, on-hold, failed, checkout-draft
    };
    let mut lines = vec![];
    for it in o.get("line_items").and_then(Value::as_array).into_iter().flatten() {
        let quantity = it.get("quantity").and_then(Value::as_i64).unwrap_or(0);
        lines.push(RemoteLine {
            external_id: amount_text(it.get("id")),
            sku: s(it, "/sku"),
            title: s(it, "/name"),
            quantity,
            quantity_shipped: if state == OrderState::Shipped { quantity } else { 0 },
            unit_price_minor: minor_of(&amount_text(it.get("price")), currency)?,
            tax_minor: minor_of(&amount_text(it.get("total_tax")), currency)?,
        });
    }
    let addr = |p: &str| -> Option<Address> {
        let a = o.get(p)?;
        let name = format!("{} {}", s(a, "/first_name"), s(a, "/last_name")).trim().to_string();
        let country = s(a, "/country");
        (!country.is_empty() || !name.is_empty()).then(|| Address {
            name,
            line1: s(a, "/address_1"),
            line2: s(a, "/address_2"),
            city: s(a, "/city"),
            region: s(a, "/state"),
            postal_code: s(a, "/postcode"),
            country,
            phone: s(a, "/phone"),
        })
    };
    let ship_to = addr("shipping").filter(|a| !a.country.is_empty()).or_else(|| addr("billing"));
    let total = minor_of(&amount_text(o.get("total")), currency)?;
    let tax = minor_of(&amount_text(o.get("total_tax")), currency)?;
    let shipping = minor_of(&amount_text(o.get("shipping_total")), currency)?;
    Ok(RemoteOrder {
        external_id: id,
        raw_status,
        state,
        ordered_at: created_gmt,
        ordered_offset: fmt_offset(offset),
        updated_at: modified_gmt,
        currency,
        subtotal_minor: total - tax - shipping,
        tax_minor: tax,
        shipping_minor: shipping,
        total_minor: total,
        lines,
        buyer_name: ship_to.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
        ship_to,
        raw: o.clone(),
    })
}
