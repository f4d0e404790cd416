/**
 * What a value detector is: a type, a cheap necessary condition over the text's features, and a linear scan that
 * appends the spans it found. Spans are half-open UTF-16 offsets, so a strategy replaces just that part of a cell.
 * Every detector must be safe on hostile input: no unbounded backtracking, work linear in the text's length.
 */
import { readFeatures, type TextFeatures } from './text-features.js';

/**
 * A necessary condition on a text's features, as data rather than a function, so the scanner checks all detectors
 * in one tight loop. Every field is a minimum; `allMarks` must all be present, and at least one of `anyMarks`.
 */
export interface Requirement {
  readonly minLength?: number;
  readonly minDigits?: number;
  readonly minUpper?: number;
  readonly minLower?: number;
  readonly minToken?: number;
  readonly allMarks?: number;
  readonly anyMarks?: number;
}

export function meets(r: Requirement, f: TextFeatures): boolean {
  return (
    f.length >= (r.minLength ?? 0) &&
    f.digits >= (r.minDigits ?? 0) &&
    f.upper >= (r.minUpper ?? 0) &&
    f.lower >= (r.minLower ?? 0) &&
    f.longestToken >= (r.minToken ?? 0) &&
    (f.marks & (r.allMarks ?? 0)) === (r.allMarks ?? 0) &&
    (r.anyMarks === undefined || (f.marks & r.anyMarks) !== 0)
  );
}

export type DetectorType =
  | 'private_key'
  | 'jwt'
  | 'aws_secret_access_key'
  | 'aws_access_key_id'
  | 'gcp_api_key'
  | 'github_token'
  | 'slack_token'
  | 'stripe_key'
  | 'bearer_token'
  | 'basic_auth'
  | 'password'
  | 'credential'
  | 'iban'
  | 'payment_card'
  | 'us_ssn'
  | 'email'
  | 'phone'
  | 'secret';

export type DetectorFamily = 'personal' | 'financial' | 'credential' | 'entropy';

export interface Span {
  readonly type: DetectorType;
  readonly start: number;
  readonly end: number;
}

export interface ValueDetector {
  readonly type: DetectorType;
  readonly family: DetectorFamily;
  /** A necessary condition: when the text's features don't meet it, the detector cannot match and is skipped. */
  readonly requires: Requirement;
  /** Appends every span found in `text` to `out`. Called only when `requires` is met. */
  readonly find: (text: string, out: Span[]) => void;
  /** Standalone use (tests, tools): the spans in `text`, in order; a shared empty array when none. */
  detect(text: string): readonly Span[];
}

export const NO_SPANS: readonly Span[] = Object.freeze([]);

export function defineDetector(spec: Omit<ValueDetector, 'detect'>): ValueDetector {
  return Object.freeze({
    ...spec,
    detect(text: string): readonly Span[] {
      if (!meets(spec.requires, readFeatures(text))) return NO_SPANS;
      const out: Span[] = [];
      spec.find(text, out);
      return out.length === 0 ? NO_SPANS : out.sort((a, b) => a.start - b.start);
    },
  });
}

/**
 * Sorts spans and merges every overlap into one span, labelled by the detector that ranks first (lowest `rank`).
 * Merging instead of dropping the loser means no part of an overlapping match is ever left in clear text.
 */
export function mergeSpans(spans: Span[], rank: (type: DetectorType) => number): Span[] {
  if (spans.length < 2) return spans;
  spans.sort((a, b) => a.start - b.start || rank(a.type) - rank(b.type));
  const out: Span[] = [];
  let cur = spans[0] as Span;
  for (let i = 1; i < spans.length; i++) {
    const next = spans[i] as Span;
    if (next.start < cur.end) {
      const type = rank(next.type) < rank(cur.type) ? next.type : cur.type;
      cur = { type, start: cur.start, end: next.end > cur.end ? next.end : cur.end };
    } else {
      out.push(cur);
      cur = next;
    }
  }
  out.push(cur);
  return out;
}
