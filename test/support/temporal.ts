/**
 * Per-test-file Temporal helpers: a client and a Worker on a unique task queue against the shared dev server.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { inject } from 'vitest';
import type { VigilActivities } from '../../src/activities/types.js';
import { bundleWorkflows, createVigilWorker } from '../../workers/worker.js';

// Worker state changes at INFO drown test output; warnings and errors still show.
Runtime.install({ logger: new DefaultLogger('WARN') });

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
  startWorker(activities: VigilActivities): Promise<Worker>;
  close(): Promise<void>;
}

export async function temporalHarness(): Promise<TemporalHarness> {
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const taskQueue = `test-${randomUUID()}`;
  return {
    client,
    taskQueue,
    nativeConnection,
    async startWorker(activities) {
      return createVigilWorker({ connection: nativeConnection, namespace: 'default', taskQueue, activities, workflowBundle: await workflowBundle() });
    },
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}
