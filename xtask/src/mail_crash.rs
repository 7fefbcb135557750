//! `crash-test --channel mail`: the mail work of the engine (buyer mail read
//! from a real Dovecot, replies queued and sent through a real SMTP
//! receiver and filed in Sent) in a child process killed with SIGKILL at
//! random points and restarted until it finishes.
//!
//! Afterwards: every buyer mail is stored once; every reply is `sent`, is
//! in the Sent folder exactly once and reached the SMTP receiver under its
//! one Message-ID. A reply may reach the receiver again only once per kill
//! that fell while that reply was being sent (SMTP has no idempotency key:
//! a kill after the end of the data and before the server's `250` is read
//! leaves it unknown whether the server took the mail; the second copy has
//! the same Message-ID, which mail clients fold into one): any other copy
//! fails the test.

use crate::util::root;
use mercator_api::inbox::{self, InboxFilter, ReplyInput};
use mercator_store::{OpenOptions, Store};
use mercator_testkit::mailserver::{MailServer, USER};
use mercator_vault::Vault;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

const LEASE_S: i64 = 10;
/// The keyring service the test's mailbox passwords are kept under (never the app's).
const SERVICE: &str = "mercator-crash-test";

fn buyer_mail(i: usize) -> Vec<u8> {
    let (subject, body) = if i % 10 == 3 {
        (format!("订单 302-1234567-{i:07} 的问题"), "你好，我的包裹什么时候到？".to_string())
    } else {
        (format!("Bestellung 302-1234567-{i:07}"), format!("Wo ist mein Paket Nummer {i}?"))
    };
    format!(
        "From: Buyer {i} <b{i}@marketplace.amazon.de>\r\nTo: {USER}\r\nSubject: {subject}\r\n\
         Message-ID: <buyer-{i}@crash.test>\r\nDate: Sat, 05 Dec 2026 08:00:00 +0000\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// The child: reads the mailbox until nothing is new, queues one reply per
/// conversation that has none, sends until every reply is sent.
pub fn mail_crash_child(args: &[String]) -> Result<(), String> {
    let dir = args.iter().skip_while(|a| *a != "--data-dir").nth(1).ok_or("--data-dir")?.clone();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let (store, _) = Store::open(Path::new(&dir), &OpenOptions { seed_demo: false, ..Default::default() })
            .await
            .map_err(|e| e.to_string())?;
        let mb = store.mailboxes().await.map_err(|e| e.to_string())?.remove(0).id;
        let vault = Vault::new(SERVICE);
        loop {
            let (imap, r) = inbox::read_mailbox(&store, &vault, &mb, None).await.map_err(|e| format!("{e:?}"))?;
            imap.logout().await;
            if r.stored == 0 {
                break;
            }
        }
        let list =
            inbox::conversations(&store, &InboxFilter::default(), 0, 10_000).await.map_err(|e| format!("{e:?}"))?;
        for c in &list {
            let t = inbox::thread(&store, &c.id).await.map_err(|e| format!("{e:?}"))?;
            if t.messages.iter().any(|m| m.direction == "out") {
                continue;
            }
            let input = ReplyInput {
                conversation_id: c.id.clone(),
                body: format!("Guten Tag, Ihre Sendung zu „{}“ ist unterwegs. 您的包裹已发出。", c.subject),
                lang: "de-DE".into(),
                original: None,
                override_lint: false,
            };
            inbox::reply(&store, &input).await.map_err(|e| format!("{e:?}"))?;
        }
        loop {
            let now = time::OffsetDateTime::now_utc();
            let r = inbox::deliver_replies_with(&store, &vault, now, time::Duration::seconds(LEASE_S))
                .await
                .map_err(|e| format!("{e:?}"))?;
            eprintln!("deliver: {r:?}");
            let waiting: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status <> 'sent'")
                    .fetch_one(store.pool())
                    .await
                    .map_err(|e| e.to_string())?;
            if waiting == 0 {
                break;
            }
            // a reply claimed by a killed sender waits for its lease to end
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        store.close().await;
        Ok(())
    })
}

#[derive(sqlx::FromRow)]
struct Reply {
    id: String,
    external_id: String,
    status: String,
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    status: String,
    attempts: i64,
    last_error: String,
}

#[derive(sqlx::FromRow)]
struct InFlight {
    aggregate_id: String,
}

pub fn crash_test_mail(args: &[String]) -> Result<(), String> {
    // the passwords go through a real keyring: without one, run again inside a private one
    if Vault::new(SERVICE).probe().is_err() {
        if std::env::var_os("MERCATOR_CRASH_KEYRING").is_some() {
            return Err("no keyring even inside dbus-run-session (gnome-keyring installed?)".into());
        }
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let script = root().join("tests/with-keyring.sh");
        let mut argv: Vec<String> = vec!["crash-test".into(), "--channel".into(), "mail".into()];
        argv.extend(args.iter().cloned());
        let ok = std::process::Command::new("dbus-run-session")
            .arg("--")
            .arg("bash")
            .arg(script)
            .arg(exe)
            .args(&argv)
            .env("MERCATOR_CRASH_KEYRING", "1")
            .status()
            .map_err(|e| format!("dbus-run-session: {e}"))?
            .success();
        return if ok { Ok(()) } else { Err("the mail crash test failed".into()) };
    }
    let [trials, mails] = crate::util::count_options(args, [("--trials", 3), ("--orders", 40)])?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let mut rng = mercator_core::rng::SplitMix64::new(0x3a11);
        let mut kills_total = 0;
        let mut resent_total = 0;
        for trial in 0..trials {
            let dir = root().join(format!("target/crash-test/mail-trial-{trial}"));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let server = MailServer::start().map_err(|e| e.to_string())?;
            {
                let (store, _) = Store::open(&dir, &OpenOptions { seed_demo: false, ..Default::default() })
                    .await
                    .map_err(|e| e.to_string())?;
                let ch = store.add_channel("amazon", "Amazon DE", "DE", "EUR", "de-DE").await.map_err(|e| e.to_string())?;
                let input = crate::mail::test_mailbox(&server, &ch);
                inbox::add_mailbox(&store, &Vault::new(SERVICE), &input).await.map_err(|e| format!("{e:?}"))?;
                store.close().await;
            }
            for i in 0..mails {
                server.deliver(&buyer_mail(i)).await.map_err(|e| e.to_string())?;
            }
            let exe = std::env::current_exe().map_err(|e| e.to_string())?;
            let mut kills = 0u64;
            // what the children said, for a failure's diagnosis
            let log = std::fs::File::create(dir.join("children.log")).map_err(|e| e.to_string())?;
            // replies a killed sender had claimed: the only ones allowed a second copy
            let mut in_flight_at_kill: BTreeMap<String, usize> = BTreeMap::new();
            loop {
                let mut c = std::process::Command::new(&exe)
                    .args(["mail-crash-child", "--data-dir", dir.to_str().unwrap_or_default()])
                    .stdout(std::process::Stdio::null())
                    .stderr(log.try_clone().map_err(|e| e.to_string())?)
                    .spawn()
                    .map_err(|e| e.to_string())?;
                let upper = (600 + 40 * kills as i64).min(6000);
                let wait = if std::env::var_os("MERCATOR_CRASH_NOKILL").is_some() { 600_000 } else { rng.range(10, upper) as u64 };
                let t0 = std::time::Instant::now();
                while t0.elapsed() < Duration::from_millis(wait) && c.try_wait().map_err(|e| e.to_string())?.is_none() {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                match c.try_wait().map_err(|e| e.to_string())? {
                    Some(s) if s.success() => break,
                    Some(s) => {
                        let said = std::fs::read_to_string(dir.join("children.log")).unwrap_or_default();
                        let tail: String = said.lines().rev().take(5).collect::<Vec<_>>().join("\n");
                        return Err(format!("mail child failed: {s}: {tail}"));
                    }
                    None => {
                        c.kill().map_err(|e| e.to_string())?; // SIGKILL, like a crash
                        let _ = c.wait();
                        kills += 1;
                        if kills > 300 {
                            return Err("the mail work never finished between kills".into());
                        }
                        // read as the kill left it (opening the store would release the claims)
                        let url = format!("sqlite://{}?mode=ro", dir.join(mercator_store::DB_FILE_NAME).display());
                        let pool = sqlx::SqlitePool::connect(&url).await.map_err(|e| e.to_string())?;
                        let rows: Vec<InFlight> =
                            sqlx::query_as("SELECT aggregate_id FROM outbox WHERE status = 'in_flight'")
                                .fetch_all(&pool)
                                .await
                                .map_err(|e| e.to_string())?;
                        if rows.len() > 1 {
                            return Err(format!("{} replies claimed at once by one sender", rows.len()));
                        }
                        for r in rows {
                            *in_flight_at_kill.entry(r.aggregate_id).or_default() += 1;
                        }
                        pool.close().await;
                    }
                }
            }
            let resent = check(&dir, &server, mails, &in_flight_at_kill).await.map_err(|e| format!("mail trial {trial}: {e}"))?;
            println!(
                "crash-test mail trial {trial}: {kills} kills; {mails} buyer mails stored once, {mails} replies sent and filed once, \
                 {resent} sent again after a kill mid-send (same Message-ID)"
            );
            kills_total += kills;
            resent_total += resent;
        }
        println!(
            "crash-test mail: {trials} trials, {kills_total} kills, no mail lost or duplicated, {resent_total} replies re-sent under \
             their one Message-ID after a kill during their send"
        );
        Ok(())
    })
}

async fn check(
    dir: &Path,
    server: &MailServer,
    mails: usize,
    in_flight: &BTreeMap<String, usize>,
) -> Result<usize, String> {
    let (store, _) =
        Store::open(dir, &OpenOptions { seed_demo: false, ..Default::default() }).await.map_err(|e| e.to_string())?;
    let buyer: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE direction = 'in'")
        .fetch_one(store.pool())
        .await
        .map_err(|e| e.to_string())?;
    let distinct: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT external_id) FROM messages WHERE direction = 'in'")
        .fetch_one(store.pool())
        .await
        .map_err(|e| e.to_string())?;
    if buyer != mails as i64 || distinct != buyer {
        return Err(format!("{buyer} buyer messages stored ({distinct} distinct), {mails} delivered"));
    }
    let replies: Vec<Reply> = sqlx::query_as("SELECT id, external_id, status FROM messages WHERE direction = 'out'")
        .fetch_all(store.pool())
        .await
        .map_err(|e| e.to_string())?;
    if replies.len() != mails {
        return Err(format!("{} replies queued for {mails} conversations", replies.len()));
    }
    if let Some(r) = replies.iter().find(|r| r.status != "sent") {
        return Err(format!("reply {} is {}", r.id, r.status));
    }
    // what the SMTP receiver got, by Message-ID
    let mut received: BTreeMap<String, usize> = BTreeMap::new();
    for raw in server.received() {
        let m = mercator_channels::mail::parse_mail(&raw).map_err(|e| e.to_string())?;
        *received.entry(m.message_id.unwrap_or_default()).or_default() += 1;
    }
    // what Sent holds, by Message-ID
    let mb = store.mailboxes().await.map_err(|e| e.to_string())?.remove(0).id;
    let vault = Vault::new(SERVICE);
    let (_, account) = inbox::account_of(&store, &vault, &mb).await.map_err(|e| format!("{e:?}"))?;
    let mut imap = mercator_channels::mailbox::Imap::connect(&account).await.map_err(|e| e.to_string())?;
    imap.select("Sent").await.map_err(|e| e.to_string())?;
    let uids: Vec<u32> = imap.new_since(0).await.map_err(|e| e.to_string())?.into_iter().map(|(u, _)| u).collect();
    let mut filed: BTreeMap<String, usize> = BTreeMap::new();
    for (_, raw) in imap.fetch(&uids, true).await.map_err(|e| e.to_string())? {
        let m = mercator_channels::mail::parse_mail(&raw).map_err(|e| e.to_string())?;
        *filed.entry(m.message_id.unwrap_or_default()).or_default() += 1;
    }
    imap.logout().await;
    let mut resent = 0;
    for r in &replies {
        let id = r.external_id.trim_matches(['<', '>']);
        match received.remove(id) {
            None => return Err(format!("reply {id} never reached the SMTP receiver")),
            Some(1) => {}
            Some(n) if n <= 1 + in_flight.get(&r.id).copied().unwrap_or(0) => resent += n - 1,
            Some(n) => {
                let row: Option<OutboxRow> = sqlx::query_as(
                    "SELECT status, attempts, COALESCE(last_error, '') AS last_error FROM outbox WHERE aggregate_id = ?",
                )
                .bind(&r.id)
                .fetch_optional(store.pool())
                .await
                .map_err(|e| e.to_string())?;
                let row =
                    row.map(|o| format!("{} after {} attempts, last error {}", o.status, o.attempts, o.last_error));
                return Err(format!(
                    "reply {id} reached the receiver {n} times (in flight at {} kills; outbox: {row:?})",
                    in_flight.get(&r.id).copied().unwrap_or(0)
                ));
            }
        }
        match filed.remove(id) {
            Some(1) => {}
            n => return Err(format!("reply {id} is in Sent {} times", n.unwrap_or(0))),
        }
    }
    if !received.is_empty() || !filed.is_empty() {
        return Err(format!("mail nobody queued: received {received:?}, in Sent {filed:?}"));
    }
    store.close().await;
    Ok(resent)
}
