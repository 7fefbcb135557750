//! Writes the demo shop (or a generated large shop) in one transaction.

use crate::{fmt_ts, now_utc, Store, StoreError};
use mercator_core::demo::{self, DemoChannel, DemoProduct, DemoShop};
use mercator_core::new_id;
use sqlx::SqliteConnection;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedStats {
    pub products: usize,
    pub variants: usize,
    pub listings: usize,
    pub orders: usize,
    pub conversations: usize,
}

async fn insert_shop(conn: &mut SqliteConnection, name: &str, currency: &str, is_demo: bool) -> Result<(), StoreError> {
    let now = now_utc();
    sqlx::query(
        "INSERT INTO shop (id, name, base_currency, is_demo, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(new_id())
    .bind(name)
    .bind(currency)
    .bind(is_demo)
    .bind(&now)
    .bind(&now)
    .execute(conn)
    .await?;
    Ok(())
}

async fn insert_channels(conn: &mut SqliteConnection, channels: &[DemoChannel]) -> Result<Vec<String>, StoreError> {
    let now = now_utc();
    let mut ids = vec![];
    for ch in channels {
        let id = new_id();
        sqlx::query("INSERT INTO channels (id, kind, name, market, currency, language, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(&id)
            .bind(ch.kind.as_str())
            .bind(&ch.name)
            .bind(&ch.market)
            .bind(ch.currency.code())
            .bind(&ch.language)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// Inserts products with texts, variants and one listing per channel.
/// Returns sku -> variant id and the counts.
async fn insert_products(
    conn: &mut SqliteConnection,
    channel_ids: &[String],
    products: impl Iterator<Item = DemoProduct>,
    stats: &mut SeedStats,
    keep_ids: bool,
) -> Result<HashMap<String, String>, StoreError> {
    let now = now_utc();
    let mut sku_ids = HashMap::new();
    for (pi, p) in products.enumerate() {
        let pid = new_id();
        sqlx::query("INSERT INTO products (id, brand, category, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
            .bind(&pid)
            .bind(&p.brand)
            .bind(&p.category)
            .bind(&now)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        for t in &p.texts {
            sqlx::query(
                "INSERT INTO product_texts (product_id, lang, title, description, updated_at) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&pid)
            .bind(t.lang)
            .bind(&t.title)
            .bind(&t.description)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        }
        for (vi, v) in p.variants.iter().enumerate() {
            let vid = new_id();
            let attrs: serde_json::Map<String, serde_json::Value> =
                v.attributes.iter().map(|(k, val)| (k.clone(), serde_json::Value::from(val.clone()))).collect();
            sqlx::query(
                "INSERT INTO variants (id, product_id, sku, gtin, attributes, cost_minor, cost_currency, weight_g, stock, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&vid)
            .bind(&pid)
            .bind(&v.sku)
            .bind(&v.gtin)
            .bind(serde_json::Value::Object(attrs).to_string())
            .bind(v.cost.minor())
            .bind(v.cost.currency().code())
            .bind(v.weight_g)
            .bind(v.stock)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
            for (ci, price) in v.prices.iter().enumerate() {
                // a realistic mix of listing states
                let status = match (pi + vi + ci) % 11 {
                    0 => "draft",
                    1 => "ready",
                    2 => "inactive",
                    3 if ci == 2 => "error",
                    _ => "live",
                };
                sqlx::query(
                    "INSERT INTO listings (id, variant_id, channel_id, price_minor, price_currency, status, updated_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(new_id())
                .bind(&vid)
                .bind(&channel_ids[ci])
                .bind(price.minor())
                .bind(price.currency().code())
                .bind(status)
                .bind(&now)
                .execute(&mut *conn)
                .await?;
                stats.listings += 1;
            }
            if keep_ids {
                sku_ids.insert(v.sku.clone(), vid);
            }
            stats.variants += 1;
        }
        stats.products += 1;
    }
    Ok(sku_ids)
}

async fn insert_orders_and_inbox(
    conn: &mut SqliteConnection,
    shop: &DemoShop,
    channel_ids: &[String],
    sku_ids: &HashMap<String, String>,
    stats: &mut SeedStats,
) -> Result<(), StoreError> {
    let now = now_utc();
    let mut order_ids: HashMap<(usize, String), String> = HashMap::new();
    for o in &shop.orders {
        let oid = new_id();
        sqlx::query(
            "INSERT INTO orders (id, channel_id, external_id, status, buyer_name, ship_country, shipping_minor, total_minor, currency, ordered_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&oid)
        .bind(&channel_ids[o.channel])
        .bind(&o.external_id)
        .bind(o.status.as_str())
        .bind(&o.buyer_name)
        .bind(&o.ship_country)
        .bind(o.shipping.minor())
        .bind(o.total().minor())
        .bind(o.total().currency().code())
        .bind(fmt_ts(o.ordered_at))
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        for l in &o.lines {
            sqlx::query(
                "INSERT INTO order_lines (id, order_id, variant_id, sku, title, quantity, unit_price_minor, currency, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(new_id())
            .bind(&oid)
            .bind(sku_ids.get(&l.sku))
            .bind(&l.sku)
            .bind(&l.title)
            .bind(l.quantity)
            .bind(l.unit_price.minor())
            .bind(l.unit_price.currency().code())
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        }
        order_ids.insert((o.channel, o.external_id.clone()), oid);
        stats.orders += 1;
    }
    for c in &shop.conversations {
        let cid = new_id();
        let last = c.messages.iter().map(|m| m.at).max().unwrap_or(c.reply_by);
        let order_id = c.order_external_id.as_ref().and_then(|e| order_ids.get(&(c.channel, e.clone())));
        sqlx::query(
            "INSERT INTO conversations (id, channel_id, order_id, buyer_name, buyer_lang, subject, reply_by, last_message_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&cid)
        .bind(&channel_ids[c.channel])
        .bind(order_id)
        .bind(&c.buyer_name)
        .bind(&c.buyer_lang)
        .bind(&c.subject)
        .bind(fmt_ts(c.reply_by))
        .bind(fmt_ts(last))
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        for m in &c.messages {
            sqlx::query("INSERT INTO messages (id, conversation_id, direction, body, sent_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
                .bind(new_id())
                .bind(&cid)
                .bind(if m.inbound { "in" } else { "out" })
                .bind(&m.body)
                .bind(fmt_ts(m.at))
                .bind(&now)
                .execute(&mut *conn)
                .await?;
        }
        stats.conversations += 1;
    }
    Ok(())
}

impl Store {
    pub async fn has_shop(&self) -> Result<bool, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM shop").fetch_one(self.pool()).await?;
        Ok(n > 0)
    }

    /// Creates the shop record of a profile that starts empty (no demo).
    pub async fn create_empty_shop(&self) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        insert_shop(&mut tx, "", "CNY", false).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Loads the demo shop. All or nothing: one transaction.
    pub async fn seed_demo(&self, now: time::OffsetDateTime) -> Result<SeedStats, StoreError> {
        let shop = demo::demo_shop(now);
        let mut stats = SeedStats::default();
        let mut tx = self.pool().begin().await?;
        crate::search::defer(&mut tx).await?;
        insert_shop(&mut tx, &shop.name, shop.base_currency.code(), true).await?;
        let channel_ids = insert_channels(&mut tx, &shop.channels).await?;
        let sku_ids = insert_products(&mut tx, &channel_ids, shop.products.iter().cloned(), &mut stats, true).await?;
        insert_orders_and_inbox(&mut tx, &shop, &channel_ids, &sku_ids, &mut stats).await?;
        crate::search::rebuild(&mut tx).await?;
        tx.commit().await?;
        tracing::info!(?stats, "demo shop loaded");
        Ok(stats)
    }

    /// Generates a shop of `variants` SKUs (titles in zh/en/de, one listing per
    /// channel) for benchmarks. One transaction.
    pub async fn seed_generated(&self, variants: usize, name: &str) -> Result<SeedStats, StoreError> {
        let (products,): (i64,) = sqlx::query_as("SELECT count(*) FROM products").fetch_one(self.pool()).await?;
        if products > 0 {
            return Err(StoreError::Invalid { field: "data-dir".into(), detail: "already holds a catalog".into() });
        }
        let mut stats = SeedStats::default();
        let mut tx = self.pool().begin().await?;
        crate::search::defer(&mut tx).await?;
        sqlx::query("DELETE FROM shop").execute(&mut *tx).await?;
        insert_shop(&mut tx, name, "CNY", false).await?;
        let channel_ids = insert_channels(&mut tx, &demo::generated_channels()).await?;
        insert_products(&mut tx, &channel_ids, demo::generated_products(variants), &mut stats, false).await?;
        crate::search::rebuild(&mut tx).await?;
        tx.commit().await?;
        Ok(stats)
    }
}
