/**
 * What the end-to-end benches stand on: a Temporal dev server of their own, a fresh seeded database, a throwaway
 * approval key, the Temporal clients, the real activities and a Vigil worker on a task queue of its own.
 * The benches' counterpart of test/support/stack.ts (which takes its server from vitest's global setup).
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { VigilActivities } from '../src/activities/types.js';
import { seedDemoDatabase } from '../src/dev/demo-database.js';
import { startDevServer } from '../src/dev/temporal-server.js';
import { testApprovalKey } from '../test/support/approvals.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { wireActivities } from '../workers/activities.js';
import { workerConfigFromEnv } from '../workers/config.js';
import { setupTracing } from '../workers/tracing.js';
import { bundleWorkflows, createVigilWorker } from '../workers/worker.js';

export interface BenchStack {
  readonly db: TestDatabase;
  readonly key: ReturnType<typeof testApprovalKey>;
  readonly client: Client;
  /** For a bench's own baseline worker. */
  readonly native: NativeConnection;
  readonly activities: VigilActivities;
  readonly taskQueue: string;
  /**
   * A Vigil worker (tracing included), not yet running: the bench decides when (`runUntil`). By default on the stack's
   * task queue with Vigil's workflows; a baseline passes its own queue and workflows file.
   */
  createWorker(baseline?: { readonly taskQueue: string; readonly workflowsPath: string }): Promise<Worker>;
  close(): Promise<void>;
}

export async function startBenchStack(name: string): Promise<BenchStack> {
  const db = await createTestDatabase(`vigil_bench_${name}`);
  await seedDemoDatabase(db.url);
  const key = testApprovalKey();
  const server = await startDevServer({ env: process.env, log: (l) => console.log(l) });
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  const tracing = setupTracing({ serviceName: 'bench' });
  const wired = await wireActivities(workerConfigFromEnv({ DATABASE_URL: db.url, VIGIL_APPROVAL_KEY: key.file }));
  const taskQueue = `bench-${randomUUID()}`;
  return {
    db,
    key,
    client: new Client({ connection }),
    native,
    activities: wired.activities,
    taskQueue,
    createWorker: async (baseline) =>
      createVigilWorker({ connection: native, namespace: 'default', taskQueue: baseline?.taskQueue ?? taskQueue, activities: wired.activities, tracing, workflowBundle: await bundleWorkflows(baseline?.workflowsPath) }),
    async close() {
      await wired.close();
      await connection.close();
      await native.close();
      await tracing.shutdown();
      await server.stop();
      await db.drop();
    },
  };
}
