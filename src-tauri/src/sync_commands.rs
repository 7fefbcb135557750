//! Channel accounts, order sync, stock and shipping: commands over
//! `mercator_api`; background work goes through the profile's engine.

use crate::state::AppState;
use mercator_api::outbox::ConnectivityDto;
use mercator_api::sync::{self, AccountDto, RunReport, SyncLogDto};
use mercator_api::ApiResult;
use std::collections::BTreeMap;
use tauri::State;

type S<'a> = State<'a, AppState>;

#[tauri::command]
pub async fn connectivity(state: S<'_>) -> ApiResult<ConnectivityDto> {
    Ok(state.engine().await?.connectivity().await)
}

/// The window saw the network come back (or the user asked): try the
/// channels now instead of at the next tick.
#[tauri::command]
pub async fn resume_sync(state: S<'_>) -> ApiResult<()> {
    state.engine().await?.resume();
    Ok(())
}

#[tauri::command]
pub async fn list_accounts(state: S<'_>) -> ApiResult<Vec<AccountDto>> {
    sync::accounts(state.store().await?.as_ref()).await
}

#[tauri::command]
#[allow(clippy::too_many_arguments)] // one account's fields
pub async fn add_account(
    state: S<'_>,
    kind: String,
    name: String,
    market: String,
    currency: String,
    language: String,
    config: serde_json::Value,
    secrets: BTreeMap<String, String>,
) -> ApiResult<String> {
    let store = state.store().await?;
    sync::add_account(store.as_ref(), &state.vault, &kind, &name, &market, &currency, &language, &config, &secrets)
        .await
}

#[tauri::command]
pub async fn link_listings(state: S<'_>, channel_id: String) -> ApiResult<sync::LinkReportDto> {
    let engine = state.engine().await?;
    let r = sync::link_listings(engine.store(), &state.vault, &channel_id).await?;
    // the linked live listings get their quantities in this round
    engine.send_edits_soon();
    Ok(r)
}

#[tauri::command]
pub async fn test_account(state: S<'_>, channel_id: String) -> ApiResult<()> {
    sync::test_account(state.store().await?.as_ref(), &state.vault, &channel_id).await
}

#[tauri::command]
pub async fn sync_account(state: S<'_>, channel_id: String) -> ApiResult<RunReport> {
    state.engine().await?.sync_now(&channel_id).await
}

#[tauri::command]
pub async fn set_sync_paused(state: S<'_>, channel_id: String, paused: bool) -> ApiResult<()> {
    Ok(state.store().await?.set_sync_paused(&channel_id, paused).await?)
}

#[tauri::command]
pub async fn account_log(state: S<'_>, channel_id: String) -> ApiResult<Vec<SyncLogDto>> {
    sync::sync_log(state.store().await?.as_ref(), &channel_id).await
}

#[tauri::command]
pub async fn list_orders_filtered(
    state: S<'_>,
    filter: sync::OrderFilter,
    offset: i64,
    limit: i64,
) -> ApiResult<mercator_api::Page<mercator_api::OrderDto>> {
    sync::orders(state.store().await?.as_ref(), &filter, offset, limit).await
}

#[tauri::command]
pub async fn unreadable_orders(state: S<'_>) -> ApiResult<Vec<sync::UnreadableOrderDto>> {
    sync::unreadable_orders(state.store().await?.as_ref()).await
}

#[tauri::command]
pub async fn order_detail(state: S<'_>, order_id: String) -> ApiResult<sync::OrderDetailDto> {
    sync::order_detail(state.store().await?.as_ref(), &order_id).await
}

#[tauri::command]
pub async fn warehouses(state: S<'_>) -> ApiResult<Vec<mercator_api::inventory::WarehouseDto>> {
    mercator_api::inventory::warehouses(state.store().await?.as_ref()).await
}

#[tauri::command]
pub async fn add_warehouse(state: S<'_>, name: String, kind: String, country: String) -> ApiResult<String> {
    mercator_api::inventory::add_warehouse(state.store().await?.as_ref(), &name, &kind, &country).await
}

#[tauri::command]
pub async fn stock_page(
    state: S<'_>,
    filter: mercator_api::inventory::StockFilter,
    lang: String,
    offset: i64,
    limit: i64,
) -> ApiResult<mercator_api::Page<mercator_api::inventory::StockRowDto>> {
    mercator_api::inventory::stock(state.store().await?.as_ref(), &filter, &lang, offset, limit).await
}

#[tauri::command]
pub async fn set_stock_level(state: S<'_>, warehouse_id: String, variant_id: String, on_hand: i64) -> ApiResult<i64> {
    let engine = state.engine().await?;
    let queued = mercator_api::inventory::set_stock_level(engine.store(), &warehouse_id, &variant_id, on_hand).await?;
    if queued > 0 {
        engine.send_soon();
    }
    Ok(queued)
}

#[tauri::command]
pub async fn oversold_count(state: S<'_>) -> ApiResult<i64> {
    mercator_api::inventory::oversold(state.store().await?.as_ref()).await
}

#[tauri::command]
pub fn carriers() -> Vec<mercator_api::shipping::CarrierDto> {
    mercator_api::shipping::carriers()
}

#[tauri::command]
pub async fn mark_shipped(
    state: S<'_>,
    request: mercator_api::shipping::ShipRequest,
) -> ApiResult<mercator_api::shipping::ShipReport> {
    let engine = state.engine().await?;
    let r = mercator_api::shipping::mark_shipped(engine.store(), &request).await?;
    if r.queued > 0 {
        engine.send_soon();
    }
    Ok(r)
}

#[tauri::command]
pub async fn mark_shipped_list(
    state: S<'_>,
    carrier: String,
    shipped_on: String,
    notify: bool,
    text: String,
) -> ApiResult<mercator_api::shipping::ShipReport> {
    let engine = state.engine().await?;
    let r = mercator_api::shipping::mark_shipped_list(engine.store(), &carrier, &shipped_on, notify, &text).await?;
    if r.queued > 0 {
        engine.send_soon();
    }
    Ok(r)
}

#[tauri::command]
pub async fn outbox_problems(state: S<'_>) -> ApiResult<Vec<mercator_api::outbox::OutboxProblemDto>> {
    mercator_api::outbox::problems(state.store().await?.as_ref()).await
}

#[tauri::command]
pub async fn retry_outbox(state: S<'_>, id: String) -> ApiResult<mercator_api::outbox::DeliveryReport> {
    let engine = state.engine().await?;
    mercator_api::outbox::retry(engine.store(), &id).await?;
    engine.deliver_now().await
}
