//! Error codes shared by every layer. Errors cross IPC as `{code, args}` and
//! the UI shows the Fluent message `error-<code>` with those args, so every
//! code here must have an entry in every locale (checked by mercator-i18n's tests).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

macro_rules! error_codes {
    ($($variant:ident => $code:literal,)*) => {
        /// Every error code the app can show to a user.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $($variant,)* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable code, e.g. `db-newer-version`; Fluent id is `error-<code>`.
            pub fn as_str(&self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }
        }
    };
}

error_codes! {
    DataDirMissing => "data-dir-missing",
    DataDirNotDir => "data-dir-not-dir",
    DataDirReadOnly => "data-dir-read-only",
    DbLocked => "db-locked",
    DbCorrupt => "db-corrupt",
    DbNotSqlite => "db-not-sqlite",
    DbForeign => "db-foreign",
    DbNewerVersion => "db-newer-version",
    DbMigrationFailed => "db-migration-failed",
    DbIo => "db-io",
    DbBackupFailed => "db-backup-failed",
    StoreNotOpen => "store-not-open",
    VaultUnavailable => "vault-unavailable",
    VaultNoEntry => "vault-no-entry",
    VaultBadSecret => "vault-bad-secret",
    VaultTokenNotSaved => "vault-token-not-saved",
    InvalidArgument => "invalid-argument",
    UnknownFlag => "unknown-flag",
    DataDirRequired => "data-dir-required",
    InvalidEnvFlag => "invalid-env-flag",
    UnknownLanguage => "unknown-language",
    UnknownTheme => "unknown-theme",
    OpenFolderFailed => "open-folder-failed",
    NotFound => "not-found",
    SkuEmpty => "sku-empty",
    SkuTooLong => "sku-too-long",
    SkuBadChar => "sku-bad-char",
    SkuTaken => "sku-taken",
    GtinFormat => "gtin-format",
    GtinCheckDigit => "gtin-check-digit",
    TitleEmpty => "title-empty",
    TitleTooLong => "title-too-long",
    LanguageTag => "language-tag",
    MoneyInvalid => "money-invalid",
    RevisionConflict => "revision-conflict",
    UndoConflict => "undo-conflict",
    StockInvalid => "stock-invalid",
    ImportEmpty => "import-empty",
    ImportNotText => "import-not-text",
    ImportMalformed => "import-malformed",
    ImportNoSku => "import-no-sku-column",
    ImportNoTitle => "import-no-title-column",
    ImportDuplicateSku => "import-duplicate-sku",
    ImportHasErrors => "import-has-errors",
    ImportUnreadable => "import-unreadable",
    ImportTooBig => "import-too-big",
    ImportPartTooBig => "import-part-too-big",
    ImportTooManyRows => "import-too-many-rows",
    ImportTooManyColumns => "import-too-many-columns",
    ImportCellTooLong => "import-cell-too-long",
    ImportOldXls => "import-old-xls",
    ImportRowShort => "import-row-short",
    ImportRowLong => "import-row-long",
    ImportCostMissing => "import-cost-missing",
    ImportCurrencyConflict => "import-currency-conflict",
    ImportFileGone => "import-file-gone",
    ImportRunning => "import-running",
    ImportMappingWidth => "import-mapping-width",
    DescriptionTooLong => "description-too-long",
    BrandTooLong => "brand-too-long",
    CategoryTooLong => "category-too-long",
    AttributeValue => "attribute-value",
    WeightInvalid => "weight-invalid",
    BulletsTooMany => "bullets-too-many",
    BulletTooLong => "bullet-too-long",
    KeywordsTooLong => "keywords-too-long",
    HsCodeFormat => "hs-code-format",
    CountryCode => "country-code",
    DimensionInvalid => "dimension-invalid",
    CertKind => "cert-kind",
    CertDate => "cert-date",
    AttributeName => "attribute-name",
    ListingStatus => "listing-status",
    QtyPolicy => "qty-policy",
    OverrideField => "override-field",
    ImageUnreadable => "image-unreadable",
    ImageTooLarge => "image-too-large",
    ImageLimit => "image-limit",
    NoConflict => "no-conflict",
    BulkEmpty => "bulk-empty",
    BulkNothingToDo => "bulk-nothing-to-do",
    Cancelled => "cancelled",
    XlsxUnreadable => "xlsx-unreadable",
    ExportFailed => "export-failed",
    PricingInputInvalid => "pricing-input-invalid",
    PriceNoFxRate => "price-no-fx-rate",
    PriceNoSizeTier => "price-no-size-tier",
    PriceNoMarket => "price-no-market",
    PriceTargetUnreachable => "price-target-unreachable",
    PriceCeilingBelowTarget => "price-ceiling-below-target",
    PriceOutOfRange => "price-out-of-range",
    PriceWarnFxStale => "price-warn-fx-stale",
    PriceWarnPromoBelowFloor => "price-warn-promo-below-floor",
    PriceWarnPromoLoss => "price-warn-promo-loss",
    PriceWarnPromoMargin => "price-warn-promo-margin",
    EcbMalformed => "ecb-malformed",
    EcbFetchFailed => "ecb-fetch-failed",
    TemplateUnknownVariable => "template-unknown-variable",
    TemplateMissingValue => "template-missing-value",
    TemplateUnclosed => "template-unclosed",
    ChannelAuth => "channel-auth",
    ChannelRateLimited => "channel-rate-limited",
    ChannelUnavailable => "channel-unavailable",
    ChannelOffline => "channel-offline",
    ChannelBadResponse => "channel-bad-response",
    ChannelRejected => "channel-rejected",
    ChannelConfig => "channel-config",
    SyncRunning => "sync-running",
    ChannelMissing => "channel-missing",
    ChannelNoAnswer => "channel-no-answer",
    ChannelNotSentYet => "channel-not-sent-yet",
    ChannelHasOrders => "channel-has-orders",
    LinkListingsTooMany => "link-listings-too-many",
    PageBounds => "page-bounds",
    DbNotDamaged => "db-not-damaged",
    ChannelInsecureUrl => "channel-insecure-url",
    TrackingEmpty => "tracking-empty",
    TrackingFormat => "tracking-format",
    TrackingCheckDigit => "tracking-check-digit",
    CarrierUnknown => "carrier-unknown",
    ShipLineMalformed => "ship-line-malformed",
    ShipNothing => "ship-nothing",
    ShipDateInvalid => "ship-date-invalid",
    OrderUnknown => "order-unknown",
    OrderAmbiguous => "order-ambiguous",
    OrderNotShippable => "order-not-shippable",
    OrderAlreadyShipped => "order-already-shipped",
    OrderListedTwice => "order-listed-twice",
    ReplyEmpty => "reply-empty",
    ReplyTooLong => "reply-too-long",
    ReplyLint => "reply-lint",
    MailInsecure => "mail-insecure",
    MailboxMissing => "mailbox-missing",
    MailPasswordMissing => "mail-password-missing",
    MailAuth => "mail-auth",
    MailConnect => "mail-connect",
    MailRejected => "mail-rejected",
    MailProtocol => "mail-protocol",
    MailNoRecipient => "mail-no-recipient",
    AttachmentUnavailable => "attachment-unavailable",
    AttachmentSaveFailed => "attachment-save-failed",
    LinkUnavailable => "link-unavailable",
    WarrantyDates => "warranty-dates",
    AmazonDocumentNotPdf => "amazon-document-not-pdf",
    AmazonDocumentTooLarge => "amazon-document-too-large",
    MailFolderMissing => "mail-folder-missing",
    AmazonMessageNoOrder => "amazon-message-no-order",
    AmazonMessageMaybeSent => "amazon-message-maybe-sent",
    Internal => "internal",
}

/// The serialisable form of an error: `{ "code": "db-locked", "args": { "path": "…" } }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorPayload {
    pub code: String,
    pub args: BTreeMap<String, String>,
}

impl ErrorPayload {
    pub fn new(code: ErrorCode) -> Self {
        Self { code: code.as_str().to_string(), args: BTreeMap::new() }
    }

    pub fn arg(mut self, key: &str, value: impl ToString) -> Self {
        self.args.insert(key.to_string(), value.to_string());
        self
    }

    pub fn fluent_id(&self) -> String {
        format!("error-{}", self.code)
    }
}

impl std::fmt::Display for ErrorPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code)?;
        for (k, v) in &self.args {
            write!(f, " {k}={v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(s.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'), "{s}");
        }
    }

    #[test]
    fn payload_serialises_as_code_and_args() {
        let p = ErrorPayload::new(ErrorCode::DbLocked).arg("path", "/x/mercator.db");
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"code":"db-locked","args":{"path":"/x/mercator.db"}}"#);
        assert_eq!(p.fluent_id(), "error-db-locked");
    }
}
