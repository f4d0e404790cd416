/**
 * Finds a `temporal` CLI for the dev server, in this order: $TEMPORAL_CLI, `temporal` on PATH, Vigil's cache,
 * a build with `go install` into the cache, and last the SDK's own download (machines with internet).
 * The build takes minutes once; the binary is reused from the cache after that.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { VigilError } from '../shared/vigil-error.js';
import { executable } from './executable.js';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export type TemporalCli = { kind: 'path'; path: string; source: string } | { kind: 'download' };

export function vigilCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vigil');
}

function onPath(name: string, env: NodeJS.ProcessEnv, extra: readonly string[] = []): string | undefined {
  const dirs = [...(env.PATH ?? '').split(delimiter), ...extra].filter(Boolean);
  return dirs.map((d) => join(d, name)).find(executable);
}

/** Where Go lives when it is installed but not on PATH (the official tarball's place). */
export const GO_DIRS: readonly string[] = ['/usr/local/go/bin'];

export async function findTemporalCli(env: NodeJS.ProcessEnv, log: (line: string) => void, goDirs = GO_DIRS): Promise<TemporalCli> {
  if (env.TEMPORAL_CLI) {
    if (!executable(env.TEMPORAL_CLI)) {
      // A person set this on purpose: say so plainly rather than look elsewhere.
      throw new VigilError('VIGIL_E_TEMPORAL_CLI_MISSING', `TEMPORAL_CLI=${env.TEMPORAL_CLI} is not an executable file; point it at a temporal binary, or unset it`);
    }
    return { kind: 'path', path: env.TEMPORAL_CLI, source: 'TEMPORAL_CLI' };
  }
  const fromPath = onPath('temporal', env);
  if (fromPath) return { kind: 'path', path: fromPath, source: 'PATH' };

  const binDir = join(vigilCacheDir(env), 'bin');
  const cached = join(binDir, 'temporal');
  if (executable(cached)) return { kind: 'path', path: cached, source: 'cache' };

  const go = onPath('go', env, goDirs);
  if (go) {
    log(`Building the Temporal CLI (${TEMPORAL_CLI_MODULE}) with ${go}: first run only, takes a few minutes...`);
    mkdirSync(binDir, { recursive: true });
    await run(go, ['install', TEMPORAL_CLI_MODULE], { ...env, GOBIN: binDir, GOTOOLCHAIN: 'local' });
    if (executable(cached)) return { kind: 'path', path: cached, source: 'go install' };
    throw new Error(`go install finished but ${cached} is missing`);
  }
  log('No Temporal CLI and no Go toolchain: falling back to the SDK download (needs internet).');
  return { kind: 'download' };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'inherit'], cwd: homedir() });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}
