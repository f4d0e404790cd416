/**
 * Turns the runs filter of the API and the UI (status, runbook, principal, trigger) into a Temporal visibility query
 * over Vigil's search attributes. Pure. Values are checked against a strict pattern instead of being escaped: the
 * visibility language has no bound parameters, and a value that needs quoting is not a runbook, principal or
 * trigger name anyway, so it is refused with a reason rather than spliced in.
 */
import { PRINCIPAL, RUNBOOK, TRIGGER_SOURCE, PENDING_APPROVAL } from '../shared/search-attributes.js';
import { VigilError } from '../shared/vigil-error.js';

/** The statuses a person filters by; `waiting` is a running run with an open approval gate. */
export const RUN_STATUSES = ['running', 'waiting', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'] as const;
export type RunStatusFilter = (typeof RUN_STATUSES)[number];

export interface RunFilter {
  readonly status?: string;
  readonly runbook?: string;
  readonly principal?: string;
  readonly trigger?: string;
  readonly limit?: number;
}

export const DEFAULT_RUN_LIMIT = 50;
export const MAX_RUN_LIMIT = 500;

const EXECUTION_STATUS: Record<Exclude<RunStatusFilter, 'waiting'>, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  timed_out: 'TimedOut',
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,199}$/;

function name(value: string, what: string): string {
  if (!NAME.test(value)) throw new VigilError('VIGIL_E_BAD_REQUEST', `${what} "${value.slice(0, 80)}" is not a name (letters, digits and _ . : @ / - only)`);
  return `'${value}'`;
}

/** Empty strings count as absent: an HTML form sends every field, filled or not. */
const given = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

export function runListQuery(filter: RunFilter): string {
  const where = [`WorkflowType = 'runbookWorkflow'`];
  if (given(filter.runbook)) where.push(`${RUNBOOK.name} = ${name(filter.runbook.trim(), 'runbook')}`);
  if (given(filter.principal)) where.push(`${PRINCIPAL.name} = ${name(filter.principal.trim(), 'principal')}`);
  if (given(filter.trigger)) where.push(`${TRIGGER_SOURCE.name} = ${name(filter.trigger.trim(), 'trigger')}`);
  if (given(filter.status)) {
    const status = filter.status.trim() as RunStatusFilter;
    if (!RUN_STATUSES.includes(status)) throw new VigilError('VIGIL_E_BAD_REQUEST', `status wants one of ${RUN_STATUSES.join(', ')}, got "${filter.status.slice(0, 40)}"`);
    if (status === 'waiting') where.push(`ExecutionStatus = 'Running'`, `${PENDING_APPROVAL.name} = true`);
    else where.push(`ExecutionStatus = '${EXECUTION_STATUS[status]}'`);
  }
  return where.join(' AND ');
}

export function runListLimit(limit: number | undefined): number {
  if (limit === undefined || Number.isNaN(limit)) return DEFAULT_RUN_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new VigilError('VIGIL_E_BAD_REQUEST', `limit wants a whole number from 1 to ${MAX_RUN_LIMIT}`);
  return Math.min(limit, MAX_RUN_LIMIT);
}
