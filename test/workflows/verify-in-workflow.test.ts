/**
 * The gate's own signature check (pure-JS Ed25519) agrees with node's crypto, which signs in the approval service and
 * checks again at execution: the same claims verify, anything else does not.
 */
import { describe, expect, it } from 'vitest';
import { generateApprovalKeys, rawPublicKeyHex, signApproval } from '../../src/approvals/signed-approval.js';
import { signatureVerifies } from '../../src/workflows/verify-in-workflow.js';

const keys = generateApprovalKeys();
const other = generateApprovalKeys();
const key = rawPublicKeyHex(keys.publicKey);
const claims = { workflowId: 'wf-1', gateId: 'gate', statementHash: 'h1', decision: 'approve' as const, approver: 'olivia', at: '2026-12-01T02:00:00.000Z', groups: ['dba'] };
const signature = signApproval(claims, keys.privateKey);

describe("the gate's own signature check", () => {
  it('accepts what the approval service signed', () => {
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(signatureVerifies(claims, signature, key)).toBe(true);
  });

  it.each([
    ['another run', { ...claims, workflowId: 'wf-2' }],
    ['another statement', { ...claims, statementHash: 'h2' }],
    ['a denial for an approval', { ...claims, decision: 'deny' as const }],
    ['another approver', { ...claims, approver: 'mallory' }],
    ['groups the service did not sign', { ...claims, groups: ['dba', 'sre-leads'] }],
    ['no groups at all (another version of the text)', { ...claims, groups: undefined }],
  ])('refuses the signature for %s', (_name, changed) => {
    expect(signatureVerifies(changed, signature, key)).toBe(false);
  });

  it('refuses another key, and garbage instead of a signature or a key', () => {
    expect(signatureVerifies(claims, signature, rawPublicKeyHex(other.publicKey))).toBe(false);
    expect(signatureVerifies(claims, undefined, key)).toBe(false);
    expect(signatureVerifies(claims, 'not base64!', key)).toBe(false);
    expect(signatureVerifies(claims, Buffer.alloc(64, 7).toString('base64'), key)).toBe(false);
    expect(signatureVerifies(claims, signature, 'zz')).toBe(false);
  });
});
