//! A listing's channel copy against our last synced content, settled per field.

use super::*;

impl Store {
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
        #[derive(FromRow)]
        struct Copies {
            product_id: String,
            synced_base: Option<String>,
            remote_copy: Option<String>,
            channel_id: String,
        }
        let row: Option<Copies> = sqlx::query_as(
            "SELECT v.product_id, l.synced_base, l.remote_copy, l.channel_id FROM listings l \
             JOIN variants v ON v.id = l.variant_id WHERE l.id = ?",
        )
        .bind(listing_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Copies { product_id, synced_base: base, remote_copy: remote, channel_id } =
            row.ok_or_else(|| not_found("listing", listing_id))?;
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
        let base: Option<Option<String>> = sqlx::query_scalar("SELECT synced_base FROM listings WHERE id = ?")
            .bind(listing_id)
            .fetch_optional(&mut *tx)
            .await?;
        let base = base.ok_or_else(|| not_found("listing", listing_id))?;
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

/// A listing's content field as buyers see it: its override, else the
/// product's text in the market's language.
pub(super) async fn effective_field(
    conn: &mut SqliteConnection,
    listing_id: &str,
    field: &str,
) -> Result<Value, StoreError> {
    let ListingPlace { overrides, market, product_id, .. } =
        sqlx::query_as(LISTING_PLACE).bind(listing_id).fetch_one(&mut *conn).await?;
    let ov: Value = serde_json::from_str(&overrides).unwrap_or(Value::Null);
    if let Some(v) = ov.get(field) {
        return Ok(v.clone());
    }
    let texts: Vec<TextRow> = sqlx::query_as(PRODUCT_TEXTS).bind(&product_id).fetch_all(&mut *conn).await?;
    let Some(t) = texts.iter().find(|t| mercator_core::rules::serves_market(&t.lang, &market)) else {
        return Ok(Value::Null);
    };
    Ok(match field {
        "title" => json!(t.title),
        "description" => json!(t.description),
        "bullets" => serde_json::from_str(&t.bullets).unwrap_or(json!([])),
        _ => json!(t.keywords),
    })
}
