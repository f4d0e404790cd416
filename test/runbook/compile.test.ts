/**
 * The compiler on the foundation's slice: the example compiles to the expected plan, and broken runbooks
 * produce every issue with its code and position.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileRunbook } from '../../src/runbook/compile.js';
import { formatIssue } from '../../src/runbook/issues.js';

const HELLO = readFileSync('runbooks/hello-db.yaml', 'utf8');

function issuesOf(text: string) {
  const result = compileRunbook(text, 'rb.yaml');
  if (result.ok) throw new Error('expected the runbook to be invalid');
  return result.issues.map((i) => ({ code: i.code, line: i.line }));
}

const runbook = (steps: string, inputs = '') => `apiVersion: vigil/v1
kind: Runbook
metadata:
  name: t
spec:
${inputs}  steps:
${steps}`;

describe('compileRunbook', () => {
  it('marks the SQL params computed from sensitive inputs, and only those', () => {
    const inputs = '  inputs:\n    token: { type: string, sensitive: true }\n    id: { type: integer }\n';
    const steps = [
      '    - id: q',
      '      intent: Look up the session for this token, for the ticket.',
      '      sql:',
      '        connection: demo',
      '        query: SELECT id FROM sessions WHERE token = $1 AND user_id = $2 AND note = $3',
      '        params: ["${{ inputs.token }}", "${{ inputs.id }}", "token ${{ inputs.token.size() }}"]',
      '',
    ].join('\n');
    const result = compileRunbook(runbook(steps, inputs), 'rb.yaml');
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
    expect(result.plan.steps[0]).toMatchObject({ kind: 'sql', sensitiveParams: [0, 2] });
  });

  it('keeps sensitive inputs to SQL params that read only inputs, naming the line of any other use', () => {
    const inputs = '  inputs:\n    token: { type: string, sensitive: true }\n    id: { type: integer }\n';
    const steps = [
      '    - id: q', // line 10
      '      intent: Look up the session for this token, for the ticket.',
      '      sql: { connection: demo, query: "SELECT $1::text, $2::int", params: ["${{ inputs.token }}", "${{ inputs.id }}"] }',
      '    - id: tell',
      '      notify: { target: ops, text: "token is ${{ inputs.token }}" }', // line 14
      '    - id: maybe',
      "      when: ${{ inputs.token != '' }}", // line 16
      '      wait: 1s',
      '    - id: mixed',
      '      intent: Mix the token with an earlier result.',
      '      sql: { connection: demo, query: "SELECT $1::text", params: ["${{ inputs.token + steps.q.rows[0].x }}"] }', // line 20
      '    - id: all',
      '      notify: { target: ops, text: "${{ inputs }}" }', // line 22
      '',
    ].join('\n');
    const result = compileRunbook(runbook(steps, inputs), 'rb.yaml');
    if (result.ok) throw new Error('expected the runbook to be invalid');
    const sensitive = result.issues.filter((i) => i.code === 'VIGIL_E_RUNBOOK_SENSITIVE');
    expect(sensitive.map((i) => i.line)).toEqual([14, 16, 20, 22]);
    expect(sensitive[0]?.message).toMatch(/reads a sensitive input \(token\); a sensitive input can only be passed to a SQL step's params/);
    expect(sensitive[2]?.message).toMatch(/can read only inputs, not steps/);
    expect(result.issues.filter((i) => i.code !== 'VIGIL_E_RUNBOOK_SENSITIVE')).toEqual([]);
  });

  it('compiles hello-db into a plan with one SQL step and a bound parameter', () => {
    const result = compileRunbook(HELLO, 'runbooks/hello-db.yaml');
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
    const [step] = result.plan.steps;
    expect(step).toMatchObject({ kind: 'sql', id: 'open_orders', connection: 'demo', params: [{ kind: 'expr', expr: 'inputs.customer_id' }], maxRows: 100 });
    expect(step?.source.line).toBe(19);
    expect(result.plan.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same hash for the same runbook, and a different one when a step changes', () => {
    const a = compileRunbook(HELLO, 'x.yaml');
    const b = compileRunbook(HELLO, 'x.yaml');
    const c = compileRunbook(HELLO.replace('max_rows: 100', 'max_rows: 50'), 'x.yaml');
    if (!a.ok || !b.ok || !c.ok) throw new Error('expected valid');
    expect(a.plan.hash).toBe(b.plan.hash);
    expect(c.plan.hash).not.toBe(a.plan.hash);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(issuesOf('apiVersion: vigil/v1\nkind: [Runbook\n')).toEqual([expect.objectContaining({ code: 'VIGIL_E_RUNBOOK_YAML' })]);
  });

  it('reports every semantic problem, not only the first', () => {
    const text = runbook(`    - id: a
      intent: read
      sql: { connection: demo, query: "SELECT \${{ inputs.x }}" }
    - id: a
      notify: { target: ops, text: "\${{ steps.later.rows }}" }
    - id: later
      wait: 1s
`);
    expect(issuesOf(text)).toEqual([
      { code: 'VIGIL_E_RUNBOOK_SQL_TEMPLATE', line: 9 },
      { code: 'VIGIL_E_RUNBOOK_DUPLICATE_ID', line: 10 },
      { code: 'VIGIL_E_RUNBOOK_REFERENCE', line: 11 },
    ]);
  });

  it('rejects a step with two actions and a SQL step without intent', () => {
    const text = runbook(`    - id: a
      wait: 1s
      notify: { target: ops, text: hi }
    - id: b
      sql: { connection: demo, query: "SELECT 1" }
`);
    expect(issuesOf(text)).toEqual([
      { code: 'VIGIL_E_RUNBOOK_SCHEMA', line: 7 },
      { code: 'VIGIL_E_RUNBOOK_SCHEMA', line: 10 },
    ]);
  });

  it('names an unknown field in words, at its line', () => {
    const result = compileRunbook(runbook(`    - id: a\n      wiat: 1s\n      wait: 1s\n`), 'rb.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map(formatIssue)).toEqual(['rb.yaml:8:7  VIGIL_E_RUNBOOK_SCHEMA  step "a": unknown field "wiat"']);
  });

  it('rejects a reference to an undeclared input', () => {
    const text = runbook(`    - id: a\n      when: \${{ inputs.regoin == "eu" }}\n      wait: 1s\n`, `  inputs:\n    region: { type: string }\n`);
    expect(issuesOf(text)).toEqual([{ code: 'VIGIL_E_RUNBOOK_REFERENCE', line: 10 }]);
  });
});
