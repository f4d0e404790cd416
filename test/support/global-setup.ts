/**
 * Starts one Temporal dev server (in memory) for the whole integration run and shares its address.
 * TEMPORAL_ADDRESS set means: use that server, start nothing. Checks PostgreSQL is reachable first,
 * so a missing database fails in one line instead of in every test.
 */
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../src/dev/temporal-server.js';
import { serverUrl } from './database.js';

let server: DevServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL for tests is not reachable at ${serverUrl} (${(error as Error).message}); set TEST_DATABASE_URL`);
  } finally {
    await client.end().catch(() => undefined);
  }
  let address = process.env.TEMPORAL_ADDRESS;
  if (!address) {
    server = await startDevServer({ env: process.env, log: (line) => console.log(line) });
    address = server.address;
  }
  project.provide('temporalAddress', address);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}
