/**
 * Asks a run for its gates, from the doors (the approval service and the run timeline). Each query has a deadline:
 * a query waits for a worker to answer, and a page must not hang at 2 a.m. because none is running.
 * Runs on workers older than the `vigil.gates` query answer only for their pending gates; those are returned then.
 */
import type { Client } from '@temporalio/client';
import type { GateView } from '../workflows/approval-gate.js';
import { gatesQuery, pendingGatesQuery } from '../workflows/definitions.js';

export const QUERY_DEADLINE_MS = 10_000;

export function withDeadline<T>(client: Client, fn: () => Promise<T>, ms = QUERY_DEADLINE_MS): Promise<T> {
  return client.connection.withDeadline(Date.now() + ms, fn);
}

export function pendingGates(client: Client, workflowId: string): Promise<GateView[]> {
  return withDeadline(client, () => client.workflow.getHandle(workflowId).query(pendingGatesQuery));
}

/** Every gate the run opened, decided or not. */
export async function allGates(client: Client, workflowId: string): Promise<GateView[]> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    return await withDeadline(client, () => handle.query(gatesQuery));
  } catch (error) {
    // An older worker knows only the pending-gates query; anything else (no such run, no worker) is the caller's.
    if (!/did not register a handler|QueryNotRegistered/i.test((error as Error).message ?? '')) throw error;
    return pendingGates(client, workflowId);
  }
}
