/**
 * The classifier and the default policy against the adversarial corpus: class, flags, and the decision on a
 * production and a development connection. Not one dangerous statement may be allowed in production.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSqlClassifier, type SqlClassifier } from '../../src/governance/classify-sql.js';
import { decide } from '../../src/governance/decide.js';
import { DEFAULT_POLICY_FILE, loadPolicyFile } from '../../src/governance/policy.js';
import type { Effect } from '../../src/governance/types.js';
import type { Principal } from '../../src/shared/principal.js';
import { CORPUS, type E } from './corpus.js';

const EFFECT: Record<E, Effect> = { A: 'allow', R: 'require_approval', D: 'deny' };
const alice: Principal = { id: 'alice', kind: 'human', groups: ['sre'] };
const policy = loadPolicyFile(DEFAULT_POLICY_FILE);
let classifier: SqlClassifier;

beforeAll(async () => {
  classifier = await createSqlClassifier();
});

describe('adversarial corpus', () => {
  it('has at least 120 statements', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(120);
  });

  it.each(CORPUS.map((c) => [c.sql.length > 80 ? `${c.sql.slice(0, 77)}...` : c.sql, c] as const))('%s', (_label, c) => {
    const classification = classifier.classify(c.sql);
    if (c.class === null) {
      expect(classification.parsed).toBe(false);
      expect(classification.error).toBeTruthy();
    } else {
      expect(classification.parsed, classification.error).toBe(true);
      expect(classification.class).toBe(c.class);
      expect(classification.flags).toEqual(expect.arrayContaining([...c.flags]));
    }
    const prod = decide({ classification, principal: alice, connection: 'payments-primary' }, policy);
    const dev = decide({ classification, principal: alice, connection: 'demo' }, policy);
    expect({ prod: prod.effect, dev: dev.effect }).toEqual({ prod: EFFECT[c.prod], dev: EFFECT[c.dev] });
    expect(prod.summary.length).toBeGreaterThan(0);
  });

  it('allows not one dangerous statement in production', () => {
    const allowed = CORPUS.filter((c) => c.dangerous).filter(
      (c) => decide({ classification: classifier.classify(c.sql), principal: alice, connection: 'payments-primary' }, policy).effect !== 'deny',
    );
    expect(allowed.map((c) => c.sql)).toEqual([]);
  });
});
