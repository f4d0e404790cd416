/**
 * The Alertmanager webhook on real Temporal: a firing alert starts exactly one run per matching runbook, repeated,
 * retried and concurrent duplicate deliveries join it, a new firing starts a new run, a resolve signals the run
 * (closing its gate). Bad input, bad credentials and a source over its rate limit get a 4xx that says what is wrong,
 * and nothing starts. Payloads follow Alertmanager's documented version 4 format; test/e2e/alerting-pipeline.int.test.ts
 * has a real Prometheus and Alertmanager send them.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchRun } from '../../src/client/watch-run.js';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import { buildHookServer, settledRunCount, HOOK_TOKENS, terminateOpenRuns } from '../support/hook-server.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const GATED = `apiVersion: vigil/v1
kind: Runbook
metadata: { name: disk-gate }
spec:
  inputs:
    instance: { type: string, pattern: "^db-[0-9]+$" }
  triggers:
    - source: alertmanager
      match: { alertname: DiskFull, instance: "~db-.*" }
      severity: [critical]
      inputs:
        instance: "\${{ trigger.labels.instance }}"
  steps:
    - id: gate
      approval: { approvers: [{ group: dba }], message: "Clean up \${{ inputs.instance }}?" }
`;
// A second runbook on the same alert: one alert, two runbooks, two runs.
const NOTE = `apiVersion: vigil/v1
kind: Runbook
metadata: { name: disk-note }
spec:
  triggers:
    - source: alertmanager
      match: { alertname: DiskFull, team: storage }
  steps:
    - id: wait
      wait: 1h
`;
// Its mapping fails for every alert that lacks a `shard` label.
const SHARDED = `apiVersion: vigil/v1
kind: Runbook
metadata: { name: shard-rebalance }
spec:
  inputs:
    shard: { type: integer }
  triggers:
    - source: alertmanager
      match: { alertname: ShardHot }
      inputs:
        shard: "\${{ int(trigger.labels.shard) }}"
  steps:
    - id: wait
      wait: 1h
`;

let fingerprints = 0;
const alert = (overrides: Record<string, unknown> = {}, labels: Record<string, string> = {}) => ({
  status: 'firing',
  labels: { alertname: 'DiskFull', instance: 'db-1', severity: 'critical', ...labels },
  annotations: { summary: 'disk almost full' },
  startsAt: '2026-11-24T02:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus/graph',
  fingerprint: `a1b2c3d4${(fingerprints++).toString(16).padStart(8, '0')}`,
  ...overrides,
});
const payload = (alerts: unknown[], status = 'firing') => ({ version: '4', status, receiver: 'vigil', groupKey: '{}:{}', alerts });

describe('Alertmanager webhook', () => {
  let stack: TestStack;
  let app: FastifyInstance;

  beforeAll(async () => {
    stack = await startTestStack();
    app = buildHookServer(stack, [GATED, NOTE, SHARDED].map((text, i) => compileRunbookOrThrow(text, `r${i}.yaml`)));
  });

  afterAll(async () => {
    await app?.close();
    if (stack) await terminateOpenRuns(stack);
    await stack?.close();
  });

  const post = (body: unknown, token: string = HOOK_TOKENS.alertmanager, contentType = 'application/json', url = '/v1/hooks/alertmanager') =>
    app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, payload: typeof body === 'string' ? body : JSON.stringify(body) });

  it('starts exactly one run per firing alert, joins it on repeats, and starts a new one for a new firing', async () => {
    const disk = alert({ fingerprint: 'a1b2c3d4e5f60718' });
    const first = await post(payload([disk, alert({}, { alertname: 'Other' })]));
    expect(first.statusCode).toBe(202);
    expect(first.json().results).toEqual([
      expect.objectContaining({ alert: 'DiskFull', runbook: 'disk-gate', outcome: 'started' }),
      { alert: 'Other', status: 'firing', outcome: 'skipped', reason: 'no runbook matched' },
    ]);
    const workflowId = first.json().results[0].workflowId;
    const repeat = await post(payload([disk]));
    expect(repeat.json().results).toEqual([expect.objectContaining({ workflowId, outcome: 'joined' })]);
    const described = await stack.temporal.client.workflow.getHandle(workflowId).describe();
    expect(described.searchAttributes.VigilPrincipal).toEqual(['alertmanager']);

    const refire = await post(payload([{ ...disk, startsAt: '2026-11-24T03:00:00Z' }]));
    expect(refire.json().results[0]).toMatchObject({ outcome: 'started' });
    expect(refire.json().results[0].workflowId).not.toBe(workflowId);

    // Resolving closes the first run's gate: the step ends with that reason instead of waiting for a DBA.
    const resolved = await post(payload([{ ...disk, status: 'resolved', endsAt: '2026-11-24T02:30:00Z' }], 'resolved'));
    expect(resolved.json().results).toEqual([expect.objectContaining({ workflowId, outcome: 'signalled' })]);
    const outcome = await watchRun(stack.temporal.client.workflow.getHandle(workflowId) as never, () => undefined, 50);
    expect(outcome).toMatchObject({ ok: false, code: 'VIGIL_E_APPROVAL_CANCELLED', message: expect.stringContaining('alert that started this run resolved') });

    // Late: the run is over, the same alert arrives again. It is not started a second time.
    const late = await post(payload([disk]));
    expect(late.json().results).toEqual([expect.objectContaining({ workflowId, outcome: 'joined' })]);
    const lateResolve = await post(payload([{ ...disk, status: 'resolved' }], 'resolved'));
    expect(lateResolve.json().results).toEqual([expect.objectContaining({ outcome: 'skipped', reason: 'no running run for this alert' })]);
  });

  it('starts one run when the same delivery arrives many times at once', async () => {
    const body = payload([alert()]);
    const before = await settledRunCount(stack);
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(body)));
    const outcomes = answers.map((a) => a.json().results[0].outcome).sort();
    expect(outcomes).toEqual(['joined', 'joined', 'joined', 'joined', 'joined', 'joined', 'joined', 'started']);
    expect(await settledRunCount(stack)).toBe(before + 1);
  });

  it('starts one run per matching runbook for each alert of a group', async () => {
    const a = alert({}, { team: 'storage' });
    const b = alert({}, { team: 'storage', instance: 'db-2' });
    const res = await post(payload([a, b]));
    expect(res.statusCode).toBe(202);
    expect(res.json().results.map((r: { runbook: string; outcome: string }) => `${r.runbook}:${r.outcome}`)).toEqual(['disk-gate:started', 'disk-note:started', 'disk-gate:started', 'disk-note:started']);
    expect(new Set(res.json().results.map((r: { workflowId: string }) => r.workflowId)).size).toBe(4);
  });

  it('routes by regex and severity, and skips an alert whose labels do not match', async () => {
    const res = await post(payload([alert({}, { instance: 'web-1' }), alert({}, { severity: 'warning' })]));
    expect(res.statusCode).toBe(202);
    expect(res.json().results.map((r: { outcome: string }) => r.outcome)).toEqual(['skipped', 'skipped']);
  });

  it('answers 422 with the reason when every match fails its mapping, and 202 when another alert started', async () => {
    const before = await settledRunCount(stack);
    const failing = await post(payload([alert({}, { alertname: 'ShardHot' })]));
    expect(failing.statusCode).toBe(422);
    expect(failing.json()).toMatchObject({ error: 'VIGIL_E_HOOK_MAPPING', message: expect.stringContaining('shard-rebalance: input mapping failed'), results: [expect.objectContaining({ outcome: 'skipped' })] });
    const badInput = await post(payload([alert({}, { instance: 'db-1; DROP' })]));
    expect(badInput.statusCode).toBe(422);
    expect(badInput.json().results).toEqual([expect.objectContaining({ runbook: 'disk-gate', outcome: 'skipped', reason: expect.stringContaining('input "instance"') })]);
    expect(await settledRunCount(stack)).toBe(before);

    const mixed = await post(payload([alert({}, { alertname: 'ShardHot' }), alert()]));
    expect(mixed.statusCode).toBe(202);
    expect(mixed.json().results.map((r: { outcome: string }) => r.outcome)).toEqual(['skipped', 'started']);
  });

  it('limits each source on its own, after authentication, with 429', async () => {
    const deploy = (token: string = HOOK_TOKENS.deploys) => post({ service: 'api', version: '1.2.3' }, token, 'application/json', '/v1/hooks/generic/deploys');
    expect((await deploy('forged')).statusCode).toBe(401);
    for (let i = 0; i < 5; i++) expect((await deploy()).statusCode).toBe(202);
    const limited = await deploy();
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: 'VIGIL_E_RATE_LIMITED', message: expect.stringContaining('at most 5') });
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await post(payload([alert({}, { alertname: 'Unrouted' })]))).statusCode).toBe(202);
  });

  it.each([
    ['no token', () => app.inject({ method: 'POST', url: '/v1/hooks/alertmanager', payload: payload([alert()]) }), 401, 'VIGIL_E_HOOK_UNAUTHENTICATED', /Bearer <token> header/],
    ['a wrong token', () => post(payload([alert()]), 'nope'), 401, 'VIGIL_E_HOOK_UNAUTHENTICATED', /not this source's token/],
    ["a person's API token", () => post(payload([alert()]), HOOK_TOKENS.bob), 401, 'VIGIL_E_HOOK_UNAUTHENTICATED', /not this source's token/],
    ["another source's token", () => post(payload([alert()]), HOOK_TOKENS.deploys), 401, 'VIGIL_E_HOOK_UNAUTHENTICATED', /not this source's token/],
    ['a source nobody configured', () => post({}, HOOK_TOKENS.alertmanager, 'application/json', '/v1/hooks/generic/nagios'), 404, 'VIGIL_E_HOOK_UNKNOWN_SOURCE', /"generic:nagios"/],
    ['malformed JSON', () => post('{"version": "4", '), 400, 'VIGIL_E_HOOK_PAYLOAD', /not valid JSON: .*JSON/],
    ['an empty body', () => post(''), 400, 'VIGIL_E_HOOK_PAYLOAD', /empty/],
    ['a wrong content type', () => post('version=4', HOOK_TOKENS.alertmanager, 'application/x-www-form-urlencoded'), 415, 'VIGIL_E_HOOK_PAYLOAD', /Unsupported Media Type application\/x-www-form-urlencoded/],
    ['an unknown field', () => post({ ...payload([alert()]), extra: 1 }), 400, 'VIGIL_E_HOOK_PAYLOAD', /must NOT have additional properties \("extra"\)/],
    ['an unknown alert field', () => post(payload([{ ...alert(), severity: 'x' }])), 400, 'VIGIL_E_HOOK_PAYLOAD', /\/alerts\/0 must NOT have additional properties \("severity"\)/],
    ['a wrong version', () => post({ ...payload([alert()]), version: '3' }), 400, 'VIGIL_E_HOOK_PAYLOAD', /\/version must be equal to constant \("4"\)/],
    ['a label that is not a string', () => post(payload([alert({ labels: { alertname: 'DiskFull', instance: 7 } })])), 400, 'VIGIL_E_HOOK_PAYLOAD', /\/alerts\/0\/labels\/instance must be string/],
    ['a prototype-poisoning key', () => post('{"version":"4","status":"firing","alerts":[],"__proto__":{"x":1}}'), 400, 'VIGIL_E_HOOK_PAYLOAD', /__proto__/],
    ['an oversized body', () => post(payload(Array.from({ length: 900 }, (_, i) => alert({ fingerprint: i.toString(16), annotations: { summary: 'x'.repeat(1200) } })))), 413, 'VIGIL_E_HOOK_PAYLOAD', /too large: .* 1024 KiB/],
  ])('answers %s with a 4xx that says what is wrong, and starts nothing', async (_name, send, status, code, message) => {
    const before = await settledRunCount(stack);
    const res = await send();
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error: code, message: expect.stringMatching(message) });
    expect(await settledRunCount(stack)).toBe(before);
  });

  it('keeps the API closed to webhook tokens, and open to its own', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${HOOK_TOKENS.alertmanager}` } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${HOOK_TOKENS.bob}` } })).json()).toMatchObject({ id: 'bob' });
  });
});
