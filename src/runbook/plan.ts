/**
 * The compiled form of a runbook: plain, readonly JSON that a workflow interprets.
 * Pure types and nothing else: imported by the compiler and by workflow code alike.
 *
 * Adding a step kind means: one schema branch, one compiler case, one interpreter case, one test.
 * The `StepNode` union is what makes the type checker point at every place that was missed.
 */

/** A value whose text may contain `${{ cel }}` expressions, compiled ahead of time. */
export type Template =
  /** A plain value: no expression anywhere inside. */
  | { readonly kind: 'literal'; readonly value: unknown }
  /** The whole value is one expression: `${{ inputs.limit }}` keeps its type (number stays number). */
  | { readonly kind: 'expr'; readonly expr: string }
  /** Text with embedded expressions, evaluated and joined into a string. */
  | { readonly kind: 'interpolate'; readonly parts: readonly (string | { readonly expr: string })[] }
  /** An object or array whose members are templates. */
  | { readonly kind: 'object'; readonly entries: Readonly<Record<string, Template>> }
  | { readonly kind: 'array'; readonly items: readonly Template[] };

/** Where a node came from in the YAML, for errors and audit. */
export interface SourceLocation {
  readonly line: number;
  readonly col: number;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly initialIntervalMs: number;
  readonly backoffCoefficient: number;
}

export type OnError =
  | { readonly kind: 'fail' }
  | { readonly kind: 'continue' }
  | { readonly kind: 'compensate'; readonly steps: readonly StepNode[] };

interface StepBase {
  readonly id: string;
  readonly name: string;
  /** Why the step exists, in one sentence. Required on database steps: it becomes the audit intent. */
  readonly intent?: string;
  /** CEL condition; the step is skipped when it evaluates to false. */
  readonly when?: string;
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly onError: OnError;
  readonly source: SourceLocation;
}

export interface SqlExpectation {
  /** Exactly this many rows returned or affected. */
  readonly rows?: number;
  readonly minRows?: number;
  readonly maxRows?: number;
}

export interface SqlStep extends StepBase {
  readonly kind: 'sql';
  /** A connection name, resolved by the worker per environment. Never a URL. */
  readonly connection: string;
  /** SQL text with `$1`-style placeholders; never built from input. */
  readonly query: string;
  readonly params: readonly Template[];
  /** Indexes of params computed from a `sensitive: true` input: bound as they are, recorded and shown redacted. */
  readonly sensitiveParams?: readonly number[];
  /** Write guard: more rows affected than this rolls the transaction back. Also caps returned rows. */
  readonly maxRows?: number;
  readonly expect?: SqlExpectation;
}

export interface ApprovalStep extends StepBase {
  readonly kind: 'approval';
  /** Each entry is a group and how many distinct approvals it must give; all entries must be met. */
  readonly approvers: readonly { readonly group: string; readonly count: number }[];
  readonly timeoutMs?: number;
  readonly escalateTo?: readonly { readonly group: string; readonly count: number }[];
  readonly message: Template;
}

export interface HttpStep extends StepBase {
  readonly kind: 'http';
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  readonly url: Template;
  readonly headers: Readonly<Record<string, Template>>;
  readonly body?: Template;
  /** Accepted status codes; empty means any 2xx. */
  readonly expectStatus: readonly number[];
}

export interface NotifyStep extends StepBase {
  readonly kind: 'notify';
  /** A named chat target, resolved by the worker's config (Slack-compatible incoming webhook). */
  readonly target: string;
  readonly text: Template;
}

export interface WaitStep extends StepBase {
  readonly kind: 'wait';
  readonly durationMs: number;
}

export interface ParallelStep extends StepBase {
  readonly kind: 'parallel';
  readonly steps: readonly StepNode[];
}

export interface ForeachStep extends StepBase {
  readonly kind: 'foreach';
  /** CEL expression yielding a list; each element is bound as `item` (and `index`). */
  readonly items: string;
  readonly maxConcurrency: number;
  readonly steps: readonly StepNode[];
}

export type StepNode = SqlStep | ApprovalStep | HttpStep | NotifyStep | WaitStep | ParallelStep | ForeachStep;
export type StepKind = StepNode['kind'];

export type InputType = 'string' | 'integer' | 'number' | 'boolean' | 'enum' | 'array' | 'object' | 'duration';

export interface InputSpec {
  readonly name: string;
  readonly type: InputType;
  readonly required: boolean;
  readonly default?: unknown;
  readonly description?: string;
  readonly pattern?: string;
  readonly enum?: readonly (string | number)[];
  /** Never logged or shown unmasked. */
  readonly sensitive: boolean;
}

export interface TriggerSpec {
  /** Source kind: alertmanager, grafana, pagerduty or generic. */
  readonly source: string;
  /** Label matchers: exact value, or `~regex`. */
  readonly match: Readonly<Record<string, string>>;
  readonly severity?: readonly string[];
  /** Input name -> template over `trigger`. */
  readonly inputs: Readonly<Record<string, Template>>;
  /** Generic sources only: template over `trigger` giving the event's identity (its workflow id). */
  readonly key?: Template;
  /** Generic sources only: CEL condition over `trigger`; true makes the event resolve the run with the same key. */
  readonly resolved?: string;
}

export interface Plan {
  readonly apiVersion: 'vigil/plan/v1';
  readonly runbook: {
    readonly name: string;
    readonly title?: string;
    readonly description?: string;
    readonly owner?: string;
    readonly tags: readonly string[];
    /** The file it was compiled from and the hash of its text: the runbook's source version. */
    readonly sourceFile: string;
    readonly sourceHash: string;
  };
  readonly inputs: readonly InputSpec[];
  readonly steps: readonly StepNode[];
  readonly outputs: Readonly<Record<string, Template>>;
  readonly triggers: readonly TriggerSpec[];
  /** sha256 over the canonical JSON of everything above. */
  readonly hash: string;
}
