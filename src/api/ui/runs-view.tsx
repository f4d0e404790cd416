/**
 * The runs list: status, runbook, trigger and principal of each run, newest first, with a filter form that is a
 * plain GET (so a filtered list is a link one can share). Server-rendered only.
 */
import { RUN_STATUSES, type RunFilter } from '../run-query.js';
import type { RunSummary } from '../run-service.js';
import { ago } from './format.js';
import { Layout } from './layout.js';
import { runHref } from './links.js';
import { StateBadge, Td, Time } from './parts.js';
import type { PageContext } from './render.js';

export interface RunsProps {
  readonly ctx: PageContext;
  readonly filter: RunFilter;
  readonly runs: readonly RunSummary[] | undefined;
  readonly error?: string;
  readonly now: Date;
}

function TextFilter({ name, label, value, hint }: { name: string; label: string; value: string | undefined; hint?: string }) {
  return (
    <div class="field">
      <label for={`f-${name}`}>{label}</label>
      <input id={`f-${name}`} name={name} type="text" value={value ?? ''} placeholder={hint} autoCapitalize="off" spellcheck={false} />
    </div>
  );
}

export function runsPage({ ctx, filter, runs, error, now }: RunsProps) {
  return (
    <Layout ctx={ctx} title="Runs">
      <h1>Runs</h1>
      <form method="get" action="/runs" class="filters" role="search" aria-label="Filter runs">
        <div class="field">
          <label for="f-status">Status</label>
          <select id="f-status" name="status">
            <option value="" selected={!filter.status}>
              any
            </option>
            {RUN_STATUSES.map((s) => (
              <option value={s} selected={filter.status === s}>
                {s === 'waiting' ? 'waiting for approval' : s.replace('_', ' ')}
              </option>
            ))}
          </select>
        </div>
        <TextFilter name="runbook" label="Runbook" value={filter.runbook} hint="stuck-payment-jobs" />
        <TextFilter name="principal" label="Principal" value={filter.principal} hint="alice" />
        <TextFilter name="trigger" label="Trigger" value={filter.trigger} hint="alertmanager, cli" />
        <div class="field submit">
          <button type="submit">Filter</button>
        </div>
      </form>
      {error ? (
        <p class="notice bad" role="alert">
          {error}
        </p>
      ) : null}
      {runs && runs.length === 0 ? <p class="muted">No runs match.</p> : null}
      {runs && runs.length > 0 ? (
        <table class="list">
          <caption>{`${runs.length} run${runs.length === 1 ? '' : 's'}, newest first`}</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
              <th scope="col">Trigger</th>
              <th scope="col">Principal</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr>
                <Td label="Run">
                  <a href={runHref(r.workflowId)}>{r.runbook}</a>
                  <div class="muted small id">{r.workflowId}</div>
                </Td>
                <Td label="Status">
                  <StateBadge state={r.status} />
                </Td>
                <Td label="Trigger">{r.trigger}</Td>
                <Td label="Principal">{r.principal}</Td>
                <Td label="Started">
                  <Time iso={r.startedAt} /> <span class="muted">({ago(r.startedAt, now)})</span>
                </Td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Layout>
  );
}
