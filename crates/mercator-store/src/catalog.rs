//! The catalog: every edit is saved at once, in one transaction with its
//! history entry (and, for live listings, the channel update in the outbox),
//! guarded by the record's revision; undo replays the history backwards.
//! This module holds the records and the one field-write path; its children
//! are the areas built on it: `edit` (one product), `bulk`, `import`,
//! `conflict` (channel copies), `export`, `images`, `batch` (set-based writes).

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
mod bulk;
mod conflict;
mod edit;
mod export;
mod images;
mod import;

pub use export::{ExportVariant, TextExport};
pub use import::ImportOutcome;

/// Who made a change (the desk's user; one local user for now).
pub use crate::LOCAL_ACTOR;

/// A listing's own texts and where it sells: what its effective text is read from.
#[derive(Debug, Clone, FromRow)]
pub struct ListingPlace {
    pub overrides: String,
    pub language: String,
    pub market: String,
    pub product_id: String,
}

/// The SQL that reads a [`ListingPlace`] by listing id.
pub(crate) const LISTING_PLACE: &str = "SELECT l.overrides, c.language, c.market, v.product_id FROM listings l \
     JOIN channels c ON c.id = l.channel_id JOIN variants v ON v.id = l.variant_id WHERE l.id = ?";

/// A product's texts in every language, as [`TextRow`]s.
pub(crate) const PRODUCT_TEXTS: &str =
    "SELECT lang, title, description, bullets, keywords, revision FROM product_texts WHERE product_id = ? ORDER BY lang";

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
    #[sqlx(try_from = "String")]
    pub cost_currency: mercator_core::Currency,
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

impl VariantRow {
    /// What one unit costs the seller.
    pub fn cost(&self) -> mercator_core::Money {
        mercator_core::Money::from_minor(self.cost_minor, self.cost_currency)
    }
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
    #[sqlx(try_from = "String")]
    pub price_currency: mercator_core::Currency,
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

impl ListingDetailRow {
    /// The listing's price.
    pub fn price(&self) -> mercator_core::Money {
        mercator_core::Money::from_minor(self.price_minor, self.price_currency)
    }
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

pub(crate) fn invalid(p: ErrorPayload) -> StoreError {
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

pub(crate) fn conflict(what: &str) -> StoreError {
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

pub(crate) fn not_found(entity: &str, id: &str) -> StoreError {
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
            "variant" => sqlx::query_scalar::<_, String>("SELECT sku FROM variants WHERE id = ?")
                .bind(entity_id)
                .fetch_optional(&mut *conn)
                .await?
                .unwrap_or_else(|| field.to_string()),
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
        let t: TextRow = sqlx::query_as(
            "SELECT lang, title, description, bullets, keywords, revision FROM product_texts WHERE product_id = ? AND lang = ?",
        )
        .bind(product_id)
        .bind(lang_s)
        .fetch_one(&mut *conn)
        .await?;
        if !t.description.is_empty() || t.bullets != "[]" || !t.keywords.is_empty() {
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
            let currency: String = sqlx::query_scalar("SELECT cost_currency FROM variants WHERE id = ?")
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
    #[derive(FromRow)]
    struct Live {
        id: String,
        channel_id: String,
    }
    let live: Vec<Live> = if entity == "listing" {
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
    for Live { id: listing_id, channel_id } in live {
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

/// Products per transaction of a bulk edit (about a tenth of a second of
/// writing each), and history rows per transaction of an undo.
pub const BULK_CHUNK: usize = 500;
pub const UNDO_CHUNK: usize = 2000;

/// What grouping new rows into products needs of each row.
struct RowMeta {
    parent: String,
    sku: String,
    has_titles: bool,
}

/// A variant and its product.
#[derive(FromRow)]
pub(crate) struct VariantOf {
    pub(crate) id: String,
    pub(crate) product_id: String,
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

async fn variant_ids(conn: &mut SqliteConnection, product_id: &str) -> Result<Vec<String>, StoreError> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT id FROM variants WHERE product_id = ? ORDER BY sku")
        .bind(product_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows)
}
