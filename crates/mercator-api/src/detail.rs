//! The product editor's view of a product: texts, variants, images, and per
//! listing its effective content, rule results and conflicts with the
//! channel's copy.

use crate::dto::decimal_text;
use crate::dto::*;
use mercator_core::catalog::ImageRef;
use mercator_core::rules::{market_language, serves_market, RuleIssue};
use mercator_store::catalog::{ListingDetailRow, ProductDetail, TextRow};
use serde_json::Value;
use std::path::Path;

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
}

/// Parses a content snapshot (`{title, bullets, description, keywords}`).
pub fn content_of(json: &str) -> ContentDto {
    let v: Value = serde_json::from_str(json).unwrap_or(Value::Null);
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    ContentDto {
        title: s("title"),
        bullets: v.get("bullets").and_then(strings),
        description: s("description"),
        keywords: s("keywords"),
    }
}

/// The text of the product in a market's language, if it has one.
pub fn text_for_market<'a>(texts: &'a [TextRow], market: &str) -> Option<&'a TextRow> {
    texts.iter().find(|t| serves_market(&t.lang, market))
}

/// What this listing shows buyers: its override where set, else the
/// product's text in the market's language.
pub fn effective_content(texts: &[TextRow], l: &ListingDetailRow) -> ContentDto {
    let o = content_of(&l.overrides);
    let t = text_for_market(texts, &l.market);
    ContentDto {
        title: o.title.or_else(|| t.map(|t| t.title.clone())),
        bullets: o.bullets.or_else(|| t.map(|t| serde_json::from_str(&t.bullets).unwrap_or_default())),
        description: o.description.or_else(|| t.map(|t| t.description.clone())),
        keywords: o.keywords.or_else(|| t.map(|t| t.keywords.clone())),
    }
}

fn field_text(c: &ContentDto, field: &str) -> Option<String> {
    match field {
        "title" => c.title.clone(),
        "bullets" => c.bullets.as_ref().map(|b| b.join("\n")),
        "description" => c.description.clone(),
        _ => c.keywords.clone(),
    }
}

/// Fields where the channel's copy differs from what we last synced (or,
/// never synced, from ours).
pub fn conflicts(texts: &[TextRow], l: &ListingDetailRow) -> Vec<ConflictFieldDto> {
    let Some(remote) = l.remote_copy.as_deref() else { return vec![] };
    let theirs = content_of(remote);
    let base = l.synced_base.as_deref().map(content_of);
    let ours = effective_content(texts, l);
    let mut out = vec![];
    for field in mercator_core::catalog::OVERRIDE_FIELDS {
        let Some(t) = field_text(&theirs, field) else { continue };
        let o = field_text(&ours, field).unwrap_or_default();
        let b = base.as_ref().and_then(|b| field_text(b, field));
        let changed_by_them = match &b {
            Some(b) => *b != t,
            None => o != t,
        };
        if changed_by_them && o != t {
            let both_changed = b.as_ref().is_none_or(|b| *b != o);
            out.push(ConflictFieldDto { field: field.to_string(), base: b, ours: o, theirs: t, both_changed });
        }
    }
    out
}

pub fn detail_dto(d: ProductDetail, images_dir: &Path) -> ProductDetailDto {
    let images: Vec<ImageRef> = serde_json::from_str(&d.head.images).unwrap_or_default();
    let sku_of: std::collections::HashMap<String, String> =
        d.variants.iter().map(|v| (v.id.clone(), v.sku.clone())).collect();
    let listings = d
        .listings
        .iter()
        .map(|l| ListingDetailDto {
            id: l.id.clone(),
            variant_id: l.variant_id.clone(),
            channel_id: l.channel_id.clone(),
            sku: sku_of.get(&l.variant_id).cloned().unwrap_or_default(),
            channel_name: l.channel_name.clone(),
            channel_kind: l.channel_kind.clone(),
            market: l.market.clone(),
            market_language: market_language(&l.market).to_string(),
            price: MoneyDto::of(l.price()),
            status: l.status.clone(),
            seller_sku: l.seller_sku.clone(),
            external_id: l.external_id.clone(),
            qty_policy: l.qty_policy.clone(),
            qty_value: l.qty_value,
            overrides: content_of(&l.overrides),
            effective: effective_content(&d.texts, l),
            content_lang: text_for_market(&d.texts, &l.market).map(|t| t.lang.clone()),
            issues: serde_json::from_str::<Vec<RuleIssue>>(&l.issues)
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            conflicts: conflicts(&d.texts, l),
            remote_seen_at: l.remote_seen_at.clone(),
            revision: l.revision,
        })
        .collect();
    ProductDetailDto {
        id: d.head.id,
        brand: d.head.brand,
        category: d.head.category,
        revision: d.head.revision,
        gtin_exempt: d.head.gtin_exempt != 0,
        issue_count: d.head.issue_count,
        images: images
            .into_iter()
            .map(|i| ImageDto {
                thumb_url: crate::images::thumb_data_url(images_dir, &i.thumb),
                file: i.file,
                thumb: i.thumb,
                width: i.width,
                height: i.height,
                variants: i.variants,
            })
            .collect(),
        texts: d
            .texts
            .into_iter()
            .map(|t| TextDto {
                bullets: serde_json::from_str(&t.bullets).unwrap_or_default(),
                lang: t.lang,
                title: t.title,
                description: t.description,
                keywords: t.keywords,
                revision: t.revision,
            })
            .collect(),
        variants: d
            .variants
            .into_iter()
            .map(|v| {
                let cost = MoneyDto::of(v.cost());
                let attributes = serde_json::from_str::<serde_json::Map<String, Value>>(&v.attributes)
                    .map(|m| m.into_iter().map(|(k, val)| (k, val.as_str().unwrap_or_default().to_string())).collect())
                    .unwrap_or_default();
                VariantDto {
                    id: v.id,
                    sku: v.sku,
                    gtin: v.gtin.unwrap_or_default(),
                    attributes,
                    cost_input: decimal_text(cost.minor, cost.exponent),
                    cost,
                    stock: v.stock,
                    weight_g: v.weight_g,
                    length_mm: v.length_mm,
                    width_mm: v.width_mm,
                    height_mm: v.height_mm,
                    hs_code: v.hs_code,
                    origin: v.origin,
                    certifications: serde_json::from_str(&v.certifications).unwrap_or_default(),
                    revision: v.revision,
                }
            })
            .collect(),
        listings,
    }
}

/// The editor's view of one product.
pub async fn product_detail(
    store: &mercator_store::Store,
    product_id: &str,
) -> crate::ApiResult<crate::ProductDetailDto> {
    Ok(detail_dto(store.product_detail(product_id).await?, &crate::images::images_dir(store)))
}
