/**
 * `npm start` as a newcomer runs it: `vigil dev --demo` with no DATABASE_URL and no TEMPORAL_ADDRESS starts embedded
 * PostgreSQL, a Temporal dev server, a worker and the Vigil server, runs hello-db to completion, and Ctrl-C stops it
 * all. The embedded cluster lives in a private temp dir, so this never meets a developer's own demo cluster.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/dev/ports.js';

describe('vigil dev --demo (npm start)', () => {
  // The embedded server runs as the postgres OS user when we are root: it must be able to reach its data dir.
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-dev-demo-'));
  chmodSync(tmp, 0o755);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('runs the demo on embedded defaults and stops everything on Ctrl-C', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, VIGIL_LISTEN: `127.0.0.1:${await freePort()}` };
    delete env.DATABASE_URL;
    delete env.TEMPORAL_ADDRESS;
    delete env.VIGIL_DATABASE_URL;
    const child = spawn(process.execPath, ['bin/vigil.js', 'dev', '--demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (output.includes('Ctrl-C stops everything.')) done(resolve);
        else if (child.exitCode !== null) done(() => reject(new Error(`vigil dev exited early:\n${output}`)));
      }, 100);
      const done = (then: () => void) => {
        clearInterval(timer);
        then();
      };
    });
    expect(output).toMatch(/Creating the demo PostgreSQL cluster/);
    expect(output).toMatch(/Seeded the demo database/);
    expect(output).toMatch(/✓ open_orders +5 rows \(SELECT\)/);
    expect(output).toMatch(/Run completed\./);
    expect(output).not.toMatch(/VIGIL_E_INTERNAL|\n\s+at .*:\d+:\d+/);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
