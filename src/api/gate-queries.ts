/**
 * Asks a run for its gates, from the doors (the approval service and the run timeline). Each query has a deadline:
 * a query waits for a worker to answer, and a page must not hang at 2 a.m. because none is running.
 * Runs on workers older than the `vigil.gates` query answer only for their pending gates; those are returned then.
 */
import type { Client } from '@temporalio/client';
import type { Principal } from '../shared/principal.js';
import type { GateView } from '../workflows/approval-gate.js';
import { gatesQuery, PENDING_GATES_MEMO, pendingGatesQuery } from '../workflows/definitions.js';
import { readRunHistory } from './run-history.js';

export const QUERY_DEADLINE_MS = 10_000;

export function withDeadline<T>(client: Client, fn: () => Promise<T>, ms = QUERY_DEADLINE_MS): Promise<T> {
  return client.connection.withDeadline(Date.now() + ms, fn);
}

export function pendingGates(client: Client, workflowId: string, ms = QUERY_DEADLINE_MS): Promise<GateView[]> {
  return withDeadline(client, () => client.workflow.getHandle(workflowId).query(pendingGatesQuery), ms);
}

/**
 * The pending gates as the run last published them in its memo, read from the server alone (no worker round trip);
 * undefined for runs that keep no such memo (started before it existed). It may trail the run by one workflow task.
 */
export async function pendingGatesFromMemo(client: Client, workflowId: string, ms = QUERY_DEADLINE_MS): Promise<GateView[] | undefined> {
  const described = await withDeadline(client, () => client.workflow.getHandle(workflowId).describe(), ms);
  const gates = described.memo?.[PENDING_GATES_MEMO];
  return Array.isArray(gates) ? (gates as GateView[]) : undefined;
}

/** Every gate the run opened, decided or not. */
export async function allGates(client: Client, workflowId: string, ms = QUERY_DEADLINE_MS): Promise<GateView[]> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    return await withDeadline(client, () => handle.query(gatesQuery), ms);
  } catch (error) {
    // An older worker knows only the pending-gates query; anything else (no such run, no worker) is the caller's.
    if (!/did not register a handler|QueryNotRegistered/i.test((error as Error).message ?? '')) throw error;
    return pendingGates(client, workflowId, ms);
  }
}

/**
 * Who requested a run, as its gates see them (owner and on-behalf-of included): the principal it was started with,
 * read from its first history event. Needs no worker; undefined when the start can't be decoded.
 */
export async function requesterOf(client: Client, workflowId: string): Promise<Principal | undefined> {
  const { history } = await withDeadline(client, () =>
    client.workflowService.getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId }, maximumPageSize: 1 }),
  );
  return history ? readRunHistory(history).principal : undefined;
}
