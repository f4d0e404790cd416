/**
 * What the audit store holds: for each governed statement its intent (why), its action (who, on whose behalf, what,
 * allowed by which rules and approvals) and its outcome (what happened), plus the events that stopped or relaxed
 * governance (denials, rejected approvals, masking exemptions). Pure types. Values arrive masked: the store never
 * sees raw parameters or unmasked error text.
 */
import type { Effect } from '../governance/types.js';

export type AuditKind = 'attempt' | 'outcome' | 'denial' | 'approval_rejected' | 'masking_exemption';

/** Kinds recorded through `recordEvent`: each carries the statement's context and a reason. */
export type AuditEventKind = 'denial' | 'approval_rejected' | 'masking_exemption';

export const AUDIT_KINDS: readonly AuditKind[] = ['attempt', 'outcome', 'denial', 'approval_rejected', 'masking_exemption'];
export const AUDIT_EVENT_KINDS: readonly AuditEventKind[] = ['denial', 'approval_rejected', 'masking_exemption'];

/** A policy rule that matched, as stored. `reason` is null when the caller gave only the rule id. */
export interface AuditRule {
  readonly id: string;
  readonly effect?: Effect;
  readonly reason: string | null;
}

export interface AuditApproval {
  readonly approver: string;
  readonly group?: string;
  /** ISO time of the approval, as signed by the approval service. */
  readonly at: string;
}

/** Who, on whose behalf, why and what: the context shared by attempts and events, as stored. */
export interface AuditAttempt {
  readonly workflowId: string;
  readonly runId: string;
  readonly runbook: string;
  readonly stepId: string;
  readonly intent: string;
  /** What started the run: `alertmanager` with the alert's id and name, `cli`, `mcp` ... (absent in older records). */
  readonly trigger?: { readonly source: string; readonly id?: string; readonly name?: string };
  readonly principal: string;
  /** `agent:triage-bot -> human:alice`, outermost actor first. */
  readonly principalChain: string;
  readonly onBehalfOf: string | null;
  readonly connection: string;
  readonly environment: string;
  /** The statement with literals replaced by placeholders. */
  readonly statement: string;
  readonly statementHash: string;
  /** Bound parameters, already masked. */
  readonly params: readonly unknown[];
  readonly command: string;
  /** read, write, ddl, admin or transaction (governance/types.ts StatementClass); a string so old records still read. */
  readonly statementClass: string;
  readonly tablesRead: readonly string[];
  readonly tablesWritten: readonly string[];
  /** `table.column` for every column the statement writes, when the statement names them. */
  readonly columnsWritten: readonly string[];
  readonly flags: readonly string[];
  readonly decision: { readonly effect: Effect | (string & {}); readonly summary: string; readonly rules: readonly AuditRule[] };
  readonly approvals: readonly AuditApproval[];
  /** A masking exemption that applied to this statement's result: what the principal saw unmasked, and why. */
  readonly maskingExemption?: { readonly id: string; readonly reason: string; readonly columns: readonly string[] };
  /** W3C trace context of the span that executed the statement (32 and 16 hex digits), when there was one. */
  readonly traceId: string | null;
  readonly spanId: string | null;
}

/**
 * What callers pass for an attempt: the stored shape, except that matched rules may be given as bare ids.
 * The store normalises them to `{ id, reason: null }` before hashing.
 */
export type AttemptInput = Omit<AuditAttempt, 'decision'> & {
  readonly decision: { readonly effect: Effect | (string & {}); readonly summary: string; readonly rules: readonly (string | AuditRule)[] };
};

export type OutcomeStatus = 'succeeded' | 'failed' | 'rolled_back';

/** After execution. Linked to its attempt by `attemptId`. */
export interface AuditOutcome {
  readonly attemptId: string;
  readonly status: OutcomeStatus;
  readonly rows: number | null;
  readonly errorCode: string | null;
  /** Already masked by the caller. */
  readonly errorMessage: string | null;
  readonly durationMs: number;
}

export type OutcomeInput = Omit<AuditOutcome, 'attemptId'>;

/**
 * A denial (policy or approval verification stopped the statement: nothing ran), a rejected approval (one approver's
 * approval did not count, and why) or a masking exemption (columns left unmasked for this principal, and the rule).
 */
export interface AuditEvent extends AuditAttempt {
  readonly reason: string;
  /** The error code the step failed with, for denials. */
  readonly code?: string;
  /** For `approval_rejected`: whose approval was rejected. */
  readonly approver?: string;
  /** For `masking_exemption`: the result columns left unmasked. */
  readonly columns?: readonly string[];
}

export type AuditEventInput = Omit<AuditEvent, 'decision'> & { readonly decision: AttemptInput['decision'] };

/**
 * An approval decision that reached a gate but did not count (forged, replayed, from an unknown approver), recorded
 * when the gate checks it, before any statement: kind `approval_rejected`, without a statement's context.
 */
export interface AuditApprovalRejection {
  readonly workflowId: string;
  readonly gateId: string;
  readonly approver: string;
  readonly decision: 'approve' | 'deny';
  /** The time the approval claims. */
  readonly claimedAt: string;
  readonly reason: string;
}

export type AuditRecord = AuditAttempt | AuditOutcome | AuditEvent | AuditApprovalRejection;

interface RowBase {
  /** Position in the chain: 1, 2, 3, ... without gaps. */
  readonly seq: number;
  readonly id: string;
  /** ISO time from the writer's clock; `seq`, not `at`, orders the chain. */
  readonly at: string;
  readonly prevHash: string;
  readonly hash: string;
}

export interface OutcomeRow extends RowBase {
  readonly kind: 'outcome';
  readonly record: AuditOutcome;
}

export interface AttemptRow extends RowBase {
  readonly kind: 'attempt';
  readonly record: AuditAttempt;
  /** Filled in by `search`: the outcome of this attempt, when one was recorded. */
  readonly outcome?: OutcomeRow;
}

export interface EventRow extends RowBase {
  readonly kind: AuditEventKind;
  readonly record: AuditEvent;
}

export interface RejectionRow extends RowBase {
  readonly kind: 'approval_rejected';
  readonly record: AuditApprovalRejection;
}

export type AuditRow = AttemptRow | OutcomeRow | EventRow | RejectionRow;

/** What an append returns: enough to link an outcome and to anchor the chain. */
export interface AppendReceipt {
  readonly id: string;
  readonly seq: number;
  readonly at: string;
  readonly hash: string;
}

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export interface BrokenLink {
  readonly seq: number;
  /** Empty when the problem is with the chain head rather than a record. */
  readonly id: string;
  readonly reason: string;
  readonly expected: string;
  readonly found: string;
}

export interface OutcomeUnknown {
  readonly seq: number;
  readonly id: string;
  readonly at: string;
  readonly workflowId: string;
  readonly runId: string;
  readonly runbook: string;
  readonly stepId: string;
  readonly principalChain: string;
  readonly command: string;
}

export interface VerifyReport {
  /** True only when every link holds and no attempt older than the grace period lacks an outcome. */
  readonly ok: boolean;
  /** How many records were checked. */
  readonly rows: number;
  /** The seq range checked (0..0 for an empty store). */
  readonly from: number;
  readonly to: number;
  readonly graceMs: number;
  readonly head: ChainHead;
  /** The first broken link, in chain order. */
  readonly brokenAt?: BrokenLink;
  readonly outcomeUnknown: readonly OutcomeUnknown[];
}

export interface VerifyOptions {
  /** First seq to check, or an ISO time (the first record at or after it). Default: the start of the chain. */
  readonly from?: number | string;
  /** Last seq to check, or an ISO time (the last record at or before it). Default: the chain head. */
  readonly to?: number | string;
  /** Attempts younger than this may still be running: not reported. Default 5 minutes. */
  readonly graceMs?: number;
  /** A head saved earlier (e.g. an evidence bundle's chain-head.json): the record at that seq must still have it. */
  readonly anchor?: ChainHead;
}

export interface AuditSearch {
  /** Statements that wrote this table (`customers` also matches `public.customers`). */
  readonly table?: string;
  /** `table.column`: rows whose statement wrote it, or wrote the table without naming columns. */
  readonly column?: string;
  /** Acted by, on behalf of, or approved by this principal: an id (`alice`) or a link of the chain (`human:alice`). */
  readonly principal?: string;
  readonly runbook?: string;
  readonly workflowId?: string;
  readonly effect?: string;
  readonly kind?: AuditKind;
  /** ISO times, inclusive. */
  readonly from?: string;
  readonly to?: string;
  /** Case-insensitive substring of the intent or the statement. */
  readonly text?: string;
  /** At most this many rows (default 100, at most 10,000). */
  readonly limit?: number;
}

/** A rejection recorded at the gate (no statement context), as opposed to one recorded with a statement's. */
export function isGateRejection(row: AuditRow): row is RejectionRow {
  return row.kind === 'approval_rejected' && 'gateId' in row.record && !('stepId' in row.record);
}
