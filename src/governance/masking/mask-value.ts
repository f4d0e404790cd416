/**
 * Masks one value of any shape with the value detectors and the name rules: text (only the detected spans are
 * replaced), JSON text (parsed, masked member by member, serialised again only when something changed), objects and
 * arrays (jsonb, parameters), and bytea. A JSON member whose key matches a one-part column rule (`password`,
 * `*email*`) is masked by that rule, because "hunter2" under `"password"` is found by no detector.
 * Guarantees: the result never shares an object with the input; a text in which nothing was found is returned as
 * the same string (no allocation); nesting deeper than 64 levels is redacted rather than walked.
 */
import type { RuleHit, RuleMatcher } from './column-rules.js';
import type { TextScanner } from './detectors.js';
import { isNumeral, valueKind } from './semantic-types.js';
import { redactionToken, type Strategies, type Strategy } from './strategies.js';
import type { DetectorType } from './value-detector.js';

/** What masking changed, for the caller's report: how many values or spans, and their labels. Mutated in place. */
export interface Findings {
  count: number;
  labels: Set<string> | undefined;
}

export function newFindings(): Findings {
  return { count: 0, labels: undefined };
}

function note(findings: Findings, label: string): void {
  findings.count++;
  (findings.labels ??= new Set()).add(label);
}

export interface ValueMaskerDeps {
  readonly scan: TextScanner;
  readonly rules: RuleMatcher;
  readonly strategies: Strategies;
  /** The strategy for a span a detector found inside a text. */
  readonly spanStrategy: (type: DetectorType) => Strategy;
}

export interface ValueMasker {
  /** Detected spans replaced; JSON text is not parsed (error messages, logs). */
  maskText(text: string, findings?: Findings): string;
  /** As maskText, but JSON text (`{...}`, `[...]`) is masked structurally. */
  maskString(text: string, findings?: Findings): string;
  maskValue(value: unknown, findings?: Findings): unknown;
  /** A column rule applied to a whole value: masked if its kind can carry the rule's type, else copied through. */
  applyRule(hit: RuleHit, value: unknown, findings?: Findings): unknown;
}

const MAX_DEPTH = 64;

/** A copy of a value that masking leaves alone, so the output never aliases the input. */
export function copyPlain(value: unknown): unknown {
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? Buffer.from(value) : new Uint8Array(value);
  return value;
}

/** Sets an own property even for `__proto__`, which plain assignment would treat as the prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function looksLikeJson(text: string): boolean {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  return (first === 123 && last === 125) || (first === 91 && last === 93);
}

export function createValueMasker(deps: ValueMaskerDeps): ValueMasker {
  const { scan, rules, strategies, spanStrategy } = deps;
  const scratch = newFindings();

  const maskText = (text: string, findings: Findings = scratch): string => {
    const spans = scan(text);
    if (spans.length === 0) return text;
    let out = '';
    let at = 0;
    for (const span of spans) {
      out += text.slice(at, span.start) + strategies.replaceSpan(spanStrategy(span.type), span.type, text.slice(span.start, span.end));
      at = span.end;
      note(findings, span.type);
    }
    return out + text.slice(at);
  };

  const maskString = (text: string, findings: Findings = scratch, depth = 0): string => {
    if (text.length >= 2 && looksLikeJson(text)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return maskText(text, findings);
      }
      const inner = newFindings();
      const masked = walk(parsed, inner, depth + 1);
      if (inner.count === 0) return text;
      findings.count += inner.count;
      for (const label of inner.labels ?? []) (findings.labels ??= new Set()).add(label);
      return JSON.stringify(masked, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    }
    return maskText(text, findings);
  };

  const applyRule = (hit: RuleHit, value: unknown, findings: Findings = scratch): unknown => {
    if (value === null || value === undefined) return value;
    const kind = valueKind(value);
    if (kind === undefined || !hit.kinds.has(kind)) return copyPlain(value);
    if (kind === 'text' && !hit.numerals && isNumeral(value as string)) return value;
    note(findings, hit.type);
    return strategies.apply(hit.strategy, hit.type, value);
  };

  const maskBinary = (bytes: Uint8Array, findings: Findings): unknown => {
    const spans = scan(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    if (spans.length === 0) return copyPlain(bytes);
    // Bytes can't be partly replaced without corrupting them: the whole value goes.
    note(findings, (spans[0] as { type: string }).type);
    return redactionToken((spans[0] as { type: string }).type);
  };

  const walkObject = (value: object, findings: Findings, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const source = value as Record<string, unknown>;
    for (const key of Object.keys(source)) {
      const member = source[key];
      let outKey = key.length >= 6 ? maskText(key, findings) : key;
      // Two keys masked to the same token must not overwrite each other.
      for (let n = 2; outKey !== key && Object.prototype.hasOwnProperty.call(out, outKey); n++) outKey = `${maskText(key)}#${n}`;
      const hit = rules.forName(key);
      setOwn(out, outKey, hit && member !== null && member !== undefined ? applyRule(hit, member, findings) : walk(member, findings, depth + 1));
    }
    return out;
  };

  function walk(value: unknown, findings: Findings, depth: number): unknown {
    if (typeof value === 'string') return maskString(value, findings, depth);
    if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
    if (depth > MAX_DEPTH) {
      note(findings, 'nested');
      return redactionToken('nested');
    }
    if (value instanceof Date) return new Date(value.getTime());
    if (value instanceof Uint8Array) return maskBinary(value, findings);
    if (Array.isArray(value)) return value.map((item) => walk(item, findings, depth + 1));
    return walkObject(value, findings, depth);
  }

  return {
    maskText,
    maskString: (text, findings) => maskString(text, findings),
    maskValue: (value, findings = scratch) => walk(value, findings, 0),
    applyRule,
  };
}
