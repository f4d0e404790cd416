/**
 * Builds the Temporal Worker that runs Vigil's workflows and activities on one task queue.
 * The workflow code is bundled for the sandbox from src/workflows/index.ts, together with Temporal's
 * OpenTelemetry workflow interceptors; pass a prebuilt bundle to skip the ~1.5 s bundling.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { VigilActivities } from '../src/activities/types.js';
import { WORKFLOW_TRACING_MODULE, type Tracing } from './tracing.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../src/workflows/index.ts', import.meta.url));

/**
 * Loaded once per worker instead of once per run: the gate's Ed25519 check. Its only module state is noble's
 * precomputed curve tables (pure math, the same for every run); loaded per run, building them cost every gate about
 * 50 ms. Named by our own module: webpack drops a bare preload of noble, which declares itself free of side effects.
 */
const SHARED_WORKFLOW_MODULES = [fileURLToPath(new URL('../src/workflows/verify-in-workflow.ts', import.meta.url))];

/** Vigil's workflows with the tracing interceptor; benches bundle their baselines the same way (`workflowsPath`). */
export function bundleWorkflows(workflowsPath = WORKFLOWS_PATH): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: [createRequire(import.meta.url).resolve(WORKFLOW_TRACING_MODULE)],
    preloadModules: SHARED_WORKFLOW_MODULES,
    logger: quietBundlerLogger,
  });
}

export interface VigilWorkerOptions {
  readonly connection: NativeConnection;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly activities: VigilActivities;
  readonly tracing: Tracing;
  readonly workflowBundle?: WorkflowBundleWithSourceMap;
}

export async function createVigilWorker(options: VigilWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    workflowBundle: options.workflowBundle ?? (await bundleWorkflows()),
    interceptors: options.tracing.workerInterceptors,
    sinks: options.tracing.sinks,
  });
}

const quietBundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
  log: () => undefined,
};
