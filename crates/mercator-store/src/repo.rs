//! The repository interface the app talks to, and its SQLite implementation.

use crate::error::{sqlite_code, SQLITE_CORRUPT, SQLITE_NOTADB};
use crate::outbox::{self, OutboxCounts};
use crate::{now_utc, Store, StoreError};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct ShopRow {
    pub id: String,
    pub name: String,
    pub base_currency: String,
    pub is_demo: bool,
}

#[derive(Debug, Clone, FromRow)]
pub struct ProductRow {
    pub id: String,
    pub title: String,
    pub brand: String,
    pub category: String,
    pub languages: String,
    pub variant_count: i64,
    pub first_sku: String,
    pub stock: i64,
    pub cost_minor: i64,
    #[sqlx(try_from = "String")]
    pub cost_currency: mercator_core::Currency,
    pub issue_count: i64,
}

impl ProductRow {
    /// The first variant's cost.
    pub fn cost(&self) -> mercator_core::Money {
        mercator_core::Money::from_minor(self.cost_minor, self.cost_currency)
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct ListingRow {
    pub id: String,
    pub sku: String,
    pub title: String,
    pub channel_name: String,
    pub channel_kind: String,
    pub market: String,
    pub price_minor: i64,
    #[sqlx(try_from = "String")]
    pub price_currency: mercator_core::Currency,
    pub status: String,
    pub revision: i64,
}

impl ListingRow {
    /// The listing's price.
    pub fn price(&self) -> mercator_core::Money {
        mercator_core::Money::from_minor(self.price_minor, self.price_currency)
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct OrderRow {
    pub id: String,
    pub external_id: String,
    pub order_number: String,
    pub channel_name: String,
    pub channel_kind: String,
    pub status: String,
    pub buyer_name: String,
    pub ship_country: String,
    pub total_minor: i64,
    #[sqlx(try_from = "String")]
    pub currency: mercator_core::Currency,
    pub ordered_at: String,
    pub items: i64,
}

impl OrderRow {
    /// What the buyer paid.
    pub fn total(&self) -> mercator_core::Money {
        mercator_core::Money::from_minor(self.total_minor, self.currency)
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct PickRow {
    pub sku: String,
    pub title: String,
    pub quantity: i64,
    pub orders: i64,
}

/// Search results are counted up to this many for the first page, so that
/// the first rows come back at once; `catalog_count` gives the exact number.
pub const COUNT_CAP: i64 = 200;

/// How many rows a list has: exact, or "at least `count`" when counting was
/// stopped at a cap so the first rows come back fast.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Total {
    pub count: i64,
    pub exact: bool,
}

impl Total {
    pub fn exact(count: i64) -> Self {
        Total { count, exact: true }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromRow)]
pub struct CatalogCounts {
    pub products: i64,
    pub variants: i64,
}

pub use mercator_core::catalog::CatalogFilter;

/// How the store turns a [`CatalogFilter`] into SQL.
trait FilterSql {
    fn is_plain(&self) -> bool;
    fn where_clause(&self) -> (String, Vec<String>);
    fn order_by(&self) -> String;
}

impl FilterSql for CatalogFilter {
    fn is_plain(&self) -> bool {
        *self == CatalogFilter { query: self.query.clone(), ..Default::default() }
    }

    /// The WHERE condition over `products p` ("1" when unfiltered), with
    /// binds in order.
    fn where_clause(&self) -> (String, Vec<String>) {
        let mut c = vec![];
        let mut b = vec![];
        if let Some(sq) = self.query.as_deref().and_then(crate::search::SearchQuery::parse) {
            let (hits, binds) = sq.hits_sql();
            c.push(format!("p.id IN (SELECT id FROM ({hits}))"));
            b.extend(binds);
        }
        if self.channel_id.is_some() || self.market.is_some() || self.status.is_some() {
            let mut l = vec!["v.product_id = p.id".to_string()];
            if let Some(ch) = &self.channel_id {
                l.push("l.channel_id = ?".into());
                b.push(ch.clone());
            }
            if let Some(m) = &self.market {
                l.push("c.market = ?".into());
                b.push(m.clone());
            }
            if let Some(st) = &self.status {
                l.push("l.status = ?".into());
                b.push(st.clone());
            }
            c.push(format!(
                "EXISTS (SELECT 1 FROM listings l JOIN variants v ON v.id = l.variant_id \
                 JOIN channels c ON c.id = l.channel_id WHERE {})",
                l.join(" AND ")
            ));
        }
        if self.issues_only {
            c.push("p.issue_count > 0".into());
        }
        if let Some(lang) = &self.missing_lang {
            c.push("NOT EXISTS (SELECT 1 FROM product_texts t WHERE t.product_id = p.id AND t.lang = ?)".into());
            b.push(lang.clone());
        }
        const STOCK: &str = "(SELECT COALESCE(sum(stock), 0) FROM variants v WHERE v.product_id = p.id)";
        match self.stock.as_deref() {
            Some("out") => c.push(format!("{STOCK} = 0")),
            Some("low") => c.push(format!("{STOCK} BETWEEN 1 AND 9")),
            Some("in") => c.push(format!("{STOCK} > 0")),
            _ => {}
        }
        (if c.is_empty() { "1".to_string() } else { c.join(" AND ") }, b)
    }

    fn order_by(&self) -> String {
        let col = match self.sort.as_deref() {
            Some("sku") => "first_sku",
            Some("title") => "title COLLATE NOCASE",
            Some("stock") => "stock",
            Some("cost") => "cost_minor",
            Some("updated") => "p.updated_at",
            Some("issues") => "p.issue_count",
            _ => "p.id",
        };
        format!("{col} {}, p.id", if self.desc { "DESC" } else { "ASC" })
    }
}

/// Numbers the bare `?` placeholders so they follow `?1` in order
/// (`?1 … ? … ?` becomes `?1 … ?2 … ?3`); explicit `?N` are kept.
fn number_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut next = 2;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '?' && !chars.peek().is_some_and(char::is_ascii_digit) {
            out.push_str(&next.to_string());
            next += 1;
        }
    }
    out
}

/// Query errors that mean the file is damaged are reported as such.
fn q(store: &Store, e: sqlx::Error) -> StoreError {
    match sqlite_code(&e) {
        Some(SQLITE_CORRUPT | SQLITE_NOTADB) => {
            StoreError::Corrupt { path: store.db_path().to_path_buf(), detail: e.to_string() }
        }
        _ => StoreError::Db(e),
    }
}

pub(crate) const TITLE_FOR_LANG: &str = "COALESCE( \
    (SELECT title FROM product_texts t WHERE t.product_id = p.id AND t.lang = ?1), \
    (SELECT title FROM product_texts t WHERE t.product_id = p.id AND t.lang = 'en-US'), \
    (SELECT title FROM product_texts t WHERE t.product_id = p.id ORDER BY lang LIMIT 1), '')";

/// The catalog table's columns over `products p` (?1 = language).
/// Per-row subqueries use the variants(product_id) index, so a page costs
/// the same in a 50-product shop and a 100k-SKU one.
fn product_columns() -> String {
    format!(
        "p.id, {TITLE_FOR_LANG} AS title, p.brand, p.category, \
         (SELECT group_concat(lang, ' ') FROM (SELECT lang FROM product_texts t WHERE t.product_id = p.id ORDER BY lang)) AS languages, \
         (SELECT count(*) FROM variants v WHERE v.product_id = p.id) AS variant_count, \
         (SELECT COALESCE(min(sku), '') FROM variants v WHERE v.product_id = p.id) AS first_sku, \
         (SELECT COALESCE(sum(stock), 0) FROM variants v WHERE v.product_id = p.id) AS stock, \
         (SELECT COALESCE(min(cost_minor), 0) FROM variants v WHERE v.product_id = p.id) AS cost_minor, \
         (SELECT COALESCE(min(cost_currency), '') FROM variants v WHERE v.product_id = p.id) AS cost_currency, \
         p.issue_count"
    )
}

impl Store {
    /// Counts the rows `sql` selects, stopping after `cap` when given.
    pub async fn count_rows(&self, sql: &str, binds: &[String], cap: Option<i64>) -> Result<Total, StoreError> {
        let count_sql = match cap {
            Some(c) => format!("SELECT count(*) FROM (SELECT 1 FROM ({sql}) LIMIT {})", c.max(0) + 1),
            None => format!("SELECT count(*) FROM ({sql})"),
        };
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in binds {
            count = count.bind(b);
        }
        let n = count.fetch_one(self.pool()).await.map_err(|e| q(self, e))?;
        Ok(match cap {
            Some(c) if n > c => Total { count: c, exact: false },
            _ => Total::exact(n),
        })
    }
}

/// The shop's settings, catalog pages and first screens. `Store` is the one
/// storage type the app uses; team mode will put a server database behind
/// these same methods.
impl Store {
    pub async fn shop(&self) -> Result<Option<ShopRow>, StoreError> {
        sqlx::query_as("SELECT id, name, base_currency, is_demo FROM shop ORDER BY created_at LIMIT 1")
            .fetch_optional(self.pool())
            .await
            .map_err(|e| q(self, e))
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
            .bind(key)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| q(self, e))?;
        Ok(row)
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value)
        .bind(now_utc())
        .execute(self.pool())
        .await
        .map_err(|e| q(self, e))?;
        Ok(())
    }

    pub async fn catalog_counts(&self) -> Result<CatalogCounts, StoreError> {
        sqlx::query_as(
            "SELECT (SELECT count(*) FROM products) AS products, (SELECT count(*) FROM variants) AS variants",
        )
        .fetch_one(self.pool())
        .await
        .map_err(|e| q(self, e))
    }

    /// A page of products, optionally only those matching `query` (see
    /// [`crate::search`]). With `count_cap`, matches are counted up to that
    /// many only (the total is then "at least").
    pub async fn products_page(
        &self,
        lang: &str,
        query: Option<&str>,
        offset: i64,
        limit: i64,
        count_cap: Option<i64>,
    ) -> Result<(Vec<ProductRow>, Total), StoreError> {
        let columns = product_columns();
        match query.and_then(crate::search::SearchQuery::parse) {
            None => {
                let sql = format!(
                    "SELECT {columns} FROM (SELECT id, brand, category, issue_count FROM products ORDER BY id LIMIT ?2 OFFSET ?3) p ORDER BY p.id"
                );
                let rows = sqlx::query_as(&sql)
                    .bind(lang)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(self.pool())
                    .await
                    .map_err(|e| q(self, e))?;
                Ok((rows, Total::exact(self.catalog_counts().await?.products)))
            }
            Some(sq) => {
                let (hits, binds) = sq.hits_sql();
                let total = self.count_rows(&hits, &binds, count_cap).await?;
                // Hits come in index order (rowid), so LIMIT stops early instead of
                // sorting every match. ?1 is the language; hit binds follow as ?2...
                let n = binds.len();
                let sql = number_placeholders(&format!(
                    "SELECT {columns} FROM ({hits} ORDER BY catalog_fts.rowid LIMIT ?{} OFFSET ?{}) h \
                     JOIN products p ON p.id = h.id ORDER BY h.seq",
                    n + 2,
                    n + 3
                ));
                let mut page = sqlx::query_as(&sql).bind(lang);
                for b in &binds {
                    page = page.bind(b);
                }
                let rows = page.bind(limit).bind(offset).fetch_all(self.pool()).await.map_err(|e| q(self, e))?;
                Ok((rows, total))
            }
        }
    }

    /// A page of the catalog narrowed by `filter` and sorted as it asks.
    pub async fn catalog_page(
        &self,
        lang: &str,
        filter: &CatalogFilter,
        offset: i64,
        limit: i64,
        count_cap: Option<i64>,
    ) -> Result<(Vec<ProductRow>, Total), StoreError> {
        if filter.is_plain() {
            return self.products_page(lang, filter.query.as_deref(), offset, limit, count_cap).await;
        }
        let (wh, binds) = filter.where_clause();
        let total = self.count_rows(&format!("SELECT p.id FROM products p WHERE {wh}"), &binds, count_cap).await?;
        let n = binds.len();
        let sql = number_placeholders(&format!(
            "SELECT {} FROM products p WHERE {wh} ORDER BY {} LIMIT ?{} OFFSET ?{}",
            product_columns(),
            filter.order_by(),
            n + 2,
            n + 3
        ));
        let mut page = sqlx::query_as(&sql).bind(lang);
        for b in &binds {
            page = page.bind(b);
        }
        let rows = page.bind(limit).bind(offset).fetch_all(self.pool()).await.map_err(|e| q(self, e))?;
        Ok((rows, total))
    }

    /// The exact number of products `filter` selects.
    pub async fn catalog_count(&self, filter: &CatalogFilter) -> Result<i64, StoreError> {
        if filter.is_plain() && filter.query.as_deref().and_then(crate::search::SearchQuery::parse).is_none() {
            return Ok(self.catalog_counts().await?.products);
        }
        let (wh, binds) = filter.where_clause();
        Ok(self.count_rows(&format!("SELECT p.id FROM products p WHERE {wh}"), &binds, None).await?.count)
    }

    /// Ids of every product `filter` selects (for "select all" in bulk edits).
    pub async fn catalog_ids(&self, filter: &CatalogFilter) -> Result<Vec<String>, StoreError> {
        let (wh, binds) = filter.where_clause();
        let sql = format!("SELECT p.id FROM products p WHERE {wh} ORDER BY p.id");
        let mut qry = sqlx::query_scalar::<_, String>(&sql);
        for b in &binds {
            qry = qry.bind(b);
        }
        qry.fetch_all(self.pool()).await.map_err(|e| q(self, e))
    }

    pub async fn listings_count(&self) -> Result<i64, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM listings").fetch_one(self.pool()).await.map_err(|e| q(self, e))?;
        Ok(n)
    }

    pub async fn listings_page(&self, lang: &str, offset: i64, limit: i64) -> Result<Vec<ListingRow>, StoreError> {
        let sql = format!(
            "SELECT l.id, v.sku, {TITLE_FOR_LANG} AS title, c.name AS channel_name, c.kind AS channel_kind, c.market, \
                    l.price_minor, l.price_currency, l.status, l.revision \
             FROM (SELECT * FROM listings ORDER BY variant_id, channel_id LIMIT ?2 OFFSET ?3) l \
             JOIN variants v ON v.id = l.variant_id \
             JOIN products p ON p.id = v.product_id \
             JOIN channels c ON c.id = l.channel_id \
             ORDER BY l.variant_id, l.channel_id"
        );
        sqlx::query_as(&sql).bind(lang).bind(limit).bind(offset).fetch_all(self.pool()).await.map_err(|e| q(self, e))
    }

    pub async fn orders_count(&self) -> Result<i64, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM orders").fetch_one(self.pool()).await.map_err(|e| q(self, e))?;
        Ok(n)
    }

    pub async fn orders_page(&self, offset: i64, limit: i64) -> Result<Vec<OrderRow>, StoreError> {
        sqlx::query_as(
            "SELECT o.id, o.external_id, CASE WHEN o.order_number != '' THEN o.order_number ELSE o.external_id END AS order_number, c.name AS channel_name, c.kind AS channel_kind, o.status, o.buyer_name, \
                    o.ship_country, o.total_minor, o.currency, o.ordered_at, \
                    (SELECT COALESCE(sum(quantity), 0) FROM order_lines ol WHERE ol.order_id = o.id) AS items \
             FROM orders o JOIN channels c ON c.id = o.channel_id \
             ORDER BY o.ordered_at DESC, o.id LIMIT ? OFFSET ?",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await
        .map_err(|e| q(self, e))
    }

    /// Lines of orders waiting to ship, titled in `lang` from the catalog
    /// (falling back to the title the channel sold it under).
    pub async fn pick_list(&self, lang: &str) -> Result<Vec<PickRow>, StoreError> {
        sqlx::query_as(
            "SELECT g.sku, \
                    COALESCE((SELECT title FROM product_texts t JOIN variants v ON v.product_id = t.product_id \
                              WHERE v.id = g.variant_id AND t.lang = ?1), \
                             (SELECT title FROM product_texts t JOIN variants v ON v.product_id = t.product_id \
                              WHERE v.id = g.variant_id AND t.lang = 'en-US'), \
                             g.title) AS title, \
                    g.quantity, g.orders \
             FROM (SELECT ol.sku, min(ol.variant_id) AS variant_id, min(ol.title) AS title, \
                          sum(ol.quantity) AS quantity, count(DISTINCT ol.order_id) AS orders \
                   FROM order_lines ol JOIN orders o ON o.id = ol.order_id \
                   WHERE o.status = 'unshipped' GROUP BY ol.sku) g \
             ORDER BY g.sku",
        )
        .bind(lang)
        .fetch_all(self.pool())
        .await
        .map_err(|e| q(self, e))
    }

    pub async fn orders_to_ship(&self) -> Result<i64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM orders WHERE status = 'unshipped'")
            .fetch_one(self.pool())
            .await
            .map_err(|e| q(self, e))?;
        Ok(n)
    }

    pub async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        outbox::counts(self.pool()).await.map_err(|e| q(self, e))
    }

    /// Changes a listing's price if nobody changed the listing since
    /// `expected_revision`, and, for a live listing, enqueues the channel
    /// update in the same transaction. Returns the new revision.
    pub async fn set_listing_price(
        &self,
        listing_id: &str,
        price_minor: i64,
        expected_revision: i64,
    ) -> Result<i64, StoreError> {
        if price_minor < 0 {
            return Err(StoreError::Invalid { field: "price".into(), detail: "must not be negative".into() });
        }
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        #[derive(FromRow)]
        struct PriceOf {
            revision: i64,
            channel_id: String,
            status: String,
            price_currency: String,
        }
        let row: Option<PriceOf> =
            sqlx::query_as("SELECT revision, channel_id, status, price_currency FROM listings WHERE id = ?")
                .bind(listing_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(PriceOf { revision, channel_id, status, price_currency: currency }) = row else {
            return Err(StoreError::NotFound { what: format!("listing {listing_id}") });
        };
        if revision != expected_revision {
            return Err(StoreError::Rejected(
                mercator_core::ErrorPayload::new(mercator_core::ErrorCode::RevisionConflict).arg("what", listing_id),
            ));
        }

        let new_rev = revision + 1;
        sqlx::query("UPDATE listings SET price_minor = ?, revision = ?, updated_at = ? WHERE id = ?")
            .bind(price_minor)
            .bind(new_rev)
            .bind(now_utc())
            .bind(listing_id)
            .execute(&mut *tx)
            .await?;
        if status == "live" {
            let payload = serde_json::json!({ "price_minor": price_minor, "currency": currency, "revision": new_rev });
            outbox::enqueue(
                &mut tx,
                &channel_id,
                "listing.price",
                listing_id,
                &payload,
                &format!("listing.price:{listing_id}:{new_rev}"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(new_rev)
    }
}
