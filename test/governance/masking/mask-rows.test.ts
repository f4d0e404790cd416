/**
 * maskRows, the executor's entry point: column rules by source, by derivedFrom and by name; the conservative
 * treatment of unresolved columns; detectors over text and JSON; the report; and no aliasing of the caller's rows.
 */
import { describe, expect, it } from 'vitest';
import { createMasker, MaskingConfigError, type ResultColumn } from '../../../src/governance/masking/mask-rows.js';

const masker = createMasker({ rules: [], hashKey: 'test-key' });
const src = (table: string, column: string) => ({ schema: 'public', table, column });

describe('maskRows: column rules', () => {
  it('masks a column by its source, whatever its alias, and reports why', () => {
    const columns: ResultColumn[] = [
      { name: 'contact', source: src('customers', 'email') },
      { name: 'id', source: src('customers', 'id') },
    ];
    const out = masker.maskRows(columns, [{ contact: 'ada@example.com', id: 7 }, { contact: null, id: 8 }]);
    expect(out.rows).toEqual([{ contact: '***@example.com', id: 7 }, { contact: null, id: 8 }]);
    expect(out.columns).toEqual(['contact', 'id']);
    expect(out.masked).toEqual([{ column: 'contact', reason: "source public.customers.email matches rule '*email*' (email)", strategy: 'partial' }]);
    expect(out.cellsMasked).toBe(1);
  });

  it('uses the source, not the alias: a harmless column aliased `email` is only scanned', () => {
    const out = masker.maskRows([{ name: 'email', source: src('orders', 'status') }], [{ email: 'shipped' }]);
    expect(out.rows).toEqual([{ email: 'shipped' }]);
    expect(out.masked).toEqual([]);
  });

  it('applies each default strategy', () => {
    const columns: ResultColumn[] = [
      { name: 'ssn', source: src('customers', 'ssn') },
      { name: 'card_number', source: src('payment_methods', 'card_number') },
      { name: 'full_name', source: src('customers', 'full_name') },
      { name: 'date_of_birth', source: src('customers', 'date_of_birth') },
      { name: 'iban', source: src('payment_methods', 'iban') },
      { name: 'token', source: src('api_tokens', 'token') },
    ];
    const [row] = masker.maskRows(columns, [
      { ssn: '123-45-6789', card_number: '4000002000000003', full_name: 'Ada Lovelace', date_of_birth: new Date('1980-02-03'), iban: 'DE89370400440532013000', token: 'tok_live_abc' },
    ]).rows;
    expect(row).toEqual({
      ssn: '[REDACTED:national_id]',
      card_number: '***0003',
      full_name: expect.stringMatching(/^h:[0-9a-f]{16}$/),
      date_of_birth: '[REDACTED:date_of_birth]',
      iban: 'DE***3000',
      token: '[REDACTED:secret]',
    });
  });

  it('leaves values that cannot carry the type: booleans, ids and timestamps next to sensitive columns', () => {
    const columns: ResultColumn[] = [
      { name: 'email_verified', source: src('customers', 'email_verified') },
      { name: 'address_id', source: src('customers', 'address_id') },
      { name: 'password_changed_at', source: src('users', 'password_changed_at') },
      { name: 'card_number', source: src('payment_methods', 'card_number') },
    ];
    const when = new Date('2026-11-24T10:00:00Z');
    const [row] = masker.maskRows(columns, [{ email_verified: true, address_id: 42, password_changed_at: when, card_number: 4111111111111111 }]).rows;
    expect(row).toEqual({ email_verified: true, address_id: 42, password_changed_at: when, card_number: '***1111' });
  });

  it('reads bigint and numeric texts (how node-postgres returns them) as numbers', () => {
    const columns: ResultColumn[] = [
      { name: 'address_id', source: src('customers', 'address_id') },
      { name: 'email_count', source: src('stats', 'email_count') },
      { name: 'card_number', source: src('payment_methods', 'card_number') },
      { name: 'pin', source: src('cards', 'pin') },
    ];
    const [row] = masker.maskRows(columns, [{ address_id: '42', email_count: '1234', card_number: '4111111111111111', pin: '1234' }]).rows;
    expect(row).toEqual({ address_id: '42', email_count: '1234', card_number: '***1111', pin: '[REDACTED:secret]' });
  });

  it('masks a column derived from a sensitive column, strictest rule first', () => {
    const columns: ResultColumn[] = [
      { name: 'who', derivedFrom: [{ table: 'customers', column: 'first_name' }, { table: 'customers', column: 'last_name' }] },
      { name: 'contact', derivedFrom: [{ table: 'customers', column: 'email' }, { table: 'customers', column: 'phone' }] },
      { name: 'label', derivedFrom: [{ schema: 'public', table: 'customers', column: 'email' }, { table: 'customers', column: 'ssn' }] },
      { name: 'total', derivedFrom: [{ table: 'orders', column: 'total_cents' }] },
    ];
    const out = masker.maskRows(columns, [{ who: 'Ada Lovelace', contact: 'ada@example.com / +44 20 7946 0958', label: 'x', total: 'EUR 12.00' }]);
    expect(out.rows[0]).toEqual({
      who: expect.stringMatching(/^h:/),
      // email and phone are both `partial`, but a partial of one type can't be trusted on a mix: redact.
      contact: '[REDACTED:email]',
      label: '[REDACTED:national_id]',
      total: 'EUR 12.00',
    });
    expect(out.masked.find((m) => m.column === 'label')?.reason).toBe(
      "derived from public.customers.email, which matches rule '*email*' (email); derived from customers.ssn, which matches rule 'ssn' (national_id)",
    );
  });

  it('policy rules come before the defaults; exemptions lift pattern rules but not detectors', () => {
    const custom = createMasker({
      rules: [{ match: 'public.customers.email', type: 'email', strategy: 'hash' }],
      exemptColumns: ['email_template'],
      hashKey: 'test-key',
    });
    const columns: ResultColumn[] = [
      { name: 'email', source: src('customers', 'email') },
      { name: 'email_template', source: src('mailers', 'email_template') },
    ];
    const [row] = custom.maskRows(columns, [{ email: 'ada@example.com', email_template: 'Dear {{name}}, write to help@example.com' }]).rows;
    expect(row).toEqual({ email: expect.stringMatching(/^h:/), email_template: 'Dear {{name}}, write to [REDACTED:email]' });
  });

  it('can run with the policy rules alone', () => {
    const bare = createMasker({ rules: [], defaultRules: [], hashKey: 'k' });
    expect(bare.maskRows([{ name: 'full_name', source: src('customers', 'full_name') }], [{ full_name: 'Ada Lovelace' }]).rows).toEqual([{ full_name: 'Ada Lovelace' }]);
  });

  it('masks by name when there is no source', () => {
    const out = masker.maskRows([{ name: 'phone' }, { name: 'note' }], [{ phone: '+1 415 555 0100', note: 'ok' }]);
    expect(out.rows).toEqual([{ phone: '***0100', note: 'ok' }]);
  });

  it('gives two columns of one name the stricter treatment', () => {
    const columns: ResultColumn[] = [
      { name: 'v', source: src('orders', 'status') },
      { name: 'v', source: src('customers', 'ssn') },
    ];
    const out = masker.maskRows(columns, [{ v: '123-45-6789' }]);
    expect(out.columns).toEqual(['v']);
    expect(out.rows).toEqual([{ v: '[REDACTED:national_id]' }]);
  });
});

describe('maskRows: column types', () => {
  const TIMESTAMPTZ = 1184;
  const INT8 = 20;
  const DATE = 1082;

  it('does not scan a type that cannot hold text, still scans digit types, and still applies rules to any type', () => {
    const columns: ResultColumn[] = [
      { name: 'at', source: src('orders', 'created_at'), typeOid: TIMESTAMPTZ },
      { name: 'n', source: src('orders', 'reference'), typeOid: INT8 },
      { name: 'born', source: src('customers', 'date_of_birth'), typeOid: DATE },
    ];
    const out = masker.maskRows(columns, [{ at: '2026-12-01T09:21:18.205Z', n: '4111111111111111', born: '1990-04-01T00:00:00.000Z' }]);
    expect(out.rows[0]?.at).toBe('2026-12-01T09:21:18.205Z');
    expect(out.rows[0]?.n).not.toBe('4111111111111111');
    expect(out.rows[0]?.born).not.toBe('1990-04-01T00:00:00.000Z');
    expect(out.masked.map((m) => m.column).sort()).toEqual(['born', 'n']);
  });

  it('gives what the detectors would give for the values those types arrive as: skipping them changes nothing', () => {
    const samples: Record<number, unknown[]> = {
      16: [true, false],
      1082: ['1990-04-01T00:00:00.000Z'],
      1083: ['09:21:18', '23:59:59.999999'],
      1266: ['09:21:18+02'],
      1114: ['2026-12-01T09:21:18.205Z'],
      1184: ['2026-12-01T09:21:18.205Z'],
      1186: [{ hours: 1, minutes: 30 }, { days: 400 }],
      2950: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    };
    for (const [oid, values] of Object.entries(samples)) {
      const rows = values.map((v) => ({ v }));
      const typed = masker.maskRows([{ name: 'v', source: src('t', 'v'), typeOid: Number(oid) }], rows);
      const scanned = masker.maskRows([{ name: 'v', source: src('t', 'v') }], rows);
      expect(typed.rows).toEqual(scanned.rows);
      expect(typed.masked).toEqual(scanned.masked);
    }
  });
});

describe('maskRows: plans kept for a columns array', () => {
  it('plans again for another masker, another statement context, or an exemption, on the very same array', () => {
    const columns: ResultColumn[] = [{ name: 'x', unresolved: true }];
    const rows = [{ x: 'plain words' }];
    // No sensitive column mentioned: scanned, nothing found.
    expect(masker.maskRows(columns, rows, { columnsReferenced: ['note'] }).rows).toEqual(rows);
    // The same array, a statement that mentions email: conservative.
    expect(masker.maskRows(columns, rows, { columnsReferenced: ['email'] }).rows).toEqual([{ x: '[REDACTED:derived]' }]);
    // A masker whose rules make `x` itself sensitive, on the same array and context.
    const strict = createMasker({ rules: [{ match: 'x', type: 'secret' }], hashKey: 'k' });
    const context = { columnsReferenced: ['note'] };
    expect(strict.maskRows(columns, rows, context).rows).not.toEqual(rows);
    expect(masker.maskRows(columns, rows, context).rows).toEqual(rows);
    expect(strict.maskRows(columns, rows, { ...context, exempt: new Set(['x']) }).rows).toEqual(rows);
    expect(strict.maskRows(columns, rows, context).rows).not.toEqual(rows);
  });
});

describe('maskRows: unresolved columns', () => {
  const columns: ResultColumn[] = [
    { name: 'upper', unresolved: true },
    { name: 'n', unresolved: true },
    { name: 'big', unresolved: true },
    { name: 'ok', unresolved: true },
    { name: 'at', unresolved: true },
  ];
  const at = new Date('2026-11-24T10:00:00Z');
  const row = { upper: 'ADA@EXAMPLE.COM', n: 3, big: 4111111111111111, ok: true, at };

  it('redacts text when the statement mentions a sensitive column, keeping counts, flags and dates', () => {
    const out = masker.maskRows(columns, [row], { columnsReferenced: ['email', 'id'] });
    expect(out.rows).toEqual([{ upper: '[REDACTED:derived]', n: 3, big: 4111111111111111, ok: true, at }]);
    expect(out.masked).toEqual([
      { column: 'upper', reason: "unresolved column; the statement mentions email (rule '*email*' (email))", strategy: 'redact' },
    ]);
  });

  it('redacts large numbers too when a mentioned type can be a number (card_number::bigint)', () => {
    const out = masker.maskRows(columns, [row], { columnsReferenced: ['card_number'] });
    expect(out.rows).toEqual([{ upper: '[REDACTED:derived]', n: 3, big: '[REDACTED:derived]', ok: true, at }]);
  });

  it('keeps a bigint count, which arrives as text, unless a secret is mentioned', () => {
    const cols: ResultColumn[] = [{ name: 'count', unresolved: true }];
    const out = masker.maskRows(cols, [{ count: '3' }, { count: '4111111111111111' }], { columnsReferenced: ['card_number'] });
    expect(out.rows).toEqual([{ count: '3' }, { count: '[REDACTED:derived]' }]);
    expect(masker.maskRows(cols, [{ count: '3' }], { columnsReferenced: ['email'] }).rows).toEqual([{ count: '3' }]);
    // `password || ''` on a numeric password: small, but a secret.
    expect(masker.maskRows(cols, [{ count: '1234' }], { columnsReferenced: ['password'] }).rows).toEqual([{ count: '[REDACTED:derived]' }]);
  });

  it('redacts dates when a birth date is mentioned', () => {
    const out = masker.maskRows(columns, [row], { columnsReferenced: ['date_of_birth'] });
    expect(out.rows[0]?.at).toBe('[REDACTED:derived]');
  });

  it('uses the tables read, when given, to decide whether a mentioned name is sensitive', () => {
    const rules = createMasker({ rules: [{ match: 'public.customers.notes', type: 'secret' }], hashKey: 'k' });
    const cols: ResultColumn[] = [{ name: 'x', unresolved: true }];
    expect(rules.maskRows(cols, [{ x: 'hello' }], { columnsReferenced: ['notes'], tablesRead: ['public.orders'] }).rows).toEqual([{ x: 'hello' }]);
    expect(rules.maskRows(cols, [{ x: 'hello' }], { columnsReferenced: ['notes'], tablesRead: ['public.customers'] }).rows).toEqual([{ x: '[REDACTED:derived]' }]);
  });

  it('masks the whole column when a detector finds anything in any of its cells', () => {
    const cols: ResultColumn[] = [{ name: 'part', unresolved: true }, { name: 'n', unresolved: true }];
    const out = masker.maskRows(cols, [{ part: 'ada', n: 1 }, { part: 'bob@example.com', n: 2 }], { columnsReferenced: ['status'] });
    expect(out.rows).toEqual([{ part: '[REDACTED:derived]', n: 1 }, { part: '[REDACTED:derived]', n: 2 }]);
    expect(out.masked).toEqual([{ column: 'part', reason: 'unresolved column; detected email in its values', strategy: 'redact' }]);
  });

  it('leaves an unresolved column alone when nothing points at sensitive data', () => {
    const out = masker.maskRows([{ name: 'status', unresolved: true }, { name: 'orders', unresolved: true }], [{ status: 'PAID', orders: 3 }], { columnsReferenced: ['status'] });
    expect(out.rows).toEqual([{ status: 'PAID', orders: 3 }]);
    expect(out.masked).toEqual([]);
  });

  it('masks an unresolved column by its name', () => {
    const out = masker.maskRows([{ name: 'email', unresolved: true }], [{ email: 'ada@example.com' }]);
    expect(out.rows).toEqual([{ email: '***@example.com' }]);
  });

  it('trusts known lineage over the statement-wide fallback', () => {
    const cols: ResultColumn[] = [{ name: 'label', unresolved: true, derivedFrom: [{ table: 'orders', column: 'status' }] }];
    expect(masker.maskRows(cols, [{ label: 'PAID' }], { columnsReferenced: ['email'] }).rows).toEqual([{ label: 'PAID' }]);
  });

  it('does not apply the fallback to an exempt name', () => {
    const exempt = createMasker({ rules: [], hashKey: 'k', exemptColumns: ['summary'] });
    expect(exempt.maskRows([{ name: 'summary', unresolved: true }], [{ summary: 'PAID' }], { columnsReferenced: ['email'] }).rows).toEqual([{ summary: 'PAID' }]);
  });
});

describe('maskRows: detectors in text and JSON', () => {
  const doc: ResultColumn[] = [{ name: 'doc', source: src('events', 'payload') }];

  it('replaces only the detected span of a text cell', () => {
    const out = masker.maskRows([{ name: 'note', source: src('tickets', 'note') }], [{ note: 'customer ada@example.com called about card 4111 1111 1111 1111' }]);
    expect(out.rows).toEqual([{ note: 'customer [REDACTED:email] called about card [REDACTED:payment_card]' }]);
    expect(out.masked).toEqual([{ column: 'note', reason: 'detected email, payment_card', strategy: 'redact' }]);
    expect(out.cellsMasked).toBe(1);
  });

  it('finds values nested in JSON objects and arrays, and masks members by sensitive keys', () => {
    const payload = { id: 1, contact: { mail: 'x@example.io', numbers: ['+44 20 7946 0958'] }, password: 'hunter2', email_verified: true, n: 4111111111111111 };
    const [row] = masker.maskRows(doc, [{ doc: payload }]).rows;
    expect(row?.doc).toEqual({ id: 1, contact: { mail: '[REDACTED:email]', numbers: ['[REDACTED:phone]'] }, password: '[REDACTED:secret]', email_verified: true, n: 4111111111111111 });
    // A sensitive key masks its whole member, whatever is inside.
    expect(masker.maskValue({ phones: ['+44 20 7946 0958', 'home'], address: { city: 'London' } })).toEqual({ phones: '[REDACTED:phone]', address: '[REDACTED:address]' });
  });

  it('masks inside JSON text and keeps it JSON; leaves JSON text untouched when nothing is found', () => {
    const text = '{"card":"4111111111111111","ok":true,"nested":"{\\"email\\":\\"a@b.io\\"}"}';
    const [row] = masker.maskRows(doc, [{ doc: text }, { doc: '{"a": 1,  "b": [2]}' }]).rows;
    const parsed = JSON.parse(String(row?.doc)) as Record<string, unknown>;
    expect(parsed.card).toBe('[REDACTED:payment_card]');
    expect(parsed.ok).toBe(true);
    expect(JSON.parse(String(parsed.nested))).toEqual({ email: '***@b.io' });
    expect(masker.maskRows(doc, [{ doc: '{"a": 1,  "b": [2]}' }]).rows[0]?.doc).toBe('{"a": 1,  "b": [2]}');
  });

  it('masks keys that hold data', () => {
    const [row] = masker.maskRows(doc, [{ doc: { 'ada@example.com': 1, 'bob@example.com': 2 } }]).rows;
    expect(row?.doc).toEqual({ '[REDACTED:email]': 1, '[REDACTED:email]#2': 2 });
  });

  it('redacts bytea holding a detected value, and copies it otherwise', () => {
    const bytes = Buffer.from('mail ada@example.com');
    const clean = Buffer.from([0, 1, 2, 3]);
    const [row] = masker.maskRows([{ name: 'b', source: src('files', 'content') }, { name: 'c', source: src('files', 'thumb') }], [{ b: bytes, c: clean }]).rows;
    expect(row?.b).toBe('[REDACTED:email]');
    expect(row?.c).toEqual(clean);
    expect(row?.c).not.toBe(clean);
  });

  it('passes numbers, booleans, null and dates through', () => {
    const at = new Date('2026-11-24T10:00:00Z');
    const cols: ResultColumn[] = ['n', 'b', 'z', 'd', 'big'].map((name) => ({ name, source: src('t', name) }));
    const out = masker.maskRows(cols, [{ n: 4111111111111111, b: false, z: null, d: at, big: 12345678901234567890n }]);
    expect(out.rows).toEqual([{ n: 4111111111111111, b: false, z: null, d: at, big: 12345678901234567890n }]);
    expect(out.cellsMasked).toBe(0);
  });

  it('redacts JSON nested deeper than it walks', () => {
    let deep: unknown = 'a@b.io';
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(JSON.stringify(masker.maskValue(deep))).not.toContain('a@b.io');
  });
});

describe('maskRows: ownership', () => {
  it('never mutates or shares the caller rows, objects, arrays or dates', () => {
    const at = new Date('2026-11-24T10:00:00Z');
    const rows = [{ email: 'a@b.co', doc: { list: [1, 'x'], when: at }, at, plain: 'nothing here' }];
    const snapshot = structuredClone(rows);
    const columns: ResultColumn[] = [
      { name: 'email', source: src('customers', 'email') },
      { name: 'doc', source: src('events', 'payload') },
      { name: 'at', source: src('events', 'at') },
      { name: 'plain', source: src('events', 'plain') },
    ];
    const out = masker.maskRows(columns, rows);
    expect(rows).toEqual(snapshot);
    const [row] = out.rows;
    expect(row).not.toBe(rows[0]);
    expect(row?.doc).not.toBe(rows[0]?.doc);
    expect((row?.doc as { list: unknown[] }).list).not.toBe(rows[0]?.doc.list);
    expect((row?.doc as { when: Date }).when).not.toBe(at);
    expect(row?.at).not.toBe(at);
    expect(row?.at).toEqual(at);
    (row?.doc as { list: unknown[] }).list.push('mutated');
    expect(rows[0]?.doc.list).toEqual([1, 'x']);
  });

  it('keeps exactly the result columns, and a column named __proto__ as data', () => {
    const columns: ResultColumn[] = [{ name: '__proto__', source: src('t', 'x') }, { name: 'a', source: src('t', 'a') }];
    const rows = [JSON.parse('{"__proto__": "ada@example.com", "a": 1, "extra": "not in the result"}') as Record<string, unknown>];
    const [row] = masker.maskRows(columns, rows).rows;
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.keys(row ?? {})).toEqual(['__proto__', 'a']);
    expect(JSON.stringify(row)).toBe('{"__proto__":"[REDACTED:email]","a":1}');
  });
});

describe('createMasker: configuration', () => {
  it('fails closed on an invalid configuration, naming every problem', () => {
    expect(() =>
      createMasker({
        rules: [{ match: '*email*', type: 'mail' as never }],
        hashKey: '',
        detectors: ['emial'],
        exemptColumns: ['a b'],
        detectorStrategies: { email: 'scramble' as never },
      }),
    ).toThrow(MaskingConfigError);
    try {
      createMasker({ rules: [{ match: '*email*', type: 'mail' as never }], hashKey: '', detectors: ['emial'] });
    } catch (error) {
      expect((error as MaskingConfigError).code).toBe('VIGIL_E_POLICY_INVALID');
      expect((error as MaskingConfigError).issues).toEqual([
        expect.stringContaining('type must be one of'),
        'hashKey must be a non-empty string or byte array',
        expect.stringContaining('unknown value detector(s): emial'),
      ]);
    }
  });

  it('can switch detectors off and use another strategy for detected spans', () => {
    const m = createMasker({ rules: [], hashKey: 'k', detectors: ['personal'], detectorStrategies: { email: 'partial', phone: 'hash' } });
    expect(m.maskText('a@example.com +44 20 7946 0958 AKIAIOSFODNN7EXAMPLE')).toMatch(/^\*\*\*@example\.com h:[0-9a-f]{16} AKIAIOSFODNN7EXAMPLE$/);
  });
});
