/**
 * Alert webhooks under load, against their baseline in the same run (same dev server, worker, database and runbook):
 * - accepted webhooks per second: autocannon, in its own process, posting Alertmanager deliveries (one new alert
 *   each) as fast as the server answers, on loopback;
 * - p50/p99 from a webhook being received (the server's first hook stamps it) to the runbook's first statement
 *   executing (the statement reports its own clock_timestamp()), at a steady rate;
 * - the same runs started directly through the Temporal client (startRun, what the webhook calls after parsing,
 *   authenticating and routing), at the same rate, timed from the call to the same statement;
 * - the barest start the server can take (no arguments, no search attributes), as its own ceiling on this machine.
 * Numbers are printed, never asserted.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createApprovalService } from '../src/api/approval-service.js';
import { buildServer } from '../src/api/server.js';
import { loadApprovalKeys } from '../src/approvals/key-files.js';
import { startRun } from '../src/client/start-run.js';
import { loadIdentities } from '../src/governance/identity.js';
import { compileRunbookOrThrow } from '../src/runbook/compile.js';
import type { Plan } from '../src/runbook/plan.js';
import { alertWorkflowId } from '../src/triggers/route-alert.js';
import { resolveWebhookSecrets } from '../src/triggers/webhook-sources.js';
import { sha256Hex } from '../test/support/webhook-signing.js';
import { startBenchStack } from './bench-stack.js';
import { fmt, printTable, summarize, timeAsync } from './stats.js';

const RUNBOOK = `apiVersion: vigil/v1
kind: Runbook
metadata: { name: bench-now }
spec:
  inputs:
    instance: { type: string }
  triggers:
    - source: alertmanager
      match: { alertname: BenchAlert }
      inputs: { instance: "\${{ trigger.labels.instance }}" }
  steps:
    - id: now
      intent: Report when the first statement ran.
      sql: { connection: demo, query: "SELECT (extract(epoch from clock_timestamp()) * 1000)::float8 AS ms" }
  outputs:
    ran_at: \${{ steps.now.rows[0].ms }}
`;
const TOKEN = 'bench-alertmanager-token';
const IDENTITIES = `apiVersion: vigil/v1
kind: Identities
services: { alertmanager: { groups: [alerting] } }
webhooks:
  alertmanager: { service: alertmanager, bearer_sha256: [${sha256Hex(TOKEN)}], rate_limit: { max: 10000000 } }
`;
const STARTS_AT = '2026-11-24T02:00:00Z';
const RATE = 5;
const PACED = 150;
const LOAD_SECONDS = 10;
const LOAD_CONNECTIONS = 32;

interface LoadSummary {
  readonly accepted: number;
  readonly refused: number;
  readonly errors: number;
  readonly durationS: number;
  readonly latencyMs?: { readonly p50: number; readonly p99: number };
}

/** The load generator (bench/webhook-load.ts) in a child process, so the load does not share the server's event loop. */
function load(options: Record<string, unknown>): Promise<LoadSummary> {
  const script = fileURLToPath(new URL('./webhook-load.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadSummary) : reject(new Error(`load generator exited with ${code}`))));
  });
}

export default async function bench(): Promise<void> {
  const stack = await startBenchStack('webhooks');
  const { client, taskQueue, key } = stack;
  const plan: Plan = compileRunbookOrThrow(RUNBOOK, 'bench-now.yaml');
  const identities = loadIdentities(IDENTITIES, 'bench-identities.yaml');
  const app = buildServer({
    identities,
    approvals: createApprovalService({ client, privateKey: loadApprovalKeys(key.file, false).privateKey }),
    hooks: { client, taskQueue, plans: [plan], sources: resolveWebhookSecrets(identities.webhooks, {}) },
  });
  const received = new Map<string, number>();
  app.addHook('onRequest', async (request) => {
    const fingerprint = request.headers['x-bench-fingerprint'];
    if (typeof fingerprint === 'string') received.set(fingerprint, Date.now());
  });
  try {
    const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1/hooks/alertmanager`;
    const worker = await stack.createWorker();
    const workflowIdOf = (fingerprint: string) => alertWorkflowId('bench-now', 'alertmanager', `${fingerprint}-${Date.parse(STARTS_AT)}`);

    /** ran_at minus the start stamp, for every run whose stamp is known; runs that never started are counted. */
    const latencies = async (stamps: ReadonlyMap<string, number>) => {
      const samples: number[] = [];
      let missing = 0;
      const entries = [...stamps];
      for (let i = 0; i < entries.length; i += 64) {
        await Promise.all(
          entries.slice(i, i + 64).map(async ([fingerprint, t0]) => {
            try {
              const result = await client.workflow.getHandle(workflowIdOf(fingerprint)).result();
              samples.push(Number(result.outputs.ran_at) - t0);
            } catch {
              missing++;
            }
          }),
        );
      }
      return { ...summarize(samples), missing };
    };
    const stampsWithTag = (tag: string) => new Map([...received].filter(([fp]) => fp.startsWith(tag)));

    const startDirect = (fingerprint: string) => {
      const labels = { alertname: 'BenchAlert', instance: `db-${fingerprint}`, severity: 'critical' };
      return startRun(client, {
        plan,
        inputs: { instance: labels.instance },
        principal: { id: 'alertmanager', kind: 'service', groups: ['alerting'] },
        trigger: { source: 'alertmanager', id: `${fingerprint}-${Date.parse(STARTS_AT)}`, payload: { status: 'firing', labels, annotations: { summary: 'bench' }, startsAt: STARTS_AT, fingerprint } },
        taskQueue,
        workflowId: workflowIdOf(fingerprint),
      });
    };
    /** The baseline on the paced sender's schedule: one start every 1/RATE s, not waiting for the previous one. */
    const directPaced = async (tag: string, n: number, startAt = Date.now()) => {
      const stamps = new Map<string, number>();
      const started = startAt;
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < n; i++) {
        const due = started + (i * 1000) / RATE;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        const fingerprint = `${tag}${i.toString(16).padStart(8, '0')}`;
        stamps.set(fingerprint, Date.now());
        pending.push(startDirect(fingerprint));
      }
      await Promise.all(pending);
      return stamps;
    };
    /** As many loops as the load generator has connections, each starting run after run for LOAD_SECONDS; how many started. */
    const floodStarts = async (start: (n: number) => Promise<unknown>) => {
      let n = 0;
      const end = Date.now() + LOAD_SECONDS * 1000;
      await Promise.all(
        Array.from({ length: LOAD_CONNECTIONS }, async () => {
          while (Date.now() < end) await start(n++);
        }),
      );
      return n;
    };
    /** The baseline of the flood: startRun as the webhook calls it. */
    let directStarted = 0;
    const directFlood = async (tag: string) => {
      const n = await floodStarts((i) => startDirect(`${tag}${i.toString(16).padStart(8, '0')}`));
      directStarted += n;
      return n;
    };
    /** What the server itself takes: the barest start (no arguments, no search attributes, another task queue). */
    const bareFlood = (tag: string) => floodStarts((i) => client.workflow.start('runbookWorkflow', { taskQueue: `${taskQueue}-bare`, workflowId: `bare-${tag}-${i}`, args: [] }));
    const ms = (v: number) => `${v.toFixed(0)} ms`;
    const flood = (tag: string) => load({ mode: 'flood', url, token: TOKEN, tag, connections: LOAD_CONNECTIONS, duration: LOAD_SECONDS });

    let coLocated: LoadSummary | undefined;
    await worker.runUntil(async () => {
      // Warm-up: bundle caches, connection pools, the policy and classifier caches on both paths.
      await latencies(await directPaced('0e', 20));
      await load({ mode: 'paced', url, token: TOKEN, tag: '0f', amount: 20, rate: RATE });
      await latencies(stampsWithTag('0f'));

      // Both at once, interleaved half an interval apart, so both see the same machine at the same moments.
      const startAt = Date.now() + 3_000;
      const [paced, baselineStamps] = await Promise.all([
        load({ mode: 'paced', url, token: TOKEN, tag: 'b0', amount: PACED, rate: RATE, startAt }),
        directPaced('a0', PACED, startAt + 500 / RATE),
      ]);
      const baseline = await latencies(baselineStamps);
      const viaWebhook = await latencies(stampsWithTag('b0'));
      printTable(`received -> first statement executing, ${PACED} runs each, evenly at ${RATE}/s each, interleaved (after warm-up)`, [
        { path: 'startRun through the Temporal client (baseline)', p50: ms(baseline.p50), p99: ms(baseline.p99), 'not run': baseline.missing, ratio: '1.00', '202 p50': '' },
        {
          path: 'Alertmanager webhook: HTTP, credential, schema, routing, startRun',
          p50: ms(viaWebhook.p50),
          p99: ms(viaWebhook.p99),
          'not run': viaWebhook.missing + paced.refused + paced.errors,
          ratio: (viaWebhook.p50 / baseline.p50).toFixed(2),
          '202 p50': paced.latencyMs ? ms(paced.latencyMs.p50) : '',
          aim: 'p50 < 150 ms',
        },
      ]);
      // Everything on one machine: the worker runs what the door accepts while the door accepts more.
      coLocated = await flood('c0');
    });

    // The worker stopped: the door and Temporal alone, as when workers run elsewhere. Runs queue up unexecuted.
    // Twice each, alternating, because on a shared machine the second of two floods often meets a busier one.
    const row = (what: string, accepted: number, durationS: number, summary?: LoadSummary) => ({
      what,
      accepted,
      'per second': (accepted / durationS).toFixed(0),
      refused: summary ? summary.refused + summary.errors : 0,
      'answer p50': summary?.latencyMs ? ms(summary.latencyMs.p50) : '',
      'answer p99': summary?.latencyMs ? ms(summary.latencyMs.p99) : '',
    });
    const c = coLocated as LoadSummary;
    const rows = [row('webhooks, with the worker running runs on the same 2 cores', c.accepted, c.durationS, c)];
    for (const round of [1, 2]) {
      const alone = await flood(`d${round}`);
      rows.push(row(`webhooks, no worker running (door + Temporal), round ${round}`, alone.accepted, alone.durationS, alone));
      const starts = await directFlood(`e${round}`);
      rows.push(row(`startRun through the client, ${LOAD_CONNECTIONS} concurrent, no worker (baseline), round ${round}`, starts, LOAD_SECONDS));
      rows.push(row(`the barest workflow start, ${LOAD_CONNECTIONS} concurrent (the server's own ceiling), round ${round}`, await bareFlood(`f${round}`), LOAD_SECONDS));
    }
    printTable(`accepted webhooks: autocannon, ${LOAD_CONNECTIONS} connections, ${LOAD_SECONDS} s each on loopback; each one a new run (aim >= 200/s)`, rows);
    // The door alone: the same delivery through inject() (no TCP), for an alert no runbook matches, so nothing starts.
    const unrouted = JSON.stringify({ version: '4', status: 'firing', receiver: 'vigil', groupKey: '{}', alerts: [{ status: 'firing', labels: { alertname: 'Unrouted', instance: 'db-1', severity: 'critical' }, annotations: { summary: 'bench' }, startsAt: STARTS_AT, endsAt: '0001-01-01T00:00:00Z', fingerprint: 'abcdef' }] });
    const inject = () => app.inject({ method: 'POST', url: '/v1/hooks/alertmanager', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, payload: unrouted });
    await timeAsync(1_000, inject);
    const door = await timeAsync(5_000, inject);
    printTable('the door alone: credential, parse, schema, routing and the answer, per delivery (inject, nothing started)', [
      { deliveries: door.n, p50: fmt(door.p50), p99: fmt(door.p99), mean: fmt(door.mean) },
    ]);
    const runs = await client.workflow.count(`TaskQueue = '${taskQueue}'`);
    // autocannon counts only answers that arrived before it stopped; the server may have accepted a few more.
    console.log(`Runs in Temporal on the bench's task queue: ${runs.count}, for ${received.size} webhooks received and ${directStarted + PACED + 20} direct starts.`);
  } finally {
    await app.close();
    await stack.close();
  }
}
