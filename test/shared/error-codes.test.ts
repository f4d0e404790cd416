/** One registry of error codes, each documented, and no code used in src/ that the registry lacks. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/shared/error-codes.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('error codes', () => {
  const documented = readFileSync('docs/errors.md', 'utf8');

  it.each(Object.keys(ERROR_CODES))('%s is documented in docs/errors.md', (code) => {
    expect(documented).toContain(`\`${code}\``);
  });

  it('every code used in src/ and workers/ (pages included) is in the registry', () => {
    const used = new Set<string>();
    for (const file of [...sourceFiles('src'), ...sourceFiles('workers')]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/VIGIL_E_[A-Z_]+[A-Z]/g)) used.add(m[0]);
    }
    const unknown = [...used].filter((c) => !(c in ERROR_CODES));
    expect(unknown).toEqual([]);
  });
});
