//! Shopee Open Platform v2 (shop-level APIs).
//!
//! - Every call carries `partner_id`, `timestamp` and `sign`: lowercase hex
//!   HMAC-SHA256, keyed with the partner key, of `partner_id + path +
//!   timestamp` (public APIs, e.g. the token refresh) followed by
//!   `access_token + shop_id` (shop APIs). A timestamp is valid 5 minutes.
//! - Access tokens last 4 hours; the refresh token is single use and every
//!   refresh returns a new one, so the pair is handed to a [`TokenSink`]
//!   (the OS keyring) at once. A call refused with `error_auth` refreshes
//!   once and is repeated.
//! - Orders: `get_order_list` by `update_time` in windows of at most 15
//!   days (a longer sync window is walked in 15-day steps), cursor paging,
//!   then `get_order_detail` for up to 50 order numbers at a time with the
//!   optional fields named. Orders the detail call leaves out (reported in
//!   `warning`) are asked for once more; still missing, the page fails
//!   rather than drop them.
//! - Tracking: `ship_order` with `non_integrated.tracking_number`, after
//!   `get_tracking_number` shows the order has not got it (check-before-
//!   write). Stock: `update_stock` per item and model; `failure_list`
//!   entries are errors.
//! - Listings: `get_item_list` (live and unlisted items, 100 a page), then
//!   `get_item_base_info` for 50 at a time and `get_model_list` for items
//!   with variations; each model is one listing `item_id:model_id` (model 0
//!   for an item without variations) with its SKU and original price.

pub mod chat;

use crate::http::{Http, RetryPolicy};
use crate::model::*;
use hmac::{Hmac, Mac};
use mercator_core::Currency;
use mercator_vault::Secret;
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::Arc;
use time::OffsetDateTime;

pub const ORDER_LIST: &str = "/api/v2/order/get_order_list";
pub const ORDER_DETAIL: &str = "/api/v2/order/get_order_detail";
pub const REFRESH: &str = "/api/v2/auth/access_token/get";
pub const SHIP_ORDER: &str = "/api/v2/logistics/ship_order";
pub const TRACKING_NUMBER: &str = "/api/v2/logistics/get_tracking_number";
pub const UPDATE_STOCK: &str = "/api/v2/product/update_stock";
pub const UPDATE_PRICE: &str = "/api/v2/product/update_price";
pub const UPDATE_ITEM: &str = "/api/v2/product/update_item";
pub const ITEM_LIST: &str = "/api/v2/product/get_item_list";
pub const ITEM_BASE_INFO: &str = "/api/v2/product/get_item_base_info";
pub const MODEL_LIST: &str = "/api/v2/product/get_model_list";
/// Shopee's page size limit for `get_item_list`, and for `get_item_base_info`.
const ITEM_PAGE: usize = 100;
const BASE_INFO_BATCH: usize = 50;

/// How long one token refresh may take in all, retries included.
pub const REFRESH_BUDGET: std::time::Duration = std::time::Duration::from_secs(120);

/// Shopee allows at most 15 days between `time_from` and `time_to`.
pub const MAX_WINDOW_S: i64 = 15 * 86_400;
/// An access token is replaced this long before it expires (at most).
const REFRESH_MARGIN_S: i64 = 300;
/// The optional fields of `get_order_detail` an order needs here.
pub const DETAIL_FIELDS: &str =
    "buyer_username,recipient_address,item_list,total_amount,pay_time,estimated_shipping_fee,package_list";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShopeeAccount {
    /// `https://partner.shopeemobile.com` (or the Chinese mainland / sandbox host).
    pub host: String,
    pub partner_id: i64,
    pub shop_id: i64,
    pub currency: String,
}

pub struct ShopeeSecrets {
    pub partner_key: Secret,
    pub refresh_token: Secret,
    pub access_token: Option<Secret>,
    /// Unix seconds when `access_token` expires.
    pub access_expires_at: i64,
}

/// Stores a refreshed (access token, refresh token, expiry) pair; the old
/// refresh token no longer works once Shopee has answered.
pub type TokenSink = Arc<dyn Fn(&str, &str, i64) -> Result<(), String> + Send + Sync>;

struct Tokens {
    access: Option<(String, i64)>,
    /// How long before its expiry the access token is replaced: 5 minutes,
    /// or a tenth of its life when Shopee grants a shorter one (each
    /// refresh spends the single-use refresh token: never one per call).
    margin: i64,
    refresh: String,
    /// The last refreshed pair could not be stored (the sink's error): it is
    /// stored again at the next call, and the account shows the problem.
    unsaved: Option<String>,
}

/// The tokens of one Shopee account, shared by every connector of that
/// account in the process (the sync, the outbox, a test-connection click):
/// one refresh at a time, under one lock, so a single-use refresh token is
/// never spent twice and pairs are stored in the order Shopee gave them.
pub struct TokenState {
    /// In an `Arc` of its own so a refresh can hold the lock in a task that
    /// outlives its caller (see [`Shopee::access_token`]).
    inner: Arc<tokio::sync::Mutex<Tokens>>,
}

pub type SharedTokens = Arc<TokenState>;

impl TokenState {
    /// Waits until no refresh is in flight (a refresh holds the lock until
    /// its pair is kept and handed to the sink): for a profile closing.
    pub async fn settled(&self) {
        drop(self.inner.lock().await);
    }

    pub fn new(secrets: &ShopeeSecrets) -> SharedTokens {
        let access = secrets.access_token.as_ref().map(|t| (t.expose().to_string(), secrets.access_expires_at));
        Arc::new(TokenState {
            inner: Arc::new(tokio::sync::Mutex::new(Tokens {
                access,
                margin: REFRESH_MARGIN_S,
                refresh: secrets.refresh_token.expose().to_string(),
                unsaved: None,
            })),
        })
    }
}

pub struct Shopee {
    account: ShopeeAccount,
    partner_key: Secret,
    tokens: SharedTokens,
    sink: Option<TokenSink>,
    pub http: Arc<Http>,
}

/// Hands a pair to the sink (the keyring: a blocking call) on a blocking
/// thread, off the runtime's workers.
async fn store_pair(sink: &TokenSink, access: String, refresh: String, until: i64) -> Result<(), String> {
    let sink = sink.clone();
    tokio::task::spawn_blocking(move || sink(&access, &refresh, until))
        .await
        // the panic's own text stays out: it may quote what was being stored
        .unwrap_or_else(|_| Err("storing the tokens stopped before it finished".into()))
}

/// `hex(HMAC-SHA256(key, base))`, lowercase.
pub fn sign(partner_key: &str, base: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(partner_key.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(base.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn now_s() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The marketplace's UTC offset by Shopee region.
fn region_offset(region: &str) -> &'static str {
    match region {
        "TH" | "VN" | "ID" => "+07:00",
        "BR" => "-03:00",
        "MX" => "-06:00",
        "CO" => "-05:00",
        "CL" => "-04:00",
        _ => "+08:00", // SG, MY, PH, TW, CN
    }
}

/// A JSON number or numeric string as decimal text (no float arithmetic).
fn number_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => "0".into(),
    }
}

fn bad(what: &str) -> ChannelError {
    ChannelError::BadResponse(what.to_string())
}

/// The original price of an item or model (`price_info[0]`), as the exact
/// decimal text Shopee wrote; None when it gives none.
fn original_price(v: &Value) -> Option<String> {
    match v.pointer("/price_info/0/original_price") {
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::String(t)) if !t.trim().is_empty() => Some(t.trim().to_string()),
        _ => None,
    }
}

fn s(v: &Value, p: &str) -> String {
    v.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// Warnings may be a string or a list of strings.
fn warnings(v: &Value) -> Vec<String> {
    match v.get("warning") {
        Some(Value::String(w)) if !w.is_empty() => vec![w.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => vec![],
    }
}

impl Shopee {
    pub fn new(
        account: ShopeeAccount,
        secrets: ShopeeSecrets,
        sink: Option<TokenSink>,
        policy: RetryPolicy,
    ) -> Result<Self, ChannelError> {
        let tokens = TokenState::new(&secrets);
        Self::with_tokens(account, secrets.partner_key, tokens, sink, policy)
    }

    /// A connector on an account's shared token state (see [`TokenState`]).
    pub fn with_tokens(
        account: ShopeeAccount,
        partner_key: Secret,
        tokens: SharedTokens,
        sink: Option<TokenSink>,
        policy: RetryPolicy,
    ) -> Result<Self, ChannelError> {
        crate::http::check_endpoint("host", &account.host)?;
        if account.partner_id <= 0 || account.shop_id <= 0 {
            return Err(ChannelError::Missing { what: "account-ids", subject: String::new() });
        }
        Ok(Shopee { account, partner_key, tokens, sink, http: Arc::new(Http::new(policy)?) })
    }

    /// Why the newest token pair is not in the keyring, if it is not.
    pub async fn token_problem(&self) -> Option<String> {
        self.tokens.inner.lock().await.unsaved.clone()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.account.host.trim_end_matches('/'))
    }

    /// A valid access token, refreshed when it expires within the margin
    /// (5 minutes; a tenth of a shorter life), or
    /// when the shop refused `rejected` (unless another caller has already
    /// replaced that token: one refresh for many callers refused at once).
    ///
    /// Shopee's refresh token is single-use: once Shopee has answered a
    /// refresh, only the pair in that answer works. The refresh therefore runs
    /// in a task of its own that holds the account's token lock until the new
    /// pair is in [`TokenState`] (and handed to the sink): a caller cut off by
    /// a timeout (a run's budget, a send's) drops only its wait, never the
    /// answer, and the next caller finds the new pair. The task has its own
    /// budget ([`REFRESH_BUDGET`]) so a shop that keeps answering 429 does not
    /// hold the account's other callers for the retries' full back-off.
    async fn access_token(&self, rejected: Option<&str>) -> Result<String, ChannelError> {
        let mut t = self.tokens.inner.clone().lock_owned().await;
        if t.unsaved.is_some() {
            // a pair that could not be stored: try again, so a restart can use it
            if let (Some(sink), Some((access, until))) = (&self.sink, t.access.clone()) {
                t.unsaved = store_pair(sink, access, t.refresh.clone(), until).await.err();
            }
        }
        if let Some((tok, until)) = &t.access {
            if Some(tok.as_str()) != rejected && *until > now_s() + t.margin {
                return Ok(tok.clone());
            }
        }
        let (partner_id, shop_id) = (self.account.partner_id, self.account.shop_id);
        let key = Secret::new(self.partner_key.expose());
        let url = self.url(REFRESH);
        let (http, sink) = (self.http.clone(), self.sink.clone());
        let refresh = async move {
            let body = json!({ "refresh_token": t.refresh, "partner_id": partner_id, "shop_id": shop_id });
            let started = now_s();
            // retried like any call (a request that may have arrived spent the
            // token either way: the next caller would send the same one); each
            // attempt signs its own timestamp, as Shopee refuses stale ones
            let send = http.send(|c| {
                let ts = now_s();
                let sig = sign(key.expose(), &format!("{partner_id}{REFRESH}{ts}"));
                c.post(&url)
                    .query(&[("partner_id", partner_id.to_string()), ("timestamp", ts.to_string()), ("sign", sig)])
                    .json(&body)
            });
            let a = tokio::time::timeout(REFRESH_BUDGET, send)
                .await
                .map_err(|_| ChannelError::NoAnswer(REFRESH_BUDGET.as_secs()))??;
            let v: Value = a.json()?;
            let err = s(&v, "/error");
            if !err.is_empty() {
                return Err(ChannelError::Auth(format!("{err}: {}", s(&v, "/message"))));
            }
            let access = s(&v, "/access_token");
            let refresh = s(&v, "/refresh_token");
            if access.is_empty() || refresh.is_empty() {
                return Err(ChannelError::BadResponse("token answer without tokens".into()));
            }
            let life = v.get("expire_in").and_then(Value::as_i64).unwrap_or(14_400);
            if life <= 0 {
                return Err(ChannelError::BadResponse("token answer with no lifetime".into()));
            }
            let until = started.saturating_add(life);
            t.access = Some((access.clone(), until));
            t.margin = REFRESH_MARGIN_S.min(life / 10);
            t.refresh.clone_from(&refresh);
            if let Some(sink) = &sink {
                // not stored until the sink says so (a sink that panics leaves
                // the pair to be stored at the next call)
                t.unsaved = Some("not stored yet".into());
                // the old refresh token is spent: keep the new pair even if this
                // fails, and say so (the account shows it; the next call stores again)
                t.unsaved = store_pair(sink, access.clone(), refresh.clone(), until).await.err();
                if let Some(e) = &t.unsaved {
                    tracing::error!(error = %e, "storing the refreshed Shopee tokens failed");
                }
            }
            Ok(access)
        };
        tokio::spawn(refresh)
            .await
            .map_err(|_| ChannelError::Unavailable("the token refresh stopped before it finished".into()))?
    }

    /// A shop API call; `error_auth` refreshes the token once and repeats.
    async fn call(
        &self,
        get: bool,
        path: &str,
        query: &[(&str, String)],
        body: Option<&str>,
    ) -> Result<Value, ChannelError> {
        self.call_mode(get, path, query, body, false).await
    }

    async fn call_mode(
        &self,
        get: bool,
        path: &str,
        query: &[(&str, String)],
        body: Option<&str>,
        once: bool,
    ) -> Result<Value, ChannelError> {
        let mut refused: Option<String> = None;
        loop {
            let token = self.access_token(refused.as_deref()).await?;
            let ts = now_s();
            let base = format!("{}{path}{ts}{token}{}", self.account.partner_id, self.account.shop_id);
            let sig = sign(self.partner_key.expose(), &base);
            let mut q: Vec<(&str, String)> = vec![
                ("partner_id", self.account.partner_id.to_string()),
                ("timestamp", ts.to_string()),
                ("access_token", token.clone()),
                ("shop_id", self.account.shop_id.to_string()),
                ("sign", sig),
            ];
            q.extend(query.iter().cloned());
            let token_sent = token;
            let url = self.url(path);
            let build = |c: &reqwest::Client| {
                let r = if get { c.get(&url) } else { c.post(&url) };
                let r = r.query(&q);
                match body {
                    // JSON text: prices go in as the decimal we wrote, never through a float
                    Some(b) => r.header("content-type", "application/json").body(b.to_string()),
                    None => r,
                }
            };
            let a = if once { self.http.send_once(build).await? } else { self.http.send(build).await? };
            let v: Value = match a.json() {
                Ok(v) => v,
                Err(_) if a.status >= 400 => return Err(ChannelError::Rejected(a.describe())),
                Err(e) => return Err(e),
            };
            let err = s(&v, "/error");
            if err.is_empty() {
                return Ok(v);
            }
            let msg = format!("{err}: {}", s(&v, "/message"));
            // the chat module withheld from this app: a state, not a token to refresh
            if path.starts_with(chat::PREFIX)
                && (err.ends_with("error_permission")
                    || (err.ends_with("error_auth") && msg.to_ascii_lowercase().contains("permission")))
            {
                return Err(ChannelError::Missing { what: "chat-permission", subject: String::new() });
            }
            if err.ends_with("error_auth") || err.contains("invalid_access_token") {
                if refused.is_some() {
                    return Err(ChannelError::Auth(msg));
                }
                refused = Some(token_sent);
                continue;
            }
            return Err(match err.as_str() {
                "error_server" | "error_network" | "error_busy" => ChannelError::Unavailable(msg),
                e if e.contains("too_many") || e.contains("rate") => ChannelError::RateLimited(msg),
                "error_sign" | "error_permission" => ChannelError::Auth(msg),
                _ => ChannelError::Rejected(msg),
            });
        }
    }

    /// One page of orders updated in `window`. Token: `<from>:<cursor>`,
    /// the start of the current 15-day step and Shopee's cursor in it.
    pub async fn orders(&self, window: &Window, page_token: Option<&str>) -> Result<OrdersPage, ChannelError> {
        let (start, end) = (window.after.unix_timestamp(), window.before.unix_timestamp());
        let (from, cursor) = match page_token {
            None => (start, String::new()),
            Some(t) => {
                let (f, c) = t.split_once(':').ok_or_else(|| ChannelError::BadResponse(format!("page token {t:?}")))?;
                (f.parse().map_err(|_| ChannelError::BadResponse(format!("page token {t:?}")))?, c.to_string())
            }
        };
        let to = (from + MAX_WINDOW_S).min(end);
        let v = self
            .call(
                true,
                ORDER_LIST,
                &[
                    ("time_range_field", "update_time".into()),
                    ("time_from", from.to_string()),
                    ("time_to", to.to_string()),
                    ("page_size", "100".into()),
                    ("cursor", cursor),
                    ("response_optional_fields", "order_status".into()),
                ],
                None,
            )
            .await?;
        let sns: Vec<String> = v
            .pointer("/response/order_list")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|o| o.get("order_sn").and_then(Value::as_str))
            .map(str::to_string)
            .collect();
        let (mut orders, mut unreadable) = (vec![], vec![]);
        for chunk in sns.chunks(50) {
            let (ok, bad) = self.details(chunk).await?;
            orders.extend(ok);
            unreadable.extend(bad);
        }
        let more = v.pointer("/response/more").and_then(Value::as_bool).unwrap_or(false);
        let next = if more {
            let c = s(&v, "/response/next_cursor");
            if c.is_empty() {
                return Err(ChannelError::BadResponse("more without next_cursor".into()));
            }
            Some(format!("{from}:{c}"))
        } else if to < end {
            Some(format!("{to}:"))
        } else {
            None
        };
        Ok(OrdersPage { orders, unreadable, next, rate_limit: None })
    }

    /// One order by its number, mapped like a page of one.
    pub async fn order(&self, order_sn: &str) -> Result<OrdersPage, ChannelError> {
        let (orders, unreadable) = self.details(&[order_sn.to_string()]).await?;
        Ok(OrdersPage { orders, unreadable, next: None, rate_limit: None })
    }

    /// The detail of these orders; those left out (a `warning`) are asked
    /// for once more, and still missing fail the call.
    async fn details(&self, sns: &[String]) -> Result<(Vec<Order>, Vec<crate::Unreadable>), ChannelError> {
        let fallback: Currency = self.account.currency.parse().unwrap_or(Currency::SGD);
        let (mut out, mut bad) = (vec![], vec![]);
        let mut missing: Vec<String> = sns.to_vec();
        for attempt in 0..2 {
            let v = self
                .call(
                    true,
                    ORDER_DETAIL,
                    &[("order_sn_list", missing.join(",")), ("response_optional_fields", DETAIL_FIELDS.into())],
                    None,
                )
                .await?;
            let list = v.pointer("/response/order_list").and_then(Value::as_array).cloned().unwrap_or_default();
            let (ok, unreadable) = crate::map_each(&list, "order_sn", |o| map_order(o, fallback));
            out.extend(ok);
            bad.extend(unreadable);
            let got: std::collections::HashSet<&str> =
                list.iter().filter_map(|o| o.get("order_sn").and_then(Value::as_str)).collect();
            missing.retain(|sn| !got.contains(sn.as_str()));
            if missing.is_empty() {
                return Ok((out, bad));
            }
            if attempt == 1 {
                let w = warnings(&v).join("; ");
                return Err(ChannelError::BadResponse(format!("orders left out ({}): {w}", missing.join(","))));
            }
        }
        Ok((out, bad))
    }

    /// Sends our tracking number for an order Shopee does not arrange
    /// shipping for, unless it already has it.
    pub async fn ship(&self, order_sn: &str, tracking: &str) -> Result<(), ChannelError> {
        let body = json!({ "order_sn": order_sn, "non_integrated": { "tracking_number": tracking } }).to_string();
        crate::checked_write(
            || async {
                // an order not shipped yet has no number: that is "not applied", not a failure
                match self.call(true, TRACKING_NUMBER, &[("order_sn", order_sn.to_string())], None).await {
                    Ok(v) => Ok(s(&v, "/response/tracking_number").eq_ignore_ascii_case(tracking)),
                    // Shopee refuses the look for an order it has no number for yet
                    Err(ChannelError::Rejected(_)) => Ok(false),
                    // the look itself failed: say so, never guess "not there"
                    Err(e) => Err(e),
                }
            },
            || async { self.call_mode(false, SHIP_ORDER, &[], Some(&body), true).await.map(|_| ()) },
        )
        .await
    }

    /// Sets the seller stock of one item (and model; 0 without models).
    pub async fn set_stock(&self, item_id: i64, model_id: i64, quantity: i64) -> Result<(), ChannelError> {
        let body = json!({ "item_id": item_id, "stock_list": [{ "model_id": model_id, "seller_stock": [{ "stock": quantity.max(0) }] }] });
        let v = self.call(false, UPDATE_STOCK, &[], Some(&body.to_string())).await?;
        let failures: Vec<String> = v
            .pointer("/response/failure_list")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|f| format!("model {}: {}", number_text(f.get("model_id")), s(f, "/failed_reason")))
            .collect();
        if failures.is_empty() {
            Ok(())
        } else {
            Err(ChannelError::Rejected(failures.join("; ")))
        }
    }

    /// Sets the original price of one item (and model; 0 without models).
    /// `price` is decimal text, written into the JSON as it is.
    pub async fn set_price(&self, item_id: i64, model_id: i64, price: &str) -> Result<(), ChannelError> {
        crate::check_decimal_text(price)?;
        let body =
            format!(r#"{{"item_id":{item_id},"price_list":[{{"model_id":{model_id},"original_price":{price}}}]}}"#);
        let v = self.call(false, UPDATE_PRICE, &[], Some(&body)).await?;
        let failures: Vec<String> = v
            .pointer("/response/failure_list")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|f| format!("model {}: {}", number_text(f.get("model_id")), s(f, "/failed_reason")))
            .collect();
        if failures.is_empty() {
            Ok(())
        } else {
            Err(ChannelError::Rejected(failures.join("; ")))
        }
    }

    /// Replaces the item's name and description (bullets first, then the
    /// text, as plain text: Shopee shows no HTML).
    pub async fn update_item(&self, item_id: i64, content: &crate::ListingContent) -> Result<(), ChannelError> {
        if content.title.trim().is_empty() {
            return Err(ChannelError::Missing { what: "listing-title", subject: item_id.to_string() });
        }
        let mut description: Vec<String> = content.bullets.iter().map(|b| format!("• {b}")).collect();
        if !content.description.trim().is_empty() {
            description.push(content.description.trim().to_string());
        }
        let body = json!({ "item_id": item_id, "item_name": content.title, "description": description.join("\n\n") });
        self.call(false, UPDATE_ITEM, &[], Some(&body.to_string())).await.map(|_| ())
    }

    /// One page of the shop's listings: the items of one `get_item_list`
    /// page with every model of each. Token: the next offset. An item or
    /// model whose answer cannot be read fails the page (nothing is linked
    /// from a page read in part).
    pub async fn listings(&self, page_token: Option<&str>) -> Result<ListingsPage, ChannelError> {
        let offset: u64 = match page_token {
            None => 0,
            Some(t) => {
                t.parse().map_err(|_| ChannelError::BadResponse("listing page token is not an offset".into()))?
            }
        };
        let q = [
            ("offset", offset.to_string()),
            ("page_size", ITEM_PAGE.to_string()),
            ("item_status", "NORMAL".to_string()),
            ("item_status", "UNLIST".to_string()),
        ];
        let v = self.call(true, ITEM_LIST, &q, None).await?;
        let ids: Vec<i64> = v
            .pointer("/response/item")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|i| i.get("item_id").and_then(Value::as_i64).ok_or_else(|| bad("item without item_id")))
            .collect::<Result<_, _>>()?;
        let more = v.pointer("/response/has_next_page").and_then(Value::as_bool).unwrap_or(false);
        // a next page must start past this one and no further than what it held:
        // anything else would loop or skip items, and a part read is never linked
        let next = match (more, v.pointer("/response/next_offset").and_then(Value::as_u64)) {
            (false, _) => None,
            (true, Some(n)) if !ids.is_empty() && n > offset && n <= offset + ids.len() as u64 => Some(n.to_string()),
            (true, _) => return Err(bad("a next item page that does not follow this one")),
        };
        let mut listings = vec![];
        for chunk in ids.chunks(BASE_INFO_BATCH) {
            let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let v = self.call(true, ITEM_BASE_INFO, &[("item_id_list", list)], None).await?;
            let items = v.pointer("/response/item_list").and_then(Value::as_array).cloned().unwrap_or_default();
            if items.len() != chunk.len() {
                let w = warnings(&v).join("; ");
                return Err(bad(&format!(
                    "item details left out ({} of {}): {w}",
                    chunk.len() - items.len(),
                    chunk.len()
                )));
            }
            for item in &items {
                let id = item.get("item_id").and_then(Value::as_i64).ok_or_else(|| bad("item without item_id"))?;
                let live = s(item, "/item_status") == "NORMAL";
                let item_sku = s(item, "/item_sku").trim().to_string();
                if item.get("has_model").and_then(Value::as_bool).unwrap_or(false) {
                    let m = self.call(true, MODEL_LIST, &[("item_id", id.to_string())], None).await?;
                    let models = m.pointer("/response/model").and_then(Value::as_array).cloned().unwrap_or_default();
                    if models.is_empty() {
                        return Err(bad("an item with variations but no models"));
                    }
                    for model in &models {
                        let mid = model
                            .get("model_id")
                            .and_then(Value::as_i64)
                            .ok_or_else(|| bad("model without model_id"))?;
                        // a model without a SKU of its own sells under the item's, as its orders say
                        let sku = s(model, "/model_sku").trim().to_string();
                        listings.push(RemoteListing {
                            sku: if sku.is_empty() { item_sku.clone() } else { sku },
                            external_id: format!("{id}:{mid}"),
                            price: original_price(model),
                            live,
                        });
                    }
                } else {
                    listings.push(RemoteListing {
                        sku: item_sku,
                        external_id: format!("{id}:0"),
                        price: original_price(item),
                        live,
                    });
                }
            }
        }
        Ok(ListingsPage { listings, next })
    }

    pub async fn test_connection(&self) -> Result<(), ChannelError> {
        self.access_token(None).await?;
        let now = OffsetDateTime::now_utc();
        self.orders(&Window { after: now - time::Duration::days(1), before: now }, None).await.map(|_| ())
    }
}

/// Maps a `get_order_detail` order.
pub fn map_order(o: &Value, fallback: Currency) -> Result<Order, ChannelError> {
    let sn = o
        .get("order_sn")
        .and_then(Value::as_str)
        .ok_or_else(|| ChannelError::BadResponse("order without order_sn".into()))?;
    let currency: Currency = o.get("currency").and_then(Value::as_str).and_then(|c| c.parse().ok()).unwrap_or(fallback);
    let at = |k: &str| -> Result<OffsetDateTime, ChannelError> {
        let t = o.get(k).and_then(Value::as_i64).ok_or_else(|| ChannelError::BadResponse(format!("{sn}: {k}")))?;
        OffsetDateTime::from_unix_timestamp(t).map_err(|_| ChannelError::BadResponse(format!("{sn}: {k}")))
    };
    let created = at("create_time")?;
    let updated = at("update_time").unwrap_or(created);
    let raw_status = s(o, "/order_status");
    let state = match raw_status.as_str() {
        "READY_TO_SHIP" | "PROCESSED" | "RETRY_SHIP" => OrderState::Unshipped,
        "SHIPPED" | "TO_CONFIRM_RECEIVE" | "TO_RETURN" => OrderState::Shipped,
        "COMPLETED" => OrderState::Delivered,
        "CANCELLED" => OrderState::Cancelled,
        _ => OrderState::Pending, // UNPAID, IN_CANCEL, INVOICE_PENDING, PENDING, anything new
    };
    let shipped = matches!(state, OrderState::Shipped | OrderState::Delivered);
    let mut lines = vec![];
    let mut lines_total = 0i64;
    for it in o.get("item_list").and_then(Value::as_array).into_iter().flatten() {
        let quantity = it.get("model_quantity_purchased").and_then(Value::as_i64).unwrap_or(0);
        if quantity < 0 {
            return Err(ChannelError::BadResponse(format!("{sn}: negative quantity")));
        }
        let unit = crate::required_minor(it, "/model_discounted_price", currency)?;
        lines_total += unit * quantity;
        let sku = [s(it, "/model_sku"), s(it, "/item_sku")].into_iter().find(|x| !x.is_empty()).unwrap_or_default();
        lines.push(OrderLine {
            external_id: format!("{}:{}", number_text(it.get("item_id")), number_text(it.get("model_id"))),
            sku,
            title: s(it, "/item_name"),
            quantity,
            quantity_shipped: if shipped { quantity } else { 0 },
            unit_price_minor: unit,
            tax_minor: 0,
        });
    }
    let total = crate::required_minor(o, "/total_amount", currency)?;
    let (subtotal, shipping) = if total >= lines_total { (lines_total, total - lines_total) } else { (total, 0) };
    let ship_to = o.get("recipient_address").filter(|a| a.is_object()).map(|a| Address {
        name: s(a, "/name"),
        line1: s(a, "/full_address"),
        line2: [s(a, "/town"), s(a, "/district")].into_iter().filter(|x| !x.is_empty()).collect::<Vec<_>>().join(", "),
        city: s(a, "/city"),
        region: s(a, "/state"),
        postal_code: s(a, "/zipcode"),
        country: s(a, "/region"),
        phone: s(a, "/phone"),
    });
    let region = s(o, "/region");
    Ok(Order {
        external_id: sn.to_string(),
        number: sn.to_string(),
        raw_status,
        state,
        ordered_at: created,
        ordered_offset: region_offset(&region).to_string(),
        updated_at: updated,
        currency,
        subtotal_minor: subtotal,
        tax_minor: 0,
        shipping_minor: shipping,
        total_minor: total,
        lines,
        buyer_name: ship_to
            .as_ref()
            .map(|a| a.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| s(o, "/buyer_username")),
        ship_to,
        raw: o.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_documented_base_strings() {
        // base strings from Shopee's "API calls" guide; signs computed with HMAC-SHA256 for key test_partner_key
        let shop = "2001887/api/v2/shop/get_shop_info165571443159777174636562737266615546704c6d14701711";
        assert_eq!(sign("test_partner_key", shop), "9fdae5aeed86e753249982ec04aa54339280f12d3f456b9e3f7d8ee91e66a2b3");
        let public = "2001887/api/v2/public/get_shops_by_partner1655714431";
        assert_eq!(
            sign("test_partner_key", public),
            "bfd95b21eda3ed2c80e9373e8c0ce80bdc39b2dc02e4c6dc19e1413c75f8ab09"
        );
    }

    #[test]
    fn the_documented_order_detail_maps() {
        let o = serde_json::json!({
            "order_sn":"2404098R48U37H","region":"VN","currency":"VND","cod":true,"order_status":"COMPLETED",
            "create_time":1712601591,"update_time":1713139948,"pay_time":1712817766,"buyer_username":"xt4fdsf96j",
            "total_amount":32119,"estimated_shipping_fee":5000,
            "recipient_address":{"name":"P******n","phone":"******64","town":"","district":"Xã Phong Thạnh Tây B",
               "city":"Huyện Phước Long","state":"Bạc Liêu","region":"VN","zipcode":"","full_address":"Ấp******"},
            "item_list":[{"item_id":23620853561_i64,"item_name":"Papaya soap","item_sku":"","model_id":221404189791_i64,
               "model_name":"60g","model_sku":"QAZ-SADOER-05","model_quantity_purchased":1,
               "model_original_price":300000,"model_discounted_price":48000,"order_item_id":23620853561_i64}]
        });
        let r = map_order(&o, Currency::SGD).unwrap();
        assert_eq!(r.currency.code(), "VND");
        assert_eq!(r.state, OrderState::Delivered);
        assert_eq!(r.ordered_offset, "+07:00");
        assert_eq!(r.lines[0].sku, "QAZ-SADOER-05");
        assert_eq!(r.lines[0].external_id, "23620853561:221404189791");
        // a promotion took the total below the items: no negative shipping
        assert_eq!((r.total_minor, r.subtotal_minor, r.shipping_minor), (32119, 32119, 0));
        assert_eq!(r.ship_to.unwrap().country, "VN");
    }
}
