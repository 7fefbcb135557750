//! Pricing commands: settings (exchange rates, channel fee schedules, tax,
//! logistics, rules), reprice runs with their review and apply, the pricing
//! matrix, "why this price" and promotions.

use crate::dto::{MoneyDto, Page};
use crate::{ApiError, ApiResult};
use mercator_core::{Currency, ErrorCode, ErrorPayload, Money};
use mercator_pricing::{Context, Globals, Market, PromoQuote, Promotion, Quote};
use mercator_store::pricing::Proposal;
use mercator_store::Store;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FxRateDto {
    pub currency: String,
    /// Units of the currency per 1 EUR (decimal text).
    pub per_eur: String,
    pub as_of: String,
    pub source: String,
    pub age_days: i64,
    /// Older than the shop's limit (`Globals::max_rate_age_days`).
    pub stale: bool,
}

/// One channel account's pricing settings in force today.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PolicyDto {
    pub channel_id: String,
    pub channel_name: String,
    pub channel_kind: String,
    pub country: String,
    pub currency: String,
    /// The currency's minor-unit digits (ISO 4217): which price endings fit.
    pub exponent: u32,
    /// None: the channel has no settings yet (it cannot be priced).
    pub effective_from: Option<String>,
    pub revision: i64,
    pub market: Option<crate::pricing_types::Market>,
    /// Dates of every version, newest first.
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PricingOverview {
    pub globals: crate::pricing_types::Globals,
    pub rates: Vec<FxRateDto>,
    pub channels: Vec<PolicyDto>,
    /// Listings the last reprice run would change.
    pub changes: i64,
    /// Variant x channel pairs the last run could not price.
    pub cannot_price: i64,
    /// Proposals of the last run (0: never run).
    pub proposals: i64,
}

pub async fn overview(store: &Store) -> ApiResult<PricingOverview> {
    let globals = store.pricing_globals().await?;
    let today = mercator_store::pricing::today();
    let rates = store
        .fx_rates()
        .await?
        .into_iter()
        .map(|r| {
            let age = time::Date::parse(&r.as_of, time::macros::format_description!("[year]-[month]-[day]"))
                .map_or(0, |d| (today - d).whole_days());
            FxRateDto {
                stale: age > i64::from(globals.max_rate_age_days),
                currency: r.currency,
                per_eur: r.per_eur,
                as_of: r.as_of,
                source: r.source,
                age_days: age,
            }
        })
        .collect();
    let policies = store.policies(today).await?;
    let mut channels = vec![];
    for mercator_store::catalog::ChannelRow { id, kind, name, market, currency, .. } in store.channels().await? {
        let p = policies.iter().find(|p| p.channel_id == id);
        channels.push(PolicyDto {
            versions: store.policy_versions(&id).await?.into_iter().map(|v| v.effective_from).collect(),
            channel_id: id,
            channel_name: name,
            channel_kind: kind,
            country: market,
            exponent: currency.parse::<Currency>().map_or(2, |c| c.exponent()),
            currency,
            effective_from: p.map(|p| p.effective_from.clone()),
            revision: p.map_or(0, |p| p.revision),
            market: p.map(|p| p.market.clone().into()),
        });
    }
    let mercator_store::pricing::ProposalCounts { changes, cannot_price, proposals } = store.proposal_counts().await?;
    Ok(PricingOverview { globals: globals.into(), rates, channels, changes, cannot_price, proposals })
}

pub async fn save_globals(store: &Store, globals: &Globals) -> ApiResult<()> {
    Ok(store.set_pricing_globals(globals).await?)
}

pub async fn set_fx_rate(store: &Store, currency: &str, per_eur: &str, as_of: &str) -> ApiResult<()> {
    Ok(store.set_fx_rate(currency, per_eur, as_of).await?)
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EcbImportResult {
    pub days: i64,
    pub rates: i64,
    /// Latest date in the file.
    pub date: String,
    /// Currency codes in the file that Mercator does not know.
    pub skipped: Vec<String>,
}

/// Imports an ECB reference-rate file (daily or history). The whole file is
/// validated first: a malformed one changes nothing.
pub async fn import_ecb(store: &Store, bytes: &[u8]) -> ApiResult<EcbImportResult> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::new(ErrorCode::EcbMalformed).arg("detail", "not UTF-8 text"))?;
    let days = mercator_pricing::parse_ecb(text).map_err(ApiError)?;
    let rates = store.import_ecb(&days).await?;
    let mut skipped: Vec<String> = days.iter().flat_map(|d| d.skipped.iter().cloned()).collect();
    skipped.sort();
    skipped.dedup();
    Ok(EcbImportResult {
        days: days.len() as i64,
        rates: rates as i64,
        date: days.iter().map(|d| d.date).max().map(|d| d.to_string()).unwrap_or_default(),
        skipped,
    })
}

/// Where the ECB publishes today's reference rates.
pub const ECB_DAILY_URL: &str = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml";

/// Fetches today's ECB reference rates and imports them (all or nothing).
/// `MERCATOR_ECB_URL` points it elsewhere (tests, proxies).
pub async fn fetch_ecb(store: &Store) -> ApiResult<EcbImportResult> {
    let url = std::env::var("MERCATOR_ECB_URL").unwrap_or_else(|_| ECB_DAILY_URL.to_string());
    let failed = |detail: String| ApiError::new(ErrorCode::EcbFetchFailed).arg("url", &url).arg("detail", detail);
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .user_agent(concat!("Mercator/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| failed(e.to_string()))?;
    let resp = client.get(&url).send().await.map_err(|e| failed(e.to_string()))?;
    if !resp.status().is_success() {
        return Err(failed(format!("HTTP {}", resp.status().as_u16())));
    }
    let bytes = resp.bytes().await.map_err(|e| failed(e.to_string()))?;
    if bytes.len() > 5 * 1024 * 1024 {
        return Err(failed("response too large".into()));
    }
    import_ecb(store, &bytes).await
}

pub async fn save_policy(
    store: &Store,
    channel_id: &str,
    effective_from: &str,
    market: &Market,
    expected_revision: i64,
) -> ApiResult<i64> {
    Ok(store.save_policy(channel_id, effective_from, market, expected_revision).await?)
}

/// The preset settings for a channel (to start over from).
pub async fn preset_policy(store: &Store, channel_id: &str) -> ApiResult<Market> {
    let mercator_store::catalog::ChannelRow { kind, name, market, currency, .. } = store.channel(channel_id).await?;
    Ok(mercator_pricing::presets::market(&kind, &name, &market, &currency))
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RepriceResult {
    pub run_id: String,
    pub priced: i64,
    pub cannot_price: i64,
    /// Listings whose price would change.
    pub changes: i64,
    /// The engine's time for every price (all cores).
    pub compute_ms: i64,
    /// Turning the results into rows and storing them in one transaction.
    pub persist_ms: i64,
}

/// Prices every variant on every channel account with settings, and stores
/// the results as proposals for review (nothing changes on listings yet).
pub async fn reprice(store: &Store) -> ApiResult<RepriceResult> {
    let today = mercator_store::pricing::today();
    let globals = store.pricing_globals().await?;
    let fx = store.fx_table().await?;
    let policies = store.policies(today).await?;
    let items = store.pricing_items(None).await?;
    let listed = store.listing_prices().await?;
    let markets: Vec<Market> = policies.iter().map(|p| p.market.clone()).collect();
    let only_items: Vec<mercator_pricing::Item> = items.iter().map(|(_, i)| i.clone()).collect();
    // the current price of each (item, market) pair that is listed
    let mut by_channel: HashMap<&str, HashMap<&str, i64>> = HashMap::new();
    for ((v, c), p) in &listed {
        by_channel.entry(c.as_str()).or_default().insert(v.as_str(), *p);
    }
    let current: Vec<Vec<Option<i64>>> = items
        .iter()
        .map(|(vid, _)| {
            policies
                .iter()
                .map(|p| by_channel.get(p.channel_id.as_str()).and_then(|m| m.get(vid.as_str())).copied())
                .collect()
        })
        .collect();
    let t = std::time::Instant::now();
    // CPU-bound on all cores: off the async workers
    let results = tokio::task::spawn_blocking(move || {
        let ctx = Context { fx: &fx, globals: &globals, today };
        mercator_pricing::price_all(&ctx, &only_items, &markets, &|i, m| current[i][m])
    })
    .await
    .map_err(|e| ApiError::new(ErrorCode::Internal).arg("detail", e))?;
    let compute_ms = i64::try_from(t.elapsed().as_millis()).unwrap_or(i64::MAX);
    let t = std::time::Instant::now();
    let markets_n = policies.len().max(1);
    let mut proposals = Vec::with_capacity(results.len());
    let mut cannot = 0;
    for (i, r) in results.into_iter().enumerate() {
        let (variant_id, _) = &items[i / markets_n];
        let p = &policies[i % markets_n];
        if r.is_err() {
            cannot += 1;
        }
        let current_margin_bp = r.as_ref().ok().and_then(|(_, now)| now.map(|n| n.margin_bp));
        proposals.push(Proposal {
            variant_id: variant_id.clone(),
            channel_id: p.channel_id.clone(),
            currency: p.market.currency,
            result: r.map(|(x, _)| (x.price_minor, x.profit_minor, x.margin_bp)),
            current_margin_bp,
        });
    }
    let run_id = mercator_core::new_id();
    store.save_proposals(&run_id, &proposals).await?;
    let persist_ms = i64::try_from(t.elapsed().as_millis()).unwrap_or(i64::MAX);
    let changes = store.proposal_counts().await?.changes;
    Ok(RepriceResult {
        run_id,
        priced: (proposals.len() - cannot) as i64,
        cannot_price: cannot as i64,
        changes,
        compute_ms,
        persist_ms,
    })
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MatrixCellDto {
    pub channel_id: String,
    pub price: Option<MoneyDto>,
    pub profit: Option<MoneyDto>,
    pub margin_bp: Option<i64>,
    /// Why it cannot be priced.
    #[ts(type = "ErrorPayload | null")]
    pub problem: Option<ErrorPayload>,
    /// The listing's current price, when listed on this channel.
    pub current: Option<MoneyDto>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MatrixRowDto {
    pub variant_id: String,
    pub sku: String,
    pub title: String,
    /// One per channel, in the order of `PricingOverview::channels`.
    pub cells: Vec<Option<MatrixCellDto>>,
}

/// What the pricing matrix is narrowed to and sorted by (the UI's form).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct MatrixFilter {
    /// SKU or title text (catalog search).
    pub query: Option<String>,
    /// Only variants that cannot be priced somewhere.
    pub problems_only: bool,
    /// Only variants whose margin is below this (basis points) somewhere.
    pub margin_below_bp: Option<i64>,
    /// Sort by the margin on this channel (else by SKU).
    pub sort_channel: Option<String>,
    pub desc: bool,
}

impl From<&MatrixFilter> for mercator_store::pricing::MatrixFilter {
    fn from(f: &MatrixFilter) -> Self {
        let f = f.clone();
        mercator_store::pricing::MatrixFilter {
            query: f.query,
            problems_only: f.problems_only,
            margin_below_bp: f.margin_below_bp,
            sort_channel: f.sort_channel,
            desc: f.desc,
        }
    }
}

pub async fn matrix(
    store: &Store,
    lang: &str,
    filter: &MatrixFilter,
    offset: i64,
    limit: i64,
) -> ApiResult<Page<MatrixRowDto>> {
    let (offset, limit) = crate::ops::page_bounds(offset, limit)?;
    let channels: Vec<String> = store.channels().await?.into_iter().map(|c| c.id).collect();
    let (rows, total) = store.matrix_page(lang, &filter.into(), offset, limit).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.variant_id.clone()).collect();
    let mut by: HashMap<(String, String), mercator_store::pricing::ProposalRow> = HashMap::new();
    for p in store.proposals_for(&ids).await? {
        by.insert((p.variant_id.clone(), p.channel_id.clone()), p);
    }
    let items = rows
        .into_iter()
        .map(|r| {
            let cells = channels
                .iter()
                .map(|ch| {
                    by.remove(&(r.variant_id.clone(), ch.clone())).map(|p| MatrixCellDto {
                        channel_id: ch.clone(),
                        price: p.price().map(MoneyDto::of),
                        profit: p.profit().map(MoneyDto::of),
                        margin_bp: p.margin_bp,
                        problem: p.problem.as_deref().and_then(|s| serde_json::from_str(s).ok()),
                        current: p.current().map(MoneyDto::of),
                    })
                })
                .collect();
            MatrixRowDto { variant_id: r.variant_id, sku: r.sku, title: r.title, cells }
        })
        .collect();
    Ok(Page { items, offset, total, exact: true })
}

async fn inputs(
    store: &Store,
    variant_id: &str,
    channel_id: &str,
) -> ApiResult<(mercator_pricing::Item, Market, mercator_pricing::FxTable, Globals)> {
    let today = mercator_store::pricing::today();
    let item = store
        .pricing_items(Some(&[variant_id.to_string()]))
        .await?
        .into_iter()
        .next()
        .map(|(_, i)| i)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound).arg("what", format!("variant {variant_id}")))?;
    let market = match store.policies(today).await?.into_iter().find(|p| p.channel_id == channel_id) {
        Some(p) => p.market,
        None => {
            let name = store.channel(channel_id).await?.name;
            return Err(ApiError::new(ErrorCode::PriceNoMarket).arg("channel", name));
        }
    };
    Ok((item, market, store.fx_table().await?, store.pricing_globals().await?))
}

fn parse_price(text: &str, currency: Currency) -> ApiResult<Money> {
    let m = Money::parse(text, currency).map_err(ApiError)?;
    if m.minor() <= 0 {
        return Err(ApiError::new(ErrorCode::PricingInputInvalid).arg("field", "price").arg("detail", "negative"));
    }
    Ok(m)
}

/// A promotion as the user types it: its kind and the text in its box (a
/// percentage, or an amount in the listing's currency), parsed here.
#[derive(Debug, Clone, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PromotionInput {
    /// `percentOff`, `amountOff` or `freeShippingOver`.
    pub kind: String,
    pub value: String,
}

fn promotion_of(input: &PromotionInput, currency: Currency) -> ApiResult<Promotion> {
    let range = |field: &str| ApiError::new(ErrorCode::PricingInputInvalid).arg("field", field).arg("detail", "range");
    match input.kind.as_str() {
        "percentOff" => {
            let pct = mercator_core::decimal::parse_decimal(&input.value, mercator_core::decimal::DecimalRules::USER)
                .map_err(|_| range("percent"))?;
            if pct <= Decimal::ZERO || pct >= Decimal::ONE_HUNDRED {
                return Err(range("percent"));
            }
            Ok(Promotion::PercentOff { rate: pct / Decimal::ONE_HUNDRED })
        }
        "amountOff" => Ok(Promotion::AmountOff { amount: Money::parse(&input.value, currency).map_err(ApiError)? }),
        "freeShippingOver" => {
            Ok(Promotion::FreeShippingOver { threshold: Money::parse(&input.value, currency).map_err(ApiError)? })
        }
        _ => Err(range("kind")),
    }
}

/// Settings as the form sends them (JSON): amounts arrive as the text typed
/// (`{amount, currency}`) and are parsed by the one decimal parser for the
/// currency's decimals; a bad one is refused naming where it is.
pub fn market_from_json(value: serde_json::Value) -> ApiResult<Market> {
    serde_path_to_error::deserialize::<_, crate::pricing_types::Market>(value).map(Into::into).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner().to_string();
        // a money error carries its payload as JSON; other shapes are the form's bug
        let payload = inner
            .find('{')
            .and_then(|i| serde_json::from_str::<mercator_core::ErrorPayload>(&inner[i..=inner.rfind('}')?]).ok());
        match payload {
            Some(p) => ApiError(p).arg("field", field),
            None => ApiError::new(ErrorCode::PricingInputInvalid).arg("field", field).arg("detail", "format"),
        }
    })
}

/// "Why this price": the computed price for a variant on a channel with
/// every step; with `price`, the profit and margin at that price instead.
pub async fn explain(store: &Store, variant_id: &str, channel_id: &str, price: Option<&str>) -> ApiResult<Quote> {
    let (item, market, fx, globals) = inputs(store, variant_id, channel_id).await?;
    let ctx = Context { fx: &fx, globals: &globals, today: mercator_store::pricing::today() };
    match price {
        Some(p) => {
            let money = parse_price(p, market.currency)?;
            mercator_pricing::evaluate(&ctx, &item, &market, money, true).map_err(ApiError)
        }
        None => mercator_pricing::price(&ctx, &item, &market, true).map_err(ApiError),
    }
}

/// A promotion's effect on a listing at `price`.
pub async fn simulate_promotion(
    store: &Store,
    variant_id: &str,
    channel_id: &str,
    price: &str,
    promotion: &PromotionInput,
) -> ApiResult<PromoQuote> {
    let (item, market, fx, globals) = inputs(store, variant_id, channel_id).await?;
    let ctx = Context { fx: &fx, globals: &globals, today: mercator_store::pricing::today() };
    let money = parse_price(price, market.currency)?;
    let promotion = promotion_of(promotion, market.currency)?;
    mercator_pricing::promote(&ctx, &item, &market, money, &promotion).map_err(ApiError)
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PriceChangeDto {
    pub listing_id: String,
    pub sku: String,
    pub channel_name: String,
    pub current: MoneyDto,
    pub proposed: MoneyDto,
    pub margin_bp: Option<i64>,
    /// The margin at the current price.
    pub current_margin_bp: Option<i64>,
    pub status: String,
}

/// The changes the last run proposes, of one channel or all (what "apply"
/// with the same channel would write).
pub async fn price_changes(
    store: &Store,
    channel_id: Option<&str>,
    offset: i64,
    limit: i64,
) -> ApiResult<Page<PriceChangeDto>> {
    let (offset, limit) = crate::ops::page_bounds(offset, limit)?;
    let total = store.price_change_count(channel_id).await?;
    let items = store
        .price_changes(channel_id, offset, limit)
        .await?
        .into_iter()
        .map(|r| PriceChangeDto {
            current: MoneyDto::of(r.current()),
            proposed: MoneyDto::of(r.proposed()),
            listing_id: r.listing_id,
            sku: r.sku,
            channel_name: r.channel_name,
            margin_bp: r.margin_bp,
            current_margin_bp: r.current_margin_bp,
            status: r.status,
        })
        .collect();
    Ok(Page { items, offset, total, exact: true })
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApplyPricesResult {
    /// Undoes the whole apply.
    pub op_id: String,
    pub changed: i64,
}

pub async fn apply_prices(store: &Store, channel_id: Option<&str>) -> ApiResult<ApplyPricesResult> {
    let (op_id, changed) = store.apply_prices(channel_id).await?;
    Ok(ApplyPricesResult { op_id, changed })
}
