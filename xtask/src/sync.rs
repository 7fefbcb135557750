//! Order-sync checks that need separate processes: the crash test (kill the
//! syncing process at random points, restart it, and compare the final order
//! set with the server's) and the sync benchmark.

use crate::util::root;
use mercator_api::sync::{pull_with, Connector};
use mercator_channels::http::RetryPolicy;
use mercator_store::{OpenOptions, Store};
use mercator_testkit::AmazonFake;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const CHANNEL_NAME: &str = "Amazon.de (sync test)";

/// The test account of a channel kind: (name, market, currency, language).
fn account_of(kind: &str) -> (&'static str, &'static str, &'static str, &'static str) {
    match kind {
        "shopify" => ("Shopify (sync test)", "US", "USD", "en-US"),
        "woocommerce" => ("WooCommerce (sync test)", "US", "USD", "en-US"),
        _ => (CHANNEL_NAME, "DE", "EUR", "de-DE"),
    }
}

/// A connector of `kind` to the fake at `url`, with the fake's credentials.
fn connector_of(kind: &str, url: &str) -> Result<Connector, String> {
    let (config, secrets): (serde_json::Value, Vec<(&str, &str)>) = match kind {
        "amazon" => return connector(url),
        "shopify" => (
            serde_json::json!({ "shop_url": url, "currency": "USD" }),
            vec![("access_token", mercator_testkit::shopify::ACCESS_TOKEN)],
        ),
        "woocommerce" => (
            serde_json::json!({ "base_url": url, "currency": "USD" }),
            vec![
                ("consumer_key", mercator_testkit::woo::CONSUMER_KEY),
                ("consumer_secret", mercator_testkit::woo::CONSUMER_SECRET),
            ],
        ),
        other => return Err(format!("crash test: no fake for {other}")),
    };
    let secrets = secrets.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    mercator_api::sync::connector_from(kind, &config, &secrets, RetryPolicy::fast()).map_err(|e| format!("{e:?}"))
}

/// A fake shop of one of the kinds the crash test runs against.
enum Fake {
    Amazon(AmazonFake),
    Shopify(mercator_testkit::ShopifyFake),
    Woo(mercator_testkit::WooFake),
}

impl Fake {
    async fn start(kind: &str, orders: usize, seed: u64) -> Fake {
        match kind {
            "shopify" => {
                let f = mercator_testkit::ShopifyFake::start(orders, seed).await;
                // no simulated cost waits beyond what a large shop's plan has
                f.budget(20_000, 10_000);
                Fake::Shopify(f)
            }
            "woocommerce" => Fake::Woo(mercator_testkit::WooFake::start(orders, seed).await),
            _ => Fake::Amazon(AmazonFake::start(orders, seed).await),
        }
    }
    fn url(&self) -> String {
        match self {
            Fake::Amazon(f) => f.url(),
            Fake::Shopify(f) => f.url(),
            Fake::Woo(f) => f.url(),
        }
    }
    fn random_faults(&self, seed: u64, pct: u64) {
        match self {
            Fake::Amazon(f) => f.random_faults(seed, pct),
            Fake::Shopify(f) => f.random_faults(seed, pct),
            Fake::Woo(f) => f.random_faults(seed, pct),
        }
    }
    fn no_faults(&self) {
        match self {
            Fake::Amazon(f) => f.no_faults(),
            Fake::Shopify(f) => f.no_faults(),
            Fake::Woo(f) => f.no_faults(),
        }
    }
    fn update_orders(&self, n: usize) {
        match self {
            Fake::Amazon(f) => f.update_orders(n),
            Fake::Shopify(f) => f.update_orders(n),
            Fake::Woo(f) => f.update_orders(n),
        }
    }
    /// The shop's orders: id -> (last update, status) as Mercator stores them.
    fn expected(&self) -> BTreeMap<String, (Option<String>, String)> {
        let snap = match self {
            Fake::Amazon(f) => f.snapshot(),
            Fake::Shopify(f) => f.snapshot(),
            Fake::Woo(f) => f.snapshot(),
        };
        snap.into_iter()
            .map(|(id, at, st)| {
                // WooCommerce's GMT times come without a zone
                let at = if matches!(self, Fake::Woo(_)) && !at.ends_with('Z') { format!("{at}Z") } else { at };
                (id, (Some(at), st))
            })
            .collect()
    }
    /// Our stored raw status in the fake's terms (Shopify keeps financial/fulfillment).
    fn status_of(&self, raw: &str) -> String {
        match self {
            Fake::Shopify(_) => raw.rsplit('/').next().unwrap_or(raw).to_string(),
            _ => raw.to_string(),
        }
    }
}

fn connector(url: &str) -> Result<Connector, String> {
    mercator_testkit::amazon_connector(url, url).map(Connector::Amazon).map_err(|e| e.to_string())
}

async fn channel_of(store: &Store) -> Result<String, String> {
    channel_of_kind(store, "amazon").await
}

async fn channel_of_kind(store: &Store, kind: &str) -> Result<String, String> {
    let (name, market, currency, lang) = account_of(kind);
    let existing = store.channels().await.map_err(|e| e.to_string())?.into_iter().find(|c| c.name == name);
    match existing {
        Some(c) => Ok(c.id),
        None => store.add_channel(kind, name, market, currency, lang).await.map_err(|e| e.to_string()),
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// `sync-child --data-dir D --url U [--later-s N]`: pulls until the window
/// is complete (retrying after errors), then prints a summary line. Killed
/// at any moment by the crash test.
pub fn sync_child(args: &[String]) -> Result<(), String> {
    let mut dir = None;
    let mut url = None;
    let mut later = 0i64;
    let mut kind = "amazon".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--data-dir" => dir = it.next().cloned(),
            "--url" => url = it.next().cloned(),
            "--kind" => kind = it.next().cloned().unwrap_or_default(),
            "--later-s" => later = it.next().and_then(|v| v.parse().ok()).unwrap_or(0),
            other => return Err(format!("unknown option {other}")),
        }
    }
    let (dir, url) = (dir.ok_or("--data-dir")?, url.ok_or("--url")?);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let (store, _) = Store::open(Path::new(&dir), &OpenOptions { seed_demo: false, ..Default::default() })
            .await
            .map_err(|e| e.to_string())?;
        let ch = channel_of_kind(&store, &kind).await?;
        let c = connector_of(&kind, &url)?;
        let t = Instant::now();
        let mut total = mercator_api::sync::RunReport::default();
        let mut errors = 0;
        loop {
            let now = time::OffsetDateTime::now_utc() + time::Duration::seconds(later);
            match pull_with(&store, &ch, &c, now, &|_| {}).await {
                Ok(r) => {
                    total.pages += r.pages;
                    total.fetched += r.fetched;
                    total.created += r.created;
                    total.updated += r.updated;
                    if r.complete {
                        break;
                    }
                }
                Err(_) => {
                    errors += 1;
                    if errors > 500 {
                        return Err("the sync does not converge".into());
                    }
                }
            }
        }
        let elapsed = t.elapsed();
        println!(
            "sync-child: {} pages, {} orders fetched ({} new, {} updated), {} failed runs, {:.2?}, peak RSS {} MiB",
            total.pages,
            total.fetched,
            total.created,
            total.updated,
            errors,
            elapsed,
            peak_rss_kib() / 1024
        );
        store.close().await;
        Ok(())
    })
}

fn child(dir: &Path, url: &str, later_s: i64) -> Result<std::process::Child, String> {
    child_of("amazon", dir, url, later_s)
}

fn child_of(kind: &str, dir: &Path, url: &str, later_s: i64) -> Result<std::process::Child, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    std::process::Command::new(exe)
        .args([
            "sync-child",
            "--kind",
            kind,
            "--data-dir",
            dir.to_str().unwrap_or_default(),
            "--url",
            url,
            "--later-s",
            &later_s.to_string(),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())
}

async fn compare(dir: &Path, fake: &AmazonFake) -> Result<(usize, usize), String> {
    let theirs: BTreeMap<String, (Option<String>, String)> =
        fake.snapshot().into_iter().map(|(id, at, st)| (id, (Some(at), st))).collect();
    compare_with(dir, "amazon", theirs, &|raw| raw.to_string()).await
}

async fn compare_with(
    dir: &Path,
    kind: &str,
    theirs: BTreeMap<String, (Option<String>, String)>,
    status_of: &(dyn Fn(&str) -> String + Sync),
) -> Result<(usize, usize), String> {
    let (store, _) =
        Store::open(dir, &OpenOptions { seed_demo: false, ..Default::default() }).await.map_err(|e| e.to_string())?;
    let ch = channel_of_kind(&store, kind).await?;
    let ours: BTreeMap<String, (Option<String>, String)> = store
        .order_keys(&ch)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|k| (k.external_id, (k.channel_updated_at, status_of(&k.raw_status))))
        .collect();
    let (dups,): (i64,) = sqlx_count(&store, &ch).await?;
    store.close().await;
    if dups != 0 {
        return Err(format!("{dups} duplicate orders"));
    }
    if ours != theirs {
        let missing = theirs.keys().filter(|k| !ours.contains_key(*k)).count();
        let stale = theirs.iter().filter(|(k, v)| ours.get(*k).is_some_and(|o| o != *v)).count();
        return Err(format!(
            "{missing} orders missing, {stale} not up to date, {} extra",
            ours.len() + missing - theirs.len()
        ));
    }
    Ok((ours.len(), theirs.len()))
}

async fn sqlx_count(store: &Store, ch: &str) -> Result<(i64,), String> {
    store.duplicate_orders(ch).await.map(|n| (n,)).map_err(|e| e.to_string())
}

/// `crash-test [--trials N] [--orders M]`: per trial, a fresh shop and a
/// fake Amazon with M orders (faults on 10 % of requests, orders changing
/// while it runs); the sync runs in a child process killed at random moments
/// and restarted until it finishes; then the final order set must equal the
/// server's: no order lost, none duplicated, every one at its latest update.
pub fn crash_test(args: &[String]) -> Result<(), String> {
    // `--channel amazon|shopify|woocommerce|all` (default amazon)
    let mut kinds = vec!["amazon".to_string()];
    let mut rest = vec![];
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--channel" {
            kinds = match it.next().map(String::as_str) {
                Some("all") => vec!["amazon".into(), "shopify".into(), "woocommerce".into(), "mail".into()],
                Some(k @ ("amazon" | "shopify" | "woocommerce" | "mail")) => vec![k.to_string()],
                other => return Err(format!("--channel amazon|shopify|woocommerce|mail|all, not {other:?}")),
            };
        } else {
            rest.push(a.clone());
        }
    }
    for kind in &kinds {
        if kind == "mail" {
            // the mail test has its own sizes: a few dozen mails per trial
            let trials: Vec<String> = rest.iter().take_while(|a| *a != "--orders").cloned().collect();
            crate::mail_crash::crash_test_mail(&trials)?;
            continue;
        }
        crash_test_of(kind, &rest)?;
    }
    Ok(())
}

fn crash_test_of(kind: &str, args: &[String]) -> Result<(), String> {
    let [trials, orders] = crate::util::count_options(args, [("--trials", 5), ("--orders", 8000)])?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let mut rng = mercator_core::rng::SplitMix64::new(0x5eed);
        let mut kills_total = 0;
        for trial in 0..trials {
            let dir = root().join(format!("target/crash-test/{kind}-trial-{trial}"));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let fake = Fake::start(kind, orders, 100 + trial as u64).await;
            fake.random_faults(trial as u64, 10);
            let mut kills = 0;
            loop {
                let mut c = child_of(kind, &dir, &fake.url(), 0)?;
                // kill at a random point of the run; the window widens with every
                // kill so that a slow machine (a page can take 300 ms in a debug
                // build) still makes progress between kills
                let upper = (500 + 25 * kills).min(5000);
                let wait = Duration::from_millis(rng.range(20, upper) as u64);
                tokio::time::sleep(wait).await;
                match c.try_wait().map_err(|e| e.to_string())? {
                    Some(status) if status.success() => break,
                    Some(status) => return Err(format!("sync child failed: {status}")),
                    None => {
                        c.kill().map_err(|e| e.to_string())?; // SIGKILL: no cleanup, like a crash
                        let _ = c.wait();
                        kills += 1;
                        if rng.chance(50) {
                            fake.update_orders(rng.range(1, 20) as usize);
                        }
                        if kills > 400 {
                            return Err("the sync never finished between kills".into());
                        }
                    }
                }
            }
            // a last quiet run past the window's lag picks up the last changes
            fake.no_faults();
            let out = child_of(kind, &dir, &fake.url(), 180)?.wait_with_output().map_err(|e| e.to_string())?;
            if !out.status.success() {
                return Err(format!("final sync failed: {}", String::from_utf8_lossy(&out.stdout)));
            }
            let (ours, _) = compare_with(&dir, kind, fake.expected(), &|raw| fake.status_of(raw))
                .await
                .map_err(|e| format!("{kind} trial {trial}: {e}"))?;
            println!("crash-test {kind} trial {trial}: {kills} kills; {ours} orders, equal to the server's");
            kills_total += kills;
        }
        println!("crash-test {kind}: {trials} trials, {kills_total} kills, no order lost or duplicated");
        Ok(())
    })
}

/// `bench-sync [--orders N]`: a full sync of N orders from the local fake
/// (no simulated rate-limit waits), then an incremental sync of 1% changed
/// orders; time, orders/s and the syncing process's peak memory.
pub fn bench_sync(args: &[String]) -> Result<(), String> {
    let [orders] = crate::util::count_options(args, [("--orders", 100_000)])?;
    let dir: PathBuf = root().join("target/bench/orders");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let t = Instant::now();
        let fake = AmazonFake::start(orders, 42).await;
        println!("\nfake SP-API with {orders} orders ready in {:.1?}", t.elapsed());
        for (label, later) in [("full sync", 0), ("incremental sync", 180)] {
            if later > 0 {
                fake.update_orders(orders / 100);
            }
            let t = Instant::now();
            let out = child(&dir, &fake.url(), later)?.wait_with_output().map_err(|e| e.to_string())?;
            let secs = t.elapsed();
            let line = String::from_utf8_lossy(&out.stdout);
            if !out.status.success() {
                return Err(format!("{label} failed: {line}"));
            }
            println!("{label}: {:.2?} (process start to finish) — {}", secs, line.trim());
        }
        let (n, _) = compare(&dir, &fake).await?;
        println!("{n} orders stored, equal to the server's");
        Ok(())
    })
}

/// `fake-shopee [--orders N] [--access-life S]`: serves a fake Shopee shop
/// (partner and shop ids, partner key and first refresh token are
/// `mercator_testkit::shopee`'s) and prints its address; runs until killed.
pub fn fake_shopee(args: &[String]) -> Result<(), String> {
    let [orders, life] = crate::util::count_options(args, [("--orders", 80), ("--access-life", 14_400)])?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let fake = mercator_testkit::ShopeeFake::start(orders, 78).await;
        fake.access_life(life as i64);
        // one of the shop's own items priced in rupiah with sen, for linking
        fake.set_item_price(1, "150000.50");
        // the first four orders in rupiah, yen, dinar and euro (as a shop selling
        // across regions sees them), for the end-to-end check of every currency
        for (k, (cur, total)) in [("IDR", "1500000050.25"), ("JPY", "19800"), ("KWD", "12.345"), ("EUR", "16.99")]
            .into_iter()
            .enumerate()
            .take(orders)
        {
            fake.set_order_field(k, "/currency", serde_json::json!(cur));
            let n: serde_json::Number = total.parse().map_err(|_| "amount")?;
            fake.set_order_field(k, "/total_amount", serde_json::Value::Number(n));
        }
        // a buyer in Indonesia asks about the first order in the seller chat
        fake.buyer_writes(
            mercator_testkit::shopee::CHAT_BUYER_ID,
            "budi_santoso",
            "Halo kak, kapan pesanan 241201000000SG saya dikirim?",
            Some("241201000000SG"),
        );
        println!("{}", fake.url());
        use std::io::Write;
        let _ = std::io::stdout().flush();
        // every price the shop accepts, a line each ("price <item>:<model> <text>"),
        // and every chat message the seller sends ("chat <conversation> <text>"),
        // so the end-to-end test sees what was sent
        let (mut told, mut chats) = (0, 0);
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let updates = fake.stats().price_updates;
            for (item, model, text) in updates.iter().skip(told) {
                println!("price {item}:{model} {text}");
            }
            told = updates.len();
            let sent = fake.chat_sent();
            for (conversation, text) in sent.iter().skip(chats) {
                println!("chat {conversation} {}", text.replace('\n', " "));
            }
            chats = sent.len();
            let _ = std::io::stdout().flush();
        }
    })
}

/// `fake-amazon [--orders N]`: serves a fake SP-API (orders, listings, FBA
/// stock of three SKUs) on loopback and prints
/// its address on the first line (for the end-to-end tests); runs until killed.
pub fn fake_amazon(args: &[String]) -> Result<(), String> {
    let [orders] = crate::util::count_options(args, [("--orders", 120)])?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let fake = AmazonFake::start(orders, 77).await;
        // some of the demo shop's SKUs at Amazon's fulfilment centres, and one it does not have
        fake.set_fba(&[("KIT-00001-BLK", 40, 12, 3), ("KIT-00001-WHT", 6, 0, 0), ("FBA-ONLY-01", 9, 0, 0)]);
        println!("{}", fake.url());
        use std::io::Write;
        let _ = std::io::stdout().flush();
        loop {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    })
}

/// The 100k-SKU benchmark shop with `orders` orders synced into it from the
/// local SP-API (target/bench/shop-100000-orders-N), built on first use:
/// the orders list is measured on the same shop the catalog is.
pub fn orders_shop(orders: usize) -> Result<PathBuf, String> {
    let dir = root().join(format!("target/bench/shop-100000-orders-{orders}"));
    let done = dir.join("orders-synced");
    if done.exists() {
        return Ok(dir);
    }
    let base = crate::bench::shop_of(100_000)?;
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    for f in std::fs::read_dir(&base).map_err(|e| e.to_string())?.flatten() {
        if f.path().is_file() {
            std::fs::copy(f.path(), dir.join(f.file_name())).map_err(|e| e.to_string())?;
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let t = Instant::now();
        let fake = AmazonFake::start(orders, 42).await;
        let (store, _) = Store::open(&dir, &OpenOptions { seed_demo: false, ..Default::default() })
            .await
            .map_err(|e| e.to_string())?;
        let ch = channel_of(&store).await?;
        let c = connector(&fake.url())?;
        let mut errors = 0;
        loop {
            match pull_with(&store, &ch, &c, time::OffsetDateTime::now_utc(), &|_| {}).await {
                Ok(r) if r.complete => break,
                Ok(_) => {}
                Err(e) => {
                    errors += 1;
                    if errors > 50 {
                        return Err(format!("syncing the benchmark orders failed: {e:?}"));
                    }
                }
            }
        }
        store.close().await;
        println!("(synced {orders} orders into the benchmark shop in {:.1?})", t.elapsed());
        Ok::<_, String>(())
    })?;
    std::fs::write(&done, b"").map_err(|e| e.to_string())?;
    Ok(dir)
}
