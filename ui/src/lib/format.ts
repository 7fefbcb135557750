// Locale-aware formatting of money and dates. Money arrives with its
// currency, its exponent and its exact amount as decimal text, all from the
// backend (ISO 4217): the UI never works out an exponent, never parses an
// amount, never turns one into a float; Intl formats the decimal text.
import type { MoneyDto } from './bindings';

/** "1599", exponent 2 -> "15.99"; "-5", 2 -> "-0.05"; exponent 0 -> as is. */
export function minorToDecimalString(minor: number, exponent: number): string {
  const negative = minor < 0;
  let digits = Math.abs(minor).toString();
  if (exponent > 0) {
    digits = digits.padStart(exponent + 1, '0');
    digits = `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  }
  return negative ? `-${digits}` : digits;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

export function formatMoney(m: Pick<MoneyDto, 'minor' | 'currency' | 'exponent'> & { amount?: string }, locale: string): string {
  const key = `${locale}|${m.currency}|${m.exponent}`;
  let nf = moneyFormats.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: m.currency,
      // 'symbol' keeps CNY and JPY apart: CN¥ vs ¥ in English, ¥ vs JP¥ in Chinese.
      currencyDisplay: 'symbol',
      minimumFractionDigits: m.exponent,
      maximumFractionDigits: m.exponent,
    });
    moneyFormats.set(key, nf);
  }
  // Intl accepts decimal strings exactly (no binary float rounding).
  return nf.format((m.amount ?? minorToDecimalString(m.minor, m.exponent)) as unknown as number);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function formatDateTime(iso: string, locale: string): string {
  let df = dateFormats.get(locale);
  if (!df) {
    df = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    dateFormats.set(locale, df);
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : df.format(d);
}

const intFormats = new Map<string, Intl.NumberFormat>();

export function formatInt(n: number, locale: string): string {
  let nf = intFormats.get(locale);
  if (!nf) {
    nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    intFormats.set(locale, nf);
  }
  return nf.format(n);
}

/** Localised display name of a language tag, e.g. de-DE -> "German" / "德语". */
export function languageName(tag: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** Localised name of a market (ISO 3166 region code), e.g. DE -> "Germany" / "德国". */
export function marketName(code: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** A decimal amount given as text (exact, may have more digits than the currency), rounded for display
 * to the currency's `exponent` (which the backend sends with it). */
export function formatDecimalMoney(value: string, currency: string, exponent: number, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      currencyDisplay: 'symbol',
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    }).format(value as unknown as number);
  } catch {
    return `${value} ${currency}`;
  }
}

/** A fraction given as decimal text ("0.2513") as a percentage ("25.13 %"). */
export function formatPercent(fraction: string, locale: string, digits = 2): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits }).format(
    fraction as unknown as number,
  );
}

/** Basis points (2513) as a percentage ("25.13 %"). */
export function formatBp(bp: number, locale: string): string {
  return formatPercent(minorToDecimalString(bp, 4), locale, 2);
}
