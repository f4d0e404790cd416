/**
 * Broken runbooks, each paired (in expected.json) with the codes and lines it must produce. None may crash the
 * compiler, and every one must fail; oversized and over-deep documents are generated here rather than committed.
 * A fast-check property mutates the example runbooks: whatever comes out, the compiler returns issues, never throws.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRunbook } from '../../src/runbook/compile.js';

const DIR = 'test/fixtures/runbooks/invalid';
const expected = JSON.parse(readFileSync(`${DIR}/expected.json`, 'utf8')) as Record<string, string[]>;
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
const options = { connections: ['demo', 'payments-primary'] };

const issuesOf = (text: string, file: string) => {
  const result = compileRunbook(text, file, options);
  return result.ok ? [] : result.issues.map((i) => `${i.code}@${i.line}`);
};

describe('invalid runbooks', () => {
  it('has at least 30 fixtures, each with its expectation', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(expected).sort()).toEqual(files);
  });

  it.each(files)('%s gives exactly its codes and lines', (file) => {
    const issues = issuesOf(readFileSync(`${DIR}/${file}`, 'utf8'), file);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues).toEqual(expected[file]);
  });

  it('refuses a document over 1 MiB', () => {
    const big = `apiVersion: vigil/v1\nkind: Runbook\nmetadata: { name: big, description: "${'x'.repeat(1024 * 1024)}" }\nspec: { steps: [{ id: a, wait: 1s }] }\n`;
    expect(issuesOf(big, 'big.yaml')).toEqual(['VIGIL_E_RUNBOOK_TOO_LARGE@1']);
  });

  it('refuses nesting deeper than 64 levels', () => {
    const deep = `apiVersion: vigil/v1\nkind: Runbook\nmetadata: { name: deep }\nspec:\n  steps: [{ id: a, wait: 1s }]\n  outputs: { x: ${'['.repeat(80)}1${']'.repeat(80)} }\n`;
    expect(issuesOf(deep, 'deep.yaml')).toEqual(['VIGIL_E_RUNBOOK_TOO_LARGE@6']);
  });

  it('never throws on mutated examples', () => {
    const examples = readdirSync('runbooks').map((f) => readFileSync(`runbooks/${f}`, 'utf8'));
    const mutated = fc
      .tuple(fc.constantFrom(...examples), fc.array(fc.tuple(fc.nat(), fc.constantFrom('', ':', '- ', '\t', '${{', '}}', '"', '{', '[', '\n  ', 'sql:', 'id: x'), fc.nat({ max: 6 })), { minLength: 1, maxLength: 4 }))
      .map(([text, edits]) => edits.reduce((t, [at, s, del]) => t.slice(0, at % (t.length + 1)) + s + t.slice((at % (t.length + 1)) + del), text));
    fc.assert(
      fc.property(mutated, (text) => {
        const result = compileRunbook(text, 'mutated.yaml', options);
        if (!result.ok) for (const i of result.issues) expect(i.line).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
  });
});
