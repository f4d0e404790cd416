/**
 * The approver sees what a write will do, and the approval binds to it: a dry run (rolled back) counts the rows and
 * shows a masked sample; if by execution time the statement touches more rows than previewed, beyond the policy's
 * tolerance, it rolls back and the gate re-opens with a fresh preview. Real Temporal, real PostgreSQL.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../src/client/start-run.js';
import { watchRun } from '../../src/client/watch-run.js';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import { approvalSignal, pendingGatesQuery } from '../../src/workflows/definitions.js';
import type { GateView } from '../../src/workflows/approval-gate.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const POLICY = `${readFileSync('policies/default.yaml', 'utf8')}
  - id: dev-payment-writes
    when: environment == 'development' && 'payment_jobs' in statement.tables_written
    effect: require_approval
    approvers: [{ group: dba }]
    reason: payment jobs move money, even in development
`;

const RUNBOOK = `apiVersion: vigil/v1
kind: Runbook
metadata: { name: retry-failed }
spec:
  steps:
    - id: bump
      intent: Retry the failed payment jobs once more.
      sql: { connection: demo, query: "UPDATE payment_jobs SET attempts = attempts + 1 WHERE state = 'failed' RETURNING id, attempts" }
`;

describe('dry-run preview bound to the approval', () => {
  let stack: TestStack;
  let pool: pg.Pool;

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vigil-policy-')), 'policy.yaml');
    writeFileSync(file, POLICY);
    stack = await startTestStack({ env: { VIGIL_POLICY: file } });
    pool = new pg.Pool({ connectionString: stack.db.url, max: 1 });
  });

  afterAll(async () => {
    await pool?.end();
    await stack?.close();
  });

  async function gate(handle: Parameters<typeof watchRun>[0], gateId: string): Promise<GateView> {
    for (let i = 0; i < 100; i++) {
      const found = (await handle.query(pendingGatesQuery)).find((g) => g.gateId === gateId);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`gate ${gateId} never opened`);
  }

  const attempts = async () => (await pool.query<{ n: string }>(`SELECT sum(attempts) AS n FROM payment_jobs WHERE state = 'failed'`)).rows[0]?.n;

  it('previews, rolls back when the statement outgrows the preview, re-opens the gate, and runs once', async () => {
    const before = await attempts();
    const { handle, workflowId } = await startRun(stack.temporal.client, {
      plan: compileRunbookOrThrow(RUNBOOK, 'retry.yaml'),
      inputs: {},
      principal: { id: 'alice', kind: 'human', groups: ['sre'] },
      trigger: { source: 'test' },
      taskQueue: stack.temporal.taskQueue,
    });
    const first = await gate(handle, 'bump');
    expect(first.subject?.preview).toMatchObject({ dryRunRows: 8, plan: 'Update on payment_jobs <- Seq Scan on payment_jobs' });
    expect(first.subject?.preview?.sample).toHaveLength(5);
    expect(await attempts()).toBe(before); // the dry run changed nothing

    // While the approver reads, two more jobs fail: the statement now touches 10 rows, beyond 8 + 10%.
    await pool.query(`INSERT INTO payment_jobs (order_id, state, attempts) VALUES (1, 'failed', 1), (2, 'failed', 1)`);
    const sign = (gateId: string, statementHash?: string) => stack.key.sign({ workflowId, gateId, statementHash, decision: 'approve', approver: 'bob' });
    await handle.signal(approvalSignal, sign('bump', first.subject?.statementHash));

    const second = await gate(handle, 'bump/2');
    expect(second.message).toMatch(/^Again \(the statement touched more rows than previewed\)/);
    expect(second.subject?.preview?.dryRunRows).toBe(10);
    expect(await attempts()).toBe(String(Number(before) + 2)); // the two new rows' attempts; the mismatch rolled back

    await handle.signal(approvalSignal, sign('bump/2', second.subject?.statementHash));
    const outcome = await watchRun(handle, () => undefined, 50);
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.result.steps.find((s) => s.id === 'bump')?.summary).toBe('10 rows (UPDATE)');
    expect(await attempts()).toBe(String(Number(before) + 2 + 10)); // applied exactly once
  });
});
