//! Products' image lists (demo pictures at first start).

use super::*;

impl Store {
    /// Products that have no image yet, oldest first.
    pub async fn products_without_images(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<String> = sqlx::query_scalar("SELECT id FROM products WHERE images = '[]' ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        Ok(rows)
    }

    /// Sets a product's images without a history entry (demo seeding only:
    /// the picture is part of how the product was created).
    pub async fn seed_images(
        &self,
        product_id: &str,
        images: &[mercator_core::catalog::ImageRef],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("UPDATE products SET images = ? WHERE id = ? AND images = '[]'")
            .bind(serde_json::to_string(images).unwrap_or_else(|_| "[]".into()))
            .bind(product_id)
            .execute(&mut *tx)
            .await?;
        crate::rules::refresh(&mut tx, &[product_id.to_string()]).await?;
        tx.commit().await?;
        Ok(())
    }
}
