/**
 * The runbook workflow: runs a compiled Plan durably.
 * Sandbox rules: import at runtime only @temporalio/workflow and pure modules; activities as types only;
 * no Date.now() outside workflow time, no Math.random(), no process.env, no file reads. The plan arrives in the input,
 * so editing a runbook never changes a run in flight.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  patched,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ApprovalActivities, ApprovalCheck } from '../activities/types.js';
import { renderTemplate } from '../expressions/render-template.js';
import { resolveInputs } from '../runbook/resolve-inputs.js';
import type { ApprovalGate, ApprovalSignal } from './approval-gate.js';
import { alertResolvedSignal, approvalSignal, gatesQuery, pendingGatesQuery, statusQuery } from './definitions.js';
import { Interpreter } from './interpreter.js';
import { decidePatchesAtStart, PATCH } from './patches.js';
import { publishGates } from './publish-gates.js';
import type { RunbookWorkflowInput, RunbookWorkflowResult, RunStatus } from './types.js';
import { signatureVerifies } from './verify-in-workflow.js';

const verifier = proxyLocalActivities<ApprovalActivities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3 } });

export async function runbookWorkflow(input: RunbookWorkflowInput): Promise<RunbookWorkflowResult> {
  decidePatchesAtStart();
  const { plan } = input;
  const info = workflowInfo();
  const status: RunStatus = { runbook: plan.runbook.name, planHash: plan.hash, state: 'running', steps: [] };
  const gates = new Map<string, ApprovalGate>();

  setHandler(statusQuery, () => status);
  setHandler(pendingGatesQuery, () => [...gates.values()].filter((g) => !g.settled).map((g) => g.view()));
  // A query adds nothing to history, so adding one keeps recorded histories replaying.
  setHandler(gatesQuery, () => [...gates.values()].map((g) => g.view()));
  setHandler(approvalSignal, async (signal) => {
    // Anyone can send anything: a signal without the shape of a decision names nobody, and must not fail the task.
    if (!isDecision(signal)) return;
    // A decision for a gate that is not open is dropped: nothing to count it toward.
    const gate = gates.get(signal.gateId);
    if (!gate || gate.settled) return;
    // Anyone with namespace access can signal: only a decision the approval service signed counts. The gate checks the
    // signature itself with the key it recorded on opening; anything else (a key rotated since, an approval signed
    // without groups, a forgery) goes to the worker, which judges it with its current key and records a forgery.
    const claims = { workflowId: info.workflowId, gateId: signal.gateId, statementHash: gate.statementHash, decision: signal.decision, approver: signal.approver.id, at: signal.at };
    const signedGroups = stringList(signal.approver.groups);
    const check: ApprovalCheck =
      gate.signingKey && signedGroups && signatureVerifies({ ...claims, groups: signedGroups }, signal.signature, gate.signingKey)
        ? { valid: true, groups: signedGroups, signedGroups }
        : await verifier.verifyApprovalSignal({ ...claims, ...(signedGroups ? { groups: signedGroups } : {}), signature: signal.signature });
    if (check.valid) {
      const offered = gate.offer({ ...signal, approver: { id: signal.approver.id, groups: check.groups } }, check.signedGroups);
      // A genuine decision the gate did not count (its own requester, a second decision, outside the groups) is
      // evidence too; a forged one was recorded by the verifier.
      if (!offered.accepted && patched(PATCH.AUDIT_GATE_DECISIONS)) {
        await verifier.recordApprovalRefusal({ workflowId: info.workflowId, gateId: signal.gateId, approver: signal.approver.id, decision: signal.decision, at: signal.at, reason: offered.reason });
      }
    } else gate.reject(signal, check.reason);
    publishGates(gates.values());
  });

  const trigger: Record<string, unknown> = { ...(input.trigger.payload ?? {}), resolved: false };
  setHandler(alertResolvedSignal, (resolution) => {
    trigger.resolved = true;
    // Read defensively, as for decisions: a malformed signal must not fail the task.
    trigger.resolved_at = typeof resolution?.at === 'string' ? resolution.at : undefined;
    for (const gate of gates.values()) gate.close('cancelled', 'the alert that started this run resolved');
  });

  const resolved = resolveInputs(plan.inputs, input.inputs, { sensitiveSealed: true });
  if (!resolved.ok) {
    status.state = 'failed';
    const unsealed = resolved.problems.some((p) => p.unsealed);
    throw ApplicationFailure.create({
      type: unsealed ? 'VIGIL_E_SEALED_INPUT' : 'VIGIL_E_INPUT_INVALID',
      message: resolved.problems.map((p) => `input "${p.input}" ${p.reason}`).join('; '),
      nonRetryable: true,
    });
  }

  const context = {
    inputs: resolved.values,
    steps: {} as Record<string, unknown>,
    trigger,
    run: { id: info.runId, workflow_id: info.workflowId, principal: input.principal.id },
  };
  const interpreter = new Interpreter(input, { workflowId: info.workflowId, runId: info.runId }, status, gates);
  try {
    await interpreter.runSteps(plan.steps, context);
  } catch (error) {
    status.state = 'failed';
    await condition(allHandlersFinished);
    throw error;
  }

  const outputs: Record<string, unknown> = {};
  for (const [name, template] of Object.entries(plan.outputs)) {
    try {
      outputs[name] = renderTemplate(template, context);
    } catch (error) {
      status.state = 'failed';
      throw ApplicationFailure.create({ type: 'VIGIL_E_STEP_TEMPLATE', message: `output ${name}: ${(error as Error).message}`, nonRetryable: true });
    }
  }
  status.state = 'completed';
  await condition(allHandlersFinished);
  return { runbook: plan.runbook.name, planHash: plan.hash, outputs, steps: status.steps };
}

function isDecision(signal: unknown): signal is ApprovalSignal {
  const s = signal as Partial<ApprovalSignal> | null;
  return typeof s?.gateId === 'string' && (s.decision === 'approve' || s.decision === 'deny') && typeof s.approver?.id === 'string' && typeof s.at === 'string';
}

/** A signal's claimed groups, when they are a list of strings; anything else is treated as no claim at all. */
function stringList(value: unknown): readonly string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}
