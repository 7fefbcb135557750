import { describe, expect, it } from 'vitest';
import { shiftDecimal } from './decimal';

describe('shiftDecimal', () => {
  it('turns fractions into percentages and back, exactly', () => {
    expect(shiftDecimal('0.15', 2)).toBe('15');
    expect(shiftDecimal('0.0355', 2)).toBe('3.55');
    expect(shiftDecimal('15', -2)).toBe('0.15');
    expect(shiftDecimal('3.55', -2)).toBe('0.0355');
    expect(shiftDecimal('0.1', 2)).toBe('10');
    expect(shiftDecimal('0', 2)).toBe('0');
    expect(shiftDecimal('-0.05', 2)).toBe('-5');
    expect(shiftDecimal('19', -2)).toBe('0.19');
    expect(shiftDecimal('0.333333333333', 2)).toBe('33.3333333333');
  });
  it('leaves text that is not a number alone', () => {
    expect(shiftDecimal('abc', 2)).toBe('abc');
    expect(shiftDecimal('', 2)).toBe('');
  });
});
