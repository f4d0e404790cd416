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
-- One round trip per append: lock the head, hash, insert, move the head. The hash input is the one rowHash() uses.
CREATE OR REPLACE FUNCTION vigil_audit_append(p_id uuid, p_kind text, p_at text, p_record text, p_workflow text, p_runbook text,
    p_principal text, p_effect text, p_tables text[], p_columns text[], p_attempt uuid)
  RETURNS TABLE (out_seq bigint, out_prev text, out_hash text) LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  digest text;
BEGIN
  SELECT h.seq, h.hash INTO head_seq, head_hash FROM vigil_audit_head h FOR UPDATE;
  digest := encode(sha256(convert_to(head_hash || E'\n' || (head_seq + 1) || E'\n' || p_id || E'\n' || p_kind || E'\n' || p_at || E'\n' || p_record, 'UTF8')), 'hex');
  INSERT INTO vigil_audit (seq, id, kind, at, record, prev_hash, hash, workflow_id, runbook, principal, effect, tables_written, columns_written, attempt_id)
  VALUES (head_seq + 1, p_id, p_kind, p_at, p_record::jsonb, head_hash, digest, p_workflow, p_runbook, p_principal, p_effect, p_tables, p_columns, p_attempt);
  UPDATE vigil_audit_head SET seq = head_seq + 1, hash = digest;
  RETURN QUERY SELECT head_seq + 1, head_hash, digest;
END $$;
GRANT SELECT, INSERT ON vigil_audit TO vigil_audit_writer;
GRANT SELECT, UPDATE ON vigil_audit_head TO vigil_audit_writer;
GRANT EXECUTE ON FUNCTION vigil_audit_append(uuid, text, text, text, text, text, text, text, text[], text[], uuid) TO vigil_audit_writer;
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
  async function append(kind: AuditKind, record: AuditAction | AuditOutcome | AuditApprovalRejection, id = randomUUID()): Promise<AuditRow> {
    const at = now().toISOString();
    const action = 'statement' in record ? record : undefined;
    const { rows } = await pool.query<{ out_seq: string; out_prev: string; out_hash: string }>(
      'SELECT * FROM vigil_audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
      [
        id, kind, at, canonicalJson(record),
        action?.workflowId ?? ('gateId' in record ? record.workflowId : null), action?.runbook ?? null,
        action?.principal ?? ('gateId' in record ? record.approver : null), action?.decision.effect ?? null,
        action?.tablesWritten ?? [], action?.columnsWritten ?? [], 'attemptId' in record ? record.attemptId : null,
      ],
    );
    const row = rows[0];
    if (!row) throw new Error('audit append returned nothing');
    return { seq: Number(row.out_seq), id, kind, at, record, prevHash: row.out_prev, hash: row.out_hash };
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
      const add = (sql: string, value: unknown) => {
        params.push(value);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (filter.column) {
        const table = filter.column.split('.').slice(0, -1).join('.');
        params.push(filter.column, table);
        where.push(`(columns_written @> ARRAY[$${params.length - 1}]::text[] OR (tables_written @> ARRAY[$${params.length}]::text[] AND columns_written = '{}'))`);
      }
      if (filter.table) add('tables_written @> ARRAY[?]::text[]', filter.table);
      if (filter.principal) add("(principal = ? OR record->>'principalChain' LIKE '%' || $X || '%')".replace('$X', `$${params.length + 1}`), filter.principal);
      if (filter.runbook) add('runbook = ?', filter.runbook);
      if (filter.workflowId) add('(workflow_id = ? OR attempt_id IN (SELECT id FROM vigil_audit WHERE workflow_id = $W))'.replace('$W', `$${params.length + 1}`), filter.workflowId);
      if (filter.effect) add('effect = ?', filter.effect);
      if (filter.from) add('at >= ?', filter.from);
      if (filter.to) add('at <= ?', filter.to);
      if (filter.text) add("(record->>'intent' ILIKE '%' || ? || '%' OR record->>'statement' ILIKE '%' || $T || '%')".replace('$T', `$${params.length + 1}`), filter.text);
      params.push(Math.min(filter.limit ?? 100, 10_000));
      const { rows } = await pool.query<{ seq: string; id: string; kind: AuditKind; at: string; record: AuditAction; prev_hash: string; hash: string }>(
        `SELECT seq, id, kind, at, record, prev_hash, hash FROM vigil_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map((r) => ({ seq: Number(r.seq), id: r.id, kind: r.kind, at: r.at, record: r.record, prevHash: r.prev_hash, hash: r.hash }));
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
