/**
 * Runs a Vigil worker until a shutdown signal: connects to Temporal, wires the activities, polls the task queue.
 * `vigil worker` and `vigil dev` both use it.
 */
import { IllegalStateError } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { VigilError } from '../src/shared/vigil-error.js';
import { wireActivities } from './activities.js';
import type { WorkerConfig } from './config.js';
import { setupTracing } from './tracing.js';
import { createVigilWorker } from './worker.js';

export interface RunningWorker {
  readonly worker: Worker;
  /** Resolves when the worker has stopped (Ctrl-C, SIGTERM, or shutdown()) and everything is closed. */
  readonly done: Promise<void>;
}

let runtimeInstalled = false;

export async function startWorker(config: WorkerConfig): Promise<RunningWorker> {
  // The worker's state changes at INFO are noise on an operator's terminal; warnings and errors still show.
  if (!runtimeInstalled) {
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch (error) {
      // `vigil dev` starts the dev server through the SDK first, which already made the Runtime: keep that one.
      if (!(error instanceof IllegalStateError)) throw error;
    }
    runtimeInstalled = true;
  }
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
