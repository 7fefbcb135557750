// Generated from Rust (crates/mercator-api/src/bindings.rs) by `cargo xtask bindings`.
// Do not edit: a test fails when this file is stale.

export type ErrorPayload = { code: string, args: { [key in string]: string }, };

export type MoneyDto = { minor: number, currency: string, 
/**
 * Minor-unit digits of the currency (JPY 0, EUR 2, KWD 3), from the
 * backend's ISO 4217 table: the UI never works one out.
 */
exponent: number, 
/**
 * The exact amount as decimal text ("150000.50"), for display and forms.
 */
amount: string, };

export type Page<T> = { items: Array<T>, offset: number, total: number, 
/**
 * False when counting stopped at a cap: there are at least `total` rows
 * (the catalog counts search hits exactly in a second call).
 */
exact: boolean, };

export type ProductDto = { id: string, title: string, brand: string, category: string, languages: Array<string>, variantCount: number, firstSku: string, stock: number, cost: MoneyDto, 
/**
 * Market-rule problems over all its listings.
 */
issueCount: number, };

export type CatalogSummary = { products: number, variants: number, };

export type OrderDto = { id: string, externalId: string, 
/**
 * What people call it (`#1004`, `302-…`).
 */
orderNumber: string, channelName: string, channelKind: string, status: string, buyerName: string, shipCountry: string, total: MoneyDto, 
/**
 * RFC 3339 UTC; the UI formats it in the user's locale and time zone.
 */
orderedAt: string, items: number, };

export type PickLineDto = { sku: string, title: string, quantity: number, orders: number, };

export type PickListDto = { lines: Array<PickLineDto>, 
/**
 * Distinct orders waiting to ship.
 */
orders: number, };

export type SyncStatus = { 
/**
 * Changes saved locally and waiting to be sent to channels.
 */
pending: number, 
/**
 * Changes that failed for good and need the user.
 */
failed: number, };

export type Theme = "light" | "dark" | "system";

export type UiSettings = { 
/**
 * `zh-CN` or `en-US`.
 */
language: string, theme: Theme, };

export type StartupProblem = { error: ErrorPayload, 
/**
 * The file can be renamed aside to start with a fresh database.
 */
canMoveAside: boolean, };

export type AppInfo = { version: string, dataDir: string, dbPath: string, logDir: string, settings: UiSettings, shopName: string | null, isDemo: boolean, 
/**
 * The shop's base currency (ISO 4217), the default for new costs.
 */
baseCurrency: string | null, problem: StartupProblem | null, 
/**
 * Set after the user moved a broken database aside.
 */
movedAsideTo: string | null, };

export type VaultStatus = { available: boolean, backend: string, error: ErrorPayload | null, };

export type BootPayload = { info: AppInfo, summary: CatalogSummary | null, 
/**
 * First catalog page in `info.settings.language`.
 */
firstPage: Page<ProductDto> | null, };

export type TextDto = { lang: string, title: string, description: string, bullets: Array<string>, keywords: string, revision: number, };

export type VariantDto = { id: string, sku: string, gtin: string, 
/**
 * Attribute name -> value, e.g. colour -> "Black / 黑色".
 */
attributes: Array<[string, string]>, cost: MoneyDto, 
/**
 * The cost as decimal text for an input field ("18.50", "1980").
 */
costInput: string, stock: number, weightG: number, lengthMm: number, widthMm: number, heightMm: number, hsCode: string, origin: string, certifications: Array<Certification>, revision: number, };

export type ProductDetailDto = { id: string, brand: string, category: string, revision: number, gtinExempt: boolean, issueCount: number, images: Array<ImageDto>, texts: Array<TextDto>, variants: Array<VariantDto>, listings: Array<ListingDetailDto>, };

export type HistoryDto = { id: string, opId: string, 
/**
 * `title`, `description`, `brand`, `sku`, `gtin`, `cost_minor`, `stock`, `created`.
 */
field: string, lang: string | null, 
/**
 * SKU of the variant, for variant fields.
 */
subject: string | null, oldValue: string | null, newValue: string | null, at: string, undone: boolean, canUndo: boolean, };

export type Edit = { "kind": "title", lang: string, value: string, } | { "kind": "description", lang: string, value: string, } | { "kind": "bullets", lang: string, value: Array<string>, } | { "kind": "keywords", lang: string, value: string, } | { "kind": "brand", value: string, } | { "kind": "category", value: string, } | { "kind": "gtinExempt", value: boolean, } | { "kind": "images", value: Array<ImageRef>, } | { "kind": "sku", variantId: string, value: string, } | { "kind": "gtin", variantId: string, value: string, } | { "kind": "cost", variantId: string, value: string, } | { "kind": "stock", variantId: string, value: number, } | { "kind": "measure", variantId: string, field: string, value: string, } | { "kind": "hsCode", variantId: string, value: string, } | { "kind": "origin", variantId: string, value: string, } | { "kind": "certifications", variantId: string, value: Array<Certification>, } | { "kind": "attribute", variantId: string, name: string, value: string | null, } | { "kind": "listingStatus", listingId: string, value: string, } | { "kind": "sellerSku", listingId: string, value: string, } | { "kind": "externalId", listingId: string, value: string, } | { "kind": "qtyPolicy", listingId: string, policy: string, value: number, } | { "kind": "override", listingId: string, field: string, value: string | string[] | null, };

export type Certification = { kind: string, reference: string, 
/**
 * `YYYY-MM-DD`, or `null` for certificates that do not expire.
 */
expires: string | null, };

export type ImageRef = { file: string, thumb: string, width: number, height: number, 
/**
 * The variants this image shows (ids); empty: every variant.
 */
variants: Array<string>, };

export type Severity = "error" | "warning";

export type RuleIssue = { code: string, severity: Severity, args: { [key in string]: string }, };

export type ImageDto = { file: string, thumb: string, 
/**
 * The thumbnail inline (`data:image/jpeg;base64,...`): the webview loads
 * no local files.
 */
thumbUrl: string, width: number, height: number, 
/**
 * Variant ids this image shows; empty: all.
 */
variants: Array<string>, };

export type ContentDto = { title: string | null, bullets: Array<string> | null, description: string | null, keywords: string | null, };

export type ConflictFieldDto = { 
/**
 * `title`, `bullets`, `description` or `keywords`.
 */
field: string, 
/**
 * As of the last sync; null when never synced.
 */
base: string | null, ours: string, theirs: string, 
/**
 * Ours also changed since base: a true conflict, not just their edit.
 */
bothChanged: boolean, };

export type ListingDetailDto = { id: string, variantId: string, channelId: string, sku: string, channelName: string, channelKind: string, market: string, 
/**
 * Language the market's buyers read (BCP 47 primary tag, e.g. `ja`).
 */
marketLanguage: string, price: MoneyDto, status: string, sellerSku: string, externalId: string, qtyPolicy: string, qtyValue: number, overrides: ContentDto, 
/**
 * What buyers in this market see: the override where set, else the
 * product's text in the market's language.
 */
effective: ContentDto, 
/**
 * The product language that serves this market, if it has one.
 */
contentLang: string | null, issues: Array<RuleIssue>, conflicts: Array<ConflictFieldDto>, remoteSeenAt: string | null, revision: number, };

export type CatalogFilter = { 
/**
 * Searches SKUs, GTINs and titles in every language.
 */
query: string | null, channelId: string | null, 
/**
 * ISO 3166 market some listing of the product is in.
 */
market: string | null, 
/**
 * Listing status some listing of the product has (with the channel, if set).
 */
status: string | null, 
/**
 * Only products with market-rule problems.
 */
issuesOnly: boolean, 
/**
 * Only products without a title in this language.
 */
missingLang: string | null, 
/**
 * `out` (0 in stock), `low` (1-9), `in` (> 0).
 */
stock: string | null, 
/**
 * `sku`, `title`, `stock`, `cost`, `updated`, `issues`.
 */
sort: string | null, desc: boolean, };

export type ChannelDto = { id: string, kind: string, name: string, market: string, currency: string, language: string, };

export type BulkResult = { 
/**
 * Undo this op to revert the whole bulk edit.
 */
opId: string, changed: number, };

export type ExportResult = { path: string, rows: number, };

export type ProgressEvent = { 
/**
 * `import`, `bulk`, `export`
 */
op: string, done: number, total: number, };

export type BulkOp = { "kind": "setField", field: string, value: string, } | { "kind": "replaceInTitles", lang: string, find: string, replace: string, } | { "kind": "setAttribute", name: string, value: string, } | { "kind": "removeAttribute", name: string, } | { "kind": "listingStatus", channelId: string | null, value: string, };

export type Keep = "ours" | "theirs";

export type NewProductRequest = { brand: string, category: string, 
/**
 * (language tag, title) pairs; empty titles are skipped.
 */
titles: Array<[string, string]>, sku: string, gtin: string, cost: string, costCurrency: string, };

export type ImportRowError = { 
/**
 * Line in the file where the record starts (1 = header).
 */
line: number, errors: ErrorPayload[], };

export type ImportSample = { line: number, sku: string, title: string, cost: MoneyDto, 
/**
 * The SKU is in the catalog already: the row updates it.
 */
update: boolean, };

export type ImportPreview = { 
/**
 * The open file this preview is of: pass it to `run_import`.
 */
fileId: string, 
/**
 * The file's name (not its folder).
 */
fileName: string, 
/**
 * `UTF-8`, `UTF-8 (BOM)`, `GB18030` or `XLSX`.
 */
encoding: string, 
/**
 * `,` `;` or a tab.
 */
delimiter: string, headers: Array<string>, 
/**
 * Per column: what it was read as (`sku`, `title:zh-CN`, ...) or null (ignored).
 */
mapping: Array<string | null>, 
/**
 * Columns that hold data but map to nothing: their cells are not imported.
 */
unmapped: Array<number>, 
/**
 * Whether a cost column is mapped (without one, new products cannot be imported).
 */
hasCost: boolean, 
/**
 * What keeps the whole file from importing as mapped (no SKU or title column).
 */
problem: ErrorPayload | null, total: number, valid: number, 
/**
 * Valid rows whose SKU is in the catalog already (they update it).
 */
updates: number, 
/**
 * First 500 rows with problems.
 */
errors: Array<ImportRowError>, sample: Array<ImportSample>, };

export type ImportResult = { 
/**
 * Variants created.
 */
imported: number, 
/**
 * Products changed by rows with SKUs already in the catalog.
 */
updated: number, 
/**
 * Rows with known SKUs that changed nothing.
 */
unchanged: number, skipped: number, 
/**
 * Undoes the updates (as one change); creations are not undone.
 */
undoOp: string | null, };

export type Currency = string;

export type Money = { minor: number, currency: string, exponent: number, amount: string };

export type TaxDisplay = "inclusive" | "exclusive";

export type TaxCollector = { "kind": "seller" } | { "kind": "marketplace" } | { "kind": "marketplaceUpTo", limit: Money, };

export type TaxRule = { 
/**
 * `VAT`, `GST`, `JCT`, `Sales tax`: shown in explanations.
 */
label: string, defaultRate: string, 
/**
 * (category, rate) where it differs from the default (reduced rates).
 */
byCategory: [string, string][], display: TaxDisplay, collector: TaxCollector, };

export type ReferralFee = { category: string, rate: string, 
/**
 * Minimum fee per item (Amazon: 0.30 in most markets).
 */
minPerItem: Money | null, };

export type FeeSchedule = { referral: Array<ReferralFee>, 
/**
 * Fixed fee per order (e.g. Amazon's per-item fee for individual sellers, Shopee's transaction fee).
 */
perOrder: Money | null, 
/**
 * Payment processing, on what the buyer pays (tax and shipping included).
 */
paymentRate: string, paymentFixed: Money | null, 
/**
 * A closing fee per item sold.
 */
closing: Money | null, 
/**
 * The referral fee is computed on the tax-inclusive price (Amazon EU,
 * UK, JP) rather than on the price without tax.
 */
onTaxInclusive: boolean, 
/**
 * The referral fee also applies to shipping charged to the buyer
 * (Amazon: on the total sales price).
 */
onShipping: boolean, };

export type DutyRate = { hsPrefix: string, rate: string, };

export type SizeTier = { name: string, maxWeightG: number, maxLongestMm: number, maxMedianMm: number, maxShortestMm: number, fee: Money, };

export type Logistics = { 
/**
 * First-leg freight per kilogram of chargeable weight.
 */
freightPerKg: Money, 
/**
 * Volumetric weight = L x W x H (cm) / divisor; 5000 (air express) or 6000.
 */
volumetricDivisor: number, packaging: Money, duty: Array<DutyRate>, defaultDuty: string, 
/**
 * Duty is charged on cost + freight (CIF: EU, UK, JP) rather than on
 * the cost alone (FOB: US).
 */
dutyOnFreight: boolean, 
/**
 * Last-mile or fulfilment fee by size tier; empty when the seller ships
 * with `last_mile`.
 */
fulfilment: Array<SizeTier>, 
/**
 * Last-mile cost per unit when there is no fulfilment table.
 */
lastMile: Money, 
/**
 * Shipping charged to the buyer per unit (shown the way prices are: with
 * tax in tax-inclusive markets).
 */
shippingCharged: Money, };

export type Target = { "kind": "margin", margin: string, } | { "kind": "profit", profit: Money, };

export type Rounding = "up" | "down" | "nearest";

export type Ending = { step: number, rest: number, };

export type MarketRules = { target: Target, 
/**
 * Promotions warn when they take the margin below this.
 */
minMargin: string, ending: Ending, rounding: Rounding, floor: Money | null, ceiling: Money | null, 
/**
 * Minimum advertised price agreed with the brand.
 */
map: Money | null, };

export type Market = { 
/**
 * Channel account name (`Amazon.de`), for explanations.
 */
channel: string, 
/**
 * ISO 3166 country.
 */
country: string, currency: Currency, fees: FeeSchedule, tax: TaxRule, logistics: Logistics, rules: MarketRules, };

export type Globals = { 
/**
 * Costs are converted at a rate worse by this fraction, against FX moves
 * between buying and selling.
 */
fxBuffer: string, 
/**
 * Rates older than this many days make a price warn.
 */
maxRateAgeDays: number, };

export type Arg = { "kind": "money", value: string, currency: Currency, 
/**
 * The currency's minor-unit digits (ISO 4217), for display.
 */
exponent: number, } | { "kind": "percent", value: string, } | { "kind": "number", value: string, } | { "kind": "text", value: string, };

export type Step = { code: string, args: Array<[string, Arg]>, };

export type Landed = { purchase: string, freight: string, packaging: string, duty: string, fulfilment: string, total: string, chargeableG: number, tier: string | null, };

export type Fees = { referral: string, payment: string, perOrder: string, closing: string, total: string, };

export type Quote = { price: Money, 
/**
 * Shipping charged to the buyer.
 */
shipping: Money, tax: string, taxRate: string, 
/**
 * The marketplace collects and remits the tax (the seller does not).
 */
taxByMarketplace: boolean, netRevenue: string, fees: Fees, landed: Landed, profit: string, 
/**
 * Profit / net revenue (0 when there is no revenue).
 */
margin: string, warnings: ErrorPayload[], steps: Array<Step>, };

export type PromotionInput = { 
/**
 * `percentOff`, `amountOff` or `freeShippingOver`.
 */
kind: string, value: string, };

export type PromoQuote = { regular: Quote, promoted: Quote, warnings: ErrorPayload[], };

export type MatrixFilter = { 
/**
 * SKU or title text (catalog search).
 */
query: string | null, 
/**
 * Only variants that cannot be priced somewhere.
 */
problemsOnly: boolean, 
/**
 * Only variants whose margin is below this (basis points) somewhere.
 */
marginBelowBp: number | null, 
/**
 * Sort by the margin on this channel (else by SKU).
 */
sortChannel: string | null, desc: boolean, };

export type FxRateDto = { currency: string, 
/**
 * Units of the currency per 1 EUR (decimal text).
 */
perEur: string, asOf: string, source: string, ageDays: number, 
/**
 * Older than the shop's limit (`Globals::max_rate_age_days`).
 */
stale: boolean, };

export type PolicyDto = { channelId: string, channelName: string, channelKind: string, country: string, currency: string, 
/**
 * The currency's minor-unit digits (ISO 4217): which price endings fit.
 */
exponent: number, 
/**
 * None: the channel has no settings yet (it cannot be priced).
 */
effectiveFrom: string | null, revision: number, market: Market | null, 
/**
 * Dates of every version, newest first.
 */
versions: Array<string>, };

export type PricingOverview = { globals: Globals, rates: Array<FxRateDto>, channels: Array<PolicyDto>, 
/**
 * Listings the last reprice run would change.
 */
changes: number, 
/**
 * Variant x channel pairs the last run could not price.
 */
cannotPrice: number, 
/**
 * Proposals of the last run (0: never run).
 */
proposals: number, };

export type EcbImportResult = { days: number, rates: number, 
/**
 * Latest date in the file.
 */
date: string, 
/**
 * Currency codes in the file that Mercator does not know.
 */
skipped: Array<string>, };

export type RepriceResult = { runId: string, priced: number, cannotPrice: number, 
/**
 * Listings whose price would change.
 */
changes: number, 
/**
 * The engine's time for every price (all cores).
 */
computeMs: number, 
/**
 * Turning the results into rows and storing them in one transaction.
 */
persistMs: number, };

export type MatrixCellDto = { channelId: string, price: MoneyDto | null, profit: MoneyDto | null, marginBp: number | null, 
/**
 * Why it cannot be priced.
 */
problem: ErrorPayload | null, 
/**
 * The listing's current price, when listed on this channel.
 */
current: MoneyDto | null, };

export type MatrixRowDto = { variantId: string, sku: string, title: string, 
/**
 * One per channel, in the order of `PricingOverview::channels`.
 */
cells: Array<MatrixCellDto | null>, };

export type PriceChangeDto = { listingId: string, sku: string, channelName: string, current: MoneyDto, proposed: MoneyDto, marginBp: number | null, 
/**
 * The margin at the current price.
 */
currentMarginBp: number | null, status: string, };

export type ApplyPricesResult = { 
/**
 * Undoes the whole apply.
 */
opId: string, changed: number, };

export type RunReport = { pages: number, fetched: number, created: number, updated: number, unchanged: number, 
/**
 * Orders that could not be read and were set aside (shown in Orders).
 */
unreadable: number, 
/**
 * Orders set aside earlier that could be read this time.
 */
recovered: number, 
/**
 * The run finished its window (false: it stopped and will continue).
 */
complete: boolean, 
/**
 * Chat messages stored by the run (Shopee seller chat, read with the
 * same connection and token after the orders).
 */
chatMessages: number, };

export type UnreadableOrderDto = { channelId: string, channelName: string, 
/**
 * The channel's id of the order.
 */
externalId: string, reason: ErrorPayload, firstSeen: string, lastSeen: string, 
/**
 * Times it was read and could not be.
 */
seen: number, };

export type AccountDto = { channelId: string, kind: string, name: string, market: string, currency: string, 
/**
 * Has connection settings (demo channels have none).
 */
connected: boolean, 
/**
 * The non-secret settings (endpoint, marketplace, store address).
 */
config: Record<string, unknown>, paused: boolean, intervalS: number, cursor: string | null, 
/**
 * A run stopped part-way and will continue from its saved page.
 */
inProgress: boolean, lastRunAt: string | null, lastOkAt: string | null, lastError: ErrorPayload | null, rateLimit: string | null, 
/**
 * Runs in a row that failed (an unreachable or failing channel).
 */
failures: number, 
/**
 * When the next try is, while it backs off after failures.
 */
retryAt: string | null, orders: number, 
/**
 * What this kind's connector does: `orders`, `inventory`, `listings`, `tracking`, `messages`.
 */
capabilities: Array<string>, };

export type SyncLogDto = { at: string, kind: string, fetched: number, created: number, updated: number, 
/**
 * For errors: what failed and why.
 */
error: ErrorPayload | null, rateLimit: string | null, 
/**
 * Orders of this page that could not be read (set aside, shown in Orders).
 */
unreadable: Array<string>, };

export type OrderFilter = { 
/**
 * Order number (prefix) or buyer name (part).
 */
query: string | null, channelId: string | null, 
/**
 * The channel's market (ISO country).
 */
market: string | null, status: string | null, 
/**
 * Ordered on or after / before this day (YYYY-MM-DD, UTC).
 */
from: string | null, to: string | null, 
/**
 * Orders with a line of this SKU (prefix).
 */
sku: string | null, 
/**
 * Buyer country (ISO).
 */
country: string | null, };

export type AddressDto = { name: string, line1: string, line2: string, city: string, region: string, postalCode: string, country: string, phone: string, };

export type OrderLineDto = { sku: string, title: string, quantity: number, quantityShipped: number, unitPrice: MoneyDto, tax: MoneyDto, 
/**
 * The SKU is in the catalog.
 */
inCatalog: boolean, };

export type OrderDetailDto = { id: string, channelName: string, externalId: string, orderNumber: string, status: string, rawStatus: string, buyerName: string, shipCountry: string, 
/**
 * None once purged (or never sent).
 */
shipTo: AddressDto | null, purgedAt: string | null, subtotal: MoneyDto, tax: MoneyDto, shipping: MoneyDto, total: MoneyDto, orderedAt: string, 
/**
 * The marketplace's UTC offset when it was placed (`+09:00`).
 */
orderedOffset: string, channelUpdatedAt: string | null, shippedAt: string | null, updatedAt: string, 
/**
 * The channel's payload, pretty-printed (shown as text).
 */
raw: string | null, lines: Array<OrderLineDto>, 
/**
 * Can be marked shipped now (unshipped or partly shipped).
 */
shippable: boolean, shipments: Array<ShipmentDto>, };

export type DeliveryReport = { sent: number, failed: number, };

export type ConnectivityDto = { offline: boolean, 
/**
 * Since when no channel could be reached (RFC 3339).
 */
since: string | null, 
/**
 * Changes waiting to be sent to the channels.
 */
waiting: number, };

export type LinkReportDto = { read: number, linked: number, updated: number, 
/**
 * Channel SKUs the catalog does not have (the first 20) and how many.
 */
unknown: Array<string>, unknownCount: number, };

export type OutboxProblemDto = { id: string, channelName: string, kind: string, 
/**
 * What the change is about (a SKU where it is a listing).
 */
subject: string, 
/**
 * `dead`: parked after its attempts; `pending`: will be retried.
 */
status: string, attempts: number, error: ErrorPayload | null, nextAttemptAt: string, updatedAt: string, };

export type CarrierDto = { code: string, name: string, };

export type WarehouseDto = { id: string, 
/**
 * Empty for the default warehouse until renamed: the UI names it.
 */
name: string, 
/**
 * `own`, `3pl`, `fba`.
 */
kind: string, country: string, isDefault: boolean, 
/**
 * FBA stock is Amazon's.
 */
readOnly: boolean, units: number, };

export type StockRowDto = { variantId: string, sku: string, title: string, onHand: number, reserved: number, 
/**
 * On hand − reserved, never below zero.
 */
available: number, 
/**
 * More reserved than on hand: orders the stock cannot cover.
 */
oversold: boolean, 
/**
 * On hand per warehouse id.
 */
levels: Record<string, number>, };

export type StockFilter = { 
/**
 * SKU prefix or title words.
 */
query: string | null, 
/**
 * Only variants with more reserved than on hand.
 */
oversold: boolean, };

export type ShipLineInput = { orderId: string | null, orderNumber: string | null, tracking: string, };

export type ShipRequest = { carrier: string, 
/**
 * `YYYY-MM-DD`, within the last 30 days.
 */
shippedOn: string, 
/**
 * The channel tells the buyer (where it can).
 */
notify: boolean, lines: Array<ShipLineInput>, };

export type ShipProblem = { 
/**
 * 1-based: the line of a pasted list, or the row of a selection.
 */
line: number, reference: string, error: ErrorPayload, };

export type MailboxDto = { id: string, channelId: string, channelName: string, address: string, username: string, imapHost: string, imapPort: number, imapSecurity: string, smtpHost: string, smtpPort: number, smtpSecurity: string, inboxFolder: string, sentFolder: string, replyHours: number | null, 
/**
 * `new`, `ok`, or the error code of the last check.
 */
status: string, checkedAt: string | null, };

export type MailboxInput = { channelId: string, address: string, username: string, password: string, imapHost: string, imapPort: number, imapSecurity: string, smtpHost: string, smtpPort: number, smtpSecurity: string, inboxFolder: string, sentFolder: string, replyHours: number | null, };

export type MailReport = { 
/**
 * Messages stored (new).
 */
stored: number, 
/**
 * Mail already stored (read again).
 */
duplicates: number, 
/**
 * Conversations that got a buyer message.
 */
conversations: Array<string>, };

export type InboxFilter = { channelId: string | null, mailboxId: string | null, needsReply: boolean, overdue: boolean, hasOrder: boolean, unread: boolean, search: string | null, };

export type ConversationDto = { id: string, channelId: string, channelName: string, channelKind: string, market: string, buyerName: string, buyerLang: string, subject: string, 
/**
 * Untrusted buyer text: shown as text, never as HTML.
 */
lastMessage: string, lastMessageAt: string, 
/**
 * `closed`, `answered`, `waiting`, `due`, `due-soon`, `overdue` (`reply-state-<state>`).
 */
replyState: string, replyBy: string | null, unread: number, orderId: string | null, orderNumber: string | null, waitingReplies: number, failedReplies: number, messageCount: number, };

export type InboxCountsDto = { unread: number, needsReply: number, dueSoon: number, overdue: number, };

export type AttachmentDto = { 
/**
 * Its place in the message (what [`save_attachment`] takes).
 */
index: number, 
/**
 * The buyer's file name made safe (no folders, no hidden characters).
 */
name: string, contentType: string, size: number, 
/**
 * Its bytes are kept (false for mail too large to read, or stored before attachments were kept).
 */
stored: boolean, 
/**
 * Opening it could run code: Mercator only shows it in its folder.
 */
runsCode: boolean, };

export type LinkDto = { 
/**
 * The real target (`http`/`https` only).
 */
url: string, host: string, 
/**
 * What the message shows for it.
 */
text: string, 
/**
 * The other host the text names, when the text looks like an address
 * of another site than the target (a phishing link).
 */
textHost: string | null, };

export type SavedAttachmentDto = { 
/**
 * Where it was written.
 */
path: string, 
/**
 * Opening it could run code: the shell shows it in its folder instead.
 */
runsCode: boolean, };

export type MessageDto = { id: string, 
/**
 * `in` (buyer) or `out` (seller).
 */
direction: string, subject: string, fromName: string, fromAddress: string, 
/**
 * Untrusted: shown as text.
 */
body: string, 
/**
 * Sanitised HTML (no script, style, event handler, remote image or
 * unsafe URL), shown in a sandboxed frame; None for plain mail.
 */
html: string | null, blockedImages: number, attachments: Array<AttachmentDto>, 
/**
 * Its links (none is clickable in the shown mail): opened in the
 * system browser only after the real target was shown.
 */
links: Array<LinkDto>, 
/**
 * `received`, or a reply's `waiting`, `sent`, `failed`.
 */
status: string, error: ErrorPayload | null, auto: boolean, 
/**
 * The reply's language, and the seller's own text when it was translated.
 */
lang: string | null, original: string | null, 
/**
 * Sent through Amazon's Messaging API as this kind (None: mail or chat).
 */
action: string | null, 
/**
 * Its buyer data was deleted (30 days after shipment): the text is gone.
 */
purged: boolean, 
/**
 * Its translation for the seller (kept), and into which language.
 */
translation: string | null, translationLang: string | null, sentAt: string, };

export type ThreadDto = { conversation: ConversationDto, messages: Array<MessageDto>, order: OrderDetailDto | null, 
/**
 * The language to answer in (the buyer's, detected or the market's).
 */
replyLang: string, 
/**
 * The buyer's address replies go to (none: the conversation cannot be answered by mail).
 */
replyTo: string | null, 
/**
 * The account has a mailbox to answer from.
 */
canReply: boolean, 
/**
 * The reply goes to a marketplace buyer: the policy lint applies.
 */
marketplace: boolean, 
/**
 * The order is Amazon's: its Messaging API messages can be sent.
 */
amazonMessages: boolean, 
/**
 * A chat conversation (Shopee): the account's chat state (`ok`, `new`,
 * `not-enabled` when the app lacks the chat module, or an error code).
 */
chat: string | null, };

export type TemplateDto = { id: string, name: string, lang: string, body: string, };

export type LintIssueDto = { code: string, text: string, };

export type DraftDto = { templateId: string, lang: string, body: string, lint: Array<LintIssueDto>, };

export type ReplyInput = { conversationId: string, body: string, lang: string, 
/**
 * The seller's own text when `body` is its translation.
 */
original: string | null, 
/**
 * Send although the lint found something (the seller looked at it).
 */
overrideLint: boolean, };

export type AmazonMessageKindDto = { 
/**
 * Amazon's name (`confirmDeliveryDetails` ...); the UI names it `amazon-kind-<name>`.
 */
name: string, 
/**
 * The longest text Amazon takes (characters).
 */
maxText: number, 
/**
 * Mercator can send it (false: it needs a document or dates not offered yet).
 */
offered: boolean, };

export type AmazonActionsDto = { kinds: Array<AmazonMessageKindDto>, 
/**
 * The buyer's language as Amazon knows it (e.g. `de-DE`).
 */
buyerLocale: string | null, 
/**
 * Why Amazon could not be asked (offline, credentials): the list is empty then.
 */
problem: ErrorPayload | null, };

export type AmazonMessageInput = { conversationId: string, 
/**
 * The kind, as [`amazon_actions`] named it.
 */
action: string, body: string, 
/**
 * The language it is written in.
 */
lang: string, 
/**
 * Send although the policy lint found something.
 */
overrideLint: boolean, 
/**
 * A warranty's first and last day covered (`YYYY-MM-DD`); other kinds take none.
 */
coverageStart?: string, coverageEnd?: string, };

export type TranslationStatusDto = { 
/**
 * A key is in the keyring.
 */
configured: boolean, provider: string, endpoint: string | null, 
/**
 * Characters used and allowed this period, when asked and reachable.
 */
used: number | null, limit: number | null, };

export type TranslatedDto = { text: string, 
/**
 * The language it is in now (BCP 47).
 */
lang: string, 
/**
 * The language the provider found the source in (base code).
 */
detected: string, };

export type ShipReport = { 
/**
 * Orders marked shipped now.
 */
shipped: number, 
/**
 * Of those, how many wait in the outbox for their channel.
 */
queued: number, 
/**
 * Lines that were already recorded with the same tracking number.
 */
unchanged: number, 
/**
 * When not empty, nothing was written.
 */
problems: Array<ShipProblem>, };

export type ShipmentDto = { id: string, carrier: string, carrierName: string, trackingNumber: string, trackingUrl: string, shippedOn: string, 
/**
 * `local` (no connected channel), `pending`, `sending`, `sent`, `failed`.
 */
delivery: string, error: ErrorPayload | null, deliveredAt: string | null, };
