//! The UI's TypeScript types, generated from every IPC type of the API
//! crate (and the few domain types that still cross as they are). A leaf:
//! nothing in the crate imports it, so the area modules never import each
//! other for the bindings' sake.

use crate::catalog_types::{BulkOp, CatalogFilter, Certification, Edit, ImageRef, Keep, RuleIssue, Severity};
use crate::dto::*;
use ts_rs::TS;

/// How three of core's types serialise wherever they cross (`ErrorPayload`
/// in every error, `Money` and `Currency` inside pricing policies): declared
/// here, by the API, and held to what serde writes by a test.
pub const CORE_WIRE_TYPES: &[&str] = &[
    "type ErrorPayload = { code: string, args: { [key in string]: string }, };",
    "type Currency = string;",
    "type Money = { minor: number, currency: string, exponent: number, amount: string };",
];

/// Writes every IPC type's TypeScript declaration, in a stable order.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let decls = [
        CORE_WIRE_TYPES[0].to_string(),
        MoneyDto::decl(&cfg),
        Page::<()>::decl(&cfg),
        ProductDto::decl(&cfg),
        CatalogSummary::decl(&cfg),
        OrderDto::decl(&cfg),
        PickLineDto::decl(&cfg),
        PickListDto::decl(&cfg),
        SyncStatus::decl(&cfg),
        Theme::decl(&cfg),
        UiSettings::decl(&cfg),
        StartupProblem::decl(&cfg),
        AppInfo::decl(&cfg),
        VaultStatus::decl(&cfg),
        BootPayload::decl(&cfg),
        TextDto::decl(&cfg),
        VariantDto::decl(&cfg),
        ProductDetailDto::decl(&cfg),
        HistoryDto::decl(&cfg),
        Edit::decl(&cfg),
        Certification::decl(&cfg),
        ImageRef::decl(&cfg),
        Severity::decl(&cfg),
        RuleIssue::decl(&cfg),
        ImageDto::decl(&cfg),
        ContentDto::decl(&cfg),
        ConflictFieldDto::decl(&cfg),
        ListingDetailDto::decl(&cfg),
        CatalogFilter::decl(&cfg),
        ChannelDto::decl(&cfg),
        BulkResult::decl(&cfg),
        ExportResult::decl(&cfg),
        ProgressEvent::decl(&cfg),
        BulkOp::decl(&cfg),
        Keep::decl(&cfg),
        NewProductRequest::decl(&cfg),
        ImportRowError::decl(&cfg),
        ImportSample::decl(&cfg),
        ImportPreview::decl(&cfg),
        ImportResult::decl(&cfg),
        CORE_WIRE_TYPES[1].to_string(),
        CORE_WIRE_TYPES[2].to_string(),
        crate::pricing_types::TaxDisplay::decl(&cfg),
        crate::pricing_types::TaxCollector::decl(&cfg),
        crate::pricing_types::TaxRule::decl(&cfg),
        crate::pricing_types::ReferralFee::decl(&cfg),
        crate::pricing_types::FeeSchedule::decl(&cfg),
        crate::pricing_types::DutyRate::decl(&cfg),
        crate::pricing_types::SizeTier::decl(&cfg),
        crate::pricing_types::Logistics::decl(&cfg),
        crate::pricing_types::Target::decl(&cfg),
        crate::pricing_types::Rounding::decl(&cfg),
        crate::pricing_types::Ending::decl(&cfg),
        crate::pricing_types::MarketRules::decl(&cfg),
        crate::pricing_types::Market::decl(&cfg),
        crate::pricing_types::Globals::decl(&cfg),
        crate::pricing_types::Arg::decl(&cfg),
        crate::pricing_types::Step::decl(&cfg),
        crate::pricing_types::Landed::decl(&cfg),
        crate::pricing_types::Fees::decl(&cfg),
        crate::pricing_types::Quote::decl(&cfg),
        crate::pricing::PromotionInput::decl(&cfg),
        crate::pricing_types::PromoQuote::decl(&cfg),
        crate::pricing::MatrixFilter::decl(&cfg),
        crate::pricing::FxRateDto::decl(&cfg),
        crate::pricing::PolicyDto::decl(&cfg),
        crate::pricing::PricingOverview::decl(&cfg),
        crate::pricing::EcbImportResult::decl(&cfg),
        crate::pricing::RepriceResult::decl(&cfg),
        crate::pricing::MatrixCellDto::decl(&cfg),
        crate::pricing::MatrixRowDto::decl(&cfg),
        crate::pricing::PriceChangeDto::decl(&cfg),
        crate::pricing::ApplyPricesResult::decl(&cfg),
        crate::sync::RunReport::decl(&cfg),
        crate::sync::UnreadableOrderDto::decl(&cfg),
        crate::sync::AccountDto::decl(&cfg),
        crate::sync::SyncLogDto::decl(&cfg),
        crate::sync::OrderFilter::decl(&cfg),
        crate::sync::AddressDto::decl(&cfg),
        crate::sync::OrderLineDto::decl(&cfg),
        crate::sync::OrderDetailDto::decl(&cfg),
        crate::outbox::DeliveryReport::decl(&cfg),
        crate::outbox::ConnectivityDto::decl(&cfg),
        crate::sync::LinkReportDto::decl(&cfg),
        crate::outbox::OutboxProblemDto::decl(&cfg),
        crate::shipping::CarrierDto::decl(&cfg),
        crate::inventory::WarehouseDto::decl(&cfg),
        crate::inventory::StockRowDto::decl(&cfg),
        crate::inventory::StockFilter::decl(&cfg),
        crate::shipping::ShipLineInput::decl(&cfg),
        crate::shipping::ShipRequest::decl(&cfg),
        crate::shipping::ShipProblem::decl(&cfg),
        crate::inbox::MailboxDto::decl(&cfg),
        crate::inbox::MailboxInput::decl(&cfg),
        crate::inbox::MailReport::decl(&cfg),
        crate::inbox::InboxFilter::decl(&cfg),
        crate::inbox::ConversationDto::decl(&cfg),
        crate::inbox::InboxCountsDto::decl(&cfg),
        crate::inbox::AttachmentDto::decl(&cfg),
        crate::inbox::LinkDto::decl(&cfg),
        crate::inbox::SavedAttachmentDto::decl(&cfg),
        crate::inbox::MessageDto::decl(&cfg),
        crate::inbox::ThreadDto::decl(&cfg),
        crate::inbox::TemplateDto::decl(&cfg),
        crate::inbox::LintIssueDto::decl(&cfg),
        crate::inbox::DraftDto::decl(&cfg),
        crate::inbox::ReplyInput::decl(&cfg),
        crate::inbox::AmazonMessageKindDto::decl(&cfg),
        crate::inbox::AmazonActionsDto::decl(&cfg),
        crate::inbox::AmazonMessageInput::decl(&cfg),
        crate::translation::TranslationStatusDto::decl(&cfg),
        crate::translation::TranslatedDto::decl(&cfg),
        crate::shipping::ShipReport::decl(&cfg),
        crate::shipping::ShipmentDto::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from Rust (crates/mercator-api/src/bindings.rs) by `cargo xtask bindings`.\n// Do not edit: a test fails when this file is stale.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(d.trim());
        out.push_str("\n\n");
    }
    out.trim_end().to_string() + "\n"
}
