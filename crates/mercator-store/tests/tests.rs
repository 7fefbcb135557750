//! Integration tests of the store against real SQLite files in temp folders.

use mercator_store::outbox;
use mercator_store::{OpenOptions, Store, StoreError, DB_FILE_NAME};
use std::path::Path;
use time::{Duration, OffsetDateTime};

fn no_demo() -> OpenOptions {
    OpenOptions { seed_demo: false, ..Default::default() }
}

async fn open(dir: &Path) -> Store {
    Store::open(dir, &OpenOptions::default()).await.expect("opens").0
}

#[tokio::test]
async fn first_run_creates_folder_database_and_demo_shop() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("fresh-profile");
    let (store, report) = Store::open(&dir, &OpenOptions::default()).await.unwrap();
    assert!(report.created_dir && report.created_db);
    assert!(dir.join(DB_FILE_NAME).is_file());
    assert!(report.backup.is_none(), "nothing to back up on a new file");
    let seeded = report.seeded.expect("demo loaded");
    assert_eq!(seeded.products, 50);
    assert_eq!(seeded.variants, 150);
    let shop = store.shop().await.unwrap().unwrap();
    assert!(shop.is_demo);
    let counts = store.catalog_counts().await.unwrap();
    assert_eq!((counts.products, counts.variants), (50, 150));
    // pragmas in force
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode").fetch_one(store.pool()).await.unwrap();
    assert_eq!(mode, "wal");
    let (fk,): (i64,) = sqlx::query_as("PRAGMA foreign_keys").fetch_one(store.pool()).await.unwrap();
    assert_eq!(fk, 1);
    let (timeout,): (i64,) = sqlx::query_as("PRAGMA busy_timeout").fetch_one(store.pool()).await.unwrap();
    assert_eq!(timeout, 5000);
    store.close().await;

    // Second run: no re-seeding, nothing duplicated.
    let (store, report) = Store::open(&dir, &OpenOptions::default()).await.unwrap();
    assert!(!report.created_db && report.seeded.is_none() && report.applied_migrations.is_empty());
    assert_eq!(store.catalog_counts().await.unwrap().variants, 150);
}

#[tokio::test]
async fn pages_localise_titles_and_carry_money_with_currency() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    let zh = store.products_page("zh-CN", None, 0, 10, None).await.unwrap().0;
    let en = store.products_page("en-US", None, 0, 10, None).await.unwrap().0;
    assert_eq!(zh.len(), 10);
    assert_eq!(zh[0].id, en[0].id);
    assert!(zh[0].title.contains("硅胶"), "{}", zh[0].title);
    assert!(en[0].title.contains("Silicone"), "{}", en[0].title);
    assert_eq!(zh[0].languages, "de-DE en-US zh-CN");
    // unknown language falls back to English
    assert_eq!(store.products_page("fr-FR", None, 0, 1, None).await.unwrap().0[0].title, en[0].title);
    // paging covers everything exactly once
    let mut ids = std::collections::HashSet::new();
    for off in (0..50).step_by(7) {
        for p in store.products_page("en-US", None, off, 7, None).await.unwrap().0 {
            assert!(ids.insert(p.id));
        }
    }
    assert_eq!(ids.len(), 50);

    let listings = store.listings_page("en-US", 0, 1000).await.unwrap();
    assert_eq!(listings.len() as i64, store.listings_count().await.unwrap());
    assert_eq!(listings.len(), 450);
    let jpy: Vec<_> = listings.iter().filter(|l| l.price_currency == mercator_core::Currency::JPY).collect();
    assert!(!jpy.is_empty() && jpy.iter().all(|l| l.price_minor % 100 == 80));

    let orders = store.orders_page(0, 100).await.unwrap();
    assert_eq!(orders.len(), 36);
    let currencies: std::collections::HashSet<_> = orders.iter().map(|o| o.currency.code()).collect();
    assert_eq!(currencies.len(), 3);
    assert!(orders.windows(2).all(|w| w[0].ordered_at >= w[1].ordered_at), "newest first");
    assert!(orders.iter().all(|o| o.items > 0));

    let conv = store.conversations_where(&Default::default(), time::OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(conv.len(), 6);
    assert!(conv.iter().any(|c| c.last_message.contains("<script>")), "stored verbatim; the UI escapes it");

    let picks = store.pick_list("zh-CN").await.unwrap();
    assert!(
        picks.iter().all(|p| p.title.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
        "catalog titles in Chinese"
    );
    assert!(!picks.is_empty());
    let unshipped_units: (i64,) = sqlx::query_as(
        "SELECT sum(quantity) FROM order_lines ol JOIN orders o ON o.id = ol.order_id WHERE o.status = 'unshipped'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(picks.iter().map(|p| p.quantity).sum::<i64>(), unshipped_units.0);
}

#[tokio::test]
async fn settings_are_remembered_across_restarts() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    assert_eq!(store.setting("ui.language").await.unwrap(), None);
    store.set_setting("ui.language", "zh-CN").await.unwrap();
    store.set_setting("ui.language", "en-US").await.unwrap();
    store.close().await;
    let store = open(tmp.path()).await;
    assert_eq!(store.setting("ui.language").await.unwrap().as_deref(), Some("en-US"));
}

#[tokio::test]
async fn second_opener_is_refused_while_first_holds_the_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let first = open(tmp.path()).await;
    let err = Store::open(tmp.path(), &no_demo()).await.unwrap_err();
    assert!(matches!(err, StoreError::Locked(_)), "{err:?}");
    assert_eq!(mercator_core::ErrorPayload::from(&err).code, "db-locked");
    first.close().await;
    Store::open(tmp.path(), &no_demo()).await.expect("free again after close");
}

#[tokio::test]
async fn missing_parent_and_file_paths_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let err = Store::open(&tmp.path().join("no/such/dir"), &no_demo()).await.unwrap_err();
    assert!(matches!(err, StoreError::DataDirMissing(_)), "{err:?}");
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let err = Store::open(&file, &no_demo()).await.unwrap_err();
    assert!(matches!(err, StoreError::DataDirNotDir(_)), "{err:?}");
    // /proc refuses new folders even for root: an unwritable location
    let err = Store::open(Path::new("/proc/mercator-test"), &no_demo()).await.unwrap_err();
    assert!(matches!(err, StoreError::DataDirReadOnly { .. }), "{err:?}");
}

#[tokio::test]
async fn corrupt_file_is_reported_never_overwritten_and_can_be_moved_aside() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join(DB_FILE_NAME);
    let garbage = b"PK\x03\x04 this is a zip file named mercator.db, not SQLite".repeat(100);
    std::fs::write(&db, &garbage).unwrap();
    let err = Store::open(tmp.path(), &OpenOptions::default()).await.unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase(_)), "{err:?}");
    assert_eq!(mercator_core::ErrorPayload::from(&err).code, "db-not-sqlite");
    assert!(err.can_move_aside());
    assert_eq!(std::fs::read(&db).unwrap(), garbage, "file untouched");

    let moved = Store::move_aside(tmp.path()).unwrap();
    assert_eq!(std::fs::read(&moved).unwrap(), garbage, "kept, renamed");
    let (store, report) = Store::open(tmp.path(), &OpenOptions::default()).await.unwrap();
    assert!(report.created_db && report.seeded.is_some());
    drop(store);
}

#[tokio::test]
async fn sqlite_file_with_foreign_tables_is_not_taken_over() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join(DB_FILE_NAME);
    {
        use sqlx::Connection;
        let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&db).create_if_missing(true);
        let mut c = sqlx::SqliteConnection::connect_with(&opts).await.unwrap();
        sqlx::query("CREATE TABLE customers (name TEXT)").execute(&mut c).await.unwrap();
        c.close().await.unwrap();
    }
    let err = Store::open(tmp.path(), &OpenOptions::default()).await.unwrap_err();
    assert!(matches!(err, StoreError::ForeignDatabase(_)), "{err:?}");
}

#[tokio::test]
async fn damaged_pages_inside_a_valid_header_are_reported_as_corrupt() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    store.close().await;
    let db = tmp.path().join(DB_FILE_NAME);
    let mut bytes = std::fs::read(&db).unwrap();
    // keep the 100-byte header, scribble over the schema page and beyond
    for b in bytes.iter_mut().skip(100).take(8192) {
        *b = 0xA5;
    }
    std::fs::write(&db, &bytes).unwrap();
    let err = Store::open(tmp.path(), &OpenOptions::default()).await.unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert_eq!(mercator_core::ErrorPayload::from(&err).code, "db-corrupt");
    assert!(err.can_move_aside());
}

#[tokio::test]
async fn database_from_a_newer_version_is_refused_and_left_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    // Simulate a newer app having applied a migration this build does not know.
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         VALUES (29990101000000, 'from the future', '2999-01-01', 1, x'00', 0)",
    )
    .execute(store.pool())
    .await
    .unwrap();
    store.close().await;
    let before = std::fs::read(tmp.path().join(DB_FILE_NAME)).unwrap();
    let err = Store::open(tmp.path(), &OpenOptions::default()).await.unwrap_err();
    match &err {
        StoreError::NewerVersion { found, known, .. } => {
            assert_eq!(*found, 29990101000000);
            assert_eq!(*known, mercator_store::known_schema_version());
        }
        other => panic!("expected NewerVersion, got {other:?}"),
    }
    let after = std::fs::read(tmp.path().join(DB_FILE_NAME)).unwrap();
    assert_eq!(before, after, "not migrated down, not rewritten");
    assert!(!tmp.path().join("backups").exists());
}

#[tokio::test]
async fn unknown_applied_version_is_treated_as_foreign_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (1, 'other app', '2026-01-01', 1, x'00', 0)")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    let err = Store::open(tmp.path(), &OpenOptions::default()).await.unwrap_err();
    assert!(matches!(err, StoreError::NewerVersion { .. }), "{err:?}");
}

#[tokio::test]
async fn backup_is_taken_before_migrating_an_older_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    // Turn the file into what schema v1 (before the outbox migration) looked like.
    sqlx::query("DROP TABLE outbox").execute(store.pool()).await.unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 20261122000002").execute(store.pool()).await.unwrap();
    store.close().await;

    let (store, report) = Store::open(tmp.path(), &OpenOptions::default()).await.unwrap();
    assert_eq!(report.applied_migrations, vec![20261122000002]);
    let backup = report.backup.expect("backup taken before migrating");
    assert!(backup.starts_with(tmp.path().join("backups")));
    // The backup is the pre-migration database: all data, no outbox yet.
    {
        use sqlx::Connection;
        let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&backup).read_only(true);
        let mut c = sqlx::SqliteConnection::connect_with(&opts).await.unwrap();
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM variants").fetch_one(&mut c).await.unwrap();
        assert_eq!(n, 150);
        let (t,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM sqlite_master WHERE name = 'outbox'").fetch_one(&mut c).await.unwrap();
        assert_eq!(t, 0);
    }
    // The live file is migrated and kept its data.
    assert_eq!(store.outbox_counts().await.unwrap().pending, 0);
    assert_eq!(store.catalog_counts().await.unwrap().variants, 150);
}

#[tokio::test]
async fn failed_migration_reports_the_backup_and_keeps_the_data() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    // v2 will fail: a table named outbox already exists, but with another shape.
    sqlx::query("DROP TABLE outbox").execute(store.pool()).await.unwrap();
    sqlx::query("CREATE TABLE outbox (x INTEGER)").execute(store.pool()).await.unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 20261122000002").execute(store.pool()).await.unwrap();
    store.close().await;
    let err = Store::open(tmp.path(), &OpenOptions::default()).await.unwrap_err();
    let StoreError::MigrationFailed { backup, .. } = &err else { panic!("{err:?}") };
    assert!(backup.as_ref().is_some_and(|b| b.is_file()));
    let payload = mercator_core::ErrorPayload::from(&err);
    assert_eq!(payload.code, "db-migration-failed");
    assert!(payload.args["backup"].contains("backups"));
    drop(err);
    let (n,): (i64,) = {
        use sqlx::Connection;
        let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(tmp.path().join(DB_FILE_NAME));
        let mut c = sqlx::SqliteConnection::connect_with(&opts).await.unwrap();
        sqlx::query_as("SELECT count(*) FROM variants").fetch_one(&mut c).await.unwrap()
    };
    assert_eq!(n, 150);
}

#[tokio::test]
async fn listing_edit_and_outbox_entry_are_one_transaction_and_survive_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    let listings = store.listings_page("en-US", 0, 500).await.unwrap();
    let live = listings.iter().find(|l| l.status == "live").unwrap().clone();
    let draft = listings.iter().find(|l| l.status == "draft").unwrap().clone();

    let rev = store.set_listing_price(&live.id, 1999, live.revision).await.unwrap();
    assert_eq!(rev, live.revision + 1);
    // stale revision: refused, nothing written
    let err = store.set_listing_price(&live.id, 2999, live.revision).await.unwrap_err();
    assert_eq!(mercator_core::ErrorPayload::from(&err).code, "revision-conflict");
    assert!(store.set_listing_price(&live.id, -1, rev).await.is_err());
    // a draft listing changes locally only
    store.set_listing_price(&draft.id, 500, draft.revision).await.unwrap();
    assert_eq!(store.outbox_counts().await.unwrap().pending, 1);
    store.close().await;

    let store = open(tmp.path()).await;
    let now = OffsetDateTime::now_utc();
    let claimed = outbox::claim_due(store.pool(), now, Duration::minutes(5), 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].aggregate_id, live.id);
    assert_eq!(claimed[0].idempotency_key, format!("listing.price:{}:{}", live.id, rev));
    let payload: serde_json::Value = serde_json::from_str(&claimed[0].payload).unwrap();
    assert_eq!(payload["price_minor"], 1999);
    // while leased, nobody else gets it
    assert!(outbox::claim_due(store.pool(), now, Duration::minutes(5), 10).await.unwrap().is_empty());
    // "crash": lease expires, it is claimed again with the same idempotency key
    let later = now + Duration::minutes(6);
    let again = outbox::claim_due(store.pool(), later, Duration::minutes(5), 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].idempotency_key, claimed[0].idempotency_key);
    assert_eq!(again[0].attempts, 2);
    // the first claim's lease is gone: its late acknowledgement changes nothing
    assert!(!outbox::mark_sent(store.pool(), &claimed[0]).await.unwrap());
    assert!(outbox::mark_failed(store.pool(), &again[0], "HTTP 503", later).await.unwrap());
    assert!(outbox::claim_due(store.pool(), later, Duration::minutes(5), 10).await.unwrap().is_empty(), "backing off");
    let retry = outbox::claim_due(store.pool(), later + Duration::hours(1), Duration::minutes(5), 10).await.unwrap();
    assert!(outbox::mark_sent(store.pool(), &retry[0]).await.unwrap());
    assert_eq!(store.outbox_counts().await.unwrap(), outbox::OutboxCounts::default());
}

#[tokio::test]
async fn enqueue_is_idempotent_and_rolls_back_with_its_transaction() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    let (channel_id,): (String,) =
        sqlx::query_as("SELECT id FROM channels LIMIT 1").fetch_one(store.pool()).await.unwrap();
    let payload = serde_json::json!({"qty": 3});
    let mut tx = store.pool().begin().await.unwrap();
    assert!(outbox::enqueue(&mut tx, &channel_id, "inventory.set", "v1", &payload, "k1").await.unwrap());
    assert!(!outbox::enqueue(&mut tx, &channel_id, "inventory.set", "v1", &payload, "k1").await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = store.pool().begin().await.unwrap();
    outbox::enqueue(&mut tx, &channel_id, "inventory.set", "v2", &payload, "k2").await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(store.outbox_counts().await.unwrap().pending, 1);
}

#[tokio::test]
async fn dead_after_max_attempts() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    let (channel_id,): (String,) =
        sqlx::query_as("SELECT id FROM channels LIMIT 1").fetch_one(store.pool()).await.unwrap();
    let mut tx = store.pool().begin().await.unwrap();
    outbox::enqueue(&mut tx, &channel_id, "x", "a", &serde_json::json!({}), "dead-1").await.unwrap();
    tx.commit().await.unwrap();
    let mut t = OffsetDateTime::now_utc();
    for _ in 0..outbox::MAX_ATTEMPTS {
        let c = outbox::claim_due(store.pool(), t, Duration::minutes(1), 1).await.unwrap();
        assert_eq!(c.len(), 1);
        assert!(outbox::mark_failed(store.pool(), &c[0], "boom", t).await.unwrap());
        t += Duration::days(2);
    }
    let counts = store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.dead), (0, 1));
}

#[tokio::test]
async fn generated_shop_has_the_requested_size() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(tmp.path(), &no_demo()).await.unwrap();
    let stats = store.seed_generated(1_000, "Bench shop").await.unwrap();
    assert_eq!(stats.variants, 1_000);
    assert_eq!(store.catalog_counts().await.unwrap().variants, 1_000);
    assert!(store.seed_generated(10, "again").await.is_err(), "never mixes into an existing shop");
}

async fn search(store: &Store, q: &str) -> (Vec<String>, i64) {
    let (rows, total) = store.products_page("en-US", Some(q), 0, 100, None).await.unwrap();
    (rows.into_iter().map(|r| r.title).collect(), total.count)
}

#[tokio::test]
async fn search_finds_sku_gtin_and_titles_in_every_language() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    // SKU prefix
    let (titles, total) = search(&store, "KIT-0000").await;
    assert_eq!(total, 8, "the eight kitchen products KIT-00001..KIT-00008: {titles:?}");
    // English words, any case, all terms must match
    let (titles, _) = search(&store, "silicone SPATULA").await;
    assert_eq!(titles, vec!["Silicone Spatula Set, 5 Pieces, Heat Resistant"]);
    // German title
    let (titles, _) = search(&store, "Knoblauchpresse").await;
    assert_eq!(titles, vec!["Stainless Steel Garlic Press"]);
    // Chinese substring (no spaces), 3+ characters: trigram index
    let (titles, _) = search(&store, "保鲜盒").await;
    assert_eq!(titles, vec!["Collapsible Silicone Food Storage Containers"]);
    // Chinese two-character word: substring fallback
    let (titles, _) = search(&store, "耳机").await;
    assert_eq!(titles, vec!["Bluetooth 5.3 Wireless Earbuds with ANC"]);
    // a GTIN fragment
    let (gtin,): (String,) = sqlx::query_as("SELECT gtin FROM variants WHERE sku LIKE 'ELE-00012-%' LIMIT 1")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let (titles, _) = search(&store, &gtin[4..]).await;
    assert_eq!(titles, vec!["Bluetooth 5.3 Wireless Earbuds with ANC"]);
    // FTS syntax in user input is literal, never an error
    for q in ["\"\"", "NEAR(", "a*", "OR", "-", "%", "_", "'; DROP TABLE products; --"] {
        let (_, total) = search(&store, q).await;
        assert!(total >= 0);
    }
    assert_eq!(search(&store, "no such thing anywhere").await.1, 0);
    // % and _ typed by the user are literal characters, not wildcards
    assert_eq!(search(&store, "KIT_0000").await.1, 0, "no SKU holds an underscore");
    assert_eq!(search(&store, "KIT%0000").await.1, 0);
    assert_eq!(search(&store, "75%").await.0, vec!["Mechanical Keyboard, 75% Layout, Hot-Swap"]);
    assert_eq!(search(&store, "76%").await.1, 0);
    // a count stopped at a cap says so; the exact count is separate
    let (_, capped) = store.products_page("en-US", Some("KIT"), 0, 3, Some(5)).await.unwrap();
    assert_eq!(capped, mercator_store::Total { count: 5, exact: false });
    let (_, under) = store.products_page("en-US", Some("KIT-0000"), 0, 3, Some(100)).await.unwrap();
    assert_eq!(under, mercator_store::Total::exact(8));
    let f = mercator_store::CatalogFilter { query: Some("KIT".into()), ..Default::default() };
    assert!(store.catalog_count(&f).await.unwrap() > 5);
    // empty query = everything
    assert_eq!(store.products_page("en-US", Some("  "), 0, 5, None).await.unwrap().1.count, 50);
}

#[tokio::test]
async fn search_index_follows_edits() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    let (pid,): (String,) = sqlx::query_as("SELECT product_id FROM variants WHERE sku = 'KIT-00002-BLK'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE product_texts SET title = '大蒜压榨器 专业版' WHERE product_id = ? AND lang = 'zh-CN'")
        .bind(&pid)
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(search(&store, "压榨器").await.1, 1);
    assert_eq!(search(&store, "压蒜器").await.1, 0, "old title gone from the index");
    sqlx::query("UPDATE variants SET sku = 'GARLIC-PRO-1' WHERE sku = 'KIT-00002-BLK'")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(search(&store, "GARLIC-PRO").await.1, 1);
    sqlx::query("DELETE FROM products WHERE id = ?").bind(&pid).execute(store.pool()).await.unwrap();
    assert_eq!(search(&store, "GARLIC-PRO").await.1, 0);
    assert_eq!(search(&store, "Garlic").await.1, 0);
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM catalog_fts").fetch_one(store.pool()).await.unwrap();
    assert_eq!(n, 49);
}

#[tokio::test]
async fn search_index_survives_vacuum() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    sqlx::query("DELETE FROM products WHERE id IN (SELECT id FROM products ORDER BY id LIMIT 5)")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("VACUUM").execute(store.pool()).await.unwrap();
    let (titles, total) = search(&store, "Knoblauchpresse").await;
    assert_eq!((titles, total), (vec![], 0), "deleted product stays gone");
    let (titles, _) = search(&store, "保鲜布").await;
    assert_eq!(titles, vec!["Reusable Beeswax Food Wraps"]);
    let (titles, _) = search(&store, "Magnetic Building").await;
    assert_eq!(titles, vec!["Magnetic Building Tiles, Educational"]);
}

mod catalog_editing {
    use super::*;
    use mercator_store::catalog::{Edit, NewProduct};

    fn new_product(sku: &str) -> NewProduct {
        NewProduct {
            brand: "Voltaro".into(),
            category: "electronics".into(),
            titles: vec![("zh-CN".into(), "便携式榨汁杯".into()), ("en-US".into(), "Portable Blender Cup".into())],
            sku: sku.into(),
            gtin: "6901234567892".into(),
            cost: "45.80".into(),
            cost_currency: "CNY".into(),
        }
    }

    #[tokio::test]
    async fn create_edit_search_and_undo() {
        let tmp = tempfile::tempdir().unwrap();
        let store = open(tmp.path()).await;
        let id = store.create_product(&new_product("BLEND-001")).await.unwrap();
        let d = store.product_detail(&id).await.unwrap();
        assert_eq!(d.texts.len(), 2);
        assert_eq!(d.variants[0].cost_minor, 4580);
        assert_eq!(search(&store, "榨汁杯").await.1, 1, "new product is searchable at once");

        let en = d.texts.iter().find(|t| t.lang == "en-US").unwrap().clone();
        let op = store
            .apply_edit(
                &id,
                &Edit::Title { lang: "en-US".into(), value: "Portable Blender Cup 350 ml".into() },
                en.revision,
            )
            .await
            .unwrap();
        // stale revision: refused, nothing written
        let err = store
            .apply_edit(&id, &Edit::Title { lang: "en-US".into(), value: "Other".into() }, en.revision)
            .await
            .unwrap_err();
        assert_eq!(mercator_core::ErrorPayload::from(&err).code, "revision-conflict");
        // add a German title (new language: expected revision 0)
        store
            .apply_edit(&id, &Edit::Title { lang: "de-DE".into(), value: "Tragbarer Mixbecher".into() }, 0)
            .await
            .unwrap();
        assert_eq!(search(&store, "Mixbecher").await.1, 1);

        let history = store.history(&id, 50).await.unwrap();
        assert_eq!(history.len(), 3, "created + 2 edits");
        assert_eq!(history[1].old_value.as_deref(), Some("\"Portable Blender Cup\""));

        store.undo(&op).await.unwrap();
        let d = store.product_detail(&id).await.unwrap();
        assert_eq!(d.texts.iter().find(|t| t.lang == "en-US").unwrap().title, "Portable Blender Cup");
        assert_eq!(search(&store, "350 ml").await.1, 0);
        // undoing twice is refused
        let err = store.undo(&op).await.unwrap_err();
        assert_eq!(mercator_core::ErrorPayload::from(&err).code, "undo-conflict");
        // undoing the German addition removes the language again
        let add_de =
            store.history(&id, 50).await.unwrap().into_iter().find(|h| h.lang.as_deref() == Some("de-DE")).unwrap();
        store.undo(&add_de.op_id).await.unwrap();
        assert_eq!(store.product_detail(&id).await.unwrap().texts.len(), 2);
        assert_eq!(search(&store, "Mixbecher").await.1, 0);
    }

    #[tokio::test]
    async fn bad_input_is_refused_with_what_to_fix_and_nothing_is_written() {
        let tmp = tempfile::tempdir().unwrap();
        let store = open(tmp.path()).await;
        let code = |e: StoreError| mercator_core::ErrorPayload::from(&e);
        let e = code(store.create_product(&new_product("KIT-00001-BLK")).await.unwrap_err());
        assert_eq!((e.code.as_str(), e.args["sku"].as_str()), ("sku-taken", "KIT-00001-BLK"));
        let mut p = new_product("NEW-1");
        p.gtin = "6901234567893".into();
        let e = code(store.create_product(&p).await.unwrap_err());
        assert_eq!((e.code.as_str(), e.args["expected"].as_str()), ("gtin-check-digit", "2"));
        let mut p = new_product("NEW-1");
        p.cost = "12.345".into();
        assert_eq!(code(store.create_product(&p).await.unwrap_err()).code, "money-invalid");
        let mut p = new_product("NEW-1");
        p.cost = "-1".into();
        assert_eq!(code(store.create_product(&p).await.unwrap_err()).code, "money-invalid");
        assert_eq!(store.catalog_counts().await.unwrap().products, 50, "nothing half-written");

        let (pid, vid, rev): (String, String, i64) =
            sqlx::query_as("SELECT product_id, id, revision FROM variants WHERE sku = 'KIT-00002-BLK'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        let e = code(
            store
                .apply_edit(&pid, &Edit::Sku { variant_id: vid.clone(), value: "KIT-00001-BLK".into() }, rev)
                .await
                .unwrap_err(),
        );
        assert_eq!(e.code, "sku-taken");
        let e = code(
            store
                .apply_edit(&pid, &Edit::Gtin { variant_id: vid.clone(), value: "123".into() }, rev)
                .await
                .unwrap_err(),
        );
        assert_eq!(e.code, "gtin-format");
        // decimal comma accepted for cost
        store.apply_edit(&pid, &Edit::Cost { variant_id: vid.clone(), value: "13,40".into() }, rev).await.unwrap();
        let (cost,): (i64,) = sqlx::query_as("SELECT cost_minor FROM variants WHERE id = ?")
            .bind(&vid)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(cost, 1340);
    }

    #[tokio::test]
    async fn editing_a_product_with_live_listings_queues_channel_updates_once() {
        let tmp = tempfile::tempdir().unwrap();
        let store = open(tmp.path()).await;
        let (pid,): (String,) = sqlx::query_as("SELECT product_id FROM variants WHERE sku = 'ELE-00010-BLK'")
            .fetch_one(store.pool())
            .await
            .unwrap();
        let (live,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM listings l JOIN variants v ON v.id = l.variant_id WHERE v.product_id = ? AND l.status = 'live'",
        )
        .bind(&pid)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert!(live > 0);
        let d = store.product_detail(&pid).await.unwrap();
        let zh = d.texts.iter().find(|t| t.lang == "zh-CN").unwrap();
        store
            .apply_edit(&pid, &Edit::Title { lang: "zh-CN".into(), value: "65W氮化镓快充充电器".into() }, zh.revision)
            .await
            .unwrap();
        assert_eq!(store.outbox_counts().await.unwrap().pending, live);
        // the same value again: no change, nothing new to send
        store
            .apply_edit(
                &pid,
                &Edit::Title { lang: "zh-CN".into(), value: "65W氮化镓快充充电器".into() },
                zh.revision + 1,
            )
            .await
            .unwrap();
        assert_eq!(store.outbox_counts().await.unwrap().pending, live);
        // stock is not content: no channel update from the catalog
        let v = &d.variants[0];
        store.apply_edit(&pid, &Edit::Stock { variant_id: v.id.clone(), value: 7 }, v.revision).await.unwrap();
        assert_eq!(store.outbox_counts().await.unwrap().pending, live);
    }
}

#[tokio::test]
async fn demo_never_lands_in_an_existing_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, report) = Store::open(tmp.path(), &no_demo()).await.unwrap();
    assert!(report.seeded.is_none());
    assert!(store.shop().await.unwrap().is_some(), "an empty shop record exists");
    store
        .create_product(&mercator_store::catalog::NewProduct {
            brand: "Own".into(),
            category: "home".into(),
            titles: vec![("en-US".into(), "My own product".into())],
            sku: "OWN-1".into(),
            gtin: String::new(),
            cost: "10".into(),
            cost_currency: "CNY".into(),
        })
        .await
        .unwrap();
    store.close().await;
    // next start without --no-demo: the seller's catalog stays as it is
    let (store, report) = Store::open(tmp.path(), &OpenOptions::default()).await.unwrap();
    assert!(report.seeded.is_none());
    assert_eq!(store.catalog_counts().await.unwrap().products, 1);
}

#[tokio::test]
async fn a_sender_that_keeps_dying_parks_the_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    let (channel_id,): (String,) =
        sqlx::query_as("SELECT id FROM channels LIMIT 1").fetch_one(store.pool()).await.unwrap();
    let mut tx = store.pool().begin().await.unwrap();
    outbox::enqueue(&mut tx, &channel_id, "x", "a", &serde_json::json!({}), "crashy").await.unwrap();
    tx.commit().await.unwrap();
    let mut t = OffsetDateTime::now_utc();
    for _ in 0..outbox::MAX_ATTEMPTS {
        assert_eq!(outbox::claim_due(store.pool(), t, Duration::minutes(1), 1).await.unwrap().len(), 1);
        t += Duration::minutes(2); // crashed: never acknowledged, lease expires
    }
    assert!(outbox::claim_due(store.pool(), t, Duration::minutes(1), 1).await.unwrap().is_empty());
    assert_eq!(store.outbox_counts().await.unwrap().dead, 1);
}

#[tokio::test]
async fn import_is_all_or_nothing_and_searchable() {
    use mercator_core::import::{guess_mapping, parse_table, validate};
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    let csv = "sku,title:zh-CN,title:en-US,cost,currency\nIMP-1,折叠收纳箱,Folding Storage Box,29.90,CNY\nIMP-2,免打孔粘钩,Adhesive Hooks,5,CNY\n";
    let table = parse_table(csv.as_bytes()).unwrap();
    let (rows, bad) = validate(
        &table,
        &guess_mapping(&table.headers),
        mercator_core::Currency::CNY,
        &store.all_skus().await.unwrap(),
    )
    .unwrap();
    assert!(bad.is_empty());
    store.import_rows(&rows, &mercator_store::catalog::Progress::silent()).await.unwrap();
    assert_eq!(store.catalog_counts().await.unwrap().products, 52);
    assert_eq!(search(&store, "收纳箱").await.1, 1);
    assert_eq!(search(&store, "粘钩").await.1, 1, "2-char Chinese via substring scan");
    // importing the same rows again fails on the first duplicate SKU and writes nothing
    let err = store.import_rows(&rows, &mercator_store::catalog::Progress::silent()).await.unwrap_err();
    assert_eq!(mercator_core::ErrorPayload::from(&err).code, "sku-taken");
    assert_eq!(store.catalog_counts().await.unwrap().products, 52);
    let (deferred,): (i64,) =
        sqlx::query_as("SELECT deferred FROM search_control").fetch_one(store.pool()).await.unwrap();
    assert_eq!(deferred, 0, "rolled back with the import");
}

#[tokio::test]
async fn import_updates_known_skus_in_the_cells_it_fills_and_adds_variants_to_known_parents() {
    use mercator_core::import::{guess_mapping, parse_table, validate};
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    // a demo product with a live listing, its first variant
    let (pid, sku, brand): (String, String, String) = sqlx::query_as(
        "SELECT p.id, v.sku, p.brand FROM products p JOIN variants v ON v.product_id = p.id \
         JOIN listings l ON l.variant_id = v.id WHERE l.status = 'live' ORDER BY v.sku LIMIT 1",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    let before = store.product_detail(&pid).await.unwrap();
    let v0 = before.variants.iter().find(|v| v.sku == sku).unwrap().clone();
    let other = before.variants.iter().find(|v| v.sku != sku).unwrap().clone();
    let outbox_before = store.outbox_counts().await.unwrap().pending;
    let csv = format!(
        "sku,parent,title:en-US,brand,cost,currency,stock\n\
         {sku},,Renamed In Excel,,12.34,USD,77\n\
         {},,,,,,{}\n\
         NEW-VAR-1,{sku},,,3,,5\n",
        other.sku, other.stock
    );
    let table = parse_table(csv.as_bytes()).unwrap();
    let (rows, bad) = validate(
        &table,
        &guess_mapping(&table.headers),
        mercator_core::Currency::CNY,
        &store.all_skus().await.unwrap(),
    )
    .unwrap();
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(rows.iter().filter(|r| r.update).count(), 2);
    let outcome = store.import_rows(&rows, &mercator_store::catalog::Progress::silent()).await.unwrap();
    assert_eq!((outcome.created, outcome.updated, outcome.unchanged), (1, 1, 1));
    let after = store.product_detail(&pid).await.unwrap();
    let v1 = after.variants.iter().find(|v| v.sku == sku).unwrap();
    assert_eq!((v1.cost_minor, v1.cost_currency.code(), v1.stock), (1234, "USD", 77));
    assert_eq!(after.texts.iter().find(|t| t.lang == "en-US").unwrap().title, "Renamed In Excel");
    assert_eq!(after.head.brand, brand, "an empty cell keeps what the catalog holds");
    assert_eq!(after.texts.len(), before.texts.len(), "other languages untouched");
    // the new row joined the product of the SKU it names as parent, searchable
    assert!(after.variants.iter().any(|v| v.sku == "NEW-VAR-1" && v.stock == 5));
    assert_eq!(search(&store, "NEW-VAR-1").await.0, vec!["Renamed In Excel".to_string()]);
    assert_eq!(store.catalog_counts().await.unwrap().products, 50, "no new product");
    // the live listing's channel hears about the new title
    assert!(store.outbox_counts().await.unwrap().pending > outbox_before);
    // the updates are one undoable change
    let op = outcome.update_op.expect("an update op");
    store.undo(&op).await.unwrap();
    let undone = store.product_detail(&pid).await.unwrap();
    let v2 = undone.variants.iter().find(|v| v.sku == sku).unwrap();
    assert_eq!((v2.cost_minor, &v2.cost_currency, v2.stock), (v0.cost_minor, &v0.cost_currency, v0.stock));
    assert_eq!(
        undone.texts.iter().find(|t| t.lang == "en-US").unwrap().title,
        before.texts.iter().find(|t| t.lang == "en-US").unwrap().title
    );
    // importing the same file again: the first row now differs again, the rest is as in the file
    let again = store.import_rows(&rows, &mercator_store::catalog::Progress::silent()).await.unwrap_err();
    assert_eq!(mercator_core::ErrorPayload::from(&again).code, "sku-taken", "NEW-VAR-1 exists now");
}

mod model {
    use super::*;
    use mercator_core::catalog::{BulkOp, Certification, Edit, Keep};
    use mercator_store::catalog::Progress;
    use mercator_store::CatalogFilter;
    use std::sync::atomic::AtomicBool;

    async fn product_in(store: &Store, category: &str) -> String {
        let (id,): (String,) = sqlx::query_as("SELECT id FROM products WHERE category = ? ORDER BY id LIMIT 1")
            .bind(category)
            .fetch_one(store.pool())
            .await
            .unwrap();
        id
    }

    fn codes(d: &mercator_store::catalog::ProductDetail, channel: &str) -> Vec<String> {
        let mut v: Vec<String> = d
            .listings
            .iter()
            .filter(|l| l.channel_name == channel)
            .flat_map(|l| {
                serde_json::from_str::<Vec<serde_json::Value>>(&l.issues)
                    .unwrap()
                    .into_iter()
                    .map(|i| i["code"].as_str().unwrap().to_string())
            })
            .collect();
        v.sort();
        v.dedup();
        v
    }

    #[tokio::test]
    async fn market_rules_follow_every_edit_and_undo() {
        let tmp = tempfile::tempdir().unwrap();
        let store = open(tmp.path()).await;
        let pid = product_in(&store, "kitchen").await;
        let d = store.product_detail(&pid).await.unwrap();
        // the demo has no Japanese text: the Shopify JP listings say so
        assert!(codes(&d, "Hearthly Store (Shopify)").contains(&"title-missing".to_string()));
        assert!(!codes(&d, "Amazon.de").contains(&"title-too-long".to_string()));
        let rev = d.texts.iter().find(|t| t.lang == "de-DE").unwrap().revision;
        let op = store
            .apply_edit(
                &pid,
                &Edit::Title { lang: "de-DE".into(), value: format!("{}!", "Pfannenwender ".repeat(15)) },
                rev,
            )
            .await
            .unwrap();
        let d = store.product_detail(&pid).await.unwrap();
        let de = codes(&d, "Amazon.de");
        assert!(de.contains(&"title-forbidden-chars".into()) && de.contains(&"title-too-long".into()), "{de:?}");
        assert!(d.head.issue_count > 0);
        // US is unaffected: its listings read the English title
        assert!(!codes(&d, "Amazon.com").contains(&"title-too-long".to_string()));
        store.undo(&op).await.unwrap();
        let d = store.product_detail(&pid).await.unwrap();
        assert!(!codes(&d, "Amazon.de").contains(&"title-too-long".to_string()));
        // a Japanese title clears the Shopify JP badge
        store
            .apply_edit(&pid, &Edit::Title { lang: "ja-JP".into(), value: "シリコンスパチュラ".into() }, 0)
            .await
            .unwrap();
        let d = store.product_detail(&pid).await.unwrap();
        assert!(!codes(&d, "Hearthly Store (Shopify)").contains(&"title-missing".to_string()));
    }

    #[tokio::test]
    async fn certificates_decide_the_cert_rules() {
        let tmp = tempfile::tempdir().unwrap();
        let store = open(tmp.path()).await;
        let pid = product_in(&store, "electronics").await;
        let d = store.product_detail(&pid).await.unwrap();
        // the demo's first electronics product has a CE that expired
        assert!(codes(&d, "Amazon.de").contains(&"cert-expired".to_string()), "{:?}", codes(&d, "Amazon.de"));
        let v = &d.variants[0];
        let certs = vec![
            Certification { kind: "CE".into(), reference: "DoC-2026.pdf".into(), expires: Some("2030-01-31".into()) },
            Certification { kind: "fcc".into(), reference: "2AXYZ".into(), expires: None },
        ];
        store
            .apply_edit(&pid, &Edit::Certifications { variant_id: v.id.clone(), value: certs }, v.revision)
            .await
            .unwrap();
        let d = store.product_detail(&pid).await.unwrap();
        let v0 = d.variants.iter().find(|x| x.id == v.id).unwrap();
        assert!(v0.certifications.contains("\"FCC\""), "kind normalised: {}", v0.certifications);
        let l = d.listings.iter().find(|l| l.variant_id == v.id && l.channel_name == "Amazon.de").unwrap();
        assert!(!l.issues.contains("cert-"), "{}", l.issues);
        // a bad date is refused with the certificate named, nothing written
        let bad = vec![Certification { kind: "PSE".into(), reference: "x".into(), expires: Some("31.03.2027".into()) }];
        let e =
            store.apply_edit(&pid, &Edit::Certifications { variant_id: v.id.clone(), value: bad }, v0.revision).await;
        match e {
            Err(StoreError::Rejected(p)) => {
                assert_eq!((p.code.as_str(), p.args["cert"].as_str()), ("cert-date", "PSE"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn variant_details_attributes_and_overrides_are_edits_with_history() {
        let tmp = tempfile::tempdir().unwrap();
        let store = open(tmp.path()).await;
        let pid = product_in(&store, "home").await;
        let d = store.product_detail(&pid).await.unwrap();
        let v = d.variants[0].clone();
        store
            .apply_edit(
                &pid,
                &Edit::Measure { variant_id: v.id.clone(), field: "weight_g".into(), value: "455".into() },
                v.revision,
            )
            .await
            .unwrap();
        store
            .apply_edit(&pid, &Edit::HsCode { variant_id: v.id.clone(), value: "6307.90.98".into() }, v.revision + 1)
            .await
            .unwrap();
        let op = store
            .apply_edit(
                &pid,
                &Edit::Attribute {
                    variant_id: v.id.clone(), name: "材质".into(), value: Some("棉 / Cotton".into())
                },
                v.revision + 2,
            )
            .await
            .unwrap();
        let d = store.product_detail(&pid).await.unwrap();
        let v1 = d.variants.iter().find(|x| x.id == v.id).unwrap();
        assert_eq!((v1.weight_g, v1.hs_code.as_str()), (455, "63079098"));
        assert!(v1.attributes.contains("材质"));
        store.undo(&op).await.unwrap();
        let d = store.product_detail(&pid).await.unwrap();
        assert!(!d.variants.iter().find(|x| x.id == v.id).unwrap().attributes.contains("材质"));
        // a per-market override on a live listing goes to the outbox
        let live = d.listings.iter().find(|l| l.status == "live").unwrap();
        let before = store.outbox_counts().await.unwrap().pending;
        store
            .apply_edit(
                &pid,
                &Edit::Override {
                    listing_id: live.id.clone(),
                    field: "title".into(),
                    value: Some(serde_json::json!("Marktspezifischer Titel")),
                },
                live.revision,
            )
            .await
            .unwrap();
        assert_eq!(store.outbox_counts().await.unwrap().pending, before + 1);
        let d = store.product_detail(&pid).await.unwrap();
        let l = d.listings.iter().find(|l| l.id == live.id).unwrap();
        assert!(l.overrides.contains("Marktspezifischer Titel"));
        let h = store.history(&pid, 10).await.unwrap();
        assert_eq!((h[0].entity.as_str(), h[0].field.as_str()), ("listing", "overrides"));
    }

    #[tokio::test]
    async fn filters_and_sorting() {
        let tmp = tempfile::tempdir().unwrap();
        let store = open(tmp.path()).await;
        let all = CatalogFilter::default();
        assert_eq!(store.catalog_page("en-US", &all, 0, 100, None).await.unwrap().1.count, 50);
        let f = CatalogFilter { issues_only: true, ..Default::default() };
        let (rows, n) = store.catalog_page("en-US", &f, 0, 100, None).await.unwrap();
        let n = n.count;
        assert!(n > 0 && rows.iter().all(|r| r.issue_count > 0));
        let f = CatalogFilter { missing_lang: Some("ja-JP".into()), ..Default::default() };
        assert_eq!(store.catalog_page("en-US", &f, 0, 100, None).await.unwrap().1.count, 50);
        let f = CatalogFilter { missing_lang: Some("de-DE".into()), ..Default::default() };
        assert_eq!(store.catalog_page("en-US", &f, 0, 100, None).await.unwrap().1.count, 0);
        let f = CatalogFilter { sort: Some("stock".into()), desc: true, ..Default::default() };
        let (rows, _) = store.catalog_page("en-US", &f, 0, 50, None).await.unwrap();
        assert!(rows.windows(2).all(|w| w[0].stock >= w[1].stock));
        let f = CatalogFilter { sort: Some("title".into()), ..Default::default() };
        let (rows, _) = store.catalog_page("en-US", &f, 0, 50, None).await.unwrap();
        assert!(rows.windows(2).all(|w| w[0].title.to_lowercase() <= w[1].title.to_lowercase()));
        let f = CatalogFilter { query: Some("silicone".into()), status: Some("draft".into()), ..Default::default() };
        let (rows, n) = store.catalog_page("en-US", &f, 0, 50, None).await.unwrap();
        let n = n.count;
        assert!(n > 0, "the demo has silicone products with a draft listing");
        assert_eq!(rows.len() as i64, n);
        for r in &rows {
            assert!(r.title.to_lowercase().contains("silicone"));
            let d = store.product_detail(&r.id).await.unwrap();
            assert!(d.listings.iter().any(|l| l.status == "draft"));
        }
        let (ch,): (String,) =
            sqlx::query_as("SELECT id FROM channels WHERE market = 'JP'").fetch_one(store.pool()).await.unwrap();
        let f = CatalogFilter { channel_id: Some(ch), stock: Some("in".into()), ..Default::default() };
        let ids = store.catalog_ids(&f).await.unwrap();
        assert_eq!(ids.len() as i64, store.catalog_page("en-US", &f, 0, 100, None).await.unwrap().1.count);
    }

    fn progress() -> (AtomicBool, impl Fn(u64, u64) + Send + Sync) {
        (AtomicBool::new(false), |_d: u64, _t: u64| {})
    }

    #[tokio::test]
    async fn bulk_edit_is_one_undo_and_cancel_leaves_everything() {
        let tmp = tempfile::tempdir().unwrap();
        let store = open(tmp.path()).await;
        let ids =
            store.catalog_ids(&CatalogFilter { query: Some("Silikon".into()), ..Default::default() }).await.unwrap();
        assert!(ids.len() >= 2);
        let before: Vec<_> = futures_titles(&store, &ids).await;
        let (cancel, report) = progress();
        let p = Progress { cancel: &cancel, report: &report };
        let op =
            BulkOp::ReplaceInTitles { lang: "de-DE".into(), find: "Silikon".into(), replace: "Premium-Silikon".into() };
        let (op_id, changed) = store.bulk_edit(&ids, &op, &p).await.unwrap();
        assert_eq!(changed, ids.len());
        let after = futures_titles(&store, &ids).await;
        assert!(after.iter().all(|t| t.contains("Premium-Silikon")));
        store.undo(&op_id).await.unwrap();
        assert_eq!(futures_titles(&store, &ids).await, before);
        // status of every listing on one channel, attributes on every variant
        let (ch,): (String,) =
            sqlx::query_as("SELECT id FROM channels WHERE market = 'US'").fetch_one(store.pool()).await.unwrap();
        let (op2, _) = store
            .bulk_edit(&ids, &BulkOp::ListingStatus { channel_id: Some(ch.clone()), value: "inactive".into() }, &p)
            .await
            .unwrap();
        for id in &ids {
            let d = store.product_detail(id).await.unwrap();
            assert!(d.listings.iter().filter(|l| l.channel_id == ch).all(|l| l.status == "inactive"));
        }
        store.undo(&op2).await.unwrap();
        store
            .bulk_edit(&ids, &BulkOp::SetAttribute { name: "material".into(), value: "silicone".into() }, &p)
            .await
            .unwrap();
        let d = store.product_detail(&ids[0]).await.unwrap();
        assert!(d.variants.iter().all(|v| v.attributes.contains("\"material\":\"silicone\"")));
        // cancelled: nothing written, no history
        let hist = store.history(&ids[0], 500).await.unwrap().len();
        cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        let e = store.bulk_edit(&ids, &BulkOp::SetField { field: "brand".into(), value: "X".into() }, &p).await;
        assert!(matches!(e, Err(StoreError::Rejected(ref p)) if p.code == "cancelled"), "{e:?}");
        assert_ne!(store.product_detail(&ids[0]).await.unwrap().head.brand, "X");
        assert_eq!(store.history(&ids[0], 500).await.unwrap().len(), hist);
        // a bad value fails before any write
        cancel.store(false, std::sync::atomic::Ordering::Relaxed);
        let e = store.bulk_edit(&ids, &BulkOp::SetField { field: "origin".into(), value: "China".into() }, &p).await;
        assert!(matches!(e, Err(StoreError::Rejected(ref p)) if p.code == "country-code"));
    }

    /// Whether another connection can take the write lock right now (the
    /// sqlite3 CLI, no waiting): what a sync or outbox write would meet.
    fn write_lock_free(db: &std::path::Path) -> bool {
        std::process::Command::new("sqlite3")
            .arg(db)
            .args([".timeout 0", "BEGIN IMMEDIATE;", "ROLLBACK;"])
            .output()
            .is_ok_and(|o| o.status.success() && o.stderr.is_empty())
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_bulk_edit_of_many_products_leaves_the_write_lock_free_between_chunks_and_cancels_whole() {
        use mercator_core::import::ImportRow;
        let tmp = tempfile::tempdir().unwrap();
        let (store, _) =
            Store::open(tmp.path(), &OpenOptions { seed_demo: false, ..Default::default() }).await.unwrap();
        store.create_empty_shop().await.unwrap();
        let rows: Vec<ImportRow> = (0..1_200)
            .map(|i| ImportRow {
                titles: vec![("en-US".into(), format!("Product {i}"))],
                brand: "Before".into(),
                ..ImportRow::new(
                    format!("BULK-{i:05}"),
                    mercator_core::Money::from_minor(100, mercator_core::Currency::CNY),
                )
            })
            .collect();
        store.import_rows(&rows, &Progress::silent()).await.unwrap();
        let ids = store.catalog_ids(&CatalogFilter::default()).await.unwrap();
        assert_eq!(ids.len(), 1_200);
        let db = store.db_path().to_path_buf();
        let free_between: std::sync::Mutex<Vec<bool>> = Default::default();
        let cancel = AtomicBool::new(false);
        let report = |done: u64, total: u64| {
            if done > 0 && done < total {
                free_between.lock().unwrap().push(write_lock_free(&db));
            }
        };
        let p = Progress { cancel: &cancel, report: &report };
        let op = BulkOp::SetField { field: "brand".into(), value: "After".into() };
        let (op_id, changed) = store.bulk_edit(&ids, &op, &p).await.unwrap();
        assert_eq!(changed, 1_200);
        let seen = free_between.lock().unwrap().clone();
        assert!(!seen.is_empty() && seen.iter().all(|f| *f), "other writers get in between chunks: {seen:?}");
        free_between.lock().unwrap().clear();
        store.undo(&op_id).await.unwrap();
        let (after,): (i64,) = sqlx::query_as("SELECT count(*) FROM products WHERE brand = 'Before'")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(after, 1_200, "one undo reverts every chunk");
        // cancelled part-way: what the first chunks wrote is undone too
        let stop = |done: u64, _total: u64| {
            if done >= 500 {
                cancel.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        };
        let p = Progress { cancel: &cancel, report: &stop };
        let e = store.bulk_edit(&ids, &op, &p).await;
        assert!(matches!(e, Err(StoreError::Rejected(ref p)) if p.code == "cancelled"), "{e:?}");
        let (still,): (i64,) = sqlx::query_as("SELECT count(*) FROM products WHERE brand = 'Before'")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(still, 1_200, "nothing of a cancelled bulk edit stays");
    }

    async fn count(store: &Store, sql: &str, bind: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql).bind(bind).fetch_one(store.pool()).await.unwrap();
        n
    }

    #[tokio::test]
    async fn a_bulk_field_set_has_the_effects_of_one_edit_per_record_and_its_undo_too() {
        let tmp = tempfile::tempdir().unwrap();
        let store = open(tmp.path()).await;
        let ids = store.catalog_ids(&CatalogFilter::default()).await.unwrap();
        // one product already has the brand: it is not written
        let same = ids[0].clone();
        let rev = store.product_detail(&same).await.unwrap().head.revision;
        store.apply_edit(&same, &Edit::Brand { value: "Neu".into() }, rev).await.unwrap();
        let same_rev = store.product_detail(&same).await.unwrap().head.revision;
        let one_by_one: (String, String) = sqlx::query_as(
            "SELECT payload, idempotency_key FROM outbox WHERE kind = 'listing.update' ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        let updates = "SELECT count(*) FROM outbox WHERE kind = 'listing.update' AND payload LIKE ?";
        let before = count(&store, updates, "%\"brand\"%").await;
        let live_of_others = count(
            &store,
            "SELECT count(*) FROM listings l JOIN variants v ON v.id = l.variant_id WHERE l.status = 'live' AND v.product_id != ?",
            &same,
        )
        .await;
        assert!(live_of_others > 0);
        let p = Progress::silent();
        // each product named twice (the command takes any list): changed once
        let twice: Vec<String> = ids.iter().chain(ids.iter()).cloned().collect();
        let (op, changed) = store
            .bulk_edit(&twice, &BulkOp::SetField { field: "brand".into(), value: "  Neu ".into() }, &p)
            .await
            .unwrap();
        assert_eq!(changed, ids.len() - 1, "the product already at the value is not counted");
        assert_eq!(store.product_detail(&same).await.unwrap().head.revision, same_rev, "nor written");
        assert_eq!(
            count(&store, "SELECT count(*) FROM products WHERE brand != ?", "Neu").await,
            0,
            "trimmed, everywhere"
        );
        // a history row per product, with the old value, under one op
        let hist = count(&store, "SELECT count(*) FROM edit_history WHERE op_id = ? AND field = 'brand' AND entity = 'product' AND old_value IS NOT NULL AND new_value = '\"Neu\"'", &op).await;
        assert_eq!(hist as usize, changed);
        // one channel update per live listing of each changed product, shaped as one edit's
        assert_eq!(count(&store, updates, "%\"brand\"%").await, before + live_of_others);
        let batch: (String, String) = sqlx::query_as(
            "SELECT o.payload, o.idempotency_key FROM outbox o JOIN edit_history h ON o.idempotency_key LIKE '%' || h.id              WHERE h.op_id = ? LIMIT 1",
        )
        .bind(&op)
        .fetch_one(store.pool())
        .await
        .unwrap();
        let shape = |(payload, key): &(String, String)| {
            let v: serde_json::Value = serde_json::from_str(payload).unwrap();
            (v["field"].clone(), v["lang"].clone(), v.as_object().unwrap().len(), key.split(':').count())
        };
        assert_eq!(shape(&batch), shape(&one_by_one));
        // variants' own fields: every variant of the products
        let variants = count(&store, "SELECT count(*) FROM variants WHERE hs_code != ?", "851830").await;
        let (op2, changed) = store
            .bulk_edit(&ids, &BulkOp::SetField { field: "hs_code".into(), value: "851830".into() }, &p)
            .await
            .unwrap();
        assert_eq!(changed as i64, variants);
        assert_eq!(
            count(&store, "SELECT count(*) FROM edit_history WHERE op_id = ? AND entity = 'variant'", &op2).await,
            variants
        );
        store.undo(&op2).await.unwrap();
        // someone changes one product's brand after the bulk edit: the undo refuses whole
        let other = ids[1].clone();
        let rev = store.product_detail(&other).await.unwrap().head.revision;
        store.apply_edit(&other, &Edit::Brand { value: "Mine".into() }, rev).await.unwrap();
        let e = store.undo(&op).await;
        assert!(matches!(e, Err(StoreError::Rejected(ref p)) if p.code == "undo-conflict"), "{e:?}");
        assert_eq!(count(&store, "SELECT count(*) FROM products WHERE brand = ?", "Neu").await as usize, ids.len() - 1);
        // put back, the undo goes through: old brands back, the channels told again
        let rev = store.product_detail(&other).await.unwrap().head.revision;
        store.apply_edit(&other, &Edit::Brand { value: "Neu".into() }, rev).await.unwrap();
        let queued = count(&store, updates, "%\"brand\"%").await;
        store.undo(&op).await.unwrap();
        assert_eq!(
            count(&store, "SELECT count(*) FROM products WHERE brand = ?", "Neu").await,
            1,
            "only the one set by hand"
        );
        assert_eq!(count(&store, updates, "%\"brand\"%").await, queued + live_of_others);
        assert!(store.undo(&op).await.is_err(), "an undone op is not undone twice");
    }

    /// (listing id, product id, revision) of the first listing in `status`.
    async fn listing_in(store: &Store, status: &str) -> (String, String, i64) {
        sqlx::query_as(
            "SELECT l.id, v.product_id, l.revision FROM listings l JOIN variants v ON v.id = l.variant_id \
             WHERE l.status = ? ORDER BY l.id LIMIT 1",
        )
        .bind(status)
        .fetch_one(store.pool())
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn only_status_changes_the_channel_sees_are_queued() {
        let tmp = tempfile::tempdir().unwrap();
        let store = open(tmp.path()).await;
        let before = store.outbox_counts().await.unwrap().pending;
        let (id, pid, rev) = listing_in(&store, "draft").await;
        store.apply_edit(&pid, &Edit::ListingStatus { listing_id: id, value: "ready".into() }, rev).await.unwrap();
        assert_eq!(store.outbox_counts().await.unwrap().pending, before, "draft -> ready stays on the desk");
        let (id, pid, rev) = listing_in(&store, "live").await;
        let op = store
            .apply_edit(&pid, &Edit::ListingStatus { listing_id: id, value: "inactive".into() }, rev)
            .await
            .unwrap();
        assert_eq!(store.outbox_counts().await.unwrap().pending, before + 1, "live -> inactive reaches the channel");
        store.undo(&op).await.unwrap();
        assert_eq!(store.outbox_counts().await.unwrap().pending, before + 2, "and so does going live again");
    }

    #[tokio::test]
    async fn certificate_expiry_is_rechecked_on_the_first_start_of_a_day_only() {
        let tmp = tempfile::tempdir().unwrap();
        let store = open(tmp.path()).await;
        let pid = product_in(&store, "toys").await;
        let expired =
            |d: &mercator_store::catalog::ProductDetail| d.listings.iter().any(|l| l.issues.contains("cert-expired"));
        assert!(!expired(&store.product_detail(&pid).await.unwrap()));
        // the CPC certificate runs out without any edit (time passes)
        sqlx::query("UPDATE variants SET certifications = json_replace(certifications, '$[1].expires', '2020-01-01') WHERE product_id = ?")
            .bind(&pid)
            .execute(store.pool())
            .await
            .unwrap();
        // already checked today (the seed did): nothing is scanned
        store.refresh_rules_at_start().await.unwrap();
        assert!(!expired(&store.product_detail(&pid).await.unwrap()));
        // first start of a later day: re-checked
        sqlx::query("UPDATE settings SET value = '2000-01-01' WHERE key = 'rules_checked_on'")
            .execute(store.pool())
            .await
            .unwrap();
        store.refresh_rules_at_start().await.unwrap();
        let d = store.product_detail(&pid).await.unwrap();
        let us = d.listings.iter().find(|l| l.market == "US").unwrap();
        assert!(us.issues.contains("cert-expired") && us.issues.contains("2020-01-01"), "{}", us.issues);
    }

    async fn futures_titles(store: &Store, ids: &[String]) -> Vec<String> {
        let mut out = vec![];
        for id in ids {
            let d = store.product_detail(id).await.unwrap();
            out.push(d.texts.iter().find(|t| t.lang == "de-DE").unwrap().title.clone());
        }
        out
    }

    #[tokio::test]
    async fn channel_copy_is_compared_never_applied_silently() {
        let tmp = tempfile::tempdir().unwrap();
        let store = open(tmp.path()).await;
        // the demo holds one listing whose Amazon copy changed since the last sync
        let (lid, pid, remote): (String, String, String) = sqlx::query_as(
            "SELECT l.id, v.product_id, l.remote_copy FROM listings l JOIN variants v ON v.id = l.variant_id WHERE l.remote_copy IS NOT NULL",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        let theirs: serde_json::Value = serde_json::from_str(&remote).unwrap();
        let before = store.product_detail(&pid).await.unwrap();
        let de_title = before.texts.iter().find(|t| t.lang == "de-DE").unwrap().title.clone();
        assert_ne!(theirs["title"].as_str().unwrap(), de_title, "their title differs from ours");
        // taking theirs makes it this market's override; the product text stays
        store.resolve_conflict(&lid, &[("title".into(), Keep::Theirs)]).await.unwrap();
        let d = store.product_detail(&pid).await.unwrap();
        assert_eq!(d.texts.iter().find(|t| t.lang == "de-DE").unwrap().title, de_title);
        let l = d.listings.iter().find(|l| l.id == lid).unwrap();
        assert!(l.overrides.contains(theirs["title"].as_str().unwrap()));
        assert!(l.remote_copy.is_none(), "settled");
        assert!(store.resolve_conflict(&lid, &[("title".into(), Keep::Ours)]).await.is_err(), "nothing left to settle");
        // a new channel copy that differs is kept for comparison; keeping ours queues an update
        let changed = store
            .record_channel_copy(
                &lid,
                &serde_json::json!({ "title": "Amazon hat es geändert", "bullets": theirs["bullets"] }),
            )
            .await
            .unwrap();
        assert!(changed);
        let pending = store.outbox_counts().await.unwrap().pending;
        store.resolve_conflict(&lid, &[("title".into(), Keep::Ours)]).await.unwrap();
        assert_eq!(store.outbox_counts().await.unwrap().pending, pending + 1);
        let d = store.product_detail(&pid).await.unwrap();
        let l = d.listings.iter().find(|l| l.id == lid).unwrap();
        assert!(l.remote_copy.is_none() && l.overrides.contains(theirs["title"].as_str().unwrap()));
        // the same copy as the base is no conflict
        let same = serde_json::from_str::<serde_json::Value>(l.synced_base.as_deref().unwrap()).unwrap();
        assert!(!store.record_channel_copy(&lid, &same).await.unwrap());
    }
}

#[tokio::test]
async fn short_terms_find_exactly_the_products_holding_them() {
    // One- and two-character terms take other paths than the trigram index
    // (the index vocabulary, a scan); each must find exactly the products
    // whose SKU, GTIN or a title holds the term (ASCII case-insensitively).
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path()).await;
    let titles: Vec<(String,)> = sqlx::query_as("SELECT title FROM product_texts ORDER BY product_id, lang LIMIT 40")
        .fetch_all(store.pool())
        .await
        .unwrap();
    let mut terms: std::collections::BTreeSet<String> =
        ["耳机", "3", "Pr", "-0", "x", "Ü", "ab"].map(String::from).into();
    for (t,) in &titles {
        let chars: Vec<char> = t.chars().collect();
        for w in chars.windows(2).step_by(5) {
            if !w.iter().any(|c| c.is_whitespace()) {
                terms.insert(w.iter().collect());
            }
        }
    }
    assert!(terms.len() > 60, "{}", terms.len());
    for term in terms {
        let pattern = format!("%{}%", term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let (want,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM products p WHERE \
             EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND (v.sku LIKE ?1 ESCAPE '\\' OR v.gtin LIKE ?1 ESCAPE '\\')) \
             OR EXISTS (SELECT 1 FROM product_texts t WHERE t.product_id = p.id AND t.title LIKE ?1 ESCAPE '\\')",
        )
        .bind(&pattern)
        .fetch_one(store.pool())
        .await
        .unwrap();
        let (_, got) = store.products_page("en-US", Some(&term), 0, 10, None).await.unwrap();
        assert_eq!(got.count, want, "term {term:?}");
    }
}

mod inbox {
    use super::*;
    use mercator_store::inbox::{ConversationFilter, Direction, MailPosition, MailboxSettings, NewMessage, REPLY_KIND};

    fn t0() -> OffsetDateTime {
        time::macros::datetime!(2026-12-05 08:00 UTC)
    }

    fn mail(channel: &str, id: &str, parents: &[&str], subject: &str, body: &str, at: OffsetDateTime) -> NewMessage {
        NewMessage {
            channel_id: channel.into(),
            mailbox_id: None,
            external_id: id.into(),
            thread: None,
            parents: parents.iter().map(|p| (*p).to_string()).collect(),
            direction: Direction::In,
            subject: subject.into(),
            from_name: "Jonas Becker".into(),
            from_address: "abc123xyz@marketplace.amazon.de".into(),
            reply_to: "abc123xyz@marketplace.amazon.de".into(),
            body: body.into(),
            html: None,
            blocked_images: 0,
            attachments: "[]".into(),
            files: vec![],
            links: "[]".into(),
            sent_at: at,
            order_refs: mercator_core::inbox::order_refs(&format!("{subject}\n{body}"))
                .iter()
                .map(mercator_core::inbox::OrderRef::text)
                .collect(),
            lang: None,
            auto: false,
        }
    }

    /// A backup made by an earlier version (no links column, no attachment
    /// table) is purged of what it has and kept, not deleted for lacking them;
    /// the live database loses the attachment bytes and the opened copies.
    #[tokio::test]
    async fn the_purge_keeps_a_backup_of_an_earlier_schema_and_takes_attachments_and_their_copies() {
        let tmp = tempfile::tempdir().unwrap();
        let (store, ch) = shop(tmp.path()).await;
        let old = t0() - Duration::days(200);
        let mut m = mail(&ch, "old@x", &[], "Alt", "Meine Adresse ist Hauptstr. 1", old);
        m.attachments = r#"[{"name":"a.pdf","type":"application/pdf","size":3}]"#.into();
        m.files = vec![b"PDF".to_vec()];
        m.links = r#"[{"url":"https://x.example/","text":"x"}]"#.into();
        let r = store.ingest(&[m], None).await.unwrap();
        let message_id = r.stored[0].1.clone();
        let opened = tmp.path().join(mercator_store::ATTACHMENTS_DIR).join(&message_id).join("0");
        std::fs::create_dir_all(&opened).unwrap();
        std::fs::write(opened.join("a.pdf"), b"PDF").unwrap();
        // the backup, as an earlier schema had it
        let backups = tmp.path().join("backups");
        std::fs::create_dir_all(&backups).unwrap();
        let bak = backups.join(format!("{DB_FILE_NAME}.v14.1796000000.bak"));
        sqlx::query(&format!("VACUUM INTO '{}'", bak.display())).execute(store.pool()).await.unwrap();
        {
            use sqlx::Connection;
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", bak.display())).await.unwrap();
            sqlx::query("DROP TABLE message_files").execute(&mut c).await.unwrap();
            sqlx::query("ALTER TABLE messages DROP COLUMN links").execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        }
        let cutoff = mercator_store::fmt_ts(OffsetDateTime::now_utc() - Duration::days(30));
        let done = store.purge_copies(&cutoff).await.unwrap();
        assert_eq!(done.backups_deleted, 0, "the earlier backup is kept");
        {
            use sqlx::Connection;
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", bak.display())).await.unwrap();
            let body: String = sqlx::query_scalar("SELECT body FROM messages").fetch_one(&mut c).await.unwrap();
            assert_eq!(body, "", "and purged of the buyer's text");
        }
        store.purge_buyer_data(&cutoff).await.unwrap();
        let files: i64 =
            sqlx::query_scalar("SELECT count(*) FROM message_files").fetch_one(store.pool()).await.unwrap();
        assert_eq!(files, 0, "the attachment bytes go with the text");
        let links: String = sqlx::query_scalar("SELECT links FROM messages").fetch_one(store.pool()).await.unwrap();
        assert_eq!(links, "[]");
        assert!(!opened.exists(), "the copy written for opening goes too");
    }

    async fn shop(dir: &Path) -> (Store, String) {
        let (store, _) = Store::open(dir, &no_demo()).await.unwrap();
        let ch = store.add_channel("amazon", "Amazon DE", "DE", "EUR", "de-DE").await.unwrap();
        sqlx::query(
            "INSERT INTO orders (id, channel_id, external_id, order_number, status, raw_status, buyer_name, ship_country, \
             total_minor, currency, ordered_at, updated_at) \
             VALUES ('o1', ?, '302-1234567-7654321', '302-1234567-7654321', 'unshipped', 'Unshipped', 'Jonas', 'DE', 1999, 'EUR', \
             '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z')",
        )
        .bind(&ch)
        .execute(store.pool())
        .await
        .unwrap();
        (store, ch)
    }

    fn all() -> ConversationFilter {
        ConversationFilter::default()
    }

    #[tokio::test]
    async fn mail_is_threaded_linked_to_its_order_and_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let (store, ch) = shop(dir.path()).await;
        let first =
            mail(&ch, "m1@amazon", &[], "Bestellung 302-1234567-7654321: Lieferung?", "Wo bleibt mein Paket?", t0());
        let r = store.ingest(std::slice::from_ref(&first), None).await.unwrap();
        assert_eq!(r.stored.len(), 1);
        // the buyer answers our reply (which we never stored): References names the root
        let second = mail(
            &ch,
            "m3@amazon",
            &["m2@seller", "m1@amazon"],
            "AW: Bestellung",
            "Danke, und die Rechnung?",
            t0() + Duration::hours(2),
        );
        // an unrelated mail from someone else
        let mut other =
            mail(&ch, "x1@amazon", &[], "Frage zum Artikel", "Ist das Kabel 2 m lang?", t0() + Duration::hours(3));
        other.reply_to = "zzz@marketplace.amazon.de".into();
        other.order_refs.clear();
        // read again (a crash before the position was stored): nothing doubles
        let r = store.ingest(&[first.clone(), second, other, first], None).await.unwrap();
        assert_eq!((r.stored.len(), r.duplicates), (2, 2));
        let list = store.conversations_where(&all(), t0()).await.unwrap();
        assert_eq!(list.len(), 2);
        let thread = list.iter().find(|c| c.order_id.is_some()).unwrap();
        assert_eq!(thread.order_id.as_deref(), Some("o1"));
        assert_eq!(thread.order_number.as_deref(), Some("302-1234567-7654321"));
        assert_eq!(thread.message_count, 2);
        assert_eq!(thread.unread, 2);
        assert_eq!(thread.buyer_lang, "de-DE");
        assert_eq!(thread.subject, "Bestellung 302-1234567-7654321: Lieferung?");
        let msgs = store.thread(&thread.id).await.unwrap();
        assert_eq!(
            msgs.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
            ["Wo bleibt mein Paket?", "Danke, und die Rechnung?"]
        );
        // a same-buyer mail about the same order without headers joins it too
        let loose =
            mail(&ch, "m9@amazon", &[], "Noch eine Frage zu 302-1234567-7654321", "Hallo?", t0() + Duration::hours(4));
        let r = store.ingest(&[loose], None).await.unwrap();
        assert_eq!(r.stored[0].0, thread.id);
        let only = store.conversations_where(&ConversationFilter { has_order: true, ..all() }, t0()).await.unwrap();
        assert_eq!(only.len(), 1);
    }

    #[tokio::test]
    async fn the_same_message_read_by_two_loops_at_once_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let (store, ch) = shop(dir.path()).await;
        let batch: Vec<NewMessage> =
            (0..50).map(|i| mail(&ch, &format!("r{i}@a"), &[], "Frage", &format!("Text {i}"), t0())).collect();
        let (a, b) = tokio::join!(store.ingest(&batch, None), store.ingest(&batch, None));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.stored.len() + b.stored.len(), 50);
        assert_eq!(a.duplicates + b.duplicates, 50);
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM messages").fetch_one(store.pool()).await.unwrap();
        assert_eq!(n, 50);
    }

    #[tokio::test]
    async fn the_batch_and_the_mailbox_position_commit_together() {
        let dir = tempfile::tempdir().unwrap();
        let (store, ch) = shop(dir.path()).await;
        let mb = store.add_mailbox(&ch, &settings("seller@shop.test")).await.unwrap();
        let pos = MailPosition { mailbox_id: &mb, uid_validity: 77, last_uid: 12 };
        store.ingest(&[mail(&ch, "p1@a", &[], "s", "b", t0())], Some(pos)).await.unwrap();
        let m = store.mailbox(&mb).await.unwrap();
        assert_eq!((m.uid_validity, m.last_uid), (Some(77), 12));
        // a failing batch (a foreign key broken on purpose) stores neither messages nor position
        let mut broken = mail(&ch, "p2@a", &[], "s", "b", t0());
        broken.channel_id = "no-such-channel".into();
        let pos = MailPosition { mailbox_id: &mb, uid_validity: 77, last_uid: 20 };
        assert!(store.ingest(&[mail(&ch, "p3@a", &[], "s", "b", t0()), broken], Some(pos)).await.is_err());
        assert_eq!(store.mailbox(&mb).await.unwrap().last_uid, 12);
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM messages").fetch_one(store.pool()).await.unwrap();
        assert_eq!(n, 1);
    }

    fn settings(address: &str) -> MailboxSettings {
        MailboxSettings {
            address: address.into(),
            username: String::new(),
            imap_host: "127.0.0.1".into(),
            imap_port: 10143,
            imap_security: "none".into(),
            smtp_host: "localhost".into(),
            smtp_port: 10025,
            smtp_security: "none".into(),
            inbox_folder: String::new(),
            sent_folder: String::new(),
        }
    }

    #[tokio::test]
    async fn mailbox_settings_are_checked_and_plain_text_only_to_this_computer() {
        let dir = tempfile::tempdir().unwrap();
        let (store, ch) = shop(dir.path()).await;
        let code = |e: StoreError| match e {
            StoreError::Rejected(p) => format!("{} {}", p.code, p.args.values().cloned().collect::<Vec<_>>().join(",")),
            e => panic!("{e:?}"),
        };
        let mut s = settings("seller@shop.test");
        s.imap_host = "imap.example.com".into();
        assert_eq!(code(store.add_mailbox(&ch, &s).await.unwrap_err()), "mail-insecure imap.example.com");
        s.imap_security = "tls".into();
        s.smtp_host = "smtp.example.com".into();
        s.smtp_security = "starttls".into();
        let id = store.add_mailbox(&ch, &s).await.unwrap();
        let m = store.mailbox(&id).await.unwrap();
        assert_eq!(
            (m.username.as_str(), m.inbox_folder.as_str(), m.sent_folder.as_str()),
            ("seller@shop.test", "INBOX", "Sent")
        );
        assert_eq!(code(store.add_mailbox(&ch, &s).await.unwrap_err()), "invalid-argument duplicate,address");
        for bad in ["no-at", "a@b@c", "@x", "sp ace@x.y"] {
            assert!(code(store.add_mailbox(&ch, &settings(bad)).await.unwrap_err()).contains("address"), "{bad}");
        }
        let mut p = settings("x@y.z");
        p.imap_port = 70000;
        assert!(code(store.add_mailbox(&ch, &p).await.unwrap_err()).contains("port"));
        assert!(code(store.set_reply_hours(&ch, Some(0)).await.unwrap_err()).contains("replyHours"));
    }

    #[tokio::test]
    async fn reply_clocks_follow_the_channel_rule_and_the_seller() {
        let dir = tempfile::tempdir().unwrap();
        let (store, ch) = shop(dir.path()).await;
        let shopee = store.add_channel("shopee", "Shopee MY", "MY", "MYR", "en-MY").await.unwrap();
        store.ingest(&[mail(&ch, "c1@a", &[], "Frage", "Wann kommt es?", t0())], None).await.unwrap();
        let mut chat = mail(&shopee, "9001", &[], "", "When ship?", t0());
        chat.thread = Some("conv-1".into());
        store.ingest(&[chat], None).await.unwrap();
        let list = store.conversations_where(&all(), t0()).await.unwrap();
        let amazon = list.iter().find(|c| c.channel_id == ch).unwrap().clone();
        let shopee_c = list.iter().find(|c| c.channel_id == shopee).unwrap().clone();
        assert_eq!(amazon.reply_by.as_deref(), Some("2026-12-06T08:00:00Z"), "Amazon: 24 h, weekend included");
        assert_eq!(shopee_c.reply_by.as_deref(), Some("2026-12-05T20:00:00Z"), "Shopee: 12 h");
        use mercator_core::inbox::ReplyState;
        assert!(matches!(amazon.reply_state(t0() + Duration::hours(1)), ReplyState::Due(_)));
        assert!(matches!(amazon.reply_state(t0() + Duration::hours(19)), ReplyState::DueSoon(_)));
        assert!(matches!(amazon.reply_state(t0() + Duration::hours(25)), ReplyState::Overdue(_)));
        let c = store.inbox_counts(t0() + Duration::hours(13)).await.unwrap();
        assert_eq!((c.unread, c.needs_reply, c.due_soon, c.overdue), (2, 2, 0, 1));
        let c = store.inbox_counts(t0() + Duration::hours(19)).await.unwrap();
        assert_eq!((c.due_soon, c.overdue), (1, 1));
        let overdue = ConversationFilter { overdue: true, ..all() };
        assert_eq!(store.conversations_where(&overdue, t0() + Duration::hours(13)).await.unwrap().len(), 1);

        // "no reply needed" stops the clock; the buyer writing again starts it anew
        store.close_conversation(&shopee_c.id, t0() + Duration::hours(1)).await.unwrap();
        let c = store.inbox_counts(t0() + Duration::hours(13)).await.unwrap();
        assert_eq!((c.needs_reply, c.overdue), (1, 0));
        let mut again = mail(&shopee, "9002", &[], "", "Hello??", t0() + Duration::hours(2));
        again.thread = Some("conv-1".into());
        store.ingest(&[again], None).await.unwrap();
        let c = store.conversation(&shopee_c.id, t0()).await.unwrap();
        assert_eq!(c.reply_by.as_deref(), Some("2026-12-05T22:00:00Z"));

        // an auto-reply does not stop it; a queued reply does not either, until it is sent
        let mut auto =
            mail(&shopee, "9003", &[], "", "Thanks for your message, we reply soon", t0() + Duration::hours(3));
        auto.thread = Some("conv-1".into());
        auto.direction = Direction::Out;
        auto.auto = true;
        store.ingest(&[auto], None).await.unwrap();
        let reply =
            store.queue_reply(&shopee_c.id, "Shipped today!", "en-MY", None, t0() + Duration::hours(4)).await.unwrap();
        assert!(store.conversation(&shopee_c.id, t0()).await.unwrap().reply_by.is_some());
        store.reply_sent(&reply, t0() + Duration::hours(5)).await.unwrap();
        let c = store.conversation(&shopee_c.id, t0()).await.unwrap();
        assert_eq!((c.reply_by.as_deref(), c.last_reply_at.as_deref()), (None, Some("2026-12-05T13:00:00Z")));
        assert!(matches!(c.reply_state(t0() + Duration::days(3)), ReplyState::Answered));

        // a mailbox's own clock for an own store
        let shop_ch = store.add_channel("shopify", "Own store", "US", "USD", "en-US").await.unwrap();
        let mb = store.add_mailbox(&shop_ch, &settings("help@shop.test")).await.unwrap();
        let mut own = mail(&shop_ch, "s1@x", &[], "Contact form", "Do you ship to Canada?", t0());
        own.mailbox_id = Some(mb);
        store.ingest(&[own], None).await.unwrap();
        let f = ConversationFilter { channel_id: Some(shop_ch.clone()), ..all() };
        assert_eq!(
            store.conversations_where(&f, t0()).await.unwrap()[0].reply_by,
            None,
            "no clock until the seller sets one"
        );
        store.set_reply_hours(&shop_ch, Some(48)).await.unwrap();
        assert_eq!(
            store.conversations_where(&f, t0()).await.unwrap()[0].reply_by.as_deref(),
            Some("2026-12-07T08:00:00Z")
        );
    }

    #[tokio::test]
    async fn search_finds_every_language_and_short_chinese_words() {
        let dir = tempfile::tempdir().unwrap();
        let (store, ch) = shop(dir.path()).await;
        let texts = [
            ("Rückgabe", "Ich möchte den Wasserkocher zurückgeben."),
            ("退货", "我想退货，耳机坏了"),
            ("返品について", "イヤホンが届きません"),
            ("50% off?", "Is there a 50%_discount code"),
        ];
        let batch: Vec<NewMessage> = texts
            .iter()
            .enumerate()
            .map(|(i, (s, b))| mail(&ch, &format!("s{i}@a"), &[], s, b, t0() + Duration::minutes(i as i64)))
            .collect();
        store.ingest(&batch, None).await.unwrap();
        let find = |q: &str| {
            let f = ConversationFilter { search: Some(q.into()), ..all() };
            let store = &store;
            async move {
                store.conversations_where(&f, t0()).await.unwrap().into_iter().map(|c| c.subject).collect::<Vec<_>>()
            }
        };
        assert_eq!(find("wasserkocher").await, ["Rückgabe"]);
        assert_eq!(find("耳机").await, ["退货"], "two characters, no spaces");
        assert_eq!(find("退货 耳机").await, ["退货"]);
        assert_eq!(find("イヤホン").await, ["返品について"]);
        assert_eq!(find("50%_").await, ["50% off?"], "wildcards are literal");
        assert_eq!(find("%").await, ["50% off?"], "a lone % is a percent sign");
        assert!(find("Jonas Becker Rückgabe").await == ["Rückgabe"], "the sender is searchable");
        assert!(find("nothing-like-this").await.is_empty());
        // case folded in every script, not only ASCII
        assert_eq!(find("RÜCKGABE").await, ["Rückgabe"]);
        assert_eq!(find("wasserKOCHER ZURÜCKGEBEN").await, ["Rückgabe"]);
        // the query language of the index is text here, never syntax
        for hostile in ["\"", "\"\"\"", "NEAR(a b)", "a OR b", "*", "body:x", "^ab", "(((", "') OR 1=1 --"] {
            assert!(find(hostile).await.is_empty(), "{hostile}");
        }
    }

    #[tokio::test]
    async fn buyer_data_in_messages_leaves_with_the_order_s_and_after_half_a_year() {
        let dir = tempfile::tempdir().unwrap();
        let (store, ch) = shop(dir.path()).await;
        // o1 shipped on 2026-11-01; a buyer's mail about it before and after the cutoff
        sqlx::query("UPDATE orders SET status = 'shipped', shipped_at = '2026-11-01T00:00:00Z' WHERE id = 'o1'")
            .execute(store.pool())
            .await
            .unwrap();
        let old = mail(
            &ch,
            "p1@amazon",
            &[],
            "Bestellung 302-1234567-7654321",
            "Meine Adresse: Hauptstraße 5, 10115 Berlin",
            t0() - Duration::days(40),
        );
        let new = mail(&ch, "p2@amazon", &["p1@amazon"], "Re: Bestellung", "Noch eine Frage zur Rücksendung", t0());
        let conv = store.ingest(&[old], None).await.unwrap().stored[0].0.clone();
        store.ingest(&[new], None).await.unwrap();
        let waiting =
            store.queue_reply(&conv, "Wir melden uns.", "de-DE", None, t0() - Duration::days(35)).await.unwrap();
        // a conversation without an order, from last spring
        let lonely = mail(
            &ch,
            "p3@amazon",
            &[],
            "Frage",
            "Ich heiße Anna Schmidt, Telefon 030 1234567",
            t0() - Duration::days(200),
        );
        let spring = store.ingest(&[lonely], None).await.unwrap().stored[0].0.clone();

        let cutoff = mercator_store::fmt_ts(t0() - Duration::days(30));
        assert_eq!(store.purge_buyer_data(&cutoff).await.unwrap(), 1, "the order");
        let thread = store.thread(&conv).await.unwrap();
        let by_id = |ext: &str| thread.iter().find(|m| m.external_id.as_deref() == Some(ext)).unwrap().clone();
        let gone = by_id("p1@amazon");
        assert_eq!((gone.body.as_str(), gone.from_name.as_str(), gone.from_address.as_str()), ("", "", ""));
        assert!(gone.purged_at.is_some() && gone.html.is_none());
        assert_eq!(by_id("p2@amazon").body, "Noch eine Frage zur Rücksendung", "newer than the cutoff: kept");
        assert_eq!(
            thread.iter().find(|m| m.id == waiting).unwrap().body,
            "Wir melden uns.",
            "a waiting reply is not the buyer's"
        );
        // the buyer still has a message there: the conversation keeps who to answer
        assert_eq!(
            store.conversation(&conv, t0()).await.unwrap().buyer_address.as_deref(),
            Some("abc123xyz@marketplace.amazon.de")
        );
        // half a year old without an order: gone too, and the conversation forgets the buyer
        let s = store.thread(&spring).await.unwrap();
        assert_eq!(s[0].body, "");
        let c = store.conversation(&spring, t0()).await.unwrap();
        assert_eq!((c.buyer_name.as_str(), c.buyer_address.as_deref()), ("", None));
        // nothing of it is found by search any more
        for q in ["hauptstraße", "10115", "anna schmidt", "1234567 telefon"] {
            let f = ConversationFilter { search: Some(q.into()), ..all() };
            assert!(store.conversations_where(&f, t0()).await.unwrap().is_empty(), "{q}");
        }
        let f = ConversationFilter { search: Some("rücksendung".into()), ..all() };
        assert_eq!(store.conversations_where(&f, t0()).await.unwrap().len(), 1);
        // and not in the file: secure_delete and the WAL checkpoint
        let db = std::fs::read(dir.path().join("mercator.db")).unwrap();
        let wal = std::fs::read(dir.path().join("mercator.db-wal")).unwrap_or_default();
        for secret in ["Hauptstraße 5", "030 1234567"] {
            let needle = secret.as_bytes();
            assert!(!db.windows(needle.len()).any(|w| w == needle), "{secret} in the database file");
            assert!(!wal.windows(needle.len()).any(|w| w == needle), "{secret} in the WAL");
        }
    }

    #[tokio::test]
    async fn search_of_a_rare_term_beside_a_word_in_every_mail_and_past_many_near_misses() {
        let dir = tempfile::tempdir().unwrap();
        let (store, ch) = shop(dir.path()).await;
        // 3,000 mails share "Nummer" and the trigrams of "302-1000000"'s
        // pieces; one holds the whole number, and it is the oldest
        let batch: Vec<NewMessage> = (0..3000)
            .map(|i| {
                let body = format!("Nachricht Nummer {i}, Bestellung 302-{:07}-0000000", 1_000_001 + i);
                let subject = if i == 0 { "Gesucht".to_string() } else { format!("Frage {i}") };
                let body = if i == 0 { "Nachricht Nummer 0, Bestellung 302-1000000-0000000".to_string() } else { body };
                mail(&ch, &format!("n{i}@a"), &[], &subject, &body, t0() + Duration::seconds(i64::from(i)))
            })
            .collect();
        store.ingest(&batch, None).await.unwrap();
        let find = |q: &str, limit: i64| {
            let f = ConversationFilter { search: Some(q.into()), limit, ..all() };
            let store = &store;
            async move {
                store.conversations_where(&f, t0()).await.unwrap().into_iter().map(|c| c.subject).collect::<Vec<_>>()
            }
        };
        assert_eq!(find("nummer 302-1000000", 50).await, ["Gesucht"], "found behind 2,999 near misses");
        assert_eq!(find("302-1000000 NUMMER", 50).await, ["Gesucht"]);
        assert_eq!(find("1000000 fehlt", 50).await, Vec::<String>::new(), "every term must match");
        let page = find("nummer", 30).await;
        assert_eq!(page.len(), 30);
        assert_eq!(page[0], "Frage 2999", "newest first");
        let f = ConversationFilter { search: Some("nummer".into()), limit: 30, offset: 2990, ..all() };
        let tail: Vec<String> =
            store.conversations_where(&f, t0()).await.unwrap().into_iter().map(|c| c.subject).collect();
        assert_eq!(tail.len(), 10);
        assert_eq!(tail.last().map(String::as_str), Some("Gesucht"));
    }

    #[tokio::test]
    async fn a_reply_and_its_outbox_entry_are_one_and_name_the_thread() {
        let dir = tempfile::tempdir().unwrap();
        let (store, ch) = shop(dir.path()).await;
        let mb = store.add_mailbox(&ch, &settings("seller@shop.test")).await.unwrap();
        let mut first = mail(&ch, "root@amazon", &[], "Frage", "Hallo", t0());
        first.mailbox_id = Some(mb);
        let second = mail(&ch, "next@amazon", &["root@amazon"], "AW: Frage", "Noch da?", t0() + Duration::hours(1));
        let r = store.ingest(&[first, second], None).await.unwrap();
        let conv = r.stored[0].0.clone();
        let empty = store.queue_reply(&conv, "  \n ", "de-DE", None, t0()).await.unwrap_err();
        assert!(matches!(empty, StoreError::Rejected(p) if p.code == "reply-empty"));
        let id =
            store.queue_reply(&conv, "Guten Tag!", "de-DE", Some("你好！"), t0() + Duration::hours(2)).await.unwrap();
        let job = store.reply_job(&id).await.unwrap();
        assert!(job.external_id.ends_with("@shop.test"), "{}", job.external_id);
        assert_eq!(job.to_address.as_deref(), Some("abc123xyz@marketplace.amazon.de"));
        assert_eq!((job.status.as_str(), job.subject.as_str()), ("waiting", "Re: Frage"));
        assert_eq!(store.reply_parents(&id).await.unwrap(), ["next@amazon", "root@amazon"]);
        let entries: Vec<(String, String)> =
            sqlx::query_as("SELECT kind, aggregate_id FROM outbox").fetch_all(store.pool()).await.unwrap();
        assert_eq!(entries, [(REPLY_KIND.to_string(), id.clone())]);
        let msgs = store.thread(&conv).await.unwrap();
        let last = msgs.last().unwrap();
        assert_eq!((last.status.as_str(), last.original.as_deref()), ("waiting", Some("你好！")));
        // refused for good: failed with the reason, retry puts it back
        store.reply_problem(&id, "550 mailbox unavailable", true).await.unwrap();
        let c = store.conversation(&conv, t0()).await.unwrap();
        assert_eq!((c.waiting_replies, c.failed_replies), (0, 1));
        store.retry_reply(&id).await.unwrap();
        assert_eq!(store.reply_job(&id).await.unwrap().status, "waiting");
    }

    #[tokio::test]
    async fn templates_are_checked_when_saved() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = shop(dir.path()).await;
        let id = store
            .save_template("Versand", "de-DE", "Hallo {buyer_name}, Ihre Bestellung {order_number} ist unterwegs.")
            .await
            .unwrap();
        let again = store.save_template("Versand", "de-DE", "Hallo {buyer_name}!").await.unwrap();
        assert_eq!(id, again, "same name and language: replaced");
        let e = store.save_template("Bad", "en-US", "Hi {buyer}").await.unwrap_err();
        assert!(matches!(e, StoreError::Rejected(p) if p.code == "template-unknown-variable"));
        let e = store.save_template("Bad", "en-US", "Hi {buyer_name").await.unwrap_err();
        assert!(matches!(e, StoreError::Rejected(p) if p.code == "template-unclosed"));
        assert_eq!(store.templates().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn the_demo_shop_has_threaded_conversations_with_clocks() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path()).await;
        let list = store.conversations_where(&all(), OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!(list.len(), 6);
        assert!(list.iter().any(|c| c.order_id.is_some()));
        assert!(list.iter().any(|c| c.reply_by.is_some()));
        let c = store.inbox_counts(OffsetDateTime::now_utc()).await.unwrap();
        assert!(
            c.overdue >= 1 && c.due_soon >= 1 && c.needs_reply > c.overdue,
            "{c:?} {:#?}",
            list.iter().map(|c| (&c.channel_kind, &c.last_buyer_at, &c.last_reply_at, &c.reply_by)).collect::<Vec<_>>()
        );
        assert_eq!(store.templates().await.unwrap().len(), 6);
    }
}
