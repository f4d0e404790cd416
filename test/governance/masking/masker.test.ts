/** The masker: column rules by source and by name, derived columns, strategies, JSON, text, and no mutation. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMasker } from '../../../src/governance/masking/create-masker.js';
import type { ResultColumn } from '../../../src/governance/result-columns.js';

const masker = createMasker({ hashKey: 'test-key' });
const src = (table: string, column: string) => ({ schema: 'public', table, column });

describe('masker', () => {
  it('masks a column by its source, whatever its alias', () => {
    const columns: ResultColumn[] = [{ name: 'contact', source: src('customers', 'email') }, { name: 'id', source: src('customers', 'id') }];
    const out = masker.maskRows(columns, [{ contact: 'ada@example.com', id: 7 }]);
    expect(out.rows).toEqual([{ contact: '***@example.com', id: 7 }]);
    expect(out.masked).toEqual(['contact']);
  });

  it('redacts, keeps the last four, and hashes stably per key', () => {
    const columns: ResultColumn[] = [
      { name: 'ssn', source: src('customers', 'ssn') },
      { name: 'card_number', source: src('payment_methods', 'card_number') },
      { name: 'full_name', source: src('customers', 'full_name') },
    ];
    const [row] = masker.maskRows(columns, [{ ssn: '123-45-6789', card_number: '4111111111111111', full_name: 'Ada Lovelace' }]).rows;
    expect(row).toMatchObject({ ssn: '[REDACTED:national_id]', card_number: '***1111' });
    const again = masker.maskRows(columns, [{ ssn: 'x', card_number: 'x', full_name: 'Ada Lovelace' }]).rows[0];
    const otherKey = createMasker({ hashKey: 'other' }).maskRows(columns, [{ ssn: 'x', card_number: 'x', full_name: 'Ada Lovelace' }]).rows[0];
    expect(row?.full_name).toMatch(/^h:[0-9a-f]{16}$/);
    expect(again?.full_name).toBe(row?.full_name);
    expect(otherKey?.full_name).not.toBe(row?.full_name);
  });

  it('masks computed columns of a statement that reads a sensitive column, but keeps numbers', () => {
    const columns: ResultColumn[] = [{ name: 'upper', unresolved: true }, { name: 'n', unresolved: true }];
    const out = masker.maskRows(columns, [{ upper: 'ADA@EXAMPLE.COM', n: 3 }], ['email', 'id']);
    expect(out.rows).toEqual([{ upper: '[REDACTED:derived]', n: 3 }]);
    const harmless = masker.maskRows(columns, [{ upper: 'PAID', n: 3 }], ['status']);
    expect(harmless.rows).toEqual([{ upper: 'PAID', n: 3 }]);
  });

  it('finds values inside JSON objects and JSON text', () => {
    const columns: ResultColumn[] = [{ name: 'doc', unresolved: true }, { name: 'text', unresolved: true }];
    const [row] = masker.maskRows(columns, [{ doc: { id: 1, contact: { mail: 'x@y.io' } }, text: '{"card":"4111111111111111","ok":true}' }]).rows;
    expect(row?.doc).toEqual({ id: 1, contact: { mail: '[REDACTED:email]' } });
    expect(JSON.parse(String(row?.text))).toEqual({ card: '[REDACTED:payment_card]', ok: true });
  });

  it('masks a PostgreSQL unique-violation message', () => {
    expect(masker.maskText('duplicate key value violates unique constraint "customers_email_key" DETAIL: Key (email)=(bob@example.com) already exists.')).toBe(
      'duplicate key value violates unique constraint "customers_email_key" DETAIL: Key (email)=([REDACTED:email]) already exists.',
    );
  });

  it('applies a semantic-type rule to columns of that type and to detected values, below explicit column rules', () => {
    const typed = createMasker({
      hashKey: 'k',
      rules: [
        { match: 'type:email', type: 'email', strategy: 'hash' },
        { match: 'billing.backup_email', type: 'email', strategy: 'redact' },
      ],
    });
    const columns: ResultColumn[] = [
      { name: 'email', source: src('customers', 'email') },
      { name: 'note', source: src('tickets', 'note') },
      { name: 'backup', source: { schema: 'public', table: 'billing', column: 'backup_email' } },
    ];
    const [row] = typed.maskRows(columns, [{ email: 'ada@example.com', note: 'mail ada@example.com today', backup: 'b@example.com' }]).rows;
    const pseudonym = row?.email as string;
    expect(pseudonym).toMatch(/^h:[0-9a-f]{16}$/);
    expect(row?.note).toBe(`mail ${pseudonym} today`);
    expect(row?.backup).toBe('[REDACTED:email]');
  });

  it('does not mutate its input', () => {
    const rows = [{ email: 'a@b.co' }];
    masker.maskRows([{ name: 'email', source: src('customers', 'email') }], rows);
    expect(rows).toEqual([{ email: 'a@b.co' }]);
  });

  it('never lets a planted canary through', () => {
    const canaries = fc.constantFrom('canary.7f3a@example.org', '4000 0012 3456 7899', '219-09-9999', 'AKIAZZZZZZZZZZZZZZZZ');
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), canaries, fc.string({ maxLength: 20 }), fc.boolean(), (before, canary, after, asJson) => {
        const cell = asJson ? JSON.stringify({ note: `${before} ${canary} ${after}` }) : `${before} ${canary} ${after}`;
        const out = masker.maskRows([{ name: 'note', source: src('tickets', 'note') }], [{ note: cell }]);
        expect(JSON.stringify(out.rows)).not.toContain(canary);
      }),
      { numRuns: 400 },
    );
  });
});
