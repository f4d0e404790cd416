/**
 * Where the approval service's Ed25519 key comes from. Production names PEM files (the private key only where the
 * approval service runs, the public key on workers). Development generates one key pair once, under Vigil's cache
 * directory, so that `vigil dev`, `vigil serve` and the CLI on one machine agree without any setup.
 */
import { readFileSync } from 'node:fs';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readKeyFile } from '../shared/key-file.js';
import { generateApprovalKeys, keysFromPem, type ApprovalKeys } from './signed-approval.js';

/** The private key at `path`, generating it there first (mode 0600) when `generate` is set and it is missing. */
export function loadApprovalKeys(path: string, generate: boolean): ApprovalKeys {
  return keysFromPem(
    readKeyFile(path, {
      generate,
      create: () => generateApprovalKeys().privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      missing: () => new Error(`approval signing key ${path} does not exist`),
    }),
  );
}

/** A public key from a PEM file that holds either the public key or the private key. */
export function loadApprovalPublicKey(path: string): KeyObject {
  return createPublicKey(readFileSync(path, 'utf8'));
}
