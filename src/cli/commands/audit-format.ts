/**
 * How `vigil audit` prints for people: plain-text tables that fit a terminal, cells cut with an ellipsis rather than
 * wrapped. Pure: returns strings; `--json` output never passes through here.
 */
import { isGateRejection, type AttemptRow, type AuditRow, type EventRow, type OutcomeRow } from '../../audit/types.js';

/** Columns padded to their widest cell; a cell longer than its column's limit is cut with `…`. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], limits: readonly number[] = []): string {
  const cut = (text: string, i: number) => {
    const flat = text.replace(/\s+/g, ' ').trim();
    const max = limits[i] ?? 1_000;
    return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  };
  const cells = [headers.map((h, i) => cut(h, i)), ...rows.map((r) => headers.map((_, i) => cut(r[i] ?? '', i)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

/** `2026-01-31 12:00:00Z` from an ISO time: seconds are enough to read, the record keeps milliseconds. */
export function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function shortHash(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : hash;
}

function what(r: AttemptRow | EventRow): string {
  const a = r.record;
  const target = a.columnsWritten.length > 0 ? a.columnsWritten.join(', ') : [...a.tablesWritten, ...a.tablesRead].join(', ');
  return `${a.command}${target ? ` ${target}` : ''} on ${a.connection}`;
}

function outcomeText(o: OutcomeRow['record'] | undefined): string {
  if (!o) return 'no outcome yet';
  if (o.status === 'succeeded') return `succeeded${o.rows !== null ? `, ${o.rows} row${o.rows === 1 ? '' : 's'}` : ''}`;
  return `${o.status}${o.errorCode ? ` ${o.errorCode}` : ''}`;
}

function decisionText(r: AttemptRow | EventRow): string {
  const rules = r.record.decision.rules.map((x) => (typeof x === 'string' ? x : x.id));
  return `${r.record.decision.effect}${rules.length ? ` (${rules.join(', ')})` : ''}`;
}

/** The search result as a table: who, what, why, under which decision, approved by whom, with what outcome. */
export function searchTable(rows: readonly AuditRow[]): string {
  const attempts = new Set(rows.filter((r) => r.kind === 'attempt').map((r) => r.id));
  const body: string[][] = [];
  for (const r of rows) {
    if (r.kind === 'outcome') {
      // Shown beside its attempt when the attempt is in the result.
      if (attempts.has(r.record.attemptId)) continue;
      body.push([`#${r.seq}`, shortTime(r.at), 'outcome', '', `of attempt ${r.record.attemptId}`, '', '', '', outcomeText(r.record)]);
      continue;
    }
    if (isGateRejection(r)) {
      const x = r.record;
      body.push([`#${r.seq}`, shortTime(r.at), r.kind, x.approver, `${x.decision} at gate ${x.gateId} of ${x.workflowId}`, '', '', '-', `rejected: ${x.reason}`]);
      continue;
    }
    const a = r.record;
    const approvals = a.approvals.map((x) => `${x.approver}${x.group ? ` (${x.group})` : ''}`).join(', ');
    const result =
      r.kind === 'attempt' ? outcomeText(r.outcome?.record)
      : r.kind === 'denial' ? `denied: ${r.record.reason}`
      : r.kind === 'approval_rejected' ? `approval by ${r.record.approver ?? '?'} rejected: ${r.record.reason}`
      : `unmasked ${(r.record.columns ?? []).join(', ')}: ${r.record.reason}`;
    body.push([`#${r.seq}`, shortTime(r.at), r.kind, a.principalChain, what(r), a.intent, decisionText(r), approvals || '-', result]);
  }
  return formatTable(['SEQ', 'AT', 'KIND', 'WHO', 'WHAT', 'WHY', 'DECISION', 'APPROVED BY', 'RESULT'], body, [9, 20, 17, 32, 36, 40, 26, 24, 40]);
}

/** Every field, one record at a time, for `--long`. */
export function searchCards(rows: readonly AuditRow[]): string {
  const out: string[] = [];
  for (const r of rows) {
    out.push(`#${r.seq}  ${r.at}  ${r.kind}  ${r.id}`);
    if (r.kind === 'outcome') {
      out.push(`  outcome of ${r.record.attemptId}: ${outcomeText(r.record)}${r.record.errorMessage ? ` (${r.record.errorMessage})` : ''}, ${r.record.durationMs} ms`);
    } else if (isGateRejection(r)) {
      const x = r.record;
      out.push(`  rejected:  ${x.decision} by ${x.approver} at gate ${x.gateId} of ${x.workflowId}, claimed ${x.claimedAt}: ${x.reason}`);
    } else {
      const a = r.record;
      out.push(`  who:       ${a.principalChain}${a.onBehalfOf ? ` (on behalf of ${a.onBehalfOf})` : ''}`);
      out.push(`  run:       ${a.runbook}/${a.stepId}  workflow ${a.workflowId}  run ${a.runId}`);
      out.push(`  why:       ${a.intent}`);
      out.push(`  what:      ${a.command} on ${a.connection} (${a.environment}), class ${a.statementClass}${a.flags.length ? `, flags ${a.flags.join(', ')}` : ''}`);
      out.push(`  statement: ${a.statement.replace(/\s+/g, ' ').trim()}`);
      out.push(`  params:    ${JSON.stringify(a.params)}`);
      if (a.tablesWritten.length) out.push(`  wrote:     ${a.columnsWritten.length ? a.columnsWritten.join(', ') : a.tablesWritten.join(', ')}`);
      out.push(`  decision:  ${a.decision.summary}`);
      for (const rule of a.decision.rules) if (typeof rule !== 'string') out.push(`    rule ${rule.id}${rule.effect ? ` (${rule.effect})` : ''}${rule.reason ? `: ${rule.reason}` : ''}`);
      for (const x of a.approvals) out.push(`  approved:  ${x.approver}${x.group ? ` (${x.group})` : ''} at ${x.at}`);
      if (r.kind === 'attempt') out.push(`  outcome:   ${outcomeText(r.outcome?.record)}${r.outcome?.record.errorMessage ? ` (${r.outcome.record.errorMessage})` : ''}`);
      else out.push(`  ${r.kind}: ${r.record.reason}${r.record.code ? ` [${r.record.code}]` : ''}${r.record.approver ? ` (approver ${r.record.approver})` : ''}${r.record.columns ? ` (columns ${r.record.columns.join(', ')})` : ''}`);
      if (a.maskingExemption) out.push(`  unmasked:  ${a.maskingExemption.columns.join(', ')} under exemption ${a.maskingExemption.id}: ${a.maskingExemption.reason}`);
      if (a.traceId) out.push(`  trace:     ${a.traceId}${a.spanId ? ` span ${a.spanId}` : ''}`);
    }
    out.push(`  hash:      ${r.hash} (prev ${shortHash(r.prevHash)})`, '');
  }
  return out.join('\n');
}
