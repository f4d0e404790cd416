/**
 * Fuzzing the webhooks through inject() against real Temporal: thousands of mutated deliveries (structural edits of
 * valid payloads, byte edits of their JSON, arbitrary JSON, broken credentials, odd content types) to every endpoint.
 * Whatever arrives: never a 5xx, every refusal is a registered `{ error, message }`, and no run exists in Temporal
 * that the answers did not report as started (so a refused delivery started nothing, and no delivery started more
 * than it said).
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import { ERROR_CODES } from '../../src/shared/error-codes.js';
import { buildHookServer, countRuns, HOOK_SECRETS, HOOK_TOKENS, terminateOpenRuns } from '../support/hook-server.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { genericSignature, grafanaSignature, pagerdutySignature } from '../support/webhook-signing.js';
import { grafanaAlert, grafanaPayload, pagerdutyEvent, pagerdutyIncident } from '../support/webhook-payloads.js';

const NOW = Date.parse('2026-11-24T02:20:00Z');
const SECONDS = NOW / 1000;

const runbook = (name: string, trigger: string) => compileRunbookOrThrow(`apiVersion: vigil/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  inputs:
    target: { type: string, pattern: "^[a-z0-9-]{1,40}$" }
  triggers:
${trigger}
  steps:
    - id: pause
      wait: 1s
`, `${name}.yaml`);

const PLANS = [
  runbook('fuzz-am', `    - source: alertmanager
      match: { alertname: "~Disk.*" }
      inputs: { target: "\${{ trigger.labels.instance }}" }`),
  runbook('fuzz-grafana', `    - source: grafana
      match: { alertname: LongRunningQuery }
      inputs: { target: "\${{ trigger.labels.instance }}" }`),
  runbook('fuzz-pd', `    - source: pagerduty
      inputs: { target: "\${{ trigger.labels.service }}" }`),
  runbook('fuzz-generic', `    - source: generic:feature-errors
      key: "\${{ trigger.flag + '@' + string(trigger.window) }}"
      resolved: "trigger.state == 'ok'"
      inputs: { target: "\${{ trigger.flag }}" }`),
];

type Source = 'alertmanager' | 'grafana' | 'pagerduty' | 'feature-errors';
const SOURCES: Source[] = ['alertmanager', 'grafana', 'pagerduty', 'feature-errors'];
const URL: Record<Source, string> = { alertmanager: '/v1/hooks/alertmanager', grafana: '/v1/hooks/grafana', pagerduty: '/v1/hooks/pagerduty', 'feature-errors': '/v1/hooks/generic/feature-errors' };

const VALID: Record<Source, () => unknown> = {
  alertmanager: () => ({
    version: '4',
    status: 'firing',
    receiver: 'vigil',
    groupKey: '{}:{alertname="DiskFull"}',
    alerts: [{ status: 'firing', labels: { alertname: 'DiskFull', instance: 'db-1', severity: 'critical' }, annotations: { summary: 'disk' }, startsAt: '2026-11-24T02:00:00Z', endsAt: '0001-01-01T00:00:00Z', fingerprint: 'a1b2c3d4e5f60718' }],
  }),
  grafana: () => grafanaPayload([grafanaAlert()]),
  pagerduty: () => pagerdutyEvent('incident.triggered', pagerdutyIncident(), '2026-11-24T02:19:00Z'),
  'feature-errors': () => ({ flag: 'new-checkout', window: 7, state: 'alerting', error_rate: 0.3 }),
};

/** The credential each source expects, for exactly these bytes. */
function credentials(source: Source, body: string | Buffer): Record<string, string> {
  switch (source) {
    case 'alertmanager':
      return { authorization: `Bearer ${HOOK_TOKENS.alertmanager}` };
    case 'grafana':
      return grafanaSignature(HOOK_SECRETS.TEST_GRAFANA_SECRET, body, SECONDS);
    case 'pagerduty':
      return pagerdutySignature([HOOK_SECRETS.TEST_PD_SECRET], body);
    case 'feature-errors':
      return genericSignature(HOOK_SECRETS.TEST_MONITOR_SECRET, body, SECONDS);
  }
}

type Json = unknown;
type Path = (string | number)[];

function paths(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

type Edit = { op: 'delete' | 'replace' | 'add' | 'huge'; at: number; key: string; value: Json; size: number };

function applyEdit(root: Json, edit: Edit): Json {
  const all = paths(root);
  const path = all[edit.at % all.length] as Path;
  if (path.length === 0) return edit.op === 'replace' ? edit.value : root;
  const parent = path.slice(0, -1).reduce<Json>((node, k) => (node as Record<string | number, Json>)[k], root) as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (edit.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (edit.op === 'replace') parent[last] = edit.value;
  else if (edit.op === 'huge') parent[last] = 'x'.repeat(edit.size);
  else {
    const target = parent[last];
    if (Array.isArray(target)) target.push(edit.value);
    else if (target !== null && typeof target === 'object') (target as Record<string, Json>)[edit.key] = edit.value;
    else parent[last] = { [edit.key]: edit.value };
  }
  return root;
}

const editArb: fc.Arbitrary<Edit> = fc.record({
  op: fc.constantFrom('delete', 'replace', 'add', 'huge'),
  at: fc.nat(),
  key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'status', 'labels', 'fingerprint')),
  value: fc.jsonValue({ maxDepth: 3 }),
  size: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.constant(1_100_000)),
});

type ByteEdit = { op: 'flip' | 'insert' | 'delete' | 'truncate'; at: number; char: number };
const byteEditArb: fc.Arbitrary<ByteEdit> = fc.record({ op: fc.constantFrom('flip', 'insert', 'delete', 'truncate'), at: fc.nat(), char: fc.integer({ min: 0, max: 255 }) });

function applyBytes(text: string, edits: readonly ByteEdit[]): Buffer {
  let bytes = Buffer.from(text);
  for (const e of edits) {
    const at = bytes.length === 0 ? 0 : e.at % bytes.length;
    if (e.op === 'flip') bytes[at] = e.char;
    else if (e.op === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([e.char]), bytes.subarray(at)]);
    else if (e.op === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
    else bytes = bytes.subarray(0, at);
  }
  return bytes;
}

describe('webhook fuzzing', () => {
  let stack: TestStack;
  let app: FastifyInstance;
  const started = new Set<string>();
  const joined = new Set<string>();
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    stack = await startTestStack();
    app = buildHookServer(stack, PLANS, () => NOW);
  });

  afterAll(async () => {
    await app?.close();
    if (stack) await terminateOpenRuns(stack);
    await stack?.close();
  });

  async function deliver(source: Source, body: string | Buffer, headers: Record<string, string>): Promise<number> {
    const res = await app.inject({ method: 'POST', url: URL[source], headers: { 'content-type': 'application/json', ...headers }, payload: body });
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    expect(res.statusCode, res.body).toBeLessThan(500);
    const answer = res.json() as { error?: string; message?: string; results?: { outcome: string; workflowId?: string }[] };
    if (res.statusCode >= 400) {
      expect(Object.keys(ERROR_CODES), res.body).toContain(answer.error);
      expect(typeof answer.message).toBe('string');
    } else {
      expect(res.statusCode).toBe(202);
    }
    for (const r of answer.results ?? []) {
      if (r.outcome === 'started') started.add(r.workflowId as string);
      if (r.outcome === 'joined') joined.add(r.workflowId as string);
    }
    return res.statusCode;
  }

  const OPTIONS = { numRuns: 500, seed: 20261124, endOnFailure: true };

  it('survives structural edits of valid payloads, correctly signed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SOURCES), fc.array(editArb, { minLength: 1, maxLength: 3 }), async (source, edits) => {
        const body = JSON.stringify(edits.reduce(applyEdit, VALID[source]()));
        await deliver(source, body, credentials(source, body));
      }),
      OPTIONS,
    );
  });

  it('survives byte edits of valid payloads, signed after the edit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SOURCES), fc.array(byteEditArb, { minLength: 1, maxLength: 4 }), async (source, edits) => {
        const bytes = applyBytes(JSON.stringify(VALID[source]()), edits);
        // Signed over the mutated bytes, as a sender with a bug would: the body itself is what's under test.
        await deliver(source, bytes, credentials(source, bytes));
      }),
      OPTIONS,
    );
  });

  it('survives arbitrary JSON, correctly signed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SOURCES), fc.jsonValue({ maxDepth: 4 }), async (source, value) => {
        const body = JSON.stringify(value) ?? 'null';
        await deliver(source, body, credentials(source, body));
      }),
      OPTIONS,
    );
  });

  it('refuses every broken credential with 401', async () => {
    const broken = fc.record({
      kind: fc.constantFrom('none', 'token', 'signature', 'timestamp'),
      token: fc.string({ maxLength: 40 }).filter((t) => !Object.values(HOOK_TOKENS).includes(t as never)),
      signature: fc.oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^[0-9a-f]{64}$/), fc.stringMatching(/^v1=[0-9a-f]{64}$/)),
      skew: fc.oneof(fc.integer({ min: 302, max: 10_000_000 }), fc.integer({ min: -10_000_000, max: -302 })),
    });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SOURCES), broken, async (source, b) => {
        let body = JSON.stringify(VALID[source]());
        let headers: Record<string, string> = {};
        if (b.kind === 'token' || (source === 'alertmanager' && b.kind !== 'none')) headers = { authorization: `Bearer ${b.token}` };
        else if (b.kind === 'signature') {
          const valid = credentials(source, body);
          const name = Object.keys(valid).find((h) => h.endsWith('-signature')) as string;
          headers = { ...valid, [name]: b.signature };
        } else if (b.kind === 'timestamp' && source === 'pagerduty') {
          // PagerDuty's timestamp is inside the signed body: an old event, validly signed, is still refused.
          body = JSON.stringify(pagerdutyEvent('incident.triggered', pagerdutyIncident(), new Date(NOW - 1_800_000 - Math.abs(b.skew) * 1000).toISOString()));
          headers = credentials(source, body);
        } else if (b.kind === 'timestamp') {
          const at = SECONDS + b.skew;
          headers = source === 'grafana' ? grafanaSignature(HOOK_SECRETS.TEST_GRAFANA_SECRET, body, at) : genericSignature(HOOK_SECRETS.TEST_MONITOR_SECRET, body, at);
        }
        expect(await deliver(source, body, headers)).toBe(401);
      }),
      { ...OPTIONS, numRuns: 400 },
    );
  });

  it('takes only application/json, in any spelling of it', async () => {
    const types = ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'application/json; charset=utf-8', 'APPLICATION/JSON'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SOURCES), fc.constantFrom(...types), async (source, type) => {
        const body = JSON.stringify(VALID[source]());
        const status = await deliver(source, body, { ...credentials(source, body), 'content-type': type });
        expect(status).toBe(/^application\/json(;|$)/i.test(type) ? 202 : 415);
      }),
      { ...OPTIONS, numRuns: 200 },
    );
  });

  it('left no run in Temporal that an answer did not report as started', async () => {
    expect(started.size).toBeGreaterThan(0);
    for (const id of joined) expect(started.has(id)).toBe(true);
    let runs = await countRuns(stack);
    for (let i = 0; i < 50 && runs !== started.size; i++) {
      await new Promise((r) => setTimeout(r, 200));
      runs = await countRuns(stack);
    }
    expect(runs).toBe(started.size);
    // Most mutants are refused: that is where the parser, the schemas and the credentials were exercised.
    const refused = [...statuses].filter(([s]) => s >= 400).reduce((n, [, c]) => n + c, 0);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(2000);
    expect(refused).toBeGreaterThan(total / 2);
  });
});
