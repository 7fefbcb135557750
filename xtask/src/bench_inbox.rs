//! `bench-inbox`: the support inbox against a real local mail server.
//!
//! - ingest N buyer mails (default 50,000; 10% Chinese/Japanese, a tenth of
//!   them replies in a thread, a third naming an order) from Dovecot over
//!   IMAP into an empty shop: time and the reading process's peak memory;
//! - search over them: p50/p99 of the backend query for 200 terms (Latin
//!   words, two-character CJK words, order numbers, sender names);
//! - opening a 200-message conversation (the backend call the window makes);
//! - LMTP delivery to the engine's "new message" event with IDLE (the
//!   window redraws on that event), 20 deliveries.

use crate::util::peak_rss_bytes;
use mercator_api::engine::{Engine, Host, InboxEvent, SystemClock, Timings};
use mercator_api::inbox::{self, InboxFilter};
use mercator_store::{OpenOptions, Store};
use mercator_testkit::mailserver::{MailServer, PASSWORD, USER};
use mercator_vault::Vault;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DE: &[&str] = &[
    "Wo bleibt mein Paket",
    "Rücksendung Wasserkocher",
    "Rechnung bitte",
    "Falsche Farbe geliefert",
    "Lieferzeit nach Österreich",
];
const EN: &[&str] = &[
    "Where is my order",
    "Return request for the kettle",
    "Invoice needed",
    "Wrong size received",
    "Does it fit a 15 inch laptop",
];
const CJK: &[&str] = &[
    "我想退货，耳机坏了",
    "配送について教えてください",
    "发票怎么开",
    "颜色不对，请换货",
    "領収書の発行をお願いします",
];
const NAMES: &[&str] =
    &["Jonas Becker", "Emily Johnson", "Lukas Schneider", "Anna Müller", "Sato Yui", "李娜", "Olivia Brown"];

fn mail(i: usize) -> Vec<u8> {
    let cjk = i % 10 == 3;
    let subject = if cjk {
        CJK[i % CJK.len()]
    } else if i.is_multiple_of(2) {
        DE[i % DE.len()]
    } else {
        EN[i % EN.len()]
    };
    let order =
        if i.is_multiple_of(3) { format!(" 302-{:07}-{:07}", 1_000_000 + i, 7_000_000 + i) } else { String::new() };
    let name = NAMES[i % NAMES.len()];
    let reply = if i % 10 == 5 && i > 10 {
        format!("In-Reply-To: <bench-{}@marketplace.amazon.de>\r\n", i - 10)
    } else {
        String::new()
    };
    let body = format!(
        "{subject}{order}\r\n\r\nNachricht Nummer {i} von {name}. {}\r\n",
        "Lorem ipsum dolor sit amet. ".repeat(i % 7 + 1)
    );
    let subject_b64 = b64(format!("{subject}{order}").as_bytes());
    format!(
        "From: \"{name}\" <buyer{b}@marketplace.amazon.de>\r\nTo: {USER}\r\nSubject: =?utf-8?B?{subject_b64}?=\r\n\
         Message-ID: <bench-{i}@marketplace.amazon.de>\r\n{reply}Date: Sat, 05 Dec 2026 08:00:00 +0000\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}",
        b = i % 5000
    )
    .into_bytes()
}

fn b64(b: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in b.chunks(3) {
        let n =
            (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            out.push(if k <= c.len() { T[((n >> (18 - 6 * k)) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

/// milliseconds with one decimal, without floating point
fn ms(d: Duration) -> String {
    let us = d.as_micros();
    format!("{}.{}", us / 1000, us % 1000 / 100)
}

fn pct(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

#[derive(Default)]
struct Events(Mutex<Vec<Instant>>);

impl Host for Events {
    fn sync_event(&self, _: &mercator_api::engine::SyncEvent) {}
    fn connectivity(&self, _: &mercator_api::outbox::ConnectivityDto) {}
    fn inbox(&self, _: &InboxEvent) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(Instant::now());
    }
}

pub fn bench_inbox(args: &[String]) -> Result<(), String> {
    let [n] = crate::util::count_options(args, [("--messages", 50_000)])?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    // MERCATOR_BENCH_REUSE=DIR: only the search, over a shop kept before
    if let Some(dir) = std::env::var_os("MERCATOR_BENCH_REUSE") {
        return rt.block_on(async {
            let (store, _) =
                Store::open(std::path::Path::new(&dir), &OpenOptions { seed_demo: false, ..Default::default() })
                    .await
                    .map_err(|x| x.to_string())?;
            search_bench(&store).await
        });
    }
    let server = MailServer::start().map_err(|e| e.to_string())?;
    let tmp = std::env::temp_dir().join(format!("mercator-bench-inbox-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let r = rt.block_on(run(&server, &tmp, n));
    // MERCATOR_BENCH_KEEP=1 keeps the shop for a look at its queries
    if std::env::var_os("MERCATOR_BENCH_KEEP").is_some() {
        println!("bench-inbox: the shop is kept in {}", tmp.display());
    } else {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    r
}

/// p50/p99 of the backend's search for 200 terms.
async fn search_bench(store: &Store) -> Result<(), String> {
    let e = |x: &dyn std::fmt::Display| x.to_string();
    let mut terms: Vec<String> = vec![];
    for w in ["paket", "kettle", "rechnung", "laptop", "österreich", "invoice", "lorem", "nummer 4711"] {
        terms.push(w.into());
    }
    for w in ["耳机", "退货", "配送", "発行", "换货", "发票", "李娜"] {
        terms.push(w.into());
    }
    for i in 0..150 {
        terms.push(format!("302-{:07}", 1_000_000 + i * 331));
    }
    for nm in NAMES {
        terms.push((*nm).to_string());
    }
    while terms.len() < 200 {
        terms.push(format!("Nummer {}", terms.len() * 97));
    }
    let mut times = vec![];
    let mut slow = vec![];
    let mut hits = 0usize;
    for q in &terms {
        let f = InboxFilter { search: Some(q.clone()), ..Default::default() };
        let t = Instant::now();
        let r = inbox::conversations(store, &f, 0, 50).await.map_err(|x| e(&x))?;
        times.push(t.elapsed());
        hits += r.len();
        slow.push((t.elapsed(), q.clone()));
    }
    slow.sort();
    let slowest: Vec<String> = slow.iter().rev().take(4).map(|(d, q)| format!("{q:?} {} ms", ms(*d))).collect();
    println!("search: slowest {}", slowest.join(", "));
    times.sort();
    println!(
        "search: {} queries (first page of 50), p50 {} ms, p99 {} ms, max {} ms, {hits} conversations found",
        times.len(),
        ms(pct(&times, 50)),
        ms(pct(&times, 99)),
        ms(times.last().copied().unwrap_or_default())
    );
    Ok(())
}

async fn run(server: &MailServer, dir: &std::path::Path, n: usize) -> Result<(), String> {
    let e = |x: &dyn std::fmt::Display| x.to_string();
    let (store, _) =
        Store::open(dir, &OpenOptions { seed_demo: false, ..Default::default() }).await.map_err(|x| e(&x))?;
    // the live part runs the engine, which reads the password from the OS keyring
    let vault = Vault::new("mercator-bench");
    let keyring = vault.probe().is_ok();
    let ch = store.add_channel("amazon", "Amazon DE", "DE", "EUR", "de-DE").await.map_err(|x| e(&x))?;
    let input = crate::mail::test_mailbox(server, &ch);
    let mb = if keyring {
        inbox::add_mailbox(&store, &vault, &input).await.map_err(|x| e(&x))?.id
    } else {
        let settings = mercator_store::inbox::MailboxSettings {
            address: input.address.clone(),
            username: String::new(),
            imap_host: input.imap_host.clone(),
            imap_port: input.imap_port,
            imap_security: "none".into(),
            smtp_host: input.smtp_host.clone(),
            smtp_port: input.smtp_port,
            smtp_security: "none".into(),
            inbox_folder: String::new(),
            sent_folder: String::new(),
        };
        store.add_mailbox(&ch, &settings).await.map_err(|x| e(&x))?
    };
    let account = mercator_channels::mailbox::Account {
        address: USER.into(),
        username: USER.into(),
        password: mercator_vault::Secret::new(PASSWORD),
        imap: mercator_channels::mailbox::Server {
            host: "127.0.0.1".into(),
            port: server.imap_port,
            security: mercator_channels::mailbox::Security::None,
        },
        smtp: mercator_channels::mailbox::Server {
            host: "127.0.0.1".into(),
            port: server.smtp_port,
            security: mercator_channels::mailbox::Security::None,
        },
    };
    let row = store.mailbox(&mb).await.map_err(|x| e(&x))?;
    server.deliver(&mail(0)).await.map_err(|x| e(&x))?;
    let t = Instant::now();
    server.drop_into_maildir((1..n).map(mail)).map_err(|x| e(&x))?;
    println!("bench-inbox: {n} mails placed in the Maildir in {:.1?}", t.elapsed());

    // ingest
    let before = peak_rss_bytes();
    let t = Instant::now();
    let (imap, report) = inbox::read_mailbox_with(&store, &row, &account, None).await.map_err(|x| e(&x))?;
    let took = t.elapsed();
    imap.logout().await;
    println!(
        "ingest: {} messages in {} conversations, {:.1?} ({} messages/s), peak RSS {} MiB (before {} MiB)",
        report.stored,
        report.conversations.len(),
        took,
        (report.stored as u128 * 1000).checked_div(took.as_millis()).unwrap_or(0),
        peak_rss_bytes() >> 20,
        before >> 20
    );

    // one new mail on the full mailbox, on a new connection (SELECT included)
    server.deliver(&mail(n + 100)).await.map_err(|x| e(&x))?;
    let row = store.mailbox(&mb).await.map_err(|x| e(&x))?;
    let t = Instant::now();
    let (imap, one) = inbox::read_mailbox_with(&store, &row, &account, None).await.map_err(|x| e(&x))?;
    let read_one = t.elapsed();
    let t = Instant::now();
    let _ = store.conversation(&one.conversations[0], time::OffsetDateTime::now_utc()).await;
    println!(
        "one new mail: read and stored in {} ms (connect included), conversation row {} ms",
        ms(read_one),
        ms(t.elapsed())
    );
    // the watcher's path without the engine: IDLE wakes, then a read on the same connection
    let mut imap = imap;
    let mut row = store.mailbox(&mb).await.map_err(|x| e(&x))?;
    for k in 0..3 {
        let t = Instant::now();
        let waiting = tokio::spawn(async move { imap.wait(Duration::from_secs(30)).await });
        tokio::time::sleep(Duration::from_millis(200)).await;
        let t_deliver = Instant::now();
        server.deliver(&mail(n + 300 + k)).await.map_err(|x| e(&x))?;
        let delivered = t_deliver.elapsed();
        let (conn, _) = waiting.await.map_err(|x| e(&x))?.map_err(|x| e(&x))?;
        let woke = t_deliver.elapsed();
        let (conn, r) = inbox::read_mailbox_with(&store, &row, &account, Some(conn)).await.map_err(|x| e(&x))?;
        println!(
            "idle path: LMTP delivery took {} ms; IDLE woke {} ms after it began, read+store {} ms ({} new), total {} ms",
            ms(delivered),
            ms(woke),
            ms(t_deliver.elapsed().saturating_sub(woke)),
            r.stored,
            ms(t.elapsed().saturating_sub(Duration::from_millis(200)))
        );
        imap = conn;
        row = store.mailbox(&mb).await.map_err(|x| e(&x))?;
    }
    imap.logout().await;

    search_bench(&store).await?;
    let mut list = vec![];
    let t = Instant::now();
    for _ in 0..20 {
        list = inbox::conversations(&store, &InboxFilter::default(), 0, 200).await.map_err(|x| e(&x))?;
    }
    println!("list: first 200 conversations of {}, {} ms", report.conversations.len(), ms(t.elapsed() / 20));

    // a 200-message thread
    let conv = list.first().map(|c| c.id.clone()).ok_or("no conversation")?;
    let msgs: Vec<mercator_store::inbox::NewMessage> = (0..199)
        .map(|i| mercator_store::inbox::NewMessage {
            channel_id: ch.clone(),
            mailbox_id: Some(mb.clone()),
            external_id: format!("long-{i}@bench"),
            thread: None,
            parents: vec![format!("bench-{}@marketplace.amazon.de", 0)],
            direction: mercator_store::inbox::Direction::In,
            subject: "Re: long".into(),
            from_name: "Jonas".into(),
            from_address: "a@b".into(),
            reply_to: "a@b".into(),
            body: "Noch eine Nachricht. ".repeat(20),
            html: Some("<p>Noch eine Nachricht.</p>".repeat(20)),
            blocked_images: 0,
            attachments: "[]".into(),
            files: vec![],
            links: "[]".into(),
            sent_at: time::OffsetDateTime::now_utc(),
            order_refs: vec![],
            lang: None,
            auto: false,
        })
        .collect();
    let stored = store.ingest(&msgs, None).await.map_err(|x| e(&x))?;
    let long = stored.stored[0].0.clone();
    let mut times = vec![];
    let mut count = 0;
    for _ in 0..30 {
        let t = Instant::now();
        let th = inbox::thread(&store, &long).await.map_err(|x| e(&x))?;
        times.push(t.elapsed());
        count = th.messages.len();
    }
    times.sort();
    let _ = conv;
    println!(
        "thread: open a {count}-message conversation, p50 {} ms, p99 {} ms (backend call incl. JSON)",
        ms(pct(&times, 50)),
        ms(pct(&times, 99))
    );
    let json = serde_json::to_vec(&inbox::thread(&store, &long).await.map_err(|x| e(&x))?).map_err(|x| e(&x))?;
    println!("thread: reply size {} KiB", json.len() >> 10);

    // LMTP delivery -> engine event (IDLE)
    if !keyring {
        println!("live: skipped (no OS keyring here: run under `dbus-run-session -- bash tests/with-keyring.sh`)");
        return Ok(());
    }
    let store = Arc::new(store);
    let host = Arc::new(Events::default());
    let engine = Engine::start(store.clone(), vault.clone(), host.clone(), Arc::new(SystemClock), Timings::default());
    tokio::time::sleep(Duration::from_secs(3)).await; // the watcher reads what is there and enters IDLE
    let mut lat = vec![];
    for k in 0..20 {
        let seen = host.0.lock().map_or(0, |v| v.len());
        server.deliver(&mail(n + 1 + k)).await.map_err(|x| e(&x))?;
        // from the moment the server has the mail (its LMTP "250")
        let t = Instant::now();
        loop {
            if let Some(at) = host.0.lock().ok().and_then(|v| v.get(seen).copied()) {
                lat.push(at.saturating_duration_since(t));
                break;
            }
            if t.elapsed() > Duration::from_secs(30) {
                return Err("no inbox event within 30 s".into());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    engine.stop().await;
    lat.sort();
    println!(
        "live: mail accepted by the server (LMTP 250) to the engine's inbox event, {} deliveries, p50 {} ms, max {} ms",
        lat.len(),
        ms(pct(&lat, 50)),
        ms(lat.last().copied().unwrap_or_default())
    );
    Ok(())
}
