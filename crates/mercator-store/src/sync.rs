//! Orders from the channels: where each account's pull stands, and applying
//! a page of orders in one transaction with the position it reached, so a
//! crash at any point loses nothing and a restart repeats at most one page
//! (which is harmless: the upsert is keyed by channel and external id, and
//! a copy older than the one stored never replaces it).

use crate::{now_utc, Store, StoreError};
use mercator_core::order::{fmt_utc, Order};
use mercator_core::{new_id, ErrorPayload};
use serde_json::json;
use sqlx::FromRow;

#[derive(Debug, Clone, Default, FromRow, PartialEq, Eq)]
pub struct SyncState {
    pub channel_id: String,
    /// Orders updated before this are in (RFC 3339 UTC).
    pub cursor: Option<String>,
    /// The run in progress: its window and the next page.
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub page_token: Option<String>,
    pub paused: bool,
    pub interval_s: i64,
    pub last_run_at: Option<String>,
    pub last_ok_at: Option<String>,
    pub last_error: Option<String>,
    pub rate_limit: Option<String>,
    /// Runs in a row that failed; 0 after one that reached its channel.
    pub failures: i64,
    /// After failures: not run again before this (RFC 3339 UTC).
    pub retry_at: Option<String>,
}

/// How long an account waits after `failures` failed runs in a row: a
/// minute, doubling, at most an hour.
pub fn backoff_after(failures: i64) -> time::Duration {
    time::Duration::seconds((60i64 << (failures - 1).clamp(0, 6)).min(3600))
}

/// What applying a page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageOutcome {
    pub created: i64,
    pub updated: i64,
    /// Already stored as this or a newer copy.
    pub unchanged: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct SyncLogRow {
    pub at: String,
    pub kind: String,
    pub fetched: i64,
    pub created: i64,
    pub updated: i64,
    pub detail: Option<String>,
}

const STATE_COLUMNS: &str =
    "channel_id, cursor, window_start, window_end, page_token, paused, interval_s, last_run_at, \
                             last_ok_at, last_error, rate_limit, failures, retry_at";

/// Buyer data (name, address, the channel's payload) of orders past
/// `cutoff`, in one place for the live database and its backups: shipped
/// orders from their ship time (`shipped_at`: when Mercator shipped them,
/// or, for an order first seen already shipped, the channel's last change
/// of it rather than the day Mercator saw it), cancelled and refunded
/// orders from their last change, and any order older than half a year
/// (an order never shipped or closed in six months is abandoned; the seller
/// keeps its number, amounts and lines). Returns the orders purged.
pub(crate) async fn purge_in(conn: &mut sqlx::SqliteConnection, cutoff: &str, now: &str) -> Result<i64, StoreError> {
    let old = crate::fmt_ts(
        time::OffsetDateTime::parse(cutoff, &time::format_description::well_known::Rfc3339)
            .map_or(time::OffsetDateTime::UNIX_EPOCH, |c| c - time::Duration::days(150)),
    );
    let r = sqlx::query(
        "UPDATE orders SET ship_to = NULL, raw = NULL, buyer_name = '', pii_purged_at = ?1, updated_at = ?1 \
         WHERE pii_purged_at IS NULL AND ( \
            (shipped_at IS NOT NULL AND shipped_at < ?2) \
            OR (status IN ('cancelled', 'refunded') AND COALESCE(channel_updated_at, updated_at) < ?2) \
            OR ordered_at < ?3)",
    )
    .bind(now)
    .bind(cutoff)
    .bind(&old)
    .execute(&mut *conn)
    .await?;
    // Messages hold buyer data too (names, addresses, what the buyer wrote):
    // those past the cutoff whose order's buyer data is gone, and any past
    // the half year, lose their text, sender, links and attachments (and so
    // their search index rows); replies still waiting to go are left alone. A
    // conversation with nothing of the buyer left loses the buyer's name and
    // address (the next mail from the buyer brings them back). A backup made
    // by an earlier version has fewer of these tables and columns: what it
    // has is purged, nothing it lacks is asked for.
    let exists = |n: Option<i64>| n.is_some();
    let messages = exists(
        sqlx::query_scalar("SELECT 1 FROM pragma_table_info('messages') WHERE name = 'purged_at'")
            .fetch_optional(&mut *conn)
            .await?,
    );
    let links = exists(
        sqlx::query_scalar("SELECT 1 FROM pragma_table_info('messages') WHERE name = 'links'")
            .fetch_optional(&mut *conn)
            .await?,
    );
    let files = exists(
        sqlx::query_scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'message_files'")
            .fetch_optional(&mut *conn)
            .await?,
    );
    if messages {
        let sql = format!(
            "UPDATE messages SET body = '', html = NULL, original = NULL, translation = NULL, attachments = '[]', {} \
             from_name = '', from_address = '', blocked_images = 0, purged_at = ?1, updated_at = ?1 \
             WHERE purged_at IS NULL AND status != 'waiting' AND sent_at < ?2 \
               AND (sent_at < ?3 OR conversation_id IN (SELECT cv.id FROM conversations cv JOIN orders o ON o.id = cv.order_id \
                                                      WHERE o.pii_purged_at IS NOT NULL))",
            if links { "links = '[]'," } else { "" }
        );
        sqlx::query(&sql).bind(now).bind(cutoff).bind(&old).execute(&mut *conn).await?;
        if files {
            // and the attachments' bytes go with them
            sqlx::query(
                "DELETE FROM message_files WHERE message_id IN (SELECT id FROM messages WHERE purged_at IS NOT NULL)",
            )
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query(
            "UPDATE conversations SET buyer_name = '', buyer_address = NULL, updated_at = ?1, revision = revision + 1 \
             WHERE (buyer_name != '' OR buyer_address IS NOT NULL) \
               AND (order_id IN (SELECT id FROM orders WHERE pii_purged_at IS NOT NULL) OR last_message_at < ?2) \
               AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id AND m.purged_at IS NULL \
                               AND m.direction = 'in')",
        )
        .bind(now)
        .bind(&old)
        .execute(&mut *conn)
        .await?;
    }
    // sync log and outbox lines past the window: their texts may quote a
    // channel's answer about an order
    sqlx::query("DELETE FROM sync_log WHERE at < ?").bind(cutoff).execute(&mut *conn).await?;
    // tracking uploads stay: they hold no buyer data, and the order page shows them as sent
    sqlx::query("DELETE FROM outbox WHERE status = 'sent' AND kind != 'order.tracking' AND updated_at < ?")
        .bind(cutoff)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() as i64)
}

/// Where a page leaves the account's sync position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position<'a> {
    /// More pages: the next one starts at this token.
    Next(&'a str),
    /// The window is done: the cursor moves to its end.
    End,
    /// Orders read outside the window (again, by id): the position stays.
    Keep,
}

/// An order set aside because it could not be read.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct UnreadableOrder {
    pub channel_id: String,
    pub external_id: String,
    /// ErrorPayload JSON.
    pub reason: String,
    pub first_seen: String,
    pub last_seen: String,
    pub seen: i64,
}

impl Store {
    pub async fn sync_state(&self, channel_id: &str) -> Result<SyncState, StoreError> {
        let row: Option<SyncState> =
            sqlx::query_as(&format!("SELECT {STATE_COLUMNS} FROM sync_state WHERE channel_id = ?"))
                .bind(channel_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.unwrap_or(SyncState { channel_id: channel_id.to_string(), interval_s: 900, ..Default::default() }))
    }

    async fn ensure_state(&self, conn: &mut sqlx::SqliteConnection, channel_id: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT OR IGNORE INTO sync_state (channel_id, updated_at) VALUES (?, ?)")
            .bind(channel_id)
            .bind(now_utc())
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Starts a run over [start, end) unless one is in progress (which then
    /// continues from its saved page).
    pub async fn begin_window(&self, channel_id: &str, start: &str, end: &str) -> Result<SyncState, StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        self.ensure_state(&mut tx, channel_id).await?;
        sqlx::query(
            "UPDATE sync_state SET window_start = ?2, window_end = ?3, page_token = NULL, last_run_at = ?4, updated_at = ?4 \
             WHERE channel_id = ?1 AND window_end IS NULL",
        )
        .bind(channel_id)
        .bind(start)
        .bind(end)
        .bind(now_utc())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.sync_state(channel_id).await
    }

    /// Forgets the saved page of the run in progress (the channel no longer
    /// accepts its token): the run starts over from its window's start.
    pub async fn restart_window(&self, channel_id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE sync_state SET page_token = NULL, updated_at = ? WHERE channel_id = ?")
            .bind(now_utc())
            .bind(channel_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Stores a page of orders and where the run stands after it, in one
    /// transaction. `next` None ends the run: the cursor moves to the
    /// window's end. An order whose stored copy is as new or newer is left
    /// alone; lines follow their order; buyer data purged earlier is not
    /// stored again.
    pub async fn apply_page(
        &self,
        channel_id: &str,
        orders: &[Order],
        next: Option<&str>,
        rate_limit: Option<&str>,
    ) -> Result<PageOutcome, StoreError> {
        let position = match next {
            Some(t) => Position::Next(t),
            None => Position::End,
        };
        self.apply_page_with(channel_id, orders, &[], position, rate_limit).await
    }

    /// [`Store::apply_page`] with the page's unreadable orders (external
    /// id, reason as ErrorPayload JSON), set aside in the same transaction
    /// as the page and its position, so none is lost between them. Orders
    /// of this page that read fine leave the set-aside list.
    pub async fn apply_page_with(
        &self,
        channel_id: &str,
        orders: &[Order],
        unreadable: &[(String, String)],
        position: Position<'_>,
        rate_limit: Option<&str>,
    ) -> Result<PageOutcome, StoreError> {
        let next = match position {
            Position::Next(t) => Some(t),
            _ => None,
        };
        let now = now_utc();
        let mut out = PageOutcome::default();
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        self.ensure_state(&mut tx, channel_id).await?;
        // orders of this page that are open now: if this copy ships them, their stock leaves
        let open_before: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM orders WHERE channel_id = ?1 AND stock_deducted = 0 \
               AND status IN ('pending', 'unshipped', 'partially_shipped') \
               AND external_id IN (SELECT value FROM json_each(?2))",
        )
        .bind(channel_id)
        .bind(
            serde_json::to_string(&orders.iter().map(|o| o.external_id.as_str()).collect::<Vec<_>>())
                .unwrap_or_default(),
        )
        .fetch_all(&mut *tx)
        .await?;
        // the whole page in a few statements: rows cross as one JSON array
        // (the order's text columns as the store keeps them: times in UTC
        // seconds, the address and the payload as JSON)
        type OrderJson<'a> = (
            String,
            &'a str,
            &'a str,
            &'a str,
            &'a str,
            &'a str,
            Option<String>,
            [i64; 4],
            &'a str,
            String,
            &'a str,
            String,
            bool,
            String,
            &'a str,
        );
        let rows: Vec<OrderJson> = orders
            .iter()
            .map(|o| {
                (
                    new_id(),
                    o.external_id.as_str(),
                    o.state.as_str(),
                    o.raw_status.as_str(),
                    o.buyer_name.as_str(),
                    o.ship_country(),
                    o.ship_to.as_ref().map(|a| serde_json::to_string(a).unwrap_or_default()),
                    [o.subtotal_minor, o.tax_minor, o.shipping_minor, o.total_minor],
                    o.currency.code(),
                    fmt_utc(o.ordered_at),
                    o.ordered_offset.as_str(),
                    fmt_utc(o.updated_at),
                    matches!(
                        o.state,
                        mercator_core::order::OrderState::Shipped | mercator_core::order::OrderState::Delivered
                    ),
                    o.raw.to_string(),
                    o.number_or_id(),
                )
            })
            .collect();
        #[derive(FromRow)]
        struct Written {
            id: String,
            external_id: String,
            revision: i64,
        }
        let written: Vec<Written> = sqlx::query_as(
            "INSERT INTO orders (id, channel_id, external_id, status, raw_status, buyer_name, ship_country, ship_to, \
                subtotal_minor, tax_minor, shipping_minor, total_minor, currency, ordered_at, ordered_offset, \
                channel_updated_at, shipped_at, raw, updated_at, order_number) \
             SELECT value->>0, ?2, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, \
                    value->'$[7]'->>0, value->'$[7]'->>1, value->'$[7]'->>2, value->'$[7]'->>3, value->>8, value->>9, value->>10, \
                    value->>11, CASE WHEN value->>12 THEN min(?3, COALESCE(value->>11, ?3)) END, value->>13, ?3, value->>14 \
             FROM json_each(?1) WHERE true \
             ON CONFLICT(channel_id, external_id) DO UPDATE SET \
                status = CASE WHEN excluded.status IN ('pending', 'unshipped', 'partially_shipped') AND EXISTS ( \
                    SELECT 1 FROM shipments s JOIN outbox ob ON ob.aggregate_id = s.id AND ob.kind = 'order.tracking' \
                    WHERE s.order_id = orders.id AND ob.status != 'sent') THEN orders.status ELSE excluded.status END, \
                order_number = excluded.order_number, raw_status = excluded.raw_status, \
                buyer_name = CASE WHEN orders.pii_purged_at IS NULL THEN excluded.buyer_name ELSE orders.buyer_name END, \
                ship_country = excluded.ship_country, \
                ship_to = CASE WHEN orders.pii_purged_at IS NULL THEN excluded.ship_to END, \
                subtotal_minor = excluded.subtotal_minor, tax_minor = excluded.tax_minor, \
                shipping_minor = excluded.shipping_minor, total_minor = excluded.total_minor, currency = excluded.currency, \
                channel_updated_at = excluded.channel_updated_at, \
                shipped_at = COALESCE(orders.shipped_at, excluded.shipped_at), \
                raw = CASE WHEN orders.pii_purged_at IS NULL THEN excluded.raw END, \
                revision = orders.revision + 1, updated_at = excluded.updated_at \
             WHERE orders.channel_updated_at IS NULL OR excluded.channel_updated_at > orders.channel_updated_at \
             RETURNING id, external_id, revision",
        )
        .bind(serde_json::to_string(&rows).unwrap_or_default())
        .bind(channel_id)
        .bind(&now)
        .fetch_all(&mut *tx)
        .await?;
        // a page may hold the same order twice (duplicates): the later copy counts once
        let mut seen = std::collections::HashSet::new();
        for w in &written {
            if seen.insert(w.external_id.as_str()) {
                if w.revision == 1 {
                    out.created += 1;
                } else {
                    out.updated += 1;
                }
            }
        }
        out.unchanged = orders.len() as i64 - out.created - out.updated;
        let by_ext: std::collections::HashMap<&str, &str> =
            written.iter().map(|w| (w.external_id.as_str(), w.id.as_str())).collect();
        let changed: Vec<&str> = written.iter().filter(|w| w.revision > 1).map(|w| w.id.as_str()).collect();
        if !changed.is_empty() {
            sqlx::query("DELETE FROM order_lines WHERE order_id IN (SELECT value FROM json_each(?))")
                .bind(serde_json::to_string(&changed).unwrap_or_default())
                .execute(&mut *tx)
                .await?;
        }
        type LineJson<'a> = (String, &'a str, &'a str, &'a str, &'a str, [i64; 4], &'a str);
        let mut done = std::collections::HashSet::new();
        let lines: Vec<LineJson> = orders
            .iter()
            .rev() // the last copy of a repeated order wins, as in the upsert
            .filter(|o| done.insert(o.external_id.as_str()))
            .filter_map(|o| by_ext.get(o.external_id.as_str()).map(|id| (o, *id)))
            .flat_map(|(o, order_id)| {
                o.lines.iter().map(move |l| {
                    (
                        new_id(),
                        order_id,
                        l.external_id.as_str(),
                        l.sku.as_str(),
                        l.title.as_str(),
                        [l.quantity, l.quantity_shipped, l.unit_price_minor, l.tax_minor],
                        o.currency.code(),
                    )
                })
            })
            .collect();
        if !lines.is_empty() {
            sqlx::query(
                "INSERT INTO order_lines (id, order_id, variant_id, sku, title, quantity, unit_price_minor, currency, updated_at, \
                    external_line_id, quantity_shipped, tax_minor) \
                 SELECT value->>0, value->>1, COALESCE((SELECT id FROM variants WHERE sku = value->>3), \
                        (SELECT variant_id FROM listings WHERE channel_id = ?3 AND seller_sku = value->>3 AND value->>3 != '' LIMIT 1)), \
                        value->>3, value->>4, \
                        value->'$[5]'->>0, value->'$[5]'->>2, value->>6, ?2, value->>2, value->'$[5]'->>1, value->'$[5]'->>3 \
                 FROM json_each(?1)",
            )
            .bind(serde_json::to_string(&lines).unwrap_or_default())
            .bind(&now)
            .bind(channel_id)
            .execute(&mut *tx)
            .await?;
        }
        crate::inventory::deduct_shipped(&mut tx, &open_before).await?;
        let read: Vec<&str> = orders.iter().map(|o| o.external_id.as_str()).collect();
        sqlx::query(
            "DELETE FROM unreadable_orders WHERE channel_id = ? AND external_id IN (SELECT value FROM json_each(?))",
        )
        .bind(channel_id)
        .bind(serde_json::to_string(&read).unwrap_or_default())
        .execute(&mut *tx)
        .await?;
        if !unreadable.is_empty() {
            sqlx::query(
                "INSERT INTO unreadable_orders (channel_id, external_id, reason, first_seen, last_seen) \
                 SELECT ?1, value->>0, value->>1, ?3, ?3 FROM json_each(?2) WHERE true \
                 ON CONFLICT(channel_id, external_id) DO UPDATE SET reason = excluded.reason, \
                    last_seen = excluded.last_seen, seen = unreadable_orders.seen + 1",
            )
            .bind(channel_id)
            .bind(serde_json::to_string(unreadable).unwrap_or_default())
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        match position {
            Position::Keep => {}
            Position::Next(token) => {
                sqlx::query(
                    "UPDATE sync_state SET page_token = ?2, last_ok_at = ?3, last_error = NULL, rate_limit = ?4, updated_at = ?3, \
                        failures = 0, retry_at = NULL \
                     WHERE channel_id = ?1",
                )
                .bind(channel_id)
                .bind(token)
                .bind(&now)
                .bind(rate_limit)
                .execute(&mut *tx)
                .await?;
            }
            Position::End => {
                sqlx::query(
                    "UPDATE sync_state SET cursor = COALESCE(window_end, cursor), window_start = NULL, window_end = NULL, \
                        page_token = NULL, last_ok_at = ?2, last_error = NULL, rate_limit = ?3, updated_at = ?2, \
                        failures = 0, retry_at = NULL \
                     WHERE channel_id = ?1",
                )
                .bind(channel_id)
                .bind(&now)
                .bind(rate_limit)
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query(
            "INSERT INTO sync_log (id, channel_id, at, kind, fetched, created, updated, detail) VALUES (?, ?, ?, 'page', ?, ?, ?, ?)",
        )
        .bind(new_id())
        .bind(channel_id)
        .bind(&now)
        .bind(orders.len() as i64)
        .bind(out.created)
        .bind(out.updated)
        .bind(
            json!({ "unchanged": out.unchanged, "more": next.is_some(), "rateLimit": rate_limit,
                    "unreadable": unreadable.iter().map(|u| &u.0).collect::<Vec<_>>() })
            .to_string(),
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The orders of an account set aside as unreadable, oldest first.
    pub async fn unreadable_orders(&self, channel_id: Option<&str>) -> Result<Vec<UnreadableOrder>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT channel_id, external_id, reason, first_seen, last_seen, seen FROM unreadable_orders \
             WHERE ?1 IS NULL OR channel_id = ?1 ORDER BY first_seen, external_id LIMIT 500",
        )
        .bind(channel_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Records why a run stopped (the run's position is kept: the next one
    /// continues from the same page).
    pub async fn record_sync_error(&self, channel_id: &str, error: &ErrorPayload) -> Result<(), StoreError> {
        let now = now_utc();
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        self.ensure_state(&mut tx, channel_id).await?;
        let e = serde_json::to_string(error).unwrap_or_default();
        // one more failure in a row, and the wait before the next try grows
        let failures: i64 = sqlx::query_scalar(
            "UPDATE sync_state SET last_error = ?2, updated_at = ?3, failures = failures + 1 WHERE channel_id = ?1 \
             RETURNING failures",
        )
        .bind(channel_id)
        .bind(&e)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE sync_state SET retry_at = ?2 WHERE channel_id = ?1")
            .bind(channel_id)
            .bind(crate::fmt_ts(time::OffsetDateTime::now_utc() + backoff_after(failures)))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO sync_log (id, channel_id, at, kind, detail) VALUES (?, ?, ?, 'error', ?)")
            .bind(new_id())
            .bind(channel_id)
            .bind(&now)
            .bind(&e)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A problem of the account that is not a failed run (a token the
    /// keyring did not take): shown with the account, no back-off.
    pub async fn record_account_problem(&self, channel_id: &str, error: &ErrorPayload) -> Result<(), StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        self.ensure_state(&mut tx, channel_id).await?;
        sqlx::query("UPDATE sync_state SET last_error = ?2, updated_at = ?3 WHERE channel_id = ?1")
            .bind(channel_id)
            .bind(serde_json::to_string(error).unwrap_or_default())
            .bind(now_utc())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A line in the account's sync log that is not about orders (FBA stock
    /// read, or why it could not be); the account's status is left alone.
    pub async fn log_sync_note(
        &self,
        channel_id: &str,
        kind: &str,
        counts: (i64, i64, i64),
        detail: &serde_json::Value,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sync_log (id, channel_id, at, kind, fetched, created, updated, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(new_id())
        .bind(channel_id)
        .bind(now_utc())
        .bind(kind)
        .bind(counts.0)
        .bind(counts.1)
        .bind(counts.2)
        .bind(detail.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn set_sync_paused(&self, channel_id: &str, paused: bool) -> Result<(), StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        self.ensure_state(&mut tx, channel_id).await?;
        sqlx::query("UPDATE sync_state SET paused = ?2, updated_at = ?3 WHERE channel_id = ?1")
            .bind(channel_id)
            .bind(paused)
            .bind(now_utc())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The account's recent sync log, newest first.
    pub async fn sync_log(&self, channel_id: &str, limit: i64) -> Result<Vec<SyncLogRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT at, kind, fetched, created, updated, detail FROM sync_log WHERE channel_id = ? ORDER BY at DESC, id DESC LIMIT ?",
        )
        .bind(channel_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Deletes buyer personal data (address, name, payload) of orders shipped
    /// before `cutoff` (RFC 3339 UTC): Amazon asks for it within 30 days
    /// after shipment. Returns how many orders were purged.
    pub async fn purge_buyer_data(&self, cutoff: &str) -> Result<i64, StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let n = purge_in(&mut tx, cutoff, &now_utc()).await?;
        tx.commit().await?;
        // attachments written out for opening whose message lost its buyer data (or is gone)
        if let Ok(entries) = std::fs::read_dir(self.data_dir.join(crate::ATTACHMENTS_DIR)) {
            for e in entries.flatten() {
                let id = e.file_name().to_string_lossy().to_string();
                let kept: Option<i64> = sqlx::query_scalar("SELECT 1 FROM messages WHERE id = ? AND purged_at IS NULL")
                    .bind(&id)
                    .fetch_optional(self.pool())
                    .await?;
                if kept.is_none() {
                    if let Err(err) = std::fs::remove_dir_all(e.path()) {
                        tracing::warn!(error = %err, "an opened attachment of a purged message was not deleted");
                    }
                }
            }
        }
        // old page versions leave the WAL too (secure_delete zeroes the pages)
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(self.pool()).await?;
        Ok(n)
    }

    pub async fn order_count(&self, channel_id: &str) -> Result<i64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM orders WHERE channel_id = ?")
            .bind(channel_id)
            .fetch_one(self.pool())
            .await?;
        Ok(n)
    }

    /// How many external ids of a channel are stored more than once (0: the
    /// unique key holds; for checks).
    pub async fn duplicate_orders(&self, channel_id: &str) -> Result<i64, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT external_id FROM orders WHERE channel_id = ? GROUP BY external_id HAVING count(*) > 1)",
        )
        .bind(channel_id)
        .fetch_one(self.pool())
        .await?;
        Ok(n)
    }

    /// Every order of a channel, by external id (tests and checks).
    pub async fn order_keys(&self, channel_id: &str) -> Result<Vec<OrderKey>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT external_id, channel_updated_at, raw_status FROM orders WHERE channel_id = ? ORDER BY external_id",
        )
        .bind(channel_id)
        .fetch_all(self.pool())
        .await?)
    }
}

/// An order as the channel knows it: what a check compares with the channel's own list.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OrderKey {
    pub external_id: String,
    pub channel_updated_at: Option<String>,
    pub raw_status: String,
}

/// What the orders list is narrowed to. Empty: every order, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    /// Order number (prefix) or buyer name (part).
    pub query: Option<String>,
    pub channel_id: Option<String>,
    /// The channel's market (ISO country).
    pub market: Option<String>,
    pub status: Option<String>,
    /// Ordered on or after / before this day (YYYY-MM-DD, UTC).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Orders with a line of this SKU (prefix).
    pub sku: Option<String>,
    /// Buyer country (ISO).
    pub country: Option<String>,
}

/// An order with everything the detail view shows.
#[derive(Debug, Clone, FromRow)]
pub struct OrderDetailRow {
    pub id: String,
    pub channel_id: String,
    pub channel_name: String,
    pub external_id: String,
    pub order_number: String,
    pub status: String,
    pub raw_status: String,
    pub buyer_name: String,
    pub ship_country: String,
    pub ship_to: Option<String>,
    pub pii_purged_at: Option<String>,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub shipping_minor: i64,
    pub total_minor: i64,
    #[sqlx(try_from = "String")]
    pub currency: mercator_core::Currency,
    pub ordered_at: String,
    pub ordered_offset: String,
    pub channel_updated_at: Option<String>,
    pub shipped_at: Option<String>,
    pub raw: Option<String>,
    pub updated_at: String,
}

impl OrderDetailRow {
    /// Items before tax and shipping.
    pub fn subtotal(&self) -> mercator_core::Money {
        mercator_core::Money::from_minor(self.subtotal_minor, self.currency)
    }
    /// Tax.
    pub fn tax(&self) -> mercator_core::Money {
        mercator_core::Money::from_minor(self.tax_minor, self.currency)
    }
    /// Shipping charged.
    pub fn shipping(&self) -> mercator_core::Money {
        mercator_core::Money::from_minor(self.shipping_minor, self.currency)
    }
    /// What the buyer paid.
    pub fn total(&self) -> mercator_core::Money {
        mercator_core::Money::from_minor(self.total_minor, self.currency)
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct OrderLineRow {
    pub sku: String,
    pub title: String,
    pub quantity: i64,
    pub quantity_shipped: i64,
    pub unit_price_minor: i64,
    pub tax_minor: i64,
    pub in_catalog: bool,
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

impl Store {
    /// A page of orders matching `f`, newest first, and how many match.
    pub async fn orders_filtered(
        &self,
        f: &OrderFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<crate::OrderRow>, i64), StoreError> {
        let mut conds = vec!["1".to_string()];
        let mut binds: Vec<String> = vec![];
        if let Some(q) = f.query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            conds.push("(o.external_id LIKE ? ESCAPE '\\' OR o.order_number LIKE ? ESCAPE '\\' OR o.buyer_name LIKE ? ESCAPE '\\')".into());
            binds.push(format!("{}%", escape_like(q)));
            binds.push(format!("{}%", escape_like(q)));
            binds.push(format!("%{}%", escape_like(q)));
        }
        let mut push = |c: &str, v: String| {
            conds.push(c.to_string());
            binds.push(v);
        };
        if let Some(v) = f.channel_id.clone().filter(|v| !v.is_empty()) {
            push("o.channel_id = ?", v);
        }
        if let Some(v) = f.market.clone().filter(|v| !v.is_empty()) {
            push("c.market = ?", v);
        }
        if let Some(v) = f.status.clone().filter(|v| !v.is_empty()) {
            push("o.status = ?", v);
        }
        if let Some(v) = f.from.clone().filter(|v| !v.is_empty()) {
            push("o.ordered_at >= ?", v);
        }
        if let Some(v) = f.to.clone().filter(|v| !v.is_empty()) {
            push("o.ordered_at < date(?, '+1 day')", v);
        }
        // the SKU filter's condition comes last (two forms, below)
        let sku = f.sku.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(|v| format!("{}%", escape_like(v)));
        if let Some(v) = f.country.clone().filter(|v| !v.is_empty()) {
            push("o.ship_country = ?", v.to_uppercase());
        }
        let wh = conds.join(" AND ");
        // counting: through the lines' SKU index; the channels only when the market is asked
        let join = if f.market.as_deref().is_some_and(|m| !m.is_empty()) {
            "JOIN channels c ON c.id = o.channel_id"
        } else {
            ""
        };
        let by_sku_index = "o.id IN (SELECT l.order_id FROM order_lines l WHERE l.sku LIKE ? ESCAPE '\\')";
        let count_sql = match sku {
            Some(_) => format!("SELECT count(*) FROM orders o {join} WHERE {wh} AND {by_sku_index}"),
            None => format!("SELECT count(*) FROM orders o {join} WHERE {wh}"),
        };
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in binds.iter().chain(sku.iter()) {
            count = count.bind(b);
        }
        let total = count.fetch_one(self.pool()).await?;
        // the page: few matches are found through the index and sorted; many
        // are met soonest walking the orders newest first
        let wh = match sku {
            Some(_) if total <= 5000 => format!("{wh} AND {by_sku_index}"),
            Some(_) => format!(
                "{wh} AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.sku LIKE ? ESCAPE '\\')"
            ),
            None => wh,
        };
        binds.extend(sku);
        let sql = format!(
            "SELECT o.id, o.external_id, CASE WHEN o.order_number != '' THEN o.order_number ELSE o.external_id END AS order_number, c.name AS channel_name, c.kind AS channel_kind, o.status, o.buyer_name, \
                    o.ship_country, o.total_minor, o.currency, o.ordered_at, \
                    (SELECT COALESCE(sum(quantity), 0) FROM order_lines ol WHERE ol.order_id = o.id) AS items \
             FROM orders o JOIN channels c ON c.id = o.channel_id WHERE {wh} \
             ORDER BY o.ordered_at DESC, o.id LIMIT ? OFFSET ?"
        );
        let mut q = sqlx::query_as::<_, crate::OrderRow>(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.bind(limit).bind(offset).fetch_all(self.pool()).await?;
        Ok((rows, total))
    }

    pub async fn order_detail(&self, order_id: &str) -> Result<(OrderDetailRow, Vec<OrderLineRow>), StoreError> {
        let o: OrderDetailRow = sqlx::query_as(
            "SELECT o.id, o.channel_id, c.name AS channel_name, o.external_id, CASE WHEN o.order_number != '' THEN o.order_number ELSE o.external_id END AS order_number, o.status, o.raw_status, o.buyer_name, \
                    o.ship_country, o.ship_to, o.pii_purged_at, o.subtotal_minor, o.tax_minor, o.shipping_minor, \
                    o.total_minor, o.currency, o.ordered_at, o.ordered_offset, o.channel_updated_at, o.shipped_at, \
                    o.raw, o.updated_at \
             FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.id = ?",
        )
        .bind(order_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound { what: format!("order {order_id}") })?;
        let lines = sqlx::query_as(
            "SELECT sku, title, quantity, quantity_shipped, unit_price_minor, tax_minor, variant_id IS NOT NULL AS in_catalog \
             FROM order_lines WHERE order_id = ? ORDER BY rowid",
        )
        .bind(order_id)
        .fetch_all(self.pool())
        .await?;
        Ok((o, lines))
    }
}

/// What a channel needs to address a listing: its SKU there, the item id,
/// and the listing's current price.
#[derive(Debug, Clone, FromRow)]
pub struct ListingTarget {
    pub listing_id: String,
    pub channel_id: String,
    pub sku: String,
    pub seller_sku: String,
    pub external_id: String,
    pub price_minor: i64,
    #[sqlx(try_from = "String")]
    pub price_currency: mercator_core::Currency,
    pub stock: i64,
}

impl ListingTarget {
    /// The listing's price now.
    pub fn price(&self) -> mercator_core::Money {
        mercator_core::Money::from_minor(self.price_minor, self.price_currency)
    }
}

impl ListingTarget {
    /// The SKU the channel knows the listing by: its seller SKU, else ours.
    pub fn channel_sku(&self) -> &str {
        if self.seller_sku.is_empty() {
            &self.sku
        } else {
            &self.seller_sku
        }
    }
}

impl Store {
    pub async fn listing_target(&self, listing_id: &str) -> Result<ListingTarget, StoreError> {
        sqlx::query_as(
            "SELECT l.id AS listing_id, l.channel_id, v.sku, l.seller_sku, l.external_id, l.price_minor, l.price_currency, v.stock \
             FROM listings l JOIN variants v ON v.id = l.variant_id WHERE l.id = ?",
        )
        .bind(listing_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound { what: format!("listing {listing_id}") })
    }
}

/// A listing's text as its buyers see it: the product's text in the
/// channel's language (or the first that serves its market), with the
/// listing's overrides on top.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingText {
    pub lang: String,
    pub title: String,
    pub bullets: Vec<String>,
    pub description: String,
    pub keywords: String,
}

impl Store {
    pub async fn listing_text(&self, listing_id: &str) -> Result<ListingText, StoreError> {
        let row: Option<crate::catalog::ListingPlace> =
            sqlx::query_as(crate::catalog::LISTING_PLACE).bind(listing_id).fetch_optional(self.pool()).await?;
        let crate::catalog::ListingPlace { overrides, language, market, product_id } =
            row.ok_or_else(|| StoreError::NotFound { what: format!("listing {listing_id}") })?;
        let texts: Vec<crate::catalog::TextRow> =
            sqlx::query_as(crate::catalog::PRODUCT_TEXTS).bind(&product_id).fetch_all(self.pool()).await?;
        let chosen = texts
            .iter()
            .find(|t| t.lang == language)
            .or_else(|| texts.iter().find(|t| mercator_core::rules::serves_market(&t.lang, &market)))
            .or_else(|| texts.first());
        let mut out = match chosen {
            Some(t) => ListingText {
                lang: t.lang.clone(),
                title: t.title.clone(),
                bullets: serde_json::from_str(&t.bullets).unwrap_or_default(),
                description: t.description.clone(),
                keywords: t.keywords.clone(),
            },
            None => ListingText { lang: language.clone(), ..Default::default() },
        };
        let ov: serde_json::Value = serde_json::from_str(&overrides).unwrap_or(serde_json::Value::Null);
        if let Some(t) = ov.get("title").and_then(serde_json::Value::as_str) {
            out.title = t.to_string();
        }
        if let Some(b) = ov.get("bullets").and_then(serde_json::Value::as_array) {
            out.bullets = b.iter().filter_map(|x| x.as_str().map(str::to_string)).collect();
        }
        if let Some(d) = ov.get("description").and_then(serde_json::Value::as_str) {
            out.description = d.to_string();
        }
        if let Some(k) = ov.get("keywords").and_then(serde_json::Value::as_str) {
            out.keywords = k.to_string();
        }
        Ok(out)
    }
}
