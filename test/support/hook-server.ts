/**
 * A `vigil serve` app with every kind of webhook source configured the way an operator would: bearer tokens stored as
 * hashes, HMAC secrets named by environment variable and resolved the way the serve command does.
 */
import type { FastifyInstance } from 'fastify';
import { createApprovalService } from '../../src/api/approval-service.js';
import { buildServer } from '../../src/api/server.js';
import { loadApprovalKeys } from '../../src/approvals/key-files.js';
import { loadIdentities } from '../../src/governance/identity.js';
import type { Plan } from '../../src/runbook/plan.js';
import { resolveWebhookSecrets } from '../../src/triggers/webhook-sources.js';
import type { TestStack } from './stack.js';
import { sha256Hex } from './webhook-signing.js';

export const HOOK_TOKENS = { alertmanager: 'am-test-token', deploys: 'deploys-test-token', bob: 'bob-test-token' } as const;
export const HOOK_SECRETS = { TEST_GRAFANA_SECRET: 'grafana-test-secret', TEST_PD_SECRET: 'pd-test-secret', TEST_MONITOR_SECRET: 'monitor-test-secret' } as const;

export const HOOK_IDENTITIES = `apiVersion: vigil/v1
kind: Identities
users: { bob: { groups: [dba] } }
services:
  alertmanager: { groups: [alerting] }
  grafana: { groups: [alerting] }
  pagerduty: { groups: [alerting] }
  monitor: { groups: [alerting] }
tokens:
  - { principal: bob, sha256: ${sha256Hex(HOOK_TOKENS.bob)} }
webhooks:
  alertmanager: { service: alertmanager, bearer_sha256: [${sha256Hex(HOOK_TOKENS.alertmanager)}], rate_limit: { max: 100000 } }
  grafana: { service: grafana, hmac_secret_env: TEST_GRAFANA_SECRET, rate_limit: { max: 100000 } }
  pagerduty: { service: pagerduty, hmac_secret_env: TEST_PD_SECRET, rate_limit: { max: 100000 } }
  generic:
    feature-errors: { service: monitor, hmac_secret_env: TEST_MONITOR_SECRET, rate_limit: { max: 100000 } }
    deploys: { service: monitor, bearer_sha256: [${sha256Hex(HOOK_TOKENS.deploys)}], rate_limit: { max: 5, window: 1m } }
`;

export function buildHookServer(stack: TestStack, plans: readonly Plan[], now?: () => number): FastifyInstance {
  const identities = loadIdentities(HOOK_IDENTITIES, 'test-identities.yaml');
  const approvals = createApprovalService({ client: stack.temporal.client, privateKey: loadApprovalKeys(stack.key.file, false).privateKey });
  const sources = resolveWebhookSecrets(identities.webhooks, HOOK_SECRETS);
  return buildServer({ identities, approvals, hooks: { client: stack.temporal.client, taskQueue: stack.temporal.taskQueue, plans, sources, ...(now ? { now } : {}) } });
}

/** Runs started on this stack's task queue, by Temporal's own count. */
export async function countRuns(stack: TestStack, extra = ''): Promise<number> {
  let n = 0;
  for await (const _run of stack.temporal.client.workflow.list({ query: `TaskQueue = '${stack.temporal.taskQueue}'${extra}` })) n++;
  return n;
}

/**
 * The run count once visibility has caught up: Temporal lists a started run a moment after the start returns, so a
 * count taken right after another test's starts can still grow. Three equal readings 150 ms apart count as settled.
 */
export async function settledRunCount(stack: TestStack): Promise<number> {
  let last = await countRuns(stack);
  for (let equal = 1, tries = 0; equal < 3 && tries < 60; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const now = await countRuns(stack);
    equal = now === last ? equal + 1 : 1;
    last = now;
  }
  return last;
}

/**
 * Terminates the runs this stack left waiting (gates nobody will decide). Without it they outlive the file's worker,
 * and the approval service, which queries every run with a pending gate on the shared dev server, would wait on each.
 */
export async function terminateOpenRuns(stack: TestStack): Promise<void> {
  for await (const run of stack.temporal.client.workflow.list({ query: `TaskQueue = '${stack.temporal.taskQueue}' AND ExecutionStatus = 'Running'` })) {
    await stack.temporal.client.workflow.getHandle(run.workflowId, run.runId).terminate('test finished').catch(() => undefined);
  }
}
