/** The remembered decision is the decision: the same answer as decide, and a different context decides afresh. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCachedDecider } from '../../src/governance/cached-decider.js';
import { createSqlClassifier, type SqlClassifier } from '../../src/governance/classify-sql.js';
import { decide } from '../../src/governance/decide.js';
import { DEFAULT_POLICY_FILE, loadPolicyFile } from '../../src/governance/policy.js';
import type { Principal } from '../../src/shared/principal.js';

const policy = loadPolicyFile(DEFAULT_POLICY_FILE);
const alice: Principal = { id: 'alice', kind: 'human', groups: ['sre'] };
const bot: Principal = { id: 'triage-bot', kind: 'agent', groups: ['sre'], owner: 'alice', onBehalfOf: alice };

describe('createCachedDecider', () => {
  let classifier: SqlClassifier;
  beforeAll(async () => {
    classifier = await createSqlClassifier();
  });

  it('answers as decide does, and remembers the answer for the same statement and context', () => {
    const decideCached = createCachedDecider(policy);
    const input = { classification: classifier.classify('DELETE FROM orders WHERE id = $1'), principal: alice, connection: 'payments-primary' };
    const first = decideCached(input);
    expect(first).toEqual(decide(input, policy));
    expect(decideCached({ ...input, principal: { ...alice, groups: ['sre'] } })).toBe(first);
  });

  it('decides afresh when anything the policy can see differs', () => {
    const decideCached = createCachedDecider(policy);
    const classification = classifier.classify('UPDATE orders SET status = $1 WHERE id = $2');
    const base = { classification, principal: alice, connection: 'payments-primary' };
    const variants = [
      { ...base, principal: bot },
      { ...base, principal: { ...alice, groups: ['dba'] } },
      { ...base, connection: 'demo' },
      { ...base, runbook: { name: 'fix-orders', tags: ['payments'] } },
      { ...base, step: { id: 'fix', intent: 'Repair the stuck orders.' } },
    ];
    const first = decideCached(base);
    for (const v of variants) {
      const answer = decideCached(v);
      expect(answer).not.toBe(first);
      expect(answer).toEqual(decide(v, policy));
    }
  });
});
