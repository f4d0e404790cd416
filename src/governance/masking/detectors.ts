/**
 * The value detectors, in rank order (specific before generic), and the one scan that runs a chosen set of them over
 * a text. The scan reads the text's features once, skips whole cells whose shape can hold nothing (timestamps,
 * UUIDs, plain numbers), runs only the detectors whose necessary condition holds, and merges overlapping spans.
 * A text no detector applies to (most cells) costs one loop over its characters and allocates nothing.
 */
import {
  awsKeyIdDetector,
  awsSecretDetector,
  basicAuthDetector,
  bearerDetector,
  credentialDetector,
  gcpKeyDetector,
  githubTokenDetector,
  jwtDetector,
  passwordDetector,
  privateKeyDetector,
  slackTokenDetector,
  stripeKeyDetector,
} from './detect-credentials.js';
import { secretDetector } from './detect-entropy.js';
import { cardDetector, ibanDetector } from './detect-financial.js';
import { emailDetector, phoneDetector, ssnDetector } from './detect-personal.js';
import { readFeatures } from './text-features.js';
import { mergeSpans, NO_SPANS, type DetectorFamily, type DetectorType, type Span, type ValueDetector } from './value-detector.js';

export type { DetectorFamily, DetectorType, Span, ValueDetector } from './value-detector.js';
export { NO_SPANS } from './value-detector.js';

/** Every detector, most specific first: when two overlap, the merged span carries the earlier one's type. */
export const VALUE_DETECTORS: readonly ValueDetector[] = Object.freeze([
  privateKeyDetector,
  jwtDetector,
  awsSecretDetector,
  awsKeyIdDetector,
  gcpKeyDetector,
  githubTokenDetector,
  slackTokenDetector,
  stripeKeyDetector,
  bearerDetector,
  basicAuthDetector,
  passwordDetector,
  credentialDetector,
  ibanDetector,
  cardDetector,
  ssnDetector,
  emailDetector,
  phoneDetector,
  secretDetector,
]);

export const DETECTOR_TYPES: readonly DetectorType[] = Object.freeze(VALUE_DETECTORS.map((d) => d.type));
export const DETECTOR_FAMILIES: readonly DetectorFamily[] = Object.freeze(['personal', 'financial', 'credential', 'entropy']);

const RANK = new Map<DetectorType, number>(VALUE_DETECTORS.map((d, i) => [d.type, i]));
const rank = (type: DetectorType): number => RANK.get(type) ?? VALUE_DETECTORS.length;

/** The shortest text any detector can match (`a@b.co`). */
const MIN_TEXT = 6;

/**
 * Whole cells that hold nothing sensitive and are common in results: ISO dates and timestamps, UUIDs, decimal
 * numbers of up to 12 digits. Not with a leading `+`: that is how a phone number starts.
 */
const HARMLESS = /^(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|-?\d{1,12}(?:\.\d+)?)$/i;

export type TextScanner = (text: string) => readonly Span[];

/**
 * A scanner over the given detectors (default: all). Names may be detector types (`email`) or families
 * (`credential`); an unknown name throws, so a typo in a policy can't silently switch a detector off.
 */
export function createScanner(selection: 'all' | readonly string[] = 'all'): TextScanner {
  const detectors = selectDetectors(selection);
  const count = detectors.length;
  // The requirements as parallel arrays: one tight loop of comparisons per text, no call per detector.
  const column = (pick: (r: ValueDetector['requires']) => number | undefined) => Int32Array.from(detectors, (d) => pick(d.requires) ?? 0);
  const minLength = column((r) => r.minLength);
  const minDigits = column((r) => r.minDigits);
  const minUpper = column((r) => r.minUpper);
  const minLower = column((r) => r.minLower);
  const minToken = column((r) => r.minToken);
  const allMarks = column((r) => r.allMarks);
  const anyMarks = column((r) => r.anyMarks);
  const shortest = Math.max(MIN_TEXT, Math.min(...minLength));

  return (text: string): readonly Span[] => {
    if (text.length < shortest) return NO_SPANS;
    const f = readFeatures(text);
    const { length, digits, upper, lower, longestToken, marks } = f;
    let found: Span[] | undefined;
    for (let i = 0; i < count; i++) {
      if (length < minLength[i]! || digits < minDigits[i]! || upper < minUpper[i]! || lower < minLower[i]! || longestToken < minToken[i]!) continue;
      const all = allMarks[i]!;
      const any = anyMarks[i]!;
      if ((marks & all) !== all || (any !== 0 && (marks & any) === 0)) continue;
      if (found === undefined) {
        if (length <= 40 && HARMLESS.test(text)) return NO_SPANS;
        found = [];
      }
      (detectors[i] as ValueDetector).find(text, found);
    }
    if (found === undefined || found.length === 0) return NO_SPANS;
    return mergeSpans(found, rank);
  };
}

export function selectDetectors(selection: 'all' | readonly string[]): readonly ValueDetector[] {
  if (selection === 'all') return VALUE_DETECTORS;
  const unknown = selection.filter((name) => !DETECTOR_TYPES.includes(name as DetectorType) && !DETECTOR_FAMILIES.includes(name as DetectorFamily));
  if (unknown.length > 0) throw new Error(`unknown value detector(s): ${unknown.join(', ')} (known: ${[...DETECTOR_FAMILIES, ...DETECTOR_TYPES].join(', ')})`);
  return VALUE_DETECTORS.filter((d) => selection.includes(d.type) || selection.includes(d.family));
}

const scanAll = createScanner('all');

/** Every span any detector finds in `text`, merged and in order. */
export function detect(text: string): readonly Span[] {
  return scanAll(text);
}
