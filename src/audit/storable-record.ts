/**
 * Turns what a caller hands the audit store into the exact value that is hashed and stored. Pure.
 *
 * The hash is computed over canonical JSON, the row is stored as jsonb, and `verify` recomputes the hash from the
 * jsonb. That only works when the round trip JSON -> jsonb -> JSON is lossless, so values jsonb would refuse or alter
 * are replaced first, deterministically: NUL characters and lone surrogates become U+FFFD, non-finite numbers become
 * null, bigints become strings, Dates (anything with toJSON) their JSON form. Very long strings are cut (and say so),
 * because one huge masked parameter must not make the evidence unmanageable.
 */
import type { AttemptInput, AuditAttempt, AuditEvent, AuditEventInput, AuditRule } from './types.js';

/** Longest string kept whole in a record, in UTF-16 code units. */
export const MAX_STRING = 16_384;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function cleanString(s: string): string {
  let out = s.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\uFFFD');
  if (out.length > MAX_STRING) {
    // The marker fits inside the limit, so a cut string stays as it is when stored again.
    const marker = (n: number) => `…[${n} more characters cut by the audit store]`;
    const keep = MAX_STRING - marker(out.length).length;
    // Don't cut a surrogate pair in half.
    const cut = out.slice(0, keep).replace(/[\uD800-\uDBFF]$/, '');
    out = `${cut}${marker(out.length - cut.length)}`;
  }
  return out;
}

/** A JSON value that survives jsonb unchanged. */
export function storable(value: unknown, depth = 0): unknown {
  if (depth > 64) return '[nested too deep for the audit store]';
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return cleanString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return null; // functions, symbols: not data
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return storable((toJSON as () => unknown).call(value), depth + 1);
  if (Array.isArray(value)) return value.map((v) => storable(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // Absent and undefined are the same thing in canonical JSON; keep it that way after storage too.
    if (v === undefined) continue;
    Object.defineProperty(out, cleanString(k), { value: storable(v, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function normaliseRules(rules: AttemptInput['decision']['rules']): AuditRule[] {
  return rules.map((r) => (typeof r === 'string' ? { id: r, reason: null } : r));
}

export function storableAttempt(input: AttemptInput): AuditAttempt {
  return storable({ ...input, decision: { ...input.decision, rules: normaliseRules(input.decision.rules) } }) as AuditAttempt;
}

export function storableEvent(input: AuditEventInput): AuditEvent {
  return storable({ ...input, decision: { ...input.decision, rules: normaliseRules(input.decision.rules) } }) as AuditEvent;
}
