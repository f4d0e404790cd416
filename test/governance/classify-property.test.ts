/**
 * Property tests: random text and mutations of corpus statements never crash the classifier, unparseable input is
 * always denied, and nothing the parser accepts that drops, truncates or calls a side-effect function is allowed
 * in production.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSqlClassifier, type SqlClassifier } from '../../src/governance/classify-sql.js';
import { decide } from '../../src/governance/decide.js';
import { DEFAULT_POLICY_FILE, loadPolicyFile } from '../../src/governance/policy.js';
import { SIDE_EFFECT_FUNCTIONS } from '../../src/governance/sql-functions.js';
import type { Principal } from '../../src/shared/principal.js';
import { CORPUS } from './corpus.js';

const policy = loadPolicyFile(DEFAULT_POLICY_FILE);
const agent: Principal = { id: 'bot', kind: 'agent', groups: ['sre'], owner: 'alice' };
let classifier: SqlClassifier;

beforeAll(async () => {
  classifier = await createSqlClassifier({ cacheSize: 10 });
});

const seeds = CORPUS.map((c) => c.sql).filter((s) => s.length < 400);
const fragments = [';', ' DROP TABLE orders', '/*', '*/', '--', '\n', "'", '"', '$$', ' OR 1=1', ' pg_terminate_backend(1)', ' WHERE ', ' TRUNCATE x', ' ) ', ' ( ', 'U&"\\0061"'];

/** A corpus statement with random insertions, deletions and spliced-in fragments. */
const mutated = fc
  .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 4 })), fc.nat({ max: 3 })), { maxLength: 4 }))
  .map(([sql, edits]) => edits.reduce((s, [at, text, del]) => s.slice(0, at % (s.length + 1)) + text + s.slice((at % (s.length + 1)) + del), sql));

function dangerous(sql: string): boolean {
  const c = classifier.classify(sql);
  return c.parsed && (c.command.startsWith('DROP') || c.command === 'TRUNCATE' || c.functions.some((f) => SIDE_EFFECT_FUNCTIONS.has(f.replace(/^pg_catalog\./, ''))));
}

describe('classifier properties', () => {
  it('never throws, and denies whatever does not parse', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 60 }), mutated), (sql) => {
        const c = classifier.classify(sql);
        if (!c.parsed) {
          expect(decide({ classification: c, principal: agent, connection: 'demo' }, policy).effect).toBe('deny');
          expect(c.error).toBeTruthy();
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('never allows a parsed DROP, TRUNCATE or side-effect call in production', () => {
    fc.assert(
      fc.property(mutated, (sql) => {
        if (!dangerous(sql)) return;
        const decision = decide({ classification: classifier.classify(sql), principal: { id: 'alice', kind: 'human', groups: ['dba', 'sre-leads'] }, connection: 'payments-primary' }, policy);
        expect(decision.effect, `${sql} -> ${decision.summary}`).toBe('deny');
      }),
      { numRuns: 1500 },
    );
  });

  it('gives the same answer cached and uncached', () => {
    fc.assert(
      fc.property(mutated, (sql) => {
        expect(classifier.classify(sql)).toEqual(classifier.classify(sql));
      }),
      { numRuns: 300 },
    );
  });
});
