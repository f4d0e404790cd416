/**
 * Approvals that can't be forged. Anyone with access to the Temporal namespace can send a signal, so a signal's
 * content proves nothing by itself: the approval service signs each decision with its Ed25519 key, over exactly
 * what was decided (run, gate, statement hash, decision, approver, time), and execution verifies it with the public key.
 * Node's crypto only; runs in the approval service and in activities, never in the workflow sandbox.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
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
}

export function approvalPayload(claims: ApprovalClaims): Buffer {
  const { workflowId, gateId, statementHash, decision, approver, at } = claims;
  return Buffer.from(canonicalJson({ v: 1, workflowId, gateId, statementHash, decision, approver, at }), 'utf8');
}

export function signApproval(claims: ApprovalClaims, privateKey: KeyObject): string {
  return sign(null, approvalPayload(claims), privateKey).toString('base64');
}

export function verifyApproval(claims: ApprovalClaims, signature: string | undefined, publicKey: KeyObject): boolean {
  if (!signature) return false;
  try {
    return verify(null, approvalPayload(claims), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export interface ApprovalKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function generateApprovalKeys(): ApprovalKeys {
  return generateKeyPairSync('ed25519');
}

export function keysFromPem(privatePem: string): ApprovalKeys {
  const privateKey = createPrivateKey(privatePem);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

export function publicKeyFromPem(publicPem: string): KeyObject {
  return createPublicKey(publicPem);
}
