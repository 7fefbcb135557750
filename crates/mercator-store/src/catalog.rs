//! Catalog editing: every edit is saved at once, in one transaction with its
//! history entry (and, for live listings, the channel update in the outbox),
//! guarded by the record's revision. Undo replays the history backwards.

use crate::outbox;
use crate::{now_utc, Store, StoreError};
use mercator_core::catalog::{validate_description, validate_gtin, validate_language, validate_sku, validate_title};
use mercator_core::{new_id, Currency, ErrorCode, ErrorPayload};
use serde_json::{json, Value};
use sqlx::{FromRow, SqliteConnection};

/// Who made a change (the desk's user; one local user for now).
pub const LOCAL_ACTOR: &str = "local";

#[derive(Debug, Clone, FromRow)]
pub struct ProductHead {
    pub id: String,
    pub brand: String,
    pub category: String,
    pub revision: i64,
    pub updated_at: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct TextRow {
    pub lang: String,
    pub title: String,
    pub description: String,
    pub revision: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct VariantRow {
    pub id: String,
    pub sku: String,
    pub gtin: Option<String>,
    pub attributes: String,
    pub cost_minor: i64,
    pub cost_currency: String,
    pub stock: i64,
    pub revision: i64,
}

#[derive(Debug, Clone)]
pub struct ProductDetail {
    pub head: ProductHead,
    pub texts: Vec<TextRow>,
    pub variants: Vec<VariantRow>,
}

#[derive(Debug, Clone, FromRow)]
pub struct HistoryRow {
    pub id: String,
    pub op_id: String,
    pub entity: String,
    pub entity_id: String,
    pub lang: Option<String>,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub actor: String,
    pub at: String,
    pub undone_by: Option<String>,
}

/// One field change, as the editor sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Title {
        lang: String,
        value: String,
    },
    Description {
        lang: String,
        value: String,
    },
    Brand {
        value: String,
    },
    Sku {
        variant_id: String,
        value: String,
    },
    Gtin {
        variant_id: String,
        value: String,
    },
    /// Decimal text in the variant's cost currency, e.g. "18.50".
    Cost {
        variant_id: String,
        value: String,
    },
    Stock {
        variant_id: String,
        value: i64,
    },
}

#[derive(Debug, Clone)]
pub struct NewProduct {
    pub brand: String,
    pub category: String,
    /// (language, title); at least one.
    pub titles: Vec<(String, String)>,
    pub sku: String,
    pub gtin: String,
    pub cost: String,
    pub cost_currency: String,
}

fn invalid(p: ErrorPayload) -> StoreError {
    StoreError::Rejected(p)
}

/// Parses a non-negative decimal amount in `currency` into minor units (see
/// [`mercator_core::import::parse_amount`] for the accepted forms).
pub fn parse_amount(value: &str, currency: &str) -> Result<i64, StoreError> {
    let cur: Currency = currency.parse().map_err(|_| {
        invalid(
            ErrorPayload::new(ErrorCode::MoneyInvalid).arg("value", value).arg("currency", currency).arg("decimals", 2),
        )
    })?;
    mercator_core::import::parse_amount(value, cur).map(|m| m.minor()).map_err(invalid)
}

#[allow(clippy::too_many_arguments)] // one flat row of the history table
async fn record(
    conn: &mut SqliteConnection,
    op_id: &str,
    product_id: &str,
    entity: &str,
    entity_id: &str,
    lang: Option<&str>,
    field: &str,
    old: Value,
    new: Value,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO edit_history (id, op_id, product_id, entity, entity_id, lang, field, old_value, new_value, actor, at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(op_id)
    .bind(product_id)
    .bind(entity)
    .bind(entity_id)
    .bind(lang)
    .bind(field)
    .bind((!old.is_null()).then(|| old.to_string()))
    .bind(new.to_string())
    .bind(LOCAL_ACTOR)
    .bind(now_utc())
    .execute(conn)
    .await?;
    Ok(id)
}

/// Fields whose change a channel must hear about (cost and stock are ours:
/// stock goes out through inventory sync, cost never leaves the desk).
fn sent_to_channels(field: &str) -> bool {
    matches!(field, "title" | "description" | "brand" | "sku" | "gtin")
}

/// Queues a content update for every live listing of the product.
async fn enqueue_live_listings(
    conn: &mut SqliteConnection,
    product_id: &str,
    field: &str,
    change_id: &str,
) -> Result<(), sqlx::Error> {
    let live: Vec<(String, String)> = sqlx::query_as(
        "SELECT l.id, l.channel_id FROM listings l JOIN variants v ON v.id = l.variant_id \
         WHERE v.product_id = ? AND l.status = 'live'",
    )
    .bind(product_id)
    .fetch_all(&mut *conn)
    .await?;
    for (listing_id, channel_id) in live {
        outbox::enqueue(
            conn,
            &channel_id,
            "listing.update",
            &listing_id,
            &json!({ "field": field, "product_id": product_id }),
            &format!("listing.update:{listing_id}:{change_id}"),
        )
        .await?;
    }
    Ok(())
}

fn conflict(what: &str) -> StoreError {
    invalid(ErrorPayload::new(ErrorCode::RevisionConflict).arg("what", what))
}

fn sku_taken(e: &sqlx::Error, sku: &str) -> Option<StoreError> {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            Some(invalid(ErrorPayload::new(ErrorCode::SkuTaken).arg("sku", sku)))
        }
        _ => None,
    }
}

/// Writes `value` to one field; returns (old value, new revision). Used by
/// edits and undo alike. `expected` None skips the revision check (undo).
#[allow(clippy::too_many_arguments)] // the address of one field, plus value and guard
async fn write_field(
    conn: &mut SqliteConnection,
    product_id: &str,
    entity: &str,
    entity_id: &str,
    lang: Option<&str>,
    field: &str,
    value: &Value,
    expected: Option<i64>,
) -> Result<(Value, i64), StoreError> {
    let now = now_utc();
    match (entity, field) {
        ("text", "title" | "description") => {
            let lang = lang.unwrap_or_default();
            let row: Option<(String, String, i64)> = sqlx::query_as(
                "SELECT title, description, revision FROM product_texts WHERE product_id = ? AND lang = ?",
            )
            .bind(product_id)
            .bind(lang)
            .fetch_optional(&mut *conn)
            .await?;
            let text = value.as_str().unwrap_or_default();
            match row {
                None => {
                    // A new language: title first (description needs a title).
                    if field != "title" || value.is_null() {
                        return Err(invalid(ErrorPayload::new(ErrorCode::TitleEmpty)));
                    }
                    if expected.is_some_and(|e| e != 0) {
                        return Err(conflict(lang));
                    }
                    sqlx::query("INSERT INTO product_texts (product_id, lang, title, updated_at) VALUES (?, ?, ?, ?)")
                        .bind(product_id)
                        .bind(lang)
                        .bind(text)
                        .bind(&now)
                        .execute(&mut *conn)
                        .await?;
                    Ok((Value::Null, 1))
                }
                Some((title, description, revision)) => {
                    if expected.is_some_and(|e| e != revision) {
                        return Err(conflict(lang));
                    }
                    if field == "title" && value.is_null() {
                        // undoing the creation of a language: only while it holds no description
                        if !description.is_empty() {
                            return Err(invalid(
                                ErrorPayload::new(ErrorCode::UndoConflict).arg("field", "description"),
                            ));
                        }
                        sqlx::query("DELETE FROM product_texts WHERE product_id = ? AND lang = ?")
                            .bind(product_id)
                            .bind(lang)
                            .execute(&mut *conn)
                            .await?;
                        return Ok((json!(title), 0));
                    }
                    let old = if field == "title" { title } else { description };
                    let sql = format!(
                        "UPDATE product_texts SET {field} = ?, revision = revision + 1, updated_at = ? WHERE product_id = ? AND lang = ?"
                    );
                    sqlx::query(&sql).bind(text).bind(&now).bind(product_id).bind(lang).execute(&mut *conn).await?;
                    Ok((json!(old), revision + 1))
                }
            }
        }
        ("product", "brand") => {
            let (old, revision): (String, i64) = sqlx::query_as("SELECT brand, revision FROM products WHERE id = ?")
                .bind(product_id)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| StoreError::NotFound { what: format!("product {product_id}") })?;
            if expected.is_some_and(|e| e != revision) {
                return Err(conflict("brand"));
            }
            sqlx::query("UPDATE products SET brand = ?, revision = revision + 1, updated_at = ? WHERE id = ?")
                .bind(value.as_str().unwrap_or_default())
                .bind(&now)
                .bind(product_id)
                .execute(&mut *conn)
                .await?;
            Ok((json!(old), revision + 1))
        }
        ("variant", "sku" | "gtin" | "cost_minor" | "stock") => {
            let row: Option<(String, Option<String>, i64, i64, i64)> = sqlx::query_as(
                "SELECT sku, gtin, cost_minor, stock, revision FROM variants WHERE id = ? AND product_id = ?",
            )
            .bind(entity_id)
            .bind(product_id)
            .fetch_optional(&mut *conn)
            .await?;
            let (sku, gtin, cost, stock, revision) =
                row.ok_or_else(|| StoreError::NotFound { what: format!("variant {entity_id}") })?;
            if expected.is_some_and(|e| e != revision) {
                return Err(conflict(&sku));
            }
            let old = match field {
                "sku" => json!(sku),
                "gtin" => json!(gtin),
                "cost_minor" => json!(cost),
                _ => json!(stock),
            };
            let sql = format!("UPDATE variants SET {field} = ?, revision = revision + 1, updated_at = ? WHERE id = ?");
            let q = match value {
                Value::Number(n) => sqlx::query(&sql).bind(n.as_i64()),
                Value::String(s) => sqlx::query(&sql).bind(s.clone()),
                _ => sqlx::query(&sql).bind(None::<String>),
            };
            q.bind(&now)
                .bind(entity_id)
                .execute(&mut *conn)
                .await
                .map_err(|e| sku_taken(&e, value.as_str().unwrap_or_default()).unwrap_or(StoreError::Db(e)))?;
            Ok((old, revision + 1))
        }
        _ => Err(StoreError::Invalid { field: field.into(), detail: "not an editable field".into() }),
    }
}

impl Store {
    pub async fn product_detail(&self, product_id: &str) -> Result<ProductDetail, StoreError> {
        let head: ProductHead =
            sqlx::query_as("SELECT id, brand, category, revision, updated_at FROM products WHERE id = ?")
                .bind(product_id)
                .fetch_optional(self.pool())
                .await?
                .ok_or_else(|| StoreError::NotFound { what: format!("product {product_id}") })?;
        let texts = sqlx::query_as(
            "SELECT lang, title, description, revision FROM product_texts WHERE product_id = ? ORDER BY lang",
        )
        .bind(product_id)
        .fetch_all(self.pool())
        .await?;
        let variants = sqlx::query_as(
            "SELECT id, sku, gtin, attributes, cost_minor, cost_currency, stock, revision FROM variants \
             WHERE product_id = ? ORDER BY sku",
        )
        .bind(product_id)
        .fetch_all(self.pool())
        .await?;
        Ok(ProductDetail { head, texts, variants })
    }

    /// Creates a product with one variant. All or nothing.
    pub async fn create_product(&self, p: &NewProduct) -> Result<String, StoreError> {
        if p.titles.is_empty() {
            return Err(invalid(ErrorPayload::new(ErrorCode::TitleEmpty)));
        }
        let mut titles = vec![];
        for (lang, title) in &p.titles {
            titles.push((validate_language(lang).map_err(invalid)?, validate_title(title).map_err(invalid)?));
        }
        let sku = validate_sku(&p.sku).map_err(invalid)?;
        let gtin = validate_gtin(&p.gtin).map_err(invalid)?;
        let cost = parse_amount(&p.cost, &p.cost_currency)?;
        let now = now_utc();
        let product_id = new_id();
        let variant_id = new_id();
        let op = new_id();
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("INSERT INTO products (id, brand, category, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
            .bind(&product_id)
            .bind(p.brand.trim())
            .bind(p.category.trim())
            .bind(&now)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        for (lang, title) in &titles {
            sqlx::query("INSERT INTO product_texts (product_id, lang, title, updated_at) VALUES (?, ?, ?, ?)")
                .bind(&product_id)
                .bind(lang)
                .bind(title)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO variants (id, product_id, sku, gtin, cost_minor, cost_currency, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&variant_id)
        .bind(&product_id)
        .bind(&sku)
        .bind(&gtin)
        .bind(cost)
        .bind(p.cost_currency.to_ascii_uppercase())
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(|e| sku_taken(&e, &sku).unwrap_or(StoreError::Db(e)))?;
        record(&mut tx, &op, &product_id, "product", &product_id, None, "created", Value::Null, json!(titles[0].1))
            .await?;
        tx.commit().await?;
        Ok(product_id)
    }

    /// Applies one field edit if the record is still at `expected_revision`
    /// (0 for a language the product does not have yet). Returns the op id.
    pub async fn apply_edit(
        &self,
        product_id: &str,
        edit: &Edit,
        expected_revision: i64,
    ) -> Result<String, StoreError> {
        let (entity, entity_id, lang, field, value): (&str, String, Option<String>, &str, Value) = match edit {
            Edit::Title { lang, value } => (
                "text",
                product_id.to_string(),
                Some(validate_language(lang).map_err(invalid)?),
                "title",
                json!(validate_title(value).map_err(invalid)?),
            ),
            Edit::Description { lang, value } => (
                "text",
                product_id.to_string(),
                Some(validate_language(lang).map_err(invalid)?),
                "description",
                json!(validate_description(value).map_err(invalid)?),
            ),
            Edit::Brand { value } => ("product", product_id.to_string(), None, "brand", json!(value.trim())),
            Edit::Sku { variant_id, value } => {
                ("variant", variant_id.clone(), None, "sku", json!(validate_sku(value).map_err(invalid)?))
            }
            Edit::Gtin { variant_id, value } => {
                ("variant", variant_id.clone(), None, "gtin", json!(validate_gtin(value).map_err(invalid)?))
            }
            Edit::Cost { variant_id, value } => {
                let (currency,): (String,) = sqlx::query_as("SELECT cost_currency FROM variants WHERE id = ?")
                    .bind(variant_id)
                    .fetch_optional(self.pool())
                    .await?
                    .ok_or_else(|| StoreError::NotFound { what: format!("variant {variant_id}") })?;
                ("variant", variant_id.clone(), None, "cost_minor", json!(parse_amount(value, &currency)?))
            }
            Edit::Stock { variant_id, value } => {
                if *value < 0 {
                    return Err(invalid(ErrorPayload::new(ErrorCode::StockInvalid).arg("value", value)));
                }
                ("variant", variant_id.clone(), None, "stock", json!(value))
            }
        };
        let op = new_id();
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let (old, _) = write_field(
            &mut tx,
            product_id,
            entity,
            &entity_id,
            lang.as_deref(),
            field,
            &value,
            Some(expected_revision),
        )
        .await?;
        if old == value {
            tx.rollback().await?;
            return Ok(op); // nothing changed: no history entry, nothing to send
        }
        let change = record(&mut tx, &op, product_id, entity, &entity_id, lang.as_deref(), field, old, value).await?;
        if sent_to_channels(field) {
            enqueue_live_listings(&mut tx, product_id, field, &change).await?;
        }
        tx.commit().await?;
        Ok(op)
    }

    pub async fn history(&self, product_id: &str, limit: i64) -> Result<Vec<HistoryRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, op_id, entity, entity_id, lang, field, old_value, new_value, actor, at, undone_by \
             FROM edit_history WHERE product_id = ? ORDER BY at DESC, id DESC LIMIT ?",
        )
        .bind(product_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Undoes every change of `op_id` (newest first), if each field still holds
    /// the value that op wrote. The undo is itself recorded as a new op.
    pub async fn undo(&self, op_id: &str) -> Result<String, StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let rows: Vec<HistoryRow> = sqlx::query_as(
            "SELECT id, op_id, entity, entity_id, lang, field, old_value, new_value, actor, at, undone_by \
             FROM edit_history WHERE op_id = ? ORDER BY at DESC, id DESC",
        )
        .bind(op_id)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Err(StoreError::NotFound { what: format!("change {op_id}") });
        }
        let undo_op = new_id();
        for r in &rows {
            if r.undone_by.is_some() || r.field == "created" {
                return Err(invalid(ErrorPayload::new(ErrorCode::UndoConflict).arg("field", &r.field)));
            }
            let product_id: (String,) = sqlx::query_as("SELECT product_id FROM edit_history WHERE id = ?")
                .bind(&r.id)
                .fetch_one(&mut *tx)
                .await?;
            let old: Value =
                r.old_value.as_deref().map(serde_json::from_str).transpose().ok().flatten().unwrap_or(Value::Null);
            let new: Value =
                r.new_value.as_deref().map(serde_json::from_str).transpose().ok().flatten().unwrap_or(Value::Null);
            let (current, _) =
                write_field(&mut tx, &product_id.0, &r.entity, &r.entity_id, r.lang.as_deref(), &r.field, &old, None)
                    .await?;
            if current != new {
                // Someone changed the field after this op: keep their value.
                return Err(invalid(ErrorPayload::new(ErrorCode::UndoConflict).arg("field", &r.field)));
            }
            let change = record(
                &mut tx,
                &undo_op,
                &product_id.0,
                &r.entity,
                &r.entity_id,
                r.lang.as_deref(),
                &r.field,
                new,
                old,
            )
            .await?;
            if sent_to_channels(&r.field) {
                enqueue_live_listings(&mut tx, &product_id.0, &r.field, &change).await?;
            }
            sqlx::query("UPDATE edit_history SET undone_by = ? WHERE id = ?")
                .bind(&undo_op)
                .bind(&r.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(undo_op)
    }
}

impl Store {
    /// Every SKU in the catalog (for import validation).
    pub async fn all_skus(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT sku FROM variants").fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(|(s,)| s).collect())
    }

    /// Creates one product with one variant per row, all in one transaction
    /// (a failure leaves the catalog exactly as it was). The search index is
    /// rebuilt once at the end. Returns the op id shared by the history rows.
    pub async fn import_rows(&self, rows: &[mercator_core::import::ImportRow]) -> Result<String, StoreError> {
        use sqlx::QueryBuilder;
        // Multi-row INSERTs (a few hundred rows per statement) instead of one
        // statement per row: the per-statement cost dominates large imports.
        const CHUNK: usize = 400;
        let op = new_id();
        let now = now_utc();
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        crate::search::defer(&mut tx).await?;
        for chunk in rows.chunks(CHUNK) {
            let ids: Vec<(String, String)> = chunk.iter().map(|_| (new_id(), new_id())).collect();
            let mut q = QueryBuilder::new("INSERT INTO products (id, brand, category, created_at, updated_at) ");
            q.push_values(chunk.iter().zip(&ids), |mut b, (r, (pid, _))| {
                b.push_bind(pid).push_bind(&r.brand).push_bind(&r.category).push_bind(&now).push_bind(&now);
            });
            q.build().execute(&mut *tx).await?;

            let texts: Vec<(&String, &String, &String, &str)> = chunk
                .iter()
                .zip(&ids)
                .flat_map(|(r, (pid, _))| {
                    r.titles.iter().map(move |(lang, title)| {
                        let d = r.descriptions.iter().find(|d| &d.0 == lang).map(|d| d.1.as_str()).unwrap_or("");
                        (pid, lang, title, d)
                    })
                })
                .collect();
            for part in texts.chunks(CHUNK) {
                let mut q =
                    QueryBuilder::new("INSERT INTO product_texts (product_id, lang, title, description, updated_at) ");
                q.push_values(part, |mut b, (pid, lang, title, d)| {
                    b.push_bind(*pid).push_bind(*lang).push_bind(*title).push_bind(*d).push_bind(&now);
                });
                q.build().execute(&mut *tx).await?;
            }

            let mut q = QueryBuilder::new(
                "INSERT INTO variants (id, product_id, sku, gtin, cost_minor, cost_currency, updated_at) ",
            );
            q.push_values(chunk.iter().zip(&ids), |mut b, (r, (pid, vid))| {
                b.push_bind(vid)
                    .push_bind(pid)
                    .push_bind(&r.sku)
                    .push_bind(&r.gtin)
                    .push_bind(r.cost.minor())
                    .push_bind(r.cost.currency().code().to_string())
                    .push_bind(&now);
            });
            if let Err(e) = q.build().execute(&mut *tx).await {
                if let sqlx::Error::Database(db) = &e {
                    if db.is_unique_violation() {
                        // name a SKU of this chunk that already exists (or repeats)
                        let mut seen = std::collections::HashSet::new();
                        let mut taken = chunk.iter().find(|r| !seen.insert(r.sku.as_str())).map(|r| r.sku.clone());
                        for r in chunk {
                            if taken.is_some() {
                                break;
                            }
                            let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM variants WHERE sku = ?")
                                .bind(&r.sku)
                                .fetch_one(&mut *tx)
                                .await?;
                            if n > 0 {
                                taken = Some(r.sku.clone());
                            }
                        }
                        return Err(invalid(
                            ErrorPayload::new(ErrorCode::SkuTaken).arg("sku", taken.unwrap_or_default()),
                        ));
                    }
                }
                return Err(StoreError::Db(e));
            }

            let mut q = QueryBuilder::new(
                "INSERT INTO edit_history (id, op_id, product_id, entity, entity_id, lang, field, old_value, new_value, actor, at) ",
            );
            q.push_values(chunk.iter().zip(&ids), |mut b, (r, (pid, _))| {
                let first = r.titles.first().map(|t| t.1.as_str()).unwrap_or_default();
                b.push_bind(new_id())
                    .push_bind(&op)
                    .push_bind(pid)
                    .push_bind("product")
                    .push_bind(pid)
                    .push_bind(None::<String>)
                    .push_bind("created")
                    .push_bind(None::<String>)
                    .push_bind(json!(first).to_string())
                    .push_bind(LOCAL_ACTOR)
                    .push_bind(&now);
            });
            q.build().execute(&mut *tx).await?;
        }
        crate::search::index_new(&mut tx).await?;
        tx.commit().await?;
        Ok(op)
    }
}
