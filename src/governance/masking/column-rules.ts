/**
 * Column rules: which columns hold personal data or secrets, by exact `schema.table.column` or `table.column`,
 * or by a name pattern (`*email*`), each with a semantic type and a strategy. The defaults below are what a privacy
 * engineer would expect of an e-commerce schema; a policy's `masking.rules` come first and can override them.
 */
import type { Strategy } from './strategies.js';

export interface ColumnRule {
  /** `schema.table.column`, `table.column`, or a column-name glob such as `*email*` or `password*`. */
  readonly match: string;
  readonly type: string;
  readonly strategy: Strategy;
}

export const DEFAULT_COLUMN_RULES: readonly ColumnRule[] = [
  { match: '*email*', type: 'email', strategy: 'partial' },
  { match: '*phone*', type: 'phone', strategy: 'partial' },
  { match: '*mobile*', type: 'phone', strategy: 'partial' },
  { match: 'ssn', type: 'national_id', strategy: 'redact' },
  { match: '*national_id*', type: 'national_id', strategy: 'redact' },
  { match: '*tax_id*', type: 'national_id', strategy: 'redact' },
  { match: '*card_number*', type: 'payment_card', strategy: 'partial' },
  { match: 'pan', type: 'payment_card', strategy: 'partial' },
  { match: '*iban*', type: 'iban', strategy: 'partial' },
  { match: 'password*', type: 'secret', strategy: 'redact' },
  { match: '*password', type: 'secret', strategy: 'redact' },
  { match: '*token*', type: 'secret', strategy: 'redact' },
  { match: '*secret*', type: 'secret', strategy: 'redact' },
  { match: '*api_key*', type: 'secret', strategy: 'redact' },
  { match: 'full_name', type: 'person_name', strategy: 'hash' },
  { match: 'first_name', type: 'person_name', strategy: 'hash' },
  { match: 'last_name', type: 'person_name', strategy: 'hash' },
  { match: '*address*', type: 'address', strategy: 'redact' },
  { match: 'date_of_birth', type: 'date_of_birth', strategy: 'redact' },
  { match: 'dob', type: 'date_of_birth', strategy: 'redact' },
  { match: '*birth*', type: 'date_of_birth', strategy: 'redact' },
  { match: '*ip_addr*', type: 'ip_address', strategy: 'hash' },
];

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

export interface CompiledRules {
  /** The rule for a column, by its source (`schema.table.column`) when known, else by its name. */
  ruleFor(column: string, source?: { schema: string; table: string; column: string }): ColumnRule | undefined;
  /** True when a bare column name is sensitive by some rule (used for derived and unresolved columns). */
  isSensitiveName(name: string): boolean;
}

export function compileRules(rules: readonly ColumnRule[]): CompiledRules {
  const exact = rules.filter((r) => r.match.includes('.') && !r.match.includes('*'));
  const patterns = rules.filter((r) => !r.match.includes('.')).map((r) => ({ rule: r, re: globToRegExp(r.match) }));
  const byName = (name: string) => patterns.find((p) => p.re.test(name))?.rule;
  return {
    ruleFor(column, source) {
      if (source) {
        const full = `${source.schema}.${source.table}.${source.column}`.toLowerCase();
        const short = `${source.table}.${source.column}`.toLowerCase();
        const hit = exact.find((r) => r.match.toLowerCase() === full || r.match.toLowerCase() === short);
        if (hit) return hit;
        return byName(source.column);
      }
      return byName(column);
    },
    isSensitiveName: (name) => byName(name) !== undefined,
  };
}
