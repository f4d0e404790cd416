/**
 * The scalar columns the audit table keeps beside each record so that search can use indexes. They are derived from
 * the record (by vigil_audit_append in the database), are not part of the hash, and so `verify` derives them again here
 * and compares: an edited index column would otherwise make search lie while the chain still verified. Pure.
 */
export interface IndexColumns {
  readonly workflowId: string | null;
  readonly runbook: string | null;
  readonly principal: string | null;
  readonly effect: string | null;
  readonly tablesWritten: readonly string[];
  readonly columnsWritten: readonly string[];
  readonly attemptId: string | null;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const texts = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Mirrors the derivation in vigil_audit_append (schema.ts); a test checks the two agree. */
export function indexColumns(kind: string, record: unknown): IndexColumns {
  const r = (record ?? {}) as Record<string, unknown>;
  const decision = (r.decision ?? {}) as Record<string, unknown>;
  return {
    workflowId: text(r.workflowId),
    runbook: text(r.runbook),
    principal: text(r.principal),
    effect: text(decision.effect),
    tablesWritten: texts(r.tablesWritten),
    columnsWritten: texts(r.columnsWritten),
    attemptId: kind === 'outcome' ? text(r.attemptId) : null,
  };
}

/** The first index column that disagrees with the record, as [name, expected, found]; undefined when all agree. */
export function indexMismatch(expected: IndexColumns, found: IndexColumns): [string, string, string] | undefined {
  for (const key of Object.keys(expected) as (keyof IndexColumns)[]) {
    const e = JSON.stringify(expected[key]);
    const f = JSON.stringify(found[key]);
    if (e !== f) return [key, e, f];
  }
  return undefined;
}
