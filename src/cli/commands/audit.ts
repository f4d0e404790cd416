/**
 * `vigil audit search | verify | export | verify-bundle`: the auditor's questions, answered from the hash-chained
 * audit store in Vigil's database (VIGIL_DATABASE_URL, else DATABASE_URL). Only reads the store: a login holding
 * vigil_audit_reader suffices. `verify-bundle` needs no database at all.
 * The evidence signing key comes from VIGIL_AUDIT_SIGNING_KEY (a PEM path); without it, a development key is
 * generated once under Vigil's cache directory, and the output says so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createAuditStore, type AuditStore } from '../../audit/audit-store.js';
import { exportEvidence } from '../../audit/evidence-export.js';
import { verifyEvidenceBundle } from '../../audit/evidence-verify.js';
import { keyFingerprint, loadOrCreateSigningKey, loadSigningKey, loadVerifyKey } from '../../audit/signing-key.js';
import { AUDIT_KINDS, type AuditSearch, type ChainHead, type VerifyReport } from '../../audit/types.js';
import { vigilCacheDir } from '../../dev/temporal-cli.js';
import { parseDuration } from '../../runbook/duration.js';
import { VigilError } from '../../shared/vigil-error.js';
import { formatTable, searchCards, searchTable, shortHash } from './audit-format.js';
import { redactUrl } from '../../shared/redact-url.js';

function databaseUrl(env: NodeJS.ProcessEnv): string {
  const url = env.VIGIL_DATABASE_URL ?? env.DATABASE_URL;
  if (!url) throw new VigilError('VIGIL_E_USAGE', 'set VIGIL_DATABASE_URL (or DATABASE_URL) to the database that holds the audit store');
  return url;
}


async function withPool<T>(env: NodeJS.ProcessEnv, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const url = databaseUrl(env);
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined);
  try {
    return await fn(pool);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '42P01' || code === '42883') throw new VigilError('VIGIL_E_AUDIT_STORE_MISSING', `${redactUrl(url)} has no audit store; start a worker against it first (vigil worker, vigil dev)`);
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === '3D000' || code === '28P01' || code === '28000') {
      throw new VigilError('VIGIL_E_POSTGRES_UNREACHABLE', `cannot reach the audit database ${redactUrl(url)} (${(error as Error).message})`);
    }
    throw error;
  } finally {
    await pool.end();
  }
}

const withStore = <T>(env: NodeJS.ProcessEnv, fn: (store: AuditStore) => Promise<T>): Promise<T> => withPool(env, (pool) => fn(createAuditStore(pool)));

export async function auditSearchCommand(
  options: Omit<AuditSearch, 'kind'> & { kind?: string; json?: boolean; long?: boolean },
  env: NodeJS.ProcessEnv,
): Promise<number> {
  if (options.limit !== undefined && !Number.isFinite(options.limit)) throw new VigilError('VIGIL_E_USAGE', '--limit wants a number');
  if (options.kind !== undefined && !(AUDIT_KINDS as readonly string[]).includes(options.kind)) {
    throw new VigilError('VIGIL_E_USAGE', `--kind wants one of ${AUDIT_KINDS.join(', ')}, got "${options.kind}"`);
  }
  const filter = options as AuditSearch & { json?: boolean; long?: boolean };
  const rows = await withStore(env, (store) => store.search(filter));
  if (filter.json) {
    for (const r of rows) console.log(JSON.stringify(r));
  } else if (rows.length === 0) {
    console.log('No audit records match.');
  } else {
    console.log(filter.long ? searchCards(rows) : searchTable(rows));
    console.log(`\n${rows.length} record${rows.length === 1 ? '' : 's'}, newest first${rows.length === (filter.limit ?? 100) ? ' (limit reached: --limit for more)' : ''}.`);
  }
  return 0;
}

/** `--anchor chain-head.json` (from an evidence bundle) or `--anchor 806:3f2a...`. */
function parseAnchor(text: string): ChainHead {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(text);
  if (m) return { seq: Number(m[1]), hash: m[2] ?? '' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(text, 'utf8'));
  } catch (error) {
    throw new VigilError('VIGIL_E_USAGE', `--anchor wants SEQ:HASH or a chain-head.json file; cannot read ${text} (${(error as Error).message})`);
  }
  const head = parsed as Partial<ChainHead>;
  if (typeof head.seq !== 'number' || typeof head.hash !== 'string') throw new VigilError('VIGIL_E_USAGE', `${text} has no seq and hash`);
  return { seq: head.seq, hash: head.hash };
}

function bound(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  return /^\d+$/.test(text) ? Number(text) : text;
}

/** `5m`, `1h`, `90s`, `0 s`: the grace period as a person would say it. */
function duration(ms: number): string {
  if (ms === 0) return '0 s';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms} ms`;
}

function printVerify(report: VerifyReport): void {
  const range = report.rows === 0 ? 'no records in range' : `#${report.from}..#${report.to}`;
  console.log(formatTable(['CHECK', 'RESULT'], [
    ['range', `${range} (chain head #${report.head.seq} ${shortHash(report.head.hash)})`],
    ['links', report.brokenAt ? `BROKEN at #${report.brokenAt.seq}${report.brokenAt.id ? ` (${report.brokenAt.id})` : ''}: ${report.brokenAt.reason}` : `OK: ${report.rows} records, every hash recomputed`],
    ['outcomes', report.outcomeUnknown.length === 0 ? `OK: every attempt older than ${duration(report.graceMs)} has an outcome` : `${report.outcomeUnknown.length} OUTCOME UNKNOWN (attempted over ${duration(report.graceMs)} ago, no outcome)`],
  ]));
  if (report.brokenAt) {
    console.log(`\nBROKEN at #${report.brokenAt.seq}${report.brokenAt.id ? ` (${report.brokenAt.id})` : ''}: ${report.brokenAt.reason}`);
    console.log(`  expected ${report.brokenAt.expected}\n  found    ${report.brokenAt.found}`);
  }
  if (report.outcomeUnknown.length > 0) console.log('');
  for (const u of report.outcomeUnknown) {
    console.log(`OUTCOME UNKNOWN at #${u.seq}: ${u.workflowId}/${u.stepId} attempted ${u.at} by ${u.principalChain} (${u.runbook}, ${u.command}), no outcome recorded`);
  }
}

export async function auditVerifyCommand(
  options: { from?: string; to?: string; grace?: string; graceSeconds?: string; anchor?: string; json?: boolean },
  env: NodeJS.ProcessEnv,
): Promise<number> {
  let graceMs: number | undefined;
  if (options.grace !== undefined && options.graceSeconds !== undefined) throw new VigilError('VIGIL_E_USAGE', 'give --grace or --grace-seconds, not both');
  if (options.grace !== undefined) {
    graceMs = options.grace === '0' ? 0 : parseDuration(options.grace);
    if (!(graceMs > 0) && options.grace !== '0') throw new VigilError('VIGIL_E_USAGE', `--grace wants a duration such as 5m or 0, got "${options.grace}"`);
  }
  if (options.graceSeconds !== undefined) {
    if (!/^\d+$/.test(options.graceSeconds)) throw new VigilError('VIGIL_E_USAGE', `--grace-seconds wants a whole number, got "${options.graceSeconds}"`);
    graceMs = Number(options.graceSeconds) * 1000;
  }
  const anchor = options.anchor ? parseAnchor(options.anchor) : undefined;
  const report = await withStore(env, (store) => store.verify({ from: bound(options.from), to: bound(options.to), graceMs, anchor }));
  if (options.json) console.log(JSON.stringify(report, null, 2));
  else printVerify(report);
  if (report.brokenAt) {
    const b = report.brokenAt;
    throw new VigilError('VIGIL_E_AUDIT_CHAIN_BROKEN', `the audit chain breaks at #${b.seq}${b.id ? ` (${b.id})` : ''}: ${b.reason}`);
  }
  if (report.outcomeUnknown.length > 0) {
    const first = report.outcomeUnknown[0];
    throw new VigilError('VIGIL_E_AUDIT_OUTCOME_UNKNOWN', `${report.outcomeUnknown.length} attempt(s) without an outcome, first at #${first?.seq} (${first?.workflowId}/${first?.stepId})`);
  }
  if (!options.json) console.log('\nOK: the chain is intact and every attempt has an outcome.');
  return 0;
}

/** The evidence signing key, and one line saying where it came from; `vigil serve` signs its downloads with it too. */
export function signingKey(env: NodeJS.ProcessEnv): { key: ReturnType<typeof loadSigningKey>; source: string } {
  if (env.VIGIL_AUDIT_SIGNING_KEY) return { key: loadSigningKey(env.VIGIL_AUDIT_SIGNING_KEY), source: `VIGIL_AUDIT_SIGNING_KEY (${env.VIGIL_AUDIT_SIGNING_KEY})` };
  const path = join(vigilCacheDir(env), 'audit-signing-key.pem');
  const { key, created } = loadOrCreateSigningKey(path);
  return {
    key,
    source: `a DEVELOPMENT key ${created ? 'generated now' : 'generated earlier'} at ${path}; set VIGIL_AUDIT_SIGNING_KEY to a PEM file for evidence anyone else relies on`,
  };
}

export async function auditExportCommand(options: { from: string; to: string; out: string; json?: boolean }, env: NodeJS.ProcessEnv): Promise<number> {
  const { key, source } = signingKey(env);
  const result = await withPool(env, (pool) => exportEvidence(pool, { from: options.from, to: options.to, outDir: options.out, signingKey: key }));
  const s = result.summary;
  const m = result.manifest;
  if (options.json) {
    console.log(JSON.stringify({ outDir: result.outDir, manifest: m, head: result.head, integrity: s.integrity, keySource: source }, null, 2));
  } else {
    console.log(`Evidence bundle written to ${result.outDir}\n`);
    console.log(formatTable(['FILE', 'WHAT'], [
      ['records.jsonl', m.range.records === 0 ? 'no records in range' : `${m.range.records} records, #${m.range.firstSeq}..#${m.range.lastSeq}, ${m.scope.from} to ${m.scope.to}`],
      ['summary.json', `${s.runs.length} runs, ${s.changes.length} changes, ${s.approvals.length} approved, ${s.denials.length} denied, ${s.maskingExemptions.length} masking exemptions, ${s.agentActions.length} agent actions`],
      ['chain-head.json', `head at export #${result.head.seq} ${shortHash(result.head.hash)}`],
      ['manifest.json', `sha256 of every file; signed in manifest.sig`],
      ['public-key.pem', `Ed25519, sha256 ${keyFingerprint(key)}`],
    ]));
    console.log(`\nSigned with ${source}.`);
    console.log(`Verify with: vigil audit verify-bundle ${result.outDir} --public-key <the public key you trust>`);
  }
  if (s.integrity.chain === 'broken') {
    const b = s.integrity.firstBrokenLink;
    throw new VigilError('VIGIL_E_AUDIT_CHAIN_BROKEN', `the bundle was written, but the chain in it breaks at #${b?.seq}: ${b?.reason}`);
  }
  return 0;
}

export async function auditVerifyBundleCommand(dir: string, options: { publicKey?: string; json?: boolean }): Promise<number> {
  const publicKey = options.publicKey ? loadVerifyKey(options.publicKey) : undefined;
  const report = await verifyEvidenceBundle(dir, { publicKey });
  if (options.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(formatTable(['CHECK', 'RESULT', 'DETAIL'], report.checks.map((c) => [c.check, c.ok ? 'ok' : 'FAILED', c.detail])));
    if (report.ok) console.log(`\nOK: ${dir} verifies${report.pinned ? ' against the pinned key' : ' (key not pinned: compare its fingerprint above)'}.`);
  }
  if (!report.ok) {
    const first = report.checks.find((c) => !c.ok);
    throw new VigilError('VIGIL_E_AUDIT_BUNDLE_INVALID', `${dir}: ${first?.check} failed: ${first?.detail}`);
  }
  return 0;
}
