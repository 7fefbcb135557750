//! The engine's reports as window events: `sync`, `connectivity`,
//! `outbox`, `inbox` (new buyer mail, also an OS notification).

use mercator_api::engine::{Host, InboxEvent, SyncEvent};
use mercator_api::outbox::{ConnectivityDto, DeliveryReport};
use tauri::Emitter;

pub struct WindowHost(pub tauri::AppHandle);

impl Host for WindowHost {
    fn sync_event(&self, event: &SyncEvent) {
        let _ = self.0.emit("sync", event);
    }
    fn connectivity(&self, now: &ConnectivityDto) {
        let _ = self.0.emit("connectivity", now);
    }
    fn inbox(&self, event: &InboxEvent) {
        let _ = self.0.emit("inbox", event);
        // an OS notification in the user's language, naming the buyer and subject as plain text
        let app = self.0.clone();
        let (count, line) = (event.stored, format!("{}: {}", event.buyer, event.subject));
        tauri::async_runtime::spawn(async move {
            use tauri::Manager;
            use tauri_plugin_notification::NotificationExt;
            let lang = match app.state::<crate::state::AppState>().info().await {
                Ok(i) => i.settings.language,
                Err(_) => "en-US".to_string(),
            };
            let title = mercator_i18n::message(&lang, "notify-new-message", &[("count", count.to_string())]);
            let body: String = line.chars().filter(|c| !c.is_control()).take(200).collect();
            if let Err(e) = app.notification().builder().title(title).body(body).show() {
                tracing::info!(error = %e, "no OS notification shown");
            }
        });
    }
    fn delivered(&self, report: &DeliveryReport) {
        if report.sent + report.failed > 0 {
            let _ = self.0.emit("outbox", report);
        }
    }
}
