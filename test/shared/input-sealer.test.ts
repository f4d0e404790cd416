/** Sealed inputs open only with the same key, for the same run and input, unaltered. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSealedInput } from '../../src/runbook/sealed-input.js';
import { createInputSealer, loadInputSealer } from '../../src/shared/input-sealer.js';

const sealer = createInputSealer(randomBytes(32));

describe('input sealer', () => {
  it('seals any JSON value into an envelope that holds no trace of it, and opens it again', () => {
    for (const value of ['hunter2', 1234, { user: 'svc', password: 'pw' }, ['a', 'b'], true]) {
      const sealed = sealer.seal('wf-1', 'secret', value);
      expect(isSealedInput(sealed)).toBe(true);
      expect(sealed.vigil_sealed).toMatch(new RegExp(`^v1\\.${sealer.keyId}\\.[A-Za-z0-9_-]+$`));
      expect(JSON.stringify(sealed)).not.toContain(JSON.stringify(value).replace(/^"|"$/g, ''));
      expect(sealer.open('wf-1', 'secret', sealed)).toEqual(value);
    }
    // A fresh nonce each time: the same value never seals to the same envelope.
    expect(sealer.seal('wf-1', 'secret', 'x').vigil_sealed).not.toBe(sealer.seal('wf-1', 'secret', 'x').vigil_sealed);
  });

  it('refuses an envelope moved to another run or input, altered, or sealed with another key, saying which', () => {
    const sealed = sealer.seal('wf-1', 'secret', 'hunter2');
    expect(() => sealer.open('wf-2', 'secret', sealed)).toThrow(/sealed for another run or input/);
    expect(() => sealer.open('wf-1', 'other', sealed)).toThrow(/sealed for another run or input/);
    const body = sealed.vigil_sealed.split('.')[2] as string;
    const flipped = `${body.slice(0, 20)}${body[20] === 'A' ? 'B' : 'A'}${body.slice(21)}`;
    expect(() => sealer.open('wf-1', 'secret', { vigil_sealed: `v1.${sealer.keyId}.${flipped}` })).toThrow(/altered/);
    const other = createInputSealer(randomBytes(32));
    expect(() => other.open('wf-1', 'secret', sealed)).toThrow(new RegExp(`sealed with key ${sealer.keyId}, and this process holds key ${other.keyId}`));
    expect(() => sealer.open('wf-1', 'secret', { vigil_sealed: 'not an envelope' })).toThrow(/not a Vigil sealed input/);
  });

  it('takes a 32-byte key from its file, generates one in development only, and refuses a wrong length', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-seal-test-'));
    const file = join(dir, 'nested', 'seal-key');
    expect(() => loadInputSealer(file, false)).toThrow(/does not exist/);
    const generated = loadInputSealer(file, true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadInputSealer(file, false).keyId).toBe(generated.keyId);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    const short = join(dir, 'short-key');
    writeFileSync(short, randomBytes(16).toString('base64'));
    expect(() => loadInputSealer(short, false)).toThrow(/must be 32 bytes, got 16/);
  });
});
