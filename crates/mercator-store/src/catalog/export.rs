//! Export rows and remembered import layouts.

use super::*;

impl Store {
    /// The column mapping the user chose for a file layout, if any.
    pub async fn import_layout(&self, key: &str) -> Result<Option<Vec<Option<String>>>, StoreError> {
        let row: Option<String> = sqlx::query_scalar("SELECT mapping FROM import_layouts WHERE layout_key = ?")
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.and_then(|m| serde_json::from_str(&m).ok()))
    }

    pub async fn save_import_layout(
        &self,
        key: &str,
        headers: &[String],
        mapping: &[Option<String>],
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO import_layouts (layout_key, headers, mapping, updated_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT(layout_key) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(serde_json::to_string(headers).unwrap_or_default())
        .bind(serde_json::to_string(mapping).unwrap_or_default())
        .bind(now_utc())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Rows for export: one per variant of `product_ids` (all when None), in
    /// catalog order, with every language's texts. SQLite hands the rows
    /// over as one JSON array per query: reading 100k rows one by one
    /// through the driver costs ten times more than parsing them.
    pub async fn export_rows(
        &self,
        product_ids: Option<&[String]>,
    ) -> Result<(Vec<ExportVariant>, Vec<TextExport>), StoreError> {
        let ids = product_ids.map(|i| serde_json::to_string(i).unwrap_or_default());
        let variants: String = sqlx::query_scalar(
            "SELECT json_group_array(json_object('product_id', product_id, 'brand', brand, 'category', category, \
                    'variant', json_object('id', id, 'sku', sku, 'gtin', gtin, 'attributes', attributes, 'cost_minor', cost_minor, \
                    'cost_currency', cost_currency, 'stock', stock, 'weight_g', weight_g, 'length_mm', length_mm, \
                    'width_mm', width_mm, 'height_mm', height_mm, 'hs_code', hs_code, 'origin', origin, \
                    'certifications', certifications, 'revision', revision))) \
             FROM (SELECT p.id AS product_id, p.brand, p.category, v.* FROM variants v JOIN products p ON p.id = v.product_id \
                   WHERE ?1 IS NULL OR p.id IN (SELECT value FROM json_each(?1)) ORDER BY p.id, v.sku)",
        )
        .bind(&ids)
        .fetch_one(self.pool())
        .await?;
        let texts: String = sqlx::query_scalar(
            "SELECT json_group_array(json_object('product_id', product_id, 'lang', lang, 'title', title, \
                    'description', description, 'bullets', bullets, 'keywords', keywords)) \
             FROM product_texts WHERE ?1 IS NULL OR product_id IN (SELECT value FROM json_each(?1))",
        )
        .bind(&ids)
        .fetch_one(self.pool())
        .await?;
        let parse = |e: serde_json::Error| StoreError::Invalid { field: "export".into(), detail: e.to_string() };
        Ok((serde_json::from_str(&variants).map_err(parse)?, serde_json::from_str(&texts).map_err(parse)?))
    }
}

/// A variant with what export needs of its product. (Nested, not
/// `serde(flatten)`: flatten buffers every value, floats included.)
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ExportVariant {
    pub product_id: String,
    pub brand: String,
    pub category: String,
    pub variant: VariantRow,
}

#[derive(Debug, Clone, FromRow, serde::Deserialize)]
pub struct TextExport {
    pub product_id: String,
    pub lang: String,
    pub title: String,
    pub description: String,
    pub bullets: String,
    pub keywords: String,
}
