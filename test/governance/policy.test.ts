/** Policy loading and deciding: bad policies never load; most restrictive wins; errors fail closed. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSqlClassifier, type SqlClassifier } from '../../src/governance/classify-sql.js';
import { decide } from '../../src/governance/decide.js';
import { loadPolicy } from '../../src/governance/policy.js';
import type { Principal } from '../../src/shared/principal.js';

const base = `apiVersion: vigil/v1
kind: Policy
environments:
  production: { default: deny }
  development: { default: allow }
connections:
  prod: { environment: production, url_env: PROD_URL }
  dev: { environment: development, url_env: DEV_URL }
groups:
  dba: {}
  leads: {}
`;
const alice: Principal = { id: 'alice', kind: 'human', groups: ['sre'] };
let classifier: SqlClassifier;
beforeAll(async () => {
  classifier = await createSqlClassifier();
});

const verdict = (policyText: string, sql: string, connection = 'prod', principal = alice) =>
  decide({ classification: classifier.classify(sql), principal, connection }, loadPolicy(policyText, 'p.yaml'));

describe('loadPolicy', () => {
  it.each([
    ['a schema error names the path', `${base}rules: [{ id: x, when: "true", effect: maybe, reason: r }]`, /\/rules\/0\/effect/],
    ['a rule that does not parse names the rule', `${base}rules: [{ id: broken-rule, when: "statement.class ==", effect: deny, reason: r }]`, /rule broken-rule: condition does not parse/],
    ['an unknown variable names the rule', `${base}rules: [{ id: typo, when: "statment.class == 'read'", effect: deny, reason: r }]`, /rule typo: unknown name "statment"/],
    ['an unknown approver group', `${base}rules: [{ id: x, when: "true", effect: require_approval, approvers: [{ group: dbas }], reason: r }]`, /unknown approver group "dbas"/],
    ['require_approval without approvers', `${base}rules: [{ id: x, when: "true", effect: require_approval, reason: r }]`, /needs approvers/],
    ['a connection in an unknown environment', base.replace('environment: development, url_env: DEV_URL', 'environment: qa, url_env: DEV_URL'), /unknown environment "qa"/],
    ['a URL instead of an env var name', base.replace('url_env: PROD_URL', 'url_env: "postgres://x"'), /url_env/],
    ['duplicate keys', `${base}groups: {}`, /unique|duplicate/i],
  ])('%s', (_name, text, message) => {
    expect(() => loadPolicy(text, 'p.yaml')).toThrow(message);
  });
});

describe('decide', () => {
  const rules = `${base}rules:
  - { id: reads-ok, when: "statement.class == 'read'", effect: allow, reason: reads are fine }
  - { id: orders-need-dba, when: "'orders' in statement.tables_written", effect: require_approval, approvers: [{ group: dba }], reason: orders are money }
  - { id: orders-need-lead, when: "'orders' in statement.tables_written", effect: require_approval, approvers: [{ group: dba, count: 2 }, { group: leads }], reason: really }
  - { id: no-email-writes, when: "'customers.email' in statement.columns_written", effect: deny, reason: emails change through the app }
  - { id: crashy, when: "principal.groups[5] == 'x'", effect: allow, reason: index out of range }
`;

  it('uses the environment default when nothing matches', () => {
    expect(verdict(base, 'UPDATE t SET a = 1 WHERE id = 1').summary).toBe('denied by default for production: UPDATE on production (prod)');
    expect(verdict(base, 'UPDATE t SET a = 1 WHERE id = 1', 'dev').effect).toBe('allow');
  });

  it('lets the most restrictive matching rule win, and merges approvers', () => {
    const d = verdict(rules.replace(/  - \{ id: crashy.*\n/, ''), 'UPDATE orders SET status = $1 WHERE id = $2');
    expect(d.effect).toBe('require_approval');
    expect(d.approvers).toEqual([{ group: 'dba', count: 2 }, { group: 'leads', count: 1 }]);
    expect(verdict(rules.replace(/  - \{ id: crashy.*\n/, ''), 'UPDATE customers SET email = $1 WHERE id = $2').summary).toMatch(/^denied by no-email-writes: emails change through the app/);
  });

  it('fails closed when a rule errors at evaluation', () => {
    const d = verdict(rules, 'SELECT 1');
    expect(d.effect).toBe('deny');
    expect(d.rules[0]).toMatchObject({ id: 'crashy', effect: 'deny' });
    expect(d.rules[0]?.reason).toMatch(/denying to be safe/);
  });

  it('denies an unknown connection', () => {
    expect(verdict(base, 'SELECT 1', 'nope').summary).toBe('denied by vigil-unknown-connection: no connection named "nope" in the policy');
  });

  it('lets a policy allow its own read-only functions', () => {
    expect(verdict(`${base}functions: { allow: [app.safe_fn] }\n`, 'SELECT app.safe_fn(1)', 'dev').effect).toBe('allow');
    expect(verdict(base, 'SELECT app.safe_fn(1)', 'dev').rules[0]?.id).toBe('vigil-unknown-function');
  });
});
