//! Marking orders shipped: one order from its page, several from a
//! selection, or a pasted "order number, tracking number" list. Every line
//! is checked first (carrier, tracking number format and check digit, the
//! order exists, is shippable, is not listed twice); if any line is wrong
//! nothing is written and each problem is reported with its line. Otherwise
//! the shipments, the orders' new state and the tracking uploads are
//! written in one transaction. Sending the same tracking number for the
//! same order again is a no-op, so a double click or a re-pasted list does
//! not ship twice.

use crate::{ApiError, ApiResult};
use mercator_core::shipping::{self, Carrier};
use mercator_core::{ErrorCode, ErrorPayload};
use mercator_store::shipping::{NewShipment, ShipCandidate, SHIPPABLE};
use mercator_store::Store;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use time::OffsetDateTime;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CarrierDto {
    pub code: String,
    pub name: String,
}

pub fn carriers() -> Vec<CarrierDto> {
    shipping::CARRIERS.iter().map(|c| CarrierDto { code: c.code.into(), name: c.name.into() }).collect()
}

/// One order to ship: by Mercator id (a selection) or by order number
/// (a pasted list).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ShipLineInput {
    pub order_id: Option<String>,
    pub order_number: Option<String>,
    pub tracking: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ShipRequest {
    pub carrier: String,
    /// `YYYY-MM-DD`, within the last 30 days.
    pub shipped_on: String,
    /// The channel tells the buyer (where it can).
    pub notify: bool,
    pub lines: Vec<ShipLineInput>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ShipProblem {
    /// 1-based: the line of a pasted list, or the row of a selection.
    pub line: i64,
    pub reference: String,
    #[ts(type = "ErrorPayload")]
    pub error: ErrorPayload,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ShipReport {
    /// Orders marked shipped now.
    pub shipped: i64,
    /// Of those, how many wait in the outbox for their channel.
    pub queued: i64,
    /// Lines that were already recorded with the same tracking number.
    pub unchanged: i64,
    /// When not empty, nothing was written.
    pub problems: Vec<ShipProblem>,
}

fn ship_day(text: &str, today: time::Date) -> ApiResult<time::Date> {
    let day = time::Date::parse(text.trim(), time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| ApiError::new(ErrorCode::ShipDateInvalid))?;
    // a day of slack either way for the seller's time zone
    if day > today.next_day().unwrap_or(today) || day < today - time::Duration::days(31) {
        return Err(ApiError::new(ErrorCode::ShipDateInvalid));
    }
    Ok(day)
}

/// Marks orders shipped (see the module's notes).
pub async fn mark_shipped(store: &Store, req: &ShipRequest) -> ApiResult<ShipReport> {
    let carrier: &Carrier = shipping::carrier(&req.carrier).ok_or_else(|| ApiError::new(ErrorCode::CarrierUnknown))?;
    let day = ship_day(&req.shipped_on, OffsetDateTime::now_utc().date())?;
    if req.lines.is_empty() {
        return Err(ApiError::new(ErrorCode::ShipNothing));
    }
    let ids: Vec<String> = req.lines.iter().filter_map(|l| l.order_id.clone()).collect();
    let mut numbers: Vec<String> = req
        .lines
        .iter()
        .filter(|l| l.order_id.is_none())
        .filter_map(|l| l.order_number.as_deref())
        .map(|n| n.trim().to_string())
        .collect();
    numbers.sort();
    numbers.dedup();
    let mut by_id: HashMap<String, ShipCandidate> = HashMap::new();
    for c in store.ship_candidates_by_id(&ids).await? {
        by_id.insert(c.id.clone(), c);
    }
    let mut by_number: HashMap<String, Vec<ShipCandidate>> = HashMap::new();
    for c in store.ship_candidates(&numbers).await? {
        by_number.entry(c.reference.clone()).or_default().push(c);
    }
    let mut report = ShipReport::default();
    let mut seen = HashSet::new();
    let mut todo = vec![];
    for (k, l) in req.lines.iter().enumerate() {
        let line = k as i64 + 1;
        let reference = l.order_number.clone().or_else(|| l.order_id.clone()).unwrap_or_default();
        let mut problem =
            |e: ErrorPayload| report.problems.push(ShipProblem { line, reference: reference.clone(), error: e });
        let found: Option<&ShipCandidate> = match (&l.order_id, &l.order_number) {
            (Some(id), _) => by_id.get(id),
            (None, Some(n)) => match by_number.get(n.trim()).map(Vec::as_slice) {
                Some([one]) => Some(one),
                Some([_, _, ..]) => {
                    problem(ErrorPayload::new(ErrorCode::OrderAmbiguous).arg("order", n));
                    continue;
                }
                _ => None,
            },
            (None, None) => None,
        };
        let Some(o) = found else {
            problem(ErrorPayload::new(ErrorCode::OrderUnknown).arg("order", &reference));
            continue;
        };
        let tracking = match shipping::normalize_tracking(carrier, &l.tracking) {
            Ok(t) => t,
            Err(e) => {
                problem(e);
                continue;
            }
        };
        if !seen.insert(o.id.clone()) {
            problem(ErrorPayload::new(ErrorCode::OrderListedTwice).arg("order", &o.order_number));
            continue;
        }
        let recorded: Vec<&str> = o.tracking.as_deref().unwrap_or_default().split_whitespace().collect();
        if recorded.contains(&tracking.as_str()) {
            report.unchanged += 1; // the same package again: nothing to do
            continue;
        }
        if !SHIPPABLE.contains(&o.status.as_str()) {
            let e = if let Some(t) = recorded.first().filter(|_| o.status == "shipped") {
                ErrorPayload::new(ErrorCode::OrderAlreadyShipped).arg("order", &o.order_number).arg("tracking", t)
            } else {
                ErrorPayload::new(ErrorCode::OrderNotShippable).arg("order", &o.order_number).arg("status", &o.status)
            };
            problem(e);
            continue;
        }
        todo.push(NewShipment {
            order_id: o.id.clone(),
            channel_id: o.channel_id.clone(),
            connected: o.connected,
            carrier: carrier.code.to_string(),
            tracking_url: carrier.tracking_url(&tracking),
            tracking_number: tracking,
            shipped_on: day.to_string(),
            notify: req.notify,
        });
    }
    if !report.problems.is_empty() {
        return Ok(report);
    }
    if todo.is_empty() && report.unchanged == 0 {
        return Err(ApiError::new(ErrorCode::ShipNothing));
    }
    store.record_shipments(&todo).await?;
    report.shipped = todo.len() as i64;
    report.queued = todo.iter().filter(|s| s.connected).count() as i64;
    Ok(report)
}

/// A pasted list: "order number, tracking number" per line.
pub async fn mark_shipped_list(
    store: &Store,
    carrier: &str,
    shipped_on: &str,
    notify: bool,
    text: &str,
) -> ApiResult<ShipReport> {
    match shipping::parse_ship_lines(text) {
        Ok(lines) => {
            let req = ShipRequest {
                carrier: carrier.to_string(),
                shipped_on: shipped_on.to_string(),
                notify,
                lines: lines
                    .iter()
                    .map(|l| ShipLineInput {
                        order_id: None,
                        order_number: Some(l.order.clone()),
                        tracking: l.tracking.clone(),
                    })
                    .collect(),
            };
            let mut report = mark_shipped(store, &req).await?;
            // report problems by the pasted text's own line numbers
            for p in &mut report.problems {
                if let Some(l) = usize::try_from(p.line - 1).ok().and_then(|k| lines.get(k)) {
                    p.line = l.line as i64;
                }
            }
            Ok(report)
        }
        Err(errors) => Ok(ShipReport {
            problems: errors
                .into_iter()
                .map(|(line, error)| ShipProblem { line: line as i64, reference: String::new(), error })
                .collect(),
            ..Default::default()
        }),
    }
}

/// A shipment as the order's page shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentDto {
    pub id: String,
    pub carrier: String,
    pub carrier_name: String,
    pub tracking_number: String,
    pub tracking_url: String,
    pub shipped_on: String,
    /// `local` (no connected channel), `pending`, `sending`, `sent`, `failed`.
    pub delivery: String,
    #[ts(type = "ErrorPayload | null")]
    pub error: Option<ErrorPayload>,
    pub delivered_at: Option<String>,
}

/// Where a shipment's upload stands (each is a message `order-shipment-<state>`).
pub const DELIVERY_STATES: &[&str] = &["local", "pending", "sending", "sent", "failed"];

pub async fn shipments(store: &Store, order_id: &str) -> ApiResult<Vec<ShipmentDto>> {
    Ok(store
        .shipments_of(order_id)
        .await?
        .into_iter()
        .map(|s| ShipmentDto {
            carrier_name: shipping::carrier(&s.carrier).map_or_else(|| s.carrier.clone(), |c| c.name.to_string()),
            delivery: match s.delivery.as_deref() {
                None => "local",
                Some("sent") => "sent",
                Some("in_flight") => "sending",
                Some("dead") => "failed",
                Some(_) if s.last_error.is_some() => "failed",
                Some(_) => "pending",
            }
            .to_string(),
            error: s.last_error.as_deref().map(|e| {
                serde_json::from_str(e)
                    .unwrap_or_else(|_| ErrorPayload::new(ErrorCode::ChannelRejected).arg("detail", e))
            }),
            id: s.id,
            carrier: s.carrier,
            tracking_number: s.tracking_number,
            tracking_url: s.tracking_url,
            shipped_on: s.shipped_on,
            delivered_at: s.delivered_at,
        })
        .collect())
}
