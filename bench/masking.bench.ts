/**
 * Masking costs on a generated, realistic result (100,000 rows × 8 columns: ids, order references, status words,
 * timestamps, free-text notes with an occasional email, card or phone number, customer emails, amounts, regions),
 * next to baselines measured in the same run: the value detectors alone, in text cells per second; and maskRows
 * against merely copying the rows. Each figure is the median of several runs after a warm-up.
 * Then the same shape fetched from PostgreSQL: raw pg against the governed path (guard, cursor, column resolution,
 * masking).
 * Alone: node --import tsx -e "import('./bench/masking.bench.ts').then(m=>m.default())"
 */
import pg from 'pg';
import { executeGuarded } from '../src/governance/execute-guarded.js';
import { detect } from '../src/governance/masking/detectors.js';
import { createMasker, type ResultColumn } from '../src/governance/masking/mask-rows.js';
import { createTestDatabase } from '../test/support/database.js';
import { printTable, summarize } from './stats.js';

const ROWS = 100_000;
const RUNS = 5;
const STATUS = ['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'];
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
const NOTES = ['left at the front door', 'customer asked for a callback', 'gift wrap', 'retry after 2026-11-24 10:00 UTC', 'address confirmed', 'duplicate of ORD-2026-000117'];

/** A deterministic pseudo-random sequence, so every run measures the same data. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
}

function luhnComplete(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

function note(i: number, rnd: () => number): string {
  const x = rnd();
  if (x < 0.02) return `customer wrote from ada.${i}@example.com about the delay`;
  if (x < 0.03) return `paid with ${luhnComplete(`4000${String(i).padStart(11, '0')}`).replace(/(\d{4})(?=\d)/g, '$1 ')}`;
  if (x < 0.04) return `call back on +44 20 7946 ${String(i % 10_000).padStart(4, '0')}`;
  return NOTES[i % NOTES.length] as string;
}

export function generateRows(n: number): Record<string, unknown>[] {
  const rnd = lcg(42);
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    order_ref: `ORD-2026-${String(i).padStart(6, '0')}`,
    status: STATUS[i % STATUS.length],
    created_at: new Date(1_764_000_000_000 + i * 60_000),
    note: note(i, rnd),
    contact: `user${i}@example.org`,
    total_cents: Math.floor(rnd() * 250_000),
    region: REGIONS[i % REGIONS.length],
  }));
}

const src = (table: string, column: string) => ({ schema: 'public', table, column });
export const COLUMNS: ResultColumn[] = [
  { name: 'id', source: src('orders', 'id') },
  { name: 'order_ref', source: src('orders', 'order_ref') },
  { name: 'status', source: src('orders', 'status') },
  { name: 'created_at', source: src('orders', 'created_at') },
  { name: 'note', source: src('orders', 'note') },
  { name: 'contact', source: src('customers', 'email') },
  { name: 'total_cents', source: src('orders', 'total_cents') },
  { name: 'region', source: src('orders', 'region') },
];

function seconds(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function median(fn: () => void): number {
  fn(); // warm-up: JIT, caches
  return summarize(Array.from({ length: RUNS }, () => seconds(fn))).p50;
}

const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en');

export default async function bench(): Promise<void> {
  const data = generateRows(ROWS);
  const cells = ROWS * COLUMNS.length;
  const texts = data.flatMap((r) => Object.values(r).filter((v): v is string => typeof v === 'string'));
  let detections = 0;
  const detectSeconds = median(() => {
    detections = 0;
    for (const t of texts) detections += detect(t).length;
  });

  const masker = createMasker({ rules: [], hashKey: 'bench-key-not-for-production' });
  let copied: Record<string, unknown>[] = [];
  const copySeconds = median(() => {
    copied = data.map((r) => ({ ...r }));
  });
  let result = masker.maskRows(COLUMNS, data);
  const maskSeconds = median(() => {
    result = masker.maskRows(COLUMNS, data);
  });
  const unresolved = COLUMNS.map((c) => ({ name: c.name, unresolved: true as const }));
  const unresolvedSeconds = median(() => masker.maskRows(unresolved, data));

  printTable('value detectors over text cells', [
    { 'text cells': texts.length, detections, ms: (detectSeconds * 1000).toFixed(1), 'cells/s': rate(texts.length, detectSeconds), aim: '> 2,000,000' },
  ]);
  printTable(`maskRows, ${ROWS.toLocaleString('en')} rows × ${COLUMNS.length} columns (${cells.toLocaleString('en')} cells)`, [
    { path: 'copy rows (baseline)', ms: (copySeconds * 1000).toFixed(1), 'cells/s': rate(cells, copySeconds), ratio: '1.00' },
    { path: 'maskRows, resolved sources', ms: (maskSeconds * 1000).toFixed(1), 'cells/s': rate(cells, maskSeconds), ratio: (maskSeconds / copySeconds).toFixed(2) },
    { path: 'maskRows, all unresolved', ms: (unresolvedSeconds * 1000).toFixed(1), 'cells/s': rate(cells, unresolvedSeconds), ratio: (unresolvedSeconds / copySeconds).toFixed(2) },
  ]);
  console.log(`(checked: ${copied.length} copied; ${result.cellsMasked} cells masked in ${result.masked.map((m) => `${m.column}: ${m.reason}`).join(' | ')})`);

  await fromPostgres(masker);
}

/** 100,000 rows from PostgreSQL: raw pg against guard + cursor + column resolution + masking, in the same run. */
async function fromPostgres(masker: ReturnType<typeof createMasker>): Promise<void> {
  const db = await createTestDatabase('vigil_bench_mask');
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    await pool.query(`CREATE TABLE customers AS SELECT g AS id, 'user' || g || '@example.org' AS email,
      (ARRAY['pending','paid','shipped'])[1 + g % 3] AS status, 'left at the front door' AS note, now() - g * interval '1 minute' AS created_at
      FROM generate_series(1, ${ROWS}) g`);
    const sql = 'SELECT id, email, status, note, created_at FROM customers';
    const principal = { id: 'bench', kind: 'human' as const, groups: [] };
    await pool.query(sql);
    const raw: number[] = [];
    const governed: number[] = [];
    // A collection before each timed section: the other path's 100,000 rows are not collected on this one's clock.
    const collect = () => (globalThis as { gc?: () => void }).gc?.();
    for (let i = 0; i < 5; i++) {
      collect();
      let t = process.hrtime.bigint();
      await pool.query(sql);
      raw.push(Number(process.hrtime.bigint() - t) / 1e6);
      collect();
      t = process.hrtime.bigint();
      const fetched = await executeGuarded(pool, { sql, params: [], statementClass: 'read', kind: 'SelectStmt', principal, timeoutMs: 60_000, maxRows: ROWS });
      masker.maskRows(fetched.columns, fetched.rows, { columnsReferenced: ['id', 'email', 'status', 'note', 'created_at'] });
      governed.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const best = (xs: number[]) => Math.min(...xs);
    printTable(`${ROWS.toLocaleString('en')} rows from PostgreSQL (best of 5)`, [
      { path: 'raw pg query', ms: best(raw).toFixed(0), ratio: '1.00' },
      { path: 'governed: guard pipeline + masking', ms: best(governed).toFixed(0), ratio: (best(governed) / best(raw)).toFixed(2), aim: '≤ 1.5' },
    ]);
  } finally {
    await pool.end();
    await db.drop();
  }
}
