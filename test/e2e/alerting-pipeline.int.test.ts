/**
 * The real pipeline: Prometheus evaluates an alert rule on a metric this test sets, Alertmanager delivers it with a
 * bearer token to `vigil serve` (started by the serve command's own code, listening on loopback), and the runbook runs
 * on real Temporal against PostgreSQL. Firing starts exactly one run, Alertmanager's repeats start none, resolving
 * signals the run (its gate closes), and firing again starts a second run. Prometheus and Alertmanager are installed
 * from Debian's packages when absent; without apt-get (or root) the test is skipped and says why.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startServer } from '../../src/cli/commands/serve.js';
import { watchRun } from '../../src/client/watch-run.js';
import { freePort } from '../../src/dev/ports.js';
import { ensureAlertingPackages, startAlertingPipeline, startMetricEndpoint, type AlertingPipeline, type MetricEndpoint } from '../support/alerting-pipeline.js';
import { countRuns, terminateOpenRuns } from '../support/hook-server.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { sha256Hex } from '../support/webhook-signing.js';

// VIGIL_SKIP_ALERTING=1 is the one way to skip: otherwise a machine without Prometheus and Alertmanager fails, saying why.
const optedOut = process.env.VIGIL_SKIP_ALERTING === '1';
const availability = optedOut ? ({ ok: false, reason: 'VIGIL_SKIP_ALERTING=1' } as const) : ensureAlertingPackages();
if (optedOut) console.log('Prometheus/Alertmanager end-to-end test skipped: VIGIL_SKIP_ALERTING=1');

it.skipIf(optedOut)('has Prometheus and Alertmanager to run the pipeline against', () => {
  expect(availability.ok, availability.ok ? '' : `${availability.reason}. Install them, or set VIGIL_SKIP_ALERTING=1 to skip this test.`).toBe(true);
});

const TOKEN = 'e2e-alertmanager-token';
const RUNBOOK = `apiVersion: vigil/v1
kind: Runbook
metadata: { name: disk-full }
spec:
  inputs:
    instance: { type: string, pattern: "^db-[0-9]+$" }
  triggers:
    - source: alertmanager
      match: { alertname: DiskFull }
      severity: [critical]
      inputs:
        instance: "\${{ trigger.labels.instance }}"
  steps:
    - id: usage
      intent: See how many tables the database holds before anyone cleans up.
      sql: { connection: demo, query: "SELECT count(*)::int AS tables FROM pg_class WHERE relkind = 'r'" }
    - id: cleanup
      approval: { approvers: [{ group: dba }], message: "Clean up \${{ inputs.instance }}?" }
`;
const RULES = `groups:
  - name: vigil-e2e
    rules:
      - alert: DiskFull
        expr: vigil_e2e_disk_full > 0
        labels: { severity: critical }
        annotations: { summary: "disk on {{ $labels.instance }} is full" }
`;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.runIf(availability.ok)('Prometheus and Alertmanager to vigil serve, end to end', () => {
  let stack: TestStack;
  let metric: MetricEndpoint;
  let pipeline: AlertingPipeline;
  let server: Awaited<ReturnType<typeof startServer>>;
  let dir: string;

  beforeAll(async () => {
    stack = await startTestStack();
    dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-serve-'));
    const runbookDir = join(dir, 'runbooks');
    mkdirSync(runbookDir);
    writeFileSync(join(runbookDir, 'disk-full.yaml'), RUNBOOK);
    writeFileSync(
      join(dir, 'identities.yaml'),
      `apiVersion: vigil/v1
kind: Identities
users: { bob: { groups: [dba] } }
services: { alertmanager: { groups: [alerting] } }
webhooks:
  alertmanager: { service: alertmanager, bearer_sha256: [${sha256Hex(TOKEN)}] }
`,
    );
    const port = await freePort();
    server = await startServer({
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      VIGIL_TASK_QUEUE: stack.temporal.taskQueue,
      VIGIL_IDENTITIES: join(dir, 'identities.yaml'),
      VIGIL_RUNBOOKS: runbookDir,
      VIGIL_APPROVAL_KEY: stack.key.file,
      VIGIL_LISTEN: `127.0.0.1:${port}`,
    });
    metric = await startMetricEndpoint('vigil_e2e_disk_full', { instance: 'db-1' });
    pipeline = await startAlertingPipeline({ scrapeTarget: metric.target, rules: RULES, webhookUrl: `${server.url}/v1/hooks/alertmanager`, bearerToken: TOKEN, repeatInterval: '2s' });
  }, 300_000);

  afterAll(async () => {
    await pipeline?.stop();
    await metric?.close();
    await server?.close();
    if (stack) await terminateOpenRuns(stack);
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const deliveries = () => pipeline.alertmanagerCounter('alertmanager_notifications_total', { integration: 'webhook' });
  const failedDeliveries = () => pipeline.alertmanagerCounter('alertmanager_notifications_failed_total', { integration: 'webhook' });
  const runIds = async () => {
    const ids: string[] = [];
    for await (const run of stack.temporal.client.workflow.list({ query: `TaskQueue = '${stack.temporal.taskQueue}'` })) ids.push(run.workflowId);
    return ids.sort();
  };

  it('starts one run when the alert fires, none on repeats, signals it on resolve, and a new one on the next firing', async () => {
    metric.set(1);
    const [workflowId] = await until('the first run', async () => ((await runIds()).length > 0 ? runIds() : undefined));
    const handle = stack.temporal.client.workflow.getHandle(workflowId as string);
    const described = await handle.describe();
    expect(described.searchAttributes.VigilPrincipal).toEqual(['alertmanager']);

    // Alertmanager repeats the notification every 2 s while the alert fires: each one must join, not start.
    const afterFirst = await deliveries();
    await until('two repeated notifications', async () => ((await deliveries()) >= afterFirst + 2 ? true : undefined));
    expect(await runIds()).toEqual([workflowId]);
    expect(await failedDeliveries()).toBe(0);

    metric.set(0);
    const outcome = await watchRun(handle as never, () => undefined, 250);
    expect(outcome).toMatchObject({ ok: false, code: 'VIGIL_E_APPROVAL_CANCELLED', message: expect.stringContaining('alert that started this run resolved') });
    expect(outcome.ok ? [] : outcome.steps.map((s) => `${s.id}:${s.state}`)).toEqual(['usage:succeeded', 'cleanup:failed']);

    metric.set(1);
    const ids = await until('a second run after the resolve', async () => {
      const now = await runIds();
      return now.length === 2 ? now : undefined;
    });
    expect(ids).toContain(workflowId);
    expect(await countRuns(stack)).toBe(2);
    expect(await failedDeliveries()).toBe(0);
  });
});
