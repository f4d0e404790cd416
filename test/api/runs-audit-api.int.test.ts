/**
 * The JSON API the web UI renders from, on real Temporal and PostgreSQL: GET /v1/runs (filtered), GET /v1/runs/:run
 * (timeline with masked outputs, gates and the trace id), GET /v1/runs/:run/gates/:gate for closed gates, GET
 * /v1/audit with the CLI's filters, GET /v1/audit/export as a signed bundle that verifies. All of it needs a token;
 * errors are `{ error, message }` with a registry code.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { extract } from 'tar';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApprovalService } from '../../src/api/approval-service.js';
import { createAuditService } from '../../src/api/audit-service.js';
import { readRunHistory } from '../../src/api/run-history.js';
import { createRunService } from '../../src/api/run-service.js';
import { buildServer } from '../../src/api/server.js';
import { loadApprovalKeys } from '../../src/approvals/key-files.js';
import { verifyEvidenceBundle } from '../../src/audit/evidence-verify.js';
import { startRun } from '../../src/client/start-run.js';
import { watchRun } from '../../src/client/watch-run.js';
import { startServer } from '../../src/cli/commands/serve.js';
import { loadIdentitiesFile } from '../../src/governance/identity.js';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const identities = loadIdentitiesFile('identities/dev.yaml');
const SLEEPY = `apiVersion: vigil/v1\nkind: Runbook\nmetadata: { name: sleepy-orders }\nspec:\n  steps:
    - id: look
      intent: Count the orders after a short, approved nap.
      sql: { connection: demo, query: "SELECT count(*) AS orders, pg_sleep(0) IS NULL AS slept FROM orders" }
    - id: customers
      intent: Read a customer, masked.
      sql: { connection: demo, query: "SELECT id, email FROM customers WHERE id = 1" }
`;

describe('runs and audit API', () => {
  let stack: TestStack;
  let app: FastifyInstance;
  let pool: pg.Pool;
  let workflowId: string;
  const as = (id: string) => ({ authorization: `Bearer dev-${id}` });

  beforeAll(async () => {
    stack = await startTestStack();
    pool = new pg.Pool({ connectionString: stack.db.url, max: 2 });
    const client = stack.temporal.client;
    const audit = createAuditService({ pool, signingKey: generateKeyPairSync('ed25519').privateKey });
    app = buildServer({
      identities,
      approvals: createApprovalService({ client, privateKey: loadApprovalKeys(stack.key.file, false).privateKey }),
      runs: createRunService({
        client,
        namespace: 'default',
        temporalUiUrl: 'http://temporal.example:8233/',
        traceUrlTemplate: 'http://jaeger.example/trace/{traceId}',
        auditedTraceId: (id) => audit.traceIdOfRun(id),
      }),
      audit,
    });
    const started = await startRun(client, { plan: compileRunbookOrThrow(SLEEPY, 'sleepy.yaml'), inputs: {}, principal: identities.principal('alice')!, trigger: { source: 'cli' }, taskQueue: stack.temporal.taskQueue });
    workflowId = started.workflowId;
    for (let i = 0; i < 200; i++) {
      const res = await app.inject({ method: 'GET', url: '/v1/approvals', headers: as('bob') });
      if (res.json().approvals.some((g: { workflowId: string }) => g.workflowId === workflowId)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const decided = await app.inject({ method: 'POST', url: `/v1/runs/${workflowId}/approve`, headers: as('bob'), payload: { comment: 'a nap is fine' } });
    expect(decided.json().status).toBe('quorum_reached');
    expect((await watchRun(started.handle, () => undefined, 50)).ok).toBe(true);
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await stack?.close();
  });

  it('needs a token for every route the UI renders from', async () => {
    for (const url of ['/v1/runs', `/v1/runs/${workflowId}`, '/v1/audit', '/v1/audit/export']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('VIGIL_E_UNAUTHENTICATED');
    }
  });

  it('lists runs with status, trigger and principal, and filters them', async () => {
    const all = (await app.inject({ method: 'GET', url: '/v1/runs', headers: as('dave') })).json().runs;
    expect(all).toContainEqual(expect.objectContaining({ workflowId, runbook: 'sleepy-orders', status: 'completed', trigger: 'cli', principal: 'alice' }));
    const failed = (await app.inject({ method: 'GET', url: '/v1/runs?status=failed', headers: as('dave') })).json().runs;
    expect(failed.map((r: { workflowId: string }) => r.workflowId)).not.toContain(workflowId);
    const byRunbook = (await app.inject({ method: 'GET', url: '/v1/runs?runbook=sleepy-orders&principal=alice', headers: as('dave') })).json().runs;
    expect(byRunbook.map((r: { workflowId: string }) => r.workflowId)).toEqual([workflowId]);
    const bad = await app.inject({ method: 'GET', url: `/v1/runs?runbook=${encodeURIComponent("x' OR 1=1")}`, headers: as('dave') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'VIGIL_E_BAD_REQUEST', message: expect.stringContaining('is not a name') });
  });

  it('gives the timeline: steps with timing and decision, masked outputs, gates with who decided, the trace and the Temporal UI', async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/runs/${workflowId}`, headers: as('erin') });
    expect(res.statusCode).toBe(200);
    const run = res.json();
    expect(run).toMatchObject({ workflowId, runbook: 'sleepy-orders', status: 'completed', principalChain: 'human:alice', trigger: 'cli' });
    expect(run.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(run.traceUrl).toBe(`http://jaeger.example/trace/${run.traceId}`);
    expect(run.temporalUrl).toBe(`http://temporal.example:8233/namespaces/default/workflows/${workflowId}/${run.runId}`);
    expect(run.steps.map((s: { id: string; state: string }) => [s.id, s.state])).toEqual([['look', 'succeeded'], ['customers', 'succeeded']]);
    expect(run.steps[0].decision).toMatch(/^requires approval by dba/);
    expect(run.steps[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(run.steps[0].output).toMatchObject({ columns: ['orders', 'slept'], rowCount: 1 });
    const email = (await pool.query<{ email: string }>('SELECT email FROM customers WHERE id = 1')).rows[0]?.email;
    expect(run.steps[1].output.rows).toHaveLength(1);
    expect(JSON.stringify(run)).not.toContain(email);
    expect(run.gates).toEqual([expect.objectContaining({ gateId: 'look', state: 'approved', decisions: [expect.objectContaining({ approver: 'bob', group: 'dba', comment: 'a nap is fine' })] })]);
    expect(run.unavailable).toBeUndefined();

    const missing = await app.inject({ method: 'GET', url: '/v1/runs/no-such-run', headers: as('erin') });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'VIGIL_E_RUN_NOT_FOUND', message: 'no run no-such-run' });
  });

  it('finds the trace of a run started without client tracing through its audited statements', async () => {
    // As `vigil run` and the webhooks start runs: a plain client, so the history carries no trace context.
    const plain = new Client({ connection: stack.temporal.client.connection, namespace: 'default' });
    const plan = compileRunbookOrThrow(`apiVersion: vigil/v1\nkind: Runbook\nmetadata: { name: untraced }\nspec:\n  steps:\n    - id: read\n      intent: Count orders.\n      sql: { connection: demo, query: "SELECT count(*) FROM orders" }\n`, 'untraced.yaml');
    const started = await startRun(plain, { plan, inputs: {}, principal: identities.principal('alice')!, trigger: { source: 'cli' }, taskQueue: stack.temporal.taskQueue });
    expect((await watchRun(started.handle, () => undefined, 50)).ok).toBe(true);
    const audited = (await pool.query<{ t: string }>("SELECT record->>'traceId' AS t FROM vigil_audit WHERE workflow_id = $1 AND kind = 'attempt'", [started.workflowId])).rows[0]?.t;
    expect(audited).toMatch(/^[0-9a-f]{32}$/);
    expect(readRunHistory(await started.handle.fetchHistory()).traceId).toBeUndefined();
    const run = (await app.inject({ method: 'GET', url: `/v1/runs/${started.workflowId}`, headers: as('erin') })).json();
    expect(run.traceId).toBe(audited);
  });

  it('shows a closed gate with how it closed, and refuses a decision on it saying why', async () => {
    const gate = await app.inject({ method: 'GET', url: `/v1/runs/${workflowId}/gates/look`, headers: as('carol') });
    expect(gate.json()).toMatchObject({ state: 'approved', eligible: false, ineligibleReason: 'it is already approved (quorum reached)', progress: [{ group: 'dba', count: 1, have: 1 }] });
    const late = await app.inject({ method: 'POST', url: `/v1/runs/${workflowId}/gates/look/approve`, headers: as('carol'), payload: {} });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toEqual({ error: 'VIGIL_E_APPROVAL_REFUSED', message: "you can't decide this gate: it is already approved (quorum reached)" });
  });

  it('searches the audit with the CLI filters', async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/audit?run=${workflowId}&kind=attempt`, headers: as('erin') });
    const records = res.json().records;
    expect(records.map((r: { record: { stepId: string } }) => r.record.stepId).sort()).toEqual(['customers', 'look']);
    const look = records.find((r: { record: { stepId: string } }) => r.record.stepId === 'look');
    expect(look.record.approvals).toEqual([expect.objectContaining({ approver: 'bob', group: 'dba' })]);
    expect(look.outcome.record.status).toBe('succeeded');
    const byApprover = (await app.inject({ method: 'GET', url: '/v1/audit?principal=bob', headers: as('erin') })).json().records;
    expect(byApprover.some((r: { record: { workflowId: string } }) => r.record.workflowId === workflowId)).toBe(true);
    const bad = await app.inject({ method: 'GET', url: '/v1/audit?column=nodot', headers: as('erin') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('VIGIL_E_USAGE');
  });

  it('exports the evidence of a time range as a .tar.gz holding a bundle that verifies', async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/audit/export?from=2020-01-01&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, headers: as('erin') });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    const name = /filename="(vigil-evidence-20200101T000000Z-\d{8}T\d{6}Z)\.tar\.gz"/.exec(String(res.headers['content-disposition']))?.[1];
    expect(name).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'vigil-export-api-'));
    writeFileSync(join(dir, 'bundle.tar.gz'), res.rawPayload);
    await extract({ file: join(dir, 'bundle.tar.gz'), cwd: dir });
    const report = await verifyEvidenceBundle(join(dir, name as string));
    expect(report.ok).toBe(true);

    const badRange = await app.inject({ method: 'GET', url: '/v1/audit/export?from=yesterday', headers: as('erin') });
    expect(badRange.statusCode).toBe(400);
  });

  it('is wired by `vigil serve` from its environment: audit pool, run service, web UI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-serve-'));
    writeFileSync(join(dir, 'audit.pem'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const server = await startServer({
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      VIGIL_LISTEN: '127.0.0.1:0',
      VIGIL_DATABASE_URL: stack.db.url,
      VIGIL_APPROVAL_KEY: stack.key.file,
      VIGIL_AUDIT_SIGNING_KEY: join(dir, 'audit.pem'),
    });
    try {
      const get = (path: string, token?: string) => fetch(`${server.url}${path}`, { redirect: 'manual', headers: token ? { authorization: `Bearer ${token}` } : {} });
      const audit = await (await get(`/v1/audit?run=${workflowId}`, 'dev-erin')).json();
      expect(audit.records.length).toBeGreaterThan(0);
      const runs = await (await get('/v1/runs?runbook=sleepy-orders', 'dev-erin')).json();
      expect(runs.runs.map((r: { workflowId: string }) => r.workflowId)).toContain(workflowId);
      const home = await get('/');
      expect(home.status).toBe(303);
      expect((await get('/approvals')).headers.get('location')).toBe('/signin?next=%2Fapprovals');
      const signIn = await get('/signin');
      expect(signIn.status).toBe(200);
      expect(await signIn.text()).toContain('<label for="token">Vigil token</label>');
    } finally {
      await server.close();
    }
  });

  it('says the audit is unavailable when the server has no audit database', async () => {
    const bare = buildServer({ identities, approvals: createApprovalService({ client: stack.temporal.client, privateKey: generateKeyPairSync('ed25519').privateKey }) });
    const res = await bare.inject({ method: 'GET', url: '/v1/audit', headers: as('erin') });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toBe('VIGIL_E_AUDIT_UNAVAILABLE');
    expect((await bare.inject({ method: 'GET', url: '/v1/nothing-here', headers: as('erin') })).json().error).toBe('VIGIL_E_NOT_FOUND');
    await bare.close();
  });
});
