/** How a run looks in a terminal: one line per step start and end, then the outcome. */
import type { RunOutcome, StepEvent } from '../client/watch-run.js';

const MARK: Record<string, string> = { succeeded: '✓', failed: '✗', skipped: '·' };

export function printStepEvent(event: StepEvent): void {
  const { step } = event;
  const id = step.id.padEnd(22);
  if (event.type === 'started') {
    console.log(`  ▶ ${id} ${step.state === 'waiting_approval' ? 'waiting for approval: ' : ''}${step.name}`);
    return;
  }
  const ms = step.startedAt && step.endedAt ? ` · ${Date.parse(step.endedAt) - Date.parse(step.startedAt)} ms` : '';
  const detail = step.error ? `${step.error.code}  ${step.error.message}` : [step.summary, step.decision].filter(Boolean).join(' · ');
  console.log(`  ${MARK[step.state] ?? '?'} ${id} ${step.state === 'skipped' ? 'skipped (condition false)' : detail}${ms}`);
}

export function printOutcome(outcome: RunOutcome): void {
  if (!outcome.ok) {
    console.error(`Run failed: ${outcome.code}  ${outcome.message}`);
    return;
  }
  const outputs = Object.entries(outcome.result.outputs);
  console.log(outputs.length === 0 ? 'Run completed.' : 'Run completed. Outputs:');
  for (const [name, value] of outputs) console.log(`  ${name}: ${JSON.stringify(value)}`);
}

export function runLink(uiUrl: string | undefined, namespace: string, workflowId: string): string | undefined {
  return uiUrl ? `${uiUrl.replace(/\/$/, '')}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}` : undefined;
}
