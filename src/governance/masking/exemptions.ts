/**
 * Masking exemptions: who may see which columns unmasked, and why (e.g. a DBA during an approved incident).
 * They live in the policy's `masking.exemptions`; each use is recorded in the audit and on the statement's span.
 * Agents never get one unless the exemption says `agents: true`.
 */
import type { Principal } from '../../shared/principal.js';
import type { ResultColumn } from '../result-columns.js';

export interface MaskingExemption {
  readonly id: string;
  readonly reason: string;
  /** Principal ids, or groups, the exemption is for. */
  readonly principals?: readonly string[];
  readonly groups?: readonly string[];
  /** `table.column`, `schema.table.column`, or `*` for every column. */
  readonly columns: readonly string[];
  readonly environments?: readonly string[];
  readonly agents?: boolean;
}

export function findExemption(exemptions: readonly MaskingExemption[], principal: Principal, environment: string): MaskingExemption | undefined {
  return exemptions.find(
    (e) =>
      (principal.kind !== 'agent' || e.agents === true) &&
      (!e.environments || e.environments.includes(environment)) &&
      ((e.principals ?? []).includes(principal.id) || (e.groups ?? []).some((g) => principal.groups.includes(g))),
  );
}

/** The result columns an exemption leaves unmasked: matched by their source column, never by their name alone. */
export function exemptColumns(exemption: MaskingExemption, columns: readonly ResultColumn[]): Set<string> {
  const out = new Set<string>();
  for (const c of columns) {
    if (exemption.columns.includes('*')) out.add(c.name);
    else if (c.source && exemption.columns.some((p) => p === `${c.source?.table}.${c.source?.column}` || p === `${c.source?.schema}.${c.source?.table}.${c.source?.column}`)) out.add(c.name);
  }
  return out;
}
