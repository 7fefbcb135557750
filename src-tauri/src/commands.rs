//! Tauri commands: each one unpacks state and calls a plain function in
//! `mercator_api`. No logic lives here.

use crate::state::AppState;
use mercator_api::{
    ops, ApiError, ApiResult, AppInfo, CatalogSummary, ConversationDto, EditRequest, HistoryDto, ListingDto,
    NewProductRequest, OrderDto, Page, PickListDto, ProductDetailDto, ProductDto, SyncStatus, VaultStatus,
};
use mercator_core::ErrorCode;
use mercator_store::Store;
use std::sync::atomic::Ordering;
use tauri::State;
use tauri_plugin_opener::OpenerExt;

type S<'a> = State<'a, AppState>;

#[tauri::command]
pub async fn app_info(state: S<'_>) -> ApiResult<AppInfo> {
    state.info().await
}

#[tauri::command]
pub async fn set_language(state: S<'_>, language: String) -> ApiResult<()> {
    ops::set_language(state.store().await?.as_ref(), &language).await
}

#[tauri::command]
pub async fn set_theme(state: S<'_>, theme: String) -> ApiResult<()> {
    ops::set_theme(state.store().await?.as_ref(), &theme).await
}

#[tauri::command]
pub async fn catalog_summary(state: S<'_>) -> ApiResult<CatalogSummary> {
    ops::catalog_summary(state.store().await?.as_ref()).await
}

#[tauri::command]
pub async fn list_products(
    state: S<'_>,
    lang: String,
    query: Option<String>,
    offset: i64,
    limit: i64,
) -> ApiResult<Page<ProductDto>> {
    ops::products(state.store().await?.as_ref(), &lang, query.as_deref(), offset, limit).await
}

#[tauri::command]
pub async fn list_listings(state: S<'_>, lang: String, offset: i64, limit: i64) -> ApiResult<Page<ListingDto>> {
    ops::listings(state.store().await?.as_ref(), &lang, offset, limit).await
}

#[tauri::command]
pub async fn list_orders(state: S<'_>, offset: i64, limit: i64) -> ApiResult<Page<OrderDto>> {
    ops::orders(state.store().await?.as_ref(), offset, limit).await
}

#[tauri::command]
pub async fn list_conversations(state: S<'_>) -> ApiResult<Vec<ConversationDto>> {
    ops::conversations(state.store().await?.as_ref()).await
}

#[tauri::command]
pub async fn pick_list(state: S<'_>, lang: String) -> ApiResult<PickListDto> {
    ops::pick_list(state.store().await?.as_ref(), &lang).await
}

#[tauri::command]
pub async fn sync_status(state: S<'_>) -> ApiResult<SyncStatus> {
    ops::sync_status(state.store().await?.as_ref()).await
}

#[tauri::command]
pub async fn vault_status(state: S<'_>) -> ApiResult<VaultStatus> {
    Ok(ops::vault_status(state.vault.clone()).await)
}

#[tauri::command]
pub async fn open_log_folder(app: tauri::AppHandle, state: S<'_>) -> ApiResult<()> {
    let dir = state.paths.log_dir.clone();
    let _ = std::fs::create_dir_all(&dir);
    app.opener()
        .open_path(dir.display().to_string(), None::<&str>)
        .map_err(|e| ApiError::new(ErrorCode::OpenFolderFailed).arg("path", dir.display()).arg("detail", e))
}

/// Renames an unreadable database aside (never deletes it) and starts fresh.
#[tauri::command]
pub async fn move_db_aside(state: S<'_>) -> ApiResult<AppInfo> {
    {
        let mut inner = state.inner.write().await;
        let allowed = inner.problem.as_ref().is_some_and(|p| p.can_move_aside);
        if !allowed || inner.store.is_some() {
            return Err(ApiError::new(ErrorCode::InvalidArgument)
                .arg("field", "database")
                .arg("detail", "only a damaged database can be moved aside"));
        }
        let moved = Store::move_aside(&state.paths.data_dir)?;
        tracing::warn!(moved_to = %moved.display(), "damaged database moved aside");
        inner.moved_aside_to = Some(moved);
    }
    state.open_store().await;
    state.info().await
}

#[tauri::command]
pub async fn retry_open(state: S<'_>) -> ApiResult<AppInfo> {
    if state.inner.read().await.store.is_none() {
        state.open_store().await;
    }
    state.info().await
}

#[tauri::command]
pub async fn quit_app(app: tauri::AppHandle) {
    app.exit(0);
}

/// The UI calls this once the first catalog rows are on screen; the time
/// since process start is logged and, for benchmarks, written to
/// MERCATOR_READY_FILE.
#[tauri::command]
pub async fn ui_ready(state: S<'_>, page_ms: u64) -> ApiResult<()> {
    if state.ready_reported.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    let ms = state.started.elapsed().as_millis();
    // page_ms: time since the webview started loading the page (performance.now()).
    tracing::info!(ms, page_ms, page_started_ms = ms.saturating_sub(u128::from(page_ms)), "first meaningful paint");
    if let Some(path) = std::env::var_os("MERCATOR_READY_FILE") {
        let _ = std::fs::write(path, ms.to_string());
    }
    Ok(())
}

#[tauri::command]
pub async fn product_detail(state: S<'_>, product_id: String) -> ApiResult<ProductDetailDto> {
    ops::product_detail(state.store().await?.as_ref(), &product_id).await
}

#[tauri::command]
pub async fn create_product(state: S<'_>, product: NewProductRequest) -> ApiResult<String> {
    ops::create_product(state.store().await?.as_ref(), product).await
}

#[tauri::command]
pub async fn apply_edit(
    state: S<'_>,
    product_id: String,
    edit: EditRequest,
    expected_revision: i64,
) -> ApiResult<ProductDetailDto> {
    ops::apply_edit(state.store().await?.as_ref(), &product_id, edit, expected_revision).await
}

#[tauri::command]
pub async fn product_history(state: S<'_>, product_id: String) -> ApiResult<Vec<HistoryDto>> {
    ops::history(state.store().await?.as_ref(), &product_id).await
}

#[tauri::command]
pub async fn undo_change(state: S<'_>, op_id: String) -> ApiResult<()> {
    ops::undo(state.store().await?.as_ref(), &op_id).await
}

/// The file arrives as the raw request body (no JSON array of numbers).
fn body_bytes<'a>(request: &'a tauri::ipc::Request<'_>) -> ApiResult<&'a [u8]> {
    match request.body() {
        tauri::ipc::InvokeBody::Raw(bytes) => Ok(bytes),
        tauri::ipc::InvokeBody::Json(_) => Err(ApiError::new(ErrorCode::ImportEmpty)),
    }
}

#[tauri::command]
pub async fn preview_import(state: S<'_>, request: tauri::ipc::Request<'_>) -> ApiResult<mercator_api::ImportPreview> {
    ops::preview_import(state.store().await?.as_ref(), body_bytes(&request)?).await
}

#[tauri::command]
pub async fn run_import(state: S<'_>, request: tauri::ipc::Request<'_>) -> ApiResult<mercator_api::ImportResult> {
    let valid_only = request.headers().get("x-valid-only").is_some_and(|v| v.as_bytes() == b"1");
    ops::run_import(state.store().await?.as_ref(), body_bytes(&request)?, valid_only).await
}
