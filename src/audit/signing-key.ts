/**
 * The Ed25519 key that signs evidence bundles. Production names a PEM file (the CLI reads VIGIL_AUDIT_SIGNING_KEY);
 * development generates one key once, at a path the caller chooses, readable only by its owner. File I/O only: no
 * environment is read here.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { VigilError } from '../shared/vigil-error.js';

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new VigilError('VIGIL_E_AUDIT_SIGNING_KEY', `cannot read the ${what} ${path} (${(error as Error).message})`);
  }
}

/** A private Ed25519 key from a PEM file. */
export function loadSigningKey(path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readPem(path, 'audit signing key'));
  } catch (error) {
    if (error instanceof VigilError) throw error;
    throw new VigilError('VIGIL_E_AUDIT_SIGNING_KEY', `${path} does not hold a private key in PEM (${(error as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new VigilError('VIGIL_E_AUDIT_SIGNING_KEY', `${path} is a ${key.asymmetricKeyType} key; evidence is signed with Ed25519`);
  return key;
}

/** The key at `path`, generating it there first (mode 0600) when it is missing. `created` says which happened. */
export function loadOrCreateSigningKey(path: string): { key: KeyObject; created: boolean } {
  if (existsSync(path)) return { key: loadSigningKey(path), created: false };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  // 'wx': if another process created it meanwhile, fail here rather than overwrite a key that may have signed bundles.
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600, flag: 'wx' });
  return { key: privateKey, created: true };
}

/** A public Ed25519 key from a PEM file holding the public or the private key. */
export function loadVerifyKey(path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(readPem(path, 'public key'));
  } catch (error) {
    if (error instanceof VigilError) throw error;
    throw new VigilError('VIGIL_E_AUDIT_SIGNING_KEY', `${path} does not hold an Ed25519 key in PEM (${(error as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new VigilError('VIGIL_E_AUDIT_SIGNING_KEY', `${path} is a ${key.asymmetricKeyType} key; evidence is signed with Ed25519`);
  return key;
}

/** sha256 of the public key's DER (SubjectPublicKeyInfo), hex: what people compare to pin a key. */
export function keyFingerprint(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex');
}
