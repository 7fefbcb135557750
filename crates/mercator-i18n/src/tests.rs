use super::*;
use mercator_core::{ErrorCode, ErrorPayload};
use std::collections::BTreeSet;

#[test]
fn every_locale_parses_without_errors() {
    for (l, file, src) in SOURCES {
        if let Err((_, errs)) = FluentResource::try_new((*src).to_string()) {
            panic!("{l}/{file}: {errs:?}");
        }
    }
}

#[test]
fn locales_define_the_same_ids() {
    let en = message_ids("en-US");
    let zh = message_ids("zh-CN");
    let only_en: Vec<_> = en.difference(&zh).collect();
    let only_zh: Vec<_> = zh.difference(&en).collect();
    assert!(only_en.is_empty(), "missing in zh-CN: {only_en:?}");
    assert!(only_zh.is_empty(), "missing in en-US: {only_zh:?}");
    assert!(en.len() > 50);
}

#[test]
fn every_error_code_has_a_message() {
    for lang in LANGUAGES {
        let ids = message_ids(lang);
        for code in ErrorCode::ALL {
            let id = format!("error-{}", code.as_str());
            assert!(ids.contains(&id), "{lang} lacks {id}");
        }
    }
}

/// Ids the UI composes from backend enums (order status, channel kind...).
fn composed_ids() -> Vec<String> {
    let mut ids = vec![];
    for s in mercator_core::order::OrderState::ALL {
        ids.push(format!("order-status-{}", s.as_str()));
    }
    for k in ["amazon", "shopify", "woocommerce", "shopee", "tiktok", "ebay"] {
        ids.push(format!("channel-kind-{k}"));
    }
    for c in mercator_core::demo::CATEGORIES {
        ids.push(format!("category-{c}"));
    }
    for n in ["catalog", "pricing", "orders", "inbox", "warehouse", "settings"] {
        ids.push(format!("nav-{n}"));
    }
    // every field the store can record in the history (entity fields and "created")
    for f in [
        "title",
        "description",
        "bullets",
        "keywords",
        "brand",
        "category",
        "images",
        "gtin-exempt",
        "sku",
        "gtin",
        "cost-minor",
        "stock",
        "weight-g",
        "length-mm",
        "width-mm",
        "height-mm",
        "hs-code",
        "origin",
        "certifications",
        "attributes",
        "status",
        "seller-sku",
        "external-id",
        "qty-policy",
        "qty-value",
        "overrides",
        "created",
    ] {
        ids.push(format!("history-field-{f}"));
    }
    for code in mercator_core::rules::RULE_CODES {
        ids.push(format!("rule-{code}"));
    }
    for q in ["stock", "buffer", "fixed"] {
        ids.push(format!("qty-{q}"));
    }
    for s in ["sku", "title", "stock", "cost", "updated", "issues", "created"] {
        ids.push(format!("sort-{s}"));
    }
    for t in ["light", "dark", "system"] {
        ids.push(format!("theme-{t}"));
    }
    for s in mercator_core::catalog::LISTING_STATUSES {
        ids.push(format!("listing-status-{s}"));
    }
    // composed from the backend's own lists: a new value without a message fails here
    for k in mercator_store::outbox::KINDS {
        ids.push(format!("outbox-kind-{}", k.replace('.', "-")));
    }
    for c in mercator_channels::Capability::ALL {
        ids.push(format!("capability-{}", c.as_str()));
    }
    for k in mercator_channels::amazon::messaging::KINDS {
        ids.push(format!("amazon-kind-{}", k.name));
    }
    for k in mercator_store::inventory::WAREHOUSE_KINDS {
        ids.push(format!("stock-kind-{k}"));
    }
    for d in mercator_api::shipping::DELIVERY_STATES {
        ids.push(format!("order-shipment-{d}"));
    }
    for code in mercator_pricing::engine::STEP_CODES {
        ids.push(format!("price-step-{code}"));
    }
    for f in
        ["sku", "parent", "gtin", "brand", "category", "stock", "hs-code", "origin", "cost", "currency", "attributes"]
    {
        ids.push(format!("import-field-{f}"));
    }
    ids
}

fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if matches!(p.extension().and_then(|x| x.to_str()), Some("ts" | "svelte" | "rs")) {
            out.push(p);
        }
    }
}

/// Every literal `t('id')` / `t("id")` in the UI, and every `msg("id")` in the
/// Rust shell, must exist in both locales.
#[test]
fn every_message_used_in_code_exists() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = vec![];
    walk(&root.join("ui/src"), &mut files);
    walk(&root.join("src-tauri/src"), &mut files);
    let mut used = BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for marker in ["t('", "t(\"", "msg(\"", "tattr('"] {
            let mut rest = text.as_str();
            while let Some(pos) = rest.find(marker) {
                let prev = rest[..pos].chars().last();
                rest = &rest[pos + marker.len()..];
                if prev.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue; // e.g. `split('` or `format("`
                }
                let end = rest.find(['\'', '"']).unwrap_or(0);
                let id = &rest[..end];
                if !id.is_empty()
                    && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
                {
                    used.insert(id.to_string());
                }
            }
        }
    }
    used.extend(composed_ids());
    assert!(used.len() > 30, "scanner found too few ids: {used:?}");
    for lang in LANGUAGES {
        let ids = message_ids(lang);
        let missing: Vec<_> = used.iter().filter(|u| !ids.contains(*u)).collect();
        assert!(missing.is_empty(), "{lang} lacks ids used in code: {missing:?}");
    }
}

#[test]
fn errors_format_with_args_in_both_languages() {
    let e =
        ErrorPayload::new(ErrorCode::DbNewerVersion).arg("path", "/d/mercator.db").arg("found", "9").arg("known", "1");
    let en = error_message("en-US", &e);
    let zh = error_message("zh-CN", &e);
    assert!(en.contains("/d/mercator.db") && en.contains("newer"), "{en}");
    assert!(zh.contains("/d/mercator.db") && zh.contains("新"), "{zh}");
}

#[test]
fn negotiation() {
    assert_eq!(negotiate("zh-Hans-CN"), "zh-CN");
    assert_eq!(negotiate("zh_TW"), "zh-CN");
    assert_eq!(negotiate("de-DE"), "en-US");
    assert_eq!(negotiate(""), "en-US");
}
