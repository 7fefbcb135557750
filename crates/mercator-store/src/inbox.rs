//! The support inbox: the mailboxes it reads and answers from, and every
//! buyer conversation with its messages, from any channel.
//!
//! Messages arrive through [`Store::ingest`] (the mail and chat loops, the
//! demo shop): each is stored once per channel account by its external id
//! (Message-ID or the chat's message id), threaded into its conversation
//! (mail by In-Reply-To/References, chat by the channel's conversation id),
//! linked to its order by the order numbers it mentions, and the
//! conversation's reply clock is set from the channel's rule. A batch and
//! the mailbox position it reached commit together, so a crash re-reads at
//! most a batch and stores nothing twice.
//!
//! A reply is a message row (`out`, `waiting`) and its outbox entry
//! (`message.reply`) written in one transaction; delivery (mercator-api)
//! marks it `sent` or `failed` with the server's reason.

use crate::catalog::{invalid, not_found};
use crate::{fmt_ts, outbox, Store, StoreError};
use mercator_core::inbox::{reply_window, ReplyState};
use mercator_core::{new_id, ErrorCode, ErrorPayload};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, SqliteConnection};
use time::OffsetDateTime;

/// The outbox kind of a reply sent by mail.
pub const REPLY_KIND: &str = "message.reply";
/// The outbox kind of a message sent through Amazon's Messaging API (sent
/// by the channel's delivery, not the mail loop).
pub const AMAZON_MESSAGE_KIND: &str = "message.amazon";
/// The outbox kind of a reply in a channel's chat (Shopee seller chat), sent
/// by the channel's delivery.
pub const CHAT_KIND: &str = "message.chat";
/// The outbox kind that marks a chat conversation read on the channel.
pub const CHAT_READ_KIND: &str = "chat.read";

/// Where reading an account's chat stopped, and how the last look went.
#[derive(Debug, Clone, Default, FromRow, PartialEq, Eq)]
pub struct ChatPosition {
    /// The newest conversation time read (nanoseconds since 1970).
    pub last_nanos: i64,
    /// `new`, `ok`, `not-enabled` (the app lacks the chat module) or an error code.
    pub status: String,
    pub checked_at: Option<String>,
}

/// How a mail connection is protected.
pub const SECURITY: &[&str] = &["tls", "starttls", "none"];

/// A mailbox's settings as the seller enters them (the password goes to the keyring).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxSettings {
    pub address: String,
    pub username: String,
    pub imap_host: String,
    pub imap_port: i64,
    pub imap_security: String,
    pub smtp_host: String,
    pub smtp_port: i64,
    pub smtp_security: String,
    pub inbox_folder: String,
    pub sent_folder: String,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct MailboxRow {
    pub id: String,
    pub channel_id: String,
    pub channel_name: String,
    pub address: String,
    pub username: String,
    pub imap_host: String,
    pub imap_port: i64,
    pub imap_security: String,
    pub smtp_host: String,
    pub smtp_port: i64,
    pub smtp_security: String,
    pub inbox_folder: String,
    pub sent_folder: String,
    /// The account's own reply clock (hours), where its channel sets none.
    pub reply_hours: Option<i64>,
    pub uid_validity: Option<i64>,
    pub last_uid: i64,
    pub status: String,
    pub checked_at: Option<String>,
}

const MAILBOX_COLUMNS: &str =
    "m.id, m.channel_id, c.name AS channel_name, m.address, m.username, m.imap_host, m.imap_port, \
     m.imap_security, m.smtp_host, m.smtp_port, m.smtp_security, m.inbox_folder, m.sent_folder, c.reply_hours, \
     m.uid_validity, m.last_uid, m.status, m.checked_at";

fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn bad(field: &str, detail: &str) -> StoreError {
    invalid(ErrorPayload::new(ErrorCode::InvalidArgument).arg("field", field).arg("detail", detail))
}

/// Checks and tidies settings: an address with one `@`, hosts without
/// spaces, ports in range, a known security and no plain-text connection to
/// anything but this machine (passwords would travel in the clear).
pub fn validate_mailbox(s: &MailboxSettings) -> Result<MailboxSettings, StoreError> {
    let mut s = s.clone();
    for v in
        [&mut s.address, &mut s.username, &mut s.imap_host, &mut s.smtp_host, &mut s.inbox_folder, &mut s.sent_folder]
    {
        *v = v.trim().to_string();
    }
    let at = s.address.split('@').collect::<Vec<_>>();
    if at.len() != 2
        || at[0].is_empty()
        || at[1].is_empty()
        || s.address.contains(char::is_whitespace)
        || s.address.len() > 254
    {
        return Err(bad("address", "email"));
    }
    if s.username.is_empty() {
        s.username.clone_from(&s.address);
    }
    for (field, host, port, security) in [
        ("imapHost", &s.imap_host, s.imap_port, &s.imap_security),
        ("smtpHost", &s.smtp_host, s.smtp_port, &s.smtp_security),
    ] {
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/') || host.len() > 253 {
            return Err(bad(field, "host"));
        }
        if !(1..=65535).contains(&port) {
            return Err(bad(field, "port"));
        }
        if !SECURITY.contains(&security.as_str()) {
            return Err(bad(field, "security"));
        }
        if security == "none" && !is_loopback(host) {
            return Err(invalid(ErrorPayload::new(ErrorCode::MailInsecure).arg("host", host.clone())));
        }
    }
    if s.inbox_folder.is_empty() {
        s.inbox_folder = "INBOX".into();
    }
    if s.sent_folder.is_empty() {
        s.sent_folder = "Sent".into();
    }
    Ok(s)
}

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the buyer.
    In,
    /// From the seller (seen on the channel, e.g. answered on the marketplace's site).
    Out,
}

/// A message read from a channel, before it is stored.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub channel_id: String,
    pub mailbox_id: Option<String>,
    /// Message-ID (mail) or the channel's message id (chat): stored once per account.
    pub external_id: String,
    /// The channel's conversation id (chat); None for mail, threaded by `parents`.
    pub thread: Option<String>,
    /// In-Reply-To then References, nearest first.
    pub parents: Vec<String>,
    pub direction: Direction,
    pub subject: String,
    pub from_name: String,
    pub from_address: String,
    /// Where a reply to this message goes (the Amazon relay alias, the buyer's address).
    pub reply_to: String,
    /// Plain text (from the HTML where a mail had no text part).
    pub body: String,
    /// Sanitised HTML, never raw.
    pub html: Option<String>,
    pub blocked_images: i64,
    /// The attachments as JSON (name, type, size), in the order of `files`.
    pub attachments: String,
    /// The attachments' bytes, stored with the message (same transaction),
    /// one per entry of `attachments` (none for a mail too large to read).
    pub files: Vec<Vec<u8>>,
    /// The message's links as JSON (`[{url, text}]`, `http(s)` only).
    pub links: String,
    pub sent_at: OffsetDateTime,
    /// Order numbers the message mentions, as the channel writes them.
    pub order_refs: Vec<String>,
    /// The buyer's language, where known (else from the text or the market).
    pub lang: Option<String>,
    /// An automatic message (auto-reply, notification): it does not start or stop a clock.
    pub auto: bool,
}

/// Where a mailbox's reading reached: stored with the batch it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailPosition<'a> {
    pub mailbox_id: &'a str,
    pub uid_validity: i64,
    pub last_uid: i64,
}

/// What one ingest stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// (conversation id, message id) of each message stored.
    pub stored: Vec<(String, String)>,
    /// Messages already stored (read again).
    pub duplicates: usize,
}

#[derive(Debug, Clone, FromRow)]
struct ChannelRule {
    kind: String,
    market: String,
    language: String,
    reply_hours: Option<i64>,
}

#[derive(Debug, Clone, FromRow)]
struct ConvClock {
    channel_id: String,
    last_buyer_at: Option<String>,
    last_reply_at: Option<String>,
    closed_at: Option<String>,
}

fn parse_ts(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

/// Sets a conversation's reply clock (`reply_by`, `due_soon_at`) from its
/// times and its channel's rule.
async fn update_clock(conn: &mut SqliteConnection, conversation_id: &str) -> Result<(), sqlx::Error> {
    let c: ConvClock =
        sqlx::query_as("SELECT channel_id, last_buyer_at, last_reply_at, closed_at FROM conversations WHERE id = ?")
            .bind(conversation_id)
            .fetch_one(&mut *conn)
            .await?;
    let rule: ChannelRule = sqlx::query_as("SELECT kind, market, language, reply_hours FROM channels WHERE id = ?")
        .bind(&c.channel_id)
        .fetch_one(&mut *conn)
        .await?;
    let window = reply_window(&rule.kind, &rule.market, rule.reply_hours);
    let (due, soon) = match (c.last_buyer_at.as_deref().and_then(parse_ts), window) {
        (Some(buyer), Some(w)) => {
            // the state at the buyer's own time tells whether anything is waiting
            let state = mercator_core::inbox::reply_state(
                buyer,
                c.last_reply_at.as_deref().and_then(parse_ts),
                c.closed_at.as_deref().and_then(parse_ts),
                Some(w),
                buyer,
            );
            if state.needs_reply() {
                (Some(fmt_ts(buyer + w)), Some(fmt_ts(buyer + w - w / 4)))
            } else {
                (None, None)
            }
        }
        _ => (None, None),
    };
    sqlx::query("UPDATE conversations SET reply_by = ?, due_soon_at = ? WHERE id = ?")
        .bind(due)
        .bind(soon)
        .bind(conversation_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Stores messages inside the caller's transaction (see [`Store::ingest`]).
pub async fn ingest_in(conn: &mut SqliteConnection, messages: &[NewMessage]) -> Result<IngestReport, sqlx::Error> {
    let mut report = IngestReport::default();
    for m in messages {
        let seen: Option<String> =
            sqlx::query_scalar("SELECT id FROM messages WHERE channel_id = ? AND external_id = ?")
                .bind(&m.channel_id)
                .bind(&m.external_id)
                .fetch_optional(&mut *conn)
                .await?;
        if seen.is_some() {
            report.duplicates += 1;
            continue;
        }
        let order_id: Option<String> = if m.order_refs.is_empty() {
            None
        } else {
            let refs = serde_json::to_string(&m.order_refs).unwrap_or_default();
            sqlx::query_scalar(
                "SELECT id FROM orders WHERE channel_id = ?1 AND (order_number IN (SELECT value FROM json_each(?2)) \
                 OR external_id IN (SELECT value FROM json_each(?2))) ORDER BY ordered_at DESC LIMIT 1",
            )
            .bind(&m.channel_id)
            .bind(&refs)
            .fetch_optional(&mut *conn)
            .await?
        };
        let conversation = find_conversation(conn, m, order_id.as_deref()).await?;
        let sent_at = fmt_ts(m.sent_at);
        let now = crate::now_utc();
        let conversation_id = match conversation {
            Some(id) => id,
            None if m.direction == Direction::Out => {
                // the seller's own message outside any buyer conversation
                continue;
            }
            None => {
                let rule: ChannelRule =
                    sqlx::query_as("SELECT kind, market, language, reply_hours FROM channels WHERE id = ?")
                        .bind(&m.channel_id)
                        .fetch_one(&mut *conn)
                        .await?;
                let lang =
                    m.lang.clone().unwrap_or_else(|| mercator_core::inbox::reply_language(&m.body, &rule.language));
                let key =
                    m.thread.clone().or_else(|| m.parents.last().cloned()).unwrap_or_else(|| m.external_id.clone());
                let id = new_id();
                sqlx::query(
                    "INSERT INTO conversations (id, channel_id, mailbox_id, order_id, thread_key, buyer_name, buyer_address, \
                     buyer_lang, subject, last_message_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(&id)
                .bind(&m.channel_id)
                .bind(&m.mailbox_id)
                .bind(&order_id)
                .bind(&key)
                .bind(if m.from_name.is_empty() { &m.from_address } else { &m.from_name })
                .bind(&m.reply_to)
                .bind(&lang)
                .bind(mercator_core::inbox::thread_subject(&m.subject))
                .bind(&sent_at)
                .bind(&now)
                .execute(&mut *conn)
                .await?;
                id
            }
        };
        let message_id = new_id();
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, channel_id, external_id, direction, subject, from_name, from_address, \
             body, html, blocked_images, attachments, links, status, auto, sent_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&message_id)
        .bind(&conversation_id)
        .bind(&m.channel_id)
        .bind(&m.external_id)
        .bind(if m.direction == Direction::In { "in" } else { "out" })
        .bind(&m.subject)
        .bind(&m.from_name)
        .bind(&m.from_address)
        .bind(&m.body)
        .bind(&m.html)
        .bind(m.blocked_images)
        .bind(&m.attachments)
        .bind(&m.links)
        .bind(if m.direction == Direction::In { "received" } else { "sent" })
        .bind(m.auto)
        .bind(&sent_at)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        for (idx, data) in m.files.iter().enumerate() {
            sqlx::query("INSERT INTO message_files (message_id, idx, data) VALUES (?, ?, ?)")
                .bind(&message_id)
                .bind(i64::try_from(idx).unwrap_or(i64::MAX))
                .bind(data.as_slice())
                .execute(&mut *conn)
                .await?;
        }
        let (buyer, reply) = match (m.direction, m.auto) {
            (_, true) => (None, None),
            (Direction::In, false) => (Some(&sent_at), None),
            (Direction::Out, false) => (None, Some(&sent_at)),
        };
        sqlx::query(
            "UPDATE conversations SET \
               last_message_at = max(last_message_at, ?2), \
               last_buyer_at = CASE WHEN ?3 IS NULL THEN last_buyer_at ELSE max(COALESCE(last_buyer_at, ''), ?3) END, \
               last_reply_at = CASE WHEN ?4 IS NULL THEN last_reply_at ELSE max(COALESCE(last_reply_at, ''), ?4) END, \
               unread = CASE WHEN ?4 IS NOT NULL THEN 0 ELSE unread + ?5 END, \
               order_id = COALESCE(order_id, ?6), \
               buyer_address = CASE WHEN COALESCE(buyer_address, '') = '' THEN ?7 ELSE buyer_address END, \
               mailbox_id = COALESCE(mailbox_id, ?8), \
               revision = revision + 1, updated_at = ?9 \
             WHERE id = ?1",
        )
        .bind(&conversation_id)
        .bind(&sent_at)
        .bind(buyer)
        .bind(reply)
        .bind(i64::from(m.direction == Direction::In))
        .bind(&order_id)
        .bind((m.direction == Direction::In).then_some(&m.reply_to))
        .bind(&m.mailbox_id)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        update_clock(conn, &conversation_id).await?;
        report.stored.push((conversation_id, message_id));
    }
    Ok(report)
}

/// The conversation a message belongs to: the channel's conversation id
/// (chat); else any stored message it answers or the thread root it names
/// (mail); else the open conversation of the same buyer about the same order.
async fn find_conversation(
    conn: &mut SqliteConnection,
    m: &NewMessage,
    order_id: Option<&str>,
) -> Result<Option<String>, sqlx::Error> {
    if let Some(thread) = &m.thread {
        return sqlx::query_scalar("SELECT id FROM conversations WHERE channel_id = ? AND thread_key = ?")
            .bind(&m.channel_id)
            .bind(thread)
            .fetch_optional(&mut *conn)
            .await;
    }
    if !m.parents.is_empty() {
        let parents = serde_json::to_string(&m.parents).unwrap_or_default();
        let found: Option<String> = sqlx::query_scalar(
            "SELECT conversation_id FROM messages WHERE channel_id = ?1 AND external_id IN (SELECT value FROM json_each(?2)) \
             UNION ALL SELECT id FROM conversations WHERE channel_id = ?1 AND thread_key IN (SELECT value FROM json_each(?2)) \
             LIMIT 1",
        )
        .bind(&m.channel_id)
        .bind(&parents)
        .fetch_optional(&mut *conn)
        .await?;
        if found.is_some() {
            return Ok(found);
        }
    }
    match (order_id, m.reply_to.as_str()) {
        (Some(order), addr) if !addr.is_empty() => {
            sqlx::query_scalar(
                "SELECT id FROM conversations WHERE channel_id = ? AND order_id = ? AND buyer_address = ? \
                 ORDER BY last_message_at DESC LIMIT 1",
            )
            .bind(&m.channel_id)
            .bind(order)
            .bind(addr)
            .fetch_optional(&mut *conn)
            .await
        }
        _ => Ok(None),
    }
}

/// Which conversations to list (each flag narrows the list; they combine).
#[derive(Debug, Clone, Default)]
#[allow(clippy::struct_excessive_bools)]
pub struct ConversationFilter {
    pub channel_id: Option<String>,
    pub mailbox_id: Option<String>,
    pub needs_reply: bool,
    pub overdue: bool,
    pub has_order: bool,
    pub unread: bool,
    /// Words every message-level match must hold (subject, sender, text).
    pub search: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ConversationRow {
    pub id: String,
    pub channel_id: String,
    pub channel_name: String,
    pub channel_kind: String,
    pub market: String,
    pub buyer_name: String,
    pub buyer_lang: String,
    pub buyer_address: Option<String>,
    pub subject: String,
    pub last_message: String,
    pub last_message_at: String,
    pub last_buyer_at: Option<String>,
    pub last_reply_at: Option<String>,
    pub closed_at: Option<String>,
    pub reply_by: Option<String>,
    pub due_soon_at: Option<String>,
    pub unread: i64,
    pub order_id: Option<String>,
    pub order_number: Option<String>,
    pub waiting_replies: i64,
    pub failed_replies: i64,
    pub message_count: i64,
}

impl ConversationRow {
    /// Where the conversation stands against its reply clock at `now`.
    pub fn reply_state(&self, now: OffsetDateTime) -> ReplyState {
        let at = |s: &Option<String>| s.as_deref().and_then(parse_ts);
        let Some(buyer) = at(&self.last_buyer_at) else { return ReplyState::Answered };
        if at(&self.last_reply_at).is_some_and(|r| r >= buyer) {
            return ReplyState::Answered;
        }
        if at(&self.closed_at).is_some_and(|c| c >= buyer) {
            return ReplyState::Closed;
        }
        match (at(&self.reply_by), at(&self.due_soon_at)) {
            (Some(due), _) if now >= due => ReplyState::Overdue(due),
            (Some(due), Some(soon)) if now >= soon => ReplyState::DueSoon(due),
            (Some(due), _) => ReplyState::Due(due),
            (None, _) => ReplyState::Waiting,
        }
    }
}

/// SQL: the conversation needs the seller (a buyer message after the last reply and the last close).
const NEEDS_REPLY: &str = "(cv.last_buyer_at IS NOT NULL AND cv.last_buyer_at > COALESCE(cv.last_reply_at, '') \
     AND cv.last_buyer_at > COALESCE(cv.closed_at, ''))";

/// The list's row of a conversation (one shape for the list and the thread).
const CONVERSATION_SELECT: &str =
    "SELECT cv.id, cv.channel_id, c.name AS channel_name, c.kind AS channel_kind, c.market, \
        cv.buyer_name, cv.buyer_lang, cv.buyer_address, cv.subject, \
        COALESCE((SELECT substr(body, 1, 240) FROM messages WHERE conversation_id = cv.id \
                  ORDER BY sent_at DESC, id DESC LIMIT 1), '') AS last_message, \
        cv.last_message_at, cv.last_buyer_at, cv.last_reply_at, cv.closed_at, cv.reply_by, cv.due_soon_at, cv.unread, \
        cv.order_id, o.order_number, \
        (SELECT count(*) FROM messages WHERE conversation_id = cv.id AND status = 'waiting') AS waiting_replies, \
        (SELECT count(*) FROM messages WHERE conversation_id = cv.id AND status = 'failed') AS failed_replies, \
        (SELECT count(*) FROM messages WHERE conversation_id = cv.id) AS message_count \
     FROM conversations cv JOIN channels c ON c.id = cv.channel_id LEFT JOIN orders o ON o.id = cv.order_id";

/// The inbox's figures for the navigation.
#[derive(Debug, Clone, Copy, Default, FromRow, PartialEq, Eq)]
pub struct InboxCounts {
    pub unread: i64,
    pub needs_reply: i64,
    pub due_soon: i64,
    pub overdue: i64,
}

/// What an Amazon Messaging API message carries, as queued.
#[derive(Debug, Clone, Copy)]
pub struct AmazonMessageContent<'a> {
    /// The Messaging API kind.
    pub action: &'a str,
    /// What the thread shows (the text; a warranty's days; a document's name).
    pub body: &'a str,
    pub lang: &'a str,
    /// A warranty's coverage (RFC 3339), sent from the outbox entry.
    pub coverage: Option<(&'a str, &'a str)>,
    /// An invoice's or disclosure's document: (file name, content type, bytes).
    pub document: Option<(&'a str, &'a str, &'a [u8])>,
}

/// An attachment as stored.
#[derive(Debug, Clone, FromRow)]
pub struct MessageFile {
    /// The message's attachments as JSON (name, type, size), this one at its index.
    pub attachments: String,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct MessageRow {
    pub id: String,
    pub external_id: Option<String>,
    pub direction: String,
    pub subject: String,
    pub from_name: String,
    pub from_address: String,
    pub body: String,
    pub html: Option<String>,
    pub blocked_images: i64,
    pub attachments: String,
    pub links: String,
    /// The indexes of the attachments whose bytes are stored (JSON array).
    pub files: String,
    pub status: String,
    pub error: Option<String>,
    pub auto: bool,
    pub lang: Option<String>,
    pub original: Option<String>,
    /// The Amazon Messaging API kind this message went out as (None: mail or chat).
    pub action: Option<String>,
    /// When its buyer data was deleted (its text is gone).
    pub purged_at: Option<String>,
    /// Its translation for the seller, and into which language.
    pub translation: Option<String>,
    pub translation_lang: Option<String>,
    pub sent_at: String,
}

/// An Amazon order by its account and Amazon's id.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct AmazonOrderRef {
    pub channel_id: String,
    pub external_id: String,
}

/// Everything delivery needs to send one message through Amazon's Messaging API.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct AmazonMessageJob {
    pub message_id: String,
    pub status: String,
    pub action: String,
    pub body: String,
    /// The Amazon order id the message is about.
    pub order_external_id: String,
    /// Set when a send began; still set: its outcome is not known.
    pub submitted_at: Option<String>,
}

/// Everything delivery needs to send one reply by mail.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ReplyJob {
    pub message_id: String,
    /// The reply's own Message-ID (without angle brackets), stable across retries.
    pub external_id: String,
    pub status: String,
    pub body: String,
    pub subject: String,
    pub submitted_at: Option<String>,
    pub conversation_id: String,
    pub mailbox_id: Option<String>,
    pub to_address: Option<String>,
    pub buyer_name: String,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct TemplateRow {
    pub id: String,
    pub name: String,
    pub lang: String,
    pub body: String,
}

impl Store {
    /// Adds a mailbox to a channel account. Returns its id.
    pub async fn add_mailbox(&self, channel_id: &str, settings: &MailboxSettings) -> Result<String, StoreError> {
        let s = validate_mailbox(settings)?;
        self.channel(channel_id).await?;
        let id = new_id();
        let r = sqlx::query(
            "INSERT INTO mailboxes (id, channel_id, address, username, imap_host, imap_port, imap_security, smtp_host, \
             smtp_port, smtp_security, inbox_folder, sent_folder, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(channel_id)
        .bind(&s.address)
        .bind(&s.username)
        .bind(&s.imap_host)
        .bind(s.imap_port)
        .bind(&s.imap_security)
        .bind(&s.smtp_host)
        .bind(s.smtp_port)
        .bind(&s.smtp_security)
        .bind(&s.inbox_folder)
        .bind(&s.sent_folder)
        .bind(crate::now_utc())
        .execute(self.pool())
        .await;
        match r {
            Ok(_) => Ok(id),
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Err(bad("address", "duplicate")),
            Err(e) => Err(e.into()),
        }
    }

    /// Every mailbox, by account and address.
    pub async fn mailboxes(&self) -> Result<Vec<MailboxRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {MAILBOX_COLUMNS} FROM mailboxes m JOIN channels c ON c.id = m.channel_id ORDER BY c.name, m.address"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    /// One mailbox.
    pub async fn mailbox(&self, id: &str) -> Result<MailboxRow, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {MAILBOX_COLUMNS} FROM mailboxes m JOIN channels c ON c.id = m.channel_id WHERE m.id = ?"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| not_found("mailbox", id))
    }

    /// Sets an account's own reply clock (hours; None: no clock) and
    /// re-times its open conversations. Marketplaces keep their own rule.
    pub async fn set_reply_hours(&self, channel_id: &str, hours: Option<i64>) -> Result<(), StoreError> {
        if hours.is_some_and(|h| !(1..=720).contains(&h)) {
            return Err(bad("replyHours", "range"));
        }
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let r = sqlx::query("UPDATE channels SET reply_hours = ?, revision = revision + 1 WHERE id = ?")
            .bind(hours)
            .bind(channel_id)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Err(not_found("channel", channel_id));
        }
        let ids: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT cv.id FROM conversations cv WHERE cv.channel_id = ? AND {NEEDS_REPLY}"
        ))
        .bind(channel_id)
        .fetch_all(&mut *tx)
        .await?;
        for id in ids {
            update_clock(&mut tx, &id).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes a mailbox; its conversations stay (without a mailbox to answer from).
    pub async fn remove_mailbox(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM mailboxes WHERE id = ?").bind(id).execute(self.pool()).await?;
        Ok(())
    }

    /// Records how a mailbox's last check went (`ok` or an error code).
    pub async fn set_mailbox_status(&self, id: &str, status: &str, at: OffsetDateTime) -> Result<(), StoreError> {
        sqlx::query("UPDATE mailboxes SET status = ?, checked_at = ? WHERE id = ?")
            .bind(status)
            .bind(fmt_ts(at))
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Forgets where reading stopped (the folder was recreated: UIDVALIDITY
    /// changed); the next read starts over, and messages already stored are
    /// recognised by their Message-ID.
    pub async fn reset_mail_position(&self, id: &str, uid_validity: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE mailboxes SET uid_validity = ?, last_uid = 0 WHERE id = ?")
            .bind(uid_validity)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Stores a batch of messages and, for mail, the position it reached, in
    /// one transaction.
    pub async fn ingest(
        &self,
        messages: &[NewMessage],
        position: Option<MailPosition<'_>>,
    ) -> Result<IngestReport, StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let report = ingest_in(&mut tx, messages).await?;
        if let Some(p) = position {
            sqlx::query("UPDATE mailboxes SET uid_validity = ?, last_uid = max(last_uid, ?) WHERE id = ?")
                .bind(p.uid_validity)
                .bind(p.last_uid)
                .bind(p.mailbox_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Conversations as the filter asks: newest first; with a search, the
    /// conversations whose newest matching message is newest come first.
    pub async fn conversations_where(
        &self,
        f: &ConversationFilter,
        now: OffsetDateTime,
    ) -> Result<Vec<ConversationRow>, StoreError> {
        let limit = if f.limit <= 0 { 200 } else { f.limit.min(1000) };
        let offset = f.offset.max(0);
        let Some(terms) = f.search.as_deref().map(search_terms).filter(|t| !t.is_empty()) else {
            return self.conversation_rows(f, None, now, limit, offset).await;
        };
        // One term finds the candidates through the trigram index: the one
        // with the fewest (a rare order number, not a word in every mail);
        // each candidate's text is then checked for every term, case-folded
        // in every script. Candidates come newest first (the index's rowids
        // grow with arrival), a page at a time, until enough conversations
        // pass the other filters: a word in every message costs one page.
        let want = usize::try_from(offset + limit).unwrap_or(usize::MAX);
        let drive = self.search_driver(&terms).await?;
        let sql = match &drive {
            Some(Driver::Like(_)) => {
                "SELECT rowid AS seq, body FROM inbox_fts WHERE inbox_fts.body LIKE ? AND rowid < ? \
                 ORDER BY rowid DESC LIMIT ?"
            }
            Some(Driver::Match(_)) => {
                "SELECT rowid AS seq, body FROM inbox_fts WHERE inbox_fts MATCH ? AND rowid < ? \
                 ORDER BY rowid DESC LIMIT ?"
            }
            // one-character terms only: the texts themselves, newest first
            None => {
                "SELECT rowid AS seq, body FROM inbox_fts WHERE ? IS NULL AND rowid < ? ORDER BY rowid DESC LIMIT ?"
            }
        };
        let drive_text = drive.as_ref().map(|d| match d {
            Driver::Like(p) | Driver::Match(p) => p.clone(),
        });
        #[derive(FromRow)]
        struct Candidate {
            seq: i64,
            body: String,
        }
        let mut seen = std::collections::HashSet::new();
        let mut found: Vec<ConversationRow> = vec![];
        let mut below = i64::MAX;
        // pages grow: a page a little larger than what is missing, doubling
        let mut page = i64::try_from(want).unwrap_or(i64::MAX).saturating_mul(2).clamp(20, 2000);
        while found.len() < want {
            let candidates: Vec<Candidate> =
                sqlx::query_as(sql).bind(drive_text.as_deref()).bind(below).bind(page).fetch_all(self.pool()).await?;
            page = (page * 2).min(4000);
            let Some(last) = candidates.last().map(|c| c.seq) else { break };
            below = last;
            let seqs: Vec<i64> = candidates
                .iter()
                .filter(|c| {
                    let text = c.body.to_lowercase();
                    terms.iter().all(|t| text.contains(t.as_str()))
                })
                .map(|c| c.seq)
                .collect();
            if seqs.is_empty() {
                continue;
            }
            #[derive(FromRow)]
            struct Hit {
                seq: i64,
                conversation_id: String,
            }
            let hits: Vec<Hit> = sqlx::query_as(
                "SELECT k.seq, m.conversation_id FROM json_each(?) j JOIN message_search_keys k ON k.seq = j.value \
                 JOIN messages m ON m.id = k.message_id ORDER BY j.key",
            )
            .bind(serde_json::to_string(&seqs).unwrap_or_default())
            .fetch_all(self.pool())
            .await?;
            // only as many new conversations as are still missing: the list rows (with their
            // counts) are the costly part; the next page goes on after the last one taken
            let missing = want - found.len();
            let mut fresh: Vec<String> = vec![];
            for h in hits {
                if fresh.len() == missing {
                    below = h.seq + 1;
                    break;
                }
                if seen.insert(h.conversation_id.clone()) {
                    fresh.push(h.conversation_id);
                }
            }
            if fresh.is_empty() {
                continue;
            }
            let rows = self.conversation_rows(f, Some(&fresh), now, i64::MAX, 0).await?;
            // in match order
            let mut by_id: std::collections::HashMap<String, ConversationRow> =
                rows.into_iter().map(|r| (r.id.clone(), r)).collect();
            found.extend(fresh.iter().filter_map(|id| by_id.remove(id)));
        }
        Ok(found
            .into_iter()
            .skip(usize::try_from(offset).unwrap_or(0))
            .take(usize::try_from(limit).unwrap_or(0))
            .collect())
    }

    /// How the candidates of a search are found: through its rarest term
    /// (counted up to a cap); for a two-character term, any trigram starting
    /// with it. None: no term can use the index.
    async fn search_driver(&self, terms: &[String]) -> Result<Option<Driver>, StoreError> {
        let mut options: Vec<Driver> = vec![];
        for t in terms {
            let chars: Vec<char> = t.chars().collect();
            if chars.len() >= 3 {
                if t.is_ascii() && !t.contains(['%', '_', '\\']) {
                    // the index checks ASCII text itself (LIKE folds ASCII case),
                    // so near misses never leave SQLite
                    options.push(Driver::Like(format!("%{t}%")));
                } else {
                    let grams: Vec<String> =
                        chars.windows(3).map(|w| fts_string(&w.iter().collect::<String>())).collect();
                    options.push(Driver::Match(grams.join(" AND ")));
                }
            } else if chars.len() == 2 {
                let lo: String = chars.iter().collect();
                let next = (chars[1] as u32 + 1..=0x10FFFF).find_map(char::from_u32);
                let hi: String = [Some(chars[0]), next].into_iter().flatten().collect();
                let grams: Vec<String> =
                    sqlx::query_scalar("SELECT term FROM inbox_vocab WHERE term >= ? AND term < ? LIMIT 501")
                        .bind(&lo)
                        .bind(&hi)
                        .fetch_all(self.pool())
                        .await?;
                if grams.is_empty() {
                    // no text holds it: nothing can match
                    return Ok(Some(Driver::Match(fts_string("\u{fdd0}\u{fdd0}\u{fdd0}"))));
                }
                // a pair in too many trigrams finds too much: it is only checked
                if grams.len() <= 500 {
                    options.push(Driver::Match(grams.iter().map(|g| fts_string(g)).collect::<Vec<_>>().join(" OR ")));
                }
            }
        }
        if options.len() <= 1 {
            return Ok(options.pop());
        }
        let mut best: Option<(i64, Driver)> = None;
        for o in options {
            let sql = match &o {
                Driver::Like(_) => {
                    "SELECT count(*) FROM (SELECT 1 FROM inbox_fts WHERE inbox_fts.body LIKE ? LIMIT 200)"
                }
                Driver::Match(_) => "SELECT count(*) FROM (SELECT 1 FROM inbox_fts WHERE inbox_fts MATCH ? LIMIT 200)",
            };
            let (Driver::Like(p) | Driver::Match(p)) = &o;
            let n: i64 = sqlx::query_scalar(sql).bind(p).fetch_one(self.pool()).await?;
            if best.as_ref().is_none_or(|(b, _)| n < *b) {
                best = Some((n, o));
            }
        }
        Ok(best.map(|(_, o)| o))
    }

    /// The list's rows under the filter's conditions (not its search), of
    /// `only` these conversations when given.
    async fn conversation_rows(
        &self,
        f: &ConversationFilter,
        only: Option<&[String]>,
        now: OffsetDateTime,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ConversationRow>, StoreError> {
        let mut conds: Vec<String> = vec![];
        let mut binds: Vec<String> = vec![];
        if let Some(ids) = only {
            conds.push("cv.id IN (SELECT value FROM json_each(?))".into());
            binds.push(serde_json::to_string(ids).unwrap_or_default());
        }
        if let Some(c) = &f.channel_id {
            conds.push("cv.channel_id = ?".into());
            binds.push(c.clone());
        }
        if let Some(m) = &f.mailbox_id {
            conds.push("cv.mailbox_id = ?".into());
            binds.push(m.clone());
        }
        if f.needs_reply {
            conds.push(NEEDS_REPLY.into());
        }
        if f.overdue {
            conds.push(format!("{NEEDS_REPLY} AND cv.reply_by <= ?"));
            binds.push(fmt_ts(now));
        }
        if f.has_order {
            conds.push("cv.order_id IS NOT NULL".into());
        }
        if f.unread {
            conds.push("cv.unread > 0".into());
        }
        let sql = format!(
            "{CONVERSATION_SELECT} {} ORDER BY cv.last_message_at DESC, cv.id DESC LIMIT ? OFFSET ?",
            if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) }
        );
        let mut q = sqlx::query_as::<_, ConversationRow>(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        Ok(q.bind(limit).bind(offset).fetch_all(self.pool()).await?)
    }

    /// One conversation.
    pub async fn conversation(&self, id: &str, _now: OffsetDateTime) -> Result<ConversationRow, StoreError> {
        sqlx::query_as(&format!("{CONVERSATION_SELECT} WHERE cv.id = ?"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| not_found("conversation", id))
    }

    /// A conversation's messages, oldest first.
    pub async fn thread(&self, conversation_id: &str) -> Result<Vec<MessageRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, external_id, direction, subject, from_name, from_address, body, html, blocked_images, attachments, links, \
                    (SELECT json_group_array(f.idx) FROM message_files f WHERE f.message_id = messages.id) AS files, \
                    status, error, auto, lang, original, action, purged_at, translation, translation_lang, sent_at \
             FROM messages WHERE conversation_id = ? ORDER BY sent_at, id",
        )
        .bind(conversation_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The mailbox a conversation is answered from (its own, else the
    /// account's first).
    pub async fn conversation_mailbox(&self, conversation_id: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(cv.mailbox_id, (SELECT id FROM mailboxes m WHERE m.channel_id = cv.channel_id ORDER BY m.address LIMIT 1)) \
             FROM conversations cv WHERE cv.id = ?",
        )
        .bind(conversation_id)
        .fetch_optional(self.pool())
        .await?
        .flatten())
    }

    /// Marks a conversation read.
    pub async fn mark_read(&self, conversation_id: &str) -> Result<(), StoreError> {
        // nothing unread: no write at all (a conversation is opened far more often than it gets mail)
        let unread: Option<i64> = sqlx::query_scalar("SELECT unread FROM conversations WHERE id = ?")
            .bind(conversation_id)
            .fetch_optional(self.pool())
            .await?;
        if unread.unwrap_or(0) == 0 {
            return Ok(());
        }
        #[derive(FromRow)]
        struct Unread {
            channel_id: String,
            kind: String,
            thread_key: String,
            last: Option<String>,
        }
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let u: Option<Unread> = sqlx::query_as(
            "SELECT cv.channel_id, c.kind, cv.thread_key, \
                    (SELECT m.external_id FROM messages m WHERE m.conversation_id = cv.id AND m.direction = 'in' \
                     ORDER BY m.sent_at DESC, m.id DESC LIMIT 1) AS last \
             FROM conversations cv JOIN channels c ON c.id = cv.channel_id \
             WHERE cv.id = ? AND cv.unread > 0 AND cv.mailbox_id IS NULL",
        )
        .bind(conversation_id)
        .fetch_optional(&mut *tx)
        .await?;
        // a chat read here is read on the channel too (the buyer's "seen"), once per last message
        if let Some(Unread { channel_id, kind, thread_key, last: Some(last) }) = u {
            // a chat conversation: Shopee's numeric conversation id (mail on a Shopee account is not one)
            if kind == "shopee" && !thread_key.is_empty() && thread_key.bytes().all(|b| b.is_ascii_digit()) {
                outbox::enqueue(
                    &mut tx,
                    &channel_id,
                    CHAT_READ_KIND,
                    conversation_id,
                    &serde_json::json!({ "conversation": thread_key, "message": last }),
                    &format!("{CHAT_READ_KIND}:{conversation_id}:{last}"),
                )
                .await?;
            }
        }
        sqlx::query("UPDATE conversations SET unread = 0 WHERE id = ?").bind(conversation_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// "No reply needed": closes the clock without an answer (a new buyer
    /// message opens it again).
    pub async fn close_conversation(&self, conversation_id: &str, at: OffsetDateTime) -> Result<(), StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let r = sqlx::query("UPDATE conversations SET closed_at = ?, unread = 0, revision = revision + 1 WHERE id = ?")
            .bind(fmt_ts(at))
            .bind(conversation_id)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Err(not_found("conversation", conversation_id));
        }
        update_clock(&mut tx, conversation_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The navigation's figures at `now`.
    pub async fn inbox_counts(&self, now: OffsetDateTime) -> Result<InboxCounts, StoreError> {
        let now = fmt_ts(now);
        Ok(sqlx::query_as(&format!(
            "SELECT COALESCE(sum(cv.unread > 0), 0) AS unread, COALESCE(sum({NEEDS_REPLY}), 0) AS needs_reply, \
                    COALESCE(sum({NEEDS_REPLY} AND cv.due_soon_at <= ?1 AND cv.reply_by > ?1), 0) AS due_soon, \
                    COALESCE(sum({NEEDS_REPLY} AND cv.reply_by <= ?1), 0) AS overdue \
             FROM conversations cv"
        ))
        .bind(now)
        .fetch_one(self.pool())
        .await?)
    }

    /// Queues a reply: the message (waiting) and its outbox entry in one
    /// transaction. Its Message-ID is made here, once, under the mailbox's
    /// domain; a retry sends the same one. `original` is the seller's own
    /// text when `body` is its translation. Returns the message id.
    pub async fn queue_reply(
        &self,
        conversation_id: &str,
        body: &str,
        lang: &str,
        original: Option<&str>,
        at: OffsetDateTime,
    ) -> Result<String, StoreError> {
        #[derive(FromRow)]
        struct Target {
            channel_id: String,
            kind: String,
            subject: String,
            address: Option<String>,
        }
        let body = body.trim();
        if body.is_empty() {
            return Err(invalid(ErrorPayload::new(ErrorCode::ReplyEmpty)));
        }
        if body.chars().count() > 20_000 {
            return Err(invalid(ErrorPayload::new(ErrorCode::ReplyTooLong).arg("max", 20_000)));
        }
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let t: Target = sqlx::query_as(
            "SELECT cv.channel_id, c.kind, cv.subject, m.address FROM conversations cv JOIN channels c ON c.id = cv.channel_id \
             LEFT JOIN mailboxes m ON m.id = COALESCE(cv.mailbox_id, \
                 (SELECT id FROM mailboxes mb WHERE mb.channel_id = cv.channel_id ORDER BY mb.address LIMIT 1)) \
             WHERE cv.id = ?",
        )
        .bind(conversation_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| not_found("conversation", conversation_id))?;
        let id = new_id();
        let domain = t.address.as_deref().and_then(|a| a.rsplit_once('@')).map_or("mercator.invalid", |(_, d)| d);
        let external = format!("{id}@{domain}");
        let subject = if t.subject.is_empty() { String::new() } else { format!("Re: {}", t.subject) };
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, channel_id, external_id, direction, subject, body, status, lang, original, \
             sent_at, updated_at) VALUES (?, ?, ?, ?, 'out', ?, ?, 'waiting', ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(conversation_id)
        .bind(&t.channel_id)
        .bind(&external)
        .bind(&subject)
        .bind(body)
        .bind(lang)
        .bind(original)
        .bind(fmt_ts(at))
        .bind(crate::now_utc())
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE conversations SET unread = 0, last_message_at = max(last_message_at, ?), revision = revision + 1 WHERE id = ?")
            .bind(fmt_ts(at))
            .bind(conversation_id)
            .execute(&mut *tx)
            .await?;
        // a chat account's conversations are answered in its chat, by its connector
        let kind = if t.kind == "shopee" { CHAT_KIND } else { REPLY_KIND };
        outbox::enqueue(&mut tx, &t.channel_id, kind, &id, &serde_json::json!({ "messageId": external }), &id).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// What delivery needs for one queued reply.
    pub async fn reply_job(&self, message_id: &str) -> Result<ReplyJob, StoreError> {
        sqlx::query_as(
            "SELECT m.id AS message_id, m.external_id, m.status, m.body, m.subject, m.submitted_at, m.conversation_id, \
                    COALESCE(cv.mailbox_id, (SELECT id FROM mailboxes mb WHERE mb.channel_id = cv.channel_id \
                                             ORDER BY mb.address LIMIT 1)) AS mailbox_id, \
                    cv.buyer_address AS to_address, cv.buyer_name \
             FROM messages m JOIN conversations cv ON cv.id = m.conversation_id WHERE m.id = ? AND m.direction = 'out'",
        )
        .bind(message_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| not_found("message", message_id))
    }

    /// The Message-IDs a reply answers, for In-Reply-To (first) and
    /// References (root first): the conversation's mail before it.
    pub async fn reply_parents(&self, message_id: &str) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT p.external_id FROM messages p JOIN messages m ON m.conversation_id = p.conversation_id \
             WHERE m.id = ?1 AND p.id != ?1 AND p.external_id LIKE '%@%' \
               AND p.status IN ('received', 'sent') AND (p.sent_at < m.sent_at OR (p.sent_at = m.sent_at AND p.id < m.id)) \
             ORDER BY p.sent_at DESC, p.id DESC LIMIT 20",
        )
        .bind(message_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The SMTP server accepted the reply (it may not be filed in Sent yet).
    pub async fn reply_submitted(&self, message_id: &str, at: OffsetDateTime) -> Result<(), StoreError> {
        sqlx::query("UPDATE messages SET submitted_at = COALESCE(submitted_at, ?) WHERE id = ?")
            .bind(fmt_ts(at))
            .bind(message_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The reply went out: it stops the conversation's clock.
    pub async fn reply_sent(&self, message_id: &str, at: OffsetDateTime) -> Result<(), StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        #[derive(FromRow)]
        struct Sent {
            conversation_id: String,
            amazon: bool,
        }
        let sent: Option<Sent> = sqlx::query_as(
            "UPDATE messages SET status = 'sent', error = NULL, sent_at = ?, updated_at = ? WHERE id = ? AND direction = 'out' \
             RETURNING conversation_id, action IS NOT NULL AS amazon",
        )
        .bind(fmt_ts(at))
        .bind(crate::now_utc())
        .bind(message_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(Sent { conversation_id: c, amazon }) = sent {
            // an Amazon message is not an answer to the buyer's mail: the clock runs on
            sqlx::query(
                "UPDATE conversations SET last_reply_at = CASE WHEN ? THEN last_reply_at \
                 ELSE max(COALESCE(last_reply_at, ''), ?) END, \
                 last_message_at = max(last_message_at, ?), revision = revision + 1 WHERE id = ?",
            )
            .bind(amazon)
            .bind(fmt_ts(at))
            .bind(fmt_ts(at))
            .bind(&c)
            .execute(&mut *tx)
            .await?;
            update_clock(&mut tx, &c).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The reply could not be sent yet (`failed` shows the reason; it stays
    /// `waiting` while it is retried, `failed` once the outbox gives up or the
    /// server refused it for good).
    pub async fn reply_problem(&self, message_id: &str, error: &str, failed: bool) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE messages SET error = ?, status = CASE WHEN ? THEN 'failed' ELSE status END, updated_at = ? \
             WHERE id = ? AND status != 'sent'",
        )
        .bind(error)
        .bind(failed)
        .bind(crate::now_utc())
        .bind(message_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A failed reply goes back to waiting, and its outbox entry is due now.
    pub async fn retry_reply(&self, message_id: &str) -> Result<(), StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        // an Amazon message whose outcome was unknown: the user looked and it is not there
        sqlx::query(
            "UPDATE messages SET status = 'waiting', error = NULL, \
             submitted_at = CASE WHEN action IS NULL THEN submitted_at END WHERE id = ? AND status = 'failed'",
        )
        .bind(message_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL \
             WHERE kind IN (?, ?, ?) AND aggregate_id = ? AND status IN ('dead', 'pending')",
        )
        .bind(crate::now_utc())
        .bind(REPLY_KIND)
        .bind(AMAZON_MESSAGE_KIND)
        .bind(CHAT_KIND)
        .bind(message_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Queues a message of Amazon's Messaging API (`action`, e.g.
    /// `confirmDeliveryDetails`) about the conversation's order: the
    /// message (waiting) and its outbox entry for the order's account in one
    /// transaction. It does not answer the buyer's mail (Amazon counts only
    /// replies to the buyer's message), so the reply clock is left alone.
    pub async fn queue_amazon_message(
        &self,
        conversation_id: &str,
        m: &AmazonMessageContent<'_>,
        at: OffsetDateTime,
    ) -> Result<String, StoreError> {
        let AmazonMessageContent { action, body, lang, coverage, document } = *m;
        #[derive(FromRow)]
        struct Target {
            channel_id: String,
            kind: String,
        }
        let body = body.trim();
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let t: Option<Target> = sqlx::query_as(
            "SELECT o.channel_id, c.kind FROM conversations cv JOIN orders o ON o.id = cv.order_id \
             JOIN channels c ON c.id = o.channel_id WHERE cv.id = ?",
        )
        .bind(conversation_id)
        .fetch_optional(&mut *tx)
        .await?;
        let t = match t {
            Some(t) if t.kind == "amazon" => t,
            _ => {
                let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM conversations WHERE id = ?")
                    .bind(conversation_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                return Err(match exists {
                    None => not_found("conversation", conversation_id),
                    Some(_) => invalid(ErrorPayload::new(ErrorCode::AmazonMessageNoOrder)),
                });
            }
        };
        let id = new_id();
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, channel_id, external_id, direction, subject, body, status, lang, action, \
             attachments, sent_at, updated_at) VALUES (?, ?, ?, ?, 'out', '', ?, 'waiting', ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(conversation_id)
        .bind(&t.channel_id)
        .bind(format!("amazon-message:{id}"))
        .bind(body)
        .bind(lang)
        .bind(action)
        .bind(match document {
            Some((name, ctype, bytes)) => {
                serde_json::json!([{ "name": name, "type": ctype, "size": bytes.len() }]).to_string()
            }
            None => "[]".into(),
        })
        .bind(fmt_ts(at))
        .bind(crate::now_utc())
        .execute(&mut *tx)
        .await?;
        // the document goes with the message, in the same transaction
        if let Some((_, _, bytes)) = document {
            sqlx::query("INSERT INTO message_files (message_id, idx, data) VALUES (?, 0, ?)")
                .bind(&id)
                .bind(bytes)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE conversations SET last_message_at = max(last_message_at, ?), revision = revision + 1 WHERE id = ?",
        )
        .bind(fmt_ts(at))
        .bind(conversation_id)
        .execute(&mut *tx)
        .await?;
        outbox::enqueue(
            &mut tx,
            &t.channel_id,
            AMAZON_MESSAGE_KIND,
            &id,
            &match coverage {
                Some((from, to)) => serde_json::json!({ "action": action, "coverage": [from, to] }),
                None => serde_json::json!({ "action": action }),
            },
            &id,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The Amazon order a conversation is about: (its account, Amazon's order
    /// id); None when it has no order or the order is not Amazon's.
    pub async fn conversation_amazon_order(&self, conversation_id: &str) -> Result<Option<AmazonOrderRef>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT o.channel_id, o.external_id FROM conversations cv JOIN orders o ON o.id = cv.order_id \
             JOIN channels c ON c.id = o.channel_id WHERE cv.id = ? AND c.kind = 'amazon'",
        )
        .bind(conversation_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Where reading the account's chat stopped (default: never read).
    pub async fn chat_position(&self, channel_id: &str) -> Result<ChatPosition, StoreError> {
        Ok(sqlx::query_as("SELECT last_nanos, status, checked_at FROM chat_positions WHERE channel_id = ?")
            .bind(channel_id)
            .fetch_optional(self.pool())
            .await?
            .unwrap_or_default())
    }

    /// Records a look at the account's chat: its state, and (when given)
    /// the newest conversation time read, which never moves back.
    pub async fn set_chat_position(
        &self,
        channel_id: &str,
        last_nanos: Option<i64>,
        status: &str,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO chat_positions (channel_id, last_nanos, status, checked_at) VALUES (?1, COALESCE(?2, 0), ?3, ?4) \
             ON CONFLICT (channel_id) DO UPDATE SET last_nanos = max(last_nanos, COALESCE(?2, last_nanos)), \
             status = ?3, checked_at = ?4",
        )
        .bind(channel_id)
        .bind(last_nanos)
        .bind(status)
        .bind(fmt_ts(at))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The channel's own key of a conversation (the chat's conversation id).
    pub async fn conversation_thread_key(&self, conversation_id: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT thread_key FROM conversations WHERE id = ?")
            .bind(conversation_id)
            .fetch_optional(self.pool())
            .await?
            .flatten())
    }

    /// A chat reply went out as the channel's message `channel_message_id`:
    /// it takes that id (so reading the chat again finds it stored, and a
    /// copy read meanwhile is dropped), and stops the clock like any reply.
    pub async fn chat_reply_sent(
        &self,
        message_id: &str,
        channel_message_id: &str,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        if !channel_message_id.is_empty() {
            let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
            sqlx::query(
                "DELETE FROM messages WHERE external_id = ?1 AND id != ?2 \
                 AND channel_id = (SELECT channel_id FROM messages WHERE id = ?2) AND direction = 'out'",
            )
            .bind(channel_message_id)
            .bind(message_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE messages SET external_id = ? WHERE id = ?")
                .bind(channel_message_id)
                .bind(message_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        self.reply_sent(message_id, at).await
    }

    /// An attachment's bytes and its message's list of attachments.
    pub async fn message_file(&self, message_id: &str, idx: i64) -> Result<MessageFile, StoreError> {
        sqlx::query_as(
            "SELECT m.attachments, f.data FROM message_files f JOIN messages m ON m.id = f.message_id \
             WHERE f.message_id = ? AND f.idx = ? AND m.purged_at IS NULL",
        )
        .bind(message_id)
        .bind(idx)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| not_found("attachment", message_id))
    }

    /// A message's text and its cached translation, for translating it.
    pub async fn message_text(&self, message_id: &str) -> Result<MessageRow, StoreError> {
        sqlx::query_as(
            "SELECT id, external_id, direction, subject, from_name, from_address, body, html, blocked_images, attachments, links, \
                    '[]' AS files, status, error, auto, lang, original, action, purged_at, translation, translation_lang, sent_at \
             FROM messages WHERE id = ?",
        )
        .bind(message_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| not_found("message", message_id))
    }

    /// Keeps a message's translation (not for a message whose buyer data is gone).
    pub async fn set_translation(&self, message_id: &str, text: &str, lang: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE messages SET translation = ?, translation_lang = ? WHERE id = ? AND purged_at IS NULL")
            .bind(text)
            .bind(lang)
            .bind(message_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// What delivery needs for one queued Amazon message.
    pub async fn amazon_message_job(&self, message_id: &str) -> Result<AmazonMessageJob, StoreError> {
        sqlx::query_as(
            "SELECT m.id AS message_id, m.status, m.action, m.body, o.external_id AS order_external_id, m.submitted_at \
             FROM messages m JOIN conversations cv ON cv.id = m.conversation_id JOIN orders o ON o.id = cv.order_id \
             WHERE m.id = ? AND m.action IS NOT NULL",
        )
        .bind(message_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| not_found("message", message_id))
    }

    /// A send of an Amazon message begins (committed before the request):
    /// found still set later, its outcome is unknown and it is not sent again
    /// on its own. False when a send had begun already.
    pub async fn amazon_message_begin(&self, message_id: &str, at: OffsetDateTime) -> Result<bool, StoreError> {
        let r = sqlx::query("UPDATE messages SET submitted_at = ? WHERE id = ? AND submitted_at IS NULL")
            .bind(fmt_ts(at))
            .bind(message_id)
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Amazon certainly did not take the message (refused, unreachable):
    /// the next send may go.
    pub async fn amazon_message_not_sent(&self, message_id: &str, error: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE messages SET submitted_at = NULL, error = ?, updated_at = ? WHERE id = ? AND status != 'sent'",
        )
        .bind(error)
        .bind(crate::now_utc())
        .bind(message_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Reply templates, by name and language.
    pub async fn templates(&self) -> Result<Vec<TemplateRow>, StoreError> {
        Ok(sqlx::query_as("SELECT id, name, lang, body FROM reply_templates ORDER BY name, lang")
            .fetch_all(self.pool())
            .await?)
    }

    /// Adds or replaces the template `name` in `lang`. Returns its id.
    pub async fn save_template(&self, name: &str, lang: &str, body: &str) -> Result<String, StoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(bad("name", "length"));
        }
        let lang = mercator_core::catalog::validate_language(lang).map_err(invalid)?;
        if body.trim().is_empty() || body.chars().count() > 20_000 {
            return Err(bad("body", "length"));
        }
        // a template that cannot be filled is refused now, not when a buyer waits
        mercator_core::inbox::check_template(body).map_err(invalid)?;
        Ok(sqlx::query_scalar(
            "INSERT INTO reply_templates (id, name, lang, body, updated_at) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT(name, lang) DO UPDATE SET body = excluded.body, revision = revision + 1, updated_at = excluded.updated_at \
             RETURNING id",
        )
        .bind(new_id())
        .bind(name)
        .bind(&lang)
        .bind(body)
        .bind(crate::now_utc())
        .fetch_one(self.pool())
        .await?)
    }

    /// Removes a template.
    pub async fn delete_template(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM reply_templates WHERE id = ?").bind(id).execute(self.pool()).await?;
        Ok(())
    }
}

/// How a search's candidates are read from the trigram index.
enum Driver {
    /// `body LIKE` this pattern (an ASCII term without wildcards).
    Like(String),
    /// This FTS5 query (trigrams of the term, each a string).
    Match(String),
}

/// A search's terms, case-folded (every script), at most 16.
fn search_terms(input: &str) -> Vec<String> {
    input.split_whitespace().take(16).map(str::to_lowercase).collect()
}

/// `s` as one FTS5 string (the tokenizer folds it as it folds the texts).
fn fts_string(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}
