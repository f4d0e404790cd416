/**
 * The audit store's schema, created idempotently in Vigil's own PostgreSQL database. Runs in workers at start-up and
 * in tests; several processes may call it at once (a transaction-scoped advisory lock lets one migrate at a time, and
 * the cluster-wide roles are created tolerating a concurrent creator in another database).
 *
 * What it guarantees once applied:
 * - `vigil_audit` refuses UPDATE, DELETE and TRUNCATE (triggers that name the rule), whoever asks;
 * - `vigil_audit_head` (one row: last seq and hash) refuses DELETE, TRUNCATE and moving backwards;
 * - appends go through `vigil_audit_append`, which locks the head row, so concurrent writers keep one linear,
 *   gapless chain; the lock is held to commit, so records become visible in seq order;
 * - `vigil_audit_writer` (NOLOGIN; grant it to the workers' login) may only call `vigil_audit_append` and read the
 *   head: it can't INSERT a record directly (which would let it choose its own hashes), nor UPDATE or DELETE one;
 * - `vigil_audit_reader` (NOLOGIN; grant it to auditors) may only read.
 * Compatible with stores created by earlier versions: the table and the hash are unchanged; the old single-row append
 * function is replaced.
 */
import type pg from 'pg';
import { GENESIS_HASH } from './chain-hash.js';

/** Key of the advisory lock that serialises migrations within one database. */
const MIGRATION_LOCK = 746174;

/**
 * Stored as the table's comment once everything below is in place. A store already at this version is left alone,
 * so a worker whose login only holds the writer role can start without DDL rights. Bump it when anything changes.
 */
export const SCHEMA_VERSION = 'vigil-audit-schema 2';

export const WRITER_ROLE = 'vigil_audit_writer';
export const READER_ROLE = 'vigil_audit_reader';

const TABLES = `
CREATE TABLE IF NOT EXISTS vigil_audit (
  seq             bigint PRIMARY KEY,
  id              uuid NOT NULL UNIQUE,
  kind            text NOT NULL,
  at              text NOT NULL,
  record          jsonb NOT NULL,
  prev_hash       text NOT NULL,
  hash            text NOT NULL,
  workflow_id     text,
  runbook         text,
  principal       text,
  effect          text,
  tables_written  text[] NOT NULL DEFAULT '{}',
  columns_written text[] NOT NULL DEFAULT '{}',
  attempt_id      uuid
);
CREATE INDEX IF NOT EXISTS vigil_audit_workflow ON vigil_audit (workflow_id);
CREATE INDEX IF NOT EXISTS vigil_audit_principal ON vigil_audit (principal);
CREATE INDEX IF NOT EXISTS vigil_audit_runbook ON vigil_audit (runbook);
CREATE INDEX IF NOT EXISTS vigil_audit_at ON vigil_audit (at);
CREATE INDEX IF NOT EXISTS vigil_audit_columns ON vigil_audit USING gin (columns_written);
CREATE INDEX IF NOT EXISTS vigil_audit_tables ON vigil_audit USING gin (tables_written);
-- At most one outcome per attempt: a second one (a retried recordOutcome) fails instead of blurring the record.
CREATE UNIQUE INDEX IF NOT EXISTS vigil_audit_one_outcome ON vigil_audit (attempt_id) WHERE kind = 'outcome';
CREATE TABLE IF NOT EXISTS vigil_audit_head (
  one   boolean PRIMARY KEY DEFAULT true CHECK (one),
  seq   bigint NOT NULL,
  hash  text NOT NULL
);
INSERT INTO vigil_audit_head (seq, hash) VALUES (0, '${GENESIS_HASH}') ON CONFLICT DO NOTHING;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'vigil_audit_kind' AND conrelid = 'vigil_audit'::regclass) THEN
    ALTER TABLE vigil_audit ADD CONSTRAINT vigil_audit_kind
      CHECK (kind IN ('attempt', 'outcome', 'denial', 'approval_rejected', 'masking_exemption'));
  END IF;
END $$;
`;

// Triggers are created only when missing: re-creating them on every worker start would take an exclusive lock.
const TRIGGERS = `
CREATE OR REPLACE FUNCTION vigil_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'vigil_audit is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE OR REPLACE FUNCTION vigil_audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'vigil_audit_head: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.seq < OLD.seq THEN
    RAISE EXCEPTION 'vigil_audit_head only moves forward (% -> %)', OLD.seq, NEW.seq USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'vigil_audit_no_change' AND tgrelid = 'vigil_audit'::regclass) THEN
    CREATE TRIGGER vigil_audit_no_change BEFORE UPDATE OR DELETE ON vigil_audit
      FOR EACH ROW EXECUTE FUNCTION vigil_audit_append_only();
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'vigil_audit_no_truncate' AND tgrelid = 'vigil_audit'::regclass) THEN
    CREATE TRIGGER vigil_audit_no_truncate BEFORE TRUNCATE ON vigil_audit
      FOR EACH STATEMENT EXECUTE FUNCTION vigil_audit_append_only();
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'vigil_audit_head_guard' AND tgrelid = 'vigil_audit_head'::regclass) THEN
    CREATE TRIGGER vigil_audit_head_guard BEFORE UPDATE OR DELETE ON vigil_audit_head
      FOR EACH ROW EXECUTE FUNCTION vigil_audit_head_forward_only();
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'vigil_audit_head_no_truncate' AND tgrelid = 'vigil_audit_head'::regclass) THEN
    CREATE TRIGGER vigil_audit_head_no_truncate BEFORE TRUNCATE ON vigil_audit_head
      FOR EACH STATEMENT EXECUTE FUNCTION vigil_audit_head_forward_only();
  END IF;
END $$;
`;

// Roles are cluster-wide: another database's migration may create them at the same moment. An owner without
// CREATEROLE still gets a working store (grants are skipped, with a notice) and an administrator creates the roles.
const ROLES = `
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['${WRITER_ROLE}', '${READER_ROLE}'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', r);
      EXCEPTION
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN RAISE NOTICE 'vigil audit store: cannot create role %; create it (NOLOGIN) and migrate again', r;
      END;
    END IF;
  END LOOP;
END $$;
`;

/**
 * One call appends a batch: lock the head, then for each record hash (the text of chain-hash.ts's linkText), insert
 * with the index columns derived from the record (index-columns.ts mirrors this), and move the head once.
 * SECURITY DEFINER so that the writer role needs no INSERT on the table; search_path is pinned (see below).
 */
function appendFunction(schema: string): string {
  return `
DROP FUNCTION IF EXISTS vigil_audit_append(uuid, text, text, text, text, text, text, text, text[], text[], uuid);
CREATE OR REPLACE FUNCTION vigil_audit_append(p_ids uuid[], p_kinds text[], p_ats text[], p_records text[])
  RETURNS TABLE (out_seq bigint, out_prev text, out_hash text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${schema}, pg_temp AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  digest text;
  rec jsonb;
  attempt uuid;
BEGIN
  SELECT h.seq, h.hash INTO head_seq, head_hash FROM vigil_audit_head h FOR UPDATE;
  FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
    rec := p_records[i]::jsonb;
    attempt := NULL;
    IF p_kinds[i] = 'outcome' THEN
      attempt := (rec->>'attemptId')::uuid;
      PERFORM 1 FROM vigil_audit WHERE id = attempt AND kind = 'attempt';
      IF NOT FOUND THEN
        RAISE EXCEPTION 'vigil_audit: an outcome for attempt %, which is not in the audit store', attempt
          USING ERRCODE = 'foreign_key_violation';
      END IF;
    END IF;
    head_seq := head_seq + 1;
    digest := encode(sha256(convert_to(
      head_hash || E'\\n' || head_seq || E'\\n' || p_ids[i] || E'\\n' || p_kinds[i] || E'\\n' || p_ats[i] || E'\\n' || p_records[i],
      'UTF8')), 'hex');
    INSERT INTO vigil_audit (seq, id, kind, at, record, prev_hash, hash, workflow_id, runbook, principal, effect,
                             tables_written, columns_written, attempt_id)
    VALUES (head_seq, p_ids[i], p_kinds[i], p_ats[i], rec, head_hash, digest,
            rec->>'workflowId', rec->>'runbook', rec->>'principal', rec#>>'{decision,effect}',
            ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(rec->'tablesWritten') = 'array' THEN rec->'tablesWritten' ELSE '[]' END)),
            ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(rec->'columnsWritten') = 'array' THEN rec->'columnsWritten' ELSE '[]' END)),
            attempt);
    out_seq := head_seq;
    out_prev := head_hash;
    out_hash := digest;
    RETURN NEXT;
    head_hash := digest;
  END LOOP;
  UPDATE vigil_audit_head SET seq = head_seq, hash = head_hash;
END $$;
REVOKE ALL ON FUNCTION vigil_audit_append(uuid[], text[], text[], text[]) FROM PUBLIC;
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${WRITER_ROLE}') THEN
    GRANT EXECUTE ON FUNCTION vigil_audit_append(uuid[], text[], text[], text[]) TO ${WRITER_ROLE};
    -- Earlier versions granted the writer INSERT on the table and UPDATE on the head: take those back.
    REVOKE ALL ON vigil_audit, vigil_audit_head FROM ${WRITER_ROLE};
    GRANT SELECT ON vigil_audit_head TO ${WRITER_ROLE};
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${READER_ROLE}') THEN
    GRANT SELECT ON vigil_audit, vigil_audit_head TO ${READER_ROLE};
  END IF;
END $$;
`;
}

/** Creates or updates the audit store's tables, triggers, roles and append function. Idempotent. */
export async function migrateAuditStore(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Several workers may start at once: one migrates, the others wait for it and then find nothing to do.
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const { rows } = await client.query<{ schema: string | null; version: string | null }>(
      "SELECT current_schema() AS schema, obj_description(to_regclass('vigil_audit'), 'pg_class') AS version",
    );
    const schema = rows[0]?.schema;
    if (!schema) throw new Error('no current schema to create the audit store in (search_path is empty)');
    if (rows[0]?.version !== SCHEMA_VERSION) {
      await client.query(TABLES);
      await client.query(TRIGGERS);
      await client.query(ROLES);
      // A SECURITY DEFINER function must not resolve names through a schema its callers control, nor pg_temp first.
      await client.query(appendFunction(client.escapeIdentifier(schema)));
      // Stamped only once the roles exist and hold their grants; until then every start tries again.
      const roles = await client.query('SELECT 1 FROM pg_roles WHERE rolname = ANY($1)', [[WRITER_ROLE, READER_ROLE]]);
      if (roles.rowCount === 2) await client.query(`COMMENT ON TABLE vigil_audit IS '${SCHEMA_VERSION}'`);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
