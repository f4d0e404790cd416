/** Policy loading and deciding: bad policies never load and say where; most restrictive wins; errors fail closed. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSqlClassifier, type SqlClassifier } from '../../src/governance/classify-sql.js';
import { decide } from '../../src/governance/decide.js';
import { DEFAULT_POLICY_FILE, formatPolicyIssues, loadDefaultPolicy, loadPolicy, loadPolicyFile, PolicyError } from '../../src/governance/policy.js';
import type { Classification } from '../../src/governance/types.js';
import type { Principal } from '../../src/shared/principal.js';
import policySchema from '../../schemas/policy.schema.json' with { type: 'json' };

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
  leads: { description: SRE leads, members: [dave] }
`;
const alice: Principal = { id: 'alice', kind: 'human', groups: ['sre'] };
let classifier: SqlClassifier;
beforeAll(async () => {
  classifier = await createSqlClassifier();
});

const verdict = (policyText: string, sql: string, connection = 'prod', principal = alice) =>
  decide({ classification: classifier.classify(sql), principal, connection }, loadPolicy(policyText, 'p.yaml'));

function issuesOf(text: string): PolicyError['issues'] {
  try {
    loadPolicy(text, 'p.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).code).toBe('VIGIL_E_POLICY_INVALID');
    return (error as PolicyError).issues;
  }
  throw new Error('the policy loaded');
}

describe('schemas/policy.schema.json', () => {
  it('describes every property, so an editor can explain each key', () => {
    const undescribed: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (!node || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      for (const [key, child] of Object.entries((schema.properties as Record<string, unknown> | undefined) ?? {})) {
        if (!(child as { description?: string }).description) undescribed.push(`${path}/${key}`);
        walk(child, `${path}/${key}`);
      }
      for (const key of ['additionalProperties', 'items', 'propertyNames']) {
        const child = schema[key];
        if (child && typeof child === 'object') {
          if (!(child as { description?: string }).description) undescribed.push(`${path}/${key}`);
          walk(child, `${path}/${key}`);
        }
      }
      for (const [key, child] of Object.entries((schema.$defs as Record<string, unknown> | undefined) ?? {})) walk(child, `${path}/$defs/${key}`);
    };
    walk(policySchema, '');
    expect(undescribed).toEqual([]);
  });
});

describe('loadPolicy', () => {
  it('loads the default policy, frozen, with every rule compiled', () => {
    const policy = loadDefaultPolicy();
    expect(policy.file).toBe(DEFAULT_POLICY_FILE);
    expect(Object.keys(policy.connections).sort()).toEqual(['demo', 'payments-primary']);
    expect(policy.connections['payments-primary']).toEqual({ environment: 'production', urlEnv: 'PAYMENTS_DATABASE_URL' });
    expect(policy.environments.production).toEqual({ default: 'require_approval', approvers: [{ group: 'dba', count: 1 }], dryRun: false, dryRunTolerance: 0.1 });
    expect(policy.rules.every((r) => typeof r.condition.evaluate === 'function')).toBe(true);
    expect(Object.isFrozen(policy) && Object.isFrozen(policy.rules[0])).toBe(true);
    expect(loadPolicy(`${base}`, 'p.yaml').groupMembers).toEqual({ dba: [], leads: ['dave'] });
  });

  it.each([
    ['an effect that does not exist', `${base}rules: [{ id: x, when: "true", effect: maybe, reason: r }]`, '/rules/0/effect', /must be one of "allow", "deny", "require_approval"/, 12],
    ['an unknown property', `${base}rules: [{ id: x, when: "true", effect: deny, reason: r, sevrity: high }]`, '/rules/0/sevrity', /unknown property "sevrity"/, 12],
    ['a missing property', `${base}rules:\n  - { id: x, effect: deny, reason: r }`, '/rules/0', /missing required property "when"/, 13],
    ['a URL instead of an env var name', base.replace('url_env: PROD_URL', 'url_env: "postgres://x"'), '/connections/prod/url_env', /must match/, 7],
    ['a reserved rule id', `${base}rules: [{ id: vigil-mine, when: "true", effect: deny, reason: r }]`, '/rules/0/id', /must match/, 12],
    ['a bad connection name', base.replace('  dev: {', '  Dev Box: {'), '/connections/Dev Box', /name must match/, 8],
  ])('reports %s with its path and line', (_name, text, path, message, line) => {
    const issue = issuesOf(text).find((i) => i.path === path);
    expect(issue, JSON.stringify(issuesOf(text))).toBeDefined();
    expect(issue?.message).toMatch(message);
    expect(issue?.line).toBe(line);
  });

  it.each([
    ['a condition that does not parse', `${base}rules: [{ id: broken-rule, when: "statement.class ==", effect: deny, reason: r }]`, '/rules/0/when', /rule broken-rule: condition does not compile/],
    ['an unknown variable', `${base}rules: [{ id: typo, when: "statment.class == 'read'", effect: deny, reason: r }]`, '/rules/0/when', /rule typo: .*Unknown variable: statment/],
    ['an unknown field', `${base}rules: [{ id: typo2, when: "statement.clas == 'read'", effect: deny, reason: r }]`, '/rules/0/when', /rule typo2: .*clas/],
    ['a comparison of the wrong types', `${base}rules: [{ id: types, when: "statement.statement_count == 'two'", effect: deny, reason: r }]`, '/rules/0/when', /rule types: .*overload/],
    ['a condition that is not a boolean', `${base}rules: [{ id: nonbool, when: "statement.command", effect: deny, reason: r }]`, '/rules/0/when', /rule nonbool: condition must be a boolean, but it is string/],
    ['an unknown approver group', `${base}rules: [{ id: x, when: "true", effect: require_approval, approvers: [{ group: dbas }], reason: r }]`, '/rules/0/approvers/0/group', /unknown approver group "dbas"/],
    ['require_approval without approvers', `${base}rules: [{ id: x, when: "true", effect: require_approval, reason: r }]`, '/rules/0', /needs approvers/],
    ['approvers on a deny', `${base}rules: [{ id: x, when: "true", effect: deny, approvers: [{ group: dba }], reason: r }]`, '/rules/0/approvers', /only apply to require_approval/],
    ['a duplicate rule id', `${base}rules: [{ id: x, when: "true", effect: deny, reason: r }, { id: x, when: "false", effect: deny, reason: r }]`, '/rules/1/id', /duplicate id/],
    ['a connection in an unknown environment', base.replace('environment: development, url_env: DEV_URL', 'environment: qa, url_env: DEV_URL'), '/connections/dev/environment', /unknown environment "qa"/],
    ['a default require_approval without approvers', base.replace('production: { default: deny }', 'production: { default: require_approval }'), '/environments/production', /needs approvers/],
    ['a literal URL outside development', base.replace('url_env: PROD_URL }', 'url_env: PROD_URL, url: "postgres://u:p@db/x" }'), '/connections/prod/url', /only allowed in development/],
  ])('refuses %s, naming the rule or place', (_name, text, path, message) => {
    const issue = issuesOf(text).find((i) => i.path === path);
    expect(issue, JSON.stringify(issuesOf(text))).toBeDefined();
    expect(issue?.message).toMatch(message);
    expect(issue?.line).toBeGreaterThan(0);
  });

  it('reports YAML errors and duplicate keys with a position, and every problem at once', () => {
    expect(issuesOf(`${base}groups: {}`)[0]).toMatchObject({ path: '/', message: expect.stringMatching(/unique/i), line: 12 });
    const many = issuesOf(`${base}rules:\n  - { id: a, when: "nope ==", effect: deny, reason: r }\n  - { id: b, when: "true", effect: require_approval, reason: r }`);
    expect(many.map((i) => i.path)).toEqual(['/rules/0/when', '/rules/1']);
  });

  it('allows a literal URL in development only, and keeps it', () => {
    const policy = loadPolicy(base.replace('url_env: DEV_URL }', 'url_env: DEV_URL, url: "postgres://localhost/demo" }'), 'p.yaml');
    expect(policy.connections.dev).toEqual({ environment: 'development', urlEnv: 'DEV_URL', url: 'postgres://localhost/demo' });
  });

  it('formats issues one per line as file:line:col  code  path: message', () => {
    try {
      loadPolicy(`${base}rules: [{ id: x, when: "true", effect: maybe, reason: r }]`, 'p.yaml');
    } catch (error) {
      expect(formatPolicyIssues(error as PolicyError)).toMatch(/^p\.yaml:12:\d+ {2}VIGIL_E_POLICY_INVALID {2}\/rules\/0\/effect: must be one of/);
      expect((error as Error).message).toMatch(/^p\.yaml: \/rules\/0\/effect: must be one of/);
    }
  });

  it('reports an unreadable file as a policy error', () => {
    expect(() => loadPolicyFile('/nonexistent/policy.yaml')).toThrow(PolicyError);
  });
});

describe('decide', () => {
  const rules = `${base}rules:
  - { id: reads-ok, when: "statement.class == 'read'", effect: allow, reason: reads are fine }
  - { id: orders-need-dba, when: "'orders' in statement.tables_written", effect: require_approval, approvers: [{ group: dba }], reason: orders are money }
  - { id: orders-need-lead, when: "'orders' in statement.tables_written", effect: require_approval, approvers: [{ group: dba, count: 2 }, { group: leads }], reason: really }
  - { id: no-email-writes, when: "'customers.email' in statement.columns_written", effect: deny, reason: emails change through the app }
`;
  const crashy = `${rules}  - { id: crashy, when: "principal.groups[5] == 'x'", effect: allow, reason: index out of range }\n`;

  it('uses the environment default when nothing matches, and says so', () => {
    expect(verdict(base, 'UPDATE t SET a = 1 WHERE id = 1')).toMatchObject({ effect: 'deny', rules: [], summary: 'denied by default for production (prod): UPDATE' });
    expect(verdict(base, 'SELECT 1', 'dev').summary).toBe('allowed by default for development (dev): SELECT');
  });

  it('lets the most restrictive matching rule win, and merges approvers (largest count per group)', () => {
    const d = verdict(rules, 'UPDATE orders SET status = $1 WHERE id = $2');
    expect(d.effect).toBe('require_approval');
    expect(d.approvers).toEqual([{ group: 'dba', count: 2 }, { group: 'leads', count: 1 }]);
    expect(d.summary).toBe('requires approval by dba (2) + leads (1) per orders-need-dba, orders-need-lead: UPDATE on production (prod) — orders are money');
    const denied = verdict(rules, 'UPDATE customers SET email = $1 WHERE id = $2');
    expect(denied.summary).toBe('denied by no-email-writes: UPDATE on production (prod) — emails change through the app');
    expect(verdict(rules, 'SELECT 1').summary).toBe('allowed by reads-ok: SELECT on production (prod) — reads are fine');
  });

  it('lists every matched rule, most restrictive first', () => {
    const d = verdict(rules, 'WITH u AS (UPDATE orders SET status = 1 WHERE id = 1 RETURNING id) UPDATE customers SET email = $1 WHERE id = 2');
    expect(d.rules.map((r) => [r.id, r.effect])).toEqual([
      ['no-email-writes', 'deny'],
      ['orders-need-dba', 'require_approval'],
      ['orders-need-lead', 'require_approval'],
    ]);
    expect(d.approvers).toEqual([]);
  });

  it('fails closed when a rule errors at evaluation', () => {
    const d = verdict(crashy, 'SELECT 1');
    expect(d.effect).toBe('deny');
    expect(d.rules[0]).toMatchObject({ id: 'crashy', effect: 'deny', reason: expect.stringMatching(/failed to evaluate.*denying to be safe/) });
  });

  it('fails closed when a condition yields something other than a boolean', () => {
    const policy = loadPolicy(`${base}rules: [{ id: dyn, when: "principal.owner == 'x' || principal.on_behalf_of", effect: allow, reason: r }]`, 'p.yaml');
    const d = decide({ classification: classifier.classify('SELECT 1'), principal: { ...alice, onBehalfOf: { id: 'bob', kind: 'human', groups: [] } }, connection: 'dev' }, policy);
    expect(d.effect).toBe('deny');
    expect(d.rules[0]?.reason).toMatch(/not a boolean|failed to evaluate/);
  });

  it('denies an unknown connection', () => {
    expect(verdict(base, 'SELECT 1', 'nope')).toMatchObject({ effect: 'deny', environment: 'unknown', summary: 'denied by vigil-unknown-connection: no connection named "nope" in the policy' });
  });

  it('denies unparseable SQL by a built-in rule, whatever the policy allows', () => {
    const allowAll = `${base}rules: [{ id: yes, when: "true", effect: allow, reason: anything goes }]`;
    const d = verdict(allowAll, 'SELEC 1', 'dev');
    expect(d.effect).toBe('deny');
    expect(d.summary).toMatch(/^denied by vigil-unparseable: statement on development \(dev\) — unparseable SQL: syntax error/);
    expect(verdict(allowAll, 'SELECT 1; SELECT 2', 'dev').rules[0]?.id).toBe('vigil-multi-statement');
    expect(verdict(allowAll, 'SELECT my_fn()', 'dev').rules[0]).toMatchObject({ id: 'vigil-unknown-function', reason: expect.stringContaining('my_fn') });
  });

  it('denies an unknown statement kind by a built-in rule', () => {
    const allowAll = loadPolicy(`${base}rules: [{ id: yes, when: "true", effect: allow, reason: anything goes }]`, 'p.yaml');
    const known = classifier.classify('SELECT 1');
    const strange: Classification = { ...known, kind: 'TimeTravelStmt', command: 'TIMETRAVEL', flags: ['unknown_statement'] };
    expect(decide({ classification: strange, principal: alice, connection: 'dev' }, allowAll).rules[0]?.id).toBe('vigil-unknown-kind');
  });

  it('lets a policy vouch for its own read-only functions and operators', () => {
    expect(verdict(`${base}functions: { allow: [app.safe_fn, "operator(===)"] }\n`, 'SELECT app.safe_fn(1) WHERE 1 === 1', 'dev').effect).toBe('allow');
    expect(verdict(base, 'SELECT app.safe_fn(1)', 'dev').rules[0]?.id).toBe('vigil-unknown-function');
  });

  it('gives conditions the principal, runbook and step', () => {
    const policy = loadPolicy(
      `${base}rules:
  - { id: chain, when: "principal.chain == 'agent:bot -> human:alice' && principal.owner == 'alice' && principal.on_behalf_of == 'alice'", effect: deny, reason: chain seen }
  - { id: tagged, when: "'approval' in runbook.tags && runbook.name == 'runaway' && step.id == 'cancel' && step.intent.contains('locks')", effect: deny, reason: runbook seen }
  - { id: counted, when: "statement.statement_count == 1 && connection.name == 'dev' && connection.environment == environment", effect: deny, reason: statement seen }
`,
      'p.yaml',
    );
    const bot: Principal = { id: 'bot', kind: 'agent', groups: [], owner: 'alice', onBehalfOf: alice };
    const d = decide({ classification: classifier.classify('SELECT 1'), principal: bot, connection: 'dev', runbook: { name: 'runaway', tags: ['approval'] }, step: { id: 'cancel', intent: 'release the locks' } }, policy);
    expect(d.rules.map((r) => r.id)).toEqual(['chain', 'tagged', 'counted']);
    const adHoc = decide({ classification: classifier.classify('SELECT 1'), principal: alice, connection: 'dev' }, policy);
    expect(adHoc.rules.map((r) => r.id)).toEqual(['counted']);
  });
});

describe('the default policy', () => {
  const policy = loadDefaultPolicy();
  const run = (sql: string, connection: string, principal: Principal = alice) => decide({ classification: classifier.classify(sql), principal, connection }, policy);

  it('needs a DBA for production writes, a DBA and an SRE lead for production DDL', () => {
    expect(run("UPDATE orders SET status = 'x' WHERE id = 1", 'payments-primary')).toMatchObject({ effect: 'require_approval', approvers: [{ group: 'dba', count: 1 }] });
    expect(run('ALTER TABLE orders ADD COLUMN note text', 'payments-primary').approvers).toEqual([{ group: 'dba', count: 1 }, { group: 'sre-leads', count: 1 }]);
    expect(run('VACUUM orders', 'payments-primary').approvers).toEqual([{ group: 'dba', count: 1 }]);
  });

  it('puts cancelling a backend in development behind a DBA, and denies it in production', () => {
    expect(run('SELECT pg_cancel_backend($1) AS cancelled', 'demo').summary).toMatch(/^requires approval by dba \(1\) per nonprod-side-effects-need-approval: SELECT on development \(demo\)/);
    expect(run('SELECT pg_cancel_backend($1) AS cancelled', 'payments-primary').rules[0]?.id).toBe('prod-no-side-effects');
  });

  it('lets agents read, and nothing more unless writes were delegated', () => {
    const bot: Principal = { id: 'triage-bot', kind: 'agent', groups: ['sre'], owner: 'alice' };
    expect(run('SELECT id FROM orders WHERE id = 1', 'payments-primary', bot).effect).toBe('allow');
    expect(run("UPDATE orders SET status = 'x' WHERE id = 1", 'demo', bot).rules[0]?.id).toBe('agents-read-only');
    expect(run('SELECT pg_cancel_backend(1)', 'demo', bot).rules[0]?.id).toBe('agents-read-only');
    expect(run("UPDATE orders SET status = 'x' WHERE id = 1", 'demo', { ...bot, groups: ['agents-write'] }).effect).toBe('allow');
  });

  it('summarizes a production denial in one line', () => {
    expect(run('DROP TABLE orders', 'payments-primary').summary).toBe(
      'denied by prod-no-destruction: DROP TABLE on production (payments-primary) — DROP, TRUNCATE, ALTER SYSTEM and VACUUM FULL never run on production from a runbook',
    );
  });
});
