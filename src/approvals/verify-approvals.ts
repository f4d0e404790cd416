/**
 * Checks, where a statement is about to execute, that the approvals it carries really grant it:
 * each one signed by the approval service for this run, this gate and this exact statement hash; each approver
 * in a required group under the current identity config (or, for one it does not know, the groups signed in);
 * nobody approving their own request (or their agent's); nobody counted twice; every required group's quorum met.
 * Pure apart from the key it is given.
 */
import type { KeyObject } from 'node:crypto';
import type { Principal } from '../shared/principal.js';
import { conflictedApprovers } from '../shared/separation-of-duties.js';
import { matchApprovers } from './match-approvers.js';
import { verifyApproval } from './signed-approval.js';

export interface PresentedApproval {
  readonly approver: string;
  readonly at: string;
  readonly signature?: string;
  /** The groups the signature covers (claims version 2). */
  readonly groups?: readonly string[];
}

export interface ApprovalContext {
  readonly workflowId: string;
  readonly gateId: string;
  readonly statementHash: string;
  readonly requester: Principal;
  readonly required: readonly { readonly group: string; readonly count: number }[];
}

export interface ApproverDirectory {
  /** The approver's groups now, or undefined when the identity config does not know them. */
  groupsOf(id: string): readonly string[] | undefined;
}

export type ApprovalVerdict =
  | { readonly ok: true; readonly counted: readonly { readonly approver: string; readonly group: string }[] }
  | { readonly ok: false; readonly reason: string; readonly rejected: readonly { readonly approver: string; readonly reason: string }[] };

/** Why one approval does not count, or undefined when it is genuine and its approver eligible for some group. */
export function rejectionReason(
  approval: PresentedApproval,
  context: ApprovalContext,
  publicKey: KeyObject,
  directory: ApproverDirectory,
): string | undefined {
  const claims = { workflowId: context.workflowId, gateId: context.gateId, statementHash: context.statementHash, decision: 'approve' as const, approver: approval.approver, at: approval.at, groups: approval.groups };
  if (!verifyApproval(claims, approval.signature, publicKey)) {
    return 'signature does not verify for this run, gate and statement (forged, or given for something else)';
  }
  if (conflictedApprovers(context.requester).has(approval.approver)) return 'separation of duties: the requester cannot approve its own request';
  const groups = groupsOf(approval, directory);
  if (!groups) return `unknown approver "${approval.approver}"`;
  if (!context.required.some((r) => groups.includes(r.group))) return `not in a required group (${context.required.map((r) => r.group).join(', ')})`;
  return undefined;
}

export function verifyApprovals(
  approvals: readonly PresentedApproval[],
  context: ApprovalContext,
  publicKey: KeyObject,
  directory: ApproverDirectory,
): ApprovalVerdict {
  const rejected: { approver: string; reason: string }[] = [];
  const eligible: { id: string; groups: readonly string[] }[] = [];
  const seen = new Set<string>();
  for (const approval of approvals) {
    const reason = seen.has(approval.approver) ? 'counted already' : rejectionReason(approval, context, publicKey, directory);
    if (reason) {
      rejected.push({ approver: approval.approver, reason });
      continue;
    }
    seen.add(approval.approver);
    const groups = groupsOf(approval, directory) ?? [];
    eligible.push({ id: approval.approver, groups });
  }
  // A maximum matching, as the gate counts: someone in two required groups counts toward whichever lets the most count.
  const { counted, needs } = matchApprovers(context.required, eligible);
  const missing = needs.filter((n) => n.missing > 0);
  if (missing.length > 0) {
    return { ok: false, reason: `approvals do not meet the quorum: needs ${missing.map((n) => `${n.missing} more from ${n.group}`).join(', ')}`, rejected };
  }
  return { ok: true, counted };
}

/**
 * An approver's groups at execution: the identity config's now, for an approver it knows (someone who left a group
 * no longer counts); otherwise those signed into the approval, as the OIDC provider gave them when the approver decided.
 * Call only once the signature has verified.
 */
function groupsOf(approval: PresentedApproval, directory: ApproverDirectory): readonly string[] | undefined {
  return directory.groupsOf(approval.approver) ?? approval.groups;
}
