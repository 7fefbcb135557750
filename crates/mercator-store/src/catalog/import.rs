//! The spreadsheet import: new rows grouped into products with variants,
//! known SKUs updated through the edit path, in chunks, cancellable.

use super::*;

impl Store {
    /// Every SKU in the catalog (for import validation).
    pub async fn all_skus(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let rows: Vec<String> = sqlx::query_scalar("SELECT sku FROM variants").fetch_all(self.pool()).await?;
        Ok(rows.into_iter().collect())
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
    let texts: Vec<TextRow> = sqlx::query_as(
        "SELECT lang, title, description, bullets, keywords, revision FROM product_texts WHERE product_id = ?",
    )
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
    let text = |lang: &str| texts.iter().find(|t| t.lang == lang);
    for (lang, title) in &r.titles {
        if text(lang).is_none_or(|t| &t.title != title) {
            writes.push(FieldWrite::text(&product_id, lang, "title", json!(title))?);
        }
    }
    for (lang, d) in &r.descriptions {
        if text(lang).is_none_or(|t| &t.description != d) {
            writes.push(FieldWrite::text(&product_id, lang, "description", json!(d))?);
        }
    }
    for (lang, b) in &r.bullets {
        if text(lang).is_none_or(|t| serde_json::from_str::<Vec<String>>(&t.bullets).ok().as_ref() != Some(b)) {
            writes.push(FieldWrite::text(&product_id, lang, "bullets", json!(b))?);
        }
    }
    for (lang, k) in &r.keywords {
        if text(lang).is_none_or(|t| &t.keywords != k) {
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
            #[derive(FromRow)]
            struct Known {
                sku: String,
                product_id: String,
            }
            sqlx::query_as::<_, Known>(
                "SELECT sku, product_id FROM variants WHERE sku IN (SELECT value FROM json_each(?))",
            )
            .bind(json_rows(&parents))
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|k| (k.sku, k.product_id))
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
                            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM variants WHERE sku = ?")
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
