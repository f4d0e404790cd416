/**
 * Audit appends per second with 1, 4 and 16 concurrent writers, against plain INSERTs into a table of the same shape
 * (no chain, no head lock) in the same run and the same database.
 */
import pg from 'pg';
import type { AuditAction } from '../src/audit/audit-record.js';
import { createAuditStore, migrateAuditStore } from '../src/audit/audit-store.js';
import { canonicalJson } from '../src/shared/canonical-json.js';
import { createTestDatabase } from '../test/support/database.js';
import { printTable } from './stats.js';

const action = (n: number): AuditAction => ({
  workflowId: `wf-${n}`, runId: `r-${n}`, runbook: 'bench', stepId: 's', intent: 'measure', principal: 'alice', principalChain: 'human:alice',
  onBehalfOf: null, connection: 'demo', environment: 'development', statement: 'UPDATE t SET a = $1 WHERE id = $2', statementHash: 'h',
  params: [1, n], command: 'UPDATE', statementClass: 'write', tablesRead: [], tablesWritten: ['t'], columnsWritten: ['t.a'], flags: [],
  decision: { effect: 'allow', summary: 'allowed', rules: [] }, approvals: [], traceId: null, spanId: null,
});

async function rate(writers: number, perWriter: number, append: (n: number) => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: writers }, (_, w) => (async () => {
    for (let i = 0; i < perWriter; i++) await append(w * perWriter + i);
  })()));
  return (writers * perWriter) / (Number(process.hrtime.bigint() - t0) / 1e9);
}

export default async function bench(): Promise<void> {
  const db = await createTestDatabase('vigil_bench_audit');
  const pool = new pg.Pool({ connectionString: db.url, max: 16 });
  try {
    await migrateAuditStore(pool);
    await pool.query(`CREATE TABLE plain_audit (LIKE vigil_audit INCLUDING DEFAULTS); CREATE SEQUENCE plain_seq`);
    const store = createAuditStore(pool);
    const plain = (n: number) =>
      pool.query(
        `INSERT INTO plain_audit (seq, id, kind, at, record, prev_hash, hash, workflow_id, runbook, principal, effect, tables_written, columns_written)
         VALUES (nextval('plain_seq'), gen_random_uuid(), 'attempt', $1, $2, '', '', $3, 'bench', 'alice', 'allow', '{t}', '{t.a}')`,
        [new Date().toISOString(), canonicalJson(action(n)), `wf-${n}`],
      );
    const rows: Record<string, string>[] = [];
    for (const writers of [1, 4, 16]) {
      const per = Math.ceil(1_600 / writers);
      const chained = await rate(writers, per, (n) => store.recordAttempt(action(n)));
      const baseline = await rate(writers, per, plain);
      rows.push({ writers: String(writers), 'audit appends/s': chained.toFixed(0), 'plain inserts/s': baseline.toFixed(0), 'plain/audit': (baseline / chained).toFixed(2) });
    }
    printTable('audit appends vs plain inserts (aim: ≥ 2,000/s and within 3×)', rows);
    const report = await store.verify({ graceMs: 3_600_000 });
    console.log(`chain after the run: ${report.rows} rows, ok=${report.brokenAt === undefined}`);
  } finally {
    await pool.end();
    await db.drop();
  }
}
