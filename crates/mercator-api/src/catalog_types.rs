//! The catalog's input types as the UI sends them (editor changes, bulk
//! operations, conflict choices, the catalog filter) and the catalog facts
//! it shows (certificates, images, rule issues): the API's own copies of
//! `mercator_core::catalog`'s, each mapped once into (or from) the domain
//! type, so the domain can change without changing the UI's contract.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// One change from the product editor (or one step of a bulk edit). Amounts
/// and measures arrive as the text the user typed and are validated by the
/// store, which knows the record's currency.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Edit {
    Title {
        lang: String,
        value: String,
    },
    Description {
        lang: String,
        value: String,
    },
    Bullets {
        lang: String,
        value: Vec<String>,
    },
    Keywords {
        lang: String,
        value: String,
    },
    Brand {
        value: String,
    },
    Category {
        value: String,
    },
    GtinExempt {
        value: bool,
    },
    /// The product's images in display order (the first is the main image).
    Images {
        value: Vec<ImageRef>,
    },
    Sku {
        variant_id: String,
        value: String,
    },
    Gtin {
        variant_id: String,
        value: String,
    },
    /// Decimal text in the variant's cost currency, e.g. "18.50".
    Cost {
        variant_id: String,
        value: String,
    },
    Stock {
        variant_id: String,
        value: i64,
    },
    /// `weight_g`, `length_mm`, `width_mm` or `height_mm`; whole number text.
    Measure {
        variant_id: String,
        field: String,
        value: String,
    },
    HsCode {
        variant_id: String,
        value: String,
    },
    Origin {
        variant_id: String,
        value: String,
    },
    Certifications {
        variant_id: String,
        value: Vec<Certification>,
    },
    /// Sets (value) or removes (null) one attribute of a variant.
    Attribute {
        variant_id: String,
        name: String,
        value: Option<String>,
    },
    ListingStatus {
        listing_id: String,
        value: String,
    },
    SellerSku {
        listing_id: String,
        value: String,
    },
    ExternalId {
        listing_id: String,
        value: String,
    },
    /// `stock` (all available), `buffer` (available minus value), `fixed` (value).
    QtyPolicy {
        listing_id: String,
        policy: String,
        value: i64,
    },
    /// Sets (value) or removes (null) the market's own version of a content
    /// field (`title`, `bullets`, `description`, `keywords`).
    Override {
        listing_id: String,
        field: String,
        #[ts(type = "string | string[] | null")]
        value: Option<serde_json::Value>,
    },
}

/// One operation over a selection of products; all of it is one op in the
/// history (one undo).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum BulkOp {
    /// `brand`, `category` (products) or `hs_code`, `origin` (every variant).
    SetField {
        field: String,
        value: String,
    },
    /// Literal, case-sensitive find and replace in the titles of one language.
    ReplaceInTitles {
        lang: String,
        find: String,
        replace: String,
    },
    SetAttribute {
        name: String,
        value: String,
    },
    RemoveAttribute {
        name: String,
    },
    /// Sets the status of the products' listings (on one channel, or all).
    ListingStatus {
        channel_id: Option<String>,
        value: String,
    },
}

/// Which version of a conflicting field to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Keep {
    Ours,
    Theirs,
}

/// What the catalog table is narrowed to and sorted by; crosses IPC as is.
/// Empty = everything in creation order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct CatalogFilter {
    /// Searches SKUs, GTINs and titles in every language.
    pub query: Option<String>,
    pub channel_id: Option<String>,
    /// ISO 3166 market some listing of the product is in.
    pub market: Option<String>,
    /// Listing status some listing of the product has (with the channel, if set).
    pub status: Option<String>,
    /// Only products with market-rule problems.
    pub issues_only: bool,
    /// Only products without a title in this language.
    pub missing_lang: Option<String>,
    /// `out` (0 in stock), `low` (1-9), `in` (> 0).
    pub stock: Option<String>,
    /// `sku`, `title`, `stock`, `cost`, `updated`, `issues`.
    pub sort: Option<String>,
    pub desc: bool,
}

/// A certificate held for a variant: its kind, the document reference (file
/// name or certificate number) and, when it has one, the expiry date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Certification {
    pub kind: String,
    pub reference: String,
    /// `YYYY-MM-DD`, or `null` for certificates that do not expire.
    pub expires: Option<String>,
}

/// An image of a product: the original file as imported and a thumbnail,
/// both named by content hash inside the data folder's `images/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImageRef {
    pub file: String,
    pub thumb: String,
    pub width: u32,
    pub height: u32,
    /// The variants this image shows (ids); empty: every variant.
    #[serde(default)]
    pub variants: Vec<String>,
}
impl From<Edit> for mercator_core::catalog::Edit {
    fn from(e: Edit) -> Self {
        match e {
            Edit::Title { lang, value } => mercator_core::catalog::Edit::Title { lang, value },
            Edit::Description { lang, value } => mercator_core::catalog::Edit::Description { lang, value },
            Edit::Bullets { lang, value } => mercator_core::catalog::Edit::Bullets { lang, value },
            Edit::Keywords { lang, value } => mercator_core::catalog::Edit::Keywords { lang, value },
            Edit::Brand { value } => mercator_core::catalog::Edit::Brand { value },
            Edit::Category { value } => mercator_core::catalog::Edit::Category { value },
            Edit::GtinExempt { value } => mercator_core::catalog::Edit::GtinExempt { value },
            Edit::Images { value } => {
                mercator_core::catalog::Edit::Images { value: value.into_iter().map(Into::into).collect() }
            }
            Edit::Sku { variant_id, value } => mercator_core::catalog::Edit::Sku { variant_id, value },
            Edit::Gtin { variant_id, value } => mercator_core::catalog::Edit::Gtin { variant_id, value },
            Edit::Cost { variant_id, value } => mercator_core::catalog::Edit::Cost { variant_id, value },
            Edit::Stock { variant_id, value } => mercator_core::catalog::Edit::Stock { variant_id, value },
            Edit::Measure { variant_id, field, value } => {
                mercator_core::catalog::Edit::Measure { variant_id, field, value }
            }
            Edit::HsCode { variant_id, value } => mercator_core::catalog::Edit::HsCode { variant_id, value },
            Edit::Origin { variant_id, value } => mercator_core::catalog::Edit::Origin { variant_id, value },
            Edit::Certifications { variant_id, value } => mercator_core::catalog::Edit::Certifications {
                variant_id,
                value: value.into_iter().map(Into::into).collect(),
            },
            Edit::Attribute { variant_id, name, value } => {
                mercator_core::catalog::Edit::Attribute { variant_id, name, value }
            }
            Edit::ListingStatus { listing_id, value } => {
                mercator_core::catalog::Edit::ListingStatus { listing_id, value }
            }
            Edit::SellerSku { listing_id, value } => mercator_core::catalog::Edit::SellerSku { listing_id, value },
            Edit::ExternalId { listing_id, value } => mercator_core::catalog::Edit::ExternalId { listing_id, value },
            Edit::QtyPolicy { listing_id, policy, value } => {
                mercator_core::catalog::Edit::QtyPolicy { listing_id, policy, value }
            }
            Edit::Override { listing_id, field, value } => {
                mercator_core::catalog::Edit::Override { listing_id, field, value }
            }
        }
    }
}

impl From<BulkOp> for mercator_core::catalog::BulkOp {
    fn from(e: BulkOp) -> Self {
        match e {
            BulkOp::SetField { field, value } => mercator_core::catalog::BulkOp::SetField { field, value },
            BulkOp::ReplaceInTitles { lang, find, replace } => {
                mercator_core::catalog::BulkOp::ReplaceInTitles { lang, find, replace }
            }
            BulkOp::SetAttribute { name, value } => mercator_core::catalog::BulkOp::SetAttribute { name, value },
            BulkOp::RemoveAttribute { name } => mercator_core::catalog::BulkOp::RemoveAttribute { name },
            BulkOp::ListingStatus { channel_id, value } => {
                mercator_core::catalog::BulkOp::ListingStatus { channel_id, value }
            }
        }
    }
}

impl From<Keep> for mercator_core::catalog::Keep {
    fn from(e: Keep) -> Self {
        match e {
            Keep::Ours => mercator_core::catalog::Keep::Ours,
            Keep::Theirs => mercator_core::catalog::Keep::Theirs,
        }
    }
}

impl From<CatalogFilter> for mercator_core::catalog::CatalogFilter {
    fn from(f: CatalogFilter) -> Self {
        mercator_core::catalog::CatalogFilter {
            query: f.query,
            channel_id: f.channel_id,
            market: f.market,
            status: f.status,
            issues_only: f.issues_only,
            missing_lang: f.missing_lang,
            stock: f.stock,
            sort: f.sort,
            desc: f.desc,
        }
    }
}

impl From<Certification> for mercator_core::catalog::Certification {
    fn from(x: Certification) -> Self {
        mercator_core::catalog::Certification { kind: x.kind, reference: x.reference, expires: x.expires }
    }
}

impl From<mercator_core::catalog::Certification> for Certification {
    fn from(x: mercator_core::catalog::Certification) -> Self {
        Certification { kind: x.kind, reference: x.reference, expires: x.expires }
    }
}

impl From<ImageRef> for mercator_core::catalog::ImageRef {
    fn from(x: ImageRef) -> Self {
        mercator_core::catalog::ImageRef {
            file: x.file,
            thumb: x.thumb,
            width: x.width,
            height: x.height,
            variants: x.variants,
        }
    }
}

impl From<mercator_core::catalog::ImageRef> for ImageRef {
    fn from(x: mercator_core::catalog::ImageRef) -> Self {
        ImageRef { file: x.file, thumb: x.thumb, width: x.width, height: x.height, variants: x.variants }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The channel would refuse the listing or take it down.
    Error,
    /// Accepted, but it costs visibility or conversions.
    Warning,
}

/// One broken rule, with what the message needs to say why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RuleIssue {
    pub code: String,
    pub severity: Severity,
    pub args: BTreeMap<String, String>,
}

impl From<mercator_core::rules::RuleIssue> for RuleIssue {
    fn from(i: mercator_core::rules::RuleIssue) -> Self {
        let severity = match i.severity {
            mercator_core::rules::Severity::Error => Severity::Error,
            mercator_core::rules::Severity::Warning => Severity::Warning,
        };
        RuleIssue { code: i.code, severity, args: i.args }
    }
}
