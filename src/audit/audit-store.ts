/**
 * The tamper-evident audit store, in Vigil's own PostgreSQL database. Runs in workers (appends) and in the CLI
 * (search, verify). What it guarantees:
 * - write-ahead: `recordAttempt` resolves only once the attempt is committed, so a statement that runs after it is
 *   always on record, and a crash before `recordOutcome` leaves a visible "outcome unknown";
 * - one linear, gapless hash chain whatever the concurrency: appends are serialised on the chain head in the
 *   database, and grouped per process into one commit (append-batcher.ts);
 * - the hash input is exactly what is stored: the time is taken here, the record is made jsonb-safe and encoded as
 *   canonical JSON here, and the database hashes that text (chain-hash.ts describes the link);
 * - `verify` recomputes every link independently of the database and reports the first broken one.
 * The schema, triggers and roles are in schema.ts.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { canonicalJson } from '../shared/canonical-json.js';
import { AppendBatcher } from './append-batcher.js';
import { GENESIS_HASH } from './chain-hash.js';
import { ChainWalker } from './chain-walker.js';
import { hashAt, readChain, readHead, seqBound, type StoredRow } from './read-chain.js';
import { searchQuery } from './search-query.js';
import { storable, storableAttempt, storableEvent } from './storable-record.js';
import {
  AUDIT_EVENT_KINDS,
  type AppendReceipt,
  type AttemptInput,
  type AuditApprovalRejection,
  type AttemptRow,
  type AuditEventInput,
  type AuditEventKind,
  type AuditKind,
  type AuditOutcome,
  type AuditRecord,
  type AuditRow,
  type AuditSearch,
  type ChainHead,
  type OutcomeInput,
  type OutcomeRow,
  type VerifyOptions,
  type VerifyReport,
} from './types.js';

export { GENESIS_HASH } from './chain-hash.js';
export { rowHash } from './chain-hash.js';
export { migrateAuditStore } from './schema.js';
export type { AuditSearch, VerifyReport } from './types.js';

/** Attempts younger than this may still be executing: verify does not call them unknown yet. */
export const DEFAULT_GRACE_MS = 5 * 60_000;

export interface AuditStoreOptions {
  /** The clock for record times (tests pin it). */
  readonly now?: () => Date;
  /** Most records in one append transaction. */
  readonly maxBatch?: number;
}

interface PendingAppend {
  readonly id: string;
  readonly kind: AuditKind;
  readonly at: string;
  /** Canonical JSON of the storable record: the exact text that is hashed. */
  readonly body: string;
}

/** The columns search reads: the record and its link, without the index columns. */
type StoredRecord = Pick<StoredRow, 'seq' | 'id' | 'kind' | 'at' | 'record' | 'prev_hash' | 'hash'>;

function toRow(r: StoredRecord): AuditRow {
  return { seq: Number(r.seq), id: r.id, kind: r.kind, at: r.at, record: r.record, prevHash: r.prev_hash, hash: r.hash } as AuditRow;
}

/** `options` may also be just the clock, as in earlier versions. */
export function createAuditStore(pool: pg.Pool, options: AuditStoreOptions | (() => Date) = {}) {
  const opts: AuditStoreOptions = typeof options === 'function' ? { now: options } : options;
  const now = opts.now ?? (() => new Date());

  const batcher = new AppendBatcher<PendingAppend, AppendReceipt>(async (entries) => {
    const { rows } = await pool.query<{ out_seq: string; out_hash: string }>(
      'SELECT out_seq, out_hash FROM vigil_audit_append($1::uuid[], $2::text[], $3::text[], $4::text[])',
      [entries.map((e) => e.id), entries.map((e) => e.kind), entries.map((e) => e.at), entries.map((e) => e.body)],
    );
    // The function numbers the batch in the order given.
    const sorted = rows.map((r) => ({ seq: Number(r.out_seq), hash: r.out_hash })).sort((a, b) => a.seq - b.seq);
    return entries.map((e, i) => {
      const r = sorted[i];
      if (!r) throw new Error(`audit append returned ${rows.length} rows for ${entries.length} records`);
      return { id: e.id, seq: r.seq, at: e.at, hash: r.hash };
    });
  }, opts.maxBatch);

  const append = (kind: AuditKind, record: AuditRecord): Promise<AppendReceipt> =>
    batcher.append({ id: randomUUID(), kind, at: now().toISOString(), body: canonicalJson(record) });

  function recordOutcome(attemptId: string, outcome: OutcomeInput): Promise<AppendReceipt>;
  /** The earlier form, with the attempt id inside the outcome. */
  function recordOutcome(outcome: AuditOutcome): Promise<AppendReceipt>;
  function recordOutcome(first: string | AuditOutcome, second?: OutcomeInput): Promise<AppendReceipt> {
    const outcome: AuditOutcome = typeof first === 'string' ? { ...(second as OutcomeInput), attemptId: first } : first;
    return append('outcome', storable(outcome) as AuditOutcome);
  }

  function recordEvent(kind: AuditEventKind, event: AuditEventInput): Promise<AppendReceipt> {
    if (!AUDIT_EVENT_KINDS.includes(kind)) return Promise.reject(new Error(`not an audit event kind: ${String(kind)}`));
    return append(kind, storableEvent(event));
  }

  async function head(): Promise<ChainHead> {
    return (await readHead(pool)) ?? { seq: 0, hash: GENESIS_HASH };
  }

  async function verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    const stored = await readHead(pool);
    const top = stored ?? { seq: 0, hash: GENESIS_HASH };
    const from = Math.max(1, (await seqBound(pool, options.from, 'from')) ?? 1);
    const to = Math.min(top.seq, (await seqBound(pool, options.to, 'to')) ?? top.seq);

    let start = { seq: 0, hash: GENESIS_HASH };
    let missingStart = false;
    if (from > 1 && from <= to) {
      const before = await hashAt(pool, from - 1);
      start = { seq: from - 1, hash: before?.hash ?? '' };
      missingStart = !before;
    }
    const walker = new ChainWalker(start);
    if (!stored) walker.report({ seq: 0, id: '', reason: 'the chain head row is missing', expected: 'one row in vigil_audit_head', found: 'none' });
    if (missingStart) walker.report({ seq: from - 1, id: '', reason: `record #${from - 1} is missing`, expected: `#${from - 1}`, found: 'nothing' });
    if (from <= to) for await (const row of readChain(pool, from, to)) walker.push(row);
    if (stored && to === top.seq) {
      // Walked up to the head: it must be the last record (a removed tail shows here) ...
      if (from <= to || top.seq === 0) walker.checkHead(top);
      // ... and nothing may lie beyond it (a head moved back over records shows here).
      const { rows } = await pool.query<{ max: string | null }>('SELECT max(seq) AS max FROM vigil_audit');
      const max = Number(rows[0]?.max ?? 0);
      if (max > top.seq) {
        walker.report({ seq: top.seq + 1, id: '', reason: `records up to #${max} lie beyond the chain head #${top.seq} (the head was moved back)`, expected: String(top.seq), found: String(max) });
      }
    }

    if (options.anchor) {
      const found = await hashAt(pool, options.anchor.seq);
      if (options.anchor.seq > 0 && found?.hash !== options.anchor.hash) {
        walker.report({
          seq: options.anchor.seq, id: found?.id ?? '', reason: `record #${options.anchor.seq} no longer has the anchored hash (the chain was rewritten up to there)`,
          expected: options.anchor.hash, found: found?.hash ?? 'no such record',
        });
      }
    }

    let unknown = walker.withoutOutcome;
    if (unknown.length > 0 && to < top.seq) {
      // Outcomes written after the range still count.
      const { rows } = await pool.query<{ attempt_id: string }>(
        "SELECT attempt_id FROM vigil_audit WHERE kind = 'outcome' AND attempt_id = ANY($1::uuid[])",
        [unknown.map((u) => u.id)],
      );
      const done = new Set(rows.map((r) => r.attempt_id));
      unknown = unknown.filter((u) => !done.has(u.id));
    }
    const cutoff = now().getTime() - graceMs;
    unknown = unknown.filter((u) => Date.parse(u.at) <= cutoff);
    const brokenAt = walker.brokenAt;
    return {
      ok: brokenAt === undefined && unknown.length === 0,
      rows: walker.rows,
      from: from <= to ? from : 0,
      to: from <= to ? to : 0,
      graceMs,
      head: top,
      ...(brokenAt ? { brokenAt } : {}),
      outcomeUnknown: unknown,
    };
  }

  /** Every record of the contiguous seq range covering two ISO times, in chain order (exportEvidence streams instead). */
  async function range(from: string, to: string): Promise<AuditRow[]> {
    const top = await head();
    const first = Math.max(1, (await seqBound(pool, from, 'from')) ?? 1);
    const last = Math.min(top.seq, (await seqBound(pool, to, 'to')) ?? top.seq);
    const rows: AuditRow[] = [];
    for await (const r of readChain(pool, first, last)) {
      rows.push({ seq: r.seq, id: r.id, kind: r.kind, at: r.at, record: r.record, prevHash: r.prevHash, hash: r.hash } as AuditRow);
    }
    return rows;
  }

  async function search(filter: AuditSearch): Promise<AuditRow[]> {
    const query = searchQuery(filter);
    const rows = (await pool.query<StoredRecord>(query.text, query.values)).rows.map(toRow);
    const attempts = rows.filter((r): r is AttemptRow => r.kind === 'attempt');
    if (attempts.length === 0) return rows;
    // "Who changed it, and did it work": each attempt comes with its outcome.
    const outcomes = await pool.query<StoredRecord>(
      "SELECT seq, id, kind, at, record, prev_hash, hash FROM vigil_audit WHERE kind = 'outcome' AND attempt_id = ANY($1::uuid[])",
      [attempts.map((a) => a.id)],
    );
    const byAttempt = new Map(outcomes.rows.map((r) => [(r.record as AuditOutcome).attemptId, toRow(r) as OutcomeRow]));
    return rows.map((r) => (r.kind === 'attempt' && byAttempt.has(r.id) ? { ...r, outcome: byAttempt.get(r.id) } : r));
  }

  return {
    /** Before execution: what is about to run, by whom, on whose behalf, why, allowed by what. Durable on resolve. */
    recordAttempt: (attempt: AttemptInput): Promise<AppendReceipt> => append('attempt', storableAttempt(attempt)),
    /** After execution: succeeded, failed or rolled back. At most one per attempt. */
    recordOutcome,
    /** A denial, a rejected approval or a masking exemption: audited although no statement ran (or ran as usual). */
    recordEvent,
    /** A statement that policy or approval verification stopped. Same as recordEvent('denial', ...). */
    recordDenial: (action: AttemptInput, reason?: string, code?: string): Promise<AppendReceipt> =>
      recordEvent('denial', { ...action, reason: reason ?? action.decision.summary, ...(code ? { code } : {}) }),
    /** An approval that reached a gate but did not count, recorded by the gate before any statement. */
    recordRejectedApproval: (rejection: AuditApprovalRejection): Promise<AppendReceipt> =>
      append('approval_rejected', storable(rejection) as AuditApprovalRejection),
    head,
    verify,
    search,
    range,
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
