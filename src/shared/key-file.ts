/**
 * A key kept in a file. Production names the file; development (no file named) generates the key once, in Vigil's
 * cache, readable only by its owner, so that every process on one machine finds the same key without any setup.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The file's text. When it is missing: `generate` writes the text `create()` gives (mode 0600), else `missing()` is
 * thrown. Written with 'wx', so two processes starting at once both end up with the key whichever wrote it first.
 */
export function readKeyFile(path: string, options: { readonly generate: boolean; create(): string; missing(): Error }): string {
  if (!existsSync(path)) {
    if (!options.generate) throw options.missing();
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, options.create(), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return readFileSync(path, 'utf8');
}
