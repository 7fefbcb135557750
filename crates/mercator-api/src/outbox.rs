//! Delivering the outbox: changes made in Mercator (prices, stock,
//! tracking, listing texts and status) sent to the
//! channels in order per record, each claimed with a lease so a crash while
//! sending leaves it to be sent again, and acknowledged only with that lease.
//! Sends are idempotent in effect: prices, quantities and texts are read
//! when they are sent (a late send can only send the newest value) and are
//! absolute replaces; tracking uploads look at the channel before writing.

use crate::sync::Connector;
use crate::{ApiError, ApiResult};
use mercator_core::{ErrorCode, ErrorPayload};
use mercator_store::outbox::{self, OutboxEntry};
use mercator_store::Store;
use mercator_vault::Vault;
use serde::Serialize;
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryReport {
    pub sent: i64,
    pub failed: i64,
}

/// Whether this desk can reach its channels, for the header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectivityDto {
    pub offline: bool,
    /// Since when no channel could be reached (RFC 3339).
    pub since: Option<String>,
    /// Changes waiting to be sent to the channels.
    pub waiting: i64,
}

/// Why an entry could not be sent (shown to the user with the channel's text).
fn describe(e: &ErrorPayload) -> String {
    serde_json::to_string(e).unwrap_or_else(|_| e.code.clone())
}

async fn deliver_one(store: &Store, c: &Connector, e: &OutboxEntry) -> Result<(), ErrorPayload> {
    let payload: serde_json::Value = serde_json::from_str(&e.payload).unwrap_or_default();
    match (c, e.kind.as_str()) {
        (_, "listing.price") => {
            let t = store.listing_target(&e.aggregate_id).await.map_err(|x| ErrorPayload::from(&x))?;
            // the listing's price now, not the one queued: a late send sends the newest
            let minor = t.price_minor;
            let currency = t.price_currency;
            let price = crate::ops::decimal_text(minor, currency.exponent());
            let sku = t.channel_sku().to_string();
            let r = match c {
                Connector::Amazon(a) => a.patch_price(&sku, currency.code(), &price).await,
                Connector::Shopify(s) => s.set_sku_price(&sku, &price).await,
                Connector::Woo(w) => w.set_sku_price(&sku, &price).await,
                Connector::Shopee(s) => match shopee_ids(&t) {
                    Ok((item, model)) => s.set_price(item, model, &price).await,
                    Err(x) => Err(x),
                },
            };
            r.map_err(|x| ErrorPayload::from(&x))
        }
        (_, "listing.update")
            if payload
                .get("field")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|f| outbox::CONTENT_FIELDS.contains(&f)) =>
        {
            let t = store.listing_target(&e.aggregate_id).await.map_err(|x| ErrorPayload::from(&x))?;
            let read_at = mercator_store::now_utc();
            let text = store.listing_text(&e.aggregate_id).await.map_err(|x| ErrorPayload::from(&x))?;
            let content = mercator_channels::ListingContent {
                lang: text.lang,
                title: text.title,
                bullets: text.bullets,
                description: text.description,
                keywords: text.keywords,
            };
            let sku = t.channel_sku().to_string();
            let r = match c {
                Connector::Amazon(a) => a.patch_content(&sku, &content).await,
                Connector::Shopify(s) => s.update_sku_content(&sku, &content).await,
                Connector::Woo(w) => w.update_sku_content(&sku, &content).await,
                Connector::Shopee(s) => match shopee_ids(&t) {
                    Ok((item, _)) => s.update_item(item, &content).await,
                    Err(x) => Err(x),
                },
            };
            r.map_err(|x| ErrorPayload::from(&x))?;
            // the whole text went out: earlier waiting text edits of this listing are in it
            let _ = outbox::supersede_content(store.pool(), &e.aggregate_id, &read_at, &e.id).await;
            Ok(())
        }
        (_, "order.tracking") => deliver_tracking(store, c, &e.aggregate_id).await,
        (Connector::Amazon(a), mercator_store::inbox::AMAZON_MESSAGE_KIND) => deliver_amazon_message(store, a, e).await,
        (Connector::Shopee(sp), mercator_store::inbox::CHAT_KIND) => {
            crate::chat::deliver_chat_reply(store, sp, e).await
        }
        // reading twice is harmless: sent as often as it takes
        (Connector::Shopee(sp), mercator_store::inbox::CHAT_READ_KIND) => {
            let text = |k: &str| payload.get(k).and_then(serde_json::Value::as_str).unwrap_or_default().to_string();
            match sp.chat_read(&text("conversation"), &text("message")).await {
                // the app lost the chat module since, or no chat to mark: nothing to do
                Err(mercator_channels::ChannelError::Missing { .. }) => Ok(()),
                r => r.map_err(|x| ErrorPayload::from(&x)),
            }
        }
        // taken off sale: the channel offers 0 (per variant on every channel,
        // and reversible); live again: the stock push offers what is available
        (_, "listing.update") if payload.get("field").and_then(serde_json::Value::as_str) == Some("status") => {
            let status = store.listing_status(&e.aggregate_id).await.map_err(|x| ErrorPayload::from(&x))?;
            if status == "live" {
                store.queue_stock_pushes().await.map_err(|x| ErrorPayload::from(&x))?;
                return Ok(());
            }
            let t = store.listing_target(&e.aggregate_id).await.map_err(|x| ErrorPayload::from(&x))?;
            let sku = t.channel_sku().to_string();
            let r = match c {
                Connector::Amazon(a) => a.patch_quantity(&sku, 0).await,
                Connector::Shopify(s) => s.set_sku_stock(&sku, 0, &format!("mercator://status/{}", e.id)).await,
                Connector::Woo(w) => w.set_sku_stock(&sku, 0).await,
                Connector::Shopee(s) => match shopee_ids(&t) {
                    Ok((item, model)) => s.set_stock(item, model, 0).await,
                    Err(x) => Err(x),
                },
            };
            r.map_err(|x| ErrorPayload::from(&x))?;
            store.set_pushed_qty(&e.aggregate_id, 0).await.map_err(|x| ErrorPayload::from(&x))
        }
        (_, "listing.stock") => {
            let t = store.listing_target(&e.aggregate_id).await.map_err(|x| ErrorPayload::from(&x))?;
            // what the listing offers now, not when it was queued
            let qty = store.offer_qty(&e.aggregate_id).await.map_err(|x| ErrorPayload::from(&x))?;
            let sku = t.channel_sku().to_string();
            let r = match c {
                Connector::Amazon(a) => a.patch_quantity(&sku, qty).await,
                Connector::Shopify(s) => s.set_sku_stock(&sku, qty, &format!("mercator://stock/{}", e.id)).await,
                Connector::Woo(w) => w.set_sku_stock(&sku, qty).await,
                Connector::Shopee(s) => match shopee_ids(&t) {
                    Ok((item, model)) => s.set_stock(item, model, qty).await,
                    Err(x) => Err(x),
                },
            };
            r.map_err(|x| ErrorPayload::from(&x))?;
            store.set_pushed_qty(&e.aggregate_id, qty).await.map_err(|x| ErrorPayload::from(&x))
        }
        // brand, images, SKU, GTIN, attributes: not sent yet; the user sees
        // which change waits and can make it in the channel's seller centre
        (_, kind) => {
            let field = payload.get("field").and_then(serde_json::Value::as_str).unwrap_or_default();
            Err(ErrorPayload::new(ErrorCode::ChannelNotSentYet).arg("kind", kind).arg("field", field))
        }
    }
}

/// Sends one message of Amazon's Messaging API. Amazon offers no way to
/// read back what was sent, so a send that began and whose outcome is not
/// known (no answer, a 5xx, the process killed, the send cut off at its
/// budget) is never repeated on its own: it is parked with
/// `amazon-message-maybe-sent` for the seller to look in Seller Central and
/// retry. Only an answer that certainly refused it lets the next attempt go.
async fn deliver_amazon_message(
    store: &Store,
    a: &mercator_channels::amazon::Amazon,
    e: &OutboxEntry,
) -> Result<(), ErrorPayload> {
    let st = |x: mercator_store::StoreError| ErrorPayload::from(&x);
    let job = store.amazon_message_job(&e.aggregate_id).await.map_err(st)?;
    if job.status == "sent" {
        return Ok(());
    }
    let now = OffsetDateTime::now_utc();
    let maybe_sent = || async {
        let p = ErrorPayload::new(ErrorCode::AmazonMessageMaybeSent);
        store.reply_problem(&e.aggregate_id, &describe(&p), true).await.map_err(st)?;
        Err(p)
    };
    // a warranty's coverage rides in the entry, its two days in the message
    let payload: serde_json::Value = serde_json::from_str(&e.payload).unwrap_or_default();
    let coverage = payload["coverage"]
        .as_array()
        .and_then(|c| Some((c.first()?.as_str()?.to_string(), c.get(1)?.as_str()?.to_string())));
    let needs_document = mercator_channels::amazon::messaging::kind(&job.action).is_some_and(|k| k.needs_document);
    // an invoice's document is uploaded before the send begins: an upload that fails
    // or is cut off is simply tried again; only the message itself is sent once
    let uploaded = if needs_document && job.submitted_at.is_none() {
        let f = store.message_file(&job.message_id, 0).await.map_err(st)?;
        let list: Vec<serde_json::Value> = serde_json::from_str(&f.attachments).unwrap_or_default();
        let doc = mercator_channels::amazon::messaging::MessagingDocument {
            file_name: list.first().and_then(|x| x["name"].as_str()).unwrap_or("document.pdf").to_string(),
            content_type: list.first().and_then(|x| x["type"].as_str()).unwrap_or("application/pdf").to_string(),
            bytes: f.data,
        };
        match a.upload_document(&job.order_external_id, &job.action, &doc).await {
            Ok(id) => Some((id, doc.file_name)),
            Err(x) => {
                // nothing was sent: the reason shown, the next attempt uploads again
                let p = ErrorPayload::from(&x);
                store.amazon_message_not_sent(&job.message_id, &describe(&p)).await.map_err(st)?;
                if e.attempts >= outbox::MAX_ATTEMPTS {
                    store.reply_problem(&job.message_id, &describe(&p), true).await.map_err(st)?;
                }
                return Err(p);
            }
        }
    } else {
        None
    };
    if job.submitted_at.is_some() || !store.amazon_message_begin(&job.message_id, now).await.map_err(st)? {
        return maybe_sent().await;
    }
    let text = if coverage.is_some() || needs_document { String::new() } else { job.body.clone() };
    let send = mercator_channels::amazon::messaging::MessagingSend { text, coverage, document: None };
    let sent = match &uploaded {
        Some((id, name)) => a.send_document_message(&job.order_external_id, &job.action, id, name).await,
        None => a.send_messaging(&job.order_external_id, &job.action, &send).await,
    };
    match sent {
        Ok(()) => store.reply_sent(&job.message_id, OffsetDateTime::now_utc()).await.map_err(st),
        Err(mercator_channels::ChannelError::Uncertain(_)) => maybe_sent().await,
        Err(x) => {
            let p = ErrorPayload::from(&x);
            store.amazon_message_not_sent(&job.message_id, &describe(&p)).await.map_err(st)?;
            if e.attempts >= outbox::MAX_ATTEMPTS {
                store.reply_problem(&job.message_id, &describe(&p), true).await.map_err(st)?;
            }
            Err(p)
        }
    }
}

/// Shopee addresses listings by item and model id, not SKU: the listing's
/// channel id is `item:model` (`item` alone for an item without models).
fn shopee_ids(t: &mercator_store::sync::ListingTarget) -> Result<(i64, i64), mercator_channels::ChannelError> {
    let (item, model) = t.external_id.split_once(':').unwrap_or((t.external_id.as_str(), "0"));
    match (item.trim().parse::<i64>(), model.trim().parse::<i64>()) {
        (Ok(i), Ok(m)) => Ok((i, m)),
        _ => Err(mercator_channels::ChannelError::Missing {
            what: "shopee-item-id",
            subject: t.channel_sku().to_string(),
        }),
    }
}

/// Uploads a shipment's tracking: Amazon `confirmShipment`, Shopify
/// `fulfillmentCreate`, Shopee `ship_order` (our own carrier's number), a
/// WooCommerce order note and completion; each
/// checks first whether the channel already has it.
async fn deliver_tracking(store: &Store, c: &Connector, shipment_id: &str) -> Result<(), ErrorPayload> {
    let d = store.shipment_delivery(shipment_id).await.map_err(|x| ErrorPayload::from(&x))?;
    let s = &d.shipment;
    let carrier = mercator_core::shipping::carrier(&s.carrier)
        .ok_or_else(|| ErrorPayload::new(ErrorCode::CarrierUnknown).arg("carrier", &s.carrier))?;
    let ch = |x: mercator_channels::ChannelError| ErrorPayload::from(&x);
    match c {
        Connector::Amazon(a) => {
            let day = time::Date::parse(&s.shipped_on, time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| ErrorPayload::new(ErrorCode::ShipDateInvalid))?;
            // noon UTC of the ship day: the same calendar day in every marketplace
            let ship_date = day.with_time(time::macros::time!(12:00)).assume_utc().min(OffsetDateTime::now_utc());
            let shipment = mercator_channels::amazon::Shipment {
                package_reference_id: d.package_index.to_string(),
                carrier_code: carrier.amazon.to_string(),
                tracking_number: s.tracking_number.clone(),
                ship_date,
                items: d.lines.clone(),
            };
            a.ship(&d.external_id, &shipment).await.map_err(ch)
        }
        Connector::Shopify(sh) => sh
            .fulfill(&d.external_id, carrier.shopify, &s.tracking_number, Some(&s.tracking_url), s.notify)
            .await
            .map_err(ch),
        Connector::Shopee(sp) => sp.ship(&d.external_id, &s.tracking_number).await.map_err(ch),
        Connector::Woo(w) => w
            .add_tracking(&d.external_id, carrier.name, &s.tracking_number, &s.tracking_url, s.notify)
            .await
            .map_err(ch),
    }
}

/// How long a claim lasts and how long one send may take. A send is cut
/// off at `budget`, well inside the lease it renewed just before, so no
/// other sender can take an entry over while it is being sent.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub lease: Duration,
    pub budget: std::time::Duration,
    /// Entries claimed at a time (small: a claim is not a reservation of the queue).
    pub claim: i64,
}

impl Default for Timing {
    fn default() -> Self {
        // a send is at most 6 attempts of 30 s plus back-off (well under 4 min)
        Timing { lease: Duration::minutes(10), budget: std::time::Duration::from_secs(4 * 60), claim: 10 }
    }
}

/// Sends what is due for the accounts in `connectors`, oldest first, in
/// order per record. Returns what was sent and what failed (failures wait
/// with back-off; after 8 attempts they are parked for the user).
///
/// One delivery loop per profile: when another caller is sending already,
/// this one asks it for another round and returns at once (its report is
/// empty); the round it asked for runs before the loop stops.
pub async fn deliver_with(
    store: &Store,
    connectors: &HashMap<String, Connector>,
    now: OffsetDateTime,
) -> ApiResult<DeliveryReport> {
    deliver_rounds(store, connectors, now, false, Timing::default()).await
}

/// [`deliver_with`] with other timing (tests shorten the lease and budget).
pub async fn deliver_with_timing(
    store: &Store,
    connectors: &HashMap<String, Connector>,
    now: OffsetDateTime,
    timing: Timing,
) -> ApiResult<DeliveryReport> {
    deliver_rounds(store, connectors, now, false, timing).await
}

async fn deliver_rounds(
    store: &Store,
    connectors: &HashMap<String, Connector>,
    now: OffsetDateTime,
    queue_stock: bool,
    timing: Timing,
) -> ApiResult<DeliveryReport> {
    use std::sync::atomic::Ordering::SeqCst;
    let d = store.delivery();
    d.again.store(true, SeqCst);
    let mut report = DeliveryReport::default();
    loop {
        let Ok(running) = d.running.try_lock() else { return Ok(report) };
        while d.again.swap(false, SeqCst) {
            if queue_stock {
                // stock first: what each listing may offer now, queued where it changed
                store.queue_stock_pushes().await?;
            }
            let r = round(store, connectors, now, timing).await?;
            report.sent += r.sent;
            report.failed += r.failed;
        }
        drop(running);
        // a request that came in while we were letting go
        if !d.again.load(SeqCst) {
            return Ok(report);
        }
    }
}

async fn round(
    store: &Store,
    connectors: &HashMap<String, Connector>,
    now: OffsetDateTime,
    timing: Timing,
) -> ApiResult<DeliveryReport> {
    // each channel on its own: one that stops answering holds its own
    // entries, not every other channel's
    let loops = connectors.iter().map(|(id, c)| channel_round(store, id, c, now, timing));
    let mut report = DeliveryReport::default();
    for r in futures_util::future::join_all(loops).await {
        let r = r?;
        report.sent += r.sent;
        report.failed += r.failed;
    }
    Ok(report)
}

fn internal(x: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Internal).arg("detail", x.to_string())
}

/// One channel's due entries, oldest first. A send that finds the channel
/// unreachable, silent, failing or rate limited ends this channel's round:
/// the rest of its entries wait (not counted as attempts) for the next.
async fn channel_round(
    store: &Store,
    channel_id: &str,
    c: &Connector,
    now: OffsetDateTime,
    timing: Timing,
) -> ApiResult<DeliveryReport> {
    let mut report = DeliveryReport::default();
    let ids = [channel_id.to_string()];
    let mut stopped = false;
    loop {
        // the clock of this claim (`now` may be ahead of it in tests)
        let clock = now.max(OffsetDateTime::now_utc());
        let batch =
            outbox::claim_due_for(store.pool(), clock, timing.lease, timing.claim, &ids).await.map_err(internal)?;
        if batch.is_empty() || stopped {
            for e in &batch {
                outbox::release(store.pool(), e, "", clock + Duration::seconds(15)).await.map_err(internal)?;
            }
            return Ok(report);
        }
        for mut e in batch {
            let clock = now.max(OffsetDateTime::now_utc());
            let later = clock + Duration::seconds(15);
            if stopped {
                outbox::release(store.pool(), &e, "", later).await.map_err(internal)?;
                continue;
            }
            // the lease, renewed just before the send, outlasts the send
            if !outbox::renew(store.pool(), &mut e, clock + timing.lease).await.map_err(internal)? {
                continue;
            }
            let sent = match tokio::time::timeout(timing.budget, deliver_one(store, c, &e)).await {
                Ok(r) => r,
                Err(_) => {
                    Err(ErrorPayload::from(&mercator_channels::ChannelError::NoAnswer(timing.budget.as_secs().max(1))))
                }
            };
            let code = |p: &ErrorPayload, c: ErrorCode| p.code == c.as_str();
            match sent {
                Err(p) if code(&p, ErrorCode::ChannelOffline) => {
                    outbox::release(store.pool(), &e, &describe(&p), later).await.map_err(internal)?;
                    stopped = true;
                    report.failed += 1;
                }
                Ok(()) => {
                    outbox::mark_sent(store.pool(), &e).await.map_err(internal)?;
                    report.sent += 1;
                }
                // no retry can know more than the seller can see in the seller centre
                Err(p) if code(&p, ErrorCode::AmazonMessageMaybeSent) => {
                    outbox::park(store.pool(), &e, &describe(&p)).await.map_err(internal)?;
                    report.failed += 1;
                }
                Err(p) => {
                    outbox::mark_failed(store.pool(), &e, &describe(&p), OffsetDateTime::now_utc())
                        .await
                        .map_err(internal)?;
                    report.failed += 1;
                    // the channel itself is in trouble, not this one change
                    stopped =
                        [ErrorCode::ChannelUnavailable, ErrorCode::ChannelNoAnswer, ErrorCode::ChannelRateLimited]
                            .into_iter()
                            .any(|c| code(&p, c));
                }
            }
        }
    }
}

/// Queues the stock pushes that are due, then sends what is due for every
/// connected account (settings in SQLite, secrets from the keyring).
pub async fn deliver_due(store: &Store, vault: &Vault) -> ApiResult<DeliveryReport> {
    deliver_due_at(store, vault, OffsetDateTime::now_utc()).await
}

/// [`deliver_due`] as of `now` (the engine's clock).
pub async fn deliver_due_at(store: &Store, vault: &Vault, now: OffsetDateTime) -> ApiResult<DeliveryReport> {
    let mut connectors = HashMap::new();
    for id in store.active_channels().await? {
        if let Ok(c) = crate::sync::connector_for(store, vault, &id).await {
            connectors.insert(id, c);
        }
    }
    if connectors.is_empty() {
        return Ok(DeliveryReport::default());
    }
    let r = deliver_rounds(store, &connectors, now, true, Timing::default()).await;
    for (id, c) in &connectors {
        crate::sync::report_token_problem(store, id, c).await?;
    }
    r
}

/// A change that could not be sent, for Settings → Channel accounts.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutboxProblemDto {
    pub id: String,
    pub channel_name: String,
    pub kind: String,
    /// What the change is about (a SKU where it is a listing).
    pub subject: String,
    /// `dead`: parked after its attempts; `pending`: will be retried.
    pub status: String,
    pub attempts: i64,
    #[ts(type = "ErrorPayload | null")]
    pub error: Option<ErrorPayload>,
    pub next_attempt_at: String,
    pub updated_at: String,
}

pub async fn problems(store: &Store) -> ApiResult<Vec<OutboxProblemDto>> {
    let names: HashMap<String, String> = store.channels().await?.into_iter().map(|c| (c.id, c.name)).collect();
    let rows =
        outbox::problems(store.pool(), 200).await.map_err(|e| ApiError::new(ErrorCode::Internal).arg("detail", e))?;
    let mut out = vec![];
    for r in rows {
        let subject = if r.kind == "order.tracking" {
            match store.shipment_delivery(&r.aggregate_id).await {
                Ok(d) => format!("{} · {}", d.order_number, d.shipment.tracking_number),
                Err(_) => r.aggregate_id.clone(),
            }
        } else {
            match store.listing_target(&r.aggregate_id).await {
                Ok(t) => t.sku,
                Err(_) => r.aggregate_id.clone(),
            }
        };
        out.push(OutboxProblemDto {
            channel_name: names.get(&r.channel_id).cloned().unwrap_or_default(),
            error: r.last_error.as_deref().map(|e| {
                serde_json::from_str(e)
                    .unwrap_or_else(|_| ErrorPayload::new(ErrorCode::ChannelRejected).arg("detail", e))
            }),
            id: r.id,
            kind: r.kind,
            subject,
            status: r.status,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            updated_at: r.updated_at,
        });
    }
    Ok(out)
}

pub async fn retry(store: &Store, id: &str) -> ApiResult<()> {
    let ok = outbox::retry(store.pool(), id).await.map_err(|e| ApiError::new(ErrorCode::Internal).arg("detail", e))?;
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::NotFound).arg("what", id))
    }
}
