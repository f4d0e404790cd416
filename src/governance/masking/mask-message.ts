/**
 * Masks free text that leaves the governance layer: PostgreSQL error messages, notification texts, log lines and
 * span attributes. Besides the value detectors, it knows the two places where PostgreSQL quotes table data:
 * - `Key (email)=(bob@x.com) already exists` (unique, foreign-key and exclusion violations): each value is masked
 *   by the column rule its key column matches (so a name, which no detector finds, is still masked), else scanned;
 *   when the values can't be paired with their columns (a value containing `, `) and any column is sensitive, the
 *   whole value list is redacted;
 * - `Failing row contains (...)` (not-null and check violations): the whole row is redacted, since its columns are
 *   not named.
 */
import type { RuleHit, RuleMatcher } from './column-rules.js';
import type { Findings, ValueMasker } from './mask-value.js';
import { redactionToken, strictness } from './strategies.js';

interface Replacement {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const KEY_END = [') already exists', ') is not present in table', ') is still referenced', ') conflicts with existing key', ') is duplicated', ') conflicts with key'];
const FAILING_ROW = 'Failing row contains (';
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_$]*/g;

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl === -1 ? text.length : nl;
}

/** Splits `a, lower((b)::text)` on commas outside parentheses. */
function splitColumns(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(list.slice(from, i).trim());
      from = i + 1;
    }
  }
  parts.push(list.slice(from).trim());
  return parts;
}

export function createMessageMasker(values: ValueMasker, rules: RuleMatcher): (text: string, findings?: Findings) => string {
  /** The rule for a key column, or for any identifier in an index expression such as `lower((email)::text)`. */
  const ruleForKey = (column: string): RuleHit | undefined => {
    const direct = rules.forName(column.replace(/^"|"$/g, ''));
    if (direct) return direct;
    for (const id of column.match(IDENTIFIER) ?? []) {
      const hit = rules.forName(id);
      if (hit) return hit;
    }
    return undefined;
  };

  const maskKeyValues = (columns: string[], list: string, findings: Findings | undefined): string => {
    const parts = list.split(', ');
    const hits = columns.map(ruleForKey);
    if (parts.length !== columns.length) {
      const sensitive = hits.filter((h): h is RuleHit => h !== undefined);
      if (sensitive.length === 0) return values.maskText(list, findings);
      const strictest = sensitive.reduce((a, b) => (strictness(b.strategy) > strictness(a.strategy) ? b : a));
      if (findings) findings.count++;
      return redactionToken(strictest.type);
    }
    return parts
      .map((part, i) => {
        const hit = hits[i];
        if (!hit) return values.maskText(part, findings);
        const masked = values.applyRule(hit, part, findings);
        // A column's strategy shapes values of its type (an email keeps its domain); a value of another kind under
        // that name (a card number in an `email` or `ip` key) passes it unchanged, so the detectors still look.
        return typeof masked === 'string' ? values.maskText(masked, findings) : redactionToken(hit.type);
      })
      .join(', ');
  };

  const pgReplacements = (text: string, findings: Findings | undefined): Replacement[] => {
    const out: Replacement[] = [];
    for (let k = text.indexOf('Key ('); k !== -1; k = text.indexOf('Key (', k + 5)) {
      const eq = text.indexOf(')=(', k);
      const stop = lineEnd(text, k);
      if (eq === -1 || eq > stop) continue;
      const from = eq + 3;
      let end = -1;
      for (const suffix of KEY_END) {
        const at = text.indexOf(suffix, from);
        if (at !== -1 && at <= stop && (end === -1 || at < end)) end = at;
      }
      if (end === -1) end = text.lastIndexOf(')', stop - 1);
      if (end < from) continue;
      out.push({ start: from, end, text: maskKeyValues(splitColumns(text.slice(k + 5, eq)), text.slice(from, end), findings) });
      k = end;
    }
    for (let f = text.indexOf(FAILING_ROW); f !== -1; f = text.indexOf(FAILING_ROW, f + 1)) {
      const from = f + FAILING_ROW.length;
      const end = text.lastIndexOf(')', lineEnd(text, from) - 1);
      if (end < from) continue;
      if (findings) findings.count++;
      out.push({ start: from, end, text: redactionToken('row') });
      f = end;
    }
    return out.sort((a, b) => a.start - b.start);
  };

  return (text: string, findings?: Findings): string => {
    const replacements = text.includes('Key (') || text.includes(FAILING_ROW) ? pgReplacements(text, findings) : [];
    if (replacements.length === 0) return values.maskText(text, findings);
    let out = '';
    let at = 0;
    for (const r of replacements) {
      if (r.start < at) continue;
      out += values.maskText(text.slice(at, r.start), findings) + r.text;
      at = r.end;
    }
    return out + values.maskText(text.slice(at), findings);
  };
}
