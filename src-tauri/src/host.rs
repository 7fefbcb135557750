//! The engine's reports as window events: `sync`, `connectivity`, `outbox`.

use mercator_api::engine::{Host, SyncEvent};
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
    fn delivered(&self, report: &DeliveryReport) {
        if report.sent + report.failed > 0 {
            let _ = self.0.emit("outbox", report);
        }
    }
}
