/**
 * Checks an approval's signature inside the workflow, so that counting a genuine decision needs no local activity.
 * Pure JavaScript Ed25519 (noble), deterministic on replay. The public key is never taken from the run's input
 * (whoever starts a run could bring their own): it comes from the worker, recorded in history when the gate opens.
 * Strict RFC 8032 rules (not ZIP-215), so this agrees with node's crypto, which execution uses to check again.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '@noble/curves/utils.js';
import { base64 } from '@scure/base';
import { approvalPayloadText, type ApprovalClaims } from '../approvals/approval-claims.js';

export function signatureVerifies(claims: ApprovalClaims, signature: string | undefined, publicKeyHex: string): boolean {
  if (!signature) return false;
  try {
    return ed25519.verify(base64.decode(signature), new TextEncoder().encode(approvalPayloadText(claims)), hexToBytes(publicKeyHex), { zip215: false });
  } catch {
    // A malformed signature or key proves nothing.
    return false;
  }
}
