/**
 * Values as they can cross into workflow history: everything survives JSON. Dates become ISO strings, bytea its
 * `\\x` hex text, bigints their digits; arrays and objects are converted inside.
 */
export function jsonSafe(value: unknown): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'bigint')) return value;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  return jsonSafeRow(value as Record<string, unknown>);
}

/** A plain copy in which every value survives JSON. A loop rather than entries/fromEntries: it runs once per row. */
export function jsonSafeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    const value = jsonSafe(row[key]);
    // A column named __proto__ is data, not the copy's prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}
