/**
 * Masking costs, next to baselines measured in the same run: detector throughput in cells per second on realistic
 * mixed rows, and masking 100,000 rows against merely copying them.
 */
import pg from 'pg';
import { executeGuarded } from '../src/governance/execute-guarded.js';
import { detect } from '../src/governance/masking/detectors.js';
import { createTestDatabase } from '../test/support/database.js';
import { createMasker } from '../src/governance/masking/create-masker.js';
import type { ResultColumn } from '../src/governance/result-columns.js';
import { printTable } from './stats.js';

const STATUS = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'];

function rows(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i,
    status: STATUS[i % STATUS.length],
    total_cents: (i * 997) % 25_000,
    created_at: new Date(1_700_000_000_000 + i * 60_000).toISOString(),
    note: i % 50 === 0 ? `customer wrote from ada.${i}@example.com` : 'left at the front door',
    contact: `user${i}@example.org`,
    sku: `SKU-${(i * 7919) % 100_000}`,
    region: i % 2 ? 'eu-west-1' : 'us-east-1',
  }));
}

const src = (column: string) => ({ schema: 'public', table: 'orders', column });
const COLUMNS: ResultColumn[] = ['id', 'status', 'total_cents', 'created_at', 'note', 'contact', 'sku', 'region'].map((c) => ({
  name: c,
  source: c === 'contact' ? { schema: 'public', table: 'customers', column: 'email' } : src(c),
}));

export default async function bench(): Promise<void> {
  const data = rows(100_000);
  const cells = data.flatMap((r) => Object.values(r).filter((v): v is string => typeof v === 'string'));
  let t0 = process.hrtime.bigint();
  let hits = 0;
  for (const cell of cells) hits += detect(cell).length;
  const detectSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  const masker = createMasker({ hashKey: 'bench' });
  t0 = process.hrtime.bigint();
  const copied = data.map((r) => ({ ...r }));
  const copySeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  t0 = process.hrtime.bigint();
  const masked = masker.maskRows(COLUMNS, data, ['id', 'status']);
  const maskSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  printTable('value detectors', [{ cells: cells.length, detections: hits, seconds: detectSeconds.toFixed(3), 'cells/s': Math.round(cells.length / detectSeconds).toLocaleString('en'), aim: '> 2,000,000' }]);
  printTable('100,000 rows × 8 columns', [
    { path: 'copy rows (baseline)', ms: (copySeconds * 1000).toFixed(1), ratio: '1.00' },
    { path: 'maskRows (rules + detectors)', ms: (maskSeconds * 1000).toFixed(1), ratio: (maskSeconds / copySeconds).toFixed(2) },
  ]);
  console.log(`(checked: ${copied.length} copied, ${masked.rows.length} masked, masked columns ${masked.masked.join(', ')})`);

  // The same 100,000 rows fetched from PostgreSQL: raw pg against the governed path (guard, cursor, column
  // resolution, masking), in the same run.
  const db = await createTestDatabase('vigil_bench_mask');
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    await pool.query(`CREATE TABLE customers AS SELECT g AS id, 'user' || g || '@example.org' AS email,
      (ARRAY['pending','paid','shipped'])[1 + g % 3] AS status, 'left at the front door' AS note, now() - g * interval '1 minute' AS created_at
      FROM generate_series(1, 100000) g`);
    const sql = 'SELECT id, email, status, note, created_at FROM customers';
    const principal = { id: 'bench', kind: 'human' as const, groups: [] };
    await pool.query(sql);
    const raw: number[] = [];
    const governed: number[] = [];
    for (let i = 0; i < 3; i++) {
      let t = process.hrtime.bigint();
      await pool.query(sql);
      raw.push(Number(process.hrtime.bigint() - t) / 1e6);
      t = process.hrtime.bigint();
      const result = await executeGuarded(pool, { sql, params: [], statementClass: 'read', kind: 'SelectStmt', principal, timeoutMs: 60_000, maxRows: 100_000 });
      masker.maskRows(result.columns, result.rows, ['id', 'email', 'status', 'note', 'created_at']);
      governed.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const best = (xs: number[]) => Math.min(...xs);
    printTable('100,000 rows from PostgreSQL (best of 3)', [
      { path: 'raw pg query', ms: best(raw).toFixed(0), ratio: '1.00' },
      { path: 'governed: guard + cursor + masking', ms: best(governed).toFixed(0), ratio: (best(governed) / best(raw)).toFixed(2), aim: '≤ 1.5' },
    ]);
  } finally {
    await pool.end();
    await db.drop();
  }
}
