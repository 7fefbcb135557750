//! The support inbox's commands: mailboxes (settings in SQLite, passwords
//! in the keyring), conversations with their clocks and order, templates,
//! the reply lint, replies through the outbox; and the two halves of the
//! mail work the engine runs: [`read_mailbox`] (new mail into the store)
//! and [`deliver_replies_at`] (queued replies out, exactly once in effect).
//!
//! Exactly once: a reply has one Message-ID, made when it is queued. Before
//! any attempt after the first, the mailbox's Sent folder is searched for
//! it; found means sent. The SMTP server's acceptance is recorded before
//! the copy is filed in Sent, so a crash between the two files the copy
//! instead of sending again. What remains is the moment between the SMTP
//! server taking the mail and that record (written on its "250", before the
//! goodbye): a kill there sends the reply again under the same Message-ID,
//! which mail clients fold into one (SMTP has no idempotency key). Replies
//! are claimed one at a time, so a kill costs no attempt to the others.
//! `cargo xtask crash-test --channel mail` kills the mail work at random
//! against Dovecot and an SMTP receiver and checks all of this.

use crate::{ApiError, ApiResult};
use mercator_channels::mail::{parse_mail, MAX_MAIL_BYTES};
use mercator_channels::mailbox::{self, Account, Imap, MailboxError, Outgoing, Security, Server};
use mercator_core::{ErrorCode, ErrorPayload};
use mercator_store::inbox::{
    self as store_inbox, AmazonMessageContent, ConversationFilter, Direction, MailPosition, MailboxSettings, NewMessage,
};
use mercator_store::outbox;
use mercator_store::Store;
use mercator_vault::{Secret, Vault};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use ts_rs::TS;

/// The keyring entry of a mailbox's password.
pub fn vault_account(mailbox_id: &str) -> String {
    format!("mailbox:{mailbox_id}")
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MailboxDto {
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
    pub reply_hours: Option<i64>,
    /// `new`, `ok`, or the error code of the last check.
    pub status: String,
    pub checked_at: Option<String>,
}

/// A mailbox as the seller enters it; the password goes to the keyring only.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MailboxInput {
    pub channel_id: String,
    pub address: String,
    #[serde(default)]
    pub username: String,
    pub password: String,
    pub imap_host: String,
    pub imap_port: i64,
    pub imap_security: String,
    pub smtp_host: String,
    pub smtp_port: i64,
    pub smtp_security: String,
    #[serde(default)]
    pub inbox_folder: String,
    #[serde(default)]
    pub sent_folder: String,
    #[serde(default)]
    pub reply_hours: Option<i64>,
}

fn mailbox_dto(m: store_inbox::MailboxRow) -> MailboxDto {
    MailboxDto {
        id: m.id,
        channel_id: m.channel_id,
        channel_name: m.channel_name,
        address: m.address,
        username: m.username,
        imap_host: m.imap_host,
        imap_port: m.imap_port,
        imap_security: m.imap_security,
        smtp_host: m.smtp_host,
        smtp_port: m.smtp_port,
        smtp_security: m.smtp_security,
        inbox_folder: m.inbox_folder,
        sent_folder: m.sent_folder,
        reply_hours: m.reply_hours,
        status: m.status,
        checked_at: m.checked_at,
    }
}

pub async fn mailboxes(store: &Store) -> ApiResult<Vec<MailboxDto>> {
    Ok(store.mailboxes().await?.into_iter().map(mailbox_dto).collect())
}

async fn vault_set(vault: &Vault, account: String, secret: Secret) -> ApiResult<()> {
    let vault = vault.clone();
    tokio::task::spawn_blocking(move || vault.set(&account, &secret))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal).arg("detail", e.to_string()))??;
    Ok(())
}

async fn vault_get(vault: &Vault, account: String) -> Result<Secret, mercator_vault::VaultError> {
    let vault = vault.clone();
    tokio::task::spawn_blocking(move || vault.get(&account))
        .await
        .unwrap_or_else(|e| Err(mercator_vault::VaultError::Unavailable(e.to_string())))
}

/// Adds a mailbox: its settings to SQLite, its password to the keyring.
/// Nothing is kept when the keyring refuses the password.
pub async fn add_mailbox(store: &Store, vault: &Vault, input: &MailboxInput) -> ApiResult<MailboxDto> {
    if input.password.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidArgument).arg("field", "password").arg("detail", "empty"));
    }
    let settings = MailboxSettings {
        address: input.address.clone(),
        username: input.username.clone(),
        imap_host: input.imap_host.clone(),
        imap_port: input.imap_port,
        imap_security: input.imap_security.clone(),
        smtp_host: input.smtp_host.clone(),
        smtp_port: input.smtp_port,
        smtp_security: input.smtp_security.clone(),
        inbox_folder: input.inbox_folder.clone(),
        sent_folder: input.sent_folder.clone(),
    };
    let id = store.add_mailbox(&input.channel_id, &settings).await?;
    if input.reply_hours.is_some() {
        store.set_reply_hours(&input.channel_id, input.reply_hours).await?;
    }
    if let Err(e) = vault_set(vault, vault_account(&id), Secret::new(input.password.clone())).await {
        store.remove_mailbox(&id).await?;
        return Err(e);
    }
    Ok(mailbox_dto(store.mailbox(&id).await?))
}

/// Removes a mailbox and its password.
pub async fn remove_mailbox(store: &Store, vault: &Vault, id: &str) -> ApiResult<()> {
    store.remove_mailbox(id).await?;
    let (vault, account) = (vault.clone(), vault_account(id));
    let _ = tokio::task::spawn_blocking(move || vault.delete(&account)).await;
    Ok(())
}

/// The mailbox's account for the mail client, its password from the keyring.
pub async fn account_of(
    store: &Store,
    vault: &Vault,
    mailbox_id: &str,
) -> ApiResult<(store_inbox::MailboxRow, Account)> {
    let m = store.mailbox(mailbox_id).await?;
    let password = vault_get(vault, vault_account(mailbox_id))
        .await
        .map_err(|_| ApiError::new(ErrorCode::MailPasswordMissing).arg("address", &m.address))?;
    let server = |host: &str, port: i64, security: &str| Server {
        host: host.to_string(),
        port: u16::try_from(port).unwrap_or(0),
        security: Security::parse(security).unwrap_or(Security::Tls),
    };
    let account = Account {
        address: m.address.clone(),
        username: m.username.clone(),
        password,
        imap: server(&m.imap_host, m.imap_port, &m.imap_security),
        smtp: server(&m.smtp_host, m.smtp_port, &m.smtp_security),
    };
    Ok((m, account))
}

fn mail_err(e: &MailboxError) -> ApiError {
    ApiError(ErrorPayload::from(e))
}

/// Logs in and opens both folders: what the mailbox screen's "Check" shows.
pub async fn check_mailbox(store: &Store, vault: &Vault, id: &str) -> ApiResult<MailboxDto> {
    let (m, account) = account_of(store, vault, id).await?;
    let r = async {
        let mut imap = Imap::connect(&account).await?;
        imap.select(&m.sent_folder).await?;
        imap.select(&m.inbox_folder).await?;
        imap.logout().await;
        Ok::<(), MailboxError>(())
    }
    .await;
    let status = match &r {
        Ok(()) => "ok".to_string(),
        Err(e) => ErrorPayload::from(e).code,
    };
    store.set_mailbox_status(id, &status, OffsetDateTime::now_utc()).await?;
    r.map_err(|e| mail_err(&e))?;
    Ok(mailbox_dto(store.mailbox(id).await?))
}

/// What one read of a mailbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MailReport {
    /// Messages stored (new).
    pub stored: usize,
    /// Mail already stored (read again).
    pub duplicates: usize,
    /// Conversations that got a buyer message.
    pub conversations: Vec<String>,
}

/// Bodies fetched per round trip: few enough that a batch stays small in memory.
const FETCH_BATCH_BYTES: u64 = 48 << 20;
const FETCH_BATCH_COUNT: usize = 200;

/// The message a mail becomes (its Message-ID, or one made from the
/// mailbox and the mail's contents when it has none).
fn message_of(channel_id: &str, mailbox: &store_inbox::MailboxRow, uid: u32, raw: &[u8]) -> Option<NewMessage> {
    let mut mail = match parse_mail(raw) {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(mailbox = %mailbox.id, uid, error = %e, "mail not readable");
            return None;
        }
    };
    let from = mail.from.first().cloned().unwrap_or_default();
    let own = from.address.eq_ignore_ascii_case(&mailbox.address);
    // a mail without a Message-ID is named by its contents, not its UID: the
    // same mail read again after the folder got a new UIDVALIDITY is the same message
    let external_id = mail.message_id.clone().unwrap_or_else(|| {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(raw);
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        format!("sha256-{hex}@{}", mailbox.id)
    });
    let mut parents = mail.in_reply_to.clone();
    for r in mail.references.iter().rev() {
        if !parents.contains(r) {
            parents.push(r.clone());
        }
    }
    let auto = mail.auto;
    let attachments = serde_json::to_string(
        &mail
            .attachments
            .iter()
            .map(|a| serde_json::json!({ "name": a.name, "type": a.content_type, "size": a.size }))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_else(|_| "[]".into());
    Some(NewMessage {
        channel_id: channel_id.to_string(),
        mailbox_id: Some(mailbox.id.clone()),
        external_id,
        thread: None,
        parents,
        direction: if own { Direction::Out } else { Direction::In },
        subject: mail.subject.clone(),
        from_name: from.name.clone(),
        reply_to: mail.reply_to.first().map_or_else(|| from.address.clone(), |r| r.address.clone()),
        from_address: from.address,
        body: mail.text.clone(),
        html: mail.html.clone(),
        blocked_images: i64::try_from(mail.blocked_images).unwrap_or(i64::MAX),
        attachments,
        files: mail.attachments.iter_mut().map(|a| std::mem::take(&mut a.contents)).collect(),
        links: serde_json::to_string(&mail.links).unwrap_or_else(|_| "[]".into()),
        sent_at: mail.date.unwrap_or_else(OffsetDateTime::now_utc),
        order_refs: mail.orders.iter().map(mercator_core::inbox::OrderRef::text).collect(),
        lang: None,
        auto,
    })
}

/// A mail too large to read whole (over [`MAX_MAIL_BYTES`]): its header,
/// with a note in place of the text.
fn too_large(mut m: NewMessage, size: u32) -> NewMessage {
    m.body = format!("[{} MB]", u64::from(size) >> 20);
    m.html = None;
    m.attachments = serde_json::json!([{ "name": "", "type": "message/too-large", "size": size }]).to_string();
    m.files = vec![];
    m.links = "[]".into();
    m
}

/// Reads a mailbox's new mail into the store, in batches each committed
/// with the position it reached. Reuses `imap` (kept open for IDLE) or
/// connects. Returns the connection for the next wait.
pub async fn read_mailbox(
    store: &Store,
    vault: &Vault,
    mailbox_id: &str,
    imap: Option<Imap>,
) -> ApiResult<(Imap, MailReport)> {
    let (m, account) = account_of(store, vault, mailbox_id).await?;
    read_mailbox_with(store, &m, &account, imap).await
}

/// [`read_mailbox`] with the account given (benchmarks build it themselves).
pub async fn read_mailbox_with(
    store: &Store,
    m: &store_inbox::MailboxRow,
    account: &Account,
    imap: Option<Imap>,
) -> ApiResult<(Imap, MailReport)> {
    let r = read_with(store, m, account, imap).await;
    let status = match &r {
        Ok(_) => "ok".to_string(),
        Err(e) => ErrorPayload::from(e).code,
    };
    store.set_mailbox_status(&m.id, &status, OffsetDateTime::now_utc()).await?;
    r.map_err(|e| mail_err(&e))
}

async fn read_with(
    store: &Store,
    m: &store_inbox::MailboxRow,
    account: &Account,
    imap: Option<Imap>,
) -> Result<(Imap, MailReport), MailboxError> {
    let mut imap = match imap {
        Some(i) => i,
        None => Imap::connect(account).await?,
    };
    let folder = imap.ensure_selected(&m.inbox_folder).await?;
    let mut last_uid = u32::try_from(m.last_uid).unwrap_or(0);
    if m.uid_validity.is_some_and(|v| v != i64::from(folder.uid_validity)) {
        // the folder was recreated: its UIDs mean other mail now; read it all again
        // (what is stored already is recognised by its Message-ID)
        store.reset_mail_position(&m.id, i64::from(folder.uid_validity)).await.map_err(|e| store_err(&e))?;
        last_uid = 0;
    }
    let new = imap.new_since(last_uid).await?;
    let mut report = MailReport::default();
    let mut i = 0;
    while i < new.len() {
        // a batch: up to FETCH_BATCH_COUNT mails or FETCH_BATCH_BYTES
        let mut bytes = 0u64;
        let mut end = i;
        while end < new.len() && end - i < FETCH_BATCH_COUNT {
            let size = u64::from(new[end].1).min(MAX_MAIL_BYTES as u64);
            if end > i && bytes + size > FETCH_BATCH_BYTES {
                break;
            }
            bytes += size;
            end += 1;
        }
        let batch = &new[i..end];
        // (uid, size): mail too large to read whole gets its header only
        type Sized = Vec<(u32, u32)>;
        let (big, small): (Sized, Sized) = batch.iter().partition(|(_, size)| *size as usize > MAX_MAIL_BYTES);
        let mut raws = imap.fetch(&small.iter().map(|(u, _)| *u).collect::<Vec<_>>(), false).await?;
        let heads = imap.fetch(&big.iter().map(|(u, _)| *u).collect::<Vec<_>>(), true).await?;
        let mut messages = vec![];
        raws.extend(heads.iter().cloned());
        raws.sort_by_key(|(u, _)| *u);
        for (uid, raw) in &raws {
            if let Some(mut msg) = message_of(&m.channel_id, m, *uid, raw) {
                if let Some((_, size)) = big.iter().find(|(u, _)| u == uid) {
                    msg = too_large(msg, *size);
                }
                messages.push(msg);
            }
        }
        let reached = batch.last().map_or(last_uid, |(u, _)| *u);
        let pos = MailPosition {
            mailbox_id: &m.id,
            uid_validity: i64::from(folder.uid_validity),
            last_uid: i64::from(reached),
        };
        let stored = store.ingest(&messages, Some(pos)).await.map_err(|e| store_err(&e))?;
        report.duplicates += stored.duplicates;
        report.stored += stored.stored.len();
        for (c, _) in stored.stored {
            if !report.conversations.contains(&c) {
                report.conversations.push(c);
            }
        }
        i = end;
    }
    Ok((imap, report))
}

fn store_err(e: &mercator_store::StoreError) -> MailboxError {
    MailboxError::Protocol { host: "store".into(), detail: e.to_string() }
}

/// What a round of reply delivery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepliesReport {
    pub sent: i64,
    pub failed: i64,
    /// Found already in Sent (an earlier attempt went out): not sent again.
    pub found_sent: i64,
}

/// How long a reply's claim lasts; every send is bounded well inside it.
pub const REPLY_LEASE: Duration = Duration::minutes(10);

/// Sends the replies that are due (see the module docs for exactly once).
pub async fn deliver_replies_at(store: &Store, vault: &Vault, now: OffsetDateTime) -> ApiResult<RepliesReport> {
    deliver_replies_with(store, vault, now, REPLY_LEASE).await
}

/// [`deliver_replies_at`] with another lease (tests).
pub async fn deliver_replies_with(
    store: &Store,
    vault: &Vault,
    now: OffsetDateTime,
    lease: Duration,
) -> ApiResult<RepliesReport> {
    let internal = |e: mercator_store::outbox::Error| ApiError::new(ErrorCode::Internal).arg("detail", e.to_string());
    let mut report = RepliesReport::default();
    // the send is cut off well inside the lease, so no second sender can take a reply over mid-send
    let budget = std::time::Duration::try_from(lease / 2).unwrap_or(std::time::Duration::from_secs(60));
    // mailboxes found unreachable in this round: their other replies wait too
    let mut unreachable: Vec<String> = vec![];
    loop {
        let clock = now.max(OffsetDateTime::now_utc());
        // one reply at a time: the claim (and its counted attempt) is taken
        // just before that reply's send, so a sender killed mid-round costs
        // no attempt to the replies it had not reached, and the lease covers
        // one send only
        let batch = outbox::claim_due_mail(store.pool(), clock, lease, 1).await.map_err(internal)?;
        if batch.is_empty() {
            return Ok(report);
        }
        for e in batch {
            let job = store.reply_job(&e.aggregate_id).await;
            let job = match job {
                Ok(j) => j,
                Err(err) => {
                    // the message is gone (its conversation was removed): nothing to send
                    tracing::warn!(error = %err, "reply without its message");
                    outbox::mark_sent(store.pool(), &e).await.map_err(internal)?;
                    continue;
                }
            };
            if job.status == "sent" {
                outbox::mark_sent(store.pool(), &e).await.map_err(internal)?;
                continue;
            }
            if job.mailbox_id.as_ref().is_some_and(|m| unreachable.contains(m)) {
                outbox::release(store.pool(), &e, "", clock + Duration::seconds(15)).await.map_err(internal)?;
                continue;
            }
            let outcome = match tokio::time::timeout(budget, send_reply(store, vault, &job, e.attempts)).await {
                Ok(r) => r,
                Err(_) => Err(Failure::Later(
                    ErrorPayload::new(ErrorCode::MailConnect)
                        .arg("host", "")
                        .arg("port", "")
                        .arg("detail", "no answer"),
                )),
            };
            let text = |p: &ErrorPayload| serde_json::to_string(p).unwrap_or_default();
            match outcome {
                Ok(found) => {
                    store.reply_sent(&job.message_id, OffsetDateTime::now_utc()).await?;
                    outbox::mark_sent(store.pool(), &e).await.map_err(internal)?;
                    if found {
                        report.found_sent += 1;
                    } else {
                        report.sent += 1;
                    }
                }
                Err(Failure::Unreachable(p)) => {
                    // offline or the server is down: wait without counting an attempt against the reply
                    if let Some(m) = &job.mailbox_id {
                        unreachable.push(m.clone());
                    }
                    store.reply_problem(&job.message_id, &text(&p), false).await?;
                    outbox::release(store.pool(), &e, &text(&p), clock + Duration::seconds(15))
                        .await
                        .map_err(internal)?;
                    report.failed += 1;
                }
                Err(Failure::Later(p)) => {
                    store.reply_problem(&job.message_id, &text(&p), e.attempts >= outbox::MAX_ATTEMPTS).await?;
                    outbox::mark_failed(store.pool(), &e, &text(&p), OffsetDateTime::now_utc())
                        .await
                        .map_err(internal)?;
                    report.failed += 1;
                }
                Err(Failure::Final(p)) => {
                    // refused for good, or the settings are wrong: the seller sees why and retries
                    store.reply_problem(&job.message_id, &text(&p), true).await?;
                    outbox::park(store.pool(), &e, &text(&p)).await.map_err(internal)?;
                    report.failed += 1;
                }
            }
        }
    }
}

enum Failure {
    Unreachable(ErrorPayload),
    Later(ErrorPayload),
    Final(ErrorPayload),
}

impl From<MailboxError> for Failure {
    fn from(e: MailboxError) -> Self {
        let p = ErrorPayload::from(&e);
        if e.is_unreachable() {
            Failure::Unreachable(p)
        } else if e.is_transient() {
            Failure::Later(p)
        } else {
            Failure::Final(p)
        }
    }
}

/// Sends one reply; Ok(true) when it was found already sent.
async fn send_reply(store: &Store, vault: &Vault, job: &store_inbox::ReplyJob, attempt: i64) -> Result<bool, Failure> {
    let api = |e: ApiError| Failure::Final(e.0);
    let Some(mailbox_id) = &job.mailbox_id else {
        return Err(Failure::Final(ErrorPayload::new(ErrorCode::MailboxMissing)));
    };
    let Some(to) = job.to_address.as_deref().filter(|a| !a.is_empty()) else {
        return Err(Failure::Final(ErrorPayload::new(ErrorCode::MailNoRecipient)));
    };
    let (m, account) = account_of(store, vault, mailbox_id).await.map_err(api)?;
    let parents = store.reply_parents(&job.message_id).await.map_err(|e| api(e.into()))?;
    let out = Outgoing {
        from_name: m.channel_name.clone(),
        from: m.address.clone(),
        to_name: job.buyer_name.clone(),
        to: to.to_string(),
        subject: job.subject.clone(),
        message_id: job.external_id.clone(),
        parents,
        body: job.body.clone(),
    };
    let mail = out.build()?;
    let mut imap = Imap::connect(&account).await?;
    // a retry, or a reply the server took already: look in Sent first
    if (attempt > 1 || job.submitted_at.is_some()) && imap.has_message_id(&m.sent_folder, &job.external_id).await? {
        imap.logout().await;
        return Ok(true);
    }
    if job.submitted_at.is_none() {
        let mut smtp = mailbox::Smtp::connect(&account).await?;
        smtp.submit(&mail).await?;
        // recorded before the goodbye: a crash from here on files the copy instead of sending again
        if let Err(e) = store.reply_submitted(&job.message_id, OffsetDateTime::now_utc()).await {
            // the mail is the server's: never "failed" (a retry would send it again);
            // the copy filed in Sent below is what the next round finds
            tracing::warn!(error = %e, "a sent reply's submission was not recorded");
        }
        smtp.quit().await;
    }
    imap.append(&m.sent_folder, &mail.formatted()).await?;
    imap.logout().await;
    Ok(false)
}

// ---- conversations ----

/// What the inbox list is narrowed to (the UI's filters).
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[allow(clippy::struct_excessive_bools)]
#[serde(rename_all = "camelCase", default)]
pub struct InboxFilter {
    pub channel_id: Option<String>,
    pub mailbox_id: Option<String>,
    pub needs_reply: bool,
    pub overdue: bool,
    pub has_order: bool,
    pub unread: bool,
    pub search: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConversationDto {
    pub id: String,
    pub channel_id: String,
    pub channel_name: String,
    pub channel_kind: String,
    pub market: String,
    pub buyer_name: String,
    pub buyer_lang: String,
    pub subject: String,
    /// Untrusted buyer text: shown as text, never as HTML.
    pub last_message: String,
    pub last_message_at: String,
    /// `closed`, `answered`, `waiting`, `due`, `due-soon`, `overdue` (`reply-state-<state>`).
    pub reply_state: String,
    pub reply_by: Option<String>,
    pub unread: i64,
    pub order_id: Option<String>,
    pub order_number: Option<String>,
    pub waiting_replies: i64,
    pub failed_replies: i64,
    pub message_count: i64,
}

fn conversation_dto(r: store_inbox::ConversationRow, now: OffsetDateTime) -> ConversationDto {
    let state = r.reply_state(now);
    ConversationDto {
        reply_state: state.code().to_string(),
        reply_by: if state.needs_reply() { r.reply_by } else { None },
        id: r.id,
        channel_id: r.channel_id,
        channel_name: r.channel_name,
        channel_kind: r.channel_kind,
        market: r.market,
        buyer_name: r.buyer_name,
        buyer_lang: r.buyer_lang,
        subject: r.subject,
        last_message: r.last_message,
        last_message_at: r.last_message_at,
        unread: r.unread,
        order_id: r.order_id,
        order_number: r.order_number,
        waiting_replies: r.waiting_replies,
        failed_replies: r.failed_replies,
        message_count: r.message_count,
    }
}

pub async fn conversations(
    store: &Store,
    filter: &InboxFilter,
    offset: i64,
    limit: i64,
) -> ApiResult<Vec<ConversationDto>> {
    let now = OffsetDateTime::now_utc();
    let f = ConversationFilter {
        channel_id: filter.channel_id.clone().filter(|c| !c.is_empty()),
        mailbox_id: filter.mailbox_id.clone().filter(|c| !c.is_empty()),
        needs_reply: filter.needs_reply,
        overdue: filter.overdue,
        has_order: filter.has_order,
        unread: filter.unread,
        search: filter.search.clone().filter(|s| !s.trim().is_empty()),
        limit,
        offset,
    };
    Ok(store.conversations_where(&f, now).await?.into_iter().map(|r| conversation_dto(r, now)).collect())
}

#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InboxCountsDto {
    pub unread: i64,
    pub needs_reply: i64,
    pub due_soon: i64,
    pub overdue: i64,
}

pub async fn counts(store: &Store) -> ApiResult<InboxCountsDto> {
    let c = store.inbox_counts(OffsetDateTime::now_utc()).await?;
    Ok(InboxCountsDto { unread: c.unread, needs_reply: c.needs_reply, due_soon: c.due_soon, overdue: c.overdue })
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentDto {
    /// Its place in the message (what [`save_attachment`] takes).
    pub index: i64,
    /// The buyer's file name made safe (no folders, no hidden characters).
    pub name: String,
    pub content_type: String,
    pub size: i64,
    /// Its bytes are kept (false for mail too large to read, or stored before attachments were kept).
    pub stored: bool,
    /// Opening it could run code: Mercator only shows it in its folder.
    pub runs_code: bool,
}

/// A link in a message, with where it really goes.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkDto {
    /// The real target (`http`/`https` only).
    pub url: String,
    pub host: String,
    /// What the message shows for it.
    pub text: String,
    /// The other host the text names, when the text looks like an address
    /// of another site than the target (a phishing link).
    pub text_host: Option<String>,
}

fn link_dtos(links: &str) -> Vec<LinkDto> {
    let links: Vec<mercator_channels::mail::Link> = serde_json::from_str(links).unwrap_or_default();
    links
        .into_iter()
        .filter_map(|l| {
            let host = url::Url::parse(&l.url).ok()?.host_str()?.to_ascii_lowercase();
            let text_host = mercator_core::inbox::host_named_by(&l.text)
                .filter(|h| h.trim_start_matches("www.") != host.trim_start_matches("www."));
            Some(LinkDto { url: l.url, host, text: l.text, text_host })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MessageDto {
    pub id: String,
    /// `in` (buyer) or `out` (seller).
    pub direction: String,
    pub subject: String,
    pub from_name: String,
    pub from_address: String,
    /// Untrusted: shown as text.
    pub body: String,
    /// Sanitised HTML (no script, style, event handler, remote image or
    /// unsafe URL), shown in a sandboxed frame; None for plain mail.
    pub html: Option<String>,
    pub blocked_images: i64,
    pub attachments: Vec<AttachmentDto>,
    /// Its links (none is clickable in the shown mail): opened in the
    /// system browser only after the real target was shown.
    pub links: Vec<LinkDto>,
    /// `received`, or a reply's `waiting`, `sent`, `failed`.
    pub status: String,
    #[ts(type = "ErrorPayload | null")]
    pub error: Option<ErrorPayload>,
    pub auto: bool,
    /// The reply's language, and the seller's own text when it was translated.
    pub lang: Option<String>,
    pub original: Option<String>,
    /// Sent through Amazon's Messaging API as this kind (None: mail or chat).
    pub action: Option<String>,
    /// Its buyer data was deleted (30 days after shipment): the text is gone.
    pub purged: bool,
    /// Its translation for the seller (kept), and into which language.
    pub translation: Option<String>,
    pub translation_lang: Option<String>,
    pub sent_at: String,
}

fn message_dto(m: store_inbox::MessageRow) -> MessageDto {
    let attachments: Vec<serde_json::Value> = serde_json::from_str(&m.attachments).unwrap_or_default();
    let files: Vec<i64> = serde_json::from_str(&m.files).unwrap_or_default();
    MessageDto {
        id: m.id,
        direction: m.direction,
        subject: m.subject,
        from_name: m.from_name,
        from_address: m.from_address,
        body: m.body,
        html: m.html,
        blocked_images: m.blocked_images,
        attachments: attachments
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let raw = a["name"].as_str().unwrap_or_default();
                let content_type = a["type"].as_str().unwrap_or_default().to_string();
                let index = i64::try_from(i).unwrap_or(i64::MAX);
                AttachmentDto {
                    index,
                    name: if raw.is_empty() { String::new() } else { mercator_core::inbox::safe_file_name(raw) },
                    runs_code: mercator_core::inbox::runs_code(raw, &content_type),
                    content_type,
                    size: a["size"].as_i64().unwrap_or(0),
                    stored: files.contains(&index),
                }
            })
            .collect(),
        links: link_dtos(&m.links),
        status: m.status,
        error: m.error.as_deref().map(|e| {
            serde_json::from_str(e).unwrap_or_else(|_| ErrorPayload::new(ErrorCode::MailRejected).arg("reason", e))
        }),
        auto: m.auto,
        lang: m.lang,
        original: m.original,
        action: m.action,
        purged: m.purged_at.is_some(),
        translation: m.translation,
        translation_lang: m.translation_lang,
        sent_at: m.sent_at,
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ThreadDto {
    pub conversation: ConversationDto,
    pub messages: Vec<MessageDto>,
    pub order: Option<crate::sync::OrderDetailDto>,
    /// The language to answer in (the buyer's, detected or the market's).
    pub reply_lang: String,
    /// The buyer's address replies go to (none: the conversation cannot be answered by mail).
    pub reply_to: Option<String>,
    /// The account has a mailbox to answer from.
    pub can_reply: bool,
    /// The reply goes to a marketplace buyer: the policy lint applies.
    pub marketplace: bool,
    /// The order is Amazon's: its Messaging API messages can be sent.
    pub amazon_messages: bool,
    /// A chat conversation (Shopee): the account's chat state (`ok`, `new`,
    /// `not-enabled` when the app lacks the chat module, or an error code).
    pub chat: Option<String>,
}

/// A conversation with its messages and order; opening it marks it read.
pub async fn thread(store: &Store, conversation_id: &str) -> ApiResult<ThreadDto> {
    let now = OffsetDateTime::now_utc();
    store.mark_read(conversation_id).await?;
    let c = store.conversation(conversation_id, now).await?;
    let messages: Vec<MessageDto> = store.thread(conversation_id).await?.into_iter().map(message_dto).collect();
    let order = match &c.order_id {
        Some(o) => Some(crate::sync::order_detail(store, o).await?),
        None => None,
    };
    let chat = if c.channel_kind == "shopee" { Some(store.chat_position(&c.channel_id).await?.status) } else { None };
    let can_reply = match (&chat, store.conversation_mailbox(conversation_id).await?) {
        (Some(state), _) => state != "not-enabled" && c.buyer_address.as_deref().is_some_and(|a| !a.is_empty()),
        (None, Some(m)) => store.mailbox(&m).await.is_ok(),
        (None, None) => false,
    };
    let marketplace = !matches!(c.channel_kind.as_str(), "shopify" | "woocommerce");
    let reply_to = c.buyer_address.clone().filter(|a| !a.is_empty());
    let amazon_messages = store.conversation_amazon_order(conversation_id).await?.is_some();
    Ok(ThreadDto {
        amazon_messages,
        chat,
        reply_lang: c.buyer_lang.clone(),
        reply_to,
        can_reply,
        marketplace,
        conversation: conversation_dto(c, now),
        messages,
        order,
    })
}

/// "No reply needed".
pub async fn close(store: &Store, conversation_id: &str) -> ApiResult<()> {
    Ok(store.close_conversation(conversation_id, OffsetDateTime::now_utc()).await?)
}

// ---- templates, lint, replies ----

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TemplateDto {
    pub id: String,
    pub name: String,
    pub lang: String,
    pub body: String,
}

pub async fn templates(store: &Store) -> ApiResult<Vec<TemplateDto>> {
    Ok(store
        .templates()
        .await?
        .into_iter()
        .map(|t| TemplateDto { id: t.id, name: t.name, lang: t.lang, body: t.body })
        .collect())
}

pub async fn save_template(store: &Store, name: &str, lang: &str, body: &str) -> ApiResult<String> {
    Ok(store.save_template(name, lang, body).await?)
}

pub async fn delete_template(store: &Store, id: &str) -> ApiResult<()> {
    Ok(store.delete_template(id).await?)
}

/// Something the reply must not carry to a marketplace buyer (`reply-lint-<code>`).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LintIssueDto {
    pub code: String,
    pub text: String,
}

/// A reply drafted from a template: the text, or why it cannot be filled.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftDto {
    pub template_id: String,
    pub lang: String,
    pub body: String,
    pub lint: Vec<LintIssueDto>,
}

fn lint_of(text: &str) -> Vec<LintIssueDto> {
    mercator_core::inbox::lint_reply(text)
        .into_iter()
        .map(|i| LintIssueDto { code: i.code.to_string(), text: i.text })
        .collect()
}

/// The policy lint of a reply (empty for an own store's buyer).
pub async fn lint(store: &Store, conversation_id: &str, text: &str) -> ApiResult<Vec<LintIssueDto>> {
    let c = store.conversation(conversation_id, OffsetDateTime::now_utc()).await?;
    Ok(if matches!(c.channel_kind.as_str(), "shopify" | "woocommerce") { vec![] } else { lint_of(text) })
}

/// Fills the template for this conversation (in the buyer's language when
/// `template_id` is None), for the seller to edit before sending.
pub async fn draft(store: &Store, conversation_id: &str, template_id: Option<&str>) -> ApiResult<DraftDto> {
    let c = store.conversation(conversation_id, OffsetDateTime::now_utc()).await?;
    let all = store.templates().await?;
    let row = match template_id {
        Some(id) => all.iter().find(|t| t.id == id),
        None => {
            let ts: Vec<mercator_core::inbox::Template> = all
                .iter()
                .map(|t| mercator_core::inbox::Template {
                    name: t.name.clone(),
                    lang: t.lang.clone(),
                    body: t.body.clone(),
                })
                .collect();
            mercator_core::inbox::pick_template(&ts, &c.buyer_lang)
                .and_then(|p| all.iter().find(|t| t.name == p.name && t.lang == p.lang))
        }
    };
    let Some(t) = row else {
        return Err(ApiError::new(ErrorCode::InvalidArgument).arg("field", "template").arg("detail", "missing"));
    };
    let mut values = std::collections::BTreeMap::new();
    values.insert("buyer_name", c.buyer_name.clone());
    if let Some(o) = &c.order_id {
        let d = crate::sync::order_detail(store, o).await?;
        values.insert("order_number", d.order_number.clone());
        values.insert(
            "items",
            d.lines.iter().map(|l| format!("{} × {}", l.quantity, l.title)).collect::<Vec<_>>().join(", "),
        );
        if let Some(s) = d.shipments.last() {
            values.insert("tracking_number", s.tracking_number.clone());
            values.insert("carrier", s.carrier_name.clone());
            values.insert("tracking_link", s.tracking_url.clone());
        }
    }
    if let Some(addr) = store.setting("return_address").await? {
        values.insert("return_address", addr);
    }
    let body = mercator_core::inbox::render_template(&t.body, &values).map_err(ApiError)?;
    let lint = if matches!(c.channel_kind.as_str(), "shopify" | "woocommerce") { vec![] } else { lint_of(&body) };
    Ok(DraftDto { template_id: t.id.clone(), lang: t.lang.clone(), body, lint })
}

/// A reply as the seller sends it.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplyInput {
    pub conversation_id: String,
    pub body: String,
    pub lang: String,
    /// The seller's own text when `body` is its translation.
    #[serde(default)]
    pub original: Option<String>,
    /// Send although the lint found something (the seller looked at it).
    #[serde(default)]
    pub override_lint: bool,
}

/// Queues a reply (it goes out through the outbox, also later when
/// offline). A marketplace reply the lint objects to is refused unless the
/// seller overrides it. Returns the message id.
pub async fn reply(store: &Store, input: &ReplyInput) -> ApiResult<String> {
    if !input.override_lint {
        let issues = lint(store, &input.conversation_id, &input.body).await?;
        if let Some(first) = issues.first() {
            return Err(ApiError::new(ErrorCode::ReplyLint).arg("rule", &first.code).arg("text", &first.text));
        }
    }
    let lang = mercator_core::catalog::validate_language(&input.lang).map_err(ApiError)?;
    Ok(store
        .queue_reply(&input.conversation_id, &input.body, &lang, input.original.as_deref(), OffsetDateTime::now_utc())
        .await?)
}

/// An attachment written to the profile to be opened.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedAttachmentDto {
    /// Where it was written.
    pub path: String,
    /// Opening it could run code: the shell shows it in its folder instead.
    pub runs_code: bool,
}

/// The folder attachments are written to when the seller opens them (in
/// the profile; emptied at each start: the bytes stay in the database).
pub fn attachments_dir(data_dir: &std::path::Path) -> std::path::PathBuf {
    data_dir.join(mercator_store::ATTACHMENTS_DIR)
}

/// Writes a stored attachment under `dir` (`<message>/<safe name>`,
/// complete or not at all) for the OS to open on the seller's request.
pub async fn save_attachment(
    store: &Store,
    dir: &std::path::Path,
    message_id: &str,
    index: i64,
) -> ApiResult<SavedAttachmentDto> {
    let unavailable = || ApiError::new(ErrorCode::AttachmentUnavailable);
    // the id names a folder: only an id as Mercator makes them
    if message_id.is_empty() || !message_id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(unavailable());
    }
    let file = match store.message_file(message_id, index).await {
        Ok(f) => f,
        Err(mercator_store::StoreError::NotFound { .. }) => return Err(unavailable()),
        Err(e) => return Err(e.into()),
    };
    let list: Vec<serde_json::Value> = serde_json::from_str(&file.attachments).unwrap_or_default();
    let entry = usize::try_from(index).ok().and_then(|i| list.get(i)).ok_or_else(unavailable)?;
    let raw = entry["name"].as_str().unwrap_or_default();
    let content_type = entry["type"].as_str().unwrap_or_default();
    let name = mercator_core::inbox::safe_file_name(raw);
    let folder = dir.join(message_id).join(index.to_string());
    let path = folder.join(&name);
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(&folder)?;
        let partial = folder.join(format!(".{name}.partial"));
        std::fs::write(&partial, &file.data)?;
        mark_from_internet(&partial);
        std::fs::rename(&partial, &path)
    };
    write().map_err(|e| {
        ApiError::new(ErrorCode::AttachmentSaveFailed).arg("path", path.display()).arg("detail", e.to_string())
    })?;
    Ok(SavedAttachmentDto {
        path: path.display().to_string(),
        runs_code: mercator_core::inbox::runs_code(raw, content_type),
    })
}

/// Marks a written attachment as come from the internet, as a browser
/// does, so the OS's own checks apply when it is opened (Windows: the
/// `Zone.Identifier` stream that SmartScreen and Office's macro block read;
/// macOS: the quarantine attribute Gatekeeper reads). Best effort.
#[allow(unused_variables)]
fn mark_from_internet(path: &std::path::Path) {
    #[cfg(windows)]
    {
        let mut stream = path.as_os_str().to_owned();
        stream.push(":Zone.Identifier");
        let _ = std::fs::write(std::path::PathBuf::from(stream), "[ZoneTransfer]\r\nZoneId=3\r\n");
    }
    #[cfg(target_os = "macos")]
    {
        let stamp = OffsetDateTime::now_utc().unix_timestamp();
        let _ = std::process::Command::new("/usr/bin/xattr")
            .args(["-w", "com.apple.quarantine", &format!("0081;{stamp:x};Mercator;")])
            .arg(path)
            .status();
    }
}

/// Deletes the attachments written for opening in an earlier run.
pub fn clear_saved_attachments(data_dir: &std::path::Path) {
    let dir = attachments_dir(data_dir);
    if dir.exists() {
        if let Err(e) = std::fs::remove_dir_all(&dir) {
            tracing::warn!(error = %e, "opened attachments not deleted");
        }
    }
}

/// The real target of a message's link `index` (`http`/`https` only), for
/// the shell to open in the system browser after the seller saw it.
pub async fn message_link(store: &Store, message_id: &str, index: i64) -> ApiResult<String> {
    let m = match store.message_text(message_id).await {
        Ok(m) => m,
        Err(mercator_store::StoreError::NotFound { .. }) => return Err(ApiError::new(ErrorCode::LinkUnavailable)),
        Err(e) => return Err(e.into()),
    };
    let links = link_dtos(&m.links);
    usize::try_from(index)
        .ok()
        .and_then(|i| links.get(i))
        .map(|l| l.url.clone())
        .ok_or_else(|| ApiError::new(ErrorCode::LinkUnavailable))
}

/// Puts a failed reply back in line.
pub async fn retry_reply(store: &Store, message_id: &str) -> ApiResult<()> {
    Ok(store.retry_reply(message_id).await?)
}

// ---- Amazon's Messaging API ----

/// One kind of message Amazon allows about an order.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AmazonMessageKindDto {
    /// Amazon's name (`confirmDeliveryDetails` ...); the UI names it `amazon-kind-<name>`.
    pub name: String,
    /// The longest text Amazon takes (characters).
    pub max_text: i64,
    /// Mercator can send it (false: it needs a document or dates not offered yet).
    pub offered: bool,
}

/// What Amazon allows for a conversation's order now.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AmazonActionsDto {
    pub kinds: Vec<AmazonMessageKindDto>,
    /// The buyer's language as Amazon knows it (e.g. `de-DE`).
    pub buyer_locale: Option<String>,
    /// Why Amazon could not be asked (offline, credentials): the list is empty then.
    #[ts(type = "ErrorPayload | null")]
    pub problem: Option<ErrorPayload>,
}

/// Asks Amazon which messages the conversation's order allows (a live
/// call: offline, the answer carries the problem and no kinds).
pub async fn amazon_actions(store: &Store, vault: &Vault, conversation_id: &str) -> ApiResult<AmazonActionsDto> {
    let Some(order) = store.conversation_amazon_order(conversation_id).await? else {
        return Err(ApiError::new(ErrorCode::AmazonMessageNoOrder));
    };
    match crate::sync::connector_for(store, vault, &order.channel_id).await {
        Ok(crate::sync::Connector::Amazon(a)) => amazon_actions_with(store, &a, conversation_id).await,
        Ok(_) => Err(ApiError::new(ErrorCode::AmazonMessageNoOrder)),
        Err(e) => Ok(AmazonActionsDto { kinds: vec![], buyer_locale: None, problem: Some(e.0) }),
    }
}

/// [`amazon_actions`] through this connector.
pub async fn amazon_actions_with(
    store: &Store,
    a: &mercator_channels::amazon::Amazon,
    conversation_id: &str,
) -> ApiResult<AmazonActionsDto> {
    let Some(order) = store.conversation_amazon_order(conversation_id).await? else {
        return Err(ApiError::new(ErrorCode::AmazonMessageNoOrder));
    };
    let empty = |p: ErrorPayload| AmazonActionsDto { kinds: vec![], buyer_locale: None, problem: Some(p) };
    let names = match a.messaging_actions(&order.external_id).await {
        Ok(n) => n,
        Err(e) => return Ok(empty(ErrorPayload::from(&e))),
    };
    let buyer_locale = a.buyer_locale(&order.external_id).await.ok().flatten();
    let kinds = names
        .iter()
        .filter_map(|n| mercator_channels::amazon::messaging::kind(n))
        .map(|k| AmazonMessageKindDto {
            name: k.name.to_string(),
            max_text: i64::try_from(k.max_text).unwrap_or(0),
            offered: offered(k),
        })
        .collect();
    Ok(AmazonActionsDto { kinds, buyer_locale, problem: None })
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AmazonMessageInput {
    pub conversation_id: String,
    /// The kind, as [`amazon_actions`] named it.
    pub action: String,
    pub body: String,
    /// The language it is written in.
    pub lang: String,
    /// Send although the policy lint found something.
    pub override_lint: bool,
    /// A warranty's first and last day covered (`YYYY-MM-DD`); other kinds take none.
    #[ts(optional)]
    pub coverage_start: Option<String>,
    #[ts(optional)]
    pub coverage_end: Option<String>,
}

/// A warranty's coverage as Amazon takes it (RFC 3339, each day at noon
/// UTC, which is that day in every marketplace): both days, the first not
/// after the last, at most 10 years.
fn warranty_coverage(start: Option<&str>, end: Option<&str>) -> ApiResult<(String, String)> {
    let bad = || ApiError::new(ErrorCode::WarrantyDates);
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = |d: Option<&str>| d.map(str::trim).and_then(|d| time::Date::parse(d, &format).ok()).ok_or_else(bad);
    let (from, to) = (day(start)?, day(end)?);
    // ten years: the last day covered is before the same date ten years on
    // (from 29 February: before 1 March ten years on)
    let limit = from
        .replace_year(from.year() + 10)
        .or_else(|_| time::Date::from_calendar_date(from.year() + 10, time::Month::March, 1))
        .map_err(|_| bad())?;
    if from > to || to >= limit {
        return Err(bad());
    }
    // noon UTC names the same calendar day in every marketplace's time zone
    Ok((format!("{from}T12:00:00Z"), format!("{to}T12:00:00Z")))
}

/// The kinds Mercator sends: all of this model's (text kinds, the
/// warranty, and the document kinds through [`send_amazon_document`]).
fn offered(k: &mercator_channels::amazon::messaging::MessagingKind) -> bool {
    k.needs_document || k.max_text > 0 || k.name == "warranty"
}

/// The largest document sent with an Amazon message.
pub const MAX_AMAZON_DOCUMENT: usize = 10 << 20;

/// Queues an invoice or a legal disclosure: a PDF the seller chose, kept
/// with the message; delivery uploads it (Uploads API) and sends the
/// message naming it, once.
pub async fn send_amazon_document(
    store: &Store,
    conversation_id: &str,
    action: &str,
    lang: &str,
    file_name: &str,
    bytes: &[u8],
) -> ApiResult<String> {
    let kind = mercator_channels::amazon::messaging::kind(action).filter(|k| k.needs_document).ok_or_else(|| {
        ApiError(ErrorPayload::from(&mercator_channels::ChannelError::Missing {
            what: "message-kind",
            subject: action.chars().take(40).collect(),
        }))
    })?;
    let name = mercator_core::inbox::safe_file_name(file_name);
    if !bytes.starts_with(b"%PDF-") || !name.to_ascii_lowercase().ends_with(".pdf") {
        return Err(ApiError::new(ErrorCode::AmazonDocumentNotPdf).arg("name", &name));
    }
    if bytes.len() > MAX_AMAZON_DOCUMENT {
        return Err(ApiError::new(ErrorCode::AmazonDocumentTooLarge)
            .arg("name", &name)
            .arg("max", (MAX_AMAZON_DOCUMENT >> 20).to_string()));
    }
    let lang = mercator_core::catalog::validate_language(lang).map_err(ApiError)?;
    let content = AmazonMessageContent {
        action: kind.name,
        body: &name,
        lang: &lang,
        coverage: None,
        document: Some((&name, "application/pdf", bytes)),
    };
    Ok(store.queue_amazon_message(conversation_id, &content, OffsetDateTime::now_utc()).await?)
}

/// Queues a message of Amazon's Messaging API; the channel's delivery sends
/// it once (an interrupted send is never repeated on its own).
pub async fn send_amazon_message(store: &Store, input: &AmazonMessageInput) -> ApiResult<String> {
    // a document kind goes through send_amazon_document
    let kind = mercator_channels::amazon::messaging::kind(&input.action)
        .filter(|k| offered(k) && !k.needs_document)
        .ok_or_else(|| {
            ApiError(ErrorPayload::from(&mercator_channels::ChannelError::Missing {
                what: "message-kind",
                subject: input.action.chars().take(40).collect(),
            }))
        })?;
    let lang = mercator_core::catalog::validate_language(&input.lang).map_err(ApiError)?;
    if kind.max_text == 0 {
        // a warranty: its coverage, shown in the thread as its two days
        let (from, to) = warranty_coverage(input.coverage_start.as_deref(), input.coverage_end.as_deref())?;
        let shown = format!("{} – {}", &from[..10], &to[..10]);
        let content = AmazonMessageContent {
            action: kind.name,
            body: &shown,
            lang: &lang,
            coverage: Some((&from, &to)),
            document: None,
        };
        return Ok(store.queue_amazon_message(&input.conversation_id, &content, OffsetDateTime::now_utc()).await?);
    }
    let text = input.body.trim();
    if text.is_empty() {
        return Err(ApiError::new(ErrorCode::ReplyEmpty));
    }
    if text.chars().count() > kind.max_text {
        return Err(ApiError::new(ErrorCode::ReplyTooLong).arg("max", kind.max_text.to_string()));
    }
    if !input.override_lint {
        if let Some(first) = lint_of(text).first() {
            return Err(ApiError::new(ErrorCode::ReplyLint).arg("rule", &first.code).arg("text", &first.text));
        }
    }
    let content = AmazonMessageContent { action: kind.name, body: text, lang: &lang, coverage: None, document: None };
    Ok(store.queue_amazon_message(&input.conversation_id, &content, OffsetDateTime::now_utc()).await?)
}
