// Fluent messages for the UI, from the same locales/*.ftl files the Rust
// backend compiles in. `t()` reads the reactive current language, so every
// label re-renders when the user switches language.
import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';
import type { ErrorPayload } from './bindings';

const sources = import.meta.glob('../../../locales/*/*.ftl', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

export const LANGUAGES = ['zh-CN', 'en-US'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_NAMES: Record<Language, string> = { 'zh-CN': '简体中文', 'en-US': 'English' };

export function buildBundle(lang: string, files: Record<string, string>): FluentBundle {
  const bundle = new FluentBundle(lang, { useIsolating: false });
  let found = 0;
  for (const [path, text] of Object.entries(files)) {
    if (!path.includes(`/${lang}/`)) continue;
    found++;
    const errors = bundle.addResource(new FluentResource(text));
    if (errors.length) console.error(`locale ${path}:`, errors);
  }
  if (!found) throw new Error(`missing locale files for ${lang}`);
  return bundle;
}

const bundles = new Map<string, FluentBundle>(LANGUAGES.map((l) => [l, buildBundle(l, sources)]));

const state = $state({ lang: 'en-US' as Language });

export function currentLanguage(): Language {
  return state.lang;
}

export function setLanguage(lang: string): void {
  if ((LANGUAGES as readonly string[]).includes(lang)) {
    state.lang = lang as Language;
    document.documentElement.lang = lang;
  }
}

export function format(bundle: FluentBundle, id: string, args?: Record<string, FluentVariable>): string {
  const msg = bundle.getMessage(id);
  if (!msg?.value) return id;
  return bundle.formatPattern(msg.value, args);
}

/** The message `id` in the current language. */
export function t(id: string, args?: Record<string, FluentVariable>): string {
  const bundle = bundles.get(state.lang);
  return bundle ? format(bundle, id, args) : id;
}

/** A backend error `{code, args}` as a sentence in the current language. */
export function errorText(e: unknown): string {
  const p = e as Partial<ErrorPayload> | null;
  if (p && typeof p.code === 'string') {
    return t(`error-${p.code}`, p.args ?? {});
  }
  return t('error-internal', { detail: String(e) });
}
