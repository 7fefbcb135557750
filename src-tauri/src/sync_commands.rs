//! Channel accounts and order sync: commands over `mercator_api::sync`, and
//! the background scheduler that pulls each connected account on its
//! interval and purges buyer data after shipment.

use crate::state::AppState;
use mercator_api::outbox::ConnectivityDto;
use mercator_api::sync::{self, AccountDto, RunReport, SyncLogDto};
use mercator_api::ApiResult;
use std::collections::BTreeMap;
use tauri::{Emitter, Manager, State};

type S<'a> = State<'a, AppState>;

/// Sent as `sync` while an account syncs and when it stops.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct SyncEvent {
    channel_id: String,
    report: RunReport,
    running: bool,
    error: Option<mercator_core::ErrorPayload>,
}

fn emitter(app: &tauri::AppHandle, channel_id: &str) -> impl Fn(&RunReport) + Send + Sync {
    let app = app.clone();
    let channel_id = channel_id.to_string();
    move |r: &RunReport| {
        let _ = app.emit("sync", SyncEvent { channel_id: channel_id.clone(), report: *r, running: true, error: None });
    }
}

async fn run(app: &tauri::AppHandle, state: &AppState, channel_id: &str) -> ApiResult<RunReport> {
    let store = state.store().await?;
    let r = sync::sync_now(store.as_ref(), &state.vault, channel_id, &emitter(app, channel_id)).await;
    // a run of this account is under way: that run reports, this one says nothing
    if let Err(e) = &r {
        if e.0.code == mercator_core::ErrorCode::SyncRunning.as_str() {
            return r;
        }
    }
    let (report, error) = match &r {
        Ok(rep) => (*rep, None),
        Err(e) => (RunReport::default(), Some(e.0.clone())),
    };
    // a run that reached its channel says we are online; one that could not
    // reach the host at all says we are not
    match &error {
        None => set_offline(app, state, false).await,
        Some(e) if e.code == mercator_core::ErrorCode::ChannelOffline.as_str() => set_offline(app, state, true).await,
        Some(_) => set_offline(app, state, false).await,
    }
    let _ = app.emit("sync", SyncEvent { channel_id: channel_id.to_string(), report, running: false, error });
    r
}

async fn connectivity_of(state: &AppState) -> ConnectivityDto {
    let since = state.offline_since.lock().map(|s| s.clone()).unwrap_or(None);
    let waiting = match state.store().await {
        Ok(store) => mercator_store::outbox::counts(store.pool()).await.map(|c| c.pending + c.in_flight).unwrap_or(0),
        Err(_) => 0,
    };
    ConnectivityDto { offline: since.is_some(), since, waiting }
}

async fn set_offline(app: &tauri::AppHandle, state: &AppState, offline: bool) {
    let changed = match state.offline_since.lock() {
        Ok(mut s) if s.is_some() != offline => {
            *s = offline.then(|| {
                time::OffsetDateTime::now_utc()
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            });
            true
        }
        _ => false,
    };
    if changed {
        tracing::info!(offline, "connectivity changed");
        let _ = app.emit("connectivity", connectivity_of(state).await);
    }
}

#[tauri::command]
pub async fn connectivity(state: S<'_>) -> ApiResult<ConnectivityDto> {
    Ok(connectivity_of(&state).await)
}

/// The window saw the network come back (or the user asked): try the
/// channels now instead of at the next tick.
#[tauri::command]
pub fn resume_sync(state: S<'_>) {
    state.wake.notify_one();
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
    let store = state.store().await?;
    let r = sync::link_listings(store.as_ref(), &state.vault, &channel_id).await?;
    // the linked live listings get their quantities in this round
    send_edits_soon(&state, store);
    Ok(r)
}

#[tauri::command]
pub async fn test_account(state: S<'_>, channel_id: String) -> ApiResult<()> {
    sync::test_account(state.store().await?.as_ref(), &state.vault, &channel_id).await
}

#[tauri::command]
pub async fn sync_account(app: tauri::AppHandle, state: S<'_>, channel_id: String) -> ApiResult<RunReport> {
    run(&app, &state, &channel_id).await
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
    filter: mercator_store::sync::OrderFilter,
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
    filter: mercator_store::inventory::StockFilter,
    lang: String,
    offset: i64,
    limit: i64,
) -> ApiResult<mercator_api::Page<mercator_api::inventory::StockRowDto>> {
    mercator_api::inventory::stock(state.store().await?.as_ref(), &filter, &lang, offset, limit).await
}

#[tauri::command]
pub async fn set_stock_level(state: S<'_>, warehouse_id: String, variant_id: String, on_hand: i64) -> ApiResult<i64> {
    let store = state.store().await?;
    let queued = mercator_api::inventory::set_stock_level(store.as_ref(), &warehouse_id, &variant_id, on_hand).await?;
    if queued > 0 {
        send_soon(&state, store);
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

/// After shipments are recorded, their uploads go out now rather than at
/// the scheduler's next minute (in the background: the reply does not wait
/// for the channels).
fn send_soon(state: &AppState, store: std::sync::Arc<mercator_store::Store>) {
    let vault = state.vault.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = mercator_api::outbox::deliver_due(store.as_ref(), &vault).await {
            tracing::warn!(error = %e, "outbox delivery after shipping");
        }
    });
}

/// After an edit that may have queued channel updates: send them in a
/// couple of seconds (edits made meanwhile go in the same round) rather
/// than at the scheduler's next minute.
pub fn send_edits_soon(state: &AppState, store: std::sync::Arc<mercator_store::Store>) {
    use std::sync::atomic::Ordering;
    if state.edits_pending.swap(true, Ordering::SeqCst) {
        return; // a round is already coming
    }
    let vault = state.vault.clone();
    let pending = state.edits_pending_flag();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        pending.store(false, Ordering::SeqCst);
        if let Err(e) = mercator_api::outbox::deliver_due(store.as_ref(), &vault).await {
            tracing::warn!(error = %e, "outbox delivery after an edit");
        }
    });
}

#[tauri::command]
pub async fn mark_shipped(
    state: S<'_>,
    request: mercator_api::shipping::ShipRequest,
) -> ApiResult<mercator_api::shipping::ShipReport> {
    let store = state.store().await?;
    let r = mercator_api::shipping::mark_shipped(store.as_ref(), &request).await?;
    if r.queued > 0 {
        send_soon(&state, store);
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
    let store = state.store().await?;
    let r = mercator_api::shipping::mark_shipped_list(store.as_ref(), &carrier, &shipped_on, notify, &text).await?;
    if r.queued > 0 {
        send_soon(&state, store);
    }
    Ok(r)
}

#[tauri::command]
pub async fn outbox_problems(state: S<'_>) -> ApiResult<Vec<mercator_api::outbox::OutboxProblemDto>> {
    mercator_api::outbox::problems(state.store().await?.as_ref()).await
}

#[tauri::command]
pub async fn retry_outbox(state: S<'_>, id: String) -> ApiResult<mercator_api::outbox::DeliveryReport> {
    let store = state.store().await?;
    mercator_api::outbox::retry(store.as_ref(), &id).await?;
    mercator_api::outbox::deliver_due(store.as_ref(), &state.vault).await
}

#[tauri::command]
pub async fn purge_buyer_data(state: S<'_>) -> ApiResult<i64> {
    sync::purge_buyer_data(state.store().await?.as_ref()).await
}

/// Every minute: pull the accounts that are due and send what the outbox
/// holds for connected accounts; once a day: purge buyer
/// data of orders shipped more than 30 days ago. Errors are in each
/// account's sync log and status; the loop never stops on them.
pub fn start_scheduler(app: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut last_purge: Option<time::Date> = None;
        loop {
            let state = app.state::<AppState>();
            // offline: look again every 15 s (resume soon after the network is back)
            let offline = state.offline_since.lock().map(|s| s.is_some()).unwrap_or(false);
            let tick = std::time::Duration::from_secs(if offline { 15 } else { 60 });
            tokio::select! {
                _ = tokio::time::sleep(tick) => {}
                _ = state.wake.notified() => {}
            }
            let Ok(store) = state.store().await else { continue };
            let today = time::OffsetDateTime::now_utc().date();
            if last_purge != Some(today) {
                match sync::purge_buyer_data(store.as_ref()).await {
                    Ok(n) => tracing::info!(purged = n, "buyer data purged after shipment"),
                    Err(e) => tracing::warn!(error = %e, "purge failed"),
                }
                last_purge = Some(today);
            }
            let offline = state.offline_since.lock().map(|s| s.is_some()).unwrap_or(false);
            let due = if offline {
                // every connected account is due once the network is back
                sync::accounts(store.as_ref()).await.map(|a| {
                    a.into_iter().filter(|a| a.connected && !a.paused).map(|a| a.channel_id).collect::<Vec<_>>()
                })
            } else {
                sync::due_accounts(store.as_ref(), time::OffsetDateTime::now_utc()).await
            };
            let Ok(due) = due else { continue };
            // each account on its own: a channel that never answers costs its
            // own run (at most the run budget), not the others' or the outbox's
            for id in due {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    let state = app.state::<AppState>();
                    match run(&app, &state, &id).await {
                        Err(e) if e.0.code == mercator_core::ErrorCode::SyncRunning.as_str() => {}
                        Err(e) => tracing::warn!(channel = %id, error = %e, "sync stopped"),
                        Ok(_) => {}
                    }
                });
            }
            match mercator_api::outbox::deliver_due(store.as_ref(), &state.vault).await {
                Ok(r) if r.sent + r.failed > 0 => tracing::info!(sent = r.sent, failed = r.failed, "outbox delivered"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox delivery failed"),
            }
        }
    });
}
