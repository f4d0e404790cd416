/**
 * Runs a Vigil worker until a shutdown signal: connects to Temporal, wires the activities, polls the task queue.
 * `vigil worker` and `vigil dev` both use it.
 */
import { NativeConnection, type Worker } from '@temporalio/worker';
import { VigilError } from '../src/shared/vigil-error.js';
import { wireActivities } from './activities.js';
import { installQuietRuntime } from './runtime.js';
import type { WorkerConfig } from './config.js';
import { setupTracing } from './tracing.js';
import { createVigilWorker } from './worker.js';

export interface RunningWorker {
  readonly worker: Worker;
  /** Resolves when the worker has stopped (Ctrl-C, SIGTERM, or shutdown()) and everything is closed. */
  readonly done: Promise<void>;
}

export async function startWorker(config: WorkerConfig): Promise<RunningWorker> {
  installQuietRuntime();
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: config.temporalAddress });
  } catch (error) {
    throw new VigilError('VIGIL_E_TEMPORAL_UNREACHABLE', `cannot reach Temporal at ${config.temporalAddress} (${(error as Error).message.split('\n')[0]})`);
  }
  const tracing = setupTracing({ serviceName: 'vigil-worker', otlpEndpoint: config.otlpEndpoint });
  const wired = await wireActivities(config, tracing.tracer);
  const worker = await createVigilWorker({ connection, namespace: config.namespace, taskQueue: config.taskQueue, activities: wired.activities, tracing });
  const done = worker.run().finally(async () => {
    await wired.close();
    await connection.close();
    await tracing.shutdown();
  });
  return { worker, done };
}
