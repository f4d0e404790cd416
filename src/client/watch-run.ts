/**
 * Follows a run from a door: polls the workflow's status query and reports each step as it starts and ends,
 * then returns the result. Polling keeps the workflow free of any door-specific code.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { statusQuery } from '../workflows/definitions.js';
import type { runbookWorkflow } from '../workflows/runbook-workflow.js';
import type { RunbookWorkflowResult, StepStatus } from '../workflows/types.js';

export type StepEvent = { readonly type: 'started' | 'ended'; readonly step: StepStatus };

export type RunOutcome =
  | { readonly ok: true; readonly result: RunbookWorkflowResult }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly steps: readonly StepStatus[] };

export async function watchRun(
  handle: WorkflowHandle<typeof runbookWorkflow>,
  onEvent: (event: StepEvent) => void,
  pollMs = 200,
): Promise<RunOutcome> {
  const seen = new Map<string, string>();
  const report = (steps: readonly StepStatus[]) => {
    for (const step of steps) {
      const before = seen.get(step.id);
      if (before === step.state) continue;
      seen.set(step.id, step.state);
      if ((step.state === 'running' || step.state === 'waiting_approval') && before !== 'running' && before !== 'waiting_approval') {
        onEvent({ type: 'started', step });
      }
      if (step.state === 'succeeded' || step.state === 'failed' || step.state === 'skipped') onEvent({ type: 'ended', step });
    }
  };
  let done = false;
  const result = handle.result().finally(() => (done = true));
  // Observed below; this keeps a fast failure from counting as unhandled while a status query is in flight.
  result.catch(() => undefined);
  while (!done) {
    try {
      report((await handle.query(statusQuery)).steps);
    } catch {
      // The run may have closed between polls; its result below says how.
    }
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, pollMs))]);
  }
  try {
    const value = await result;
    report(value.steps);
    return { ok: true, result: value };
  } catch (error) {
    let steps: StepStatus[] = [];
    try {
      steps = (await handle.query(statusQuery)).steps;
      report(steps);
    } catch {
      // No worker to answer the query: report what the failure says.
    }
    if (error instanceof WorkflowFailedError) {
      const cause = error.cause as { type?: string; message?: string } | undefined;
      return { ok: false, code: cause?.type ?? 'VIGIL_E_RUN_FAILED', message: cause?.message ?? error.message, steps };
    }
    throw error;
  }
}
