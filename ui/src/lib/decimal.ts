// Decimal text arithmetic for display and input, without floats: moving the
// decimal point (fractions <-> percentages).

/** Moves the decimal point of a decimal text `places` to the right (negative: left). "0.15", 2 -> "15". */
export function shiftDecimal(text: string, places: number): string {
  const t = text.trim();
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return t;
  const sign = m[1];
  let int = m[2] || '0';
  let frac = m[3] ?? '';
  if (places > 0) {
    frac = frac.padEnd(places, '0');
    int += frac.slice(0, places);
    frac = frac.slice(places);
  } else if (places < 0) {
    const n = -places;
    int = int.padStart(n + 1, '0');
    frac = int.slice(-n) + frac;
    int = int.slice(0, -n);
  }
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  const out = frac ? `${int}.${frac}` : int;
  return sign && out !== '0' ? `-${out}` : out;
}
