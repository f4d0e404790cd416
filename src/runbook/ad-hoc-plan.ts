/**
 * A one-step plan for an ad-hoc statement (`vigil sql run`, later the MCP server): the same workflow, governance,
 * approvals, masking and audit as a runbook step, without a YAML file.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.js';
import type { Plan } from './plan.js';

export function adHocPlan(connection: string, query: string, intent: string): Plan {
  const body = {
    apiVersion: 'vigil/plan/v1' as const,
    runbook: { name: 'ad-hoc-sql', title: 'Ad-hoc statement', tags: ['ad-hoc'], sourceFile: '(command line)', sourceHash: createHash('sha256').update(query).digest('hex') },
    inputs: [],
    steps: [
      {
        kind: 'sql' as const,
        id: 'statement',
        name: 'Ad-hoc statement',
        intent,
        onError: { kind: 'fail' as const },
        source: { line: 1, col: 1 },
        connection,
        query,
        params: [],
      },
    ],
    outputs: { statement: { kind: 'expr' as const, expr: 'steps.statement' } },
    triggers: [],
  };
  return { ...body, hash: createHash('sha256').update(canonicalJson(body)).digest('hex') };
}
