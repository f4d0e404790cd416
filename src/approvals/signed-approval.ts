/**
 * Approvals that can't be forged. Anyone with access to the Temporal namespace can send a signal, so a signal's
 * content proves nothing by itself: the approval service signs each decision with its Ed25519 key, over exactly
 * what was decided (run, gate, statement hash, decision, approver, groups, time), and execution verifies it with the
 * public key. Node's crypto: the approval service and activities. The workflow checks with `verify-in-workflow.ts`.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { approvalPayloadText, type ApprovalClaims } from './approval-claims.js';

export function signApproval(claims: ApprovalClaims, privateKey: KeyObject): string {
  return sign(null, Buffer.from(approvalPayloadText(claims), 'utf8'), privateKey).toString('base64');
}

export function verifyApproval(claims: ApprovalClaims, signature: string | undefined, publicKey: KeyObject): boolean {
  if (!signature) return false;
  try {
    return verify(null, Buffer.from(approvalPayloadText(claims), 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** The raw 32-byte Ed25519 public key, hex: the form the workflow's pure-JS check takes. */
export function rawPublicKeyHex(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.x) throw new Error('the approval key is not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url').toString('hex');
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
