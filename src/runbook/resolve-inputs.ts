/**
 * Checks the values a run is started with against the runbook's declared inputs, applying defaults.
 * Pure and deterministic: the client calls it before starting a run (a bad input refuses the start),
 * and the workflow calls it again so that a run started by any other door is checked the same way.
 * By then `sensitive: true` inputs are sealed (sealed-input.ts): the workflow only checks that they are.
 */
import type { InputSpec } from './plan.js';
import { isSealedInput } from './sealed-input.js';

export interface InputProblem {
  readonly input: string;
  readonly reason: string;
  /** A sensitive input that did not arrive sealed. */
  readonly unsealed?: boolean;
}

export type ResolvedInputs = { ok: true; values: Record<string, unknown> } | { ok: false; problems: InputProblem[] };

const DURATION = /^([0-9]+(ms|s|m|h|d))+$/;

export interface ResolveOptions {
  /** The workflow's check: sensitive inputs must arrive sealed, and stay sealed. */
  readonly sensitiveSealed?: boolean;
}

export function resolveInputs(specs: readonly InputSpec[], provided: Readonly<Record<string, unknown>>, options: ResolveOptions = {}): ResolvedInputs {
  const problems: InputProblem[] = [];
  const values: Record<string, unknown> = {};
  const known = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(provided)) {
    if (!known.has(name)) problems.push({ input: name, reason: `not an input of this runbook (inputs: ${[...known].join(', ') || 'none'})` });
  }
  for (const spec of specs) {
    if (spec.sensitive && options.sensitiveSealed) {
      const problem = sealedProblem(spec, provided[spec.name]);
      if (problem) problems.push({ input: spec.name, reason: problem, unsealed: true });
      else if (provided[spec.name] !== undefined) values[spec.name] = provided[spec.name];
      continue;
    }
    const raw = provided[spec.name] ?? spec.default;
    if (raw === undefined) {
      if (spec.required) problems.push({ input: spec.name, reason: 'is required' });
      continue;
    }
    const checked = coerce(spec, raw);
    if ('reason' in checked) problems.push({ input: spec.name, reason: checked.reason });
    else values[spec.name] = checked.value;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

/** The client checked the value and sealed it (defaults included); the workflow only sees that it did. */
function sealedProblem(spec: InputSpec, raw: unknown): string | undefined {
  if (raw === undefined) return spec.required || spec.default !== undefined ? "is sensitive and did not arrive sealed: start runs through Vigil's client, which seals it" : undefined;
  return isSealedInput(raw) ? undefined : "is sensitive and arrived unsealed: start runs through Vigil's client, which seals it";
}

/** Values from a command line or a webhook arrive as strings; turn them into the declared type or explain why not. */
function coerce(spec: InputSpec, raw: unknown): { value: unknown } | { reason: string } {
  const show = spec.sensitive ? '(sensitive value)' : JSON.stringify(raw);
  switch (spec.type) {
    case 'string':
    case 'duration': {
      if (typeof raw !== 'string') return { reason: `must be a string, got ${show}` };
      if (spec.type === 'duration' && !DURATION.test(raw)) return { reason: `must be a duration like 30s or 5m, got ${show}` };
      if (spec.pattern && !new RegExp(spec.pattern).test(raw)) return { reason: `must match ${spec.pattern}, got ${show}` };
      return { value: raw };
    }
    case 'integer':
    case 'number': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n)) return { reason: `must be a ${spec.type}, got ${show}` };
      if (spec.type === 'integer' && !Number.isSafeInteger(n)) return { reason: `must be an integer, got ${show}` };
      return { value: n };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === 'false') return { value: raw === 'true' };
      return { reason: `must be true or false, got ${show}` };
    }
    case 'enum': {
      const allowed = spec.enum ?? [];
      const match = allowed.find((v) => v === raw || String(v) === String(raw));
      return match === undefined ? { reason: `must be one of ${allowed.join(', ')}, got ${show}` } : { value: match };
    }
    case 'array':
    case 'object': {
      let v = raw;
      if (typeof raw === 'string') {
        try {
          v = JSON.parse(raw);
        } catch {
          return { reason: `must be JSON ${spec.type}, got ${show}` };
        }
      }
      const ok = spec.type === 'array' ? Array.isArray(v) : v !== null && typeof v === 'object' && !Array.isArray(v);
      return ok ? { value: v } : { reason: `must be an ${spec.type}, got ${show}` };
    }
  }
}
