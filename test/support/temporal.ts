/**
 * Per-test-file Temporal helpers: a client and a Worker on a unique task queue against the shared dev server.
 */
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { inject } from 'vitest';
import type { VigilActivities } from '../../src/activities/types.js';
import { setupTracing, type Tracing } from '../../workers/tracing.js';
import { bundleWorkflows, createVigilWorker } from '../../workers/worker.js';

/** Every log line the workers of this test file wrote (INFO and up), for tests that search logs for leaked data. */
export const capturedLogs: string[] = [];

// Everything from INFO up is captured; only warnings and errors are printed, so state changes don't drown test output.
Runtime.install({
  logger: new DefaultLogger('INFO', (entry) => {
    const line = `[${entry.level}] ${entry.message} ${entry.meta === undefined ? '' : inspect(entry.meta, { depth: 6 })}`;
    capturedLogs.push(line);
    if (entry.level === 'WARN' || entry.level === 'ERROR') process.stderr.write(`${line}\n`);
  }),
});

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundling takes over a second: once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflows();
  return bundle;
}

export interface TemporalHarness {
  readonly client: Client;
  readonly taskQueue: string;
  readonly nativeConnection: NativeConnection;
  /** Every span the client, the workflows and the activities of this harness finished. */
  readonly spans: InMemorySpanExporter;
  readonly tracing: Tracing;
  startWorker(activities: VigilActivities): Promise<Worker>;
  close(): Promise<void>;
}

export async function temporalHarness(): Promise<TemporalHarness> {
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  const spans = new InMemorySpanExporter();
  const tracing = setupTracing({ serviceName: 'vigil-test', exporter: spans });
  const client = new Client({ connection, namespace: 'default', interceptors: { workflow: tracing.clientInterceptors } });
  const taskQueue = `test-${randomUUID()}`;
  return {
    client,
    taskQueue,
    nativeConnection,
    spans,
    tracing,
    async startWorker(activities) {
      return createVigilWorker({ connection: nativeConnection, namespace: 'default', taskQueue, activities, tracing, workflowBundle: await workflowBundle() });
    },
    async close() {
      await connection.close();
      await nativeConnection.close();
      await tracing.shutdown();
    },
  };
}
