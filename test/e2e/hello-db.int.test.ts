/**
 * The walking skeleton end to end: runbooks/hello-db.yaml compiled, started through the client,
 * executed by a Worker on the real Temporal dev server against real PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AttemptInput as AuditAction } from '../../src/audit/types.js';
import { createAuditStore } from '../../src/audit/audit-store.js';
import { startRun } from '../../src/client/start-run.js';
import { watchRun, type StepEvent } from '../../src/client/watch-run.js';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import type { Principal } from '../../src/shared/principal.js';
import type { TestDatabase } from '../support/database.js';
import { historyText, recordHistory } from '../support/histories.js';
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

  it('binds a sensitive input, sealed all the way through Temporal, and records and shows it only as redacted', async () => {
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
        '      sql:',
        '        connection: demo',
        '        query: "SELECT length($1::text) AS n, $2::int AS doubled"',
        '        params: ["${{ inputs.passphrase }}", "${{ inputs.passphrase.size() * 2 }}"]',
        '',
      ].join('\n'),
      'inline.yaml',
    );
    expect(plan.steps[0]).toMatchObject({ kind: 'sql', sensitiveParams: [0, 1] });
    const start = { plan, inputs: { passphrase: secret }, principal: alice, trigger: { source: 'test' }, taskQueue: temporal.taskQueue };
    await expect(startRun(temporal.client, start)).rejects.toMatchObject({ code: 'VIGIL_E_SEAL_KEY' });
    const { handle } = await startRun(temporal.client, { ...start, sealer: stack.sealer });
    const outcome = await watchRun(handle, () => undefined, 50);
    if (!outcome.ok) throw new Error(outcome.message);
    // The activity opened the value and bound it: PostgreSQL measured the real passphrase.
    const history = await historyText(handle);
    expect(history).toContain('vigil_sealed');
    expect(history).not.toContain(secret);
    expect(history).toContain(`"n":${secret.length}`);
    expect(history).toContain(`"doubled":${secret.length * 2}`);

    const span = temporal.spans.getFinishedSpans().find((s) => s.name === 'vigil.sql measure');
    expect(span?.attributes['vigil.statement.params']).toBe('["[REDACTED:sensitive input]","[REDACTED:sensitive input]"]');
    expect(JSON.stringify(temporal.spans.getFinishedSpans().map((s) => s.attributes))).not.toContain(secret);
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const rows = await createAuditStore(pool).search({ runbook: 'sensitive-input' });
      const attempt = rows.find((r) => r.kind === 'attempt')?.record as AuditAction | undefined;
      expect(attempt?.params).toEqual(['[REDACTED:sensitive input]', '[REDACTED:sensitive input]']);
      expect(JSON.stringify(rows)).not.toContain(secret);
    } finally {
      await pool.end();
    }
  });

  it('seals a sensitive input given to `vigil run`, with the key file VIGIL_SEAL_KEY names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-run-sensitive-'));
    const file = join(dir, 'token-length.yaml');
    const secret = 'cli-secret-words-nobody-should-see';
    writeFileSync(
      file,
      ['apiVersion: vigil/v1', 'kind: Runbook', 'metadata: { name: token-length }', 'spec:', '  inputs:', '    token: { type: string, sensitive: true }', '  steps:',
        '    - id: measure', '      intent: Measure a token without recording it.', '      sql: { connection: demo, query: "SELECT length($1::text) AS n", params: ["${{ inputs.token }}"] }', ''].join('\n'),
    );
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/vigil.js', 'run', file, '--input', `token=${secret}`, '--wait'], {
        env: { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), VIGIL_TASK_QUEUE: temporal.taskQueue, VIGIL_PRINCIPAL: 'alice', VIGIL_SEAL_KEY: stack.sealKeyFile },
      });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${text}`))));
    });
    expect(out).toMatch(/✓ measure +1 row \(SELECT\)/);
    expect(out).not.toContain(secret);
    const workflowId = /Started (\S+)/.exec(out)?.[1] ?? '';
    const history = await historyText(temporal.client.workflow.getHandle(workflowId));
    expect(history).toContain(`"n":${secret.length}`);
    expect(history).not.toContain(secret);
  });

  it('refuses a run whose sensitive input reached Temporal unsealed, around Vigil\'s client', async () => {
    const plan = compileRunbookOrThrow(
      ['apiVersion: vigil/v1', 'kind: Runbook', 'metadata: { name: unsealed }', 'spec:', '  inputs:', '    token: { type: string, sensitive: true }', '  steps:', '    - id: w', '      wait: 1ms', ''].join('\n'),
      'inline.yaml',
    );
    const handle = await temporal.client.workflow.start('runbookWorkflow', {
      taskQueue: temporal.taskQueue,
      workflowId: `vigil-unsealed-${Date.now()}`,
      args: [{ plan, inputs: { token: 'in-the-clear' }, principal: alice, trigger: { source: 'test' } }],
    });
    const outcome = await watchRun(handle as never, () => undefined, 50);
    expect(outcome).toMatchObject({ ok: false, code: 'VIGIL_E_SEALED_INPUT', message: expect.stringContaining('input "token" is sensitive and arrived unsealed') });
  });
});
