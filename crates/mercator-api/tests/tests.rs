use mercator_api::{ops, typescript_bindings};
use mercator_store::{OpenOptions, Store};

#[test]
fn typescript_bindings_are_fresh() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings.ts");
    let generated = typescript_bindings();
    if std::env::var("UPDATE_BINDINGS").as_deref() == Ok("1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(on_disk == generated, "ui/src/lib/bindings.ts is stale: run `cargo xtask bindings` and commit the result");
    assert!(generated.contains("export type ProductDto"));
    assert!(generated.contains("minor: number"), "i64 crosses as a JS number");
}

/// The API declares how core's error, money and currency types serialise;
/// the declarations name exactly the keys serde writes.
#[test]
fn core_wire_types_are_declared_as_serde_writes_them() {
    fn keys(decl: &str) -> Vec<String> {
        let body = &decl[decl.find('{').unwrap() + 1..decl.rfind('}').unwrap()];
        let mut keys: Vec<String> = body
            .split(',')
            .filter_map(|p| p.split_once(':').map(|(k, _)| k.trim().to_string()))
            .filter(|k| !k.starts_with('{') && !k.starts_with('['))
            .collect();
        keys.sort();
        keys
    }
    fn json_keys(v: serde_json::Value) -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    }
    let [error, currency, money] = mercator_api::CORE_WIRE_TYPES else { panic!("three declarations") };
    let e = mercator_core::ErrorPayload::new(mercator_core::ErrorCode::PageBounds).arg("max", 500);
    assert_eq!(keys(error), json_keys(serde_json::to_value(&e).unwrap()));
    assert_eq!(*currency, "type Currency = string;");
    let jpy: mercator_core::Currency = "JPY".parse().unwrap();
    assert_eq!(serde_json::to_value(jpy).unwrap(), serde_json::json!("JPY"));
    let m = mercator_core::Money::from_minor(150_000, "KWD".parse().unwrap());
    let v = serde_json::to_value(m).unwrap();
    assert_eq!(keys(money), json_keys(v.clone()));
    assert_eq!((v["exponent"].as_i64(), v["amount"].as_str()), (Some(3), Some("150.000")));
}

async fn demo_store() -> (tempfile::TempDir, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(tmp.path(), &OpenOptions::default()).await.unwrap();
    (tmp, store)
}

#[tokio::test]
async fn language_follows_system_until_chosen_and_rejects_unknown() {
    let (_tmp, store) = demo_store().await;
    assert_eq!(ops::ui_settings(&store, "zh-Hans-CN").await.unwrap().language, "zh-CN");
    assert_eq!(ops::ui_settings(&store, "fr-FR").await.unwrap().language, "en-US");
    ops::set_language(&store, "zh-CN").await.unwrap();
    assert_eq!(ops::ui_settings(&store, "en-US").await.unwrap().language, "zh-CN");
    let e = ops::set_language(&store, "klingon").await.unwrap_err();
    assert_eq!(e.0.code, "unknown-language");
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        serde_json::json!({"code": "unknown-language", "args": {"lang": "klingon"}})
    );
    ops::set_theme(&store, "dark").await.unwrap();
    assert_eq!(ops::ui_settings(&store, "en").await.unwrap().theme, mercator_api::Theme::Dark);
    assert_eq!(ops::set_theme(&store, "pink").await.unwrap_err().0.code, "unknown-theme");
}

#[tokio::test]
async fn list_commands_page_and_carry_currency_exponents() {
    let (_tmp, store) = demo_store().await;
    let p = ops::products(&store, "zh-CN", &Default::default(), 0, 20).await.unwrap();
    assert_eq!((p.items.len(), p.total), (20, 50));
    assert_eq!(p.items[0].languages, vec!["de-DE", "en-US", "zh-CN"]);
    assert_eq!(p.items[0].cost.currency, "CNY");
    let found = ops::products(
        &store,
        "zh-CN",
        &mercator_store::CatalogFilter { query: Some("耳机".into()), ..Default::default() },
        0,
        20,
    )
    .await
    .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.items[0].title, "蓝牙5.3主动降噪无线耳机");
    let all = mercator_api::sync::OrderFilter::default();
    let o = mercator_api::sync::orders(&store, &all, 0, 10).await.unwrap();
    assert_eq!(o.total, 36);
    let jpy = mercator_api::sync::orders(&store, &all, 0, 100).await.unwrap();
    let jpy = jpy.items.iter().find(|x| x.total.currency == "JPY").unwrap();
    assert_eq!(jpy.total.exponent, 0);
    // one bounds check for every paged command
    for e in [
        ops::products(&store, "en-US", &Default::default(), -1, 10).await.map(|_| ()).unwrap_err(),
        mercator_api::sync::orders(&store, &all, 0, 100_000).await.map(|_| ()).unwrap_err(),
        mercator_api::inventory::stock(&store, &Default::default(), "en-US", 0, 0).await.map(|_| ()).unwrap_err(),
        mercator_api::pricing::price_changes(&store, None, -5, 10).await.map(|_| ()).unwrap_err(),
    ] {
        assert_eq!((e.0.code.as_str(), e.0.args["max"].as_str()), ("page-bounds", "500"));
    }
    let picks = ops::pick_list(&store, "en-US").await.unwrap();
    assert!(!picks.lines.is_empty());
    let to_ship = mercator_api::sync::orders(&store, &all, 0, 100)
        .await
        .unwrap()
        .items
        .iter()
        .filter(|o| o.status == "unshipped")
        .count();
    assert_eq!(picks.orders as usize, to_ship);
    let c = mercator_api::inbox::conversations(&store, &Default::default(), 0, 100).await.unwrap();
    for conv in &c {
        let t = mercator_api::inbox::thread(&store, &conv.id).await.unwrap();
        assert!(!t.messages.is_empty());
        assert!(!t.can_reply, "the demo has no mailbox");
    }
    let json = serde_json::to_value(mercator_api::inbox::thread(&store, &c[0].id).await.unwrap()).unwrap();
    assert!(json["order"].is_object() || json["order"].is_null());
    assert!(
        c.iter().any(|c| c.reply_state == "overdue" || c.reply_state == "due")
            && c.iter().any(|c| c.reply_state == "answered")
    );
    assert_eq!(ops::sync_status(&store).await.unwrap().pending, 0);
}

#[tokio::test]
async fn product_editor_commands_round_trip_the_json_the_ui_sends() {
    let (_tmp, store) = demo_store().await;
    let req: mercator_api::NewProductRequest = serde_json::from_value(serde_json::json!({
        "brand": "Nestwell", "category": "home",
        "titles": [["zh-CN", "记忆棉坐垫"], ["en-US", "Memory Foam Seat Cushion"], ["de-DE", "  "]],
        "sku": "NEST-CUSH-01", "gtin": "", "cost": "39.9", "costCurrency": "CNY"
    }))
    .unwrap();
    let id = ops::create_product(&store, req).await.unwrap();
    let d = ops::product_detail(&store, &id).await.unwrap();
    assert_eq!(d.texts.len(), 2, "blank titles are skipped");
    assert_eq!(d.variants[0].cost_input, "39.90");
    let v = &d.variants[0];
    let edit: mercator_core::catalog::Edit =
        serde_json::from_value(serde_json::json!({"kind": "gtin", "variantId": v.id, "value": "4006381333931"}))
            .unwrap();
    let d2 = ops::apply_edit(&store, &id, edit, v.revision).await.unwrap();
    assert_eq!(d2.variants[0].gtin, "4006381333931");
    assert_eq!(d2.variants[0].revision, v.revision + 1);
    let h = ops::history(&store, &id).await.unwrap();
    assert_eq!(h[0].field, "gtin");
    assert_eq!(h[0].subject.as_deref(), Some("NEST-CUSH-01"));
    assert_eq!((h[0].old_value.as_deref(), h[0].new_value.as_deref()), (None, Some("4006381333931")));
    assert!(h[0].can_undo && !h[1].can_undo, "creation is not undoable");
    ops::undo(&store, &h[0].op_id).await.unwrap();
    assert_eq!(ops::product_detail(&store, &id).await.unwrap().variants[0].gtin, "");
    let bad: mercator_core::catalog::Edit =
        serde_json::from_value(serde_json::json!({"kind": "title", "lang": "en-US", "value": " "})).unwrap();
    let e = ops::apply_edit(&store, &id, bad, 1).await.unwrap_err();
    assert_eq!(e.0.code, "title-empty");
}

mod catalog {
    use super::*;
    use mercator_api::import::{self, ImportFiles};
    use mercator_api::{catalog, images};
    use mercator_store::catalog::Progress;
    use mercator_store::CatalogFilter;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;

    async fn empty_store() -> (tempfile::TempDir, Store) {
        let tmp = tempfile::tempdir().unwrap();
        let (store, _) =
            Store::open(tmp.path(), &OpenOptions { seed_demo: false, ..Default::default() }).await.unwrap();
        store.create_empty_shop().await.unwrap();
        (tmp, store)
    }

    #[tokio::test]
    async fn export_then_import_gives_the_same_catalog_in_csv_and_xlsx() {
        let (_a, demo) = demo_store().await;
        let out = tempfile::tempdir().unwrap();
        let all = CatalogFilter::default();
        for format in ["csv", "xlsx"] {
            let r = catalog::export_catalog(&demo, None, &all, format, out.path()).await.unwrap();
            assert_eq!(r.rows, 150);
            let (_b, fresh) = empty_store().await;
            let files = ImportFiles::default();
            let preview = import::open_file(&fresh, &files, std::path::Path::new(&r.path)).await.unwrap();
            assert_eq!((preview.total, preview.valid), (150, 150), "{format}: {:?}", preview.errors.first());
            let cancel = AtomicBool::new(false);
            let seen = Mutex::new(vec![]);
            let report = |d: u64, t: u64| seen.lock().unwrap().push((d, t));
            let p = Progress { cancel: &cancel, report: &report };
            let res = import::run(&fresh, &files, &preview.file_id, None, false, &p).await.unwrap();
            assert_eq!(res.imported, 150);
            assert_eq!(seen.lock().unwrap().last(), Some(&(150, 150)), "progress reaches the end");
            let found = ops::products(
                &fresh,
                "zh-CN",
                &CatalogFilter { query: Some("锅铲".into()), ..Default::default() },
                0,
                50,
            )
            .await
            .unwrap();
            assert!(found.total > 0, "{format}: Chinese titles survived");
            let before = ops::products(
                &demo,
                "de-DE",
                &CatalogFilter { query: Some("Knoblauchpresse".into()), ..Default::default() },
                0,
                50,
            )
            .await
            .unwrap();
            let after = ops::products(
                &fresh,
                "de-DE",
                &CatalogFilter { query: Some("Knoblauchpresse".into()), ..Default::default() },
                0,
                50,
            )
            .await
            .unwrap();
            assert_eq!(before.total, after.total);
            assert_eq!(before.items[0].title, after.items[0].title);
            assert_eq!(before.items[0].cost, after.items[0].cost);
            // imported stock is counted once, in the default warehouse, and equals the demo's totals
            let totals = |store: &Store| {
                let pool = store.pool().clone();
                async move {
                    sqlx::query_as::<_, (String, i64)>("SELECT sku, stock FROM variants ORDER BY sku")
                        .fetch_all(&pool)
                        .await
                        .unwrap()
                }
            };
            assert_eq!(totals(&demo).await, totals(&fresh).await, "{format}: same stock per SKU");
            let (off,): (i64,) = sqlx::query_as(
                "SELECT count(*) FROM variants v WHERE v.stock != (SELECT COALESCE(sum(s.on_hand), 0) FROM stock_levels s \
                 JOIN warehouses w ON w.id = s.warehouse_id WHERE s.variant_id = v.id AND w.is_default = 1)",
            )
            .fetch_one(fresh.pool())
            .await
            .unwrap();
            assert_eq!(off, 0, "{format}: every variant's stock is in the default warehouse");
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn valid_rows_written_a_chunk_at_a_time_keep_their_products_parents_and_updates() {
        let (_a, store) = empty_store().await;
        let dir = tempfile::tempdir().unwrap();
        let count = |sql: &'static str| {
            let store = &store;
            async move {
                let (n,): (i64,) = sqlx::query_as(sql).fetch_one(store.pool()).await.unwrap();
                n
            }
        };
        // 2,600 rows (more than one chunk of the writer), three variants per
        // parent, every 500th row with a cost that cannot be read
        let mut csv = String::from("sku,parent,title:en-US,cost:CNY,brand\n");
        let mut bad = 0;
        for i in 0..2_600 {
            let cost = if i % 500 == 7 {
                bad += 1;
                "abc".to_string()
            } else {
                format!("{}.{:02}", i, i % 100)
            };
            csv.push_str(&format!("V-{i:05},P-{:04},Product {},{cost},Acme\n", i / 3, i / 3));
        }
        let a = dir.path().join("a.csv");
        std::fs::write(&a, csv).unwrap();
        let files = ImportFiles::default();
        let preview = import::open_file(&store, &files, &a).await.unwrap();
        assert_eq!((preview.total, preview.valid), (2_600, 2_600 - bad));
        let p = Progress::silent();
        let res = import::run(&store, &files, &preview.file_id, None, true, &p).await.unwrap();
        assert_eq!((res.imported, res.skipped), (2_600 - bad, bad));
        assert_eq!(count("SELECT count(*) FROM variants").await, 2_600 - bad);
        assert_eq!(count("SELECT count(*) FROM products").await, (2_600 + 2) / 3, "one product per parent");
        assert_eq!(
            count("SELECT count(*) FROM variants v JOIN variants w ON w.product_id = v.product_id WHERE v.sku = 'V-00000' AND w.sku IN ('V-00001', 'V-00002')").await,
            2,
            "siblings share their product"
        );
        assert_eq!(count("SELECT cost_minor FROM variants WHERE sku = 'V-02599'").await, 259_999);
        assert_eq!(count("SELECT count(*) FROM variants WHERE sku = 'V-00007'").await, 0, "the bad row is left out");
        // a second file: known SKUs updated, a variant added to a known SKU's product, one bad row
        let mut csv = String::from("sku,parent,title:en-US,cost:CNY,brand\n");
        for i in (0..2_600).step_by(2).filter(|i| i % 500 != 7) {
            csv.push_str(&format!("V-{i:05},P-{:04},Product {},{}.{:02},Zenith\n", i / 3, i / 3, i, i % 100));
        }
        csv.push_str("N-00001,V-00003,Extra,1.00,Zenith\nN-00002,,Broken,x,Zenith\n");
        let b = dir.path().join("b.csv");
        std::fs::write(&b, csv).unwrap();
        let preview = import::open_file(&store, &files, &b).await.unwrap();
        let res = import::run(&store, &files, &preview.file_id, None, true, &p).await.unwrap();
        assert_eq!((res.imported, res.skipped), (1, 1));
        assert!(res.updated > 0 && res.undo_op.is_some());
        assert_eq!(
            count("SELECT count(*) FROM variants v JOIN variants w ON w.product_id = v.product_id WHERE v.sku = 'N-00001' AND w.sku = 'V-00003'").await,
            1,
            "a parent naming a known SKU adds to its product"
        );
        assert_eq!(count("SELECT count(*) FROM products WHERE brand = 'Zenith'").await, res.updated);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_second_import_of_a_file_being_written_is_refused_and_another_file_opened_meanwhile_stays_open() {
        let (_a, store) = empty_store().await;
        let store = std::sync::Arc::new(store);
        let files = std::sync::Arc::new(ImportFiles::default());
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        let mut csv = String::from("sku,title:en-US,cost:CNY\n");
        for i in 0..300 {
            csv.push_str(&format!("A-{i:04},Product {i},1.00\n"));
        }
        std::fs::write(&a, &csv).unwrap();
        let b = dir.path().join("b.csv");
        std::fs::write(&b, csv.replace("A-", "B-")).unwrap();
        let preview = import::open_file(&store, &files, &a).await.unwrap();
        let started = std::sync::Arc::new(AtomicBool::new(false));
        // the first import stops for a moment while it writes
        let first = {
            let (store, files, started, id) = (store.clone(), files.clone(), started.clone(), preview.file_id.clone());
            tokio::spawn(async move {
                let cancel = AtomicBool::new(false);
                let report = move |_: u64, _: u64| {
                    if !started.swap(true, Ordering::SeqCst) {
                        std::thread::sleep(std::time::Duration::from_millis(1500));
                    }
                };
                let p = Progress { cancel: &cancel, report: &report };
                import::run(&store, &files, &id, None, false, &p).await
            })
        };
        while !started.load(Ordering::SeqCst) {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let e = import::run(&store, &files, &preview.file_id, None, false, &Progress::silent()).await.unwrap_err();
        assert_eq!(e.0.code, "import-running", "a double click does not import twice");
        // the user opens the next file while the first is written
        let next = import::open_file(&store, &files, &b).await.unwrap();
        assert_eq!(first.await.unwrap().unwrap().imported, 300);
        // the first import's end does not close the file opened meanwhile
        import::preview(&store, &files, &next.file_id, None).await.unwrap();
        let res = import::run(&store, &files, &next.file_id, None, false, &Progress::silent()).await.unwrap();
        assert_eq!(res.imported, 300);
        assert_eq!(ops::catalog_summary(&store).await.unwrap().products, 600);
    }

    #[tokio::test]
    async fn a_cancelled_import_leaves_the_catalog_as_it_was() {
        let (_a, demo) = demo_store().await;
        let out = tempfile::tempdir().unwrap();
        let r = catalog::export_catalog(&demo, None, &CatalogFilter::default(), "csv", out.path()).await.unwrap();
        let (_b, fresh) = empty_store().await;
        let files = ImportFiles::default();
        let preview = import::open_file(&fresh, &files, std::path::Path::new(&r.path)).await.unwrap();
        let cancel = AtomicBool::new(false);
        // the user presses Cancel while the first chunk is written
        let report = |d: u64, _t: u64| {
            if d == 0 {
                cancel.store(true, Ordering::SeqCst);
            }
        };
        let p = Progress { cancel: &cancel, report: &report };
        let e = import::run(&fresh, &files, &preview.file_id, None, false, &p).await.unwrap_err();
        assert_eq!(e.0.code, "cancelled");
        assert_eq!(ops::catalog_summary(&fresh).await.unwrap().products, 0);
    }

    #[tokio::test]
    async fn a_mapping_chosen_by_hand_is_remembered_for_that_layout() {
        let (_a, store) = empty_store().await;
        let dir = tempfile::tempdir().unwrap();
        let files = ImportFiles::default();
        // headers nobody could guess
        let first = dir.path().join("first.csv");
        std::fs::write(&first, "Nr;Text;Wert\nA-1;Tasse;2,50\n").unwrap();
        let p = import::open_file(&store, &files, &first).await.unwrap();
        assert_eq!((p.valid, p.problem.as_ref().map(|e| e.code.as_str())), (0, Some("import-no-sku-column")));
        let mapping = vec![Some("sku".to_string()), Some("title:de-DE".to_string()), Some("cost".to_string())];
        let p = import::preview(&store, &files, &p.file_id, Some(mapping.clone())).await.unwrap();
        assert_eq!(p.valid, 1);
        // the next file with the same header row is mapped the same way
        let next = dir.path().join("next.csv");
        std::fs::write(&next, "Nr;Text;Wert\nA-2;Teller;3,10\nA-3;Schale;1,99\n").unwrap();
        let p = import::open_file(&store, &files, &next).await.unwrap();
        assert_eq!((p.valid, p.mapping.clone()), (2, mapping.into_iter().collect::<Vec<_>>()));
        // the first file is closed when the next one opens
        assert_eq!(import::preview(&store, &files, "gone", None).await.unwrap_err().0.code, "import-file-gone");
    }

    #[tokio::test]
    async fn exported_csv_cannot_inject_formulas() {
        let (_a, store) = demo_store().await;
        let id = ops::create_product(
            &store,
            mercator_api::NewProductRequest {
                brand: "=HYPERLINK(\"http://evil\")".into(),
                category: "@SUM(A1)".into(),
                titles: vec![("en-US".into(), "+1 spatula".into())],
                sku: "EVIL-1".into(),
                gtin: String::new(),
                cost: "1".into(),
                cost_currency: "CNY".into(),
            },
        )
        .await
        .unwrap();
        let out = tempfile::tempdir().unwrap();
        let r = catalog::export_catalog(&store, Some(vec![id]), &CatalogFilter::default(), "csv", out.path())
            .await
            .unwrap();
        let text = std::fs::read_to_string(&r.path).unwrap();
        assert!(text.contains("'=HYPERLINK") && text.contains("'@SUM") && text.contains("'+1 spatula"), "{text}");
    }

    /// A PNG whose header claims `w` x `h` pixels of 16-bit RGBA, with the
    /// pixel data of a 1x1 image: a few hundred bytes that ask for gigabytes.
    fn png_bomb(w: u32, h: u32) -> Vec<u8> {
        fn crc32(data: &[u8]) -> u32 {
            let mut c = 0xFFFF_FFFFu32;
            for &b in data {
                c ^= u32::from(b);
                for _ in 0..8 {
                    c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
                }
            }
            !c
        }
        let mut out = std::io::Cursor::new(Vec::new());
        image::ImageBuffer::<image::Rgba<u16>, Vec<u16>>::new(1, 1)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        let mut png = out.into_inner();
        // IHDR: 8-byte signature, length, "IHDR", width, height, ...; CRC over type + data
        png[16..20].copy_from_slice(&w.to_be_bytes());
        png[20..24].copy_from_slice(&h.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        png
    }

    #[tokio::test]
    async fn a_decompression_bomb_png_is_refused_before_it_is_decoded() {
        let (_a, store) = demo_store().await;
        let page = ops::products(&store, "en-US", &CatalogFilter::default(), 0, 1).await.unwrap();
        let d = ops::product_detail(&store, &page.items[0].id).await.unwrap();
        // beyond the side limit: refused from the header
        let e = ops::add_image(&store, &d.id, "huge.png", &png_bomb(100_000, 100_000), d.revision).await.unwrap_err();
        assert_eq!((e.0.code.as_str(), e.0.args["max"].as_str()), ("image-too-large", "12000 px"));
        // within the side limit but 12000 x 12000 x 8 bytes = 1.15 GB of pixels: refused by the allocation limit
        let bomb = png_bomb(12_000, 12_000);
        assert!(bomb.len() < 1_000);
        let e = ops::add_image(&store, &d.id, "bomb.png", &bomb, d.revision).await.unwrap_err();
        assert_eq!(e.0.code, "image-too-large");
        let after = ops::product_detail(&store, &d.id).await.unwrap();
        assert!(after.images.is_empty(), "nothing stored");
    }

    #[tokio::test]
    async fn images_get_thumbnails_and_clear_the_images_rule() {
        let (_a, store) = demo_store().await;
        let page = ops::products(&store, "en-US", &CatalogFilter::default(), 0, 1).await.unwrap();
        let id = page.items[0].id.clone();
        let d = ops::product_detail(&store, &id).await.unwrap();
        assert!(d.images.is_empty());
        assert!(d.listings.iter().any(|l| l.issues.iter().any(|i| i.code == "images-missing")));
        let jpeg = images::demo_picture(1, 1200);
        let d = ops::add_image(&store, &id, "front.jpg", &jpeg, d.revision).await.unwrap();
        assert_eq!((d.images.len(), d.images[0].width), (1, 1200));
        assert!(d.images[0].thumb_url.starts_with("data:image/jpeg;base64,"));
        assert!(d.listings.iter().all(|l| !l.issues.iter().any(|i| i.code.starts_with("image"))));
        // an image can belong to some variants only: the others' listings miss one again
        assert!(d.variants.len() > 1);
        let first = d.variants[0].id.clone();
        let mut refs: Vec<mercator_core::catalog::ImageRef> = d
            .images
            .iter()
            .map(|i| mercator_core::catalog::ImageRef {
                file: i.file.clone(),
                thumb: i.thumb.clone(),
                width: i.width,
                height: i.height,
                variants: vec![first.clone()],
            })
            .collect();
        let d = ops::apply_edit(&store, &id, mercator_core::catalog::Edit::Images { value: refs.clone() }, d.revision)
            .await
            .unwrap();
        assert_eq!(d.images[0].variants, vec![first.clone()]);
        for l in &d.listings {
            let missing = l.issues.iter().any(|i| i.code == "images-missing");
            assert_eq!(missing, l.variant_id != first, "{} {:?}", l.sku, l.issues);
        }
        refs[0].variants.clear();
        let d = ops::apply_edit(&store, &id, mercator_core::catalog::Edit::Images { value: refs }, d.revision)
            .await
            .unwrap();
        // a file that is not an image is refused, nothing changes
        let e = ops::add_image(&store, &id, "x.png", b"not an image", d.revision).await.unwrap_err();
        assert_eq!((e.0.code.as_str(), e.0.args["name"].as_str()), ("image-unreadable", "x.png"));
        assert_eq!(ops::product_detail(&store, &id).await.unwrap().images.len(), 1);
        // at most MAX_IMAGES per product; the one over is refused before any file is written
        let mut d = ops::product_detail(&store, &id).await.unwrap();
        for seed in 2..=(images::MAX_IMAGES as u32) {
            d = ops::add_image(&store, &id, "more.jpg", &images::demo_picture(seed, 64), d.revision).await.unwrap();
        }
        assert_eq!(d.images.len(), images::MAX_IMAGES);
        let files = std::fs::read_dir(images::images_dir(&store)).unwrap().count();
        let e = ops::add_image(&store, &id, "13.jpg", &images::demo_picture(99, 64), d.revision).await.unwrap_err();
        assert_eq!((e.0.code.as_str(), e.0.args["max"].as_str()), ("image-limit", "12"));
        assert_eq!(std::fs::read_dir(images::images_dir(&store)).unwrap().count(), files);
    }

    #[tokio::test]
    async fn the_demo_conflict_shows_base_ours_theirs() {
        let (_a, store) = demo_store().await;
        let ids = catalog::catalog_ids(&store, &CatalogFilter::default()).await.unwrap();
        let mut found = None;
        for id in &ids {
            let d = ops::product_detail(&store, id).await.unwrap();
            if let Some(l) = d.listings.iter().find(|l| !l.conflicts.is_empty()) {
                found = Some((d.id.clone(), l.clone()));
                break;
            }
        }
        let (pid, l) = found.expect("the demo has a listing changed on the channel");
        let c = &l.conflicts[0];
        assert_eq!(c.field, "title");
        assert_eq!(c.base.as_deref(), Some(c.ours.as_str()), "only the channel changed it");
        assert!(!c.both_changed);
        let d = catalog::resolve_conflict(
            &store,
            &pid,
            &l.id,
            vec![("title".into(), mercator_core::catalog::Keep::Theirs)],
        )
        .await
        .unwrap();
        let l2 = d.listings.iter().find(|x| x.id == l.id).unwrap();
        assert!(l2.conflicts.is_empty());
        assert_eq!(l2.overrides.title.as_deref(), Some(c.theirs.as_str()));
    }
}

mod pricing {
    use super::demo_store;
    use mercator_api::pricing;

    #[tokio::test]
    async fn reprice_review_apply_and_undo_in_the_demo_shop() {
        let (_tmp, store) = demo_store().await;
        let o = pricing::overview(&store).await.unwrap();
        assert_eq!(o.channels.len(), 3);
        assert!(o.channels.iter().all(|c| c.market.is_some()), "every demo channel starts from presets");
        assert!(o.rates.iter().any(|r| r.currency == "CNY" && r.source == "ECB"));
        assert_eq!(o.proposals, 0, "never run yet");

        let r = pricing::reprice(&store).await.unwrap();
        assert_eq!(r.priced + r.cannot_price, 150 * 3, "every variant on every channel");
        assert!(r.priced > 400, "{r:?}");
        assert!(r.changes > 0, "the demo's hand-set prices differ from the engine's");

        // the matrix shows every variant with a cell per channel
        let m = pricing::matrix(&store, "en-US", &Default::default(), 0, 10).await.unwrap();
        assert_eq!(m.total, 150);
        assert!(m.items.iter().all(|row| row.cells.len() == 3 && row.cells.iter().all(std::option::Option::is_some)));
        // sorted by margin on a channel, lowest first
        let ch = o.channels[0].channel_id.clone();
        let f = mercator_api::pricing::MatrixFilter { sort_channel: Some(ch.clone()), ..Default::default() };
        let m = pricing::matrix(&store, "en-US", &f, 0, 150).await.unwrap();
        let margins: Vec<i64> = m.items.iter().filter_map(|r| r.cells[0].as_ref().and_then(|c| c.margin_bp)).collect();
        assert!(margins.windows(2).all(|w| w[0] <= w[1]), "{margins:?}");

        // review, apply one channel: listings change, live ones queue a price update, one undo
        let changes = pricing::price_changes(&store, None, 0, 500).await.unwrap();
        assert_eq!(changes.total, r.changes);
        let first = &changes.items[0];
        assert!(changes.items.iter().all(|c| c.current_margin_bp.is_some()), "the margin change is shown: old and new");
        assert!(
            first.current_margin_bp.unwrap() < first.margin_bp.unwrap(),
            "the demo's low prices earn less than the target"
        );
        // one channel's review is what applying that channel would write
        let name = &o.channels[0].channel_name;
        let one = pricing::price_changes(&store, Some(&ch), 0, 500).await.unwrap();
        assert!(one.total > 0 && one.items.iter().all(|c| &c.channel_name == name));
        assert_eq!(one.total, changes.items.iter().filter(|c| &c.channel_name == name).count() as i64);
        let outbox_before = store.outbox_counts().await.unwrap().pending;
        let applied = pricing::apply_prices(&store, None).await.unwrap();
        assert_eq!(applied.changed, r.changes);
        assert_eq!(pricing::price_changes(&store, None, 0, 10).await.unwrap().total, 0, "nothing left to apply");
        let (price,): (i64,) = sqlx::query_as("SELECT price_minor FROM listings WHERE id = ?")
            .bind(&first.listing_id)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(price, first.proposed.minor);
        let live_changed = changes.items.iter().filter(|c| c.status == "live").count() as i64;
        assert!(live_changed > 0);
        assert!(
            store.outbox_counts().await.unwrap().pending
                >= outbox_before + live_changed.min(changes.items.len() as i64)
        );
        let (kind,): (String,) = sqlx::query_as("SELECT kind FROM outbox ORDER BY created_at DESC LIMIT 1")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(kind, "listing.price");
        store.undo(&applied.op_id).await.unwrap();
        let (back,): (i64,) = sqlx::query_as("SELECT price_minor FROM listings WHERE id = ?")
            .bind(&first.listing_id)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(back, first.current.minor, "one undo restores the old prices");
    }

    #[tokio::test]
    async fn why_this_price_promotions_and_cannot_price() {
        let (_tmp, store) = demo_store().await;
        let o = pricing::overview(&store).await.unwrap();
        let (vid,): (String,) =
            sqlx::query_as("SELECT id FROM variants ORDER BY sku LIMIT 1").fetch_one(store.pool()).await.unwrap();
        let de = o.channels.iter().find(|c| c.country == "DE").unwrap();
        let q = pricing::explain(&store, &vid, &de.channel_id, None).await.unwrap();
        assert_eq!(q.price.currency().code(), "EUR");
        assert!(q.steps.iter().any(|s| s.code == "fx") && q.steps.iter().any(|s| s.code == "rounding"));
        assert!(q.margin >= "0.25".parse().unwrap());
        // the reverse: a price given, its profit and margin
        let at = pricing::explain(&store, &vid, &de.channel_id, Some("99.99")).await.unwrap();
        assert!(at.profit > q.profit);
        assert_eq!(
            pricing::explain(&store, &vid, &de.channel_id, Some("1.234")).await.unwrap_err().0.code,
            "money-invalid"
        );
        let p = pricing::simulate_promotion(
            &store,
            &vid,
            &de.channel_id,
            &mercator_core::Money::from_minor(q.price.minor(), q.price.currency()).to_decimal().to_string(),
            &pricing::PromotionInput { kind: "percentOff".into(), value: "30".into() },
        )
        .await
        .unwrap();
        assert!(p.promoted.margin < q.margin && !p.warnings.is_empty());
        // typed text, parsed here: "30,5" percent, an amount with the currency's decimals, nonsense
        let price = mercator_core::Money::from_minor(q.price.minor(), q.price.currency()).to_decimal().to_string();
        let promo = |kind: &str, value: &str| pricing::PromotionInput { kind: kind.into(), value: value.into() };
        assert!(pricing::simulate_promotion(&store, &vid, &de.channel_id, &price, &promo("percentOff", "30,5"))
            .await
            .is_ok());
        let e = pricing::simulate_promotion(&store, &vid, &de.channel_id, &price, &promo("amountOff", "1.005"))
            .await
            .unwrap_err();
        assert_eq!(e.0.code, "money-invalid");
        let e = pricing::simulate_promotion(&store, &vid, &de.channel_id, &price, &promo("percentOff", "100"))
            .await
            .unwrap_err();
        assert_eq!((e.0.code.as_str(), e.0.args["field"].as_str()), ("pricing-input-invalid", "percent"));
        // settings from the form: an amount typed with too many decimals is refused naming its place
        let mut m = serde_json::to_value(pricing::preset_policy(&store, &de.channel_id).await.unwrap()).unwrap();
        m["logistics"]["packaging"] = serde_json::json!({ "amount": "0.505", "currency": "EUR" });
        let e = pricing::market_from_json(m.clone()).unwrap_err();
        assert_eq!((e.0.code.as_str(), e.0.args["field"].as_str()), ("money-invalid", "logistics.packaging"));
        m["logistics"]["packaging"] = serde_json::json!({ "amount": "0,50", "currency": "EUR" });
        assert_eq!(pricing::market_from_json(m).unwrap().logistics.packaging.minor(), 50);

        // without a rate for the market's currency: cannot price, with the reason
        sqlx::query("DELETE FROM fx_rates WHERE currency = 'EUR' OR currency = 'CNY'")
            .execute(store.pool())
            .await
            .unwrap();
        let e = pricing::explain(&store, &vid, &de.channel_id, None).await.unwrap_err();
        assert_eq!(e.0.code, "price-no-fx-rate");
        let r = pricing::reprice(&store).await.unwrap();
        assert_eq!(r.priced, 0, "nothing priced silently at zero");
        let m = pricing::matrix(&store, "en-US", &Default::default(), 0, 5).await.unwrap();
        let cell = m.items[0].cells[0].as_ref().unwrap();
        assert!(cell.price.is_none());
        assert_eq!(cell.problem.as_ref().unwrap().code, "price-no-fx-rate");
    }

    #[tokio::test]
    async fn the_uis_copies_of_policies_and_quotes_carry_every_field_both_ways() {
        // every preset: engine -> API -> engine is the same policy, and both write the same JSON
        for (kind, market, currency) in [
            ("amazon", "DE", "EUR"),
            ("amazon", "JP", "JPY"),
            ("amazon", "US", "USD"),
            ("shopify", "JP", "JPY"),
            ("shopee", "ID", "IDR"),
            ("woocommerce", "KW", "KWD"),
        ] {
            let m = mercator_pricing::presets::market(kind, "Shop", market, currency);
            let ui: mercator_api::pricing_types::Market = m.clone().into();
            assert_eq!(serde_json::to_value(&ui).unwrap(), serde_json::to_value(&m).unwrap(), "{kind} {market}");
            let back: mercator_pricing::Market = ui.into();
            assert_eq!(back, m, "{kind} {market}");
        }
        let g = mercator_pricing::Globals::default();
        let ui: mercator_api::pricing_types::Globals = g.clone().into();
        assert_eq!(serde_json::to_value(&ui).unwrap(), serde_json::to_value(&g).unwrap());
        // a quote with its explanation steps reads the same through the API's copy
        let (_tmp, store) = demo_store().await;
        let row = pricing::matrix(&store, "en-US", &Default::default(), 0, 1).await.unwrap().items.remove(0);
        let ch = store.channels().await.unwrap().into_iter().find(|c| c.kind == "amazon").unwrap().id;
        let q = pricing::explain(&store, &row.variant_id, &ch, None).await.unwrap();
        assert!(!q.steps.is_empty());
        let ui: mercator_api::pricing_types::Quote = q.clone().into();
        assert_eq!(serde_json::to_value(&ui).unwrap(), serde_json::to_value(&q).unwrap());
    }

    #[tokio::test]
    async fn settings_are_validated_versioned_and_ecb_files_all_or_nothing() {
        let (_tmp, store) = demo_store().await;
        let o = pricing::overview(&store).await.unwrap();
        let us = o.channels.iter().find(|c| c.country == "US").unwrap();
        let mut m: mercator_pricing::Market = us.market.clone().unwrap().into();
        m.fees.payment_rate = "-0.01".parse().unwrap();
        let e = pricing::save_policy(&store, &us.channel_id, "2026-12-01", &m, 0).await.unwrap_err();
        assert_eq!((e.0.code.as_str(), e.0.args["field"].as_str()), ("pricing-input-invalid", "fees.paymentRate"));
        m.fees.payment_rate = "0.01".parse().unwrap();
        let future = "2099-01-01";
        pricing::save_policy(&store, &us.channel_id, future, &m, 0).await.unwrap();
        let o2 = pricing::overview(&store).await.unwrap();
        let us2 = o2.channels.iter().find(|c| c.country == "US").unwrap();
        assert_eq!(us2.versions.len(), 2);
        assert_eq!(
            us2.market.as_ref().unwrap().fees.payment_rate,
            us.market.as_ref().unwrap().fees.payment_rate,
            "a future version is not in force yet"
        );
        // a stale revision is refused
        assert_eq!(
            pricing::save_policy(&store, &us.channel_id, future, &m, 0).await.unwrap_err().0.code,
            "revision-conflict"
        );

        // manual rate; a malformed ECB file changes nothing
        pricing::set_fx_rate(&store, "GBP", "0,85", "2026-11-30").await.unwrap();
        assert_eq!(pricing::set_fx_rate(&store, "GBP", "-1", "2026-11-30").await.unwrap_err().0.args["field"], "rate");
        let before = store.fx_rates().await.unwrap().len();
        let bad = mercator_store::pricing::SAMPLE_ECB.replace("rate='158.42'", "rate='lots'");
        assert_eq!(pricing::import_ecb(&store, bad.as_bytes()).await.unwrap_err().0.code, "ecb-malformed");
        assert_eq!(store.fx_rates().await.unwrap().len(), before);
        let hist = mercator_store::pricing::SAMPLE_ECB.replace("2026-11-30", "2026-12-01");
        let r = pricing::import_ecb(&store, hist.as_bytes()).await.unwrap();
        assert_eq!((r.days, r.date.as_str()), (1, "2026-12-01"));
        let gbp = store.fx_rates().await.unwrap().into_iter().find(|x| x.currency == "GBP").unwrap();
        assert_eq!((gbp.as_of.as_str(), gbp.source.as_str()), ("2026-12-01", "ECB"));
    }
}

mod ecb_fetch {
    use super::demo_store;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A one-shot HTTP server on loopback answering with `status` and `body`.
    async fn serve_once(status: &'static str, body: String) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            sock.write_all(reply.as_bytes()).await.unwrap();
        });
        format!("http://{addr}/stats/eurofxref/eurofxref-daily.xml")
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn rates_are_fetched_over_http_and_failures_keep_the_old_ones() {
        let (_tmp, store) = demo_store().await;
        let before = store.fx_rates().await.unwrap();
        // one test owns the variable: the other cases run in sequence below
        std::env::set_var("MERCATOR_ECB_URL", serve_once("500 Internal Server Error", String::new()).await);
        let e = mercator_api::pricing::fetch_ecb(&store).await.unwrap_err();
        assert_eq!((e.0.code.as_str(), e.0.args["detail"].as_str()), ("ecb-fetch-failed", "HTTP 500"));
        std::env::set_var("MERCATOR_ECB_URL", serve_once("200 OK", "<html>maintenance</html>".into()).await);
        assert_eq!(mercator_api::pricing::fetch_ecb(&store).await.unwrap_err().0.code, "ecb-malformed");
        assert_eq!(store.fx_rates().await.unwrap().len(), before.len(), "old rates kept");
        std::env::set_var("MERCATOR_ECB_URL", "http://127.0.0.1:9/unreachable");
        assert_eq!(mercator_api::pricing::fetch_ecb(&store).await.unwrap_err().0.code, "ecb-fetch-failed");
        let today = mercator_store::pricing::SAMPLE_ECB
            .replace("2026-11-30", "2026-12-01")
            .replace("rate='1.0566'", "rate='1.0700'");
        std::env::set_var("MERCATOR_ECB_URL", serve_once("200 OK", today).await);
        let r = mercator_api::pricing::fetch_ecb(&store).await.unwrap();
        assert_eq!((r.days, r.date.as_str()), (1, "2026-12-01"));
        let usd = store.fx_rates().await.unwrap().into_iter().find(|x| x.currency == "USD").unwrap();
        assert_eq!((usd.per_eur.as_str(), usd.as_of.as_str()), ("1.07", "2026-12-01"));
        std::env::remove_var("MERCATOR_ECB_URL");
    }
}

mod order_sync {
    use super::demo_store;
    use mercator_api::sync::{pull_with, Connector};
    use mercator_channels::http::RetryPolicy;
    use mercator_testkit::{AmazonFake, Fault};
    use mercator_vault::Secret;
    use std::collections::BTreeMap;
    use time::OffsetDateTime;

    pub fn amazon(fake: &AmazonFake) -> Connector {
        Connector::Amazon(mercator_testkit::amazon_connector(&fake.url(), &fake.url()).unwrap())
    }

    /// The server's orders and ours agree: same ids, each with the server's
    /// latest update and status.
    pub async fn same_orders(store: &mercator_store::Store, channel: &str, fake: &AmazonFake) {
        let ours: BTreeMap<String, (Option<String>, String)> = store
            .order_keys(channel)
            .await
            .unwrap()
            .into_iter()
            .map(|k| (k.external_id, (k.channel_updated_at, k.raw_status)))
            .collect();
        let theirs: BTreeMap<String, (Option<String>, String)> =
            fake.snapshot().into_iter().map(|(id, at, st)| (id, (Some(at), st))).collect();
        assert_eq!(ours.len(), theirs.len(), "same number of orders");
        assert_eq!(ours, theirs);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_full_pull_then_an_incremental_one_store_every_order_once() {
        let (_tmp, store) = demo_store().await;
        let fake = AmazonFake::start(450, 11).await;
        let ch = store.add_channel("amazon", "Amazon.de (API)", "DE", "EUR", "de-DE").await.unwrap();
        let c = amazon(&fake);
        let r = pull_with(&store, &ch, &c, OffsetDateTime::now_utc(), &|_| {}).await.unwrap();
        assert!(r.complete);
        assert_eq!((r.fetched, r.created), (450, 450));
        same_orders(&store, &ch, &fake).await;
        // the orders list narrows by channel, state, SKU and country; the detail has lines and money
        use mercator_api::sync::OrderFilter;
        let mine = OrderFilter { channel_id: Some(ch.clone()), ..Default::default() };
        let page = mercator_api::sync::orders(&store, &mine, 0, 500).await.unwrap();
        assert_eq!(page.total, 450);
        let shipped = OrderFilter { status: Some("shipped".into()), ..mine.clone() };
        let n_shipped = mercator_api::sync::orders(&store, &shipped, 0, 500).await.unwrap().total;
        let theirs = fake.snapshot().iter().filter(|o| o.2 == "SHIPPED").count() as i64;
        assert_eq!(n_shipped, theirs);
        let by_sku = OrderFilter { sku: Some("KIT-00001".into()), country: Some("de".into()), ..mine.clone() };
        let p = mercator_api::sync::orders(&store, &by_sku, 0, 500).await.unwrap();
        assert!(p.total > 0 && p.total < 450);
        assert_eq!(p.items.len() as i64, p.total);
        assert!(p.items.windows(2).all(|w| w[0].ordered_at >= w[1].ordered_at), "newest first");
        let lower = OrderFilter { sku: Some("kit-00001".into()), ..by_sku.clone() };
        assert_eq!(mercator_api::sync::orders(&store, &lower, 0, 500).await.unwrap().total, p.total, "any case");
        let d = mercator_api::sync::order_detail(&store, &p.items[0].id).await.unwrap();
        assert!(d.lines.iter().any(|l| l.sku.starts_with("KIT-00001")));
        assert_eq!(d.total.minor, d.subtotal.minor + d.tax.minor + d.shipping.minor);
        assert_eq!(d.ship_to.as_ref().unwrap().country, "DE");
        assert_eq!(d.ship_to.as_ref().unwrap().postal_code, "10115");
        assert!(d.raw.as_deref().unwrap().contains("orderId"));
        let st = store.sync_state(&ch).await.unwrap();
        assert!(st.cursor.is_some() && st.window_end.is_none() && st.page_token.is_none());
        // lines, money, state mapping, buyer data kept for fulfilment
        let (lines, shipped_to): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.channel_id = ?1), \
                    (SELECT count(*) FROM orders WHERE channel_id = ?1 AND ship_to IS NOT NULL)",
        )
        .bind(&ch)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert!(lines >= 450 && shipped_to == 450);

        // twenty orders change on Amazon: the next pull (after the window's lag) updates
        // exactly those, duplicates nothing
        fake.update_orders(20);
        let later = OffsetDateTime::now_utc() + time::Duration::minutes(3);
        let r = pull_with(&store, &ch, &c, later, &|_| {}).await.unwrap();
        assert_eq!(r.updated, 20, "{r:?}");
        assert_eq!(r.created, 0);
        same_orders(&store, &ch, &fake).await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn faults_stop_a_run_but_never_lose_or_duplicate_orders() {
        let (_tmp, store) = demo_store().await;
        let fake = AmazonFake::start(600, 12).await;
        let ch = store.add_channel("amazon", "Amazon.de (API)", "DE", "EUR", "de-DE").await.unwrap();
        let c = amazon(&fake);
        // duplicate, overlapping and truncated pages, updates while paging, expiring tokens, 429s, 5xx
        fake.script([
            Fault::DuplicatePage,
            Fault::OverlappingPage,
            Fault::UpdateWhilePaging(5),
            Fault::Truncated,
            Fault::ExpireToken,
            Fault::TooManyRequests,
            Fault::ServerError,
        ]);
        fake.random_faults(7, 25);
        let mut runs = 0;
        loop {
            runs += 1;
            assert!(runs < 200, "converges");
            match pull_with(&store, &ch, &c, OffsetDateTime::now_utc(), &|_| {}).await {
                Ok(r) if r.complete => break,
                Ok(_) => {}
                Err(e) => assert!(
                    ["channel-bad-response", "channel-rate-limited", "channel-unavailable"]
                        .contains(&e.0.code.as_str()),
                    "{e:?}"
                ),
            }
        }
        fake.no_faults();
        // one more quiet run, past the window's lag, picks up what changed while paging
        let later = OffsetDateTime::now_utc() + time::Duration::minutes(3);
        pull_with(&store, &ch, &c, later, &|_| {}).await.unwrap();
        same_orders(&store, &ch, &fake).await;
        let log = store.sync_log(&ch, 500).await.unwrap();
        assert!(log.iter().any(|l| l.kind == "error"), "failures are in the sync log");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_shopify_shop_syncs_through_throttling_and_faults_to_the_same_orders() {
        use mercator_channels::shopify::{Shopify, ShopifyAccount, ShopifySecrets};
        use mercator_testkit::ShopifyFake;
        let (_tmp, store) = demo_store().await;
        let fake = ShopifyFake::start(300, 21).await;
        fake.budget(2000, 4000);
        let ch = store.add_channel("shopify", "Shopify (API)", "US", "USD", "en-US").await.unwrap();
        let c = Connector::Shopify(
            Shopify::new(
                ShopifyAccount { shop_url: fake.url(), currency: "USD".into() },
                ShopifySecrets { access_token: Secret::new(mercator_testkit::shopify::ACCESS_TOKEN) },
                RetryPolicy::fast(),
            )
            .unwrap(),
        );
        fake.script([Fault::DuplicatePage, Fault::OverlappingPage, Fault::UpdateWhilePaging(4), Fault::Truncated]);
        fake.random_faults(9, 20);
        let mut runs = 0;
        loop {
            runs += 1;
            assert!(runs < 200, "converges");
            match pull_with(&store, &ch, &c, OffsetDateTime::now_utc(), &|_| {}).await {
                Ok(r) if r.complete => break,
                Ok(_) => {}
                Err(e) => assert!(
                    ["channel-bad-response", "channel-rate-limited", "channel-unavailable"]
                        .contains(&e.0.code.as_str()),
                    "{e:?}"
                ),
            }
        }
        fake.no_faults();
        fake.update_orders(10);
        let later = OffsetDateTime::now_utc() + time::Duration::minutes(3);
        let r = pull_with(&store, &ch, &c, later, &|_| {}).await.unwrap();
        assert!(r.updated >= 10, "{r:?}");
        let ours: BTreeMap<String, (Option<String>, bool)> = store
            .order_keys(&ch)
            .await
            .unwrap()
            .into_iter()
            .map(|k| (k.external_id, (k.channel_updated_at, k.raw_status.ends_with("/FULFILLED"))))
            .collect();
        let theirs: BTreeMap<String, (Option<String>, bool)> =
            fake.snapshot().into_iter().map(|(id, at, st)| (id, (Some(at), st == "FULFILLED"))).collect();
        assert_eq!(ours, theirs, "every order once, each as the shop last had it");
        let (lines,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id \
             WHERE o.channel_id = ? AND o.external_id = 'gid://shopify/Order/5000000003'",
        )
        .bind(&ch)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(lines, 7, "a long order keeps every line");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_shopee_shop_syncs_through_token_expiry_and_faults_to_the_same_orders() {
        use mercator_testkit::shopee::{PARTNER_ID, PARTNER_KEY, REFRESH_TOKEN, SHOP_ID};
        let (_tmp, store) = demo_store().await;
        let fake = mercator_testkit::ShopeeFake::start(400, 71).await;
        let ch = store.add_channel("shopee", "Shopee SG (API)", "SG", "SGD", "en-SG").await.unwrap();
        let config =
            serde_json::json!({ "host": fake.url(), "partner_id": PARTNER_ID, "shop_id": SHOP_ID, "currency": "SGD" });
        let secrets: BTreeMap<String, String> = [
            ("partner_key".to_string(), PARTNER_KEY.to_string()),
            ("refresh_token".to_string(), REFRESH_TOKEN.to_string()),
        ]
        .into();
        let c = mercator_api::sync::connector_from("shopee", &config, &secrets, RetryPolicy::fast()).unwrap();
        fake.access_life(3600);
        fake.script([
            Fault::Pass,
            Fault::ExpireToken,
            Fault::PartialAnswer,
            Fault::DuplicatePage,
            Fault::UpdateWhilePaging(5),
        ]);
        fake.random_faults(8, 20);
        let mut runs = 0;
        loop {
            runs += 1;
            assert!(runs < 200, "converges");
            match pull_with(&store, &ch, &c, OffsetDateTime::now_utc(), &|_| {}).await {
                Ok(r) if r.complete => break,
                Ok(_) => {}
                Err(e) => assert!(
                    ["channel-bad-response", "channel-rate-limited", "channel-unavailable"]
                        .contains(&e.0.code.as_str()),
                    "{e:?}"
                ),
            }
        }
        fake.no_faults();
        let later = OffsetDateTime::now_utc() + time::Duration::minutes(3);
        pull_with(&store, &ch, &c, later, &|_| {}).await.unwrap();
        let ours: BTreeMap<String, (Option<String>, String)> = store
            .order_keys(&ch)
            .await
            .unwrap()
            .into_iter()
            .map(|k| (k.external_id, (k.channel_updated_at, k.raw_status)))
            .collect();
        let theirs: BTreeMap<String, (Option<String>, String)> = fake
            .snapshot()
            .into_iter()
            .map(|(sn, u, st)| {
                let at = mercator_store::fmt_ts(OffsetDateTime::from_unix_timestamp(u).unwrap());
                (sn, (Some(at), st))
            })
            .collect();
        assert_eq!(ours, theirs, "every order once, as the shop last had it");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn applied_prices_reach_amazon_once_in_order_and_failures_wait_for_a_retry() {
        let (_tmp, store) = demo_store().await;
        let fake = AmazonFake::start(1, 21).await;
        let de =
            store.channels().await.unwrap().into_iter().find(|c| c.kind == "amazon" && c.market == "DE").unwrap().id;
        mercator_api::pricing::reprice(&store).await.unwrap();
        let applied = mercator_api::pricing::apply_prices(&store, Some(&de)).await.unwrap();
        assert!(applied.changed > 0);
        let (queued,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM outbox WHERE channel_id = ? AND kind = 'listing.price' AND status = 'pending'",
        )
        .bind(&de)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert!(queued > 1, "live listings queue a price update each");
        let connectors: std::collections::HashMap<String, mercator_api::sync::Connector> =
            [(de.clone(), amazon(&fake))].into();
        // the first PATCH fails through all its retries: the channel is in
        // trouble, so the rest of its entries wait for the next round
        // (not counted as attempts) instead of hammering it
        fake.script(std::iter::repeat_n(Fault::ServerError, 6));
        let r = mercator_api::outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!((r.sent, r.failed), (0, 1));
        assert!(fake.patches().is_empty());
        // the next round sends the rest; the failed one waits for its back-off
        let next = OffsetDateTime::now_utc() + time::Duration::seconds(20);
        let r = mercator_api::outbox::deliver_with(&store, &connectors, next).await.unwrap();
        assert_eq!((r.sent, r.failed), (queued - 1, 0));
        let patches = fake.patches();
        assert_eq!(patches.len() as i64, queued - 1);
        // each carries the listing's new price exactly, as a JSON number
        let (sku, body) = (&patches[0].1, &patches[0].2);
        let (price, cur): (i64, String) = sqlx::query_as(
            "SELECT l.price_minor, l.price_currency FROM listings l JOIN variants v ON v.id = l.variant_id \
             WHERE l.channel_id = ? AND (l.seller_sku = ?2 OR v.sku = ?2)",
        )
        .bind(&de)
        .bind(sku)
        .fetch_one(store.pool())
        .await
        .unwrap();
        let sent = body.pointer("/patches/0/value/0/our_price/0/schedule/0/value_with_tax").unwrap().to_string();
        assert_eq!(sent, mercator_api::ops::decimal_text(price, 2));
        assert_eq!(body.pointer("/patches/0/value/0/currency").unwrap(), &serde_json::json!(cur));
        // the failure is kept with the channel's reason, and goes out after a retry
        let problems = mercator_api::outbox::problems(&store).await.unwrap();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].error.as_ref().unwrap().code, "channel-unavailable");
        mercator_api::outbox::retry(&store, &problems[0].id).await.unwrap();
        let r = mercator_api::outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!((r.sent, r.failed), (1, 0));
        assert!(mercator_api::outbox::problems(&store).await.unwrap().is_empty());
        // nothing is sent twice
        let r = mercator_api::outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!(r.sent, 0);
        assert_eq!(fake.patches().len() as i64, queued);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_older_copy_never_replaces_a_newer_one_and_buyer_data_is_purged_after_shipment() {
        let (_tmp, store) = demo_store().await;
        let fake = AmazonFake::start(30, 13).await;
        let ch = store.add_channel("amazon", "Amazon.de (API)", "DE", "EUR", "de-DE").await.unwrap();
        let c = amazon(&fake);
        pull_with(&store, &ch, &c, OffsetDateTime::now_utc(), &|_| {}).await.unwrap();
        let (id, _, _) = fake.snapshot()[0].clone();
        // an old copy of that order arrives (out of order): ignored
        let mut old = mercator_channels::amazon::map_order(
            &mercator_testkit::order_json(
                0,
                &mut mercator_core::rng::SplitMix64::new(1),
                OffsetDateTime::now_utc() - time::Duration::days(40),
                OffsetDateTime::now_utc() - time::Duration::days(40),
            ),
            mercator_core::Currency::EUR,
        )
        .unwrap();
        old.external_id = id.clone();
        old.raw_status = "PENDING".into();
        let out = store.apply_page(&ch, std::slice::from_ref(&old), Some("x"), None).await.unwrap();
        assert_eq!(out.unchanged, 1);
        let (st,): (String,) = sqlx::query_as("SELECT raw_status FROM orders WHERE channel_id = ? AND external_id = ?")
            .bind(&ch)
            .bind(&id)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_ne!(st, "PENDING");
        // shipped orders lose the buyer's address and payload after the purge cutoff
        let future = mercator_store::fmt_ts(OffsetDateTime::now_utc() + time::Duration::days(1));
        let purged = store.purge_buyer_data(&future).await.unwrap();
        let (shipped,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM orders WHERE channel_id = ? AND status IN ('shipped', 'delivered')")
                .bind(&ch)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert!(purged >= shipped && shipped > 0, "{purged} {shipped}");
        let (left,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM orders WHERE channel_id = ? AND status = 'shipped' AND (ship_to IS NOT NULL OR raw IS NOT NULL OR buyer_name != '')",
        )
        .bind(&ch)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(left, 0);
    }
}

mod shipping {
    use super::demo_store;
    use mercator_api::shipping::{mark_shipped, mark_shipped_list, ShipLineInput, ShipRequest};
    use mercator_api::sync::{pull_with, Connector};
    use mercator_channels::http::RetryPolicy;
    use mercator_store::Store;
    use mercator_testkit::{AmazonFake, Fault, ShopifyFake, WooFake};
    use mercator_vault::Secret;
    use std::collections::HashMap;
    use time::OffsetDateTime;

    fn today() -> String {
        OffsetDateTime::now_utc().date().to_string()
    }

    async fn count(store: &Store, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(store.pool()).await.unwrap();
        n
    }

    /// An unshipped order of a channel: (Mercator id, order number).
    async fn unshipped(store: &Store, channel: &str) -> (String, String) {
        sqlx::query_as(
            "SELECT id, order_number FROM orders WHERE channel_id = ? AND status = 'unshipped' ORDER BY id LIMIT 1",
        )
        .bind(channel)
        .fetch_one(store.pool())
        .await
        .unwrap()
    }

    fn one(order_id: &str, carrier: &str, tracking: &str) -> ShipRequest {
        ShipRequest {
            carrier: carrier.into(),
            shipped_on: today(),
            notify: true,
            lines: vec![ShipLineInput {
                order_id: Some(order_id.into()),
                order_number: None,
                tracking: tracking.into(),
            }],
        }
    }

    #[tokio::test]
    async fn a_pasted_list_is_checked_whole_before_anything_is_written() {
        let (_tmp, store) = demo_store().await;
        let orders: Vec<(String, String)> =
            sqlx::query_as("SELECT order_number, status FROM orders ORDER BY order_number")
                .fetch_all(store.pool())
                .await
                .unwrap();
        let open: Vec<&String> = orders.iter().filter(|o| o.1 == "unshipped").map(|o| &o.0).collect();
        let cancelled = orders.iter().find(|o| o.1 == "cancelled").map(|o| &o.0).unwrap();
        assert!(open.len() >= 3);
        let text = format!(
            "Order\tTracking\n{}\t1Z999AA10123456784\n{}\t1Z999\nNO-SUCH-ORDER\t1Z999AA10123456784\n{cancelled}\t1Z999AA10123456784\n{}\t1Z999AA10123456784\n{}\n",
            open[0], open[1], open[0], open[2]
        );
        let r = mark_shipped_list(&store, "UPS", &today(), true, &text).await.unwrap();
        let codes: Vec<(i64, &str)> = r.problems.iter().map(|p| (p.line, p.error.code.as_str())).collect();
        assert_eq!(codes, vec![(7, "ship-line-malformed")], "a malformed line stops the list first");
        let text = text.lines().take(6).collect::<Vec<_>>().join("\n");
        let r = mark_shipped_list(&store, "UPS", &today(), true, &text).await.unwrap();
        let codes: Vec<(i64, &str)> = r.problems.iter().map(|p| (p.line, p.error.code.as_str())).collect();
        assert_eq!(
            codes,
            vec![(3, "tracking-format"), (4, "order-unknown"), (5, "order-not-shippable"), (6, "order-listed-twice")]
        );
        assert_eq!(r.shipped, 0);
        assert_eq!(count(&store, "SELECT count(*) FROM shipments").await, 0, "nothing written");
        // fixed: both go through; demo channels have no connection, so nothing is queued
        let text = format!("{}\t1Z 999 AA1 01 2345 6784\n{}, 1Z999AA10123456785", open[0], open[1]);
        let r = mark_shipped_list(&store, "UPS", &today(), true, &text).await.unwrap();
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!((r.shipped, r.queued), (2, 0));
        // the same list again is a no-op, not a second package
        let r = mark_shipped_list(&store, "UPS", &today(), true, &text).await.unwrap();
        assert_eq!((r.shipped, r.unchanged), (0, 2));
        assert_eq!(count(&store, "SELECT count(*) FROM shipments").await, 2);
        let (id,): (String,) = sqlx::query_as("SELECT id FROM orders WHERE order_number = ?")
            .bind(open[0])
            .fetch_one(store.pool())
            .await
            .unwrap();
        let d = mercator_api::sync::order_detail(&store, &id).await.unwrap();
        assert_eq!(d.status, "shipped");
        assert!(!d.shippable);
        assert_eq!(d.shipments.len(), 1);
        assert_eq!(d.shipments[0].tracking_number, "1Z999AA10123456784");
        assert_eq!(d.shipments[0].delivery, "local");
        assert_eq!(d.shipments[0].tracking_url, "https://www.ups.com/track?tracknum=1Z999AA10123456784");
        assert!(d.lines.iter().all(|l| l.quantity_shipped == l.quantity));
        // another number for a shipped order is refused, with the number it has
        let r = mark_shipped(&store, &one(&id, "UPS", "1Z999AA10123456793")).await.unwrap();
        assert_eq!(r.problems[0].error.code, "order-already-shipped");
        assert_eq!(r.problems[0].error.args["tracking"], "1Z999AA10123456784");
        // a date in the future, an unknown carrier
        let mut future = one(&id, "UPS", "1Z999AA10123456784");
        future.shipped_on = (OffsetDateTime::now_utc().date() + time::Duration::days(5)).to_string();
        assert_eq!(mark_shipped(&store, &future).await.unwrap_err().0.code, "ship-date-invalid");
        assert_eq!(mark_shipped(&store, &one(&id, "PIGEON", "1")).await.unwrap_err().0.code, "carrier-unknown");
    }

    async fn deliver(store: &Store, ch: &str, c: Connector) -> mercator_api::outbox::DeliveryReport {
        let connectors: HashMap<String, Connector> = [(ch.to_string(), c)].into();
        mercator_api::outbox::deliver_with(store, &connectors, OffsetDateTime::now_utc()).await.unwrap()
    }

    /// Puts a sent tracking upload back as if its answer had been lost.
    async fn lose_answer(store: &Store) {
        sqlx::query("UPDATE outbox SET status = 'pending', next_attempt_at = '2000-01-01T00:00:00Z' WHERE kind = 'order.tracking'")
            .execute(store.pool())
            .await
            .unwrap();
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn tracking_reaches_amazon_once_even_when_an_answer_is_lost() {
        let (_tmp, store) = demo_store().await;
        let fake = AmazonFake::start(60, 41).await;
        let ch = store.add_channel("amazon", "Amazon.de (API)", "DE", "EUR", "de-DE").await.unwrap();
        store.set_channel_config(&ch, &serde_json::json!({ "endpoint": fake.url() })).await.unwrap();
        let c = super::order_sync::amazon(&fake);
        pull_with(&store, &ch, &c, OffsetDateTime::now_utc(), &|_| {}).await.unwrap();
        let (id, number) = unshipped(&store, &ch).await;
        let r = mark_shipped(&store, &one(&id, "DHL_DE", "00340434161094042557")).await.unwrap();
        assert_eq!((r.shipped, r.queued), (1, 1));
        // a sync before the upload keeps our "shipped"
        pull_with(&store, &ch, &c, OffsetDateTime::now_utc() + time::Duration::minutes(3), &|_| {}).await.unwrap();
        let pending = mercator_api::sync::order_detail(&store, &id).await.unwrap();
        assert_eq!((pending.status.as_str(), pending.shipments[0].delivery.as_str()), ("shipped", "pending"));
        // a 500 first: retried later, then sent
        fake.script(std::iter::repeat_n(Fault::ServerError, 6));
        let r = deliver(&store, &ch, super::order_sync::amazon(&fake)).await;
        assert_eq!((r.sent, r.failed), (0, 1));
        let failed = mercator_api::sync::order_detail(&store, &id).await.unwrap();
        assert_eq!(failed.shipments[0].delivery, "failed");
        sqlx::query("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z'").execute(store.pool()).await.unwrap();
        fake.no_faults();
        let r = deliver(&store, &ch, super::order_sync::amazon(&fake)).await;
        assert_eq!((r.sent, r.failed), (1, 0));
        let sent = fake.shipments();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].0, number);
        let p = &sent[0].1["packageDetail"];
        assert_eq!(
            (p["carrierCode"].as_str(), p["trackingNumber"].as_str()),
            (Some("DHL"), Some("00340434161094042557"))
        );
        assert_eq!(p["packageReferenceId"], "1");
        assert!(p["orderItems"].as_array().is_some_and(|i| !i.is_empty()));
        // the answer was lost: sent again, Amazon already has the package, nothing new
        lose_answer(&store).await;
        assert_eq!(deliver(&store, &ch, super::order_sync::amazon(&fake)).await.sent, 1);
        assert_eq!(fake.shipments().len(), 1, "check-before-write");
        let d = mercator_api::sync::order_detail(&store, &id).await.unwrap();
        assert_eq!(d.shipments[0].delivery, "sent");
        // Amazon now shows it shipped, and so does the next sync
        pull_with(&store, &ch, &c, OffsetDateTime::now_utc() + time::Duration::minutes(3), &|_| {}).await.unwrap();
        assert_eq!(mercator_api::sync::order_detail(&store, &id).await.unwrap().status, "shipped");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn tracking_reaches_shopify_and_woocommerce_once() {
        use mercator_channels::shopify::{Shopify, ShopifyAccount, ShopifySecrets};
        use mercator_channels::woocommerce::{WooAccount, WooCommerce, WooSecrets};
        let (_tmp, store) = demo_store().await;
        let shop = ShopifyFake::start(40, 42).await;
        shop.budget(100_000, 100_000);
        let sh = || {
            Connector::Shopify(
                Shopify::new(
                    ShopifyAccount { shop_url: shop.url(), currency: "USD".into() },
                    ShopifySecrets { access_token: Secret::new(mercator_testkit::shopify::ACCESS_TOKEN) },
                    RetryPolicy::fast(),
                )
                .unwrap(),
            )
        };
        let s_ch = store.add_channel("shopify", "Shopify", "US", "USD", "en-US").await.unwrap();
        store.set_channel_config(&s_ch, &serde_json::json!({ "shop_url": shop.url() })).await.unwrap();
        pull_with(&store, &s_ch, &sh(), OffsetDateTime::now_utc(), &|_| {}).await.unwrap();
        let (s_id, s_number) = unshipped(&store, &s_ch).await;
        assert!(s_number.starts_with('#'), "Shopify's order name: {s_number}");
        // by its number, as on the packing slip
        let req = ShipRequest {
            carrier: "YUNEXPRESS".into(),
            shipped_on: today(),
            notify: false,
            lines: vec![ShipLineInput {
                order_id: None,
                order_number: Some(s_number.clone()),
                tracking: "YT2412345678901234".into(),
            }],
        };
        assert_eq!(mark_shipped(&store, &req).await.unwrap().queued, 1);
        assert_eq!(deliver(&store, &s_ch, sh()).await.sent, 1);
        lose_answer(&store).await;
        assert_eq!(deliver(&store, &s_ch, sh()).await.sent, 1);
        let f = shop.stats().fulfillments;
        assert_eq!(f.len(), 1, "one fulfillment");
        assert_eq!(f[0].1["trackingInfo"]["company"], "YunExpress");
        assert_eq!(f[0].1["notifyCustomer"], false);
        assert_eq!(f[0].1["trackingInfo"]["url"], "https://www.yuntrack.com/parcelTracking?id=YT2412345678901234");
        assert_eq!(mercator_api::sync::order_detail(&store, &s_id).await.unwrap().shipments[0].delivery, "sent");

        let woo = WooFake::start(40, 43).await;
        let wc = || {
            Connector::Woo(
                WooCommerce::new(
                    WooAccount { base_url: woo.url(), currency: "USD".into() },
                    WooSecrets {
                        consumer_key: Secret::new(mercator_testkit::woo::CONSUMER_KEY),
                        consumer_secret: Secret::new(mercator_testkit::woo::CONSUMER_SECRET),
                    },
                    RetryPolicy::fast(),
                )
                .unwrap(),
            )
        };
        let w_ch = store.add_channel("woocommerce", "Own store", "US", "USD", "en-US").await.unwrap();
        store.set_channel_config(&w_ch, &serde_json::json!({ "base_url": woo.url() })).await.unwrap();
        pull_with(&store, &w_ch, &wc(), OffsetDateTime::now_utc(), &|_| {}).await.unwrap();
        let (w_id, w_number) = unshipped(&store, &w_ch).await;
        assert_eq!(mark_shipped(&store, &one(&w_id, "USPS", "9400111899223856925510")).await.unwrap().queued, 1);
        assert_eq!(deliver(&store, &w_ch, wc()).await.sent, 1);
        lose_answer(&store).await;
        deliver(&store, &w_ch, wc()).await;
        let st = woo.stats();
        assert_eq!(st.notes.len(), 1, "one note");
        assert_eq!(st.notes[0].0.to_string(), w_number);
        assert!(st.notes[0].1["note"].as_str().unwrap().contains("9400111899223856925510"));
        assert_eq!(st.notes[0].1["customer_note"], true);
        let status = woo.snapshot().into_iter().find(|(id, _, _)| *id == w_number).unwrap().2;
        assert_eq!(status, "completed");
    }
}

mod inventory {
    use super::demo_store;
    use mercator_api::inventory;
    use mercator_api::inventory::StockFilter;
    use mercator_store::Store;
    use mercator_testkit::AmazonFake;
    use std::collections::HashMap;
    use time::OffsetDateTime;

    async fn row(store: &Store, sku: &str) -> mercator_api::inventory::StockRowDto {
        let f = StockFilter { query: Some(sku.into()), oversold: false };
        inventory::stock(store, &f, "en-US", 0, 50).await.unwrap().items.into_iter().find(|r| r.sku == sku).unwrap()
    }

    async fn scalar(store: &Store, sql: &str, bind: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql).bind(bind).fetch_one(store.pool()).await.unwrap();
        n
    }

    #[tokio::test]
    async fn open_orders_reserve_shipping_takes_stock_once_counts_and_edits_land_in_warehouses() {
        let (_tmp, store) = demo_store().await;
        let whs = inventory::warehouses(&store).await.unwrap();
        assert_eq!(whs.len(), 1);
        let main = &whs[0];
        assert!(main.is_default && main.kind == "own" && main.name.is_empty());
        let (total,): (i64,) = sqlx::query_as("SELECT sum(stock) FROM variants").fetch_one(store.pool()).await.unwrap();
        assert_eq!(main.units, total, "today's stock is in the main warehouse");
        // an unshipped demo order with a catalog SKU reserves its units
        let (order_id, sku, qty): (String, String, i64) = sqlx::query_as(
            "SELECT o.id, v.sku, l.quantity FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN variants v ON v.id = l.variant_id \
             WHERE o.status = 'unshipped' ORDER BY o.id LIMIT 1",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        let before = row(&store, &sku).await;
        let (open,): (i64,) = sqlx::query_as(
            "SELECT COALESCE(sum(l.quantity), 0) FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN variants v ON v.id = l.variant_id \
             WHERE v.sku = ? AND o.status IN ('pending', 'unshipped', 'partially_shipped')",
        )
        .bind(&sku)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(before.reserved, open);
        assert!(before.reserved >= qty);
        assert_eq!(before.available, (before.on_hand - before.reserved).max(0));
        // shipping it: its units leave the main warehouse, its reservation ends
        let req = mercator_api::shipping::ShipRequest {
            carrier: "UPS".into(),
            shipped_on: OffsetDateTime::now_utc().date().to_string(),
            notify: false,
            lines: vec![mercator_api::shipping::ShipLineInput {
                order_id: Some(order_id.clone()),
                order_number: None,
                tracking: "1Z999AA10123456784".into(),
            }],
        };
        mercator_api::shipping::mark_shipped(&store, &req).await.unwrap();
        let shipped_qty = {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COALESCE(sum(l.quantity), 0) FROM order_lines l JOIN variants v ON v.id = l.variant_id WHERE l.order_id = ?1 AND v.sku = ?2",
            )
            .bind(&order_id)
            .bind(&sku)
            .fetch_one(store.pool())
            .await
            .unwrap();
            n
        };
        let after = row(&store, &sku).await;
        assert_eq!(after.on_hand, before.on_hand - shipped_qty);
        assert_eq!(after.reserved, before.reserved - shipped_qty);
        assert_eq!(after.levels[&main.id], before.levels.get(&main.id).copied().unwrap_or(0) - shipped_qty);
        assert_eq!(
            scalar(&store, "SELECT count(*) FROM stock_moves WHERE reference = ? AND reason = 'shipped'", &order_id)
                .await,
            {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT count(DISTINCT variant_id) FROM order_lines WHERE order_id = ? AND variant_id IS NOT NULL",
                )
                .bind(&order_id)
                .fetch_one(store.pool())
                .await
                .unwrap();
                n
            }
        );
        // a 3PL warehouse: a count adds to the sellable total
        let tpl = inventory::add_warehouse(&store, "Berlin 3PL", "3pl", "de").await.unwrap();
        let vid = after.variant_id.clone();
        inventory::set_stock_level(&store, &tpl, &vid, 25).await.unwrap();
        let r = row(&store, &sku).await;
        assert_eq!(r.on_hand, after.on_hand + 25);
        assert_eq!(r.levels[&tpl], 25);
        // the catalog editor's stock field (the sellable total) lands in the main warehouse
        let pid: (String, i64) = sqlx::query_as("SELECT product_id, revision FROM variants WHERE id = ?")
            .bind(&vid)
            .fetch_one(store.pool())
            .await
            .unwrap();
        let edit = mercator_core::catalog::Edit::Stock { variant_id: vid.clone(), value: 100 };
        mercator_api::ops::apply_edit(&store, &pid.0, edit, pid.1).await.unwrap();
        let r = row(&store, &sku).await;
        assert_eq!(r.on_hand, 100);
        assert_eq!((r.levels[&main.id], r.levels[&tpl]), (75, 25));
        assert_eq!(
            scalar(&store, "SELECT count(*) FROM stock_moves WHERE variant_id = ? AND reason = 'edit'", &vid).await,
            1
        );
        // bad counts are refused with a translated error; FBA is read only; a bad warehouse is refused
        assert_eq!(inventory::set_stock_level(&store, &tpl, &vid, -1).await.unwrap_err().0.code, "stock-invalid");
        assert_eq!(inventory::add_warehouse(&store, "X", "3pl", "Germany").await.unwrap_err().0.code, "country-code");
        assert_eq!(inventory::add_warehouse(&store, "", "own", "").await.unwrap_err().0.code, "invalid-argument");
        // counting zero where orders wait: an oversell, flagged and listed first
        inventory::set_stock_level(&store, &main.id, &vid, 0).await.unwrap();
        inventory::set_stock_level(&store, &tpl, &vid, 0).await.unwrap();
        let r = row(&store, &sku).await;
        if r.reserved > 0 {
            assert!(r.oversold && r.available == 0);
            assert!(inventory::oversold(&store).await.unwrap() >= 1);
            let only =
                inventory::stock(&store, &StockFilter { query: None, oversold: true }, "en-US", 0, 50).await.unwrap();
            assert!(only.items.iter().all(|x| x.oversold) && only.items.iter().any(|x| x.sku == sku));
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn every_live_listing_of_a_connected_account_gets_its_quantity_once_and_changes_follow() {
        let (_tmp, store) = demo_store().await;
        let fake = AmazonFake::start(0, 51).await;
        let de =
            store.channels().await.unwrap().into_iter().find(|c| c.kind == "amazon" && c.market == "DE").unwrap().id;
        // demo channels are not connected: nothing queued
        assert_eq!(store.queue_stock_pushes().await.unwrap(), 0);
        store.set_channel_config(&de, &serde_json::json!({ "endpoint": fake.url() })).await.unwrap();
        let (live,): (i64,) = sqlx::query_as("SELECT count(*) FROM listings WHERE channel_id = ? AND status = 'live'")
            .bind(&de)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert!(live > 0);
        assert_eq!(store.queue_stock_pushes().await.unwrap(), live);
        assert_eq!(store.queue_stock_pushes().await.unwrap(), 0, "nothing changed, nothing queued");
        // a count changes one listing's quantity: its waiting update is rewritten, not doubled
        let (lid, vid, sku, policy, value): (String, String, String, String, i64) = sqlx::query_as(
            "SELECT l.id, v.id, CASE WHEN l.seller_sku != '' THEN l.seller_sku ELSE v.sku END, l.qty_policy, l.qty_value \
             FROM listings l JOIN variants v ON v.id = l.variant_id WHERE l.channel_id = ? AND l.status = 'live' \
             AND l.qty_policy != 'fixed' ORDER BY v.sku LIMIT 1",
        )
        .bind(&de)
        .fetch_one(store.pool())
        .await
        .unwrap();
        let main = inventory::warehouses(&store).await.unwrap()[0].id.clone();
        inventory::set_stock_level(&store, &main, &vid, 40).await.unwrap();
        let (n, payload): (i64, String) = sqlx::query_as(
            "SELECT count(*), max(payload) FROM outbox WHERE aggregate_id = ? AND kind = 'listing.stock' AND status = 'pending'",
        )
        .bind(&lid)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(n, 1, "one waiting update per listing");
        let reserved = {
            let f = StockFilter { query: None, oversold: false };
            let all = inventory::stock(&store, &f, "en-US", 0, 500).await.unwrap();
            all.items.into_iter().find(|x| x.variant_id == vid).unwrap().reserved
        };
        let want = match policy.as_str() {
            "buffer" => (40 - reserved - value).max(0),
            _ => (40 - reserved).max(0),
        };
        assert_eq!(serde_json::from_str::<serde_json::Value>(&payload).unwrap()["quantity"], want);
        // sent: Amazon gets absolute quantities, one PATCH per listing
        let connectors: HashMap<String, mercator_api::sync::Connector> =
            [(de.clone(), super::order_sync::amazon(&fake))].into();
        let rep = mercator_api::outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!(rep.failed, 0);
        let patches = fake.patches();
        let stock_patches: Vec<_> = patches
            .iter()
            .filter(|p| {
                p.2.pointer("/patches/0/path").and_then(serde_json::Value::as_str)
                    == Some("/attributes/fulfillment_availability")
            })
            .collect();
        assert_eq!(stock_patches.len() as i64, live);
        let mine = stock_patches.iter().find(|p| p.1 == sku).unwrap();
        assert_eq!(mine.2.pointer("/patches/0/value/0/quantity").unwrap(), &serde_json::json!(want));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn orders_seen_open_then_shipped_on_the_channel_take_their_stock_once() {
        use mercator_api::sync::pull_with;
        let (_tmp, store) = demo_store().await;
        let fake = AmazonFake::start(300, 52).await;
        let ch = store.add_channel("amazon", "Amazon.de (API)", "DE", "EUR", "de-DE").await.unwrap();
        let c = super::order_sync::amazon(&fake);
        pull_with(&store, &ch, &c, OffsetDateTime::now_utc(), &|_| {}).await.unwrap();
        let total = |store: &Store| {
            let pool = store.pool().clone();
            async move {
                let (n,): (i64,) = sqlx::query_as("SELECT sum(stock) FROM variants").fetch_one(&pool).await.unwrap();
                n
            }
        };
        let before = total(&store).await;
        // already-shipped orders from the first pull took nothing: the count already lacks them
        assert_eq!(scalar(&store, "SELECT count(*) FROM stock_moves WHERE reason = ?", "shipped").await, 0);
        let open: Vec<(String, i64)> = sqlx::query_as(
            "SELECT o.external_id, COALESCE((SELECT sum(quantity) FROM order_lines l WHERE l.order_id = o.id AND l.variant_id IS NOT NULL), 0) \
             FROM orders o WHERE o.channel_id = ? AND o.status IN ('pending', 'unshipped', 'partially_shipped')",
        )
        .bind(&ch)
        .fetch_all(store.pool())
        .await
        .unwrap();
        let open: HashMap<String, i64> = open.into_iter().collect();
        fake.update_orders(40); // shipped on Amazon (by another tool)
        let later = OffsetDateTime::now_utc() + time::Duration::minutes(3);
        pull_with(&store, &ch, &c, later, &|_| {}).await.unwrap();
        let shipped_now: i64 = fake
            .snapshot()
            .iter()
            .filter(|(id, _, st)| st == "SHIPPED" && open.contains_key(id))
            .map(|(id, _, _)| open[id])
            .sum();
        assert!(shipped_now > 0, "some open orders shipped");
        assert_eq!(total(&store).await, before - shipped_now);
        // the same copies again: nothing more
        pull_with(&store, &ch, &c, later + time::Duration::minutes(1), &|_| {}).await.unwrap();
        assert_eq!(total(&store).await, before - shipped_now);
    }
}

mod listing_outbox {
    use super::demo_store;
    use mercator_api::ops;
    use mercator_api::sync::Connector;
    use mercator_channels::http::RetryPolicy;
    use mercator_channels::shopify::{Shopify, ShopifyAccount, ShopifySecrets};
    use mercator_core::catalog::Edit;
    use mercator_store::Store;
    use mercator_testkit::ShopifyFake;
    use mercator_vault::Secret;
    use std::collections::HashMap;
    use time::OffsetDateTime;

    fn shopify(fake: &ShopifyFake) -> Connector {
        Connector::Shopify(
            Shopify::new(
                ShopifyAccount { shop_url: fake.url(), currency: "JPY".into() },
                ShopifySecrets { access_token: Secret::new(mercator_testkit::shopify::ACCESS_TOKEN) },
                RetryPolicy::fast(),
            )
            .unwrap(),
        )
    }

    async fn pending(store: &Store, kind: &str, listing: &str) -> i64 {
        sqlx::query_as::<_, (i64,)>(
            "SELECT count(*) FROM outbox WHERE kind = ? AND aggregate_id = ? AND status = 'pending'",
        )
        .bind(kind)
        .bind(listing)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .0
    }

    /// A live listing on the demo Shopify channel, addressed by a SKU the fake shop has.
    async fn live_listing(store: &Store, sku: &str) -> (String, String, String, i64) {
        let ch = store.channels().await.unwrap().into_iter().find(|c| c.kind == "shopify").unwrap().id;
        let (lid, pid, rev): (String, String, i64) = sqlx::query_as(
            "SELECT l.id, v.product_id, l.revision FROM listings l JOIN variants v ON v.id = l.variant_id \
             WHERE l.channel_id = ? AND l.status = 'live' ORDER BY v.sku LIMIT 1",
        )
        .bind(&ch)
        .fetch_one(store.pool())
        .await
        .unwrap();
        sqlx::query("UPDATE listings SET seller_sku = ? WHERE id = ?")
            .bind(sku)
            .bind(&lid)
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query("DELETE FROM outbox").execute(store.pool()).await.unwrap();
        (ch, lid, pid, rev)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn listing_text_edits_reach_shopify_as_one_escaped_update_of_the_current_text() {
        let (_tmp, store) = demo_store().await;
        let fake = ShopifyFake::start(0, 41).await;
        fake.budget(100_000, 100_000);
        let (ch, lid, pid, rev) = live_listing(&store, "KIT-00001-BLK").await;
        let title =
            Edit::Override {
                listing_id: lid.clone(), field: "title".into(), value: Some("竹制砧板 <3 件套>".into())
            };
        ops::apply_edit(&store, &pid, title, rev).await.unwrap();
        let rev2: (i64,) = sqlx::query_as("SELECT revision FROM listings WHERE id = ?")
            .bind(&lid)
            .fetch_one(store.pool())
            .await
            .unwrap();
        let desc = Edit::Override {
            listing_id: lid.clone(),
            field: "description".into(),
            value: Some("<img src=x onerror=alert(1)>\n\n手洗".into()),
        };
        ops::apply_edit(&store, &pid, desc, rev2.0).await.unwrap();
        assert_eq!(pending(&store, "listing.update", &lid).await, 2, "one entry per edit");
        // both edits were made a while ago: the first send carries both, the second is covered
        sqlx::query("UPDATE outbox SET created_at = '2026-01-01T00:00:00Z' WHERE aggregate_id = ?")
            .bind(&lid)
            .execute(store.pool())
            .await
            .unwrap();
        let connectors: HashMap<String, Connector> = [(ch.clone(), shopify(&fake))].into();
        let r = mercator_api::outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!((r.sent, r.failed), (1, 0));
        assert_eq!(pending(&store, "listing.update", &lid).await, 0);
        let ups = fake.stats().product_updates;
        assert_eq!(ups.len(), 1, "one update with the listing's whole current text");
        assert_eq!(ups[0]["id"], "gid://shopify/Product/5000");
        assert_eq!(ups[0]["title"], "竹制砧板 <3 件套>");
        let html = ups[0]["descriptionHtml"].as_str().unwrap();
        assert!(html.contains("<p>&lt;img src=x onerror=alert(1)&gt;</p><p>手洗</p>"), "{html}");
        // nothing more to send
        let r = mercator_api::outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!(r.sent, 0);
        assert_eq!(fake.stats().product_updates.len(), 1);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn offline_changes_wait_unparked_however_long_it_lasts_then_go_out() {
        let (_tmp, store) = demo_store().await;
        let fake = ShopifyFake::start(0, 43).await;
        fake.budget(100_000, 100_000);
        let (ch, lid, pid, rev) = live_listing(&store, "KIT-00001-BLK").await;
        ops::apply_edit(
            &store,
            &pid,
            Edit::Override { listing_id: lid.clone(), field: "title".into(), value: Some("A".into()) },
            rev,
        )
        .await
        .unwrap();
        // more entries for the same channel (other listings' stock)
        store.set_channel_config(&ch, &serde_json::json!({ "shop_url": fake.url() })).await.unwrap();
        let stock = store.queue_stock_pushes().await.unwrap();
        assert!(stock > 1);
        let total: (i64,) = sqlx::query_as("SELECT count(*) FROM outbox WHERE status = 'pending'")
            .fetch_one(store.pool())
            .await
            .unwrap();
        // nothing listens there: offline
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dead = Connector::Shopify(
            Shopify::new(
                ShopifyAccount { shop_url: format!("http://127.0.0.1:{port}"), currency: "JPY".into() },
                ShopifySecrets { access_token: Secret::new(mercator_testkit::shopify::ACCESS_TOKEN) },
                RetryPolicy::fast(),
            )
            .unwrap(),
        );
        let connectors: HashMap<String, Connector> = [(ch.clone(), dead)].into();
        let mut now = OffsetDateTime::now_utc();
        for _ in 0..12 {
            now += time::Duration::hours(6);
            let r = mercator_api::outbox::deliver_with(&store, &connectors, now).await.unwrap();
            assert_eq!((r.sent, r.failed), (0, 1), "one try finds the channel unreachable; the rest wait");
        }
        let (pending, dead_n, max_attempts): (i64, i64, i64) =
            sqlx::query_as("SELECT sum(status = 'pending'), sum(status = 'dead'), max(attempts) FROM outbox")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!((pending, dead_n, max_attempts), (total.0, 0, 0), "three days offline park nothing");
        // back online: everything is tried (the fake shop knows five SKUs: the others are refused by it)
        let connectors: HashMap<String, Connector> = [(ch.clone(), shopify(&fake))].into();
        let r =
            mercator_api::outbox::deliver_with(&store, &connectors, now + time::Duration::minutes(1)).await.unwrap();
        assert!(r.sent >= 2, "{r:?}");
        assert_eq!(fake.stats().product_updates.len(), 1, "the text went out");
        assert_eq!(fake.stats().stock_sets.len() as i64, r.sent - 1, "and every stock the shop knows");
        let (offline_left,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM outbox WHERE status != 'sent' AND last_error NOT LIKE '%channel-rejected%'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(offline_left, 0, "what failed, failed for the shop's reason, not for being offline");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_listing_taken_off_sale_offers_0_and_back_live_offers_its_stock_again() {
        let (_tmp, store) = demo_store().await;
        let fake = ShopifyFake::start(0, 44).await;
        fake.budget(100_000, 100_000);
        let (ch, lid, pid, rev) = live_listing(&store, "KIT-00001-BLK").await;
        store.set_channel_config(&ch, &serde_json::json!({ "shop_url": fake.url() })).await.unwrap();
        // only this listing's updates in this test
        sqlx::query("UPDATE listings SET pushed_qty = NULL WHERE channel_id = ? AND id != ?")
            .bind(&ch)
            .bind(&lid)
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE listings SET status = 'inactive' WHERE channel_id = ? AND id != ?")
            .bind(&ch)
            .bind(&lid)
            .execute(store.pool())
            .await
            .unwrap();
        let connectors: HashMap<String, Connector> = [(ch.clone(), shopify(&fake))].into();
        store.queue_stock_pushes().await.unwrap();
        mercator_api::outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        let offered = fake.stats().stock_sets.last().unwrap()["quantities"][0]["quantity"].as_i64().unwrap();
        assert!(offered > 0, "a live listing offers its stock");
        let off = Edit::ListingStatus { listing_id: lid.clone(), value: "inactive".into() };
        ops::apply_edit(&store, &pid, off, rev).await.unwrap();
        assert_eq!(pending(&store, "listing.update", &lid).await, 1);
        let r = mercator_api::outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!((r.sent, r.failed), (1, 0));
        let last = fake.stats().stock_sets.last().unwrap().clone();
        assert_eq!(last["quantities"][0]["quantity"], 0, "taken off sale: 0 on the channel");
        assert_eq!(store.queue_stock_pushes().await.unwrap(), 0, "and no stock push offers it again");
        let rev: (i64,) = sqlx::query_as("SELECT revision FROM listings WHERE id = ?")
            .bind(&lid)
            .fetch_one(store.pool())
            .await
            .unwrap();
        ops::apply_edit(&store, &pid, Edit::ListingStatus { listing_id: lid.clone(), value: "live".into() }, rev.0)
            .await
            .unwrap();
        mercator_api::outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        let again = fake.stats().stock_sets.last().unwrap()["quantities"][0]["quantity"].as_i64().unwrap();
        assert_eq!(again, offered, "live again: its stock, in the same round");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn products_are_listed_on_a_new_account_as_drafts_once() {
        let (_tmp, store) = demo_store().await;
        let ch = store.add_channel("amazon", "Amazon.de API", "DE", "EUR", "de-DE").await.unwrap();
        let ids: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM products ORDER BY id LIMIT 3").fetch_all(store.pool()).await.unwrap();
        let ids: Vec<String> = ids.into_iter().map(|(i,)| i).collect();
        let (variants,): (i64,) = sqlx::query_as(&format!(
            "SELECT count(*) FROM variants WHERE product_id IN ({})",
            ids.iter().map(|i| format!("'{i}'")).collect::<Vec<_>>().join(",")
        ))
        .fetch_one(store.pool())
        .await
        .unwrap();
        let d = ops::list_on_channel(&store, &ids[0], &ch).await.unwrap();
        assert!(d.listings.iter().any(|l| l.channel_id == ch && l.status == "draft"));
        let n = ops::list_selected_on_channel(&store, &ids, &ch).await.unwrap();
        let first: i64 = d.listings.iter().filter(|l| l.channel_id == ch).count() as i64;
        assert_eq!(n as i64 + first, variants, "each variant once; the first product's were already there");
        assert_eq!(ops::list_selected_on_channel(&store, &ids, &ch).await.unwrap(), 0, "again: nothing new");
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT l.status, l.seller_sku, l.price_currency, (l.seller_sku = v.sku) FROM listings l JOIN variants v ON v.id = l.variant_id WHERE l.channel_id = ?",
        )
        .bind(&ch)
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(rows.len() as i64, variants);
        assert!(rows.iter().all(|r| r.0 == "draft" && r.2 == "EUR" && r.3 == 1), "{rows:?}");
        assert!(ops::list_selected_on_channel(&store, &ids, "no-such-channel").await.is_err());
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_applied_price_reaches_shopify_as_the_exact_decimal_once() {
        let (_tmp, store) = demo_store().await;
        let fake = ShopifyFake::start(0, 42).await;
        fake.budget(100_000, 100_000);
        let (ch, lid, _, _) = live_listing(&store, "ELE-00012-BLK").await;
        mercator_api::pricing::reprice(&store).await.unwrap();
        mercator_api::pricing::apply_prices(&store, Some(&ch)).await.unwrap();
        // keep this listing's update only (the fake shop knows five SKUs)
        sqlx::query("DELETE FROM outbox WHERE aggregate_id != ?").bind(&lid).execute(store.pool()).await.unwrap();
        assert_eq!(pending(&store, "listing.price", &lid).await, 1);
        let (minor, cur): (i64, String) =
            sqlx::query_as("SELECT price_minor, price_currency FROM listings WHERE id = ?")
                .bind(&lid)
                .fetch_one(store.pool())
                .await
                .unwrap();
        let connectors: HashMap<String, Connector> = [(ch.clone(), shopify(&fake))].into();
        let r = mercator_api::outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!((r.sent, r.failed), (1, 0));
        let sets = fake.stats().price_sets;
        assert_eq!(sets.len(), 1);
        let exp = cur.parse::<mercator_core::Currency>().unwrap().exponent();
        assert_eq!(sets[0].1[0]["price"], serde_json::json!(ops::decimal_text(minor, exp)));
    }
}

mod fba {
    use super::demo_store;
    use mercator_api::inventory;
    use mercator_api::inventory::StockFilter;

    #[tokio::test(flavor = "multi_thread")]
    async fn fba_stock_fills_the_accounts_read_only_warehouse_and_stays_out_of_what_other_channels_sell() {
        let (_tmp, store) = demo_store().await;
        let fake = mercator_testkit::AmazonFake::start(0, 61).await;
        let de =
            store.channels().await.unwrap().into_iter().find(|c| c.kind == "amazon" && c.market == "DE").unwrap().id;
        let skus: Vec<(String, String)> = sqlx::query_as(
            "SELECT l.seller_sku, v.sku FROM listings l JOIN variants v ON v.id = l.variant_id \
             WHERE l.channel_id = ? AND l.seller_sku != '' ORDER BY v.sku LIMIT 2",
        )
        .bind(&de)
        .fetch_all(store.pool())
        .await
        .unwrap();
        let (a, b) = (&skus[0], &skus[1]);
        let stock_before: Vec<(i64,)> =
            sqlx::query_as("SELECT stock FROM variants ORDER BY sku").fetch_all(store.pool()).await.unwrap();
        let Connector::Amazon(amazon) = super::order_sync::amazon(&fake) else { unreachable!() };
        // an account with nothing at Amazon gets no FBA warehouse
        mercator_api::sync::fba_stock(&store, &de, &amazon).await;
        assert!(inventory::warehouses(&store).await.unwrap().iter().all(|w| w.kind != "fba"));
        fake.set_fba(&[(a.0.as_str(), 40, 12, 3), (b.0.as_str(), 7, 0, 0), ("NOT-IN-CATALOG", 5, 0, 0)]);
        mercator_api::sync::fba_stock(&store, &de, &amazon).await;
        let fba = inventory::warehouses(&store).await.unwrap().into_iter().find(|w| w.kind == "fba").unwrap();
        assert!(fba.read_only && fba.name == "Amazon.de", "named after its account: {fba:?}");
        assert_eq!(fba.units, 47, "what Amazon can ship now");
        let rows =
            inventory::stock(&store, &StockFilter { query: None, oversold: false }, "en-US", 0, 500).await.unwrap();
        let level = |sku: &str| rows.items.iter().find(|r| r.sku == sku).unwrap().levels.get(&fba.id).copied();
        assert_eq!((level(&a.1), level(&b.1)), (Some(40), Some(7)));
        // the sellable totals (what other channels are offered) did not move
        let stock_after: Vec<(i64,)> =
            sqlx::query_as("SELECT stock FROM variants ORDER BY sku").fetch_all(store.pool()).await.unwrap();
        assert_eq!(stock_before, stock_after);
        // read only for the user
        let vid: (String,) =
            sqlx::query_as("SELECT id FROM variants WHERE sku = ?").bind(&a.1).fetch_one(store.pool()).await.unwrap();
        assert!(inventory::set_stock_level(&store, &fba.id, &vid.0, 1).await.is_err());
        // the log says what was read and what the catalog lacks
        let log = mercator_api::sync::sync_log(&store, &de).await.unwrap();
        let last = log.iter().find(|l| l.kind == "fba").unwrap();
        assert_eq!((last.fetched, last.created), (3, 2));
        // a SKU Amazon no longer holds goes to 0; a failing read changes nothing and is logged
        fake.set_fba(&[(a.0.as_str(), 38, 0, 0)]);
        mercator_api::sync::fba_stock(&store, &de, &amazon).await;
        assert_eq!(fba_units(&store).await, 38);
        fake.script(std::iter::repeat_n(mercator_testkit::Fault::ServerError, 10));
        mercator_api::sync::fba_stock(&store, &de, &amazon).await;
        assert_eq!(fba_units(&store).await, 38);
        let log = mercator_api::sync::sync_log(&store, &de).await.unwrap();
        assert_eq!(log[0].kind, "fba-error");
        assert_eq!(log[0].error.as_ref().unwrap().code, "channel-unavailable");
        let st = store.sync_state(&de).await.unwrap();
        assert!(st.last_error.is_none(), "the account's order sync status is not touched");
    }
    use mercator_api::sync::Connector;

    async fn fba_units(store: &mercator_store::Store) -> i64 {
        inventory::warehouses(store).await.unwrap().into_iter().find(|w| w.kind == "fba").unwrap().units
    }
}

mod linking {
    use super::demo_store;

    #[tokio::test(flavor = "multi_thread")]
    async fn an_accounts_listings_are_linked_by_sku_once_at_the_channels_price_and_state() {
        let (_tmp, store) = demo_store().await;
        let fake = mercator_testkit::AmazonFake::start(0, 62).await;
        let ch = store.add_channel("amazon", "Amazon.de API", "DE", "EUR", "de-DE").await.unwrap();
        let c = super::order_sync::amazon(&fake);
        let r = mercator_api::sync::link_listings_with(&store, &ch, &c).await.unwrap();
        assert_eq!(r.read, 6);
        let (known,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM variants WHERE sku IN ('KIT-00001-BLK','KIT-00001-WHT','ELE-00012-BLK','HOM-00021-M','SPO-00031-L','BEA-00035-BLU')",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert!(known > 0);
        assert_eq!(r.linked, known);
        assert_eq!(r.unknown_count, 6 - known);
        let (status, price, cur, ext): (String, i64, String, String) = sqlx::query_as(
            "SELECT l.status, l.price_minor, l.price_currency, l.external_id FROM listings l JOIN variants v ON v.id = l.variant_id \
             WHERE l.channel_id = ? AND v.sku = 'KIT-00001-BLK'",
        )
        .bind(&ch)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!((status.as_str(), price, cur.as_str(), ext.as_str()), ("live", 1099, "EUR", "B0LIST0000"));
        // again: nothing new, nothing doubled
        let again = mercator_api::sync::link_listings_with(&store, &ch, &c).await.unwrap();
        assert_eq!((again.linked, again.updated), (0, 0));
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM listings WHERE channel_id = ?")
            .bind(&ch)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(n, known);
        // the linked live listings now get their quantities from Mercator's stock
        store.set_channel_config(&ch, &serde_json::json!({ "endpoint": fake.url() })).await.unwrap();
        assert!(store.queue_stock_pushes().await.unwrap() > 0);
    }
}

/// The outbox as an attacker or an unlucky user meets it: senders racing,
/// a send slower than its lease, an answer lost after the channel applied
/// the write, an answer that cannot be read.
mod outbox_races {
    use super::demo_store;
    use mercator_api::shipping::{mark_shipped, ShipLineInput, ShipRequest};
    use mercator_api::sync::{pull_with, Connector};
    use mercator_api::{inventory, outbox};
    use mercator_channels::http::RetryPolicy;
    use mercator_store::Store;
    use mercator_testkit::{AmazonFake, Fault, WooFake};
    use mercator_vault::Secret;
    use std::collections::HashMap;
    use std::time::Duration;
    use time::OffsetDateTime;

    fn ship(order_id: &str, carrier: &str, tracking: &str) -> ShipRequest {
        ShipRequest {
            carrier: carrier.into(),
            shipped_on: OffsetDateTime::now_utc().date().to_string(),
            notify: true,
            lines: vec![ShipLineInput {
                order_id: Some(order_id.into()),
                order_number: None,
                tracking: tracking.into(),
            }],
        }
    }

    async fn unshipped(store: &Store, channel: &str) -> String {
        let (id,): (String,) =
            sqlx::query_as("SELECT id FROM orders WHERE channel_id = ? AND status = 'unshipped' ORDER BY id LIMIT 1")
                .bind(channel)
                .fetch_one(store.pool())
                .await
                .unwrap();
        id
    }

    /// The quantities Amazon was sent for `sku`, in the order they arrived.
    fn quantities(fake: &AmazonFake, sku: &str) -> Vec<i64> {
        fake.patches()
            .iter()
            .filter(|p| p.1 == sku)
            .filter_map(|p| p.2.pointer("/patches/0/value/0/quantity").and_then(serde_json::Value::as_i64))
            .collect()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn racing_senders_and_a_send_slower_than_its_lease_leave_the_channel_with_the_newest_stock() {
        let (_tmp, store) = demo_store().await;
        let fake = AmazonFake::start(0, 71).await;
        let de =
            store.channels().await.unwrap().into_iter().find(|c| c.kind == "amazon" && c.market == "DE").unwrap().id;
        store.set_channel_config(&de, &serde_json::json!({ "endpoint": fake.url() })).await.unwrap();
        let connectors: HashMap<String, Connector> = [(de.clone(), super::order_sync::amazon(&fake))].into();
        store.queue_stock_pushes().await.unwrap();
        outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        let (lid, vid, sku): (String, String, String) = sqlx::query_as(
            "SELECT l.id, v.id, CASE WHEN l.seller_sku != '' THEN l.seller_sku ELSE v.sku END \
             FROM listings l JOIN variants v ON v.id = l.variant_id WHERE l.channel_id = ? AND l.status = 'live' \
             AND l.qty_policy = 'stock' ORDER BY v.sku LIMIT 1",
        )
        .bind(&de)
        .fetch_one(store.pool())
        .await
        .unwrap();
        let main = inventory::warehouses(&store).await.unwrap()[0].id.clone();
        inventory::set_stock_level(&store, &main, &vid, 40).await.unwrap();
        store.queue_stock_pushes().await.unwrap();
        // the first send takes longer than the test's lease and budget allow
        fake.script([Fault::SlowWrite(Duration::from_millis(1200))]);
        let timing =
            outbox::Timing { lease: time::Duration::milliseconds(500), budget: Duration::from_millis(300), claim: 1 };
        let now = OffsetDateTime::now_utc();
        let first = outbox::deliver_with_timing(&store, &connectors, now, timing);
        let second = async {
            // while the first is sending: the stock changes, and a second sender
            // (the scheduler, a Retry click) starts later, past any lease, by its clock
            tokio::time::sleep(Duration::from_millis(150)).await;
            inventory::set_stock_level(&store, &main, &vid, 7).await.unwrap();
            store.queue_stock_pushes().await.unwrap();
            outbox::deliver_with_timing(&store, &connectors, now + time::Duration::minutes(5), timing).await.unwrap()
        };
        let (a, _) = tokio::join!(first, second);
        a.unwrap();
        // the slow request lands after everything else: let it
        tokio::time::sleep(Duration::from_millis(1500)).await;
        // whatever was cut off is sent again, with what the listing offers now
        sqlx::query("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z' WHERE status = 'pending'")
            .execute(store.pool())
            .await
            .unwrap();
        outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        let newest = store.offer_qty(&lid).await.unwrap();
        let sent = quantities(&fake, &sku);
        assert_eq!(sent.last().copied(), Some(newest), "the channel keeps the newest quantity: {sent:?}");
        let (pushed,): (Option<i64>,) = sqlx::query_as("SELECT pushed_qty FROM listings WHERE id = ?")
            .bind(&lid)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(pushed, Some(newest));
        let (left,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM outbox WHERE aggregate_id = ? AND status IN ('pending', 'in_flight')")
                .bind(&lid)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(left, 0, "nothing left waiting");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_shipment_applied_but_answered_too_late_reaches_amazon_once() {
        let (_tmp, store) = demo_store().await;
        let fake = AmazonFake::start(30, 72).await;
        let ch = store.add_channel("amazon", "Amazon.de (API)", "DE", "EUR", "de-DE").await.unwrap();
        store.set_channel_config(&ch, &serde_json::json!({ "endpoint": fake.url() })).await.unwrap();
        let c = super::order_sync::amazon(&fake);
        pull_with(&store, &ch, &c, OffsetDateTime::now_utc(), &|_| {}).await.unwrap();
        let id = unshipped(&store, &ch).await;
        mark_shipped(&store, &ship(&id, "DHL_DE", "00340434161094042557")).await.unwrap();
        // applied, answered after the client's timeout (1.5 s in the fast policy)
        fake.script([Fault::ApplyThenDelay(Duration::from_millis(2500))]);
        let connectors: HashMap<String, Connector> = [(ch.clone(), c)].into();
        let r = outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!((r.sent, r.failed), (1, 0), "the look after the timeout finds the package");
        assert_eq!(fake.shipments().len(), 1, "one package, not two");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_order_note_applied_but_answered_too_late_emails_the_buyer_once() {
        use mercator_channels::woocommerce::{WooAccount, WooCommerce, WooSecrets};
        let (_tmp, store) = demo_store().await;
        let woo = WooFake::start(20, 73).await;
        let wc = Connector::Woo(
            WooCommerce::new(
                WooAccount { base_url: woo.url(), currency: "USD".into() },
                WooSecrets {
                    consumer_key: Secret::new(mercator_testkit::woo::CONSUMER_KEY),
                    consumer_secret: Secret::new(mercator_testkit::woo::CONSUMER_SECRET),
                },
                RetryPolicy::fast(),
            )
            .unwrap(),
        );
        let ch = store.add_channel("woocommerce", "Own store", "US", "USD", "en-US").await.unwrap();
        store.set_channel_config(&ch, &serde_json::json!({ "base_url": woo.url() })).await.unwrap();
        pull_with(&store, &ch, &wc, OffsetDateTime::now_utc(), &|_| {}).await.unwrap();
        let id = unshipped(&store, &ch).await;
        mark_shipped(&store, &ship(&id, "USPS", "9400111899223856925510")).await.unwrap();
        woo.script([Fault::ApplyThenDelay(Duration::from_millis(2500))]);
        let connectors: HashMap<String, Connector> = [(ch.clone(), wc)].into();
        let r = outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!((r.sent, r.failed), (1, 0));
        assert_eq!(woo.stats().notes.len(), 1, "one note, one e-mail to the buyer");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_amazon_answer_that_cannot_be_read_is_a_failure_kept_and_retried() {
        let (_tmp, store) = demo_store().await;
        let fake = AmazonFake::start(0, 74).await;
        let de =
            store.channels().await.unwrap().into_iter().find(|c| c.kind == "amazon" && c.market == "DE").unwrap().id;
        store.set_channel_config(&de, &serde_json::json!({ "endpoint": fake.url() })).await.unwrap();
        sqlx::query("UPDATE listings SET pushed_qty = NULL WHERE channel_id = ? AND id != (SELECT min(id) FROM listings WHERE channel_id = ? AND status = 'live')")
            .bind(&de)
            .bind(&de)
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE listings SET status = 'inactive' WHERE channel_id = ? AND id != (SELECT min(id) FROM listings WHERE channel_id = ? AND status = 'live')")
            .bind(&de)
            .bind(&de)
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(store.queue_stock_pushes().await.unwrap(), 1);
        let connectors: HashMap<String, Connector> = [(de.clone(), super::order_sync::amazon(&fake))].into();
        fake.script([Fault::TruncatedWrite]);
        let r = outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!((r.sent, r.failed), (0, 1), "an unreadable answer is not an acceptance");
        let problems = outbox::problems(&store).await.unwrap();
        assert_eq!(problems[0].error.as_ref().map(|e| e.code.as_str()), Some("channel-bad-response"));
        sqlx::query("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z' WHERE status = 'pending'")
            .execute(store.pool())
            .await
            .unwrap();
        let r = outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!((r.sent, r.failed), (1, 0));
    }
}

/// Tokens that travel in URLs (Shopee's `access_token` and `sign` are query
/// parameters) never reach what Mercator keeps or shows, whatever fails.
mod token_leaks {
    use super::demo_store;
    use mercator_api::sync::{pull_with, Connector};
    use mercator_channels::http::RetryPolicy;
    use mercator_testkit::shopee::{PARTNER_ID, PARTNER_KEY, REFRESH_TOKEN, SHOP_ID};
    use mercator_testkit::{Fault, ShopeeFake};
    use std::collections::{BTreeMap, HashMap};
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;
    use time::OffsetDateTime;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);
    impl Write for Captured {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_token_in_a_url_reaches_no_database_log_or_ipc_reply_whatever_fails() {
        // everything this test logs, at every level, as the app's log file would get it
        let log = Captured::default();
        let sink = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);

        let (tmp, store) = demo_store().await;
        let fake = ShopeeFake::start(30, 81).await;
        let ch = store.add_channel("shopee", "Shopee SG (API)", "SG", "SGD", "en-SG").await.unwrap();
        let config =
            serde_json::json!({ "host": fake.url(), "partner_id": PARTNER_ID, "shop_id": SHOP_ID, "currency": "SGD" });
        store.set_channel_config(&ch, &config).await.unwrap();
        let secrets: BTreeMap<String, String> = [
            ("partner_key".to_string(), PARTNER_KEY.to_string()),
            ("refresh_token".to_string(), REFRESH_TOKEN.to_string()),
        ]
        .into();
        let policy = RetryPolicy {
            attempts: 2,
            base: Duration::from_millis(5),
            max: Duration::from_millis(20),
            timeout: Duration::from_millis(400),
        };
        let c = mercator_api::sync::connector_from("shopee", &config, &secrets, policy).unwrap();
        let mut replies: Vec<String> = vec![];
        // every error kind: a body that stops mid-way (the reqwest error carries the URL),
        // 5xx, 429, a cut-off page, a slow answer
        for faults in [
            vec![Fault::Pass, Fault::StallBody, Fault::StallBody],
            vec![Fault::Pass, Fault::ServerError, Fault::ServerError],
            vec![Fault::Pass, Fault::TooManyRequests, Fault::TooManyRequests],
            vec![Fault::Pass, Fault::Truncated],
            vec![Fault::Delay(Duration::from_millis(800)), Fault::Delay(Duration::from_millis(800))],
        ] {
            fake.no_faults();
            fake.script(faults);
            store.restart_window(&ch).await.unwrap();
            let e = pull_with(&store, &ch, &c, OffsetDateTime::now_utc(), &|_| {}).await.unwrap_err();
            tracing::warn!(error = %e, debug = ?e, "sync failed");
            replies.push(serde_json::to_string(&e).unwrap());
        }
        // an outbox send that fails the same way
        let lid: String = sqlx::query_scalar("SELECT id FROM listings WHERE status = 'live' LIMIT 1")
            .fetch_one(store.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE listings SET channel_id = ?, external_id = '800001:990001' WHERE id = ?")
            .bind(&ch)
            .bind(&lid)
            .execute(store.pool())
            .await
            .unwrap();
        store.queue_stock_pushes().await.unwrap();
        fake.no_faults();
        fake.script([Fault::StallBody, Fault::StallBody]);
        let connectors: HashMap<String, Connector> = [(ch.clone(), c)].into();
        let r = mercator_api::outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        assert!(r.failed >= 1, "{r:?}");
        // what the UI is sent about all of it
        replies.push(serde_json::to_string(&mercator_api::outbox::problems(&store).await.unwrap()).unwrap());
        replies.push(serde_json::to_string(&mercator_api::sync::sync_log(&store, &ch).await.unwrap()).unwrap());
        replies.push(serde_json::to_string(&mercator_api::sync::accounts(&store).await.unwrap()).unwrap());
        let detail = replies.join("\n");
        assert!(detail.contains("channel-"), "the errors were recorded: {detail}");

        let mut secrets: Vec<String> = fake.access_tokens();
        assert!(!secrets.is_empty(), "the client had a token to leak");
        secrets.extend([PARTNER_KEY.to_string(), REFRESH_TOKEN.to_string(), fake.refresh_token()]);
        let mut places: Vec<(String, Vec<u8>)> = vec![("IPC replies".into(), detail.into_bytes())];
        places.push(("log".into(), log.0.lock().unwrap().clone()));
        for f in std::fs::read_dir(tmp.path()).unwrap().flatten() {
            if f.path().is_file() {
                places.push((f.path().display().to_string(), std::fs::read(f.path()).unwrap()));
            }
        }
        assert!(places.iter().any(|p| p.0.ends_with("-wal")), "the WAL is searched too");
        for (place, bytes) in &places {
            for s in &secrets {
                assert!(!bytes.windows(s.len()).any(|w| w == s.as_bytes()), "{s} found in {place}");
            }
            // nor any signature or token parameter with its value
            let text = String::from_utf8_lossy(bytes);
            for key in ["access_token=", "sign="] {
                for (i, _) in text.match_indices(key) {
                    assert!(text[i + key.len()..].starts_with("***"), "{key} with a value in {place}");
                }
            }
        }
    }
}

/// Sync that cannot wedge: an order that cannot be read is set aside, not its page.
mod unreadable {
    use super::demo_store;
    use mercator_api::sync::pull_with;
    use mercator_testkit::AmazonFake;
    use time::OffsetDateTime;

    #[tokio::test(flavor = "multi_thread")]
    async fn an_order_with_a_broken_amount_is_set_aside_the_rest_syncs_and_it_is_read_again_later() {
        let (_tmp, store) = demo_store().await;
        let fake = AmazonFake::start(250, 91).await;
        let ch = store.add_channel("amazon", "Amazon.de (API)", "DE", "EUR", "de-DE").await.unwrap();
        store.set_channel_config(&ch, &serde_json::json!({ "endpoint": fake.url() })).await.unwrap();
        let bad = fake.set_order_field(3, "/proceeds/grandTotal/amount", serde_json::json!("12,34,56"));
        let c = super::order_sync::amazon(&fake);
        let r = pull_with(&store, &ch, &c, OffsetDateTime::now_utc(), &|_| {}).await.unwrap();
        assert!(r.complete, "the page with the bad order did not stop the run");
        assert_eq!((r.unreadable, r.created), (1, 249));
        let keys = store.order_keys(&ch).await.unwrap();
        assert_eq!(keys.len(), 249);
        assert!(!keys.iter().any(|k| k.external_id == bad));
        // shown in Orders with why, and in the sync log
        let list = mercator_api::sync::unreadable_orders(&store).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].external_id.as_str(), list[0].reason.code.as_str()),
            (bad.as_str(), "channel-bad-response")
        );
        let log = mercator_api::sync::sync_log(&store, &ch).await.unwrap();
        assert!(serde_json::to_string(&log).unwrap().contains(&bad), "the log names it");
        // the next runs go on (the account is not wedged) and read it again by id
        let later = OffsetDateTime::now_utc() + time::Duration::minutes(3);
        let r = pull_with(&store, &ch, &c, later, &|_| {}).await.unwrap();
        assert_eq!(r.recovered, 0);
        assert!(mercator_api::sync::unreadable_orders(&store).await.unwrap()[0].seen >= 2, "tried again");
        // the channel corrects the order: the next run stores it and it leaves the list
        fake.set_order_field(3, "/proceeds/grandTotal/amount", serde_json::json!("12.34"));
        let r = pull_with(&store, &ch, &c, later + time::Duration::minutes(3), &|_| {}).await.unwrap();
        assert_eq!(r.recovered, 1);
        assert!(mercator_api::sync::unreadable_orders(&store).await.unwrap().is_empty());
        assert!(store.order_keys(&ch).await.unwrap().iter().any(|k| k.external_id == bad));
    }
}

/// A marketplace that accepts and never answers holds its own account only.
mod silent_hosts {
    use super::demo_store;
    use mercator_api::sync::{due_accounts, pull_with_budget};
    use mercator_testkit::{AmazonFake, Fault};
    use std::sync::Mutex;
    use std::time::Duration;
    use time::OffsetDateTime;

    #[tokio::test(flavor = "multi_thread")]
    async fn a_silent_marketplace_is_cut_off_at_the_budget_backs_off_and_holds_no_other_account() {
        let (_tmp, store) = demo_store().await;
        let silent = AmazonFake::start(20, 95).await;
        let fine = AmazonFake::start(20, 96).await;
        let a = store.add_channel("amazon", "Amazon.de (silent)", "DE", "EUR", "de-DE").await.unwrap();
        let b = store.add_channel("amazon", "Amazon.fr", "FR", "EUR", "fr-FR").await.unwrap();
        store.set_channel_config(&a, &serde_json::json!({ "endpoint": silent.url() })).await.unwrap();
        store.set_channel_config(&b, &serde_json::json!({ "endpoint": fine.url() })).await.unwrap();
        silent.script(std::iter::repeat_n(Fault::Delay(Duration::from_secs(30)), 20));
        let (ca, cb) = (super::order_sync::amazon(&silent), super::order_sync::amazon(&fine));
        let done: Mutex<Vec<&str>> = Mutex::new(vec![]);
        let budget = Duration::from_millis(800);
        let now = OffsetDateTime::now_utc();
        let (ra, rb) = tokio::join!(
            async {
                let r = pull_with_budget(&store, &a, &ca, now, &|_| {}, budget).await;
                done.lock().unwrap().push("silent");
                r
            },
            async {
                let r = pull_with_budget(&store, &b, &cb, now, &|_| {}, budget * 100).await;
                done.lock().unwrap().push("fine");
                r
            }
        );
        assert!(rb.unwrap().complete, "the other account synced whole");
        let e = ra.unwrap_err();
        assert_eq!(
            (e.0.code.as_str(), e.0.args["seconds"].as_str()),
            ("channel-no-answer", "1"),
            "cut off by the run's budget"
        );
        assert_eq!(done.lock().unwrap()[0], "fine", "the silent one did not hold the other");
        // the failure is visible and the account backs off
        let acc = mercator_api::sync::accounts(&store).await.unwrap().into_iter().find(|x| x.channel_id == a).unwrap();
        assert_eq!(acc.failures, 1);
        assert!(acc.retry_at.is_some() && acc.last_error.is_some());
        let due = due_accounts(&store, OffsetDateTime::now_utc() + time::Duration::seconds(30)).await.unwrap();
        assert!(!due.contains(&a), "backing off");
        let due = due_accounts(&store, OffsetDateTime::now_utc() + time::Duration::minutes(20)).await.unwrap();
        assert!(due.contains(&a), "tried again after the wait");
        // two pulls of one account at once: the second is refused, not interleaved
        fine.script([Fault::Delay(Duration::from_millis(600))]);
        let later = now + time::Duration::minutes(3);
        let (r1, r2) = tokio::join!(pull_with_budget(&store, &b, &cb, later, &|_| {}, budget * 100), async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            pull_with_budget(&store, &b, &cb, later, &|_| {}, budget * 100).await
        });
        assert!(r1.is_ok());
        assert_eq!(r2.unwrap_err().0.code, "sync-running");
    }
}

/// After the purge, a buyer planted in orders is nowhere in the profile folder.
mod buyer_data {
    use super::demo_store;
    use mercator_api::sync::{pull_with, purge_buyer_data_before};
    use mercator_testkit::AmazonFake;
    use time::OffsetDateTime;

    const PLANTED: [&str; 4] = ["Zebulon Quaxworth", "Quaxworthweg 77", "+49 1512 9988776", "zebulon.q@example.de"];

    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().is_dir() {
                files(&e.path(), out);
            } else {
                out.push(e.path());
            }
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn after_the_purge_no_planted_buyer_is_in_the_db_wal_backups_or_set_aside_copies() {
        let (tmp, store) = demo_store().await;
        let fake = AmazonFake::start(12, 97).await;
        let ch = store.add_channel("amazon", "Amazon.de (API)", "DE", "EUR", "de-DE").await.unwrap();
        store.set_channel_config(&ch, &serde_json::json!({ "endpoint": fake.url() })).await.unwrap();
        let mut planted = vec![];
        for n in 0..3 {
            planted.push(fake.set_order_field(n, "/buyer/buyerName", serde_json::json!(PLANTED[0])));
            fake.set_order_field(n, "/buyer/buyerEmail", serde_json::json!(PLANTED[3]));
            fake.set_order_field(n, "/recipient/deliveryAddress/name", serde_json::json!(PLANTED[0]));
            fake.set_order_field(n, "/recipient/deliveryAddress/addressLine1", serde_json::json!(PLANTED[1]));
            fake.set_order_field(n, "/recipient/deliveryAddress/phone", serde_json::json!(PLANTED[2]));
        }
        pull_with(&store, &ch, &super::order_sync::amazon(&fake), OffsetDateTime::now_utc(), &|_| {}).await.unwrap();
        // an order first seen already shipped counts from the channel's time, not from today
        let (late,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM orders WHERE channel_id = ? AND shipped_at IS NOT NULL AND shipped_at > channel_updated_at",
        )
        .bind(&ch)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(late, 0);
        // one shipped long ago, one cancelled long ago, one never shipped for half a year
        let long_ago = mercator_store::fmt_ts(OffsetDateTime::now_utc() - time::Duration::days(45));
        let half_year = mercator_store::fmt_ts(OffsetDateTime::now_utc() - time::Duration::days(200));
        for (ext, sql) in [
            (&planted[0], "UPDATE orders SET status = 'shipped', shipped_at = ?3, channel_updated_at = ?3 WHERE external_id = ?1 AND ?2 IS NOT NULL"),
            (&planted[1], "UPDATE orders SET status = 'cancelled', shipped_at = NULL, channel_updated_at = ?3 WHERE external_id = ?1 AND ?2 IS NOT NULL"),
            (&planted[2], "UPDATE orders SET status = 'unshipped', shipped_at = NULL, ordered_at = ?2 WHERE external_id = ?1 AND ?3 IS NOT NULL"),
        ] {
            let second = if ext == &planted[2] { half_year.clone() } else { mercator_store::fmt_ts(OffsetDateTime::now_utc()) };
            sqlx::query(sql).bind(ext).bind(&second).bind(&long_ago).execute(store.pool()).await.unwrap();
        }
        // an old sync log line quoting an answer about the order
        sqlx::query("INSERT INTO sync_log (id, channel_id, at, kind, detail) VALUES ('old-line', ?, ?, 'error', ?)")
            .bind(&ch)
            .bind(&long_ago)
            .bind(format!(
                "{{\"code\":\"channel-rejected\",\"args\":{{\"detail\":\"{} at {}\"}}}}",
                PLANTED[0], PLANTED[1]
            ))
            .execute(store.pool())
            .await
            .unwrap();
        // five backups (taken before upgrades) and a damaged copy set aside two months ago
        std::fs::create_dir_all(tmp.path().join("backups")).unwrap();
        for k in 0..5 {
            let path = tmp.path().join("backups").join(format!("mercator.db.v12.2026110{k}.bak"));
            sqlx::query("VACUUM INTO ?").bind(path.display().to_string()).execute(store.pool()).await.unwrap();
            let t = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400 * (5 - k));
            std::fs::File::options().write(true).open(&path).unwrap().set_modified(t).unwrap();
        }
        let broken = tmp.path().join("mercator.db.broken-20261001T000000");
        sqlx::query("VACUUM INTO ?").bind(broken.display().to_string()).execute(store.pool()).await.unwrap();
        std::fs::File::options()
            .write(true)
            .open(&broken)
            .unwrap()
            .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(86_400 * 60))
            .unwrap();
        // before: the buyer is there
        let mut all = vec![];
        files(tmp.path(), &mut all);
        let holds = |p: &std::path::Path| {
            let b = std::fs::read(p).unwrap_or_default();
            PLANTED
                .iter()
                .filter(|s| b.windows(s.len()).any(|w| w == s.as_bytes()))
                .map(std::string::ToString::to_string)
                .collect::<Vec<_>>()
        };
        assert!(all.iter().any(|p| !holds(p).is_empty()), "the test planted something to find");

        let n = purge_buyer_data_before(&store, OffsetDateTime::now_utc() - time::Duration::days(30)).await.unwrap();
        assert!(n >= 3, "{n}");
        let mut all = vec![];
        files(tmp.path(), &mut all);
        for p in &all {
            assert!(holds(p).is_empty(), "{:?} still in {}", holds(p), p.display());
        }
        let backups = std::fs::read_dir(tmp.path().join("backups")).unwrap().count();
        assert_eq!(backups, mercator_store::BACKUPS_KEPT, "the newest backups kept, the rest deleted");
        assert!(!broken.exists(), "a damaged copy older than the window is gone");
        // the orders themselves stay (numbers, money, lines), without the buyer
        let (left,): (i64,) = sqlx::query_as("SELECT count(*) FROM orders WHERE channel_id = ?")
            .bind(&ch)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(left, 12);
        // an order shipped today whose channel copy is old keeps its address (the clock starts today)
        let (kept,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM orders WHERE channel_id = ? AND pii_purged_at IS NULL AND ship_to IS NOT NULL",
        )
        .bind(&ch)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert!(kept > 0, "recent orders keep their buyer data");
    }
}

/// The same order and price in IDR, JPY, KWD and EUR, from the channel's
/// JSON to the store, to what crosses IPC, and back out to the channel.
mod every_currency {
    use super::demo_store;
    use mercator_api::sync::{pull_with, Connector};
    use mercator_channels::http::RetryPolicy;
    use mercator_testkit::shopee::{PARTNER_ID, PARTNER_KEY, REFRESH_TOKEN, SHOP_ID};
    use mercator_testkit::ShopeeFake;
    use std::collections::{BTreeMap, HashMap};
    use time::OffsetDateTime;

    #[tokio::test(flavor = "multi_thread")]
    async fn idr_jpy_kwd_and_eur_amounts_keep_every_unit_through_the_whole_path() {
        let (_tmp, store) = demo_store().await;
        let fake = ShopeeFake::start(8, 99).await;
        let ch = store.add_channel("shopee", "Shopee ID (API)", "ID", "IDR", "id-ID").await.unwrap();
        let config =
            serde_json::json!({ "host": fake.url(), "partner_id": PARTNER_ID, "shop_id": SHOP_ID, "currency": "IDR" });
        store.set_channel_config(&ch, &config).await.unwrap();
        // what the channel sends: JSON numbers with the currency's decimals (and more digits than an f64 likes)
        let cases = [
            ("IDR", "1500000050.25", 150_000_005_025i64, "1500000050.25"),
            ("JPY", "19800", 19_800, "19800"),
            ("KWD", "12.345", 12_345, "12.345"),
            ("EUR", "16.99", 1_699, "16.99"),
        ];
        let mut numbers = vec![];
        for (k, (cur, amount, _, _)) in cases.iter().enumerate() {
            fake.set_order_field(k, "/currency", serde_json::json!(cur));
            let n: serde_json::Number = amount.parse().unwrap();
            numbers.push(fake.set_order_field(k, "/total_amount", serde_json::Value::Number(n)));
            for item in 0..3 {
                let price: serde_json::Number = "1".parse().unwrap();
                fake.set_order_field(
                    k,
                    &format!("/item_list/{item}/model_discounted_price"),
                    serde_json::Value::Number(price),
                );
            }
        }
        let secrets: BTreeMap<String, String> =
            [("partner_key".into(), PARTNER_KEY.into()), ("refresh_token".into(), REFRESH_TOKEN.into())].into();
        let c = mercator_api::sync::connector_from("shopee", &config, &secrets, RetryPolicy::fast()).unwrap();
        pull_with(&store, &ch, &c, OffsetDateTime::now_utc(), &|_| {}).await.unwrap();
        // what crosses IPC: minor units, the exponent from the backend's table and the exact amount
        let page = mercator_api::sync::orders(
            &store,
            &mercator_api::sync::OrderFilter { channel_id: Some(ch.clone()), ..Default::default() },
            0,
            50,
        )
        .await
        .unwrap();
        for ((cur, _, minor, text), number) in cases.iter().zip(&numbers) {
            let o = page.items.iter().find(|o| &o.external_id == number).unwrap_or_else(|| panic!("{number}"));
            assert_eq!((o.total.currency.as_str(), o.total.minor, o.total.amount.as_str()), (*cur, *minor, *text));
            let exp: u32 = cur.parse::<mercator_core::Currency>().unwrap().exponent();
            assert_eq!(o.total.exponent, exp, "{cur}: the exponent comes from the backend");
        }
        // the shop's own listings, linked by SKU: the rupiah price read to the last sen
        fake.set_item_price(1, "150000.50");
        let report = mercator_api::sync::link_listings_with(&store, &ch, &c).await.unwrap();
        assert_eq!((report.read, report.linked), (5, 3), "{report:?}");
        assert!(report.unknown.contains(&"SHP-PLAIN-0001".to_string()), "{report:?}");
        #[derive(sqlx::FromRow)]
        struct Linked {
            id: String,
            external_id: String,
            price_minor: i64,
            price_currency: String,
        }
        let linked: Linked = sqlx::query_as(
            "SELECT l.id, l.external_id, l.price_minor, l.price_currency FROM listings l \
             JOIN variants v ON v.id = l.variant_id WHERE l.channel_id = ? AND v.sku = 'ELE-00012-BLK'",
        )
        .bind(&ch)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(
            (linked.external_id.as_str(), linked.price_minor, linked.price_currency.as_str()),
            ("880001:990001", 15_000_050, "IDR")
        );
        // and back out: a new price in rupiah goes to Shopee as the decimal text, to the last sen
        sqlx::query("UPDATE listings SET price_minor = 17500025 WHERE id = ?")
            .bind(&linked.id)
            .execute(store.pool())
            .await
            .unwrap();
        let mut tx = store.pool().begin().await.unwrap();
        mercator_store::outbox::enqueue(
            &mut tx,
            &ch,
            "listing.price",
            &linked.id,
            &serde_json::json!({}),
            "price:idr-test",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let connectors: HashMap<String, Connector> = [(ch.clone(), c)].into();
        let r = mercator_api::outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!(r.failed, 0, "{r:?}");
        assert_eq!(fake.stats().price_updates, vec![(880_001, 990_001, "175000.25".to_string())]);
        assert_eq!(fake.items()[1].price, "175000.25");
    }
}

mod silent_channel_outbox {
    use super::demo_store;
    use mercator_api::outbox;
    use mercator_api::sync::Connector;
    use mercator_testkit::{AmazonFake, Fault};
    use std::collections::HashMap;
    use std::time::Duration;
    use time::OffsetDateTime;

    #[tokio::test(flavor = "multi_thread")]
    async fn a_channel_that_stops_answering_holds_its_own_entries_not_the_others() {
        let (_tmp, store) = demo_store().await;
        let silent = AmazonFake::start(0, 61).await;
        let fine = AmazonFake::start(0, 62).await;
        let chans = store.channels().await.unwrap();
        let de = chans.iter().find(|c| c.kind == "amazon" && c.market == "DE").unwrap().id.clone();
        let us = chans.iter().find(|c| c.kind == "amazon" && c.market == "US").unwrap().id.clone();
        store.set_channel_config(&de, &serde_json::json!({ "endpoint": silent.url() })).await.unwrap();
        store.set_channel_config(&us, &serde_json::json!({ "endpoint": fine.url() })).await.unwrap();
        let queued = store.queue_stock_pushes().await.unwrap();
        let count = |ch: &str| {
            let pool = store.pool().clone();
            let ch = ch.to_string();
            async move {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT count(*) FROM outbox WHERE channel_id = ? AND status = 'pending' AND attempts = 0",
                )
                .bind(ch)
                .fetch_one(&pool)
                .await
                .unwrap();
                n
            }
        };
        let de_waiting = count(&de).await;
        assert!(de_waiting > 1 && queued > de_waiting);
        silent.script(std::iter::repeat_n(Fault::SlowWrite(Duration::from_secs(5)), 50));
        let connectors: HashMap<String, Connector> =
            [(de.clone(), super::order_sync::amazon(&silent)), (us.clone(), super::order_sync::amazon(&fine))].into();
        let timing = outbox::Timing { budget: Duration::from_millis(400), ..Default::default() };
        let r = outbox::deliver_with_timing(&store, &connectors, OffsetDateTime::now_utc(), timing).await.unwrap();
        assert_eq!(r.sent, queued - de_waiting, "every entry of the channel that answers went out");
        assert_eq!(r.failed, 1, "one send found the silent channel silent");
        assert_eq!(count(&de).await, de_waiting - 1, "its other entries wait, their attempts not counted");
        assert_eq!(fine.patches().len() as i64, queued - de_waiting);
    }
}

/// The profile's background engine driven by a manual clock and fake shops:
/// no window, no timers, no keyring.
mod engine {
    use mercator_api::engine::{Clock, Engine, Host, ManualClock, SyncEvent, Timings};
    use mercator_api::outbox::{ConnectivityDto, DeliveryReport};
    use mercator_store::{OpenOptions, Store};
    use mercator_testkit::ShopifyFake;
    use mercator_vault::{Secret, Vault};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;
    use time::OffsetDateTime;

    #[derive(Debug, Clone)]
    enum Ev {
        Sync(SyncEvent),
        Conn(ConnectivityDto),
        Delivered(DeliveryReport),
        Purged(i64),
    }

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Ev>>);

    impl Host for Recorder {
        fn sync_event(&self, e: &SyncEvent) {
            self.0.lock().unwrap().push(Ev::Sync(e.clone()));
        }
        fn connectivity(&self, c: &ConnectivityDto) {
            self.0.lock().unwrap().push(Ev::Conn(c.clone()));
        }
        fn delivered(&self, r: &DeliveryReport) {
            self.0.lock().unwrap().push(Ev::Delivered(*r));
        }
        fn purged(&self, n: i64) {
            self.0.lock().unwrap().push(Ev::Purged(n));
        }
    }

    impl Recorder {
        fn len(&self) -> usize {
            self.0.lock().unwrap().len()
        }
        fn since(&self, from: usize) -> Vec<Ev> {
            self.0.lock().unwrap()[from..].to_vec()
        }
        /// Waits (real time, generous) for an event after `from` that `f` accepts.
        async fn wait(&self, from: usize, what: &str, f: impl Fn(&Ev) -> bool) -> Ev {
            for _ in 0..20_000 {
                if let Some(e) = self.since(from).into_iter().find(|e| f(e)) {
                    return e;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            panic!("no {what} event; got {:?}", self.since(from));
        }
    }

    fn ended(ch: &str) -> impl Fn(&Ev) -> bool + '_ {
        move |e| matches!(e, Ev::Sync(s) if s.channel_id == ch && !s.running)
    }

    /// The four loops (sync, outbox, purge, mail) wait on the clock.
    const LOOPS: usize = 4;

    async fn shop() -> (tempfile::TempDir, Arc<Store>) {
        let tmp = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(tmp.path(), &OpenOptions::default()).await.unwrap();
        (tmp, Arc::new(store))
    }

    async fn shopify_account(store: &Store, vault: &Vault, fake: &ShopifyFake, name: &str) -> String {
        let secrets = [("access_token".to_string(), mercator_testkit::shopify::ACCESS_TOKEN.to_string())].into();
        let config = serde_json::json!({ "shop_url": fake.url(), "currency": "JPY" });
        mercator_api::sync::add_account(store, vault, "shopify", name, "JP", "JPY", "ja-JP", &config, &secrets)
            .await
            .unwrap()
    }

    async fn scalar(store: &Store, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql).fetch_one(store.pool()).await.unwrap()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_due_account_runs_a_paused_one_does_not_and_stop_ends_every_loop() {
        let (_tmp, store) = shop().await;
        let vault = Vault::in_memory();
        let (a, b) = (ShopifyFake::start(40, 501).await, ShopifyFake::start(30, 502).await);
        let due = shopify_account(&store, &vault, &a, "Due").await;
        let paused = shopify_account(&store, &vault, &b, "Paused").await;
        store.set_sync_paused(&paused, true).await.unwrap();
        // the loops' one-query list of accounts to talk to is the accounts screen's "connected, not paused"
        let shown: Vec<String> = mercator_api::sync::accounts(&store)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.connected && !a.paused)
            .map(|a| a.channel_id)
            .collect();
        assert_eq!(store.active_channels().await.unwrap(), shown);
        assert_eq!(shown, std::slice::from_ref(&due), "the demo channels have no settings; the paused one is out");
        let clock = ManualClock::new(OffsetDateTime::now_utc());
        let host = Arc::new(Recorder::default());
        let engine = Engine::start(store.clone(), vault, host.clone(), Arc::new(clock.clone()), Timings::default());

        clock.until_sleeping(LOOPS).await;
        assert_eq!(host.len(), 0, "nothing happens before the first tick");
        let from = host.len();
        clock.advance(Duration::from_secs(60));
        let Ev::Sync(end) = host.wait(from, "end of the due account's run", ended(&due)).await else { unreachable!() };
        assert_eq!(end.error, None);
        assert_eq!((end.report.fetched, end.report.created), (40, 40));
        clock.until_sleeping(LOOPS).await;
        assert_eq!(store.order_keys(&due).await.unwrap().len(), 40);
        assert_eq!(engine.runs_started().get(&due), Some(&1));
        assert_eq!(engine.runs_started().get(&paused), None, "a paused account is not run");
        assert_eq!(b.stats().order_requests, 0);

        // a minute later it is not due again (its interval is 15 minutes) ...
        clock.advance(Duration::from_secs(60));
        clock.until_sleeping(LOOPS).await;
        assert_eq!(engine.runs_started().get(&due), Some(&1));
        // ... fifteen minutes later it is; the paused one still is not
        let from = host.len();
        clock.advance(Duration::from_secs(15 * 60));
        host.wait(from, "second run", ended(&due)).await;
        clock.until_sleeping(LOOPS).await;
        assert_eq!(engine.runs_started().get(&due), Some(&2));
        assert_eq!(engine.runs_started().get(&paused), None);
        assert_eq!(b.stats().order_requests, 0);

        // un-paused, it runs at the next tick
        store.set_sync_paused(&paused, false).await.unwrap();
        let from = host.len();
        clock.advance(Duration::from_secs(60));
        host.wait(from, "the resumed account's run", ended(&paused)).await;
        assert_eq!(store.order_keys(&paused).await.unwrap().len(), 30);

        engine.stop().await;
        assert_eq!(clock.sleepers(), 0, "every loop has ended");
        let n = host.len();
        clock.advance(Duration::from_secs(3600));
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(host.len(), n, "a stopped engine does nothing");
        drop(engine);
        assert_eq!(Arc::strong_count(&store), 1, "no task of the engine holds the store: it can close");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn offline_then_back_online_sends_everything_once() {
        let (_tmp, store) = shop().await;
        let vault = Vault::in_memory();
        let fake = ShopifyFake::start(25, 503).await;
        fake.budget(100_000, 100_000);
        // the demo shop's Shopify account, connected to an address where nothing listens
        let ch = store.channels().await.unwrap().into_iter().find(|c| c.kind == "shopify").unwrap().id;
        let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let secrets = serde_json::json!({ "access_token": mercator_testkit::shopify::ACCESS_TOKEN }).to_string();
        vault.set(&Vault::channel_account(&ch), &Secret::new(secrets)).unwrap();
        let offline_cfg = serde_json::json!({ "shop_url": format!("http://127.0.0.1:{dead}"), "currency": "JPY" });
        store.set_channel_config(&ch, &offline_cfg).await.unwrap();
        // the account's live listings are the five SKUs the fake shop has
        sqlx::query(
            "UPDATE listings SET status = 'inactive' WHERE channel_id = ?1 AND status = 'live' AND variant_id NOT IN \
             (SELECT id FROM variants WHERE sku IN ('KIT-00001-BLK', 'KIT-00001-WHT', 'ELE-00012-BLK', 'HOM-00021-M', 'SPO-00031-L'))",
        )
        .bind(&ch)
        .execute(store.pool())
        .await
        .unwrap();
        sqlx::query("UPDATE listings SET status = 'live', seller_sku = (SELECT sku FROM variants v WHERE v.id = variant_id) \
             WHERE channel_id = ?1 AND variant_id IN (SELECT id FROM variants WHERE sku IN ('KIT-00001-BLK', 'KIT-00001-WHT', 'ELE-00012-BLK', 'HOM-00021-M', 'SPO-00031-L'))")
        .bind(&ch)
        .execute(store.pool())
        .await
        .unwrap();
        sqlx::query("DELETE FROM outbox").execute(store.pool()).await.unwrap();

        let clock = ManualClock::new(OffsetDateTime::now_utc());
        let host = Arc::new(Recorder::default());
        let engine = Engine::start(store.clone(), vault, host.clone(), Arc::new(clock.clone()), Timings::default());
        clock.until_sleeping(LOOPS).await;

        // the first tick: the run cannot reach the shop, the profile goes offline
        let from = host.len();
        clock.advance(Duration::from_secs(60));
        let Ev::Sync(end) = host.wait(from, "the unreachable run", ended(&ch)).await else { unreachable!() };
        assert_eq!(end.error.unwrap().code, "channel-offline");
        host.wait(from, "offline", |e| matches!(e, Ev::Conn(c) if c.offline)).await;
        host.wait(from, "the outbox round", |e| matches!(e, Ev::Delivered(_))).await;
        clock.until_sleeping(LOOPS).await;
        let c = engine.connectivity().await;
        assert!(c.offline && c.since.is_some());
        let waiting = c.waiting;
        assert!(waiting > 1, "stock pushes of every live listing wait: {waiting}");
        let waited: Vec<String> =
            sqlx::query_scalar("SELECT id FROM outbox WHERE status = 'pending'").fetch_all(store.pool()).await.unwrap();
        assert_eq!(waited.len() as i64, waiting);

        // offline, both loops look every 15 s; a minute of it parks nothing and sends nothing
        for _ in 0..4 {
            let from = host.len();
            clock.advance(Duration::from_secs(15));
            host.wait(from, "an offline look", ended(&ch)).await;
            clock.until_sleeping(LOOPS).await;
        }
        assert_eq!(engine.runs_started().get(&ch), Some(&5), "every 15 s while offline");
        assert_eq!(scalar(&store, "SELECT count(*) FROM outbox WHERE status != 'pending' OR attempts > 0").await, 0);
        assert!(fake.stats().stock_sets.is_empty());
        assert!(host.since(0).iter().filter(|e| matches!(e, Ev::Conn(_))).count() == 1, "offline said once");

        // the network is back: a run that reaches the shop (here the user's "sync now", with
        // the clock standing still, so no tick can help) puts the profile online, and what
        // waited goes out at once, not after its short wait
        let online_cfg = serde_json::json!({ "shop_url": fake.url(), "currency": "JPY" });
        store.set_channel_config(&ch, &online_cfg).await.unwrap();
        let from = host.len();
        let r = engine.sync_now(&ch).await.unwrap();
        assert_eq!(r.created, 25);
        host.wait(from, "online", |e| matches!(e, Ev::Conn(c) if !c.offline)).await;
        let Ev::Delivered(r) =
            host.wait(from, "the delivery after resuming", |e| matches!(e, Ev::Delivered(r) if r.sent > 0)).await
        else {
            unreachable!()
        };
        clock.until_sleeping(LOOPS).await;
        let sent_rows = "SELECT count(*) FROM outbox WHERE status = 'sent'";
        assert_eq!(r.failed, 0);
        let untried: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM outbox WHERE status != 'sent' AND id IN (SELECT value FROM json_each(?))",
        )
        .bind(serde_json::to_string(&waited).unwrap())
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(untried, 0, "everything that waited offline went out as soon as the shop answered");
        assert!(!engine.connectivity().await.offline);

        // the orders that came in reserve stock: their new quantities follow in the next rounds,
        // each once, and then nothing more is sent
        let mut sets = Vec::new();
        for _ in 0..4 {
            let from = host.len();
            clock.advance(Duration::from_secs(60));
            host.wait(from, "a later outbox round", |e| matches!(e, Ev::Delivered(_))).await;
            clock.until_sleeping(LOOPS).await;
            sets.push(fake.stats().stock_sets.len() as i64);
        }
        assert_eq!(sets[2], sets[3], "quiet at the end: {sets:?}");
        assert_eq!(sets[3], scalar(&store, sent_rows).await, "one request per change sent, none twice");
        // and the shop has each listing's newest quantity
        let last: std::collections::HashMap<String, i64> = fake
            .stats()
            .stock_sets
            .iter()
            .flat_map(|v| v["quantities"].as_array().cloned().unwrap_or_default())
            .map(|q| {
                (q["inventoryItemId"].as_str().unwrap_or_default().to_string(), q["quantity"].as_i64().unwrap_or(-1))
            })
            .collect();
        let skus = ["KIT-00001-BLK", "KIT-00001-WHT", "ELE-00012-BLK", "HOM-00021-M", "SPO-00031-L"];
        let ours: Vec<(String, i64)> = sqlx::query_as(
            "SELECT seller_sku, pushed_qty FROM listings WHERE channel_id = ? AND status = 'live' ORDER BY seller_sku",
        )
        .bind(&ch)
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(ours.len(), last.len());
        for (sku, qty) in ours {
            let item = format!("gid://shopify/InventoryItem/{}", 7000 + skus.iter().position(|s| *s == sku).unwrap());
            assert_eq!(last.get(&item), Some(&qty), "{sku}: the shop has our newest quantity");
        }
        let refs: std::collections::HashSet<String> =
            fake.stats().stock_sets.iter().map(|v| v["referenceDocumentUri"].to_string()).collect();
        assert_eq!(refs.len(), fake.stats().stock_sets.len(), "no change was sent twice");
        assert_eq!(scalar(&store, "SELECT count(*) FROM outbox WHERE status != 'sent'").await, 0, "nothing left");
        engine.stop().await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn one_shop_that_is_down_takes_neither_the_profile_offline_nor_the_others_off_schedule() {
        let (_tmp, store) = shop().await;
        let vault = Vault::in_memory();
        let up = ShopifyFake::start(10, 505).await;
        let live = shopify_account(&store, &vault, &up, "Up").await;
        let gone = ShopifyFake::start(0, 506).await;
        let down = shopify_account(&store, &vault, &gone, "Down").await;
        let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let cfg = serde_json::json!({ "shop_url": format!("http://127.0.0.1:{dead}"), "currency": "JPY" });
        store.set_channel_config(&down, &cfg).await.unwrap();
        let clock = ManualClock::new(OffsetDateTime::now_utc());
        let host = Arc::new(Recorder::default());
        let engine = Engine::start(store.clone(), vault, host.clone(), Arc::new(clock.clone()), Timings::default());
        clock.until_sleeping(LOOPS).await;
        clock.advance(Duration::from_secs(60));
        let Ev::Sync(end) = host.wait(0, "the unreachable shop's run", ended(&down)).await else { unreachable!() };
        assert_eq!(end.error.unwrap().code, "channel-offline");
        let Ev::Sync(end) = host.wait(0, "the other shop's run", ended(&live)).await else { unreachable!() };
        assert_eq!(end.error, None);
        clock.until_sleeping(LOOPS).await;
        let went_offline = |h: &Recorder| h.since(0).iter().any(|e| matches!(e, Ev::Conn(c) if c.offline));
        assert!(!went_offline(&host) && !engine.connectivity().await.offline, "one shop down is not offline");
        // the profile keeps the online pace: a minute of 15 s steps runs nobody again
        for _ in 0..3 {
            clock.advance(Duration::from_secs(15));
            tokio::time::sleep(Duration::from_millis(5)).await;
            clock.until_sleeping(LOOPS).await;
        }
        assert_eq!(engine.runs_started().get(&live), Some(&1), "the healthy shop keeps its interval");
        assert_eq!(engine.runs_started().get(&down), Some(&1));
        // with the healthy shop paused, the one left cannot be reached: now the profile is offline
        store.set_sync_paused(&live, true).await.unwrap();
        let from = host.len();
        clock.advance(Duration::from_secs(60));
        host.wait(from, "offline", |e| matches!(e, Ev::Conn(c) if c.offline)).await;
        engine.stop().await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn edits_wait_for_one_short_delay_together_and_the_purge_runs_once_a_day() {
        let (_tmp, store) = shop().await;
        let vault = Vault::in_memory();
        let fake = ShopifyFake::start(30, 504).await;
        let ch = shopify_account(&store, &vault, &fake, "Shop").await;
        mercator_api::sync::sync_now(&store, &vault, &ch, &|_| {}).await.unwrap();
        let done_with_buyer = "SELECT count(*) FROM orders WHERE pii_purged_at IS NULL \
            AND (shipped_at IS NOT NULL OR status IN ('cancelled', 'refunded'))";
        let before = scalar(&store, done_with_buyer).await;
        let with_address = "SELECT count(*) FROM orders WHERE ship_to IS NOT NULL AND shipped_at IS NOT NULL";
        assert!(before > 0 && scalar(&store, with_address).await > 0, "the shop has shipped orders with addresses");

        // two months on, at ten in the morning (UTC)
        let start =
            (OffsetDateTime::now_utc() + time::Duration::days(60)).date().with_hms(10, 0, 0).unwrap().assume_utc();
        let clock = ManualClock::new(start);
        let host = Arc::new(Recorder::default());
        let engine = Engine::start(store.clone(), vault, host.clone(), Arc::new(clock.clone()), Timings::default());
        clock.until_sleeping(LOOPS).await;

        // two edits in a row: one delivery round, two seconds after the first
        engine.send_edits_soon();
        engine.send_edits_soon();
        clock.until_sleeping(LOOPS + 1).await;
        assert_eq!(clock.sleepers(), LOOPS + 1, "one delay for both edits");
        let from = host.len();
        clock.advance(Duration::from_secs(2));
        host.wait(from, "the round after the edits", |e| matches!(e, Ev::Delivered(_))).await;
        clock.until_sleeping(LOOPS).await;
        assert_eq!(clock.sleepers(), LOOPS);

        // the first purge comes a minute after opening
        let from = host.len();
        clock.advance(Duration::from_secs(58));
        let Ev::Purged(n) = host.wait(from, "the first purge", |e| matches!(e, Ev::Purged(_))).await else {
            unreachable!()
        };
        assert_eq!(n, before, "every order shipped (or cancelled) more than 30 days ago");
        assert_eq!(scalar(&store, done_with_buyer).await, 0);
        assert_eq!(scalar(&store, with_address).await, 0);
        clock.until_sleeping(LOOPS).await;
        // hourly looks the same day purge nothing more; the next day purges again
        for _ in 0..13 {
            clock.advance(Duration::from_secs(3600));
            clock.until_sleeping(LOOPS).await;
        }
        let purges = host.since(0).iter().filter(|e| matches!(e, Ev::Purged(_))).count();
        assert_eq!(purges, 1, "one purge on the first day");
        assert_eq!(clock.now().date(), start.date());
        let from = host.len();
        clock.advance(Duration::from_secs(3600));
        host.wait(from, "the next day's purge", |e| matches!(e, Ev::Purged(_))).await;
        engine.stop().await;
    }
}

/// The inbox against a real Dovecot and SMTP receiver: mail in, replies out once.
mod inbox_mail {
    use mercator_api::inbox::{self, InboxFilter, MailboxInput, ReplyInput};
    use mercator_store::{OpenOptions, Store};
    use mercator_testkit::mailserver::{MailServer, PASSWORD, USER};
    use mercator_vault::Vault;
    use time::{Duration, OffsetDateTime};

    async fn shop(m: &MailServer) -> (tempfile::TempDir, Store, Vault, String, String) {
        let tmp = tempfile::tempdir().unwrap();
        let (store, _) =
            Store::open(tmp.path(), &OpenOptions { seed_demo: false, ..Default::default() }).await.unwrap();
        let vault = Vault::in_memory();
        let ch = store.add_channel("amazon", "Amazon DE", "DE", "EUR", "de-DE").await.unwrap();
        sqlx::query(
            "INSERT INTO orders (id, channel_id, external_id, order_number, status, raw_status, buyer_name, ship_country, \
             total_minor, currency, ordered_at, updated_at) VALUES ('o1', ?, '302-1234567-7654321', '302-1234567-7654321', \
             'unshipped', 'Unshipped', 'Jonas', 'DE', 1999, 'EUR', '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z')",
        )
        .bind(&ch)
        .execute(store.pool())
        .await
        .unwrap();
        let mb = inbox::add_mailbox(&store, &vault, &input(&ch, m, PASSWORD)).await.unwrap();
        (tmp, store, vault, ch, mb.id)
    }

    fn input(ch: &str, m: &MailServer, password: &str) -> MailboxInput {
        MailboxInput {
            channel_id: ch.into(),
            address: USER.into(),
            username: String::new(),
            password: password.into(),
            imap_host: "127.0.0.1".into(),
            imap_port: i64::from(m.imap_port),
            imap_security: "none".into(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: i64::from(m.smtp_port),
            smtp_security: "none".into(),
            inbox_folder: String::new(),
            sent_folder: String::new(),
            reply_hours: None,
        }
    }

    fn buyer(id: &str, extra: &str, subject: &str, body: &str) -> Vec<u8> {
        format!(
            "From: Jonas Becker <abc123@marketplace.amazon.de>\r\nTo: {USER}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n{extra}\
             Date: Sat, 05 Dec 2026 08:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        )
        .into_bytes()
    }

    #[tokio::test]
    async fn buyer_mail_is_read_once_threaded_and_linked_to_its_order() {
        let m = MailServer::start().unwrap();
        let (_t, store, vault, _ch, mb) = shop(&m).await;
        m.deliver(&buyer("b1@amazon", "", "Bestellung 302-1234567-7654321", "Wo ist mein Paket?")).await.unwrap();
        m.deliver(&buyer("b2@amazon", "In-Reply-To: <b1@amazon>\r\n", "AW: Bestellung", "Hallo?")).await.unwrap();
        let hostile = "From: x@evil.test\r\nTo: seller@shop.test\r\nSubject: Hi\r\nMessage-ID: <h1@evil>\r\n\
            Content-Type: text/html\r\n\r\n<p onclick=alert(1)>Hi<script>alert(2)</script><img src=https://evil.test/p.png>\
            <a href=javascript:alert(3)>x</a></p>\r\n";
        m.deliver(hostile.as_bytes()).await.unwrap();
        let (imap, r) = inbox::read_mailbox(&store, &vault, &mb, None).await.unwrap();
        assert_eq!((r.stored, r.duplicates, r.conversations.len()), (3, 0, 2));
        // the same connection, nothing new; a new connection, nothing new either (the position is stored)
        let (imap, r) = inbox::read_mailbox(&store, &vault, &mb, Some(imap)).await.unwrap();
        assert_eq!(r.stored, 0);
        imap.logout().await;
        let (_, r) = inbox::read_mailbox(&store, &vault, &mb, None).await.unwrap();
        assert_eq!((r.stored, r.duplicates), (0, 0));
        let list =
            inbox::conversations(&store, &InboxFilter { has_order: true, ..Default::default() }, 0, 50).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].message_count, 2);
        assert_eq!(list[0].reply_state, "overdue", "24 h after 5 December 08:00 is long past");
        let t = inbox::thread(&store, &list[0].id).await.unwrap();
        assert_eq!(t.order.as_ref().unwrap().order_number, "302-1234567-7654321");
        assert_eq!(t.reply_to.as_deref(), Some("abc123@marketplace.amazon.de"));
        assert!(t.can_reply && t.marketplace);
        let all = inbox::conversations(&store, &InboxFilter::default(), 0, 50).await.unwrap();
        let evil = all.iter().find(|c| c.subject == "Hi").unwrap();
        let t = inbox::thread(&store, &evil.id).await.unwrap();
        let html = t.messages[0].html.clone().unwrap();
        for bad in ["onclick", "<script", "evil.test/p.png", "javascript:"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert_eq!(t.messages[0].blocked_images, 1);
        assert_eq!(store.mailbox(&mb).await.unwrap().status, "ok");
    }

    #[tokio::test]
    async fn a_wrong_password_is_told_and_nothing_is_kept_from_a_refused_keyring() {
        let m = MailServer::start().unwrap();
        let (_t, store, vault, ch, _) = shop(&m).await;
        let mut i = input(&ch, &m, "wrong");
        i.address = "other@shop.test".into();
        let mb = inbox::add_mailbox(&store, &vault, &i).await.unwrap();
        let e = inbox::check_mailbox(&store, &vault, &mb.id).await.unwrap_err();
        assert_eq!(e.0.code, "mail-auth");
        assert_eq!(store.mailbox(&mb.id).await.unwrap().status, "mail-auth");
        assert!(!serde_json::to_string(&e).unwrap().contains("wrong"));
        let e = inbox::read_mailbox(&store, &vault, &mb.id, None).await.unwrap_err();
        assert_eq!(e.0.code, "mail-auth");
    }

    async fn conversation(store: &Store) -> String {
        inbox::conversations(store, &InboxFilter::default(), 0, 10).await.unwrap()[0].id.clone()
    }

    async fn queue(store: &Store, conv: &str, body: &str) -> String {
        inbox::reply(
            store,
            &ReplyInput {
                conversation_id: conv.into(),
                body: body.into(),
                lang: "de-DE".into(),
                original: None,
                override_lint: false,
            },
        )
        .await
        .unwrap()
    }

    fn sent_ids(m: &MailServer) -> Vec<String> {
        m.received()
            .iter()
            .map(|r| mercator_channels::mail::parse_mail(r).unwrap().message_id.unwrap_or_default())
            .collect()
    }

    #[tokio::test]
    async fn a_reply_reaches_the_buyer_once_threaded_and_filed_in_sent() {
        let m = MailServer::start().unwrap();
        let (_t, store, vault, _ch, mb) = shop(&m).await;
        m.deliver(&buyer("b1@amazon", "", "Bestellung 302-1234567-7654321", "Wo ist mein Paket?")).await.unwrap();
        inbox::read_mailbox(&store, &vault, &mb, None).await.unwrap();
        let conv = conversation(&store).await;
        // the lint stops a marketplace reply with a link or an address
        let e = inbox::reply(
            &store,
            &ReplyInput {
                conversation_id: conv.clone(),
                body: "Schreiben Sie an info@shop.test".into(),
                lang: "de-DE".into(),
                original: None,
                override_lint: false,
            },
        )
        .await
        .unwrap_err();
        assert_eq!(e.0.code, "reply-lint");
        let id = queue(&store, &conv, "Guten Tag, Ihr Paket ist unterwegs.").await;
        // two senders at once: one mail
        let now = OffsetDateTime::now_utc();
        let (a, b) = tokio::join!(
            inbox::deliver_replies_at(&store, &vault, now),
            inbox::deliver_replies_at(&store, &vault, now)
        );
        assert_eq!(a.unwrap().sent + b.unwrap().sent, 1);
        let got = m.received();
        assert_eq!(got.len(), 1);
        let mail = mercator_channels::mail::parse_mail(&got[0]).unwrap();
        assert_eq!(mail.in_reply_to, ["b1@amazon"]);
        assert_eq!(mail.to[0].address, "abc123@marketplace.amazon.de");
        assert_eq!(mail.subject, "Re: Bestellung 302-1234567-7654321");
        let t = inbox::thread(&store, &conv).await.unwrap();
        let reply = t.messages.iter().find(|x| x.id == id).unwrap();
        assert_eq!(reply.status, "sent");
        assert_eq!(t.conversation.reply_state, "answered");
        let r = inbox::deliver_replies_at(&store, &vault, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!((r.sent, r.failed, r.found_sent), (0, 0, 0));
        assert_eq!(m.received().len(), 1);
        // it is in Sent under its Message-ID
        let (_, account) = inbox::account_of(&store, &vault, &mb).await.unwrap();
        let mut imap = mercator_channels::mailbox::Imap::connect(&account).await.unwrap();
        let job = store.reply_job(&id).await.unwrap();
        assert!(imap.has_message_id("Sent", &job.external_id).await.unwrap());
    }

    /// Attachments (one of 20 MB, one disguised program), a phishing link and
    /// a mail without a Message-ID, through Dovecot; then the folder gets a
    /// new UIDVALIDITY and is read again.
    #[tokio::test]
    async fn attachments_are_kept_and_saved_on_request_links_listed_and_a_renumbered_folder_read_once() {
        use base64::Engine as _;
        let m = MailServer::start().unwrap();
        let (tmp, store, vault, _ch, mb) = shop(&m).await;
        let png: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 251) as u8).collect();
        let pdf: Vec<u8> = (0..(20u32 << 20)).map(|i| (i % 253) as u8).collect();
        let b64 = |b: &[u8]| {
            let s = base64::engine::general_purpose::STANDARD.encode(b);
            s.as_bytes().chunks(76).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("\r\n")
        };
        let raw = format!(
            "From: Mallory <m@marketplace.amazon.de>\r\nTo: {USER}\r\nSubject: Rechnung 302-1234567-7654321\r\n\
             Message-ID: <att-1@example.test>\r\nDate: Sat, 05 Dec 2026 08:00:00 +0000\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Bitte <a href=\"https://evil.example/login\">https://sellercentral.amazon.de/</a></p>\r\n\
             --b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"photo.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
             --b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n\
             --b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"../../big.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
             --b--\r\n",
            b64(&png),
            b64(&pdf)
        );
        m.deliver(raw.as_bytes()).await.unwrap();
        let anonymous = format!("From: buyer@shop.example\r\nTo: {USER}\r\nSubject: no id\r\n\r\nwhere is it?\r\n");
        m.deliver(anonymous.as_bytes()).await.unwrap();
        let (imap, r) = inbox::read_mailbox(&store, &vault, &mb, None).await.unwrap();
        imap.logout().await;
        assert_eq!((r.stored, r.duplicates), (2, 0));

        let list = inbox::conversations(&store, &InboxFilter::default(), 0, 10).await.unwrap();
        let conv = list.iter().find(|c| c.subject.starts_with("Rechnung")).unwrap();
        let t = inbox::thread(&store, &conv.id).await.unwrap();
        let msg = &t.messages[0];
        let names: Vec<(&str, bool, bool)> =
            msg.attachments.iter().map(|a| (a.name.as_str(), a.stored, a.runs_code)).collect();
        assert_eq!(names, [("photo.png", true, false), ("invoicefdp.exe", true, true), ("big.pdf", true, false)]);
        assert_eq!(msg.links.len(), 1);
        assert_eq!(msg.links[0].url, "https://evil.example/login");
        assert_eq!(msg.links[0].host, "evil.example");
        assert_eq!(msg.links[0].text_host.as_deref(), Some("sellercentral.amazon.de"));
        assert!(!msg.html.as_deref().unwrap().contains("evil.example"), "nothing to click in the shown mail");
        assert_eq!(inbox::message_link(&store, &msg.id, 0).await.unwrap(), "https://evil.example/login");
        assert_eq!(inbox::message_link(&store, &msg.id, 1).await.unwrap_err().0.code, "link-unavailable");

        // saved on request, whole and under the profile, never beside it
        let dir = inbox::attachments_dir(tmp.path());
        let saved = inbox::save_attachment(&store, &dir, &msg.id, 0).await.unwrap();
        assert!(!saved.runs_code);
        assert!(std::path::Path::new(&saved.path).starts_with(&dir));
        assert_eq!(std::fs::read(&saved.path).unwrap(), png);
        let big = inbox::save_attachment(&store, &dir, &msg.id, 2).await.unwrap();
        assert!(std::path::Path::new(&big.path).starts_with(&dir) && big.path.ends_with("big.pdf"), "{}", big.path);
        assert!(std::fs::read(&big.path).unwrap() == pdf, "the 20 MB attachment is byte for byte the buyer's");
        let exe = inbox::save_attachment(&store, &dir, &msg.id, 1).await.unwrap();
        assert!(exe.runs_code, "the disguised program is told as such");
        for (id, index) in [("../../etc", 0), (msg.id.as_str(), 3), (msg.id.as_str(), -1), ("0190-none", 0)] {
            let e = inbox::save_attachment(&store, &dir, id, index).await.unwrap_err();
            assert_eq!(e.0.code, "attachment-unavailable", "{id} {index}");
        }
        inbox::clear_saved_attachments(tmp.path());
        assert!(!dir.exists());

        // the folder is renumbered (restored, recreated): read again, nothing stored twice
        m.renumber_inbox(4242).unwrap();
        let (imap, r) = inbox::read_mailbox(&store, &vault, &mb, None).await.unwrap();
        imap.logout().await;
        assert_eq!((r.stored, r.duplicates), (0, 2), "the mail without a Message-ID is known by its contents");
        assert_eq!(store.mailbox(&mb).await.unwrap().uid_validity, Some(4242));
        // and a new mail after it is read
        m.deliver(&buyer("after@amazon", "", "Noch eine Frage", "Hallo")).await.unwrap();
        let (_, r) = inbox::read_mailbox(&store, &vault, &mb, None).await.unwrap();
        assert_eq!((r.stored, r.duplicates), (1, 0));
    }

    /// Mail as broken as buyers' clients send it, through Dovecot: an unknown
    /// charset label, a multipart never closed, no Content-Type at all, an
    /// 8-bit GBK body without a label: each is stored and readable, none stops
    /// the mail after it.
    #[tokio::test]
    async fn broken_mime_through_the_server_is_read_and_stops_nothing() {
        let m = MailServer::start().unwrap();
        let (_t, store, vault, _ch, mb) = shop(&m).await;
        let mails: Vec<Vec<u8>> = vec![
            format!("From: a@x.test\r\nTo: {USER}\r\nSubject: =?x-unknown-42?B?SGVsbG8=?=\r\nMessage-ID: <b1@x>\r\nContent-Type: text/plain; charset=x-unknown-42\r\n\r\nHello unknown\r\n").into_bytes(),
            format!("From: b@x.test\r\nTo: {USER}\r\nSubject: open\r\nMessage-ID: <b2@x>\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nnever closed\r\n").into_bytes(),
            format!("From: c@x.test\r\nTo: {USER}\r\nSubject: bare\r\nMessage-ID: <b3@x>\r\n\r\njust text\r\n").into_bytes(),
            [format!("From: d@x.test\r\nTo: {USER}\r\nSubject: gbk\r\nMessage-ID: <b4@x>\r\nContent-Type: text/plain\r\n\r\n").into_bytes(), vec![0xc4, 0xe3, 0xba, 0xc3, b'\r', b'\n']].concat(),
            buyer("after@x", "", "after the broken ones", "Hallo"),
        ];
        for raw in &mails {
            m.deliver(raw).await.unwrap();
        }
        let (_, r) = inbox::read_mailbox(&store, &vault, &mb, None).await.unwrap();
        assert_eq!((r.stored, r.duplicates), (5, 0));
        let all = inbox::conversations(&store, &InboxFilter::default(), 0, 50).await.unwrap();
        let text = |subject: &str| all.iter().find(|c| c.subject == subject).map(|c| c.last_message.clone());
        assert_eq!(text("Hello").as_deref(), Some("Hello unknown"));
        assert_eq!(text("open").as_deref(), Some("never closed"));
        assert_eq!(text("bare").as_deref(), Some("just text"));
        assert!(text("gbk").is_some_and(|t| !t.is_empty()), "an unlabelled 8-bit body is kept, not dropped");
        assert!(text("after the broken ones").is_some());
        assert_eq!(store.mailbox(&mb).await.unwrap().status, "ok");
    }

    /// A sender that died at each point of a send, and the next sender.
    #[tokio::test]
    async fn a_sender_killed_at_any_point_of_a_send_leaves_one_mail() {
        let m = MailServer::start().unwrap();
        let (_t, store, vault, _ch, mb) = shop(&m).await;
        m.deliver(&buyer("b1@amazon", "", "Frage", "Hallo")).await.unwrap();
        inbox::read_mailbox(&store, &vault, &mb, None).await.unwrap();
        let conv = conversation(&store).await;
        let (_, account) = inbox::account_of(&store, &vault, &mb).await.unwrap();
        let lease = Duration::seconds(1);
        for point in ["after-smtp", "after-record", "after-sent-copy"] {
            let id = queue(&store, &conv, &format!("Antwort {point}")).await;
            // the dying sender: claims, does part of the send, never acknowledges
            let claimed = mercator_store::outbox::claim_due_mail(store.pool(), OffsetDateTime::now_utc(), lease, 10)
                .await
                .unwrap();
            assert_eq!(claimed.len(), 1);
            let job = store.reply_job(&id).await.unwrap();
            let mail = mercator_channels::mailbox::Outgoing {
                from_name: String::new(),
                from: USER.into(),
                to_name: String::new(),
                to: job.to_address.clone().unwrap(),
                subject: job.subject.clone(),
                message_id: job.external_id.clone(),
                parents: vec![],
                body: job.body.clone(),
            }
            .build()
            .unwrap();
            mercator_channels::mailbox::send(&account, &mail).await.unwrap();
            if point != "after-smtp" {
                store.reply_submitted(&id, OffsetDateTime::now_utc()).await.unwrap();
            }
            if point == "after-sent-copy" {
                let mut imap = mercator_channels::mailbox::Imap::connect(&account).await.unwrap();
                imap.append("Sent", &mail.formatted()).await.unwrap();
            }
            // the next sender, after the lease
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
            let r = inbox::deliver_replies_at(&store, &vault, OffsetDateTime::now_utc()).await.unwrap();
            let ids = sent_ids(&m);
            let copies = ids.iter().filter(|i| **i == job.external_id).count();
            match point {
                // the one window SMTP leaves: accepted, not yet recorded, not in Sent
                "after-smtp" => assert_eq!((copies, r.sent), (2, 1), "documented: the reply goes twice"),
                _ => assert_eq!((copies, r.sent + r.found_sent), (1, 1), "{point}"),
            }
            assert_eq!(store.reply_job(&id).await.unwrap().status, "sent", "{point}");
        }
    }

    #[tokio::test]
    async fn refusals_offline_servers_and_slow_servers_keep_the_reply() {
        let mut m = MailServer::start().unwrap();
        let (_t, store, vault, _ch, mb) = shop(&m).await;
        m.deliver(&buyer("b1@amazon", "", "Frage", "Hallo")).await.unwrap();
        inbox::read_mailbox(&store, &vault, &mb, None).await.unwrap();
        let conv = conversation(&store).await;
        let id = queue(&store, &conv, "Antwort").await;

        // refused for good: failed with the server's reason, parked; a retry after the fix sends it once
        m.smtp_refuse(Some("550 5.1.1 recipient rejected"));
        let r = inbox::deliver_replies_at(&store, &vault, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!(r.failed, 1);
        let job = store.reply_job(&id).await.unwrap();
        assert_eq!(job.status, "failed");
        let t = inbox::thread(&store, &conv).await.unwrap();
        let err = t.messages.last().unwrap().error.clone().unwrap();
        assert_eq!(err.code, "mail-rejected");
        assert!(err.args["reason"].contains("recipient rejected"));
        m.smtp_refuse(None);
        assert_eq!(
            inbox::deliver_replies_at(&store, &vault, OffsetDateTime::now_utc()).await.unwrap().sent,
            0,
            "parked"
        );
        inbox::retry_reply(&store, &id).await.unwrap();
        assert_eq!(inbox::deliver_replies_at(&store, &vault, OffsetDateTime::now_utc()).await.unwrap().sent, 1);
        assert_eq!(m.received().len(), 1);

        // the mail server is down: the reply waits, not counted as a failed attempt, and goes when it is back
        let id2 = queue(&store, &conv, "Zweite Antwort").await;
        m.stop_imap();
        let r = inbox::deliver_replies_at(&store, &vault, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!(r.failed, 1);
        assert_eq!(store.reply_job(&id2).await.unwrap().status, "waiting");
        let attempts: i64 = sqlx::query_scalar("SELECT attempts FROM outbox WHERE aggregate_id = ?")
            .bind(&id2)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(attempts, 0, "offline costs no attempt");
        m.start_imap().unwrap();
        let r =
            inbox::deliver_replies_at(&store, &vault, OffsetDateTime::now_utc() + Duration::seconds(16)).await.unwrap();
        assert_eq!(r.sent, 1);
        assert_eq!(m.received().len(), 2);

        // try later (451): waits with back-off and goes on a later round
        let id3 = queue(&store, &conv, "Dritte").await;
        m.smtp_refuse(Some("451 4.3.0 busy"));
        inbox::deliver_replies_at(&store, &vault, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!(store.reply_job(&id3).await.unwrap().status, "waiting");
        m.smtp_refuse(None);
        let r =
            inbox::deliver_replies_at(&store, &vault, OffsetDateTime::now_utc() + Duration::hours(1)).await.unwrap();
        assert_eq!(r.sent, 1);

        // a send slower than its lease: the budget cuts it off inside the lease; the next round finds or sends it once
        let id4 = queue(&store, &conv, "Vierte").await;
        m.smtp_stall(Some(3));
        let lease = Duration::seconds(4);
        let r = inbox::deliver_replies_with(&store, &vault, OffsetDateTime::now_utc(), lease).await.unwrap();
        assert_eq!(r.failed, 1, "cut off at half the lease");
        m.smtp_stall(None);
        tokio::time::sleep(std::time::Duration::from_secs(4)).await;
        inbox::deliver_replies_with(&store, &vault, OffsetDateTime::now_utc() + Duration::hours(1), lease)
            .await
            .unwrap();
        let job = store.reply_job(&id4).await.unwrap();
        assert_eq!(job.status, "sent");
        // SMTP's one ambiguity: a server that took the mail after we stopped waiting keeps that copy too
        let copies = sent_ids(&m).iter().filter(|i| **i == job.external_id).count();
        assert!((1..=2).contains(&copies), "{copies}");
    }
}

mod amazon_messages {
    use mercator_api::inbox::{self, AmazonMessageInput};
    use mercator_api::sync::{pull_with, Connector};
    use mercator_store::inbox::{Direction, NewMessage};
    use mercator_store::{OpenOptions, Store};
    use mercator_testkit::{AmazonFake, Fault};
    use std::collections::HashMap;
    use std::time::Duration;
    use time::OffsetDateTime;

    /// A shop with the fake's orders and a buyer's mail about the first one:
    /// (store, account, conversation, Amazon order id).
    async fn shop(fake: &AmazonFake) -> (tempfile::TempDir, Store, String, String, String) {
        let tmp = tempfile::tempdir().unwrap();
        let (store, _) =
            Store::open(tmp.path(), &OpenOptions { seed_demo: false, ..Default::default() }).await.unwrap();
        let ch = store.add_channel("amazon", "Amazon.de (API)", "DE", "EUR", "de-DE").await.unwrap();
        store.set_channel_config(&ch, &serde_json::json!({ "endpoint": fake.url() })).await.unwrap();
        pull_with(&store, &ch, &super::order_sync::amazon(fake), OffsetDateTime::now_utc(), &|_| {}).await.unwrap();
        let order = fake.order_id(0);
        let m = NewMessage {
            channel_id: ch.clone(),
            mailbox_id: None,
            external_id: "q1@marketplace.amazon.de".into(),
            thread: None,
            parents: vec![],
            direction: Direction::In,
            subject: format!("Lieferung {order}"),
            from_name: "Jonas".into(),
            from_address: "abc@marketplace.amazon.de".into(),
            reply_to: "abc@marketplace.amazon.de".into(),
            body: "Wann kommt mein Paket?".into(),
            html: None,
            blocked_images: 0,
            attachments: "[]".into(),
            files: vec![],
            links: "[]".into(),
            sent_at: OffsetDateTime::now_utc(),
            order_refs: vec![order.clone()],
            lang: None,
            auto: false,
        };
        let conv = store.ingest(&[m], None).await.unwrap().stored[0].0.clone();
        (tmp, store, ch, conv, order)
    }

    fn input(conv: &str, action: &str, body: &str) -> AmazonMessageInput {
        AmazonMessageInput {
            conversation_id: conv.into(),
            action: action.into(),
            body: body.into(),
            lang: "de-DE".into(),
            override_lint: false,
            coverage_start: None,
            coverage_end: None,
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_warranty_goes_with_its_coverage_days_once() {
        let fake = AmazonFake::start(3, 72).await;
        let (_tmp, store, ch, conv, order) = shop(&fake).await;
        let Connector::Amazon(a) = super::order_sync::amazon(&fake) else { unreachable!() };
        let actions = inbox::amazon_actions_with(&store, &a, &conv).await.unwrap();
        assert!(actions.kinds.iter().any(|k| k.name == "warranty" && k.offered), "a warranty is offered");
        let warranty = |from: Option<&str>, to: Option<&str>| AmazonMessageInput {
            coverage_start: from.map(str::to_string),
            coverage_end: to.map(str::to_string),
            ..input(&conv, "warranty", "")
        };
        for (from, to) in [
            (None, Some("2027-12-07")),
            (Some("2027-12-08"), Some("2026-12-08")),
            (Some("2026-13-01"), Some("2027-01-01")),
            (Some("2026-12-08"), Some("2040-01-01")),
            (Some("2026-12-08"), Some("2036-12-08")),
            (Some("8.12.2026"), Some("7.12.2027")),
        ] {
            let e = inbox::send_amazon_message(&store, &warranty(from, to)).await.unwrap_err();
            assert_eq!(e.0.code, "warranty-dates", "{from:?} {to:?}");
        }
        // ten years to the day before is the longest
        let longest = inbox::send_amazon_message(&store, &warranty(Some("2028-02-29"), Some("2038-02-28"))).await;
        assert!(longest.is_ok(), "{longest:?}");
        sqlx::query("DELETE FROM outbox").execute(store.pool()).await.unwrap();
        let id = inbox::send_amazon_message(&store, &warranty(Some("2026-12-08"), Some("2027-12-07"))).await.unwrap();
        let r = deliver(&store, &ch, &fake).await;
        assert_eq!(r.sent, 1, "{r:?}");
        deliver(&store, &ch, &fake).await;
        let sent = fake.messages();
        assert_eq!(sent.len(), 1, "once");
        assert_eq!((sent[0].0.as_str(), sent[0].1.as_str()), (order.as_str(), "warranty"));
        assert_eq!(
            sent[0].2,
            serde_json::json!({ "coverageStartDate": "2026-12-08T12:00:00Z", "coverageEndDate": "2027-12-07T12:00:00Z" })
        );
        let t = inbox::thread(&store, &conv).await.unwrap();
        let m = t.messages.iter().find(|m| m.id == id).unwrap();
        assert_eq!(
            (m.status.as_str(), m.action.as_deref(), m.body.as_str()),
            ("sent", Some("warranty"), "2026-12-08 – 2027-12-07")
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_invoice_is_uploaded_then_sent_once_and_no_credential_reaches_the_storage() {
        let fake = AmazonFake::start(3, 73).await;
        let (_tmp, store, ch, conv, order) = shop(&fake).await;
        let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
        for (name, bytes, code) in [
            ("rechnung.pdf", b"<html>not a pdf</html>".to_vec(), "amazon-document-not-pdf"),
            ("rechnung.exe", pdf.clone(), "amazon-document-not-pdf"),
            ("big.pdf", [b"%PDF-".as_slice(), &vec![b'0'; 10 << 20]].concat(), "amazon-document-too-large"),
        ] {
            let e = inbox::send_amazon_document(&store, &conv, "invoice", "de-DE", name, &bytes).await.unwrap_err();
            assert_eq!(e.0.code, code, "{name}");
        }
        let e = inbox::send_amazon_document(&store, &conv, "confirmDeliveryDetails", "de-DE", "a.pdf", &pdf)
            .await
            .unwrap_err();
        assert_eq!(e.0.code, "channel-missing");
        let id =
            inbox::send_amazon_document(&store, &conv, "invoice", "de-DE", "../Rechnung 1001.pdf", &pdf).await.unwrap();
        let r = deliver(&store, &ch, &fake).await;
        assert_eq!(r.sent, 1, "{r:?}");
        deliver(&store, &ch, &fake).await;
        assert_eq!(fake.uploads(), [(format!("messaging/v1/orders/{order}/messages/invoice"), pdf.clone())]);
        assert_eq!(fake.credential_leaks(), 0, "the storage URL never gets the access token");
        let sent = fake.messages();
        assert_eq!(sent.len(), 1, "once");
        assert_eq!(sent[0].1, "invoice");
        assert_eq!(sent[0].2["attachments"][0]["fileName"], "Rechnung 1001.pdf");
        let t = inbox::thread(&store, &conv).await.unwrap();
        let m = t.messages.iter().find(|m| m.id == id).unwrap();
        assert_eq!((m.status.as_str(), m.attachments.len()), ("sent", 1));
        assert!(m.attachments[0].stored && !m.attachments[0].runs_code);
    }

    async fn deliver(store: &Store, ch: &str, fake: &AmazonFake) -> mercator_api::outbox::DeliveryReport {
        let connectors: HashMap<String, Connector> = [(ch.to_string(), super::order_sync::amazon(fake))].into();
        mercator_api::outbox::deliver_with(store, &connectors, OffsetDateTime::now_utc()).await.unwrap()
    }

    async fn state(store: &Store, id: &str) -> (String, Option<String>, String) {
        #[derive(sqlx::FromRow)]
        struct S {
            status: String,
            error: Option<String>,
            outbox: String,
        }
        let s: S = sqlx::query_as(
            "SELECT m.status, m.error, o.status AS outbox FROM messages m JOIN outbox o ON o.aggregate_id = m.id WHERE m.id = ?",
        )
        .bind(id)
        .fetch_one(store.pool())
        .await
        .unwrap();
        let code = s
            .error
            .and_then(|e| serde_json::from_str::<serde_json::Value>(&e).ok())
            .and_then(|v| v["code"].as_str().map(str::to_string));
        (s.status, code, s.outbox)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_order_s_allowed_messages_are_offered_and_checked_before_queueing() {
        let fake = AmazonFake::start(3, 71).await;
        let (_tmp, store, _ch, conv, _order) = shop(&fake).await;
        let Connector::Amazon(a) = super::order_sync::amazon(&fake) else { unreachable!() };
        let actions = inbox::amazon_actions_with(&store, &a, &conv).await.unwrap();
        assert!(actions.problem.is_none());
        assert_eq!(actions.buyer_locale.as_deref(), Some("de-DE"));
        let names: Vec<(&str, bool)> = actions.kinds.iter().map(|k| (k.name.as_str(), k.offered)).collect();
        assert!(names.contains(&("confirmDeliveryDetails", true)));
        assert!(names.contains(&("invoice", true)), "sent with its document");
        assert!(!names.iter().any(|(n, _)| *n == "negativeFeedbackRemoval" || *n == "amazonMotors"), "removed kinds");
        // checked before anything is queued
        let e = inbox::send_amazon_message(
            &store,
            &input(&conv, "confirmDeliveryDetails", "Schreiben Sie an jonas@example.com"),
        )
        .await
        .unwrap_err();
        assert_eq!(e.0.code, "reply-lint");
        let e =
            inbox::send_amazon_message(&store, &input(&conv, "digitalAccessKey", &"x".repeat(401))).await.unwrap_err();
        assert_eq!((e.0.code.as_str(), e.0.args["max"].as_str()), ("reply-too-long", "400"));
        let e = inbox::send_amazon_message(&store, &input(&conv, "invoice", "Rechnung")).await.unwrap_err();
        assert_eq!(e.0.code, "channel-missing", "an invoice needs its document");
        let e = inbox::send_amazon_message(&store, &input(&conv, "../../orders", "x")).await.unwrap_err();
        assert_eq!(e.0.code, "channel-missing");
        let e = inbox::send_amazon_message(&store, &input(&conv, "unexpectedProblem", "  ")).await.unwrap_err();
        assert_eq!(e.0.code, "reply-empty");
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox").fetch_one(store.pool()).await.unwrap();
        assert_eq!(n, 0);
        // a conversation without an Amazon order cannot send one
        let other = store
            .ingest(
                &[NewMessage {
                    external_id: "lonely@x".into(),
                    order_refs: vec![],
                    subject: "Hallo".into(),
                    ..lonely(&store).await
                }],
                None,
            )
            .await
            .unwrap()
            .stored[0]
            .0
            .clone();
        let e = inbox::send_amazon_message(&store, &input(&other, "unexpectedProblem", "Leider verspätet"))
            .await
            .unwrap_err();
        assert_eq!(e.0.code, "amazon-message-no-order");
        assert_eq!(inbox::amazon_actions_with(&store, &a, &other).await.unwrap_err().0.code, "amazon-message-no-order");
        // offline: the problem, no kinds
        let Connector::Amazon(off) =
            Connector::Amazon(mercator_testkit::amazon_connector("http://127.0.0.1:9", "http://127.0.0.1:9").unwrap())
        else {
            unreachable!()
        };
        let offline = inbox::amazon_actions_with(&store, &off, &conv).await.unwrap();
        assert!(offline.kinds.is_empty());
        assert_eq!(offline.problem.map(|p| p.code).as_deref(), Some("channel-offline"));
    }

    async fn lonely(store: &Store) -> NewMessage {
        let ch: String = sqlx::query_scalar("SELECT id FROM channels LIMIT 1").fetch_one(store.pool()).await.unwrap();
        NewMessage {
            channel_id: ch,
            mailbox_id: None,
            external_id: String::new(),
            thread: None,
            parents: vec![],
            direction: Direction::In,
            subject: String::new(),
            from_name: "Anna".into(),
            from_address: "anna@marketplace.amazon.de".into(),
            reply_to: "anna@marketplace.amazon.de".into(),
            body: "Hallo".into(),
            html: None,
            blocked_images: 0,
            attachments: "[]".into(),
            files: vec![],
            links: "[]".into(),
            sent_at: OffsetDateTime::now_utc(),
            order_refs: vec![],
            lang: None,
            auto: false,
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_message_reaches_amazon_once_and_an_unknown_outcome_is_never_resent_on_its_own() {
        let fake = AmazonFake::start(3, 72).await;
        let (_tmp, store, ch, conv, order) = shop(&fake).await;
        let clock_before = store.conversation(&conv, OffsetDateTime::now_utc()).await.unwrap().reply_by;
        assert!(clock_before.is_some());

        // sent once
        let id =
            inbox::send_amazon_message(&store, &input(&conv, "confirmDeliveryDetails", "Ihr Paket kommt am Freitag."))
                .await
                .unwrap();
        assert_eq!(state(&store, &id).await.0, "waiting");
        assert_eq!(deliver(&store, &ch, &fake).await.sent, 1);
        let sent = fake.messages();
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].0.as_str(), sent[0].1.as_str()), (order.as_str(), "confirmDeliveryDetails"));
        assert_eq!(sent[0].2["text"], "Ihr Paket kommt am Freitag.");
        assert_eq!(state(&store, &id).await, ("sent".into(), None, "sent".into()));
        assert_eq!(deliver(&store, &ch, &fake).await.sent, 0, "nothing left");
        let c = store.conversation(&conv, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!(c.reply_by, clock_before, "not an answer to the buyer's mail: the clock runs on");
        let thread = inbox::thread(&store, &conv).await.unwrap();
        assert_eq!(thread.messages.last().and_then(|m| m.action.as_deref()), Some("confirmDeliveryDetails"));

        // Amazon takes it but the answer comes after the client gave up: parked, not resent
        fake.script([Fault::ApplyThenDelay(Duration::from_millis(2500))]);
        let id2 =
            inbox::send_amazon_message(&store, &input(&conv, "unexpectedProblem", "Leider verspätet sich Ihr Paket."))
                .await
                .unwrap();
        assert_eq!(deliver(&store, &ch, &fake).await.failed, 1);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(fake.messages().len(), 2, "it arrived");
        assert_eq!(
            state(&store, &id2).await,
            ("failed".into(), Some("amazon-message-maybe-sent".into()), "dead".into())
        );
        sqlx::query("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z'").execute(store.pool()).await.unwrap();
        deliver(&store, &ch, &fake).await;
        assert_eq!(fake.messages().len(), 2, "never sent again on its own");

        // a 500 leaves it open too (it may have been applied): parked the same way
        fake.script([Fault::ServerError]);
        let id3 = inbox::send_amazon_message(&store, &input(&conv, "confirmOrderDetails", "Bestellung bestätigt."))
            .await
            .unwrap();
        deliver(&store, &ch, &fake).await;
        assert_eq!(state(&store, &id3).await.1.as_deref(), Some("amazon-message-maybe-sent"));
        // the seller looked in Seller Central, it is not there, and retries: it goes once
        inbox::retry_reply(&store, &id3).await.unwrap();
        assert_eq!(deliver(&store, &ch, &fake).await.sent, 1);
        let kinds: Vec<String> = fake.messages().into_iter().map(|m| m.1).collect();
        assert_eq!(kinds, ["confirmDeliveryDetails", "unexpectedProblem", "confirmOrderDetails"]);

        // killed after the send began (its mark committed, no answer stored): parked without a request
        let id4 = inbox::send_amazon_message(&store, &input(&conv, "confirmOrderDetails", "Noch eine.")).await.unwrap();
        assert!(store.amazon_message_begin(&id4, OffsetDateTime::now_utc()).await.unwrap());
        deliver(&store, &ch, &fake).await;
        assert_eq!(fake.messages().len(), 3);
        assert_eq!(state(&store, &id4).await.1.as_deref(), Some("amazon-message-maybe-sent"));

        // refused for certain (the buyer's text broke Amazon's rules): may go again after an edit
        let id5 = inbox::send_amazon_message(
            &store,
            &AmazonMessageInput {
                override_lint: true,
                ..input(&conv, "confirmOrderDetails", "Fragen? <b>shop@example.com</b>")
            },
        )
        .await
        .unwrap();
        deliver(&store, &ch, &fake).await;
        let (status, code, outbox) = state(&store, &id5).await;
        assert_eq!(
            (status.as_str(), code.as_deref(), outbox.as_str()),
            ("waiting", Some("channel-rejected"), "pending")
        );
        let begun: Option<String> = sqlx::query_scalar("SELECT submitted_at FROM messages WHERE id = ?")
            .bind(&id5)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(begun, None, "certainly not taken: the next attempt may go");
        assert_eq!(fake.messages().len(), 3);

        // offline: nothing is lost, nothing counted as begun
        let id6 = inbox::send_amazon_message(&store, &input(&conv, "confirmOrderDetails", "Offline geschrieben."))
            .await
            .unwrap();
        let connectors: HashMap<String, Connector> = [(
            ch.clone(),
            Connector::Amazon(mercator_testkit::amazon_connector("http://127.0.0.1:9", "http://127.0.0.1:9").unwrap()),
        )]
        .into();
        mercator_api::outbox::deliver_with(&store, &connectors, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!(state(&store, &id6).await.0, "waiting");
        sqlx::query("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z' WHERE aggregate_id = ?")
            .bind(&id6)
            .execute(store.pool())
            .await
            .unwrap();
        deliver(&store, &ch, &fake).await;
        assert_eq!(state(&store, &id6).await.0, "sent");
        assert_eq!(fake.messages().len(), 4);
    }
}

mod shopee_chat {
    use mercator_api::chat::{chat_due, sync_chat};
    use mercator_api::inbox::{self, ReplyInput};
    use mercator_api::sync::{pull_with, Connector};
    use mercator_channels::http::RetryPolicy;
    use mercator_store::{OpenOptions, Store};
    use mercator_testkit::shopee::{CHAT_BUYER_ID, PARTNER_ID, PARTNER_KEY, REFRESH_TOKEN, SHOP_ID};
    use mercator_testkit::{Fault, ShopeeFake};
    use std::collections::{BTreeMap, HashMap};
    use std::time::Duration;
    use time::OffsetDateTime;

    fn connector(fake: &ShopeeFake) -> Connector {
        let config =
            serde_json::json!({ "host": fake.url(), "partner_id": PARTNER_ID, "shop_id": SHOP_ID, "currency": "MYR" });
        let secrets: BTreeMap<String, String> = [
            ("partner_key".to_string(), PARTNER_KEY.to_string()),
            ("refresh_token".to_string(), REFRESH_TOKEN.to_string()),
        ]
        .into();
        mercator_api::sync::connector_from("shopee", &config, &secrets, RetryPolicy::fast()).unwrap()
    }

    async fn deliver(store: &Store, connectors: &HashMap<String, Connector>) -> mercator_api::outbox::DeliveryReport {
        mercator_api::outbox::deliver_with(store, connectors, OffsetDateTime::now_utc()).await.unwrap()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn chat_is_read_once_answered_once_and_a_missing_module_is_a_state_not_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let (store, _) =
            Store::open(tmp.path(), &OpenOptions { seed_demo: false, ..Default::default() }).await.unwrap();
        let fake = ShopeeFake::start(5, 91).await;
        let ch = store.add_channel("shopee", "Shopee MY (API)", "MY", "MYR", "en-MY").await.unwrap();
        // one connector throughout: Shopee's refresh tokens are single use
        let connectors: HashMap<String, Connector> = [(ch.clone(), connector(&fake))].into();
        let c = &connectors[&ch];
        pull_with(&store, &ch, c, OffsetDateTime::now_utc(), &|_| {}).await.unwrap();
        let order: String =
            sqlx::query_scalar("SELECT order_number FROM orders WHERE channel_id = ? ORDER BY order_number LIMIT 1")
                .bind(&ch)
                .fetch_one(store.pool())
                .await
                .unwrap();
        let Connector::Shopee(sp) = c else { unreachable!() };

        // a buyer writes from an order's page
        fake.buyer_writes(CHAT_BUYER_ID, "lim_88", "Hi, when will my parcel ship? 什么时候发货", Some(&order));
        let now = OffsetDateTime::now_utc();
        let r = sync_chat(&store, sp, &ch, now).await.unwrap();
        assert_eq!((r.stored, r.buyer.as_str(), r.not_enabled), (1, "lim_88", false));
        let conv = r.conversations[0].clone();
        let t = inbox::thread(&store, &conv).await.unwrap();
        assert_eq!(t.order.as_ref().map(|o| o.order_number.as_str()), Some(order.as_str()), "linked to its order");
        assert_eq!(t.chat.as_deref(), Some("ok"));
        assert!(t.can_reply);
        assert_eq!(t.reply_to.as_deref(), Some(CHAT_BUYER_ID), "the buyer id above 2^53 kept exactly");
        assert!(t.conversation.reply_by.is_some(), "Shopee's 12-hour clock runs");
        assert_eq!(sync_chat(&store, sp, &ch, now).await.unwrap().stored, 0, "read once");
        // opened here, read on Shopee too (the buyer sees it was seen), once
        assert_eq!(fake.chat_unread(), [1]);
        assert_eq!(deliver(&store, &connectors).await.sent, 1);
        assert_eq!(fake.chat_unread(), [0]);
        inbox::thread(&store, &conv).await.unwrap();
        assert_eq!(deliver(&store, &connectors).await.sent, 0, "nothing new to mark read");

        // answered through the chat, once; reading again does not store our reply twice
        let reply = |body: &str| ReplyInput {
            conversation_id: conv.clone(),
            body: body.into(),
            lang: "en-MY".into(),
            original: None,
            override_lint: false,
        };
        inbox::reply(&store, &reply("It ships today, thank you!")).await.unwrap();
        assert_eq!(deliver(&store, &connectors).await.sent, 1);
        assert_eq!(fake.chat_sent().len(), 1);
        assert_eq!(fake.chat_sent()[0].1, "It ships today, thank you!");
        sync_chat(&store, sp, &ch, OffsetDateTime::now_utc()).await.unwrap();
        let t = inbox::thread(&store, &conv).await.unwrap();
        assert_eq!(t.messages.len(), 2, "{:?}", t.messages.iter().map(|m| &m.body).collect::<Vec<_>>());
        assert_eq!(t.messages[1].status, "sent");
        assert!(t.conversation.reply_by.is_none(), "answered: the clock stops");

        // the answer to a send is lost: the next attempt finds it in the chat and does not send again
        fake.buyer_writes(CHAT_BUYER_ID, "lim_88", "And the tracking number?", None);
        sync_chat(&store, sp, &ch, OffsetDateTime::now_utc()).await.unwrap();
        let id = inbox::reply(&store, &reply("Tracking: SPXMY04512345678")).await.unwrap();
        fake.script([Fault::ApplyThenDelay(Duration::from_millis(2500))]);
        let r = deliver(&store, &connectors).await;
        assert_eq!(r.failed, 1);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        sqlx::query("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00Z' WHERE aggregate_id = ?")
            .bind(&id)
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(deliver(&store, &connectors).await.sent, 1);
        assert_eq!(fake.chat_sent().len(), 2, "sent once in effect");
        sync_chat(&store, sp, &ch, OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!(inbox::thread(&store, &conv).await.unwrap().messages.len(), 4);

        // too long for Shopee: refused before a request, failed with the reason
        let long = inbox::reply(&store, &reply(&"x".repeat(601))).await.unwrap();
        deliver(&store, &connectors).await;
        let t = inbox::thread(&store, &conv).await.unwrap();
        let m = t.messages.iter().find(|m| m.id == long).unwrap();
        assert_eq!(
            (m.status.as_str(), m.error.as_ref().map(|e| e.code.as_str())),
            ("failed", Some("channel-rejected"))
        );
        assert_eq!(fake.chat_sent().len(), 2);

        // the app loses the chat module: a state, shown, looked at again in six hours, the token untouched
        fake.deny_chat(true);
        let later = OffsetDateTime::now_utc();
        let r = sync_chat(&store, sp, &ch, later).await.unwrap();
        assert!(r.not_enabled);
        assert!(!chat_due(&store, &ch, later + time::Duration::hours(1)).await.unwrap());
        assert!(chat_due(&store, &ch, later + time::Duration::hours(7)).await.unwrap());
        let t = inbox::thread(&store, &conv).await.unwrap();
        assert_eq!(t.chat.as_deref(), Some("not-enabled"));
        assert!(!t.can_reply);
        assert_eq!(sp.token_problem().await, None, "not taken for a broken token");
        let refreshes = fake.stats().refreshes;
        sync_chat(&store, sp, &ch, later).await.unwrap();
        assert_eq!(fake.stats().refreshes, refreshes, "no token refresh for a missing module");
    }
}

mod translation {
    use mercator_api::translation::{self, translate_draft_with, translate_message_with};
    use mercator_channels::http::RetryPolicy;
    use mercator_channels::translate::{DeepL, Translator};
    use mercator_store::inbox::{Direction, NewMessage};
    use mercator_store::{OpenOptions, Store};
    use mercator_testkit::deepl::{DeepLFake, KEY};
    use mercator_vault::{Secret, Vault};
    use time::OffsetDateTime;

    fn deepl(fake: &DeepLFake, key: &str) -> DeepL {
        DeepL::new(Secret::new(key), Some(&fake.url()), RetryPolicy::fast()).unwrap()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn messages_and_replies_are_translated_and_every_failure_says_what_to_do() {
        let tmp = tempfile::tempdir().unwrap();
        let (store, _) =
            Store::open(tmp.path(), &OpenOptions { seed_demo: false, ..Default::default() }).await.unwrap();
        let ch = store.add_channel("amazon", "Amazon DE", "DE", "EUR", "de-DE").await.unwrap();
        let m = NewMessage {
            channel_id: ch.clone(),
            mailbox_id: None,
            external_id: "t1@x".into(),
            thread: None,
            parents: vec![],
            direction: Direction::In,
            subject: "Rückgabe".into(),
            from_name: "Jonas".into(),
            from_address: "j@marketplace.amazon.de".into(),
            reply_to: "j@marketplace.amazon.de".into(),
            body: "Der Wasserkocher ist kaputt, ich möchte ihn zurückgeben.".into(),
            html: None,
            blocked_images: 0,
            attachments: "[]".into(),
            files: vec![],
            links: "[]".into(),
            sent_at: OffsetDateTime::now_utc(),
            order_refs: vec![],
            lang: None,
            auto: false,
        };
        let r = store.ingest(&[m], None).await.unwrap();
        let (conv, msg) = r.stored[0].clone();
        let fake = DeepLFake::start().await;
        let d = deepl(&fake, KEY);

        // the buyer's German, for a seller reading Chinese; kept with the message
        let t = translate_message_with(&store, &d, &msg, "zh-CN").await.unwrap();
        assert_eq!(t.text, "[ZH-HANS] Der Wasserkocher ist kaputt, ich möchte ihn zurückgeben.");
        assert_eq!(t.detected, "de");
        let asked = fake.requests();
        translate_message_with(&store, &d, &msg, "zh-CN").await.unwrap();
        assert_eq!(fake.requests(), asked, "the second look reads the kept translation");
        let thread = mercator_api::inbox::thread(&store, &conv).await.unwrap();
        assert_eq!(thread.messages[0].translation.as_deref(), Some(t.text.as_str()));

        // a reply written in Chinese, turned into German; both are sent to the outbox record
        let reply = translate_draft_with(&d, "您好，请把水壶寄回，我们会退款。", "de-DE", Some("zh-CN")).await.unwrap();
        assert_eq!(reply.text, "[DE] 您好，请把水壶寄回，我们会退款。");

        // busy: retried; unknown language: refused before any request; offline; wrong key; quota
        fake.busy(2);
        assert!(translate_draft_with(&d, "谢谢", "ja-JP", None).await.is_ok(), "429 retried");
        let before = fake.requests();
        let e = translate_draft_with(&d, "谢谢", "ms-MY", None).await.unwrap_err();
        assert_eq!((e.0.code.as_str(), e.0.args["what"].as_str()), ("channel-missing", "translation-language"));
        assert_eq!(fake.requests(), before);
        let off = DeepL::new(Secret::new(KEY), Some("http://127.0.0.1:9"), RetryPolicy::fast()).unwrap();
        assert_eq!(translate_draft_with(&off, "谢谢", "de-DE", None).await.unwrap_err().0.code, "channel-offline");
        let wrong = deepl(&fake, "not-the-key:fx");
        let e = translate_draft_with(&wrong, "谢谢", "de-DE", None).await.unwrap_err();
        assert_eq!(e.0.code, "channel-auth");
        assert!(!serde_json::to_string(&e.0).unwrap().contains("not-the-key"), "the key is in no error");
        fake.set_remaining(3);
        let e = translate_draft_with(&d, "Vielen Dank", "en-US", None).await.unwrap_err();
        assert_eq!((e.0.code.as_str(), e.0.args["what"].as_str()), ("channel-missing", "translation-quota"));
        fake.set_remaining(1_000_000);

        // more than 50 texts go in several requests, in order
        let many: Vec<String> = (0..120).map(|i| format!("Satz {i}")).collect();
        let before = fake.requests();
        let got = d.translate(&many, "en-GB", Some("de")).await.unwrap();
        assert_eq!(fake.requests() - before, 3);
        assert_eq!(got[119].text, "[EN-GB] Satz 119");

        // the key: checked, into the keyring, never into SQLite; without it, a clear error
        let vault = Vault::in_memory();
        let e = translation::translate_message(&store, &vault, &msg, "en-US").await.unwrap_err();
        assert_eq!(e.0.args["what"], "translation-key");
        assert!(translation::set_key(&store, &vault, "wrong", Some(&fake.url())).await.is_err());
        assert!(!translation::status(&store, &vault).await.unwrap().configured, "a refused key is not kept");
        let st = translation::set_key(&store, &vault, KEY, Some(&fake.url())).await.unwrap();
        assert!(st.configured && st.used.is_some());
        let t = translation::translate_message(&store, &vault, &msg, "en-US").await.unwrap();
        assert!(t.text.starts_with("[EN-US] "));
        let dump: Vec<String> = sqlx::query_scalar("SELECT value FROM settings").fetch_all(store.pool()).await.unwrap();
        assert!(dump.iter().any(|v| v.contains("127.0.0.1")), "the endpoint is a setting");
        assert!(!dump.iter().any(|v| v.contains(KEY)), "the key is not in the settings");
        translation::remove_key(&store, &vault).await.unwrap();
        assert!(!translation::status(&store, &vault).await.unwrap().configured);
    }
}
