/**
 * Reads what a run's Temporal history says about it, for the run timeline: who started it and how, the trace it
 * belongs to, each SQL step's output, and how the run closed. Pure: takes a fetched history, does no I/O.
 * Safe to show by construction: only masked rows cross into history (the SQL activity masks before it returns), and
 * this reader takes nothing else from activity results: no HTTP bodies, no run inputs.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { History, Payload } from '@temporalio/common/lib/proto-utils.js';
import type { SqlOutput } from '../activities/types.js';
import { principalChain, type Principal } from '../shared/principal.js';
import type { RunbookWorkflowResult } from '../workflows/types.js';

/** The header Temporal's OpenTelemetry interceptors carry the trace context in (W3C `traceparent`). */
const TRACE_HEADER = '_tracer-data';

/** At most this many rows of one step are shown: enough to judge, bounded for a phone. */
export const MAX_ROWS_SHOWN = 50;

export interface StepOutput {
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, unknown>[];
  readonly rowCount: number;
  /** Columns (or cells) masking changed, with why. */
  readonly masked: readonly string[];
  /** The step's result was cut at its max_rows, or here at MAX_ROWS_SHOWN. */
  readonly truncated: boolean;
}

export interface RunFacts {
  readonly runbook?: string;
  /** Who the run was started as: the requester its gates apply separation of duties to. */
  readonly principal?: Principal;
  readonly principalChain?: string;
  readonly triggerSource?: string;
  readonly triggerId?: string;
  /** 32 hex digits, from the trace context the client started the run with. */
  readonly traceId?: string;
  /** Per step label (`id`, or `id[2]` inside foreach), the last SQL output it produced. */
  readonly outputs: ReadonlyMap<string, StepOutput>;
  /** The workflow's result when it completed. */
  readonly result?: RunbookWorkflowResult;
  /** The failure when it failed: the error code (ApplicationFailure type) and message. */
  readonly failure?: { readonly code: string; readonly message: string };
}

function decode<T>(payload: Payload | null | undefined): T | undefined {
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload<T>(payload);
  } catch {
    // A payload this server can't decode (another converter, a codec) is left out rather than failing the page.
    return undefined;
  }
}

function traceIdOf(carrier: { traceparent?: unknown } | undefined): string | undefined {
  const m = typeof carrier?.traceparent === 'string' ? /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(carrier.traceparent) : null;
  return m?.[1];
}

function stepOutput(output: SqlOutput): StepOutput {
  const rows = Array.isArray(output.rows) ? output.rows : [];
  return {
    columns: Array.isArray(output.columns) ? output.columns : [],
    rows: rows.slice(0, MAX_ROWS_SHOWN),
    rowCount: typeof output.row_count === 'number' ? output.row_count : rows.length,
    masked: Array.isArray(output.masked) ? output.masked : [],
    truncated: output.truncated === true || rows.length > MAX_ROWS_SHOWN,
  };
}

export function readRunHistory(history: History): RunFacts {
  const facts: {
    runbook?: string;
    principal?: Principal;
    principalChain?: string;
    triggerSource?: string;
    triggerId?: string;
    traceId?: string;
    result?: RunbookWorkflowResult;
    failure?: { code: string; message: string };
  } = {};
  const outputs = new Map<string, StepOutput>();
  const sqlSteps = new Map<string, string>();
  for (const event of history.events ?? []) {
    const started = event.workflowExecutionStartedEventAttributes;
    if (started) {
      const input = decode<{ plan?: { runbook?: { name?: string } }; principal?: Principal; trigger?: { source?: string; id?: string } }>(started.input?.payloads?.[0]);
      facts.runbook = input?.plan?.runbook?.name;
      if (input?.principal) {
        facts.principal = input.principal;
        facts.principalChain = principalChain(input.principal);
      }
      facts.triggerSource = input?.trigger?.source;
      facts.triggerId = input?.trigger?.id;
      facts.traceId = traceIdOf(decode<{ traceparent?: unknown }>(started.header?.fields?.[TRACE_HEADER]));
    }
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled && scheduled.activityType?.name === 'executeGovernedSql') {
      const request = decode<{ step?: { id?: string } }>(scheduled.input?.payloads?.[0]);
      if (request?.step?.id) sqlSteps.set(String(event.eventId), request.step.id);
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed) {
      const step = sqlSteps.get(String(completed.scheduledEventId));
      const output = step === undefined ? undefined : decode<SqlOutput>(completed.result?.payloads?.[0]);
      if (step !== undefined && output) outputs.set(step, stepOutput(output));
    }
    const done = event.workflowExecutionCompletedEventAttributes;
    if (done) facts.result = decode<RunbookWorkflowResult>(done.result?.payloads?.[0]);
    const failed = event.workflowExecutionFailedEventAttributes;
    if (failed?.failure) {
      facts.failure = { code: failed.failure.applicationFailureInfo?.type || 'VIGIL_E_RUN_FAILED', message: failed.failure.message ?? '' };
    }
  }
  return { ...facts, outputs };
}

