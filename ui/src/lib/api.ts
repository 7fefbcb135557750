// Typed wrappers over the Tauri commands. Types come from Rust (bindings.ts).
import { invoke } from '@tauri-apps/api/core';
import type {
  AppInfo,
  ConnectivityDto,
  LinkReportDto,
  BootPayload,
  CatalogSummary,
  ConversationDto,
  BulkOp,
  BulkResult,
  CatalogFilter,
  ChannelDto,
  Edit,
  ExportResult,
  Keep,
  HistoryDto,
  ImportPreview,
  ImportResult,
  NewProductRequest,
  ProductDetailDto,
  OrderDto,
  UnreadableOrderDto,
  Page,
  PickListDto,
  ProductDto,
  SyncStatus,
  Theme,
  VaultStatus,
  PricingOverview,
  Globals,
  EcbImportResult,
  Market,
  RepriceResult,
  MatrixFilter,
  MatrixRowDto,
  Quote,
  PromotionInput,
  PromoQuote,
  PriceChangeDto,
  ApplyPricesResult,
  AccountDto,
  RunReport,
  SyncLogDto,
  OrderFilter,
  OrderDetailDto,
  OutboxProblemDto,
  CarrierDto,
  WarehouseDto,
  StockRowDto,
  StockFilter,
  ShipRequest,
  ShipReport,
  DeliveryReport,
} from './bindings';

declare global {
  interface Window {
    __MERCATOR_BOOT__?: BootPayload | null;
  }
}

/** First-paint data the shell injected into the page; each part is taken once. */
const boot = { ...(window.__MERCATOR_BOOT__ ?? {}) } as Partial<BootPayload>;

export function takeBootInfo(): AppInfo | undefined {
  const info = boot.info;
  boot.info = undefined;
  return info;
}

export function takeBootCatalog(lang: string): { summary: CatalogSummary; page: Page<ProductDto> } | undefined {
  const { summary, firstPage } = boot;
  boot.summary = boot.firstPage = undefined;
  if (summary && firstPage && window.__MERCATOR_BOOT__?.info.settings.language === lang) {
    return { summary, page: firstPage };
  }
  return undefined;
}

export const api = {
  appInfo: () => invoke<AppInfo>('app_info'),
  setLanguage: (language: string) => invoke<void>('set_language', { language }),
  setTheme: (theme: Theme) => invoke<void>('set_theme', { theme }),
  catalogSummary: () => invoke<CatalogSummary>('catalog_summary'),
  products: (lang: string, filter: CatalogFilter, offset: number, limit: number) =>
    invoke<Page<ProductDto>>('list_products', { lang, filter, offset, limit }),
  channels: () => invoke<ChannelDto[]>('list_channels'),
  catalogCount: (filter: CatalogFilter) => invoke<number>('catalog_count', { filter }),
  catalogIds: (filter: CatalogFilter) => invoke<string[]>('catalog_ids', { filter }),
  bulkEdit: (ids: string[], op: BulkOp) => invoke<BulkResult>('bulk_edit', { ids, op }),
  cancelOperation: () => invoke<void>('cancel_operation'),
  resolveConflict: (productId: string, listingId: string, choices: [string, Keep][]) =>
    invoke<ProductDetailDto>('resolve_conflict', { productId, listingId, choices }),
  exportCatalog: (ids: string[] | null, filter: CatalogFilter, format: 'csv' | 'xlsx') =>
    invoke<ExportResult>('export_catalog', { ids, filter, format }),
  revealFile: (path: string) => invoke<void>('reveal_file', { path }),
  addImage: (productId: string, name: string, file: Uint8Array, revision: number) =>
    invoke<ProductDetailDto>('add_image', file, {
      headers: { 'x-product-id': productId, 'x-name': encodeURIComponent(name), 'x-revision': String(revision) },
    }),
  conversations: () => invoke<ConversationDto[]>('list_conversations'),
  pickList: (lang: string) => invoke<PickListDto>('pick_list', { lang }),
  syncStatus: () => invoke<SyncStatus>('sync_status'),
  vaultStatus: () => invoke<VaultStatus>('vault_status'),
  openLogFolder: () => invoke<void>('open_log_folder'),
  moveDbAside: () => invoke<AppInfo>('move_db_aside'),
  retryOpen: () => invoke<AppInfo>('retry_open'),
  quit: () => invoke<void>('quit_app'),
  productDetail: (productId: string) => invoke<ProductDetailDto>('product_detail', { productId }),
  createProduct: (product: NewProductRequest) => invoke<string>('create_product', { product }),
  listSelectedOnChannel: (productIds: string[], channelId: string) => invoke<number>('list_selected_on_channel', { productIds, channelId }),
  listOnChannel: (productId: string, channelId: string) => invoke<ProductDetailDto>('list_on_channel', { productId, channelId }),
  applyEdit: (productId: string, edit: Edit, expectedRevision: number) =>
    invoke<ProductDetailDto>('apply_edit', { productId, edit, expectedRevision }),
  productHistory: (productId: string) => invoke<HistoryDto[]>('product_history', { productId }),
  undoChange: (opId: string) => invoke<void>('undo_change', { opId }),
  chooseImportFile: (title: string) => invoke<ImportPreview | null>('choose_import_file', { title }),
  previewImport: (fileId: string, mapping: (string | null)[] | null) =>
    invoke<ImportPreview>('preview_import', { fileId, mapping }),
  runImport: (fileId: string, validOnly: boolean, mapping: (string | null)[] | null) =>
    invoke<ImportResult>('run_import', { fileId, validOnly, mapping }),
  closeImport: () => invoke<void>('close_import'),
  uiReady: () => invoke<void>('ui_ready', { pageMs: Math.round(performance.now()) }),
  pricingOverview: () => invoke<PricingOverview>('pricing_overview'),
  savePricingGlobals: (globals: Globals) => invoke<void>('save_pricing_globals', { globals }),
  setFxRate: (currency: string, perEur: string, asOf: string) => invoke<void>('set_fx_rate', { currency, perEur, asOf }),
  importEcb: (file: Uint8Array) => invoke<EcbImportResult>('import_ecb', file),
  fetchEcb: () => invoke<EcbImportResult>('fetch_ecb'),
  savePolicy: (channelId: string, effectiveFrom: string, market: Market, expectedRevision: number) =>
    invoke<number>('save_policy', { channelId, effectiveFrom, market, expectedRevision }),
  presetPolicy: (channelId: string) => invoke<Market>('preset_policy', { channelId }),
  reprice: () => invoke<RepriceResult>('reprice'),
  pricingMatrix: (lang: string, filter: MatrixFilter, offset: number, limit: number) =>
    invoke<Page<MatrixRowDto>>('pricing_matrix', { lang, filter, offset, limit }),
  explainPrice: (variantId: string, channelId: string, price: string | null) =>
    invoke<Quote>('explain_price', { variantId, channelId, price }),
  simulatePromotion: (variantId: string, channelId: string, price: string, promotion: PromotionInput) =>
    invoke<PromoQuote>('simulate_promotion', { variantId, channelId, price, promotion }),
  priceChanges: (channelId: string | null, offset: number, limit: number) =>
    invoke<Page<PriceChangeDto>>('price_changes', { channelId, offset, limit }),
  applyPrices: (channelId: string | null) => invoke<ApplyPricesResult>('apply_prices', { channelId }),
  listAccounts: () => invoke<AccountDto[]>('list_accounts'),
  addAccount: (kind: string, name: string, market: string, currency: string, language: string, config: Record<string, unknown>, secrets: Record<string, string>) =>
    invoke<string>('add_account', { kind, name, market, currency, language, config, secrets }),
  testAccount: (channelId: string) => invoke<void>('test_account', { channelId }),
  linkListings: (channelId: string) => invoke<LinkReportDto>('link_listings', { channelId }),
  syncAccount: (channelId: string) => invoke<RunReport>('sync_account', { channelId }),
  setSyncPaused: (channelId: string, paused: boolean) => invoke<void>('set_sync_paused', { channelId, paused }),
  accountLog: (channelId: string) => invoke<SyncLogDto[]>('account_log', { channelId }),
  ordersFiltered: (filter: OrderFilter, offset: number, limit: number) =>
    invoke<Page<OrderDto>>('list_orders_filtered', { filter, offset, limit }),
  unreadableOrders: () => invoke<UnreadableOrderDto[]>('unreadable_orders'),
  orderDetail: (orderId: string) => invoke<OrderDetailDto>('order_detail', { orderId }),
  outboxProblems: () => invoke<OutboxProblemDto[]>('outbox_problems'),
  retryOutbox: (id: string) => invoke<DeliveryReport>('retry_outbox', { id }),
  carriers: () => invoke<CarrierDto[]>('carriers'),
  warehouses: () => invoke<WarehouseDto[]>('warehouses'),
  addWarehouse: (name: string, kind: string, country: string) => invoke<string>('add_warehouse', { name, kind, country }),
  stockPage: (filter: StockFilter, lang: string, offset: number, limit: number) =>
    invoke<Page<StockRowDto>>('stock_page', { filter, lang, offset, limit }),
  setStockLevel: (warehouseId: string, variantId: string, onHand: number) =>
    invoke<number>('set_stock_level', { warehouseId, variantId, onHand }),
  oversoldCount: () => invoke<number>('oversold_count'),
  connectivity: () => invoke<ConnectivityDto>('connectivity'),
  resumeSync: () => invoke<void>('resume_sync'),
  markShipped: (request: ShipRequest) => invoke<ShipReport>('mark_shipped', { request }),
  markShippedList: (carrier: string, shippedOn: string, notify: boolean, text: string) =>
    invoke<ShipReport>('mark_shipped_list', { carrier, shippedOn, notify, text }),
};
