/**
 * The classifier and the default policy against the adversarial corpus: class, exact flags, and the decision on a
 * production and a development connection. Not one dangerous statement may be allowed in production.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSqlClassifier, type SqlClassifier } from '../../src/governance/classify-sql.js';
import { decide } from '../../src/governance/decide.js';
import { loadDefaultPolicy } from '../../src/governance/policy.js';
import type { Effect } from '../../src/governance/types.js';
import type { Principal } from '../../src/shared/principal.js';
import { CORPUS, type E } from './corpus.js';

const EFFECT: Record<E, Effect> = { A: 'allow', R: 'require_approval', D: 'deny' };
const alice: Principal = { id: 'alice', kind: 'human', groups: ['sre'] };
const policy = loadDefaultPolicy();
let classifier: SqlClassifier;

beforeAll(async () => {
  classifier = await createSqlClassifier();
});

const label = (sql: string) => JSON.stringify(sql.length > 90 ? `${sql.slice(0, 87)}...` : sql);

describe('adversarial corpus', () => {
  it('has at least 130 statements, each once', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(130);
    expect(new Set(CORPUS.map((c) => c.sql)).size).toBe(CORPUS.length);
  });

  it.each(CORPUS.map((c) => [label(c.sql), c] as const))('%s', (_label, c) => {
    const classification = classifier.classify(c.sql);
    if (c.class === null) {
      expect(classification.parsed).toBe(false);
      expect(classification.error).toBeTruthy();
    } else {
      expect(classification.parsed, classification.error).toBe(true);
      expect(classification.class).toBe(c.class);
      expect([...classification.flags].sort()).toEqual([...c.flags].sort());
    }
    const prod = decide({ classification, principal: alice, connection: 'payments-primary' }, policy);
    const dev = decide({ classification, principal: alice, connection: 'demo' }, policy);
    expect({ prod: prod.effect, dev: dev.effect }, `${prod.summary}\n${dev.summary}`).toEqual({ prod: EFFECT[c.prod], dev: EFFECT[c.dev] });
    expect(prod.summary).not.toContain('\n');
  });

  it('allows not one dangerous statement in production, even for a DBA and an SRE lead', () => {
    const boss: Principal = { id: 'carol', kind: 'human', groups: ['dba', 'sre-leads'] };
    const allowed = CORPUS.filter((c) => c.dangerous).filter(
      (c) => decide({ classification: classifier.classify(c.sql), principal: boss, connection: 'payments-primary' }, policy).effect !== 'deny',
    );
    expect(allowed.map((c) => c.sql)).toEqual([]);
  });
});

describe('what a classification reports', () => {
  const classify = (sql: string) => classifier.classify(sql);

  it('names the command, the tables and the columns written, schema-qualified as written', () => {
    expect(classify('UPDATE billing.customers SET email = $1, name = $2 WHERE id = $3')).toMatchObject({
      kind: 'UpdateStmt',
      command: 'UPDATE',
      class: 'write',
      tables: { read: [], write: [{ name: 'billing.customers', columns: ['email', 'name'] }] },
    });
    expect(classify('INSERT INTO t (a, b) SELECT x, y FROM s ON CONFLICT (a) DO UPDATE SET c = excluded.c').tables).toEqual({
      read: [{ name: 's' }],
      write: [{ name: 't', columns: ['a', 'b', 'c'] }],
    });
    expect(classify('INSERT INTO t SELECT * FROM s').tables.write).toEqual([{ name: 't' }]);
    expect(classify('MERGE INTO f USING v ON f.id = v.id WHEN MATCHED THEN UPDATE SET enabled = v.enabled').tables.write).toEqual([{ name: 'f', columns: ['enabled'] }]);
    expect(classify('ALTER TABLE customers ALTER COLUMN email TYPE text, ADD COLUMN note text').tables.write).toEqual([{ name: 'customers', columns: ['email', 'note'] }]);
    expect(classify('ALTER TABLE customers RENAME COLUMN email TO mail').tables.write).toEqual([{ name: 'customers', columns: ['email'] }]);
    expect(classify('DELETE FROM orders WHERE id = 1').tables.write).toEqual([{ name: 'orders' }]);
    expect(classify('SELECT * INTO archive.orders_2024 FROM orders').tables).toEqual({ read: [{ name: 'orders' }], write: [{ name: 'archive.orders_2024' }] });
  });

  it('keeps CTE names out of the tables and finds tables in every subquery', () => {
    const c = classify('WITH recent AS (SELECT * FROM orders) SELECT * FROM recent r WHERE EXISTS (SELECT 1 FROM refunds f WHERE f.order_id = r.id) AND r.customer_id IN (SELECT id FROM app.customers)');
    expect(c.tables.read.map((t) => t.name).sort()).toEqual(['app.customers', 'orders', 'refunds']);
  });

  it('reports functions lower-case and schema-qualified as called', () => {
    expect(classify('SELECT Lower(x), PG_CATALOG.UPPER(y), App.Score(z) FROM t').functions).toEqual(['lower', 'pg_catalog.upper', 'app.score']);
  });

  it('names every statement of a multi-statement string and classifies it as the worst', () => {
    expect(classify('SELECT 1; DROP TABLE orders')).toMatchObject({ kind: 'SelectStmt', command: 'SELECT; DROP TABLE', class: 'ddl', statementCount: 2 });
  });

  it('normalizes literals away and hashes the exact text', () => {
    const c = classify("SELECT * FROM customers WHERE email = 'alice@example.com'");
    expect(c.normalized).toBe('SELECT * FROM customers WHERE email = $1');
    expect(c.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(classify("SELECT * FROM customers WHERE email = 'alice@example.com' ").hash).not.toBe(c.hash);
  });

  it('names commands a person recognises', () => {
    const cases: [string, string][] = [
      ['ALTER SYSTEM SET work_mem = 1', 'ALTER SYSTEM'],
      ['SET ROLE x', 'SET ROLE'],
      ['SET SESSION AUTHORIZATION x', 'SET SESSION AUTHORIZATION'],
      ['RESET ROLE', 'RESET ROLE'],
      ['SET LOCAL work_mem = 1', 'SET work_mem'],
      ['GRANT SELECT ON t TO x', 'GRANT'],
      ['REVOKE SELECT ON t FROM x', 'REVOKE'],
      ['DROP SCHEMA s', 'DROP SCHEMA'],
      ['DROP MATERIALIZED VIEW v', 'DROP MATERIALIZED VIEW'],
      ['ANALYZE t', 'ANALYZE'],
      ['VACUUM FULL t', 'VACUUM FULL'],
      ['START TRANSACTION', 'START TRANSACTION'],
      ["COPY t TO PROGRAM 'x'", 'COPY TO PROGRAM'],
      ['EXPLAIN ANALYZE UPDATE t SET a = 1 WHERE id = 1', 'EXPLAIN ANALYZE UPDATE'],
    ];
    expect(cases.map(([sql]) => classify(sql).command)).toEqual(cases.map(([, command]) => command));
  });
});

describe('the classifier itself', () => {
  it('returns deeply frozen results, so a caller cannot change what the cache returns next', () => {
    const c = classifier.classify('UPDATE t SET a = 1 WHERE id = 2');
    expect(Object.isFrozen(c) && Object.isFrozen(c.flags) && Object.isFrozen(c.tables.write[0]?.columns)).toBe(true);
    expect(() => (c.flags as string[]).push('x')).toThrow();
    expect(classifier.classify('UPDATE t SET a = 1 WHERE id = 2')).toBe(c);
  });

  it('gives the same answer with and without a cache, and evicts the least recently used', async () => {
    const tiny = await createSqlClassifier({ cacheSize: 2 });
    const none = await createSqlClassifier({ cacheSize: 0 });
    const a = tiny.classify('SELECT 1');
    const b = tiny.classify('SELECT 2');
    expect(tiny.classify('SELECT 1')).toBe(a);
    tiny.classify('SELECT 3'); // evicts SELECT 2, the least recently used
    expect(tiny.classify('SELECT 1')).toBe(a);
    const again = tiny.classify('SELECT 2');
    expect(again).not.toBe(b);
    expect(again).toEqual(b);
    for (const c of CORPUS.slice(0, 60)) expect(none.classify(c.sql)).toEqual(tiny.classify(c.sql));
  });

  it('keeps working after input that exhausts the parser or the walk', () => {
    for (const sql of [`SELECT ARRAY${'['.repeat(5_000)}1${']'.repeat(5_000)}`, `SELECT ${'1+'.repeat(100_000)}1`, `SELECT ${'('.repeat(20_000)}1${')'.repeat(20_000)}`]) {
      expect(classifier.classify(sql).parsed).toBe(false);
    }
    expect(classifier.classify('SELECT id FROM orders WHERE id = 7')).toMatchObject({ parsed: true, class: 'read', tables: { read: [{ name: 'orders' }] } });
  });

  it('refuses empty, comment-only, oversized and malformed input with a reason', () => {
    expect(classifier.classify('').error).toMatch(/no statement/);
    expect(classifier.classify('-- nothing').error).toMatch(/no statement/);
    expect(classifier.classify('x'.repeat(1024 * 1024 + 1)).error).toMatch(/larger than/);
    expect(classifier.classify('SELECT 1\u0000').error).toMatch(/NUL/);
    expect(classifier.classify('SELECT \uD800').error).toMatch(/surrogate/);
    expect(classifier.classify('SELEC 1').error).toMatch(/^unparseable SQL: syntax error/);
  });
});
