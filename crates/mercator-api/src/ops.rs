//! The app's operations, one plain async function per command.

use crate::dto::*;
use crate::{ApiError, ApiResult};
use mercator_core::ErrorCode;
use mercator_store::{CatalogFilter, Store};
use mercator_vault::Vault;

pub const KEY_LANGUAGE: &str = "ui.language";
pub const KEY_THEME: &str = "ui.theme";
/// Largest page a list command returns.
pub const MAX_PAGE: i64 = 500;

/// The one check of every paged command: `limit` in 1..=[`MAX_PAGE`], `offset` not negative.
pub fn page_bounds(offset: i64, limit: i64) -> ApiResult<(i64, i64)> {
    if offset < 0 || !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::new(ErrorCode::PageBounds).arg("max", MAX_PAGE));
    }
    Ok((offset, limit))
}

/// The UI language: the saved choice, else the system's (zh* -> zh-CN, else en-US).
pub async fn ui_settings(store: &Store, system_locale: &str) -> ApiResult<UiSettings> {
    let language = match store.setting(KEY_LANGUAGE).await? {
        Some(l) if mercator_i18n::is_supported(&l) => l,
        _ => mercator_i18n::negotiate(system_locale).to_string(),
    };
    let theme = store.setting(KEY_THEME).await?.and_then(|t| Theme::parse(&t)).unwrap_or(Theme::System);
    Ok(UiSettings { language, theme })
}

pub async fn set_language(store: &Store, language: &str) -> ApiResult<()> {
    if !mercator_i18n::is_supported(language) {
        return Err(ApiError::new(ErrorCode::UnknownLanguage).arg("lang", language));
    }
    store.set_setting(KEY_LANGUAGE, language).await?;
    Ok(())
}

pub async fn set_theme(store: &Store, theme: &str) -> ApiResult<()> {
    let t = Theme::parse(theme).ok_or_else(|| ApiError::new(ErrorCode::UnknownTheme).arg("theme", theme))?;
    store.set_setting(KEY_THEME, t.as_str()).await?;
    Ok(())
}

pub async fn catalog_summary(store: &Store) -> ApiResult<CatalogSummary> {
    let c = store.catalog_counts().await?;
    Ok(CatalogSummary { products: c.products, variants: c.variants })
}

pub use mercator_store::COUNT_CAP;

/// A page of the catalog; the filter's `query` searches SKUs, GTINs and
/// titles in every language. The first page counts matches up to
/// [`COUNT_CAP`] only (`exact` false beyond that).
pub async fn products(
    store: &Store,
    lang: &str,
    filter: &CatalogFilter,
    offset: i64,
    limit: i64,
) -> ApiResult<Page<ProductDto>> {
    let (offset, limit) = page_bounds(offset, limit)?;
    let cap = (offset == 0).then_some(COUNT_CAP);
    let (rows, total) = store.catalog_page(lang, &filter.normalised(), offset, limit, cap).await?;
    let items = rows
        .into_iter()
        .map(|r| ProductDto {
            cost: MoneyDto::of(r.cost()),
            id: r.id,
            title: r.title,
            brand: r.brand,
            category: r.category,
            languages: r.languages.split(' ').filter(|s| !s.is_empty()).map(str::to_string).collect(),
            variant_count: r.variant_count,
            first_sku: r.first_sku,
            stock: r.stock,
            issue_count: r.issue_count,
        })
        .collect();
    Ok(Page { items, offset, total: total.count, exact: total.exact })
}

/// The exact number of products `filter` selects.
pub async fn catalog_count(store: &Store, filter: &CatalogFilter) -> ApiResult<i64> {
    Ok(store.catalog_count(&filter.normalised()).await?)
}

pub async fn pick_list(store: &Store, lang: &str) -> ApiResult<PickListDto> {
    let lines = store
        .pick_list(lang)
        .await?
        .into_iter()
        .map(|r| PickLineDto { sku: r.sku, title: r.title, quantity: r.quantity, orders: r.orders })
        .collect();
    Ok(PickListDto { lines, orders: store.orders_to_ship().await? })
}

pub async fn sync_status(store: &Store) -> ApiResult<SyncStatus> {
    let c = store.outbox_counts().await?;
    Ok(SyncStatus { pending: c.pending + c.in_flight, failed: c.dead })
}

/// Probes the OS credential store on a blocking thread.
pub async fn vault_status(vault: Vault) -> VaultStatus {
    let backend = mercator_vault::backend_name().to_string();
    let result = tokio::task::spawn_blocking(move || vault.probe()).await;
    match result {
        Ok(Ok(())) => VaultStatus { available: true, backend, error: None },
        Ok(Err(e)) => VaultStatus { available: false, backend, error: Some((&e).into()) },
        Err(join) => VaultStatus {
            available: false,
            backend,
            error: Some(mercator_core::ErrorPayload::new(ErrorCode::Internal).arg("detail", join)),
        },
    }
}

/// Shop name and demo flag for the header.
/// What the header and forms need of the shop.
#[derive(Debug, Clone, Default)]
pub struct ShopHeader {
    pub name: Option<String>,
    pub is_demo: bool,
    /// ISO 4217 code new costs default to.
    pub base_currency: Option<String>,
}

pub async fn shop_header(store: &Store) -> ApiResult<ShopHeader> {
    Ok(store
        .shop()
        .await?
        .map(|s| ShopHeader { name: Some(s.name), is_demo: s.is_demo, base_currency: Some(s.base_currency) })
        .unwrap_or_default())
}

/// Minor units as plain decimal text: (1850, 2) -> "18.50".
pub use crate::detail::product_detail;
pub use crate::dto::decimal_text;

pub async fn create_product(store: &Store, req: NewProductRequest) -> ApiResult<String> {
    let titles: Vec<(String, String)> = req.titles.into_iter().filter(|(_, t)| !t.trim().is_empty()).collect();
    let p = mercator_store::catalog::NewProduct {
        brand: req.brand,
        category: req.category,
        titles,
        sku: req.sku,
        gtin: req.gtin,
        cost: req.cost,
        cost_currency: req.cost_currency,
    };
    Ok(store.create_product(&p).await?)
}

/// Saves one field and returns the product as it now is.
pub async fn apply_edit(
    store: &Store,
    product_id: &str,
    edit: mercator_core::catalog::Edit,
    expected_revision: i64,
) -> ApiResult<ProductDetailDto> {
    store.apply_edit(product_id, &edit, expected_revision).await?;
    product_detail(store, product_id).await
}

/// Lists the product's variants on a channel account (drafts, to be priced
/// and set live in its market tab).
pub async fn list_on_channel(store: &Store, product_id: &str, channel_id: &str) -> ApiResult<ProductDetailDto> {
    store.list_on_channel(product_id, channel_id).await?;
    product_detail(store, product_id).await
}

/// Lists the selected products on a channel account; how many listings were added.
pub async fn list_selected_on_channel(store: &Store, product_ids: &[String], channel_id: &str) -> ApiResult<usize> {
    Ok(store.list_products_on_channel(product_ids, channel_id).await?)
}

pub async fn history(store: &Store, product_id: &str) -> ApiResult<Vec<HistoryDto>> {
    let rows = store.history(product_id, 200).await?;
    let detail = store.product_detail(product_id).await?;
    let variants: std::collections::HashMap<String, (String, mercator_core::Currency)> =
        detail.variants.iter().map(|v| (v.id.clone(), (v.sku.clone(), v.cost_currency))).collect();
    let listings: std::collections::HashMap<String, String> = detail
        .listings
        .iter()
        .map(|l| {
            let sku = variants.get(&l.variant_id).map(|v| v.0.as_str()).unwrap_or_default();
            (l.id.clone(), format!("{} · {sku}", l.channel_name))
        })
        .collect();
    let show = |v: Option<String>| {
        v.map(|s| {
            serde_json::from_str::<serde_json::Value>(&s)
                .ok()
                .map(|j| match j {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                })
                .unwrap_or(s)
        })
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            // costs are stored in minor units: show them as "18.50 CNY"
            let currency = (r.field == "cost_minor").then(|| variants.get(&r.entity_id).map(|v| v.1)).flatten();
            let money = |v: Option<String>| match currency {
                Some(cur) => v.and_then(|s| s.parse::<i64>().ok()).map(|m| {
                    let dto = MoneyDto::of(mercator_core::Money::from_minor(m, cur));
                    format!("{} {}", decimal_text(dto.minor, dto.exponent), dto.currency)
                }),
                None => v,
            };
            HistoryDto {
                can_undo: r.undone_by.is_none() && r.field != "created",
                undone: r.undone_by.is_some(),
                subject: match r.entity.as_str() {
                    "variant" => Some(variants.get(&r.entity_id).map(|v| v.0.clone()).unwrap_or_default()),
                    "listing" => Some(listings.get(&r.entity_id).cloned().unwrap_or_default()),
                    _ => None,
                },
                old_value: money(show(r.old_value.clone())),
                new_value: money(show(r.new_value.clone())),
                id: r.id,
                op_id: r.op_id,
                field: r.field,
                lang: r.lang,
                at: r.at,
            }
        })
        .collect())
}

pub async fn undo(store: &Store, op_id: &str) -> ApiResult<()> {
    store.undo(op_id).await?;
    Ok(())
}

/// Adds an image to a product (at the end; the first image is the main one).
pub async fn add_image(
    store: &Store,
    product_id: &str,
    name: &str,
    bytes: &[u8],
    expected_revision: i64,
) -> ApiResult<crate::ProductDetailDto> {
    let detail = store.product_detail(product_id).await?;
    let mut images: Vec<mercator_core::catalog::ImageRef> =
        serde_json::from_str(&detail.head.images).unwrap_or_default();
    if images.len() >= crate::images::MAX_IMAGES {
        return Err(ApiError::new(ErrorCode::ImageLimit).arg("max", crate::images::MAX_IMAGES));
    }
    let img = {
        let (dir, name, bytes) = (crate::images::images_dir(store), name.to_string(), bytes.to_vec());
        tokio::task::spawn_blocking(move || crate::images::store_image(&dir, &name, &bytes))
            .await
            .map_err(|e| ApiError::new(ErrorCode::Internal).arg("detail", e))??
    };
    if !images.iter().any(|i| i.file == img.file) {
        images.push(img);
    }
    store.apply_edit(product_id, &mercator_core::catalog::Edit::Images { value: images }, expected_revision).await?;
    product_detail(store, product_id).await
}
