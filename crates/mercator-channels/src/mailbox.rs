//! The seller's mailbox: IMAP to read buyer mail (new mail by UID, IDLE
//! where the server has it, the Sent folder searched by Message-ID) and SMTP
//! submission to answer it. Amazon relays buyer messages this way, and own
//! stores' contact forms arrive this way.
//!
//! Connections are TLS (port 993/465), STARTTLS (143/587), or plain text
//! to this computer only (the store refuses plain text elsewhere; this
//! module checks again). Every step has a time limit. Errors never carry
//! the password: they name the server, the address and what it said.

use mercator_core::{ErrorCode, ErrorPayload};
use mercator_vault::Secret;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// How a connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (IMAP 993, SMTP 465).
    Tls,
    /// Plain text upgraded with STARTTLS before login (IMAP 143, SMTP 587).
    StartTls,
    /// No encryption: only to this computer (tests, a local bridge).
    None,
}

impl Security {
    pub fn parse(s: &str) -> Option<Security> {
        match s {
            "tls" => Some(Security::Tls),
            "starttls" => Some(Security::StartTls),
            "none" => Some(Security::None),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub security: Security,
}

/// A mailbox to read and answer from.
#[derive(Debug)]
pub struct Account {
    pub address: String,
    pub username: String,
    pub password: Secret,
    pub imap: Server,
    pub smtp: Server,
}

/// What can go wrong talking to a mail server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailboxError {
    #[error("cannot reach {host}:{port}: {detail}")]
    Connect { host: String, port: u16, detail: String },
    #[error("login refused for {address}")]
    Auth { address: String },
    #[error("{host} answered unexpectedly: {detail}")]
    Protocol { host: String, detail: String },
    #[error("no folder {folder}")]
    Folder { folder: String },
    /// The SMTP server refused the message for good (5xx).
    #[error("refused: {reason}")]
    Rejected { reason: String },
    /// The SMTP server refused for now (4xx): try again later.
    #[error("try later: {reason}")]
    Later { reason: String },
    #[error("plain text to {host}")]
    Insecure { host: String },
}

impl MailboxError {
    /// Worth retrying later (the server or the network, not the settings or the message).
    pub fn is_transient(&self) -> bool {
        matches!(self, MailboxError::Connect { .. } | MailboxError::Later { .. } | MailboxError::Protocol { .. })
    }

    /// The server could not be reached at all (offline, or it is down).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, MailboxError::Connect { .. })
    }
}

impl From<&MailboxError> for ErrorPayload {
    fn from(e: &MailboxError) -> Self {
        match e {
            MailboxError::Connect { host, port, detail } => {
                ErrorPayload::new(ErrorCode::MailConnect).arg("host", host).arg("port", port).arg("detail", detail)
            }
            MailboxError::Auth { address } => ErrorPayload::new(ErrorCode::MailAuth).arg("address", address),
            MailboxError::Protocol { host, detail } => {
                ErrorPayload::new(ErrorCode::MailProtocol).arg("host", host).arg("detail", detail)
            }
            MailboxError::Folder { folder } => ErrorPayload::new(ErrorCode::MailFolderMissing).arg("folder", folder),
            MailboxError::Rejected { reason } | MailboxError::Later { reason } => {
                ErrorPayload::new(ErrorCode::MailRejected).arg("reason", reason)
            }
            MailboxError::Insecure { host } => ErrorPayload::new(ErrorCode::MailInsecure).arg("host", host),
        }
    }
}

/// Time allowed to connect and log in, and for one command.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

pub(crate) fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A byte stream IMAP runs over: plain TCP or TLS.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Io for T {}

type Stream = Box<dyn Io>;

fn connect_err(s: &Server, detail: impl ToString) -> MailboxError {
    MailboxError::Connect { host: s.host.clone(), port: s.port, detail: detail.to_string() }
}

fn protocol(host: &str, detail: impl ToString) -> MailboxError {
    // a server's answer can be long; keep the start of it
    let d: String = detail.to_string().chars().take(300).collect();
    MailboxError::Protocol { host: host.to_string(), detail: d }
}

async fn tls(s: &Server, tcp: TcpStream) -> Result<tokio_native_tls::TlsStream<TcpStream>, MailboxError> {
    let connector = native_tls_connector().map_err(|e| connect_err(s, e))?;
    tokio_native_tls::TlsConnector::from(connector).connect(&s.host, tcp).await.map_err(|e| connect_err(s, e))
}

fn native_tls_connector() -> Result<tokio_native_tls::native_tls::TlsConnector, tokio_native_tls::native_tls::Error> {
    tokio_native_tls::native_tls::TlsConnector::builder().build()
}

async fn open(s: &Server) -> Result<TcpStream, MailboxError> {
    if s.security == Security::None && !is_loopback(&s.host) {
        return Err(MailboxError::Insecure { host: s.host.clone() });
    }
    match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((s.host.as_str(), s.port))).await {
        Ok(Ok(t)) => {
            // commands are small writes answered at once: no waiting for more to send
            // (Nagle with delayed ACKs holds SMTP's closing dot ~40 ms)
            let _ = t.set_nodelay(true);
            Ok(t)
        }
        Ok(Err(e)) => Err(connect_err(s, e)),
        Err(_) => Err(connect_err(s, "no answer")),
    }
}

/// Reads IMAP lines until the tagged answer `tag`; true when it is OK.
async fn imap_tagged<R: AsyncRead + Unpin>(r: &mut BufReader<R>, tag: &str, host: &str) -> Result<bool, MailboxError> {
    let mut line = String::new();
    loop {
        line.clear();
        let n = r.read_line(&mut line).await.map_err(|e| protocol(host, e))?;
        if n == 0 {
            return Err(protocol(host, "connection closed"));
        }
        if let Some(rest) = line.strip_prefix(tag).and_then(|r| r.strip_prefix(' ')) {
            return Ok(rest.to_ascii_uppercase().starts_with("OK"));
        }
    }
}

/// The folder's identity and size when selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderState {
    pub uid_validity: u32,
    pub uid_next: Option<u32>,
    pub exists: u32,
}

/// How waiting for new mail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waited {
    /// The server reported a change (new mail, perhaps).
    Changed,
    /// Nothing within the time given (or the server has no IDLE and we slept).
    Quiet,
}

/// One logged-in IMAP connection.
pub struct Imap {
    session: async_imap::Session<Stream>,
    host: String,
    idle: bool,
    /// The folder selected now, and its state when it was selected.
    selected: Option<(String, FolderState)>,
}

impl std::fmt::Debug for Imap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Imap").field("host", &self.host).finish_non_exhaustive()
    }
}

fn imap_err(host: &str, e: async_imap::error::Error) -> MailboxError {
    match e {
        async_imap::error::Error::Io(e) => {
            MailboxError::Connect { host: host.to_string(), port: 0, detail: e.to_string() }
        }
        async_imap::error::Error::ConnectionLost => {
            MailboxError::Connect { host: host.to_string(), port: 0, detail: "connection lost".into() }
        }
        e => protocol(host, e),
    }
}

async fn within<T>(
    host: &str,
    limit: Duration,
    f: impl std::future::Future<Output = Result<T, async_imap::error::Error>>,
) -> Result<T, MailboxError> {
    match tokio::time::timeout(limit, f).await {
        Ok(r) => r.map_err(|e| imap_err(host, e)),
        Err(_) => Err(MailboxError::Connect { host: host.to_string(), port: 0, detail: "no answer".into() }),
    }
}

/// Quotes a string for an IMAP command (a quoted string; no CR/LF possible).
fn quoted(s: &str) -> String {
    let clean: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    format!("\"{}\"", clean.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Imap {
    /// Connects and logs in.
    pub async fn connect(account: &Account) -> Result<Imap, MailboxError> {
        let s = &account.imap;
        let tcp = open(s).await?;
        let stream: Stream = match s.security {
            Security::Tls => Box::new(tls(s, tcp).await?),
            Security::None => Box::new(tcp),
            Security::StartTls => {
                let mut r = BufReader::new(tcp);
                let mut greeting = String::new();
                r.read_line(&mut greeting).await.map_err(|e| connect_err(s, e))?;
                r.get_mut().write_all(b"m0 STARTTLS\r\n").await.map_err(|e| connect_err(s, e))?;
                if !imap_tagged(&mut r, "m0", &s.host).await? {
                    return Err(protocol(&s.host, "STARTTLS refused"));
                }
                Box::new(tls(s, r.into_inner()).await?)
            }
        };
        let mut client = async_imap::Client::new(stream);
        if s.security != Security::StartTls {
            let greeting = tokio::time::timeout(CONNECT_TIMEOUT, client.read_response()).await;
            match greeting {
                Ok(Ok(Some(_))) => {}
                Ok(Ok(None)) => return Err(connect_err(s, "closed before greeting")),
                Ok(Err(e)) => return Err(connect_err(s, e)),
                Err(_) => return Err(connect_err(s, "no greeting")),
            }
        }
        let login =
            tokio::time::timeout(CONNECT_TIMEOUT, client.login(&account.username, account.password.expose())).await;
        let mut session = match login {
            Ok(Ok(session)) => session,
            Ok(Err((async_imap::error::Error::No(_) | async_imap::error::Error::Bad(_), _))) => {
                return Err(MailboxError::Auth { address: account.address.clone() })
            }
            Ok(Err((e, _))) => return Err(imap_err(&s.host, e)),
            Err(_) => return Err(connect_err(s, "no answer to login")),
        };
        let caps = within(&s.host, COMMAND_TIMEOUT, session.capabilities()).await?;
        let idle = caps.has_str("IDLE");
        Ok(Imap { session, host: s.host.clone(), idle, selected: None })
    }

    /// Whether the server pushes new mail (IDLE).
    pub fn has_idle(&self) -> bool {
        self.idle
    }

    /// Selects a folder (read-write, so fetched mail is not marked seen:
    /// bodies are fetched with PEEK).
    pub async fn select(&mut self, folder: &str) -> Result<FolderState, MailboxError> {
        let host = self.host.clone();
        self.selected = None;
        let m = match tokio::time::timeout(COMMAND_TIMEOUT, self.session.select(folder)).await {
            Ok(Ok(m)) => m,
            Ok(Err(async_imap::error::Error::No(_))) => {
                return Err(MailboxError::Folder { folder: folder.to_string() })
            }
            Ok(Err(e)) => return Err(imap_err(&host, e)),
            Err(_) => return Err(imap_err(&host, async_imap::error::Error::ConnectionLost)),
        };
        let state = FolderState { uid_validity: m.uid_validity.unwrap_or(0), uid_next: m.uid_next, exists: m.exists };
        self.selected = Some((folder.to_string(), state));
        Ok(state)
    }

    /// The folder's state, selecting it only when another folder (or none)
    /// is selected: a connection kept open through IDLE does not pay for a
    /// new SELECT (which takes Dovecot about 1 ms per 70 mails) at each read.
    pub async fn ensure_selected(&mut self, folder: &str) -> Result<FolderState, MailboxError> {
        match &self.selected {
            Some((f, state)) if f == folder => Ok(*state),
            _ => self.select(folder).await,
        }
    }

    /// UIDs and sizes of the selected folder's mail after `last_uid`, oldest
    /// first. The UIDs come from one search, their sizes in chunks, so a
    /// mailbox of 50,000 mails is not one huge answer held in memory.
    pub async fn new_since(&mut self, last_uid: u32) -> Result<Vec<(u32, u32)>, MailboxError> {
        use futures_util::TryStreamExt;
        let host = self.host.clone();
        let query = format!("UID {}:*", last_uid.saturating_add(1));
        let mut uids: Vec<u32> = within(&host, COMMAND_TIMEOUT, self.session.uid_search(&query))
            .await?
            .into_iter()
            // `N:*` names the last message even when its UID is below N
            .filter(|u| *u > last_uid)
            .collect();
        uids.sort_unstable();
        let mut out = Vec::with_capacity(uids.len());
        for chunk in uids.chunks(1000) {
            let set = chunk.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
            let sizes: Vec<(u32, u32)> = within(&host, COMMAND_TIMEOUT, async {
                let stream = self.session.uid_fetch(&set, "(UID RFC822.SIZE)").await?;
                let fetched: Vec<_> = stream.try_collect().await?;
                // a fetch cut off by a dropped connection ends like an empty one: ask once more
                self.session.noop().await?;
                Ok(fetched.iter().filter_map(|f| Some((f.uid?, f.size.unwrap_or(0)))).collect())
            })
            .await?;
            out.extend(sizes);
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// The raw mail of `uids` (whole messages, or only the header where
    /// `header_only`), fetched without marking them seen.
    pub async fn fetch(&mut self, uids: &[u32], header_only: bool) -> Result<Vec<(u32, Vec<u8>)>, MailboxError> {
        use futures_util::TryStreamExt;
        if uids.is_empty() {
            return Ok(vec![]);
        }
        let host = self.host.clone();
        let set = uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        let what = if header_only { "(UID BODY.PEEK[HEADER])" } else { "(UID BODY.PEEK[])" };
        let mut out: Vec<(u32, Vec<u8>)> = within(&host, COMMAND_TIMEOUT * 2, async {
            let stream = self.session.uid_fetch(&set, what).await?;
            let fetched: Vec<_> = stream.try_collect().await?;
            self.session.noop().await?;
            Ok(fetched
                .iter()
                .filter_map(|f| {
                    let body = if header_only { f.header() } else { f.body() };
                    Some((f.uid?, body?.to_vec()))
                })
                .collect())
        })
        .await?;
        out.sort_by_key(|(uid, _)| *uid);
        Ok(out)
    }

    /// Whether `folder` holds a mail with this Message-ID (without angle brackets).
    pub async fn has_message_id(&mut self, folder: &str, message_id: &str) -> Result<bool, MailboxError> {
        self.select(folder).await?;
        let host = self.host.clone();
        let query = format!("HEADER Message-ID {}", quoted(&format!("<{message_id}>")));
        let found = within(&host, COMMAND_TIMEOUT, self.session.uid_search(&query)).await?;
        Ok(!found.is_empty())
    }

    /// Files a mail in `folder` (a sent reply in Sent), marked seen.
    pub async fn append(&mut self, folder: &str, raw: &[u8]) -> Result<(), MailboxError> {
        let host = self.host.clone();
        match tokio::time::timeout(COMMAND_TIMEOUT, self.session.append(folder, Some("(\\Seen)"), None, raw)).await {
            Ok(Ok(())) => Ok(()),
            // a missing folder is refused before the message is taken (`NO [TRYCREATE]`)
            Ok(Err(async_imap::error::Error::No(_) | async_imap::error::Error::Append)) => {
                Err(MailboxError::Folder { folder: folder.to_string() })
            }
            Ok(Err(e)) => Err(imap_err(&host, e)),
            Err(_) => Err(imap_err(&host, async_imap::error::Error::ConnectionLost)),
        }
    }

    /// Waits up to `limit` for the selected folder to change (IDLE), or
    /// sleeps `limit` on a server without IDLE. The connection stays usable.
    pub async fn wait(self, limit: Duration) -> Result<(Imap, Waited), MailboxError> {
        if !self.idle {
            tokio::time::sleep(limit).await;
            return Ok((self, Waited::Quiet));
        }
        let Imap { session, host, idle, selected } = self;
        let mut handle = session.idle();
        within(&host, COMMAND_TIMEOUT, handle.init()).await?;
        let (fut, _stop) = handle.wait_with_timeout(limit);
        let outcome = fut.await.map_err(|e| imap_err(&host, e))?;
        let session = within(&host, COMMAND_TIMEOUT, handle.done()).await?;
        let waited = match outcome {
            async_imap::extensions::idle::IdleResponse::NewData(_) => Waited::Changed,
            _ => Waited::Quiet,
        };
        Ok((Imap { session, host, idle, selected }, waited))
    }

    /// Logs out (best effort).
    pub async fn logout(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.session.logout()).await;
    }
}

/// A reply to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub from_name: String,
    pub from: String,
    pub to_name: String,
    pub to: String,
    pub subject: String,
    /// Without angle brackets.
    pub message_id: String,
    /// Nearest first (the mail answered, then its ancestors).
    pub parents: Vec<String>,
    pub body: String,
}

impl Outgoing {
    /// The mail as sent: UTF-8 text, quoted-printable or base64 as lettre
    /// chooses, threading headers naming what it answers.
    pub fn build(&self) -> Result<lettre::Message, MailboxError> {
        use lettre::message::{header::ContentType, Mailbox};
        let bad = |what: &str| MailboxError::Rejected { reason: format!("{what} is not a valid address") };
        let from = Mailbox::new(
            (!self.from_name.is_empty()).then(|| self.from_name.clone()),
            self.from.parse().map_err(|_| bad(&self.from))?,
        );
        let to = Mailbox::new(
            (!self.to_name.is_empty()).then(|| self.to_name.clone()),
            self.to.parse().map_err(|_| bad(&self.to))?,
        );
        let mut b = lettre::Message::builder()
            .from(from)
            .to(to)
            .subject(self.subject.replace(['\r', '\n'], " "))
            .message_id(Some(format!("<{}>", self.message_id)))
            .header(ContentType::TEXT_PLAIN);
        if let Some(parent) = self.parents.first() {
            b = b.in_reply_to(format!("<{parent}>"));
            // References: root first, the parent last
            let refs: Vec<String> = self.parents.iter().rev().map(|p| format!("<{p}>")).collect();
            b = b.references(refs.join(" "));
        }
        b.body(self.body.clone()).map_err(|e| MailboxError::Rejected { reason: e.to_string() })
    }
}

/// An SMTP submission session: connected, encrypted as the account says
/// and logged in. [`Smtp::submit`] returns as soon as the server has
/// taken the mail (its `250`), before the goodbye, so the caller can record
/// the submission at once: the moment in which a crash leaves it unknown
/// whether the server took the mail is as short as it can be.
pub struct Smtp {
    conn: lettre::transport::smtp::client::AsyncSmtpConnection,
    address: String,
    server: Server,
}

impl Smtp {
    /// Connects and logs in. Refuses an unencrypted connection to anything
    /// but this machine.
    pub async fn connect(account: &Account) -> Result<Smtp, MailboxError> {
        use lettre::transport::smtp::authentication::{Credentials, Mechanism};
        use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
        use lettre::transport::smtp::extension::ClientId;
        let s = &account.smtp;
        if s.security == Security::None && !is_loopback(&s.host) {
            return Err(MailboxError::Insecure { host: s.host.clone() });
        }
        let params = || TlsParameters::new(s.host.clone()).map_err(|e| connect_err(s, e));
        let hello = ClientId::default();
        let open = async {
            let tcp = open(s).await?;
            let stream: Box<dyn lettre::transport::smtp::client::AsyncTokioStream> = match s.security {
                Security::Tls => Box::new(SmtpTls(tls(s, tcp).await?)),
                Security::None | Security::StartTls => Box::new(tcp),
            };
            let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &hello)
                .await
                .map_err(|e| smtp_err(&account.address, s, &e))?;
            if s.security == Security::StartTls {
                if !conn.can_starttls() {
                    return Err(connect_err(s, "the server offers no STARTTLS"));
                }
                conn.starttls(params()?, &hello).await.map_err(|e| smtp_err(&account.address, s, &e))?;
            }
            if !account.username.is_empty() {
                let credentials = Credentials::new(account.username.clone(), account.password.expose().to_string());
                conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
                    .await
                    .map_err(|e| smtp_err(&account.address, s, &e))?;
            }
            Ok(conn)
        };
        match tokio::time::timeout(COMMAND_TIMEOUT, open).await {
            Ok(Ok(conn)) => Ok(Smtp { conn, address: account.address.clone(), server: s.clone() }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(connect_err(s, "no answer")),
        }
    }

    /// Submits one mail; Ok once the server has taken it. A 5xx answer is
    /// [`MailboxError::Rejected`]; a 4xx, a dropped connection or no answer
    /// may be retried.
    pub async fn submit(&mut self, mail: &lettre::Message) -> Result<(), MailboxError> {
        let raw = mail.formatted();
        // once connected, a send cut off without the server's answer may have
        // reached it: a counted attempt (retried with back-off, looked up in
        // Sent first), never "offline", which would retry it uncounted forever
        let cut_off = |detail: String| MailboxError::Later { reason: detail.chars().take(300).collect() };
        match tokio::time::timeout(COMMAND_TIMEOUT, self.conn.send(mail.envelope(), &raw)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) if e.status().is_some() => Err(smtp_err(&self.address, &self.server, &e)),
            Ok(Err(e)) => Err(cut_off(e.to_string())),
            Err(_) => Err(cut_off(format!("{}: no answer", self.server.host))),
        }
    }

    /// Says goodbye (best effort: the mail is the server's already).
    pub async fn quit(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.conn.quit()).await;
    }
}

/// Implicit TLS under lettre's SMTP client.
#[derive(Debug)]
struct SmtpTls(tokio_native_tls::TlsStream<TcpStream>);

impl lettre::transport::smtp::client::AsyncTokioStream for SmtpTls {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().get_ref().get_ref().peer_addr()
    }
}

impl AsyncRead for SmtpTls {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for SmtpTls {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// Submits a mail over SMTP in a session of its own (see [`Smtp`]).
pub async fn send(account: &Account, mail: &lettre::Message) -> Result<(), MailboxError> {
    let mut smtp = Smtp::connect(account).await?;
    smtp.submit(mail).await?;
    smtp.quit().await;
    Ok(())
}

fn smtp_err(address: &str, s: &Server, e: &lettre::transport::smtp::Error) -> MailboxError {
    let reason: String = e.to_string().chars().take(300).collect();
    if let Some(code) = e.status() {
        let auth = matches!(code.to_string().as_str(), "535" | "534" | "530" | "454");
        if auth {
            return MailboxError::Auth { address: address.to_string() };
        }
    }
    if e.is_permanent() {
        MailboxError::Rejected { reason }
    } else if e.is_transient() {
        MailboxError::Later { reason }
    } else {
        connect_err(s, reason)
    }
}

/// Sends `mail` over LMTP to a local delivery agent (tests and benchmarks
/// inject buyer mail into a real IMAP server this way). Dot-stuffed.
pub async fn lmtp_deliver(addr: (&str, u16), from: &str, to: &str, raw: &[u8]) -> std::io::Result<()> {
    let tcp = TcpStream::connect(addr).await?;
    let mut r = BufReader::new(tcp);
    let bad = |m: String| std::io::Error::other(m);
    async fn reply<S: AsyncRead + Unpin>(r: &mut BufReader<S>) -> std::io::Result<String> {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).await? == 0 {
                return Err(std::io::Error::other("closed"));
            }
            all.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok(all);
            }
        }
    }
    let expect = |got: &str, code: &str| if got.starts_with(code) { Ok(()) } else { Err(bad(got.to_string())) };
    expect(&reply(&mut r).await?, "220")?;
    for (cmd, code) in [
        ("LHLO mercator.test".to_string(), "250"),
        (format!("MAIL FROM:<{from}>"), "250"),
        (format!("RCPT TO:<{to}>"), "250"),
        ("DATA".into(), "354"),
    ] {
        r.get_mut().write_all(format!("{cmd}\r\n").as_bytes()).await?;
        expect(&reply(&mut r).await?, code)?;
    }
    let mut data = Vec::with_capacity(raw.len() + 64);
    for line in raw.split_inclusive(|b| *b == b'\n') {
        if line.first() == Some(&b'.') {
            data.push(b'.');
        }
        data.extend_from_slice(line);
    }
    if !data.ends_with(b"\n") {
        data.extend_from_slice(b"\r\n");
    }
    data.extend_from_slice(b".\r\n");
    r.get_mut().write_all(&data).await?;
    expect(&reply(&mut r).await?, "250")?;
    r.get_mut().write_all(b"QUIT\r\n").await?;
    Ok(())
}
