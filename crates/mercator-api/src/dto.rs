//! Types that cross IPC. TypeScript for them is generated into
//! `ui/src/lib/bindings.ts`; a test fails when that file is stale.

use crate::catalog_types::{Certification, RuleIssue};
use mercator_core::ErrorPayload;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Money as integer minor units; the UI formats it with the locale's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MoneyDto {
    pub minor: i64,
    pub currency: String,
    /// Minor-unit digits of the currency (JPY 0, EUR 2, KWD 3), from the
    /// backend's ISO 4217 table: the UI never works one out.
    pub exponent: u32,
    /// The exact amount as decimal text ("150000.50"), for display and forms.
    pub amount: String,
}

impl MoneyDto {
    pub fn of(m: mercator_core::Money) -> Self {
        Self {
            minor: m.minor(),
            currency: m.currency().code().to_string(),
            exponent: m.currency().exponent(),
            amount: m.to_decimal().to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub offset: i64,
    pub total: i64,
    /// False when counting stopped at a cap: there are at least `total` rows
    /// (the catalog counts search hits exactly in a second call).
    pub exact: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProductDto {
    pub id: String,
    pub title: String,
    pub brand: String,
    pub category: String,
    pub languages: Vec<String>,
    pub variant_count: i64,
    pub first_sku: String,
    pub stock: i64,
    pub cost: MoneyDto,
    /// Market-rule problems over all its listings.
    pub issue_count: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CatalogSummary {
    pub products: i64,
    pub variants: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrderDto {
    pub id: String,
    pub external_id: String,
    /// What people call it (`#1004`, `302-…`).
    pub order_number: String,
    pub channel_name: String,
    pub channel_kind: String,
    pub status: String,
    pub buyer_name: String,
    pub ship_country: String,
    pub total: MoneyDto,
    /// RFC 3339 UTC; the UI formats it in the user's locale and time zone.
    pub ordered_at: String,
    pub items: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PickLineDto {
    pub sku: String,
    pub title: String,
    pub quantity: i64,
    pub orders: i64,
}

/// What the warehouse desk picks: lines of all orders waiting to ship.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PickListDto {
    pub lines: Vec<PickLineDto>,
    /// Distinct orders waiting to ship.
    pub orders: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Changes saved locally and waiting to be sent to channels.
    pub pending: i64,
    /// Changes that failed for good and need the user.
    pub failed: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Light,
    Dark,
    System,
}

impl Theme {
    pub fn as_str(&self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Theme> {
        match s {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            "system" => Some(Theme::System),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UiSettings {
    /// `zh-CN` or `en-US`.
    pub language: String,
    pub theme: Theme,
}

/// A start-up failure the window shows instead of the shop.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StartupProblem {
    #[ts(type = "ErrorPayload")]
    pub error: ErrorPayload,
    /// The file can be renamed aside to start with a fresh database.
    pub can_move_aside: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub db_path: String,
    pub log_dir: String,
    pub settings: UiSettings,
    pub shop_name: Option<String>,
    pub is_demo: bool,
    /// The shop's base currency (ISO 4217), the default for new costs.
    pub base_currency: Option<String>,
    pub problem: Option<StartupProblem>,
    /// Set after the user moved a broken database aside.
    pub moved_aside_to: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VaultStatus {
    pub available: bool,
    pub backend: String,
    #[ts(type = "ErrorPayload | null")]
    pub error: Option<ErrorPayload>,
}

/// What the window needs for its first paint, injected into the page before
/// any script runs (no IPC round trip before the catalog appears).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BootPayload {
    pub info: AppInfo,
    pub summary: Option<CatalogSummary>,
    /// First catalog page in `info.settings.language`.
    pub first_page: Option<Page<ProductDto>>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TextDto {
    pub lang: String,
    pub title: String,
    pub description: String,
    pub bullets: Vec<String>,
    pub keywords: String,
    pub revision: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VariantDto {
    pub id: String,
    pub sku: String,
    pub gtin: String,
    /// Attribute name -> value, e.g. colour -> "Black / 黑色".
    pub attributes: Vec<(String, String)>,
    pub cost: MoneyDto,
    /// The cost as decimal text for an input field ("18.50", "1980").
    pub cost_input: String,
    pub stock: i64,
    pub weight_g: i64,
    pub length_mm: i64,
    pub width_mm: i64,
    pub height_mm: i64,
    pub hs_code: String,
    pub origin: String,
    pub certifications: Vec<Certification>,
    pub revision: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImageDto {
    pub file: String,
    pub thumb: String,
    /// The thumbnail inline (`data:image/jpeg;base64,...`): the webview loads
    /// no local files.
    pub thumb_url: String,
    pub width: u32,
    pub height: u32,
    /// Variant ids this image shows; empty: all.
    pub variants: Vec<String>,
}

/// Listing content that can differ per market; `None` = not set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContentDto {
    pub title: Option<String>,
    pub bullets: Option<Vec<String>>,
    pub description: Option<String>,
    pub keywords: Option<String>,
}

/// One field where the channel's copy changed since our last sync.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConflictFieldDto {
    /// `title`, `bullets`, `description` or `keywords`.
    pub field: String,
    /// As of the last sync; null when never synced.
    pub base: Option<String>,
    pub ours: String,
    pub theirs: String,
    /// Ours also changed since base: a true conflict, not just their edit.
    pub both_changed: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ListingDetailDto {
    pub id: String,
    pub variant_id: String,
    pub channel_id: String,
    pub sku: String,
    pub channel_name: String,
    pub channel_kind: String,
    pub market: String,
    /// Language the market's buyers read (BCP 47 primary tag, e.g. `ja`).
    pub market_language: String,
    pub price: MoneyDto,
    pub status: String,
    pub seller_sku: String,
    pub external_id: String,
    pub qty_policy: String,
    pub qty_value: i64,
    pub overrides: ContentDto,
    /// What buyers in this market see: the override where set, else the
    /// product's text in the market's language.
    pub effective: ContentDto,
    /// The product language that serves this market, if it has one.
    pub content_lang: Option<String>,
    pub issues: Vec<RuleIssue>,
    pub conflicts: Vec<ConflictFieldDto>,
    pub remote_seen_at: Option<String>,
    pub revision: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProductDetailDto {
    pub id: String,
    pub brand: String,
    pub category: String,
    pub revision: i64,
    pub gtin_exempt: bool,
    pub issue_count: i64,
    pub images: Vec<ImageDto>,
    pub texts: Vec<TextDto>,
    pub variants: Vec<VariantDto>,
    pub listings: Vec<ListingDetailDto>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryDto {
    pub id: String,
    pub op_id: String,
    /// `title`, `description`, `brand`, `sku`, `gtin`, `cost_minor`, `stock`, `created`.
    pub field: String,
    pub lang: Option<String>,
    /// SKU of the variant, for variant fields.
    pub subject: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub at: String,
    pub undone: bool,
    pub can_undo: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewProductRequest {
    pub brand: String,
    pub category: String,
    /// (language tag, title) pairs; empty titles are skipped.
    pub titles: Vec<(String, String)>,
    pub sku: String,
    pub gtin: String,
    pub cost: String,
    pub cost_currency: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportRowError {
    /// Line in the file where the record starts (1 = header).
    pub line: i64,
    #[ts(type = "ErrorPayload[]")]
    pub errors: Vec<ErrorPayload>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportSample {
    pub line: i64,
    pub sku: String,
    pub title: String,
    pub cost: MoneyDto,
    /// The SKU is in the catalog already: the row updates it.
    pub update: bool,
}

/// What an import would do, shown before anything is written.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    /// The open file this preview is of: pass it to `run_import`.
    pub file_id: String,
    /// The file's name (not its folder).
    pub file_name: String,
    /// `UTF-8`, `UTF-8 (BOM)`, `GB18030` or `XLSX`.
    pub encoding: String,
    /// `,` `;` or a tab.
    pub delimiter: String,
    pub headers: Vec<String>,
    /// Per column: what it was read as (`sku`, `title:zh-CN`, ...) or null (ignored).
    pub mapping: Vec<Option<String>>,
    /// Columns that hold data but map to nothing: their cells are not imported.
    pub unmapped: Vec<i64>,
    /// Whether a cost column is mapped (without one, new products cannot be imported).
    pub has_cost: bool,
    /// What keeps the whole file from importing as mapped (no SKU or title column).
    #[ts(type = "ErrorPayload | null")]
    pub problem: Option<ErrorPayload>,
    pub total: i64,
    pub valid: i64,
    /// Valid rows whose SKU is in the catalog already (they update it).
    pub updates: i64,
    /// First 500 rows with problems.
    pub errors: Vec<ImportRowError>,
    pub sample: Vec<ImportSample>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    /// Variants created.
    pub imported: i64,
    /// Products changed by rows with SKUs already in the catalog.
    pub updated: i64,
    /// Rows with known SKUs that changed nothing.
    pub unchanged: i64,
    pub skipped: i64,
    /// Undoes the updates (as one change); creations are not undone.
    pub undo_op: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChannelDto {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub market: String,
    pub currency: String,
    pub language: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkResult {
    /// Undo this op to revert the whole bulk edit.
    pub op_id: String,
    pub changed: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    pub path: String,
    pub rows: i64,
}

/// Sent as the `progress` event while a long operation runs.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProgressEvent {
    /// `import`, `bulk`, `export`
    pub op: String,
    pub done: u64,
    pub total: u64,
}

/// An amount in minor units as exact decimal text (`12345, 2` -> `123.45`).
pub fn decimal_text(minor: i64, exponent: u32) -> String {
    rust_decimal::Decimal::new(minor, exponent).to_string()
}
