/**
 * The approval API on real Temporal: people see the gates they may decide, decisions are signed by the service and
 * counted by the run, self-approval and outsiders are refused with a reason, a denial fails the step, and a policy gate
 * on a SQL statement is approved against that statement's hash.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprovalService } from '../../src/api/approval-service.js';
import { buildServer } from '../../src/api/server.js';
import { loadApprovalKeys } from '../../src/approvals/key-files.js';
import { startRun } from '../../src/client/start-run.js';
import { watchRun } from '../../src/client/watch-run.js';
import { loadIdentities, loadIdentitiesFile } from '../../src/governance/identity.js';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import { approvalSignal, pendingGatesQuery } from '../../src/workflows/definitions.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import type { TemporalHarness } from '../support/temporal.js';

const identities = loadIdentitiesFile('identities/dev.yaml');
const alice = identities.principal('alice')!;

describe('approval API', () => {
  let stack: TestStack;
  let temporal: TemporalHarness;
  let app: FastifyInstance;

  beforeAll(async () => {
    stack = await startTestStack();
    temporal = stack.temporal;
    const approvals = createApprovalService({ client: temporal.client, privateKey: loadApprovalKeys(stack.key.file, false).privateKey });
    app = buildServer({ identities, approvals });
  });

  afterAll(async () => {
    await app?.close();
    await stack?.close();
  });

  const as = (token: string) => ({ authorization: `Bearer dev-${token}` });
  const start = (yaml: string, principal = alice) => startRun(temporal.client, { plan: compileRunbookOrThrow(yaml, 'inline.yaml'), inputs: {}, principal, trigger: { source: 'test' }, taskQueue: temporal.taskQueue });
  const gated = (approvers: string) => `apiVersion: vigil/v1\nkind: Runbook\nmetadata: { name: gated }\nspec:\n  steps:\n    - id: gate\n      approval: { approvers: ${approvers}, message: "Flip the switch?" }\n`;

  /** A statement policy wants a DBA to approve (a side-effect function), at gate `nap`. */
  const sleepy = () =>
    compileRunbookOrThrow(
      `apiVersion: vigil/v1\nkind: Runbook\nmetadata: { name: sleepy }\nspec:\n  steps:\n    - id: nap\n      intent: Sleep briefly, a side effect policy wants approved.\n      sql: { connection: demo, query: "SELECT pg_sleep(0.01) IS NULL AS slept" }\n`,
      'inline.yaml',
    );

  async function waitForGate(workflowId: string, token = 'bob') {
    for (let i = 0; i < 100; i++) {
      const res = await app.inject({ method: 'GET', url: '/v1/approvals', headers: as(token) });
      const gate = res.json().approvals.find((g: { workflowId: string }) => g.workflowId === workflowId);
      if (gate) return gate;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('gate never listed');
  }

  it('refuses requests without a valid token', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/approvals' })).statusCode).toBe(401);
    const bad = await app.inject({ method: 'GET', url: '/v1/approvals', headers: { authorization: 'Bearer nope' } });
    expect(bad.json()).toEqual({ error: 'VIGIL_E_UNAUTHENTICATED', message: 'a valid bearer token is required (VIGIL_TOKEN)' });
  });

  it('lists the gate with what it still needs, refuses the requester and outsiders, and counts signed approvals to quorum', async () => {
    const { handle, workflowId } = await start(gated('[{ group: dba, count: 2 }]'));
    const listed = await waitForGate(workflowId);
    expect(listed).toMatchObject({ gateId: 'gate', runbook: 'gated', eligible: true, needs: '0 of 2 dba', requester: 'human:alice', message: 'Flip the switch?' });

    const mine = (await app.inject({ method: 'GET', url: '/v1/approvals?mine=true', headers: as('alice') })).json().approvals;
    expect(mine.find((g: { workflowId: string }) => g.workflowId === workflowId)).toBeUndefined();

    const self = await app.inject({ method: 'POST', url: `/v1/runs/${workflowId}/gates/gate/approve`, headers: as('alice'), payload: { comment: 'lgtm' } });
    expect(self.statusCode).toBe(403);
    expect(self.json().message).toMatch(/separation of duties/);
    const outsider = await app.inject({ method: 'POST', url: `/v1/runs/${workflowId}/approve`, headers: as('erin'), payload: {} });
    expect(outsider.json().message).toMatch(/needs a member of dba/);
    const bot = await app.inject({ method: 'POST', url: `/v1/runs/${workflowId}/approve`, headers: as('triage-bot'), payload: {} });
    expect(bot.json().message).toMatch(/a agent cannot approve/);

    const first = await app.inject({ method: 'POST', url: `/v1/runs/${workflowId}/gates/gate/approve`, headers: as('bob'), payload: { comment: 'checked the jobs' } });
    expect(first.json()).toMatchObject({ status: 'counted', needs: '1 of 2 dba' });
    expect(first.json().gate.decisions).toEqual([expect.objectContaining({ approver: 'bob', group: 'dba', comment: 'checked the jobs' })]);
    const again = await app.inject({ method: 'POST', url: `/v1/runs/${workflowId}/gates/gate/approve`, headers: as('bob'), payload: {} });
    expect(again.json().message).toMatch(/already decided/);
    const second = await app.inject({ method: 'POST', url: `/v1/runs/${workflowId}/gates/gate/approve`, headers: as('carol'), payload: {} });
    expect(second.json()).toMatchObject({ status: 'quorum_reached' });
    expect((await watchRun(handle, () => undefined, 50)).ok).toBe(true);
  });

  it("refuses the agent's owner and whom the agent acts for up front, as the run would, and lists the gate under --mine for neither", async () => {
    const mineOf = async (token: string) => (await app.inject({ method: 'GET', url: '/v1/approvals?mine=true', headers: as(token) })).json().approvals.map((g: { workflowId: string }) => g.workflowId);
    const approve = (workflowId: string, token: string) => app.inject({ method: 'POST', url: `/v1/runs/${workflowId}/gates/gate/approve`, headers: as(token), payload: {} });

    // triage-bot is alice's agent: alice (sre) must not approve what her agent asks for.
    const byAgent = await start(gated('[{ group: sre }]'), identities.principal('triage-bot')!);
    expect(await waitForGate(byAgent.workflowId, 'alice')).toMatchObject({ requester: 'agent:triage-bot', eligible: false, ineligibleReason: 'you own agent triage-bot, which requested this (separation of duties)' });
    expect(await mineOf('alice')).not.toContain(byAgent.workflowId);
    const owner = await approve(byAgent.workflowId, 'alice');
    expect(owner.statusCode).toBe(403);
    expect(owner.json().message).toBe("you can't decide this gate: you own agent triage-bot, which requested this (separation of duties)");

    // The agent acting for dave (sre): neither dave nor the agent's owner may approve.
    const forDave = await start(gated('[{ group: sre }]'), identities.principal('triage-bot', identities.principal('dave'))!);
    expect(await waitForGate(forDave.workflowId, 'dave')).toMatchObject({ requester: 'agent:triage-bot -> human:dave', eligible: false, ineligibleReason: 'it was requested on your behalf (separation of duties)' });
    expect(await mineOf('dave')).not.toContain(forDave.workflowId);
    expect(await mineOf('alice')).not.toContain(forDave.workflowId);
    expect((await approve(forDave.workflowId, 'dave')).json()).toMatchObject({ message: "you can't decide this gate: it was requested on your behalf (separation of duties)" });
    expect((await approve(forDave.workflowId, 'alice')).statusCode).toBe(403);

    // Anyone else in sre still may, and the runs complete.
    expect(await mineOf('carol')).toEqual(expect.arrayContaining([byAgent.workflowId, forDave.workflowId]));
    for (const run of [byAgent, forDave]) {
      expect((await approve(run.workflowId, 'carol')).json()).toMatchObject({ status: 'quorum_reached' });
      expect((await watchRun(run.handle, () => undefined, 50)).ok).toBe(true);
    }
  });

  it('counts an OIDC approver by the groups their token carries, at the gate and where the statement executes', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const jwks: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks.json`;
    const withOidc = loadIdentities(`${readFileSync('identities/dev.yaml', 'utf8')}\noidc: { issuer: "https://idp.example", audience: vigil, jwks_url: "${jwksUrl}" }\n`, 'dev+oidc.yaml');
    const oidcApp = buildServer({ identities: withOidc, approvals: createApprovalService({ client: temporal.client, privateKey: loadApprovalKeys(stack.key.file, false).privateKey }) });
    try {
      // olivia exists only at the identity provider, in dba.
      const jwt = await new SignJWT({ preferred_username: 'olivia', groups: ['dba'] }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('https://idp.example').setAudience('vigil').setIssuedAt().setExpirationTime('5m').sign(privateKey);
      const olivia = { authorization: `Bearer ${jwt}` };
      // A policy gate on a statement: execution checks the approval again, and the identities file doesn't know olivia.
      const { handle, workflowId } = await startRun(temporal.client, { plan: sleepy(), inputs: {}, principal: alice, trigger: { source: 'test' }, taskQueue: temporal.taskQueue });
      await waitForGate(workflowId);
      const mine = (await oidcApp.inject({ method: 'GET', url: '/v1/approvals?mine=true', headers: olivia })).json().approvals;
      expect(mine.find((g: { workflowId: string }) => g.workflowId === workflowId)).toMatchObject({ eligible: true, needs: '0 of 1 dba' });

      // The service signs the token's groups into the approval, and the run counts them.
      const decided = await oidcApp.inject({ method: 'POST', url: `/v1/runs/${workflowId}/gates/nap/approve`, headers: olivia, payload: {} });
      expect(decided.json()).toMatchObject({ status: 'quorum_reached' });
      const outcome = await watchRun(handle, () => undefined, 50);
      if (!outcome.ok) throw new Error(`${outcome.code} ${outcome.message}`);
      expect(outcome.result.steps[0]?.summary).toBe('1 row (SELECT)');
    } finally {
      await oidcApp.close();
      await new Promise((r) => jwks.close(r));
    }
  });

  it('works from the command line: vigil approvals --mine, then vigil approve', async () => {
    const { handle, workflowId } = await start(gated('[{ group: dba }]'));
    await waitForGate(workflowId);
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const cli = (args: string[], token: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['bin/vigil.js', ...args], { env: { ...process.env, VIGIL_URL: url, VIGIL_TOKEN: `dev-${token}` } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const listed = await cli(['approvals', '--mine'], 'carol');
    // The age depends on how busy the machine is: any number of minutes.
    expect(listed.stdout).toMatch(new RegExp(`${workflowId}  gate  \\(gated, open \\d+m, requested by human:alice\\)`));
    expect(listed.stdout).toContain('needs: 0 of 1 dba');
    const refused = await cli(['approve', workflowId, '--comment', 'mine'], 'alice');
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe("VIGIL_E_APPROVAL_REFUSED  you can't decide this gate: you requested this (separation of duties)");
    // carol keeps her token in the login file instead of the environment.
    const config = mkdtempSync(join(tmpdir(), 'vigil-config-'));
    mkdirSync(join(config, 'vigil'));
    writeFileSync(join(config, 'vigil', 'token'), 'dev-carol\n', { mode: 0o600 });
    const approved = await new Promise<{ stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ['bin/vigil.js', 'approve', workflowId, 'gate', '--comment', 'ok'], { env: { ...process.env, VIGIL_URL: url, VIGIL_TOKEN: '', XDG_CONFIG_HOME: config } });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.on('close', () => resolve({ stdout }));
    });
    expect(approved.stdout.trim()).toBe('Approved: quorum reached, the run continues.');
    expect((await watchRun(handle, () => undefined, 50)).ok).toBe(true);
  });

  it('fails the step with the reason when a DBA denies', async () => {
    const { handle, workflowId } = await start(gated('[{ group: dba }]'));
    await waitForGate(workflowId);
    const res = await app.inject({ method: 'POST', url: `/v1/runs/${workflowId}/deny`, headers: as('carol'), payload: { reason: 'not during the sale' } });
    expect(res.json()).toMatchObject({ status: 'denied' });
    expect(await watchRun(handle, () => undefined, 50)).toMatchObject({ ok: false, code: 'VIGIL_E_APPROVAL_DENIED', message: expect.stringContaining('denied by carol: not during the sale') });
  });

  it('refuses a decision on a gate that expired, saying so, and shows the gate with how it closed', async () => {
    const { handle, workflowId } = await start(gated('[{ group: dba }], timeout: 1s'));
    expect(await watchRun(handle, () => undefined, 50)).toMatchObject({ ok: false, code: 'VIGIL_E_APPROVAL_EXPIRED' });
    const late = await app.inject({ method: 'POST', url: `/v1/runs/${workflowId}/gates/gate/approve`, headers: as('bob'), payload: { comment: 'sorry, asleep' } });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toEqual({ error: 'VIGIL_E_APPROVAL_REFUSED', message: "you can't decide this gate: it expired: no decision within 1000ms" });
    const shown = await app.inject({ method: 'GET', url: `/v1/runs/${workflowId}/gates/gate`, headers: as('bob') });
    expect(shown.json()).toMatchObject({ state: 'expired', eligible: false, ineligibleReason: 'it expired: no decision within 1000ms', decisions: [] });
  });

  it('approves a policy gate on a SQL statement against that statement only (a replay for another does not count), and it runs', async () => {
    const { handle, workflowId } = await startRun(temporal.client, { plan: sleepy(), inputs: {}, principal: alice, trigger: { source: 'test' }, taskQueue: temporal.taskQueue });
    const gate = await waitForGate(workflowId);
    expect(gate.subject).toMatchObject({ effect: 'require_approval', statement: 'SELECT pg_sleep(0.01) IS NULL AS slept', classification: { flags: ['side_effect_function'] } });
    expect(gate.subject.summary).toMatch(/nonprod-side-effects-need-approval/);
    expect(gate.subject.preview).toEqual({ estimatedRows: 1, plan: 'Result' });
    // A genuine signature from the approval service's key, but for another statement: a replay, straight to Temporal.
    await handle.signal(approvalSignal, stack.key.sign({ workflowId, gateId: gate.gateId, statementHash: 'f'.repeat(64), decision: 'approve', approver: 'bob' }));
    let rejected: readonly { approver: string; reason: string }[] = [];
    for (let i = 0; i < 100 && rejected.length === 0; i++) {
      rejected = (await handle.query(pendingGatesQuery))[0]?.rejected ?? [];
      if (rejected.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(rejected).toEqual([expect.objectContaining({ approver: 'bob', reason: expect.stringContaining('signature does not verify') })]);
    expect((await handle.query(pendingGatesQuery))[0]?.decisions).toEqual([]);

    const res = await app.inject({ method: 'POST', url: `/v1/runs/${workflowId}/approve`, headers: as('bob'), payload: {} });
    expect(res.json().status).toBe('quorum_reached');
    const outcome = await watchRun(handle, () => undefined, 50);
    if (!outcome.ok) throw new Error(outcome.message);
    expect(outcome.result.steps[0]?.decision).toMatch(/^requires approval by dba/);
  });
});
