/**
 * Seals and opens `sensitive: true` run inputs with AES-256-GCM. The key is shared by whatever starts runs (CLI,
 * server, webhooks) and the workers, and by nothing else: Temporal only ever stores the sealed envelope.
 * The run's workflow id and the input's name are bound in as associated data, so an envelope copied into another
 * run or another input does not open.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SealedInput } from '../runbook/sealed-input.js';
import { readKeyFile } from './key-file.js';
import { VigilError } from './vigil-error.js';

export interface InputSealer {
  /** The first 8 hex digits of the key's SHA-256: names the key in envelopes and errors, reveals nothing. */
  readonly keyId: string;
  seal(workflowId: string, input: string, value: unknown): SealedInput;
  /** Throws VIGIL_E_SEALED_INPUT when the envelope is not one this key sealed for this run and input. */
  open(workflowId: string, input: string, sealed: SealedInput): unknown;
}

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export function createInputSealer(key: Buffer): InputSealer {
  if (key.length !== 32) throw new VigilError('VIGIL_E_SEAL_KEY', `the input sealing key must be 32 bytes, got ${key.length}`);
  const keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  const aad = (workflowId: string, input: string) => Buffer.from(`vigil-sealed-input\u0000${workflowId}\u0000${input}`);
  return {
    keyId,
    seal(workflowId, input, value) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(aad(workflowId, input));
      const body = Buffer.concat([nonce, cipher.update(JSON.stringify(value) ?? 'null', 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return { vigil_sealed: `${VERSION}.${keyId}.${body.toString('base64url')}` };
    },
    open(workflowId, input, sealed) {
      const [version, sealedWith, encoded] = sealed.vigil_sealed.split('.');
      const refuse = (why: string) => new VigilError('VIGIL_E_SEALED_INPUT', `sensitive input "${input}" can't be opened: ${why}`);
      if (version !== VERSION || !encoded) throw refuse('the envelope is not a Vigil sealed input');
      if (sealedWith !== keyId) throw refuse(`it was sealed with key ${sealedWith}, and this process holds key ${keyId}: give every Vigil process the same VIGIL_SEAL_KEY`);
      const body = Buffer.from(encoded, 'base64url');
      if (body.length < NONCE_BYTES + TAG_BYTES) throw refuse('the envelope is truncated');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, NONCE_BYTES));
        decipher.setAAD(aad(workflowId, input));
        decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
        const plain = Buffer.concat([decipher.update(body.subarray(NONCE_BYTES, body.length - TAG_BYTES)), decipher.final()]);
        return JSON.parse(plain.toString('utf8')) as unknown;
      } catch {
        throw refuse('it was altered, or sealed for another run or input');
      }
    },
  };
}

/** The key file: 32 random bytes, base64. Generated when missing only in development (no VIGIL_SEAL_KEY given). */
export function loadInputSealer(path: string, generate: boolean): InputSealer {
  const text = readKeyFile(path, {
    generate,
    create: () => `${randomBytes(32).toString('base64')}\n`,
    missing: () => new VigilError('VIGIL_E_SEAL_KEY', `input sealing key ${path} does not exist`),
  });
  return createInputSealer(Buffer.from(text.trim(), 'base64'));
}
