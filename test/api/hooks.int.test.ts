/**
 * The Alertmanager webhook on real Temporal: a firing alert starts exactly one run per matching runbook, a repeated
 * delivery joins it, a new firing starts a new run, a resolve signals the run (closing its gate), and bad input gets
 * a 4xx that says what is wrong while nothing starts. Payloads follow Alertmanager's documented version 4 format.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprovalService } from '../../src/api/approval-service.js';
import { buildServer } from '../../src/api/server.js';
import { loadApprovalKeys } from '../../src/approvals/key-files.js';
import { watchRun } from '../../src/client/watch-run.js';
import { loadIdentitiesFile } from '../../src/governance/identity.js';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import type { TemporalHarness } from '../support/temporal.js';

const identities = loadIdentitiesFile('identities/dev.yaml');
const GATED = `apiVersion: vigil/v1
kind: Runbook
metadata: { name: disk-gate }
spec:
  inputs:
    instance: { type: string }
  triggers:
    - source: alertmanager
      match: { alertname: DiskFull, instance: "~db-[0-9]+" }
      severity: [critical]
      inputs:
        instance: "\${{ trigger.labels.instance }}"
  steps:
    - id: gate
      approval: { approvers: [{ group: dba }], message: "Clean up \${{ inputs.instance }}?" }
`;

const alert = (overrides: Record<string, unknown> = {}, labels: Record<string, string> = {}) => ({
  status: 'firing',
  labels: { alertname: 'DiskFull', instance: 'db-1', severity: 'critical', ...labels },
  annotations: { summary: 'disk almost full' },
  startsAt: '2026-11-24T02:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus/graph',
  fingerprint: 'a1b2c3d4e5f60718',
  ...overrides,
});
const payload = (alerts: unknown[], status = 'firing') => ({ version: '4', status, receiver: 'vigil', groupKey: '{}:{}', alerts });

describe('Alertmanager webhook', () => {
  let stack: TestStack;
  let temporal: TemporalHarness;
  let app: FastifyInstance;

  beforeAll(async () => {
    stack = await startTestStack();
    temporal = stack.temporal;
    const approvals = createApprovalService({ client: temporal.client, privateKey: loadApprovalKeys(stack.key.file, false).privateKey, groupsOf: (id) => identities.groupsOf(id) });
    app = buildServer({ identities, approvals, hooks: { client: temporal.client, taskQueue: temporal.taskQueue, plans: [compileRunbookOrThrow(GATED, 'disk-gate.yaml')] } });
  });

  afterAll(async () => {
    await app?.close();
    await stack?.close();
  });

  const post = (body: unknown, token = 'dev-alertmanager', contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/v1/hooks/alertmanager', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, payload: typeof body === 'string' ? body : JSON.stringify(body) });

  it('starts exactly one run per firing alert, joins it on repeats, and starts a new one for a new firing', async () => {
    const first = await post(payload([alert(), alert({ fingerprint: 'ffff0000ffff0000' }, { alertname: 'Other' })]));
    expect(first.statusCode).toBe(202);
    expect(first.json().results).toEqual([
      expect.objectContaining({ alert: 'DiskFull', runbook: 'disk-gate', outcome: 'started' }),
      { alert: 'Other', status: 'firing', outcome: 'skipped', reason: 'no runbook matched' },
    ]);
    const workflowId = first.json().results[0].workflowId;
    const repeat = await post(payload([alert()]));
    expect(repeat.json().results).toEqual([expect.objectContaining({ workflowId, outcome: 'joined' })]);
    const described = await temporal.client.workflow.getHandle(workflowId).describe();
    expect(described.searchAttributes.VigilPrincipal).toEqual(['alertmanager']);

    const refire = await post(payload([alert({ startsAt: '2026-11-24T03:00:00Z' })]));
    expect(refire.json().results[0]).toMatchObject({ outcome: 'started' });
    expect(refire.json().results[0].workflowId).not.toBe(workflowId);

    // Resolving closes the first run's gate: the step ends with that reason instead of waiting for a DBA.
    const resolved = await post(payload([alert({ status: 'resolved', endsAt: '2026-11-24T02:30:00Z' })], 'resolved'));
    expect(resolved.json().results).toEqual([expect.objectContaining({ workflowId, outcome: 'signalled' })]);
    const outcome = await watchRun(temporal.client.workflow.getHandle(workflowId) as never, () => undefined, 50);
    expect(outcome).toMatchObject({ ok: false, code: 'VIGIL_E_APPROVAL_CANCELLED', message: expect.stringContaining('alert that started this run resolved') });
  });

  it('routes by regex and severity, and skips an alert whose labels do not match', async () => {
    const res = await post(payload([alert({ fingerprint: 'abababab' }, { instance: 'web-1' }), alert({ fingerprint: 'cdcdcdcd' }, { severity: 'warning' })]));
    expect(res.json().results.map((r: { outcome: string }) => r.outcome)).toEqual(['skipped', 'skipped']);
  });

  it.each([
    ['no token', () => app.inject({ method: 'POST', url: '/v1/hooks/alertmanager', payload: payload([alert()]) }), 401, /bearer token/],
    ['a wrong token', () => post(payload([alert()]), 'nope'), 401, /bearer token/],
    ["a person's token", () => post(payload([alert()]), 'dev-bob'), 403, /not the alertmanager service/],
    ['malformed JSON', () => post('{"version": "4", '), 400, /JSON/i],
    ['a wrong content type', () => post('version=4', 'dev-alertmanager', 'application/x-www-form-urlencoded'), 415, /Unsupported Media Type/i],
    ['an unknown field', () => post({ ...payload([alert()]), extra: 1 }), 400, /additional properties/],
    ['a wrong version', () => post({ ...payload([alert()]), version: '3' }), 400, /version/],
    ['an oversized body', () => post(payload(Array.from({ length: 900 }, (_, i) => alert({ fingerprint: i.toString(16), annotations: { summary: 'x'.repeat(400) } })))), 413, /too large/i],
  ])('answers %s with a 4xx that says what is wrong, and starts nothing', async (_name, send, status, message) => {
    const before = await countRuns();
    const res = await send();
    expect(res.statusCode).toBe(status);
    expect(JSON.stringify(res.json())).toMatch(message);
    expect(await countRuns()).toBe(before);
  });

  async function countRuns(): Promise<number> {
    let n = 0;
    for await (const _run of temporal.client.workflow.list({ query: `TaskQueue = '${temporal.taskQueue}'` })) n++;
    return n;
  }
});
