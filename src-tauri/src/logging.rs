//! Logs go to a daily-rotated file in the OS log folder (7 files kept).
//! What is logged: operations, ids, error codes and paths. Never tokens
//! (they only exist as `Secret`, which prints as `***`) and never buyer data.

use std::path::Path;
use std::sync::OnceLock;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

static GUARD: OnceLock<WorkerGuard> = OnceLock::new();

pub fn init(log_dir: &Path) {
    let filter =
        EnvFilter::try_from_env("MERCATOR_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tao=warn,wry=warn"));
    let file = std::fs::create_dir_all(log_dir)
        .ok()
        .and_then(|()| {
            Builder::new()
                .rotation(Rotation::DAILY)
                .filename_prefix("mercator")
                .filename_suffix("log")
                .max_log_files(7)
                .build(log_dir)
                .ok()
        })
        .map(tracing_appender::non_blocking);
    let registry = tracing_subscriber::registry().with(filter);
    match file {
        Some((writer, guard)) => {
            let _ = GUARD.set(guard);
            let _ = registry.with(fmt::layer().with_ansi(false).with_writer(writer)).try_init();
        }
        None => {
            let _ = registry.with(fmt::layer().with_writer(std::io::stderr)).try_init();
            tracing::warn!(dir = %log_dir.display(), "log folder not writable; logging to stderr");
        }
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        tracing::error!(%location, "panic: {}", panic_message(info));
        previous(info);
    }));
}

fn panic_message(info: &std::panic::PanicHookInfo<'_>) -> String {
    if let Some(s) = info.payload().downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = info.payload().downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown".into()
    }
}
