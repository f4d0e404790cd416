/**
 * What goes into a run and what a run reports. Pure types, shared by the workflow, the client and the doors.
 */
import type { Plan, StepKind } from '../runbook/plan.js';
import type { Principal } from '../shared/principal.js';

/** What started the run: a person at a terminal, an alert, an agent. Never holds credentials. */
export interface TriggerInfo {
  readonly source: string;
  /** Stable id of the event (e.g. alert fingerprint + startsAt); workflow ids derive from it. */
  readonly id?: string;
  readonly payload?: Readonly<Record<string, unknown>>;
}

export interface RunbookWorkflowInput {
  readonly plan: Plan;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly principal: Principal;
  readonly trigger: TriggerInfo;
}

export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'waiting_approval';

export interface StepStatus {
  /** For steps inside foreach: `id[index]`. */
  readonly id: string;
  readonly name: string;
  readonly kind: StepKind;
  state: StepState;
  startedAt?: string;
  endedAt?: string;
  error?: { readonly code: string; readonly message: string };
  /** The policy decision summary for SQL steps. */
  decision?: string;
  /** A one-line result, e.g. `3 rows`. Never row data. */
  summary?: string;
}

export interface RunStatus {
  readonly runbook: string;
  readonly planHash: string;
  state: 'running' | 'completed' | 'failed';
  readonly steps: StepStatus[];
}

export interface RunbookWorkflowResult {
  readonly runbook: string;
  readonly planHash: string;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly steps: readonly StepStatus[];
}
