/** The adapter behind the `Masker` contract (../masker.ts) that the SQL activities and workers use today. */
import { describe, expect, it } from 'vitest';
import { createMasker } from '../../../src/governance/masking/create-masker.js';
import type { ResultColumn } from '../../../src/governance/result-columns.js';

describe('createMasker (Masker contract)', () => {
  const masker = createMasker({ hashKey: 'test-key' });

  it('masks rows, reporting masked columns by name, with columnsReferenced as third argument', () => {
    const columns: ResultColumn[] = [
      { name: 'contact', source: { schema: 'public', table: 'customers', column: 'email' } },
      { name: 'upper', unresolved: true },
      { name: 'n', unresolved: true },
    ];
    const out = masker.maskRows(columns, [{ contact: 'ada@example.com', upper: 'ADA', n: 2 }], { columnsReferenced: ['email'] });
    expect(out).toEqual({ rows: [{ contact: '***@example.com', upper: '[REDACTED:derived]', n: 2 }], masked: ['contact', 'upper'] });
  });

  it('takes the policy rules, and masks text and values', () => {
    const custom = createMasker({ rules: [{ match: 'customers.note', type: 'secret' }], hashKey: 'k' });
    const out = custom.maskRows([{ name: 'note', source: { schema: 'public', table: 'customers', column: 'note' } }], [{ note: 'hello' }]);
    expect(out.rows).toEqual([{ note: '[REDACTED:secret]' }]);
    expect(custom.maskText('Key (email)=(bob@example.com) already exists')).toBe('Key (email)=(***@example.com) already exists');
    expect(custom.maskValue(['4111 1111 1111 1111', 7])).toEqual(['[REDACTED:payment_card]', 7]);
  });

  it('applies a type strategy to columns of that type and to detected values, below rules that name a strategy', () => {
    const typed = createMasker({
      hashKey: 'k',
      strategies: { email: 'hash' },
      rules: [{ match: 'billing.backup_email', type: 'email', strategy: 'redact' }],
    });
    const columns: ResultColumn[] = [
      { name: 'email', source: { schema: 'public', table: 'customers', column: 'email' } },
      { name: 'note', source: { schema: 'public', table: 'tickets', column: 'note' } },
      { name: 'backup', source: { schema: 'public', table: 'billing', column: 'backup_email' } },
    ];
    const [row] = typed.maskRows(columns, [{ email: 'ada@example.com', note: 'mail ada@example.com today', backup: 'b@example.com' }]).rows;
    const pseudonym = row?.email as string;
    expect(pseudonym).toMatch(/^h:[0-9a-f]{16}$/);
    expect(row?.note).toBe(`mail ${pseudonym} today`);
    expect(row?.backup).toBe('[REDACTED:email]');
  });

  it('leaves exempt result columns in the clear, and only those', () => {
    const columns: ResultColumn[] = [
      { name: 'contact', source: { schema: 'public', table: 'customers', column: 'email' } },
      { name: 'phone', source: { schema: 'public', table: 'customers', column: 'phone' } },
    ];
    const out = masker.maskRows(columns, [{ contact: 'ada@example.com', phone: '+44 20 7946 0958' }], { exempt: new Set(['contact']) });
    expect(out.rows).toEqual([{ contact: 'ada@example.com', phone: '***0958' }]);
    expect(out.masked).toEqual(['phone']);
  });

  it('refuses rules a policy file got wrong', () => {
    expect(() => createMasker({ rules: [{ match: '*email*', type: 'e-mail' } as never], hashKey: 'k' })).toThrow(/type must be one of/);
  });
});
