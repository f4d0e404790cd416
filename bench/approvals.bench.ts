/**
 * From "approve" to the gated statement executing, p50 and p99: through the approval service (authenticate, check,
 * sign, signal, wait for the gate to count it), against two baselines on the same Temporal dev server in the same
 * run: a plain signal to a workflow that then runs the same statement through the same activity with no gate (the
 * signal round trip), and a pre-signed approval sent straight to the run. The statement reports its own
 * clock_timestamp(), so every path is measured to the moment it ran.
 */
import { createApprovalService } from '../src/api/approval-service.js';
import { loadApprovalKeys } from '../src/approvals/key-files.js';
import { statementHash } from '../src/activities/sql-activities.js';
import { startRun } from '../src/client/start-run.js';
import { loadIdentitiesFile } from '../src/governance/identity.js';
import { compileRunbookOrThrow } from '../src/runbook/compile.js';
import type { Plan } from '../src/runbook/plan.js';
import type { GateView } from '../src/workflows/approval-gate.js';
import { approvalSignal, pendingGatesQuery } from '../src/workflows/definitions.js';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { startBenchStack } from './bench-stack.js';
import { printTable, summarize, type Summary } from './stats.js';

/** A policy gate: the statement itself needs a DBA (pg_sleep is a side effect), and runs once approved. */
const POLICY_GATED = `apiVersion: vigil/v1
kind: Runbook
metadata: { name: gated-statement }
spec:
  steps:
    - id: now
      intent: Report when it ran.
      sql: { connection: demo, query: "SELECT (extract(epoch from clock_timestamp()) * 1000)::float8 AS ms, pg_sleep(0) IS NULL AS slept" }
  outputs:
    ran_at: \${{ steps.now.rows[0].ms }}
`;

/** An approval step, then a statement that policy allows: the statement is checked after the gate. */
const APPROVAL_STEP = `apiVersion: vigil/v1
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

const RUNS = 25;
/** Time between a run starting to wait and its signal, on every path. */
const SETTLE_MS = 300;

export default async function bench(): Promise<void> {
  const stack = await startBenchStack('approvals');
  const { client, taskQueue, key } = stack;
  try {
    const worker = await stack.createWorker();
    const identities = loadIdentitiesFile('identities/dev.yaml');
    const service = createApprovalService({ client, privateKey: loadApprovalKeys(key.file, false).privateKey });
    const bob = identities.principal('bob');
    if (!bob) throw new Error('dev identities lack bob');
    const policyGated = compileRunbookOrThrow(POLICY_GATED, 'gated-statement.yaml');
    const approvalStep = compileRunbookOrThrow(APPROVAL_STEP, 'gated-now.yaml');

    /** Starts a run, waits for its gate, then times `approve` to the statement's own clock. */
    const once = async (plan: Plan, approve: (workflowId: string, gate: GateView) => Promise<unknown>): Promise<number> => {
      const { handle, workflowId } = await startRun(client, { plan, inputs: {}, principal: { id: 'alice', kind: 'human', groups: [] }, trigger: { source: 'bench' }, taskQueue });
      let gate: GateView | undefined;
      while (!(gate = (await handle.query(pendingGatesQuery))[0])) await new Promise((r) => setTimeout(r, 20));
      // As a person would: the gate's announcement has gone out before anyone answers it.
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const t0 = Date.now();
      await approve(workflowId, gate);
      const result = await handle.result();
      return Number(result.outputs.ran_at) - t0;
    };
    const viaService = (workflowId: string, gate: GateView) => service.decide(bob, workflowId, gate.gateId, 'approve');
    const preSigned = (workflowId: string, gate: GateView) =>
      client.workflow.getHandle(workflowId).signal(approvalSignal, key.sign({ workflowId, gateId: gate.gateId, statementHash: gate.subject?.statementHash, decision: 'approve', approver: 'bob', groups: bob.groups }));

    // The baseline runs on a worker set up as Vigil's is, tracing included, so the ratio is what the gate adds. The
    // same on a bare worker is printed for reference: tracing's own cost, which every run pays, gated or not.
    const baselineWorkflows = fileURLToPath(new URL('./baseline-workflows.ts', import.meta.url));
    const baselineQueue = `${taskQueue}-baseline`;
    const baselineWorker = await stack.createWorker({ taskQueue: baselineQueue, workflowsPath: baselineWorkflows });
    const bareQueue = `${taskQueue}-bare`;
    const bareWorker = await Worker.create({
      connection: stack.native,
      taskQueue: bareQueue,
      activities: stack.activities,
      workflowBundle: await bundleWorkflowCode({ workflowsPath: baselineWorkflows, logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never }),
    });
    /**
     * A plain signal to a workflow that then runs the statement through the same activity, ungated: the clock
     * statement without the pg_sleep(0) that makes policy gate it.
     */
    const statement = { connection: 'demo', query: 'SELECT (extract(epoch from clock_timestamp()) * 1000)::float8 AS ms', params: [] };
    const plainSignal = async (queue = baselineQueue): Promise<number> => {
      const workflowId = `bench-signal-${randomUUID()}`;
      const request = {
        workflowId, runId: '', runbook: { name: 'bench', tags: [] }, step: { id: 'now' }, principal: { id: 'alice', kind: 'human' as const, groups: [] },
        ...statement, timeoutMs: 10_000, statementHash: statementHash(statement), approvals: [],
      };
      const handle = await client.workflow.start('signalThenStatement', { taskQueue: queue, workflowId, args: [request] });
      // Started and waiting, as the gated run is when its gate is pending.
      while ((await handle.describe()).raw.pendingWorkflowTask) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const t0 = Date.now();
      await handle.signal('go');
      const out = (await handle.result()) as { rows: { ms: number }[] };
      return Number(out.rows[0]?.ms) - t0;
    };

    await bareWorker.runUntil(() => baselineWorker.runUntil(() =>
      worker.runUntil(async () => {
        const samples = { plain: [] as number[], bare: [] as number[], policyDirect: [] as number[], policyService: [] as number[], stepService: [] as number[] };
        for (let i = 0; i < RUNS + 2; i++) {
          samples.plain.push(await plainSignal());
          samples.bare.push(await plainSignal(bareQueue));
          samples.policyService.push(await once(policyGated, viaService));
          samples.policyDirect.push(await once(policyGated, preSigned));
          samples.stepService.push(await once(approvalStep, viaService));
        }
        const [p, bare, a, b, c] = [samples.plain, samples.bare, samples.policyDirect, samples.policyService, samples.stepService].map((v) => summarize(v.slice(2))) as [Summary, Summary, Summary, Summary, Summary];
        const row = (path: string, x: Summary, aim?: string) => ({ path, p50: `${x.p50.toFixed(0)} ms`, p99: `${x.p99.toFixed(0)} ms`, ratio: (x.p50 / p.p50).toFixed(2), ...(aim ? { aim } : {}) });
        printTable(`approve -> gated statement executing (${RUNS} runs each, after 2 warm-ups, interleaved)`, [
          row('plain signal -> the same statement, ungated (baseline)', p),
          row('the same on a worker without tracing (reference)', bare),
          row('policy gate on the statement: pre-signed approval sent straight to the run', a),
          row('policy gate on the statement: vigil approve through the approval service', b, '≤ 2'),
          row('approval step, then a statement checked after it: vigil approve', c),
        ]);
      }),
    ));
  } finally {
    await stack.close();
  }
}
