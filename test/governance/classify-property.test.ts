/**
 * Property tests: random text, SQL-token soup and mutations of corpus statements never crash the classifier,
 * unparseable input is always denied, and nothing the parser accepts that drops, truncates or calls a side-effect
 * function is allowed in production, whoever asks. The cache never changes an answer.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifyUncached, createSqlClassifier, type SqlClassifier } from '../../src/governance/classify-sql.js';
import { decide } from '../../src/governance/decide.js';
import { loadDefaultPolicy } from '../../src/governance/policy.js';
import { functionVerdict } from '../../src/governance/sql-functions.js';
import type { Principal } from '../../src/shared/principal.js';
import { CORPUS } from './corpus.js';

const policy = loadDefaultPolicy();
const principals: Principal[] = [
  { id: 'bot', kind: 'agent', groups: ['sre', 'agents-write'], owner: 'alice' },
  { id: 'carol', kind: 'human', groups: ['dba', 'sre-leads'] },
  { id: 'alertmanager', kind: 'service', groups: ['alerting'] },
];
let classifier: SqlClassifier;

beforeAll(async () => {
  classifier = await createSqlClassifier({ cacheSize: 50 });
});

const seeds = CORPUS.map((c) => c.sql).filter((s) => s.length < 400);
const fragments = [
  ';', '; DROP TABLE orders', ' DROP TABLE orders', '/*', '*/', '--', '\n', "'", '"', '$$', '$q$', "E'\\'", '\\', ' OR 1=1', ' OR true',
  ' pg_terminate_backend(1)', ', pg_sleep(1)', ' WHERE ', ' TRUNCATE x', ' ) ', ' ( ', 'U&"\\0061"', ' RETURNING *', ' FOR UPDATE',
  'WITH d AS (DELETE FROM orders RETURNING *) ', 'EXPLAIN ANALYZE ', ' UNION SELECT ', '::int', ' === ',
];
const words = [
  'SELECT', 'FROM', 'WHERE', 'DELETE', 'UPDATE', 'SET', 'INSERT', 'INTO', 'VALUES', 'DROP', 'TABLE', 'TRUNCATE', 'WITH',
  'AS', 'RETURNING', 'orders', 'customers', 'id', '=', '1', 'true', '(', ')', ',', ';', '*', 'pg_sleep(1)',
  'pg_cancel_backend(1)', 'lower(x)', 'my_fn()', 'OR', 'AND', 'NOT', 'EXPLAIN', 'ANALYZE', 'COPY', 'TO', 'PROGRAM', "'x'",
  'DO', '$$ $$', 'CALL', 'EXECUTE', 'p', 'LIMIT', 'ORDER', 'BY', 'GROUP', 'HAVING', 'LATERAL', 'JOIN', 'ON',
];

/** A corpus statement with random insertions, deletions and spliced-in fragments. */
const mutated = fc
  .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 4 })), fc.nat({ max: 3 })), { maxLength: 4 }))
  .map(([sql, edits]) => edits.reduce((s, [at, text, del]) => s.slice(0, at % (s.length + 1)) + text + s.slice((at % (s.length + 1)) + del), sql));

/** Keywords and names strung together: parses more often than random characters do. */
const soup = fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 14 }).map((ws) => ws.join(' '));

/** Well-formed statements built from a small grammar, so the parser accepts nearly all of them. */
const { statement: grammar } = fc.letrec<{ expr: string; statement: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('1', 'true', "'x'", 'id', 'status', 'NULL', '$1'),
    fc.tuple(fc.constantFrom('lower', 'pg_sleep', 'pg_cancel_backend', 'my_fn', 'app.fn', 'count', 'lo_import', 'nextval'), tie('expr')).map(([f, e]) => `${f}(${e})`),
    fc.tuple(tie('expr'), fc.constantFrom('=', '<>', '+', '||', 'OR', 'AND', '===', 'IS DISTINCT FROM'), tie('expr')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    tie('expr').map((e) => `CASE WHEN ${e} THEN 1 END`),
    tie('expr').map((e) => `(SELECT ${e} FROM customers LIMIT 1)`),
  ),
  statement: fc.oneof(
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `SELECT ${a} FROM orders WHERE ${b}`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `UPDATE orders SET status = ${a} WHERE ${b}`),
    tie('expr').map((e) => `DELETE FROM orders WHERE ${e}`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `WITH d AS (DELETE FROM orders WHERE ${a} RETURNING id) SELECT ${b} FROM d`),
    tie('expr').map((e) => `INSERT INTO orders (id) VALUES (${e})`),
    tie('expr').map((e) => `EXPLAIN ANALYZE SELECT ${e}`),
    fc.constantFrom('DROP TABLE orders', 'TRUNCATE orders', 'DROP TABLE IF EXISTS x CASCADE'),
    fc.tuple(tie('statement'), tie('statement')).map(([a, b]) => `${a}; ${b}`),
  ),
}));

const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 60 }), soup, mutated, grammar);

function dangerous(sql: string): boolean {
  const c = classifier.classify(sql);
  return c.parsed && (c.command.split('; ').some((cmd) => cmd.startsWith('DROP') || cmd === 'TRUNCATE') || c.functions.some((f) => functionVerdict(f) === 'side_effect'));
}

describe('classifier properties', () => {
  it('never throws, and denies whatever does not parse, everywhere', () => {
    fc.assert(
      fc.property(anyText, (sql) => {
        const c = classifier.classify(sql);
        expect(typeof c.hash).toBe('string');
        if (!c.parsed) {
          expect(c.error).toBeTruthy();
          for (const connection of ['demo', 'payments-primary']) {
            const d = decide({ classification: c, principal: principals[1] as Principal, connection }, policy);
            expect(d.effect).toBe('deny');
            expect(d.rules[0]?.id).toBe('vigil-unparseable');
          }
        }
      }),
      { numRuns: 2500 },
    );
  });

  it('never allows a parsed DROP, TRUNCATE or side-effect call in production', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, soup, grammar), fc.constantFrom(...principals), (sql, principal) => {
        if (!dangerous(sql)) return;
        const decision = decide({ classification: classifier.classify(sql), principal, connection: 'payments-primary' }, policy);
        expect(decision.effect, `${sql} -> ${decision.summary}`).toBe('deny');
      }),
      { numRuns: 2500 },
    );
  });

  it('gives the same answer cached and uncached', () => {
    fc.assert(
      fc.property(anyText, (sql) => {
        expect(classifier.classify(sql)).toEqual(classifyUncached(sql));
        expect(classifier.classify(sql)).toEqual(classifyUncached(sql));
      }),
      { numRuns: 400 },
    );
  });
});
