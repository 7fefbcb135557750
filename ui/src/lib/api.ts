// The UI's names for the Tauri commands. Each call goes through the generated
// `commands` (commands.ts, from the Rust signatures); only raw-body uploads
// call `invoke` here. Types come from Rust (bindings.ts).
import { invoke } from '@tauri-apps/api/core';
import { commands } from './commands';
import type {
  AppInfo,
  ConnectivityDto,
  LinkReportDto,
  BootPayload,
  CatalogSummary,
  InboxFilter,
  AmazonMessageInput,
  MailboxInput,
  ReplyInput,
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
  appInfo: () => commands.appInfo(),
  setLanguage: (language: string) => commands.setLanguage(language),
  setTheme: (theme: Theme) => commands.setTheme(theme),
  catalogSummary: () => commands.catalogSummary(),
  products: (lang: string, filter: CatalogFilter, offset: number, limit: number) =>
    commands.listProducts(lang, filter, offset, limit),
  channels: () => commands.listChannels(),
  catalogCount: (filter: CatalogFilter) => commands.catalogCount(filter),
  catalogIds: (filter: CatalogFilter) => commands.catalogIds(filter),
  bulkEdit: (ids: string[], op: BulkOp) => commands.bulkEdit(ids, op),
  cancelOperation: () => commands.cancelOperation(),
  resolveConflict: (productId: string, listingId: string, choices: [string, Keep][]) =>
    commands.resolveConflict(productId, listingId, choices),
  exportCatalog: (ids: string[] | null, filter: CatalogFilter, format: 'csv' | 'xlsx') =>
    commands.exportCatalog(ids, filter, format),
  revealFile: (path: string) => commands.revealFile(path),
  addImage: (productId: string, name: string, file: Uint8Array, revision: number) =>
    invoke<ProductDetailDto>('add_image', file, {
      headers: { 'x-product-id': productId, 'x-name': encodeURIComponent(name), 'x-revision': String(revision) },
    }),
  conversations: (filter: InboxFilter, offset: number, limit: number) => commands.listConversations(filter, offset, limit),
  inboxCounts: () => commands.inboxCounts(),
  openConversation: (id: string) => commands.openConversation(id),
  closeConversation: (id: string) => commands.closeConversation(id),
  lintReply: (conversationId: string, text: string) => commands.lintReply(conversationId, text),
  draftReply: (conversationId: string, templateId: string | null) => commands.draftReply(conversationId, templateId),
  sendReply: (reply: ReplyInput) => commands.sendReply(reply),
  amazonMessageKinds: (conversationId: string) => commands.amazonMessageKinds(conversationId),
  sendAmazonMessage: (message: AmazonMessageInput) => commands.sendAmazonMessage(message),
  translationStatus: () => commands.translationStatus(),
  setTranslationKey: (key: string, endpoint: string | null) => commands.setTranslationKey(key, endpoint),
  removeTranslationKey: () => commands.removeTranslationKey(),
  translateMessage: (messageId: string, lang: string) => commands.translateMessage(messageId, lang),
  openAttachment: (messageId: string, index: number) => commands.openAttachment(messageId, index),
  chooseAmazonDocument: (conversationId: string, action: string, lang: string, title: string) =>
    commands.chooseAmazonDocument(conversationId, action, lang, title),
  openMessageLink: (messageId: string, index: number) => commands.openMessageLink(messageId, index),
  translateDraft: (text: string, to: string, from: string | null) => commands.translateDraft(text, to, from),
  retryReply: (messageId: string) => commands.retryReply(messageId),
  templates: () => commands.listTemplates(),
  saveTemplate: (name: string, lang: string, body: string) => commands.saveTemplate(name, lang, body),
  deleteTemplate: (id: string) => commands.deleteTemplate(id),
  mailboxes: () => commands.listMailboxes(),
  addMailbox: (mailbox: MailboxInput) => commands.addMailbox(mailbox),
  checkMailbox: (id: string) => commands.checkMailbox(id),
  removeMailbox: (id: string) => commands.removeMailbox(id),
  checkMail: () => commands.checkMail(),
  pickList: (lang: string) => commands.pickList(lang),
  syncStatus: () => commands.syncStatus(),
  vaultStatus: () => commands.vaultStatus(),
  openLogFolder: () => commands.openLogFolder(),
  moveDbAside: () => commands.moveDbAside(),
  retryOpen: () => commands.retryOpen(),
  quit: () => commands.quitApp(),
  productDetail: (productId: string) => commands.productDetail(productId),
  createProduct: (product: NewProductRequest) => commands.createProduct(product),
  listSelectedOnChannel: (productIds: string[], channelId: string) => commands.listSelectedOnChannel(productIds, channelId),
  listOnChannel: (productId: string, channelId: string) => commands.listOnChannel(productId, channelId),
  applyEdit: (productId: string, edit: Edit, expectedRevision: number) =>
    commands.applyEdit(productId, edit, expectedRevision),
  productHistory: (productId: string) => commands.productHistory(productId),
  undoChange: (opId: string) => commands.undoChange(opId),
  chooseImportFile: (title: string) => commands.chooseImportFile(title),
  previewImport: (fileId: string, mapping: (string | null)[] | null) =>
    commands.previewImport(fileId, mapping),
  runImport: (fileId: string, validOnly: boolean, mapping: (string | null)[] | null) =>
    commands.runImport(fileId, mapping, validOnly),
  closeImport: () => commands.closeImport(),
  uiReady: () => commands.uiReady(Math.round(performance.now())),
  pricingOverview: () => commands.pricingOverview(),
  savePricingGlobals: (globals: Globals) => commands.savePricingGlobals(globals),
  setFxRate: (currency: string, perEur: string, asOf: string) => commands.setFxRate(currency, perEur, asOf),
  importEcb: (file: Uint8Array) => invoke<EcbImportResult>('import_ecb', file),
  fetchEcb: () => commands.fetchEcb(),
  savePolicy: (channelId: string, effectiveFrom: string, market: Market, expectedRevision: number) =>
    commands.savePolicy(channelId, effectiveFrom, market, expectedRevision),
  presetPolicy: (channelId: string) => commands.presetPolicy(channelId),
  reprice: () => commands.reprice(),
  pricingMatrix: (lang: string, filter: MatrixFilter, offset: number, limit: number) =>
    commands.pricingMatrix(lang, filter, offset, limit),
  explainPrice: (variantId: string, channelId: string, price: string | null) =>
    commands.explainPrice(variantId, channelId, price),
  simulatePromotion: (variantId: string, channelId: string, price: string, promotion: PromotionInput) =>
    commands.simulatePromotion(variantId, channelId, price, promotion),
  priceChanges: (channelId: string | null, offset: number, limit: number) =>
    commands.priceChanges(channelId, offset, limit),
  applyPrices: (channelId: string | null) => commands.applyPrices(channelId),
  listAccounts: () => commands.listAccounts(),
  addAccount: (kind: string, name: string, market: string, currency: string, language: string, config: Record<string, unknown>, secrets: Record<string, string>) =>
    commands.addAccount(kind, name, market, currency, language, config, secrets),
  testAccount: (channelId: string) => commands.testAccount(channelId),
  linkListings: (channelId: string) => commands.linkListings(channelId),
  syncAccount: (channelId: string) => commands.syncAccount(channelId),
  setSyncPaused: (channelId: string, paused: boolean) => commands.setSyncPaused(channelId, paused),
  accountLog: (channelId: string) => commands.accountLog(channelId),
  ordersFiltered: (filter: OrderFilter, offset: number, limit: number) =>
    commands.listOrdersFiltered(filter, offset, limit),
  unreadableOrders: () => commands.unreadableOrders(),
  orderDetail: (orderId: string) => commands.orderDetail(orderId),
  outboxProblems: () => commands.outboxProblems(),
  retryOutbox: (id: string) => commands.retryOutbox(id),
  carriers: () => commands.carriers(),
  warehouses: () => commands.warehouses(),
  addWarehouse: (name: string, kind: string, country: string) => commands.addWarehouse(name, kind, country),
  stockPage: (filter: StockFilter, lang: string, offset: number, limit: number) =>
    commands.stockPage(filter, lang, offset, limit),
  setStockLevel: (warehouseId: string, variantId: string, onHand: number) =>
    commands.setStockLevel(warehouseId, variantId, onHand),
  oversoldCount: () => commands.oversoldCount(),
  connectivity: () => commands.connectivity(),
  resumeSync: () => commands.resumeSync(),
  markShipped: (request: ShipRequest) => commands.markShipped(request),
  markShippedList: (carrier: string, shippedOn: string, notify: boolean, text: string) =>
    commands.markShippedList(carrier, shippedOn, notify, text),
};
