/**
 * A compiled plan as a tree a person reads before 2 a.m.: each step with its kind, condition, connection and gate,
 * nesting shown by indentation, and, for SQL steps, the policy decision the run will meet.
 */
import type { Plan, StepNode } from '../runbook/plan.js';

export type StepDecision = (step: Extract<StepNode, { kind: 'sql' }>) => string | undefined;

function describe(step: StepNode): string {
  switch (step.kind) {
    case 'sql':
      return `sql on ${step.connection}${step.maxRows !== undefined ? `, max_rows ${step.maxRows}` : ''}${step.expect?.rows !== undefined ? `, expects ${step.expect.rows} row(s)` : ''}`;
    case 'approval':
      return `approval gate: ${step.approvers.map((a) => `${a.count} of ${a.group}`).join(' + ')}${step.timeoutMs ? `, timeout ${step.timeoutMs / 1000}s` : ''}${step.escalateTo?.length ? `, then ${step.escalateTo.map((a) => a.group).join(', ')}` : ''}`;
    case 'http':
      return `http ${step.method}`;
    case 'notify':
      return `notify ${step.target}`;
    case 'wait':
      return `wait ${step.durationMs / 1000}s`;
    case 'parallel':
      return `parallel (${step.steps.length} branches)`;
    case 'foreach':
      return `foreach ${step.items} (max ${step.maxConcurrency} at once)`;
  }
}

function lines(steps: readonly StepNode[], depth: number, decision: StepDecision | undefined, out: string[]): void {
  const pad = '  '.repeat(depth);
  for (const step of steps) {
    out.push(`${pad}- ${step.id}: ${describe(step)}${step.name !== step.id ? `  "${step.name}"` : ''}`);
    if (step.when) out.push(`${pad}    when: ${step.when}`);
    if (step.intent) out.push(`${pad}    intent: ${step.intent}`);
    if (step.kind === 'sql') {
      const verdict = decision?.(step);
      if (verdict) out.push(`${pad}    policy: ${verdict}`);
    }
    if (step.onError.kind !== 'fail') out.push(`${pad}    on_error: ${step.onError.kind}`);
    if (step.kind === 'parallel' || step.kind === 'foreach') lines(step.steps, depth + 1, decision, out);
    if (step.onError.kind === 'compensate') lines(step.onError.steps, depth + 2, decision, out);
  }
}

export function formatPlan(plan: Plan, decision?: StepDecision): string {
  const out = [`${plan.runbook.name}${plan.runbook.title ? `: ${plan.runbook.title}` : ''}  (plan ${plan.hash.slice(0, 12)})`];
  if (plan.inputs.length) {
    out.push('inputs:');
    for (const i of plan.inputs) out.push(`  ${i.name}: ${i.type}${i.required ? ', required' : ''}${i.default !== undefined ? `, default ${i.sensitive ? '(sensitive)' : JSON.stringify(i.default)}` : ''}${i.sensitive ? ', sensitive' : ''}`);
  }
  out.push('steps:');
  lines(plan.steps, 1, decision, out);
  const outputs = Object.keys(plan.outputs);
  if (outputs.length) out.push(`outputs: ${outputs.join(', ')}`);
  return out.join('\n');
}
