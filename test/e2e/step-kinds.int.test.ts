/**
 * Every step kind through the real interpreter on the real Temporal dev server: sql, parallel, wait, http,
 * foreach, notify, when, approval (quorum, separation of duties, deny, escalation and expiry), on_error.
 * The far end of http and notify is a real local HTTP server. Histories are recorded for the replay test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createApprovalActivities } from '../../src/activities/approval-activities.js';
import { generateApprovalKeys } from '../../src/approvals/signed-approval.js';
import { createAuditStore } from '../../src/audit/audit-store.js';
import { startRun } from '../../src/client/start-run.js';
import { watchRun } from '../../src/client/watch-run.js';
import { loadIdentitiesFile } from '../../src/governance/identity.js';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import type { Principal } from '../../src/shared/principal.js';
import { alertResolvedSignal, approvalSignal, PENDING_GATES_MEMO, pendingGatesQuery, statusQuery } from '../../src/workflows/definitions.js';
import type { GateView } from '../../src/workflows/approval-gate.js';
import { historyText, recordHistory } from '../support/histories.js';
import { startHttpRecorder, type HttpRecorder } from '../support/http-recorder.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import type { TemporalHarness } from '../support/temporal.js';

const alice: Principal = { id: 'alice', kind: 'human', groups: ['sre'] };
const identities = loadIdentitiesFile('identities/dev.yaml');

const header = (name: string) => `apiVersion: vigil/v1
kind: Runbook
metadata:
  name: ${name}
spec:
`;

describe('step kinds on real Temporal', () => {
  let stack: TestStack;
  let temporal: TemporalHarness;
  let key: TestStack['key'];
  let far: HttpRecorder;

  beforeAll(async () => {
    far = await startHttpRecorder((req) => (req.path === '/missing' ? { status: 404, body: { error: 'nope' } } : { status: 200, body: { ok: true, path: req.path } }));
    stack = await startTestStack({ notifyTargets: { oncall: `${far.url}/chat` }, approvalsTarget: 'oncall' });
    ({ temporal, key } = stack);
  });

  afterAll(async () => {
    await stack?.close();
    await far?.close();
  });

  const start = (yaml: string, inputs: Record<string, unknown> = {}, principal = alice) =>
    startRun(temporal.client, { plan: compileRunbookOrThrow(yaml, 'inline.yaml'), inputs, principal, trigger: { source: 'test' }, taskQueue: temporal.taskQueue });

  async function pendingGates(handle: Awaited<ReturnType<typeof start>>['handle'], count = 1): Promise<GateView[]> {
    for (let i = 0; i < 100; i++) {
      const gates = await handle.query(pendingGatesQuery);
      if (gates.length >= count) return gates;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no gate opened');
  }

  /** A decision signed by the approval service; the groups it claims are ignored by the workflow. */
  async function gateWhen(handle: Awaited<ReturnType<typeof start>>['handle'], ready: (gate: GateView) => boolean): Promise<GateView> {
    for (let i = 0; i < 100; i++) {
      const [gate] = await handle.query(pendingGatesQuery);
      if (gate && ready(gate)) return gate;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('gate never reached the expected state');
  }

  /** A decision as the approval service signs it: with the approver's groups from the identities file. */
  const decide = (workflowId: string, approver: string, decision: 'approve' | 'deny', comment?: string) =>
    key.sign({ workflowId, gateId: 'gate', decision, approver, comment, groups: identities.groupsOf(approver) ?? [] });
  /** A decision signed before groups were (claims version 1): the groups it claims are not signed, so they must not count. */
  const decideUnsigned = (workflowId: string, approver: string) =>
    key.sign({ workflowId, gateId: 'gate', decision: 'approve', approver, claimedGroups: ['dba', 'sre-leads', 'service-owners'] });
  /** How many times the worker was asked to check a decision: the gate checks signed ones itself. */
  const workerChecks = async (handle: Awaited<ReturnType<typeof start>>['handle']) => (await historyText(handle)).split('"activity_type":"verifyApprovalSignal"').length - 1;

  it('runs sql, parallel (wait + http), foreach with when + notify, and skips a false condition', async () => {
    const before = far.requests.length;
    const { handle } = await start(
      `${header('step-kinds')}  inputs:
    hook: { type: string }
  steps:
    - id: flags
      intent: Read the feature flags to decide what to announce.
      sql: { connection: demo, query: "SELECT name, enabled FROM feature_flags ORDER BY name" }
    - id: both
      parallel:
        - id: short_wait
          wait: 100ms
        - id: status_page
          http:
            method: POST
            url: "\${{ inputs.hook }}/status"
            body: { flags: "\${{ steps.flags.row_count }}" }
    - id: each_flag
      foreach:
        items: \${{ steps.flags.rows }}
        max_concurrency: 2
        steps:
          - id: announce
            when: \${{ item.enabled }}
            notify: { target: oncall, text: "flag \${{ item.name }} is on (#\${{ index }})" }
    - id: never
      when: \${{ steps.flags.row_count > 100 }}
      wait: 1h
  outputs:
    announced: \${{ steps.each_flag.results.filter(r, r.announce.status == 'succeeded').size() }}
    http_status: \${{ steps.status_page.status }}
`,
      { hook: far.url },
    );
    const outcome = await watchRun(handle, () => undefined, 50);
    if (!outcome.ok) throw new Error(`${outcome.code} ${outcome.message}`);
    expect(outcome.result.outputs).toEqual({ announced: 2, http_status: 200 });
    const states = Object.fromEntries(outcome.result.steps.map((s) => [s.id, s.state]));
    expect(states).toMatchObject({ flags: 'succeeded', short_wait: 'succeeded', status_page: 'succeeded', 'announce[0]': 'skipped', 'announce[1]': 'succeeded', 'announce[2]': 'succeeded', never: 'skipped' });
    const received = far.requests.slice(before);
    expect(received.find((r) => r.path === '/status')?.body).toBe('{"flags":3}');
    const chat = received.filter((r) => r.path === '/chat').map((r) => JSON.parse(r.body).text).sort();
    expect(chat).toEqual(['flag new_checkout is on (#1)', 'flag recommendations is on (#2)']);
    await recordHistory(handle, 'step-kinds');
  });

  const gateRunbook = (approval: string) => `${header('gated')}  steps:
    - id: gate
      approval:
${approval}
    - id: after
      wait: 10ms
`;

  it('opens a gate that needs two DBAs, refuses the requester, outsiders, repeats and forgeries, and passes on quorum', async () => {
    const { handle, workflowId } = await start(gateRunbook('        approvers: [{ group: dba, count: 2 }]\n        message: Requeue the stuck jobs?\n        timeout: 5m'));
    const [gate] = await pendingGates(handle);
    // The approvers' channel heard about it, with the command to answer.
    for (let i = 0; i < 50 && !far.requests.some((r) => r.body.includes(workflowId)); i++) await new Promise((r) => setTimeout(r, 50));
    const announced = far.requests.find((r) => r.path === '/chat' && r.body.includes(workflowId));
    expect(String(JSON.parse(announced?.body ?? '{}').text).split('\n')).toEqual([
      'Approval needed: gated / gate, requested by human:alice',
      'Requeue the stuck jobs?',
      'Needs: 2 from dba',
      `Approve: vigil approve ${workflowId} gate --comment "..."   Deny: vigil deny ${workflowId} gate --reason "..."`,
    ]);
    expect(gate).toMatchObject({ gateId: 'gate', message: 'Requeue the stuck jobs?', requester: 'human:alice', required: [{ group: 'dba', count: 2 }] });

    await handle.signal(approvalSignal, decide(workflowId, 'alice', 'approve'));
    await handle.signal(approvalSignal, decide(workflowId, 'dave', 'approve'));
    await handle.signal(approvalSignal, decide(workflowId, 'bob', 'approve'));
    await handle.signal(approvalSignal, decide(workflowId, 'bob', 'approve'));
    // Sent straight to Temporal with a made-up signature, claiming the dba group.
    await handle.signal(approvalSignal, { ...key.sign({ workflowId, gateId: 'gate', decision: 'approve', approver: 'mallory', groups: ['dba'] }), signature: Buffer.alloc(64, 7).toString('base64') });
    const stillOpen = await gateWhen(handle, (g) => g.decisions.length + g.rejected.length === 5);
    expect(stillOpen?.decisions.map((d) => d.approver)).toEqual(['bob']);
    expect(stillOpen?.rejected.map((r) => `${r.approver}: ${r.reason.split(/[:(]/)[0]?.trim()}`)).toEqual([
      'alice: separation of duties',
      'dave: not in an approver group',
      'bob: this approver has already decided',
      'mallory: signature does not verify for this run, gate and statement',
    ]);
    // The gate checked the four genuine signatures itself; only the forgery went to the worker, which recorded it.
    expect(await workerChecks(handle)).toBe(1);
    expect((await handle.describe()).searchAttributes.VigilPendingApproval).toEqual([true]);
    // The memo holds the pending gate as the query does, for the approval service to read without a worker.
    expect((await handle.describe()).memo?.[PENDING_GATES_MEMO]).toEqual(await handle.query(pendingGatesQuery));
    // Every refusal is evidence too, the forgery and the genuine decisions that did not count: all in the audit store.
    const pool = new pg.Pool({ connectionString: stack.db.url, max: 1 });
    const rejected = (await createAuditStore(pool).search({ workflowId })).filter((r) => r.kind === 'approval_rejected');
    await pool.end();
    const byApprover = rejected.map((r) => r.record as { approver: string; gateId: string; reason: string }).sort((a, b) => a.approver.localeCompare(b.approver) || a.reason.localeCompare(b.reason));
    expect(byApprover).toEqual([
      expect.objectContaining({ approver: 'alice', gateId: 'gate', reason: expect.stringContaining('separation of duties') }),
      expect.objectContaining({ approver: 'bob', gateId: 'gate', reason: 'this approver has already decided' }),
      expect.objectContaining({ approver: 'dave', gateId: 'gate', reason: expect.stringContaining('not in an approver group') }),
      expect.objectContaining({ approver: 'mallory', gateId: 'gate', reason: expect.stringContaining('signature does not verify') }),
    ]);

    await handle.signal(approvalSignal, decide(workflowId, 'carol', 'approve'));
    const outcome = await watchRun(handle, () => undefined, 50);
    if (!outcome.ok) throw new Error(`${outcome.code} ${outcome.message}`);
    expect(outcome.result.steps.find((s) => s.id === 'gate')?.summary).toBe('approved by bob, carol');
    expect((await handle.describe()).searchAttributes.VigilPendingApproval).toEqual([false]);
    // None left pending (Temporal may drop an emptied memo field altogether).
    expect((await handle.describe()).memo?.[PENDING_GATES_MEMO] ?? []).toEqual([]);
    await recordHistory(handle, 'approval-quorum');
  });

  it('keeps a waiting gate through a worker restart', async () => {
    const { handle, workflowId } = await start(gateRunbook('        approvers: [{ group: dba }]'));
    await pendingGates(handle);
    await stack.restartWorker();
    await handle.signal(approvalSignal, decide(workflowId, 'bob', 'approve'));
    const outcome = await watchRun(handle, () => undefined, 50);
    expect(outcome.ok).toBe(true);
  });

  it('counts an approval signed with a key rotated while the gate waited: the worker checks it with its new key', async () => {
    const { handle, workflowId } = await start(gateRunbook('        approvers: [{ group: dba }]'));
    await pendingGates(handle);
    const rotated = generateApprovalKeys();
    const pool = new pg.Pool({ connectionString: stack.db.url, max: 1 });
    try {
      await stack.restartWorker(createApprovalActivities({ publicKey: rotated.publicKey, directory: identities, audit: createAuditStore(pool) }));
      // The gate recorded the old key when it opened, so it can't check this signature itself.
      await handle.signal(approvalSignal, key.sign({ workflowId, gateId: 'gate', decision: 'approve', approver: 'bob', groups: ['dba'], key: rotated.privateKey }));
      const outcome = await watchRun(handle, () => undefined, 50);
      if (!outcome.ok) throw new Error(`${outcome.code} ${outcome.message}`);
      expect(outcome.result.steps.find((s) => s.id === 'gate')?.summary).toBe('approved by bob');
      expect(await workerChecks(handle)).toBe(1);
    } finally {
      await stack.restartWorker();
      await pool.end();
    }
  });

  it('counts a decision signed without groups (version 1) by the identities file, and refuses groups a signal claims but the service did not sign', async () => {
    const { handle, workflowId } = await start(gateRunbook('        approvers: [{ group: service-owners }]'));
    await pendingGates(handle);
    // bob claims service-owners unsigned; dave's signal says dba, though the service signed his own groups.
    await handle.signal(approvalSignal, decideUnsigned(workflowId, 'bob'));
    await handle.signal(approvalSignal, { ...decide(workflowId, 'dave', 'approve'), approver: { id: 'dave', groups: ['service-owners'] } });
    const waiting = await gateWhen(handle, (g) => g.rejected.length === 2);
    expect(waiting.rejected.map((r) => `${r.approver}: ${r.reason.split(/[:(]/)[0]?.trim()}`)).toEqual(['bob: not in an approver group', 'dave: signature does not verify for this run, gate and statement']);
    await handle.signal(approvalSignal, decideUnsigned(workflowId, 'erin'));
    const outcome = await watchRun(handle, () => undefined, 50);
    if (!outcome.ok) throw new Error(`${outcome.code} ${outcome.message}`);
    expect(outcome.result.steps.find((s) => s.id === 'gate')?.summary).toBe('approved by erin');
  });

  it('closes a waiting gate when the run is cancelled, and says so', async () => {
    const { handle } = await start(gateRunbook('        approvers: [{ group: dba }]'));
    await pendingGates(handle);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const status = await handle.query(statusQuery);
    expect(status.steps.find((s) => s.id === 'gate')).toMatchObject({ state: 'failed', error: { code: 'VIGIL_E_RUN_CANCELLED' } });
    expect((await handle.describe()).searchAttributes.VigilPendingApproval).toEqual([false]);
  });

  it('ignores signals that are not decisions at all, and counts the genuine one after them', async () => {
    const { handle, workflowId } = await start(gateRunbook('        approvers: [{ group: dba }]'));
    await pendingGates(handle);
    // Sent straight to Temporal by anyone with namespace access: none names an approver.
    for (const junk of [null, {}, { gateId: 'gate' }, { gateId: 'gate', decision: 'approve', approver: 'bob', at: 'now' }]) await handle.signal(approvalSignal, junk as never);
    await handle.signal(approvalSignal, decide(workflowId, 'bob', 'approve'));
    const outcome = await watchRun(handle, () => undefined, 50);
    if (!outcome.ok) throw new Error(`${outcome.code} ${outcome.message}`);
    expect(outcome.result.steps.find((s) => s.id === 'gate')?.summary).toBe('approved by bob');

    // A malformed "alert resolved" still resolves the alert (anyone who can send it can cancel the run anyway).
    const second = await start(gateRunbook('        approvers: [{ group: dba }]'));
    await pendingGates(second.handle);
    await second.handle.signal(alertResolvedSignal, null as never);
    expect(await watchRun(second.handle, () => undefined, 50)).toMatchObject({ ok: false, code: 'VIGIL_E_APPROVAL_CANCELLED' });
  });

  it('requires every group when several are listed', async () => {
    const { handle, workflowId } = await start(gateRunbook('        approvers: [{ group: dba }, { group: service-owners }]'));
    await pendingGates(handle);
    await handle.signal(approvalSignal, decide(workflowId, 'bob', 'approve'));
    await handle.signal(approvalSignal, decide(workflowId, 'carol', 'approve'));
    const waiting = await gateWhen(handle, (g) => g.decisions.length + g.rejected.length === 2);
    expect(waiting.rejected.map((r) => r.approver)).toEqual(['carol']);
    await handle.signal(approvalSignal, decide(workflowId, 'erin', 'approve'));
    const outcome = await watchRun(handle, () => undefined, 50);
    expect(outcome.ok).toBe(true);
  });

  it('fails the step with the reason when an approver denies', async () => {
    const { handle, workflowId } = await start(gateRunbook('        approvers: [{ group: dba }]'));
    await pendingGates(handle);
    await handle.signal(approvalSignal, decide(workflowId, 'bob', 'deny', 'not during peak hours'));
    const outcome = await watchRun(handle, () => undefined, 50);
    expect(outcome).toMatchObject({ ok: false, code: 'VIGIL_E_APPROVAL_DENIED' });
    if (!outcome.ok) expect(outcome.message).toContain('denied by bob: not during peak hours');
  });

  it('escalates after the timeout, asking the new group, then expires with a clear code', async () => {
    const { handle, workflowId } = await start(gateRunbook('        approvers: [{ group: dba }]\n        timeout: 1s\n        escalate_to: [{ group: sre-leads }]'));
    await pendingGates(handle);
    for (let i = 0; i < 50; i++) {
      const [gate] = await handle.query(pendingGatesQuery);
      if (gate?.required[0]?.group === 'sre-leads') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const [escalated] = await handle.query(pendingGatesQuery);
    expect(escalated?.required).toEqual([{ group: 'sre-leads', count: 1 }]);
    const outcome = await watchRun(handle, () => undefined, 50);
    expect(outcome).toMatchObject({ ok: false, code: 'VIGIL_E_APPROVAL_EXPIRED' });
    // Each group was told when it was asked: first the DBAs, then the SRE leads.
    const needs = far.requests.filter((r) => r.path === '/chat' && r.body.includes(workflowId)).map((r) => String(JSON.parse(r.body).text).split('\n').find((l) => l.startsWith('Needs:')));
    expect(needs).toEqual(['Needs: 1 from dba', 'Needs: 1 from sre-leads']);
    await recordHistory(handle, 'approval-expiry');
  });

  it('continues past a failed step when told to, and runs compensation before failing', async () => {
    const { handle } = await start(`${header('errors')}  inputs:
    hook: { type: string }
  steps:
    - id: broken
      intent: Provoke a database error.
      retry: { attempts: 1 }
      on_error: continue
      sql: { connection: demo, query: "SELECT 1 / 0" }
    - id: noticed
      when: \${{ steps.broken.status == 'failed' }}
      notify: { target: oncall, text: "broken step failed as expected" }
    - id: missing
      retry: { attempts: 1 }
      http: { url: "\${{ inputs.hook }}/missing", expect_status: [200] }
      on_error:
        compensate:
          - id: undo
            notify: { target: oncall, text: "compensating for missing" }
`, { hook: far.url });
    const outcome = await watchRun(handle, () => undefined, 50);
    expect(outcome).toMatchObject({ ok: false, code: 'VIGIL_E_HTTP_STATUS' });
    if (outcome.ok) return;
    const states = Object.fromEntries(outcome.steps.map((s) => [s.id, s.state]));
    expect(states).toEqual({ broken: 'failed', noticed: 'succeeded', missing: 'failed', undo: 'succeeded' });
    await recordHistory(handle, 'on-error');
  });
});
