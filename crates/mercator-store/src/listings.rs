//! Listings on a channel: listing products on an account, and linking an
//! account's existing listings with the catalog by SKU.

use crate::catalog::*;
use crate::{now_utc, Store, StoreError};
use mercator_core::new_id;
use sqlx::SqliteConnection;

impl Store {
    /// Lists every variant of a product on a channel account that does not
    /// have it yet (a connected account starts with no listings): drafts
    /// under our SKU, priced 0 in the channel's currency until priced, market
    /// rules checked, in one transaction. Returns how many were added.
    pub async fn list_on_channel(&self, product_id: &str, channel_id: &str) -> Result<usize, StoreError> {
        self.list_products_on_channel(&[product_id.to_string()], channel_id).await
    }

    /// [`Self::list_on_channel`] for many products (the catalog's selection),
    /// all in one transaction.
    pub async fn list_products_on_channel(
        &self,
        product_ids: &[String],
        channel_id: &str,
    ) -> Result<usize, StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let ch: Option<String> = sqlx::query_scalar("SELECT currency FROM channels WHERE id = ?")
            .bind(channel_id)
            .fetch_optional(&mut *tx)
            .await?;
        let currency = ch.ok_or_else(|| not_found("channel", channel_id))?;
        let mut added = 0;
        for product_id in product_ids {
            added += list_one(&mut tx, product_id, channel_id, &currency).await?;
        }
        crate::rules::refresh(&mut tx, product_ids).await?;
        tx.commit().await?;
        Ok(added)
    }
}

async fn list_one(
    tx: &mut SqliteConnection,
    product_id: &str,
    channel_id: &str,
    currency: &str,
) -> Result<usize, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Unlisted {
        id: String,
        sku: String,
    }
    let variants: Vec<Unlisted> = sqlx::query_as(
        "SELECT v.id, v.sku FROM variants v WHERE v.product_id = ? \
         AND NOT EXISTS (SELECT 1 FROM listings l WHERE l.variant_id = v.id AND l.channel_id = ?) ORDER BY v.sku",
    )
    .bind(product_id)
    .bind(channel_id)
    .fetch_all(&mut *tx)
    .await?;
    if variants.is_empty() {
        let known: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM products WHERE id = ?").bind(product_id).fetch_optional(&mut *tx).await?;
        known.ok_or_else(|| not_found("product", product_id))?;
    }
    let now = now_utc();
    for Unlisted { id: vid, sku } in &variants {
        sqlx::query(
            "INSERT INTO listings (id, variant_id, channel_id, price_minor, price_currency, status, seller_sku, updated_at) \
             VALUES (?, ?, ?, 0, ?, 'draft', ?, ?)",
        )
        .bind(new_id())
        .bind(vid)
        .bind(channel_id)
        .bind(currency)
        .bind(sku)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    Ok(variants.len())
}

/// What linking a channel's listings did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkReport {
    /// Listings created for catalog variants the channel already sells.
    pub linked: i64,
    /// Existing listings that got the channel's id.
    pub updated: i64,
    /// Channel SKUs the catalog does not have (the first 20).
    pub unknown: Vec<String>,
    pub unknown_count: i64,
}

impl Store {
    /// Links a channel's own listings with the catalog by SKU, in one
    /// transaction: a catalog variant the channel sells and Mercator has not
    /// listed there gets a listing (live or inactive as the channel has it,
    /// at the channel's price, with the channel's id); an existing listing
    /// without the channel's id gets it. `items`: (SKU, channel id, price in
    /// minor units of the channel's currency, buyable).
    pub async fn link_listings(
        &self,
        channel_id: &str,
        items: &[(String, String, Option<i64>, bool)],
    ) -> Result<LinkReport, StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let ch: Option<String> = sqlx::query_scalar("SELECT currency FROM channels WHERE id = ?")
            .bind(channel_id)
            .fetch_optional(&mut *tx)
            .await?;
        let currency = ch.ok_or_else(|| not_found("channel", channel_id))?;
        let now = now_utc();
        let mut report = LinkReport::default();
        let mut touched = vec![];
        for (sku, external_id, price, live) in items {
            let variant: Option<VariantOf> = sqlx::query_as("SELECT id, product_id FROM variants WHERE sku = ?")
                .bind(sku)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(VariantOf { id: vid, product_id: pid }) = variant else {
                report.unknown_count += 1;
                if report.unknown.len() < 20 {
                    report.unknown.push(sku.clone());
                }
                continue;
            };
            #[derive(sqlx::FromRow)]
            struct Existing {
                id: String,
                external_id: String,
            }
            let existing: Option<Existing> =
                sqlx::query_as("SELECT id, external_id FROM listings WHERE variant_id = ? AND channel_id = ?")
                    .bind(&vid)
                    .bind(channel_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            match existing {
                Some(Existing { id: lid, external_id: ext }) => {
                    if ext.is_empty() && !external_id.is_empty() {
                        sqlx::query(
                            "UPDATE listings SET external_id = ?, revision = revision + 1, updated_at = ? WHERE id = ?",
                        )
                        .bind(external_id)
                        .bind(&now)
                        .bind(&lid)
                        .execute(&mut *tx)
                        .await?;
                        report.updated += 1;
                    }
                }
                None => {
                    sqlx::query(
                        "INSERT INTO listings (id, variant_id, channel_id, price_minor, price_currency, status, seller_sku, \
                         external_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind(new_id())
                    .bind(&vid)
                    .bind(channel_id)
                    .bind(price.unwrap_or(0).max(0))
                    .bind(&currency)
                    .bind(if *live { "live" } else { "inactive" })
                    .bind(sku)
                    .bind(external_id)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                    report.linked += 1;
                    touched.push(pid);
                }
            }
        }
        touched.sort();
        touched.dedup();
        crate::rules::refresh(&mut tx, &touched).await?;
        tx.commit().await?;
        Ok(report)
    }
}
