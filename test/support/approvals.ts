/**
 * Approvals as the approval service would send them, for tests: signed with a throwaway key whose file the
 * test worker is configured with (VIGIL_APPROVAL_KEY).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadApprovalKeys } from '../../src/approvals/key-files.js';
import { signApproval } from '../../src/approvals/signed-approval.js';
import type { ApprovalSignal } from '../../src/workflows/approval-gate.js';

export function testApprovalKey(): { file: string; sign: (claims: SignRequest) => ApprovalSignal } {
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-test-key-')), 'approval-key.pem');
  const keys = loadApprovalKeys(file, true);
  return {
    file,
    sign: (r) => {
      const at = new Date().toISOString();
      const signature = signApproval({ workflowId: r.workflowId, gateId: r.gateId, statementHash: r.statementHash ?? '', decision: r.decision, approver: r.approver, at }, keys.privateKey);
      return { gateId: r.gateId, decision: r.decision, approver: { id: r.approver, groups: r.claimedGroups ?? [] }, comment: r.comment, at, signature };
    },
  };
}

export interface SignRequest {
  readonly workflowId: string;
  readonly gateId: string;
  readonly statementHash?: string;
  readonly decision: 'approve' | 'deny';
  readonly approver: string;
  readonly comment?: string;
  /** Groups the signal claims; the workflow ignores them and asks the identity config. */
  readonly claimedGroups?: string[];
}
