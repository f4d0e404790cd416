/**
 * One run's timeline: each step with its status, timing and policy decision, its masked SQL output, the run's gates
 * with who decided what, and where to look further (the Temporal UI, the trace, the audit records). While the run
 * is running the page asks the script to refresh it in place. Server-rendered only.
 */
import type { GateView } from '../../workflows/approval-gate.js';
import type { RunTimeline, TimelineStep } from '../run-service.js';
import { ago, cell, duration } from './format.js';
import { Layout } from './layout.js';
import { gateHref } from './links.js';
import { DecisionItem, Facts, RowsTable, StateBadge, Time } from './parts.js';
import type { PageContext } from './render.js';

export interface RunProps {
  readonly ctx: PageContext;
  readonly run: RunTimeline;
  readonly now: Date;
}

/** How often a running run's page refreshes itself. */
export const RUN_REFRESH_MS = 2_000;

function Step({ step }: { step: TimelineStep }) {
  return (
    <li class={`step state-${step.state}`} id={`step-${step.id}`}>
      <div class="step-head">
        <h3>
          {step.name}
          {step.name !== step.id ? <span class="muted"> ({step.id})</span> : null}
        </h3>
        <StateBadge state={step.state} />
      </div>
      <Facts
        items={[
          ['Kind', step.kind],
          ['Started', step.startedAt ? <Time iso={step.startedAt} /> : undefined],
          ['Took', step.durationMs !== undefined ? duration(step.durationMs) : undefined],
          ['Decision', step.decision],
          ['Result', step.summary],
        ]}
      />
      {step.error ? (
        <p class="notice bad">
          <code>{step.error.code}</code> {step.error.message}
        </p>
      ) : null}
      {step.output && step.output.rows.length > 0 ? (
        <>
          <RowsTable
            columns={step.output.columns}
            rows={step.output.rows}
            caption={`Output, masked: ${step.output.rows.length} of ${step.output.rowCount} row${step.output.rowCount === 1 ? '' : 's'}${step.output.truncated ? ' (cut)' : ''}`}
          />
          {step.output.masked.length > 0 ? <p class="hint">Masked: {step.output.masked.join('; ')}</p> : null}
        </>
      ) : null}
    </li>
  );
}

function Gate({ gate, workflowId }: { gate: GateView; workflowId: string }) {
  return (
    <li class="card">
      <div class="step-head">
        <h3>
          <a href={gateHref({ workflowId, gateId: gate.gateId })}>{gate.gateId}</a>
        </h3>
        <StateBadge state={gate.state} />
      </div>
      <p class="message">{gate.message}</p>
      <Facts items={[['Needed', gate.required.map((r) => `${r.count} ${r.group}`).join(', ')], ['Requested by', gate.requester], ['Closed', gate.reason]]} />
      <ul class="decisions">
        {gate.decisions.map((d) => (
          <DecisionItem decision={d} />
        ))}
        {gate.rejected.map((r) => (
          <li class="rejected">
            <strong>{r.approver}</strong>: not counted, {r.reason}
          </li>
        ))}
      </ul>
    </li>
  );
}

export function runPage({ ctx, run, now }: RunProps) {
  const live = run.status === 'running' || run.status === 'waiting';
  return (
    <Layout ctx={ctx} title={`${run.runbook} run`} refreshMs={live ? RUN_REFRESH_MS : undefined}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/runs">Runs</a> › {run.runbook}
      </nav>
      <h1>{run.runbook}</h1>
      <p class="state" role="status" aria-live="polite" id="run-status">
        <StateBadge state={run.status} /> {live ? `started ${ago(run.startedAt, now)}` : run.closedAt ? `ended ${ago(run.closedAt, now)}` : ''}
      </p>
      {run.failure ? (
        <p class="notice bad" id="run-failure">
          <code>{run.failure.code}</code> {run.failure.message}
        </p>
      ) : null}
      {run.unavailable ? <p class="notice">{run.unavailable}</p> : null}
      {run.gates
        .filter((g) => g.state === 'pending')
        .map((g) => (
          <p class="notice wait">
            Waiting for approval at <a href={gateHref({ workflowId: run.workflowId, gateId: g.gateId })}>{g.gateId}</a>: {g.message}
          </p>
        ))}
      <Facts
        items={[
          ['Workflow id', <code class="id">{run.workflowId}</code>],
          ['Run id', <code class="id">{run.runId}</code>],
          ['Principal', run.principalChain],
          ['Trigger', `${run.trigger}${run.triggerId ? ` (${run.triggerId})` : ''}`],
          ['Started', <Time iso={run.startedAt} />],
          ['Ended', run.closedAt ? <Time iso={run.closedAt} /> : undefined],
          ['Trace id', run.traceId ? run.traceUrl ? <a href={run.traceUrl}><code class="id">{run.traceId}</code></a> : <code class="id">{run.traceId}</code> : undefined],
        ]}
      />
      <p class="links">
        {run.temporalUrl ? (
          <a href={run.temporalUrl} rel="noreferrer">
            Open in the Temporal UI
          </a>
        ) : null}
        <a href={`/audit?run=${encodeURIComponent(run.workflowId)}`}>Audit records of this run</a>
      </p>
      <section aria-labelledby="steps">
        <h2 id="steps">Steps</h2>
        {run.steps.length === 0 ? <p class="muted">No step has started yet.</p> : null}
        <ol class="timeline">
          {run.steps.map((s) => (
            <Step step={s} />
          ))}
        </ol>
      </section>
      {run.gates.length > 0 ? (
        <section aria-labelledby="gates">
          <h2 id="gates">Gates</h2>
          <ul class="cards">
            {run.gates.map((g) => (
              <Gate gate={g} workflowId={run.workflowId} />
            ))}
          </ul>
        </section>
      ) : null}
      {run.outputs && Object.keys(run.outputs).length > 0 ? (
        <section aria-labelledby="outputs">
          <h2 id="outputs">Outputs</h2>
          <Facts items={Object.entries(run.outputs).map(([k, v]) => [k, <code>{cell(v)}</code>] as const)} />
        </section>
      ) : null}
    </Layout>
  );
}
