//! `fake-mail`: a real mail server for manual tests and the end-to-end
//! tests (Dovecot fed over LMTP, an SMTP receiver), driven over stdin:
//!
//! - `deliver <file>`: delivers the raw mail in `<file>` to the seller's INBOX; answers `ok`
//! - `received`: answers one JSON line, every mail the SMTP receiver accepted
//!   (Message-ID, In-Reply-To, recipient, subject, text)
//!
//! It prints one JSON line with its ports at start and stops when stdin closes.

use mercator_testkit::mailserver::{MailServer, PASSWORD, USER};
use std::io::{BufRead, Write};

/// The account's mailbox on the test mail server (plain connections on loopback).
pub fn test_mailbox(server: &MailServer, channel_id: &str) -> mercator_api::inbox::MailboxInput {
    mercator_api::inbox::MailboxInput {
        channel_id: channel_id.to_string(),
        address: USER.into(),
        username: String::new(),
        password: PASSWORD.into(),
        imap_host: "127.0.0.1".into(),
        imap_port: i64::from(server.imap_port),
        imap_security: "none".into(),
        smtp_host: "127.0.0.1".into(),
        smtp_port: i64::from(server.smtp_port),
        smtp_security: "none".into(),
        inbox_folder: String::new(),
        sent_folder: String::new(),
        reply_hours: None,
    }
}

pub fn fake_mail(_args: &[String]) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    let server = MailServer::start().map_err(|e| e.to_string())?;
    let mut out = std::io::stdout();
    let hello = serde_json::json!({
        "imap": server.imap_port, "lmtp": server.lmtp_port, "smtp": server.smtp_port, "user": USER, "password": PASSWORD,
    });
    writeln!(out, "{hello}").map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| e.to_string())?;
        let answer = match line.split_once(' ').map_or((line.as_str(), ""), |(a, b)| (a, b)) {
            ("deliver", path) => match std::fs::read(path.trim()) {
                Ok(raw) => match rt.block_on(server.deliver(&raw)) {
                    Ok(()) => "ok".to_string(),
                    Err(e) => format!("error {e}"),
                },
                Err(e) => format!("error {e}"),
            },
            ("received", _) => {
                let mails: Vec<serde_json::Value> = server
                    .received()
                    .iter()
                    .map(|raw| match mercator_channels::mail::parse_mail(raw) {
                        Ok(m) => serde_json::json!({
                            "messageId": m.message_id, "inReplyTo": m.in_reply_to,
                            "to": m.to.first().map(|t| t.address.clone()), "subject": m.subject, "text": m.text,
                        }),
                        Err(e) => serde_json::json!({ "error": e.to_string() }),
                    })
                    .collect();
                serde_json::Value::Array(mails).to_string()
            }
            _ => format!("error unknown command {line}"),
        };
        writeln!(out, "{answer}").map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// `fake-deepl`: the DeepL API fake on loopback for the end-to-end tests;
/// prints its URL and the key it takes, then serves until killed.
pub fn fake_deepl(_args: &[String]) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let fake = mercator_testkit::deepl::DeepLFake::start().await;
        println!("{} {}", fake.url(), mercator_testkit::deepl::KEY);
        let _ = std::io::stdout().flush();
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    })
}
