/**
 * The activity interfaces that workflow code sees. Types only: workflows import this file with `import type`,
 * so no driver code can reach the sandbox. Everything here crosses into workflow history: keep it masked and bounded.
 */
import type { Decision } from '../governance/types.js';
import type { Principal } from '../shared/principal.js';

/** What a run knows about the step that asks for SQL: it becomes the audit record's intent. */
export interface SqlStepContext {
  readonly workflowId: string;
  readonly runId: string;
  readonly runbook: { readonly name: string; readonly tags: readonly string[] };
  readonly step: { readonly id: string; readonly intent?: string };
  readonly principal: Principal;
}

export interface GovernedSqlRequest extends SqlStepContext {
  readonly connection: string;
  readonly query: string;
  readonly params: readonly unknown[];
  readonly maxRows?: number;
  readonly expect?: { readonly rows?: number; readonly minRows?: number; readonly maxRows?: number };
  readonly timeoutMs: number;
}

/** A step's SQL output as runbooks read it: `steps.<id>.rows`, `.row_count`, `.columns`. Always masked. */
export interface SqlOutput {
  readonly rows: readonly Record<string, unknown>[];
  readonly row_count: number;
  readonly columns: readonly string[];
  /** Columns (or cells) that masking changed, with why; never the values. */
  readonly masked: readonly string[];
  readonly truncated: boolean;
  readonly command: string;
  readonly decision: Pick<Decision, 'effect' | 'summary'> & { readonly rules: readonly string[] };
}

export interface SqlActivities {
  /** Classify, decide, execute under guards, mask: the one seam every database step passes. */
  executeGovernedSql(request: GovernedSqlRequest): Promise<SqlOutput>;
}

export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly expectStatus: readonly number[];
  readonly timeoutMs: number;
}

export interface HttpOutput {
  readonly status: number;
  readonly body: unknown;
}

export interface NotifyRequest {
  readonly target: string;
  readonly text: string;
}

export interface IoActivities {
  httpRequest(request: HttpRequest): Promise<HttpOutput>;
  notify(request: NotifyRequest): Promise<{ readonly delivered: boolean }>;
}

export type VigilActivities = SqlActivities & IoActivities;
