/**
 * What the audit and the traces hold for runs that did not simply succeed, on real Temporal and PostgreSQL: a
 * statement policy denied, one an approver denied at its gate, the trigger of an alert's run, and one trace from
 * `vigil run` through the worker.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAuditStore } from '../../src/audit/audit-store.js';
import type { AuditRow } from '../../src/audit/types.js';
import { startRun } from '../../src/client/start-run.js';
import { watchRun } from '../../src/client/watch-run.js';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import type { Principal } from '../../src/shared/principal.js';
import { approvalSignal, pendingGatesQuery } from '../../src/workflows/definitions.js';
import type { Plan } from '../../src/runbook/plan.js';
import type { GateView } from '../../src/workflows/approval-gate.js';
import type { TriggerInfo } from '../../src/workflows/types.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const alice: Principal = { id: 'alice', kind: 'human', groups: ['sre'] };

const sqlRunbook = (name: string, query: string) =>
  compileRunbookOrThrow(
    `apiVersion: vigil/v1\nkind: Runbook\nmetadata: { name: ${name} }\nspec:\n  steps:\n    - id: change\n      intent: Exercise the audit trail.\n      sql: { connection: demo, query: "${query}" }\n`,
    `${name}.yaml`,
  );

describe('the audit trail of runs that stop, and their trace', () => {
  let stack: TestStack;
  let pool: pg.Pool;

  beforeAll(async () => {
    stack = await startTestStack();
    pool = new pg.Pool({ connectionString: stack.db.url, max: 2 });
  });

  afterAll(async () => {
    await pool?.end();
    await stack?.close();
  });

  const recordsOf = (workflowId: string): Promise<AuditRow[]> => createAuditStore(pool).search({ workflowId });
  /** The run's one audit record, which must be a denial: nothing ran, so nothing else is on record. */
  const onlyDenialOf = async (workflowId: string) => {
    const records = await recordsOf(workflowId);
    expect(records.map((r) => r.kind)).toEqual(['denial']);
    return records[0]?.record;
  };
  const start = (plan: Plan, principal: Principal = alice, trigger: TriggerInfo = { source: 'test' }) =>
    startRun(stack.temporal.client, { plan, inputs: {}, principal, trigger, taskQueue: stack.temporal.taskQueue });

  async function openGate(workflowId: string): Promise<GateView> {
    const handle = stack.temporal.client.workflow.getHandle(workflowId);
    for (let i = 0; i < 100; i++) {
      const [gate] = await handle.query(pendingGatesQuery);
      if (gate) return gate;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no gate opened');
  }

  it('records a statement that policy denied, with the rule, its reason and the code, and runs nothing', async () => {
    const plan = sqlRunbook('unbounded', 'DELETE FROM feature_flags');
    const { handle, workflowId } = await start(plan);
    expect(await watchRun(handle, () => undefined, 50)).toMatchObject({ ok: false, code: 'VIGIL_E_POLICY_DENIED' });
    expect(await onlyDenialOf(workflowId)).toMatchObject({
      stepId: 'change',
      principalChain: 'human:alice',
      statement: 'DELETE FROM feature_flags',
      code: 'VIGIL_E_POLICY_DENIED',
      reason: expect.stringContaining('no-unbounded-writes'),
      decision: { effect: 'deny', rules: [expect.objectContaining({ id: 'no-unbounded-writes', reason: expect.stringContaining('every row') })] },
    });
    expect(Number((await pool.query('SELECT count(*) AS n FROM feature_flags')).rows[0].n)).toBe(3);
  });

  it('records a statement an approver denied at its gate, with who and why', async () => {
    const plan = sqlRunbook('sleepy', 'SELECT pg_sleep(0.01) IS NULL AS slept');
    const { handle, workflowId } = await start(plan);
    const gate = await openGate(workflowId);
    await handle.signal(approvalSignal, stack.key.sign({ workflowId, gateId: gate.gateId, statementHash: gate.subject?.statementHash, decision: 'deny', approver: 'bob', comment: 'not during the sale' }));
    expect(await watchRun(handle, () => undefined, 50)).toMatchObject({ ok: false, code: 'VIGIL_E_APPROVAL_DENIED' });
    expect(await onlyDenialOf(workflowId)).toMatchObject({
      statement: 'SELECT pg_sleep($1) IS NULL AS slept',
      code: 'VIGIL_E_APPROVAL_DENIED',
      reason: 'denied by bob: not during the sale',
      decision: { effect: 'require_approval' },
    });
  });

  it("names the alert that started a run in each attempt, next to the step's intent", async () => {
    const plan = sqlRunbook('alerted', 'SELECT 1 AS one');
    const { handle, workflowId } = await start(plan, { id: 'alertmanager', kind: 'service', groups: ['alerting'] }, {
      source: 'alertmanager',
      id: 'abc123-1795485600000',
      payload: { status: 'firing', labels: { alertname: 'PaymentsStuck', severity: 'critical' } },
    });
    expect((await watchRun(handle, () => undefined, 50)).ok).toBe(true);
    const [attempt] = (await recordsOf(workflowId)).filter((r) => r.kind === 'attempt');
    expect(attempt?.record).toMatchObject({ intent: 'Exercise the audit trail.', trigger: { source: 'alertmanager', id: 'abc123-1795485600000', name: 'PaymentsStuck' } });
    const stepSpan = stack.temporal.spans.getFinishedSpans().find((s) => s.name === 'vigil.step change' && s.attributes['vigil.trigger.id'] === 'abc123-1795485600000');
    expect(stepSpan?.attributes).toMatchObject({ 'vigil.trigger.source': 'alertmanager', 'vigil.trigger.name': 'PaymentsStuck' });
  });

  describe('with an OTLP collector', () => {
    let collector: Server;
    const exported: { traceId: string; name: string }[] = [];

    beforeAll(async () => {
      // A collector's OTLP/HTTP endpoint, as the exporter sends it: JSON, hex ids.
      collector = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        req.on('end', () => {
          const parsed = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: { traceId: string; name: string }[] }[] }[] };
          for (const rs of parsed.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) exported.push({ traceId: s.traceId, name: s.name });
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    });

    afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

    it('makes a run started by `vigil run` one trace: the start in the CLI, the workflow and the statement in the worker', async () => {
      const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['bin/vigil.js', 'run', 'runbooks/hello-db.yaml', '--input', 'customer_id=3', '--wait'], {
          env: { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), VIGIL_TASK_QUEUE: stack.temporal.taskQueue, VIGIL_PRINCIPAL: 'alice', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
        });
        let text = '';
        child.stdout.on('data', (d) => (text += d));
        child.stderr.on('data', (d) => (text += d));
        child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${text}`))));
      });
      expect(out).toMatch(/Run completed/);
      const start = exported.find((s) => s.name === 'StartWorkflow:runbookWorkflow');
      expect(start, 'the CLI exported its start span').toBeDefined();
      const inWorker = stack.temporal.spans.getFinishedSpans().filter((s) => s.spanContext().traceId === start?.traceId).map((s) => s.name);
      expect(inWorker).toEqual(expect.arrayContaining(['RunWorkflow:runbookWorkflow', 'vigil.step open_orders', 'vigil.sql open_orders']));
    });
  });
});
