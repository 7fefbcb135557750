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
        crate::http::check_endpoint("base_url", &account.base_url)?;
        Ok(WooCommerce { account, secrets, http: Http::new(policy)? })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/wp-json/wc/v3{path}", self.account.base_url.trim_end_matches('/'))
    }

    /// One page of orders modified in `window`.
    ///
    /// WooCommerce pages by offset, and an order modified while a client
    /// pages leaves the window (its new time is past the window's end), so
    /// every later order moves one place forward: paging forwards would skip
    /// one order per change. So after the first page (which tells how many
    /// pages there are) this goes from the last page back to the first; a
    /// change then moves orders onto pages still to come, never past them.
    /// Tokens: `r<page>` for the backward pass.
    pub async fn orders(&self, window: &Window, page_token: Option<&str>) -> Result<OrdersPage, ChannelError> {
        let backward: Option<u32> = page_token.and_then(|t| t.strip_prefix('r')).and_then(|p| p.parse().ok());
        if page_token.is_some() && backward.is_none() {
            return Err(ChannelError::BadResponse(format!("page token {page_token:?}")));
        }
        let page = backward.unwrap_or(1);
        let ((orders, unreadable), pages) = self.orders_page(window, page).await?;
        let next = match backward {
            None if pages > 1 => Some(format!("r{pages}")),
            None => None,
            Some(p) if p > 1 => Some(format!("r{}", p - 1)),
            Some(_) => None,
        };
        Ok(OrdersPage { orders, unreadable, next, rate_limit: None })
    }

    /// One order by its id, mapped like a page of one.
    pub async fn order(&self, order_id: &str) -> Result<OrdersPage, ChannelError> {
        if order_id.is_empty() || !order_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ChannelError::Missing { what: "order-id", subject: order_id.to_string() });
        }
        let url = self.url(&format!("/orders/{order_id}"));
        let a = self
            .http
            .send(|c| {
                c.get(&url).basic_auth(self.secrets.consumer_key.expose(), Some(self.secrets.consumer_secret.expose()))
            })
            .await?;
        Self::check(&a)?;
        let o: Value = a.json()?;
        let fallback: Currency = self.account.currency.parse().unwrap_or(Currency::USD);
        let (orders, unreadable) = crate::map_each(std::slice::from_ref(&o), "id", |o| map_order(o, fallback));
        Ok(OrdersPage { orders, unreadable, next: None, rate_limit: None })
    }

    #[allow(clippy::type_complexity)]
    async fn orders_page(
        &self,
        window: &Window,
        page: u32,
    ) -> Result<((Vec<Order>, Vec<crate::Unreadable>), u32), ChannelError> {
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
        Self::check(&a)?;
        let body: Value = a.json()?;
        let list = body.as_array().ok_or_else(|| ChannelError::BadResponse("orders are not a list".into()))?;
        let fallback: Currency = self.account.currency.parse().unwrap_or(Currency::USD);
        let orders = crate::map_each(list, "id", |o| map_order(o, fallback));
        let pages: u32 = a.header("x-wp-totalpages").and_then(|v| v.trim().parse().ok()).unwrap_or(page);
        Ok((orders, pages))
    }

    fn check(a: &crate::http::Answer) -> Result<(), ChannelError> {
        match a.status {
            200 | 201 => Ok(()),
            401 | 403 => Err(ChannelError::Auth(a.describe())),
            _ => Err(ChannelError::Rejected(a.describe())),
        }
    }

    /// Tells the store an order has shipped: a note with the carrier and
    /// tracking number (shown to the buyer and e-mailed when `notify`), and
    /// the order completed. Check-before-write: a note already holding the
    /// number is not added again, and completing twice is completing once.
    pub async fn add_tracking(
        &self,
        order_id: &str,
        carrier: &str,
        number: &str,
        url: &str,
        notify: bool,
    ) -> Result<(), ChannelError> {
        if order_id.is_empty() || !order_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ChannelError::Missing { what: "order-id", subject: order_id.to_string() });
        }
        let notes_url = self.url(&format!("/orders/{order_id}/notes"));
        let auth = |c: reqwest::RequestBuilder| {
            c.basic_auth(self.secrets.consumer_key.expose(), Some(self.secrets.consumer_secret.expose()))
        };
        let note = if url.is_empty() {
            format!("Shipped with {carrier}, tracking number {number}")
        } else {
            format!("Shipped with {carrier}, tracking number {number}: {url}")
        };
        let body = serde_json::json!({ "note": note, "customer_note": notify });
        // a note e-mails the buyer: added once in effect, looked for before every attempt
        crate::checked_write(
            || async {
                let a = self.http.send(|c| auth(c.get(&notes_url))).await?;
                Self::check(&a)?;
                let notes: Value = a.json()?;
                Ok(notes
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|n| n.get("note").and_then(Value::as_str).is_some_and(|t| t.contains(number))))
            },
            || async {
                let a = self.http.send_once(|c| auth(c.post(&notes_url)).json(&body)).await?;
                Self::check(&a)
            },
        )
        .await?;
        let order_url = self.url(&format!("/orders/{order_id}"));
        let body = serde_json::json!({ "status": "completed" });
        let a = self.http.send(|c| auth(c.put(&order_url)).json(&body)).await?;
        Self::check(&a)
    }

    /// Sets the stock of the product or variation with this SKU
    /// (`manage_stock` on, absolute quantity).
    pub async fn set_sku_stock(&self, sku: &str, quantity: i64) -> Result<(), ChannelError> {
        let (path, _) = self.find_sku(sku).await?;
        self.put(&path, &serde_json::json!({ "manage_stock": true, "stock_quantity": quantity.max(0) })).await
    }

    /// Sets the regular price of the product or variation with this SKU
    /// (WooCommerce takes prices as decimal strings).
    pub async fn set_sku_price(&self, sku: &str, price: &str) -> Result<(), ChannelError> {
        crate::check_decimal_text(price)?;
        let (path, _) = self.find_sku(sku).await?;
        self.put(&path, &serde_json::json!({ "regular_price": price })).await
    }

    /// Replaces the name, description and short description (the bullets)
    /// of the product the SKU is (or, for a variation, belongs to), as
    /// escaped HTML.
    pub async fn update_sku_content(&self, sku: &str, content: &crate::ListingContent) -> Result<(), ChannelError> {
        if content.title.trim().is_empty() {
            return Err(ChannelError::Missing { what: "listing-title", subject: sku.to_string() });
        }
        let (_, product) = self.find_sku(sku).await?;
        let bullets = crate::ListingContent { bullets: content.bullets.clone(), ..Default::default() }.html();
        let text = crate::ListingContent { description: content.description.clone(), ..Default::default() }.html();
        let body = serde_json::json!({ "name": content.title, "description": text, "short_description": bullets });
        self.put(&product, &body).await
    }

    async fn put(&self, path: &str, body: &Value) -> Result<(), ChannelError> {
        let url = self.url(path);
        let a = self
            .http
            .send(|c| {
                c.put(&url)
                    .basic_auth(self.secrets.consumer_key.expose(), Some(self.secrets.consumer_secret.expose()))
                    .json(body)
            })
            .await?;
        Self::check(&a)
    }

    /// The REST path of the product or variation with this SKU, and of the
    /// product it belongs to (the same for a simple product).
    async fn find_sku(&self, sku: &str) -> Result<(String, String), ChannelError> {
        let auth = |c: reqwest::RequestBuilder| {
            c.basic_auth(self.secrets.consumer_key.expose(), Some(self.secrets.consumer_secret.expose()))
        };
        let list_url = self.url("/products");
        let a = self.http.send(|c| auth(c.get(&list_url)).query(&[("sku", sku)])).await?;
        Self::check(&a)?;
        let found: Value = a.json()?;
        let hits: Vec<&Value> = found
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p.get("sku").and_then(Value::as_str) == Some(sku))
            .collect();
        let p = match hits.as_slice() {
            [one] => *one,
            [] => return Err(ChannelError::Rejected(format!("no product with SKU {sku} in the store"))),
            _ => return Err(ChannelError::Rejected(format!("more than one product with SKU {sku} in the store"))),
        };
        let id = amount_text(p.get("id"));
        let parent = amount_text(p.get("parent_id"));
        Ok(if p.get("type").and_then(Value::as_str) == Some("variation") && parent != "0" {
            (format!("/products/{parent}/variations/{id}"), format!("/products/{parent}"))
        } else {
            (format!("/products/{id}"), format!("/products/{id}"))
        })
    }

    /// One page (100) of the store's products, a variable product's
    /// variations read with it, to link them with the catalog by SKU; the
    /// next page number while `X-WP-TotalPages` says there are more.
    pub async fn listings(&self, next: Option<&str>) -> Result<crate::ListingsPage, ChannelError> {
        let page: u32 = next.and_then(|n| n.parse().ok()).unwrap_or(1);
        let auth = |c: reqwest::RequestBuilder| {
            c.basic_auth(self.secrets.consumer_key.expose(), Some(self.secrets.consumer_secret.expose()))
        };
        let list_url = self.url("/products");
        let a = self
            .http
            .send(|c| auth(c.get(&list_url)).query(&[("per_page", "100".to_string()), ("page", page.to_string())]))
            .await?;
        Self::check(&a)?;
        let pages: u32 = a.header("x-wp-totalpages").and_then(|v| v.trim().parse().ok()).unwrap_or(page);
        let products: Value = a.json()?;
        let one = |p: &Value| -> Option<crate::RemoteListing> {
            let sku = p.get("sku").and_then(Value::as_str).filter(|s| !s.is_empty())?;
            let price = p.get("regular_price").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
            Some(crate::RemoteListing {
                sku: sku.to_string(),
                external_id: amount_text(p.get("id")),
                price,
                live: p.get("status").and_then(Value::as_str).is_none_or(|s| s == "publish"),
            })
        };
        let mut listings = vec![];
        for p in products.as_array().ok_or_else(|| ChannelError::BadResponse("products is not a list".into()))? {
            if p.get("type").and_then(Value::as_str) == Some("variable") {
                let id = amount_text(p.get("id"));
                let url = self.url(&format!("/products/{id}/variations"));
                let a = self.http.send(|c| auth(c.get(&url)).query(&[("per_page", "100")])).await?;
                Self::check(&a)?;
                let vars: Value = a.json()?;
                listings.extend(vars.as_array().into_iter().flatten().filter_map(one));
            } else {
                listings.extend(one(p));
            }
        }
        Ok(crate::ListingsPage { listings, next: (page < pages).then(|| (page + 1).to_string()) })
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
pub fn map_order(o: &Value, fallback: Currency) -> Result<Order, ChannelError> {
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
        lines.push(OrderLine {
            external_id: amount_text(it.get("id")),
            sku: s(it, "/sku"),
            title: s(it, "/name"),
            quantity,
            quantity_shipped: if state == OrderState::Shipped { quantity } else { 0 },
            unit_price_minor: crate::required_minor(it, "/price", currency)?,
            tax_minor: crate::required_minor(it, "/total_tax", currency)?,
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
    let total = crate::required_minor(o, "/total", currency)?;
    let tax = crate::required_minor(o, "/total_tax", currency)?;
    let shipping = crate::required_minor(o, "/shipping_total", currency)?;
    Ok(Order {
        number: match o.get("number") {
            Some(Value::String(n)) if !n.is_empty() => n.clone(),
            _ => id.clone(),
        },
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
