/**
 * From each source's documented payload to routes: identity, status, labels for matchers and inputs, per runbook.
 * Pure: no server, no Temporal.
 */
import { describe, expect, it } from 'vitest';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import { normaliseAlertmanager } from '../../src/triggers/alertmanager.js';
import { normaliseGeneric } from '../../src/triggers/generic.js';
import { normaliseGrafana, type GrafanaPayload } from '../../src/triggers/grafana.js';
import { normalisePagerDuty, type PagerDutyPayload } from '../../src/triggers/pagerduty.js';
import { alertWorkflowId, routeAlert } from '../../src/triggers/route-alert.js';
import { grafanaAlert, grafanaPayload, pagerdutyEvent, pagerdutyIncident } from '../support/webhook-payloads.js';

const runbook = (name: string, triggers: string, inputs = '') => compileRunbookOrThrow(`apiVersion: vigil/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  inputs:
    target: { type: string, pattern: "^[a-z0-9-]+$" }
${inputs}
  triggers:
${triggers}
  steps:
    - id: a
      wait: 1s
`, `${name}.yaml`);

const grafanaPlan = runbook('query-killer', `    - source: grafana
      match: { alertname: LongRunningQuery, instance: "~db-[0-9]+" }
      severity: [critical]
      inputs: { target: "\${{ trigger.labels.instance }}" }`);
const pagerdutyPlan = runbook('pd-jobs', `    - source: pagerduty
      match: { service: payments-db }
      severity: [high]
      inputs: { target: "\${{ trigger.labels.service }}" }`);
const genericPlan = runbook('flag-off', `    - source: generic:feature-errors
      key: "\${{ trigger.flag + '/' + trigger.window_start }}"
      resolved: "trigger.state == 'ok'"
      match: { env: prod }
      inputs: { target: "\${{ trigger.flag }}" }`);
const headerKeyedPlan = runbook('flag-off-by-header', `    - source: generic:feature-errors
      inputs: { target: "\${{ trigger.flag }}" }`);

describe('Grafana', () => {
  const [alert] = normaliseGrafana(grafanaPayload([grafanaAlert()]) as unknown as GrafanaPayload);

  it('keys an alert by fingerprint and startsAt, like Alertmanager, and keeps its labels for matchers', () => {
    expect(alert).toMatchObject({ source: 'grafana', key: `c6eadffa33fcdf37-${Date.parse('2026-11-24T02:10:03.157+01:00')}`, status: 'firing', labels: { instance: 'db-2' } });
    expect(routeAlert([grafanaPlan, pagerdutyPlan], alert!)).toEqual([expect.objectContaining({ status: 'firing', inputs: { target: 'db-2' } })]);
  });

  it('keeps the identity when the same alert resolves, and changes it when it fires again later', () => {
    const [resolved] = normaliseGrafana(grafanaPayload([grafanaAlert({ status: 'resolved', endsAt: '2026-11-24T02:30:00Z' })], 'resolved') as unknown as GrafanaPayload);
    const [again] = normaliseGrafana(grafanaPayload([grafanaAlert({ startsAt: '2026-11-24T04:00:00Z' })]) as unknown as GrafanaPayload);
    expect(resolved).toMatchObject({ key: alert!.key, status: 'resolved' });
    expect(again!.key).not.toBe(alert!.key);
  });

  it('leaves embedded images and other bulk out of what the run carries', () => {
    const [a] = normaliseGrafana(grafanaPayload([grafanaAlert({ embeddedImage: 'x'.repeat(10_000) })]) as unknown as GrafanaPayload);
    expect(JSON.stringify(a!.payload)).not.toContain('xxxx');
  });
});

describe('PagerDuty', () => {
  const triggered = normalisePagerDuty(pagerdutyEvent('incident.triggered', pagerdutyIncident(), '2026-11-24T02:00:01Z') as unknown as PagerDutyPayload);

  it('keys an incident by its id, with urgency as severity', () => {
    expect(triggered.alerts).toEqual([expect.objectContaining({ source: 'pagerduty', key: 'Q2B3T6ZL5PXMEA', status: 'firing', labels: expect.objectContaining({ alertname: 'Payment jobs stuck', service: 'payments-db', severity: 'high', priority: 'P1' }) })]);
    expect(routeAlert([pagerdutyPlan], triggered.alerts[0]!)).toEqual([expect.objectContaining({ key: 'Q2B3T6ZL5PXMEA', inputs: { target: 'payments-db' } })]);
  });

  it('resolves the same incident, treats a reopen as the same incident, and ignores acknowledgements and pings', () => {
    const resolved = normalisePagerDuty(pagerdutyEvent('incident.resolved', pagerdutyIncident({ status: 'resolved' }), '2026-11-24T02:40:00Z') as unknown as PagerDutyPayload);
    const reopened = normalisePagerDuty(pagerdutyEvent('incident.reopened', pagerdutyIncident(), '2026-11-24T03:00:00Z') as unknown as PagerDutyPayload);
    expect(resolved.alerts[0]).toMatchObject({ key: 'Q2B3T6ZL5PXMEA', status: 'resolved' });
    expect(reopened.alerts[0]).toMatchObject({ key: 'Q2B3T6ZL5PXMEA', status: 'firing' });
    for (const type of ['incident.acknowledged', 'pagey.ping', 'service.updated']) {
      const delivery = normalisePagerDuty(pagerdutyEvent(type, { id: 'PF9KMXH', type: 'service' }, '2026-11-24T02:00:00Z') as unknown as PagerDutyPayload);
      expect(delivery).toEqual({ alerts: [], ignored: expect.stringContaining(type) });
    }
  });

  it('refuses an incident event whose data is not an incident', () => {
    expect(() => normalisePagerDuty(pagerdutyEvent('incident.triggered', { type: 'incident', id: '../x' }, '2026-11-24T02:00:00Z') as unknown as PagerDutyPayload)).toThrow(/must be an incident with an id/);
  });
});

describe('generic', () => {
  const body = { flag: 'new-checkout', env: 'prod', window_start: '2026-11-24T02:00:00Z', error_rate: 0.31, state: 'alerting' };

  it("takes the trigger's key over the Idempotency-Key header, and the labels from top-level strings", () => {
    const alert = normaliseGeneric('feature-errors', body, 'delivery-123');
    expect(alert.labels).toEqual({ flag: 'new-checkout', env: 'prod', window_start: '2026-11-24T02:00:00Z', state: 'alerting' });
    const routes = routeAlert([genericPlan, headerKeyedPlan], alert);
    expect(routes).toEqual([
      { plan: genericPlan, key: 'new-checkout/2026-11-24T02:00:00Z', status: 'firing', inputs: { target: 'new-checkout' } },
      { plan: headerKeyedPlan, key: 'delivery-123', status: 'firing', inputs: { target: 'new-checkout' } },
    ]);
  });

  it("resolves by the trigger's condition, and by `status: resolved` when the trigger declares none", () => {
    expect(routeAlert([genericPlan], normaliseGeneric('feature-errors', { ...body, state: 'ok' }, undefined))).toEqual([expect.objectContaining({ status: 'resolved', key: 'new-checkout/2026-11-24T02:00:00Z' })]);
    expect(routeAlert([headerKeyedPlan], normaliseGeneric('feature-errors', { ...body, status: 'RESOLVED' }, 'k'))).toEqual([expect.objectContaining({ status: 'resolved' })]);
  });

  it('starts nothing without an identity, and says how to give it one', () => {
    expect(routeAlert([headerKeyedPlan], normaliseGeneric('feature-errors', body, undefined))).toEqual([{ plan: headerKeyedPlan, error: expect.stringMatching(/declare `key` on the trigger, or send an Idempotency-Key header/) }]);
    expect(routeAlert([genericPlan], normaliseGeneric('feature-errors', { env: 'prod' }, undefined))).toEqual([{ plan: genericPlan, error: expect.stringMatching(/key failed/) }]);
  });

  it('refuses an Idempotency-Key that could not be a key', () => {
    expect(() => normaliseGeneric('feature-errors', body, 'has space')).toThrow(/Idempotency-Key/);
  });
});

describe('Alertmanager', () => {
  it('does not run input mapping for a resolve, which needs only the identity', () => {
    const plan = runbook('needs-instance', `    - source: alertmanager
      inputs: { target: "\${{ trigger.labels.instance }}" }`);
    const [alert] = normaliseAlertmanager({ version: '4', status: 'resolved', alerts: [{ status: 'resolved', labels: { alertname: 'X' }, startsAt: '2026-11-24T02:00:00Z', fingerprint: 'ab' }] });
    expect(routeAlert([plan], alert!)).toEqual([{ plan, key: `ab-${Date.parse('2026-11-24T02:00:00Z')}`, status: 'resolved' }]);
    const [firing] = normaliseAlertmanager({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'X' }, startsAt: '2026-11-24T02:00:00Z', fingerprint: 'ab' }] });
    expect(routeAlert([plan], firing!)).toEqual([{ plan, error: expect.stringMatching(/input mapping failed/) }]);
  });
});

describe('alertWorkflowId', () => {
  it('keeps readable keys and hashes the rest, so two keys never share a run', () => {
    expect(alertWorkflowId('disk', 'alertmanager', 'a1b2-1795485600000')).toBe('vigil-disk-alertmanager-a1b2-1795485600000');
    const slash = alertWorkflowId('flag-off', 'generic:feature-errors', 'a/b');
    const underscore = alertWorkflowId('flag-off', 'generic:feature-errors', 'a_b');
    expect(slash).toMatch(/^vigil-flag-off-generic:feature-errors-sha256-[0-9a-f]{64}$/);
    expect(slash).not.toBe(underscore);
    expect(alertWorkflowId('r', 's', 'x'.repeat(300))).not.toBe(alertWorkflowId('r', 's', `${'x'.repeat(299)}y`));
  });
});
