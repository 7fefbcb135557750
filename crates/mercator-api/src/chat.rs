//! A channel's chat in the inbox: Shopee seller chat read into the same
//! conversations as mail (a conversation per Shopee conversation, a message
//! per chat message, stored once by its id), and replies sent through it.
//!
//! - Reading: the conversation list newest first down to the newest time
//!   read before (`Store::chat_position`), then each changed conversation's
//!   messages newest first down to that time; the position moves only after
//!   they are stored.
//! - Not enabled: an app without Shopee's chat module gets a permission
//!   answer; the account's chat is `not-enabled` (shown in the inbox) and is
//!   looked at again only every six hours, never as an error loop.
//! - Replies: sent once in effect. The send is marked before it goes; a send
//!   whose outcome is unknown is looked for in the conversation (the shop's
//!   message with the same text after the mark) before it is sent again.

use crate::{ApiError, ApiResult};
use mercator_channels::shopee::chat::{ChatConversation, ChatMessage};
use mercator_channels::shopee::Shopee;
use mercator_channels::ChannelError;
use mercator_core::{ErrorCode, ErrorPayload};
use mercator_store::inbox::{Direction, NewMessage, ReplyJob};
use mercator_store::outbox::OutboxEntry;
use mercator_store::Store;
use time::OffsetDateTime;

/// How often an account whose app lacks the chat module is looked at again.
pub const NOT_ENABLED_RECHECK: time::Duration = time::Duration::hours(6);
/// At most this many conversations and message pages per conversation a read.
const MAX_CONVERSATIONS: usize = 2000;
const MAX_MESSAGE_PAGES: usize = 20;

/// What one read of an account's chat brought.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatReport {
    pub stored: usize,
    pub conversations: Vec<String>,
    /// The first new message's buyer, for the notification.
    pub buyer: String,
    /// The app lacks Shopee's chat module.
    pub not_enabled: bool,
}

fn message_of(channel_id: &str, c: &ChatConversation, m: &ChatMessage) -> NewMessage {
    let text = match m.kind.as_str() {
        "text" | "" => m.text.clone(),
        kind => format!("[{kind}] {}", m.text).trim().to_string(),
    };
    NewMessage {
        channel_id: channel_id.to_string(),
        mailbox_id: None,
        external_id: m.id.clone(),
        thread: Some(c.id.clone()),
        parents: vec![],
        direction: if m.from_shop { Direction::Out } else { Direction::In },
        subject: String::new(),
        from_name: if m.from_shop { String::new() } else { c.buyer_name.clone() },
        from_address: c.buyer_id.clone(),
        reply_to: c.buyer_id.clone(),
        links: serde_json::to_string(&mercator_channels::mail::text_links(&text)).unwrap_or_else(|_| "[]".into()),
        body: text,
        html: None,
        blocked_images: 0,
        attachments: "[]".into(),
        files: vec![],
        sent_at: OffsetDateTime::from_unix_timestamp(m.created_s).unwrap_or_else(|_| OffsetDateTime::now_utc()),
        order_refs: m.order_sn.iter().cloned().collect(),
        lang: None,
        auto: m.status.contains("auto"),
    }
}

fn channel_err(e: &ChannelError) -> ApiError {
    ApiError(ErrorPayload::from(e))
}

fn not_enabled(e: &ChannelError) -> bool {
    matches!(e, ChannelError::Missing { what: "chat-permission", .. })
}

/// Reads what is new in the account's chat.
pub async fn sync_chat(store: &Store, sp: &Shopee, channel_id: &str, now: OffsetDateTime) -> ApiResult<ChatReport> {
    let pos = store.chat_position(channel_id).await?;
    let mut changed: Vec<ChatConversation> = vec![];
    let mut next: Option<String> = None;
    'pages: loop {
        let page = match sp.chat_conversations(next.as_deref()).await {
            Ok(p) => p,
            Err(e) if not_enabled(&e) => {
                store.set_chat_position(channel_id, None, "not-enabled", now).await?;
                return Ok(ChatReport { not_enabled: true, ..ChatReport::default() });
            }
            Err(e) => {
                let p = ErrorPayload::from(&e);
                store.set_chat_position(channel_id, None, &p.code, now).await?;
                return Err(ApiError(p));
            }
        };
        for c in page.conversations {
            if c.last_nanos <= pos.last_nanos {
                break 'pages;
            }
            changed.push(c);
        }
        match page.next {
            Some(n) if changed.len() < MAX_CONVERSATIONS => next = Some(n),
            _ => break,
        }
    }
    let newest = changed.iter().map(|c| c.last_nanos).max();
    let since_s = pos.last_nanos / 1_000_000_000;
    let mut report = ChatReport::default();
    // oldest conversation first: the list's order follows the chat's
    for c in changed.iter().rev() {
        let mut batch = vec![];
        let mut offset: Option<String> = None;
        for _ in 0..MAX_MESSAGE_PAGES {
            let page = sp.chat_messages(&c.id, offset.as_deref()).await.map_err(|e| channel_err(&e))?;
            let older = page.messages.iter().any(|m| m.created_s < since_s);
            batch.extend(page.messages.iter().map(|m| message_of(channel_id, c, m)));
            match page.next {
                Some(n) if !older => offset = Some(n),
                _ => break,
            }
        }
        batch.reverse();
        let r = store.ingest(&batch, None).await?;
        if !r.stored.is_empty() {
            if report.buyer.is_empty() {
                report.buyer.clone_from(&c.buyer_name);
            }
            report.stored += r.stored.len();
            report.conversations.extend(r.stored.iter().map(|(cv, _)| cv.clone()));
        }
    }
    report.conversations.dedup();
    store.set_chat_position(channel_id, newest, "ok", now).await?;
    Ok(report)
}

/// Whether the account's chat is due a look: always when it works; every six
/// hours when the app lacks the module.
pub async fn chat_due(store: &Store, channel_id: &str, now: OffsetDateTime) -> ApiResult<bool> {
    let pos = store.chat_position(channel_id).await?;
    if pos.status != "not-enabled" {
        return Ok(true);
    }
    let last =
        pos.checked_at.and_then(|c| OffsetDateTime::parse(&c, &time::format_description::well_known::Rfc3339).ok());
    Ok(last.is_none_or(|l| now - l >= NOT_ENABLED_RECHECK))
}

/// The shop's message with this text sent at or after `since` (RFC 3339):
/// the copy of a send whose answer was lost.
async fn sent_copy(sp: &Shopee, conversation: &str, text: &str, since: &str) -> Result<Option<String>, ChannelError> {
    let since_s = OffsetDateTime::parse(since, &time::format_description::well_known::Rfc3339)
        .map_or(0, |t| t.unix_timestamp() - 60);
    let page = sp.chat_messages(conversation, None).await?;
    Ok(page.messages.into_iter().find(|m| m.from_shop && m.created_s >= since_s && m.text == text).map(|m| m.id))
}

/// Sends one queued chat reply (the outbox's `message.chat`).
pub(crate) async fn deliver_chat_reply(store: &Store, sp: &Shopee, e: &OutboxEntry) -> Result<(), ErrorPayload> {
    let st = |x: mercator_store::StoreError| ErrorPayload::from(&x);
    let job: ReplyJob = store.reply_job(&e.aggregate_id).await.map_err(st)?;
    if job.status == "sent" {
        return Ok(());
    }
    let buyer = job
        .to_address
        .clone()
        .filter(|b| !b.is_empty())
        .ok_or_else(|| ErrorPayload::new(ErrorCode::MailNoRecipient))?;
    let conversation = store.conversation_thread_key(&job.conversation_id).await.map_err(st)?.unwrap_or_default();
    if let Some(since) = &job.submitted_at {
        // a send began before and nobody knows how it ended: look first
        match sent_copy(sp, &conversation, &job.body, since).await {
            Ok(Some(id)) => {
                return store.chat_reply_sent(&job.message_id, &id, OffsetDateTime::now_utc()).await.map_err(st)
            }
            Ok(None) => {}
            Err(x) => return Err(ErrorPayload::from(&x)),
        }
    }
    store.reply_submitted(&job.message_id, OffsetDateTime::now_utc()).await.map_err(st)?;
    match sp.send_chat(&buyer, &job.body).await {
        Ok(id) => store.chat_reply_sent(&job.message_id, &id, OffsetDateTime::now_utc()).await.map_err(st),
        // it may have arrived: the mark stays, the next attempt looks first
        Err(x @ (ChannelError::Uncertain(_) | ChannelError::NoAnswer(_))) => {
            let p = ErrorPayload::from(&x);
            store
                .reply_problem(&job.message_id, &serde_json::to_string(&p).unwrap_or_default(), false)
                .await
                .map_err(st)?;
            Err(p)
        }
        Err(x) => {
            let p = ErrorPayload::from(&x);
            let text = serde_json::to_string(&p).unwrap_or_default();
            store.amazon_message_not_sent(&job.message_id, &text).await.map_err(st)?;
            // refused for good (too long, a buyer Shopee does not let us write to, no chat module)
            let final_refusal = matches!(x, ChannelError::Rejected(_) | ChannelError::Missing { .. })
                || e.attempts >= mercator_store::outbox::MAX_ATTEMPTS;
            if final_refusal {
                store.reply_problem(&job.message_id, &text, true).await.map_err(st)?;
            }
            Err(p)
        }
    }
}
