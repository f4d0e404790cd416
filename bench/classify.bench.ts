/**
 * The pure governance core, measured alone (no database, no Temporal):
 * - classify + decide per typical OLTP statement, cold (unique text, no cache) and cached (same text);
 * - the parser choice on the adversarial corpus: libpg-query against node-sql-parser (postgresql dialect), how many
 *   statements each accepts and µs per statement, plus where node-sql-parser misreads what it does accept.
 * Numbers are printed, never asserted. Run alone:
 *   node --import tsx -e "import('./bench/classify.bench.ts').then(m=>m.default())"
 */
import { loadModule, parseSync } from 'libpg-query';
import nodeSqlParser from 'node-sql-parser';
import { createSqlClassifier } from '../src/governance/classify-sql.js';
import { decide } from '../src/governance/decide.js';
import { loadDefaultPolicy } from '../src/governance/policy.js';
import type { Principal } from '../src/shared/principal.js';
import { CORPUS } from '../test/governance/corpus.js';
import { fmt, printTable, timeSync } from './stats.js';

/** Typical runbook statements; `#` becomes a different number on every cold iteration, so no text repeats. */
const OLTP = [
  'SELECT id, status, total_cents FROM orders WHERE id = #',
  "UPDATE orders SET status = 'paid' WHERE id = #",
  "INSERT INTO orders (customer_id, status, total_cents) VALUES (#, 'pending', 1999)",
  "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.email = 'user#@example.com' ORDER BY o.created_at DESC LIMIT 20",
  "DELETE FROM payment_jobs WHERE id = # AND state = 'failed'",
  'SELECT pid, now() - query_start AS runtime FROM pg_stat_activity WHERE state = \'active\' AND pid <> # ORDER BY query_start LIMIT 20',
];

const ITERATIONS = 6_000;

export default async function bench(): Promise<void> {
  const policy = loadDefaultPolicy();
  const principal: Principal = { id: 'alice', kind: 'human', groups: ['sre'] };
  const uncached = await createSqlClassifier({ cacheSize: 0 });
  const cached = await createSqlClassifier();
  const fixed = OLTP.map((s) => s.replace('#', '42'));
  const unique = (i: number) => (OLTP[i % OLTP.length] as string).replace('#', String(100_000 + i));

  // Warm the JIT and the WASM module on texts the measured loops don't use.
  for (let i = 0; i < 2_000; i++) decide({ classification: uncached.classify(unique(ITERATIONS + i)), principal, connection: 'payments-primary' }, policy);

  const cold = timeSync(ITERATIONS, (i) => decide({ classification: uncached.classify(unique(i)), principal, connection: 'payments-primary' }, policy));
  const warm = timeSync(ITERATIONS, (i) => decide({ classification: cached.classify(fixed[i % fixed.length] as string), principal, connection: 'payments-primary' }, policy));
  const classifyOnly = timeSync(ITERATIONS, (i) => uncached.classify(unique(i)));
  const decideOnly = (() => {
    const classifications = fixed.map((s) => cached.classify(s));
    return timeSync(ITERATIONS, (i) => decide({ classification: classifications[i % classifications.length]!, principal, connection: 'payments-primary' }, policy));
  })();
  printTable(`classify + decide per OLTP statement (${ITERATIONS} each, default policy, ${policy.rules.length} rules)`, [
    { case: 'cold: classify + decide (unique text, no cache)', p50: fmt(cold.p50), p99: fmt(cold.p99), mean: fmt(cold.mean), aim: '< 1 ms' },
    { case: 'cached: classify + decide (same text)', p50: fmt(warm.p50), p99: fmt(warm.p99), mean: fmt(warm.mean), aim: '< 50 µs' },
    { case: 'classify alone, cold', p50: fmt(classifyOnly.p50), p99: fmt(classifyOnly.p99), mean: fmt(classifyOnly.mean), aim: '' },
    { case: 'decide alone (CEL rules)', p50: fmt(decideOnly.p50), p99: fmt(decideOnly.p99), mean: fmt(decideOnly.mean), aim: '' },
  ]);

  await parserComparison();
}

/** Both parsers on the same corpus statements: acceptance, speed, and misreadings of what was accepted. */
async function parserComparison(): Promise<void> {
  await loadModule();
  const statements = CORPUS.filter((c) => c.sql.length < 10_000 && !c.sql.includes('\u0000'));
  const valid = statements.filter((c) => c.class !== null);
  const invalid = statements.filter((c) => c.class === null);
  const parser = new nodeSqlParser.Parser();
  const nsp = (sql: string) => parser.astify(sql, { database: 'postgresql' });
  const accepts = (parse: (sql: string) => unknown, sql: string) => {
    try {
      parse(sql);
      return true;
    } catch {
      return false;
    }
  };
  const classifier = await createSqlClassifier({ cacheSize: 0 });
  const rounds = 5;
  const n = statements.length * rounds;
  const at = (i: number) => (statements[i % statements.length] as { sql: string }).sql;
  const pgParse = timeSync(n, (i) => accepts(parseSync, at(i)));
  const pgClassify = timeSync(n, (i) => classifier.classify(at(i)));
  const nspParse = timeSync(n, (i) => accepts(nsp, at(i)));

  const pgValid = valid.filter((c) => accepts(parseSync, c.sql)).length;
  const nspValid = valid.filter((c) => accepts(nsp, c.sql));
  const nspInvalid = invalid.filter((c) => accepts(nsp, c.sql)).length;
  const pgInvalid = invalid.filter((c) => accepts(parseSync, c.sql)).length;
  const classifierInvalid = invalid.filter((c) => classifier.classify(c.sql).parsed).length;
  printTable(`parsers on the corpus: ${valid.length} statements to classify, ${invalid.length} inputs to refuse (${rounds} rounds)`, [
    { parser: 'libpg-query 18 (parseSync)', classified: `${pgValid}/${valid.length}`, 'refusable accepted': `${pgInvalid}/${invalid.length}`, mean: fmt(pgParse.mean), p50: fmt(pgParse.p50), p99: fmt(pgParse.p99) },
    { parser: 'libpg-query 18 + Vigil classification', classified: `${pgValid}/${valid.length}`, 'refusable accepted': `${classifierInvalid}/${invalid.length}`, mean: fmt(pgClassify.mean), p50: fmt(pgClassify.p50), p99: fmt(pgClassify.p99) },
    { parser: 'node-sql-parser 5 (astify, postgresql)', classified: `${nspValid.length}/${valid.length}`, 'refusable accepted': `${nspInvalid}/${invalid.length}`, mean: fmt(nspParse.mean), p50: fmt(nspParse.p50), p99: fmt(nspParse.p99) },
  ]);
  console.log('(libpg-query itself parses some refusable inputs: blank text, U+FFFD, ambiguous backslashes, trees too deep to walk; the classifier refuses those before or after parsing.)');

  // What node-sql-parser reports for statements it did accept: a statement count or type that disagrees with
  // PostgreSQL's parser would let a write or a second statement through a classifier built on it.
  let misread = 0;
  const examples: string[] = [];
  for (const c of nspValid) {
    const ast = nsp(c.sql) as unknown;
    const list = Array.isArray(ast) ? ast : [ast];
    const types = list.map((a) => String((a as { type?: string }).type ?? '?')).join(';');
    const pg = classifier.classify(c.sql);
    const writes = pg.class !== 'read' && pg.class !== 'transaction';
    const wrong = list.length !== pg.statementCount || (writes && /^select(;select)*$/.test(types));
    if (wrong) {
      misread++;
      if (examples.length < 6) examples.push(`${c.sql.slice(0, 70)}  ->  node-sql-parser: ${types}, PostgreSQL: ${pg.command} (${pg.class})`);
    }
  }
  console.log(`node-sql-parser accepted ${nspValid.length} valid statements and misread ${misread} of them (statement count, or a write reported as select), e.g.:`);
  for (const e of examples) console.log(`  ${e}`);
}
