/**
 * The audit search filter as the HTTP API and the web UI take it: the same names as `vigil audit search`'s options
 * (table, column, principal, runbook, run, decision, kind, from, to, text, limit), from a query string. Pure.
 * Empty fields count as absent, because an HTML form sends every field whether filled or not.
 */
import { AUDIT_KINDS, type AuditKind, type AuditSearch } from '../audit/types.js';
import { VigilError } from '../shared/vigil-error.js';

export const AUDIT_FILTER_FIELDS = ['table', 'column', 'principal', 'runbook', 'run', 'decision', 'kind', 'from', 'to', 'text', 'limit'] as const;
export type AuditFilterField = (typeof AUDIT_FILTER_FIELDS)[number];
export type AuditQuery = Partial<Record<AuditFilterField, string>>;

export const EFFECTS = ['allow', 'deny', 'require_approval'] as const;

/** The query string's values, trimmed, empty ones dropped, unknown names ignored. */
export function auditQuery(raw: Readonly<Record<string, unknown>>): AuditQuery {
  const out: AuditQuery = {};
  for (const field of AUDIT_FILTER_FIELDS) {
    const value = raw[field];
    if (typeof value === 'string' && value.trim() !== '') out[field] = value.trim();
  }
  return out;
}

export function auditSearch(q: AuditQuery): AuditSearch {
  if (q.kind !== undefined && !(AUDIT_KINDS as readonly string[]).includes(q.kind)) {
    throw new VigilError('VIGIL_E_BAD_REQUEST', `kind wants one of ${AUDIT_KINDS.join(', ')}, got "${q.kind.slice(0, 40)}"`);
  }
  if (q.decision !== undefined && !(EFFECTS as readonly string[]).includes(q.decision)) {
    throw new VigilError('VIGIL_E_BAD_REQUEST', `decision wants one of ${EFFECTS.join(', ')}, got "${q.decision.slice(0, 40)}"`);
  }
  let limit: number | undefined;
  if (q.limit !== undefined) {
    limit = Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new VigilError('VIGIL_E_BAD_REQUEST', `limit wants a whole number, got "${q.limit.slice(0, 20)}"`);
  }
  return {
    ...(q.table ? { table: q.table } : {}),
    ...(q.column ? { column: q.column } : {}),
    ...(q.principal ? { principal: q.principal } : {}),
    ...(q.runbook ? { runbook: q.runbook } : {}),
    ...(q.run ? { workflowId: q.run } : {}),
    ...(q.decision ? { effect: q.decision } : {}),
    ...(q.kind ? { kind: q.kind as AuditKind } : {}),
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
    ...(q.text ? { text: q.text } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
}

/** The query string that reproduces a filter: for links (results to a run, the evidence download) and the form. */
export function auditQueryString(q: AuditQuery, only: readonly AuditFilterField[] = AUDIT_FILTER_FIELDS): string {
  const params = new URLSearchParams();
  for (const field of only) {
    const value = q[field];
    if (value !== undefined) params.set(field, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
