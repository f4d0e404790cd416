/** Signed approvals: only the service's signature over exactly this run, gate and statement counts. */
import { describe, expect, it } from 'vitest';
import { generateApprovalKeys, signApproval, verifyApproval } from '../../src/approvals/signed-approval.js';
import { verifyApprovals } from '../../src/approvals/verify-approvals.js';
import type { Principal } from '../../src/shared/principal.js';

const keys = generateApprovalKeys();
const other = generateApprovalKeys();
const groups: Record<string, string[]> = { bob: ['dba'], carol: ['dba'], dave: ['sre-leads'], alice: ['sre', 'dba'], erin: ['dba', 'sre-leads'], frank: ['sre-leads', 'sre'] };
const directory = { groupsOf: (id: string) => groups[id] };
const requester: Principal = { id: 'bot', kind: 'agent', groups: [], owner: 'alice' };
const context = { workflowId: 'wf-1', gateId: 'requeue', statementHash: 'h1', requester, required: [{ group: 'dba', count: 2 }] };

const approval = (approver: string, overrides: Partial<{ workflowId: string; statementHash: string; key: typeof keys }> = {}) => {
  const at = '2026-11-24T02:00:00.000Z';
  const claims = { workflowId: overrides.workflowId ?? 'wf-1', gateId: 'requeue', statementHash: overrides.statementHash ?? 'h1', decision: 'approve' as const, approver, at };
  return { approver, at, signature: signApproval(claims, (overrides.key ?? keys).privateKey) };
};

describe('signed approvals', () => {
  it('verifies only the exact claims it signed', () => {
    const claims = { workflowId: 'w', gateId: 'g', statementHash: 's', decision: 'approve' as const, approver: 'bob', at: 't' };
    const sig = signApproval(claims, keys.privateKey);
    expect(verifyApproval(claims, sig, keys.publicKey)).toBe(true);
    expect(verifyApproval({ ...claims, decision: 'deny' }, sig, keys.publicKey)).toBe(false);
    expect(verifyApproval(claims, sig, other.publicKey)).toBe(false);
    expect(verifyApproval(claims, undefined, keys.publicKey)).toBe(false);
    expect(verifyApproval(claims, 'garbage', keys.publicKey)).toBe(false);
  });

  it('meets a quorum of two DBAs', () => {
    expect(verifyApprovals([approval('bob'), approval('carol')], context, keys.publicKey, directory)).toEqual({ ok: true, counted: [{ approver: 'bob', group: 'dba' }, { approver: 'carol', group: 'dba' }] });
  });

  it.each([
    ['a replay for another statement hash', [approval('bob'), approval('carol', { statementHash: 'h2' })], /carol: signature does not verify/],
    ['an approval from another run', [approval('bob'), approval('carol', { workflowId: 'wf-2' })], /carol: signature does not verify/],
    ['a forged signature', [approval('bob'), approval('carol', { key: other })], /carol: signature does not verify/],
    ["the agent's owner approving", [approval('bob'), approval('alice')], /alice: separation of duties/],
    ['one person twice', [approval('bob'), approval('bob')], /bob: counted already/],
    ['someone outside the group', [approval('bob'), approval('dave')], /dave: not in a required group/],
  ])('rejects %s', (_name, approvals, reason) => {
    const verdict = verifyApprovals(approvals, context, keys.publicKey, directory);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.reason).toBe('approvals do not meet the quorum: needs 1 more from dba');
      expect(verdict.rejected.map((r) => `${r.approver}: ${r.reason}`).join('\n')).toMatch(reason);
    }
  });

  describe('someone in two required groups counts toward whichever lets the most count', () => {
    const twoGroups = { ...context, required: [{ group: 'dba', count: 1 }, { group: 'sre-leads', count: 1 }] };
    const threeGroups = { ...context, required: [...twoGroups.required, { group: 'sre', count: 1 }] };
    const verify = (approvers: string[], ctx: typeof context) => verifyApprovals(approvers.map((a) => approval(a)), ctx, keys.publicKey, directory);

    it('meets dba and sre-leads with erin (both) and bob (dba), whichever comes first', () => {
      expect(verify(['erin', 'bob'], twoGroups)).toEqual({ ok: true, counted: [{ approver: 'erin', group: 'sre-leads' }, { approver: 'bob', group: 'dba' }] });
      expect(verify(['bob', 'erin'], twoGroups)).toEqual({ ok: true, counted: [{ approver: 'bob', group: 'dba' }, { approver: 'erin', group: 'sre-leads' }] });
    });

    it('follows a two-step augmenting path: bob takes dba from erin, erin takes sre-leads from frank, frank moves to sre', () => {
      expect(verify(['erin', 'frank', 'bob'], threeGroups)).toEqual({
        ok: true,
        counted: [{ approver: 'erin', group: 'sre-leads' }, { approver: 'frank', group: 'sre' }, { approver: 'bob', group: 'dba' }],
      });
    });

    it('does not count a useless approver, and names only what is really missing', () => {
      expect(verify(['erin', 'bob', 'carol'], threeGroups)).toEqual({ ok: false, reason: 'approvals do not meet the quorum: needs 1 more from sre', rejected: [] });
    });
  });
});

describe('approvals signed with the approver\'s groups (claims version 2)', () => {
  const signedWith = (approver: string, signedGroups: string[], claimed = signedGroups) => {
    const at = '2026-11-24T02:00:00.000Z';
    const claims = { workflowId: 'wf-1', gateId: 'requeue', statementHash: 'h1', decision: 'approve' as const, approver, at, groups: signedGroups };
    return { approver, at, groups: claimed, signature: signApproval(claims, keys.privateKey) };
  };

  it('counts an approver the identities file does not know (OIDC) by the signed groups', () => {
    expect(verifyApprovals([signedWith('olivia', ['dba']), approval('bob')], context, keys.publicKey, directory)).toEqual({
      ok: true,
      counted: [{ approver: 'olivia', group: 'dba' }, { approver: 'bob', group: 'dba' }],
    });
  });

  it('judges an approver the identities file knows by its groups now, not the signed ones', () => {
    const verdict = verifyApprovals([signedWith('dave', ['dba']), approval('bob')], context, keys.publicKey, directory);
    expect(verdict).toMatchObject({ ok: false, rejected: [{ approver: 'dave', reason: 'not in a required group (dba)' }] });
  });

  it('refuses groups the signature does not cover', () => {
    const verdict = verifyApprovals([signedWith('olivia', ['sre'], ['dba']), approval('bob')], context, keys.publicKey, directory);
    expect(verdict).toMatchObject({ ok: false, rejected: [{ approver: 'olivia', reason: expect.stringContaining('signature does not verify') }] });
  });

  it('signs the groups in any order the same way', () => {
    const claims = { workflowId: 'w', gateId: 'g', statementHash: 's', decision: 'approve' as const, approver: 'erin', at: 't' };
    const sig = signApproval({ ...claims, groups: ['sre-leads', 'dba'] }, keys.privateKey);
    expect(verifyApproval({ ...claims, groups: ['dba', 'sre-leads'] }, sig, keys.publicKey)).toBe(true);
    // Without groups it is another text (version 1): the signature does not carry over.
    expect(verifyApproval(claims, sig, keys.publicKey)).toBe(false);
  });
});
