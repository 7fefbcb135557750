//! Field writes to many records in a few statements: the bulk edit's
//! "set this field" and the undo of such changes. Each batch is one field
//! of one kind of record (a product's or a variant's own column), with the
//! same effects as writing the records one by one through `write_field`:
//! a record whose value does not change is not written; each change gets
//! its history row and, for a field channels see, one update per live
//! listing of its product in the outbox.

use super::{column_value, field_spec, json_rows, sent_to_channels, Kind, LOCAL_ACTOR};
use crate::{now_utc, StoreError};
use mercator_core::{new_id, ErrorCode, ErrorPayload};
use serde_json::{json, Value};
use sqlx::{FromRow, Row, SqliteConnection};
use std::collections::HashMap;

/// One record's write in a batch.
#[derive(Debug, Clone)]
pub(crate) struct Write {
    pub product_id: String,
    pub entity_id: String,
    pub value: Value,
    /// For an undo: the value the record must still hold (what the undone
    /// op wrote); another value means someone changed it since.
    pub expect: Option<Value>,
}

/// What a batch changed: (product id, history row id) per changed record.
pub(crate) type Changed = Vec<(String, String)>;

/// Whether writes of `entity`.`field` can go through [`write_many`]: a
/// column of the record itself, addressed by its id.
pub(crate) fn batchable(entity: &str, field: &str) -> bool {
    matches!(entity, "product" | "variant")
        && matches!(field_spec(entity, field), Some((_, Kind::Text | Kind::OptText | Kind::Int)))
        && field != "sku" // unique: a clash is named per SKU by the one-by-one path
}

#[derive(FromRow)]
struct LiveListing {
    id: String,
    channel_id: String,
    product_id: String,
}

/// Writes every `rows` entry of `entity`.`field` (see [`batchable`]) in the
/// caller's transaction, recording the changes under `op`. An `expect` that
/// does not hold is an [`ErrorCode::UndoConflict`], or, when `lenient`, that
/// record keeps its value.
pub(crate) async fn write_many(
    conn: &mut SqliteConnection,
    op: &str,
    entity: &str,
    field: &str,
    rows: &[Write],
    lenient: bool,
) -> Result<Changed, StoreError> {
    let (table, kind) = field_spec(entity, field)
        .filter(|_| batchable(entity, field))
        .ok_or_else(|| StoreError::Invalid { field: field.into(), detail: "not a batch field".into() })?;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<&str> = rows.iter().map(|r| r.entity_id.as_str()).collect();
    let ids_json = json_rows(&ids);
    // the records as they are now (a product's own id is its product id)
    let owner = if entity == "product" { "id" } else { "product_id" };
    let sql =
        format!("SELECT id, {owner} AS owner, {field} AS v FROM {table} WHERE id IN (SELECT value FROM json_each(?))");
    let mut current: HashMap<String, (String, Value)> = HashMap::with_capacity(rows.len());
    for row in sqlx::query(&sql).bind(&ids_json).fetch_all(&mut *conn).await? {
        current.insert(row.try_get("id")?, (row.try_get("owner")?, column_value(&row, "v", kind)?));
    }
    let mut changes = vec![];
    for r in rows {
        let old = match current.get(&r.entity_id) {
            Some((owner, v)) if *owner == r.product_id => v,
            _ => {
                return Err(StoreError::NotFound {
                    what: format!("{entity} {}", if entity == "product" { &r.product_id } else { &r.entity_id }),
                })
            }
        };
        if let Some(expect) = &r.expect {
            if old != expect {
                if lenient {
                    continue; // changed since by someone else: theirs now
                }
                return Err(super::invalid(ErrorPayload::new(ErrorCode::UndoConflict).arg("field", field)));
            }
        }
        if *old == r.value {
            continue; // nothing changes: no write, no history, nothing to send
        }
        changes.push((r, old.clone(), new_id()));
    }
    if changes.is_empty() {
        return Ok(vec![]);
    }
    let now = now_utc();
    // the new values ([id, value]) and the history rows, as JSON for json_each
    // bound as `write_field` binds them: text as text (null as ""), numbers as integers
    let stored = |v: &Value| match kind {
        Kind::Int => json!(v.as_i64().unwrap_or_default()),
        Kind::OptText => json!(v.as_str()),
        _ => json!(v.as_str().unwrap_or_default()),
    };
    let values: Vec<Value> = changes.iter().map(|(r, _, _)| json!([r.entity_id, stored(&r.value)])).collect();
    sqlx::query(&format!(
        "UPDATE {table} SET {field} = j.value ->> 1, revision = revision + 1, updated_at = ?2 \
         FROM json_each(?1) j WHERE {table}.id = j.value ->> 0"
    ))
    .bind(json_rows(&values))
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    let history: Vec<Value> = changes
        .iter()
        .map(|(r, old, id)| {
            json!([id, r.product_id, r.entity_id, (!old.is_null()).then(|| old.to_string()), r.value.to_string()])
        })
        .collect();
    sqlx::query(
        "INSERT INTO edit_history (id, op_id, product_id, entity, entity_id, lang, field, old_value, new_value, actor, at) \
         SELECT value ->> 0, ?2, value ->> 1, ?3, value ->> 2, NULL, ?4, value ->> 3, value ->> 4, ?5, ?6 FROM json_each(?1)",
    )
    .bind(json_rows(&history))
    .bind(op)
    .bind(entity)
    .bind(field)
    .bind(LOCAL_ACTOR)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    let changed: Changed = changes.iter().map(|(r, _, id)| (r.product_id.clone(), id.clone())).collect();
    if sent_to_channels(entity, field) {
        enqueue_for_live_listings(conn, field, &changed, &now).await?;
    }
    Ok(changed)
}

/// One `listing.update` per live listing of each changed product, keyed by
/// the change (as `enqueue_change` does for one write).
async fn enqueue_for_live_listings(
    conn: &mut SqliteConnection,
    field: &str,
    changed: &Changed,
    now: &str,
) -> Result<(), StoreError> {
    let mut products: Vec<&str> = changed.iter().map(|(p, _)| p.as_str()).collect();
    products.sort_unstable();
    products.dedup();
    let live: Vec<LiveListing> = sqlx::query_as(
        "SELECT l.id, l.channel_id, v.product_id FROM listings l JOIN variants v ON v.id = l.variant_id \
         WHERE v.product_id IN (SELECT value FROM json_each(?)) AND l.status = 'live'",
    )
    .bind(json_rows(&products))
    .fetch_all(&mut *conn)
    .await?;
    if live.is_empty() {
        return Ok(());
    }
    let mut of: HashMap<&str, Vec<&LiveListing>> = HashMap::new();
    for l in &live {
        of.entry(l.product_id.as_str()).or_default().push(l);
    }
    let kind = "listing.update";
    let mut entries = vec![];
    for (product_id, change_id) in changed {
        for l in of.get(product_id.as_str()).into_iter().flatten() {
            let payload = json!({ "field": field, "lang": Value::Null, "product_id": product_id });
            entries.push(json!([
                new_id(),
                l.channel_id,
                l.id,
                payload.to_string(),
                format!("{kind}:{}:{change_id}", l.id)
            ]));
        }
    }
    sqlx::query(
        "INSERT INTO outbox (id, channel_id, kind, aggregate_id, payload, idempotency_key, next_attempt_at, created_at, updated_at) \
         SELECT value ->> 0, value ->> 1, ?2, value ->> 2, value ->> 3, value ->> 4, ?3, ?3, ?3 FROM json_each(?1) WHERE true \
         ON CONFLICT(idempotency_key) DO NOTHING",
    )
    .bind(json_rows(&entries))
    .bind(kind)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
