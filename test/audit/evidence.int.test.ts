/**
 * Evidence bundles end to end: export from a real store, verify offline with the library, `vigil audit verify-bundle`,
 * the Node-only recipe in docs/audit.md, and standard tools; then show that each kind of alteration is caught by the
 * check meant for it (file hash, signature, chain, pinned key), and that a bundle's head anchors the live store.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditStore, migrateAuditStore, type AuditStore } from '../../src/audit/audit-store.js';
import type { BundleManifest } from '../../src/audit/evidence-bundle.js';
import { exportEvidence } from '../../src/audit/evidence-export.js';
import type { EvidenceSummary } from '../../src/audit/evidence-summary.js';
import { verifyEvidenceBundle } from '../../src/audit/evidence-verify.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { attempt, emailChange, event, testPool } from './fixtures.js';

const succeeded = { status: 'succeeded' as const, rows: 1, errorCode: null, errorMessage: null, durationMs: 1 };
/** Record n is written at 2026-01-05T10:00:n s, so that time ranges are exact. */
const T0 = Date.parse('2026-01-05T10:00:00.000Z');
const at = (n: number) => new Date(T0 + n * 1000).toISOString();

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const made: string[] = [];
const tmp = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `vigil-${name}-`));
  made.push(dir);
  return dir;
};

function copy(dir: string): string {
  const out = tmp('bundle-copy');
  cpSync(dir, out, { recursive: true });
  return out;
}

/** What someone holding a key (the right one or their own) could do after editing files: rewrite and re-sign the manifest. */
function resign(dir: string, key: KeyObject): void {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as BundleManifest & { files: Record<string, { sha256: string; bytes: number }> };
  writeFileSync(join(dir, 'public-key.pem'), createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string);
  for (const f of ['records.jsonl', 'summary.json', 'chain-head.json', 'public-key.pem']) {
    const bytes = readFileSync(join(dir, f));
    manifest.files[f] = { sha256: sha(bytes), bytes: bytes.length };
  }
  const sums = Object.entries(manifest.files).filter(([f]) => f !== 'SHA256SUMS').map(([f, x]) => `${x.sha256}  ${f}\n`).join('');
  writeFileSync(join(dir, 'SHA256SUMS'), sums);
  manifest.files.SHA256SUMS = { sha256: sha(sums), bytes: sums.length };
  const fingerprint = sha(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  const text = `${JSON.stringify({ ...manifest, signature: { ...manifest.signature, publicKeySha256: fingerprint } }, null, 2)}\n`;
  writeFileSync(join(dir, 'manifest.json'), text);
  writeFileSync(join(dir, 'manifest.sig'), sign(null, Buffer.from(text), key));
}

/** Changes one character of the `intent` of the record on line `line` of records.jsonl. */
function editRecord(dir: string, line: number): void {
  const path = join(dir, 'records.jsonl');
  const lines = readFileSync(path, 'utf8').split('\n');
  lines[line - 1] = (lines[line - 1] ?? '').replace('"intent":"E', '"intent":"e').replace('"intent":"S', '"intent":"s');
  writeFileSync(path, lines.join('\n'));
}

const vigil = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/vigil.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

const failed = (report: Awaited<ReturnType<typeof verifyEvidenceBundle>>) => report.checks.filter((c) => !c.ok).map((c) => c.check);

describe('evidence bundle', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: AuditStore;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  let bundle: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = testPool({ connectionString: db.url, max: 4 });
    await migrateAuditStore(pool);
    let tick = 0;
    store = createAuditStore(pool, { now: () => new Date(T0 + ++tick * 1000) });
    // #1..#2 a flag switched off, #3..#4 an agent's approved change of customers.email, #5 a denial,
    // #6 a rejected approval, #7 a masking exemption, #8 an attempt still running, #9..#10 one more change.
    const a1 = await store.recordAttempt(attempt(1));
    await store.recordOutcome(a1.id, succeeded);
    const a2 = await store.recordAttempt(emailChange(2));
    await store.recordOutcome(a2.id, succeeded);
    await store.recordEvent('denial', event(3, { reason: 'denied by prod-no-ddl', code: 'VIGIL_E_POLICY_DENIED', command: 'DROP TABLE' }));
    await store.recordEvent('approval_rejected', event(4, { reason: 'an approver may not approve their own request', approver: 'alice' }));
    await store.recordEvent('masking_exemption', event(5, { reason: 'rule support-sees-email', columns: ['customers.email'] }));
    await store.recordAttempt(attempt(6, { stepId: 'still_running' }));
    const a7 = await store.recordAttempt(attempt(7));
    await store.recordOutcome(a7.id, succeeded);
    bundle = join(tmp('bundle'), 'evidence');
    await exportEvidence(pool, { from: at(1), to: at(10), outDir: bundle, signingKey: privateKey, now: () => new Date(T0 + 3_600_000) });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('writes records, a summary mapped to controls, the chain head and a signed manifest', () => {
    for (const f of ['records.jsonl', 'summary.json', 'chain-head.json', 'public-key.pem', 'SHA256SUMS', 'manifest.json', 'manifest.sig']) {
      expect(existsSync(join(bundle, f))).toBe(true);
    }
    expect(readFileSync(join(bundle, 'records.jsonl'), 'utf8').trim().split('\n')).toHaveLength(10);
    const summary = JSON.parse(readFileSync(join(bundle, 'summary.json'), 'utf8')) as EvidenceSummary;
    expect(summary.integrity).toMatchObject({ chain: 'intact', attemptsWithoutOutcome: [expect.objectContaining({ seq: 8, stepId: 'still_running' })] });
    expect(summary.approvals).toEqual([expect.objectContaining({ seq: 3, approvers: [{ approver: 'bob', group: 'dba', at: '2026-01-05T10:00:00.000Z' }] })]);
    expect([summary.denials.length, summary.approvalRejections.length, summary.maskingExemptions.length, summary.agentActions.length]).toEqual([1, 1, 1, 1]);
    expect(summary.controls.flatMap((c) => c.criteria)).toEqual(['SOC 2 CC8.1', 'SOC 2 CC6.1', 'SOC 2 CC6.3', 'SOC 2 CC7.2']);
    expect(JSON.parse(readFileSync(join(bundle, 'chain-head.json'), 'utf8'))).toMatchObject({ seq: 10 });
    expect(readFileSync(join(bundle, 'manifest.sig'))).toHaveLength(64);
  });

  it('verifies offline: the library, pinned to the right key, and `vigil audit verify-bundle`', async () => {
    const report = await verifyEvidenceBundle(bundle, { publicKey });
    expect(report.checks.map((c) => [c.check, c.ok])).toEqual([
      ['signature', true], ['key', true], ['files', true], ['chain', true], ['chain-head', true], ['summary', true],
    ]);
    expect(report).toMatchObject({ ok: true, pinned: true, range: { firstSeq: 1, lastSeq: 10, records: 10 } });
    const pem = join(tmp('key'), 'public.pem');
    writeFileSync(pem, publicKey.export({ type: 'spki', format: 'pem' }) as string);
    const cli = vigil(['audit', 'verify-bundle', bundle, '--public-key', pem]);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/chain {7}ok {6}10 records #1\.\.#10 link up, each hash recomputed/);
    expect(cli.stdout).toContain('verifies against the pinned key');
  });

  it('verifies with the Node-only recipe in docs/audit.md and with standard tools', () => {
    const doc = readFileSync('docs/audit.md', 'utf8');
    const recipe = /<!-- verify-without-vigil -->\n```sh\nnode -e '\n([\s\S]*?)\n' DIR\n```/.exec(doc)?.[1];
    expect(recipe).toBeDefined();
    const ok = spawnSync(process.execPath, ['-e', recipe as string, bundle], { encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain(`OK: signature, files and chain; signed by key sha256 ${sha(publicKey.export({ type: 'spki', format: 'der' }))}`);
    const insider = copy(bundle);
    editRecord(insider, 3);
    resign(insider, privateKey);
    expect(spawnSync(process.execPath, ['-e', recipe as string, insider], { encoding: 'utf8' }).stderr).toContain('chain breaks at #3');

    const sums = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: bundle, encoding: 'utf8' });
    if (!sums.error) expect(sums.status).toBe(0);
    const openssl = spawnSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'public-key.pem', '-rawin', '-in', 'manifest.json', '-sigfile', 'manifest.sig'], { cwd: bundle, encoding: 'utf8' });
    if (!openssl.error) expect(openssl.stdout).toContain('Signature Verified Successfully');
  });

  it('fails when records.jsonl is altered, at the files check, and from the command line', async () => {
    const altered = copy(bundle);
    editRecord(altered, 3);
    const report = await verifyEvidenceBundle(altered, { publicKey });
    expect(report.ok).toBe(false);
    expect(failed(report)).toEqual(['files', 'chain', 'summary']);
    expect(report.checks.find((c) => c.check === 'files')?.detail).toMatch(/^records\.jsonl was altered/);
    const cli = vigil(['audit', 'verify-bundle', altered]);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(new RegExp(`^VIGIL_E_AUDIT_BUNDLE_INVALID  ${altered}: files failed: records\\.jsonl was altered`));
  });

  it('fails at the signature when the manifest is edited to match, and at the chain when re-signed with the right key', async () => {
    const edited = copy(bundle);
    editRecord(edited, 3);
    const manifest = JSON.parse(readFileSync(join(edited, 'manifest.json'), 'utf8')) as BundleManifest;
    const patched = { ...manifest, files: { ...manifest.files, 'records.jsonl': { sha256: sha(readFileSync(join(edited, 'records.jsonl'))), bytes: 0 } } };
    writeFileSync(join(edited, 'manifest.json'), JSON.stringify(patched, null, 2));
    expect(failed(await verifyEvidenceBundle(edited, { publicKey }))).toEqual(['signature', 'chain', 'summary']);

    // Someone holding the signing key can make the files match, but not the chain.
    const insider = copy(bundle);
    editRecord(insider, 3);
    resign(insider, privateKey);
    const report = await verifyEvidenceBundle(insider, { publicKey });
    expect(failed(report)).toEqual(['chain', 'summary']);
    expect(report.checks.find((c) => c.check === 'chain')?.detail).toMatch(/^broken at #3 \([0-9a-f-]+\), records\.jsonl line 3: content does not match its hash/);
  });

  it('accepts a bundle re-signed with another key only when no key is pinned, and says so', async () => {
    const forged = copy(bundle);
    resign(forged, generateKeyPairSync('ed25519').privateKey);
    const unpinned = await verifyEvidenceBundle(forged);
    expect(unpinned).toMatchObject({ ok: true, pinned: false });
    expect(unpinned.checks.find((c) => c.check === 'key')?.detail).toMatch(/not pinned/);
    const pinned = await verifyEvidenceBundle(forged, { publicKey });
    expect(failed(pinned)).toEqual(['key']);
  });

  it('exports a sub-range as an unbroken piece of the chain, and an empty range', async () => {
    const part = join(tmp('part'), 'b');
    const result = await exportEvidence(pool, { from: at(3), to: at(5), outDir: part, signingKey: privateKey });
    expect(result.manifest.range).toMatchObject({ firstSeq: 3, lastSeq: 5, records: 3 });
    expect(result.manifest.range.prevHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await verifyEvidenceBundle(part, { publicKey })).ok).toBe(true);
    const empty = join(tmp('empty'), 'b');
    const none = await exportEvidence(pool, { from: '2030-01-01', to: '2030-02-01', outDir: empty, signingKey: privateKey });
    expect(none.manifest.range).toEqual({ firstSeq: null, lastSeq: null, prevHash: null, lastHash: null, records: 0 });
    expect((await verifyEvidenceBundle(empty, { publicKey })).ok).toBe(true);
    await expect(exportEvidence(pool, { from: at(1), to: at(2), outDir: part, signingKey: privateKey })).rejects.toThrow(/is not empty/);
  });

  it('anchors the live store: `vigil audit verify --anchor chain-head.json`', () => {
    const cli = vigil(['audit', 'verify', '--anchor', join(bundle, 'chain-head.json'), '--grace', '1000d'], { VIGIL_DATABASE_URL: db.url });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
  });

  it('`vigil audit export` signs with VIGIL_AUDIT_SIGNING_KEY, or with a development key it creates once and names', () => {
    const keyFile = join(tmp('signing'), 'audit.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const out = join(tmp('cli'), 'b');
    const cli = vigil(['audit', 'export', '--from', at(0), '--to', at(20), '--out', out], { VIGIL_DATABASE_URL: db.url, VIGIL_AUDIT_SIGNING_KEY: keyFile });
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toContain(`Signed with VIGIL_AUDIT_SIGNING_KEY (${keyFile})`);
    expect(cli.stdout).toMatch(/records\.jsonl +10 records, #1\.\.#10/);
    expect(vigil(['audit', 'verify-bundle', out, '--public-key', keyFile]).status).toBe(0);

    const cache = tmp('xdg');
    const dev = (dir: string) => vigil(['audit', 'export', '--from', at(0), '--to', at(20), '--out', join(cache, dir)], { VIGIL_DATABASE_URL: db.url, XDG_CACHE_HOME: cache, VIGIL_AUDIT_SIGNING_KEY: '' });
    const first = dev('one');
    expect(first.stdout).toContain(`Signed with a DEVELOPMENT key generated now at ${join(cache, 'vigil', 'audit-signing-key.pem')}`);
    expect(statSync(join(cache, 'vigil', 'audit-signing-key.pem')).mode & 0o777).toBe(0o600);
    expect(dev('two').stdout).toContain('DEVELOPMENT key generated earlier');
    expect(readFileSync(join(cache, 'one', 'public-key.pem'), 'utf8')).toBe(readFileSync(join(cache, 'two', 'public-key.pem'), 'utf8'));

    const refused = vigil(['audit', 'export', '--from', at(0), '--to', at(20), '--out', out], { VIGIL_DATABASE_URL: db.url, VIGIL_AUDIT_SIGNING_KEY: keyFile });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^VIGIL_E_USAGE {2}.* is not empty/);
    const badKey = vigil(['audit', 'export', '--from', at(0), '--to', at(20), '--out', join(tmp('x'), 'b')], { VIGIL_DATABASE_URL: db.url, VIGIL_AUDIT_SIGNING_KEY: join(cache, 'missing.pem') });
    expect(badKey.stderr).toMatch(/^VIGIL_E_AUDIT_SIGNING_KEY {2}cannot read the audit signing key/);
  });

  it('says plainly when there is no audit store or no database', async () => {
    const bare = await createTestDatabase();
    try {
      const missing = vigil(['audit', 'verify'], { VIGIL_DATABASE_URL: bare.url });
      expect(missing.stderr).toMatch(/^VIGIL_E_AUDIT_STORE_MISSING {2}/);
    } finally {
      await bare.drop();
    }
    const down = vigil(['audit', 'search'], { VIGIL_DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/x' });
    expect(down.stderr).toMatch(/^VIGIL_E_POSTGRES_UNREACHABLE {2}cannot reach the audit database postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/x/);
  });
});
