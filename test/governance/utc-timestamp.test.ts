/** The shortcut gives what the driver's Date would, for every shape it takes, and declines the rest. */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { utcTimestampToIso } from '../../src/governance/utc-timestamp.js';

const viaDate = (text: string) => (pg.types.getTypeParser(1184, 'text')(text) as Date).toISOString();

describe('utcTimestampToIso', () => {
  it('matches the Date round trip for UTC timestamps with 0 to 6 fraction digits', () => {
    for (const text of ['2026-12-01 09:21:18+00', '2026-12-01 09:21:18.2+00', '2026-12-01 09:21:18.25+00', '1999-01-31 23:59:59.999+00', '0001-01-01 00:00:00.5+00', '2026-12-01 09:21:18.123456+00']) {
      expect(utcTimestampToIso(text)).toBe(viaDate(text));
    }
  });

  it('keeps the digits PostgreSQL sent, where the Date would lose a millisecond to floating point', () => {
    expect(utcTimestampToIso('2026-12-01 09:21:18.205+00')).toBe('2026-12-01T09:21:18.205Z');
  });

  it('declines other zones, BC, infinity, five-digit years and other date styles', () => {
    for (const text of ['2026-12-01 09:21:18+02', '2026-12-01 09:21:18.5-05:30', '0044-03-15 12:00:00+00 BC', 'infinity', '-infinity', '12026-12-01 09:21:18+00', 'Tue Dec 01 09:21:18 2026 UTC', '01/12/2026 09:21:18 UTC']) {
      expect(utcTimestampToIso(text)).toBeUndefined();
    }
  });
});
