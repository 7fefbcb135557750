//! Catalog commands beyond one product: channels, selection, bulk edits,
//! conflicts with channel copies, export.

use crate::dto::*;
use crate::{ApiError, ApiResult};
use mercator_core::catalog::{BulkOp, Keep};
use mercator_core::import::{export_csv, export_table, ImportRow};
use mercator_core::ErrorCode;
use mercator_store::catalog::Progress;
use mercator_store::{CatalogFilter, Store};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

pub async fn channels(store: &Store) -> ApiResult<Vec<ChannelDto>> {
    Ok(store
        .channels()
        .await?
        .into_iter()
        .map(|c| ChannelDto {
            id: c.id,
            kind: c.kind,
            name: c.name,
            market: c.market,
            currency: c.currency,
            language: c.language,
        })
        .collect())
}

pub async fn catalog_ids(store: &Store, filter: &CatalogFilter) -> ApiResult<Vec<String>> {
    Ok(store.catalog_ids(&filter.normalised()).await?)
}

pub async fn bulk_edit(store: &Store, ids: &[String], op: &BulkOp, progress: &Progress<'_>) -> ApiResult<BulkResult> {
    let (op_id, changed) = store.bulk_edit(ids, op, progress).await?;
    Ok(BulkResult { op_id, changed: changed as i64 })
}

pub async fn resolve_conflict(
    store: &Store,
    product_id: &str,
    listing_id: &str,
    choices: Vec<(String, Keep)>,
) -> ApiResult<ProductDetailDto> {
    store.resolve_conflict(listing_id, &choices).await?;
    crate::ops::product_detail(store, product_id).await
}

/// One import-shaped row per variant; the product's texts ride on its first
/// variant, the others name it as their parent.
pub fn export_rows(
    variants: &[mercator_store::catalog::ExportVariant],
    texts: &[mercator_store::catalog::TextExport],
) -> (Vec<ImportRow>, Vec<String>) {
    let langs: Vec<String> = texts.iter().map(|t| t.lang.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let mut by: HashMap<&str, Vec<&mercator_store::catalog::TextExport>> = HashMap::new();
    for t in texts {
        by.entry(t.product_id.as_str()).or_default().push(t);
    }
    let mut first_sku: HashMap<&str, &str> = HashMap::new();
    let rows = variants
        .iter()
        .map(|e| {
            let v = &e.variant;
            let first = *first_sku.entry(e.product_id.as_str()).or_insert(v.sku.as_str());
            let carries_texts = first == v.sku;
            let ts: &[&mercator_store::catalog::TextExport] =
                if carries_texts { by.get(e.product_id.as_str()).map_or(&[], Vec::as_slice) } else { &[] };
            let currency = v.cost_currency;
            let attrs: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&v.attributes).unwrap_or_default();
            ImportRow {
                line: 0,
                sku: v.sku.clone(),
                gtin: v.gtin.clone(),
                brand: e.brand.clone(),
                category: e.category.clone(),
                cost: mercator_core::Money::from_minor(v.cost_minor, currency),
                titles: ts.iter().map(|t| (t.lang.clone(), t.title.clone())).collect(),
                descriptions: ts
                    .iter()
                    .filter(|t| !t.description.is_empty())
                    .map(|t| (t.lang.clone(), t.description.clone()))
                    .collect(),
                bullets: ts
                    .iter()
                    .map(|t| (t.lang.clone(), serde_json::from_str::<Vec<String>>(&t.bullets).unwrap_or_default()))
                    .filter(|b| !b.1.is_empty())
                    .collect(),
                keywords: ts
                    .iter()
                    .filter(|t| !t.keywords.is_empty())
                    .map(|t| (t.lang.clone(), t.keywords.clone()))
                    .collect(),
                parent: first.to_string(),
                attributes: attrs.into_iter().map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string())).collect(),
                stock: v.stock,
                weight_g: v.weight_g,
                hs_code: v.hs_code.clone(),
                origin: v.origin.clone(),
                update: false,
                filled: vec![],
            }
        })
        .collect();
    (rows, langs)
}

/// Writes the selected products (or everything the filter shows, or the
/// whole catalog) to `dir` as CSV (UTF-8 with BOM, cells guarded against
/// formula injection) or XLSX (text cells). Returns the file written.
pub async fn export_catalog(
    store: &Store,
    ids: Option<Vec<String>>,
    filter: &CatalogFilter,
    format: &str,
    dir: &Path,
) -> ApiResult<ExportResult> {
    let ids = match ids {
        Some(i) => Some(i),
        None => {
            let f = filter.normalised();
            if f == CatalogFilter::default() {
                None
            } else {
                Some(store.catalog_ids(&f).await?)
            }
        }
    };
    let (variants, texts) = store.export_rows(ids.as_deref()).await?;
    let (rows, langs) = export_rows(&variants, &texts);
    let stamp = mercator_store::now_utc().replace([':', '-'], "").replace('T', "-");
    let stamp = stamp.trim_end_matches('Z');
    let bytes = match format {
        "xlsx" => {
            let (headers, cells) = export_table(&rows, &langs);
            mercator_core::xlsx::write_xlsx("Catalog", &headers, &cells).map_err(ApiError)?
        }
        "csv" => export_csv(&rows, &langs).into_bytes(),
        other => return Err(ApiError::new(ErrorCode::InvalidArgument).arg("field", "format").arg("detail", other)),
    };
    let path = dir.join(format!("mercator-catalog-{stamp}.{format}"));
    let fail =
        |e: std::io::Error| ApiError::new(ErrorCode::ExportFailed).arg("detail", format!("{}: {e}", path.display()));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let tmp = path.with_extension("part");
    std::fs::write(&tmp, &bytes).map_err(fail)?;
    std::fs::rename(&tmp, &path).map_err(fail)?;
    Ok(ExportResult { path: path.display().to_string(), rows: rows.len() as i64 })
}
