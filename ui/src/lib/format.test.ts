import { describe, expect, it } from 'vitest';
import { formatMoney, minorToDecimalString, formatDateTime } from './format';

describe('money formatting', () => {
  it('places the decimal point by the currency exponent without floats', () => {
    expect(minorToDecimalString(1599, 2)).toBe('15.99');
    expect(minorToDecimalString(5, 2)).toBe('0.05');
    expect(minorToDecimalString(-5, 2)).toBe('-0.05');
    expect(minorToDecimalString(1980, 0)).toBe('1980');
    expect(minorToDecimalString(1234, 3)).toBe('1.234');
    // beyond float-exact cents: 2^53 + 1 minor units would round as a float
    expect(minorToDecimalString(90071992547409, 2)).toBe('900719925474.09');
  });

  it('formats per locale and currency', () => {
    expect(formatMoney({ minor: 1599, currency: 'USD', exponent: 2 }, 'en-US')).toBe('$15.99');
    expect(formatMoney({ minor: 1980, currency: 'JPY', exponent: 0 }, 'en-US')).toBe('¥1,980');
    expect(formatMoney({ minor: 1699, currency: 'EUR', exponent: 2 }, 'de-DE')).toMatch(/^16,99\s€$/);
    expect(formatMoney({ minor: 1699, currency: 'EUR', exponent: 2 }, 'zh-CN')).toBe('€16.99');
    expect(formatMoney({ minor: 198000, currency: 'CNY', exponent: 2 }, 'zh-CN')).toBe('¥1,980.00');
    // CNY and JPY never look the same
    expect(formatMoney({ minor: 1850, currency: 'CNY', exponent: 2 }, 'en-US')).toBe('CN¥18.50');
    expect(formatMoney({ minor: 1980, currency: 'JPY', exponent: 0 }, 'zh-CN')).toBe('JP¥1,980');
    expect(formatMoney({ minor: 1234, currency: 'KWD', exponent: 3 }, 'en-US')).toContain('1.234');
  });

  it('formats dates in the locale', () => {
    const en = formatDateTime('2026-11-22T08:00:00Z', 'en-US');
    const zh = formatDateTime('2026-11-22T08:00:00Z', 'zh-CN');
    expect(en).toContain('2026');
    expect(zh).toContain('2026年');
    expect(formatDateTime('not a date', 'en-US')).toBe('not a date');
  });
});

import { formatDateOnly, parseDateText } from './format';
describe('dates in the UI language', () => {
  it('shows and reads dates in the order of the language, not the system', () => {
    expect(formatDateOnly('2026-12-03', 'zh-CN')).toBe('2026/12/03');
    expect(formatDateOnly('2026-12-03', 'en-US')).toBe('12/03/2026');
    expect(parseDateText('2026/12/3', 'zh-CN')).toBe('2026-12-03');
    expect(parseDateText('12/3/2026', 'en-US')).toBe('2026-12-03');
    expect(parseDateText('2026-12-03', 'en-US')).toBe('2026-12-03');
    expect(parseDateText('2026/02/30', 'zh-CN')).toBeNull();
    expect(parseDateText('3/12', 'en-US')).toBeNull();
  });
});

describe('money in every currency, exponent from the backend', () => {
  it('shows IDR, JPY, KWD and EUR to the last unit in both languages, whatever Intl thinks the currency has', () => {
    // the backend says IDR has 2 decimals (ISO 4217); some Intl data says 0
    const idr = { minor: 150_000_005_025, currency: 'IDR', exponent: 2, amount: '1500000050.25' };
    expect(formatMoney(idr, 'en-US')).toMatch(/1,500,000,050\.25$/);
    expect(formatMoney(idr, 'zh-CN')).toMatch(/1,500,000,050\.25$/);
    const kwd = { minor: 12_345, currency: 'KWD', exponent: 3, amount: '12.345' };
    expect(formatMoney(kwd, 'en-US')).toMatch(/12\.345$/);
    expect(formatMoney(kwd, 'zh-CN')).toMatch(/12\.345$/);
    const jpy = { minor: 19_800, currency: 'JPY', exponent: 0, amount: '19800' };
    expect(formatMoney(jpy, 'en-US')).toBe('¥19,800');
    expect(formatMoney(jpy, 'zh-CN')).toBe('JP¥19,800');
    const eur = { minor: 1_699, currency: 'EUR', exponent: 2, amount: '16.99' };
    expect(formatMoney(eur, 'zh-CN')).toBe('€16.99');
  });
});
