//! Connectors against the marketplaces' published examples and against local
//! servers that speak their protocols with faults injected.

use mercator_channels::amazon::{Amazon, AmazonAccount, AmazonSecrets, Shipment};
use mercator_channels::http::RetryPolicy;
use mercator_channels::shopify::{Shopify, ShopifyAccount, ShopifySecrets};
use mercator_channels::{ChannelError, OrderState, Window};
use mercator_testkit::{AmazonFake, Fault, ShopifyFake};
use mercator_vault::Secret;
use std::path::PathBuf;
use std::time::Duration;
use time::OffsetDateTime;

fn specs() -> PathBuf {
    // vendored with their licences: tests/contracts/PROVENANCE.md
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/contracts")
}

fn amazon(fake: &AmazonFake) -> Amazon {
    mercator_testkit::amazon_connector(&fake.url(), &fake.url()).unwrap()
}

fn month() -> Window {
    let now = OffsetDateTime::now_utc();
    Window { after: now - time::Duration::days(31), before: now }
}

async fn pull_all(a: &Amazon, w: &Window) -> Result<Vec<mercator_channels::Order>, ChannelError> {
    let mut out = vec![];
    let mut token: Option<String> = None;
    loop {
        let page = a.search_orders(w, token.as_deref()).await?;
        out.extend(page.orders);
        match page.next {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

#[test]
fn amazon_published_examples_map_to_orders() {
    let path = specs().join("amazon/sample-cases/orders_2026-01-01.cases.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        panic!("the marketplace specs are needed at {}", path.display());
    };
    let cases: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut mapped = 0;
    for c in cases.as_array().unwrap() {
        if c["status"] != "200" {
            continue;
        }
        let resp = &c["response"];
        let orders: Vec<&serde_json::Value> = match resp.get("orders") {
            Some(list) => list.as_array().unwrap().iter().collect(),
            None => resp.get("order").into_iter().collect(),
        };
        for o in orders {
            let m = mercator_channels::amazon::map_order(o, mercator_core::Currency::USD).unwrap();
            assert!(!m.external_id.is_empty());
            assert!(!m.lines.is_empty());
            mapped += 1;
        }
    }
    assert!(mapped >= 3, "{mapped}");
    // the documented example in detail
    let o = &cases[0]["response"]["orders"][0];
    let m = mercator_channels::amazon::map_order(o, mercator_core::Currency::USD).unwrap();
    assert_eq!(m.external_id, "123-4567890-1234567");
    assert_eq!((m.state, m.raw_status.as_str()), (OrderState::Shipped, "SHIPPED"));
    assert_eq!((m.total_minor, m.tax_minor, m.currency.code()), (15499, 2, "USD"));
    assert_eq!(m.lines[0].sku, "ECHO-DOT-4-CHARCOAL");
    assert_eq!((m.lines[0].quantity, m.lines[0].unit_price_minor), (2, 4999));
    assert_eq!(m.ship_to.as_ref().unwrap().country, "US");
}

#[test]
fn woocommerce_documented_order_maps() {
    let dir = specs().join("woocommerce/examples");
    let mut found = false;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        // orders, not refunds (a refund has lines and a date but no order totals)
        if !e.file_name().to_string_lossy().starts_with("orders-") {
            continue;
        }
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        let candidates: Vec<&serde_json::Value> = match &v {
            serde_json::Value::Array(a) => a.iter().collect(),
            o => vec![o],
        };
        for o in candidates {
            if o.get("line_items").is_some() && o.get("date_created_gmt").is_some() {
                let m = mercator_channels::woocommerce::map_order(o, mercator_core::Currency::USD).unwrap();
                assert!(!m.external_id.is_empty());
                assert_eq!(m.total_minor, m.subtotal_minor + m.tax_minor + m.shipping_minor);
                found = true;
            }
        }
    }
    assert!(found, "a documented WooCommerce order in {}", dir.display());
}

#[tokio::test(flavor = "multi_thread")]
async fn amazon_pages_through_a_window_with_one_token() {
    let fake = AmazonFake::start(250, 1).await;
    let a = amazon(&fake);
    let orders = pull_all(&a, &month()).await.unwrap();
    assert_eq!(orders.len(), 250);
    let ids: std::collections::HashSet<_> = orders.iter().map(|o| o.external_id.clone()).collect();
    assert_eq!(ids.len(), 250, "no duplicates across pages");
    let (requests, tokens, _) = fake.stats();
    assert_eq!((requests, tokens), (3, 1), "100 per page; the token is cached");
    assert!(orders.iter().all(|o| o.currency.code() == "EUR" && o.total_minor > 0 && !o.lines.is_empty()));
}

#[tokio::test(flavor = "multi_thread")]
async fn amazon_retries_rate_limits_and_server_errors_and_refreshes_expired_tokens() {
    let fake = AmazonFake::start(150, 2).await;
    fake.script([Fault::TooManyRequests, Fault::ServerError, Fault::TooManyRequests, Fault::ExpireToken]);
    let a = amazon(&fake);
    let orders = pull_all(&a, &month()).await.unwrap();
    assert_eq!(orders.len(), 150);
    let (_, tokens, faults) = fake.stats();
    assert_eq!(faults, 4);
    assert_eq!(tokens, 2, "one refresh after the expired token");
    assert!(a.http.waited_ms.load(std::sync::atomic::Ordering::Relaxed) > 0, "waited for the rate limit");
}

#[tokio::test(flavor = "multi_thread")]
async fn amazon_gives_up_after_retries_and_a_truncated_page_fails_alone() {
    let fake = AmazonFake::start(50, 3).await;
    fake.script(std::iter::repeat_n(Fault::TooManyRequests, 10));
    let a = amazon(&fake);
    let e = a.search_orders(&month(), None).await.unwrap_err();
    assert!(matches!(e, ChannelError::RateLimited(_)), "{e:?}");
    fake.no_faults();
    fake.script([Fault::Truncated]);
    let e = a.search_orders(&month(), None).await.unwrap_err();
    assert!(matches!(e, ChannelError::BadResponse(_)), "{e:?}");
    // the same page again works
    assert_eq!(a.search_orders(&month(), None).await.unwrap().orders.len(), 50);
    // a timeout is retried
    fake.script([Fault::Delay(Duration::from_millis(2500))]);
    assert_eq!(a.search_orders(&month(), None).await.unwrap().orders.len(), 50);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_host_is_offline_and_a_failing_one_is_unavailable() {
    // nothing listens on this port any more: connection refused, as with no network
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let a = mercator_testkit::amazon_connector(&url, &url).unwrap();
    let e = a.search_orders(&month(), None).await.unwrap_err();
    assert!(matches!(e, ChannelError::Offline(_)), "{e:?}");
    assert!(e.is_transient());
    assert_eq!(mercator_core::ErrorPayload::from(&e).code, "channel-offline");
    // a server that answers 500 every time is reachable: unavailable, not offline
    let fake = AmazonFake::start(5, 9).await;
    fake.script(std::iter::repeat_n(Fault::ServerError, 10));
    let e = amazon(&fake).search_orders(&month(), None).await.unwrap_err();
    assert!(matches!(e, ChannelError::Unavailable(_)), "{e:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn amazon_reads_fba_stock_page_by_page() {
    let fake = AmazonFake::start(0, 35).await;
    fake.set_fba(&[("KIT-00001-BLK", 40, 12, 3), ("KIT-00001-WHT", 0, 0, 0), ("ELE-00012-BLK", 7, 0, 1)]);
    let a = amazon(&fake);
    let first = a.fba_inventory(None).await.unwrap();
    assert_eq!(first.items.len(), 2);
    assert_eq!(
        first.items[0],
        mercator_channels::amazon::FbaItem {
            seller_sku: "KIT-00001-BLK".into(),
            fulfillable: 40,
            inbound: 12,
            reserved: 3,
            total: 55
        }
    );
    let second = a.fba_inventory(first.next.as_deref()).await.unwrap();
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.next, None);
    // a 500 is retried
    fake.script([Fault::ServerError]);
    assert_eq!(a.fba_inventory(None).await.unwrap().items.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn amazon_and_shopify_list_the_accounts_listings_page_by_page() {
    let fake = AmazonFake::start(0, 36).await;
    let a = amazon(&fake);
    let first = a.listings(None).await.unwrap();
    assert_eq!(first.listings.len(), 4);
    assert_eq!(first.listings[0].sku, "KIT-00001-BLK");
    assert_eq!(first.listings[0].price.as_deref(), Some("10.99"));
    assert!(first.listings[0].live && !first.listings[0].external_id.is_empty());
    let second = a.listings(first.next.as_deref()).await.unwrap();
    assert_eq!(second.listings.len(), 2);
    assert!(second.next.is_none());
    assert!(!second.listings[1].live, "DISCOVERABLE only is not buyable");
    let shop = ShopifyFake::start(0, 37).await;
    shop.budget(100_000, 100_000);
    let s = shopify(&shop, mercator_testkit::shopify::ACCESS_TOKEN);
    let page = s.listings(None).await.unwrap();
    assert_eq!(page.listings.len(), 5);
    assert!(page.next.is_none());
    assert!(!page.listings[0].live && page.listings[1].live, "a draft product is not live");
    assert_eq!(page.listings[1].external_id, "gid://shopify/ProductVariant/4001");
}

#[tokio::test(flavor = "multi_thread")]
async fn amazon_wrong_credentials_are_an_auth_error_without_secrets() {
    let fake = AmazonFake::start(5, 4).await;
    let a = Amazon::new(
        AmazonAccount {
            endpoint: fake.url(),
            token_url: format!("{}/auth/o2/token", fake.url()),
            marketplace_id: mercator_testkit::MARKETPLACE.into(),
            client_id: mercator_testkit::CLIENT_ID.into(),
            currency: "EUR".into(),
            seller_id: "A2SELLERTEST".into(),
        },
        AmazonSecrets { client_secret: Secret::new("wrong-secret-value"), refresh_token: Secret::new("Atzr|nope") },
        RetryPolicy::fast(),
    )
    .unwrap();
    let e = a.test_connection().await.unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, ChannelError::Auth(_)), "{e:?}");
    assert!(!text.contains("wrong-secret-value") && !text.contains("Atzr|nope"), "{text}");
    assert!(text.contains("invalid_grant"));
}

#[tokio::test(flavor = "multi_thread")]
async fn amazon_confirms_shipments() {
    let fake = AmazonFake::start(3, 5).await;
    let a = amazon(&fake);
    let id = fake.snapshot()[0].0.clone();
    let s = Shipment {
        package_reference_id: "1".into(),
        carrier_code: "DHL".into(),
        tracking_number: "00340434161094042557".into(),
        ship_date: OffsetDateTime::now_utc(),
        items: vec![("0000000000".into(), 1)],
    };
    a.confirm_shipment(&id, &s).await.unwrap();
    let sent = fake.shipments();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1["packageDetail"]["trackingNumber"], "00340434161094042557");
    let e = a.confirm_shipment("999-0000000-0000000", &s).await.unwrap_err();
    assert!(matches!(e, ChannelError::Rejected(_)));
}

fn shopify(fake: &ShopifyFake, token: &str) -> Shopify {
    Shopify::new(
        ShopifyAccount { shop_url: fake.url(), currency: "USD".into() },
        ShopifySecrets { access_token: Secret::new(token) },
        RetryPolicy::fast(),
    )
    .unwrap()
}

async fn shopify_all(s: &Shopify, w: &Window) -> Result<Vec<mercator_channels::Order>, ChannelError> {
    let mut out = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let page = s.orders(w, cursor.as_deref()).await?;
        out.extend(page.orders);
        match page.next {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn shopify_pages_orders_with_all_their_lines_within_the_cost_limit() {
    let fake = ShopifyFake::start(70, 11).await;
    fake.budget(100_000, 100_000);
    let s = shopify(&fake, mercator_testkit::shopify::ACCESS_TOKEN);
    let orders = shopify_all(&s, &month()).await.unwrap();
    let ids: std::collections::BTreeSet<_> = orders.iter().map(|o| o.external_id.clone()).collect();
    let server: std::collections::BTreeSet<_> = fake.snapshot().into_iter().map(|(id, _, _)| id).collect();
    assert_eq!(ids, server, "every order once");
    assert_eq!(orders.len(), 70);
    let stats = fake.stats();
    assert_eq!(stats.order_requests, 4, "20 orders a page");
    assert_eq!(stats.throttled, 0);
    // order 3 (and every 17th after it) has seven lines: five in the page, two fetched after
    let long = orders.iter().find(|o| o.external_id == "gid://shopify/Order/5000000003").unwrap();
    assert_eq!(long.lines.len(), 7);
    let line_ids: std::collections::BTreeSet<_> = long.lines.iter().map(|l| l.external_id.clone()).collect();
    assert_eq!(line_ids.len(), 7, "no line twice");
    for o in &orders {
        let lines: i64 = o.lines.iter().map(|l| l.unit_price_minor * l.quantity).sum();
        assert_eq!(o.subtotal_minor, lines, "{}: subtotal is the lines", o.external_id);
        assert_eq!(o.total_minor, o.subtotal_minor + o.tax_minor + o.shipping_minor);
        assert_eq!(o.currency.code(), "USD");
    }
    assert!(orders.iter().any(|o| o.state == OrderState::Shipped));
    assert!(orders.iter().any(|o| o.state == OrderState::Cancelled));
    assert!(orders.iter().any(|o| o.state == OrderState::Pending));
}

#[tokio::test(flavor = "multi_thread")]
async fn shopify_paces_itself_by_the_cost_budget_and_retries_throttled_and_server_errors() {
    let fake = ShopifyFake::start(100, 12).await;
    // a small bucket: without pacing the second page would be THROTTLED
    fake.budget(1000, 2000);
    let s = shopify(&fake, mercator_testkit::shopify::ACCESS_TOKEN);
    let orders = shopify_all(&s, &month()).await.unwrap();
    assert_eq!(orders.len(), 100);
    assert_eq!(fake.stats().throttled, 0, "waited for the bucket instead of being refused");
    let page = s.orders(&month(), None).await.unwrap();
    assert!(page.rate_limit.as_deref().is_some_and(|r| r.contains("/1000 points")), "{:?}", page.rate_limit);
    // a THROTTLED answer and a 503 are retried; the pages still add up
    fake.script([Fault::TooManyRequests, Fault::ServerError, Fault::DuplicatePage, Fault::OverlappingPage]);
    let again = shopify_all(&s, &month()).await.unwrap();
    let ids: std::collections::BTreeSet<_> = again.iter().map(|o| o.external_id.clone()).collect();
    assert_eq!(ids.len(), 100);
    assert!(fake.stats().throttled >= 1);
    // a truncated page fails alone, the same page again works
    fake.script([Fault::Truncated]);
    assert!(matches!(s.orders(&month(), None).await.unwrap_err(), ChannelError::BadResponse(_)));
    assert_eq!(s.orders(&month(), None).await.unwrap().orders.len(), 20);
}

#[tokio::test(flavor = "multi_thread")]
async fn shopify_refuses_queries_over_the_cost_limit_and_wrong_tokens() {
    let fake = ShopifyFake::start(5, 13).await;
    let s = shopify(&fake, mercator_testkit::shopify::ACCESS_TOKEN);
    let q = mercator_channels::shopify::orders_query().replace("lineItems(first: 5)", "lineItems(first: 100)");
    let w = month();
    let vars = serde_json::json!({ "first": 100, "query": format!("updated_at:>='{}' AND updated_at:<'{}'",
        mercator_channels::fmt_time(w.after), mercator_channels::fmt_time(w.before)) });
    let e = s.graphql(&q, vars).await.unwrap_err();
    assert!(e.to_string().contains("max cost"), "{e}");
    let bad = shopify(&fake, "shpat_wrong_value");
    let e = bad.test_connection().await.unwrap_err();
    assert!(matches!(e, ChannelError::Auth(_)), "{e:?}");
    assert!(!e.to_string().contains("shpat_wrong_value"));
    s.test_connection().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn shopify_fulfils_once_with_tracking_and_sets_stock() {
    let fake = ShopifyFake::start(40, 14).await;
    fake.budget(100_000, 100_000);
    let s = shopify(&fake, mercator_testkit::shopify::ACCESS_TOKEN);
    let (gid, _, _) = fake
        .snapshot()
        .into_iter()
        .find(|(id, _, st)| {
            st == "UNFULFILLED" && {
                let n: u64 = id.rsplit('/').next().unwrap().parse().unwrap();
                (n - 5_000_000_000) % 29 != 5
            }
        })
        .unwrap();
    s.fulfill(&gid, "UPS", "1Z999AA10123456784", Some("https://www.ups.com/track?tracknum=1Z999AA10123456784"), true)
        .await
        .unwrap();
    // sent again (a retry after a lost answer): nothing more is created
    s.fulfill(&gid, "UPS", "1Z999AA10123456784", None, true).await.unwrap();
    let st = fake.stats();
    assert_eq!(st.fulfillments.len(), 1);
    assert_eq!(st.fulfillments[0].0, gid);
    assert_eq!(st.fulfillments[0].1["trackingInfo"]["number"], "1Z999AA10123456784");
    let status = fake.snapshot().into_iter().find(|(id, _, _)| *id == gid).unwrap().2;
    assert_eq!(status, "FULFILLED");
    s.set_stock("gid://shopify/InventoryItem/30322695", "gid://shopify/Location/124656943", 17, "mercator://stock/1")
        .await
        .unwrap();
    assert_eq!(fake.stats().stock_sets[0]["quantities"][0]["quantity"], 17);
    let e = s.set_stock("30322695", "gid://shopify/Location/1", 1, "mercator://stock/2").await.unwrap_err();
    assert!(matches!(e, ChannelError::Rejected(_)));
    // by SKU: the variant's inventory item at the shop's location
    s.set_sku_stock("ELE-00012-BLK", 9, "mercator://stock/3").await.unwrap();
    let set = fake.stats().stock_sets.last().cloned().unwrap();
    assert_eq!(set["quantities"][0]["inventoryItemId"], "gid://shopify/InventoryItem/7002");
    assert_eq!(set["quantities"][0]["locationId"], "gid://shopify/Location/1");
    assert_eq!(set["quantities"][0]["quantity"], 9);
    let e = s.set_sku_stock("NOT-IN-SHOP", 1, "mercator://stock/4").await.unwrap_err();
    assert!(e.to_string().contains("NOT-IN-SHOP"), "{e}");
}

/// The published specs served by validating mocks (`cargo xtask conformance`
/// starts them and passes their addresses). Run alone, these fail.
mod conformance {
    use super::*;
    use serde_json::json;

    fn mock(var: &str) -> String {
        std::env::var(var).unwrap_or_else(|_| panic!("{var} is not set: run `cargo xtask conformance`"))
    }

    fn amazon_at(endpoint: String, tokens: &AmazonFake) -> Amazon {
        mercator_testkit::amazon_connector(&endpoint, &tokens.url()).unwrap()
    }

    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "needs Prism serving Amazon's models: cargo xtask conformance"]
    async fn amazon_requests_pass_the_published_models_and_their_examples_parse() {
        let tokens = AmazonFake::start(0, 1).await;
        // Orders 2026-01-01 searchOrders: our query passes the model; its example answer maps
        let orders = amazon_at(mock("PRISM_ORDERS"), &tokens);
        let page = orders.search_orders(&month(), None).await.unwrap();
        assert!(!page.orders.is_empty(), "the example order maps");
        assert!(page.orders.iter().all(|o| !o.lines.is_empty() && o.total_minor > 0));
        let next = page.next.expect("the example has a next token");
        orders.search_orders(&month(), Some(&next)).await.unwrap();
        // getOrder with PACKAGES (the check before confirming a shipment): the example's package
        let tracking = orders.tracking_numbers("123-4567890-1234567").await.unwrap();
        assert!(!tracking.is_empty() && tracking.iter().all(|t| !t.is_empty()), "{tracking:?}");
        // the mock does validate: a date that is not a date-time, an unknown data set, are refused
        for q in ["lastUpdatedAfter=yesterday", "lastUpdatedAfter=2026-11-01T00:00:00Z&includedData=EVERYTHING"] {
            let bad = reqwest::get(format!("{}/orders/2026-01-01/orders?{q}", mock("PRISM_ORDERS"))).await.unwrap();
            assert!(bad.status().is_client_error(), "Prism rejects {q}: {}", bad.status());
        }
        // Orders v0 confirmShipment
        let v0 = amazon_at(mock("PRISM_ORDERS_V0"), &tokens);
        let s = Shipment {
            package_reference_id: "1".into(),
            carrier_code: "DHL".into(),
            tracking_number: "00340434161094042557".into(),
            ship_date: OffsetDateTime::now_utc(),
            items: vec![("12345678901234".into(), 1)],
        };
        v0.confirm_shipment("302-1234567-1234567", &s).await.unwrap();
        // Listings Items 2021-08-01 patchListingsItem (price)
        let listings = amazon_at(mock("PRISM_LISTINGS"), &tokens);
        listings.patch_price("KIT-00001-BLK", "EUR", "19.99").await.unwrap();
        listings.patch_quantity("KIT-00001-BLK", 17).await.unwrap();
        listings.patch_content("KIT-00001-BLK", &super::hostile_content("de-DE")).await.unwrap();
        // searchListingsItems: our query passes; the example answer maps
        let found = listings.listings(None).await.unwrap();
        assert!(found.listings.iter().all(|l| !l.sku.is_empty()), "{found:?}");
        // FBA Inventory v1 getInventorySummaries: our query passes; the example answer maps
        let fba = amazon_at(mock("PRISM_FBA"), &tokens);
        let page = fba.fba_inventory(None).await.unwrap();
        assert!(!page.items.is_empty() && page.items.iter().all(|i| !i.seller_sku.is_empty()), "{page:?}");
        let bad = reqwest::get(format!("{}/fba/inventory/v1/summaries?granularityType=Country", mock("PRISM_FBA")))
            .await
            .unwrap();
        assert!(bad.status().is_client_error(), "Prism refuses a query without the marketplace: {}", bad.status());
        let bad = reqwest::Client::new()
            .patch(format!(
                "{}/listings/2021-08-01/items/A2SELLERTEST/KIT-00001-BLK?marketplaceIds={}",
                mock("PRISM_LISTINGS"),
                mercator_testkit::MARKETPLACE
            ))
            .json(&json!({ "patches": "not a list" }))
            .send()
            .await
            .unwrap();
        assert!(bad.status().is_client_error(), "a patch without productType is refused: {}", bad.status());
        let bad = reqwest::Client::new()
            .post(format!("{}/orders/v0/orders/302-1234567-1234567/shipmentConfirmation", mock("PRISM_ORDERS_V0")))
            .json(&json!({ "packageDetail": { "trackingNumber": "1" } }))
            .send()
            .await
            .unwrap();
        assert!(bad.status().is_client_error(), "a confirmation without marketplaceId is refused: {}", bad.status());
    }

    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "needs Prism serving Amazon's models: cargo xtask conformance"]
    async fn amazon_messaging_requests_pass_the_published_model() {
        let tokens = AmazonFake::start(0, 1).await;
        let m = amazon_at(mock("PRISM_MESSAGING"), &tokens);
        // getMessagingActionsForOrder: our request passes; the model's example
        // answer parses, and its one action (negativeFeedbackRemoval) is a kind
        // Amazon removed from the model, so none is offered
        let kinds = m.messaging_actions("123-1234567-1234567").await.unwrap();
        assert!(kinds.is_empty(), "{kinds:?}");
        m.buyer_locale("123-1234567-1234567").await.unwrap();
        // every text kind's send passes its request schema (minLength/maxLength, marketplaceIds)
        for k in mercator_channels::amazon::messaging::KINDS.iter().filter(|k| k.max_text > 0) {
            let text = "Ihr Paket ist unterwegs: Zustellung am Freitag. 您的包裹已发出。".repeat(k.max_text / 60);
            let send = mercator_channels::amazon::messaging::MessagingSend { text, ..Default::default() };
            m.send_messaging("123-1234567-1234567", k.name, &send).await.unwrap_or_else(|e| panic!("{}: {e}", k.name));
        }
        let warranty = mercator_channels::amazon::messaging::MessagingSend {
            text: String::new(),
            coverage: Some(("2026-12-01T00:00:00Z".into(), "2028-12-01T00:00:00Z".into())),
            ..Default::default()
        };
        m.send_messaging("123-1234567-1234567", "warranty", &warranty).await.unwrap();
        // the document kinds name an upload (the Uploads API itself is not in the vendored models)
        for kind in ["invoice", "legalDisclosure"] {
            m.send_document_message(
                "123-1234567-1234567",
                kind,
                "5d4e42b5-1d6e-44e8-a89c-2abfca0625bb",
                "Rechnung-1001.pdf",
            )
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        }
        // the mock does validate: no marketplace, or a text over the limit, is refused
        let url = format!(
            "{}/messaging/v1/orders/123-1234567-1234567/messages/confirmDeliveryDetails",
            mock("PRISM_MESSAGING")
        );
        let c = reqwest::Client::new();
        let bad = c.post(&url).json(&json!({ "text": "x" })).send().await.unwrap();
        assert!(bad.status().is_client_error(), "no marketplaceIds: {}", bad.status());
        let bad = c
            .post(format!("{url}?marketplaceIds={}", mercator_testkit::MARKETPLACE))
            .json(&json!({ "text": "x".repeat(2001) }))
            .send()
            .await
            .unwrap();
        assert!(bad.status().is_client_error(), "2,001 characters: {}", bad.status());
        // and ours refuses both before any request
        let long = mercator_channels::amazon::messaging::MessagingSend { text: "x".repeat(2001), ..Default::default() };
        assert!(m.send_messaging("123-1234567-1234567", "confirmDeliveryDetails", &long).await.is_err());
        assert!(m.send_messaging("../../x", "confirmDeliveryDetails", &warranty).await.is_err());
    }

    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "needs the Shopify schema mock: cargo xtask conformance"]
    async fn shopify_operations_pass_the_published_schema() {
        use mercator_channels::shopify::*;
        let s = Shopify::new(
            ShopifyAccount { shop_url: mock("SHOPIFY_SCHEMA_MOCK"), currency: "USD".into() },
            ShopifySecrets { access_token: Secret::new("shpat_conformance") },
            RetryPolicy::fast(),
        )
        .unwrap();
        let w = month();
        let window = format!(
            "updated_at:>='{}' AND updated_at:<'{}'",
            mercator_channels::fmt_time(w.after),
            mercator_channels::fmt_time(w.before)
        );
        let open = vec![json!({ "fulfillmentOrderId": "gid://shopify/FulfillmentOrder/1" })];
        let ops: Vec<(&str, String, serde_json::Value)> = vec![
            ("orders", orders_query(), json!({ "first": ORDERS_PER_PAGE, "after": null, "query": window })),
            (
                "orders, next page",
                orders_query(),
                json!({ "first": ORDERS_PER_PAGE, "after": "eyJsYXN0X2lkIjo1fQ==", "query": window }),
            ),
            (
                "order lines",
                order_lines_query(),
                json!({ "id": "gid://shopify/Order/1", "after": "eyJsYXN0X2lkIjo1fQ==" }),
            ),
            ("fulfillment orders", FULFILLMENT_ORDERS_QUERY.to_string(), json!({ "id": "gid://shopify/Order/1" })),
            (
                "fulfillmentCreate",
                FULFILL_MUTATION.to_string(),
                fulfill_variables(
                    &open,
                    "UPS",
                    "1Z999AA10123456784",
                    Some("https://www.ups.com/track?tracknum=1Z999AA10123456784"),
                    true,
                ),
            ),
            (
                "fulfillmentCreate without url",
                FULFILL_MUTATION.to_string(),
                fulfill_variables(&open, "UPS", "1Z999AA10123456784", None, false),
            ),
            (
                "inventorySetQuantities",
                SET_STOCK_MUTATION.to_string(),
                stock_variables("gid://shopify/InventoryItem/1", "gid://shopify/Location/1", 5, "mercator://stock/1"),
            ),
            ("shop", SHOP_QUERY.to_string(), json!({})),
            ("variant by SKU", VARIANT_BY_SKU_QUERY.to_string(), json!({ "q": "sku:\"KIT-00001-BLK\"" })),
            (
                "productVariantsBulkUpdate (price)",
                SET_PRICE_MUTATION.to_string(),
                json!({ "p": "gid://shopify/Product/1", "v": [{ "id": "gid://shopify/ProductVariant/1", "price": "24.50" }] }),
            ),
            ("productVariants (linking)", VARIANTS_QUERY.to_string(), json!({ "first": 100, "after": null })),
            (
                "productUpdate (text)",
                CONTENT_MUTATION.to_string(),
                json!({ "p": { "id": "gid://shopify/Product/1", "title": "T", "descriptionHtml": "<p>x</p>", "tags": ["a"] } }),
            ),
        ];
        for (name, q, vars) in ops {
            if let Err(e) = s.graphql(&q, vars).await {
                panic!("{name}: the schema refuses it: {e}");
            }
        }
        // the mock does validate: an unknown field and a wrongly typed variable are refused
        let e = s.graphql("query { shop { name notAField } }", json!({})).await.unwrap_err();
        assert!(e.to_string().contains("notAField"), "{e}");
        let e = s.graphql(FULFILL_MUTATION, json!({ "f": { "trackingInfo": { "number": 5 } } })).await.unwrap_err();
        assert!(matches!(e, ChannelError::Rejected(_)), "{e}");
    }
}

mod woo {
    use super::*;
    use mercator_channels::woocommerce::{WooAccount, WooCommerce, WooSecrets};
    use mercator_testkit::woo::{CONSUMER_KEY, CONSUMER_SECRET};
    use mercator_testkit::WooFake;
    use std::collections::BTreeSet;

    fn woo(fake: &WooFake, secret: &str) -> WooCommerce {
        WooCommerce::new(
            WooAccount { base_url: fake.url(), currency: "USD".into() },
            WooSecrets { consumer_key: Secret::new(CONSUMER_KEY), consumer_secret: Secret::new(secret) },
            RetryPolicy::fast(),
        )
        .unwrap()
    }

    async fn all(w: &WooCommerce, win: &Window) -> (Vec<mercator_channels::Order>, usize) {
        let mut out = vec![];
        let mut token: Option<String> = None;
        let mut requests = 0;
        loop {
            let page = w.orders(win, token.as_deref()).await.unwrap();
            requests += 1;
            out.extend(page.orders);
            match page.next {
                Some(t) => token = Some(t),
                None => return (out, requests),
            }
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn woocommerce_pages_back_from_the_last_page_so_changes_while_paging_lose_nothing() {
        let fake = WooFake::start(250, 31).await;
        let w = woo(&fake, CONSUMER_SECRET);
        let win = month();
        let (orders, requests) = all(&w, &win).await;
        assert_eq!(requests, 4, "page 1 for the count, then 3, 2, 1");
        let ids: BTreeSet<String> = orders.iter().map(|o| o.external_id.clone()).collect();
        assert_eq!(ids.len(), 250);
        let o = &orders[0];
        assert_eq!(o.ordered_offset, "+08:00", "the store's clock is kept");
        assert_eq!(o.total_minor, o.subtotal_minor + o.tax_minor + o.shipping_minor);
        // orders change while the client pages (each moves out of the window,
        // shifting every later order forward): none still in the window is missed
        fake.script([Fault::Pass, Fault::UpdateWhilePaging(7), Fault::UpdateWhilePaging(7)]);
        let (orders, _) = all(&w, &win).await;
        let got: BTreeSet<String> = orders.iter().map(|o| o.external_id.clone()).collect();
        let before = mercator_channels::fmt_time(win.before);
        let still_in: BTreeSet<String> =
            fake.snapshot().into_iter().filter(|(_, m, _)| format!("{m}Z") < before).map(|(id, _, _)| id).collect();
        assert_eq!(still_in.len(), 250 - 14);
        assert!(still_in.is_subset(&got), "missed: {:?}", still_in.difference(&got).collect::<Vec<_>>());
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn woocommerce_adds_tracking_once_and_completes_the_order() {
        let fake = WooFake::start(5, 32).await;
        let w = woo(&fake, CONSUMER_SECRET);
        w.add_tracking(
            "1002",
            "YunExpress",
            "YT2412345678901234",
            "https://www.yuntrack.com/parcelTracking?id=YT2412345678901234",
            true,
        )
        .await
        .unwrap();
        w.add_tracking("1002", "YunExpress", "YT2412345678901234", "", true).await.unwrap();
        let st = fake.stats();
        assert_eq!(st.notes.len(), 1, "the note once");
        assert_eq!(st.notes[0].1["customer_note"], true);
        assert!(st.notes[0].1["note"].as_str().unwrap().contains("YT2412345678901234"));
        let status = fake.snapshot().into_iter().find(|(id, _, _)| id == "1002").unwrap().2;
        assert_eq!(status, "completed");
        let e = w.add_tracking("999999", "UPS", "1Z999AA10123456784", "", false).await.unwrap_err();
        assert!(matches!(e, ChannelError::Rejected(_)), "{e:?}");
        // stock by SKU: a simple product, and a variation under its parent
        w.set_sku_stock("KIT-00001-BLK", 12).await.unwrap();
        w.set_sku_stock("BEA-00035-BLU", 0).await.unwrap();
        let ups = fake.stats().product_updates;
        assert_eq!(ups[0].0, "products/100");
        assert_eq!((ups[0].1["stock_quantity"].as_i64(), ups[0].1["manage_stock"].as_bool()), (Some(12), Some(true)));
        assert_eq!(ups[1].0, "products/90/variations/203");
        assert!(w.set_sku_stock("NOPE-1", 1).await.is_err());
        let e = woo(&fake, "cs_wrong").test_connection().await.unwrap_err();
        assert!(matches!(e, ChannelError::Auth(_)) && !e.to_string().contains("cs_wrong"), "{e:?}");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn woocommerce_lists_simple_products_and_a_variable_products_variations_for_linking() {
        let fake = WooFake::start(0, 38).await;
        let w = woo(&fake, CONSUMER_SECRET);
        let mut all = vec![];
        let mut next = None;
        loop {
            let page = w.listings(next.as_deref()).await.unwrap();
            all.extend(page.listings);
            next = page.next;
            if next.is_none() {
                break;
            }
        }
        let skus: BTreeSet<&str> = all.iter().map(|l| l.sku.as_str()).collect();
        assert!(skus.contains("KIT-00001-BLK") && skus.contains("BEA-00035-BLU"), "{skus:?}");
        assert_eq!(skus.len(), all.len(), "each once");
        let var = all.iter().find(|l| l.sku == "BEA-00035-BLU").unwrap();
        assert_eq!((var.price.as_deref(), var.live), (Some("7.50"), true), "the variation, read under its product");
        assert!(!all[1].live, "a draft product is not live");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn woocommerce_prices_the_variation_and_writes_the_text_on_its_product() {
        let fake = WooFake::start(0, 33).await;
        let w = woo(&fake, CONSUMER_SECRET);
        w.set_sku_price("BEA-00035-BLU", "9.90").await.unwrap();
        w.update_sku_content("BEA-00035-BLU", &super::hostile_content("en-US")).await.unwrap();
        w.set_sku_price("KIT-00001-BLK", "12.00").await.unwrap();
        let ups = fake.stats().product_updates;
        assert_eq!(ups[0].0, "products/90/variations/203");
        assert_eq!(ups[0].1["regular_price"], "9.90");
        assert_eq!(ups[1].0, "products/90", "a variation's text lives on its product");
        assert_eq!(ups[1].1["name"], "Bamboo Cutting Board <b>3 pcs</b>");
        assert!(ups[1].1["short_description"].as_str().unwrap().contains("&lt;script&gt;"));
        assert_eq!(ups[1].1["description"], "<p>Made of moso bamboo.</p><p>Hand wash only.</p>");
        assert_eq!(ups[2].0, "products/100");
        for bad in ["1,00", "1.2.3", ".5", ""] {
            assert!(
                matches!(
                    w.set_sku_price("KIT-00001-BLK", bad).await.unwrap_err(),
                    ChannelError::Missing { what: "price", .. }
                ),
                "{bad}"
            );
        }
    }
}

mod shopee {
    use super::*;
    use mercator_channels::shopee::{Shopee, ShopeeAccount, ShopeeSecrets, TokenSink};
    use mercator_testkit::shopee::{PARTNER_ID, PARTNER_KEY, REFRESH_TOKEN, SHOP_ID};
    use mercator_testkit::ShopeeFake;
    use std::collections::BTreeSet;
    use std::sync::{Arc, Mutex};

    type Saved = Arc<Mutex<Vec<(String, String, i64)>>>;

    /// How the test keyring fails while it is down.
    #[derive(Clone, Copy)]
    enum Trouble {
        Refuses,
        Panics,
    }

    /// A keyring that keeps every pair it is given in `saved`; while `down`
    /// is set it refuses them (or panics).
    fn keyring(saved: &Saved, down: &Arc<std::sync::atomic::AtomicBool>, how: Trouble) -> TokenSink {
        let (saved, down) = (saved.clone(), down.clone());
        Arc::new(move |a: &str, r: &str, until: i64| {
            if down.load(std::sync::atomic::Ordering::SeqCst) {
                match how {
                    Trouble::Refuses => return Err("the collection is locked".into()),
                    Trouble::Panics => panic!("the keyring daemon went away"),
                }
            }
            saved.lock().unwrap().push((a.to_string(), r.to_string(), until));
            Ok(())
        })
    }

    /// A keyring that keeps every pair.
    fn working_keyring(saved: &Saved) -> TokenSink {
        keyring(saved, &Arc::default(), Trouble::Refuses)
    }

    fn shopee(fake: &ShopeeFake, key: &str, refresh: &str) -> (Shopee, Saved) {
        let saved: Saved = Arc::default();
        let sink = working_keyring(&saved);
        let c = Shopee::new(
            ShopeeAccount { host: fake.url(), partner_id: PARTNER_ID, shop_id: SHOP_ID, currency: "SGD".into() },
            ShopeeSecrets {
                partner_key: Secret::new(key),
                refresh_token: Secret::new(refresh),
                access_token: None,
                access_expires_at: 0,
            },
            Some(sink),
            RetryPolicy::fast(),
        )
        .unwrap();
        (c, saved)
    }

    fn account(fake: &ShopeeFake) -> ShopeeAccount {
        ShopeeAccount { host: fake.url(), partner_id: PARTNER_ID, shop_id: SHOP_ID, currency: "SGD".into() }
    }

    fn secrets() -> ShopeeSecrets {
        ShopeeSecrets {
            partner_key: Secret::new(PARTNER_KEY),
            refresh_token: Secret::new(REFRESH_TOKEN),
            access_token: None,
            access_expires_at: 0,
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_sync_and_the_outbox_of_one_account_spend_its_single_use_refresh_token_once() {
        use mercator_channels::shopee::TokenState;
        let fake = ShopeeFake::start(10, 91).await;
        let shared = TokenState::new(&secrets());
        let saved: Saved = Arc::default();
        let sink = working_keyring;
        // two connectors of one account (the sync's and the outbox's), at once, with no access token yet
        let sync = Shopee::with_tokens(
            account(&fake),
            Secret::new(PARTNER_KEY),
            shared.clone(),
            Some(sink(&saved)),
            RetryPolicy::fast(),
        )
        .unwrap();
        let outbox = Shopee::with_tokens(
            account(&fake),
            Secret::new(PARTNER_KEY),
            shared.clone(),
            Some(sink(&saved)),
            RetryPolicy::fast(),
        )
        .unwrap();
        let (a, b) = tokio::join!(sync.test_connection(), outbox.test_connection());
        a.unwrap();
        b.unwrap();
        assert_eq!(fake.stats().refreshes, 1, "one refresh for both");
        let pairs = saved.lock().unwrap().clone();
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].1, fake.refresh_token(), "the keyring holds the pair Shopee gave last");
        // each building its own state from the same keyring secrets, the second spends a dead token
        let fake = ShopeeFake::start(10, 92).await;
        let one = Shopee::new(account(&fake), secrets(), None, RetryPolicy::fast()).unwrap();
        let two = Shopee::new(account(&fake), secrets(), None, RetryPolicy::fast()).unwrap();
        one.test_connection().await.unwrap();
        assert!(matches!(two.test_connection().await, Err(ChannelError::Auth(_))), "why the state is shared");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_caller_cut_off_during_a_refresh_does_not_lose_the_new_token_pair() {
        let fake = ShopeeFake::start(10, 94).await;
        let saved: Saved = Arc::default();
        let sink = working_keyring(&saved);
        let shared = mercator_channels::shopee::TokenState::new(&secrets());
        let c = Shopee::with_tokens(
            account(&fake),
            Secret::new(PARTNER_KEY),
            shared.clone(),
            Some(sink),
            RetryPolicy::fast(),
        )
        .unwrap();
        // Shopee rotates the pair at once and answers late; the run's budget ends first
        fake.refresh_delay(Duration::from_millis(800));
        let cut = tokio::time::timeout(Duration::from_millis(200), c.test_connection()).await;
        assert!(cut.is_err(), "the caller was cut off");
        assert_eq!(fake.stats().refreshes, 1);
        // a profile closing waits for the refresh in flight: the pair is in the keyring
        tokio::time::timeout(Duration::from_secs(5), shared.settled()).await.unwrap();
        assert_eq!(
            saved.lock().unwrap().last().map(|p| p.1.clone()),
            Some(fake.refresh_token()),
            "stored before close"
        );
        fake.refresh_delay(Duration::ZERO);
        // the next call waits for the refresh in flight and uses its pair
        // (the old refresh token is spent: refreshing again would be refused)
        c.test_connection().await.unwrap();
        assert_eq!(fake.stats().refreshes, 1, "the pair of the cut-off refresh was kept");
        assert_eq!(saved.lock().unwrap().last().map(|p| p.1.clone()), Some(fake.refresh_token()), "and stored");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn callers_refused_the_same_token_at_once_refresh_it_once() {
        use mercator_channels::shopee::TokenState;
        let fake = ShopeeFake::start(10, 95).await;
        let shared = TokenState::new(&secrets());
        let make = || {
            Shopee::with_tokens(account(&fake), Secret::new(PARTNER_KEY), shared.clone(), None, RetryPolicy::fast())
                .unwrap()
        };
        let (one, two) = (make(), make());
        one.test_connection().await.unwrap();
        assert_eq!(fake.stats().refreshes, 1);
        // the shop drops every access token at the first request; both callers are refused
        fake.script([Fault::ExpireToken]);
        let now = OffsetDateTime::now_utc();
        let w = Window { after: now - time::Duration::days(1), before: now };
        let (a, b) = tokio::join!(one.orders(&w, None), two.orders(&w, None));
        a.unwrap();
        b.unwrap();
        assert_eq!(fake.stats().refreshes, 2, "one refresh for both (each would spend a single-use token)");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_keyring_that_breaks_down_while_storing_leaves_the_pair_to_store_again() {
        let fake = ShopeeFake::start(10, 96).await;
        let broken = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let saved: Saved = Arc::default();
        let sink = keyring(&saved, &broken, Trouble::Panics);
        let c = Shopee::new(account(&fake), secrets(), Some(sink), RetryPolicy::fast()).unwrap();
        c.test_connection().await.unwrap();
        assert!(c.token_problem().await.is_some(), "shown as the account's problem");
        broken.store(false, std::sync::atomic::Ordering::SeqCst);
        c.test_connection().await.unwrap();
        assert_eq!(c.token_problem().await, None);
        assert_eq!(saved.lock().unwrap().last().map(|p| p.1.clone()), Some(fake.refresh_token()));
        assert_eq!(fake.stats().refreshes, 1, "the pair was kept, not refreshed again");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_token_the_keyring_refused_is_an_account_problem_and_is_stored_again() {
        let fake = ShopeeFake::start(10, 93).await;
        let fail = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let saved: Saved = Arc::default();
        let sink = keyring(&saved, &fail, Trouble::Refuses);
        let c = Shopee::new(account(&fake), secrets(), Some(sink), RetryPolicy::fast()).unwrap();
        c.test_connection().await.unwrap();
        assert_eq!(c.token_problem().await.as_deref(), Some("the collection is locked"), "not swallowed");
        fail.store(false, std::sync::atomic::Ordering::SeqCst);
        c.test_connection().await.unwrap();
        assert_eq!(c.token_problem().await, None);
        assert_eq!(
            saved.lock().unwrap().last().map(|p| p.1.clone()),
            Some(fake.refresh_token()),
            "stored at the next call"
        );
        assert_eq!(fake.stats().refreshes, 1);
    }

    async fn all(s: &Shopee, w: &Window) -> Result<Vec<mercator_channels::Order>, ChannelError> {
        let mut out = vec![];
        let mut token: Option<String> = None;
        loop {
            let p = s.orders(w, token.as_deref()).await?;
            out.extend(p.orders);
            match p.next {
                Some(t) => token = Some(t),
                None => return Ok(out),
            }
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn shopee_signs_walks_15_day_steps_and_keeps_the_rotated_tokens() {
        let fake = ShopeeFake::start(260, 61).await;
        let (s, saved) = shopee(&fake, PARTNER_KEY, REFRESH_TOKEN);
        let w = month(); // 31 days: three steps of at most 15
        let orders = all(&s, &w).await.unwrap();
        let ids: BTreeSet<String> = orders.iter().map(|o| o.external_id.clone()).collect();
        let theirs: BTreeSet<String> = fake.snapshot().into_iter().map(|(sn, _, _)| sn).collect();
        assert_eq!(ids, theirs);
        let st = fake.stats();
        assert!(st.list_requests >= 3, "{st:?}");
        assert_eq!(st.refreshes, 1, "one token for the whole pull");
        // the refresh token rotated: the new pair was handed over at once
        let saved = saved.lock().unwrap().clone();
        assert_eq!(saved.len(), 1);
        assert_eq!(saved[0].1, fake.refresh_token());
        assert_ne!(saved[0].1, REFRESH_TOKEN);
        let o = &orders[0];
        assert_eq!((o.currency.code(), o.ordered_offset.as_str()), ("SGD", "+08:00"));
        assert_eq!(o.total_minor, o.subtotal_minor + o.shipping_minor);
        assert!(
            orders.iter().any(|o| o.state == OrderState::Unshipped)
                && orders.iter().any(|o| o.state == OrderState::Cancelled)
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn shopee_recovers_from_expired_tokens_rate_limits_errors_and_partial_answers() {
        let fake = ShopeeFake::start(150, 62).await;
        let (s, saved) = shopee(&fake, PARTNER_KEY, REFRESH_TOKEN);
        fake.script([
            Fault::Pass,
            Fault::ExpireToken,
            Fault::TooManyRequests,
            Fault::ServerError,
            Fault::PartialAnswer,
            Fault::DuplicatePage,
        ]);
        let orders = all(&s, &month()).await.unwrap();
        let ids: BTreeSet<String> = orders.iter().map(|o| o.external_id.clone()).collect();
        assert_eq!(ids.len(), 150);
        assert_eq!(fake.stats().refreshes, 2, "an expired token is refreshed once");
        assert_eq!(saved.lock().unwrap().len(), 2);
        // a truncated page fails alone
        fake.script([Fault::Truncated]);
        assert!(matches!(s.orders(&month(), None).await.unwrap_err(), ChannelError::BadResponse(_)));
        // an order the detail keeps leaving out fails the page instead of vanishing
        fake.script([Fault::Pass, Fault::PartialAnswer, Fault::PartialAnswer]);
        let e = s.orders(&month(), None).await.unwrap_err();
        assert!(matches!(&e, ChannelError::BadResponse(m) if m.contains("left out")), "{e:?}");
        // a wrong partner key: refused, no secret in the text
        let (bad, _) = shopee(&fake, "not-the-partner-key", &fake.refresh_token());
        let e = bad.test_connection().await.unwrap_err();
        assert!(matches!(e, ChannelError::Auth(_)), "{e:?}");
        assert!(!e.to_string().contains("not-the-partner-key"));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn shopee_ships_once_with_our_tracking_and_sets_stock() {
        let fake = ShopeeFake::start(40, 63).await;
        let (s, _) = shopee(&fake, PARTNER_KEY, REFRESH_TOKEN);
        let ready = fake.snapshot().into_iter().find(|o| o.2 == "READY_TO_SHIP").unwrap().0;
        s.ship(&ready, "YT2412345678901234").await.unwrap();
        s.ship(&ready, "YT2412345678901234").await.unwrap();
        assert_eq!(fake.stats().shipments, vec![(ready.clone(), "YT2412345678901234".to_string())], "once");
        let cancelled = fake.snapshot().into_iter().find(|o| o.2 == "CANCELLED").unwrap().0;
        let e = s.ship(&cancelled, "YT2412345678901235").await.unwrap_err();
        assert!(e.to_string().contains("not ready to ship"), "{e}");
        s.set_stock(880_001, 990_001, 14).await.unwrap();
        assert_eq!(fake.stats().stock_updates[0]["stock_list"][0]["seller_stock"][0]["stock"], 14);
        let e = s.set_stock(1, 2, 3).await.unwrap_err();
        assert!(e.to_string().contains("model not found"), "{e}");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn shopee_prices_a_model_with_the_exact_decimal_and_updates_the_item() {
        let fake = ShopeeFake::start(0, 34).await;
        let (s, _) = shopee(&fake, PARTNER_KEY, REFRESH_TOKEN);
        s.set_price(880_002, 990_002, "12.90").await.unwrap();
        assert_eq!(fake.stats().price_updates, vec![(880_002, 990_002, "12.90".to_string())]);
        let e = s.set_price(880_002, 1, "12.90").await.unwrap_err();
        assert!(matches!(e, ChannelError::Rejected(_)), "{e:?}");
        assert!(matches!(
            s.set_price(880_002, 990_002, "12,90").await.unwrap_err(),
            ChannelError::Missing { what: "price", .. }
        ));
        s.update_item(880_000, &super::hostile_content("en-SG")).await.unwrap();
        let up = fake.stats().item_updates.pop().unwrap();
        assert_eq!(up["item_name"], "Bamboo Cutting Board <b>3 pcs</b>");
        assert_eq!(
            up["description"],
            "• Food-safe & BPA free\n\n• <script>alert(1)</script>\n\nMade of moso bamboo.\n\nHand wash only."
        );
        let long = mercator_channels::ListingContent { title: "x".repeat(121), ..super::hostile_content("en-SG") };
        assert!(s.update_item(880_000, &long).await.is_err(), "Shopee names are at most 120 characters");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_short_lived_access_token_is_used_until_near_its_end_not_refreshed_per_call() {
        // each refresh spends the single-use refresh token (a kill during one can
        // cost the account): a token granted for a minute serves the calls of that minute
        let fake = ShopeeFake::start(0, 36).await;
        fake.access_life(60);
        let (s, _) = shopee(&fake, PARTNER_KEY, REFRESH_TOKEN);
        for q in 0..5 {
            s.set_stock(880_000, 990_000, q).await.unwrap();
        }
        assert_eq!(fake.stats().refreshes, 1);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn shopee_lists_every_model_of_every_page_with_its_ids_sku_and_exact_price() {
        let fake = ShopeeFake::start(0, 35).await;
        // rupiah with sen: more digits than a shop in dollars has
        fake.set_item_price(1, "1500000050.25");
        let (s, _) = shopee(&fake, PARTNER_KEY, REFRESH_TOKEN);
        let (mut all, mut next, mut pages) = (vec![], None, 0);
        loop {
            let page = s.listings(next.as_deref()).await.unwrap();
            pages += 1;
            all.extend(page.listings);
            next = page.next;
            if next.is_none() {
                break;
            }
        }
        assert_eq!(pages, 3, "the fake's pages of two are walked to the end");
        let items = fake.items();
        assert_eq!(all.len(), items.len(), "{all:?}");
        for it in &items {
            let l = all.iter().find(|l| l.sku == it.sku).unwrap_or_else(|| panic!("{}", it.sku));
            assert_eq!(l.external_id, format!("{}:{}", it.item_id, it.model_id.unwrap_or(0)));
            assert_eq!(l.live, it.status == "NORMAL", "{}", it.sku);
            let shown: rust_decimal::Decimal = l.price.as_deref().unwrap().parse().unwrap();
            assert_eq!(shown, it.price.parse::<rust_decimal::Decimal>().unwrap(), "{}", it.sku);
        }
        // a price set through the connector is what the next listing read shows
        s.set_price(880_000, 990_000, "150000.50").await.unwrap();
        let first = s.listings(None).await.unwrap();
        assert_eq!(first.listings[0].price.as_deref(), Some("150000.5"));
        assert!(s.listings(Some("not-an-offset")).await.is_err());
        // a list that says "more" without moving on is an error, not a loop or a part read
        fake.stick_item_pages();
        assert!(matches!(s.listings(None).await.unwrap_err(), ChannelError::BadResponse(_)));
    }
}

/// Content with markup and a script in it: it must arrive escaped.
fn hostile_content(lang: &str) -> mercator_channels::ListingContent {
    mercator_channels::ListingContent {
        lang: lang.into(),
        title: "Bamboo Cutting Board <b>3 pcs</b>".into(),
        bullets: vec!["Food-safe & BPA free".into(), "<script>alert(1)</script>".into()],
        description: "Made of moso bamboo.\n\nHand wash only.".into(),
        keywords: "bamboo, cutting board kitchen".into(),
    }
}

mod listings {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn amazon_replaces_title_bullets_description_and_keywords_in_the_marketplace_language() {
        let fake = AmazonFake::start(0, 31).await;
        let a = amazon(&fake);
        a.patch_content("KIT-00001-BLK", &hostile_content("de-DE")).await.unwrap();
        let (_, sku, body) = fake.patches().pop().unwrap();
        assert_eq!(sku, "KIT-00001-BLK");
        let paths: Vec<&str> =
            body["patches"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
        assert_eq!(
            paths,
            [
                "/attributes/item_name",
                "/attributes/bullet_point",
                "/attributes/product_description",
                "/attributes/generic_keyword"
            ]
        );
        let name = &body["patches"][0]["value"][0];
        assert_eq!(name["language_tag"], "de_DE");
        assert_eq!(name["marketplace_id"], mercator_testkit::MARKETPLACE);
        assert_eq!(body["patches"][1]["value"].as_array().unwrap().len(), 2, "one entry per bullet");
        assert_eq!(body["patches"][3]["value"][0]["value"], "bamboo cutting board kitchen");
        // no title: refused before anything is sent
        let empty = mercator_channels::ListingContent { lang: "de-DE".into(), ..Default::default() };
        assert!(matches!(
            a.patch_content("KIT-00001-BLK", &empty).await.unwrap_err(),
            ChannelError::Missing { what: "listing-title", .. }
        ));
        assert_eq!(fake.patches().len(), 1);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn shopify_sets_a_variant_price_once_and_replaces_the_product_text_escaped() {
        let fake = ShopifyFake::start(0, 32).await;
        fake.budget(100_000, 100_000);
        let s = shopify(&fake, mercator_testkit::shopify::ACCESS_TOKEN);
        s.set_sku_price("ELE-00012-BLK", "24.50").await.unwrap();
        s.set_sku_price("ELE-00012-BLK", "24.5").await.unwrap();
        let sets = fake.stats().price_sets;
        assert_eq!(sets.len(), 1, "the same price is not sent again");
        assert_eq!(sets[0].0, "gid://shopify/Product/5002");
        assert_eq!(sets[0].1[0]["price"], "24.50", "Money as the decimal string");
        assert!(s.set_sku_price("NOPE-1", "1.00").await.is_err());
        s.update_sku_content("KIT-00001-BLK", &hostile_content("en-US")).await.unwrap();
        let up = fake.stats().product_updates.pop().unwrap();
        assert_eq!(up["id"], "gid://shopify/Product/5000");
        assert_eq!(up["title"], "Bamboo Cutting Board <b>3 pcs</b>", "titles are text; Shopify escapes them");
        let html = up["descriptionHtml"].as_str().unwrap();
        assert!(html.contains("<li>&lt;script&gt;alert(1)&lt;/script&gt;</li>"), "{html}");
        assert!(
            html.contains("<li>Food-safe &amp; BPA free</li>") && html.contains("<p>Hand wash only.</p>"),
            "{html}"
        );
        assert_eq!(up["tags"], serde_json::json!(["bamboo", "cutting", "board", "kitchen"]));
    }
}

/// Addresses, redirects and error texts, as an attacker would try them.
mod secrets {
    use mercator_channels::http::{check_endpoint, redact, RetryPolicy};
    use mercator_channels::shopify::{Shopify, ShopifyAccount, ShopifySecrets};
    use mercator_channels::woocommerce::{WooAccount, WooCommerce, WooSecrets};
    use mercator_channels::ChannelError;
    use mercator_vault::Secret;
    use std::sync::{Arc, Mutex};

    #[test]
    fn only_https_or_real_loopback_hosts_get_credentials() {
        for ok in [
            "https://sellingpartnerapi-eu.amazon.com",
            "http://127.0.0.1:8080",
            "http://[::1]:9",
            "http://localhost:3000/x",
        ] {
            assert!(check_endpoint("endpoint", ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://127.0.0.1.evil.com",
            "http://127.0.0.1.evil.com:8080/x",
            "http://sellingpartnerapi-eu.amazon.com",
            "http://10.0.0.1",
            "ftp://127.0.0.1",
            "https://",
            "127.0.0.1:8080",
            "",
        ] {
            let e = check_endpoint("endpoint", bad).unwrap_err();
            assert!(matches!(e, ChannelError::Insecure(ref f) if f == "endpoint"), "{bad}: {e:?}");
        }
        let amazon = mercator_channels::amazon::Amazon::new(
            mercator_channels::amazon::AmazonAccount {
                endpoint: "https://sellingpartnerapi-eu.amazon.com".into(),
                token_url: "http://api.amazon.com.evil.example/auth/o2/token".into(),
                marketplace_id: "A1PA6795UKMFR9".into(),
                client_id: "amzn1.application-oa2-client.x".into(),
                currency: "EUR".into(),
                seller_id: "A2".into(),
            },
            mercator_channels::amazon::AmazonSecrets {
                client_secret: Secret::new("s"),
                refresh_token: Secret::new("r"),
            },
            RetryPolicy::fast(),
        );
        assert!(
            matches!(amazon, Err(ChannelError::Insecure(f)) if f == "token_url"),
            "the LWA secret would go in the clear"
        );
        let woo = WooCommerce::new(
            WooAccount { base_url: "http://127.0.0.1.evil.com".into(), currency: "USD".into() },
            WooSecrets { consumer_key: Secret::new("ck"), consumer_secret: Secret::new("cs") },
            RetryPolicy::fast(),
        );
        assert!(woo.is_err());
    }

    #[test]
    fn an_answer_that_does_not_fit_says_where_not_what() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Tokens {
            expire_in: i64,
        }
        // a token (or a buyer's name) where a number belongs: serde's own text would quote it
        let a = mercator_channels::http::Answer {
            status: 200,
            headers: Default::default(),
            body: br#"{"expire_in": "rt_SECRET_0001 Anna Mueller"}"#.to_vec(),
        };
        let e = a.json::<Tokens>().unwrap_err().to_string();
        assert!(!e.contains("SECRET") && !e.contains("Anna"), "{e}");
        assert!(e.contains("line 1"), "{e}");
    }

    #[test]
    fn error_texts_lose_urls_tokens_and_addresses() {
        let t = redact(
            "error sending request for https://partner.shopeemobile.com/api/v2/order/get_order_list?partner_id=1&access_token=SECRET123&sign=abcdef \
             (refresh_token=RT-99, \"access_token\": \"AT-77\") Bearer XYZ buyer anna.mueller@example.de design=ok",
        );
        for leaked in ["SECRET123", "abcdef", "RT-99", "AT-77", "XYZ", "anna.mueller", "get_order_list"] {
            assert!(!t.contains(leaked), "{leaked} in {t}");
        }
        assert!(t.contains("https://partner.shopeemobile.com/…"), "{t}");
        assert!(t.contains("design=ok"), "a word that ends in a secret key is left alone: {t}");
        let t = redact("consumer_key=ck_1 api_key=AK2 token='TK3' \"access_token\" : \"AT4\" Bearer  BT5 {\"partner_key\":\"PK6\"}");
        for leaked in ["ck_1", "AK2", "TK3", "AT4", "BT5", "PK6"] {
            assert!(!t.contains(leaked), "{leaked} in {t}");
        }
        // Display and the payload that crosses IPC go through it too
        let e = ChannelError::Unavailable("GET http://127.0.0.1:9/x?access_token=TOK timed out".into());
        assert!(!e.to_string().contains("TOK"));
        assert!(!serde_json::to_string(&mercator_core::ErrorPayload::from(&e)).unwrap().contains("TOK"));
    }

    /// A server that answers every request with `status` and `location`,
    /// recording the token headers it was sent.
    async fn server(status: u16, location: Option<String>) -> (String, Arc<Mutex<Vec<String>>>) {
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = seen.clone();
        let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
            let log = log.clone();
            let location = location.clone();
            async move {
                for h in ["x-shopify-access-token", "x-amz-access-token", "authorization"] {
                    if let Some(v) = headers.get(h) {
                        log.lock().unwrap().push(format!("{h}: {}", v.to_str().unwrap_or_default()));
                    }
                }
                let mut r = axum::http::Response::builder().status(status);
                if let Some(l) = &location {
                    r = r.header("location", l);
                }
                r.body(axum::body::Body::from("{}")).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (url, seen)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_redirect_to_another_host_does_not_carry_the_token_there() {
        // the thief listens on another loopback address: another host
        let (thief, stolen) = {
            let seen: Arc<Mutex<Vec<String>>> = Arc::default();
            let log = seen.clone();
            let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
                let log = log.clone();
                async move {
                    log.lock()
                        .unwrap()
                        .extend(headers.iter().map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or_default())));
                    "{}"
                }
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
            (url, seen)
        };
        let (shop, _) = server(302, Some(format!("{thief}/steal"))).await;
        let s = Shopify::new(
            ShopifyAccount { shop_url: shop, currency: "USD".into() },
            ShopifySecrets { access_token: Secret::new("shpat_TOPSECRET") },
            RetryPolicy::fast(),
        )
        .unwrap();
        let e = s.graphql("{ shop { name } }", serde_json::json!({})).await.unwrap_err();
        assert!(matches!(e, ChannelError::Rejected(ref d) if d.starts_with("HTTP 302")), "{e:?}");
        assert!(stolen.lock().unwrap().is_empty(), "the other host got: {:?}", stolen.lock().unwrap());
    }
}

/// Amounts as channels send them, read exactly in every currency.
mod exact_amounts {
    use mercator_channels::http::exact_numbers;
    use mercator_core::Currency;

    #[test]
    fn numbers_with_fractions_never_pass_through_a_float() {
        let body = br#"{"total_amount": 123456789012345.67, "price": 1e2, "n": 7, "big": 12345678901234567890, "s": "1.5 \" 2.5", "neg": -0.10}"#;
        let v: serde_json::Value = serde_json::from_slice(&exact_numbers(body)).unwrap();
        assert_eq!(v["total_amount"], "123456789012345.67", "17 significant digits, exact");
        assert_eq!(v["price"], "1e2");
        assert_eq!(v["n"], 7, "integers stay numbers");
        assert_eq!(v["big"], "12345678901234567890");
        assert_eq!(v["s"], "1.5 \" 2.5", "strings untouched");
        assert_eq!(v["neg"], "-0.10");
        // through serde_json's f64 the rupiah amount would be off
        let via_float: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_ne!(via_float["total_amount"].to_string(), "123456789012345.67");
        let idr: Currency = "IDR".parse().unwrap();
        assert_eq!(mercator_channels::required_minor(&v, "/total_amount", idr).unwrap(), 12_345_678_901_234_567);
        assert!(mercator_channels::required_minor(&v, "/missing", idr).is_err(), "missing is an error, not 0");
    }

    #[test]
    fn a_shopee_order_in_rupiah_keeps_every_unit_and_a_missing_total_is_refused() {
        let o = serde_json::json!({
            "order_sn": "2612030001", "region": "ID", "currency": "IDR", "order_status": "READY_TO_SHIP",
            "create_time": 1764700000, "update_time": 1764700100, "total_amount": "1500000050.25",
            "item_list": [{ "item_id": 1, "model_id": 2, "model_sku": "A-1", "item_name": "x",
                            "model_quantity_purchased": 1, "model_discounted_price": "1499999000.25" }]
        });
        let m = mercator_channels::shopee::map_order(&o, Currency::SGD).unwrap();
        assert_eq!((m.currency.code(), m.total_minor), ("IDR", 150_000_005_025));
        let mut missing = o.clone();
        missing.as_object_mut().unwrap().remove("total_amount");
        assert!(mercator_channels::shopee::map_order(&missing, Currency::SGD).is_err());
    }
}

/// Buyer mail in the charsets and shapes real buyers send, and hostile mail.
mod mail {
    use mercator_channels::mail::{parse_mail, Link, MailError, MAX_LINKS, MAX_MAIL_BYTES};
    use mercator_core::inbox::OrderRef;

    fn b64(bytes: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for c in bytes.chunks(3) {
            let n = (u32::from(c[0]) << 16)
                | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                | u32::from(*c.get(2).unwrap_or(&0));
            for i in 0..4 {
                if i <= c.len() {
                    out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    /// A single-part mail whose subject and body are `text` in `charset`.
    fn mail_in(charset: &str, text: &str, transfer: &str) -> Vec<u8> {
        let enc = encoding_rs::Encoding::for_label(charset.as_bytes()).unwrap();
        let (bytes, _, bad) = enc.encode(text);
        assert!(!bad, "{charset} can write {text}");
        let subject = format!("=?{charset}?B?{}?=", b64(&bytes));
        let body = match transfer {
            "base64" => b64(&bytes),
            _ => bytes
                .iter()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || *b == b' ' {
                        (*b as char).to_string()
                    } else {
                        format!("={b:02X}")
                    }
                })
                .collect(),
        };
        format!(
            "From: =?{charset}?B?{}?= <buyer@marketplace.amazon.de>\r\nTo: seller@example.com\r\nSubject: {subject}\r\n\
             Message-ID: <m1@mail.example>\r\nDate: Fri, 4 Dec 2026 18:00:00 +0800\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: {transfer}\r\n\r\n{body}\r\n",
            b64(&enc.encode("买家").0),
        )
        .into_bytes()
    }

    #[test]
    fn every_charset_buyers_write_is_read_as_their_text() {
        for (charset, text) in [
            ("utf-8", "Wo bleibt meine Bestellung 303-1234567-7654321? Grüße"),
            ("gb2312", "我的订单 303-1234567-7654321 还没到，请帮忙查一下"),
            ("gbk", "请问订单号：4711 什么时候发货"),
            ("gb18030", "订单 #1004 的包裹破损了"),
            ("big5", "請問訂單 303-1234567-7654321 何時出貨"),
            ("shift_jis", "注文番号: 12345 の商品がまだ届きません"),
            ("iso-2022-jp", "注文 303-1234567-7654321 について質問があります"),
            ("euc-kr", "주문 303-1234567-7654321 배송 문의드립니다"),
            ("windows-1252", "Où est ma commande n° 4711 ? Merci"),
        ] {
            for transfer in ["base64", "quoted-printable"] {
                let m = parse_mail(&mail_in(charset, text, transfer)).unwrap();
                assert_eq!(m.subject, text, "{charset} {transfer} subject");
                assert_eq!(m.text, text, "{charset} {transfer} body");
                assert_eq!(m.html, None, "a plain-text mail has no formatted version");
                assert!(!m.orders.is_empty(), "{charset}: the order number is found");
                assert_eq!(m.message_id.as_deref(), Some("m1@mail.example"));
                assert_eq!(m.from[0].address, "buyer@marketplace.amazon.de");
                assert_eq!(m.date.unwrap().unix_timestamp(), 1_796_378_400, "18:00 +08:00 is 10:00 UTC");
            }
        }
    }

    #[test]
    fn threads_html_only_mail_and_attachments() {
        let raw = "From: Buyer <b@example.org>\r\nTo: s@example.com\r\nSubject: Re: AW: Order #1001\r\n\
                   Message-ID: <r2@example.org>\r\nIn-Reply-To: <r1@example.com>\r\nReferences: <r0@example.com> <r1@example.com>\r\n\
                   MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
                   --b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hello, the <b>item</b> arrived broken.</p>\r\n\
                   --b1\r\nContent-Type: image/jpeg; name=\"photo.jpg\"\r\nContent-Disposition: attachment; filename=\"photo.jpg\"\r\n\
                   Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRgABAQAAAQABAAD/\r\n--b1--\r\n";
        let m = parse_mail(raw.as_bytes()).unwrap();
        assert_eq!(m.in_reply_to, ["r1@example.com"]);
        assert_eq!(m.references, ["r0@example.com", "r1@example.com"]);
        assert!(m.text.contains("the item arrived broken"), "text made from the HTML: {:?}", m.text);
        assert!(m.html.as_deref().unwrap().contains("<b>item</b>"));
        assert_eq!(m.orders, [OrderRef::Shopify("1001".into())]);
        assert_eq!(m.attachments.len(), 1);
        assert_eq!(
            (m.attachments[0].name.as_str(), m.attachments[0].content_type.as_str()),
            ("photo.jpg", "image/jpeg")
        );
    }

    #[test]
    fn hostile_mail_is_cleaned_bounded_and_never_trusted() {
        let html = "<div onclick=\"steal()\">Hi<script>alert(1)</script><style>*{background:url(https://t.example/p)}</style>\
                    <img src=\"https://tracker.example/pixel.gif\"><img src=\"data:image/png;base64,AAAA\">\
                    <a href=\"javascript:alert(2)\">x</a><a href=\"https://ok.example/\">ok</a>\
                    <form action=\"https://evil.example\"><input name=p></form><iframe src=\"https://evil.example\"></iframe></div>";
        let raw =
            format!("From: x@evil.example\r\nSubject: hi\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n");
        let m = parse_mail(raw.as_bytes()).unwrap();
        let h = m.html.unwrap();
        for bad in [
            "<script",
            "onclick",
            "<style",
            "<img",
            "javascript:",
            "data:",
            "<form",
            "<input",
            "<iframe",
            "tracker.example",
            "t.example",
        ] {
            assert!(!h.to_ascii_lowercase().contains(bad), "{bad} survived: {h}");
        }
        // no link is left to click in the shown mail: the targets are listed beside it
        assert!(!h.contains("href"), "{h}");
        assert!(h.contains("<a>ok</a>"), "{h}");
        assert_eq!(m.links, [Link { url: "https://ok.example/".into(), text: "ok".into() }]);
        assert_eq!(m.blocked_images, 2);
        // an unknown charset label is read, not refused; malformed MIME is not a crash
        let odd =
            b"Subject: =?x-unknown-42?B?SGVsbG8=?=\r\nContent-Type: text/plain; charset=x-unknown-42\r\n\r\nHello\r\n";
        assert_eq!(parse_mail(odd).unwrap().text, "Hello");
        let broken = b"Content-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nunterminated";
        assert_eq!(parse_mail(broken).unwrap().text, "unterminated", "the part's text, no boundary or part header");
        // its transfer encoding and charset applied; a second part not shown in the first
        let broken = b"Content-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\nContent-Type: text/plain; charset=gbk\r\n\
                       Content-Transfer-Encoding: base64\r\n\r\nxOO6ww==\r\n--zz\r\nContent-Type: text/plain\r\n\r\nsecond";
        assert_eq!(parse_mail(broken).unwrap().text, "你好");
        // a photo with no text is a photo, not a megabyte of base64 as its text
        let photo = "Subject: x\r\nContent-Type: multipart/mixed; boundary=\"p\"\r\n\r\n--p\r\nContent-Type: image/jpeg\r\n\
                     Content-Disposition: attachment; filename=\"a.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRg==\r\n--p--\r\n";
        let m = parse_mail(photo.as_bytes()).unwrap();
        assert_eq!((m.text.as_str(), m.attachments.len()), ("", 1));
        assert_eq!(parse_mail(b"").unwrap_err(), MailError::NotMail);
        // a message over the size limit is refused before it is parsed
        let huge = vec![b'a'; MAX_MAIL_BYTES + 1];
        assert!(matches!(parse_mail(&huge), Err(MailError::TooLarge { .. })));
        // a 20 MB attachment is described, with its size
        let big = "QUFB".repeat(5 << 20);
        let raw = format!(
            "Subject: big\r\nContent-Type: multipart/mixed; boundary=\"q\"\r\n\r\n--q\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
             --q\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"invoice.pdf\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{big}\r\n--q--\r\n"
        );
        let m = parse_mail(raw.as_bytes()).unwrap();
        assert_eq!(m.attachments[0].size, 15 << 20);
        assert_eq!(m.attachments[0].contents.len(), 15 << 20);
        assert!(m.attachments[0].contents.iter().all(|b| *b == b'A'));
        assert_eq!(m.text, "see attached");
    }

    #[test]
    fn links_are_listed_with_their_real_targets() {
        // the text names Amazon, the link goes elsewhere; entities and nested tags in the text
        let html = "<p>Log in at <a href=\"https://evil.example/login?next=a&amp;b=1\"><b>https://sellercentral.amazon.de/</b></a>, \
                    read <a href='HTTPS://Shop.Example/Returns'>our &lt;returns&gt; page</a>, \
                    <a href=\"mailto:x@y.example\">mail</a> <a href=\"file:///etc/passwd\">f</a> <a href=\"#top\">top</a> \
                    <a href=\"https://evil.example/login?next=a&amp;b=1\">again</a> <a>no target</a></p>";
        let raw = format!("Subject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n");
        let m = parse_mail(raw.as_bytes()).unwrap();
        assert_eq!(
            m.links,
            [
                Link {
                    url: "https://evil.example/login?next=a&b=1".into(),
                    text: "https://sellercentral.amazon.de/".into()
                },
                Link { url: "https://shop.example/Returns".into(), text: "our <returns> page".into() },
                Link { url: "https://evil.example/login?next=a&b=1".into(), text: "again".into() },
            ]
        );
        let h = m.html.unwrap();
        assert!(!h.contains("href") && !h.contains("evil.example"), "{h}");
        // plain text: the URLs written in it, and nothing that is not http(s)
        let raw =
            "Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n请看 https://shop.example/p/1?x=1，或者 \
                   ftp://files.example/a 和 javascript:alert(1) www.no-scheme.example\r\n";
        let m = parse_mail(raw.as_bytes()).unwrap();
        assert_eq!(
            m.links,
            [Link { url: "https://shop.example/p/1?x=1".into(), text: "https://shop.example/p/1?x=1".into() }]
        );
        // an address of other letters keeps its host (shown and opened as punycode); CJK ends it
        let raw = "Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsiehe https://bücher.example/x und \
                   https://shop.example这是 \r\n";
        let urls: Vec<String> = parse_mail(raw.as_bytes()).unwrap().links.into_iter().map(|l| l.url).collect();
        assert_eq!(urls, ["https://xn--bcher-kva.example/x", "https://shop.example/"]);
        // the same target under a second, misleading text is listed again (the warning needs that text)
        let html = "<a href=\"https://evil.example/\">evil.example</a> <a href=\"https://evil.example/\">https://sellercentral.amazon.de/</a>";
        let raw = format!("Subject: x\r\nContent-Type: text/html\r\n\r\n{html}\r\n");
        let texts: Vec<String> = parse_mail(raw.as_bytes()).unwrap().links.into_iter().map(|l| l.text).collect();
        assert_eq!(texts, ["evil.example", "https://sellercentral.amazon.de/"]);
        // a thousand links list the first fifty
        let many: String = (0..1000).map(|i| format!("<a href=\"https://l{i}.example/\">{i}</a>")).collect();
        let raw = format!("Subject: x\r\nContent-Type: text/html\r\n\r\n{many}\r\n");
        assert_eq!(parse_mail(raw.as_bytes()).unwrap().links.len(), MAX_LINKS);
    }
}

/// The mailbox client against a real Dovecot and a real SMTP receiver.
mod mailbox {
    use super::*;
    use mercator_channels::mailbox::{send, Account, Imap, MailboxError, Outgoing, Security, Server, Waited};
    use mercator_testkit::mailserver::{MailServer, PASSWORD, USER};

    fn account(m: &MailServer, password: &str) -> Account {
        Account {
            address: USER.into(),
            username: USER.into(),
            password: Secret::new(password),
            imap: Server { host: "127.0.0.1".into(), port: m.imap_port, security: Security::None },
            smtp: Server { host: "127.0.0.1".into(), port: m.smtp_port, security: Security::None },
        }
    }

    fn buyer_mail(id: &str, subject: &str, body: &str) -> Vec<u8> {
        format!(
            "From: Jonas <abc@marketplace.amazon.de>\r\nTo: {USER}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
             Date: Sat, 05 Dec 2026 08:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        )
        .into_bytes()
    }

    #[tokio::test]
    async fn reads_new_mail_by_uid_in_its_charset_and_waits_for_more() {
        let m = MailServer::start().unwrap();
        m.deliver(&buyer_mail("a1@x", "Bestellung 302-1234567-7654321", "Wo ist mein Paket?\r\n.dot line"))
            .await
            .unwrap();
        // GB2312 subject and body, base64
        let gb = encoding_rs::GB18030.encode("我想退货，耳机坏了").0.into_owned();
        let mut raw = b"From: buyer@example.cn\r\nTo: seller@shop.test\r\nSubject: =?gb2312?B?".to_vec();
        raw.extend(base64(&encoding_rs::GB18030.encode("退货").0));
        raw.extend(b"?=\r\nMessage-ID: <a2@x>\r\nContent-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        raw.extend(base64(&gb));
        raw.extend(b"\r\n");
        m.deliver(&raw).await.unwrap();

        let mut imap = Imap::connect(&account(&m, PASSWORD)).await.unwrap();
        assert!(imap.has_idle());
        let f = imap.select("INBOX").await.unwrap();
        assert_eq!(f.exists, 2);
        let new = imap.new_since(0).await.unwrap();
        assert_eq!(new.len(), 2);
        let bodies = imap.fetch(&new.iter().map(|(u, _)| *u).collect::<Vec<_>>(), false).await.unwrap();
        let mails: Vec<_> = bodies.iter().map(|(_, raw)| mercator_channels::mail::parse_mail(raw).unwrap()).collect();
        assert!(
            mails[0].text.contains("Wo ist mein Paket?") && mails[0].text.contains(".dot line"),
            "dot-stuffing undone"
        );
        assert_eq!(mails[1].subject, "退货");
        assert!(mails[1].text.contains("耳机坏了"));
        // after the last UID: nothing (even though `N:*` names the last message)
        let last = new.last().unwrap().0;
        assert!(imap.new_since(last).await.unwrap().is_empty());

        // IDLE: a delivery wakes the wait
        let deliver = async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            m.deliver(&buyer_mail("a3@x", "Noch da?", "Hallo")).await.unwrap();
        };
        let (waited, ()) = tokio::join!(imap.wait(Duration::from_secs(20)), deliver);
        let (mut imap, w) = waited.unwrap();
        assert_eq!(w, Waited::Changed);
        assert_eq!(imap.new_since(last).await.unwrap().len(), 1, "the connection is usable after IDLE");
        let (imap, w) = imap.wait(Duration::from_millis(300)).await.unwrap();
        assert_eq!(w, Waited::Quiet);
        imap.logout().await;
    }

    fn base64(b: &[u8]) -> Vec<u8> {
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = vec![];
        for c in b.chunks(3) {
            let n = (u32::from(c[0]) << 16)
                | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                | u32::from(*c.get(2).unwrap_or(&0));
            for i in 0..4 {
                out.push(if i <= c.len() { T[((n >> (18 - 6 * i)) & 63) as usize] } else { b'=' });
            }
        }
        out
    }

    fn tls_account(imaps: u16, smtp: u16) -> Account {
        Account {
            address: USER.into(),
            username: USER.into(),
            password: Secret::new(PASSWORD),
            imap: Server { host: "localhost".into(), port: imaps, security: Security::Tls },
            smtp: Server { host: "localhost".into(), port: smtp, security: Security::StartTls },
        }
    }

    fn tls_reply() -> lettre::Message {
        Outgoing {
            from_name: "Hearthly".into(),
            from: USER.into(),
            to_name: String::new(),
            to: "abc@marketplace.amazon.de".into(),
            subject: "Re: Bestellung".into(),
            message_id: "tls-1@shop.test".into(),
            parents: vec![],
            body: "Guten Tag".into(),
        }
        .build()
        .unwrap()
    }

    /// As real providers run them: IMAP over TLS from the first byte and
    /// with STARTTLS, SMTP submission with STARTTLS and a login. A server
    /// whose certificate is not trusted is refused with a clear error; the
    /// trusted case runs in a process of its own that trusts the test
    /// certificate (`SSL_CERT_FILE`), leaving this process's trust alone.
    #[tokio::test]
    async fn tls_mailboxes_as_real_providers_run_them() {
        let m = MailServer::start_tls().unwrap();
        let acc = tls_account(m.imaps_port, m.smtp_port);
        let e = Imap::connect(&acc).await.unwrap_err();
        assert!(matches!(e, MailboxError::Connect { .. }), "{e:?}");
        let e2 = send(&acc, &tls_reply()).await.unwrap_err();
        assert!(matches!(e2, MailboxError::Connect { .. }), "{e2:?}");
        for e in [e, e2] {
            assert!(!format!("{e:?} {e}").contains(PASSWORD), "no password in {e}");
        }
        assert!(m.received().is_empty());
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "mailbox::tls_trusted_child", "--ignored", "--test-threads", "1"])
            .env("SSL_CERT_FILE", m.cert.as_ref().unwrap())
            .env("MERCATOR_TLS_PORTS", format!("{} {} {}", m.imaps_port, m.imap_port, m.smtp_port))
            .status()
            .unwrap();
        assert!(status.success(), "the trusted run failed");
        let got = m.received();
        assert_eq!(got.len(), 1, "one mail through STARTTLS and a login");
        assert_eq!(
            mercator_channels::mail::parse_mail(&got[0]).unwrap().message_id.as_deref(),
            Some("tls-1@shop.test")
        );
    }

    #[tokio::test]
    #[ignore = "run by tls_mailboxes_as_real_providers_run_them, in a process that trusts the test certificate"]
    async fn tls_trusted_child() {
        let ports: Vec<u16> =
            std::env::var("MERCATOR_TLS_PORTS").unwrap().split(' ').map(|p| p.parse().unwrap()).collect();
        let acc = tls_account(ports[0], ports[2]);
        let mut imap = Imap::connect(&acc).await.unwrap();
        assert!(imap.has_idle());
        imap.select("INBOX").await.unwrap();
        // the same server with STARTTLS on the plain port
        let mut starttls = tls_account(ports[1], ports[2]);
        starttls.imap.security = Security::StartTls;
        Imap::connect(&starttls).await.unwrap().logout().await;
        let mail = tls_reply();
        send(&acc, &mail).await.unwrap();
        imap.append("Sent", &mail.formatted()).await.unwrap();
        assert!(imap.has_message_id("Sent", "tls-1@shop.test").await.unwrap());
        imap.logout().await;
    }

    #[tokio::test]
    async fn a_reply_is_sent_filed_in_sent_and_found_there_by_its_message_id() {
        let m = MailServer::start().unwrap();
        let acc = account(&m, PASSWORD);
        let out = Outgoing {
            from_name: "Hearthly".into(),
            from: USER.into(),
            to_name: "Jonas Becker".into(),
            to: "abc@marketplace.amazon.de".into(),
            subject: "Re: Bestellung\r\nBcc: evil@x".into(),
            message_id: "r1@shop.test".into(),
            parents: vec!["p2@x".into(), "root@x".into()],
            body: "Guten Tag, Ihr Paket ist unterwegs. 您好".into(),
        };
        let mail = out.build().unwrap();
        send(&acc, &mail).await.unwrap();
        let got = m.received();
        assert_eq!(got.len(), 1);
        let parsed = mercator_channels::mail::parse_mail(&got[0]).unwrap();
        assert_eq!(parsed.message_id.as_deref(), Some("r1@shop.test"));
        assert_eq!(parsed.in_reply_to, ["p2@x"]);
        assert_eq!(parsed.references, ["root@x", "p2@x"]);
        assert!(parsed.text.contains("您好"));
        assert!(!String::from_utf8_lossy(&got[0]).lines().any(|l| l.starts_with("Bcc:")), "no header injection");

        let mut imap = Imap::connect(&acc).await.unwrap();
        assert!(!imap.has_message_id("Sent", "r1@shop.test").await.unwrap());
        imap.append("Sent", &mail.formatted()).await.unwrap();
        assert!(imap.has_message_id("Sent", "r1@shop.test").await.unwrap());
        assert!(!imap.has_message_id("Sent", "r1@shop.tes").await.unwrap(), "the whole id, not a part");
        assert!(!imap.has_message_id("Sent", "x\" OR ALL \"").await.unwrap(), "quoted, not a search of everything");
        assert!(matches!(imap.append("NoSuchFolder", b"x").await, Err(MailboxError::Folder { .. })));
    }

    #[tokio::test]
    async fn wrong_passwords_refusals_and_a_server_gone_are_told_apart() {
        let mut m = MailServer::start().unwrap();
        let wrong = account(&m, "not-the-password");
        assert!(matches!(Imap::connect(&wrong).await, Err(MailboxError::Auth { .. })));
        let out = Outgoing {
            from_name: String::new(),
            from: USER.into(),
            to_name: String::new(),
            to: "b@x.test".into(),
            subject: "Re".into(),
            message_id: "e1@shop.test".into(),
            parents: vec![],
            body: "Hi".into(),
        }
        .build()
        .unwrap();
        let e = send(&wrong, &out).await.unwrap_err();
        assert!(matches!(e, MailboxError::Auth { .. }), "{e:?}");
        let acc = account(&m, PASSWORD);
        m.smtp_refuse(Some("550 5.1.1 mailbox unavailable"));
        let e = send(&acc, &out).await.unwrap_err();
        assert!(matches!(&e, MailboxError::Rejected { reason } if reason.contains("mailbox unavailable")), "{e:?}");
        assert!(!e.is_transient());
        m.smtp_refuse(Some("451 4.3.0 try again later"));
        let e = send(&acc, &out).await.unwrap_err();
        assert!(matches!(e, MailboxError::Later { .. }) && e.is_transient(), "{e:?}");
        m.smtp_refuse(None);
        assert!(m.received().is_empty(), "nothing accepted while refusing");

        // the server goes away under an open connection, then entirely
        let mut imap = Imap::connect(&acc).await.unwrap();
        imap.select("INBOX").await.unwrap();
        m.stop_imap();
        let e = imap.new_since(0).await.unwrap_err();
        assert!(e.is_transient(), "{e:?}");
        let e = Imap::connect(&acc).await.unwrap_err();
        assert!(e.is_unreachable(), "{e:?}");
        // plain text to another computer is refused before connecting
        let mut far = account(&m, PASSWORD);
        far.imap.host = "imap.example.com".into();
        assert!(matches!(Imap::connect(&far).await, Err(MailboxError::Insecure { .. })));
        far.smtp.host = "smtp.example.com".into();
        assert!(matches!(send(&far, &out).await, Err(MailboxError::Insecure { .. })));
        let text = format!("{:?}", Imap::connect(&wrong).await.unwrap_err());
        assert!(!text.contains("not-the-password"));
    }
}
