/**
 * Runs as the doors show them: a filtered list from Temporal's visibility (Vigil's search attributes), and one run's
 * timeline from Temporal itself (its status and gates queries, its history). Temporal is the only source: nothing
 * here is stored or cached, so the API, the CLI and the web UI can't disagree about a run.
 */
import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { PENDING_APPROVAL, PRINCIPAL, RUNBOOK, TRIGGER_SOURCE } from '../shared/search-attributes.js';
import { VigilError } from '../shared/vigil-error.js';
import type { GateView } from '../workflows/approval-gate.js';
import { statusQuery } from '../workflows/definitions.js';
import type { StepStatus } from '../workflows/types.js';
import { allGates, withDeadline } from './gate-queries.js';
import { readRunHistory, type StepOutput } from './run-history.js';
import { runListLimit, runListQuery, type RunFilter } from './run-query.js';

export type RunState = 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled' | 'terminated' | 'timed_out' | 'unknown';

export interface RunSummary {
  readonly workflowId: string;
  readonly runId: string;
  readonly runbook: string;
  /** `waiting` is a running run with an open approval gate. */
  readonly status: RunState;
  readonly trigger: string;
  readonly principal: string;
  readonly startedAt: string;
  readonly closedAt?: string;
}

export interface TimelineStep extends StepStatus {
  readonly durationMs?: number;
  /** The step's SQL result as it crossed into history: masked, at most MAX_ROWS_SHOWN rows. */
  readonly output?: StepOutput;
}

export interface RunTimeline extends RunSummary {
  /** `agent:triage-bot -> human:alice`, outermost actor first. */
  readonly principalChain: string;
  readonly triggerId?: string;
  readonly steps: readonly TimelineStep[];
  /** Every gate the run opened, with who decided what. */
  readonly gates: readonly GateView[];
  readonly failure?: { readonly code: string; readonly message: string };
  readonly outputs?: Readonly<Record<string, unknown>>;
  readonly traceId?: string;
  /** This run in the Temporal UI, when the server knows where that is. */
  readonly temporalUrl?: string;
  /** This run's trace, when the server has a trace viewer URL template. */
  readonly traceUrl?: string;
  /** Set when the run could not answer for its steps or gates (no worker polling its task queue, usually). */
  readonly unavailable?: string;
}

export interface RunServiceDeps {
  readonly client: Client;
  readonly namespace: string;
  /** Base URL of the Temporal UI (VIGIL_TEMPORAL_UI). */
  readonly temporalUiUrl?: string;
  /** A trace viewer URL with `{traceId}` in it (VIGIL_TRACE_URL), e.g. http://jaeger:16686/trace/{traceId}. */
  readonly traceUrlTemplate?: string;
  /**
   * The trace id the audit recorded for a run's statements. A run started without client tracing has no trace
   * context in its history; its workflow then opened the trace, and every audited statement carries that trace's id.
   */
  readonly auditedTraceId?: (workflowId: string) => Promise<string | undefined>;
}

const STATUS: Record<string, RunState> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
};

function summary(info: Pick<WorkflowExecutionInfo, 'type' | 'workflowId' | 'runId' | 'status' | 'startTime' | 'closeTime' | 'typedSearchAttributes'>): RunSummary {
  const sa = info.typedSearchAttributes;
  const running = info.status.name === 'RUNNING';
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    runbook: String(sa.get(RUNBOOK) ?? info.type),
    status: running && sa.get(PENDING_APPROVAL) === true ? 'waiting' : (STATUS[info.status.name] ?? 'unknown'),
    trigger: String(sa.get(TRIGGER_SOURCE) ?? ''),
    principal: String(sa.get(PRINCIPAL) ?? ''),
    startedAt: info.startTime.toISOString(),
    ...(info.closeTime ? { closedAt: info.closeTime.toISOString() } : {}),
  };
}

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split('\n')[0] ?? '';
}

export function createRunService(deps: RunServiceDeps) {
  const { client } = deps;
  return {
    /** Runs matching the filter, newest first; at most `limit` (default 50). */
    async list(filter: RunFilter): Promise<RunSummary[]> {
      const query = runListQuery(filter);
      const limit = runListLimit(filter.limit);
      const out: RunSummary[] = [];
      for await (const info of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
        out.push(summary(info));
        if (out.length >= limit) break;
      }
      return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    },

    async get(workflowId: string): Promise<RunTimeline> {
      const handle = client.workflow.getHandle(workflowId);
      let described;
      try {
        described = await handle.describe();
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new VigilError('VIGIL_E_RUN_NOT_FOUND', `no run ${workflowId}`);
        throw error;
      }
      if (described.type !== 'runbookWorkflow') throw new VigilError('VIGIL_E_RUN_NOT_FOUND', `${workflowId} is not a Vigil run`);
      const facts = readRunHistory(await handle.fetchHistory());
      const problems: string[] = [];
      let steps: readonly StepStatus[] = facts.result?.steps ?? [];
      try {
        steps = (await withDeadline(client, () => handle.query(statusQuery))).steps;
      } catch (error) {
        if (!facts.result) problems.push(`its steps: ${firstLine(error)}`);
      }
      let gates: GateView[] = [];
      try {
        gates = await allGates(client, workflowId);
      } catch (error) {
        problems.push(`its gates: ${firstLine(error)}`);
      }
      const base = summary(described);
      const temporalUrl = deps.temporalUiUrl
        ? `${deps.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(described.runId)}`
        : undefined;
      const traceId = facts.traceId ?? (await deps.auditedTraceId?.(workflowId).catch(() => undefined));
      const traceUrl = traceId && deps.traceUrlTemplate ? deps.traceUrlTemplate.replaceAll('{traceId}', traceId) : undefined;
      return {
        ...base,
        runbook: facts.runbook ?? base.runbook,
        principalChain: facts.principalChain ?? base.principal,
        ...(facts.triggerId ? { triggerId: facts.triggerId } : {}),
        steps: steps.map((s) => {
          const output = facts.outputs.get(s.id);
          const durationMs = s.startedAt && s.endedAt ? Date.parse(s.endedAt) - Date.parse(s.startedAt) : undefined;
          return { ...s, ...(durationMs !== undefined ? { durationMs } : {}), ...(output ? { output } : {}) };
        }),
        gates,
        ...(facts.failure ? { failure: facts.failure } : {}),
        ...(facts.result ? { outputs: facts.result.outputs } : {}),
        ...(traceId ? { traceId } : {}),
        ...(temporalUrl ? { temporalUrl } : {}),
        ...(traceUrl ? { traceUrl } : {}),
        ...(problems.length ? { unavailable: `the run did not answer for ${problems.join('; ')}` } : {}),
      };
    },
  };
}

export type RunService = ReturnType<typeof createRunService>;
