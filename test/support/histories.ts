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
  const history = JSON.parse(historyToJSON(await handle.fetchHistory())) as object;
  // The history does not name its run, and a replay must: the gate checks signatures bound to the workflow id.
  writeFileSync(`${HISTORY_DIR}/${name}.json`, `${JSON.stringify({ workflowId: handle.workflowId, ...history }, null, 2)}\n`);
}

/**
 * A run's whole history as searchable text: every payload (inputs, results, signals, failures, headers, memo,
 * search attributes) decoded from its base64 wire form. Searching the raw JSON would find nothing by construction.
 */
export async function historyText(handle: WorkflowHandle): Promise<string> {
  const history = JSON.parse(historyToJSON(await handle.fetchHistory())) as unknown;
  const parts: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (!value || typeof value !== 'object') {
      if (typeof value === 'string') parts.push(value);
      return;
    }
    const record = value as Record<string, unknown>;
    if (typeof record.data === 'string' && record.metadata && typeof record.metadata === 'object') {
      parts.push(Buffer.from(record.data, 'base64').toString('utf8'));
    }
    for (const v of Object.values(record)) walk(v);
  };
  walk(history);
  return parts.join('\n');
}
