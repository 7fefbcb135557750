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
    let p = ops::products(&store, "zh-CN", None, 0, 20).await.unwrap();
    assert_eq!((p.items.len(), p.total), (20, 50));
    assert_eq!(p.items[0].languages, vec!["de-DE", "en-US", "zh-CN"]);
    assert_eq!(p.items[0].cost.currency, "CNY");
    let found = ops::products(&store, "zh-CN", Some("耳机"), 0, 20).await.unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.items[0].title, "蓝牙5.3主动降噪无线耳机");
    let l = ops::listings(&store, "en-US", 0, 500).await.unwrap();
    let jpy = l.items.iter().find(|x| x.price.currency == "JPY").unwrap();
    assert_eq!(jpy.price.exponent, 0);
    let o = ops::orders(&store, 0, 10).await.unwrap();
    assert_eq!(o.total, 36);
    assert!(ops::products(&store, "en-US", None, -1, 10).await.is_err());
    let e = ops::orders(&store, 0, 100_000).await.unwrap_err();
    assert_eq!(e.0.args["field"], "limit");
    let picks = ops::pick_list(&store, "en-US").await.unwrap();
    assert!(!picks.lines.is_empty());
    let to_ship = ops::orders(&store, 0, 100).await.unwrap().items.iter().filter(|o| o.status == "unshipped").count();
    assert_eq!(picks.orders as usize, to_ship);
    let c = ops::conversations(&store).await.unwrap();
    assert!(c.iter().any(|c| c.awaiting_reply) && c.iter().any(|c| !c.awaiting_reply));
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
    let edit: mercator_api::EditRequest =
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
    let bad: mercator_api::EditRequest =
        serde_json::from_value(serde_json::json!({"kind": "title", "lang": "en-US", "value": " "})).unwrap();
    let e = ops::apply_edit(&store, &id, bad, 1).await.unwrap_err();
    assert_eq!(e.0.code, "title-empty");
}
