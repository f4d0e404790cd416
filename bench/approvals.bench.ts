/**
 * From "approve" to the gated statement executing, p50 and p99: through the approval service (authenticate, check,
 * sign, signal, wait for the gate to count it), against a pre-signed signal sent straight to the run, on the same
 * Temporal dev server in the same run. The statement reports its own clock_timestamp(), so both are measured to the
 * moment it ran.
 */
import { createApprovalService } from '../src/api/approval-service.js';
import { loadApprovalKeys } from '../src/approvals/key-files.js';
import { startRun } from '../src/client/start-run.js';
import { loadIdentitiesFile } from '../src/governance/identity.js';
import { compileRunbookOrThrow } from '../src/runbook/compile.js';
import { approvalSignal, pendingGatesQuery } from '../src/workflows/definitions.js';
import { startBenchStack } from './bench-stack.js';
import { printTable, summarize } from './stats.js';

const RUNBOOK = `apiVersion: vigil/v1
kind: Runbook
metadata: { name: gated-now }
spec:
  steps:
    - id: gate
      approval: { approvers: [{ group: dba }] }
    - id: now
      intent: Report when it ran.
      sql: { connection: demo, query: "SELECT (extract(epoch from clock_timestamp()) * 1000)::float8 AS ms" }
  outputs:
    ran_at: \${{ steps.now.rows[0].ms }}
`;

export default async function bench(): Promise<void> {
  const stack = await startBenchStack('approvals');
  const { client, taskQueue, key } = stack;
  try {
    const worker = await stack.createWorker();
    const identities = loadIdentitiesFile('identities/dev.yaml');
    const service = createApprovalService({ client, privateKey: loadApprovalKeys(key.file, false).privateKey });
    const bob = identities.principal('bob');
    if (!bob) throw new Error('dev identities lack bob');
    const plan = compileRunbookOrThrow(RUNBOOK, 'gated-now.yaml');

    const once = async (approve: (workflowId: string) => Promise<unknown>): Promise<number> => {
      const { handle, workflowId } = await startRun(client, { plan, inputs: {}, principal: { id: 'alice', kind: 'human', groups: [] }, trigger: { source: 'bench' }, taskQueue });
      while ((await handle.query(pendingGatesQuery)).length === 0) await new Promise((r) => setTimeout(r, 20));
      const t0 = Date.now();
      await approve(workflowId);
      const result = await handle.result();
      return Number(result.outputs.ran_at) - t0;
    };

    await worker.runUntil(async () => {
      const viaService: number[] = [];
      const direct: number[] = [];
      for (let i = 0; i < 12; i++) {
        viaService.push(await once((workflowId) => service.decide(bob, workflowId, 'gate', 'approve')));
        direct.push(await once((workflowId) => client.workflow.getHandle(workflowId).signal(approvalSignal, key.sign({ workflowId, gateId: 'gate', decision: 'approve', approver: 'bob' }))));
      }
      const a = summarize(direct.slice(2));
      const b = summarize(viaService.slice(2));
      printTable('approve -> gated statement executing (10 runs each, after 2 warm-ups)', [
        { path: 'pre-signed signal sent straight to the run (baseline)', p50: `${a.p50.toFixed(0)} ms`, p99: `${a.p99.toFixed(0)} ms`, ratio: '1.00' },
        { path: 'vigil approve through the approval service', p50: `${b.p50.toFixed(0)} ms`, p99: `${b.p99.toFixed(0)} ms`, ratio: (b.p50 / a.p50).toFixed(2), aim: '≤ 2' },
      ]);
    });
  } finally {
    await stack.close();
  }
}
