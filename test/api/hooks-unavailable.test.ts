/**
 * When Temporal does not answer, a delivery gets 503 within the deadline, with a message saying a retry is safe,
 * and the server stays up. A real client pointed at a loopback port where nothing listens; no Temporal needed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createApprovalService } from '../../src/api/approval-service.js';
import { buildServer } from '../../src/api/server.js';
import { loadIdentities } from '../../src/governance/identity.js';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import { resolveWebhookSecrets } from '../../src/triggers/webhook-sources.js';
import { HOOK_IDENTITIES, HOOK_SECRETS, HOOK_TOKENS } from '../support/hook-server.js';

const PLAN = compileRunbookOrThrow(`apiVersion: vigil/v1
kind: Runbook
metadata: { name: disk }
spec:
  triggers:
    - source: alertmanager
  steps:
    - id: a
      wait: 1s
`, 'disk.yaml');

describe('webhooks while Temporal is unreachable', () => {
  it('answer 503 VIGIL_E_TEMPORAL_UNREACHABLE, so the sender retries, and keep serving', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1' });
    const client = new Client({ connection });
    const identities = loadIdentities(HOOK_IDENTITIES, 'test.yaml');
    const app = buildServer({
      identities,
      approvals: createApprovalService({ client, privateKey: generateKeyPairSync('ed25519').privateKey }),
      hooks: { client, taskQueue: 'nowhere', plans: [PLAN], sources: resolveWebhookSecrets(identities.webhooks, HOOK_SECRETS), temporalDeadlineMs: 300 },
    });
    try {
      const body = { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'DiskFull' }, startsAt: '2026-11-24T02:00:00Z', fingerprint: 'ab12' }] };
      const res = await app.inject({ method: 'POST', url: '/v1/hooks/alertmanager', headers: { authorization: `Bearer ${HOOK_TOKENS.alertmanager}` }, payload: body });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ error: 'VIGIL_E_TEMPORAL_UNREACHABLE', message: expect.stringMatching(/Temporal did not answer for 1 of 1 runs .*retry the delivery: runs already started are joined/) });
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await app.close();
      await connection.close().catch(() => undefined);
    }
  });
});
