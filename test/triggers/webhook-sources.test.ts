/** The identities file's `webhooks:` section: validated, defaulted, secrets only named and resolved by the door. */
import { describe, expect, it } from 'vitest';
import { loadIdentities } from '../../src/governance/identity.js';
import { resolveWebhookSecrets } from '../../src/triggers/webhook-sources.js';
import { sha256Hex } from '../support/webhook-signing.js';

const file = (webhooks: string) => `apiVersion: vigil/v1
kind: Identities
users: { bob: { groups: [dba] } }
services: { alertmanager: {}, grafana: {}, pagerduty: {}, monitor: {} }
webhooks:
${webhooks}
`;

describe('webhook sources', () => {
  it('reads each source with its defaults: 5 minute replay window (30 for PagerDuty), 600 deliveries a minute', () => {
    const identities = loadIdentities(file(`  alertmanager: { service: alertmanager, bearer_sha256: [${sha256Hex('t')}] }
  grafana: { service: grafana, hmac_secret_env: GRAFANA_SECRET, timestamp_header: X-Sent-At }
  pagerduty: { service: pagerduty, hmac_secret_env: PD_SECRET }
  generic:
    feature-errors: { service: monitor, hmac_secret_env: MONITOR_SECRET, replay_window: 2m, rate_limit: { max: 5, window: 10s } }`), 'x.yaml');
    expect(identities.webhooks).toEqual([
      { name: 'alertmanager', kind: 'alertmanager', service: 'alertmanager', auth: { kind: 'bearer', sha256: [sha256Hex('t')] }, replayWindowMs: 300_000, rateLimit: { max: 600, windowMs: 60_000 } },
      { name: 'grafana', kind: 'grafana', service: 'grafana', auth: { kind: 'hmac', secretEnv: 'GRAFANA_SECRET', signatureHeader: 'x-grafana-alerting-signature', timestampHeader: 'x-sent-at' }, replayWindowMs: 300_000, rateLimit: { max: 600, windowMs: 60_000 } },
      { name: 'pagerduty', kind: 'pagerduty', service: 'pagerduty', auth: { kind: 'hmac', secretEnv: 'PD_SECRET', signatureHeader: 'x-pagerduty-signature' }, replayWindowMs: 1_800_000, rateLimit: { max: 600, windowMs: 60_000 } },
      { name: 'generic:feature-errors', kind: 'generic', service: 'monitor', auth: { kind: 'hmac', secretEnv: 'MONITOR_SECRET', signatureHeader: 'x-vigil-signature', timestampHeader: 'x-vigil-timestamp' }, replayWindowMs: 120_000, rateLimit: { max: 5, windowMs: 10_000 } },
    ]);
  });

  it.each([
    ['a service that does not exist', `  alertmanager: { service: nobody, bearer_sha256: [${sha256Hex('t')}] }`, /service "nobody" is not defined/],
    ['a person as the service', `  alertmanager: { service: bob, bearer_sha256: [${sha256Hex('t')}] }`, /service "bob" is not defined under services/],
    ['a signing Alertmanager', '  alertmanager: { service: alertmanager, hmac_secret_env: AM_SECRET }', /Alertmanager does not sign/],
    ['header overrides outside Grafana', '  pagerduty: { service: pagerduty, hmac_secret_env: PD, signature_header: X-Sig }', /apply to grafana only/],
    ['a plaintext token', '  alertmanager: { service: alertmanager, token: hunter2 }', /must NOT have additional properties/],
    ['both a token and a secret', `  grafana: { service: grafana, bearer_sha256: [${sha256Hex('t')}], hmac_secret_env: G }`, /must match exactly one schema/],
    ['neither', '  grafana: { service: grafana }', /must match exactly one schema/],
    ['a hash that is not SHA-256 hex', '  grafana: { service: grafana, bearer_sha256: [abc] }', /must match pattern/],
    ['a generic name runbooks could not use', '  generic:\n    "Feature Errors": { service: monitor, bearer_sha256: [abc] }', /property name must be valid/],
  ])('refuses %s', (_name, webhooks, message) => {
    expect(() => loadIdentities(file(webhooks), 'x.yaml')).toThrow(message);
  });

  it('resolves HMAC secrets from the environment, and refuses to go on without one', () => {
    const { webhooks } = loadIdentities(file('  pagerduty: { service: pagerduty, hmac_secret_env: PD_SECRET }'), 'x.yaml');
    expect(resolveWebhookSecrets(webhooks, { PD_SECRET: 'abc' })[0]?.secret).toEqual(Buffer.from('abc'));
    expect(() => resolveWebhookSecrets(webhooks, {})).toThrow(/PD_SECRET \(webhook pagerduty\)/);
    expect(() => resolveWebhookSecrets(webhooks, { PD_SECRET: '' })).toThrow(/not set/);
  });
});
