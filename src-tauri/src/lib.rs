//! The Tauri shell: wires commands, state, plugins and logging around the
//! transport-free crates. Only this crate knows about IPC.

mod commands;
mod host;
mod inbox_commands;
mod logging;
mod pricing_commands;
mod state;
mod sync_commands;

use mercator_api::LaunchConfig;
use state::AppState;
use std::time::Instant;
use tauri::Manager;

pub fn run(launch: LaunchConfig, system_locale: String, started: Instant) {
    let result = tauri::Builder::default()
        // A second launch focuses the running window instead of opening the
        // same shop twice (the profile lock would refuse it anyway).
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| {
            let paths = state::resolve_paths(app.handle(), &launch)?;
            logging::init(&paths.log_dir);
            tracing::info!(version = env!("CARGO_PKG_VERSION"), data_dir = %paths.data_dir.display(), "starting");
            // attachments written for opening in an earlier run (their bytes stay in the database)
            mercator_api::inbox::clear_saved_attachments(&paths.data_dir);
            let state = AppState::new(launch.clone(), paths, system_locale.clone(), started);
            tauri::async_runtime::block_on(state.open_store(app.handle()));
            // The window is created here (not from config) so that its first
            // paint data rides along as an initialization script.
            let boot = tauri::async_runtime::block_on(state.boot())
                .ok()
                .and_then(|b| serde_json::to_string(&b).ok())
                .unwrap_or_else(|| "null".into());
            app.manage(state);
            let config =
                app.config().app.windows.iter().find(|w| w.label == "main").cloned().ok_or("no main window")?;
            tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
                .initialization_script(format!("window.__MERCATOR_BOOT__ = {boot};"))
                .build()?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::set_language,
            commands::set_theme,
            commands::catalog_summary,
            commands::list_products,
            commands::catalog_count,
            inbox_commands::list_conversations,
            inbox_commands::inbox_counts,
            inbox_commands::open_conversation,
            inbox_commands::close_conversation,
            inbox_commands::lint_reply,
            inbox_commands::draft_reply,
            inbox_commands::send_reply,
            inbox_commands::amazon_message_kinds,
            inbox_commands::send_amazon_message,
            inbox_commands::translation_status,
            inbox_commands::set_translation_key,
            inbox_commands::remove_translation_key,
            inbox_commands::translate_message,
            inbox_commands::open_attachment,
            inbox_commands::choose_amazon_document,
            inbox_commands::open_message_link,
            inbox_commands::translate_draft,
            inbox_commands::retry_reply,
            inbox_commands::list_templates,
            inbox_commands::save_template,
            inbox_commands::delete_template,
            inbox_commands::list_mailboxes,
            inbox_commands::add_mailbox,
            inbox_commands::check_mailbox,
            inbox_commands::remove_mailbox,
            inbox_commands::check_mail,
            commands::pick_list,
            commands::sync_status,
            commands::vault_status,
            commands::open_log_folder,
            commands::move_db_aside,
            commands::retry_open,
            commands::quit_app,
            commands::ui_ready,
            commands::product_detail,
            commands::create_product,
            commands::apply_edit,
            commands::list_on_channel,
            commands::list_selected_on_channel,
            commands::product_history,
            commands::undo_change,
            commands::choose_import_file,
            commands::preview_import,
            commands::close_import,
            commands::run_import,
            commands::cancel_operation,
            commands::list_channels,
            commands::catalog_ids,
            commands::bulk_edit,
            commands::resolve_conflict,
            commands::export_catalog,
            commands::reveal_file,
            commands::add_image,
            pricing_commands::pricing_overview,
            pricing_commands::save_pricing_globals,
            pricing_commands::set_fx_rate,
            pricing_commands::import_ecb,
            pricing_commands::fetch_ecb,
            pricing_commands::save_policy,
            pricing_commands::preset_policy,
            pricing_commands::reprice,
            pricing_commands::pricing_matrix,
            pricing_commands::explain_price,
            pricing_commands::simulate_promotion,
            pricing_commands::price_changes,
            pricing_commands::apply_prices,
            sync_commands::list_accounts,
            sync_commands::connectivity,
            sync_commands::link_listings,
            sync_commands::resume_sync,
            sync_commands::add_account,
            sync_commands::test_account,
            sync_commands::sync_account,
            sync_commands::set_sync_paused,
            sync_commands::account_log,
            sync_commands::list_orders_filtered,
            sync_commands::order_detail,
            sync_commands::unreadable_orders,
            sync_commands::outbox_problems,
            sync_commands::retry_outbox,
            sync_commands::carriers,
            sync_commands::warehouses,
            sync_commands::add_warehouse,
            sync_commands::stock_page,
            sync_commands::set_stock_level,
            sync_commands::oversold_count,
            sync_commands::mark_shipped,
            sync_commands::mark_shipped_list,
        ])
        .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(|handle, event| {
            if let tauri::RunEvent::Exit = event {
                if let Some(state) = handle.try_state::<AppState>() {
                    tauri::async_runtime::block_on(state.close());
                }
            }
        }),
        Err(e) => {
            eprintln!("mercator: {e}");
            std::process::exit(1);
        }
    }
}
