/**
 * The evidence bundle an auditor takes away: every audit record in a time range (records.jsonl), a summary mapped to
 * the controls it evidences (summary.json), the chain head (chain-head.json), and a manifest of file hashes signed with
 * Ed25519 (manifest.json, manifest.sig, public-key.pem). `verifyEvidenceBundle` checks it all again, including the
 * hash links between the exported records, with nothing but the bundle itself.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditAction, AuditApprovalRejection, AuditOutcome, AuditRow } from './audit-record.js';
import { rowHash } from './audit-store.js';

const FILES = ['records.jsonl', 'summary.json', 'chain-head.json'] as const;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export function summarize(rows: readonly AuditRow[], range: { from: string; to: string }, chainOk: boolean) {
  const actions = rows.filter((r) => r.kind === 'attempt' || r.kind === 'denial').map((r) => ({ row: r, a: r.record as AuditAction }));
  const rejectedApprovals = rows.filter((r) => r.kind === 'approval_rejected').map((r) => ({ seq: r.seq, ...(r.record as AuditApprovalRejection) }));
  const outcomes = new Map(rows.filter((r) => r.kind === 'outcome').map((r) => [(r.record as AuditOutcome).attemptId, r.record as AuditOutcome]));
  const byClass: Record<string, number> = {};
  for (const { row, a } of actions) if (row.kind === 'attempt') byClass[a.statementClass] = (byClass[a.statementClass] ?? 0) + 1;
  return {
    range,
    generatedFrom: 'vigil_audit',
    runs: [...new Set(actions.map(({ a }) => a.workflowId))].length,
    statementsByClass: byClass,
    controls: {
      'change approval (e.g. SOC 2 CC8.1)': {
        statementsNeedingApproval: actions
          .filter(({ a }) => a.decision.effect === 'require_approval')
          .map(({ row, a }) => ({ seq: row.seq, workflowId: a.workflowId, step: a.stepId, statement: a.statement, requestedBy: a.principalChain, approvals: a.approvals, outcome: outcomes.get(row.id)?.status ?? (row.kind === 'denial' ? 'denied' : 'unknown') })),
        rejectedApprovals,
      },
      'least privilege (e.g. SOC 2 CC6.1, CC6.3)': {
        denials: actions.filter(({ row }) => row.kind === 'denial').map(({ row, a }) => ({ seq: row.seq, by: a.principalChain, statement: a.statement, decision: a.decision.summary })),
        agentActions: actions.filter(({ a }) => a.principalChain.startsWith('agent:')).map(({ row, a }) => ({ seq: row.seq, kind: row.kind, agent: a.principal, onBehalfOf: a.onBehalfOf, statement: a.statement, effect: a.decision.effect })),
        maskingExemptions: actions.filter(({ a }) => a.maskingExemption).map(({ row, a }) => ({ seq: row.seq, by: a.principalChain, statement: a.statement, ...a.maskingExemption })),
      },
      'audit integrity (e.g. SOC 2 CC7.2)': { records: rows.length, chainVerifiedAtExport: chainOk, outcomeUnknown: actions.filter(({ row }) => row.kind === 'attempt' && !outcomes.has(row.id)).map(({ row }) => row.seq) },
    },
  };
}

export function writeEvidenceBundle(dir: string, rows: readonly AuditRow[], head: { seq: number; hash: string }, range: { from: string; to: string }, chainOk: boolean, key: KeyObject): string[] {
  mkdirSync(dir, { recursive: true });
  const contents: Record<(typeof FILES)[number], string> = {
    'records.jsonl': rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''),
    'summary.json': `${JSON.stringify(summarize(rows, range, chainOk), null, 2)}\n`,
    'chain-head.json': `${JSON.stringify(head, null, 2)}\n`,
  };
  for (const f of FILES) writeFileSync(join(dir, f), contents[f]);
  const manifest = `${JSON.stringify({ files: Object.fromEntries(FILES.map((f) => [f, sha256(contents[f])])) }, null, 2)}\n`;
  writeFileSync(join(dir, 'manifest.json'), manifest);
  writeFileSync(join(dir, 'manifest.sig'), sign(null, Buffer.from(manifest), key).toString('base64'));
  writeFileSync(join(dir, 'public-key.pem'), createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string);
  return [...FILES, 'manifest.json', 'manifest.sig', 'public-key.pem'];
}

/** Problems found in a bundle; empty means it is intact. `trustedKey` pins the expected signer (else the bundled key). */
export function verifyEvidenceBundle(dir: string, trustedKey?: KeyObject): string[] {
  const problems: string[] = [];
  const read = (f: string) => readFileSync(join(dir, f));
  let manifestText: Buffer;
  try {
    manifestText = read('manifest.json');
  } catch {
    return ['manifest.json is missing'];
  }
  const key = trustedKey ?? createPublicKey(read('public-key.pem'));
  if (!verify(null, manifestText, key, Buffer.from(read('manifest.sig').toString('utf8'), 'base64'))) problems.push('manifest.sig does not verify the manifest');
  const manifest = JSON.parse(manifestText.toString('utf8')) as { files: Record<string, string> };
  for (const [file, hash] of Object.entries(manifest.files)) {
    let actual: string;
    try {
      actual = sha256(read(file));
    } catch {
      problems.push(`${file} is missing`);
      continue;
    }
    if (actual !== hash) problems.push(`${file} does not match the manifest (changed after export)`);
  }
  const rows = read('records.jsonl').toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRow);
  for (const [i, r] of rows.entries()) {
    if (rowHash(r.prevHash, r) !== r.hash) problems.push(`record #${r.seq} does not match its hash`);
    const next = rows[i + 1];
    if (next && (next.seq !== r.seq + 1 || next.prevHash !== r.hash)) problems.push(`records #${r.seq} and #${next.seq} are not linked`);
  }
  return problems;
}
