/**
 * What the audit store holds about each governed statement: intent (why), action (who, on whose behalf, what,
 * allowed by which rules and approvals) and outcome (what happened). Values are masked before they get here.
 */
export type AuditKind = 'attempt' | 'outcome' | 'denial' | 'approval_rejected';

export interface AuditAction {
  readonly workflowId: string;
  readonly runId: string;
  readonly runbook: string;
  readonly stepId: string;
  readonly intent: string;
  readonly principal: string;
  readonly principalChain: string;
  readonly onBehalfOf: string | null;
  readonly connection: string;
  readonly environment: string;
  /** The statement with literals replaced by placeholders. */
  readonly statement: string;
  readonly statementHash: string;
  readonly params: readonly unknown[];
  readonly command: string;
  readonly statementClass: string;
  readonly tablesRead: readonly string[];
  readonly tablesWritten: readonly string[];
  /** `table.column` for every column the statement writes, when the statement names them. */
  readonly columnsWritten: readonly string[];
  readonly flags: readonly string[];
  readonly decision: { readonly effect: string; readonly summary: string; readonly rules: readonly string[] };
  readonly approvals: readonly { readonly approver: string; readonly group?: string; readonly at: string }[];
  /** A masking exemption that applied, and why: what this principal saw unmasked must be on the record. */
  readonly maskingExemption?: { readonly id: string; readonly reason: string; readonly columns: readonly string[] };
  readonly traceId: string | null;
  readonly spanId: string | null;
}

export interface AuditOutcome {
  readonly attemptId: string;
  readonly status: 'succeeded' | 'failed';
  readonly rows: number | null;
  readonly errorCode: string | null;
  /** Already masked by the caller. */
  readonly errorMessage: string | null;
  readonly durationMs: number;
}

/** A decision that reached a gate but did not count: forged, replayed, from an unknown approver. */
export interface AuditApprovalRejection {
  readonly workflowId: string;
  readonly gateId: string;
  readonly approver: string;
  readonly decision: 'approve' | 'deny';
  readonly claimedAt: string;
  readonly reason: string;
}

export interface AuditRow {
  readonly seq: number;
  readonly id: string;
  readonly kind: AuditKind;
  readonly at: string;
  readonly record: AuditAction | AuditOutcome | AuditApprovalRejection;
  readonly prevHash: string;
  readonly hash: string;
}
