//! Inventory commands: warehouses, stock per variant with what open orders
//! reserve, counts, and the stock pushes to the channels (see
//! `mercator_store::inventory` for the rules).

use crate::{ApiResult, Page};
use mercator_store::Store;
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WarehouseDto {
    pub id: String,
    /// Empty for the default warehouse until renamed: the UI names it.
    pub name: String,
    /// `own`, `3pl`, `fba`.
    pub kind: String,
    pub country: String,
    pub is_default: bool,
    /// FBA stock is Amazon's.
    pub read_only: bool,
    pub units: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StockRowDto {
    pub variant_id: String,
    pub sku: String,
    pub title: String,
    pub on_hand: i64,
    pub reserved: i64,
    /// On hand − reserved, never below zero.
    pub available: i64,
    /// More reserved than on hand: orders the stock cannot cover.
    pub oversold: bool,
    /// On hand per warehouse id.
    #[ts(type = "Record<string, number>")]
    pub levels: BTreeMap<String, i64>,
}

pub async fn warehouses(store: &Store) -> ApiResult<Vec<WarehouseDto>> {
    Ok(store
        .warehouses()
        .await?
        .into_iter()
        .map(|w| WarehouseDto {
            read_only: w.kind == "fba",
            id: w.id,
            name: w.name,
            kind: w.kind,
            country: w.country,
            is_default: w.is_default,
            units: w.units,
        })
        .collect())
}

pub async fn add_warehouse(store: &Store, name: &str, kind: &str, country: &str) -> ApiResult<String> {
    Ok(store.add_warehouse(name, kind, country).await?)
}

/// What the stock list is narrowed to (the UI's form).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct StockFilter {
    /// SKU prefix or title words.
    pub query: Option<String>,
    /// Only variants with more reserved than on hand.
    pub oversold: bool,
}

impl From<&StockFilter> for mercator_store::inventory::StockFilter {
    fn from(f: &StockFilter) -> Self {
        mercator_store::inventory::StockFilter { query: f.query.clone(), oversold: f.oversold }
    }
}

pub async fn stock(
    store: &Store,
    filter: &StockFilter,
    lang: &str,
    offset: i64,
    limit: i64,
) -> ApiResult<Page<StockRowDto>> {
    let (offset, limit) = crate::ops::page_bounds(offset, limit)?;
    let (rows, total) = store.stock_page(&filter.into(), lang, offset, limit).await?;
    let items = rows
        .into_iter()
        .map(|r| StockRowDto {
            available: (r.on_hand - r.reserved).max(0),
            oversold: r.reserved > r.on_hand,
            levels: serde_json::from_str(&r.levels).unwrap_or_default(),
            variant_id: r.variant_id,
            sku: r.sku,
            title: r.title,
            on_hand: r.on_hand,
            reserved: r.reserved,
        })
        .collect();
    Ok(Page { items, offset, total, exact: true })
}

/// A count in a warehouse; the channels hear of the new quantity with the
/// next push (queued here at once).
pub async fn set_stock_level(store: &Store, warehouse_id: &str, variant_id: &str, on_hand: i64) -> ApiResult<i64> {
    store.set_stock_level(warehouse_id, variant_id, on_hand).await?;
    Ok(store.queue_stock_pushes().await?)
}

pub async fn oversold(store: &Store) -> ApiResult<i64> {
    Ok(store.oversold_count().await?)
}

/// Reads an Amazon account's FBA stock (every page of
/// `getInventorySummaries`) and puts it in the account's read-only FBA
/// warehouse. A page that fails stops the import before anything is
/// written: the warehouse shows the last complete report.
pub async fn import_fba(
    store: &Store,
    channel_id: &str,
    amazon: &mercator_channels::amazon::Amazon,
) -> Result<mercator_store::inventory::FbaImport, mercator_core::ErrorPayload> {
    let mut items = vec![];
    let mut next: Option<String> = None;
    for _ in 0..1000 {
        let page = amazon.fba_inventory(next.as_deref()).await.map_err(|e| mercator_core::ErrorPayload::from(&e))?;
        items.extend(page.items.into_iter().map(|i| (i.seller_sku, i.fulfillable)));
        next = page.next;
        if next.is_none() {
            break;
        }
    }
    store.replace_fba_stock(channel_id, &items).await.map_err(|e| mercator_core::ErrorPayload::from(&e))
}
