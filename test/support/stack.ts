/**
 * The whole stack a Temporal integration test needs, started once per test file: a fresh seeded database, a throwaway
 * approval key, a Temporal client and a Worker with the real activities on its own task queue.
 */
import type { Worker } from '@temporalio/worker';
import type { VigilActivities } from '../../src/activities/types.js';
import { seedDemoDatabase } from '../../src/dev/demo-database.js';
import { wireActivities, type WiredActivities } from '../../workers/activities.js';
import { workerConfigFromEnv } from '../../workers/config.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInputSealer, type InputSealer } from '../../src/shared/input-sealer.js';
import { testApprovalKey } from './approvals.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { temporalHarness, type TemporalHarness } from './temporal.js';

export interface TestStack {
  readonly db: TestDatabase;
  readonly temporal: TemporalHarness;
  readonly wired: WiredActivities;
  readonly key: ReturnType<typeof testApprovalKey>;
  /** Seals sensitive inputs with the key this stack's worker opens them with (in the file sealKeyFile). */
  readonly sealer: InputSealer;
  readonly sealKeyFile: string;
  /** Stops the worker (as a crash or a deploy would) and starts a fresh one on the same task queue. */
  /** Stops the worker and starts another, with some activities replaced if asked (a rotated key, say). */
  restartWorker(replacing?: Partial<VigilActivities>): Promise<void>;
  close(): Promise<void>;
}

export async function startTestStack(
  options: { notifyTargets?: Record<string, string>; approvalsTarget?: string; env?: Record<string, string>; beforeWorker?: (db: TestDatabase) => Promise<void> } = {},
): Promise<TestStack> {
  const db = await createTestDatabase();
  await seedDemoDatabase(db.url);
  await options.beforeWorker?.(db);
  const key = testApprovalKey();
  // A throwaway sealing key, shared by the worker and the tests' own startRun calls (stack.sealer).
  const sealKeyFile = join(mkdtempSync(join(tmpdir(), 'vigil-test-seal-')), 'seal-key');
  const sealer = loadInputSealer(sealKeyFile, true);
  const temporal = await temporalHarness();
  const env: Record<string, string> = { DATABASE_URL: db.url, VIGIL_APPROVAL_KEY: key.file, VIGIL_SEAL_KEY: sealKeyFile, ...options.env };
  if (options.notifyTargets) env.VIGIL_NOTIFY_TARGETS = JSON.stringify(options.notifyTargets);
  if (options.approvalsTarget) env.VIGIL_APPROVALS_TARGET = options.approvalsTarget;
  const wired = await wireActivities(workerConfigFromEnv(env), temporal.tracing.tracer);
  let worker: Worker = await temporal.startWorker(wired.activities);
  let running = worker.run();
  return {
    db,
    temporal,
    wired,
    key,
    sealer,
    sealKeyFile,
    async restartWorker(replacing) {
      worker.shutdown();
      await running;
      worker = await temporal.startWorker({ ...wired.activities, ...replacing });
      running = worker.run();
    },
    async close() {
      worker.shutdown();
      await running;
      await wired.close();
      await temporal.close();
      await db.drop();
    },
  };
}
