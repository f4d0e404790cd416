/**
 * The tamper-evident audit store, in Vigil's own PostgreSQL database. Append-only: a trigger refuses UPDATE, DELETE
 * and TRUNCATE, and the worker's role may only INSERT. Each row carries the hash of the previous one (a chain over the
 * canonical JSON of seq, id, kind, time and record), so an edited row breaks the chain at that row.
 * Write-ahead: the attempt is recorded before the statement runs and the outcome after, so a crash in between leaves
 * a visible "outcome unknown". Appends are serialised on a one-row chain head; the chain stays linear under concurrency.
 */
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { canonicalJson } from '../shared/canonical-json.js';
import type { AuditAction, AuditApprovalRejection, AuditKind, AuditOutcome, AuditRow } from './audit-record.js';

export const GENESIS_HASH = '0'.repeat(64);

const SCHEMA = `
CREATE TABLE IF NOT EXISTS vigil_audit (
  seq            bigint PRIMARY KEY,
  id             uuid NOT NULL UNIQUE,
  kind           text NOT NULL,
  at             text NOT NULL,
  record         jsonb NOT NULL,
  prev_hash      text NOT NULL,
  hash           text NOT NULL,
  workflow_id    text,
  runbook        text,
  principal      text,
  effect         text,
  tables_written text[] NOT NULL DEFAULT '{}',
  columns_written text[] NOT NULL DEFAULT '{}',
  attempt_id     uuid
);
CREATE INDEX IF NOT EXISTS vigil_audit_workflow ON vigil_audit (workflow_id);
CREATE INDEX IF NOT EXISTS vigil_audit_columns ON vigil_audit USING gin (columns_written);
CREATE INDEX IF NOT EXISTS vigil_audit_tables ON vigil_audit USING gin (tables_written);
CREATE INDEX IF NOT EXISTS vigil_audit_attempt ON vigil_audit (attempt_id);
CREATE TABLE IF NOT EXISTS vigil_audit_head (
  one   boolean PRIMARY KEY DEFAULT true CHECK (one),
  seq   bigint NOT NULL,
  hash  text NOT NULL
);
INSERT INTO vigil_audit_head (seq, hash) VALUES (0, '${GENESIS_HASH}') ON CONFLICT DO NOTHING;
CREATE OR REPLACE FUNCTION vigil_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'vigil_audit is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
DROP TRIGGER IF EXISTS vigil_audit_no_change ON vigil_audit;
CREATE TRIGGER vigil_audit_no_change BEFORE UPDATE OR DELETE ON vigil_audit FOR EACH ROW EXECUTE FUNCTION vigil_audit_append_only();
DROP TRIGGER IF EXISTS vigil_audit_no_truncate ON vigil_audit;
CREATE TRIGGER vigil_audit_no_truncate BEFORE TRUNCATE ON vigil_audit FOR EACH STATEMENT EXECUTE FUNCTION vigil_audit_append_only();
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vigil_audit_writer') THEN
    CREATE ROLE vigil_audit_writer NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
-- Appends go through this function: it locks the head, hashes each item as rowHash() does, inserts, moves the head.
-- Many appends per call, in order (group commit), in one round trip.
CREATE OR REPLACE FUNCTION vigil_audit_append_batch(p_items jsonb)
  RETURNS TABLE (out_seq bigint, out_prev text, out_hash text) LANGUAGE plpgsql AS $$
DECLARE
  item jsonb;
  head_seq bigint;
  head_hash text;
  digest text;
BEGIN
  SELECT h.seq, h.hash INTO head_seq, head_hash FROM vigil_audit_head h FOR UPDATE;
  FOR item IN SELECT value FROM jsonb_array_elements(p_items) LOOP
    digest := encode(sha256(convert_to(head_hash || E'\\n' || (head_seq + 1) || E'\\n' || (item->>'id') || E'\\n' || (item->>'kind') || E'\\n' || (item->>'at') || E'\\n' || (item->>'record'), 'UTF8')), 'hex');
    INSERT INTO vigil_audit (seq, id, kind, at, record, prev_hash, hash, workflow_id, runbook, principal, effect, tables_written, columns_written, attempt_id)
    VALUES (head_seq + 1, (item->>'id')::uuid, item->>'kind', item->>'at', (item->>'record')::jsonb, head_hash, digest, item->>'workflow', item->>'runbook',
            item->>'principal', item->>'effect', ARRAY(SELECT jsonb_array_elements_text(item->'tables')), ARRAY(SELECT jsonb_array_elements_text(item->'columns')),
            (item->>'attempt')::uuid);
    out_seq := head_seq + 1;
    out_prev := head_hash;
    out_hash := digest;
    RETURN NEXT;
    head_seq := head_seq + 1;
    head_hash := digest;
  END LOOP;
  UPDATE vigil_audit_head SET seq = head_seq, hash = head_hash;
END $$;
GRANT SELECT, INSERT ON vigil_audit TO vigil_audit_writer;
GRANT SELECT, UPDATE ON vigil_audit_head TO vigil_audit_writer;
GRANT EXECUTE ON FUNCTION vigil_audit_append_batch(jsonb) TO vigil_audit_writer;
`;

/** sha256 over the previous hash, then seq, id, kind, time and the record's canonical JSON, newline-separated. */
export function rowHash(prevHash: string, row: { seq: number; id: string; kind: AuditKind; at: string; record: unknown }): string {
  return createHash('sha256').update([prevHash, row.seq, row.id, row.kind, row.at, canonicalJson(row.record)].join('\n'), 'utf8').digest('hex');
}

export async function migrateAuditStore(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Several workers may start at once: one migrates, the others wait for it.
    await client.query('SELECT pg_advisory_xact_lock(746174)');
    await client.query(SCHEMA);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly rows: number;
  readonly head: { seq: number; hash: string };
  readonly brokenAt?: { readonly seq: number; readonly id: string; readonly reason: string };
  readonly outcomeUnknown: readonly { readonly seq: number; readonly id: string; readonly workflowId: string; readonly stepId: string; readonly at: string }[];
}

export interface AuditSearch {
  readonly table?: string;
  /** `table.column`: rows whose statement wrote it (or wrote the table without naming columns). */
  readonly column?: string;
  readonly principal?: string;
  readonly runbook?: string;
  readonly workflowId?: string;
  readonly effect?: string;
  readonly from?: string;
  readonly to?: string;
  readonly text?: string;
  readonly limit?: number;
}

export function createAuditStore(pool: pg.Pool, now: () => Date = () => new Date()) {
  // Appends queue up while one call is in flight and go together in the next: one lock, one round trip for many.
  type Pending = { item: Record<string, unknown>; kind: AuditKind; record: AuditRow['record']; id: string; at: string; resolve: (row: AuditRow) => void; reject: (e: unknown) => void };
  let queue: Pending[] = [];
  let flushing = false;

  async function flush(): Promise<void> {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, 500);
      queue = queue.slice(batch.length);
      try {
        const { rows } = await pool.query<{ out_seq: string; out_prev: string; out_hash: string }>('SELECT * FROM vigil_audit_append_batch($1::jsonb)', [JSON.stringify(batch.map((p) => p.item))]);
        batch.forEach((p, i) => {
          const row = rows[i];
          if (row) p.resolve({ seq: Number(row.out_seq), id: p.id, kind: p.kind, at: p.at, record: p.record, prevHash: row.out_prev, hash: row.out_hash });
          else p.reject(new Error('audit append returned too few rows'));
        });
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    flushing = false;
  }

  function append(kind: AuditKind, record: AuditAction | AuditOutcome | AuditApprovalRejection, id = randomUUID()): Promise<AuditRow> {
    const at = now().toISOString();
    const action = 'statement' in record ? record : undefined;
    const item = {
      id, kind, at, record: canonicalJson(record),
      workflow: action?.workflowId ?? ('gateId' in record ? record.workflowId : null), runbook: action?.runbook ?? null,
      principal: action?.principal ?? ('gateId' in record ? record.approver : null), effect: action?.decision.effect ?? null,
      tables: action?.tablesWritten ?? [], columns: action?.columnsWritten ?? [], attempt: 'attemptId' in record ? record.attemptId : null,
    };
    return new Promise<AuditRow>((resolve, reject) => {
      queue.push({ item, kind, record, id, at, resolve, reject });
      if (!flushing) void flush();
    });
  }

  return {
    /** Before execution: what is about to run, by whom, why, allowed by what. */
    recordAttempt: (action: AuditAction) => append('attempt', action),
    /** After execution, succeeded or failed. */
    recordOutcome: (outcome: AuditOutcome) => append('outcome', outcome),
    /** A statement that policy (or approval verification) stopped: audited though it never ran. */
    recordDenial: (action: AuditAction) => append('denial', action),
    /** An approval the gate refused (bad signature, unknown approver): evidence of an attempt, though it counted for nothing. */
    recordRejectedApproval: (rejection: AuditApprovalRejection) => append('approval_rejected', rejection),

    async verify(options: { from?: number; to?: number; graceMs?: number } = {}): Promise<VerifyReport> {
      const graceMs = options.graceMs ?? 5 * 60_000;
      const { rows } = await pool.query<{ seq: string; id: string; kind: AuditKind; at: string; record: unknown; prev_hash: string; hash: string }>(
        'SELECT seq, id, kind, at, record, prev_hash, hash FROM vigil_audit WHERE seq >= $1 AND seq <= $2 ORDER BY seq',
        [options.from ?? 0, options.to ?? Number.MAX_SAFE_INTEGER],
      );
      const head = (await pool.query<{ seq: string; hash: string }>('SELECT seq, hash FROM vigil_audit_head')).rows[0];
      let prev: { seq: number; hash: string } | undefined;
      if (rows[0] && Number(rows[0].seq) > 1) {
        const before = await pool.query<{ hash: string }>('SELECT hash FROM vigil_audit WHERE seq = $1', [Number(rows[0].seq) - 1]);
        prev = { seq: Number(rows[0].seq) - 1, hash: before.rows[0]?.hash ?? '' };
      }
      const report = (brokenAt?: VerifyReport['brokenAt'], outcomeUnknown: VerifyReport['outcomeUnknown'] = []): VerifyReport => ({
        ok: !brokenAt && outcomeUnknown.length === 0,
        rows: rows.length,
        head: { seq: Number(head?.seq ?? 0), hash: head?.hash ?? GENESIS_HASH },
        brokenAt,
        outcomeUnknown,
      });
      const outcomes = new Set<string>();
      for (const r of rows) {
        const seq = Number(r.seq);
        const expectedPrev = prev ? prev.hash : GENESIS_HASH;
        if (prev && seq !== prev.seq + 1) return report({ seq, id: r.id, reason: `gap in the sequence: ${prev.seq} is followed by ${seq}` });
        if (r.prev_hash !== expectedPrev) return report({ seq, id: r.id, reason: 'prev_hash does not match the previous row' });
        const recomputed = rowHash(r.prev_hash, { seq, id: r.id, kind: r.kind, at: r.at, record: r.record });
        if (recomputed !== r.hash) return report({ seq, id: r.id, reason: 'row content does not match its hash (edited after it was written)' });
        if (r.kind === 'outcome') outcomes.add((r.record as AuditOutcome).attemptId);
        prev = { seq, hash: r.hash };
      }
      const cutoff = now().getTime() - graceMs;
      const unknown = rows
        .filter((r) => r.kind === 'attempt' && !outcomes.has(r.id) && Date.parse(r.at) <= cutoff)
        .map((r) => ({ seq: Number(r.seq), id: r.id, workflowId: (r.record as AuditAction).workflowId, stepId: (r.record as AuditAction).stepId, at: r.at }));
      if (head && rows.length > 0 && options.to === undefined && prev && prev.seq === Number(head.seq) && prev.hash !== head.hash) {
        return report({ seq: prev.seq, id: '', reason: 'the chain head does not match the last row' }, unknown);
      }
      return report(undefined, unknown);
    },

    /** Every record between two times, in chain order: what an evidence export contains. */
    async range(from: string, to: string): Promise<AuditRow[]> {
      const { rows } = await pool.query<{ seq: string; id: string; kind: AuditKind; at: string; record: AuditAction; prev_hash: string; hash: string }>(
        'SELECT seq, id, kind, at, record, prev_hash, hash FROM vigil_audit WHERE at >= $1 AND at <= $2 ORDER BY seq',
        [from, to],
      );
      return rows.map((r) => ({ seq: Number(r.seq), id: r.id, kind: r.kind, at: r.at, record: r.record, prevHash: r.prev_hash, hash: r.hash }));
    },

    async search(filter: AuditSearch): Promise<AuditRow[]> {
      const where: string[] = [];
      const params: unknown[] = [];
      /** Binds a value and returns its placeholder. */
      const p = (value: unknown) => {
        params.push(value);
        return `$${params.length}`;
      };
      if (filter.column) {
        const table = filter.column.split('.').slice(0, -1).join('.');
        where.push(`(columns_written @> ARRAY[${p(filter.column)}]::text[] OR (tables_written @> ARRAY[${p(table)}]::text[] AND columns_written = '{}'))`);
      }
      if (filter.table) where.push(`tables_written @> ARRAY[${p(filter.table)}]::text[]`);
      if (filter.principal) {
        const id = p(filter.principal);
        where.push(`(principal = ${id} OR record->>'principalChain' LIKE '%' || ${id} || '%')`);
      }
      if (filter.runbook) where.push(`runbook = ${p(filter.runbook)}`);
      if (filter.workflowId) {
        const run = p(filter.workflowId);
        where.push(`(workflow_id = ${run} OR attempt_id IN (SELECT id FROM vigil_audit WHERE workflow_id = ${run}))`);
      }
      if (filter.effect) where.push(`effect = ${p(filter.effect)}`);
      if (filter.from) where.push(`at >= ${p(filter.from)}`);
      if (filter.to) where.push(`at <= ${p(filter.to)}`);
      if (filter.text) {
        const text = p(filter.text);
        where.push(`(record->>'intent' ILIKE '%' || ${text} || '%' OR record->>'statement' ILIKE '%' || ${text} || '%')`);
      }
      const limit = p(Math.min(filter.limit ?? 100, 10_000));
      const { rows } = await pool.query<{ seq: string; id: string; kind: AuditKind; at: string; record: AuditAction; prev_hash: string; hash: string }>(
        `SELECT seq, id, kind, at, record, prev_hash, hash FROM vigil_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${limit}`,
        params,
      );
      return rows.map((r) => ({ seq: Number(r.seq), id: r.id, kind: r.kind, at: r.at, record: r.record, prevHash: r.prev_hash, hash: r.hash }));
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
