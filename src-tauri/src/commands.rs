//! Tauri commands: each one unpacks state and calls a plain function in
//! `mercator_api`. No logic lives here.

use crate::state::AppState;
use mercator_api::CatalogFilter;
use mercator_api::{
    catalog, ops, ApiError, ApiResult, AppInfo, BulkResult, CatalogSummary, ChannelDto, ExportResult, HistoryDto,
    NewProductRequest, Page, PickListDto, ProductDetailDto, ProductDto, SyncStatus, VaultStatus,
};
use mercator_core::ErrorCode;
use mercator_store::catalog::Progress;
use mercator_store::Store;
use std::sync::atomic::Ordering;
use tauri::State;
use tauri::{Emitter, Manager};
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
    filter: CatalogFilter,
    offset: i64,
    limit: i64,
) -> ApiResult<Page<ProductDto>> {
    ops::products(state.store().await?.as_ref(), &lang, &filter.into(), offset, limit).await
}

#[tauri::command]
pub async fn catalog_count(state: S<'_>, filter: CatalogFilter) -> ApiResult<i64> {
    ops::catalog_count(state.store().await?.as_ref(), &filter.into()).await
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
pub async fn move_db_aside(app: tauri::AppHandle, state: S<'_>) -> ApiResult<AppInfo> {
    {
        let mut inner = state.inner.write().await;
        let allowed = inner.problem.as_ref().is_some_and(|p| p.can_move_aside);
        if !allowed || inner.store.is_some() {
            return Err(ApiError::new(ErrorCode::DbNotDamaged));
        }
        let moved = Store::move_aside(&state.paths.data_dir)?;
        tracing::warn!(moved_to = %moved.display(), "damaged database moved aside");
        inner.moved_aside_to = Some(moved);
    }
    state.open_store(&app).await;
    state.info().await
}

#[tauri::command]
pub async fn retry_open(app: tauri::AppHandle, state: S<'_>) -> ApiResult<AppInfo> {
    if state.inner.read().await.store.is_none() {
        state.open_store(&app).await;
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
    edit: mercator_api::Edit,
    expected_revision: i64,
) -> ApiResult<ProductDetailDto> {
    let engine = state.engine().await?;
    let out = ops::apply_edit(engine.store(), &product_id, edit.into(), expected_revision).await?;
    engine.send_edits_soon();
    Ok(out)
}

#[tauri::command]
pub async fn list_on_channel(state: S<'_>, product_id: String, channel_id: String) -> ApiResult<ProductDetailDto> {
    ops::list_on_channel(state.store().await?.as_ref(), &product_id, &channel_id).await
}

#[tauri::command]
pub async fn list_selected_on_channel(state: S<'_>, product_ids: Vec<String>, channel_id: String) -> ApiResult<usize> {
    ops::list_selected_on_channel(state.store().await?.as_ref(), &product_ids, &channel_id).await
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

/// A header value sent percent-encoded by the UI (file names, JSON).
fn header(request: &tauri::ipc::Request<'_>, name: &str) -> Option<String> {
    let raw = request.headers().get(name)?.to_str().ok()?;
    Some(percent_encoding::percent_decode_str(raw).decode_utf8_lossy().into_owned())
}

/// The system's file dialog for one file of `extensions`; None when the user cancels.
pub async fn pick_file(
    app: &tauri::AppHandle,
    title: String,
    filter: &str,
    extensions: &[&str],
) -> Option<tauri_plugin_dialog::FilePath> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title(title).add_filter(filter, extensions).pick_file(move |picked| {
        let _ = tx.send(picked);
    });
    rx.await.ok().flatten()
}

/// Opens the system's file dialog for a spreadsheet to import; the backend
/// reads the chosen file from its path (its bytes never cross IPC). `None`
/// when the user cancels.
#[tauri::command]
pub async fn choose_import_file(
    app: tauri::AppHandle,
    state: S<'_>,
    title: String,
) -> ApiResult<Option<mercator_api::ImportPreview>> {
    let Some(picked) = pick_file(&app, title, "CSV, TSV, Excel", &["csv", "tsv", "txt", "xlsx"]).await else {
        return Ok(None);
    };
    let path = picked.into_path().map_err(|_| ApiError::new(ErrorCode::ImportUnreadable))?;
    let store = state.store().await?;
    mercator_api::import::open_file(store.as_ref(), &state.import_files, &path).await.map(Some)
}

#[tauri::command]
pub async fn preview_import(
    state: S<'_>,
    file_id: String,
    mapping: Option<Vec<Option<String>>>,
) -> ApiResult<mercator_api::ImportPreview> {
    mercator_api::import::preview(state.store().await?.as_ref(), &state.import_files, &file_id, mapping).await
}

#[tauri::command]
pub async fn run_import(
    app: tauri::AppHandle,
    state: S<'_>,
    file_id: String,
    mapping: Option<Vec<Option<String>>>,
    valid_only: bool,
) -> ApiResult<mercator_api::ImportResult> {
    state.cancel.store(false, Ordering::SeqCst);
    let report = reporter(&app, "import");
    let progress = Progress { cancel: &state.cancel, report: &report };
    let store = state.store().await?;
    mercator_api::import::run(store.as_ref(), &state.import_files, &file_id, mapping, valid_only, &progress).await
}

/// The import screen was left: the open file's table is released.
#[tauri::command]
pub async fn close_import(state: S<'_>) -> ApiResult<()> {
    state.import_files.close();
    Ok(())
}

/// Emits `progress` events for a long operation.
fn reporter(app: &tauri::AppHandle, op: &'static str) -> impl Fn(u64, u64) + Send + Sync {
    let app = app.clone();
    move |done, total| {
        let _ = app.emit("progress", mercator_api::ProgressEvent { op: op.to_string(), done, total });
    }
}

/// Asks the running long operation to stop; it rolls back.
#[tauri::command]
pub async fn cancel_operation(state: S<'_>) -> ApiResult<()> {
    state.cancel.store(true, Ordering::SeqCst);
    Ok(())
}

#[tauri::command]
pub async fn list_channels(state: S<'_>) -> ApiResult<Vec<ChannelDto>> {
    catalog::channels(state.store().await?.as_ref()).await
}

#[tauri::command]
pub async fn catalog_ids(state: S<'_>, filter: CatalogFilter) -> ApiResult<Vec<String>> {
    catalog::catalog_ids(state.store().await?.as_ref(), &filter.into()).await
}

#[tauri::command]
pub async fn bulk_edit(
    app: tauri::AppHandle,
    state: S<'_>,
    ids: Vec<String>,
    op: mercator_api::BulkOp,
) -> ApiResult<BulkResult> {
    state.cancel.store(false, Ordering::SeqCst);
    let report = reporter(&app, "bulk");
    let progress = Progress { cancel: &state.cancel, report: &report };
    catalog::bulk_edit(state.store().await?.as_ref(), &ids, &op.into(), &progress).await
}

#[tauri::command]
pub async fn resolve_conflict(
    state: S<'_>,
    product_id: String,
    listing_id: String,
    choices: Vec<(String, mercator_api::Keep)>,
) -> ApiResult<ProductDetailDto> {
    catalog::resolve_conflict(
        state.store().await?.as_ref(),
        &product_id,
        &listing_id,
        choices.into_iter().map(|(f, k)| (f, k.into())).collect(),
    )
    .await
}

#[tauri::command]
pub async fn export_catalog(
    app: tauri::AppHandle,
    state: S<'_>,
    ids: Option<Vec<String>>,
    filter: CatalogFilter,
    format: String,
) -> ApiResult<ExportResult> {
    let dir = app.path().download_dir().unwrap_or_else(|_| state.paths.data_dir.join("exports"));
    catalog::export_catalog(state.store().await?.as_ref(), ids, &filter.into(), &format, &dir).await
}

/// Shows an exported file's folder in the system file manager.
#[tauri::command]
pub async fn reveal_file(app: tauri::AppHandle, path: String) -> ApiResult<()> {
    app.opener()
        .reveal_item_in_dir(&path)
        .map_err(|e| ApiError::new(ErrorCode::OpenFolderFailed).arg("path", &path).arg("detail", e))
}

/// An image file as the raw body; product id, revision and file name in headers.
#[tauri::command]
pub async fn add_image(state: S<'_>, request: tauri::ipc::Request<'_>) -> ApiResult<ProductDetailDto> {
    let product_id = header(&request, "x-product-id").unwrap_or_default();
    let name = header(&request, "x-name").unwrap_or_default();
    let revision = header(&request, "x-revision").and_then(|r| r.parse().ok()).unwrap_or(-1);
    mercator_api::ops::add_image(state.store().await?.as_ref(), &product_id, &name, body_bytes(&request)?, revision)
        .await
}
