/**
 * `vigil worker` against a PostgreSQL it cannot use: one line saying which service and where it looked,
 * password hidden, never a stack and never "this is a bug". Temporal is the shared dev server, so the worker gets
 * as far as its audit database.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { serverUrl } from '../support/database.js';

function worker(database: { DATABASE_URL?: string; VIGIL_DATABASE_URL?: string }) {
  const { DATABASE_URL: _, VIGIL_DATABASE_URL: __, ...inherited } = process.env;
  const env = {
    ...inherited,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    // Keys the worker generates go to a scratch cache, not the developer's.
    XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'vigil-worker-')),
    ...database,
  };
  const r = spawnSync(process.execPath, ['bin/vigil.js', 'worker'], { encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status, lines: r.stderr.trim().split('\n') };
}

const missingDatabase = new URL(serverUrl);
missingDatabase.pathname = '/vigil_no_such_database';

describe('vigil worker without its database', () => {
  it('reports a refused connection in one line with the URL, password hidden', () => {
    const r = worker({ DATABASE_URL: 'postgres://vigil:s3cret@127.0.0.1:1/vigil' });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual(['VIGIL_E_POSTGRES_UNREACHABLE  cannot reach PostgreSQL at postgres://vigil:***@127.0.0.1:1/vigil (connect ECONNREFUSED 127.0.0.1:1)']);
  });

  it('reports a database that does not exist in one line', () => {
    const r = worker({ VIGIL_DATABASE_URL: missingDatabase.toString() });
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^VIGIL_E_POSTGRES_UNREACHABLE {2}cannot reach PostgreSQL at .*\/vigil_no_such_database \(database "vigil_no_such_database" does not exist\)$/);
  });

  it('says which variable to set when no database URL is given', () => {
    const r = worker({});
    expect(r.code).toBe(1);
    expect(r.lines).toEqual(['VIGIL_E_USAGE  no database for the audit store: set VIGIL_DATABASE_URL (or DATABASE_URL in development)']);
  });
});
