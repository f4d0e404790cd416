/**
 * Signal and query definitions of the runbook workflow, shared by the workflow and its clients.
 * Pure definitions: safe to import on both sides of the sandbox.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ApprovalSignal, GateView } from './approval-gate.js';
import type { RunStatus } from './types.js';

export const statusQuery = defineQuery<RunStatus>('vigil.status');
export const pendingGatesQuery = defineQuery<GateView[]>('vigil.pendingGates');
/** Every gate the run opened, decided or not: who decided what, and how each closed (the run timeline shows them). */
export const gatesQuery = defineQuery<GateView[]>('vigil.gates');
export const approvalSignal = defineSignal<[ApprovalSignal]>('vigil.approval');
/** The alert that started the run resolved: pending gates close, and runbooks can read `trigger.resolved`. */
export const alertResolvedSignal = defineSignal<[{ readonly at: string }]>('vigil.alertResolved');
/**
 * The memo field where a run keeps its pending gates (as the pendingGates query answers): the approval service reads
 * it with `describe`, which the server answers without asking a worker.
 */
export const PENDING_GATES_MEMO = 'vigil_pending_gates';
