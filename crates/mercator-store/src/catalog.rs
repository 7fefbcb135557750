//! Catalog editing: every edit is saved at once, in one transaction with its
//! history entry (and, for live listings, the channel update in the outbox),
//! guarded by the record's revision. Undo replays the history backwards.

use crate::outbox;
use crate::{now_utc, Store, StoreError};
use mercator_core::catalog::{
    validate_attribute_name, validate_bullets, validate_certifications, validate_country, validate_description,
    validate_dimension, validate_gtin, validate_hs_code, validate_keywords, validate_language, validate_listing_status,
    validate_sku, validate_title,
};
use mercator_core::import::RowSource;
use mercator_core::{new_id, Currency, ErrorCode, ErrorPayload};
use serde_json::{json, Value};
use sqlx::{FromRow, SqliteConnection};

mod batch;

/// Who made a change (the desk's user; one local user for now).
pub use crate::LOCAL_ACTOR;

#[derive(Debug, Clone, FromRow)]
pub struct ProductHead {
    pub id: String,
    pub brand: String,
    pub category: String,
    pub images: String,
    pub gtin_exempt: i64,
    pub issue_count: i64,
    pub revision: i64,
    pub updated_at: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct TextRow {
    pub lang: String,
    pub title: String,
    pub description: String,
    pub bullets: String,
    pub keywords: String,
    pub revision: i64,
}

/// A channel account as the store keeps it (settings and secrets apart).
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ChannelRow {
    pub id: String,
    /// amazon, shopee, shopify, woocommerce, ...
    pub kind: String,
    pub name: String,
    /// Country code of the marketplace.
    pub market: String,
    pub currency: String,
    pub language: String,
}

#[derive(Debug, Clone, FromRow, serde::Deserialize)]
pub struct VariantRow {
    pub id: String,
    pub sku: String,
    pub gtin: Option<String>,
    pub attributes: String,
    pub cost_minor: i64,
    pub cost_currency: String,
    pub stock: i64,
    pub weight_g: i64,
    pub length_mm: i64,
    pub width_mm: i64,
    pub height_mm: i64,
    pub hs_code: String,
    pub origin: String,
    pub certifications: String,
    pub revision: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct ListingDetailRow {
    pub id: String,
    pub variant_id: String,
    pub channel_id: String,
    pub channel_name: String,
    pub channel_kind: String,
    pub market: String,
    pub channel_language: String,
    pub price_minor: i64,
    pub price_currency: String,
    pub status: String,
    pub seller_sku: String,
    pub external_id: String,
    pub qty_policy: String,
    pub qty_value: i64,
    pub overrides: String,
    pub issues: String,
    pub synced_base: Option<String>,
    pub remote_copy: Option<String>,
    pub remote_seen_at: Option<String>,
    pub revision: i64,
}

#[derive(Debug, Clone)]
pub struct ProductDetail {
    pub head: ProductHead,
    pub texts: Vec<TextRow>,
    pub variants: Vec<VariantRow>,
    pub listings: Vec<ListingDetailRow>,
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

/// A history row with the product it belongs to (for undo).
#[derive(Debug, Clone, FromRow)]
struct UndoRow {
    product_id: String,
    #[sqlx(flatten)]
    row: HistoryRow,
}

pub use mercator_core::catalog::Edit;

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

/// How a field is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    OptText,
    Int,
    Json,
}

/// The editable fields: (entity, field) -> (table, storage kind).
fn field_spec(entity: &str, field: &str) -> Option<(&'static str, Kind)> {
    use Kind::{Int, Json, OptText, Text};
    Some(match (entity, field) {
        ("text", "title" | "description" | "keywords") => ("product_texts", Text),
        ("text", "bullets") => ("product_texts", Json),
        ("product", "brand" | "category") => ("products", Text),
        ("product", "images") => ("products", Json),
        ("product", "gtin_exempt") => ("products", Int),
        ("variant", "sku" | "hs_code" | "origin" | "cost_currency") => ("variants", Text),
        ("variant", "gtin") => ("variants", OptText),
        ("variant", "cost_minor" | "stock" | "weight_g" | "length_mm" | "width_mm" | "height_mm") => ("variants", Int),
        ("variant", "certifications" | "attributes") => ("variants", Json),
        ("listing", "status" | "seller_sku" | "external_id" | "qty_policy") => ("listings", Text),
        ("listing", "qty_value" | "price_minor") => ("listings", Int),
        ("listing", "overrides") => ("listings", Json),
        _ => return None,
    })
}

/// The WHERE clause addressing one record of `entity` inside a product, with
/// its binds in order.
fn record_key(entity: &str, product_id: &str, entity_id: &str, lang: Option<&str>) -> (&'static str, Vec<String>) {
    match entity {
        "text" => ("product_id = ? AND lang = ?", vec![product_id.into(), lang.unwrap_or_default().into()]),
        "product" => ("id = ?", vec![product_id.into()]),
        "variant" => ("id = ? AND product_id = ?", vec![entity_id.into(), product_id.into()]),
        _ => (
            "id = ? AND variant_id IN (SELECT id FROM variants WHERE product_id = ?)",
            vec![entity_id.into(), product_id.into()],
        ),
    }
}

/// Reads one field and its record's revision.
async fn read_field(
    conn: &mut SqliteConnection,
    product_id: &str,
    entity: &str,
    entity_id: &str,
    lang: Option<&str>,
    field: &str,
) -> Result<Option<(Value, i64)>, StoreError> {
    use sqlx::Row;
    let (table, kind) = field_spec(entity, field)
        .ok_or_else(|| StoreError::Invalid { field: field.into(), detail: "not an editable field".into() })?;
    let (key, binds) = record_key(entity, product_id, entity_id, lang);
    let sql = format!("SELECT {field}, revision FROM {table} WHERE {key}");
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = q.bind(b);
    }
    let Some(row) = q.fetch_optional(&mut *conn).await? else { return Ok(None) };
    let revision: i64 = row.try_get(1)?;
    Ok(Some((column_value(&row, 0, kind)?, revision)))
}

/// A stored field as the JSON value edits and history hold.
fn column_value<I: sqlx::ColumnIndex<sqlx::sqlite::SqliteRow>>(
    row: &sqlx::sqlite::SqliteRow,
    at: I,
    kind: Kind,
) -> Result<Value, sqlx::Error> {
    use sqlx::Row;
    Ok(match kind {
        Kind::Int => json!(row.try_get::<i64, _>(at)?),
        Kind::Text | Kind::OptText => json!(row.try_get::<Option<String>, _>(at)?),
        Kind::Json => serde_json::from_str(&row.try_get::<String, _>(at)?).unwrap_or(Value::Null),
    })
}

fn not_found(entity: &str, id: &str) -> StoreError {
    StoreError::NotFound { what: format!("{entity} {id}") }
}

/// Writes `value` to one field; returns (old value, new revision). Used by
/// edits, bulk edits and undo alike. `expected` None skips the revision check.
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
    let (table, kind) = field_spec(entity, field)
        .ok_or_else(|| StoreError::Invalid { field: field.into(), detail: "not an editable field".into() })?;
    let current = read_field(conn, product_id, entity, entity_id, lang, field).await?;
    let lang_s = lang.unwrap_or_default();
    let (old, revision) = match current {
        None if entity == "text" => {
            // A new language: title first (the other fields need a title).
            if field != "title" || value.is_null() {
                return Err(invalid(ErrorPayload::new(ErrorCode::TitleEmpty)));
            }
            if expected.is_some_and(|e| e != 0) {
                return Err(conflict(lang_s));
            }
            sqlx::query("INSERT INTO product_texts (product_id, lang, title, updated_at) VALUES (?, ?, ?, ?)")
                .bind(product_id)
                .bind(lang_s)
                .bind(value.as_str().unwrap_or_default())
                .bind(&now)
                .execute(&mut *conn)
                .await?;
            return Ok((Value::Null, 1));
        }
        None => return Err(not_found(entity, if entity == "product" { product_id } else { entity_id })),
        Some(c) => c,
    };
    if expected.is_some_and(|e| e != revision) {
        let what = match entity {
            "text" => lang_s.to_string(),
            "variant" => sqlx::query_as::<_, (String,)>("SELECT sku FROM variants WHERE id = ?")
                .bind(entity_id)
                .fetch_optional(&mut *conn)
                .await?
                .map_or_else(|| field.to_string(), |r| r.0),
            _ => field.to_string(),
        };
        return Err(conflict(&what));
    }
    if old == *value {
        // nothing changes: no write, no new revision, no index maintenance
        return Ok((old, revision));
    }
    if entity == "text" && field == "title" && value.is_null() {
        // undoing the creation of a language: only while it holds nothing else
        let (description, bullets, keywords): (String, String, String) = sqlx::query_as(
            "SELECT description, bullets, keywords FROM product_texts WHERE product_id = ? AND lang = ?",
        )
        .bind(product_id)
        .bind(lang_s)
        .fetch_one(&mut *conn)
        .await?;
        if !description.is_empty() || bullets != "[]" || !keywords.is_empty() {
            return Err(invalid(ErrorPayload::new(ErrorCode::UndoConflict).arg("field", "description")));
        }
        sqlx::query("DELETE FROM product_texts WHERE product_id = ? AND lang = ?")
            .bind(product_id)
            .bind(lang_s)
            .execute(&mut *conn)
            .await?;
        return Ok((old, 0));
    }
    let (key, binds) = record_key(entity, product_id, entity_id, lang);
    let sql = format!("UPDATE {table} SET {field} = ?, revision = revision + 1, updated_at = ? WHERE {key}");
    let q = match kind {
        Kind::Int => sqlx::query(&sql).bind(value.as_i64().unwrap_or_default()),
        Kind::Text => sqlx::query(&sql).bind(value.as_str().unwrap_or_default().to_string()),
        Kind::OptText => sqlx::query(&sql).bind(value.as_str().map(str::to_string)),
        Kind::Json => sqlx::query(&sql).bind(value.to_string()),
    };
    let mut q = q.bind(&now);
    for b in binds {
        q = q.bind(b);
    }
    q.execute(&mut *conn).await.map_err(|e| {
        if field == "sku" {
            sku_taken(&e, value.as_str().unwrap_or_default()).unwrap_or(StoreError::Db(e))
        } else {
            StoreError::Db(e)
        }
    })?;
    Ok((old, revision + 1))
}

/// One field write an edit resolves to.
#[derive(Debug, Clone)]
pub(crate) struct FieldWrite {
    pub entity: &'static str,
    pub entity_id: String,
    pub lang: Option<String>,
    pub field: &'static str,
    pub value: Value,
}

impl FieldWrite {
    fn new(entity: &'static str, entity_id: &str, field: &'static str, value: Value) -> Self {
        Self { entity, entity_id: entity_id.to_string(), lang: None, field, value }
    }
    fn text(product_id: &str, lang: &str, field: &'static str, value: Value) -> Result<Self, StoreError> {
        let lang = validate_language(lang).map_err(invalid)?;
        Ok(Self { entity: "text", entity_id: product_id.to_string(), lang: Some(lang), field, value })
    }
}

/// Validates an edit and turns it into field writes. Reads what it needs
/// (a variant's currency, the current attributes) inside the caller's
/// transaction, so a read-modify-write of a JSON field cannot race.
pub(crate) async fn resolve(
    conn: &mut SqliteConnection,
    product_id: &str,
    edit: &Edit,
) -> Result<Vec<FieldWrite>, StoreError> {
    let one = |w: FieldWrite| Ok(vec![w]);
    match edit {
        Edit::Title { lang, value } => {
            one(FieldWrite::text(product_id, lang, "title", json!(validate_title(value).map_err(invalid)?))?)
        }
        Edit::Description { lang, value } => one(FieldWrite::text(
            product_id,
            lang,
            "description",
            json!(validate_description(value).map_err(invalid)?),
        )?),
        Edit::Bullets { lang, value } => {
            one(FieldWrite::text(product_id, lang, "bullets", json!(validate_bullets(value).map_err(invalid)?))?)
        }
        Edit::Keywords { lang, value } => {
            one(FieldWrite::text(product_id, lang, "keywords", json!(validate_keywords(value).map_err(invalid)?))?)
        }
        Edit::Brand { value } => one(FieldWrite::new("product", product_id, "brand", json!(value.trim()))),
        Edit::Images { value } => {
            one(FieldWrite::new("product", product_id, "images", serde_json::to_value(value).unwrap_or_default()))
        }
        Edit::Category { value } => one(FieldWrite::new("product", product_id, "category", json!(value.trim()))),
        Edit::GtinExempt { value } => {
            one(FieldWrite::new("product", product_id, "gtin_exempt", json!(i64::from(*value))))
        }
        Edit::Sku { variant_id, value } => {
            one(FieldWrite::new("variant", variant_id, "sku", json!(validate_sku(value).map_err(invalid)?)))
        }
        Edit::Gtin { variant_id, value } => {
            one(FieldWrite::new("variant", variant_id, "gtin", json!(validate_gtin(value).map_err(invalid)?)))
        }
        Edit::Cost { variant_id, value } => {
            let (currency,): (String,) = sqlx::query_as("SELECT cost_currency FROM variants WHERE id = ?")
                .bind(variant_id)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| not_found("variant", variant_id))?;
            one(FieldWrite::new("variant", variant_id, "cost_minor", json!(parse_amount(value, &currency)?)))
        }
        Edit::Stock { variant_id, value } => {
            if *value < 0 {
                return Err(invalid(ErrorPayload::new(ErrorCode::StockInvalid).arg("value", value)));
            }
            one(FieldWrite::new("variant", variant_id, "stock", json!(value)))
        }
        Edit::Measure { variant_id, field, value } => {
            let f: &'static str = match field.as_str() {
                "weight_g" => "weight_g",
                "length_mm" => "length_mm",
                "width_mm" => "width_mm",
                "height_mm" => "height_mm",
                _ => return Err(StoreError::Invalid { field: field.clone(), detail: "not a measure".into() }),
            };
            one(FieldWrite::new("variant", variant_id, f, json!(validate_dimension(f, value).map_err(invalid)?)))
        }
        Edit::HsCode { variant_id, value } => {
            one(FieldWrite::new("variant", variant_id, "hs_code", json!(validate_hs_code(value).map_err(invalid)?)))
        }
        Edit::Origin { variant_id, value } => {
            one(FieldWrite::new("variant", variant_id, "origin", json!(validate_country(value).map_err(invalid)?)))
        }
        Edit::Certifications { variant_id, value } => one(FieldWrite::new(
            "variant",
            variant_id,
            "certifications",
            serde_json::to_value(validate_certifications(value).map_err(invalid)?).unwrap_or_default(),
        )),
        Edit::Attribute { variant_id, name, value } => {
            let name = validate_attribute_name(name).map_err(invalid)?;
            let (current, _) = read_field(conn, product_id, "variant", variant_id, None, "attributes")
                .await?
                .ok_or_else(|| not_found("variant", variant_id))?;
            let mut map = current.as_object().cloned().unwrap_or_default();
            match value.as_deref().map(str::trim) {
                Some(v) if !v.is_empty() => map.insert(name, json!(v)),
                _ => map.remove(&name),
            };
            one(FieldWrite::new("variant", variant_id, "attributes", Value::Object(map)))
        }
        Edit::ListingStatus { listing_id, value } => one(FieldWrite::new(
            "listing",
            listing_id,
            "status",
            json!(validate_listing_status(value).map_err(invalid)?),
        )),
        Edit::SellerSku { listing_id, value } => {
            let v = if value.trim().is_empty() { String::new() } else { validate_sku(value).map_err(invalid)? };
            one(FieldWrite::new("listing", listing_id, "seller_sku", json!(v)))
        }
        Edit::ExternalId { listing_id, value } => {
            one(FieldWrite::new("listing", listing_id, "external_id", json!(value.trim())))
        }
        Edit::QtyPolicy { listing_id, policy, value } => {
            if !["stock", "buffer", "fixed"].contains(&policy.as_str()) || *value < 0 {
                return Err(invalid(ErrorPayload::new(ErrorCode::QtyPolicy).arg("value", value)));
            }
            Ok(vec![
                FieldWrite::new("listing", listing_id, "qty_policy", json!(policy)),
                FieldWrite::new("listing", listing_id, "qty_value", json!(value)),
            ])
        }
        Edit::Override { listing_id, field, value } => {
            let checked = match (field.as_str(), value) {
                (_, None) => None,
                ("title", Some(v)) => Some(json!(validate_title(v.as_str().unwrap_or_default()).map_err(invalid)?)),
                ("description", Some(v)) => {
                    Some(json!(validate_description(v.as_str().unwrap_or_default()).map_err(invalid)?))
                }
                ("keywords", Some(v)) => {
                    Some(json!(validate_keywords(v.as_str().unwrap_or_default()).map_err(invalid)?))
                }
                ("bullets", Some(v)) => {
                    let list: Vec<String> = serde_json::from_value(v.clone()).unwrap_or_default();
                    Some(json!(validate_bullets(&list).map_err(invalid)?))
                }
                _ => return Err(invalid(ErrorPayload::new(ErrorCode::OverrideField).arg("field", field))),
            };
            let (current, _) = read_field(conn, product_id, "listing", listing_id, None, "overrides")
                .await?
                .ok_or_else(|| not_found("listing", listing_id))?;
            let mut map = current.as_object().cloned().unwrap_or_default();
            match checked {
                Some(v) => map.insert(field.clone(), v),
                None => map.remove(field),
            };
            one(FieldWrite::new("listing", listing_id, "overrides", Value::Object(map)))
        }
    }
}

/// Fields whose change a channel must hear about (cost and stock are ours:
/// stock goes out through inventory sync, cost never leaves the desk; a
/// listing's quantity policy reaches the channel as the quantity the stock
/// push computes, and its SKU and channel id are how we address it there).
fn sent_to_channels(entity: &str, field: &str) -> bool {
    match entity {
        "text" => true,
        "product" => matches!(field, "brand" | "images"),
        "variant" => matches!(field, "sku" | "gtin" | "attributes"),
        "listing" => !matches!(field, "seller_sku" | "external_id" | "qty_policy" | "qty_value"),
        _ => false,
    }
}

/// Queues a content update for the live listings a change concerns: every
/// live listing of the product, or just the one listing for listing fields
/// (also when it was live before: a listing taken off live must reach the
/// channel; draft <-> ready stays local).
async fn enqueue_change(
    conn: &mut SqliteConnection,
    product_id: &str,
    w: (&str, &str, Option<&str>, &str),
    was_live: bool,
    change_id: &str,
) -> Result<(), sqlx::Error> {
    let (entity, entity_id, lang, field) = w;
    if !sent_to_channels(entity, field) {
        return Ok(());
    }
    let live: Vec<(String, String)> = if entity == "listing" {
        sqlx::query_as("SELECT id, channel_id FROM listings WHERE id = ? AND (status = 'live' OR ?)")
            .bind(entity_id)
            .bind(was_live)
            .fetch_all(&mut *conn)
            .await?
    } else {
        sqlx::query_as(
            "SELECT l.id, l.channel_id FROM listings l JOIN variants v ON v.id = l.variant_id \
             WHERE v.product_id = ? AND l.status = 'live'",
        )
        .bind(product_id)
        .fetch_all(&mut *conn)
        .await?
    };
    // price changes travel as their own kind (the channels' price APIs)
    let kind = if field == "price_minor" { "listing.price" } else { "listing.update" };
    for (listing_id, channel_id) in live {
        outbox::enqueue(
            conn,
            &channel_id,
            kind,
            &listing_id,
            &json!({ "field": field, "lang": lang, "product_id": product_id }),
            &format!("{kind}:{listing_id}:{change_id}"),
        )
        .await?;
    }
    Ok(())
}

/// Applies resolved writes as one op: history rows, outbox entries, and the
/// market rules of the product refreshed. Returns how many fields changed.
pub(crate) async fn apply_writes(
    conn: &mut SqliteConnection,
    op: &str,
    product_id: &str,
    writes: &[FieldWrite],
    mut expected: Option<i64>,
) -> Result<usize, StoreError> {
    let mut changed = 0;
    for w in writes {
        let (old, _) =
            write_field(conn, product_id, w.entity, &w.entity_id, w.lang.as_deref(), w.field, &w.value, expected)
                .await?;
        expected = None; // later writes of the same edit hit the same record
        if old == w.value {
            continue;
        }
        let was_live = w.field == "status" && old.as_str() == Some("live");
        let change =
            record(conn, op, product_id, w.entity, &w.entity_id, w.lang.as_deref(), w.field, old, w.value.clone())
                .await?;
        enqueue_change(conn, product_id, (w.entity, &w.entity_id, w.lang.as_deref(), w.field), was_live, &change)
            .await?;
        changed += 1;
    }
    Ok(changed)
}
impl Store {
    pub async fn product_detail(&self, product_id: &str) -> Result<ProductDetail, StoreError> {
        let head: ProductHead =
            sqlx::query_as("SELECT id, brand, category, images, gtin_exempt, issue_count, revision, updated_at FROM products WHERE id = ?")
                .bind(product_id)
                .fetch_optional(self.pool())
                .await?
                .ok_or_else(|| StoreError::NotFound { what: format!("product {product_id}") })?;
        let texts = sqlx::query_as(
            "SELECT lang, title, description, bullets, keywords, revision FROM product_texts WHERE product_id = ? ORDER BY lang",
        )
        .bind(product_id)
        .fetch_all(self.pool())
        .await?;
        let variants = sqlx::query_as(
            "SELECT id, sku, gtin, attributes, cost_minor, cost_currency, stock, weight_g, length_mm, width_mm, height_mm, \
                    hs_code, origin, certifications, revision FROM variants \
             WHERE product_id = ? ORDER BY sku",
        )
        .bind(product_id)
        .fetch_all(self.pool())
        .await?;
        let listings = sqlx::query_as(
            "SELECT l.id, l.variant_id, l.channel_id, c.name AS channel_name, c.kind AS channel_kind, c.market, \
                    c.language AS channel_language, l.price_minor, l.price_currency, l.status, l.seller_sku, l.external_id, \
                    l.qty_policy, l.qty_value, l.overrides, l.issues, l.synced_base, l.remote_copy, l.remote_seen_at, l.revision \
             FROM listings l JOIN variants v ON v.id = l.variant_id JOIN channels c ON c.id = l.channel_id \
             WHERE v.product_id = ? ORDER BY c.name, v.sku",
        )
        .bind(product_id)
        .fetch_all(self.pool())
        .await?;
        Ok(ProductDetail { head, texts, variants, listings })
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

    /// Applies one edit if the record is still at `expected_revision` (0 for
    /// a language the product does not have yet). Returns the op id.
    pub async fn apply_edit(
        &self,
        product_id: &str,
        edit: &Edit,
        expected_revision: i64,
    ) -> Result<String, StoreError> {
        let op = new_id();
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let writes = resolve(&mut tx, product_id, edit).await?;
        let changed = apply_writes(&mut tx, &op, product_id, &writes, Some(expected_revision)).await?;
        if changed == 0 {
            tx.rollback().await?;
            return Ok(op); // nothing changed: no history entry, nothing to send
        }
        crate::rules::refresh(&mut tx, &[product_id.to_string()]).await?;
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
        self.undo_with(op_id, false).await
    }

    /// Undo of a bulk edit that stopped part-way: every field that still
    /// holds the op's value goes back; one changed since by someone else
    /// keeps that value (it is theirs now).
    async fn undo_leniently(&self, op_id: &str) -> Result<String, StoreError> {
        self.undo_with(op_id, true).await
    }

    async fn undo_with(&self, op_id: &str, lenient: bool) -> Result<String, StoreError> {
        let rows: Vec<(String, HistoryRow)> = sqlx::query_as::<_, UndoRow>(
            "SELECT product_id, id, op_id, entity, entity_id, lang, field, old_value, new_value, actor, at, undone_by \
             FROM edit_history WHERE op_id = ? ORDER BY at DESC, id DESC",
        )
        .bind(op_id)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|u| (u.product_id, u.row))
        .collect();
        if rows.is_empty() {
            return Err(StoreError::NotFound { what: format!("change {op_id}") });
        }
        if let Some((_, r)) = rows.iter().find(|(_, r)| (r.undone_by.is_some() && !lenient) || r.field == "created") {
            return Err(invalid(ErrorPayload::new(ErrorCode::UndoConflict).arg("field", &r.field)));
        }
        let rows: Vec<(String, HistoryRow)> = rows.into_iter().filter(|(_, r)| r.undone_by.is_none()).collect();
        // In short transactions (other writers fit between them), like the
        // bulk edit it reverts; a conflict found part-way reverts the chunks
        // already undone, so the undo happens whole or not at all.
        let undo_op = new_id();
        for (i, chunk) in rows.chunks(UNDO_CHUNK).enumerate() {
            if let Err(e) = self.undo_chunk(op_id, &undo_op, chunk, lenient).await {
                if i > 0 {
                    if let Err(back) = Box::pin(self.undo_leniently(&undo_op)).await {
                        tracing::error!(error = %back, "a stopped undo could not be reverted");
                    }
                }
                return Err(e);
            }
        }
        Ok(undo_op)
    }

    async fn undo_chunk(
        &self,
        op_id: &str,
        undo_op: &str,
        rows: &[(String, HistoryRow)],
        lenient: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let mut touched: Vec<String> = vec![];
        // changes of a record's own column go back many at a time, one batch
        // per field (when no record's field appears twice, so order cannot
        // matter); the rest one by one, newest first
        let mut keys = std::collections::HashSet::new();
        let simple = rows
            .iter()
            .filter(|(_, r)| batch::batchable(&r.entity, &r.field))
            .all(|(_, r)| keys.insert((r.entity.as_str(), r.entity_id.as_str(), r.field.as_str())));
        let parse = |v: &Option<String>| -> Value {
            v.as_deref().map(serde_json::from_str).transpose().ok().flatten().unwrap_or(Value::Null)
        };
        let mut groups: std::collections::BTreeMap<(&str, &str), Vec<batch::Write>> = Default::default();
        if simple {
            for (product_id, r) in rows {
                if batch::batchable(&r.entity, &r.field) {
                    groups.entry((r.entity.as_str(), r.field.as_str())).or_default().push(batch::Write {
                        product_id: product_id.clone(),
                        entity_id: r.entity_id.clone(),
                        value: parse(&r.old_value),
                        expect: Some(parse(&r.new_value)),
                    });
                }
            }
        }
        for ((entity, field), writes) in &groups {
            let done = batch::write_many(&mut tx, undo_op, entity, field, writes, lenient).await?;
            if crate::rules::reads(entity, field) {
                touched.extend(done.into_iter().map(|(p, _)| p));
            }
        }
        for (product_id, r) in rows {
            if simple && batch::batchable(&r.entity, &r.field) {
                continue; // gone back in its batch
            }
            let (old, new) = (parse(&r.old_value), parse(&r.new_value));
            let (current, _) =
                write_field(&mut tx, product_id, &r.entity, &r.entity_id, r.lang.as_deref(), &r.field, &old, None)
                    .await?;
            if current != new {
                // Someone changed the field after this op: keep their value.
                if lenient {
                    write_field(
                        &mut tx,
                        product_id,
                        &r.entity,
                        &r.entity_id,
                        r.lang.as_deref(),
                        &r.field,
                        &current,
                        None,
                    )
                    .await?;
                    continue;
                }
                return Err(invalid(ErrorPayload::new(ErrorCode::UndoConflict).arg("field", &r.field)));
            }
            let was_live = r.field == "status" && new.as_str() == Some("live");
            let change =
                record(&mut tx, undo_op, product_id, &r.entity, &r.entity_id, r.lang.as_deref(), &r.field, new, old)
                    .await?;
            let at = (r.entity.as_str(), r.entity_id.as_str(), r.lang.as_deref(), r.field.as_str());
            enqueue_change(&mut tx, product_id, at, was_live, &change).await?;
            if touched.last() != Some(product_id) {
                touched.push(product_id.clone());
            }
        }
        let ids: Vec<&str> = rows.iter().map(|(_, r)| r.id.as_str()).collect();
        sqlx::query(
            // by id (`+op_id`: not through the op's index, which holds every row of a bulk op)
            "UPDATE edit_history SET undone_by = ? WHERE +op_id = ? AND undone_by IS NULL \
             AND id IN (SELECT value FROM json_each(?))",
        )
        .bind(undo_op)
        .bind(op_id)
        .bind(serde_json::to_string(&ids).unwrap_or_default())
        .execute(&mut *tx)
        .await?;
        touched.sort();
        touched.dedup();
        crate::rules::refresh(&mut tx, &touched).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Products per transaction of a bulk edit (about a tenth of a second of
/// writing each), and history rows per transaction of an undo.
pub const BULK_CHUNK: usize = 500;
pub const UNDO_CHUNK: usize = 2000;

impl Store {
    /// Every SKU in the catalog (for import validation).
    pub async fn all_skus(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT sku FROM variants").fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(|(s,)| s).collect())
    }

    /// Imports rows, all in one transaction (a failure or a cancel leaves the
    /// catalog exactly as it was). New SKUs become products: rows sharing a
    /// `parent` become variants of one product, whose texts come from the
    /// first of them that has a title; a `parent` naming a SKU already in
    /// the catalog adds the row as a variant of that SKU's product; other
    /// rows are products of their own. Rows whose SKU exists update that
    /// variant and its product, only in the cells they fill, through the
    /// edit path (history, outbox for live listings, market rules), as one
    /// undoable change. The search index is built once at the end.
    pub async fn import_rows(
        &self,
        rows: &[mercator_core::import::ImportRow],
        progress: &Progress<'_>,
    ) -> Result<ImportOutcome, StoreError> {
        self.import_from(rows, progress).await
    }

    /// [`Store::import_rows`] from rows produced a chunk at a time (see
    /// [`RowSource`]): the rows of a large file are never all in memory.
    pub async fn import_from<S: RowSource + ?Sized>(
        &self,
        rows: &S,
        progress: &Progress<'_>,
    ) -> Result<ImportOutcome, StoreError> {
        const SCAN: usize = 2000;
        // what grouping needs of every row (small), and which rows update
        let (mut updates, mut new, mut metas) = (vec![], vec![], vec![]);
        let all: Vec<usize> = (0..rows.len()).collect();
        for chunk in all.chunks(SCAN) {
            // a large file takes a while: others get the worker, Cancel is heard
            tokio::task::yield_now().await;
            if progress.cancelled() {
                return Err(cancelled());
            }
            for (i, r) in chunk.iter().zip(rows.rows(chunk).map_err(invalid)?) {
                if r.update {
                    updates.push(*i);
                } else {
                    new.push(*i);
                    metas.push(RowMeta {
                        parent: r.parent.clone(),
                        sku: r.sku.clone(),
                        has_titles: !r.titles.is_empty(),
                    });
                }
            }
        }
        drop(all);
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let total = rows.len() as u64;
        let created_op = if new.is_empty() {
            None
        } else {
            Some(insert_new_rows(&mut tx, rows, &new, &metas, progress, total).await?)
        };
        let mut update_op = None;
        let mut touched: Vec<String> = vec![];
        let mut changed = 0;
        let mut unchanged = 0;
        if !updates.is_empty() {
            let op = new_id();
            let mut batch = vec![];
            for i in 0..updates.len() {
                if i % 200 == 0 {
                    if progress.cancelled() {
                        tx.rollback().await?;
                        return Err(cancelled());
                    }
                    (progress.report)((new.len() + i) as u64, total);
                    let upto = (i + 200).min(updates.len());
                    batch = rows.rows(&updates[i..upto]).map_err(invalid)?;
                    batch.reverse(); // taken from the end, in order
                }
                let r = batch.pop().ok_or_else(|| invalid(ErrorPayload::new(ErrorCode::Internal)))?;
                let (product_id, n) = update_from_row(&mut tx, &op, &r).await?;
                changed += n;
                if n == 0 {
                    unchanged += 1;
                } else {
                    touched.push(product_id);
                }
            }
            touched.sort();
            touched.dedup();
            crate::rules::refresh(&mut tx, &touched).await?;
            if changed > 0 {
                update_op = Some(op);
            }
        }
        if progress.cancelled() {
            tx.rollback().await?;
            return Err(cancelled());
        }
        (progress.report)(total, total);
        tx.commit().await?;
        Ok(ImportOutcome { created_op, update_op, created: new.len(), updated: touched.len(), unchanged })
    }
}

/// What an import did: the op ids of its history (creations cannot be
/// undone; the updates can, as one change).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub created_op: Option<String>,
    pub update_op: Option<String>,
    /// Variants created.
    pub created: usize,
    /// Products changed by update rows.
    pub updated: usize,
    /// Update rows that changed nothing.
    pub unchanged: usize,
}

/// Applies one update row to the variant with its SKU and that variant's
/// product: only the cells the row fills. Returns the product and the
/// number of fields that changed.
async fn update_from_row(
    conn: &mut SqliteConnection,
    op: &str,
    r: &mercator_core::import::ImportRow,
) -> Result<(String, usize), StoreError> {
    // Read the record once and write only what differs (most cells of a
    // re-imported export match the catalog).
    type Current = (String, String, Option<String>, i64, String, i64, i64, String, String, String, String, String);
    let cur: Current = sqlx::query_as(
        "SELECT v.id, v.product_id, v.gtin, v.cost_minor, v.cost_currency, v.stock, v.weight_g, v.hs_code, v.origin, \
                v.attributes, p.brand, p.category \
         FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku = ?",
    )
    .bind(&r.sku)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| not_found("variant", &r.sku))?;
    let (
        variant_id,
        product_id,
        gtin,
        cost_minor,
        cost_currency,
        stock,
        weight_g,
        hs_code,
        origin,
        attributes,
        brand,
        category,
    ) = cur;
    let texts: Vec<(String, String, String, String, String)> =
        sqlx::query_as("SELECT lang, title, description, bullets, keywords FROM product_texts WHERE product_id = ?")
            .bind(&product_id)
            .fetch_all(&mut *conn)
            .await?;
    let filled = |k: &str| r.filled.iter().any(|f| f == k);
    let mut writes = vec![];
    let mut set = |entity: &'static str, id: &str, field: &'static str, differs: bool, value: Value| {
        if differs {
            writes.push(FieldWrite::new(entity, id, field, value));
        }
    };
    set("variant", &variant_id, "gtin", filled("gtin") && gtin != r.gtin, json!(r.gtin));
    if filled("cost") {
        let code = r.cost.currency().code().to_string();
        set("variant", &variant_id, "cost_currency", cost_currency != code, json!(code));
        set("variant", &variant_id, "cost_minor", cost_minor != r.cost.minor(), json!(r.cost.minor()));
    }
    set("variant", &variant_id, "stock", filled("stock") && stock != r.stock, json!(r.stock));
    set("variant", &variant_id, "weight_g", filled("weight_g") && weight_g != r.weight_g, json!(r.weight_g));
    set("variant", &variant_id, "hs_code", filled("hs_code") && hs_code != r.hs_code, json!(r.hs_code));
    set("variant", &variant_id, "origin", filled("origin") && origin != r.origin, json!(r.origin));
    if filled("attributes") {
        let before: serde_json::Map<String, Value> = serde_json::from_str(&attributes).unwrap_or_default();
        let mut map = before.clone();
        for (k, val) in &r.attributes {
            map.insert(k.clone(), json!(val));
        }
        set("variant", &variant_id, "attributes", map != before, Value::Object(map));
    }
    set("product", &product_id, "brand", filled("brand") && brand != r.brand, json!(r.brand));
    set("product", &product_id, "category", filled("category") && category != r.category, json!(r.category));
    let text = |lang: &str| texts.iter().find(|t| t.0 == lang);
    for (lang, title) in &r.titles {
        if text(lang).is_none_or(|t| &t.1 != title) {
            writes.push(FieldWrite::text(&product_id, lang, "title", json!(title))?);
        }
    }
    for (lang, d) in &r.descriptions {
        if text(lang).is_none_or(|t| &t.2 != d) {
            writes.push(FieldWrite::text(&product_id, lang, "description", json!(d))?);
        }
    }
    for (lang, b) in &r.bullets {
        if text(lang).is_none_or(|t| serde_json::from_str::<Vec<String>>(&t.3).ok().as_ref() != Some(b)) {
            writes.push(FieldWrite::text(&product_id, lang, "bullets", json!(b))?);
        }
    }
    for (lang, k) in &r.keywords {
        if text(lang).is_none_or(|t| &t.4 != k) {
            writes.push(FieldWrite::text(&product_id, lang, "keywords", json!(k))?);
        }
    }
    if writes.is_empty() {
        return Ok((product_id, 0));
    }
    let changed = apply_writes(conn, op, &product_id, &writes, None).await?;
    Ok((product_id, changed))
}

/// Creates the products and variants of new rows (see
/// [`Store::import_rows`]); returns the op id of their history.
async fn insert_new_rows<S: RowSource + ?Sized>(
    tx: &mut SqliteConnection,
    src: &S,
    at: &[usize],
    metas: &[RowMeta],
    progress: &Progress<'_>,
    total: u64,
) -> Result<String, StoreError> {
    {
        use std::collections::HashMap;
        // parents that name a SKU already in the catalog: its product
        let parents: Vec<&str> = metas.iter().map(|r| r.parent.as_str()).filter(|p| !p.is_empty()).collect();
        let known: HashMap<String, String> = if parents.is_empty() {
            HashMap::new()
        } else {
            sqlx::query_as::<_, (String, String)>(
                "SELECT sku, product_id FROM variants WHERE sku IN (SELECT value FROM json_each(?))",
            )
            .bind(json_rows(&parents))
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect()
        };
        // Each chunk of rows crosses into SQLite as one JSON array, unpacked
        // by json_each inside one INSERT … SELECT: a few binds per chunk
        // instead of a dozen per row (binding dominated large imports).
        const CHUNK: usize = 2000;
        let op = new_id();
        let now = now_utc();
        // group rows into products
        let mut group_of: HashMap<&str, usize> = HashMap::new();
        let mut groups: Vec<(String, usize)> = vec![]; // (product id, row holding the product's texts)
        let mut grown: Vec<String> = vec![]; // existing products that gain variants
        let mut row_group: Vec<usize> = Vec::with_capacity(metas.len());
        for (i, r) in metas.iter().enumerate() {
            let key = if r.parent.is_empty() { r.sku.as_str() } else { r.parent.as_str() };
            let g = *group_of.entry(key).or_insert_with(|| {
                match known.get(key) {
                    Some(pid) => {
                        grown.push(pid.clone());
                        groups.push((pid.clone(), usize::MAX));
                    }
                    None => groups.push((new_id(), i)),
                }
                groups.len() - 1
            });
            let texts_row = groups[g].1;
            if texts_row != usize::MAX && !metas[texts_row].has_titles && r.has_titles {
                groups[g].1 = i;
            }
            row_group.push(g);
        }
        crate::search::defer(&mut *tx).await?;
        let fresh: Vec<(String, usize)> = groups.iter().filter(|g| g.1 != usize::MAX).cloned().collect();
        for chunk in fresh.chunks(CHUNK) {
            if progress.cancelled() {
                return Err(cancelled());
            }
            // the rows holding these products' texts, from the source
            let wanted: Vec<usize> = chunk.iter().map(|(_, ri)| at[*ri]).collect();
            let rows = src.rows(&wanted).map_err(invalid)?;
            let products: Vec<(&str, &str, &str)> = chunk
                .iter()
                .zip(&rows)
                .map(|((pid, _), r)| (pid.as_str(), r.brand.as_str(), r.category.as_str()))
                .collect();
            sqlx::query(
                "INSERT INTO products (id, brand, category, created_at, updated_at) \
                 SELECT value->>0, value->>1, value->>2, ?2, ?2 FROM json_each(?1)",
            )
            .bind(json_rows(&products))
            .bind(&now)
            .execute(&mut *tx)
            .await?;

            let texts: Vec<(&str, &str, &str, &str, String, &str)> = chunk
                .iter()
                .zip(&rows)
                .flat_map(|((pid, _), r)| {
                    r.titles.iter().map(move |(lang, title)| {
                        let d = r.descriptions.iter().find(|d| &d.0 == lang).map_or("", |d| d.1.as_str());
                        let b = r.bullets.iter().find(|d| &d.0 == lang).map(|d| json!(d.1).to_string());
                        let k = r.keywords.iter().find(|d| &d.0 == lang).map_or("", |d| d.1.as_str());
                        (pid.as_str(), lang.as_str(), title.as_str(), d, b.unwrap_or_else(|| "[]".into()), k)
                    })
                })
                .collect();
            sqlx::query(
                "INSERT INTO product_texts (product_id, lang, title, description, bullets, keywords, updated_at) \
                 SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, ?2 FROM json_each(?1)",
            )
            .bind(json_rows(&texts))
            .bind(&now)
            .execute(&mut *tx)
            .await?;

            let history: Vec<(String, &str, String)> = chunk
                .iter()
                .zip(&rows)
                .map(|((pid, _), r)| {
                    let first = r.titles.first().map(|t| t.1.as_str()).unwrap_or_default();
                    (new_id(), pid.as_str(), json!(first).to_string())
                })
                .collect();
            sqlx::query(
                "INSERT INTO edit_history (id, op_id, product_id, entity, entity_id, lang, field, old_value, new_value, actor, at) \
                 SELECT value->>0, ?2, value->>1, 'product', value->>1, NULL, 'created', NULL, value->>2, ?3, ?4 \
                 FROM json_each(?1)",
            )
            .bind(json_rows(&history))
            .bind(&op)
            .bind(LOCAL_ACTOR)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        for (ci, chunk_at) in at.chunks(CHUNK).enumerate() {
            if progress.cancelled() {
                return Err(cancelled());
            }
            (progress.report)((ci * CHUNK) as u64, total);
            let chunk = src.rows(chunk_at).map_err(invalid)?;
            type VariantJson<'a> =
                (String, &'a str, &'a str, &'a Option<String>, String, i64, String, i64, i64, &'a str, &'a str);
            let variants: Vec<VariantJson> = chunk
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let attrs: serde_json::Map<String, Value> =
                        r.attributes.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                    (
                        new_id(),
                        groups[row_group[ci * CHUNK + i]].0.as_str(),
                        r.sku.as_str(),
                        &r.gtin,
                        Value::Object(attrs).to_string(),
                        r.cost.minor(),
                        r.cost.currency().code().to_string(),
                        r.stock,
                        r.weight_g,
                        r.hs_code.as_str(),
                        r.origin.as_str(),
                    )
                })
                .collect();
            let inserted = sqlx::query(
                "INSERT INTO variants (id, product_id, sku, gtin, attributes, cost_minor, cost_currency, stock, weight_g, \
                 hs_code, origin, updated_at) \
                 SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, \
                        value->>9, value->>10, ?2 FROM json_each(?1)",
            )
            .bind(json_rows(&variants))
            .bind(&now)
            .execute(&mut *tx)
            .await;
            if let Err(e) = inserted {
                if let sqlx::Error::Database(db) = &e {
                    if db.is_unique_violation() {
                        // name a SKU of this chunk that already exists (or repeats)
                        let mut seen = std::collections::HashSet::new();
                        let mut taken = chunk.iter().find(|r| !seen.insert(r.sku.as_str())).map(|r| r.sku.clone());
                        for r in &chunk {
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
        }
        // history of the variants added to existing products
        let added: Vec<(String, &str, String, String)> = metas
            .iter()
            .zip(&row_group)
            .filter(|(_, g)| groups[**g].1 == usize::MAX)
            .map(|(r, g)| (new_id(), groups[*g].0.as_str(), r.sku.clone(), json!(r.sku).to_string()))
            .collect();
        if !added.is_empty() {
            sqlx::query(
                "INSERT INTO edit_history (id, op_id, product_id, entity, entity_id, lang, field, old_value, new_value, actor, at) \
                 SELECT value->>0, ?2, value->>1, 'variant', (SELECT id FROM variants WHERE sku = value->>2), NULL, 'created', \
                        NULL, value->>3, ?3, ?4 FROM json_each(?1)",
            )
            .bind(json_rows(&added))
            .bind(&op)
            .bind(LOCAL_ACTOR)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        crate::search::index_new(&mut *tx).await?;
        grown.sort();
        grown.dedup();
        crate::search::reindex(&mut *tx, &grown).await?;
        crate::rules::refresh(&mut *tx, &grown).await?;
        Ok(op)
    }
}

impl Store {
    /// Products that have no image yet, oldest first.
    pub async fn products_without_images(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM products WHERE images = '[]' ORDER BY id").fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
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

/// What grouping new rows into products needs of each row.
struct RowMeta {
    parent: String,
    sku: String,
    has_titles: bool,
}

/// A variant and its product.
#[derive(FromRow)]
struct VariantOf {
    id: String,
    product_id: String,
}

/// Rows as one JSON text, for a `json_each` bind.
fn json_rows<T: serde::Serialize>(rows: &T) -> String {
    serde_json::to_string(rows).unwrap_or_else(|_| "[]".into())
}

/// Progress of a long operation and the user's wish to stop it.
pub struct Progress<'a> {
    pub cancel: &'a std::sync::atomic::AtomicBool,
    pub report: &'a (dyn Fn(u64, u64) + Send + Sync),
}

static NEVER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn ignore(_: u64, _: u64) {}

impl Progress<'static> {
    /// No progress reports, no cancel (tools and tests).
    pub fn silent() -> Self {
        Progress { cancel: &NEVER, report: &ignore }
    }
}

impl Progress<'_> {
    pub fn cancelled(&self) -> bool {
        self.cancel.load(std::sync::atomic::Ordering::Relaxed)
    }
}

fn cancelled() -> StoreError {
    invalid(ErrorPayload::new(ErrorCode::Cancelled))
}

impl Store {
    /// Applies `op` to every product of `product_ids` in one transaction and
    /// one history op (one undo). Cancelling rolls everything back. Returns
    /// (op id, fields changed).
    pub async fn bulk_edit(
        &self,
        product_ids: &[String],
        op: &mercator_core::catalog::BulkOp,
        progress: &Progress<'_>,
    ) -> Result<(String, usize), StoreError> {
        use mercator_core::catalog::BulkOp;
        if product_ids.is_empty() {
            return Err(invalid(ErrorPayload::new(ErrorCode::BulkEmpty)));
        }
        // validate once, up front, so a bad value fails before any write
        match op {
            BulkOp::SetField { field, value } => match field.as_str() {
                "brand" | "category" => {}
                "hs_code" => {
                    validate_hs_code(value).map_err(invalid)?;
                }
                "origin" => {
                    validate_country(value).map_err(invalid)?;
                }
                _ => return Err(StoreError::Invalid { field: field.clone(), detail: "not a bulk field".into() }),
            },
            BulkOp::ReplaceInTitles { lang, find, .. } => {
                validate_language(lang).map_err(invalid)?;
                if find.is_empty() {
                    return Err(invalid(ErrorPayload::new(ErrorCode::BulkNothingToDo)));
                }
            }
            BulkOp::SetAttribute { name, .. } | BulkOp::RemoveAttribute { name } => {
                validate_attribute_name(name).map_err(invalid)?;
            }
            BulkOp::ListingStatus { value, .. } => {
                validate_listing_status(value).map_err(invalid)?;
            }
        }
        // each product once, in the order given (a product named twice would
        // be changed twice from the same value: two history rows, an undo
        // that could only conflict)
        let mut seen = std::collections::HashSet::with_capacity(product_ids.len());
        let unique: Vec<String> = product_ids.iter().filter(|p| seen.insert(p.as_str())).cloned().collect();
        let product_ids = &unique[..];
        let op_id = new_id();
        let total = product_ids.len() as u64;
        let mut changed = 0;
        // Short transactions that other writers (the sync, the outbox) fit
        // between: a chunk of products each, all under one op id. A cancel
        // or a failure undoes the chunks already written, so the bulk edit
        // is still all or nothing for the user; one undo reverts it.
        for (ci, chunk) in product_ids.chunks(BULK_CHUNK).enumerate() {
            if progress.cancelled() {
                return Err(self.abandon(&op_id, changed, cancelled()).await);
            }
            (progress.report)((ci * BULK_CHUNK) as u64, total);
            let written = self.bulk_chunk(chunk, op, &op_id).await;
            match written {
                Ok(n) => changed += n,
                Err(e) => return Err(self.abandon(&op_id, changed, e).await),
            }
        }
        if progress.cancelled() {
            return Err(self.abandon(&op_id, changed, cancelled()).await);
        }
        (progress.report)(total, total);
        if changed == 0 {
            return Err(invalid(ErrorPayload::new(ErrorCode::BulkNothingToDo)));
        }
        Ok((op_id, changed))
    }

    /// Undoes what a bulk edit wrote before it stopped; returns why it stopped.
    async fn abandon(&self, op_id: &str, changed: usize, why: StoreError) -> StoreError {
        if changed > 0 {
            if let Err(e) = self.undo_leniently(op_id).await {
                tracing::error!(error = %e, "a stopped bulk edit could not be undone");
            }
        }
        why
    }

    /// One chunk of a bulk edit, in its own transaction.
    async fn bulk_chunk(
        &self,
        chunk: &[String],
        op: &mercator_core::catalog::BulkOp,
        op_id: &str,
    ) -> Result<usize, StoreError> {
        use mercator_core::catalog::BulkOp;
        let mut changed = 0;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        if let BulkOp::SetField { field, value } = op {
            // one field of every record: a few statements for the whole chunk
            let (entity, field, value): (&'static str, &'static str, Value) = match field.as_str() {
                "brand" => ("product", "brand", json!(value.trim())),
                "category" => ("product", "category", json!(value.trim())),
                "hs_code" => ("variant", "hs_code", json!(validate_hs_code(value).map_err(invalid)?)),
                "origin" => ("variant", "origin", json!(validate_country(value).map_err(invalid)?)),
                _ => return Err(StoreError::Invalid { field: field.clone(), detail: "not a bulk field".into() }),
            };
            let ids = json_rows(&chunk);
            let records: Vec<(String, String)> = if entity == "product" {
                chunk.iter().map(|p| (p.clone(), p.clone())).collect()
            } else {
                sqlx::query_as::<_, VariantOf>(
                    "SELECT id, product_id FROM variants WHERE product_id IN (SELECT value FROM json_each(?))",
                )
                .bind(&ids)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|v| (v.product_id, v.id))
                .collect()
            };
            let writes: Vec<batch::Write> = records
                .into_iter()
                .map(|(product_id, entity_id)| batch::Write {
                    product_id,
                    entity_id,
                    value: value.clone(),
                    expect: None,
                })
                .collect();
            let done = batch::write_many(&mut tx, op_id, entity, field, &writes, false).await?;
            if crate::rules::reads(entity, field) {
                let mut touched: Vec<String> = done.iter().map(|(p, _)| p.clone()).collect();
                touched.sort();
                touched.dedup();
                crate::rules::refresh(&mut tx, &touched).await?;
            }
            tx.commit().await?;
            return Ok(done.len());
        }
        for pid in chunk {
            let edits: Vec<Edit> = match op {
                BulkOp::SetField { field, value } if field == "brand" => vec![Edit::Brand { value: value.clone() }],
                BulkOp::SetField { field, value } if field == "category" => {
                    vec![Edit::Category { value: value.clone() }]
                }
                BulkOp::SetField { field, value } => variant_ids(&mut tx, pid)
                    .await?
                    .into_iter()
                    .map(|variant_id| {
                        if field == "hs_code" {
                            Edit::HsCode { variant_id, value: value.clone() }
                        } else {
                            Edit::Origin { variant_id, value: value.clone() }
                        }
                    })
                    .collect(),
                BulkOp::ReplaceInTitles { lang, find, replace } => {
                    let title: Option<(String,)> =
                        sqlx::query_as("SELECT title FROM product_texts WHERE product_id = ? AND lang = ?")
                            .bind(pid)
                            .bind(lang)
                            .fetch_optional(&mut *tx)
                            .await?;
                    match title {
                        Some((t,)) if t.contains(find.as_str()) => {
                            vec![Edit::Title { lang: lang.clone(), value: t.replace(find.as_str(), replace) }]
                        }
                        _ => vec![],
                    }
                }
                BulkOp::SetAttribute { name, value } => variant_ids(&mut tx, pid)
                    .await?
                    .into_iter()
                    .map(|variant_id| Edit::Attribute { variant_id, name: name.clone(), value: Some(value.clone()) })
                    .collect(),
                BulkOp::RemoveAttribute { name } => variant_ids(&mut tx, pid)
                    .await?
                    .into_iter()
                    .map(|variant_id| Edit::Attribute { variant_id, name: name.clone(), value: None })
                    .collect(),
                BulkOp::ListingStatus { channel_id, value } => {
                    let ids: Vec<(String,)> = sqlx::query_as(
                        "SELECT l.id FROM listings l JOIN variants v ON v.id = l.variant_id \
                         WHERE v.product_id = ? AND (? IS NULL OR l.channel_id = ?)",
                    )
                    .bind(pid)
                    .bind(channel_id)
                    .bind(channel_id)
                    .fetch_all(&mut *tx)
                    .await?;
                    ids.into_iter()
                        .map(|(listing_id,)| Edit::ListingStatus { listing_id, value: value.clone() })
                        .collect()
                }
            };
            for e in &edits {
                let writes = resolve(&mut tx, pid, e).await?;
                changed += apply_writes(&mut tx, op_id, pid, &writes, None).await?;
            }
        }
        crate::rules::refresh(&mut tx, chunk).await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Settles a listing whose channel copy differs from what we last synced:
    /// per field, keep ours (the channel gets our value) or take theirs (it
    /// becomes this market's override). Recorded in the history like any
    /// edit; the channel copy is cleared once nothing differs any more.
    pub async fn resolve_conflict(
        &self,
        listing_id: &str,
        choices: &[(String, mercator_core::catalog::Keep)],
    ) -> Result<String, StoreError> {
        use mercator_core::catalog::Keep;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let row: Option<(String, Option<String>, Option<String>, String)> = sqlx::query_as(
            "SELECT v.product_id, l.synced_base, l.remote_copy, l.channel_id FROM listings l \
             JOIN variants v ON v.id = l.variant_id WHERE l.id = ?",
        )
        .bind(listing_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (product_id, base, remote, channel_id) = row.ok_or_else(|| not_found("listing", listing_id))?;
        let Some(remote) = remote else { return Err(invalid(ErrorPayload::new(ErrorCode::NoConflict))) };
        let mut theirs: serde_json::Map<String, Value> = serde_json::from_str(&remote).unwrap_or_default();
        let mut base: serde_json::Map<String, Value> =
            base.as_deref().and_then(|b| serde_json::from_str(b).ok()).unwrap_or_default();
        let op = new_id();
        for (field, keep) in choices {
            if !mercator_core::catalog::OVERRIDE_FIELDS.contains(&field.as_str()) {
                return Err(invalid(ErrorPayload::new(ErrorCode::OverrideField).arg("field", field)));
            }
            let Some(their) = theirs.get(field).cloned() else { continue };
            let chosen = match keep {
                Keep::Theirs => {
                    let edit = Edit::Override {
                        listing_id: listing_id.to_string(),
                        field: field.clone(),
                        value: Some(their.clone()),
                    };
                    let writes = resolve(&mut tx, &product_id, &edit).await?;
                    apply_writes(&mut tx, &op, &product_id, &writes, None).await?;
                    their
                }
                Keep::Ours => {
                    let ours = effective_field(&mut tx, listing_id, field).await?;
                    outbox::enqueue(
                        &mut tx,
                        &channel_id,
                        "listing.update",
                        listing_id,
                        &json!({ "field": field, "product_id": product_id, "resolve": "ours" }),
                        &format!("listing.update:{listing_id}:{op}:{field}"),
                    )
                    .await?;
                    ours
                }
            };
            theirs.insert(field.clone(), chosen.clone());
            base.insert(field.clone(), chosen);
        }
        let settled = theirs.iter().all(|(k, v)| base.get(k) == Some(v));
        sqlx::query("UPDATE listings SET synced_base = ?, remote_copy = ?, revision = revision + 1, updated_at = ? WHERE id = ?")
            .bind(Value::Object(base).to_string())
            .bind((!settled).then(|| Value::Object(theirs).to_string()))
            .bind(now_utc())
            .bind(listing_id)
            .execute(&mut *tx)
            .await?;
        crate::rules::refresh(&mut tx, &[product_id]).await?;
        tx.commit().await?;
        Ok(op)
    }

    /// What a channel reported for a listing's content (called by the sync).
    /// Kept for a three-way comparison when it differs from the last synced
    /// content; never applied silently.
    pub async fn record_channel_copy(&self, listing_id: &str, copy: &Value) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let base: Option<(Option<String>,)> = sqlx::query_as("SELECT synced_base FROM listings WHERE id = ?")
            .bind(listing_id)
            .fetch_optional(&mut *tx)
            .await?;
        let (base,) = base.ok_or_else(|| not_found("listing", listing_id))?;
        let base: Value = base.as_deref().and_then(|b| serde_json::from_str(b).ok()).unwrap_or(Value::Null);
        let differs = copy.as_object().is_some_and(|c| c.iter().any(|(k, v)| base.get(k) != Some(v)));
        sqlx::query("UPDATE listings SET remote_copy = ?, remote_seen_at = ? WHERE id = ?")
            .bind(differs.then(|| copy.to_string()))
            .bind(now_utc())
            .bind(listing_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(differs)
    }
}

async fn variant_ids(conn: &mut SqliteConnection, product_id: &str) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM variants WHERE product_id = ? ORDER BY sku")
        .bind(product_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A listing's content field as buyers see it: its override, else the
/// product's text in the market's language.
async fn effective_field(conn: &mut SqliteConnection, listing_id: &str, field: &str) -> Result<Value, StoreError> {
    let (overrides, market, product_id): (String, String, String) = sqlx::query_as(
        "SELECT l.overrides, c.market, v.product_id FROM listings l JOIN channels c ON c.id = l.channel_id \
         JOIN variants v ON v.id = l.variant_id WHERE l.id = ?",
    )
    .bind(listing_id)
    .fetch_one(&mut *conn)
    .await?;
    let ov: Value = serde_json::from_str(&overrides).unwrap_or(Value::Null);
    if let Some(v) = ov.get(field) {
        return Ok(v.clone());
    }
    let texts: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT lang, title, description, bullets, keywords FROM product_texts WHERE product_id = ? ORDER BY lang",
    )
    .bind(&product_id)
    .fetch_all(&mut *conn)
    .await?;
    let Some(t) = texts.iter().find(|t| mercator_core::rules::serves_market(&t.0, &market)) else {
        return Ok(Value::Null);
    };
    Ok(match field {
        "title" => json!(t.1),
        "description" => json!(t.2),
        "bullets" => serde_json::from_str(&t.3).unwrap_or(json!([])),
        _ => json!(t.4),
    })
}

impl Store {
    /// The column mapping the user chose for a file layout, if any.
    pub async fn import_layout(&self, key: &str) -> Result<Option<Vec<Option<String>>>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT mapping FROM import_layouts WHERE layout_key = ?")
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.and_then(|(m,)| serde_json::from_str(&m).ok()))
    }

    pub async fn save_import_layout(
        &self,
        key: &str,
        headers: &[String],
        mapping: &[Option<String>],
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO import_layouts (layout_key, headers, mapping, updated_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT(layout_key) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(serde_json::to_string(headers).unwrap_or_default())
        .bind(serde_json::to_string(mapping).unwrap_or_default())
        .bind(now_utc())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Rows for export: one per variant of `product_ids` (all when None), in
    /// catalog order, with every language's texts. SQLite hands the rows
    /// over as one JSON array per query: reading 100k rows one by one
    /// through the driver costs ten times more than parsing them.
    pub async fn export_rows(
        &self,
        product_ids: Option<&[String]>,
    ) -> Result<(Vec<ExportVariant>, Vec<TextExport>), StoreError> {
        let ids = product_ids.map(|i| serde_json::to_string(i).unwrap_or_default());
        let (variants,): (String,) = sqlx::query_as(
            "SELECT json_group_array(json_object('product_id', product_id, 'brand', brand, 'category', category, \
                    'variant', json_object('id', id, 'sku', sku, 'gtin', gtin, 'attributes', attributes, 'cost_minor', cost_minor, \
                    'cost_currency', cost_currency, 'stock', stock, 'weight_g', weight_g, 'length_mm', length_mm, \
                    'width_mm', width_mm, 'height_mm', height_mm, 'hs_code', hs_code, 'origin', origin, \
                    'certifications', certifications, 'revision', revision))) \
             FROM (SELECT p.id AS product_id, p.brand, p.category, v.* FROM variants v JOIN products p ON p.id = v.product_id \
                   WHERE ?1 IS NULL OR p.id IN (SELECT value FROM json_each(?1)) ORDER BY p.id, v.sku)",
        )
        .bind(&ids)
        .fetch_one(self.pool())
        .await?;
        let (texts,): (String,) = sqlx::query_as(
            "SELECT json_group_array(json_object('product_id', product_id, 'lang', lang, 'title', title, \
                    'description', description, 'bullets', bullets, 'keywords', keywords)) \
             FROM product_texts WHERE ?1 IS NULL OR product_id IN (SELECT value FROM json_each(?1))",
        )
        .bind(&ids)
        .fetch_one(self.pool())
        .await?;
        let parse = |e: serde_json::Error| StoreError::Invalid { field: "export".into(), detail: e.to_string() };
        Ok((serde_json::from_str(&variants).map_err(parse)?, serde_json::from_str(&texts).map_err(parse)?))
    }
}

/// A variant with what export needs of its product. (Nested, not
/// `serde(flatten)`: flatten buffers every value, floats included.)
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ExportVariant {
    pub product_id: String,
    pub brand: String,
    pub category: String,
    pub variant: VariantRow,
}

#[derive(Debug, Clone, FromRow, serde::Deserialize)]
pub struct TextExport {
    pub product_id: String,
    pub lang: String,
    pub title: String,
    pub description: String,
    pub bullets: String,
    pub keywords: String,
}

impl Store {
    /// Adds a channel account (selling on `kind` in `market`, in `currency`,
    /// to buyers reading `language`); it starts with the preset pricing
    /// settings for its kind and market. Returns its id.
    pub async fn add_channel(
        &self,
        kind: &str,
        name: &str,
        market: &str,
        currency: &str,
        language: &str,
    ) -> Result<String, StoreError> {
        let bad =
            |f: &str| invalid(ErrorPayload::new(ErrorCode::InvalidArgument).arg("field", f).arg("detail", "value"));
        if !matches!(kind, "amazon" | "shopify" | "woocommerce" | "shopee" | "tiktok" | "ebay") {
            return Err(bad("kind"));
        }
        let market = validate_country(market).map_err(invalid)?;
        if market.is_empty() {
            return Err(bad("market"));
        }
        let currency: Currency = currency.parse().map_err(|_| bad("currency"))?;
        let language = validate_language(language).map_err(invalid)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(bad("name"));
        }
        let id = new_id();
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("INSERT INTO channels (id, kind, name, market, currency, language, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(&id)
            .bind(kind)
            .bind(name)
            .bind(&market)
            .bind(currency.code())
            .bind(&language)
            .bind(now_utc())
            .execute(&mut *tx)
            .await?;
        crate::pricing::seed_presets(&mut tx, crate::pricing::today()).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A channel's kind and non-secret settings.
    pub async fn channel_config(&self, channel_id: &str) -> Result<(String, Value), StoreError> {
        let row: Option<(String, String)> = sqlx::query_as("SELECT kind, config FROM channels WHERE id = ?")
            .bind(channel_id)
            .fetch_optional(self.pool())
            .await?;
        let (kind, config) = row.ok_or_else(|| not_found("channel", channel_id))?;
        Ok((kind, serde_json::from_str(&config).unwrap_or(Value::Null)))
    }

    /// Stores a channel's non-secret settings (never credentials).
    pub async fn set_channel_config(&self, channel_id: &str, config: &Value) -> Result<(), StoreError> {
        sqlx::query("UPDATE channels SET config = ?, revision = revision + 1, updated_at = ? WHERE id = ?")
            .bind(config.to_string())
            .bind(now_utc())
            .bind(channel_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes a channel account that has no orders yet (an account whose
    /// setup failed); one with orders is refused.
    pub async fn remove_channel(&self, channel_id: &str) -> Result<(), StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let (orders,): (i64,) = sqlx::query_as("SELECT count(*) FROM orders WHERE channel_id = ?")
            .bind(channel_id)
            .fetch_one(&mut *tx)
            .await?;
        if orders > 0 {
            return Err(invalid(ErrorPayload::new(ErrorCode::ChannelHasOrders).arg("count", orders)));
        }
        sqlx::query("DELETE FROM channels WHERE id = ?").bind(channel_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every channel account, by name.
    pub async fn channels(&self) -> Result<Vec<ChannelRow>, StoreError> {
        Ok(sqlx::query_as("SELECT id, kind, name, market, currency, language FROM channels ORDER BY name")
            .fetch_all(self.pool())
            .await?)
    }

    /// One channel account.
    pub async fn channel(&self, channel_id: &str) -> Result<ChannelRow, StoreError> {
        sqlx::query_as("SELECT id, kind, name, market, currency, language FROM channels WHERE id = ?")
            .bind(channel_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| not_found("channel", channel_id))
    }
}

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
        let ch: Option<(String,)> = sqlx::query_as("SELECT currency FROM channels WHERE id = ?")
            .bind(channel_id)
            .fetch_optional(&mut *tx)
            .await?;
        let (currency,) = ch.ok_or_else(|| not_found("channel", channel_id))?;
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
    let variants: Vec<(String, String)> = sqlx::query_as(
        "SELECT v.id, v.sku FROM variants v WHERE v.product_id = ? \
         AND NOT EXISTS (SELECT 1 FROM listings l WHERE l.variant_id = v.id AND l.channel_id = ?) ORDER BY v.sku",
    )
    .bind(product_id)
    .bind(channel_id)
    .fetch_all(&mut *tx)
    .await?;
    if variants.is_empty() {
        let known: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM products WHERE id = ?").bind(product_id).fetch_optional(&mut *tx).await?;
        known.ok_or_else(|| not_found("product", product_id))?;
    }
    let now = now_utc();
    for (vid, sku) in &variants {
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
        let ch: Option<(String,)> = sqlx::query_as("SELECT currency FROM channels WHERE id = ?")
            .bind(channel_id)
            .fetch_optional(&mut *tx)
            .await?;
        let (currency,) = ch.ok_or_else(|| not_found("channel", channel_id))?;
        let now = now_utc();
        let mut report = LinkReport::default();
        let mut touched = vec![];
        for (sku, external_id, price, live) in items {
            let variant: Option<(String, String)> = sqlx::query_as("SELECT id, product_id FROM variants WHERE sku = ?")
                .bind(sku)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((vid, pid)) = variant else {
                report.unknown_count += 1;
                if report.unknown.len() < 20 {
                    report.unknown.push(sku.clone());
                }
                continue;
            };
            let existing: Option<(String, String)> =
                sqlx::query_as("SELECT id, external_id FROM listings WHERE variant_id = ? AND channel_id = ?")
                    .bind(&vid)
                    .bind(channel_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            match existing {
                Some((lid, ext)) => {
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
