//! Stock per warehouse, reservations and what each channel may sell.
//!
//! - On hand: `stock_levels` per (warehouse, variant); `variants.stock` is
//!   the sellable total (triggers keep it equal to the sum, FBA excluded).
//! - Reserved: units on orders that are pending, to ship or partly shipped
//!   and whose stock has not left yet — computed from the orders, so it can
//!   never drift from them.
//! - Available to sell = on hand − reserved; a listing offers that (policy
//!   `stock`), that minus its buffer (`buffer`), or a fixed number
//!   (`fixed`), never below zero. Reserved above on hand is an oversell.
//! - Shipped: when an order Mercator saw open becomes shipped (marked here
//!   or seen on the channel), its units leave the default warehouse, once.
//! - Pushing: [`Store::queue_stock_pushes`] compares every live listing of
//!   a connected account with the quantity last queued for it and queues a
//!   `listing.stock` update where they differ (a waiting update is
//!   rewritten rather than queued twice); the scheduler runs it each cycle.

use crate::{now_utc, outbox, Store, StoreError};
use mercator_core::{new_id, ErrorCode, ErrorPayload};
use sqlx::{FromRow, SqliteConnection};

pub const WAREHOUSE_KINDS: &[&str] = &["own", "3pl", "fba"];

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct WarehouseRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub country: String,
    pub channel_id: Option<String>,
    pub is_default: bool,
    pub units: i64,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct StockRow {
    pub variant_id: String,
    pub sku: String,
    pub title: String,
    /// Sellable on hand (every warehouse but FBA).
    pub on_hand: i64,
    pub reserved: i64,
    /// JSON `{warehouse id: on hand}`.
    pub levels: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StockFilter {
    /// SKU prefix or title words.
    pub query: Option<String>,
    /// Only variants with more reserved than on hand.
    pub oversold: bool,
}

/// Units reserved per variant: open orders whose stock has not left.
const RESERVED: &str = "SELECT l.variant_id, sum(l.quantity) AS reserved FROM order_lines l JOIN orders o ON o.id = l.order_id \
     WHERE l.variant_id IS NOT NULL AND o.status IN ('pending', 'unshipped', 'partially_shipped') AND o.stock_deducted = 0 \
     GROUP BY l.variant_id";

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Takes the units of these orders out of the default warehouse if they
/// became shipped after Mercator saw them open (each order once).
pub(crate) async fn deduct_shipped(conn: &mut SqliteConnection, order_ids: &[String]) -> Result<i64, sqlx::Error> {
    if order_ids.is_empty() {
        return Ok(0);
    }
    let ids = serde_json::to_string(order_ids).unwrap_or_default();
    let now = now_utc();
    #[derive(sqlx::FromRow)]
    struct Leaving {
        order_id: String,
        variant_id: String,
        qty: i64,
    }
    let due: Vec<Leaving> = sqlx::query_as(
        "SELECT o.id AS order_id, l.variant_id, sum(l.quantity) AS qty FROM orders o JOIN order_lines l ON l.order_id = o.id \
         WHERE o.id IN (SELECT value FROM json_each(?1)) AND o.status IN ('shipped', 'delivered') AND o.stock_deducted = 0 \
           AND l.variant_id IS NOT NULL GROUP BY o.id, l.variant_id",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    for Leaving { order_id, variant_id, qty } in &due {
        sqlx::query(
            "INSERT INTO stock_moves (id, warehouse_id, variant_id, delta, reason, reference, at) \
             SELECT ?1, w.id, ?2, -?3, 'shipped', ?4, ?5 FROM warehouses w WHERE w.is_default = 1",
        )
        .bind(new_id())
        .bind(variant_id)
        .bind(qty)
        .bind(order_id)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO stock_levels (warehouse_id, variant_id, on_hand, updated_at) \
             SELECT w.id, ?1, -?2, ?3 FROM warehouses w WHERE w.is_default = 1 \
             ON CONFLICT (warehouse_id, variant_id) DO UPDATE SET on_hand = on_hand - ?2, updated_at = ?3",
        )
        .bind(variant_id)
        .bind(qty)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
    }
    let r = sqlx::query(
        "UPDATE orders SET stock_deducted = 1 WHERE id IN (SELECT value FROM json_each(?1)) \
         AND status IN ('shipped', 'delivered') AND stock_deducted = 0",
    )
    .bind(&ids)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() as i64)
}

/// The quantity a live listing offers: fixed, or available (on hand minus
/// reserved) minus its buffer, never below 0. `l` listings, `v` variants,
/// `r` the reservations of [`RESERVED`].
const OFFER_QTY: &str = "CASE l.qty_policy WHEN 'fixed' THEN l.qty_value \
     WHEN 'buffer' THEN max(0, v.stock - COALESCE(r.reserved, 0) - l.qty_value) \
     ELSE max(0, v.stock - COALESCE(r.reserved, 0)) END";

impl Store {
    pub async fn warehouses(&self) -> Result<Vec<WarehouseRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT w.id, w.name, w.kind, w.country, w.channel_id, w.is_default, \
                    (SELECT COALESCE(sum(on_hand), 0) FROM stock_levels s WHERE s.warehouse_id = w.id) AS units \
             FROM warehouses w ORDER BY w.is_default DESC, w.position, w.created_at",
        )
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn add_warehouse(&self, name: &str, kind: &str, country: &str) -> Result<String, StoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(StoreError::Invalid { field: "name".into(), detail: "1 to 80 characters".into() });
        }
        if !WAREHOUSE_KINDS.contains(&kind) || kind == "fba" {
            return Err(StoreError::Invalid { field: "kind".into(), detail: kind.into() });
        }
        let country = country.trim().to_uppercase();
        if !(country.is_empty() || (country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()))) {
            return Err(StoreError::Rejected(ErrorPayload::new(ErrorCode::CountryCode).arg("value", &country)));
        }
        let id = new_id();
        let now = now_utc();
        sqlx::query(
            "INSERT INTO warehouses (id, name, kind, country, position, created_at, updated_at) \
             VALUES (?, ?, ?, ?, (SELECT COALESCE(max(position), 0) + 1 FROM warehouses), ?, ?)",
        )
        .bind(&id)
        .bind(name)
        .bind(kind)
        .bind(&country)
        .bind(&now)
        .bind(&now)
        .execute(self.pool())
        .await?;
        Ok(id)
    }

    /// Sets what a count found in a warehouse (a `count` move of the
    /// difference). FBA stock is Amazon's: read only.
    pub async fn set_stock_level(&self, warehouse_id: &str, variant_id: &str, on_hand: i64) -> Result<(), StoreError> {
        if !(0..=10_000_000).contains(&on_hand) {
            return Err(StoreError::Rejected(ErrorPayload::new(ErrorCode::StockInvalid).arg("value", on_hand)));
        }
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM warehouses WHERE id = ?")
            .bind(warehouse_id)
            .fetch_optional(&mut *tx)
            .await?;
        match kind {
            None => return Err(StoreError::NotFound { what: format!("warehouse {warehouse_id}") }),
            Some(k) if k == "fba" => {
                return Err(StoreError::Invalid { field: "warehouse".into(), detail: "FBA stock is read only".into() })
            }
            _ => {}
        }
        let before: i64 = sqlx::query_scalar(
            "SELECT COALESCE((SELECT on_hand FROM stock_levels WHERE warehouse_id = ?1 AND variant_id = ?2), 0)",
        )
        .bind(warehouse_id)
        .bind(variant_id)
        .fetch_one(&mut *tx)
        .await?;
        if before != on_hand {
            let now = now_utc();
            sqlx::query(
                "INSERT INTO stock_moves (id, warehouse_id, variant_id, delta, reason, at) VALUES (?, ?, ?, ?, 'count', ?)",
            )
            .bind(new_id())
            .bind(warehouse_id)
            .bind(variant_id)
            .bind(on_hand - before)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO stock_levels (warehouse_id, variant_id, on_hand, updated_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (warehouse_id, variant_id) DO UPDATE SET on_hand = ?3, updated_at = ?4",
            )
            .bind(warehouse_id)
            .bind(variant_id)
            .bind(on_hand)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A page of variants with their stock, reservations and levels.
    pub async fn stock_page(
        &self,
        f: &StockFilter,
        lang: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<StockRow>, i64), StoreError> {
        let mut conds = vec!["1".to_string()];
        let mut binds: Vec<String> = vec![];
        if let Some(q) = f.query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            conds.push(
                "(v.sku LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM product_texts t WHERE t.product_id = v.product_id \
                 AND t.title LIKE ? ESCAPE '\\'))"
                    .into(),
            );
            binds.push(format!("{}%", escape_like(q)));
            binds.push(format!("%{}%", escape_like(q)));
        }
        if f.oversold {
            conds.push("COALESCE(r.reserved, 0) > v.stock".into());
        }
        let wh = conds.join(" AND ");
        let from = format!("FROM variants v LEFT JOIN ({RESERVED}) r ON r.variant_id = v.id WHERE {wh}");
        let count_sql = format!("SELECT count(*) {from}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &binds {
            count = count.bind(b);
        }
        let total = count.fetch_one(self.pool()).await?;
        let sql = format!(
            "SELECT v.id AS variant_id, v.sku, \
                COALESCE((SELECT title FROM product_texts t WHERE t.product_id = v.product_id AND t.lang = ?), \
                         (SELECT title FROM product_texts t WHERE t.product_id = v.product_id ORDER BY t.lang = 'en-US' DESC LIMIT 1), '') AS title, \
                v.stock AS on_hand, COALESCE(r.reserved, 0) AS reserved, \
                (SELECT COALESCE(json_group_object(s.warehouse_id, s.on_hand), '{{}}') FROM stock_levels s WHERE s.variant_id = v.id) AS levels \
             {from} ORDER BY (COALESCE(r.reserved, 0) > v.stock) DESC, v.sku LIMIT ? OFFSET ?"
        );
        let mut q = sqlx::query_as::<_, StockRow>(&sql).bind(lang);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.bind(limit).bind(offset).fetch_all(self.pool()).await?;
        Ok((rows, total))
    }

    /// How many variants have more reserved than on hand.
    pub async fn oversold_count(&self) -> Result<i64, StoreError> {
        let sql = format!(
            "SELECT count(*) FROM variants v JOIN ({RESERVED}) r ON r.variant_id = v.id WHERE r.reserved > v.stock"
        );
        let n: i64 = sqlx::query_scalar(&sql).fetch_one(self.pool()).await?;
        Ok(n)
    }

    /// Queues a `listing.stock` update for every live listing of a
    /// connected account whose quantity to offer differs from the one last
    /// queued. Returns how many were queued (or rewritten). One transaction.
    pub async fn queue_stock_pushes(&self) -> Result<i64, StoreError> {
        let sql = format!(
            "SELECT l.id AS listing_id, l.channel_id, {OFFER_QTY} AS qty \
             FROM listings l JOIN variants v ON v.id = l.variant_id JOIN channels c ON c.id = l.channel_id \
             LEFT JOIN ({RESERVED}) r ON r.variant_id = v.id \
             WHERE l.status = 'live' AND c.config NOT IN ('', '{{}}') AND l.pushed_qty IS NOT qty"
        );
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        #[derive(sqlx::FromRow)]
        struct Push {
            listing_id: String,
            channel_id: String,
            qty: i64,
        }
        let due: Vec<Push> = sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
        let now = now_utc();
        for Push { listing_id: listing, channel_id: channel, qty } in &due {
            let payload = serde_json::json!({ "quantity": qty });
            // a waiting update is rewritten: only the newest number matters
            let rewritten = sqlx::query(
                "UPDATE outbox SET payload = ?1, updated_at = ?2 \
                 WHERE aggregate_id = ?3 AND kind = 'listing.stock' AND status = 'pending'",
            )
            .bind(payload.to_string())
            .bind(&now)
            .bind(listing)
            .execute(&mut *tx)
            .await?;
            if rewritten.rows_affected() == 0 {
                outbox::enqueue(&mut tx, channel, "listing.stock", listing, &payload, &format!("stock:{}", new_id()))
                    .await?;
            }
            sqlx::query("UPDATE listings SET pushed_qty = ? WHERE id = ?")
                .bind(qty)
                .bind(listing)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(due.len() as i64)
    }
}

/// What an FBA stock import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FbaImport {
    /// Seller SKUs Amazon reported.
    pub reported: i64,
    /// Of those, found in the catalog (through this account's listings or the SKU).
    pub matched: i64,
    /// Reported SKUs the catalog does not have (the first 20).
    pub unknown: Vec<String>,
    /// Stock levels that changed.
    pub changed: i64,
}

impl Store {
    /// Replaces an Amazon account's FBA stock with what Amazon reports
    /// (seller SKU, units it can ship now), in one transaction: the
    /// account's read-only FBA warehouse is made on first use; variants the
    /// report no longer names go to 0; every change is a `channel` move.
    /// FBA units are not in the sellable total (they ship only through
    /// Amazon), so nothing is pushed to other channels because of them.
    pub async fn replace_fba_stock(&self, channel_id: &str, items: &[(String, i64)]) -> Result<FbaImport, StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let now = now_utc();
        let existing: Option<String> =
            sqlx::query_scalar("SELECT id FROM warehouses WHERE kind = 'fba' AND channel_id = ?")
                .bind(channel_id)
                .fetch_optional(&mut *tx)
                .await?;
        let wid = match existing {
            Some(id) => id,
            // an account that keeps nothing at Amazon gets no FBA warehouse
            None if items.is_empty() => return Ok(FbaImport::default()),
            None => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO warehouses (id, name, kind, country, channel_id, position, created_at, updated_at) \
                     SELECT ?1, c.name, 'fba', c.market, c.id, \
                            (SELECT COALESCE(max(position), 0) + 1 FROM warehouses), ?3, ?3 FROM channels c WHERE c.id = ?2",
                )
                .bind(&id)
                .bind(channel_id)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        let mut report = FbaImport { reported: items.len() as i64, ..Default::default() };
        let mut seen = std::collections::HashSet::new();
        for (sku, qty) in items {
            let variant: Option<String> = sqlx::query_scalar(
                "SELECT variant_id FROM listings WHERE channel_id = ?1 AND seller_sku = ?2 \
                 UNION ALL SELECT id FROM variants WHERE sku = ?2 LIMIT 1",
            )
            .bind(channel_id)
            .bind(sku)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(vid) = variant else {
                if report.unknown.len() < 20 {
                    report.unknown.push(sku.clone());
                }
                continue;
            };
            report.matched += 1;
            // two SKUs of one variant (a listing's seller SKU and ours) add up
            let add = if seen.insert(vid.clone()) { 0 } else { level(&mut tx, &wid, &vid).await? };
            report.changed += i64::from(set_level(&mut tx, &wid, &vid, add + (*qty).max(0), &now).await?);
        }
        let stale: Vec<String> =
            sqlx::query_scalar("SELECT variant_id FROM stock_levels WHERE warehouse_id = ? AND on_hand != 0")
                .bind(&wid)
                .fetch_all(&mut *tx)
                .await?;
        for vid in stale.into_iter().filter(|v| !seen.contains(v)) {
            report.changed += i64::from(set_level(&mut tx, &wid, &vid, 0, &now).await?);
        }
        tx.commit().await?;
        Ok(report)
    }
}

async fn level(conn: &mut SqliteConnection, wid: &str, vid: &str) -> Result<i64, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COALESCE((SELECT on_hand FROM stock_levels WHERE warehouse_id = ?1 AND variant_id = ?2), 0)",
    )
    .bind(wid)
    .bind(vid)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n)
}

/// Sets a level as the channel reported it; true when it changed.
async fn set_level(
    conn: &mut SqliteConnection,
    wid: &str,
    vid: &str,
    on_hand: i64,
    now: &str,
) -> Result<bool, sqlx::Error> {
    let before = level(conn, wid, vid).await?;
    if before == on_hand {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO stock_moves (id, warehouse_id, variant_id, delta, reason, at) VALUES (?, ?, ?, ?, 'channel', ?)",
    )
    .bind(new_id())
    .bind(wid)
    .bind(vid)
    .bind(on_hand - before)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO stock_levels (warehouse_id, variant_id, on_hand, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (warehouse_id, variant_id) DO UPDATE SET on_hand = ?3, updated_at = ?4",
    )
    .bind(wid)
    .bind(vid)
    .bind(on_hand)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

impl Store {
    /// A listing's status (`draft`, `ready`, `live`, …).
    pub async fn listing_status(&self, listing_id: &str) -> Result<String, StoreError> {
        let r: Option<String> = sqlx::query_scalar("SELECT status FROM listings WHERE id = ?")
            .bind(listing_id)
            .fetch_optional(self.pool())
            .await?;
        r.ok_or_else(|| StoreError::NotFound { what: format!("listing {listing_id}") })
    }

    /// The quantity a listing offers now (its policy over available
    /// stock): what a stock push sends, read at send time so that a late
    /// send can only send the newest number.
    pub async fn offer_qty(&self, listing_id: &str) -> Result<i64, StoreError> {
        let sql = format!(
            "SELECT {OFFER_QTY} FROM listings l JOIN variants v ON v.id = l.variant_id \
             LEFT JOIN ({RESERVED}) r ON r.variant_id = v.id WHERE l.id = ?"
        );
        let r: Option<i64> = sqlx::query_scalar(&sql).bind(listing_id).fetch_optional(self.pool()).await?;
        r.ok_or_else(|| StoreError::NotFound { what: format!("listing {listing_id}") })
    }

    /// What the channel was last told the listing offers (after taking it off sale: 0).
    pub async fn set_pushed_qty(&self, listing_id: &str, qty: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE listings SET pushed_qty = ? WHERE id = ?")
            .bind(qty)
            .bind(listing_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
