/**
 * Reading the audit chain back, in seq order and in pages, so that verify and export work on stores of any size with
 * bounded memory. Runs wherever the store is read (CLI, tests); read-only.
 *
 * Records become visible in seq order (the head lock is held until commit), so every record up to a head that was
 * read is already committed: reading the head first and then the records up to it gives a consistent range
 * without a snapshot transaction.
 */
import type pg from 'pg';
import type { ChainRow } from './chain-walker.js';
import { isoTime } from './search-query.js';
import type { AuditKind, AuditRecord, ChainHead } from './types.js';

/** The little of pg.Pool / pg.Client that reading needs. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** A row of vigil_audit as the driver returns it (seq as text). */
export interface StoredRow {
  seq: string;
  id: string;
  kind: AuditKind;
  at: string;
  record: AuditRecord;
  prev_hash: string;
  hash: string;
  workflow_id: string | null;
  runbook: string | null;
  principal: string | null;
  effect: string | null;
  tables_written: string[];
  columns_written: string[];
  attempt_id: string | null;
}

export const ROW_COLUMNS =
  'seq, id, kind, at, record, prev_hash, hash, workflow_id, runbook, principal, effect, tables_written, columns_written, attempt_id';

export function chainRow(r: StoredRow): ChainRow & { kind: AuditKind; record: AuditRecord } {
  return {
    seq: Number(r.seq),
    id: r.id,
    kind: r.kind,
    at: r.at,
    record: r.record,
    prevHash: r.prev_hash,
    hash: r.hash,
    index: {
      workflowId: r.workflow_id, runbook: r.runbook, principal: r.principal, effect: r.effect,
      tablesWritten: r.tables_written, columnsWritten: r.columns_written, attemptId: r.attempt_id,
    },
  };
}

/** The chain head, or undefined when its row is gone (which only a superuser past the triggers can do). */
export async function readHead(q: Queryable): Promise<ChainHead | undefined> {
  const { rows } = await q.query<{ seq: string; hash: string }>('SELECT seq, hash FROM vigil_audit_head');
  const r = rows[0];
  return r ? { seq: Number(r.seq), hash: r.hash } : undefined;
}

/** Records with from <= seq <= to, in seq order, a page at a time. */
export async function* readChain(q: Queryable, from: number, to: number, pageSize = 2_000): AsyncGenerator<ReturnType<typeof chainRow>> {
  let after = from - 1;
  while (after < to) {
    const { rows } = await q.query<StoredRow>(
      `SELECT ${ROW_COLUMNS} FROM vigil_audit WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
      [after, to, pageSize],
    );
    for (const r of rows) yield chainRow(r);
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) return;
    after = Number(last.seq);
  }
}

/** The hash of the record at `seq`, or undefined when there is none. */
export async function hashAt(q: Queryable, seq: number): Promise<{ id: string; hash: string } | undefined> {
  const { rows } = await q.query<{ id: string; hash: string }>('SELECT id, hash FROM vigil_audit WHERE seq = $1', [seq]);
  return rows[0];
}

/**
 * A range bound as a seq. A number is a seq already; a string is an ISO time: `from` becomes the first record at or
 * after it, `to` the last record at or before it. Times come from writers' clocks, so a time range is resolved to the
 * contiguous seq range between those records (it may include a record a few milliseconds outside it).
 */
export async function seqBound(q: Queryable, bound: number | string | undefined, side: 'from' | 'to'): Promise<number | undefined> {
  if (bound === undefined) return undefined;
  if (typeof bound === 'number') return bound;
  if (/^\d+$/.test(bound)) return Number(bound);
  const at = isoTime(bound, `--${side}`);
  const { rows } = await q.query<{ seq: string | null }>(
    side === 'from' ? 'SELECT min(seq) AS seq FROM vigil_audit WHERE at >= $1' : 'SELECT max(seq) AS seq FROM vigil_audit WHERE at <= $1',
    [at],
  );
  const seq = rows[0]?.seq;
  // Nothing on that side of the time: an empty range.
  if (seq === null || seq === undefined) return side === 'from' ? Number.MAX_SAFE_INTEGER : 0;
  return Number(seq);
}
