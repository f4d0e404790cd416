/**
 * Verifies approval decisions that arrive as signals, for the workflow's gate (a local activity: fast, no I/O
 * beyond the key and the identity config in memory). Execution verifies the approvals again before the statement runs.
 */
import type { KeyObject } from 'node:crypto';
import type { ApproverDirectory } from '../approvals/verify-approvals.js';
import { verifyApproval } from '../approvals/signed-approval.js';
import type { ApprovalActivities, ApprovalCheck, ApprovalToVerify } from './types.js';

export interface ApprovalActivityDeps {
  /** The approval service's public key. */
  readonly publicKey: KeyObject;
  readonly directory: ApproverDirectory;
}

export function createApprovalActivities(deps: ApprovalActivityDeps): ApprovalActivities {
  return {
    async verifyApprovalSignal(approval: ApprovalToVerify): Promise<ApprovalCheck> {
      const { signature, ...claims } = approval;
      if (!verifyApproval(claims, signature, deps.publicKey)) {
        return { valid: false, reason: 'signature does not verify for this run, gate and statement (forged, or given for something else)' };
      }
      const groups = deps.directory.groupsOf(approval.approver);
      if (!groups) return { valid: false, reason: `unknown approver "${approval.approver}"` };
      return { valid: true, groups };
    },
  };
}
