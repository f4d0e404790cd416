/**
 * Recorded workflow histories: every change to workflow code is replayed against them, so a non-deterministic
 * change fails CI instead of breaking runs in flight. `VIGIL_RECORD_HISTORIES=1` rewrites them from the e2e tests.
 */
import { writeFileSync } from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

export const HISTORY_DIR = 'test/fixtures/histories';

export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (!process.env.VIGIL_RECORD_HISTORIES) return;
  const history = await handle.fetchHistory();
  writeFileSync(`${HISTORY_DIR}/${name}.json`, historyToJSON(history));
}
