//! The engine's reports as window events: `sync`, `connectivity`,
//! `outbox`, `inbox` (new buyer mail, also an OS notification).

use mercator_api::engine::{Host, InboxEvent, SyncEvent};
use mercator_api::outbox::{ConnectivityDto, DeliveryReport};
use tauri::Emitter;

pub struct WindowHost {
    pub app: tauri::AppHandle,
    /// where the user's language is read for notifications
    pub store: std::sync::Arc<mercator_store::Store>,
    pub system_locale: String,
}

impl Host for WindowHost {
    fn sync_event(&self, event: &SyncEvent) {
        let _ = self.app.emit("sync", event);
    }
    fn connectivity(&self, now: &ConnectivityDto) {
        let _ = self.app.emit("connectivity", now);
    }
    fn inbox(&self, event: &InboxEvent) {
        let _ = self.app.emit("inbox", event);
        // an OS notification in the user's language, naming the buyer and subject as plain text
        let app = self.app.clone();
        let (store, system_locale) = (self.store.clone(), self.system_locale.clone());
        let line =
            if event.subject.is_empty() { event.buyer.clone() } else { format!("{}: {}", event.buyer, event.subject) };
        let count = event.stored;
        tauri::async_runtime::spawn(async move {
            use tauri_plugin_notification::NotificationExt;
            let lang = match mercator_api::ops::ui_settings(store.as_ref(), &system_locale).await {
                Ok(s) => s.language,
                Err(_) => mercator_i18n::negotiate(&system_locale).to_string(),
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
            let _ = self.app.emit("outbox", report);
        }
    }
}
