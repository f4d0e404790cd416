/**
 * Where findTemporalCli looks, in order: $TEMPORAL_CLI, `temporal` on PATH, Vigil's cache (XDG_CACHE_HOME, else
 * ~/.cache), `go install` into the cache, the SDK download. Small stub executables in temp directories stand in
 * for the real tools: nothing is built or downloaded.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportError } from '../../src/cli/fail.js';
import { findTemporalCli } from '../../src/dev/temporal-cli.js';

function stub(dir: string, name: string, script = 'exit 0'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** A scratch world: an empty PATH dir, an empty cache, and no Go but what a test puts there. */
function world() {
  const root = mkdtempSync(join(tmpdir(), 'vigil-temporal-cli-'));
  const pathDir = join(root, 'path');
  mkdirSync(pathDir);
  const cache = join(root, 'cache');
  const cacheBin = join(cache, 'vigil', 'bin');
  return { root, pathDir, cacheBin, env: { PATH: pathDir, XDG_CACHE_HOME: cache } as NodeJS.ProcessEnv };
}

/** The body of a `go` stub that "installs" a temporal stub where GOBIN points (PATH is bare: chmod by full path). */
const INSTALLS_TEMPORAL = `printf '#!/bin/sh\\n' > "$GOBIN/temporal" && /bin/chmod +x "$GOBIN/temporal"`;
const noGo: readonly string[] = [];
const find = (env: NodeJS.ProcessEnv, log: (line: string) => void = () => undefined) => findTemporalCli(env, log, noGo);

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('findTemporalCli', () => {
  it('takes $TEMPORAL_CLI before PATH and the cache', async () => {
    const w = world();
    const chosen = stub(join(w.root, 'chosen'), 'my-temporal');
    stub(w.pathDir, 'temporal');
    stub(w.cacheBin, 'temporal');
    expect(await find({ ...w.env, TEMPORAL_CLI: chosen })).toEqual({ kind: 'path', path: chosen, source: 'TEMPORAL_CLI' });
  });

  it.each([
    ['a missing file', (root: string) => join(root, 'nowhere', 'temporal')],
    ['a file without the execute bit', (root: string) => (writeFileSync(join(root, 'temporal'), ''), join(root, 'temporal'))],
    ['a directory', (root: string) => root],
  ])('refuses a $TEMPORAL_CLI naming %s, in one line naming the variable and the path', async (_, make) => {
    const w = world();
    const path = make(w.root);
    stub(w.pathDir, 'temporal');
    const error = await find({ ...w.env, TEMPORAL_CLI: path }).catch((e: unknown) => e);
    vi.stubEnv('VIGIL_DEBUG', '');
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    reportError(error);
    expect(printed.mock.calls).toEqual([[`VIGIL_E_TEMPORAL_CLI_MISSING  TEMPORAL_CLI=${path} is not an executable file; point it at a temporal binary, or unset it`]]);
  });

  it('takes `temporal` on PATH before the cache, from the first PATH dir that has one', async () => {
    const w = world();
    const later = stub(join(w.root, 'later'), 'temporal');
    stub(w.cacheBin, 'temporal');
    const env = { ...w.env, PATH: [w.pathDir, join(w.root, 'missing'), later.replace(/\/temporal$/, '')].join(':') };
    expect(await find(env)).toEqual({ kind: 'path', path: later, source: 'PATH' });
  });

  it('skips a `temporal` on PATH that is not executable', async () => {
    const w = world();
    writeFileSync(join(w.pathDir, 'temporal'), 'not a program');
    const cached = stub(w.cacheBin, 'temporal');
    expect(await find(w.env)).toEqual({ kind: 'path', path: cached, source: 'cache' });
  });

  it('takes the cache under XDG_CACHE_HOME', async () => {
    const w = world();
    const cached = stub(w.cacheBin, 'temporal');
    expect(await find(w.env)).toEqual({ kind: 'path', path: cached, source: 'cache' });
  });

  it('takes the cache under ~/.cache when XDG_CACHE_HOME is unset', async () => {
    const w = world();
    vi.stubEnv('HOME', w.root);
    const cached = stub(join(w.root, '.cache', 'vigil', 'bin'), 'temporal');
    expect(await find({ PATH: w.pathDir })).toEqual({ kind: 'path', path: cached, source: 'cache' });
  });

  it('builds with `go install` into the cache when there is Go but no CLI', async () => {
    const w = world();
    const argsFile = join(w.root, 'go-args');
    stub(w.pathDir, 'go', `echo "$* GOBIN=$GOBIN GOTOOLCHAIN=$GOTOOLCHAIN" > '${argsFile}'\n${INSTALLS_TEMPORAL}`);
    const lines: string[] = [];
    const cli = await find(w.env, (line) => lines.push(line));
    expect(cli).toEqual({ kind: 'path', path: join(w.cacheBin, 'temporal'), source: 'go install' });
    expect(readFileSync(argsFile, 'utf8').trim()).toMatch(new RegExp(`^install github\\.com/temporalio/cli/cmd/temporal@v[\\d.]+ GOBIN=${w.cacheBin} GOTOOLCHAIN=local$`));
    expect(lines).toEqual([expect.stringMatching(/^Building the Temporal CLI/)]);
  });

  it('looks for Go in the extra dirs it is given too', async () => {
    const w = world();
    const goDir = join(w.root, 'go', 'bin');
    stub(goDir, 'go', INSTALLS_TEMPORAL);
    expect(await findTemporalCli(w.env, () => undefined, [goDir])).toMatchObject({ source: 'go install' });
  });

  it('fails when `go install` fails', async () => {
    const w = world();
    stub(w.pathDir, 'go', 'exit 3');
    await expect(find(w.env)).rejects.toThrow(/exited with 3/);
  });

  it('falls back to the SDK download when there is neither a CLI nor Go', async () => {
    const w = world();
    const lines: string[] = [];
    expect(await find(w.env, (line) => lines.push(line))).toEqual({ kind: 'download' });
    expect(lines).toEqual([expect.stringMatching(/SDK download/)]);
  });
});
