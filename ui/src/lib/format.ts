// Locale-aware formatting of money and dates. Money arrives as integer minor
// units with its currency and exponent; it is never turned into a float for
// arithmetic, only into a decimal string that Intl formats for display.
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

export function formatMoney(m: MoneyDto, locale: string): string {
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
  return nf.format(minorToDecimalString(m.minor, m.exponent) as unknown as number);
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

/** Minor-unit digits of a currency (JPY 0, EUR 2, KWD 3), from the browser's ISO 4217 data. */
export function currencyExponent(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** A decimal amount given as text (exact, may have more digits than the currency), rounded for display. */
export function formatDecimalMoney(value: string, currency: string, locale: string): string {
  const exponent = currencyExponent(currency);
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

/** Turns a decimal text in major units into minor units of `exponent` digits, or null if it does not fit. */
export function decimalToMinor(text: string, exponent: number): number | null {
  const t = text.trim().replace(',', '.');
  const m = /^(\d+)(?:\.(\d*))?$/.exec(t);
  if (!m) return null;
  const frac = m[2] ?? '';
  if (frac.length > exponent) return null;
  return Number(m[1] + frac.padEnd(exponent, '0'));
}
