/**
 * Checks that a door (CLI, worker) can reach PostgreSQL before using it, turning "connection refused" or
 * "database does not exist" into one line that says where it looked, password hidden.
 */
import pg from 'pg';
import { redactUrl } from '../shared/redact-url.js';
import { VigilError } from '../shared/vigil-error.js';

export async function checkPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new VigilError('VIGIL_E_POSTGRES_UNREACHABLE', `cannot reach PostgreSQL at ${redactUrl(url)} (${(error as Error).message.split('\n')[0]})`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
