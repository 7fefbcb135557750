// Generated from Rust (crates/mercator-api/src/dto.rs) by `cargo xtask bindings`.
// Do not edit: a test fails when this file is stale.

export type ErrorPayload = { code: string, args: { [key in string]: string }, };

export type MoneyDto = { minor: number, currency: string, 
/**
 * Minor-unit digits of the currency (JPY 0, EUR 2, KWD 3).
 */
exponent: number, };

export type Page<T> = { items: Array<T>, offset: number, total: number, };

export type ProductDto = { id: string, title: string, brand: string, category: string, languages: Array<string>, variantCount: number, firstSku: string, stock: number, cost: MoneyDto, };

export type CatalogSummary = { products: number, variants: number, };

export type ListingDto = { id: string, sku: string, title: string, channelName: string, channelKind: string, market: string, price: MoneyDto, status: string, };

export type OrderDto = { id: string, externalId: string, channelName: string, channelKind: string, status: string, buyerName: string, shipCountry: string, total: MoneyDto, 
/**
 * RFC 3339 UTC; the UI formats it in the user's locale and time zone.
 */
orderedAt: string, items: number, };

export type ConversationDto = { id: string, channelName: string, buyerName: string, buyerLang: string, subject: string, 
/**
 * Untrusted buyer text: shown as text, never as HTML.
 */
lastMessage: string, lastMessageAt: string, awaitingReply: boolean, replyBy: string | null, };

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

export type AppInfo = { version: string, dataDir: string, dbPath: string, logDir: string, settings: UiSettings, shopName: string | null, isDemo: boolean, problem: StartupProblem | null, 
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
