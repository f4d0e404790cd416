/**
 * Finds Debian's Chromium for the browser tests, installing it with apt-get when it is missing and we may
 * (root, apt-get present). Runs in the test setup only, never in the server. Never downloads a browser build of its
 * own: Playwright's download does not work here, Debian's package does. Answers why when no browser can be had, so
 * the browser tests fail with that reason instead of obscurely.
 */
import { spawnSync } from 'node:child_process';
import { executable } from './executable.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The flags Chromium needs on this kind of machine: no sandbox as root, no GPU, no traffic beyond loopback. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type ChromiumLookup = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

function aptGet(args: string[], log: (line: string) => void): boolean {
  const r = spawnSync('apt-get', args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) log(`apt-get ${args.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-2).join(' ')}`);
  return r.status === 0;
}

/** `/usr/bin/chromium`, installed first when missing; or why it can't be had. Takes a minute when it installs. */
export function ensureChromium(log: (line: string) => void = () => undefined, path = CHROMIUM_PATH): ChromiumLookup {
  if (executable(path)) return { ok: true, path };
  if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { ok: false, reason: `${path} is missing and only root can install it (apt-get install -y chromium)` };
  }
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) return { ok: false, reason: `${path} is missing and this machine has no apt-get` };
  log('Installing Debian\'s chromium for the browser tests (apt-get install -y chromium; once per machine)...');
  // The package lists may be stale or absent on a fresh machine: refresh them once when the first attempt fails.
  if (!aptGet(['install', '-y', '--no-install-recommends', 'chromium'], log)) {
    if (!aptGet(['update'], log) || !aptGet(['install', '-y', '--no-install-recommends', 'chromium'], log)) {
      return { ok: false, reason: 'apt-get could not install chromium (see the lines above)' };
    }
  }
  return executable(path) ? { ok: true, path } : { ok: false, reason: `apt-get installed chromium but ${path} is not there` };
}
