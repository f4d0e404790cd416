/**
 * The one entry point the executor calls: masks a result before anything leaves the governance layer (workflow
 * history keeps whatever an activity returns, forever). Pure: no database, no Temporal, no environment.
 *
 * For each result column, decided once per result:
 * 1. Column rules. A column whose source column, or any column it is derived from, matches a rule is masked
 *    wholesale by that rule (several matches: the strictest strategy; `partial` across different types becomes
 *    `redact`). A column with no source is matched by its name.
 * 2. Unresolved columns (`unresolved: true`: an expression, an aggregate, a column PostgreSQL could not trace),
 *    when no rule matched their name and they are not exempt:
 *    a. with no `derivedFrom`, if the statement mentions a sensitive column anywhere (`columnsReferenced`, e.g.
 *       `upper(email)`, `card_number::bigint`): text, JSON and bytea cells become `[REDACTED:derived]`; numbers
 *       and numeral texts (node-postgres's bigint and numeric) of absolute value 1,000,000 or more too when a
 *       mentioned type can be a number (phone, card, national id, birth date), every numeral text when a secret
 *       is mentioned (a PIN is small), dates when a birth date is; booleans and small numbers (counts) stay;
 *    b. otherwise, if a value detector finds anything in any of its cells, every text, JSON and bytea cell of the
 *       column becomes `[REDACTED:derived]` (one email in the column suggests the rest are fragments of one);
 *    c. otherwise, as 3.
 * 3. Every other cell is scanned by the value detectors (inside JSON objects, arrays and JSON text too), and only
 *    the detected spans are replaced. Numbers, booleans, null and dates pass untouched.
 * Output rows are new objects holding exactly the result's columns; the caller's rows are never mutated or shared.
 */
import { compileRules, patternProblem, validateColumnRules, type ColumnRule, type RuleHit, type RuleMatcher, type TableName } from './column-rules.js';
import { DEFAULT_MASKING_RULES } from './default-masking-rules.js';
import { createScanner, DETECTOR_TYPES, type DetectorType } from './detectors.js';
import { createMessageMasker } from './mask-message.js';
import { copyPlain, createValueMasker, newFindings, setOwn, type Findings, type ValueMasker } from './mask-value.js';
import { isNumeral, SEMANTIC_TYPES, valueKind, type SemanticType, type ValueKind } from './semantic-types.js';
import { createStrategies, redactionToken, STRATEGIES, strictness, type Strategy } from './strategies.js';
import type { ErrorCode } from '../../shared/error-codes.js';

export type { ColumnRule } from './column-rules.js';
export type { DetectorType } from './detectors.js';
export type { SemanticType, ValueKind } from './semantic-types.js';
export type { Strategy } from './strategies.js';
export { DEFAULT_MASKING_RULES } from './default-masking-rules.js';
export { validateColumnRules } from './column-rules.js';

export interface SourceColumn {
  readonly schema: string;
  readonly table: string;
  readonly column: string;
}

export interface DerivedColumn {
  readonly schema?: string;
  readonly table: string;
  readonly column: string;
}

export interface ResultColumn {
  readonly name: string;
  /** The table column PostgreSQL reported for this field (`SELECT email AS contact` still has customers.email). */
  readonly source?: SourceColumn;
  /** Table columns this column is computed from, when lineage is known (`upper(email)`, `first_name || last_name`). */
  readonly derivedFrom?: readonly DerivedColumn[];
  /** PostgreSQL reported no source: an expression, an aggregate, or a column that could not be resolved. */
  readonly unresolved?: boolean;
  /** The column's PostgreSQL type (its OID): a type that can't hold text is not scanned by the value detectors. */
  readonly typeOid?: number;
}

/**
 * bool, date, time, timetz, timestamp, timestamptz, interval, uuid: their values arrive as booleans, ISO dates and
 * times, interval objects of numbers and uuids, which no detector matches. int8 and numeric are still scanned: they
 * arrive as digit strings, and a card number is digits.
 */
const TEXTLESS_TYPES = new Set([16, 1082, 1083, 1266, 1114, 1184, 1186, 2950]);

export interface MaskingConfig {
  /** The policy's rules. They come before `defaultRules`, so they override them. */
  readonly rules: readonly ColumnRule[];
  /** Default: DEFAULT_MASKING_RULES. Pass `[]` to use only the policy's rules. */
  readonly defaultRules?: readonly ColumnRule[];
  /** Key of the `hash` pseudonyms; at least 32 random bytes in production. */
  readonly hashKey: Uint8Array | string;
  /** Value detectors to run, by type (`email`) or family (`credential`). Default: all. */
  readonly detectors?: 'all' | readonly string[];
  /** Column patterns (rule syntax) whose names only look sensitive: pattern rules don't apply; detectors still do. */
  readonly exemptColumns?: readonly string[];
  /** Strategy per semantic type for rules that name none. Default: DEFAULT_TYPE_STRATEGIES. */
  readonly typeStrategies?: Partial<Readonly<Record<SemanticType, Strategy>>>;
  /** Strategy for spans the detectors find inside text. Default: `redact` for every type. */
  readonly detectorStrategies?: Partial<Readonly<Record<DetectorType, Strategy>>>;
}

export interface MaskingContext {
  /** Every column name the statement mentions (Classification.columnsReferenced): drives rule 2a. */
  readonly columnsReferenced?: readonly string[];
  /**
   * The tables the statement reads, `schema.table` or `table` (Classification.tables.read names). With them, a
   * mentioned name is sensitive only by a rule that matches it in one of these tables; without, by any rule.
   */
  readonly tablesRead?: readonly string[];
  /**
   * Result columns a masking exemption leaves in the clear (masking/exemptions.ts decides which, by source column):
   * neither rules nor detectors touch them. The caller records the exemption in the audit.
   */
  readonly exempt?: ReadonlySet<string>;
}

export interface MaskedColumn {
  readonly column: string;
  /** Why, without any value: `source public.customers.email matches rule '*email*' (email)`. */
  readonly reason: string;
  readonly strategy: Strategy;
}

export interface MaskedResult {
  /** The result's column names, once each, in order: the keys of every output row. */
  readonly columns: string[];
  readonly rows: Record<string, unknown>[];
  /** The columns in which at least one cell was masked. */
  readonly masked: MaskedColumn[];
  readonly cellsMasked: number;
}

export interface ResultMasker {
  maskRows(columns: readonly ResultColumn[], rows: readonly Record<string, unknown>[], context?: MaskingContext): MaskedResult;
  /** For PostgreSQL error messages, notification texts, logs and span attributes. */
  maskText(text: string): string;
  /** For parameters and any other value: detectors over text, JSON member rules by key. */
  maskValue(value: unknown): unknown;
}

export class MaskingConfigError extends Error {
  readonly code: ErrorCode = 'VIGIL_E_POLICY_INVALID';
  constructor(readonly issues: readonly string[]) {
    super(`invalid masking configuration: ${issues.join('; ')}`);
    this.name = 'MaskingConfigError';
  }
}

const TEXTUAL_KINDS: ReadonlySet<ValueKind> = new Set(['text', 'json', 'binary']);
/** Below this, a number can't be a card, phone or SSN (and is likely a count): kept in conservative columns. */
const SMALL_NUMBER = 1_000_000;
const DERIVED = redactionToken('derived');

interface RulePlan {
  readonly kind: 'rule';
  readonly name: string;
  readonly hit: RuleHit;
  readonly reason: string;
}

interface ConservativePlan {
  readonly kind: 'conservative';
  readonly name: string;
  readonly kinds: ReadonlySet<ValueKind>;
  /** Numbers of at least this absolute value are masked (Infinity: none). */
  readonly numberFloor: number;
  /** Numeral texts (bigint, numeric) of at least this absolute value are masked; 0 when a secret is mentioned. */
  readonly numeralFloor: number;
  readonly reason: string;
}

interface ScanPlan {
  readonly kind: 'scan';
  readonly name: string;
  /** Unresolved: scanned before the main pass, and turned conservative if anything is found (rule 2b). */
  readonly probe: boolean;
}

/** Copied as it is: exempt for this principal, or of a type that can't hold text and that no rule matched. */
interface ClearPlan {
  readonly kind: 'clear';
  readonly name: string;
}

type Plan = RulePlan | ConservativePlan | ScanPlan | ClearPlan;

interface Tally {
  readonly findings: Findings;
  cells: number;
}

const qualified = (c: { schema?: string; table: string; column: string }) => `${c.schema ? `${c.schema}.` : ''}${c.table}.${c.column}`;
const describeRule = (hit: RuleHit) => `rule '${hit.rule.match}' (${hit.type})`;

/** Several rules for one column: the strictest strategy; `partial` is only kept when they agree on the type. */
function combine(hits: readonly RuleHit[]): RuleHit {
  const strictest = hits.reduce((a, b) => (strictness(b.strategy) > strictness(a.strategy) ? b : a));
  if (hits.length === 1) return strictest;
  const kinds = new Set<ValueKind>();
  for (const h of hits) for (const k of h.kinds) kinds.add(k);
  const mixed = hits.some((h) => h.type !== strictest.type);
  const numerals = hits.some((h) => h.numerals);
  return { ...strictest, strategy: strictest.strategy === 'partial' && mixed ? 'redact' : strictest.strategy, kinds, numerals };
}

function validate(config: MaskingConfig): { rules: ColumnRule[]; defaults: ColumnRule[]; issues: string[] } {
  const issues: string[] = [];
  const own = validateColumnRules(config.rules);
  const defaults = validateColumnRules(config.defaultRules ?? DEFAULT_MASKING_RULES);
  issues.push(...own.issues, ...defaults.issues.map((i) => `default ${i}`));
  const key = config.hashKey;
  if (!(typeof key === 'string' || key instanceof Uint8Array) || key.length === 0) issues.push('hashKey must be a non-empty string or byte array');
  for (const pattern of config.exemptColumns ?? []) {
    const problem = patternProblem(pattern);
    if (problem) issues.push(`exempt column ${JSON.stringify(pattern)} ${problem}`);
  }
  for (const [type, strategy] of Object.entries(config.typeStrategies ?? {})) {
    if (!SEMANTIC_TYPES.includes(type as SemanticType)) issues.push(`typeStrategies: unknown type '${type}'`);
    if (!STRATEGIES.includes(strategy as Strategy)) issues.push(`typeStrategies.${type}: unknown strategy '${String(strategy)}'`);
  }
  for (const [type, strategy] of Object.entries(config.detectorStrategies ?? {})) {
    if (!DETECTOR_TYPES.includes(type as DetectorType)) issues.push(`detectorStrategies: unknown detector '${type}'`);
    if (!STRATEGIES.includes(strategy as Strategy)) issues.push(`detectorStrategies.${type}: unknown strategy '${String(strategy)}'`);
  }
  return { rules: own.rules, defaults: defaults.rules, issues };
}

export function createMasker(config: MaskingConfig): ResultMasker {
  const { rules: own, defaults, issues } = validate(config);
  let scan: ReturnType<typeof createScanner> | undefined;
  try {
    scan = createScanner(config.detectors === undefined ? 'all' : config.detectors === 'all' ? 'all' : [...config.detectors]);
  } catch (error) {
    issues.push((error as Error).message);
  }
  if (issues.length > 0 || scan === undefined) throw new MaskingConfigError(issues);

  const rules = compileRules([...own, ...defaults], { exempt: [...(config.exemptColumns ?? [])], typeStrategies: { ...config.typeStrategies } });
  const strategies = createStrategies(config.hashKey);
  const spanStrategies: Partial<Record<DetectorType, Strategy>> = { ...config.detectorStrategies };
  const spanStrategy = (type: DetectorType): Strategy => spanStrategies[type] ?? 'redact';
  const values = createValueMasker({ scan, rules, strategies, spanStrategy });
  const maskMessage = createMessageMasker(values, rules);

  return {
    maskRows: (columns, rows, context) => maskRows(rules, values, spanStrategy, columns, rows, context),
    maskText: (text) => maskMessage(text),
    maskValue: (value) => values.maskValue(value),
  };
}

function planColumn(rules: RuleMatcher, column: ResultColumn, referenced: readonly { name: string; hit: RuleHit }[]): Plan {
  const hits: RuleHit[] = [];
  const why: string[] = [];
  const add = (hit: RuleHit | undefined, reason: (hit: RuleHit) => string) => {
    if (!hit) return;
    hits.push(hit);
    why.push(reason(hit));
  };
  if (column.source) add(rules.forColumn(column.source), (h) => `source ${qualified(column.source as SourceColumn)} matches ${describeRule(h)}`);
  for (const from of column.derivedFrom ?? []) add(rules.forColumn(from), (h) => `derived from ${qualified(from)}, which matches ${describeRule(h)}`);
  // Without a source, the name is all there is; with one, the source decides (an alias doesn't change the data).
  if (!column.source) add(rules.forName(column.name), (h) => `name matches ${describeRule(h)}`);
  if (hits.length > 0) return { kind: 'rule', name: column.name, hit: combine(hits), reason: why.join('; ') };
  const textless = column.typeOid !== undefined && TEXTLESS_TYPES.has(column.typeOid);
  if (!column.unresolved || rules.isExempt({ column: column.name })) return textless ? { kind: 'clear', name: column.name } : { kind: 'scan', name: column.name, probe: false };
  if (column.derivedFrom === undefined && referenced.length > 0) {
    const kinds = new Set<ValueKind>(TEXTUAL_KINDS);
    let numberFloor = Infinity;
    let numeralFloor = Infinity;
    for (const { hit } of referenced) {
      if (hit.kinds.has('date')) kinds.add('date');
      if (hit.kinds.has('number')) numberFloor = SMALL_NUMBER;
      // A numeric password or PIN can be small: when a secret is mentioned, every numeral text goes.
      if (hit.numerals) numeralFloor = Math.min(numeralFloor, hit.type === 'secret' ? 0 : SMALL_NUMBER);
    }
    const named = referenced.slice(0, 3).map((r) => `${r.name} (${describeRule(r.hit)})`);
    const reason = `unresolved column; the statement mentions ${named.join(', ')}${referenced.length > 3 ? ', ...' : ''}`;
    return { kind: 'conservative', name: column.name, kinds, numberFloor, numeralFloor, reason };
  }
  return textless ? { kind: 'clear', name: column.name } : { kind: 'scan', name: column.name, probe: true };
}

/** Two result columns with one name (`SELECT a.email, b.note AS email`): the row holds one value, so the stricter plan wins. */
function mergePlans(a: Plan, b: Plan): Plan {
  if (a.kind === 'rule' && b.kind === 'rule') return { ...a, hit: combine([a.hit, b.hit]), reason: `${a.reason}; ${b.reason}` };
  const order = { rule: 2, conservative: 1, scan: 0, clear: -1 } as const;
  if (a.kind === 'scan' && b.kind === 'scan') return { ...a, probe: a.probe || b.probe };
  return order[a.kind] >= order[b.kind] ? a : b;
}

function maskConservative(plan: ConservativePlan, value: unknown, tally: Tally): unknown {
  const kind = valueKind(value);
  if (kind === undefined || kind === 'boolean') return value;
  if (kind === 'number') {
    if (Math.abs(Number(value)) < plan.numberFloor) return value;
  } else if (kind === 'text' && isNumeral(value as string)) {
    // `count(*)` arrives from node-postgres as the text "3": a numeral is judged as the number it is.
    if (Math.abs(Number(value)) < plan.numeralFloor) return value;
  } else if (kind === 'date' && !plan.kinds.has('date')) return copyPlain(value);
  tally.findings.count++;
  return DERIVED;
}

function scanCell(values: ValueMasker, value: unknown, findings: Findings): unknown {
  if (typeof value === 'string') return values.maskString(value, findings);
  if (value === null || typeof value !== 'object') return value;
  return values.maskValue(value, findings);
}

/** Per column: a short text already scanned, its masked form and what was found in it. */
type TextMemo = Map<string, { readonly out: string; readonly count: number; readonly labels: readonly string[] }>;
const MEMO_TEXT_LENGTH = 256;
const MEMO_ENTRIES = 4_096;

/**
 * Scans a text cell once per distinct value: status words, regions and templated notes repeat down a column, and
 * masking is a pure function of the text. Bounded in text length and entries, so a column of unique values costs
 * one failed lookup per cell and no more memory.
 */
function scanString(values: ValueMasker, memo: TextMemo, text: string, findings: Findings): string {
  if (text.length > MEMO_TEXT_LENGTH) return values.maskString(text, findings);
  let known = memo.get(text);
  if (!known) {
    const own = newFindings();
    known = { out: values.maskString(text, own), count: own.count, labels: [...(own.labels ?? [])] };
    if (memo.size < MEMO_ENTRIES) memo.set(text, known);
  }
  if (known.count > 0) {
    findings.count += known.count;
    for (const label of known.labels) (findings.labels ??= new Set()).add(label);
  }
  return known.out;
}

function strategyOfLabels(labels: ReadonlySet<string> | undefined, spanStrategy: (type: DetectorType) => Strategy): Strategy {
  let chosen: Strategy = 'redact';
  let first = true;
  for (const label of labels ?? []) {
    const s = DETECTOR_TYPES.includes(label as DetectorType) ? spanStrategy(label as DetectorType) : 'redact';
    if (first || strictness(s) > strictness(chosen)) chosen = s;
    first = false;
  }
  return chosen;
}

/** The plan of the last masker and context seen for a columns array (the guard hands out one array per result shape). */
const planned = new WeakMap<readonly ResultColumn[], { readonly rules: RuleMatcher; readonly context: MaskingContext; readonly plans: readonly Plan[] }>();

/** One plan per distinct column name, remembered while the columns and the statement's context are the same objects. */
function planResult(rules: RuleMatcher, columns: readonly ResultColumn[], context: MaskingContext): readonly Plan[] {
  const exempting = context.exempt !== undefined && context.exempt.size > 0;
  const last = exempting ? undefined : planned.get(columns);
  if (last && last.rules === rules && last.context.columnsReferenced === context.columnsReferenced && last.context.tablesRead === context.tablesRead) return last.plans;
  const tables = context.tablesRead?.map((t): TableName => {
    const dot = t.lastIndexOf('.');
    return dot === -1 ? { table: t } : { schema: t.slice(0, dot), table: t.slice(dot + 1) };
  });
  const referenced: { name: string; hit: RuleHit }[] = [];
  for (const name of new Set(context.columnsReferenced ?? [])) {
    const hit = rules.forReferencedName(name, tables);
    if (hit) referenced.push({ name, hit });
  }
  const byName = new Map<string, Plan>();
  for (const column of columns) {
    const plan: Plan = context.exempt?.has(column.name) ? { kind: 'clear', name: column.name } : planColumn(rules, column, referenced);
    const seen = byName.get(column.name);
    byName.set(column.name, seen ? mergePlans(seen, plan) : plan);
  }
  const plans = [...byName.values()];
  if (!exempting) planned.set(columns, { rules, context, plans });
  return plans;
}

function maskRows(
  rules: RuleMatcher,
  values: ValueMasker,
  spanStrategy: (type: DetectorType) => Strategy,
  columns: readonly ResultColumn[],
  rows: readonly Record<string, unknown>[],
  context: MaskingContext = {},
): MaskedResult {
  // A copy: rule 2b below may turn a plan conservative for this result only.
  const plans = [...planResult(rules, columns, context)];
  const tallies: Tally[] = plans.map(() => ({ findings: newFindings(), cells: 0 }));
  const reasons: (string | undefined)[] = plans.map((p) => (p.kind === 'scan' || p.kind === 'clear' ? undefined : p.reason));

  // Rule 2b: an unresolved column is scanned first; anything found makes the whole column conservative.
  const prescanned: (unknown[] | undefined)[] = plans.map(() => undefined);
  plans.forEach((plan, i) => {
    if (plan.kind !== 'scan' || !plan.probe) return;
    const probe = newFindings();
    const out = rows.map((row) => scanCell(values, row?.[plan.name], probe));
    if (probe.count === 0) {
      prescanned[i] = out;
      return;
    }
    const found = [...(probe.labels ?? [])].join(', ');
    const reason = `unresolved column; detected ${found} in its values`;
    plans[i] = { kind: 'conservative', name: plan.name, kinds: TEXTUAL_KINDS, numberFloor: Infinity, numeralFloor: Infinity, reason };
    reasons[i] = reason;
  });

  // Every output row is spread from one template holding the columns as own properties: one shape for all rows,
  // and assigning `__proto__` then sets the own property instead of the prototype.
  // Made on a column's first text: most results are a few rows, and many columns hold no text.
  const memos: (TextMemo | undefined)[] = new Array(plans.length);
  const template: Record<string, unknown> = {};
  for (const plan of plans) setOwn(template, plan.name, undefined);
  const count = plans.length;
  const out: Record<string, unknown>[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] ?? {};
    const masked: Record<string, unknown> = { ...template };
    for (let i = 0; i < count; i++) {
      const plan = plans[i] as Plan;
      const tally = tallies[i] as Tally;
      const before = tally.findings.count;
      const value = row[plan.name];
      let result: unknown;
      if (plan.kind === 'clear') {
        // Still a copy: the caller's objects are never shared.
        result = value !== null && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Uint8Array) ? structuredClone(value) : copyPlain(value);
      } else if (plan.kind === 'scan') {
        const pre = prescanned[i];
        // A prescanned column found nothing: its values are the scan's copies.
        result = pre ? pre[r] : typeof value === 'string' ? scanString(values, (memos[i] ??= new Map()), value, tally.findings) : scanCell(values, value, tally.findings);
      } else if (value === null || value === undefined) {
        result = value;
      } else if (plan.kind === 'rule') {
        result = values.applyRule(plan.hit, value, tally.findings);
      } else {
        result = maskConservative(plan, value, tally);
      }
      if (tally.findings.count !== before) tally.cells++;
      masked[plan.name] = result;
    }
    out[r] = masked;
  }

  const report: MaskedColumn[] = [];
  let cellsMasked = 0;
  plans.forEach((plan, i) => {
    const tally = tallies[i] as Tally;
    if (tally.cells === 0) return;
    cellsMasked += tally.cells;
    if (plan.kind === 'rule') report.push({ column: plan.name, reason: plan.reason, strategy: plan.hit.strategy });
    else if (plan.kind === 'conservative') report.push({ column: plan.name, reason: reasons[i] ?? plan.reason, strategy: 'redact' });
    else {
      const labels = tally.findings.labels;
      report.push({ column: plan.name, reason: `detected ${[...(labels ?? [])].join(', ')}`, strategy: strategyOfLabels(labels, spanStrategy) });
    }
  });

  return { columns: plans.map((p) => p.name), rows: out, masked: report, cellsMasked };
}
