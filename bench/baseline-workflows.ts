/**
 * Workflows bundled only for the interpreter benchmark: the runbook interpreter, and a hand-written workflow that
 * calls the same activity the same number of times, as the baseline.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { IoActivities } from '../src/activities/types.js';

export { runbookWorkflow } from '../src/workflows/runbook-workflow.js';

const { notify } = proxyActivities<IoActivities>({ startToCloseTimeout: '10 seconds' });

export async function handWrittenWorkflow(steps: number): Promise<number> {
  for (let i = 0; i < steps; i++) await notify({ target: 'bench', text: `step ${i}` });
  return steps;
}
