/**
 * Runs before `npm test`: makes sure what the tests need is on this machine, so that a fresh clone passes
 * with `npm ci && npm test` and nothing installed by hand.
 * - PostgreSQL: TEST_DATABASE_URL, or the local service on 127.0.0.1:5432, started through pg_ctlcluster when it is down.
 * - The Temporal CLI: found or built once into the cache (minutes the first time), unless TEMPORAL_ADDRESS is set.
 * - Debian's Chromium for the browser tests of the web UI: installed with apt-get when missing. Not fatal here:
 *   without it the browser tests fail and say why, unless VIGIL_SKIP_BROWSER=1 skips them (then nothing is installed).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import pg from 'pg';
import { ensureChromium } from '../src/dev/chromium.js';
import { findTemporalCli } from '../src/dev/temporal-cli.js';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensurePostgres(): Promise<void> {
  if (await postgresAnswers()) return;
  if (process.env.TEST_DATABASE_URL || !existsSync('/etc/postgresql')) {
    throw new Error(`PostgreSQL is not reachable at ${url}; start it or set TEST_DATABASE_URL`);
  }
  for (const version of readdirSync('/etc/postgresql')) {
    console.log(`Starting the local PostgreSQL ${version} cluster...`);
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
  }
  for (let i = 0; i < 30 && !(await postgresAnswers()); i++) await new Promise((r) => setTimeout(r, 500));
  if (!(await postgresAnswers())) throw new Error(`PostgreSQL did not come up at ${url}`);
}

try {
  await ensurePostgres();
  if (!process.env.TEMPORAL_ADDRESS) {
    const cli = await findTemporalCli(process.env, (line) => console.log(line));
    console.log(cli.kind === 'path' ? `Temporal CLI: ${cli.path} (${cli.source})` : 'Temporal CLI: SDK download');
  }
  if (process.env.VIGIL_SKIP_BROWSER === '1') {
    console.log('Chromium: not looked for, the browser tests are skipped (VIGIL_SKIP_BROWSER=1)');
  } else {
    const chromium = ensureChromium((line) => console.log(line));
    console.log(chromium.ok ? `Chromium: ${chromium.path}` : `Chromium: none, the browser tests will fail (${chromium.reason}); VIGIL_SKIP_BROWSER=1 skips them`);
  }
} catch (error) {
  console.error(`ensure-services: ${(error as Error).message}`);
  process.exit(1);
}
