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

/** The order of year, month and day in a language's numeric dates, and their separator. */
function dateParts(locale: string): { order: ('year' | 'month' | 'day')[]; sep: string } {
  const parts = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' }).formatToParts(
    new Date(Date.UTC(2026, 11, 31)),
  );
  const order = parts.filter((p) => p.type === 'year' || p.type === 'month' || p.type === 'day').map((p) => p.type as 'year' | 'month' | 'day');
  const sep = parts.find((p) => p.type === 'literal')?.value ?? '-';
  return { order, sep };
}

/** An ISO date (YYYY-MM-DD) in a language's numeric order: 2026/12/03, 12/03/2026, 03.12.2026. */
export function formatDateOnly(iso: string, locale: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const { order, sep } = dateParts(locale);
  const v = { year: m[1], month: m[2], day: m[3] };
  return order.map((k) => v[k]).join(sep);
}

/** What a date field shows when empty: the language's order, e.g. "YYYY/MM/DD" style from Intl. */
export function datePattern(locale: string, names: { year: string; month: string; day: string } = { year: 'yyyy', month: 'mm', day: 'dd' }): string {
  const { order, sep } = dateParts(locale);
  return order.map((k) => names[k]).join(sep);
}

/** A date typed in the language's order (any separator), or ISO; null when it is no real date. */
export function parseDateText(text: string, locale: string): string | null {
  const t = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  let y = '',
    mo = '',
    d = '';
  if (iso) {
    [y, mo, d] = [iso[1] ?? '', iso[2] ?? '', iso[3] ?? ''];
  } else {
    const groups = t.split(/[^\d]+/).filter((g) => g.length > 0);
    if (groups.length !== 3) return null;
    const { order } = dateParts(locale);
    const v: Record<string, string> = {};
    order.forEach((k, i) => (v[k] = groups[i] ?? ''));
    [y, mo, d] = [v.year ?? '', v.month ?? '', v.day ?? ''];
    if (y.length !== 4) return null;
  }
  const out = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const dt = new Date(`${out}T00:00:00Z`);
  return Number.isNaN(dt.getTime()) || dt.toISOString().slice(0, 10) !== out ? null : out;
}

// The main time zone of a buyer's country (display only: "the buyer's time
// now"); countries spanning several zones use their most populous one.
const COUNTRY_ZONES: Record<string, string> = {
  US: 'America/New_York', CA: 'America/Toronto', MX: 'America/Mexico_City', BR: 'America/Sao_Paulo',
  GB: 'Europe/London', IE: 'Europe/Dublin', DE: 'Europe/Berlin', AT: 'Europe/Vienna', CH: 'Europe/Zurich',
  FR: 'Europe/Paris', IT: 'Europe/Rome', ES: 'Europe/Madrid', NL: 'Europe/Amsterdam', BE: 'Europe/Brussels',
  PL: 'Europe/Warsaw', SE: 'Europe/Stockholm', TR: 'Europe/Istanbul', AE: 'Asia/Dubai', SA: 'Asia/Riyadh',
  IN: 'Asia/Kolkata', CN: 'Asia/Shanghai', HK: 'Asia/Hong_Kong', TW: 'Asia/Taipei', JP: 'Asia/Tokyo',
  KR: 'Asia/Seoul', SG: 'Asia/Singapore', MY: 'Asia/Kuala_Lumpur', TH: 'Asia/Bangkok', VN: 'Asia/Ho_Chi_Minh',
  PH: 'Asia/Manila', ID: 'Asia/Jakarta', AU: 'Australia/Sydney', NZ: 'Pacific/Auckland', KW: 'Asia/Kuwait',
};

/** The time now in a buyer's country ("Tue 14:05"), or null when the country is unknown. */
export function buyerLocalTime(country: string, locale: string, now: Date = new Date()): string | null {
  const zone = COUNTRY_ZONES[country.toUpperCase()];
  if (!zone) return null;
  try {
    return new Intl.DateTimeFormat(locale, { weekday: 'short', hour: '2-digit', minute: '2-digit', timeZone: zone }).format(now);
  } catch {
    return null;
  }
}

/** "in 3 h" / "5 h ago" style distance to a time, for reply clocks. */
export function relativeTime(iso: string, locale: string, now: number = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const minutes = Math.round((t - now) / 60000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (Math.abs(minutes) < 60) return rtf.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 48) return rtf.format(hours, 'hour');
  return rtf.format(Math.round(hours / 24), 'day');
}
