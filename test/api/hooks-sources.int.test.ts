/**
 * Grafana, PagerDuty and generic webhooks on real Temporal, signed with HMAC as each sender documents it. Neither
 * Grafana nor PagerDuty has a local server here, so their bodies are built from their documented formats
 * (test/support/webhook-payloads.ts) and signed by test/support/webhook-signing.ts. Each firing starts one run under
 * the source's service principal, duplicates join it, a resolve signals it, and a bad or stale signature starts nothing.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchRun } from '../../src/client/watch-run.js';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import { buildHookServer, settledRunCount, HOOK_SECRETS, terminateOpenRuns } from '../support/hook-server.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { genericSignature, grafanaSignature, pagerdutySignature } from '../support/webhook-signing.js';
import { grafanaAlert, grafanaPayload, pagerdutyEvent, pagerdutyIncident } from '../support/webhook-payloads.js';

const NOW = Date.parse('2026-11-24T02:20:00Z');
const SECONDS = NOW / 1000;

const gated = (name: string, trigger: string) => compileRunbookOrThrow(`apiVersion: vigil/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  inputs:
    target: { type: string }
  triggers:
${trigger}
  steps:
    - id: gate
      approval: { approvers: [{ group: dba }], message: "Act on \${{ inputs.target }}?" }
`, `${name}.yaml`);

const PLANS = [
  gated('query-killer', `    - source: grafana
      match: { alertname: LongRunningQuery }
      severity: [critical]
      inputs: { target: "\${{ trigger.labels.instance }}" }`),
  gated('payments-jobs', `    - source: pagerduty
      match: { service: payments-db }
      inputs: { target: "\${{ trigger.incident.title }}" }`),
  gated('flag-off', `    - source: generic:feature-errors
      key: "\${{ trigger.flag + '@' + trigger.window_start }}"
      resolved: "trigger.state == 'ok'"
      inputs: { target: "\${{ trigger.flag }}" }`),
  gated('deploy-check', `    - source: generic:deploys
      inputs: { target: "\${{ trigger.service }}" }`),
];

describe('Grafana, PagerDuty and generic webhooks', () => {
  let stack: TestStack;
  let app: FastifyInstance;

  beforeAll(async () => {
    stack = await startTestStack();
    app = buildHookServer(stack, PLANS, () => NOW);
  });

  afterAll(async () => {
    await app?.close();
    if (stack) await terminateOpenRuns(stack);
    await stack?.close();
  });

  /** The delivery is refused with 401 for `reason`, and no run starts. */
  const expectUnauthenticated = async (deliver: () => Promise<LightMyRequestResponse>, reason: RegExp) => {
    const before = await settledRunCount(stack);
    const res = await deliver();
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'VIGIL_E_HOOK_UNAUTHENTICATED', message: expect.stringMatching(reason) });
    expect(await settledRunCount(stack)).toBe(before);
  };

  const send = (url: string, body: string, headers: Record<string, string>) => app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: body });
  const ended = (workflowId: string) => watchRun(stack.temporal.client.workflow.getHandle(workflowId) as never, () => undefined, 50);
  const principalOf = async (workflowId: string) => (await stack.temporal.client.workflow.getHandle(workflowId).describe()).searchAttributes.VigilPrincipal;

  describe('Grafana (HMAC with a timestamp header)', () => {
    const grafana = (body: unknown, at = SECONDS - 5, secret: string = HOOK_SECRETS.TEST_GRAFANA_SECRET) => {
      const text = JSON.stringify(body);
      return send('/v1/hooks/grafana', text, grafanaSignature(secret, text, at));
    };

    it('starts one run per firing alert, joins repeats, signals the run on resolve, and starts anew on the next firing', async () => {
      const first = await grafana(grafanaPayload([grafanaAlert(), grafanaAlert({ fingerprint: 'bc97ff14869b13e3' }, { alertname: 'HighCPU' })]));
      expect(first.statusCode).toBe(202);
      expect(first.json().results).toEqual([
        expect.objectContaining({ alert: 'LongRunningQuery', runbook: 'query-killer', outcome: 'started' }),
        { alert: 'HighCPU', status: 'firing', outcome: 'skipped', reason: 'no runbook matched' },
      ]);
      const { workflowId } = first.json().results[0];
      expect(await principalOf(workflowId)).toEqual(['grafana']);
      expect((await grafana(grafanaPayload([grafanaAlert()]))).json().results).toEqual([expect.objectContaining({ workflowId, outcome: 'joined' })]);

      const resolved = await grafana(grafanaPayload([grafanaAlert({ status: 'resolved', endsAt: '2026-11-24T02:19:00Z' })], 'resolved'));
      expect(resolved.json().results).toEqual([expect.objectContaining({ workflowId, outcome: 'signalled' })]);
      expect(await ended(workflowId)).toMatchObject({ ok: false, code: 'VIGIL_E_APPROVAL_CANCELLED' });

      const again = await grafana(grafanaPayload([grafanaAlert({ startsAt: '2026-11-24T02:19:30Z' })]));
      expect(again.json().results[0]).toMatchObject({ outcome: 'started' });
      expect(again.json().results[0].workflowId).not.toBe(workflowId);
    });

    it.each([
      ['a wrong secret', () => grafana(grafanaPayload([grafanaAlert({ fingerprint: 'ee01' })]), SECONDS, 'guess'), /signature does not match/],
      ['a replay from ten minutes ago', () => grafana(grafanaPayload([grafanaAlert({ fingerprint: 'ee02' })]), SECONDS - 600), /outside the 300 s replay window/],
      ['no signature', () => send('/v1/hooks/grafana', JSON.stringify(grafanaPayload([grafanaAlert({ fingerprint: 'ee03' })])), {}), /x-grafana-alerting-signature header is missing/],
    ])('refuses %s with 401 and starts nothing', async (_name, deliver, reason) => {
      await expectUnauthenticated(deliver, reason);
    });

    it('refuses a custom payload template (an unknown field) and says which field', async () => {
      const res = await grafana({ ...grafanaPayload([grafanaAlert({ fingerprint: 'ee04' })]), myTeam: 'dba' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'VIGIL_E_HOOK_PAYLOAD', message: 'the body is not a Grafana alerting webhook (version 1): / must NOT have additional properties ("myTeam")' });
    });
  });

  describe('PagerDuty (X-PagerDuty-Signature, window on event.occurred_at)', () => {
    const pagerduty = (body: unknown, secrets: string[] = [HOOK_SECRETS.TEST_PD_SECRET]) => {
      const text = JSON.stringify(body);
      return send('/v1/hooks/pagerduty', text, pagerdutySignature(secrets, text));
    };
    const incident = pagerdutyIncident({ id: 'Q1PDTEST0001' });

    it('starts one run per incident, joins duplicates and reopens, ignores acknowledgements, and signals on resolve', async () => {
      const triggered = pagerdutyEvent('incident.triggered', incident, '2026-11-24T02:19:00Z');
      const first = await pagerduty(triggered);
      expect(first.statusCode).toBe(202);
      expect(first.json().results).toEqual([expect.objectContaining({ alert: 'Payment jobs stuck', runbook: 'payments-jobs', outcome: 'started' })]);
      const { workflowId } = first.json().results[0];
      expect(workflowId).toBe('vigil-payments-jobs-pagerduty-Q1PDTEST0001');
      expect(await principalOf(workflowId)).toEqual(['pagerduty']);

      // The same delivery again (PagerDuty delivers at least once), during a secret rotation: two signatures.
      expect((await pagerduty(triggered, ['retired-secret', HOOK_SECRETS.TEST_PD_SECRET])).json().results).toEqual([expect.objectContaining({ workflowId, outcome: 'joined' })]);
      expect((await pagerduty(pagerdutyEvent('incident.reopened', incident, '2026-11-24T02:19:10Z'))).json().results).toEqual([expect.objectContaining({ workflowId, outcome: 'joined' })]);
      const acked = await pagerduty(pagerdutyEvent('incident.acknowledged', { ...incident, status: 'acknowledged' }, '2026-11-24T02:19:20Z'));
      expect(acked.json()).toEqual({ results: [], ignored: 'PagerDuty incident.acknowledged events neither start nor resolve runs' });

      const resolved = await pagerduty(pagerdutyEvent('incident.resolved', { ...incident, status: 'resolved' }, '2026-11-24T02:19:40Z'));
      expect(resolved.json().results).toEqual([expect.objectContaining({ workflowId, outcome: 'signalled' })]);
      expect(await ended(workflowId)).toMatchObject({ ok: false, code: 'VIGIL_E_APPROVAL_CANCELLED' });
    });

    it("answers PagerDuty's test event", async () => {
      const ping = await pagerduty(pagerdutyEvent('pagey.ping', { message: 'Hello from your friend Pagey!', type: 'ping' }, '2026-11-24T02:19:50Z'));
      expect(ping.statusCode).toBe(202);
      expect(ping.json().ignored).toMatch(/pagey.ping/);
    });

    it.each([
      ['a body changed after signing', () => {
        const text = JSON.stringify(pagerdutyEvent('incident.triggered', pagerdutyIncident({ id: 'Q1PDTEST0002' }), '2026-11-24T02:19:00Z'));
        return send('/v1/hooks/pagerduty', text.replace('Q1PDTEST0002', 'Q1PDTEST0003'), pagerdutySignature([HOOK_SECRETS.TEST_PD_SECRET], text));
      }, /signature does not match/],
      ['an event from an hour ago', () => pagerduty(pagerdutyEvent('incident.triggered', pagerdutyIncident({ id: 'Q1PDTEST0004' }), '2026-11-24T01:20:00Z')), /outside the 1800 s replay window/],
      ['a bearer token instead of a signature', () => send('/v1/hooks/pagerduty', '{}', { authorization: 'Bearer pd-test-secret' }), /x-pagerduty-signature header is missing/],
    ])('refuses %s with 401 and starts nothing', async (_name, deliver, reason) => {
      await expectUnauthenticated(deliver, reason);
    });

    it('refuses an unknown envelope field', async () => {
      const res = await pagerduty({ ...pagerdutyEvent('incident.triggered', incident, '2026-11-24T02:19:00Z'), messages: [] });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/must NOT have additional properties \("messages"\)/);
    });
  });

  describe('generic (X-Vigil-Signature, or a bearer token; identity from the trigger or Idempotency-Key)', () => {
    const signed = (body: unknown, at = SECONDS) => {
      const text = JSON.stringify(body);
      return send('/v1/hooks/generic/feature-errors', text, genericSignature(HOOK_SECRETS.TEST_MONITOR_SECRET, text, at));
    };
    const deploys = (body: unknown, key?: string) =>
      send('/v1/hooks/generic/deploys', JSON.stringify(body), { authorization: 'Bearer deploys-test-token', ...(key ? { 'idempotency-key': key } : {}) });
    const event = { flag: 'new-checkout', window_start: '2026-11-24T02:15:00Z', error_rate: 0.31, state: 'alerting' };

    it("keys by the trigger's expression: repeats join, the resolve condition signals, a new window starts anew", async () => {
      const first = await signed(event);
      expect(first.statusCode).toBe(202);
      const { workflowId } = first.json().results[0];
      expect(first.json().results).toEqual([expect.objectContaining({ runbook: 'flag-off', outcome: 'started' })]);
      expect(await principalOf(workflowId)).toEqual(['monitor']);
      expect((await signed({ ...event, error_rate: 0.4 })).json().results).toEqual([expect.objectContaining({ workflowId, outcome: 'joined' })]);
      expect((await signed({ ...event, state: 'ok' })).json().results).toEqual([expect.objectContaining({ workflowId, outcome: 'signalled' })]);
      expect(await ended(workflowId)).toMatchObject({ ok: false, code: 'VIGIL_E_APPROVAL_CANCELLED' });
      const next = await signed({ ...event, window_start: '2026-11-24T02:18:00Z' });
      expect(next.json().results[0].workflowId).not.toBe(workflowId);
      expect(next.json().results[0].outcome).toBe('started');
    });

    it('keys by the Idempotency-Key header when the trigger declares no key, and starts nothing without one', async () => {
      const a = await deploys({ service: 'checkout' }, 'deploy-8812');
      const again = await deploys({ service: 'checkout' }, 'deploy-8812');
      expect(a.json().results[0].outcome).toBe('started');
      expect(again.json().results[0]).toMatchObject({ workflowId: a.json().results[0].workflowId, outcome: 'joined' });
      const before = await settledRunCount(stack);
      const keyless = await deploys({ service: 'checkout' });
      expect(keyless.statusCode).toBe(422);
      expect(keyless.json()).toMatchObject({ error: 'VIGIL_E_HOOK_MAPPING', message: expect.stringContaining('send an Idempotency-Key header') });
      expect(await settledRunCount(stack)).toBe(before);
    });

    it('refuses a body that is not an object, and a stale signature', async () => {
      const array = await deploys([1, 2, 3], 'k1');
      expect(array.statusCode).toBe(400);
      expect(array.json()).toEqual({ error: 'VIGIL_E_HOOK_PAYLOAD', message: 'the body is not a JSON object: / must be object' });
      const stale = await signed({ ...event, window_start: 'stale' }, SECONDS - 301);
      expect(stale.statusCode).toBe(401);
    });
  });
});
