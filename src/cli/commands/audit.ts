/**
 * `vigil audit search` and `vigil audit verify`: the auditor's questions, answered from the hash-chained audit store
 * in Vigil's database (VIGIL_DATABASE_URL, else DATABASE_URL).
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { loadApprovalKeys } from '../../approvals/key-files.js';
import { vigilCacheDir } from '../../dev/temporal-cli.js';
import { verifyEvidenceBundle, writeEvidenceBundle } from '../../audit/evidence-bundle.js';
import type { AuditAction, AuditApprovalRejection, AuditOutcome } from '../../audit/audit-record.js';
import { createAuditStore, type AuditSearch } from '../../audit/audit-store.js';
import { VigilError } from '../../shared/vigil-error.js';

async function withStore<T>(env: NodeJS.ProcessEnv, fn: (store: ReturnType<typeof createAuditStore>) => Promise<T>): Promise<T> {
  const url = env.VIGIL_DATABASE_URL ?? env.DATABASE_URL;
  if (!url) throw new VigilError('VIGIL_E_USAGE', 'set VIGIL_DATABASE_URL (or DATABASE_URL) to the database that holds the audit store');
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5_000 });
  try {
    return await fn(createAuditStore(pool));
  } catch (error) {
    if ((error as { code?: string }).code === 'ECONNREFUSED') throw new VigilError('VIGIL_E_POSTGRES_UNREACHABLE', `cannot reach the audit database (${(error as Error).message})`);
    throw error;
  } finally {
    await pool.end();
  }
}

export async function auditSearchCommand(filter: AuditSearch & { json?: boolean }, env: NodeJS.ProcessEnv): Promise<number> {
  const rows = await withStore(env, (store) => store.search(filter));
  if (filter.json) {
    for (const r of rows) console.log(JSON.stringify(r));
    return 0;
  }
  if (rows.length === 0) console.log('No audit records match.');
  for (const r of rows) {
    if (r.kind === 'outcome') {
      const o = r.record as AuditOutcome;
      console.log(`#${r.seq} ${r.at} outcome of ${o.attemptId}: ${o.status}${o.rows !== null ? `, ${o.rows} row(s)` : ''}${o.errorCode ? `, ${o.errorCode}` : ''}`);
      continue;
    }
    if (r.kind === 'approval_rejected') {
      const x = r.record as AuditApprovalRejection;
      console.log(`#${r.seq} ${r.at} approval rejected  ${x.approver} ${x.decision} on ${x.workflowId}/${x.gateId}: ${x.reason}`);
      continue;
    }
    const a = r.record as AuditAction;
    console.log(`#${r.seq} ${r.at} ${r.kind}  ${a.principalChain}  ${a.runbook}/${a.stepId} (${a.workflowId})`);
    console.log(`    why:  ${a.intent}`);
    console.log(`    what: ${a.command} on ${a.connection} (${a.environment}): ${a.statement.replace(/\s+/g, ' ').trim()}`);
    console.log(`    rule: ${a.decision.summary}${a.approvals.length ? `; approved by ${a.approvals.map((x) => `${x.approver} (${x.group}) at ${x.at}`).join(', ')}` : ''}`);
  }
  return 0;
}

export async function auditVerifyCommand(options: { from?: string; to?: string; graceSeconds?: string; json?: boolean }, env: NodeJS.ProcessEnv): Promise<number> {
  const report = await withStore(env, (store) =>
    store.verify({ from: options.from ? Number(options.from) : undefined, to: options.to ? Number(options.to) : undefined, graceMs: Number(options.graceSeconds ?? 300) * 1000 }),
  );
  if (options.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(`${report.rows} record(s) checked; chain head #${report.head.seq} ${report.head.hash}`);
    if (report.brokenAt) console.log(`BROKEN at #${report.brokenAt.seq} (${report.brokenAt.id}): ${report.brokenAt.reason}`);
    for (const u of report.outcomeUnknown) console.log(`OUTCOME UNKNOWN at #${u.seq}: ${u.workflowId}/${u.stepId} attempted ${u.at}, no outcome recorded`);
    if (report.ok) console.log('OK: the chain is intact and every attempt has an outcome.');
  }
  return report.ok ? 0 : 1;
}

/** `vigil audit export --from --to --out DIR`: the signed evidence bundle for a time range. */
export async function auditExportCommand(options: { from: string; to: string; out: string }, env: NodeJS.ProcessEnv): Promise<number> {
  const keyFile = env.VIGIL_AUDIT_SIGNING_KEY ?? join(vigilCacheDir(env), 'audit-signing-key.pem');
  const keys = loadApprovalKeys(keyFile, !env.VIGIL_AUDIT_SIGNING_KEY);
  const { rows, head, ok } = await withStore(env, async (store) => {
    const report = await store.verify({ graceMs: 0 });
    return { rows: await store.range(options.from, options.to), head: report.head, ok: report.brokenAt === undefined };
  });
  const files = writeEvidenceBundle(options.out, rows, head, { from: options.from, to: options.to }, ok, keys.privateKey);
  console.log(`${rows.length} record(s) from ${options.from} to ${options.to} written to ${options.out}: ${files.join(', ')}`);
  if (!env.VIGIL_AUDIT_SIGNING_KEY) console.log(`signed with the development key ${keyFile} (set VIGIL_AUDIT_SIGNING_KEY in production)`);
  console.log(`check it with: vigil audit verify-bundle ${options.out}`);
  return ok ? 0 : 1;
}

/** `vigil audit verify-bundle DIR [--key PEM]`: signature, file hashes and record links; exit 1 on any problem. */
export function auditVerifyBundleCommand(dir: string, options: { key?: string }): number {
  const problems = verifyEvidenceBundle(dir, options.key ? createPublicKey(readFileSync(options.key, 'utf8')) : undefined);
  if (problems.length === 0) {
    console.log(`OK: ${dir} is intact and signed${options.key ? ' by the given key' : ' by its bundled key (pin one with --key)'}.`);
    return 0;
  }
  for (const p of problems) console.log(`FAIL: ${p}`);
  return 1;
}
