/**
 * Workflows bundled only for the benchmarks' baselines: the runbook interpreter, a hand-written workflow that calls
 * the same activity the same number of times, and a workflow that only waits for one signal.
 */
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ExecuteSqlRequest, IoActivities, SqlActivities, SqlOutput } from '../src/activities/types.js';

export { runbookWorkflow } from '../src/workflows/runbook-workflow.js';

const { notify } = proxyActivities<IoActivities>({ startToCloseTimeout: '10 seconds' });

export async function handWrittenWorkflow(steps: number): Promise<number> {
  for (let i = 0; i < steps; i++) await notify({ target: 'bench', text: `step ${i}` });
  return steps;
}

export const goSignal = defineSignal('go');
const { executeGovernedSql } = proxyActivities<SqlActivities>({ startToCloseTimeout: '10 seconds' });

/** A plain signal, then the same governed statement as the gated step, with no gate, check or verification. */
export async function signalThenStatement(request: ExecuteSqlRequest): Promise<SqlOutput> {
  let go = false;
  setHandler(goSignal, () => {
    go = true;
  });
  await condition(() => go);
  return executeGovernedSql(request);
}
