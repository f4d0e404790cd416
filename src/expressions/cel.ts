/**
 * The one expression language of runbooks: CEL, through @marcbachmann/cel-js.
 * Runs inside the Temporal workflow sandbox: pure, deterministic, no I/O, no clock.
 * Results are converted to plain JSON values (CEL ints are BigInt, which Temporal's JSON payloads can't carry).
 */
import { Environment, type ParseResult } from '@marcbachmann/cel-js';

const environment = new Environment({
  unlistedVariablesAreDyn: true,
  homogeneousAggregateLiterals: false,
  limits: { maxAstNodes: 5_000, maxDepth: 64, maxListElements: 1_000, maxMapEntries: 1_000, maxCallArguments: 32 },
});

const parsed = new Map<string, ParseResult>();

/** Parse once per expression text; throws cel-js's ParseError on bad syntax. */
export function parseCel(expr: string): ParseResult {
  let fn = parsed.get(expr);
  if (!fn) {
    fn = environment.parse(expr);
    parsed.set(expr, fn);
  }
  return fn;
}

export function evaluateCel(expr: string, context: Record<string, unknown>): unknown {
  return toPlain(parseCel(expr)(context));
}

/** CEL values to JSON values: BigInt to number (or string beyond 2^53), Map to object, bytes to base64. */
export function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = toPlain(v);
    return out;
  }
  if (value instanceof Uint8Array) return Array.from(value);
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
  return out;
}
