/**
 * Column rules: which columns hold which kind of sensitive data, and how to mask them.
 *
 * A rule's `match` has one to three dot-separated parts, each a literal or a glob (`*` any run, `?` one character),
 * compared case-insensitively: `email` or `*email*` (a column name, in any table), `customers.email` (a table's
 * column, in any schema), `public.customers.email`, or `pii.*.*` (every column of a schema).
 *
 * Precedence, for a column whose table is known: exact rules (two or three parts, no wildcard) first, in order;
 * then, unless the column is exempt, every other rule in order. The caller lists the policy's rules before the
 * defaults, so a policy overrides a default. An exemption (same syntax) lifts pattern rules from a column whose name
 * merely looks sensitive (`support.faq.email_template`); it never lifts an exact rule, and the value detectors still
 * run over the column.
 *
 * A rule without `strategy` uses its type's default. A rule masks the value kinds that can carry its type
 * (semantic-types.ts), and texts of digits alone only for types a number can be; an exact rule masks every
 * non-null value unless it lists `kinds`.
 */
import { CARRIERS, DEFAULT_TYPE_STRATEGIES, NUMERAL_TEXT_TYPES, SEMANTIC_TYPES, VALUE_KINDS, type SemanticType, type ValueKind } from './semantic-types.js';
import { STRATEGIES, type Strategy } from './strategies.js';

export type { Strategy } from './strategies.js';

export interface ColumnRule {
  /** `column`, `table.column` or `schema.table.column`; each part a literal or a glob such as `*email*`. */
  readonly match: string;
  readonly type: SemanticType;
  /** Default: the type's strategy (DEFAULT_TYPE_STRATEGIES). */
  readonly strategy?: Strategy;
  /** Which value kinds the rule masks. Default: every kind for an exact rule, else the kinds that can carry `type`. */
  readonly kinds?: 'all' | readonly ValueKind[];
}

/** A column as masking knows it: the table is known for a source column, unknown for a bare name. */
export interface ColumnRef {
  readonly schema?: string;
  readonly table?: string;
  readonly column: string;
}

export interface TableName {
  readonly schema?: string;
  readonly table: string;
}

export interface RuleHit {
  readonly rule: ColumnRule;
  readonly type: SemanticType;
  readonly strategy: Strategy;
  readonly kinds: ReadonlySet<ValueKind>;
  /** Whether a text of digits alone can carry the type (see NUMERAL_TEXT_TYPES); false lets `"42"` through. */
  readonly numerals: boolean;
}

export interface RuleMatcher {
  /** The rule for a column: exact rules first, then (unless exempt) patterns. A ref without table sees one-part rules only. */
  forColumn(ref: ColumnRef): RuleHit | undefined;
  /** The rule for a bare name: a result column without provenance, a JSON member, a key in an error message. */
  forName(name: string): RuleHit | undefined;
  /**
   * The rule that makes a column name the statement mentions sensitive, for the conservative fallback: a one-part
   * rule on the name, or a longer rule that matches the name in one of the tables the statement reads. The
   * statement's column list doesn't say which table each name is from, so every pairing counts; without the
   * tables, a longer rule counts when its column part matches.
   */
  forReferencedName(name: string, tables?: readonly TableName[]): RuleHit | undefined;
  isExempt(ref: ColumnRef): boolean;
}

interface Compiled {
  readonly hit: RuleHit;
  readonly parts: readonly ((s: string) => boolean)[];
  readonly exact: boolean;
}

const PART = /^[A-Za-z0-9_$*?-]+$/;
const ALL_KINDS: ReadonlySet<ValueKind> = new Set(VALUE_KINDS);

function partMatcher(part: string): (s: string) => boolean {
  const lower = part.toLowerCase();
  if (!/[*?]/.test(part)) return (s) => s.toLowerCase() === lower;
  const re = new RegExp(`^${lower.replace(/[.+^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'is');
  return (s) => re.test(s);
}

function compilePattern(match: string): { parts: ((s: string) => boolean)[]; exact: boolean } {
  const parts = match.split('.');
  return { parts: parts.map(partMatcher), exact: parts.length >= 2 && !/[*?]/.test(match) };
}

/** Whether a compiled pattern matches the ref. A missing schema matches any; a missing table matches only one-part patterns. */
function matches(parts: readonly ((s: string) => boolean)[], ref: ColumnRef): boolean {
  const column = parts[parts.length - 1] as (s: string) => boolean;
  if (!column(ref.column)) return false;
  if (parts.length === 1) return true;
  if (ref.table === undefined || !(parts[parts.length - 2] as (s: string) => boolean)(ref.table)) return false;
  return parts.length === 2 || ref.schema === undefined || (parts[0] as (s: string) => boolean)(ref.schema);
}

export interface RuleOptions {
  readonly exempt?: readonly string[];
  readonly typeStrategies?: Partial<Readonly<Record<SemanticType, Strategy>>>;
}

/** Memoises a lookup by string; cleared when it grows large, so hostile inputs (many distinct JSON keys) can't grow it forever. */
function memo<T>(fn: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    if (cache.has(key)) return cache.get(key) as T;
    if (cache.size >= 10_000) cache.clear();
    const value = fn(key);
    cache.set(key, value);
    return value;
  };
}

export function compileRules(rules: readonly ColumnRule[], options: RuleOptions = {}): RuleMatcher {
  const strategies = { ...DEFAULT_TYPE_STRATEGIES, ...options.typeStrategies };
  const compiled: Compiled[] = rules.map((rule) => {
    const { parts, exact } = compilePattern(rule.match);
    const kinds = rule.kinds === 'all' || (rule.kinds === undefined && exact) ? ALL_KINDS : new Set(rule.kinds ?? CARRIERS[rule.type]);
    const numerals = kinds.has('number') || NUMERAL_TEXT_TYPES.has(rule.type);
    return { hit: { rule, type: rule.type, strategy: rule.strategy ?? strategies[rule.type], kinds, numerals }, parts, exact };
  });
  const exactRules = compiled.filter((c) => c.exact);
  const patternRules = compiled.filter((c) => !c.exact);
  const onepart = compiled.filter((c) => c.parts.length === 1);
  const exemptions = (options.exempt ?? []).map((e) => compilePattern(e).parts);

  const isExempt = (ref: ColumnRef) => exemptions.some((parts) => matches(parts, ref));
  const forColumn = (ref: ColumnRef): RuleHit | undefined => {
    const exact = exactRules.find((c) => matches(c.parts, ref));
    if (exact) return exact.hit;
    if (isExempt(ref)) return undefined;
    return patternRules.find((c) => matches(c.parts, ref))?.hit;
  };
  const byColumn = memo((key: string) => {
    const [schema, table, column] = key.split('\u0000') as [string, string, string];
    return forColumn({ schema: schema === '' ? undefined : schema, table: table === '' ? undefined : table, column });
  });
  const forName = memo((name: string) => (isExempt({ column: name }) ? undefined : onepart.find((c) => matches(c.parts, { column: name }))?.hit));
  const forReferencedAnywhere = memo((name: string) => {
    if (isExempt({ column: name })) return undefined;
    return compiled.find((c) => (c.parts[c.parts.length - 1] as (s: string) => boolean)(name))?.hit;
  });
  const forReferencedName = (name: string, tables?: readonly TableName[]): RuleHit | undefined => {
    if (tables === undefined) return forReferencedAnywhere(name);
    if (isExempt({ column: name })) return undefined;
    return compiled.find((c) => (c.parts.length === 1 ? matches(c.parts, { column: name }) : tables.some((t) => matches(c.parts, { ...t, column: name }) && !isExempt({ ...t, column: name }))))?.hit;
  };

  return {
    forColumn: (ref) => byColumn(`${ref.schema ?? ''}\u0000${ref.table ?? ''}\u0000${ref.column}`),
    forName,
    forReferencedName,
    isExempt,
  };
}

/** Checks a `match` or exemption pattern; returns the problem, or undefined. */
export function patternProblem(match: unknown): string | undefined {
  if (typeof match !== 'string' || match.length === 0) return 'must be a non-empty string';
  const parts = match.split('.');
  if (parts.length > 3) return 'has more than three parts (schema.table.column)';
  if (parts.some((p) => !PART.test(p))) return 'has an empty part or a character other than letters, digits, _ $ - * ?';
  return undefined;
}

/**
 * Validates rules as a policy file gives them (`masking.rules`), so that a typo fails the load instead of silently
 * leaving a column unmasked. Returns the rules that are valid and one line per problem.
 */
export function validateColumnRules(raw: unknown): { rules: ColumnRule[]; issues: string[] } {
  if (raw === undefined || raw === null) return { rules: [], issues: [] };
  if (!Array.isArray(raw)) return { rules: [], issues: ['masking rules must be a list'] };
  const rules: ColumnRule[] = [];
  const issues: string[] = [];
  raw.forEach((item: unknown, i) => {
    const at = `masking rule ${i + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      issues.push(`${at}: must be an object with match and type`);
      return;
    }
    const r = item as Record<string, unknown>;
    const problems: string[] = [];
    for (const key of Object.keys(r)) if (!['match', 'type', 'strategy', 'kinds'].includes(key)) problems.push(`unknown field '${key}'`);
    const matchProblem = patternProblem(r.match);
    if (matchProblem) problems.push(`match ${matchProblem}`);
    if (!SEMANTIC_TYPES.includes(r.type as SemanticType)) problems.push(`type must be one of ${SEMANTIC_TYPES.join(', ')}`);
    if (r.strategy !== undefined && !STRATEGIES.includes(r.strategy as Strategy)) problems.push(`strategy must be one of ${STRATEGIES.join(', ')}`);
    if (r.kinds !== undefined && r.kinds !== 'all' && !(Array.isArray(r.kinds) && r.kinds.every((k) => VALUE_KINDS.includes(k as ValueKind)))) {
      problems.push(`kinds must be 'all' or a list of ${VALUE_KINDS.join(', ')}`);
    }
    if (problems.length > 0) {
      issues.push(...problems.map((p) => `${at} (${typeof r.match === 'string' ? r.match : '?'}): ${p}`));
      return;
    }
    rules.push(Object.freeze({ ...(r as unknown as ColumnRule), ...(Array.isArray(r.kinds) ? { kinds: Object.freeze([...(r.kinds as ValueKind[])]) } : {}) }));
  });
  return { rules, issues };
}
