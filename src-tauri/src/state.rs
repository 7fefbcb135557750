use mercator_api::engine::{Engine, SystemClock, Timings};
use mercator_api::{ops, AppInfo, LaunchConfig, StartupProblem, UiSettings};
use mercator_core::ErrorPayload;
use mercator_store::{OpenOptions, Store, StoreError};
use mercator_vault::Vault;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use tauri::Manager;
use tokio::sync::RwLock;

pub struct Paths {
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
}

/// `--data-dir` / MERCATOR_DATA_DIR, else the OS app-data folder; logs in the
/// OS log folder unless MERCATOR_LOG_DIR says otherwise.
pub fn resolve_paths(app: &tauri::AppHandle, launch: &LaunchConfig) -> Result<Paths, Box<dyn std::error::Error>> {
    let data_dir = match &launch.data_dir {
        Some(d) if d.is_absolute() => d.clone(),
        Some(d) => std::env::current_dir()?.join(d),
        None => app.path().app_data_dir()?,
    };
    let log_dir = match std::env::var_os(mercator_api::launch::ENV_LOG_DIR) {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => app.path().app_log_dir()?,
    };
    Ok(Paths { data_dir, log_dir })
}

#[derive(Default)]
pub struct Inner {
    pub store: Option<Arc<Store>>,
    /// The profile's background loops, started with the store and stopped before it closes.
    pub engine: Option<Arc<Engine>>,
    pub problem: Option<StartupProblem>,
    pub moved_aside_to: Option<PathBuf>,
}

pub struct AppState {
    pub launch: LaunchConfig,
    pub paths: Paths,
    pub system_locale: String,
    pub started: Instant,
    pub vault: Vault,
    pub inner: RwLock<Inner>,
    pub ready_reported: std::sync::atomic::AtomicBool,
    /// Set to stop the running long operation (import, bulk edit).
    pub cancel: std::sync::atomic::AtomicBool,
    /// The spreadsheet open for import (parsed once, previewed, imported).
    pub import_files: mercator_api::import::ImportFiles,
}

impl AppState {
    pub fn new(launch: LaunchConfig, paths: Paths, system_locale: String, started: Instant) -> Self {
        Self {
            launch,
            paths,
            system_locale,
            started,
            vault: Vault::default(),
            inner: RwLock::new(Inner::default()),
            ready_reported: Default::default(),
            cancel: Default::default(),
            import_files: Default::default(),
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.paths.data_dir.join(mercator_store::DB_FILE_NAME)
    }

    /// Opens the profile; on failure keeps the problem for the window to show.
    pub async fn open_store(&self, app: &tauri::AppHandle) {
        let opts = OpenOptions { seed_demo: self.launch.demo, ..Default::default() };
        // Held across the open so that two "try again" clicks cannot race
        // each other into our own profile lock.
        let mut inner = self.inner.write().await;
        if inner.store.is_some() {
            return;
        }
        let result = Store::open(&self.paths.data_dir, &opts).await;
        match result {
            Ok((store, report)) => {
                tracing::info!(
                    created = report.created_db,
                    migrations = report.applied_migrations.len(),
                    backup = ?report.backup,
                    seeded = report.seeded.is_some(),
                    "shop database open"
                );
                if let Err(e) = store.refresh_rules_at_start().await {
                    tracing::warn!(error = %e, "market rules not re-checked");
                }
                let store = Arc::new(store);
                if report.seeded.is_some() {
                    // pictures for the demo products, off the start-up path
                    let s = store.clone();
                    tauri::async_runtime::spawn(async move {
                        match mercator_api::images::seed_demo_images(&s).await {
                            Ok(n) => tracing::info!(n, "demo images created"),
                            Err(e) => tracing::warn!(error = ?e, "demo images not created"),
                        }
                    });
                }
                let host = Arc::new(crate::host::WindowHost {
                    app: app.clone(),
                    store: store.clone(),
                    system_locale: self.system_locale.clone(),
                });
                let engine =
                    Engine::start(store.clone(), self.vault.clone(), host, Arc::new(SystemClock), Timings::default());
                inner.engine = Some(Arc::new(engine));
                inner.store = Some(store);
                inner.problem = None;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot open shop database");
                inner.problem = Some(problem_of(&e));
            }
        }
    }

    pub async fn store(&self) -> Result<Arc<Store>, mercator_api::ApiError> {
        self.inner
            .read()
            .await
            .store
            .clone()
            .ok_or_else(|| mercator_api::ApiError::new(mercator_core::ErrorCode::StoreNotOpen))
    }

    pub async fn engine(&self) -> Result<Arc<Engine>, mercator_api::ApiError> {
        self.inner
            .read()
            .await
            .engine
            .clone()
            .ok_or_else(|| mercator_api::ApiError::new(mercator_core::ErrorCode::StoreNotOpen))
    }

    pub async fn info(&self) -> Result<AppInfo, mercator_api::ApiError> {
        let inner = self.inner.read().await;
        let (settings, shop) = match &inner.store {
            Some(store) => {
                let settings = ops::ui_settings(store.as_ref(), &self.system_locale).await?;
                (settings, ops::shop_header(store).await?)
            }
            None => (
                UiSettings {
                    language: mercator_i18n::negotiate(&self.system_locale).to_string(),
                    theme: mercator_api::Theme::System,
                },
                ops::ShopHeader::default(),
            ),
        };
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: self.paths.data_dir.display().to_string(),
            db_path: self.db_path().display().to_string(),
            log_dir: self.paths.log_dir.display().to_string(),
            settings,
            shop_name: shop.name,
            is_demo: shop.is_demo,
            base_currency: shop.base_currency,
            problem: inner.problem.clone(),
            moved_aside_to: inner.moved_aside_to.as_ref().map(|p| p.display().to_string()),
        })
    }

    /// First-paint data: app info plus, when the shop is open, the catalog
    /// summary and first page in the UI language.
    pub async fn boot(&self) -> Result<mercator_api::BootPayload, mercator_api::ApiError> {
        let info = self.info().await?;
        let store = self.inner.read().await.store.clone();
        let (summary, first_page) = match store {
            Some(store) if info.problem.is_none() => (
                Some(ops::catalog_summary(store.as_ref()).await?),
                Some(ops::products(store.as_ref(), &info.settings.language, &Default::default(), 0, 50).await?),
            ),
            _ => (None, None),
        };
        Ok(mercator_api::BootPayload { info, summary, first_page })
    }

    pub async fn close(&self) {
        let (store, engine) = {
            let mut inner = self.inner.write().await;
            (inner.store.take(), inner.engine.take())
        };
        if let Some(store) = store {
            // no new run or send starts; then a Shopee pair being rotated right
            // now must reach the keyring before the process goes
            if let Some(engine) = engine {
                engine.stop().await;
            }
            mercator_api::sync::settle_token_refreshes(&store, std::time::Duration::from_secs(10)).await;
            match Arc::try_unwrap(store) {
                Ok(store) => store.close().await,
                Err(shared) => shared.pool().close().await,
            }
            tracing::info!("shop database closed");
        }
    }
}

fn problem_of(e: &StoreError) -> StartupProblem {
    StartupProblem { error: ErrorPayload::from(e), can_move_aside: e.can_move_aside() }
}
