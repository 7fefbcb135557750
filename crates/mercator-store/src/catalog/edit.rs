//! One product's editor: its detail, new products, one edit at a time
//! (guarded by the revision, with its history row and outbox entry) and undo.

use super::*;

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
    pub(super) async fn undo_leniently(&self, op_id: &str) -> Result<String, StoreError> {
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
