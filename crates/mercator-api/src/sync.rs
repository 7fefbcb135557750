//! Order sync: pulls each account's orders incrementally from a stored
//! cursor with an overlap window, page by page; each page is stored with the
//! position it reached in one transaction, so a crash or a restart resumes
//! where it stopped and nothing is lost or duplicated.

use crate::{ApiError, ApiResult};
use mercator_channels::amazon::{Amazon, AmazonAccount, AmazonSecrets};
use mercator_channels::http::RetryPolicy;
use mercator_channels::shopee::{Shopee, ShopeeAccount, ShopeeSecrets, TokenSink};
use mercator_channels::shopify::{Shopify, ShopifyAccount, ShopifySecrets};
use mercator_channels::woocommerce::{WooAccount, WooCommerce, WooSecrets};
use mercator_channels::{fmt_time, parse_time, ChannelError, OrdersPage, Window};
use mercator_core::{ErrorCode, ErrorPayload};
use mercator_store::sync::Position;
use mercator_store::Store;
use mercator_vault::{Secret, Vault};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use time::{Duration, OffsetDateTime};
use ts_rs::TS;

/// A connected account, speaking its channel's protocol.
pub enum Connector {
    Amazon(Amazon),
    Shopee(Shopee),
    Shopify(Shopify),
    Woo(WooCommerce),
}

impl Connector {
    pub async fn fetch(&self, w: &Window, token: Option<&str>) -> Result<OrdersPage, ChannelError> {
        match self {
            Connector::Amazon(a) => a.search_orders(w, token).await,
            Connector::Shopee(c) => c.orders(w, token).await,
            Connector::Shopify(c) => c.orders(w, token).await,
            Connector::Woo(c) => c.orders(w, token).await,
        }
    }

    /// One order again by its channel id (an order set aside as unreadable).
    pub async fn refetch(&self, external_id: &str) -> Result<OrdersPage, ChannelError> {
        match self {
            Connector::Amazon(a) => a.order(external_id).await,
            Connector::Shopee(c) => c.order(external_id).await,
            Connector::Shopify(c) => c.order(external_id).await,
            Connector::Woo(c) => c.order(external_id).await,
        }
    }

    pub async fn test(&self) -> Result<(), ChannelError> {
        match self {
            Connector::Amazon(a) => a.test_connection().await,
            Connector::Shopee(c) => c.test_connection().await,
            Connector::Shopify(c) => c.test_connection().await,
            Connector::Woo(c) => c.test_connection().await,
        }
    }

    /// How far back each run reaches before the cursor: Amazon shows some
    /// orders late, so its window overlaps by two hours.
    pub fn overlap(&self) -> Duration {
        match self {
            Connector::Amazon(_) => Duration::hours(2),
            Connector::Shopee(_) | Connector::Shopify(_) | Connector::Woo(_) => Duration::minutes(10),
        }
    }

    /// How far behind now a window ends (the channels' own indexing lag).
    pub fn lag(&self) -> Duration {
        match self {
            Connector::Amazon(_) => Duration::minutes(2),
            Connector::Shopee(_) | Connector::Shopify(_) | Connector::Woo(_) => Duration::seconds(30),
        }
    }
}

/// The first run of an account reaches this far back.
pub const FIRST_RUN_DAYS: i64 = 30;

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub pages: i64,
    pub fetched: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    /// Orders that could not be read and were set aside (shown in Orders).
    pub unreadable: i64,
    /// Orders set aside earlier that could be read this time.
    pub recovered: i64,
    /// The run finished its window (false: it stopped and will continue).
    pub complete: bool,
    /// Chat messages stored by the run (Shopee seller chat, read with the
    /// same connection and token after the orders).
    pub chat_messages: i64,
}

fn channel_err(e: &ChannelError) -> ApiError {
    ApiError(ErrorPayload::from(e))
}

/// Pulls an account's orders with `c` until the window is done or an error
/// stops it (the position is kept; the error is logged and returned).
/// `progress` hears after each page.
pub async fn pull_with(
    store: &Store,
    channel_id: &str,
    c: &Connector,
    now: OffsetDateTime,
    progress: &(dyn Fn(&RunReport) + Send + Sync),
) -> ApiResult<RunReport> {
    pull_with_budget(store, channel_id, c, now, progress, RUN_BUDGET).await
}

/// How long one run of one account may take: a host that accepts and never
/// answers costs this account this much, and the others nothing (each
/// account runs on its own); the run stops between pages, or its page is
/// cut off, and the next run goes on from the saved page.
pub const RUN_BUDGET: std::time::Duration = std::time::Duration::from_secs(180);

/// One pull per account at a time in this process: a second (a click on
/// "Sync now" while the scheduler runs it) is refused, not interleaved.
fn pull_lock(store: &Store, channel_id: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    use std::sync::{Mutex, OnceLock};
    type Locks = Mutex<HashMap<(std::path::PathBuf, String), std::sync::Arc<tokio::sync::Mutex<()>>>>;
    static LOCKS: OnceLock<Locks> = OnceLock::new();
    let mut locks = LOCKS.get_or_init(Default::default).lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    locks.entry((store.db_path().to_path_buf(), channel_id.to_string())).or_default().clone()
}

/// [`pull_with`] within `budget`.
pub async fn pull_with_budget(
    store: &Store,
    channel_id: &str,
    c: &Connector,
    now: OffsetDateTime,
    progress: &(dyn Fn(&RunReport) + Send + Sync),
    budget: std::time::Duration,
) -> ApiResult<RunReport> {
    let lock = pull_lock(store, channel_id);
    let Ok(_running) = lock.try_lock() else {
        return Err(ApiError::new(ErrorCode::SyncRunning));
    };
    let started = std::time::Instant::now();
    let mut st = store.sync_state(channel_id).await?;
    if st.window_end.is_none() {
        let start = match st.cursor.as_deref().and_then(|c| parse_time(c).ok()) {
            Some(cursor) => cursor - c.overlap(),
            None => now - Duration::days(FIRST_RUN_DAYS),
        };
        st = store.begin_window(channel_id, &fmt_time(start), &fmt_time(now - c.lag())).await?;
    }
    let (Some(start), Some(end)) = (
        st.window_start.as_deref().and_then(|s| parse_time(s).ok()),
        st.window_end.as_deref().and_then(|s| parse_time(s).ok()),
    ) else {
        return Err(ApiError::new(ErrorCode::Internal).arg("detail", "sync window"));
    };
    let window = Window { after: start, before: end };
    let mut token = st.page_token.clone();
    let mut report = RunReport::default();
    let mut restarted = false;
    loop {
        let left = budget.saturating_sub(started.elapsed());
        if left.is_zero() {
            // out of time between pages: the next run goes on from here
            return Ok(report);
        }
        let fetched = match tokio::time::timeout(left, c.fetch(&window, token.as_deref())).await {
            Ok(r) => r,
            Err(_) => Err(ChannelError::NoAnswer(budget.as_millis().div_ceil(1000) as u64)),
        };
        let page = match fetched {
            Ok(p) => p,
            Err(ChannelError::Rejected(_)) if token.is_some() && !restarted => {
                // the channel no longer takes the saved page: start the window over (idempotent)
                store.restart_window(channel_id).await?;
                token = None;
                restarted = true;
                continue;
            }
            Err(e) => {
                let p = ErrorPayload::from(&e);
                store.record_sync_error(channel_id, &p).await?;
                return Err(channel_err(&e));
            }
        };
        // an order that cannot be read is set aside with why; the rest of the page goes on
        let position = match page.next.as_deref() {
            Some(t) => Position::Next(t),
            None => Position::End,
        };
        let outcome = store
            .apply_page_with(channel_id, &page.orders, &set_aside(&page), position, page.rate_limit.as_deref())
            .await?;
        report.unreadable += page.unreadable.len() as i64;
        report.pages += 1;
        report.fetched += page.orders.len() as i64;
        report.created += outcome.created;
        report.updated += outcome.updated;
        report.unchanged += outcome.unchanged;
        progress(&report);
        match page.next {
            Some(t) => token = Some(t),
            None => {
                report.complete = true;
                let left = budget.saturating_sub(started.elapsed());
                retry_unreadable(store, channel_id, c, &mut report, left).await?;
                return Ok(report);
            }
        }
    }
}

fn set_aside(page: &OrdersPage) -> Vec<(String, String)> {
    page.unreadable
        .iter()
        .map(|u| (u.external_id.clone(), serde_json::to_string(&ErrorPayload::from(&u.reason)).unwrap_or_default()))
        .collect()
}

/// Orders set aside on earlier runs, read again by id (20 a run, oldest
/// first): those that map now are stored; the others stay, with the newest
/// reason. A channel that cannot be asked just now leaves them for later.
async fn retry_unreadable(
    store: &Store,
    channel_id: &str,
    c: &Connector,
    report: &mut RunReport,
    budget: std::time::Duration,
) -> ApiResult<()> {
    let started = std::time::Instant::now();
    for u in store.unreadable_orders(Some(channel_id)).await?.into_iter().take(20) {
        if u.external_id == "?" {
            continue;
        }
        // within what is left of the run's budget; the rest waits for the next run
        let left = budget.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        let Ok(Ok(page)) = tokio::time::timeout(left, c.refetch(&u.external_id)).await else { continue };
        store.apply_page_with(channel_id, &page.orders, &set_aside(&page), Position::Keep, None).await?;
        report.recovered += page.orders.len() as i64;
    }
    Ok(())
}

/// An account's non-secret settings and secrets, by channel kind.
pub fn connector_from(
    kind: &str,
    config: &serde_json::Value,
    secrets: &BTreeMap<String, String>,
    policy: RetryPolicy,
) -> ApiResult<Connector> {
    connector_with_sink(kind, config, secrets, policy, None, None)
}

/// [`connector_from`], with where rotated tokens go (Shopee).
pub fn connector_with_sink(
    kind: &str,
    config: &serde_json::Value,
    secrets: &BTreeMap<String, String>,
    policy: RetryPolicy,
    sink: Option<TokenSink>,
    shared: Option<mercator_channels::shopee::SharedTokens>,
) -> ApiResult<Connector> {
    let cfg_err = |d: &str| ApiError::new(ErrorCode::ChannelConfig).arg("detail", d);
    let secret = |k: &str| secrets.get(k).filter(|v| !v.is_empty()).map(Secret::new).ok_or_else(|| cfg_err(k));
    match kind {
        "amazon" => {
            let account: AmazonAccount = serde_json::from_value(config.clone()).map_err(|e| cfg_err(&e.to_string()))?;
            let s = AmazonSecrets { client_secret: secret("client_secret")?, refresh_token: secret("refresh_token")? };
            Amazon::new(account, s, policy).map(Connector::Amazon).map_err(|e| channel_err(&e))
        }
        "shopee" => {
            let account: ShopeeAccount = serde_json::from_value(config.clone()).map_err(|e| cfg_err(&e.to_string()))?;
            let s = ShopeeSecrets {
                partner_key: secret("partner_key")?,
                refresh_token: secret("refresh_token")?,
                access_token: secrets.get("access_token").filter(|v| !v.is_empty()).map(Secret::new),
                access_expires_at: secrets.get("access_expires_at").and_then(|v| v.parse().ok()).unwrap_or(0),
            };
            let tokens = shared.unwrap_or_else(|| mercator_channels::shopee::TokenState::new(&s));
            Shopee::with_tokens(account, s.partner_key, tokens, sink, policy)
                .map(Connector::Shopee)
                .map_err(|e| channel_err(&e))
        }
        "shopify" => {
            let account: ShopifyAccount =
                serde_json::from_value(config.clone()).map_err(|e| cfg_err(&e.to_string()))?;
            let s = ShopifySecrets { access_token: secret("access_token")? };
            Shopify::new(account, s, policy).map(Connector::Shopify).map_err(|e| channel_err(&e))
        }
        "woocommerce" => {
            let account: WooAccount = serde_json::from_value(config.clone()).map_err(|e| cfg_err(&e.to_string()))?;
            let s = WooSecrets { consumer_key: secret("consumer_key")?, consumer_secret: secret("consumer_secret")? };
            WooCommerce::new(account, s, policy).map(Connector::Woo).map_err(|e| channel_err(&e))
        }
        other => Err(cfg_err(&format!("{other}: connector not available yet"))),
    }
}

async fn secrets_of(vault: &Vault, channel_id: &str) -> ApiResult<BTreeMap<String, String>> {
    let vault = vault.clone();
    let account = Vault::channel_account(channel_id);
    let secret = tokio::task::spawn_blocking(move || vault.get(&account))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal).arg("detail", e))??;
    serde_json::from_str(secret.expose())
        .map_err(|_| ApiError::new(ErrorCode::VaultBadSecret).arg("account", channel_id))
}

/// The connector of a stored account (settings from SQLite, secrets from the keyring).
pub async fn connector_for(store: &Store, vault: &Vault, channel_id: &str) -> ApiResult<Connector> {
    let (kind, config) = store.channel_config(channel_id).await?;
    let secrets = secrets_of(vault, channel_id).await?;
    // Shopee's refresh tokens are single use: each new pair goes straight back to the keyring
    let sink: TokenSink = {
        let (vault, account, base) = (vault.clone(), Vault::channel_account(channel_id), secrets.clone());
        std::sync::Arc::new(move |access: &str, refresh: &str, until: i64| {
            let mut s = base.clone();
            s.insert("access_token".into(), access.into());
            s.insert("refresh_token".into(), refresh.into());
            s.insert("access_expires_at".into(), until.to_string());
            let value = Secret::new(serde_json::to_string(&s).unwrap_or_default());
            vault.set(&account, &value).map_err(|e| e.to_string())
        })
    };
    let shared = (kind == "shopee").then(|| shopee_tokens(store, channel_id, &secrets));
    connector_with_sink(&kind, &config, &secrets, RetryPolicy::default(), Some(sink), shared.flatten())
}

/// The one token state of a Shopee account in this process, made from the
/// keyring's secrets the first time a connector of that account is built.
type TokenRegistry = std::sync::Mutex<HashMap<(std::path::PathBuf, String), mercator_channels::shopee::SharedTokens>>;

/// Every Shopee account's token state in the process, per (shop file, account).
fn token_registry() -> &'static TokenRegistry {
    static STATES: std::sync::OnceLock<TokenRegistry> = std::sync::OnceLock::new();
    STATES.get_or_init(Default::default)
}

/// Before a profile closes: waits (at most `budget`) for token refreshes in
/// flight, so a pair Shopee has rotated reaches the keyring before the
/// process goes (the old refresh token no longer works).
pub async fn settle_token_refreshes(store: &Store, budget: std::time::Duration) {
    let states: Vec<mercator_channels::shopee::SharedTokens> = {
        let states = token_registry().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        states.iter().filter(|((path, _), _)| path == store.db_path()).map(|(_, s)| s.clone()).collect()
    };
    let all = futures_util::future::join_all(states.iter().map(|s| s.settled()));
    if tokio::time::timeout(budget, all).await.is_err() {
        tracing::warn!("a Shopee token refresh was still running when the profile closed");
    }
}

fn shopee_tokens(
    store: &Store,
    channel_id: &str,
    secrets: &BTreeMap<String, String>,
) -> Option<mercator_channels::shopee::SharedTokens> {
    let s = ShopeeSecrets {
        partner_key: Secret::new(secrets.get("partner_key")?.clone()),
        refresh_token: Secret::new(secrets.get("refresh_token")?.clone()),
        access_token: secrets.get("access_token").filter(|v| !v.is_empty()).map(Secret::new),
        access_expires_at: secrets.get("access_expires_at").and_then(|v| v.parse().ok()).unwrap_or(0),
    };
    let mut states = token_registry().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let key = (store.db_path().to_path_buf(), channel_id.to_string());
    Some(states.entry(key).or_insert_with(|| mercator_channels::shopee::TokenState::new(&s)).clone())
}

/// After a run with `c`: a refreshed Shopee token that is not in the
/// keyring is the account's problem (a restart would need it), shown with
/// the account, not only logged.
pub async fn report_token_problem(store: &Store, channel_id: &str, c: &Connector) -> ApiResult<()> {
    if let Connector::Shopee(s) = c {
        if s.token_problem().await.is_some() {
            store.record_account_problem(channel_id, &ErrorPayload::new(ErrorCode::VaultTokenNotSaved)).await?;
        }
    }
    Ok(())
}

/// A new account: its secrets go to the OS keyring first, then the account
/// is stored (without them). Returns its id.
#[allow(clippy::too_many_arguments)] // one account's fields
pub async fn add_account(
    store: &Store,
    vault: &Vault,
    kind: &str,
    name: &str,
    market: &str,
    currency: &str,
    language: &str,
    config: &serde_json::Value,
    secrets: &BTreeMap<String, String>,
) -> ApiResult<String> {
    // refuse what cannot connect before anything is stored
    connector_from(kind, config, secrets, RetryPolicy::default())?;
    let id = store.add_channel(kind, name, market, currency, language).await?;
    let vault2 = vault.clone();
    let account = Vault::channel_account(&id);
    let value = Secret::new(serde_json::to_string(secrets).unwrap_or_default());
    let saved = tokio::task::spawn_blocking(move || vault2.set(&account, &value))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal).arg("detail", e))?;
    if let Err(e) = saved {
        store.remove_channel(&id).await?;
        return Err(e.into());
    }
    store.set_channel_config(&id, config).await?;
    Ok(id)
}

/// A channel account as Settings → Channels shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountDto {
    pub channel_id: String,
    pub kind: String,
    pub name: String,
    pub market: String,
    pub currency: String,
    /// Has connection settings (demo channels have none).
    pub connected: bool,
    /// The non-secret settings (endpoint, marketplace, store address).
    #[ts(type = "Record<string, unknown>")]
    pub config: serde_json::Value,
    pub paused: bool,
    pub interval_s: i64,
    pub cursor: Option<String>,
    /// A run stopped part-way and will continue from its saved page.
    pub in_progress: bool,
    pub last_run_at: Option<String>,
    pub last_ok_at: Option<String>,
    #[ts(type = "ErrorPayload | null")]
    pub last_error: Option<ErrorPayload>,
    pub rate_limit: Option<String>,
    /// Runs in a row that failed (an unreachable or failing channel).
    pub failures: i64,
    /// When the next try is, while it backs off after failures.
    pub retry_at: Option<String>,
    pub orders: i64,
    /// What this kind's connector does: `orders`, `inventory`, `listings`, `tracking`, `messages`.
    pub capabilities: Vec<String>,
}

pub async fn accounts(store: &Store) -> ApiResult<Vec<AccountDto>> {
    let mut out = vec![];
    for mercator_store::catalog::ChannelRow { id, kind, name, market, currency, .. } in store.channels().await? {
        let (_, config) = store.channel_config(&id).await?;
        let st = store.sync_state(&id).await?;
        let connected = config.as_object().is_some_and(|o| !o.is_empty());
        out.push(AccountDto {
            capabilities: mercator_channels::capabilities(&kind).iter().map(|c| c.as_str().to_string()).collect(),
            orders: store.order_count(&id).await?,
            channel_id: id,
            kind,
            name,
            market,
            currency,
            connected,
            config,
            paused: st.paused,
            interval_s: st.interval_s,
            cursor: st.cursor,
            in_progress: st.window_end.is_some(),
            last_run_at: st.last_run_at,
            last_ok_at: st.last_ok_at,
            last_error: st.last_error.as_deref().and_then(|e| serde_json::from_str(e).ok()),
            rate_limit: st.rate_limit,
            failures: st.failures,
            retry_at: st.retry_at,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncLogDto {
    pub at: String,
    pub kind: String,
    pub fetched: i64,
    pub created: i64,
    pub updated: i64,
    /// For errors: what failed and why.
    #[ts(type = "ErrorPayload | null")]
    pub error: Option<ErrorPayload>,
    pub rate_limit: Option<String>,
    /// Orders of this page that could not be read (set aside, shown in Orders).
    pub unreadable: Vec<String>,
}

pub async fn sync_log(store: &Store, channel_id: &str) -> ApiResult<Vec<SyncLogDto>> {
    Ok(store
        .sync_log(channel_id, 200)
        .await?
        .into_iter()
        .map(|r| {
            let detail: serde_json::Value =
                r.detail.as_deref().and_then(|d| serde_json::from_str(d).ok()).unwrap_or_default();
            SyncLogDto {
                error: (r.kind == "error" || r.kind == "fba-error")
                    .then(|| serde_json::from_value(detail.clone()).ok())
                    .flatten(),
                rate_limit: detail.get("rateLimit").and_then(|v| v.as_str()).map(str::to_string),
                unreadable: detail
                    .get("unreadable")
                    .and_then(|v| v.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                at: r.at,
                kind: r.kind,
                fetched: r.fetched,
                created: r.created,
                updated: r.updated,
            }
        })
        .collect())
}

/// Checks an account's credentials and that its orders can be read.
pub async fn test_account(store: &Store, vault: &Vault, channel_id: &str) -> ApiResult<()> {
    let c = connector_for(store, vault, channel_id).await?;
    c.test().await.map_err(|e| channel_err(&e))
}

/// Pulls an account now (the scheduler does the same on its interval).
pub async fn sync_now(
    store: &Store,
    vault: &Vault,
    channel_id: &str,
    progress: &(dyn Fn(&RunReport) + Send + Sync),
) -> ApiResult<RunReport> {
    sync_now_at(store, vault, channel_id, OffsetDateTime::now_utc(), progress).await
}

/// [`sync_now`] as of `now` (the engine's clock).
pub async fn sync_now_at(
    store: &Store,
    vault: &Vault,
    channel_id: &str,
    now: OffsetDateTime,
    progress: &(dyn Fn(&RunReport) + Send + Sync),
) -> ApiResult<RunReport> {
    let c = connector_for(store, vault, channel_id).await?;
    let report = pull_with(store, channel_id, &c, now, progress).await;
    if report.is_err() {
        report_token_problem(store, channel_id, &c).await?;
    }
    let mut report = report?;
    if let (Connector::Amazon(a), true) = (&c, report.complete) {
        fba_stock(store, channel_id, a).await;
    }
    // the chat with this connector: Shopee's refresh tokens are single use, a
    // second connection refreshing at the same time would spend the other's
    if let Connector::Shopee(sp) = &c {
        if crate::chat::chat_due(store, channel_id, now).await.unwrap_or(true) {
            match crate::chat::sync_chat(store, sp, channel_id, now).await {
                Ok(r) => report.chat_messages = i64::try_from(r.stored).unwrap_or(i64::MAX),
                Err(e) => tracing::info!(channel = %channel_id, error = %e, "chat not read"),
            }
        }
    }
    report_token_problem(store, channel_id, &c).await?;
    Ok(report)
}

/// What linking an account's listings did, for the accounts screen.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkReportDto {
    pub read: i64,
    pub linked: i64,
    pub updated: i64,
    /// Channel SKUs the catalog does not have (the first 20) and how many.
    pub unknown: Vec<String>,
    pub unknown_count: i64,
}

/// Reads every listing the account has on the channel (Amazon
/// `searchListingsItems`, Shopify `productVariants`, WooCommerce products,
/// Shopee items and models) and links them with the
/// catalog by SKU. Nothing is written unless every page was read.
pub async fn link_listings(store: &Store, vault: &Vault, channel_id: &str) -> ApiResult<LinkReportDto> {
    let c = connector_for(store, vault, channel_id).await?;
    link_listings_with(store, channel_id, &c).await
}

/// Pages of an account's listings read at most (Shopee: 100 items a page).
const MAX_LISTING_PAGES: usize = 5000;

pub async fn link_listings_with(store: &Store, channel_id: &str, c: &Connector) -> ApiResult<LinkReportDto> {
    let currency: mercator_core::Currency = store
        .channel(channel_id)
        .await?
        .currency
        .parse()
        .map_err(|_| ApiError::new(ErrorCode::ChannelConfig).arg("detail", "currency"))?;
    let mut all = vec![];
    let mut next: Option<String> = None;
    let mut complete = false;
    for _ in 0..MAX_LISTING_PAGES {
        let page = match c {
            Connector::Amazon(a) => a.listings(next.as_deref()).await,
            Connector::Shopify(s) => s.listings(next.as_deref()).await,
            Connector::Woo(w) => w.listings(next.as_deref()).await,
            Connector::Shopee(s) => s.listings(next.as_deref()).await,
        }
        .map_err(|e| channel_err(&e))?;
        all.extend(page.listings);
        next = page.next;
        if next.is_none() {
            complete = true;
            break;
        }
    }
    if !complete {
        // nothing is linked from a list read in part
        return Err(ApiError::new(ErrorCode::LinkListingsTooMany).arg("pages", MAX_LISTING_PAGES));
    }
    // one SKU sold twice (two models, a relisted item): the live one is linked
    all.sort_by_key(|l| !l.live);
    let items: Vec<(String, String, Option<i64>, bool)> = all
        .iter()
        .filter(|l| !l.sku.is_empty())
        .map(|l| {
            let price = l.price.as_deref().and_then(|p| mercator_channels::minor_of(p, currency).ok());
            (l.sku.clone(), l.external_id.clone(), price, l.live)
        })
        .collect();
    let r = store.link_listings(channel_id, &items).await?;
    Ok(LinkReportDto {
        read: all.len() as i64,
        linked: r.linked,
        updated: r.updated,
        unknown: r.unknown,
        unknown_count: r.unknown_count,
    })
}

/// After an Amazon account's orders: its FBA stock, logged either way; a
/// failure (an account without FBA, a missing role) does not fail the sync.
pub async fn fba_stock(store: &Store, channel_id: &str, a: &mercator_channels::amazon::Amazon) {
    let (kind, counts, detail) = match crate::inventory::import_fba(store, channel_id, a).await {
        Ok(r) => ("fba", (r.reported, r.matched, r.changed), serde_json::json!({ "unknown": r.unknown })),
        Err(e) => ("fba-error", (0, 0, 0), serde_json::to_value(&e).unwrap_or_default()),
    };
    if let Err(e) = store.log_sync_note(channel_id, kind, counts, &detail).await {
        tracing::warn!(error = %e, "could not log the FBA stock import");
    }
}

/// Days after shipment the buyer's personal data is kept (Amazon: 30).
pub const PII_RETENTION_DAYS: i64 = 30;

/// Deletes buyer data of orders shipped more than [`PII_RETENTION_DAYS`] ago.
pub async fn purge_buyer_data(store: &Store) -> ApiResult<i64> {
    purge_buyer_data_at(store, OffsetDateTime::now_utc()).await
}

/// [`purge_buyer_data`] as of `now` (the engine's clock).
pub async fn purge_buyer_data_at(store: &Store, now: OffsetDateTime) -> ApiResult<i64> {
    purge_buyer_data_before(store, now - Duration::days(PII_RETENTION_DAYS)).await
}

/// [`purge_buyer_data`] with the window ending at `cutoff`: the live
/// database (WAL checkpointed, deleted rows zeroed), the backups kept and
/// damaged copies set aside.
pub async fn purge_buyer_data_before(store: &Store, cutoff: OffsetDateTime) -> ApiResult<i64> {
    let n = store.purge_buyer_data(&fmt_time(cutoff)).await?;
    let copies = store.purge_copies(&fmt_time(cutoff)).await?;
    tracing::info!(
        orders = n,
        in_backups = copies.orders_purged,
        backups_deleted = copies.backups_deleted,
        broken_deleted = copies.broken_deleted,
        "buyer data purged"
    );
    Ok(n)
}

/// Accounts whose next run is due (connected, not paused, interval passed).
pub async fn due_accounts(store: &Store, now: OffsetDateTime) -> ApiResult<Vec<String>> {
    Ok(accounts(store)
        .await?
        .into_iter()
        .filter(|a| a.connected && !a.paused)
        // an account backing off after failures waits for its time
        .filter(|a| a.retry_at.as_deref().and_then(|t| parse_time(t).ok()).is_none_or(|at| now >= at))
        .filter(|a| {
            a.in_progress
                || a.last_run_at
                    .as_deref()
                    .and_then(|t| parse_time(t).ok())
                    .is_none_or(|last| now - last >= Duration::seconds(a.interval_s))
        })
        .map(|a| a.channel_id)
        .collect())
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AddressDto {
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
    pub phone: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrderLineDto {
    pub sku: String,
    pub title: String,
    pub quantity: i64,
    pub quantity_shipped: i64,
    pub unit_price: crate::MoneyDto,
    pub tax: crate::MoneyDto,
    /// The SKU is in the catalog.
    pub in_catalog: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetailDto {
    pub id: String,
    pub channel_name: String,
    pub external_id: String,
    pub order_number: String,
    pub status: String,
    pub raw_status: String,
    pub buyer_name: String,
    pub ship_country: String,
    /// None once purged (or never sent).
    pub ship_to: Option<AddressDto>,
    pub purged_at: Option<String>,
    pub subtotal: crate::MoneyDto,
    pub tax: crate::MoneyDto,
    pub shipping: crate::MoneyDto,
    pub total: crate::MoneyDto,
    pub ordered_at: String,
    /// The marketplace's UTC offset when it was placed (`+09:00`).
    pub ordered_offset: String,
    pub channel_updated_at: Option<String>,
    pub shipped_at: Option<String>,
    pub updated_at: String,
    /// The channel's payload, pretty-printed (shown as text).
    pub raw: Option<String>,
    pub lines: Vec<OrderLineDto>,
    /// Can be marked shipped now (unshipped or partly shipped).
    pub shippable: bool,
    pub shipments: Vec<crate::shipping::ShipmentDto>,
}

/// What the orders list is narrowed to (the UI's form). Empty: every order, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct OrderFilter {
    /// Order number (prefix) or buyer name (part).
    pub query: Option<String>,
    pub channel_id: Option<String>,
    /// The channel's market (ISO country).
    pub market: Option<String>,
    pub status: Option<String>,
    /// Ordered on or after / before this day (YYYY-MM-DD, UTC).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Orders with a line of this SKU (prefix).
    pub sku: Option<String>,
    /// Buyer country (ISO).
    pub country: Option<String>,
}

impl From<&OrderFilter> for mercator_store::sync::OrderFilter {
    fn from(f: &OrderFilter) -> Self {
        let f = f.clone();
        mercator_store::sync::OrderFilter {
            query: f.query,
            channel_id: f.channel_id,
            market: f.market,
            status: f.status,
            from: f.from,
            to: f.to,
            sku: f.sku,
            country: f.country,
        }
    }
}

pub async fn orders(
    store: &Store,
    filter: &OrderFilter,
    offset: i64,
    limit: i64,
) -> ApiResult<crate::Page<crate::OrderDto>> {
    let (offset, limit) = crate::ops::page_bounds(offset, limit)?;
    let (rows, total) = store.orders_filtered(&filter.into(), offset, limit).await?;
    let items = rows
        .into_iter()
        .map(|r| crate::OrderDto {
            total: crate::MoneyDto::of(r.total()),
            id: r.id,
            external_id: r.external_id,
            order_number: r.order_number,
            channel_name: r.channel_name,
            channel_kind: r.channel_kind,
            status: r.status,
            buyer_name: r.buyer_name,
            ship_country: r.ship_country,
            ordered_at: r.ordered_at,
            items: r.items,
        })
        .collect();
    Ok(crate::Page { items, offset, total, exact: true })
}

pub async fn order_detail(store: &Store, order_id: &str) -> ApiResult<OrderDetailDto> {
    let (o, lines) = store.order_detail(order_id).await?;
    let shipments = crate::shipping::shipments(store, order_id).await?;
    let m = |minor: i64| crate::MoneyDto::of(mercator_core::Money::from_minor(minor, o.currency));
    Ok(OrderDetailDto {
        ship_to: o.ship_to.as_deref().and_then(|s| serde_json::from_str::<mercator_channels::Address>(s).ok()).map(
            |a| AddressDto {
                name: a.name,
                line1: a.line1,
                line2: a.line2,
                city: a.city,
                region: a.region,
                postal_code: a.postal_code,
                country: a.country,
                phone: a.phone,
            },
        ),
        raw: o
            .raw
            .as_deref()
            .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok())
            .map(|v| serde_json::to_string_pretty(&v).unwrap_or_default()),
        subtotal: m(o.subtotal_minor),
        tax: m(o.tax_minor),
        shipping: m(o.shipping_minor),
        total: m(o.total_minor),
        lines: lines
            .into_iter()
            .map(|l| OrderLineDto {
                unit_price: m(l.unit_price_minor),
                tax: m(l.tax_minor),
                sku: l.sku,
                title: l.title,
                quantity: l.quantity,
                quantity_shipped: l.quantity_shipped,
                in_catalog: l.in_catalog,
            })
            .collect(),
        shippable: mercator_store::shipping::SHIPPABLE.contains(&o.status.as_str()),
        shipments,
        id: o.id,
        channel_name: o.channel_name,
        external_id: o.external_id,
        order_number: o.order_number,
        status: o.status,
        raw_status: o.raw_status,
        buyer_name: o.buyer_name,
        ship_country: o.ship_country,
        purged_at: o.pii_purged_at,
        ordered_at: o.ordered_at,
        ordered_offset: o.ordered_offset,
        channel_updated_at: o.channel_updated_at,
        shipped_at: o.shipped_at,
        updated_at: o.updated_at,
    })
}

/// An order a channel sent that could not be read, for Orders.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UnreadableOrderDto {
    pub channel_id: String,
    pub channel_name: String,
    /// The channel's id of the order.
    pub external_id: String,
    #[ts(type = "ErrorPayload")]
    pub reason: ErrorPayload,
    pub first_seen: String,
    pub last_seen: String,
    /// Times it was read and could not be.
    pub seen: i64,
}

/// Every order set aside as unreadable (they are read again on each sync).
pub async fn unreadable_orders(store: &Store) -> ApiResult<Vec<UnreadableOrderDto>> {
    let names: HashMap<String, String> = store.channels().await?.into_iter().map(|c| (c.id, c.name)).collect();
    Ok(store
        .unreadable_orders(None)
        .await?
        .into_iter()
        .map(|u| UnreadableOrderDto {
            channel_name: names.get(&u.channel_id).cloned().unwrap_or_default(),
            reason: serde_json::from_str(&u.reason)
                .unwrap_or_else(|_| ErrorPayload::new(ErrorCode::ChannelBadResponse).arg("detail", "")),
            channel_id: u.channel_id,
            external_id: u.external_id,
            first_seen: u.first_seen,
            last_seen: u.last_seen,
            seen: u.seen,
        })
        .collect())
}
