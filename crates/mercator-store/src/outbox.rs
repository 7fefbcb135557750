//! Changes waiting to be sent to a channel.
//!
//! An edit and its outbox entry are written in one transaction, so either both
//! exist or neither. A sender claims due entries with a lease; a crash while
//! sending leaves the entry `in_flight` until the lease expires, after which it
//! is claimed again. Delivery (in `mercator-api`) renews the lease right
//! before each send and bounds every send below the lease, so a claim can
//! only be taken over from a sender that is gone. Where a channel accepts an
//! idempotency key (Shopify's `inventorySetQuantities` reference) the entry's
//! key travels with the request; elsewhere a repeat is harmless because the
//! value is absolute (stock, price, text), or is preceded by a look at the
//! channel (tracking: check-before-write).

use crate::{fmt_ts, now_utc};
use mercator_core::new_id;
use sqlx::{FromRow, SqliteConnection, SqlitePool};
use time::{Duration, OffsetDateTime};

/// Every kind of entry (each is a message `outbox-kind-<kind with - for .>`
/// in every locale; a test of this crate finds every kind the code enqueues).
pub const KINDS: &[&str] = &[
    "listing.price",
    "listing.update",
    "listing.stock",
    "order.tracking",
    "message.reply",
    "message.amazon",
    "message.chat",
    "chat.read",
];

/// Kinds sent by mail, not through the channel's connector (claimed by
/// [`claim_due_mail`], skipped by [`claim_due_for`]).
pub const MAIL_KINDS: &[&str] = &["message.reply"];

/// Attempts after which an entry is parked as `dead` for the user to look at.
pub const MAX_ATTEMPTS: i64 = 8;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: String,
    pub channel_id: String,
    pub kind: String,
    pub aggregate_id: String,
    pub payload: String,
    pub idempotency_key: String,
    pub status: String,
    pub attempts: i64,
    /// The lease this claim holds; acknowledgements must present it.
    pub lease_until: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxCounts {
    pub pending: i64,
    pub in_flight: i64,
    pub dead: i64,
}

/// Adds an entry inside the caller's transaction. Enqueuing the same
/// `idempotency_key` twice keeps the first entry. Returns whether it was new.
pub async fn enqueue(
    conn: &mut SqliteConnection,
    channel_id: &str,
    kind: &str,
    aggregate_id: &str,
    payload: &serde_json::Value,
    idempotency_key: &str,
) -> Result<bool, sqlx::Error> {
    let now = now_utc();
    let r = sqlx::query(
        "INSERT INTO outbox (id, channel_id, kind, aggregate_id, payload, idempotency_key, next_attempt_at, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(idempotency_key) DO NOTHING",
    )
    .bind(new_id())
    .bind(channel_id)
    .bind(kind)
    .bind(aggregate_id)
    .bind(payload.to_string())
    .bind(idempotency_key)
    .bind(&now)
    .bind(&now)
    .bind(&now)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Claims up to `limit` due entries (pending and due, or in flight with an
/// expired lease) for `lease`. Oldest first. An entry whose sender keeps
/// dying (lease expired after [`MAX_ATTEMPTS`] claims) is parked as `dead`.
pub async fn claim_due(
    pool: &SqlitePool,
    now: OffsetDateTime,
    lease: Duration,
    limit: i64,
) -> Result<Vec<OutboxEntry>, sqlx::Error> {
    let now_s = fmt_ts(now);
    let lease_s = fmt_ts(now + lease);
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query(
        "UPDATE outbox SET status = 'dead', lease_until = NULL, last_error = 'sender stopped while sending', updated_at = ?1 \
         WHERE status = 'in_flight' AND lease_until <= ?1 AND attempts >= ?2",
    )
    .bind(&now_s)
    .bind(MAX_ATTEMPTS)
    .execute(&mut *tx)
    .await?;
    let entries: Vec<OutboxEntry> = sqlx::query_as(
        "SELECT id, channel_id, kind, aggregate_id, payload, idempotency_key, status, attempts, lease_until FROM outbox \
         WHERE (status = 'pending' AND next_attempt_at <= ?1) OR (status = 'in_flight' AND lease_until <= ?1) \
         ORDER BY created_at, id LIMIT ?2",
    )
    .bind(&now_s)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    for e in &entries {
        sqlx::query("UPDATE outbox SET status = 'in_flight', attempts = attempts + 1, lease_until = ?, updated_at = ? WHERE id = ?")
            .bind(&lease_s)
            .bind(&now_s)
            .bind(&e.id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(entries
        .into_iter()
        .map(|mut e| {
            e.status = "in_flight".into();
            e.attempts += 1;
            e.lease_until = Some(lease_s.clone());
            e
        })
        .collect())
}

/// The channel accepted the change. Returns false if this claim's lease was
/// lost (another sender re-claimed the entry), in which case nothing changes.
pub async fn mark_sent(pool: &SqlitePool, entry: &OutboxEntry) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE outbox SET status = 'sent', lease_until = NULL, last_error = NULL, updated_at = ? \
         WHERE id = ? AND status = 'in_flight' AND lease_until = ?",
    )
    .bind(now_utc())
    .bind(&entry.id)
    .bind(&entry.lease_until)
    .execute(pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// At open, with the profile locked by this process: entries left in
/// flight by a process that stopped are pending again (or parked when
/// their sender kept dying).
pub async fn release_orphans(pool: &SqlitePool) -> Result<u64, sqlx::Error> {
    let now = now_utc();
    sqlx::query(
        "UPDATE outbox SET status = 'dead', lease_until = NULL, last_error = 'sender stopped while sending', updated_at = ?1 \
         WHERE status = 'in_flight' AND attempts >= ?2",
    )
    .bind(&now)
    .bind(MAX_ATTEMPTS)
    .execute(pool)
    .await?;
    let r = sqlx::query(
        "UPDATE outbox SET status = 'pending', lease_until = NULL, next_attempt_at = ?1, updated_at = ?1 WHERE status = 'in_flight'",
    )
    .bind(&now)
    .execute(pool)
    .await?;
    Ok(r.rows_affected())
}

/// The channels answer again: entries that were set back to wait (found a
/// channel unreachable, or left unclaimed when a round stopped) are due at
/// `now` instead of their short wait. Failed entries keep their back-off.
pub async fn due_again(pool: &SqlitePool, now: OffsetDateTime) -> Result<u64, sqlx::Error> {
    let now = crate::fmt_ts(now);
    let r = sqlx::query(
        "UPDATE outbox SET next_attempt_at = ?1 WHERE status = 'pending' AND attempts = 0 AND next_attempt_at > ?1",
    )
    .bind(&now)
    .execute(pool)
    .await?;
    Ok(r.rows_affected())
}

/// Extends this claim's lease to `until`, just before the entry is sent:
/// true if the claim is still ours (nobody re-claimed it after a lease ran
/// out). A sender sends only after this says yes, and a send never lasts
/// longer than the lease it got here.
pub async fn renew(pool: &SqlitePool, entry: &mut OutboxEntry, until: OffsetDateTime) -> Result<bool, sqlx::Error> {
    let lease = fmt_ts(until);
    let r = sqlx::query(
        "UPDATE outbox SET lease_until = ?, updated_at = ? WHERE id = ? AND status = 'in_flight' AND lease_until = ?",
    )
    .bind(&lease)
    .bind(now_utc())
    .bind(&entry.id)
    .bind(&entry.lease_until)
    .execute(pool)
    .await?;
    if r.rows_affected() == 1 {
        entry.lease_until = Some(lease);
        Ok(true)
    } else {
        Ok(false)
    }
}

/// Not sent because the channel could not be reached at all (offline): back
/// to pending for `next_at`, the attempt not counted, so being offline for
/// days never parks a change. Returns false if the lease was lost.
pub async fn release(
    pool: &SqlitePool,
    entry: &OutboxEntry,
    error: &str,
    next_at: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE outbox SET status = 'pending', attempts = max(attempts - 1, 0), lease_until = NULL, last_error = COALESCE(NULLIF(?, ''), last_error), \
         next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'in_flight' AND lease_until = ?",
    )
    .bind(error)
    .bind(fmt_ts(next_at))
    .bind(now_utc())
    .bind(&entry.id)
    .bind(&entry.lease_until)
    .execute(pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Sending failed: retry later with exponential back-off, or park as `dead`
/// after [`MAX_ATTEMPTS`]. The error text must not contain secrets. Returns
/// false if the lease was lost.
pub async fn mark_failed(
    pool: &SqlitePool,
    entry: &OutboxEntry,
    error: &str,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let status = if entry.attempts >= MAX_ATTEMPTS { "dead" } else { "pending" };
    let backoff = Duration::seconds(30 * (1i64 << entry.attempts.clamp(0, 10)));
    let r = sqlx::query(
        "UPDATE outbox SET status = ?, lease_until = NULL, last_error = ?, next_attempt_at = ?, updated_at = ? \
         WHERE id = ? AND status = 'in_flight' AND lease_until = ?",
    )
    .bind(status)
    .bind(error)
    .bind(fmt_ts(now + backoff))
    .bind(now_utc())
    .bind(&entry.id)
    .bind(&entry.lease_until)
    .execute(pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn counts(pool: &SqlitePool) -> Result<OutboxCounts, sqlx::Error> {
    sqlx::query_as(
        "SELECT COALESCE(sum(status = 'pending'), 0) AS pending, COALESCE(sum(status = 'in_flight'), 0) AS in_flight, \
         COALESCE(sum(status = 'dead'), 0) AS dead FROM outbox",
    )
    .fetch_one(pool)
    .await
}

/// Like [`claim_due`], for the entries of `channel_ids` only (the accounts
/// that are connected). Entries of one record go out in order: an entry is
/// not claimed while an older one of the same record and kind is waiting.
pub async fn claim_due_for(
    pool: &SqlitePool,
    now: OffsetDateTime,
    lease: Duration,
    limit: i64,
    channel_ids: &[String],
) -> Result<Vec<OutboxEntry>, sqlx::Error> {
    let now_s = fmt_ts(now);
    let lease_s = fmt_ts(now + lease);
    let ids = serde_json::to_string(channel_ids).unwrap_or_default();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let entries: Vec<OutboxEntry> = sqlx::query_as(
        "SELECT id, channel_id, kind, aggregate_id, payload, idempotency_key, status, attempts, lease_until FROM outbox o \
         WHERE ((status = 'pending' AND next_attempt_at <= ?1) OR (status = 'in_flight' AND lease_until <= ?1)) \
           AND attempts < ?3 AND channel_id IN (SELECT value FROM json_each(?2)) \
           AND kind NOT IN (SELECT value FROM json_each(?5)) \
           AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.aggregate_id = o.aggregate_id AND e.kind = o.kind \
                           AND e.status IN ('pending', 'in_flight') AND (e.created_at < o.created_at \
                           OR (e.created_at = o.created_at AND e.id < o.id))) \
         ORDER BY created_at, id LIMIT ?4",
    )
    .bind(&now_s)
    .bind(&ids)
    .bind(MAX_ATTEMPTS)
    .bind(limit)
    .bind(serde_json::to_string(MAIL_KINDS).unwrap_or_default())
    .fetch_all(&mut *tx)
    .await?;
    let taken = take(&mut tx, entries, &now_s, &lease_s).await?;
    tx.commit().await?;
    Ok(taken)
}

/// Marks claimed entries in flight under the lease (the caller commits).
async fn take(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    entries: Vec<OutboxEntry>,
    now_s: &str,
    lease_s: &str,
) -> Result<Vec<OutboxEntry>, sqlx::Error> {
    for e in &entries {
        sqlx::query("UPDATE outbox SET status = 'in_flight', attempts = attempts + 1, lease_until = ?, updated_at = ? WHERE id = ?")
            .bind(lease_s)
            .bind(now_s)
            .bind(&e.id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(entries
        .into_iter()
        .map(|mut e| {
            e.status = "in_flight".into();
            e.attempts += 1;
            e.lease_until = Some(lease_s.to_string());
            e
        })
        .collect())
}

/// Like [`claim_due_for`], for the entries sent by mail ([`MAIL_KINDS`]) of
/// any account, oldest first.
pub async fn claim_due_mail(
    pool: &SqlitePool,
    now: OffsetDateTime,
    lease: Duration,
    limit: i64,
) -> Result<Vec<OutboxEntry>, sqlx::Error> {
    let now_s = fmt_ts(now);
    let lease_s = fmt_ts(now + lease);
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let entries: Vec<OutboxEntry> = sqlx::query_as(
        "SELECT id, channel_id, kind, aggregate_id, payload, idempotency_key, status, attempts, lease_until FROM outbox \
         WHERE ((status = 'pending' AND next_attempt_at <= ?1) OR (status = 'in_flight' AND lease_until <= ?1)) \
           AND attempts < ?2 AND kind IN (SELECT value FROM json_each(?3)) \
         ORDER BY created_at, id LIMIT ?4",
    )
    .bind(&now_s)
    .bind(MAX_ATTEMPTS)
    .bind(serde_json::to_string(MAIL_KINDS).unwrap_or_default())
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    let taken = take(&mut tx, entries, &now_s, &lease_s).await?;
    tx.commit().await?;
    Ok(taken)
}

/// The error type of this module's functions.
pub type Error = sqlx::Error;

/// Parks a claimed entry at once (`dead`): no retry can help without the
/// user (a message refused for good, settings to fix). False if the claim was lost.
pub async fn park(pool: &SqlitePool, entry: &OutboxEntry, error: &str) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE outbox SET status = 'dead', lease_until = NULL, last_error = ?, updated_at = ? \
         WHERE id = ? AND status = 'in_flight' AND lease_until = ?",
    )
    .bind(error)
    .bind(now_utc())
    .bind(&entry.id)
    .bind(&entry.lease_until)
    .execute(pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// An entry that failed at least once, for the user to look at.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Problem {
    pub id: String,
    pub channel_id: String,
    pub kind: String,
    pub aggregate_id: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: String,
    pub updated_at: String,
}

/// Entries that failed (still retrying, or dead), newest first.
pub async fn problems(pool: &SqlitePool, limit: i64) -> Result<Vec<Problem>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, channel_id, kind, aggregate_id, status, attempts, last_error, next_attempt_at, updated_at FROM outbox \
         WHERE last_error IS NOT NULL AND status IN ('pending', 'dead') ORDER BY updated_at DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The user asks to send an entry again now (a dead one gets a fresh set of attempts).
pub async fn retry(pool: &SqlitePool, id: &str) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?1, lease_until = NULL, updated_at = ?1 \
         WHERE id = ?2 AND status IN ('pending', 'dead')",
    )
    .bind(now_utc())
    .bind(id)
    .execute(pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Fields whose `listing.update` sends the listing's whole text.
pub const CONTENT_FIELDS: &[&str] = &["title", "bullets", "description", "keywords", "overrides"];

/// After the listing's whole current text went out (read at `read_at`):
/// the other waiting content updates of that listing queued before then are
/// covered by it and marked sent. Those queued in the same second or later
/// stay (they may hold an edit the send did not see).
pub async fn supersede_content(
    pool: &SqlitePool,
    listing_id: &str,
    read_at: &str,
    except_id: &str,
) -> Result<u64, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE outbox SET status = 'sent', lease_until = NULL, last_error = NULL, updated_at = ? \
         WHERE kind = 'listing.update' AND aggregate_id = ? AND status = 'pending' AND created_at < ? AND id != ? \
           AND json_extract(payload, '$.field') IN ('title', 'bullets', 'description', 'keywords', 'overrides')",
    )
    .bind(now_utc())
    .bind(listing_id)
    .bind(read_at)
    .bind(except_id)
    .execute(pool)
    .await?;
    Ok(r.rows_affected())
}

#[cfg(test)]
mod tests {
    /// Every outbox kind written anywhere in this crate is in [`super::KINDS`].
    #[test]
    fn every_kind_enqueued_is_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            for prefix in ["\"listing.", "\"order."] {
                for (i, _) in text.match_indices(prefix) {
                    let lit: String =
                        text[i + 1..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '.').collect();
                    if lit.matches('.').count() == 1 && !lit.ends_with('.') {
                        assert!(super::KINDS.contains(&lit.as_str()), "{lit} in {}", e.path().display());
                    }
                }
            }
        }
    }
}
