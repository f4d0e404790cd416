/**
 * Reads and compiles runbook files for the command line: an unreadable file is an issue like any other,
 * so `vigil validate a.yaml b.yaml` reports everything wrong with both in one go.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { compileRunbook, type CompileOptions, type CompileResult } from '../runbook/compile.js';

export function compileFile(path: string, options?: CompileOptions): CompileResult {
  const file = relative(process.cwd(), path) || path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { ok: false, issues: [{ file, line: 1, col: 1, code: 'VIGIL_E_RUNBOOK_READ', message: reason }] };
  }
  return compileRunbook(text, file, options);
}
