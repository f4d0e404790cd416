/**
 * Every example runbook end to end on real Temporal and PostgreSQL, with gates answered by signed approvals the way
 * the approval service sends them. The customer data request also proves masking: the seeded personal data and
 * secrets appear nowhere in the workflow history or the exported spans.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AttemptInput as AuditAction } from '../../src/audit/types.js';
import { createAuditStore } from '../../src/audit/audit-store.js';
import { ATTR, SPAN } from '../../src/audit/span-attributes.js';
import type { AttemptRow } from '../../src/audit/types.js';
import { startRun } from '../../src/client/start-run.js';
import { watchRun, type RunOutcome } from '../../src/client/watch-run.js';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import type { Principal } from '../../src/shared/principal.js';
import { approvalSignal, pendingGatesQuery } from '../../src/workflows/definitions.js';
import type { TestDatabase } from '../support/database.js';
import { historyText } from '../support/histories.js';
import { startHttpRecorder, type HttpRecorder } from '../support/http-recorder.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { capturedLogs, type TemporalHarness } from '../support/temporal.js';

const alice: Principal = { id: 'alice', kind: 'human', groups: ['sre'] };
const CANARY = { email: 'canary.q7z@example.net', ssn: '219-09-9999', card: '4000002000000003', phone: '+44 20 7946 0958', name: 'Zebulon Canarywood' };

describe('example runbooks end to end', () => {
  let stack: TestStack;
  let db: TestDatabase;
  let temporal: TemporalHarness;
  let key: TestStack['key'];
  let far: HttpRecorder;
  let canaryId: number;

  beforeAll(async () => {
    far = await startHttpRecorder();
    stack = await startTestStack({
      notifyTargets: { oncall: `${far.url}/chat` },
      beforeWorker: async (database) => {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        const { rows } = await client.query(
          `INSERT INTO customers (full_name, email, phone, ssn, date_of_birth, address) VALUES ($1, $2, $3, $4, '1980-02-03', '1 Canary Wharf') RETURNING id`,
          [CANARY.name, CANARY.email, CANARY.phone, CANARY.ssn],
        );
        canaryId = Number(rows[0].id);
        await client.query(`INSERT INTO payment_methods (customer_id, card_number) VALUES ($1, $2)`, [canaryId, CANARY.card]);
        await client.end();
      },
    });
    ({ db, temporal, key } = stack);
  });

  afterAll(async () => {
    await stack?.close();
    await far?.close();
  });

  const start = (file: string, inputs: Record<string, unknown>) =>
    startRun(temporal.client, { plan: compileRunbookOrThrow(readFileSync(file, 'utf8'), file), inputs, principal: alice, trigger: { source: 'test' }, taskQueue: temporal.taskQueue });

  /** Approves every gate that opens (as a DBA, signed for the gate's statement) until the run ends. */
  async function runApproving(handle: WorkflowHandle, workflowId: string, approver = 'bob'): Promise<RunOutcome> {
    const answered = new Set<string>();
    let done = false;
    const outcome = watchRun(handle as never, () => undefined, 50).finally(() => (done = true));
    while (!done) {
      const gates = await handle.query(pendingGatesQuery).catch(() => []);
      for (const gate of gates) {
        if (answered.has(gate.gateId)) continue;
        answered.add(gate.gateId);
        await handle.signal(approvalSignal, key.sign({ workflowId, gateId: gate.gateId, statementHash: gate.subject?.statementHash, decision: 'approve', approver }));
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return outcome;
  }

  const ok = (outcome: RunOutcome) => {
    if (!outcome.ok) throw new Error(`${outcome.code} ${outcome.message}`);
    return outcome.result;
  };

  it('replication-lag: measures, pauses the heavy jobs, re-measures and tells on-call', async () => {
    const { handle, workflowId } = await start('runbooks/replication-lag.yaml', { force_pause: 'true' });
    const result = ok(await runApproving(handle, workflowId));
    expect(result.outputs).toEqual({ paused: 2, lag_seconds: 0 });
    expect(far.requests.some((r) => r.body.includes('Paused 2 heavy job(s)'))).toBe(true);
  });

  it('stuck-payment-jobs: finds the stuck jobs, waits for a DBA, requeues exactly those', async () => {
    const { handle, workflowId } = await start('runbooks/stuck-payment-jobs.yaml', { stuck_minutes: '60' });
    const result = ok(await runApproving(handle, workflowId, 'carol'));
    expect(result.outputs).toEqual({ requeued: 5 });
    const check = new pg.Client({ connectionString: db.url });
    await check.connect();
    const { rows } = await check.query(`SELECT count(*)::int AS n FROM payment_jobs WHERE state = 'stuck'`);
    await check.end();
    expect(rows[0].n).toBe(0);
  });

  it('runaway-query: cancels a long-running backend after a DBA approves the side effect', async () => {
    const victim = new pg.Client({ connectionString: db.url });
    await victim.connect();
    const sleeping = victim.query('SELECT pg_sleep(60)').then(
      () => 'finished',
      (e: Error) => e.message,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    const { handle, workflowId } = await start('runbooks/runaway-query.yaml', { min_runtime_seconds: '1' });
    const result = ok(await runApproving(handle, workflowId));
    expect(result.outputs).toEqual({ found: 1, cancelled: 1 });
    expect(await sleeping).toMatch(/canceling statement due to user request/);
    await victim.end();
    const cancel = result.steps.find((s) => s.id === 'cancel[0]');
    expect(cancel?.decision).toMatch(/^requires approval by dba \(1\) per nonprod-side-effects-need-approval/);
  });

  it('table-bloat: checks dead tuples and vacuums outside a transaction block', async () => {
    const { handle, workflowId } = await start('runbooks/table-bloat.yaml', { force: 'true' });
    const result = ok(await runApproving(handle, workflowId));
    expect(result.outputs.vacuumed).toBe(true);
  });

  it('feature-flag-kill-switch: switches exactly one flag off, and refuses when it is already off', async () => {
    const first = await start('runbooks/feature-flag-kill-switch.yaml', { flag: 'new_checkout' });
    expect(ok(await runApproving(first.handle, first.workflowId)).outputs).toEqual({ disabled: true });
    const again = await start('runbooks/feature-flag-kill-switch.yaml', { flag: 'new_checkout' });
    const outcome = await runApproving(again.handle, again.workflowId);
    expect(outcome).toMatchObject({ ok: false, code: 'VIGIL_E_SQL_EXPECT' });
  });

  it('customer-data-request: returns the shape of the data, never the values, anywhere', async () => {
    const { handle, workflowId } = await start('runbooks/customer-data-request.yaml', { customer_id: String(canaryId), ticket_url: `${far.url}/tickets` });
    const result = ok(await runApproving(handle, workflowId));
    const profile = result.outputs.profile as Record<string, unknown>;
    expect(profile.email).toBe('***@example.net');
    expect(profile.ssn).toBe('[REDACTED:national_id]');
    expect(String(profile.full_name)).toMatch(/^h:[0-9a-f]{16}$/);
    expect((result.outputs.payment_methods as Record<string, unknown>[])[0]?.card_number).toBe('***0003');

    const history = await historyText(handle);
    const spans = JSON.stringify(temporal.spans.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
    const ticket = far.requests.filter((r) => r.path === '/tickets').map((r) => r.body).join('\n');
    const logs = capturedLogs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const value of Object.values(CANARY)) {
      expect(history).not.toContain(value);
      expect(spans).not.toContain(value);
      expect(ticket).not.toContain(value);
      expect(logs).not.toContain(value);
    }
    // The search is real: the masked forms are there, in clear text.
    expect(history).toContain('***@example.net');
    expect(history).toContain('[REDACTED:national_id]');
  });

  it('masks laundering queries run ad hoc through `vigil sql run`', async () => {
    const run = (sql: string) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['bin/vigil.js', 'sql', 'run', '--connection', 'demo', '--json', sql], {
          env: { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), VIGIL_TASK_QUEUE: temporal.taskQueue, VIGIL_PRINCIPAL: 'alice' },
        });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out}`))));
      });
    const id = canaryId;
    const laundering = [
      `SELECT email AS contact FROM customers WHERE id = ${id}`,
      `SELECT upper(email) AS shout, id FROM customers WHERE id = ${id}`,
      `SELECT email::varchar(200) AS e FROM customers WHERE id = ${id}`,
      `SELECT row_to_json(c) AS doc FROM customers c WHERE id = ${id}`,
      `SELECT concat(full_name, ' <', email, '>') AS who FROM customers WHERE id = ${id}`,
      `SELECT s.x FROM (SELECT ssn AS x FROM customers WHERE id = ${id}) s`,
      `WITH c AS (SELECT phone FROM customers WHERE id = ${id}) SELECT * FROM c`,
      `SELECT * FROM customer_contacts WHERE id = ${id}`,
      `SELECT 'harmless' AS v UNION ALL SELECT email FROM customers WHERE id = ${id}`,
      `SELECT json_build_object('n', full_name, 'c', p.card_number) AS doc FROM customers c JOIN payment_methods p ON p.customer_id = c.id WHERE c.id = ${id}`,
    ];
    for (const sql of laundering) {
      const out = await run(sql);
      const result = JSON.parse(out) as { row_count: number; masked: string[]; decision: { effect: string } };
      expect(result.row_count, sql).toBeGreaterThan(0);
      expect(result.masked.length, sql).toBeGreaterThan(0);
      for (const value of Object.values(CANARY)) expect(out, `${sql} leaked ${value}`).not.toContain(value);
    }
  }, 120_000);

  it('leaves no canary in the history of any run of this file, ad-hoc ones included, nor in spans or logs', async () => {
    const histories: string[] = [];
    // Visibility is eventually consistent: the sql run workflows were just closed.
    for (let attempt = 0; attempt < 50; attempt++) {
      histories.length = 0;
      for await (const run of temporal.client.workflow.list({ query: `TaskQueue = '${temporal.taskQueue}'` })) {
        histories.push(await historyText(temporal.client.workflow.getHandle(run.workflowId, run.runId)));
      }
      if (histories.length >= 17) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // Six example runs, two kill-switch runs and ten laundering queries at least.
    expect(histories.length).toBeGreaterThanOrEqual(17);
    const everything = [...histories, JSON.stringify(temporal.spans.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events }))), capturedLogs.join('\n')].join('\n');
    for (const value of Object.values(CANARY)) expect(everything).not.toContain(value);
    // The search is real: the masked forms of the laundered columns are in the histories.
    expect(everything).toContain('***@example.net');
  });

  it('gave every governed statement of every example a span and an audit attempt, each with intent, action and outcome', async () => {
    const sqlSpans = temporal.spans.getFinishedSpans().filter((s) => s.name.startsWith(`${SPAN.SQL} `));
    const examples = ['replication-lag', 'stuck-payment-jobs', 'runaway-query', 'table-bloat', 'feature-flag-kill-switch', 'customer-data-request'];
    for (const name of examples) expect(sqlSpans.some((s) => s.attributes[ATTR.RUNBOOK] === name), name).toBe(true);
    for (const span of sqlSpans) {
      const a = span.attributes;
      expect(String(a[ATTR.INTENT] ?? '').length, span.name).toBeGreaterThan(10);
      expect(a[ATTR.PRINCIPAL_CHAIN], span.name).toMatch(/^(human|agent|service):/);
      expect(a[ATTR.DECISION], span.name).toMatch(/^(allow|require_approval|deny)$/);
      expect(a[ATTR.DB_QUERY_TEXT], span.name).toEqual(expect.any(String));
      expect(a[ATTR.OUTCOME], span.name).toMatch(/^(succeeded|failed|denied|rolled_back)$/);
    }
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const rows = await createAuditStore(pool).search({ kind: 'attempt', limit: 10_000 });
      const attempts = rows.filter((r): r is AttemptRow => r.kind === 'attempt');
      for (const name of examples) expect(attempts.some((r) => r.record.runbook === name), name).toBe(true);
      for (const row of attempts) {
        expect(row.record.intent.length, row.record.stepId).toBeGreaterThan(10);
        expect(row.record.decision.rules.length + (row.record.decision.summary ? 1 : 0)).toBeGreaterThan(0);
        expect(row.outcome?.record.status, `${row.record.runbook}/${row.record.stepId}`).toMatch(/^(succeeded|failed|rolled_back)$/);
      }
    } finally {
      await pool.end();
    }
  });

  it('left a complete, verifiable audit trail: who switched the flag off, who approved the cancellation', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const audit = createAuditStore(pool);
      const report = await audit.verify({ graceMs: 0 });
      expect(report.brokenAt).toBeUndefined();
      expect(report.outcomeUnknown).toEqual([]);
      const changes = await audit.search({ column: 'feature_flags.enabled' });
      const attempts = changes.filter((r) => r.kind === 'attempt').map((r) => r.record as AuditAction);
      expect(attempts.map((a) => [a.runbook, a.principal, a.intent])).toEqual([
        ['feature-flag-kill-switch', 'alice', 'Stop a misbehaving feature by switching its flag off.'],
        ['feature-flag-kill-switch', 'alice', 'Stop a misbehaving feature by switching its flag off.'],
      ]);
      const cancels = (await audit.search({ text: 'pg_cancel_backend' })).map((r) => r.record as AuditAction);
      expect(cancels[0]).toMatchObject({ decision: { effect: 'require_approval' }, approvals: [expect.objectContaining({ approver: 'bob', group: 'dba' })] });
      expect(cancels[0]?.traceId).toMatch(/^[0-9a-f]{32}$/);
      const audited = JSON.stringify(await audit.search({ limit: 10_000 }));
      for (const value of Object.values(CANARY)) expect(audited).not.toContain(value);
    } finally {
      await pool.end();
    }
  });
});
