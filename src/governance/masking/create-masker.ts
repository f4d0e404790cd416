/**
 * The masker the governance layer uses. For each result column:
 * 1. a column rule that matches its source column (from PostgreSQL's field metadata) or, without a source, its name,
 *    masks the whole column with the rule's strategy;
 * 2. a column with no source (an expression, an aggregate) in a statement that mentions any sensitive column is
 *    treated as derived from it: its text is redacted, numbers and booleans (counts, ids) are kept;
 * 3. every text cell left is scanned by the value detectors, inside JSON too, and only the detected spans replaced.
 * Inputs are never mutated; output rows are new objects.
 */
import { compileRules, DEFAULT_COLUMN_RULES, type ColumnRule } from './column-rules.js';
import { detect } from './detectors.js';
import { applyStrategy, type Strategy } from './strategies.js';
import type { Masker, MaskedRows } from '../masker.js';
import type { ResultColumn } from '../result-columns.js';

export interface MaskingOptions {
  /** Policy rules first; they win over the defaults. */
  readonly rules?: readonly ColumnRule[];
  readonly hashKey: string;
}

export function createMasker(options: MaskingOptions): Masker {
  // `type:<semantic type>` rules set the strategy for a whole kind of data: the default column rules of that type and
  // every value a detector finds of it. Other policy rules (exact columns, name patterns) still win for their columns.
  const typeStrategies = new Map((options.rules ?? []).filter((r) => r.match.startsWith('type:')).map((r) => [r.match.slice('type:'.length), r.strategy]));
  const policyRules = new Set((options.rules ?? []).filter((r) => !r.match.startsWith('type:')));
  const rules = compileRules([...policyRules, ...DEFAULT_COLUMN_RULES]);
  const strategyOf = (rule: ColumnRule): Strategy => (policyRules.has(rule) ? rule.strategy : (typeStrategies.get(rule.type) ?? rule.strategy));

  const maskText = (text: string): string => {
    const found = detect(text);
    if (found.length === 0) return text;
    let out = '';
    let at = 0;
    for (const d of found) {
      const strategy = typeStrategies.get(d.type);
      out += text.slice(at, d.start) + (strategy ? String(applyStrategy(strategy, text.slice(d.start, d.end), d.type, options.hashKey)) : `[REDACTED:${d.type}]`);
      at = d.end;
    }
    return out + text.slice(at);
  };

  const maskValue = (value: unknown): unknown => {
    if (typeof value === 'string') {
      // JSON text is masked inside, so the structure survives for the runbook that reads it.
      if ((value.startsWith('{') || value.startsWith('[')) && value.length > 1) {
        try {
          return JSON.stringify(maskValue(JSON.parse(value)));
        } catch {
          return maskText(value);
        }
      }
      return maskText(value);
    }
    if (Array.isArray(value)) return value.map(maskValue);
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const rule = rules.ruleFor(k);
        out[k] = rule && v !== null && v !== undefined ? applyStrategy(strategyOf(rule), String(v), rule.type, options.hashKey) : maskValue(v);
      }
      return out;
    }
    return value;
  };

  const maskRows = (columns: readonly ResultColumn[], rows: readonly Record<string, unknown>[], columnsReferenced: readonly string[] = [], exempt: ReadonlySet<string> = new Set()): MaskedRows => {
    const derivedFromSensitive = columnsReferenced.some((c) => rules.isSensitiveName(c));
    const plan = columns.map((col) => {
      if (exempt.has(col.name)) return { name: col.name, kind: 'exempt' as const };
      const rule = rules.ruleFor(col.name, col.source);
      if (rule) return { name: col.name, kind: 'rule' as const, rule };
      if (col.unresolved && derivedFromSensitive) return { name: col.name, kind: 'derived' as const };
      return { name: col.name, kind: 'scan' as const };
    });
    const masked = new Set<string>();
    const out = rows.map((row) => {
      const copy: Record<string, unknown> = {};
      for (const p of plan) {
        const value = row[p.name];
        if (value === null || value === undefined || p.kind === 'exempt') {
          copy[p.name] = value;
        } else if (p.kind === 'rule') {
          copy[p.name] = applyStrategy(strategyOf(p.rule), typeof value === 'string' ? value : JSON.stringify(value), p.rule.type, options.hashKey);
          masked.add(p.name);
        } else if (p.kind === 'derived' && typeof value !== 'number' && typeof value !== 'boolean') {
          copy[p.name] = '[REDACTED:derived]';
          masked.add(p.name);
        } else {
          const m = maskValue(value);
          // Strings come back as the same string when nothing was found: compare cheaply where possible.
          if (typeof value === 'string' ? m !== value : typeof value === 'object' && JSON.stringify(m) !== JSON.stringify(value)) masked.add(p.name);
          copy[p.name] = m;
        }
      }
      return copy;
    });
    return { rows: out, masked: [...masked] };
  };

  return { maskText, maskValue, maskRows };
}
