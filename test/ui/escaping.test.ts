/**
 * Every page renders hostile text as text: statements, masked values, intents, comments, reasons, column names,
 * ids in links and values in form fields. The only script on any page is Vigil's own, from /static.
 * (The browser test checks the same on live pages; this one covers every field, fast.)
 */
import { describe, expect, it } from 'vitest';
import type { PendingGate } from '../../src/api/approval-service.js';
import type { RunTimeline } from '../../src/api/run-service.js';
import { inboxPage } from '../../src/api/ui/approvals-view.js';
import { auditPage } from '../../src/api/ui/audit-view.js';
import { bouncePage, errorPage } from '../../src/api/ui/error-view.js';
import { gatePage } from '../../src/api/ui/gate-view.js';
import { renderPage, type PageContext } from '../../src/api/ui/render.js';
import { runPage } from '../../src/api/ui/run-view.js';
import { runsPage } from '../../src/api/ui/runs-view.js';
import { signInPage } from '../../src/api/ui/sign-in-view.js';
import type { AuditRow } from '../../src/audit/types.js';

const X = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';
const ctx: PageContext = { principal: { id: `bob${X}`, kind: 'human', groups: [X] }, csrf: `tok${X}`, path: '/approvals' };
const now = new Date('2026-11-24T12:00:00Z');

const gate: PendingGate = {
  gateId: `gate${X}`,
  stepId: `step${X}`,
  message: `intent ${X}`,
  requester: `human:${X}`,
  openedAt: '2026-11-24T11:00:00Z',
  state: 'pending',
  required: [{ group: `dba${X}`, count: 1 }],
  decisions: [{ approver: `carol${X}`, decision: 'approve', group: `dba${X}`, comment: `comment ${X}`, at: '2026-11-24T11:30:00Z' }],
  rejected: [{ approver: `mallory${X}`, reason: `reason ${X}`, at: '2026-11-24T11:31:00Z' }],
  subject: {
    effect: 'require_approval',
    summary: `summary ${X}`,
    rules: [{ id: `rule${X}`, effect: 'require_approval', reason: `because ${X}` }],
    approvers: [{ group: 'dba', count: 1 }],
    statementHash: `hash${X}`,
    connection: `demo${X}`,
    environment: `development${X}`,
    statement: `SELECT '${X}'`,
    params: [X, { nested: X }],
    classification: { command: `SELECT${X}`, class: 'write', tablesRead: [X], tablesWritten: [X], flags: [X] },
    preview: { estimatedRows: 1, plan: `plan ${X}`, dryRunRows: 1, sample: [{ [`col${X}`]: X }] },
  },
  workflowId: `vigil-run"/../${X}`,
  runbook: `runbook${X}`,
  eligible: true,
  needs: '0 of 1 dba',
  progress: [{ group: `dba${X}`, count: 1, have: 0 }],
};

const run: RunTimeline = {
  workflowId: `vigil-run"/../${X}`,
  runId: `run${X}`,
  runbook: `runbook${X}`,
  status: 'failed',
  trigger: `cli${X}`,
  principal: X,
  startedAt: '2026-11-24T11:00:00Z',
  closedAt: '2026-11-24T11:05:00Z',
  principalChain: `agent:${X} -> human:${X}`,
  triggerId: X,
  steps: [
    {
      id: `s${X}`, name: `name ${X}`, kind: 'sql', state: 'failed', startedAt: '2026-11-24T11:00:00Z', endedAt: '2026-11-24T11:00:01Z', durationMs: 1000,
      decision: `decision ${X}`, summary: `summary ${X}`, error: { code: `CODE${X}`, message: `message ${X}` },
      output: { columns: [`c${X}`], rows: [{ [`c${X}`]: X }], rowCount: 1, masked: [X], truncated: false },
    },
  ],
  gates: [gate],
  failure: { code: `CODE${X}`, message: X },
  outputs: { [`out${X}`]: X },
  traceId: X,
  traceUrl: `http://trace/${X}`,
  temporalUrl: `http://temporal/${X}`,
  unavailable: X,
};

const attempt = {
  workflowId: `vigil-run"/../${X}`, runId: X, runbook: X, stepId: X, intent: `intent ${X}`, principal: X, principalChain: X, onBehalfOf: null, connection: X, environment: X,
  statement: `SELECT '${X}'`, statementHash: X, params: [X], command: X, statementClass: 'write', tablesRead: [X], tablesWritten: [X], columnsWritten: [`t.${X}`], flags: [X],
  decision: { effect: 'allow', summary: X, rules: [{ id: X, reason: X }] }, approvals: [{ approver: X, group: X, at: '2026-11-24T11:00:00Z' }], traceId: X, spanId: X,
};
const rows: AuditRow[] = [
  { seq: 1, id: 'a1', kind: 'attempt', at: '2026-11-24T11:00:00Z', prevHash: '0', hash: '1', record: attempt },
  { seq: 2, id: 'a2', kind: 'denial', at: '2026-11-24T11:00:00Z', prevHash: '1', hash: '2', record: { ...attempt, reason: X, code: X } },
  { seq: 3, id: 'a3', kind: 'approval_rejected', at: '2026-11-24T11:00:00Z', prevHash: '2', hash: '3', record: { workflowId: X, gateId: X, approver: X, decision: 'approve', claimedAt: X, reason: X } },
  { seq: 4, id: 'a4', kind: 'outcome', at: '2026-11-24T11:00:00Z', prevHash: '3', hash: '4', record: { attemptId: X, status: 'failed', rows: null, errorCode: X, errorMessage: X, durationMs: 1 } },
] as AuditRow[];

const pages: Record<string, string> = {
  inbox: renderPage(inboxPage({ ctx, gates: [gate, { ...gate, eligible: false, ineligibleReason: X }], now })),
  gate: renderPage(gatePage({ ctx, gate, now, flash: { gate: 'x', decision: 'approve', refused: { status: 403, code: 'VIGIL_E_APPROVAL_REFUSED', message: X } } })),
  'gate (rejected)': renderPage(gatePage({ ctx, gate: { ...gate, eligible: false, ineligibleReason: X }, now, flash: { gate: 'x', decision: 'deny', outcome: { status: 'rejected', reason: X } } })),
  runs: renderPage(runsPage({ ctx, filter: { status: X, runbook: X, principal: X, trigger: X }, runs: [run], error: X, now })),
  run: renderPage(runPage({ ctx, run, now })),
  audit: renderPage(auditPage({ ctx, query: { column: X, from: X, to: X, text: X, kind: X }, rows, error: X, available: true })),
  'sign-in': renderPage(signInPage({ ctx: { ...ctx, principal: undefined }, next: `/x${X}`, error: X, oidc: { issuer: X, audience: X, jwksUrl: X } })),
  error: renderPage(errorPage(ctx, { status: 400, code: 'VIGIL_E_BAD_REQUEST', message: X }, `/runs?x=${X}`)),
  bounce: renderPage(bouncePage(`/approvals/${X}`)),
};

describe('HTML escaping on every page', () => {
  it.each(Object.keys(pages))('%s: hostile text stays text', (name) => {
    const html = pages[name] as string;
    // Vigil's own script is the only script; no element or attribute came out of the data.
    expect(html.match(/<script\b/g)?.length ?? 0).toBe(name === 'bounce' ? 0 : 1);
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<[a-z]+[^>]*\sonerror=/i);
    expect(html).not.toContain('alert(1)</script>');
    // The text is there, escaped (the bounce page carries no text of the request: a path with spaces is not followed).
    if (name !== 'bounce') expect(html).toContain('&lt;script>alert(1)&lt;/script>&lt;img src=x onerror=alert(2)>');
  });

  it('encodes ids in links, so a workflow id cannot leave its path segment', () => {
    expect(pages.inbox).toContain('href="/approvals/vigil-run%22%2F..%2F%3Cscript%3E');
    expect(pages.audit).toContain('href="/runs/vigil-run%22%2F..%2F%3Cscript%3E');
    for (const html of Object.values(pages)) expect(html).not.toContain('/vigil-run"/../');
  });

  it('keeps a hostile value inside its form field and a next path on this site', () => {
    expect(pages.runs).toContain('value="&lt;script>alert(1)&lt;/script>&lt;img src=x onerror=alert(2)>&quot;\'&amp;"');
    expect(pages.bounce).toContain('content="0;url=/approvals"');
  });
});
