/**
 * The property masking exists for: a sensitive value planted anywhere in a result (in a text cell among random
 * text, deep inside a JSON object or array, inside JSON text, under any column name and any provenance) never
 * appears in what maskRows returns, nor in what maskText returns.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMasker, type ResultColumn } from '../../../src/governance/masking/mask-rows.js';

const masker = createMasker({ rules: [], hashKey: 'property-key' });

const CANARIES = [
  'canary.q7z@example.net',
  'Zoë.Canary+ops@mail.example.co.uk',
  '4111 1111 1111 1111',
  '4000-0012-3456-7899',
  '5555555555554444',
  '378282246310005',
  '219-09-9999',
  '123-45-6789',
  'DE89 3704 0044 0532 0130 00',
  'GB82WEST12345698765432',
  '+44 20 7946 0958',
  '+14155550100',
  'AKIAIOSFODNN7EXAMPLE',
  'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
];

const stringify = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

const filler = fc.oneof(fc.string({ maxLength: 24 }), fc.integer(), fc.boolean(), fc.constant(null), fc.date({ noInvalidDate: true }), fc.jsonValue({ maxDepth: 2 }));
const name = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('id', 'note', 'payload', 'email', 'status', 'x'));
const provenance = fc.oneof(
  fc.constant({}),
  fc.constant({ unresolved: true }),
  fc.record({ source: fc.record({ schema: fc.constant('public'), table: fc.constantFrom('orders', 'tickets', 'events'), column: name }) }),
  fc.record({ derivedFrom: fc.array(fc.record({ table: fc.constantFrom('orders', 'tickets'), column: name }), { maxLength: 2 }) }),
);

/** The canary as a cell: in text, or nested in JSON objects and arrays, or in JSON text. */
const planted = fc
  .record({
    canary: fc.constantFrom(...CANARIES),
    before: fc.string({ maxLength: 20 }),
    after: fc.string({ maxLength: 20 }),
    path: fc.array(fc.oneof(fc.record({ key: fc.string({ maxLength: 10 }), sibling: filler }), fc.record({ index: fc.nat(3), sibling: filler })), { maxLength: 4 }),
    asJsonText: fc.boolean(),
  })
  .map(({ canary, before, after, path, asJsonText }) => {
    let value: unknown = `${before} ${canary} ${after}`;
    for (const step of path) {
      if ('key' in step) value = { sibling: step.sibling, [step.key]: value };
      else value = [...Array.from({ length: step.index }, () => step.sibling), value];
    }
    return { canary, cell: asJsonText && path.length > 0 ? stringify(value) : value };
  });

describe('a planted canary', () => {
  it('never survives maskRows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, provenance, filler), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }),
        planted,
        (spec, at, columnsReferenced, { canary, cell }) => {
          const columns: ResultColumn[] = spec.map(([n, p]) => ({ name: n, ...p }));
          const target = columns[at % columns.length]?.name as string;
          const row: Record<string, unknown> = {};
          for (const [n, , value] of spec) Object.defineProperty(row, n, { value, enumerable: true, writable: true, configurable: true });
          Object.defineProperty(row, target, { value: cell, enumerable: true, writable: true, configurable: true });
          const out = masker.maskRows(columns, [row], { columnsReferenced });
          expect(stringify(out.rows)).not.toContain(canary);
          expect(stringify(out.masked)).not.toContain(canary);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('never survives maskText', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CANARIES), fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (canary, before, after) => {
        expect(masker.maskText(`${before} ${canary} ${after}`)).not.toContain(canary);
        expect(masker.maskText(`DETAIL: Key (${before || 'k'})=(${canary}) already exists.`)).not.toContain(canary);
      }),
      { numRuns: 2_000 },
    );
  });

  it('masking is idempotent on text', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CANARIES), fc.string({ maxLength: 30 }), (canary, noise) => {
        const once = masker.maskText(`${noise} ${canary} ${noise}`);
        expect(masker.maskText(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});
