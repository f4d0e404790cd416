/**
 * The walking skeleton end to end: runbooks/hello-db.yaml compiled, started through the client,
 * executed by a Worker on the real Temporal dev server against real PostgreSQL.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptInput as AuditAction } from '../../src/audit/types.js';
import { createAuditStore } from '../../src/audit/audit-store.js';
import { startRun } from '../../src/client/start-run.js';
import { watchRun, type StepEvent } from '../../src/client/watch-run.js';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import type { Principal } from '../../src/shared/principal.js';
import type { TestDatabase } from '../support/database.js';
import { recordHistory } from '../support/histories.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import type { TemporalHarness } from '../support/temporal.js';

const alice: Principal = { id: 'alice', kind: 'human', groups: ['sre'] };

describe('hello-db end to end', () => {
  let stack: TestStack;
  let db: TestDatabase;
  let temporal: TemporalHarness;

  beforeAll(async () => {
    stack = await startTestStack();
    ({ db, temporal } = stack);
  });

  afterAll(() => stack?.close());

  it('runs the read with a bound parameter and returns what the database holds', async () => {
    const plan = compileRunbookOrThrow(readFileSync('runbooks/hello-db.yaml', 'utf8'), 'runbooks/hello-db.yaml');
    const { handle, started } = await startRun(temporal.client, {
      plan,
      inputs: { customer_id: '3' },
      principal: alice,
      trigger: { source: 'test' },
      taskQueue: temporal.taskQueue,
    });
    expect(started).toBe(true);
    const events: StepEvent[] = [];
    const outcome = await watchRun(handle, (e) => events.push(e), 50);
    if (!outcome.ok) throw new Error(`run failed: ${outcome.code} ${outcome.message}`);

    const expected = await new pg.Client({ connectionString: db.url });
    await expected.connect();
    const { rows } = await expected.query(`SELECT id FROM orders WHERE customer_id = 3 AND status <> 'delivered' ORDER BY created_at`);
    await expected.end();

    expect(rows.length).toBeGreaterThan(0);
    expect(outcome.result.outputs.open_orders).toBe(rows.length);
    const step = outcome.result.steps.find((s) => s.id === 'open_orders');
    expect(step?.state).toBe('succeeded');
    expect(events.map((e) => `${e.type}:${e.step.id}`)).toEqual(['started:open_orders', 'ended:open_orders']);
    await recordHistory(handle, 'hello-db');

    // One trace: the client's start, the workflow, the step span, and the activities inside it.
    const spans = temporal.spans.getFinishedSpans();
    const stepSpan = spans.find((s) => s.name === 'vigil.step open_orders');
    expect(stepSpan?.attributes).toMatchObject({
      'vigil.runbook.name': 'hello-db',
      'vigil.step.kind': 'sql',
      'vigil.intent': 'Show support which orders of this customer are still open, to answer a ticket.',
      'vigil.principal.chain': 'human:alice',
      'vigil.outcome.status': 'succeeded',
    });
    // The statement's own span carries the action and the outcome.
    const sqlSpan = spans.find((s) => s.name === 'vigil.sql open_orders');
    expect(sqlSpan?.attributes).toMatchObject({
      'vigil.principal.chain': 'human:alice',
      'vigil.db.connection': 'demo',
      'vigil.environment': 'development',
      'vigil.statement.class': 'read',
      'vigil.statement.tables_read': ['orders'],
      'vigil.statement.params': '[3]',
      'vigil.decision.effect': 'allow',
      'vigil.outcome.status': 'succeeded',
      'vigil.outcome.rows': rows.length,
      'db.system': 'postgresql',
      'db.query.text': expect.stringContaining('WHERE o.customer_id = $1'),
    });
    const traceId = stepSpan?.spanContext().traceId;
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId).map((s) => s.name);
    expect(inTrace).toEqual(expect.arrayContaining(['StartWorkflow:runbookWorkflow', 'RunWorkflow:runbookWorkflow', 'RunActivity:executeGovernedSql', 'vigil.sql open_orders']));
  });

  it('refuses to start a run whose input has the wrong type, naming the input', async () => {
    const plan = compileRunbookOrThrow(readFileSync('runbooks/hello-db.yaml', 'utf8'), 'runbooks/hello-db.yaml');
    await expect(
      startRun(temporal.client, { plan, inputs: { customer_id: 'three' }, principal: alice, trigger: { source: 'test' }, taskQueue: temporal.taskQueue }),
    ).rejects.toThrow(/input "customer_id" must be a integer/);
  });

  it('binds a sensitive input but records and shows it only as redacted, in the audit and the spans', async () => {
    const secret = 'plain-words-no-detector-would-flag';
    const plan = compileRunbookOrThrow(
      [
        'apiVersion: vigil/v1',
        'kind: Runbook',
        'metadata: { name: sensitive-input }',
        'spec:',
        '  inputs:',
        '    passphrase: { type: string, sensitive: true }',
        '  steps:',
        '    - id: measure',
        '      intent: Check the length of a passphrase without ever recording it.',
        '      sql: { connection: demo, query: "SELECT length($1::text) AS n", params: ["${{ inputs.passphrase }}"] }',
        '',
      ].join('\n'),
      'inline.yaml',
    );
    expect(plan.steps[0]).toMatchObject({ kind: 'sql', sensitiveParams: [0] });
    const { handle } = await startRun(temporal.client, { plan, inputs: { passphrase: secret }, principal: alice, trigger: { source: 'test' }, taskQueue: temporal.taskQueue });
    const outcome = await watchRun(handle, () => undefined, 50);
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.result.steps[0]?.summary).toMatch(/^1 rows? \(SELECT\)/);

    const span = temporal.spans.getFinishedSpans().find((s) => s.name === 'vigil.sql measure');
    expect(span?.attributes['vigil.statement.params']).toBe('["[REDACTED:sensitive input]"]');
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const rows = await createAuditStore(pool).search({ runbook: 'sensitive-input' });
      const attempt = rows.find((r) => r.kind === 'attempt')?.record as AuditAction | undefined;
      expect(attempt?.params).toEqual(['[REDACTED:sensitive input]']);
      expect(JSON.stringify(rows)).not.toContain(secret);
    } finally {
      await pool.end();
    }
  });
});
