/**
 * Masking costs, next to baselines measured in the same run: detector throughput in cells per second on realistic
 * mixed rows, and masking 100,000 rows against merely copying them.
 */
import { detect } from '../src/governance/masking/detectors.js';
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
}
