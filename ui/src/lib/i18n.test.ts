import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle, format } from './i18n.svelte';

const root = fileURLToPath(new URL('../../../locales', import.meta.url));
function files(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const lang of readdirSync(root)) {
    for (const f of readdirSync(join(root, lang))) {
      out[`../../../locales/${lang}/${f}`] = readFileSync(join(root, lang, f), 'utf8');
    }
  }
  return out;
}

describe('fluent bundles', () => {
  it('formats plurals and args in both languages', () => {
    const en = buildBundle('en-US', files());
    const zh = buildBundle('zh-CN', files());
    expect(format(en, 'sync-pending', { count: 1 })).toBe('1 change waiting to send');
    expect(format(en, 'sync-pending', { count: 3 })).toBe('3 changes waiting to send');
    expect(format(zh, 'sync-pending', { count: 3 })).toBe('3 项更改待发送');
    expect(format(zh, 'nav-catalog')).toBe('商品目录');
    expect(format(en, 'error-db-locked', { path: '/x' })).toContain('/x');
  });

  it('refuses a language without locale files', () => {
    expect(() => buildBundle('fr-FR', files())).toThrow(/missing locale/);
  });
});
