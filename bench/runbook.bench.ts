/**
 * The runbook language's costs, each next to a baseline from the same run:
 * - validate + compile a generated 1,000-step runbook, against merely parsing its YAML;
 * - the interpreter's overhead inside a workflow: a runbook of N notify steps against a hand-written workflow calling
 *   the same notify activity N times, on the real Temporal dev server (both against a local HTTP sink).
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { parse } from 'yaml';
import { createIoActivities } from '../src/activities/io-activities.js';
import { startDevServer } from '../src/dev/temporal-server.js';
import { compileRunbookOrThrow } from '../src/runbook/compile.js';
import { startHttpRecorder } from '../test/support/http-recorder.js';
import { fmt, printTable, summarize } from './stats.js';

function generated(steps: number, kind: 'wait' | 'notify'): string {
  const lines = ['apiVersion: vigil/v1', 'kind: Runbook', 'metadata: { name: generated }', 'spec:', '  inputs:', '    label: { type: string, default: x }', '  steps:'];
  for (let i = 0; i < steps; i++) {
    lines.push(`    - id: s${i}`);
    if (i > 0 && kind === 'wait') lines.push(`      when: \${{ steps.s${i - 1}.status == 'succeeded' && inputs.label != '' }}`);
    lines.push(kind === 'wait' ? '      wait: 1ms' : `      notify: { target: bench, text: "step ${i} \${{ inputs.label }}" }`);
  }
  return lines.join('\n') + '\n';
}

function time<T>(fn: () => T): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1000;
}

export default async function bench(): Promise<void> {
  const text = generated(1_000, 'wait');
  compileRunbookOrThrow(text, 'warmup.yaml');
  const compile = summarize(Array.from({ length: 20 }, () => time(() => compileRunbookOrThrow(text, 'generated.yaml'))));
  const yaml = summarize(Array.from({ length: 20 }, () => time(() => parse(text))));
  printTable('validate + compile a 1,000-step runbook (20 runs)', [
    { what: 'yaml.parse only (baseline)', p50: fmt(yaml.p50), p99: fmt(yaml.p99), ratio: '1.00' },
    { what: 'load + validate + compile', p50: fmt(compile.p50), p99: fmt(compile.p99), ratio: (compile.p50 / yaml.p50).toFixed(2), aim: '< 50 ms' },
  ]);

  const server = await startDevServer({ env: process.env, log: (l) => console.log(l) });
  const sink = await startHttpRecorder();
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  try {
    const client = new Client({ connection });
    const taskQueue = `bench-${randomUUID()}`;
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./baseline-workflows.ts', import.meta.url)), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never });
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle, activities: createIoActivities({ notifyTargets: { bench: `${sink.url}/hook` }, maskText: (t) => t }) });
    await worker.runUntil(async () => {
      const n = 50;
      const plan = compileRunbookOrThrow(generated(n, 'notify'), 'notify.yaml');
      const principal = { id: 'bench', kind: 'service' as const, groups: [] };
      const rounds = 5;
      const interpreted: number[] = [];
      const hand: number[] = [];
      for (let r = 0; r < rounds + 1; r++) {
        let t0 = Date.now();
        await client.workflow.execute('runbookWorkflow', { taskQueue, workflowId: `bench-i-${randomUUID()}`, args: [{ plan, inputs: {}, principal, trigger: { source: 'bench' } }] });
        const i = Date.now() - t0;
        t0 = Date.now();
        await client.workflow.execute('handWrittenWorkflow', { taskQueue, workflowId: `bench-h-${randomUUID()}`, args: [n] });
        const h = Date.now() - t0;
        if (r > 0) {
          interpreted.push(i);
          hand.push(h);
        }
      }
      const a = summarize(hand);
      const b = summarize(interpreted);
      printTable(`${n} notify steps per run, ${rounds} runs each (after a warm-up run)`, [
        { workflow: 'hand-written (baseline)', p50: `${a.p50} ms`, 'per step': `${(a.p50 / n).toFixed(1)} ms`, ratio: '1.00' },
        { workflow: 'runbook interpreter', p50: `${b.p50} ms`, 'per step': `${(b.p50 / n).toFixed(1)} ms`, ratio: (b.p50 / a.p50).toFixed(2), aim: '≤ 1.10' },
      ]);
    });
  } finally {
    await connection.close();
    await native.close();
    await sink.close();
    await server.stop();
  }
}
