/**
 * The audit store as the server serves it: the same search as `vigil audit search`, and the same signed evidence
 * bundle as `vigil audit export`, packed as one .tar.gz to download. Reads only (a vigil_audit_reader login
 * suffices). The bundle is written to a private temporary directory, streamed, and removed when the stream closes.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import { create as createTar } from 'tar';
import { createAuditStore } from '../audit/audit-store.js';
import { exportEvidence } from '../audit/evidence-export.js';
import { isoTime } from '../audit/search-query.js';
import type { AuditRow, AuditSearch } from '../audit/types.js';
import { VigilError } from '../shared/vigil-error.js';

export interface AuditServiceDeps {
  /** Vigil's own database; absent when the server was started without one. */
  readonly pool?: pg.Pool;
  /** Signs evidence bundles (VIGIL_AUDIT_SIGNING_KEY, or the development key). */
  readonly signingKey?: KeyObject;
  readonly now?: () => Date;
}

export interface EvidenceDownload {
  /** `vigil-evidence-20260101T000000Z-20260201T000000Z.tar.gz`: extracts to a directory of the same name. */
  readonly filename: string;
  readonly stream: ReadStream;
}

/** From the beginning of the chain when no start is given: the store's clock never predates this. */
const EPOCH = '1970-01-01T00:00:00.000Z';

function databaseError(error: unknown): unknown {
  const code = (error as { code?: string }).code;
  if (code === '42P01' || code === '42883') return new VigilError('VIGIL_E_AUDIT_STORE_MISSING', 'the audit database has no audit store yet; start a worker against it first');
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === '3D000' || code === '28P01' || code === '28000' || code === '57P03') {
    return new VigilError('VIGIL_E_POSTGRES_UNREACHABLE', `cannot reach the audit database (${code})`);
  }
  return error;
}

const compact = (iso: string) => iso.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');

export function createAuditService(deps: AuditServiceDeps) {
  const pool = (): pg.Pool => {
    if (!deps.pool) throw new VigilError('VIGIL_E_AUDIT_UNAVAILABLE', 'this server has no audit database: start it with VIGIL_DATABASE_URL (or DATABASE_URL) set');
    return deps.pool;
  };
  const now = deps.now ?? (() => new Date());

  return {
    available: (): boolean => deps.pool !== undefined,

    /** Newest first, each attempt with its outcome; the filter of `vigil audit search`. */
    async search(filter: AuditSearch): Promise<AuditRow[]> {
      const store = createAuditStore(pool());
      try {
        return await store.search(filter);
      } catch (error) {
        throw databaseError(error);
      }
    },

    /** The trace id recorded with a run's most recent audited statement, if the run has one. */
    async traceIdOfRun(workflowId: string): Promise<string | undefined> {
      if (!deps.pool) return undefined;
      const [row] = await this.search({ workflowId, kind: 'attempt', limit: 1 });
      return row?.kind === 'attempt' ? (row.record.traceId ?? undefined) : undefined;
    },

    /**
     * The evidence bundle for a time range, as a gzipped tar of one directory. Other filters don't narrow it:
     * a bundle is an unbroken piece of the chain, or it could not be verified.
     */
    async exportEvidence(range: { from?: string; to?: string }): Promise<EvidenceDownload> {
      const db = pool();
      if (!deps.signingKey) throw new VigilError('VIGIL_E_AUDIT_SIGNING_KEY', 'this server has no evidence signing key');
      const from = range.from ? isoTime(range.from, 'from') : EPOCH;
      const to = range.to ? isoTime(range.to, 'to') : now().toISOString();
      const name = `vigil-evidence-${compact(from)}-${compact(to)}`;
      const work = await mkdtemp(join(tmpdir(), 'vigil-evidence-'));
      try {
        await exportEvidence(db, { from, to, outDir: join(work, name), signingKey: deps.signingKey, now });
        const file = join(work, `${name}.tar.gz`);
        // portable: no owner names or ids of this machine in the archive.
        await createTar({ gzip: true, portable: true, cwd: work, file }, [name]);
        const stream = createReadStream(file);
        stream.once('close', () => void rm(work, { recursive: true, force: true }));
        return { filename: `${name}.tar.gz`, stream };
      } catch (error) {
        await rm(work, { recursive: true, force: true });
        throw databaseError(error);
      }
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
