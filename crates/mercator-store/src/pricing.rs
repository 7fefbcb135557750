//! Pricing data: exchange rates per date, each channel account's pricing
//! settings per effective date, the shop-wide pricing settings, the inputs
//! the engine needs of every variant, and the proposals of a reprice run
//! (reviewed, then applied to listings with their channel updates queued).

use crate::{now_utc, outbox, Store, StoreError};
use mercator_core::{new_id, Currency, ErrorCode, ErrorPayload, Money};
use mercator_pricing::{EcbDay, FxTable, Globals, Item, Market, RateInfo};
use rust_decimal::Decimal;
use serde_json::json;
use sqlx::{FromRow, SqliteConnection};
use std::str::FromStr;
use time::Date;

pub const KEY_GLOBALS: &str = "pricing.globals";

fn date_of(s: &str) -> Option<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// Today's date (UTC) as the engine and the policy versions use it.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// The latest rate of one currency.
#[derive(Debug, Clone, FromRow)]
pub struct FxRow {
    pub currency: String,
    pub as_of: String,
    pub per_eur: String,
    pub source: String,
    pub fetched_at: String,
}

/// One version of a channel account's pricing settings.
#[derive(Debug, Clone)]
pub struct PolicyRow {
    pub channel_id: String,
    pub effective_from: String,
    pub market: Market,
    pub revision: i64,
}

/// A proposal of a reprice run, as the matrix and the review show it.
#[derive(Debug, Clone, FromRow)]
pub struct ProposalRow {
    pub variant_id: String,
    pub channel_id: String,
    #[sqlx(try_from = "String")]
    pub currency: mercator_core::Currency,
    pub price_minor: Option<i64>,
    pub profit_minor: Option<i64>,
    pub margin_bp: Option<i64>,
    pub problem: Option<String>,
    /// The listing's current price, when the variant is listed on the channel.
    pub listing_id: Option<String>,
    pub current_minor: Option<i64>,
}

impl ProposalRow {
    /// The proposed price (None: cannot be priced).
    pub fn price(&self) -> Option<mercator_core::Money> {
        self.price_minor.map(|m| mercator_core::Money::from_minor(m, self.currency))
    }
    /// Profit at the proposed price.
    pub fn profit(&self) -> Option<mercator_core::Money> {
        self.profit_minor.map(|m| mercator_core::Money::from_minor(m, self.currency))
    }
    /// The listing's current price.
    pub fn current(&self) -> Option<mercator_core::Money> {
        self.current_minor.map(|m| mercator_core::Money::from_minor(m, self.currency))
    }
}

/// What a reprice run computed for one variant on one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub variant_id: String,
    pub channel_id: String,
    pub currency: Currency,
    pub result: Result<(i64, i64, i64), ErrorPayload>, // (price, profit, margin bp)
    /// The margin at the listing's current price, when the variant is listed there.
    pub current_margin_bp: Option<i64>,
}

fn invalid(p: ErrorPayload) -> StoreError {
    StoreError::Rejected(p)
}

impl Store {
    /// The latest rate of every currency.
    pub async fn fx_rates(&self) -> Result<Vec<FxRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT currency, as_of, per_eur, source, fetched_at FROM fx_rates r \
             WHERE as_of = (SELECT max(as_of) FROM fx_rates x WHERE x.currency = r.currency) ORDER BY currency",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// The rates the engine uses: the latest of each currency.
    pub async fn fx_table(&self) -> Result<FxTable, StoreError> {
        let mut t = FxTable::new();
        for r in self.fx_rates().await? {
            let (Ok(c), Ok(rate), Some(as_of)) =
                (Currency::from_str(&r.currency), Decimal::from_str(&r.per_eur), date_of(&r.as_of))
            else {
                continue;
            };
            t.set(c, RateInfo { per_eur: rate, as_of, source: r.source });
        }
        Ok(t)
    }

    /// A rate entered by hand: units of `currency` per EUR on `as_of`.
    pub async fn set_fx_rate(&self, currency: &str, per_eur: &str, as_of: &str) -> Result<(), StoreError> {
        let field =
            |f: &str| invalid(ErrorPayload::new(ErrorCode::PricingInputInvalid).arg("field", f).arg("detail", "range"));
        let c = Currency::from_str(currency).map_err(|_| field("currency"))?;
        if c == Currency::EUR {
            return Err(field("currency"));
        }
        let rate = Decimal::from_str(per_eur.trim().replace(',', ".").as_str()).map_err(|_| field("rate"))?;
        if rate <= Decimal::ZERO || rate > Decimal::from(1_000_000_000) {
            return Err(field("rate"));
        }
        let date = date_of(as_of.trim()).ok_or_else(|| field("date"))?;
        if date > today() {
            return Err(field("date"));
        }
        sqlx::query(
            "INSERT INTO fx_rates (currency, as_of, per_eur, source, fetched_at) VALUES (?, ?, ?, 'manual', ?) \
             ON CONFLICT(currency, as_of) DO UPDATE SET per_eur = excluded.per_eur, source = 'manual', fetched_at = excluded.fetched_at",
        )
        .bind(c.code())
        .bind(date.to_string())
        .bind(rate.normalize().to_string())
        .bind(now_utc())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Stores ECB reference rates (already parsed and validated as a whole),
    /// in one transaction. Returns the number of rates written.
    pub async fn import_ecb(&self, days: &[EcbDay]) -> Result<usize, StoreError> {
        let now = now_utc();
        let rows: Vec<(String, String, String)> = days
            .iter()
            .flat_map(|d| {
                d.rates.iter().map(move |(c, r)| (c.code().to_string(), d.date.to_string(), r.normalize().to_string()))
            })
            .collect();
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        for chunk in rows.chunks(2000) {
            sqlx::query(
                "INSERT INTO fx_rates (currency, as_of, per_eur, source, fetched_at) \
                 SELECT value->>0, value->>1, value->>2, 'ECB', ?2 FROM json_each(?1) WHERE true \
                 ON CONFLICT(currency, as_of) DO UPDATE SET per_eur = excluded.per_eur, source = 'ECB', fetched_at = excluded.fetched_at",
            )
            .bind(serde_json::to_string(chunk).unwrap_or_default())
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(rows.len())
    }

    pub async fn pricing_globals(&self) -> Result<Globals, StoreError> {
        Ok(self.setting(KEY_GLOBALS).await?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
    }

    pub async fn set_pricing_globals(&self, g: &Globals) -> Result<(), StoreError> {
        g.validate().map_err(invalid)?;
        self.set_setting(KEY_GLOBALS, &serde_json::to_string(g).unwrap_or_default()).await
    }

    /// The pricing settings of every channel account in force on `on`
    /// (the latest version that took effect by then), with the channel's
    /// own name, market and currency.
    pub async fn policies(&self, on: Date) -> Result<Vec<PolicyRow>, StoreError> {
        #[derive(FromRow)]
        struct Stored {
            channel_id: String,
            effective_from: String,
            body: String,
            revision: i64,
            name: String,
            market: String,
            currency: String,
        }
        let rows: Vec<Stored> = sqlx::query_as(
            "SELECT p.channel_id, p.effective_from, p.body, p.revision, c.name, c.market, c.currency \
             FROM pricing_policies p JOIN channels c ON c.id = p.channel_id \
             WHERE p.effective_from = (SELECT max(effective_from) FROM pricing_policies x \
                                       WHERE x.channel_id = p.channel_id AND x.effective_from <= ?) \
             ORDER BY c.name",
        )
        .bind(on.to_string())
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|Stored { channel_id, effective_from, body, revision, name, market, currency }| {
                let mut m: Market = serde_json::from_str(&body).ok()?;
                m.channel = name;
                m.country = market;
                m.currency = Currency::from_str(&currency).ok()?;
                Some(PolicyRow { channel_id, effective_from, market: m, revision })
            })
            .collect())
    }

    /// The versions of one channel's settings, newest first.
    pub async fn policy_versions(&self, channel_id: &str) -> Result<Vec<PolicyVersion>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT effective_from, updated_at FROM pricing_policies WHERE channel_id = ? ORDER BY effective_from DESC",
        )
        .bind(channel_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Saves a channel's settings as the version taking effect on
    /// `effective_from` (replacing that version if it exists, guarded by its
    /// revision: 0 for a new version). Validated first, with the field named.
    pub async fn save_policy(
        &self,
        channel_id: &str,
        effective_from: &str,
        market: &Market,
        expected_revision: i64,
    ) -> Result<i64, StoreError> {
        let date = date_of(effective_from).ok_or_else(|| {
            invalid(
                ErrorPayload::new(ErrorCode::PricingInputInvalid).arg("field", "effectiveFrom").arg("detail", "range"),
            )
        })?;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let channel: Option<crate::catalog::ChannelRow> =
            sqlx::query_as("SELECT id, kind, name, market, currency, language FROM channels WHERE id = ?")
                .bind(channel_id)
                .fetch_optional(&mut *tx)
                .await?;
        let crate::catalog::ChannelRow { name, market: country, currency, .. } =
            channel.ok_or_else(|| StoreError::NotFound { what: format!("channel {channel_id}") })?;
        let mut m = market.clone();
        m.channel = name;
        m.country = country;
        m.currency = Currency::from_str(&currency).unwrap_or(m.currency);
        m.validate().map_err(invalid)?;
        let current: Option<i64> =
            sqlx::query_scalar("SELECT revision FROM pricing_policies WHERE channel_id = ? AND effective_from = ?")
                .bind(channel_id)
                .bind(date.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let have = current.unwrap_or(0);
        if have != expected_revision {
            return Err(invalid(ErrorPayload::new(ErrorCode::RevisionConflict).arg("what", &m.channel)));
        }
        let body = serde_json::to_string(&m).unwrap_or_default();
        if have == 0 {
            sqlx::query(
                "INSERT INTO pricing_policies (id, channel_id, effective_from, body, updated_at) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(new_id())
            .bind(channel_id)
            .bind(date.to_string())
            .bind(&body)
            .bind(now_utc())
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "UPDATE pricing_policies SET body = ?, revision = revision + 1, updated_at = ? \
                 WHERE channel_id = ? AND effective_from = ?",
            )
            .bind(&body)
            .bind(now_utc())
            .bind(channel_id)
            .bind(date.to_string())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(have + 1)
    }

    /// The current price of every listing: ((variant, channel), price minor).
    pub async fn listing_prices(&self) -> Result<std::collections::HashMap<(String, String), i64>, StoreError> {
        let json: String = sqlx::query_scalar(
            "SELECT json_group_array(json_array(variant_id, channel_id, price_minor)) FROM listings",
        )
        .fetch_one(self.pool())
        .await?;
        let rows: Vec<(String, String, i64)> = serde_json::from_str(&json)
            .map_err(|e| StoreError::Invalid { field: "listings".into(), detail: e.to_string() })?;
        Ok(rows.into_iter().map(|(v, c, p)| ((v, c), p)).collect())
    }

    /// What the engine needs of every variant (or of `variant_ids`), read as
    /// one JSON array.
    pub async fn pricing_items(&self, variant_ids: Option<&[String]>) -> Result<Vec<(String, Item)>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Row {
            id: String,
            cost_minor: i64,
            cost_currency: String,
            weight_g: i64,
            length_mm: i64,
            width_mm: i64,
            height_mm: i64,
            hs_code: String,
            category: String,
        }
        let ids = variant_ids.map(|i| serde_json::to_string(i).unwrap_or_default());
        let json: String = sqlx::query_scalar(
            "SELECT json_group_array(json_object('id', v.id, 'cost_minor', v.cost_minor, 'cost_currency', v.cost_currency, \
                    'weight_g', v.weight_g, 'length_mm', v.length_mm, 'width_mm', v.width_mm, 'height_mm', v.height_mm, \
                    'hs_code', v.hs_code, 'category', p.category)) \
             FROM (SELECT * FROM variants WHERE ?1 IS NULL OR id IN (SELECT value FROM json_each(?1)) ORDER BY product_id, sku) v \
             JOIN products p ON p.id = v.product_id",
        )
        .bind(&ids)
        .fetch_one(self.pool())
        .await?;
        let rows: Vec<Row> = serde_json::from_str(&json)
            .map_err(|e| StoreError::Invalid { field: "variants".into(), detail: e.to_string() })?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let cur = Currency::from_str(&r.cost_currency).unwrap_or(Currency::CNY);
                (
                    r.id,
                    Item {
                        cost: Money::from_minor(r.cost_minor, cur),
                        weight_g: r.weight_g,
                        length_mm: r.length_mm,
                        width_mm: r.width_mm,
                        height_mm: r.height_mm,
                        hs_code: r.hs_code,
                        category: r.category,
                    },
                )
            })
            .collect())
    }

    /// Replaces the proposals with a new run's, in one transaction (chunks
    /// of rows as JSON arrays); the run's id and time go to settings.
    pub async fn save_proposals(&self, run_id: &str, proposals: &[Proposal]) -> Result<(), StoreError> {
        let now = now_utc();
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("DELETE FROM price_proposals").execute(&mut *tx).await?;
        type Row<'a> = (&'a str, &'a str, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<String>);
        for chunk in proposals.chunks(10_000) {
            let rows: Vec<Row> = chunk
                .iter()
                .map(|p| {
                    let (price, profit, margin, problem) = match &p.result {
                        Ok((a, b, c)) => (Some(*a), Some(*b), Some(*c), None),
                        Err(e) => (None, None, None, Some(serde_json::to_string(e).unwrap_or_default())),
                    };
                    (p.variant_id.as_str(), p.channel_id.as_str(), price, profit, margin, p.current_margin_bp, problem)
                })
                .collect();
            sqlx::query(
                "INSERT INTO price_proposals (variant_id, channel_id, price_minor, profit_minor, margin_bp, current_margin_bp, problem) \
                 SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6 FROM json_each(?1)",
            )
            .bind(serde_json::to_string(&rows).unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ('pricing.last_run', ?1, ?2) \
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(json!({ "run_id": run_id, "at": now, "count": proposals.len() }).to_string())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Proposals of the variants `variant_ids` on every channel, with the
    /// listing's current price where there is a listing.
    pub async fn proposals_for(&self, variant_ids: &[String]) -> Result<Vec<ProposalRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT p.variant_id, p.channel_id, c.currency, p.price_minor, p.profit_minor, p.margin_bp, p.problem, \
                    l.id AS listing_id, l.price_minor AS current_minor \
             FROM price_proposals p JOIN channels c ON c.id = p.channel_id \
             LEFT JOIN listings l ON l.variant_id = p.variant_id AND l.channel_id = p.channel_id \
             WHERE p.variant_id IN (SELECT value FROM json_each(?))",
        )
        .bind(serde_json::to_string(variant_ids).unwrap_or_default())
        .fetch_all(self.pool())
        .await?)
    }

    /// How many listings the last run would change, and how many variant x
    /// channel pairs could not be priced.
    pub async fn proposal_counts(&self) -> Result<ProposalCounts, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT (SELECT count(*) FROM {PROPOSED_LISTINGS} WHERE {CHANGES}) AS changes, \
               (SELECT count(*) FROM price_proposals WHERE price_minor IS NULL) AS cannot_price, \
               (SELECT count(*) FROM price_proposals) AS proposals",
        ))
        .fetch_one(self.pool())
        .await?)
    }

    /// How many listings (of `channel_id`, or all) the last run would change.
    pub async fn price_change_count(&self, channel_id: Option<&str>) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT count(*) FROM {PROPOSED_LISTINGS} WHERE {CHANGES} AND (?1 IS NULL OR l.channel_id = ?1)"
        ))
        .bind(channel_id)
        .fetch_one(self.pool())
        .await?)
    }

    /// The listings (of `channel_id`, or all) the last run would change:
    /// (listing, sku, channel, current, proposed, margin bp), largest
    /// relative change first.
    pub async fn price_changes(
        &self,
        channel_id: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<PriceChangeRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT l.id AS listing_id, v.sku, c.name AS channel_name, c.currency, l.price_minor AS current_minor, \
                    p.price_minor AS proposed_minor, p.margin_bp, p.current_margin_bp, l.status \
             FROM {PROPOSED_LISTINGS} JOIN variants v ON v.id = p.variant_id JOIN channels c ON c.id = p.channel_id \
             WHERE {CHANGES} AND (?1 IS NULL OR l.channel_id = ?1) \
             ORDER BY abs(p.price_minor - l.price_minor) * 1.0 / max(l.price_minor, 1) DESC, l.id LIMIT ?2 OFFSET ?3",
        ))
        .bind(channel_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?)
    }

    /// Applies the proposed prices of the last run to their listings (of
    /// `channel_id`, or all): one transaction, set-based; each change gets
    /// a history row (one op, so one undo) and live listings get a
    /// `listing.price` outbox entry. Returns (op id, listings changed).
    pub async fn apply_prices(&self, channel_id: Option<&str>) -> Result<(String, i64), StoreError> {
        let op = new_id();
        let now = now_utc();
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let changes = format!(
            "SELECT l.id AS listing_id, v.product_id, l.channel_id, l.price_minor AS old_minor, p.price_minor AS new_minor, l.status \
             FROM {PROPOSED_LISTINGS} JOIN variants v ON v.id = l.variant_id \
             WHERE {CHANGES} AND (?1 IS NULL OR l.channel_id = ?1)"
        );
        sqlx::query(&format!("CREATE TEMP TABLE IF NOT EXISTS price_apply AS {changes} LIMIT 0"))
            .bind(channel_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM temp.price_apply").execute(&mut *tx).await?;
        sqlx::query(&format!("INSERT INTO temp.price_apply {changes}")).bind(channel_id).execute(&mut *tx).await?;
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM temp.price_apply").fetch_one(&mut *tx).await?;
        if n == 0 {
            return Err(invalid(ErrorPayload::new(ErrorCode::BulkNothingToDo)));
        }
        sqlx::query(
            "UPDATE listings SET price_minor = a.new_minor, revision = revision + 1, updated_at = ?1 \
             FROM temp.price_apply a WHERE listings.id = a.listing_id",
        )
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        #[derive(FromRow)]
        struct Applied {
            listing_id: String,
            product_id: String,
            channel_id: String,
            old_minor: i64,
            new_minor: i64,
            status: String,
        }
        let applied: Vec<Applied> = sqlx::query_as(
            "SELECT listing_id, product_id, channel_id, old_minor, new_minor, status FROM temp.price_apply",
        )
        .fetch_all(&mut *tx)
        .await?;
        for chunk in applied.chunks(5000) {
            let rows: Vec<(String, &str, &str, i64, i64)> = chunk
                .iter()
                .map(|a| (new_id(), a.product_id.as_str(), a.listing_id.as_str(), a.old_minor, a.new_minor))
                .collect();
            sqlx::query(
                "INSERT INTO edit_history (id, op_id, product_id, entity, entity_id, lang, field, old_value, new_value, actor, at) \
                 SELECT value->>0, ?2, value->>1, 'listing', value->>2, NULL, 'price_minor', value->>3, value->>4, ?3, ?4 \
                 FROM json_each(?1)",
            )
            .bind(serde_json::to_string(&rows).unwrap_or_default())
            .bind(&op)
            .bind(crate::LOCAL_ACTOR)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        for Applied { listing_id, channel_id: channel, old_minor: old, new_minor: new, status, .. } in &applied {
            if status == "live" {
                outbox::enqueue(
                    &mut tx,
                    channel,
                    "listing.price",
                    listing_id,
                    &json!({ "price_minor": new, "previous_minor": old }),
                    &format!("listing.price:{listing_id}:{op}"),
                )
                .await?;
            }
        }
        sqlx::query("DELETE FROM temp.price_apply").execute(&mut *tx).await?;
        tx.commit().await?;
        Ok((op, n))
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct PriceChangeRow {
    pub listing_id: String,
    pub sku: String,
    pub channel_name: String,
    #[sqlx(try_from = "String")]
    pub currency: mercator_core::Currency,
    pub current_minor: i64,
    pub proposed_minor: i64,
    pub margin_bp: Option<i64>,
    pub current_margin_bp: Option<i64>,
    pub status: String,
}

impl PriceChangeRow {
    /// The listing's current price.
    pub fn current(&self) -> mercator_core::Money {
        mercator_core::Money::from_minor(self.current_minor, self.currency)
    }
    /// The proposed price.
    pub fn proposed(&self) -> mercator_core::Money {
        mercator_core::Money::from_minor(self.proposed_minor, self.currency)
    }
}

impl Store {
    /// Gives every channel without pricing settings the presets for its
    /// kind and market, taking effect today.
    pub async fn seed_pricing_presets(&self) -> Result<(), StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        seed_presets(&mut tx, today()).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Seeds pricing settings for channels that have none (presets for their
/// kind and market), taking effect on `from`.
pub(crate) async fn seed_presets(conn: &mut SqliteConnection, from: Date) -> Result<(), StoreError> {
    let channels: Vec<crate::catalog::ChannelRow> = sqlx::query_as(
        "SELECT id, kind, name, market, currency, language FROM channels c \
         WHERE NOT EXISTS (SELECT 1 FROM pricing_policies p WHERE p.channel_id = c.id)",
    )
    .fetch_all(&mut *conn)
    .await?;
    for crate::catalog::ChannelRow { id, kind, name, market, currency, .. } in channels {
        let m = mercator_pricing::presets::market(&kind, &name, &market, &currency);
        sqlx::query(
            "INSERT INTO pricing_policies (id, channel_id, effective_from, body, updated_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(new_id())
        .bind(&id)
        .bind(from.to_string())
        .bind(serde_json::to_string(&m).unwrap_or_default())
        .bind(now_utc())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The sample of ECB reference rates the demo shop starts with.
pub const SAMPLE_ECB: &str = include_str!("../../mercator-pricing/data/eurofxref-daily-sample.xml");

pub(crate) async fn seed_sample_rates(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    let days = mercator_pricing::parse_ecb(SAMPLE_ECB).map_err(invalid)?;
    let now = now_utc();
    for d in &days {
        for (c, r) in &d.rates {
            sqlx::query(
                "INSERT OR IGNORE INTO fx_rates (currency, as_of, per_eur, source, fetched_at) VALUES (?, ?, ?, 'ECB', ?)",
            )
            .bind(c.code())
            .bind(d.date.to_string())
            .bind(r.to_string())
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Which variants the pricing matrix shows and in what order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatrixFilter {
    /// SKU or title text (catalog search).
    pub query: Option<String>,
    /// Only variants that cannot be priced somewhere.
    pub problems_only: bool,
    /// Only variants whose margin is below this (basis points) somewhere.
    pub margin_below_bp: Option<i64>,
    /// Sort by the margin on this channel (else by SKU).
    pub sort_channel: Option<String>,
    pub desc: bool,
}

#[derive(Debug, Clone, FromRow)]
pub struct MatrixVariant {
    pub variant_id: String,
    pub sku: String,
    pub title: String,
}

impl Store {
    /// A page of the pricing matrix's rows (variants) and how many there are.
    pub async fn matrix_page(
        &self,
        lang: &str,
        f: &MatrixFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<MatrixVariant>, i64), StoreError> {
        let mut conds = vec!["1".to_string()];
        let mut binds: Vec<String> = vec![];
        if let Some(sq) = f.query.as_deref().and_then(crate::search::SearchQuery::parse) {
            let (hits, b) = sq.hits_sql();
            conds.push(format!("v.product_id IN (SELECT id FROM ({hits}))"));
            binds.extend(b);
        }
        if f.problems_only {
            conds.push(
                "EXISTS (SELECT 1 FROM price_proposals x WHERE x.variant_id = v.id AND x.price_minor IS NULL)".into(),
            );
        }
        if let Some(bp) = f.margin_below_bp {
            conds.push(format!(
                "EXISTS (SELECT 1 FROM price_proposals x WHERE x.variant_id = v.id AND x.margin_bp < {})",
                bp.clamp(-1_000_000, 1_000_000)
            ));
        }
        let (join, order) = match &f.sort_channel {
            Some(_) => (
                "LEFT JOIN price_proposals s ON s.variant_id = v.id AND s.channel_id = ?",
                format!("s.margin_bp IS NULL, s.margin_bp {}, v.sku", if f.desc { "DESC" } else { "ASC" }),
            ),
            None => ("", format!("v.sku {}", if f.desc { "DESC" } else { "ASC" })),
        };
        let wh = conds.join(" AND ");
        let count_sql = format!("SELECT count(*) FROM variants v WHERE {wh}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &binds {
            count = count.bind(b);
        }
        let total = count.fetch_one(self.pool()).await?;
        let sql = format!(
            "SELECT v.id AS variant_id, v.sku, {title} AS title FROM variants v JOIN products p ON p.id = v.product_id {join} \
             WHERE {wh} ORDER BY {order} LIMIT ? OFFSET ?",
            title = crate::repo::TITLE_FOR_LANG.replace("?1", "?")
        );
        // binds in SQL order: the title's language, the sort channel, the filter, limit, offset
        let mut q = sqlx::query_as::<_, MatrixVariant>(&sql).bind(lang);
        if let Some(ch) = &f.sort_channel {
            q = q.bind(ch);
        }
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.bind(limit).bind(offset).fetch_all(self.pool()).await?;
        Ok((rows, total))
    }
}

/// The last run's proposals beside the listings they are for (`p`, `l`).
const PROPOSED_LISTINGS: &str =
    "price_proposals p JOIN listings l ON l.variant_id = p.variant_id AND l.channel_id = p.channel_id";
/// A proposal that would change its listing's price: what the review shows,
/// counts and "apply" writes (one condition for all three).
const CHANGES: &str = "p.price_minor IS NOT NULL AND p.price_minor != l.price_minor";

/// What the last pricing run proposes, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct ProposalCounts {
    /// Listings whose price would change.
    pub changes: i64,
    /// Variant x channel pairs that could not be priced.
    pub cannot_price: i64,
    pub proposals: i64,
}

/// One version of a channel's pricing settings.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PolicyVersion {
    pub effective_from: String,
    pub updated_at: String,
}
