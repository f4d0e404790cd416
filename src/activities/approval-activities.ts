/**
 * Gives the workflow's gates the approval service's public key, verifies the decisions a gate could not check
 * itself (a local activity: no I/O beyond the key and the identity config in memory), and records those the gate
 * turns away. Execution verifies the approvals again before the statement runs.
 */
import type { KeyObject } from 'node:crypto';
import type { ApproverDirectory } from '../approvals/verify-approvals.js';
import type { AuditStore } from '../audit/audit-store.js';
import { rawPublicKeyHex, verifyApproval } from '../approvals/signed-approval.js';
import type { ApprovalActivities, ApprovalCheck, ApprovalRefusal, ApprovalToVerify } from './types.js';

export interface ApprovalActivityDeps {
  /** The approval service's public key. */
  readonly publicKey: KeyObject;
  readonly directory: ApproverDirectory;
  readonly audit: AuditStore;
}

export function createApprovalActivities(deps: ApprovalActivityDeps): ApprovalActivities {
  /** A decision that did not count, forged or genuine, as the audit store keeps it. */
  const recordRefusal = async (refusal: ApprovalRefusal): Promise<void> => {
    await deps.audit.recordRejectedApproval({
      workflowId: refusal.workflowId, gateId: refusal.gateId, approver: refusal.approver, decision: refusal.decision, claimedAt: refusal.at, reason: refusal.reason,
    });
  };
  const publicKeyHex = rawPublicKeyHex(deps.publicKey);
  return {
    async approvalPublicKey(): Promise<string> {
      return publicKeyHex;
    },

    async verifyApprovalSignal(approval: ApprovalToVerify): Promise<ApprovalCheck> {
      const { signature, groups: signedGroups, ...claims } = approval;
      const reject = async (reason: string): Promise<ApprovalCheck> => {
        await recordRefusal({ ...claims, reason });
        return { valid: false, reason };
      };
      // Signed with the approver's groups: those count, whether or not the identities file knows the approver.
      if (signedGroups && verifyApproval({ ...claims, groups: signedGroups }, signature, deps.publicKey)) return { valid: true, groups: signedGroups, signedGroups };
      // Signed without them (version 1): the identities file must know the approver.
      if (!verifyApproval(claims, signature, deps.publicKey)) return reject('signature does not verify for this run, gate and statement (forged, or given for something else)');
      const groups = deps.directory.groupsOf(approval.approver);
      if (!groups) return reject(`unknown approver "${approval.approver}"`);
      return { valid: true, groups };
    },

    recordApprovalRefusal: recordRefusal,
  };
}
