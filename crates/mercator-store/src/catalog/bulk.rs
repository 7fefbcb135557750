//! Bulk edits over a selection: one op id, short transactions, one undo.

use super::*;

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
                    let title: Option<String> =
                        sqlx::query_scalar("SELECT title FROM product_texts WHERE product_id = ? AND lang = ?")
                            .bind(pid)
                            .bind(lang)
                            .fetch_optional(&mut *tx)
                            .await?;
                    match title {
                        Some(t) if t.contains(find.as_str()) => {
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
                    let ids: Vec<String> = sqlx::query_scalar(
                        "SELECT l.id FROM listings l JOIN variants v ON v.id = l.variant_id \
                         WHERE v.product_id = ? AND (? IS NULL OR l.channel_id = ?)",
                    )
                    .bind(pid)
                    .bind(channel_id)
                    .bind(channel_id)
                    .fetch_all(&mut *tx)
                    .await?;
                    ids.into_iter().map(|listing_id| Edit::ListingStatus { listing_id, value: value.clone() }).collect()
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
}
