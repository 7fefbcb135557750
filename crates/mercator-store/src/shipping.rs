//! Shipments: recorded locally with the order's new state in one
//! transaction, and (for a connected account) the tracking upload in the
//! outbox in that same transaction, so the channel hears of each package
//! once, even across a crash.

use crate::{now_utc, outbox, Store, StoreError};
use mercator_core::{new_id, ErrorCode, ErrorPayload};
use sqlx::FromRow;

/// An order that a shipping list or a selection names.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ShipCandidate {
    /// The reference it was found by (order number or Mercator id).
    pub reference: String,
    pub id: String,
    pub channel_id: String,
    pub external_id: String,
    pub order_number: String,
    pub status: String,
    /// The account has connection settings (demo channels do not).
    pub connected: bool,
    /// Tracking numbers already recorded, space-separated.
    pub tracking: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShipment {
    pub order_id: String,
    pub channel_id: String,
    pub connected: bool,
    pub carrier: String,
    pub tracking_number: String,
    pub tracking_url: String,
    pub shipped_on: String,
    pub notify: bool,
}

/// A shipment and where its upload to the channel stands.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ShipmentRow {
    pub id: String,
    pub order_id: String,
    pub carrier: String,
    pub tracking_number: String,
    pub tracking_url: String,
    pub shipped_on: String,
    pub notify: bool,
    pub created_at: String,
    /// The outbox entry's status (`pending`, `in_flight`, `sent`, `dead`);
    /// None: nothing to send (a channel without a connection).
    pub delivery: Option<String>,
    pub last_error: Option<String>,
    pub delivered_at: Option<String>,
}

/// What a connector needs to upload a shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentDelivery {
    pub shipment: ShipmentRow,
    pub external_id: String,
    pub order_number: String,
    /// (channel's line id, quantity) of every line.
    pub lines: Vec<(String, i64)>,
    /// 1 for the order's first package, 2 for its second...
    pub package_index: i64,
}

pub const SHIPPABLE: &[&str] = &["unshipped", "partially_shipped"];

const CANDIDATE_COLUMNS: &str = "o.id, o.channel_id, o.external_id, \
    CASE WHEN o.order_number != '' THEN o.order_number ELSE o.external_id END AS order_number, o.status, \
    c.config NOT IN ('', '{}') AS connected, \
    (SELECT group_concat(s.tracking_number, ' ') FROM shipments s WHERE s.order_id = o.id) AS tracking";

const SHIPMENT_COLUMNS: &str =
    "s.id, s.order_id, s.carrier, s.tracking_number, s.tracking_url, s.shipped_on, s.notify, s.created_at, \
    ob.status AS delivery, ob.last_error, CASE WHEN ob.status = 'sent' THEN ob.updated_at END AS delivered_at";

impl Store {
    /// Orders whose order number is one of `refs` (every channel: the same
    /// number on two channels comes back twice).
    pub async fn ship_candidates(&self, refs: &[String]) -> Result<Vec<ShipCandidate>, StoreError> {
        let sql = format!(
            "SELECT r.value AS reference, {CANDIDATE_COLUMNS} FROM json_each(?1) r \
             JOIN orders o ON o.order_number = r.value JOIN channels c ON c.id = o.channel_id"
        );
        Ok(sqlx::query_as(&sql).bind(serde_json::to_string(refs).unwrap_or_default()).fetch_all(self.pool()).await?)
    }

    /// The orders with these Mercator ids.
    pub async fn ship_candidates_by_id(&self, ids: &[String]) -> Result<Vec<ShipCandidate>, StoreError> {
        let sql = format!(
            "SELECT r.value AS reference, {CANDIDATE_COLUMNS} FROM json_each(?1) r \
             JOIN orders o ON o.id = r.value JOIN channels c ON c.id = o.channel_id"
        );
        Ok(sqlx::query_as(&sql).bind(serde_json::to_string(ids).unwrap_or_default()).fetch_all(self.pool()).await?)
    }

    /// Records the shipments, marks their orders shipped and queues each
    /// tracking upload, all in one transaction: if any order is no longer
    /// shippable (a sync changed it meanwhile) nothing is written.
    pub async fn record_shipments(&self, items: &[NewShipment]) -> Result<Vec<String>, StoreError> {
        let now = now_utc();
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let mut ids = vec![];
        for s in items {
            let moved = sqlx::query(
                "UPDATE orders SET status = 'shipped', shipped_at = COALESCE(shipped_at, ?2), revision = revision + 1, updated_at = ?2 \
                 WHERE id = ?1 AND status IN ('unshipped', 'partially_shipped')",
            )
            .bind(&s.order_id)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            if moved.rows_affected() == 0 {
                #[derive(sqlx::FromRow)]
                struct Blocked {
                    order_number: String,
                    status: String,
                }
                let Blocked { order_number: number, status } =
                    sqlx::query_as("SELECT order_number, status FROM orders WHERE id = ?")
                        .bind(&s.order_id)
                        .fetch_optional(&mut *tx)
                        .await?
                        .unwrap_or_else(|| Blocked { order_number: s.order_id.clone(), status: "missing".into() });
                return Err(StoreError::Rejected(
                    ErrorPayload::new(ErrorCode::OrderNotShippable).arg("order", number).arg("status", status),
                ));
            }
            sqlx::query("UPDATE order_lines SET quantity_shipped = quantity, updated_at = ?2 WHERE order_id = ?1")
                .bind(&s.order_id)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            let id = new_id();
            sqlx::query(
                "INSERT INTO shipments (id, order_id, carrier, tracking_number, tracking_url, shipped_on, notify, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&id)
            .bind(&s.order_id)
            .bind(&s.carrier)
            .bind(&s.tracking_number)
            .bind(&s.tracking_url)
            .bind(&s.shipped_on)
            .bind(s.notify)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            if s.connected {
                outbox::enqueue(
                    &mut tx,
                    &s.channel_id,
                    "order.tracking",
                    &id,
                    &serde_json::json!({}),
                    &format!("tracking:{id}"),
                )
                .await?;
            }
            ids.push(id);
        }
        let orders: Vec<String> = items.iter().map(|s| s.order_id.clone()).collect();
        crate::inventory::deduct_shipped(&mut tx, &orders).await?;
        tx.commit().await?;
        Ok(ids)
    }

    pub async fn shipments_of(&self, order_id: &str) -> Result<Vec<ShipmentRow>, StoreError> {
        let sql = format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments s \
             LEFT JOIN outbox ob ON ob.aggregate_id = s.id AND ob.kind = 'order.tracking' \
             WHERE s.order_id = ? ORDER BY s.created_at, s.id"
        );
        Ok(sqlx::query_as(&sql).bind(order_id).fetch_all(self.pool()).await?)
    }

    pub async fn shipment_delivery(&self, shipment_id: &str) -> Result<ShipmentDelivery, StoreError> {
        let sql = format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments s \
             LEFT JOIN outbox ob ON ob.aggregate_id = s.id AND ob.kind = 'order.tracking' WHERE s.id = ?"
        );
        let shipment: ShipmentRow = sqlx::query_as(&sql)
            .bind(shipment_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound { what: format!("shipment {shipment_id}") })?;
        #[derive(sqlx::FromRow)]
        struct Numbers {
            external_id: String,
            order_number: String,
        }
        let Numbers { external_id, order_number } = sqlx::query_as(
            "SELECT external_id, CASE WHEN order_number != '' THEN order_number ELSE external_id END AS order_number \
             FROM orders WHERE id = ?",
        )
        .bind(&shipment.order_id)
        .fetch_one(self.pool())
        .await?;
        let lines = sqlx::query_as(
            "SELECT external_line_id, quantity FROM order_lines WHERE order_id = ? AND quantity > 0 ORDER BY rowid",
        )
        .bind(&shipment.order_id)
        .fetch_all(self.pool())
        .await?;
        let package_index: i64 = sqlx::query_scalar("SELECT count(*) FROM shipments WHERE order_id = ? AND id <= ?")
            .bind(&shipment.order_id)
            .bind(&shipment.id)
            .fetch_one(self.pool())
            .await?;
        Ok(ShipmentDelivery { shipment, external_id, order_number, lines, package_index })
    }
}
