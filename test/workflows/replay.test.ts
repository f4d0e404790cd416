/**
 * Replays every recorded history (test/fixtures/histories/*.json) through the current workflow code.
 * No server needed: a DeterminismViolationError here means a change would break runs in flight.
 * The `*-query-split.json` runs were answering queries while a local activity's result was pending, so the code after
 * the activity ran a workflow task later than a replay runs it (see src/workflows/patches.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { HISTORY_DIR } from '../support/histories.js';
import { workflowBundle } from '../support/temporal.js';

const files = readdirSync(HISTORY_DIR).filter((f) => f.endsWith('.json'));

describe('replay of recorded histories', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s replays deterministically', async (file) => {
    const recorded = JSON.parse(readFileSync(`${HISTORY_DIR}/${file}`, 'utf8')) as { workflowId?: string };
    // Replay as the run it was: approvals signed for that workflow id verify only under it. Older files don't say.
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, historyFromJSON(recorded), recorded.workflowId ?? file.replace(/\.json$/, '')),
    ).resolves.toBeUndefined();
  }, 60_000);
});
