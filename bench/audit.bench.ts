/**
 * Audit appends per second with 1, 4 and 16 concurrent writers, against plain INSERTs of the same rows into a table
 * of the same shape (no chain, no head lock, no batching) in the same run and the same throwaway database.
 * Two ways of writing the chain are measured:
 * - shared: the writers share one store, as the activities of one worker process do (appends are grouped per commit);
 * - separate: each writer has its own store and connection, as separate worker processes would (every append is its
 *   own commit, serialised on the head lock): the worst case.
 * Runnable alone: node --import tsx -e "import('./bench/audit.bench.ts').then(m=>m.default())"
 */
import pg from 'pg';
import { createAuditStore, migrateAuditStore, type AuditStore } from '../src/audit/audit-store.js';
import { storableAttempt } from '../src/audit/storable-record.js';
import type { AttemptInput } from '../src/audit/types.js';
import { canonicalJson } from '../src/shared/canonical-json.js';
import { createTestDatabase } from '../test/support/database.js';
import { fmt, printTable, timeAsync } from './stats.js';

const TOTAL = 3_200;

const action = (n: number): AttemptInput => ({
  workflowId: `wf-${n}`, runId: `r-${n}`, runbook: 'bench', stepId: 's', intent: 'measure the audit store', principal: 'alice',
  principalChain: 'agent:bench-bot -> human:alice', onBehalfOf: 'alice', connection: 'demo', environment: 'development',
  statement: 'UPDATE customers SET email = $1 WHERE id = $2', statementHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  params: ['***@example.net', n], command: 'UPDATE', statementClass: 'write', tablesRead: [], tablesWritten: ['customers'],
  columnsWritten: ['customers.email'], flags: [], decision: { effect: 'allow', summary: 'allowed by the development default', rules: [] },
  approvals: [], traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7',
});

/** `writers` loops, each appending its share one after another; returns appends per second. */
async function rate(writers: number, append: (writer: number, n: number) => Promise<unknown>): Promise<number> {
  const per = Math.ceil(TOTAL / writers);
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < per; i++) await append(w, w * per + i);
    }),
  );
  return (writers * per) / (Number(process.hrtime.bigint() - t0) / 1e9);
}

export default async function bench(): Promise<void> {
  const db = await createTestDatabase('vigil_bench_audit');
  const pool = new pg.Pool({ connectionString: db.url, max: 16 });
  const separate = Array.from({ length: 16 }, () => new pg.Pool({ connectionString: db.url, max: 1 }));
  // pool.end() resolves before every connection has closed; the drop below may terminate one that is still closing.
  for (const p of [pool, ...separate]) p.on('error', () => undefined);
  try {
    await migrateAuditStore(pool);
    await pool.query(`CREATE TABLE plain_audit (LIKE vigil_audit INCLUDING DEFAULTS INCLUDING INDEXES); CREATE SEQUENCE plain_seq`);
    const shared = createAuditStore(pool);
    const stores: AuditStore[] = separate.map((p) => createAuditStore(p));
    const plain = (n: number) => {
      const record = storableAttempt(action(n));
      return pool.query(
        `INSERT INTO plain_audit (seq, id, kind, at, record, prev_hash, hash, workflow_id, runbook, principal, effect, tables_written, columns_written)
         VALUES (nextval('plain_seq'), gen_random_uuid(), 'attempt', $1, $2, '', '', $3, 'bench', 'alice', 'allow', '{customers}', '{customers.email}')`,
        [new Date().toISOString(), canonicalJson(record), record.workflowId],
      );
    };
    // Warm up connections, plans and the JIT.
    await rate(16, (_w, n) => shared.recordAttempt(action(n)));
    await rate(16, (_w, n) => plain(n));

    const rows: Record<string, string>[] = [];
    for (const writers of [1, 4, 16]) {
      const baseline = await rate(writers, (_w, n) => plain(n));
      const one = await rate(writers, (_w, n) => shared.recordAttempt(action(n)));
      const many = await rate(writers, (w, n) => (stores[w] as AuditStore).recordAttempt(action(n)));
      rows.push({
        writers: String(writers),
        'plain inserts/s': baseline.toFixed(0),
        'audit/s shared store': one.toFixed(0),
        'plain/shared': (baseline / one).toFixed(2),
        'audit/s separate stores': many.toFixed(0),
        'plain/separate': (baseline / many).toFixed(2),
      });
    }
    printTable(`audit appends vs plain INSERTs, ${TOTAL} per cell (aim: ≥ 2,000/s and within 3× of plain)`, rows);
    const latency = await timeAsync(500, (n) => shared.recordAttempt(action(n)));
    console.log(`one writer, one append (attempt durable on return): p50 ${fmt(latency.p50)}, p99 ${fmt(latency.p99)}`);
    const report = await shared.verify({ graceMs: 3_600_000 });
    console.log(`chain after the run: ${report.rows} records, intact: ${report.brokenAt === undefined}`);
  } finally {
    await Promise.all([pool.end(), ...separate.map((p) => p.end())]);
    await db.drop();
  }
}
