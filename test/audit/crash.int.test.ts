/**
 * A worker killed between the audit attempt and the statement's outcome leaves a visible "outcome unknown",
 * which `vigil audit verify` reports: never a silent gap. The worker runs as a real child process and dies by SIGKILL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAuditStore } from '../../src/audit/audit-store.js';
import { startRun } from '../../src/client/start-run.js';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import { testApprovalKey } from '../support/approvals.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { temporalHarness, type TemporalHarness } from '../support/temporal.js';

describe('a worker crash between attempt and outcome', () => {
  let db: TestDatabase;
  let temporal: TemporalHarness;
  const key = testApprovalKey();

  beforeAll(async () => {
    db = await createTestDatabase();
    temporal = await temporalHarness();
  });

  afterAll(async () => {
    await temporal?.close();
    await db?.drop();
  });

  it('is reported as outcome unknown by vigil audit verify', async () => {
    const taskQueue = `crash-${randomUUID()}`;
    const env = { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), VIGIL_TASK_QUEUE: taskQueue, DATABASE_URL: db.url, VIGIL_APPROVAL_KEY: key.file };
    const worker = spawn(process.execPath, ['bin/vigil.js', 'worker'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let workerErrors = '';
    worker.stderr?.on('data', (d) => (workerErrors += d));
    const plan = compileRunbookOrThrow(
      'apiVersion: vigil/v1\nkind: Runbook\nmetadata: { name: slow }\nspec:\n  steps:\n    - id: slow\n      intent: Hold the connection long enough to crash mid-statement.\n      retry: { attempts: 1 }\n      sql: { connection: demo, query: "SELECT count(*) FROM generate_series(1, 300000000) g" }\n',
      'slow.yaml',
    );
    const { handle } = await startRun(temporal.client, { plan, inputs: {}, principal: { id: 'alice', kind: 'human', groups: [] }, trigger: { source: 'test' }, taskQueue });
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      let attempts = 0;
      for (let i = 0; i < 200 && attempts === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        attempts = Number((await pool.query(`SELECT count(*) AS n FROM vigil_audit WHERE kind = 'attempt'`).catch((e: Error) => { workerErrors += e.message; return { rows: [{ n: 0 }] }; })).rows[0].n);
      }
      expect(attempts, workerErrors).toBe(1);
      worker.kill('SIGKILL');
      await new Promise((r) => worker.once('exit', r));

      const report = await createAuditStore(pool).verify({ graceMs: 0 });
      expect(report.brokenAt).toBeUndefined();
      expect(report.outcomeUnknown).toEqual([expect.objectContaining({ workflowId: handle.workflowId, stepId: 'slow' })]);
      const cli = spawnSync(process.execPath, ['bin/vigil.js', 'audit', 'verify', '--grace-seconds', '0'], { encoding: 'utf8', env: { ...env, VIGIL_DATABASE_URL: db.url } });
      expect(cli.status).toBe(1);
      expect(cli.stdout).toContain(`OUTCOME UNKNOWN at #1: ${handle.workflowId}/slow attempted`);
    } finally {
      await handle.terminate('test over').catch(() => undefined);
      await pool.end();
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
  }, 120_000);
});
