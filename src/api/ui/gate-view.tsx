/**
 * One gate, as an approver must see it before deciding: the intent, the exact statement with its masked parameters,
 * the classification and the rules that asked for approval, the EXPLAIN estimate and the dry run with its masked
 * sample; who has decided so far; and the approve and deny buttons with a comment, or why this person can't decide.
 * After a decision the page shows its result at the top (the script focuses it). Server-rendered only.
 */
import type { SqlCheck } from '../../activities/types.js';
import type { PendingGate } from '../approval-service.js';
import { ago, askedOf, cell, progressText } from './format.js';
import { Layout } from './layout.js';
import { gateHref, runHref } from './links.js';
import { DecisionItem, Facts, RowsTable, StateBadge, Time } from './parts.js';
import type { DecisionFlash } from './register-ui.js';
import type { PageContext } from './render.js';

export interface GateProps {
  readonly ctx: PageContext;
  readonly gate: PendingGate;
  readonly flash?: DecisionFlash;
  readonly now: Date;
}

function resultOf(flash: DecisionFlash, gate: PendingGate): { tone: 'good' | 'bad' | 'wait'; text: string } {
  if ('refused' in flash) return { tone: 'bad', text: `Refused: ${flash.refused.message}` };
  const o = flash.outcome;
  switch (o.status) {
    case 'counted':
      // The gate shown is read after the decision: it may have closed since (someone denied, it expired).
      if (gate.state !== 'pending') return { tone: 'good', text: `Your approval counted. Since then ${gate.ineligibleReason ?? `the gate is ${gate.state}`}.` };
      return { tone: 'good', text: `Your approval counted. The gate still waits for others: ${progressText(gate.progress)}.` };
    case 'quorum_reached':
      return { tone: 'good', text: 'Approved: quorum reached, the run continues.' };
    case 'denied':
      return { tone: 'good', text: 'Denied: the step fails with your reason.' };
    case 'rejected':
      return { tone: 'bad', text: `The run did not count your decision: ${o.reason ?? 'no reason given'}` };
    case 'sent':
      return { tone: 'wait', text: `Your decision was sent; its outcome is not known yet (${o.reason ?? 'no answer'}). Reload this page to see it.` };
  }
}

function Result({ flash, gate }: { flash: DecisionFlash; gate: PendingGate }) {
  const r = resultOf(flash, gate);
  return (
    <div id="result" class={`notice ${r.tone}`} role={r.tone === 'bad' ? 'alert' : 'status'} tabIndex={-1}>
      <p>{r.text}</p>
      <p>
        <a href={runHref(gate.workflowId)}>Follow the run</a> · <a href="/approvals">Back to your approvals</a>
      </p>
    </div>
  );
}

function Statement({ s }: { s: SqlCheck }) {
  return (
    <section aria-labelledby="statement">
      <h2 id="statement">Statement</h2>
      <p>
        On <strong>{s.connection}</strong> ({s.environment}), exactly as it will run:
      </p>
      <pre class="statement">
        <code>{s.statement}</code>
      </pre>
      <h3>Parameters (masked)</h3>
      {s.params.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <ol class="params">
          {s.params.map((p, i) => (
            <li>
              <code>${i + 1}</code> <span class="value">{cell(p)}</span>
            </li>
          ))}
        </ol>
      )}
      <p class="hint">
        Statement hash <code class="hash">{s.statementHash}</code>: your approval is signed for exactly this.
      </p>
    </section>
  );
}

function Classification({ s }: { s: SqlCheck }) {
  const c = s.classification;
  return (
    <section aria-labelledby="classification">
      <h2 id="classification">Classification</h2>
      <Facts
        items={[
          ['Command', c.command],
          ['Class', c.class],
          ['Reads', c.tablesRead.join(', ')],
          ['Writes', c.tablesWritten.join(', ')],
          ['Flags', c.flags.join(', ')],
          ['Decision', s.summary],
        ]}
      />
      <h3>Matched rules</h3>
      {s.rules.length === 0 ? (
        <p class="muted">No rule matched; the environment's default applied.</p>
      ) : (
        <ul class="rules">
          {s.rules.map((r) => (
            <li>
              <code>{r.id}</code> <StateBadge state={r.effect} /> {r.reason}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Impact({ s }: { s: SqlCheck }) {
  const p = s.preview;
  return (
    <section aria-labelledby="impact">
      <h2 id="impact">Impact</h2>
      {!p ? (
        <p class="muted">No preview for this statement.</p>
      ) : (
        <>
          <h3>EXPLAIN</h3>
          <p>
            PostgreSQL estimates about <strong>{p.estimatedRows}</strong> row{p.estimatedRows === 1 ? '' : 's'}. Plan: <code>{p.plan}</code>
          </p>
          <h3>Dry run</h3>
          {p.dryRunError ? (
            <p class="notice bad">The dry run failed: {p.dryRunError}</p>
          ) : p.dryRunRows === undefined ? (
            <p class="muted">{s.classification.class === 'read' ? 'No dry run: a read changes nothing.' : `No dry run: policy does not allow one in ${s.environment}.`}</p>
          ) : (
            <>
              <p>
                The statement changed <strong>{p.dryRunRows}</strong> row{p.dryRunRows === 1 ? '' : 's'} in a transaction that was rolled back. Your approval binds to
                this count: if it changes more beyond the policy's tolerance, it rolls back and asks again.
              </p>
              {p.sample && p.sample.length > 0 ? <RowsTable columns={[]} rows={p.sample} caption="Sample of the changed rows (masked)" /> : null}
            </>
          )}
        </>
      )}
    </section>
  );
}

function Decisions({ gate }: { gate: PendingGate }) {
  return (
    <section aria-labelledby="decisions">
      <h2 id="decisions">Decisions so far</h2>
      {gate.decisions.length === 0 && gate.rejected.length === 0 ? <p class="muted">None yet.</p> : null}
      <ul class="decisions">
        {gate.decisions.map((d) => (
          <DecisionItem decision={d} />
        ))}
        {gate.rejected.map((r) => (
          <li class="rejected">
            <strong>{r.approver}</strong>: not counted, {r.reason} (<Time iso={r.at} />)
          </li>
        ))}
      </ul>
    </section>
  );
}

function Decide({ ctx, gate }: { ctx: PageContext; gate: PendingGate }) {
  if (!gate.eligible) {
    return (
      <section aria-labelledby="decide" id="decide-section">
        <h2 id="decide">Your decision</h2>
        <p class="notice" id="cannot-decide">
          You can't decide this gate: {gate.ineligibleReason}.
        </p>
      </section>
    );
  }
  const href = gateHref(gate);
  return (
    <section aria-labelledby="decide" id="decide-section">
      <h2 id="decide">Your decision</h2>
      <form method="post" action={`${href}/approve`} class="stack" data-enhance="">
        <input type="hidden" name="_csrf" value={ctx.csrf} />
        <label for="comment">Comment</label>
        <p class="hint" id="comment-hint">
          Recorded with your decision, in the run and the audit trail. When you deny, say why: the step fails with it.
        </p>
        <textarea id="comment" name="comment" rows={3} maxLength={2000} aria-describedby="comment-hint" />
        <div class="actions">
          <button type="submit" class="primary" formAction={`${href}/approve`}>
            Approve
          </button>
          <button type="submit" class="danger" formAction={`${href}/deny`}>
            Deny
          </button>
        </div>
      </form>
    </section>
  );
}

export function gatePage({ ctx, gate, flash, now }: GateProps) {
  return (
    <Layout ctx={ctx} title={`${gate.runbook} · ${gate.stepId}`}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/approvals">Approvals</a> › <a href={runHref(gate.workflowId)}>{gate.runbook}</a>
      </nav>
      <h1>
        {gate.runbook} · {gate.stepId}
      </h1>
      <p class="state">
        <StateBadge state={gate.state} /> {gate.state === 'pending' ? `needs ${progressText(gate.progress)}` : (gate.reason ?? '')}
        {gate.eligible ? (
          <>
            {' '}
            · <a href="#decide-section">Go to your decision</a>
          </>
        ) : null}
      </p>
      {flash ? <Result flash={flash} gate={gate} /> : null}
      <section aria-labelledby="asked">
        <h2 id="asked">What is asked</h2>
        <p class="message">{askedOf(gate)}</p>
        <Facts
          items={[
            ['Requested by', gate.requester],
            ['Opened', <><Time iso={gate.openedAt} /> ({ago(gate.openedAt, now)})</>],
            [gate.state === 'pending' ? 'Needs' : 'Needed', progressText(gate.progress)],
            ['Run', <a href={runHref(gate.workflowId)}>{gate.workflowId}</a>],
          ]}
        />
      </section>
      {gate.subject ? (
        <>
          <Statement s={gate.subject} />
          <Classification s={gate.subject} />
          <Impact s={gate.subject} />
        </>
      ) : null}
      <Decisions gate={gate} />
      <Decide ctx={ctx} gate={gate} />
    </Layout>
  );
}
