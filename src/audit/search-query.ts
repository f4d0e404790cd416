/**
 * Builds the SQL of an audit search from a filter: every value is a bound parameter, never spliced into the text.
 * Pure. Table names are matched with and without the `public.` schema, because the classifier records a table the
 * way the statement wrote it.
 */
import { VigilError } from '../shared/vigil-error.js';
import { AUDIT_KINDS, type AuditSearch } from './types.js';

export const MAX_SEARCH_LIMIT = 10_000;

/**
 * `customers` and `public.customers` name the same table under the default search_path. Names are tried as given
 * and lower-cased: the classifier lower-cases unquoted identifiers and keeps quoted ones.
 */
export function tableVariants(table: string): string[] {
  const out = new Set<string>();
  for (const t of new Set([table.trim(), table.trim().toLowerCase()])) {
    out.add(t);
    if (t.toLowerCase().startsWith('public.')) out.add(t.slice('public.'.length));
    else if (!t.includes('.')) out.add(`public.${t}`);
  }
  return [...out];
}

/** `table.column` split at its last dot; the table part may carry a schema. */
export function splitColumn(column: string): { table: string; column: string } {
  const dot = column.lastIndexOf('.');
  if (dot <= 0 || dot === column.length - 1) throw new VigilError('VIGIL_E_USAGE', `--column wants table.column (e.g. customers.email), got "${column}"`);
  return { table: column.slice(0, dot), column: column.slice(dot + 1).trim() };
}

/** An ISO time as the store writes it (`2026-01-02T03:04:05.678Z`), so that text comparison orders correctly. */
export function isoTime(value: string, option: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new VigilError('VIGIL_E_USAGE', `${option} wants a time such as 2026-01-31 or 2026-01-31T12:00:00Z, got "${value}"`);
  return new Date(ms).toISOString();
}

export function searchQuery(filter: AuditSearch): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const p = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  if (filter.column) {
    const { table, column } = splitColumn(filter.column);
    const tables = tableVariants(table);
    const t = p(tables);
    // The column itself, or the table when the statement named no column of it (INSERT without a list, DELETE).
    const columns = [...new Set([column, column.toLowerCase()])];
    where.push(
      `(columns_written && ${p(tables.flatMap((x) => columns.map((c) => `${x}.${c}`)))}::text[]` +
        ` OR (tables_written && ${t}::text[] AND NOT EXISTS (SELECT 1 FROM unnest(columns_written) c, unnest(${t}::text[]) w WHERE starts_with(c, w || '.'))))`,
    );
  }
  if (filter.table) where.push(`tables_written && ${p(tableVariants(filter.table))}::text[]`);
  if (filter.principal) {
    // A link of the chain (`human:alice`) or an id anywhere in it; ids are compared whole, never as substrings.
    const needle = filter.principal.includes(':') ? ` -> ${filter.principal} -> ` : `:${filter.principal} -> `;
    const id = p(filter.principal);
    // Approvers count too: what bob approved, and approvals of his that were rejected, are things bob did.
    where.push(
      `(principal = ${id} OR record->>'approver' = ${id} OR record->'approvals' @> jsonb_build_array(jsonb_build_object('approver', ${id}::text))` +
        ` OR strpos(' -> ' || (record->>'principalChain') || ' -> ', ${p(needle)}) > 0)`,
    );
  }
  if (filter.runbook) where.push(`runbook = ${p(filter.runbook)}`);
  if (filter.workflowId) {
    const w = p(filter.workflowId);
    where.push(`(workflow_id = ${w} OR attempt_id IN (SELECT id FROM vigil_audit WHERE workflow_id = ${w}))`);
  }
  if (filter.effect) where.push(`effect = ${p(filter.effect)}`);
  if (filter.kind) {
    if (!AUDIT_KINDS.includes(filter.kind)) throw new VigilError('VIGIL_E_USAGE', `--kind wants one of ${AUDIT_KINDS.join(', ')}, got "${filter.kind}"`);
    where.push(`kind = ${p(filter.kind)}`);
  }
  if (filter.from) where.push(`at >= ${p(isoTime(filter.from, '--from'))}`);
  if (filter.to) where.push(`at <= ${p(isoTime(filter.to, '--to'))}`);
  if (filter.text) {
    const t = p(filter.text.toLowerCase());
    where.push(`(strpos(lower(record->>'intent'), ${t}) > 0 OR strpos(lower(record->>'statement'), ${t}) > 0)`);
  }
  const limit = Math.max(1, Math.min(Math.floor(filter.limit ?? 100), MAX_SEARCH_LIMIT));
  if (!Number.isFinite(limit)) throw new VigilError('VIGIL_E_USAGE', '--limit wants a number');
  return {
    text: `SELECT seq, id, kind, at, record, prev_hash, hash FROM vigil_audit${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${p(limit)}`,
    values,
  };
}
