//! Start-up and memory benchmark of the real release binary under Xvfb.
//!
//! For each scenario the app is launched `runs` times; "ready" is the time
//! from spawning the process until the UI reports the first catalog rows on
//! screen (the app writes MERCATOR_READY_FILE from its `ui_ready` command).
//! After 3 s idle, memory is read from /proc/PID/smaps_rollup for the app and
//! all its descendants (WebKitWebProcess, WebKitNetworkProcess) and summed.

// Timings and megabytes printed for people: the one place floats are allowed.
#![allow(clippy::disallowed_types, clippy::float_arithmetic, clippy::cast_precision_loss)]

use crate::util::root;
use mercator_store::{OpenOptions, SeedStats, Store};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn generate_shop(dir: &Path, skus: usize) -> Result<SeedStats, String> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let (store, _) = Store::open(dir, &OpenOptions { seed_demo: false, ..Default::default() })
            .await
            .map_err(|e| e.to_string())?;
        let stats = store
            .seed_generated(skus, &format!("Benchmark shop ({skus} SKUs) 基准店铺"))
            .await
            .map_err(|e| e.to_string())?;
        store.close().await;
        Ok(stats)
    })
}

/// The generated benchmark shop of `skus` SKUs (target/bench/shop-N),
/// generated on first use and reused after.
pub fn shop_of(skus: usize) -> Result<std::path::PathBuf, String> {
    let dir = root().join(format!("target/bench/shop-{skus}"));
    if !dir.join(mercator_store::DB_FILE_NAME).exists() {
        let t = Instant::now();
        let stats = generate_shop(&dir, skus)?;
        println!("(generated {} variants in {:.1?})", stats.variants, t.elapsed());
    }
    Ok(dir)
}

struct Sample {
    ready_ms: u128,
    pss_kib: u64,
    rss_kib: u64,
    processes: usize,
}

fn children_map() -> HashMap<u32, Vec<u32>> {
    let mut map: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else { continue };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
            // ppid is the 2nd field after the ")" that closes the command name
            let Some(after) = stat.rfind(')').map(|i| &stat[i + 2..]) else { continue };
            if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok()) {
                map.entry(ppid).or_default().push(pid);
            }
        }
    }
    map
}

fn tree(pid: u32) -> Vec<u32> {
    let map = children_map();
    let mut out = vec![pid];
    let mut i = 0;
    while i < out.len() {
        if let Some(kids) = map.get(&out[i]) {
            out.extend(kids);
        }
        i += 1;
    }
    out
}

fn rollup(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("Pss:"), field("Rss:"))
}

fn kill_tree(child: &mut Child) {
    let pids = tree(child.id());
    for pid in pids.iter().rev() {
        let _ = Command::new("kill").arg("-TERM").arg(pid.to_string()).status();
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn one_run(bin: &Path, data_dir: &Path, scratch: &Path, display: &str) -> Result<Sample, String> {
    let ready = scratch.join(format!("ready-{}", std::process::id()));
    let _ = std::fs::remove_file(&ready);
    let started = Instant::now();
    let mut child = Command::new(bin)
        .env("DISPLAY", display)
        .env("MERCATOR_DATA_DIR", data_dir)
        .env("MERCATOR_READY_FILE", &ready)
        .env("MERCATOR_LOG_DIR", scratch.join("logs"))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let ready_ms = loop {
        if ready.exists() {
            break started.elapsed().as_millis();
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("app exited early ({status})"));
        }
        if started.elapsed() > Duration::from_secs(60) {
            kill_tree(&mut child);
            return Err("app not ready within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    std::thread::sleep(Duration::from_secs(3));
    let pids = tree(child.id());
    let (mut pss, mut rss) = (0, 0);
    for pid in &pids {
        let (p, r) = rollup(*pid);
        pss += p;
        rss += r;
    }
    kill_tree(&mut child);
    Ok(Sample { ready_ms, pss_kib: pss, rss_kib: rss, processes: pids.len() })
}

fn median(mut v: Vec<u128>) -> u128 {
    v.sort_unstable();
    v[v.len() / 2]
}

fn report(name: &str, samples: &[Sample]) {
    let ready: Vec<u128> = samples.iter().map(|s| s.ready_ms).collect();
    let pss: Vec<u128> = samples.iter().map(|s| u128::from(s.pss_kib)).collect();
    let rss: Vec<u128> = samples.iter().map(|s| u128::from(s.rss_kib)).collect();
    println!(
        "{name:<34} ready median {:>5} ms (min {:>5}, max {:>5})   PSS median {:>4} MiB   RSS median {:>4} MiB   processes {}",
        median(ready.clone()),
        ready.iter().min().unwrap_or(&0),
        ready.iter().max().unwrap_or(&0),
        median(pss) / 1024,
        median(rss) / 1024,
        samples.first().map_or(0, |s| s.processes),
    );
}

pub fn bench(args: &[String]) -> Result<(), String> {
    let [runs, skus] = crate::util::count_options(args, [("--runs", 5), ("--skus", 100_000)])?;
    crate::build_app(true)?;
    let bin = crate::app_binary(true);
    let bench_dir = root().join("target/bench");
    let scratch = bench_dir.join("scratch");
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;

    let display = ":87";
    let mut xvfb = Command::new("Xvfb")
        .args([display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start Xvfb: {e}"))?;
    std::thread::sleep(Duration::from_millis(500));

    let result = (|| -> Result<(), String> {
        // Warm the OS file cache and WebKit's first-launch work once.
        let warm = bench_dir.join("warm");
        let _ = std::fs::remove_dir_all(&warm);
        one_run(&bin, &warm, &scratch, display)?;

        println!("\nMercator start-up benchmark: {runs} runs each, release build, Xvfb 1280x800");
        let mut first = vec![];
        for i in 0..runs {
            let dir = bench_dir.join(format!("first-run-{i}"));
            let _ = std::fs::remove_dir_all(&dir);
            first.push(one_run(&bin, &dir, &scratch, display)?);
        }
        report("demo shop, first run (creates DB)", &first);

        let demo = bench_dir.join("first-run-0");
        let samples = (0..runs).map(|_| one_run(&bin, &demo, &scratch, display)).collect::<Result<Vec<_>, _>>()?;
        report("demo shop (50 products)", &samples);

        let big = shop_of(skus)?;
        let samples = (0..runs).map(|_| one_run(&bin, &big, &scratch, display)).collect::<Result<Vec<_>, _>>()?;
        report(&format!("generated shop ({skus} SKUs)"), &samples);
        Ok(())
    })();
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    result
}

/// Backend search latency on a generated shop: the store's catalog query
/// (count + first page of 50) as the UI calls it, per query kind.
pub fn bench_search(args: &[String]) -> Result<(), String> {
    let skus = crate::util::count_options(args, [("--skus", 100_000)])?[0];
    let dir = shop_of(skus)?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let t = Instant::now();
        let (store, report) = Store::open(&dir, &OpenOptions { seed_demo: false, ..Default::default() })
            .await
            .map_err(|e| e.to_string())?;
        println!(
            "open {:.1?} (migrations applied: {:?}, backup: {})",
            t.elapsed(),
            report.applied_migrations,
            report.backup.is_some()
        );
        let series: Vec<String> = (1..=40).map(|i| i.to_string()).collect();
        let kinds: Vec<(&str, Vec<String>)> = vec![
            ("SKU prefix", (0..200).map(|i| format!("GELE-{:04}", 10 + i % 90)).collect()),
            (
                "English word",
                ["Bamboo", "Charger", "Stainless", "Yoga", "Notebook", "Headlamp", "Wireless", "Towel"]
                    .iter()
                    .cycle()
                    .take(200)
                    .map(std::string::ToString::to_string)
                    .collect(),
            ),
            ("English two words", (0..200).map(|i| format!("Series {} Bamboo", series[i % 40])).collect()),
            (
                "Chinese substring (3+ chars)",
                ["保温水壶", "充电器", "瑜伽垫", "笔记本", "第12代", "机械键盘"]
                    .iter()
                    .cycle()
                    .take(200)
                    .map(std::string::ToString::to_string)
                    .collect(),
            ),
            (
                "Chinese 2 chars (LIKE fallback)",
                ["耳机", "台灯", "枕头", "毛巾", "窗帘"].iter().cycle().take(100).map(std::string::ToString::to_string).collect(),
            ),
        ];
        let cap = mercator_store::COUNT_CAP;
        println!(
            "\nCatalog search on {skus} SKUs, per query: what a keystroke runs (first 50 rows + count up to {cap}), \
             then the exact count the UI asks for next"
        );
        let pct = |times: &mut Vec<u128>, q: usize| {
            times.sort_unstable();
            times[(times.len() * q / 100).min(times.len() - 1)] as f64 / 1000.0
        };
        for (name, queries) in kinds {
            let mut times = vec![];
            let mut exact_times = vec![];
            let mut hits = 0;
            for q in &queries {
                let t = Instant::now();
                let (rows, _) =
                    store.products_page("en-US", Some(q), 0, 50, Some(cap)).await.map_err(|e| e.to_string())?;
                times.push(t.elapsed().as_micros());
                std::hint::black_box(rows);
                let t = Instant::now();
                let filter = mercator_store::CatalogFilter { query: Some(q.clone()), ..Default::default() };
                hits += store.catalog_count(&filter).await.map_err(|e| e.to_string())?;
                exact_times.push(t.elapsed().as_micros());
            }
            println!(
                "{name:<34} first rows p50 {:>6.2} ms  p99 {:>6.2} ms  | exact count p50 {:>6.2} ms  p99 {:>6.2} ms  (avg {} hits)",
                pct(&mut times, 50),
                pct(&mut times, 99),
                pct(&mut exact_times, 50),
                pct(&mut exact_times, 99),
                hits / queries.len() as i64
            );
        }
        let t = Instant::now();
        let (rows, _) = store.products_page("zh-CN", None, 50_000 / 3, 200, None).await.map_err(|e| e.to_string())?;
        println!("\ncatalog page of 200 rows from the middle (no search): {:.2?} ({} rows)", t.elapsed(), rows.len());
        store.close().await;
        Ok(())
    })
}

/// Bulk catalog work on `rows` products (one variant each; titles in
/// zh/en/de): CSV import (parse, validate, write with history and search
/// index) against the floor, the sqlite3 CLI's `.import` of the same file
/// into a plain table, in the same run; XLSX import of the same rows; export
/// of the whole catalog to CSV and XLSX; an import that updates 10% of the
/// SKUs; a bulk edit of every product and its undo.
pub fn bench_import(args: &[String]) -> Result<(), String> {
    use mercator_core::import::{
        export_csv, guess_mapping, parse_table, read_file, validate, ImportRow, Limits, Table,
    };
    use mercator_store::catalog::Progress;
    let rows_n = crate::util::count_options(args, [("--rows", 100_000)])?[0];
    let dir = root().join("target/bench/import");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let langs: Vec<String> = ["zh-CN", "en-US", "de-DE"].map(String::from).to_vec();
    let rows: Vec<ImportRow> = mercator_core::demo::generated_products(rows_n)
        .flat_map(|p| {
            let texts = p.texts.clone();
            p.variants.into_iter().map(move |v| ImportRow {
                gtin: Some(v.gtin),
                brand: p.brand.clone(),
                category: p.category.clone(),
                titles: texts.iter().map(|t| (t.lang.to_string(), t.title.clone())).collect(),
                ..ImportRow::new(v.sku, v.cost)
            })
        })
        .collect();
    let t = Instant::now();
    let csv = export_csv(&rows, &langs);
    let export_time = t.elapsed();
    let file = dir.join("products.csv");
    std::fs::write(&file, &csv).map_err(|e| e.to_string())?;
    println!(
        "\nCSV of {} rows, {:.1} MB: written by the core exporter in {:.0?}",
        rows.len(),
        csv.len() as f64 / 1e6,
        export_time
    );

    let mb = |p: &Path| std::fs::metadata(p).map_or(0.0, |m| m.len() as f64 / 1e6);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    let open = |name: &str| {
        let path = dir.join(name);
        async move {
            Store::open(&path, &OpenOptions { seed_demo: false, ..Default::default() })
                .await
                .map(|s| s.0)
                .map_err(|e| e.to_string())
        }
    };
    // parse + validate + write, as the app's import does
    async fn import(store: &Store, table: Table, parsed: Duration, label: &str) -> Result<(), String> {
        let t = Instant::now();
        let mapping = guess_mapping(&table.headers);
        let skus = store.all_skus().await.map_err(|e| e.to_string())?;
        let (ok, bad) = validate(&table, &mapping, mercator_core::Currency::CNY, &skus).map_err(|e| e.to_string())?;
        let validated = t.elapsed();
        let outcome = store.import_rows(&ok, &Progress::silent()).await.map_err(|e| e.to_string())?;
        let written = t.elapsed().checked_sub(validated).unwrap();
        println!(
            "{label}: parse {parsed:.0?}, validate {validated:.0?}, write + history + search index {written:.2?}; \
             total {:.2?} ({} created, {} updated, {} unchanged, {} rejected)",
            parsed + validated + written,
            outcome.created,
            outcome.updated,
            outcome.unchanged,
            bad.len()
        );
        Ok(())
    }
    rt.block_on(async {
        let store = open("csv-shop").await?;
        // from the file's path, as the app reads it
        let t = Instant::now();
        let table = read_file(&file, &Limits::DEFAULT).map_err(|e| e.to_string())?;
        import(&store, table, t.elapsed(), "CSV import").await?;

        // export what was imported, as the app's export buttons do
        let out = dir.join("exports");
        let none = mercator_store::CatalogFilter::default();
        let mut exported = HashMap::new();
        for format in ["csv", "xlsx"] {
            let t = Instant::now();
            let r = mercator_api::catalog::export_catalog(&store, None, &none, format, &out)
                .await
                .map_err(|e| format!("{e:?}"))?;
            let path = std::path::PathBuf::from(&r.path);
            println!(
                "export of the whole catalog to {format}: {:.2?} ({} rows, {:.1} MB)",
                t.elapsed(),
                r.rows,
                mb(&path)
            );
            exported.insert(format, path);
        }

        // an import that changes 10% of the SKUs (stock and English title), the rest unchanged
        let export_bytes = std::fs::read(&exported["csv"]).map_err(|e| e.to_string())?;
        let src = parse_table(&export_bytes).map_err(|e| e.to_string())?;
        let stock = src.headers.iter().position(|h| h == "stock").ok_or("no stock column")?;
        let title = src.headers.iter().position(|h| h == "title:en-US").ok_or("no title column")?;
        let n = src.len() / 10;
        let mut table = Table::new(src.encoding, src.delimiter, src.headers.clone(), true);
        for r in src.rows().take(n) {
            let mut cells: Vec<String> = r.cells().map(String::from).collect();
            cells[stock] = "42".into();
            cells[title].push_str(" v2");
            table.push_row(r.line, &cells).map_err(|e| e.code)?;
        }
        import(&store, table, Duration::ZERO, &format!("CSV import updating {n} known SKUs")).await?;

        // bulk edit of every product, then its undo
        let ids = store.catalog_ids(&none).await.map_err(|e| e.to_string())?;
        let t = Instant::now();
        let (op, changed) = store
            .bulk_edit(
                &ids,
                &mercator_core::catalog::BulkOp::SetField { field: "brand".into(), value: "Benchmark".into() },
                &Progress::silent(),
            )
            .await
            .map_err(|e| e.to_string())?;
        println!(
            "bulk edit: set the brand of {} products: {:.2?} ({changed} changes, one history op)",
            ids.len(),
            t.elapsed()
        );
        let t = Instant::now();
        store.undo(&op).await.map_err(|e| e.to_string())?;
        println!("undo of that bulk edit: {:.2?}", t.elapsed());
        store.close().await;

        // XLSX import of the exported workbook into an empty shop
        let store = open("xlsx-shop").await?;
        let t = Instant::now();
        let table = read_file(&exported["xlsx"], &Limits::DEFAULT).map_err(|e| e.to_string())?;
        import(&store, table, t.elapsed(), "XLSX import").await?;
        store.close().await;
        Ok::<(), String>(())
    })?;

    if crate::util::have("sqlite3") {
        let db = dir.join("floor.db");
        let t = Instant::now();
        let status = std::process::Command::new("sqlite3")
            .arg(&db)
            .arg(".mode csv")
            .arg(format!(".import {} plain", file.display()))
            .status()
            .map_err(|e| e.to_string())?;
        println!("floor: sqlite3 CLI .import of the same CSV into a plain table: {:.2?} ({status})", t.elapsed());
    } else {
        println!("floor: sqlite3 CLI not installed (apt-get install sqlite3)");
    }

    // peak memory of a whole import of a large file (~200 MB: long
    // descriptions in three languages), in a fresh process as the app has
    let big = dir.join("big.csv");
    let described: Vec<ImportRow> = rows
        .iter()
        .map(|r| {
            let text = format!("{} — {}", r.titles[0].1, "Food-grade silicone, heat resistant to 230 °C, dishwasher safe; 食品级硅胶，耐高温230°C，可放入洗碗机。".repeat(6));
            ImportRow { descriptions: langs.iter().map(|l| (l.clone(), text.clone())).collect(), ..r.clone() }
        })
        .collect();
    std::fs::write(&big, export_csv(&described, &langs)).map_err(|e| e.to_string())?;
    drop(described);
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = std::process::Command::new(exe)
        .args(["import-child", "--file"])
        .arg(&big)
        .arg("--data-dir")
        .arg(dir.join("big-shop"))
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let peak_mb: f64 =
        text.split("peak RSS ").nth(1).and_then(|t| t.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0.0);
    println!(
        "{} — a {:.0} MB file: peak RSS {:.0} MB ({:.1}x the file)",
        text.trim(),
        mb(&big),
        peak_mb,
        peak_mb / mb(&big)
    );
    Ok(())
}

/// Memory now and at its highest so far, after one step of the import.
fn step_memory(step: &str) {
    let mib = |k| crate::util::proc_status_kib(k) / 1024;
    println!("import-child: {step}: resident {} MiB, highest so far {} MiB", mib("VmRSS:"), mib("VmHWM:"));
}

/// `import-child --file F --data-dir D`: imports F into a new shop at D the
/// way the app does (read from the path, validate, write) and prints the
/// process's peak memory.
pub fn import_child(args: &[String]) -> Result<(), String> {
    use mercator_core::import::{guess_mapping, read_file, Limits};
    let mut file = None;
    let mut dir = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--file" => file = it.next().map(std::path::PathBuf::from),
            "--data-dir" => dir = it.next().map(std::path::PathBuf::from),
            other => return Err(format!("unknown option {other}")),
        }
    }
    let (file, dir) = (file.ok_or("--file")?, dir.ok_or("--data-dir")?);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let (store, _) = Store::open(&dir, &OpenOptions { seed_demo: false, ..Default::default() })
            .await
            .map_err(|e| e.to_string())?;
        let t = Instant::now();
        let table = read_file(&file, &Limits::DEFAULT).map_err(|e| e.code)?;
        step_memory("file read");
        let mapping = guess_mapping(&table.headers);
        let skus = store.all_skus().await.map_err(|e| e.to_string())?;
        // as the app imports: a first pass finds the valid rows, the writer
        // asks for them a chunk at a time
        let mut v = mercator_core::import::Validator::new(&table, &mapping, mercator_core::Currency::CNY)
            .map_err(|e| e.code)?;
        let (mut valid, mut bad) = (vec![], vec![]);
        for (i, row) in table.rows().enumerate() {
            match v.row(&row, &skus) {
                Ok(_) => valid.push(i),
                Err(e) => bad.push(e),
            }
        }
        drop(v);
        step_memory("rows validated");
        let rows = mercator_core::import::ValidRows {
            table: &table,
            mapping: &mapping,
            default_currency: mercator_core::Currency::CNY,
            existing: &skus,
            valid,
        };
        let outcome =
            store.import_from(&rows, &mercator_store::catalog::Progress::silent()).await.map_err(|e| e.to_string())?;
        step_memory("rows written");
        drop(rows);
        drop(table);
        step_memory("file released");
        println!(
            "import-child: {} rows created, {} rejected in {:.1?}, peak RSS {} MB",
            outcome.created,
            bad.len(),
            t.elapsed(),
            crate::util::peak_rss_bytes() / 1_000_000
        );
        Ok::<(), String>(())
    })
}

/// Reprices 100k variants x 10 markets (1M prices): compute time (all
/// cores) and the time to store the proposals; then the latency of "why
/// this price" for one price (the engine alone, and the whole command).
pub fn bench_pricing(_args: &[String]) -> Result<(), String> {
    let src = shop_of(100_000)?;
    let dir = root().join("target/bench/pricing");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::copy(src.join(mercator_store::DB_FILE_NAME), dir.join(mercator_store::DB_FILE_NAME))
        .map_err(|e| e.to_string())?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async {
        let (store, _) = Store::open(&dir, &OpenOptions { seed_demo: false, ..Default::default() })
            .await
            .map_err(|e| e.to_string())?;
        // seven more channel accounts: ten markets in all
        for (kind, name, market, currency, lang) in [
            ("amazon", "Amazon.co.jp", "JP", "JPY", "ja-JP"),
            ("amazon", "Amazon.co.uk", "GB", "GBP", "en-GB"),
            ("amazon", "Amazon.fr", "FR", "EUR", "fr-FR"),
            ("amazon", "Amazon.it", "IT", "EUR", "it-IT"),
            ("shopee", "Shopee SG", "SG", "SGD", "en-SG"),
            ("ebay", "eBay US", "US", "USD", "en-US"),
            ("tiktok", "TikTok Shop UK", "GB", "GBP", "en-GB"),
        ] {
            sqlx_insert_channel(&store, kind, name, market, currency, lang).await?;
        }
        store.seed_pricing_presets().await.map_err(|e| e.to_string())?;
        let days = mercator_pricing::parse_ecb(mercator_store::pricing::SAMPLE_ECB).map_err(|e| e.to_string())?;
        store.import_ecb(&days).await.map_err(|e| e.to_string())?;
        let t = Instant::now();
        let r = mercator_api::pricing::reprice(&store).await.map_err(|e| format!("{e:?}"))?;
        println!(
            "\nReprice {} variant x market pairs ({} priced, {} cannot be priced): compute {} ms (all cores), \
             persist {} ms; whole run {:.2?} (with reading the catalog)",
            r.priced + r.cannot_price,
            r.priced,
            r.cannot_price,
            r.compute_ms,
            r.persist_ms,
            t.elapsed()
        );
        // why this price: engine alone and the whole command
        let items = store.pricing_items(None).await.map_err(|e| e.to_string())?;
        let policies = store.policies(mercator_store::pricing::today()).await.map_err(|e| e.to_string())?;
        let fx = store.fx_table().await.map_err(|e| e.to_string())?;
        let globals = store.pricing_globals().await.map_err(|e| e.to_string())?;
        let ctx = mercator_pricing::Context { fx: &fx, globals: &globals, today: mercator_store::pricing::today() };
        let mut engine = vec![];
        let mut command = vec![];
        for i in 0..200 {
            let (vid, item) = &items[(i * 7919) % items.len()];
            let p = &policies[i % policies.len()];
            let t = Instant::now();
            let q = mercator_pricing::price(&ctx, item, &p.market, true);
            engine.push(t.elapsed().as_micros());
            std::hint::black_box(q.ok());
            let t = Instant::now();
            let q = mercator_api::pricing::explain(&store, vid, &p.channel_id, None).await;
            command.push(t.elapsed().as_micros());
            std::hint::black_box(q.ok());
        }
        let pct = |v: &mut Vec<u128>, q: usize| {
            v.sort_unstable();
            v[(v.len() * q / 100).min(v.len() - 1)] as f64 / 1000.0
        };
        println!(
            "why this price (200 prices): engine p50 {:.3} ms p99 {:.3} ms; whole command (reads + engine) p50 {:.2} ms p99 {:.2} ms",
            pct(&mut engine, 50),
            pct(&mut engine, 99),
            pct(&mut command, 50),
            pct(&mut command, 99)
        );
        store.close().await;
        Ok::<(), String>(())
    })
}

async fn sqlx_insert_channel(
    store: &Store,
    kind: &str,
    name: &str,
    market: &str,
    currency: &str,
    lang: &str,
) -> Result<(), String> {
    store.add_channel(kind, name, market, currency, lang).await.map(|_| ()).map_err(|e| e.to_string())
}
