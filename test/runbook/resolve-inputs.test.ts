/** Inputs at the start of a run: typed and defaulted by the client; sensitive ones checked as sealed by the workflow. */
import { describe, expect, it } from 'vitest';
import type { InputSpec } from '../../src/runbook/plan.js';
import { resolveInputs } from '../../src/runbook/resolve-inputs.js';

const specs: InputSpec[] = [
  { name: 'id', type: 'integer', required: true, sensitive: false },
  { name: 'token', type: 'string', required: true, sensitive: true, pattern: '^tok_' },
  { name: 'pin', type: 'string', required: false, sensitive: true, default: '0000' },
];
const envelope = { vigil_sealed: 'v1.abcd1234.AAAA' };

describe('resolveInputs', () => {
  it('types and defaults the values on the client, never echoing a sensitive one', () => {
    expect(resolveInputs(specs, { id: '7', token: 'tok_x' })).toEqual({ ok: true, values: { id: 7, token: 'tok_x', pin: '0000' } });
    const bad = resolveInputs(specs, { id: '7', token: 'hunter2' });
    expect(bad).toEqual({ ok: false, problems: [{ input: 'token', reason: 'must match ^tok_, got (sensitive value)' }] });
  });

  it('in the workflow, takes sealed sensitive inputs as they are and refuses plain ones', () => {
    expect(resolveInputs(specs, { id: 7, token: envelope, pin: envelope }, { sensitiveSealed: true })).toEqual({ ok: true, values: { id: 7, token: envelope, pin: envelope } });
    const plain = resolveInputs(specs, { id: 7, token: 'tok_x' }, { sensitiveSealed: true });
    expect(plain.ok).toBe(false);
    if (plain.ok) return;
    expect(plain.problems).toEqual([
      { input: 'token', reason: "is sensitive and arrived unsealed: start runs through Vigil's client, which seals it", unsealed: true },
      // The client seals defaults too: a missing one means the run did not come through it.
      { input: 'pin', reason: "is sensitive and did not arrive sealed: start runs through Vigil's client, which seals it", unsealed: true },
    ]);
  });
});
