/**
 * What the store hashes must survive jsonb unchanged, or verify would fail on honest records. Property: after
 * storable(), canonical JSON -> parse -> canonical JSON is the identity, and nothing jsonb refuses remains.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_STRING, storable, storableAttempt } from '../../src/audit/storable-record.js';
import { canonicalJson } from '../../src/shared/canonical-json.js';
import { attempt } from './fixtures.js';

const awkward = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\u0000', 'a\ud800b', '\udc00', '😀', 'x'.repeat(MAX_STRING + 5), '😀'.repeat(MAX_STRING)),
  fc.double(),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
  fc.constant(undefined),
);
const values = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, awkward, fc.array(tie('value')), fc.dictionary(fc.string({ unit: 'binary' }), tie('value'))),
})).value;

describe('storable records', () => {
  it('round-trip through JSON exactly and carry nothing jsonb refuses', () => {
    fc.assert(
      fc.property(values, (v) => {
        const s = storable(v);
        const text = canonicalJson(s);
        // Booleans, not strings: a failing 16 KiB string would flood the report.
        expect(canonicalJson(JSON.parse(text)) === text).toBe(true);
        expect(text.includes('\\u0000')).toBe(false);
        expect(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/.test(text)).toBe(false);
        expect(canonicalJson(storable(s)) === text).toBe(true); // idempotent
      }),
      { numRuns: 300 },
    );
  });

  it('cuts very long strings and says so', () => {
    const s = storable('y'.repeat(MAX_STRING * 2)) as string;
    expect(s.length).toBeLessThanOrEqual(MAX_STRING);
    expect(s.slice(-60)).toMatch(/…\[\d+ more characters cut by the audit store\]$/);
    expect(s.startsWith('y'.repeat(16_000))).toBe(true);
  });

  it('normalises rule ids to { id, reason: null } and keeps rules given in full', () => {
    const a = storableAttempt(attempt(1, { decision: { effect: 'deny', summary: 's', rules: ['r1', { id: 'r2', effect: 'deny', reason: 'because' }] } }));
    expect(a.decision.rules).toEqual([{ id: 'r1', reason: null }, { id: 'r2', effect: 'deny', reason: 'because' }]);
  });
});
