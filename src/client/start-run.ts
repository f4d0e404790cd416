/**
 * Starts a runbook run: checks the inputs first (a bad input refuses the start, naming the input),
 * then starts `runbookWorkflow` with the plan, the principal and the trigger. The workflow id comes from the caller:
 * a trigger-derived id makes a repeated alert attach to the run it already started.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Plan } from '../runbook/plan.js';
import { resolveInputs } from '../runbook/resolve-inputs.js';
import type { InputSealer } from '../shared/input-sealer.js';
import type { Principal } from '../shared/principal.js';
import { PRINCIPAL, RUNBOOK, TRIGGER_SOURCE } from '../shared/search-attributes.js';
import { VigilError } from '../shared/vigil-error.js';
import type { runbookWorkflow } from '../workflows/runbook-workflow.js';
import type { TriggerInfo } from '../workflows/types.js';

export interface StartRunRequest {
  readonly plan: Plan;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly principal: Principal;
  readonly trigger: TriggerInfo;
  readonly taskQueue: string;
  /** Defaults to a fresh id; pass a trigger-derived one for exactly-once starts. */
  readonly workflowId?: string;
  /** Seals `sensitive: true` inputs before they reach Temporal; required when the runbook declares any. */
  readonly sealer?: InputSealer;
}

export interface StartedRun {
  readonly handle: WorkflowHandle<typeof runbookWorkflow>;
  readonly workflowId: string;
  /** False when the id already had a running run and this call attached to it. */
  readonly started: boolean;
}

export async function startRun(client: Client, request: StartRunRequest): Promise<StartedRun> {
  const resolved = resolveInputs(request.plan.inputs, request.inputs);
  if (!resolved.ok) {
    throw new VigilError('VIGIL_E_INPUT_INVALID', resolved.problems.map((p) => `input "${p.input}" ${p.reason}`).join('; '));
  }
  const workflowId = request.workflowId ?? `vigil-${request.plan.runbook.name}-${randomUUID()}`;
  const inputs = sealSensitive(request, resolved.values, workflowId);
  try {
    const handle = await client.workflow.start<typeof runbookWorkflow>('runbookWorkflow', {
      taskQueue: request.taskQueue,
      workflowId,
      args: [{ plan: request.plan, inputs, principal: request.principal, trigger: request.trigger }],
      // A second start for the same id fails at the server, whoever raced: that is what makes starts exactly-once.
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      // ...and a finished run keeps its id: a late retry of the same alert must not start it again.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: RUNBOOK, value: request.plan.runbook.name },
        { key: PRINCIPAL, value: request.principal.id },
        { key: TRIGGER_SOURCE, value: request.trigger.source },
      ],
    });
    return { handle, workflowId, started: true };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    return { handle: client.workflow.getHandle<typeof runbookWorkflow>(workflowId), workflowId, started: false };
  }
}

/** Sensitive values leave this process sealed to the run: Temporal history and its UI only ever hold the envelope. */
function sealSensitive(request: StartRunRequest, values: Record<string, unknown>, workflowId: string): Record<string, unknown> {
  const sensitive = request.plan.inputs.filter((spec) => spec.sensitive && values[spec.name] !== undefined);
  if (sensitive.length === 0) return values;
  if (!request.sealer) throw new VigilError('VIGIL_E_SEAL_KEY', `runbook ${request.plan.runbook.name} has sensitive inputs, and this client holds no input sealing key (VIGIL_SEAL_KEY)`);
  const sealed = { ...values };
  for (const spec of sensitive) sealed[spec.name] = request.sealer.seal(workflowId, spec.name, values[spec.name]);
  return sealed;
}
