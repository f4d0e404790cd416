/** Column rules: matching by exact column, table column and name glob; precedence; exemptions; validation; defaults. */
import { describe, expect, it } from 'vitest';
import { compileRules, validateColumnRules, type ColumnRule } from '../../../src/governance/masking/column-rules.js';
import { DEFAULT_MASKING_RULES } from '../../../src/governance/masking/default-masking-rules.js';

const col = (schema: string, table: string, column: string) => ({ schema, table, column });

describe('column rules', () => {
  const rules: ColumnRule[] = [
    { match: 'public.customers.notes', type: 'secret' },
    { match: 'orders.shipping_label', type: 'address', strategy: 'null' },
    { match: 'pii.*.*', type: 'person_name' },
    { match: 'card_number', type: 'payment_card' },
    { match: '*email*', type: 'email' },
    { match: 'ssn', type: 'national_id', strategy: 'hash' },
  ];
  const m = compileRules(rules);

  it('matches schema.table.column exactly, case-insensitively', () => {
    expect(m.forColumn(col('public', 'customers', 'notes'))?.rule.match).toBe('public.customers.notes');
    expect(m.forColumn(col('PUBLIC', 'Customers', 'NOTES'))?.rule.match).toBe('public.customers.notes');
    expect(m.forColumn(col('archive', 'customers', 'notes'))).toBeUndefined();
  });

  it('matches table.column in any schema', () => {
    expect(m.forColumn(col('sales', 'orders', 'shipping_label'))?.strategy).toBe('null');
    expect(m.forColumn(col('sales', 'returns', 'shipping_label'))).toBeUndefined();
  });

  it('matches a whole schema by glob', () => {
    expect(m.forColumn(col('pii', 'people', 'anything'))?.type).toBe('person_name');
  });

  it('matches column-name patterns in any table', () => {
    expect(m.forColumn(col('public', 'customers', 'email'))?.type).toBe('email');
    expect(m.forColumn(col('public', 'users', 'backup_email_address'))?.type).toBe('email');
    expect(m.forColumn(col('public', 'payment_methods', 'card_number'))?.type).toBe('payment_card');
    expect(m.forColumn(col('public', 'payment_methods', 'card_number_last4'))).toBeUndefined();
    expect(m.forColumn(col('public', 'customers', 'ssn'))?.strategy).toBe('hash');
    expect(m.forColumn(col('public', 'customers', 'ssn_verified'))).toBeUndefined();
  });

  it('sees one-part rules only for a bare name', () => {
    expect(m.forName('contact_email')?.type).toBe('email');
    expect(m.forName('notes')).toBeUndefined();
    expect(m.forName('shipping_label')).toBeUndefined();
  });

  it('treats a column the statement mentions as sensitive by a rule on it in a table the statement reads', () => {
    const customers = [{ schema: 'public', table: 'customers' }];
    expect(m.forReferencedName('notes', customers)?.rule.match).toBe('public.customers.notes');
    expect(m.forReferencedName('notes', [{ schema: 'public', table: 'orders' }])).toBeUndefined();
    // A table without schema might be in any schema, pii included.
    expect(m.forReferencedName('notes', [{ table: 'orders' }])?.rule.match).toBe('pii.*.*');
    expect(m.forReferencedName('status', customers)).toBeUndefined();
    expect(m.forReferencedName('email', [{ schema: 'public', table: 'orders' }])?.type).toBe('email');
    expect(m.forReferencedName('status', [{ schema: 'pii', table: 'people' }])?.type).toBe('person_name');
    // Without the tables, any rule whose column part matches counts: `pii.*.*` makes every name sensitive.
    expect(m.forReferencedName('notes')?.rule.match).toBe('public.customers.notes');
    expect(m.forReferencedName('status')?.rule.match).toBe('pii.*.*');
  });

  it('defaults a strategy from the type, and kinds from the type unless the rule is exact', () => {
    expect(m.forName('email')?.strategy).toBe('partial');
    expect([...(m.forName('email')?.kinds ?? [])].sort()).toEqual(['binary', 'json', 'text']);
    expect(m.forColumn(col('public', 'customers', 'notes'))?.kinds.has('boolean')).toBe(true);
    const typed = compileRules([{ match: 'email', type: 'email' }], { typeStrategies: { email: 'hash' } });
    expect(typed.forName('email')?.strategy).toBe('hash');
  });

  it('takes the first matching rule, and exact rules before patterns', () => {
    const ordered = compileRules([
      { match: '*name*', type: 'person_name' },
      { match: 'public.jobs.name', type: 'secret' },
      { match: 'user_name', type: 'secret' },
    ]);
    expect(ordered.forColumn(col('public', 'users', 'user_name'))?.type).toBe('person_name');
    expect(ordered.forColumn(col('public', 'jobs', 'name'))?.type).toBe('secret');
  });

  it('exemptions lift pattern rules, never exact ones', () => {
    const exempt = compileRules(rules, { exempt: ['support.faq.*', 'email_template'] });
    expect(exempt.forColumn(col('support', 'faq', 'reply_email'))).toBeUndefined();
    expect(exempt.forColumn(col('public', 'mailers', 'email_template'))).toBeUndefined();
    expect(exempt.forName('email_template')).toBeUndefined();
    expect(exempt.forColumn(col('public', 'customers', 'email'))?.type).toBe('email');
    const exactStays = compileRules(rules, { exempt: ['public.customers.*'] });
    expect(exactStays.forColumn(col('public', 'customers', 'notes'))?.type).toBe('secret');
    expect(exactStays.isExempt(col('public', 'customers', 'email'))).toBe(true);
  });
});

describe('validateColumnRules', () => {
  it('accepts valid rules and reports every problem', () => {
    const { rules, issues } = validateColumnRules([
      { match: 'customers.email', type: 'email', strategy: 'hash' },
      { match: 'pin', type: 'secret', kinds: ['text', 'number'] },
      { match: 'a.b.c.d', type: 'email' },
      { match: '*email*', type: 'mail' },
      { match: 'x', type: 'secret', strategy: 'scramble' },
      { match: 'y', type: 'secret', colour: 'red' },
      { match: 'z', type: 'secret', kinds: ['text', 'uuid'] },
      { match: 'bad name', type: 'secret' },
      'email',
    ]);
    expect(rules.map((r) => r.match)).toEqual(['customers.email', 'pin']);
    expect(issues).toEqual([
      'masking rule 3 (a.b.c.d): match has more than three parts (schema.table.column)',
      expect.stringContaining('masking rule 4 (*email*): type must be one of'),
      expect.stringContaining('masking rule 5 (x): strategy must be one of'),
      "masking rule 6 (y): unknown field 'colour'",
      expect.stringContaining('masking rule 7 (z): kinds must be'),
      expect.stringContaining('masking rule 8 (bad name): match has an empty part'),
      'masking rule 9: must be an object with match and type',
    ]);
    expect(validateColumnRules(undefined)).toEqual({ rules: [], issues: [] });
    expect(validateColumnRules({}).issues).toEqual(['masking rules must be a list']);
  });
});

describe('default masking rules', () => {
  const m = compileRules(DEFAULT_MASKING_RULES);
  const pick = (name: string) => {
    const hit = m.forName(name);
    return hit ? `${hit.type}/${hit.strategy}` : 'none';
  };

  it('are valid', () => {
    expect(validateColumnRules(DEFAULT_MASKING_RULES).issues).toEqual([]);
  });

  it.each([
    ['email', 'email/partial'],
    ['email_address', 'email/partial'],
    ['phone', 'phone/partial'],
    ['mobile', 'phone/partial'],
    ['ip_address', 'ip_address/hash'],
    ['client_addr', 'ip_address/hash'],
    ['last_login_ip', 'ip_address/hash'],
    ['full_name', 'person_name/hash'],
    ['first_name', 'person_name/hash'],
    ['cardholder_name', 'person_name/hash'],
    ['address', 'address/redact'],
    ['billing_address_line1', 'address/redact'],
    ['postcode', 'address/redact'],
    ['date_of_birth', 'date_of_birth/redact'],
    ['dob', 'date_of_birth/redact'],
    ['ssn', 'national_id/redact'],
    ['passport_number', 'national_id/redact'],
    ['tax_id', 'national_id/redact'],
    ['card_number', 'payment_card/partial'],
    ['pan', 'payment_card/partial'],
    ['cvv', 'payment_card/redact'],
    ['iban', 'iban/partial'],
    ['bank_account_number', 'iban/partial'],
    ['password', 'secret/redact'],
    ['password_hash', 'secret/redact'],
    ['db_password', 'secret/redact'],
    ['api_token', 'secret/redact'],
    ['client_secret', 'secret/redact'],
    ['api_key', 'secret/redact'],
    ['session_id', 'secret/redact'],
    ['pin', 'secret/redact'],
    ['id', 'none'],
    ['name', 'none'],
    ['status', 'none'],
    ['created_at', 'none'],
    ['region', 'none'],
    ['zip_archive_path', 'none'],
    ['shipping_method', 'none'],
    ['description', 'none'],
    ['spin_count', 'none'],
    ['tip', 'none'],
  ])('%s → %s', (name, expected) => {
    expect(pick(name)).toBe(expected);
  });

  it('leave the harmless neighbours of sensitive columns readable by value kind', () => {
    expect(m.forName('email_verified')?.kinds.has('boolean')).toBe(false);
    expect(m.forName('address_id')?.kinds.has('number')).toBe(false);
    expect(m.forName('password_changed_at')?.kinds.has('date')).toBe(false);
    expect(m.forName('token_count')?.kinds.has('number')).toBe(false);
    expect(m.forName('card_number')?.kinds.has('number')).toBe(true);
    expect(m.forName('date_of_birth')?.kinds.has('date')).toBe(true);
    expect(m.forName('latitude')?.kinds.has('number')).toBe(true);
    expect(m.forName('pin')?.kinds.has('number')).toBe(true);
  });
});
