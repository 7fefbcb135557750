//! Keeps the market-rule results current: every write that can change what a
//! rule sees calls [`refresh`] for its products inside its own transaction,
//! so `listings.issues` and `products.issue_count` are never stale. Rules that
//! depend on the date (certificate expiry) are re-checked at start-up.

use crate::{now_utc, Store, StoreError};
use mercator_core::catalog::{Certification, ImageRef};
use mercator_core::rules::{check_listing, serves_market, ListingFacts};
use serde_json::Value;
use sqlx::SqliteConnection;
use std::collections::HashMap;

/// Bump when the rule table changes: every listing is re-checked at the next start.
pub const RULES_VERSION: &str = "1";
const CHUNK: usize = 500;

/// (category, GTIN exempt, images)
type ProductFacts<'a> = (&'a str, bool, Vec<ImageRef>);

/// Whether a rule reads `entity`.`field` (what [`refresh_chunk`] selects:
/// keep the two together). A write of any other field leaves every rule
/// result as it was, so a bulk write of it needs no refresh.
pub fn reads(entity: &str, field: &str) -> bool {
    match entity {
        "product" => matches!(field, "category" | "gtin_exempt" | "images"),
        "text" => matches!(field, "title" | "bullets" | "keywords"),
        "variant" => matches!(field, "gtin" | "certifications"),
        "listing" => matches!(field, "overrides" | "status"),
        _ => true,
    }
}

/// Re-checks every listing of `product_ids` and stores the results.
pub async fn refresh(conn: &mut SqliteConnection, product_ids: &[String]) -> Result<(), StoreError> {
    let today = now_utc()[..10].to_string();
    for chunk in product_ids.chunks(CHUNK) {
        refresh_chunk(conn, chunk, &today).await?;
    }
    Ok(())
}

/// What the rules read of a product, a text, a variant and a listing.
#[derive(sqlx::FromRow)]
struct ProductRow {
    id: String,
    category: String,
    gtin_exempt: i64,
    images: String,
}

#[derive(sqlx::FromRow)]
struct TextFacts {
    product_id: String,
    lang: String,
    title: String,
    bullets: String,
    keywords: String,
}

#[derive(sqlx::FromRow)]
struct VariantRow {
    id: String,
    gtin: Option<String>,
    certifications: String,
}

#[derive(sqlx::FromRow)]
struct ListingRow {
    id: String,
    product_id: String,
    variant_id: String,
    kind: String,
    market: String,
    overrides: String,
    issues: String,
}

async fn refresh_chunk(conn: &mut SqliteConnection, ids: &[String], today: &str) -> Result<(), StoreError> {
    let ids_json = serde_json::to_string(ids).unwrap_or_default();
    const IN: &str = "IN (SELECT value FROM json_each(?))";
    let products: Vec<ProductRow> =
        sqlx::query_as(&format!("SELECT id, category, gtin_exempt, images FROM products WHERE id {IN}"))
            .bind(&ids_json)
            .fetch_all(&mut *conn)
            .await?;
    let texts: Vec<TextFacts> = sqlx::query_as(&format!(
        "SELECT product_id, lang, title, bullets, keywords FROM product_texts WHERE product_id {IN}"
    ))
    .bind(&ids_json)
    .fetch_all(&mut *conn)
    .await?;
    let variants: Vec<VariantRow> =
        sqlx::query_as(&format!("SELECT id, gtin, certifications FROM variants WHERE product_id {IN}"))
            .bind(&ids_json)
            .fetch_all(&mut *conn)
            .await?;
    let listings: Vec<ListingRow> = sqlx::query_as(&format!(
        "SELECT l.id, v.product_id, l.variant_id, c.kind, c.market, l.overrides, l.issues \
         FROM listings l JOIN variants v ON v.id = l.variant_id JOIN channels c ON c.id = l.channel_id \
         WHERE v.product_id {IN}"
    ))
    .bind(&ids_json)
    .fetch_all(&mut *conn)
    .await?;

    let mut texts_of: HashMap<&str, Vec<&TextFacts>> = HashMap::new();
    for t in &texts {
        texts_of.entry(t.product_id.as_str()).or_default().push(t);
    }
    let variant_of: HashMap<&str, (bool, Vec<Certification>)> = variants
        .iter()
        .map(|v| {
            (
                v.id.as_str(),
                (
                    v.gtin.as_deref().is_some_and(|g| !g.is_empty()),
                    serde_json::from_str(&v.certifications).unwrap_or_default(),
                ),
            )
        })
        .collect();
    let product_of: HashMap<&str, ProductFacts<'_>> = products
        .iter()
        .map(|p| {
            let imgs: Vec<ImageRef> = serde_json::from_str(&p.images).unwrap_or_default();
            (p.id.as_str(), (p.category.as_str(), p.gtin_exempt != 0, imgs))
        })
        .collect();

    let mut counts: HashMap<&str, i64> = ids.iter().map(|id| (id.as_str(), 0)).collect();
    for ListingRow { id: listing_id, product_id, variant_id, kind, market, overrides, issues: old_issues } in &listings
    {
        let Some((category, exempt, images)) = product_of.get(product_id.as_str()) else { continue };
        let Some((has_gtin, certs)) = variant_of.get(variant_id.as_str()) else { continue };
        let text = texts_of
            .get(product_id.as_str())
            .and_then(|ts| ts.iter().find(|t| serves_market(&t.lang, market)).copied());
        let ov: Value = serde_json::from_str(overrides).unwrap_or(Value::Null);
        let title = ov.get("title").and_then(Value::as_str).or(text.map(|t| t.title.as_str()));
        let bullets = match ov.get("bullets").and_then(Value::as_array) {
            Some(b) => b.len(),
            None => text.map_or(0, |t| serde_json::from_str::<Vec<String>>(&t.bullets).unwrap_or_default().len()),
        };
        let keywords = ov.get("keywords").and_then(Value::as_str).or(text.map(|t| t.keywords.as_str())).unwrap_or("");
        let issues = check_listing(&ListingFacts {
            channel_kind: kind,
            market,
            category,
            title,
            bullets,
            keywords,
            has_gtin: *has_gtin,
            gtin_exempt: *exempt,
            certifications: certs,
            images: &images.iter().filter(|i| i.shows(variant_id)).map(|i| (i.width, i.height)).collect::<Vec<_>>(),
            today,
        });
        *counts.entry(product_id.as_str()).or_default() += issues.len() as i64;
        let json = serde_json::to_string(&issues).unwrap_or_else(|_| "[]".into());
        if &json != old_issues {
            sqlx::query("UPDATE listings SET issues = ? WHERE id = ?")
                .bind(&json)
                .bind(listing_id)
                .execute(&mut *conn)
                .await?;
        }
    }
    for (product_id, n) in counts {
        sqlx::query("UPDATE products SET issue_count = ? WHERE id = ? AND issue_count != ?")
            .bind(n)
            .bind(product_id)
            .bind(n)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Records that every listing was checked with this rule table today.
pub(crate) async fn mark_checked(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    let now = now_utc();
    for (key, value) in [("rules_version", RULES_VERSION), ("rules_checked_on", &now[..10])] {
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) \
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Re-checks what may have changed since the last run: everything when
    /// the rules changed (or were never run on this file); else, on the first
    /// start of a day, the products whose certificates carry an expiry date.
    /// Later starts that day read one setting and do nothing.
    pub async fn refresh_rules_at_start(&self) -> Result<(), StoreError> {
        let today = now_utc()[..10].to_string();
        let version = self.setting("rules_version").await?;
        let current = version.as_deref() == Some(RULES_VERSION);
        if current && self.setting("rules_checked_on").await?.as_deref() == Some(today.as_str()) {
            return Ok(());
        }
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let ids: Vec<String> = if current {
            sqlx::query_scalar("SELECT DISTINCT product_id FROM variants WHERE certifications LIKE '%\"expires\":\"%'")
                .fetch_all(&mut *tx)
                .await?
        } else {
            sqlx::query_scalar("SELECT id FROM products").fetch_all(&mut *tx).await?
        };
        refresh(&mut tx, &ids).await?;
        mark_checked(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
