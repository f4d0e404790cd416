/** The command line as a person or a script uses it: exit codes, `file:line:col  CODE  message`, stable JSON. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const vigil = (args: string[], input?: string) => {
  const r = spawnSync(process.execPath, ['bin/vigil.js', ...args], { input, encoding: 'utf8', env: { ...process.env, VIGIL_PRINCIPAL: 'alice' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('vigil CLI', () => {
  it('validates a good runbook with exit 0', () => {
    const r = vigil(['validate', 'runbooks/hello-db.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/runbooks\/hello-db.yaml: ok/);
  });

  it('prints every problem of a broken runbook as file:line:col  CODE  message, exits 1, and shows no stack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'apiVersion: vigil/v1\nkind: Runbook\nmetadata: { name: broken }\nspec:\n  steps:\n    - id: a\n      wait: 1s\n    - id: a\n      wait: 2s\n');
    const r = vigil(['validate', file, join(dir, 'missing.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.yaml:8:11 {2}VIGIL_E_RUNBOOK_DUPLICATE_ID {2}step id "a" is used more than once/);
    expect(r.stderr).toMatch(/missing\.yaml:1:1 {2}VIGIL_E_RUNBOOK_READ {2}no such file/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('checks SQL one line per statement with --jsonl, denying what does not parse', () => {
    const r = vigil(['sql', 'check', '--connection', 'payments-primary', '--jsonl'], 'SELECT id FROM orders WHERE id = $1\nDROP TABLE orders\nSELEC nonsense\n');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.command, l.class, l.effect])).toEqual([
      ['SELECT', 'read', 'allow'],
      ['DROP TABLE', 'ddl', 'deny'],
      ['UNKNOWN', 'admin', 'deny'],
    ]);
    expect(lines[1]).toMatchObject({ tables: { read: [], write: ['orders'] }, rules: expect.arrayContaining([expect.objectContaining({ id: 'prod-no-destruction', effect: 'deny' })]) });
    expect(Object.keys(lines[0]).sort()).toEqual(
      ['approvers', 'class', 'columns_written', 'command', 'connection', 'effect', 'environment', 'flags', 'functions', 'kind', 'parsed', 'rules', 'sql', 'summary', 'tables'],
    );
  });

  it('exits 1 for a denied statement, and decides as the agent given with --as', () => {
    expect(vigil(['sql', 'check', '-c', 'demo', 'DELETE FROM orders']).code).toBe(1);
    const asAgent = vigil(['sql', 'check', '-c', 'demo', '--as', 'triage-bot', '--json', "UPDATE orders SET status = 'x' WHERE id = 1"]);
    expect(JSON.parse(asAgent.stdout)).toMatchObject({ effect: 'deny', rules: [expect.objectContaining({ id: 'agents-read-only' })] });
  });

  it('shows each SQL step of a plan with its policy decision', () => {
    const r = vigil(['plan', 'runbooks/hello-db.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/open_orders: sql on demo[\s\S]*policy: allowed by default for development/);
  });

  it('reports an unreachable Temporal in one line', () => {
    const r = spawnSync(process.execPath, ['bin/vigil.js', 'run', 'runbooks/hello-db.yaml'], { encoding: 'utf8', env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' } });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^VIGIL_E_TEMPORAL_UNREACHABLE {2}cannot reach Temporal at 127\.0\.0\.1:1/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }, 30_000);
});
