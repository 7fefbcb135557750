// Typed wrappers over the Tauri commands. Types come from Rust (bindings.ts).
import { invoke } from '@tauri-apps/api/core';
import type {
  AppInfo,
  CatalogSummary,
  ConversationDto,
  ListingDto,
  OrderDto,
  Page,
  PickListDto,
  ProductDto,
  SyncStatus,
  Theme,
  VaultStatus,
} from './bindings';

export const api = {
  appInfo: () => invoke<AppInfo>('app_info'),
  setLanguage: (language: string) => invoke<void>('set_language', { language }),
  setTheme: (theme: Theme) => invoke<void>('set_theme', { theme }),
  catalogSummary: () => invoke<CatalogSummary>('catalog_summary'),
  products: (lang: string, query: string | null, offset: number, limit: number) =>
    invoke<Page<ProductDto>>('list_products', { lang, query, offset, limit }),
  listings: (lang: string, offset: number, limit: number) =>
    invoke<Page<ListingDto>>('list_listings', { lang, offset, limit }),
  orders: (offset: number, limit: number) => invoke<Page<OrderDto>>('list_orders', { offset, limit }),
  conversations: () => invoke<ConversationDto[]>('list_conversations'),
  pickList: () => invoke<PickListDto>('pick_list'),
  syncStatus: () => invoke<SyncStatus>('sync_status'),
  vaultStatus: () => invoke<VaultStatus>('vault_status'),
  openLogFolder: () => invoke<void>('open_log_folder'),
  moveDbAside: () => invoke<AppInfo>('move_db_aside'),
  retryOpen: () => invoke<AppInfo>('retry_open'),
  quit: () => invoke<void>('quit_app'),
  uiReady: () => invoke<void>('ui_ready', { pageMs: Math.round(performance.now()) }),
};
