//! Pricing commands: each unpacks state and calls `mercator_api::pricing`.

use crate::state::AppState;
use mercator_api::pricing::MatrixFilter;
use mercator_api::pricing::{
    self, ApplyPricesResult, EcbImportResult, MatrixRowDto, PriceChangeDto, PricingOverview, RepriceResult,
};
use mercator_api::pricing_types::{Globals, Market, PromoQuote, Quote};
use mercator_api::{ApiError, ApiResult, Page};
use mercator_core::ErrorCode;
use tauri::State;

type S<'a> = State<'a, AppState>;

#[tauri::command]
pub async fn pricing_overview(state: S<'_>) -> ApiResult<PricingOverview> {
    pricing::overview(state.store().await?.as_ref()).await
}

#[tauri::command]
pub async fn save_pricing_globals(state: S<'_>, globals: Globals) -> ApiResult<()> {
    pricing::save_globals(state.store().await?.as_ref(), &globals.into()).await
}

#[tauri::command]
pub async fn set_fx_rate(state: S<'_>, currency: String, per_eur: String, as_of: String) -> ApiResult<()> {
    pricing::set_fx_rate(state.store().await?.as_ref(), &currency, &per_eur, &as_of).await
}

#[tauri::command]
pub async fn import_ecb(state: S<'_>, request: tauri::ipc::Request<'_>) -> ApiResult<EcbImportResult> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(ApiError::new(ErrorCode::EcbMalformed).arg("detail", "no file"));
    };
    pricing::import_ecb(state.store().await?.as_ref(), bytes).await
}

#[tauri::command]
pub async fn fetch_ecb(state: S<'_>) -> ApiResult<EcbImportResult> {
    pricing::fetch_ecb(state.store().await?.as_ref()).await
}

#[tauri::command]
pub async fn save_policy(
    state: S<'_>,
    channel_id: String,
    effective_from: String,
    market: serde_json::Value,
    expected_revision: i64,
) -> ApiResult<i64> {
    let market = pricing::market_from_json(market)?;
    pricing::save_policy(state.store().await?.as_ref(), &channel_id, &effective_from, &market, expected_revision).await
}

#[tauri::command]
pub async fn preset_policy(state: S<'_>, channel_id: String) -> ApiResult<Market> {
    pricing::preset_policy(state.store().await?.as_ref(), &channel_id).await.map(Into::into)
}

#[tauri::command]
pub async fn reprice(state: S<'_>) -> ApiResult<RepriceResult> {
    pricing::reprice(state.store().await?.as_ref()).await
}

#[tauri::command]
pub async fn pricing_matrix(
    state: S<'_>,
    lang: String,
    filter: MatrixFilter,
    offset: i64,
    limit: i64,
) -> ApiResult<Page<MatrixRowDto>> {
    pricing::matrix(state.store().await?.as_ref(), &lang, &filter, offset, limit).await
}

#[tauri::command]
pub async fn explain_price(
    state: S<'_>,
    variant_id: String,
    channel_id: String,
    price: Option<String>,
) -> ApiResult<Quote> {
    pricing::explain(state.store().await?.as_ref(), &variant_id, &channel_id, price.as_deref()).await.map(Into::into)
}

#[tauri::command]
pub async fn simulate_promotion(
    state: S<'_>,
    variant_id: String,
    channel_id: String,
    price: String,
    promotion: pricing::PromotionInput,
) -> ApiResult<PromoQuote> {
    pricing::simulate_promotion(state.store().await?.as_ref(), &variant_id, &channel_id, &price, &promotion)
        .await
        .map(Into::into)
}

#[tauri::command]
pub async fn price_changes(
    state: S<'_>,
    channel_id: Option<String>,
    offset: i64,
    limit: i64,
) -> ApiResult<Page<PriceChangeDto>> {
    pricing::price_changes(state.store().await?.as_ref(), channel_id.as_deref(), offset, limit).await
}

#[tauri::command]
pub async fn apply_prices(state: S<'_>, channel_id: Option<String>) -> ApiResult<ApplyPricesResult> {
    let engine = state.engine().await?;
    let r = pricing::apply_prices(engine.store(), channel_id.as_deref()).await?;
    // the new prices go out now, not at the next tick (up to a minute later)
    engine.send_soon();
    Ok(r)
}
