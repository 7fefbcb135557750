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

    for o in &shop.orders {
        let oid = new_id();
        sqlx::query(
            "INSERT INTO orders (id, channel_id, external_id, order_number, status, buyer_name, ship_country, shipping_minor, total_minor, currency, ordered_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&oid)
        .bind(&channel_ids[o.channel])
        .bind(&o.external_id)
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
        stats.orders += 1;
    }
    // own stores answer within a day (the marketplaces set their own clocks)
    sqlx::query("UPDATE channels SET reply_hours = 24 WHERE kind IN ('shopify', 'woocommerce')")
        .execute(&mut *conn)
        .await?;
    // conversations go in as the mail and chat loops store them: threaded,
    // linked to their order, with their reply clocks
    for (i, c) in shop.conversations.iter().enumerate() {
        let order_refs: Vec<String> = c.order_external_id.iter().cloned().collect();
        let msgs: Vec<crate::inbox::NewMessage> = c
            .messages
            .iter()
            .enumerate()
            .map(|(j, m)| crate::inbox::NewMessage {
                channel_id: channel_ids[c.channel].clone(),
                mailbox_id: None,
                external_id: format!("demo-{i}-{j}@demo.mercator.invalid"),
                thread: Some(format!("demo-{i}")),
                parents: vec![],
                direction: if m.inbound { crate::inbox::Direction::In } else { crate::inbox::Direction::Out },
                subject: c.subject.clone(),
                from_name: if m.inbound { c.buyer_name.clone() } else { String::new() },
                from_address: String::new(),
                reply_to: String::new(),
                body: m.body.clone(),
                html: None,
                blocked_images: 0,
                attachments: "[]".into(),
                files: vec![],
                links: "[]".into(),
                sent_at: m.at,
                order_refs: order_refs.clone(),
                lang: Some(c.buyer_lang.clone()),
                auto: false,
            })
            .collect();
        crate::inbox::ingest_in(&mut *conn, &msgs).await?;
        stats.conversations += 1;
    }
    for tpl in demo::demo_templates() {
        sqlx::query("INSERT INTO reply_templates (id, name, lang, body, updated_at) VALUES (?, ?, ?, ?, ?)")
            .bind(new_id())
            .bind(&tpl.name)
            .bind(&tpl.lang)
            .bind(&tpl.body)
            .bind(now_utc())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Store {
    pub async fn has_shop(&self) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM shop").fetch_one(self.pool()).await?;
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
        enrich_catalog(&mut tx, true).await?;
        crate::pricing::seed_presets(&mut tx, now.date()).await?;
        crate::pricing::seed_sample_rates(&mut tx).await?;
        crate::search::rebuild(&mut tx).await?;
        tx.commit().await?;
        tracing::info!(?stats, "demo shop loaded");
        Ok(stats)
    }

    /// Generates a shop of `variants` SKUs (titles in zh/en/de, one listing per
    /// channel) for benchmarks. One transaction.
    pub async fn seed_generated(&self, variants: usize, name: &str) -> Result<SeedStats, StoreError> {
        let products: i64 = sqlx::query_scalar("SELECT count(*) FROM products").fetch_one(self.pool()).await?;
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
        enrich_catalog(&mut tx, false).await?;
        crate::pricing::seed_presets(&mut tx, crate::pricing::today()).await?;
        crate::pricing::seed_sample_rates(&mut tx).await?;
        crate::search::rebuild(&mut tx).await?;
        tx.commit().await?;
        Ok(stats)
    }
}

/// Bullet points per category: (category, en, de, zh), two per category; a
/// third, about shipping, is common to all.
/// (category, two bullets in en, de, zh)
type CategoryBullets = (&'static str, [&'static str; 2], [&'static str; 2], [&'static str; 2]);
const BULLETS: &[CategoryBullets] = &[
    (
        "kitchen",
        ["Food-grade materials, BPA-free", "Dishwasher safe, easy to clean"],
        ["Lebensmittelechte Materialien, BPA-frei", "Spülmaschinenfest, leicht zu reinigen"],
        ["食品级材质，不含BPA", "可用洗碗机清洗，易清洁"],
    ),
    (
        "electronics",
        ["Bluetooth 5.3, stable connection up to 10 m", "USB-C fast charging, long battery life"],
        ["Bluetooth 5.3, stabile Verbindung bis 10 m", "USB-C-Schnellladen, lange Akkulaufzeit"],
        ["蓝牙5.3，10米稳定连接", "USB-C快充，超长续航"],
    ),
    (
        "home",
        ["Durable fabric, keeps its shape", "Fits most standard sizes"],
        ["Robustes Gewebe, formstabil", "Passt für die meisten Standardgrößen"],
        ["耐用面料，不易变形", "适配大多数标准尺寸"],
    ),
    (
        "sports",
        ["Lightweight and sweat resistant", "Non-slip grip for training indoors and out"],
        ["Leicht und schweißresistent", "Rutschfester Griff für drinnen und draußen"],
        ["轻便耐汗", "防滑握感，室内外训练皆宜"],
    ),
    (
        "beauty",
        ["Gentle on sensitive skin", "Travel size, leak-proof"],
        ["Sanft zu empfindlicher Haut", "Reisegröße, auslaufsicher"],
        ["温和不刺激，敏感肌可用", "旅行装，防漏设计"],
    ),
    (
        "pets",
        ["Pet-safe, non-toxic materials", "Machine washable"],
        ["Haustierfreundliche, ungiftige Materialien", "Maschinenwaschbar"],
        ["宠物安全无毒材质", "可机洗"],
    ),
    (
        "office",
        ["Sturdy build for daily use", "Keeps your desk tidy"],
        ["Stabile Bauweise für den täglichen Einsatz", "Hält den Schreibtisch ordentlich"],
        ["结实耐用，适合日常使用", "桌面收纳整洁"],
    ),
    (
        "toys",
        ["Rounded edges, tested for ages 3+", "Develops motor skills and creativity"],
        ["Abgerundete Kanten, geprüft ab 3 Jahren", "Fördert Motorik und Kreativität"],
        ["圆角设计，适合3岁以上", "锻炼动手能力与创造力"],
    ),
];

const SHIP_BULLET: [(&str, &str); 3] = [
    ("en-US", "Ships within 24 hours from local warehouses"),
    ("de-DE", "Versand innerhalb von 24 Stunden aus lokalen Lagern"),
    ("zh-CN", "海外仓24小时内发货"),
];

/// HS code per category (six-digit subheading).
const HS: &[(&str, &str)] = &[
    ("kitchen", "821599"),
    ("electronics", "851830"),
    ("home", "630790"),
    ("sports", "950691"),
    ("beauty", "330499"),
    ("pets", "420100"),
    ("office", "482010"),
    ("toys", "950300"),
];

/// Fills what a real catalog holds besides titles: bullets and keywords,
/// customs data and dimensions, certificates (with a few gaps and one expired
/// one, so the market rules have something to say), the channels'
/// identifiers, and, in the demo, one listing whose channel copy was edited
/// on the channel since the last sync. Then checks every listing's rules.
async fn enrich_catalog(conn: &mut SqliteConnection, demo: bool) -> Result<(), StoreError> {
    for (cat, en, de, zh) in BULLETS {
        for (lang, two) in [("en-US", en), ("de-DE", de), ("zh-CN", zh)] {
            let ship = SHIP_BULLET.iter().find(|(l, _)| *l == lang).map(|(_, b)| *b).unwrap_or_default();
            let bullets = serde_json::json!([two[0], two[1], ship]).to_string();
            sqlx::query(
                "UPDATE product_texts SET bullets = ?, keywords = lower(replace(replace(title, ',', ''), ' - ', ' ')) \
                 WHERE lang = ? AND product_id IN (SELECT id FROM products WHERE category = ?)",
            )
            .bind(&bullets)
            .bind(lang)
            .bind(cat)
            .execute(&mut *conn)
            .await?;
        }
    }
    for (cat, hs) in HS {
        sqlx::query(
            "UPDATE variants SET hs_code = ?, origin = 'CN', \
                 length_mm = 60 + (weight_g % 7) * 30, width_mm = 40 + (weight_g % 5) * 20, height_mm = 20 + (weight_g % 3) * 15 \
             WHERE product_id IN (SELECT id FROM products WHERE category = ?)",
        )
        .bind(hs)
        .bind(cat)
        .execute(&mut *conn)
        .await?;
    }
    // Certificates: CE + FCC for electronics, CE + CPC for toys; every third
    // electronics product has no PSE (Japan), one CE expired last month.
    sqlx::query(
        "UPDATE variants SET certifications = json_array( \
             json_object('kind', 'CE', 'reference', 'DoC-' || substr(sku, 1, 12) || '.pdf', 'expires', '2028-06-30'), \
             json_object('kind', 'FCC', 'reference', 'FCC-2A' || substr(hex(randomblob(3)), 1, 5), 'expires', NULL)) \
         WHERE product_id IN (SELECT id FROM products WHERE category = 'electronics')",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE variants SET certifications = json_insert(certifications, '$[#]', \
             json_object('kind', 'PSE', 'reference', 'PSE-' || substr(sku, -6), 'expires', '2029-03-31')) \
         WHERE product_id IN (SELECT id FROM products WHERE category = 'electronics' AND rowid % 3 != 0)",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE variants SET certifications = json_array( \
             json_object('kind', 'CE', 'reference', 'EN71-' || substr(sku, -6) || '.pdf', 'expires', NULL), \
             json_object('kind', 'CPC', 'reference', 'CPC-' || substr(sku, -6) || '.pdf', 'expires', '2027-12-31')) \
         WHERE product_id IN (SELECT id FROM products WHERE category = 'toys')",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE variants SET certifications = json_replace(certifications, '$[0].expires', '2026-10-31') \
         WHERE product_id = (SELECT id FROM products WHERE category = 'electronics' ORDER BY id LIMIT 1)",
    )
    .execute(&mut *conn)
    .await?;
    // Channel identifiers: seller SKU = our SKU; Amazon ASINs, Shopify ids.
    sqlx::query(
        "UPDATE listings SET seller_sku = (SELECT sku FROM variants v WHERE v.id = listings.variant_id), \
             external_id = CASE (SELECT kind FROM channels c WHERE c.id = listings.channel_id) \
                 WHEN 'amazon' THEN 'B0' || upper(substr(hex(randomblob(4)), 1, 8)) \
                 ELSE 'gid://shopify/ProductVariant/' || (40000000000 + abs(random() % 9999999999)) END \
         WHERE status IN ('live', 'inactive', 'error')",
    )
    .execute(&mut *conn)
    .await?;
    if demo {
        // Amazon's catalog team shortened one live German title: the listing
        // was synced with our title (base) and Amazon now shows another.
        #[derive(sqlx::FromRow)]
        struct Shortened {
            id: String,
            title: String,
            bullets: String,
        }
        let row: Option<Shortened> = sqlx::query_as(
            "SELECT l.id, t.title, t.bullets FROM listings l JOIN variants v ON v.id = l.variant_id \
             JOIN channels c ON c.id = l.channel_id JOIN product_texts t ON t.product_id = v.product_id AND t.lang = 'de-DE' \
             JOIN products p ON p.id = v.product_id \
             WHERE c.kind = 'amazon' AND c.market = 'DE' AND l.status = 'live' AND p.category = 'kitchen' \
             ORDER BY v.sku LIMIT 1",
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(Shortened { id: listing, title, bullets }) = row {
            let base = serde_json::json!({ "title": title, "bullets": serde_json::from_str::<serde_json::Value>(&bullets).unwrap_or_default() });
            let short: String = title.split(',').next().unwrap_or(&title).to_string();
            let theirs = serde_json::json!({ "title": format!("{short} – Hearthly"), "bullets": base["bullets"] });
            sqlx::query("UPDATE listings SET synced_base = ?, remote_copy = ?, remote_seen_at = ? WHERE id = ?")
                .bind(base.to_string())
                .bind(theirs.to_string())
                .bind(now_utc())
                .bind(&listing)
                .execute(&mut *conn)
                .await?;
        }
    }
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM products").fetch_all(&mut *conn).await?;
    crate::rules::refresh(conn, &ids).await?;
    crate::rules::mark_checked(conn).await?;
    Ok(())
}
