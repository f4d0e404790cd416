/**
 * A masking exemption from the policy: a DBA sees customers.email in the clear in development, everyone else (and any
 * agent, even one in the dba group) sees it masked, and each use of the exemption is on the audit record.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlOutput } from '../../src/activities/types.js';
import type { AttemptInput as AuditAction } from '../../src/audit/types.js';
import { createAuditStore } from '../../src/audit/audit-store.js';
import { startRun } from '../../src/client/start-run.js';
import { watchRun } from '../../src/client/watch-run.js';
import { adHocPlan } from '../../src/runbook/ad-hoc-plan.js';
import type { Principal } from '../../src/shared/principal.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const POLICY = `${readFileSync('policies/default.yaml', 'utf8')}
masking:
  exemptions:
    - id: dba-incident
      groups: [dba]
      columns: [customers.email]
      environments: [development]
      reason: DBAs on call verify contact data during incidents
`;

describe('masking exemptions', () => {
  let stack: TestStack;

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vigil-policy-')), 'policy.yaml');
    writeFileSync(file, POLICY);
    stack = await startTestStack({ env: { VIGIL_POLICY: file } });
  });

  afterAll(() => stack?.close());

  async function emailAs(principal: Principal): Promise<{ email: unknown; phone: unknown }> {
    const plan = adHocPlan('demo', 'SELECT email, phone FROM customers WHERE id = 1', 'check a contact during an incident');
    const { handle } = await startRun(stack.temporal.client, { plan, inputs: {}, principal, trigger: { source: 'test' }, taskQueue: stack.temporal.taskQueue });
    const outcome = await watchRun(handle, () => undefined, 50);
    if (!outcome.ok) throw new Error(outcome.message);
    return (outcome.result.outputs.statement as SqlOutput).rows[0] as { email: unknown; phone: unknown };
  }

  it('shows the exempt column to the DBA only, and audits the exemption', async () => {
    const bob = await emailAs({ id: 'bob', kind: 'human', groups: ['dba'] });
    expect(bob.email).toMatch(/^[a-z.]+\.1@example\.com$/);
    expect(bob.phone).toMatch(/^\*\*\*\d{4}$/);
    expect((await emailAs({ id: 'alice', kind: 'human', groups: ['sre'] })).email).toBe('***@example.com');
    expect((await emailAs({ id: 'bot', kind: 'agent', groups: ['dba'], owner: 'bob' })).email).toBe('***@example.com');

    const pool = new pg.Pool({ connectionString: stack.db.url, max: 1 });
    const attempts = (await createAuditStore(pool).search({ text: 'check a contact' })).filter((r) => r.kind === 'attempt').map((r) => r.record as AuditAction);
    await pool.end();
    expect(attempts.map((a) => [a.principal, a.maskingExemption?.id ?? null])).toEqual([
      ['bot', null],
      ['alice', null],
      ['bob', 'dba-incident'],
    ]);
  });
});
