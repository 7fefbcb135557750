//! Channel accounts: add, configure, remove, list (settings only; secrets live in the keyring).

use crate::catalog::*;
use crate::{now_utc, Store, StoreError};
use mercator_core::catalog::{validate_country, validate_language};
use mercator_core::Currency;
use mercator_core::{new_id, ErrorCode, ErrorPayload};
use serde_json::Value;

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
        #[derive(sqlx::FromRow)]
        struct Settings {
            kind: String,
            config: String,
        }
        let row: Option<Settings> = sqlx::query_as("SELECT kind, config FROM channels WHERE id = ?")
            .bind(channel_id)
            .fetch_optional(self.pool())
            .await?;
        let Settings { kind, config } = row.ok_or_else(|| not_found("channel", channel_id))?;
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
        let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders WHERE channel_id = ?")
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

    /// The accounts the background work talks to: connected (settings that
    /// are a non-empty object) and not paused. One query, for the loops that
    /// ask after every run.
    pub async fn active_channels(&self) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT c.id FROM channels c LEFT JOIN sync_state s ON s.channel_id = c.id \
             WHERE json_valid(c.config) AND json_type(c.config) = 'object' \
               AND EXISTS (SELECT 1 FROM json_each(c.config)) AND COALESCE(s.paused, 0) = 0 ORDER BY c.name",
        )
        .fetch_all(self.pool())
        .await?)
    }
}
