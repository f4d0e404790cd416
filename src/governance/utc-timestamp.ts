/**
 * A `timestamptz` in UTC, from PostgreSQL's text straight to the ISO form the guard returns (what a Date's
 * toISOString gives), without building a Date: on a result of 100,000 timestamps the Date round trip cost about as
 * much as fetching the rows. Only the exact shape `YYYY-MM-DD HH:MM:SS[.ffffff]+00` (DateStyle ISO, TimeZone UTC) is
 * taken; anything else (another zone, BC, infinity, a five-digit year, another DateStyle) returns undefined, for
 * the driver's own parser. Milliseconds are the first three fraction digits, as a Date would hold them.
 */
const TIMESTAMPTZ_OID = 1184;

export function isTimestamptz(oid: number): boolean {
  return oid === TIMESTAMPTZ_OID;
}

export function utcTimestampToIso(text: string): string | undefined {
  const n = text.length;
  if (n < 22 || n > 29 || !text.endsWith('+00')) return undefined;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== ' ' || text[13] !== ':' || text[16] !== ':') return undefined;
  if (n !== 22 && text[19] !== '.') return undefined;
  const fraction = n === 22 ? '000' : `${text.slice(20, n - 3)}00`.slice(0, 3);
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${fraction}Z`;
}
