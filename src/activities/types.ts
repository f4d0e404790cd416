/**
 * The activity interfaces that workflow code sees. Types only: workflows import this file with `import type`,
 * so no driver code can reach the sandbox. Everything here crosses into workflow history: keep it masked and bounded.
 */
import type { ApprovalClaims } from '../approvals/approval-claims.js';
import type { Effect, StatementClass } from '../governance/types.js';
import type { Template } from '../runbook/plan.js';
import type { ErrorCode } from '../shared/error-codes.js';
import type { Principal } from '../shared/principal.js';

/** What a run knows about the step that asks for SQL: it becomes the audit record's intent. */
export interface SqlStepContext {
  readonly workflowId: string;
  readonly runId: string;
  readonly runbook: { readonly name: string; readonly tags: readonly string[] };
  readonly step: { readonly id: string; readonly intent?: string };
  readonly principal: Principal;
  /** What started the run (`alertmanager`, its alert id and name): part of the intent an audit record carries. */
  readonly trigger?: { readonly source: string; readonly id?: string; readonly name?: string };
}

export interface GovernedSqlRequest extends SqlStepContext {
  readonly connection: string;
  readonly query: string;
  readonly params: readonly unknown[];
  /** Indexes of params that come from sensitive inputs: never shown or recorded, whatever the detectors say. */
  readonly sensitiveParams?: readonly number[];
  /**
   * The templates of those params (their place in `params` holds null): the activity renders them from `inputs`,
   * after opening the sealed sensitive inputs, so their values never enter workflow history.
   */
  readonly sealedParams?: readonly { readonly index: number; readonly template: Template }[];
  /** The run's inputs, sensitive ones still sealed: sent only when there are sealedParams. */
  readonly inputs?: Readonly<Record<string, unknown>>;
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
  readonly decision: { readonly effect: Effect; readonly summary: string; readonly rules: readonly string[] };
}

/** The policy's verdict on a statement before it runs: what an approver is shown. Never holds raw parameter values. */
export interface SqlCheck {
  readonly effect: Effect;
  /** One line: `denied by prod-no-ddl: DROP TABLE on production (payments-primary)`. */
  readonly summary: string;
  readonly rules: readonly { readonly id: string; readonly effect: Effect; readonly reason: string }[];
  readonly approvers: readonly { readonly group: string; readonly count: number }[];
  /** sha256 over connection, statement text and parameters: approvals bind to exactly this. */
  readonly statementHash: string;
  readonly connection: string;
  readonly environment: string;
  readonly statement: string;
  /** Parameters as an approver may see them: masked. */
  readonly params: readonly unknown[];
  readonly classification: {
    readonly command: string;
    readonly class: StatementClass;
    readonly tablesRead: readonly string[];
    readonly tablesWritten: readonly string[];
    readonly flags: readonly string[];
  };
  /** For statements that need approval: PostgreSQL's estimate of their impact (EXPLAIN; nothing executes). */
  readonly preview?: {
    readonly estimatedRows: number;
    readonly plan: string;
    /** Where policy allows a dry run: rows the write changed in a rolled-back transaction, and a masked sample (RETURNING). */
    readonly dryRunRows?: number;
    readonly sample?: readonly Record<string, unknown>[];
    readonly dryRunError?: string;
  };
}

/** An approval as the gate recorded it, handed to execution for verification. */
export interface GrantedApproval {
  readonly approver: string;
  readonly group?: string;
  readonly at: string;
  readonly signature?: string;
  readonly comment?: string;
  /** The groups the signature covers (claims version 2); absent for approvals signed before groups were. */
  readonly groups?: readonly string[];
}

export interface ExecuteSqlRequest extends GovernedSqlRequest {
  /** The hash the approvals were given for; execution refuses if the statement now hashes differently. */
  readonly statementHash: string;
  readonly approvals: readonly GrantedApproval[];
  /** The dry run's row count the approvers saw: execution may exceed it only by the policy's tolerance. */
  readonly previewRows?: number;
  /** The gate the approvals were given at (the step id, or `<step>/2` after a re-opened gate). */
  readonly gateId?: string;
}

export interface SqlActivities {
  /** Classify and decide, without executing: the gate (if any) opens on its answer. */
  checkSql(request: GovernedSqlRequest): Promise<SqlCheck>;
  /** Re-check, verify approvals, execute under guards, mask, audit: the one seam every database step passes. */
  executeGovernedSql(request: ExecuteSqlRequest): Promise<SqlOutput>;
  /** Records a statement an approver denied at its gate: nothing ran, and the audit says who stopped it and why. */
  recordSqlDenial(request: GovernedSqlRequest & { readonly reason: string; readonly code: ErrorCode }): Promise<void>;
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

/** What a chat message about a newly opened gate may say: no row data, statement parameters masked. */
export interface GateAnnouncement {
  readonly workflowId: string;
  readonly gateId: string;
  readonly runbook: string;
  readonly requester: string;
  readonly message: string;
  readonly required: readonly { readonly group: string; readonly count: number }[];
  readonly statement?: string;
  readonly decision?: string;
  readonly impact?: string;
}

export interface IoActivities {
  httpRequest(request: HttpRequest): Promise<HttpOutput>;
  notify(request: NotifyRequest): Promise<{ readonly delivered: boolean }>;
  /** Tells the approvers' chat channel that a gate waits for them (no-op when none is configured). */
  announceGate(announcement: GateAnnouncement): Promise<{ readonly delivered: boolean }>;
}

/** A decision as it arrived in a signal: the claims a signature must cover, unproven until it verifies. */
export type ApprovalToVerify = ApprovalClaims & { readonly signature?: string };

export type ApprovalCheck =
  /** `groups` count at the gate; `signedGroups` is set when the signature covers the groups (version 2). */
  | { readonly valid: true; readonly groups: readonly string[]; readonly signedGroups?: readonly string[] }
  | { readonly valid: false; readonly reason: string };

export interface ApprovalActivities {
  /** The approval service's public key, raw and hex: a gate records it when it opens, to check signatures itself. */
  approvalPublicKey(): Promise<string>;
  /**
   * Verifies the approval service's signature and says which groups count: the signed ones (version 2), or the
   * identity config's for an approval signed without groups. The gate asks only when its own check did not pass.
   */
  verifyApprovalSignal(approval: ApprovalToVerify): Promise<ApprovalCheck>;
  /** Records a verified decision the gate did not count (self-approval, a second decision, outside the groups). */
  recordApprovalRefusal(refusal: ApprovalRefusal): Promise<void>;
}

export interface ApprovalRefusal {
  readonly workflowId: string;
  readonly gateId: string;
  readonly approver: string;
  readonly decision: 'approve' | 'deny';
  readonly at: string;
  readonly reason: string;
}

export type VigilActivities = SqlActivities & IoActivities & ApprovalActivities;
