/**
 * Approvals as the approval service would send them, for tests: signed with a throwaway key whose file the
 * test worker is configured with (VIGIL_APPROVAL_KEY).
 */
import type { KeyObject } from 'node:crypto';
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
      const groups = r.groups ? [...r.groups].sort() : undefined;
      const claims = { workflowId: r.workflowId, gateId: r.gateId, statementHash: r.statementHash ?? '', decision: r.decision, approver: r.approver, at, ...(groups ? { groups } : {}) };
      const signature = signApproval(claims, r.key ?? keys.privateKey);
      return { gateId: r.gateId, decision: r.decision, approver: { id: r.approver, groups: groups ?? r.claimedGroups ?? [] }, comment: r.comment, at, signature };
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
  /** Groups signed into the approval, as the approval service does (claims version 2). */
  readonly groups?: readonly string[];
  /** Without `groups`: groups the signal claims unsigned (version 1); the workflow ignores them and asks the identity config. */
  readonly claimedGroups?: string[];
  /** Another signing key than the stack's (a rotated one). */
  readonly key?: KeyObject;
}
