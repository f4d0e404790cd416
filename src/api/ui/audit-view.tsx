/**
 * Audit search: the filters of `vigil audit search`, the matching records newest first (who, what, why, decision,
 * approvers, outcome), each linked to its run, and the evidence bundle of the filtered time range to download.
 * Server-rendered only.
 */
import { AUDIT_KINDS, isGateRejection, type AttemptRow, type AuditRow, type EventRow } from '../../audit/types.js';
import { auditQueryString, EFFECTS, type AuditQuery } from '../audit-filter.js';
import { cell } from './format.js';
import { Layout } from './layout.js';
import { StateBadge, Td, Time } from './parts.js';
import type { PageContext } from './render.js';
import { runHref } from './links.js';

export interface AuditProps {
  readonly ctx: PageContext;
  readonly query: AuditQuery;
  /** Undefined before the first search, or when it failed. */
  readonly rows: readonly AuditRow[] | undefined;
  readonly error?: string;
  readonly available: boolean;
}

function TextFilter({ name, label, q, hint, numeric }: { name: keyof AuditQuery; label: string; q: AuditQuery; hint?: string; numeric?: boolean }) {
  return (
    <div class="field">
      <label for={`a-${name}`}>{label}</label>
      <input id={`a-${name}`} name={name} type="text" inputMode={numeric ? 'numeric' : undefined} value={q[name] ?? ''} placeholder={hint} autoCapitalize="off" spellcheck={false} />
    </div>
  );
}

function Select({ name, label, q, options }: { name: keyof AuditQuery; label: string; q: AuditQuery; options: readonly string[] }) {
  return (
    <div class="field">
      <label for={`a-${name}`}>{label}</label>
      <select id={`a-${name}`} name={name}>
        <option value="" selected={!q[name]}>
          any
        </option>
        {options.map((o) => (
          <option value={o} selected={q[name] === o}>
            {o.replaceAll('_', ' ')}
          </option>
        ))}
      </select>
    </div>
  );
}

function outcomeText(r: AttemptRow): string {
  const o = r.outcome?.record;
  if (!o) return 'no outcome yet';
  if (o.status === 'succeeded') return `succeeded${o.rows !== null ? `, ${o.rows} row${o.rows === 1 ? '' : 's'}` : ''}`;
  return `${o.status}${o.errorCode ? ` ${o.errorCode}` : ''}${o.errorMessage ? `: ${o.errorMessage}` : ''}`;
}

function RunLink({ workflowId }: { workflowId: string }) {
  return (
    <a href={runHref(workflowId)} class="id">
      {workflowId}
    </a>
  );
}

function Record({ r }: { r: AuditRow }) {
  return (
    <Td label="Record">
      <span class="nowrap">#{r.seq}</span> <StateBadge state={r.kind} />
      <div class="small nowrap">
        <Time iso={r.at} />
      </div>
    </Td>
  );
}

function Row({ r }: { r: AuditRow }) {
  if (r.kind === 'outcome') {
    return (
      <tr>
        <Record r={r} />
        <Td label="Who" />
        <Td label="What">
          of attempt <code class="id">{r.record.attemptId}</code>
        </Td>
        <Td label="Why" />
        <Td label="Decision" />
        <Td label="Approved by" />
        <Td label="Result">{r.record.status}</Td>
      </tr>
    );
  }
  if (isGateRejection(r)) {
    const x = r.record;
    return (
      <tr>
        <Record r={r} />
        <Td label="Who">{x.approver}</Td>
        <Td label="What">
          {x.decision} at gate {x.gateId} of <RunLink workflowId={x.workflowId} />
        </Td>
        <Td label="Why" />
        <Td label="Decision" />
        <Td label="Approved by" />
        <Td label="Result">rejected: {x.reason}</Td>
      </tr>
    );
  }
  const e = r as AttemptRow | EventRow;
  const a = e.record;
  const target = a.columnsWritten.length > 0 ? a.columnsWritten.join(', ') : [...a.tablesWritten, ...a.tablesRead].join(', ');
  const rules = a.decision.rules.map((x) => (typeof x === 'string' ? x : x.id));
  const result =
    e.kind === 'attempt' ? outcomeText(e)
    : e.kind === 'denial' ? `denied: ${e.record.reason}`
    : e.kind === 'approval_rejected' ? `approval by ${e.record.approver ?? '?'} rejected: ${e.record.reason}`
    : `unmasked ${(e.record.columns ?? []).join(', ')}: ${e.record.reason}`;
  return (
    <tr>
      <Record r={r} />
      <Td label="Who">{a.principalChain}</Td>
      <Td label="What">
        <div>
          {a.command} {target} on {a.connection} ({a.environment})
        </div>
        <code class="statement-inline">{a.statement}</code>
        {a.params.length > 0 ? <div class="muted small">params (masked): {a.params.map(cell).join(', ')}</div> : null}
        <div class="small">
          run <RunLink workflowId={a.workflowId} />, step {a.stepId}
        </div>
      </Td>
      <Td label="Why">{a.intent}</Td>
      <Td label="Decision">
        <StateBadge state={String(a.decision.effect)} />
        {rules.length > 0 ? <div class="small">{rules.join(', ')}</div> : null}
      </Td>
      <Td label="Approved by">{a.approvals.map((x) => `${x.approver}${x.group ? ` (${x.group})` : ''}`).join(', ') || '-'}</Td>
      <Td label="Result">{result}</Td>
    </tr>
  );
}

export function auditPage({ ctx, query, rows, error, available }: AuditProps) {
  const range = query.from || query.to ? `${query.from ?? 'the beginning'} to ${query.to ?? 'now'}` : 'the whole trail';
  return (
    <Layout ctx={ctx} title="Audit" wide>
      <h1>Audit</h1>
      {!available ? (
        <p class="notice bad" role="alert">
          <code>VIGIL_E_AUDIT_UNAVAILABLE</code> This server has no audit database: start it with <code>VIGIL_DATABASE_URL</code> (or <code>DATABASE_URL</code>) set.
        </p>
      ) : null}
      <form method="get" action="/audit" class="filters" role="search" aria-label="Search the audit trail">
        <TextFilter name="column" label="Column" q={query} hint="customers.email" />
        <TextFilter name="table" label="Table" q={query} hint="payment_jobs" />
        <TextFilter name="principal" label="Principal" q={query} hint="alice, human:alice" />
        <TextFilter name="runbook" label="Runbook" q={query} />
        <TextFilter name="run" label="Run (workflow id)" q={query} />
        <Select name="decision" label="Decision" q={query} options={EFFECTS} />
        <Select name="kind" label="Kind" q={query} options={AUDIT_KINDS} />
        <TextFilter name="from" label="From" q={query} hint="2026-11-01" />
        <TextFilter name="to" label="To" q={query} hint="2026-11-30T23:59:59Z" />
        <TextFilter name="text" label="Text (intent or statement)" q={query} />
        <TextFilter name="limit" label="At most" q={query} hint="100" numeric />
        <div class="field submit">
          <button type="submit" class="primary">
            Search
          </button>
        </div>
      </form>
      {error ? (
        <p class="notice bad" role="alert">
          {error}
        </p>
      ) : null}
      {available ? (
        <p class="export">
          <a class="button" href={`/audit/export${auditQueryString(query, ['from', 'to'])}`} download="">
            Download evidence for {range} (.tar.gz)
          </a>
          <span class="hint">
            {' '}
            A signed bundle of every record in that time range (other filters don't narrow it: it is an unbroken piece of the chain). Check it with{' '}
            <code>vigil audit verify-bundle</code>.
          </span>
        </p>
      ) : null}
      {rows && rows.length === 0 ? <p class="muted">No audit records match.</p> : null}
      {rows && rows.length > 0 ? (
        <table class="list audit">
          <caption>{`${rows.length} record${rows.length === 1 ? '' : 's'}, newest first`}</caption>
          <thead>
            <tr>
              <th scope="col">Record</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Why</th>
              <th scope="col">Decision</th>
              <th scope="col">Approved by</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {rows
              .filter((r) => r.kind !== 'outcome' || !rows.some((a) => a.kind === 'attempt' && a.id === r.record.attemptId))
              .map((r) => (
                <Row r={r} />
              ))}
          </tbody>
        </table>
      ) : null}
    </Layout>
  );
}
