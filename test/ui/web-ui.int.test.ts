/**
 * The web UI in a real browser (Debian's Chromium through playwright-core) against the real server (buildServer +
 * listen on loopback), real Temporal and real PostgreSQL: sign in; see a gate a runbook opened, with everything an
 * approver must see; approve it and watch the run complete; deny another and see the step fail with the reason;
 * be refused on a stale page, on a gate that expired, and on your own request; markup in statements, values and outputs stays text; runs and
 * audit search; the evidence download verifies; a chat link from another site lands signed in. Every page is
 * screenshot at phone and desk width into test-output/ui/ and must not scroll sideways on a phone.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { extract } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprovalService, type ApprovalService } from '../../src/api/approval-service.js';
import { createAuditService } from '../../src/api/audit-service.js';
import { createRunService } from '../../src/api/run-service.js';
import { buildServer } from '../../src/api/server.js';
import { loadApprovalKeys } from '../../src/approvals/key-files.js';
import { verifyEvidenceBundle } from '../../src/audit/evidence-verify.js';
import { startRun } from '../../src/client/start-run.js';
import { loadIdentitiesFile } from '../../src/governance/identity.js';
import { compileRunbookOrThrow } from '../../src/runbook/compile.js';
import type { Principal } from '../../src/shared/principal.js';
import { browserForTests, launchBrowser, PHONE, DESK, screenshots, SCREENSHOT_DIR, type Shot } from '../support/browser.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const identities = loadIdentitiesFile('identities/dev.yaml');
const who = (id: string) => identities.principal(id) as Principal;

const POLICY = `${readFileSync('policies/default.yaml', 'utf8')}
  - id: dev-customer-writes
    when: environment == 'development' && 'customers' in statement.tables_written
    effect: require_approval
    approvers: [{ group: dba }]
    reason: changes to customers' personal data are approved by a DBA, even in development
  - id: dev-payment-writes
    when: environment == 'development' && 'payment_jobs' in statement.tables_written
    effect: require_approval
    approvers: [{ group: dba }]
    reason: payment jobs move money, even in development
`;

const NEW_PHONE = '+44 20 7946 0018';
const runbook = (name: string, steps: string) => `apiVersion: vigil/v1\nkind: Runbook\nmetadata: { name: ${name} }\nspec:\n  steps:\n${steps}`;
const FIX_PHONE = runbook(
  'fix-customer-phone',
  `    - id: fix_phone
      name: Correct the phone number
      intent: Correct the phone number customer 3 gave support on the phone.
      sql:
        connection: demo
        query: "UPDATE customers SET phone = $1 WHERE id = $2 RETURNING id, full_name, email, phone"
        params: [${JSON.stringify(NEW_PHONE)}, "3"]
`,
);
const RETRY = runbook(
  'retry-failed-payments',
  `    - id: retry
      name: Retry the failed payment jobs
      intent: Retry the failed payment jobs once more.
      sql: { connection: demo, query: "UPDATE payment_jobs SET attempts = attempts + 1 WHERE state = 'failed' RETURNING id, attempts" }
`,
);
const EXPIRING = runbook('expiring-switch', `    - id: gate\n      approval: { approvers: [{ group: dba }], message: "Flip it before the window closes?", timeout: 4s }\n`);
const SELF = runbook('self-check', `    - id: gate\n      approval: { approvers: [{ group: dba }], message: "Flip the maintenance switch?" }\n`);
const HOSTILE_INTENT = 'Check that <script>window.__pwned = "intent"</script> is shown as text.';
const HOSTILE_LITERAL = `<script>window.__pwned = "literal"</script>`;
const HOSTILE_PARAM = '<img src=x onerror="window.__pwned = 1">';
const HOSTILE = runbook(
  'hostile-markup',
  `    - id: markup
      name: Markup everywhere
      intent: ${JSON.stringify(HOSTILE_INTENT)}
      sql:
        connection: demo
        query: ${JSON.stringify(`SELECT $1::text AS "<b>note</b>", '${HOSTILE_LITERAL}' AS payload, pg_sleep(0) IS NULL AS slept`)}
        params: [${JSON.stringify(HOSTILE_PARAM)}]
`,
);

const chromium = browserForTests();

// Without Chromium this test fails saying why, and the others don't run: the UI never goes untested in silence.
it.skipIf(chromium.state === 'skipped')('has a Chromium to run the browser tests in', () => {
  expect(chromium.state, chromium.state === 'missing' ? chromium.reason : '').toBe('ready');
});

describe.runIf(chromium.state === 'ready')('web UI in a real browser', () => {
  let stack: TestStack;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let auditPool: pg.Pool;
  let approvals: ApprovalService;
  let chat: Server;
  let chatUrl: string;
  const testStart = new Date().toISOString();
  const contexts: BrowserContext[] = [];
  /** Console errors (a CSP violation shows up here) and uncaught page errors, per page. */
  const problems: string[] = [];
  const allShots: Shot[] = [];
  const ids: Record<string, string> = {};
  const started: string[] = [];

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vigil-policy-')), 'policy.yaml');
    writeFileSync(file, POLICY);
    stack = await startTestStack({ env: { VIGIL_POLICY: file } });
    auditPool = new pg.Pool({ connectionString: stack.db.url, max: 2 });
    const client = stack.temporal.client;
    approvals = createApprovalService({ client, privateKey: loadApprovalKeys(stack.key.file, false).privateKey });
    app = buildServer({
      identities,
      approvals,
      runs: createRunService({ client, namespace: 'default', temporalUiUrl: 'http://127.0.0.1:8233' }),
      audit: createAuditService({ pool: auditPool, signingKey: generateKeyPairSync('ed25519').privateKey }),
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser(chromium.state === 'ready' ? chromium.path : '');
    // A stand-in for the chat client: another site (localhost is not 127.0.0.1 to a browser) with a link to a gate.
    chat = createServer((req, res) => {
      const target = new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '/';
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>chat</title><a id="link" href="${base}${target}">Approve in Vigil</a>`);
    });
    await new Promise<void>((resolve) => chat.listen(0, '127.0.0.1', resolve));
    chatUrl = `http://localhost:${(chat.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    // The dev server is shared by every test file: leave no run waiting for a gate whose worker is about to stop.
    for (const workflowId of started) {
      await stack?.temporal.client.workflow.getHandle(workflowId).terminate('test finished').catch(() => undefined);
    }
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    if (chat) await new Promise((r) => chat.close(r)); // never started when beforeAll failed early
    await app?.close();
    await auditPool?.end();
    await stack?.close();
  });

  async function newPage(size: { width: number; height: number } = PHONE): Promise<Page> {
    const context = await browser.newContext({ viewport: size, acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(90_000);
    page.on('console', (m) => {
      // Pages the tests ask to fail (bad token, bad filter, no CSRF token) log their status; anything else counts.
      if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 40[013]/.test(m.text())) problems.push(`${page.url()}: console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
    return page;
  }

  async function signIn(page: Page, id: string): Promise<void> {
    await page.goto(`${base}/signin`);
    await page.fill('#token', `dev-${id}`);
    await Promise.all([page.waitForURL(`${base}/approvals`), page.click('button:has-text("Sign in")')]);
  }

  async function shoot(page: Page, name: string): Promise<void> {
    const shots = await screenshots(page, name);
    allShots.push(...shots);
    for (const s of shots) expect(s.scrollWidth, `${s.file} scrolls sideways`).toBeLessThanOrEqual(s.width);
  }

  async function start(yaml: string, principal: string): Promise<string> {
    const { workflowId } = await startRun(stack.temporal.client, { plan: compileRunbookOrThrow(yaml, 'inline.yaml'), inputs: {}, principal: who(principal), trigger: { source: 'cli' }, taskQueue: stack.temporal.taskQueue });
    started.push(workflowId);
    for (let i = 0; i < 300; i++) {
      if ((await approvals.list(who('carol'), false)).some((g) => g.workflowId === workflowId)) return workflowId;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no gate opened for ${workflowId}`);
  }

  const gateUrl = (workflowId: string, gateId: string) => `${base}/approvals/${encodeURIComponent(workflowId)}/${encodeURIComponent(gateId)}`;
  const text = (page: Page, selector = 'main') => page.locator(selector).innerText();

  it('signs in with a token, says who you are, keeps the session in a strict HttpOnly cookie, and refuses a bad token', async () => {
    const page = await newPage();
    const first = await page.goto(`${base}/approvals`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/approvals');
    const headers = first?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['cache-control']).toBe('no-store');
    await shoot(page, 'sign-in');

    await page.fill('#token', 'dev-nobody');
    await page.click('button:has-text("Sign in")');
    expect(await text(page, '[role=alert]')).toContain('VIGIL_E_UNAUTHENTICATED');
    await shoot(page, 'sign-in-refused');

    await page.fill('#token', 'dev-bob');
    await Promise.all([page.waitForURL(`${base}/approvals`), page.click('button:has-text("Sign in")')]);
    expect(await text(page, 'header')).toMatch(/Signed in as bob\s*\(human · dba\)/);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'vigil_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookies.map((c) => c.value).join(' ')).not.toContain('dev-bob');

    await Promise.all([page.waitForURL(/\/signin$/), page.click('button:has-text("Sign out")')]);
    await page.goto(`${base}/runs`);
    expect(new URL(page.url()).pathname).toBe('/signin');
  });

  it('shows the gate a runbook opened with everything the approver needs; approving updates in place and the run completes', async () => {
    const workflowId = await start(FIX_PHONE, 'alice');
    ids.fix = workflowId;
    const db = new pg.Client({ connectionString: stack.db.url });
    await db.connect();
    const customer = (await db.query<{ email: string; phone: string }>('SELECT email, phone FROM customers WHERE id = 3')).rows[0];

    const page = await newPage();
    await signIn(page, 'bob');
    const inbox = await text(page);
    expect(inbox).toContain('fix-customer-phone · fix_phone');
    expect(inbox).toContain('0 of 1 dba approval');
    expect(inbox).toContain('human:alice');
    await shoot(page, 'approvals');

    await page.click('a:has-text("fix-customer-phone · fix_phone")');
    expect(page.url()).toBe(gateUrl(workflowId, 'fix_phone'));
    const gate = await text(page);
    expect(gate).toContain('Correct the phone number customer 3 gave support on the phone.');
    expect(await text(page, 'pre.statement')).toBe('UPDATE customers SET phone = $1 WHERE id = $2 RETURNING id, full_name, email, phone');
    expect(gate).toContain('Parameters (masked)');
    expect(gate).toMatch(/Command\s+UPDATE/);
    expect(gate).toMatch(/Writes\s+customers/);
    expect(gate).toContain('dev-customer-writes');
    expect(gate).toContain("changes to customers' personal data are approved by a DBA, even in development");
    expect(gate).toMatch(/PostgreSQL estimates about \d+ row/);
    expect(gate).toContain('The statement changed 1 row in a transaction that was rolled back');
    expect(await page.locator('table.rows caption').innerText()).toBe('Sample of the changed rows (masked)');
    // Masked means masked: neither the new phone number nor the customer's email appears anywhere on the page.
    const html = await page.content();
    expect(html).not.toContain(NEW_PHONE);
    expect(html).not.toContain(customer?.email);
    await shoot(page, 'gate');
    // At night phones are often dark: the same page in the dark scheme.
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(page, 'gate-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Focus order: the skip link first, then the page in reading order; the comment comes before the buttons.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const order: string[] = [];
    for (let i = 0; i < 60 && !order.includes('Deny'); i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => (document.activeElement?.id || document.activeElement?.textContent || '').trim()));
    }
    expect(order.indexOf('comment')).toBeGreaterThan(-1);
    expect(order.indexOf('comment')).toBeLessThan(order.indexOf('Approve'));
    expect(order.indexOf('Approve')).toBeLessThan(order.indexOf('Deny'));

    await page.evaluate(() => ((window as unknown as { stillThisPage: boolean }).stillThisPage = true));
    await page.fill('#comment', 'checked with the customer');
    await page.click('button:has-text("Approve")');
    await page.waitForSelector('#result');
    expect(await text(page, '#result')).toContain('Approved: quorum reached, the run continues.');
    // In place: the same document (no navigation), focus on the result so a screen reader reads it.
    expect(await page.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage)).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('result');
    expect(await text(page, '.decisions')).toContain('bob approved (for dba)');
    expect(await text(page, '.decisions')).toContain('checked with the customer');
    await shoot(page, 'gate-approved');

    await page.click('nav.crumbs a:has-text("fix-customer-phone")');
    // The page refreshes itself while the run runs: wait for it to say completed.
    await page.waitForSelector('#run-status .badge:text-is("completed")');
    const run = await text(page);
    expect(run).toMatch(/Correct the phone number[\s\S]*succeeded/);
    expect(run).toContain('1 row (UPDATE)');
    expect(run).toMatch(/Trace id\s+[0-9a-f]{32}/);
    expect(await page.locator('a:has-text("Open in the Temporal UI")').getAttribute('href')).toContain(encodeURIComponent(workflowId));
    expect(await text(page, '#gates')).toBeDefined();
    expect(run).toContain('bob approved (for dba)');
    expect(run).toMatch(/Output, masked: 1 of 1 row/);
    expect(await page.content()).not.toContain(customer?.email);
    await shoot(page, 'run-completed');

    const after = (await db.query<{ phone: string }>('SELECT phone FROM customers WHERE id = 3')).rows[0];
    expect(after?.phone).toBe(NEW_PHONE);
    await db.end();
  });

  it('denying fails the step with the reason, and a stale page that approves afterwards is told it was already decided', async () => {
    const workflowId = await start(RETRY, 'alice');
    ids.retry = workflowId;
    const stale = await newPage();
    await signIn(stale, 'bob');
    await stale.goto(gateUrl(workflowId, 'retry'));

    const page = await newPage();
    await signIn(page, 'carol');
    await page.goto(gateUrl(workflowId, 'retry'));
    await page.fill('#comment', 'not during the sale');
    await page.click('button:has-text("Deny")');
    await page.waitForSelector('#result');
    expect(await text(page, '#result')).toContain('Denied: the step fails with your reason.');

    await stale.click('button:has-text("Approve")');
    await stale.waitForSelector('#result');
    const refused = await text(stale, '#result');
    expect(refused).toContain("Refused: you can't decide this gate: it is already decided: denied by carol: not during the sale");
    expect(await stale.getAttribute('#result', 'role')).toBe('alert');
    await shoot(stale, 'gate-refused');

    await page.click('nav.crumbs a:has-text("retry-failed-payments")');
    await page.waitForSelector('#run-status .badge:text-is("failed")');
    expect(await text(page, '#run-failure')).toContain('VIGIL_E_APPROVAL_DENIED');
    expect(await text(page, '#step-retry')).toContain('denied by carol: not during the sale');
    await shoot(page, 'run-failed');
  });

  it('a gate that expired while its page was open refuses the decision and says it expired', async () => {
    const page = await newPage();
    await signIn(page, 'bob');
    const workflowId = await start(EXPIRING, 'alice');
    await page.goto(gateUrl(workflowId, 'gate'));
    expect(await page.locator('button:has-text("Approve")').count()).toBe(1);
    for (let i = 0; i < 100 && (await approvals.view(who('bob'), workflowId, 'gate')).state !== 'expired'; i++) await new Promise((r) => setTimeout(r, 100));

    await page.fill('#comment', 'just in time?');
    await page.click('button:has-text("Approve")');
    await page.waitForSelector('#result');
    expect(await text(page, '#result')).toContain("Refused: you can't decide this gate: it expired: no decision within 4000ms");
    expect(await page.getAttribute('#result', 'role')).toBe('alert');
    expect((await approvals.view(who('bob'), workflowId, 'gate')).decisions).toEqual([]);
    await shoot(page, 'gate-expired');
  });

  it('says why you cannot decide your own request, and the server refuses it when tried anyway', async () => {
    const workflowId = await start(SELF, 'bob');
    ids.self = workflowId;
    const page = await newPage();
    await signIn(page, 'bob');
    const others = await text(page);
    expect(others).toContain("other open gate");
    await page.goto(gateUrl(workflowId, 'gate'));
    expect(await text(page, '#cannot-decide')).toBe("You can't decide this gate: you requested this (separation of duties).");
    expect(await page.locator('button:has-text("Approve")').count()).toBe(0);

    // A page that still had the form (or a hand-made post) with a valid CSRF token: the server says no, with why.
    await page.evaluate((action) => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = action;
      const csrf = document.querySelector<HTMLInputElement>('input[name=_csrf]');
      form.append(csrf?.cloneNode() as Node);
      document.body.append(form);
      form.submit();
    }, `${gateUrl(workflowId, 'gate')}/approve`);
    await page.waitForSelector('#result');
    expect(await text(page, '#result')).toContain("Refused: you can't decide this gate: you requested this (separation of duties)");
    await shoot(page, 'gate-own-request');

    // Without a CSRF token nothing is decided at all.
    const status = await page.evaluate(async (action) => (await fetch(action, { method: 'POST', body: new URLSearchParams({ comment: 'x' }) })).status, `${gateUrl(workflowId, 'gate')}/approve`);
    expect(status).toBe(403);
    expect((await approvals.view(who('carol'), workflowId, 'gate')).decisions).toEqual([]);
  });

  it('shows markup in intents, statements, masked values and outputs as text, never as markup', async () => {
    const workflowId = await start(HOSTILE, 'alice');
    const page = await newPage(DESK);
    await signIn(page, 'carol');
    await page.goto(gateUrl(workflowId, 'markup'));
    const body = await text(page);
    expect(body).toContain(HOSTILE_INTENT);
    expect(await text(page, 'pre.statement')).toContain(HOSTILE_LITERAL);
    const pwned = () => page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
    expect(await pwned()).toBeUndefined();
    expect(await page.evaluate(() => document.scripts.length)).toBe(1);
    expect(await page.locator('main img, main b, main script').count()).toBe(0);
    await shoot(page, 'gate-markup');

    await page.click('button:has-text("Approve")');
    await page.waitForSelector('#result');
    await page.click('nav.crumbs a:has-text("hostile-markup")');
    await page.waitForSelector('#run-status .badge:text-is("completed")');
    expect(await text(page, 'table.rows')).toContain(HOSTILE_LITERAL);
    expect(await text(page, 'table.rows thead')).toContain('<b>note</b>');
    expect(await pwned()).toBeUndefined();
    expect(await page.locator('main img, main b, main script').count()).toBe(0);
  });

  it('lists runs with status, trigger and principal, filterable', async () => {
    const page = await newPage(DESK);
    await signIn(page, 'dave');
    await page.goto(`${base}/runs`);
    const all = await text(page, 'table.list');
    for (const name of ['fix-customer-phone', 'retry-failed-payments', 'self-check', 'hostile-markup']) expect(all).toContain(name);
    expect(all).toMatch(/fix-customer-phone[\s\S]*completed[\s\S]*cli[\s\S]*alice/);
    await page.selectOption('#f-status', 'failed');
    await page.click('button:has-text("Filter")');
    const failed = await text(page, 'table.list');
    expect(failed).toContain('retry-failed-payments');
    expect(failed).not.toContain('fix-customer-phone');
    await page.goto(`${base}/runs?principal=bob`);
    const bobs = await text(page, 'table.list');
    expect(bobs).toContain('self-check');
    expect(bobs).toContain('waiting for approval');
    expect(bobs).not.toContain('retry-failed-payments');
    await page.goto(`${base}/runs`);
    await shoot(page, 'runs');
    await page.goto(`${base}/runs?runbook=${encodeURIComponent("x' OR WorkflowType != 'y")}`);
    expect(await text(page, '[role=alert]')).toContain('VIGIL_E_BAD_REQUEST');
  });

  it('searches the audit with the CLI filters, links results to runs, and downloads evidence that verifies', async () => {
    const page = await newPage(DESK);
    await signIn(page, 'erin');
    await page.goto(`${base}/audit`);
    await page.fill('#a-column', 'customers.phone');
    await page.click('button:has-text("Search")');
    expect(new URL(page.url()).searchParams.get('column')).toBe('customers.phone');
    const found = await text(page, 'table.list');
    expect(found).toContain('human:alice');
    expect(found).toContain('bob (dba)');
    expect(found).toContain('Correct the phone number customer 3 gave support on the phone.');
    expect(found).toContain('succeeded, 1 row');
    expect(await page.content()).not.toContain(NEW_PHONE);
    await shoot(page, 'audit');
    await page.click(`table.list a:has-text("${ids.fix}")`);
    expect(new URL(page.url()).pathname).toBe(`/runs/${ids.fix}`);

    await page.goto(`${base}/audit?principal=bob&kind=attempt`);
    expect(await text(page, 'table.list')).toContain('bob (dba)');
    await page.goto(`${base}/audit?kind=nonsense`);
    expect(await text(page, '[role=alert]')).toContain('VIGIL_E_BAD_REQUEST');

    await page.goto(`${base}/audit?from=${encodeURIComponent(testStart)}&to=${encodeURIComponent(new Date().toISOString())}&column=customers.phone`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.button:has-text("Download evidence")')]);
    expect(download.suggestedFilename()).toMatch(/^vigil-evidence-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.tar\.gz$/);
    const archive = join(SCREENSHOT_DIR, 'evidence.tar.gz');
    await download.saveAs(archive);
    const out = mkdtempSync(join(tmpdir(), 'vigil-evidence-ui-'));
    await extract({ file: archive, cwd: out });
    const dir = join(out, download.suggestedFilename().replace(/\.tar\.gz$/, ''));
    const report = await verifyEvidenceBundle(dir);
    expect(report.ok).toBe(true);
    const records = readFileSync(join(dir, 'records.jsonl'), 'utf8');
    expect(records).toContain(ids.fix);
    expect(records).toContain('"approver":"bob"');
  });

  it('takes a chat link from another site straight to the gate, signed in', async () => {
    const page = await newPage();
    await signIn(page, 'carol');
    const arrivals: Promise<string>[] = [];
    page.on('request', (r) => {
      if (r.url() === gateUrl(ids.self ?? '', 'gate') && r.isNavigationRequest()) arrivals.push(r.allHeaders().then((h) => h['sec-fetch-site'] ?? '?'));
    });
    await page.goto(`${chatUrl}/?to=${encodeURIComponent(`/approvals/${encodeURIComponent(ids.self ?? "")}/gate`)}`);
    await Promise.all([page.waitForURL(gateUrl(ids.self ?? "", "gate")), page.click('#link')]);
    await page.waitForSelector('h1:has-text("self-check · gate")');
    expect(await text(page, 'header')).toContain('Signed in as carol');
    expect(await page.locator('button:has-text("Approve")').count()).toBe(1);
    // The browser withheld the strict cookie on the cross-site click; one hop from this site brought it back.
    expect(await Promise.all(arrivals)).toEqual(['cross-site', 'same-origin']);
  });

  it('loaded every page without a script error or a CSP violation, and every screenshot exists', () => {
    expect(problems).toEqual([]);
    expect(allShots.length).toBeGreaterThanOrEqual(20);
  });
});
