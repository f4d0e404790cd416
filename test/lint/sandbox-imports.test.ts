/**
 * The lint rule that guards the workflow sandbox must actually bite: a runtime import of a driver or an
 * activity implementation into src/workflows fails, and type-only imports pass.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImportErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('sandbox import rule', () => {
  it.each([
    ["import pg from 'pg';", 'a driver'],
    ["import { readFileSync } from 'node:fs';", 'file I/O'],
    ["import { createSqlActivities } from '../activities/sql-activities.js';", 'an activity implementation'],
    ["import { Client } from '@temporalio/client';", 'the client'],
    ["import { startWorker } from '../../workers/run-worker.js';", 'the worker wiring'],
    ["import { compileRunbook } from '../runbook/compile.js';", 'the compiler (uses node:crypto)'],
  ])('rejects %s (%s) in workflow code', async (code) => {
    expect(await restrictedImportErrors(`${code}\nexport {};\n`, 'src/workflows/probe.ts')).toHaveLength(1);
  });

  it.each([
    "import { proxyActivities } from '@temporalio/workflow';",
    "import type { SqlActivities } from '../activities/types.js';",
    "import { matchApprovers } from '../approvals/match-approvers.js';",
    "import { evaluateCel } from '../expressions/cel.js';",
    "import { resolveInputs } from '../runbook/resolve-inputs.js';",
    "import { Interpreter } from './interpreter.js';",
  ])('accepts %s in workflow code', async (code) => {
    expect(await restrictedImportErrors(`${code}\nexport {};\n`, 'src/workflows/probe.ts')).toEqual([]);
  });

  it('does not restrict code outside the sandbox', async () => {
    expect(await restrictedImportErrors("import pg from 'pg';\nexport {};\n", 'src/activities/probe.ts')).toEqual([]);
  });
});
