/**
 * What an approval's signature covers, and the exact bytes it is computed over. Pure, so that the approval service,
 * execution (node's crypto) and the workflow (pure-JS Ed25519) sign and check the same text.
 */
import { canonicalJson } from '../shared/canonical-json.js';

/** Exactly the fields a signature covers. */
export interface ApprovalClaims {
  readonly workflowId: string;
  readonly gateId: string;
  /** For gates on a SQL statement: the hash the approver was shown. Empty for plain approval steps. */
  readonly statementHash: string;
  readonly decision: 'approve' | 'deny';
  readonly approver: string;
  /** ISO time the service signed it. */
  readonly at: string;
  /**
   * The groups the service authenticated the approver with (the identities file's, or an OIDC token's claim).
   * Version 2 of the claims; approvals signed before it carry none, and their approver must be in the identities file.
   */
  readonly groups?: readonly string[];
}

/** The signed text. Groups are sorted, so their order in a token does not matter. */
export function approvalPayloadText(claims: ApprovalClaims): string {
  const { workflowId, gateId, statementHash, decision, approver, at, groups } = claims;
  if (groups === undefined) return canonicalJson({ v: 1, workflowId, gateId, statementHash, decision, approver, at });
  return canonicalJson({ v: 2, workflowId, gateId, statementHash, decision, approver, at, groups: [...groups].sort() });
}
