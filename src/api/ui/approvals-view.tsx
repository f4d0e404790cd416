/**
 * The approvals inbox: the open gates the signed-in person may decide, oldest first, each with its age, runbook,
 * requester chain and what it still needs; then, folded away, the open gates they can't decide and why.
 * Server-rendered only.
 */
import type { PendingGate } from '../approval-service.js';
import { age, askedOf, progressText, utc } from './format.js';
import { gateHref } from './links.js';
import { Layout } from './layout.js';
import type { PageContext } from './render.js';

export interface InboxProps {
  readonly ctx: PageContext;
  readonly gates: readonly PendingGate[];
  readonly now: Date;
}

function GateCard({ gate, now }: { gate: PendingGate; now: Date }) {
  return (
    <li class="card">
      <h3>
        <a href={gateHref(gate)}>
          {gate.runbook} · {gate.stepId}
        </a>
      </h3>
      <p class="message">{askedOf(gate)}</p>
      {gate.subject ? <pre class="statement short"><code>{gate.subject.statement}</code></pre> : null}
      <dl class="facts compact">
        <div>
          <dt>Waiting</dt>
          <dd>
            <time dateTime={gate.openedAt} title={utc(gate.openedAt)}>
              {age(gate.openedAt, now)}
            </time>
          </dd>
        </div>
        <div>
          <dt>Requested by</dt>
          <dd>{gate.requester}</dd>
        </div>
        <div>
          <dt>Needs</dt>
          <dd>{progressText(gate.progress)}</dd>
        </div>
        {gate.eligible ? null : (
          <div>
            <dt>You can't decide</dt>
            <dd>{gate.ineligibleReason}</dd>
          </div>
        )}
      </dl>
    </li>
  );
}

export function inboxPage({ ctx, gates, now }: InboxProps) {
  const mine = gates.filter((g) => g.eligible);
  const others = gates.filter((g) => !g.eligible);
  return (
    <Layout ctx={ctx} title="Approvals">
      <h1>Approvals</h1>
      <section aria-labelledby="mine">
        <h2 id="mine">
          {mine.length === 0 ? 'Nothing waits for you' : `${mine.length} ${mine.length === 1 ? 'gate waits' : 'gates wait'} for you`}
        </h2>
        {mine.length > 0 ? (
          <ol class="cards">
            {mine.map((g) => (
              <GateCard gate={g} now={now} />
            ))}
          </ol>
        ) : (
          <p class="muted">When a run needs your approval it appears here, oldest first.</p>
        )}
      </section>
      {others.length > 0 ? (
        <details class="others">
          <summary>
            {others.length} other open {others.length === 1 ? 'gate' : 'gates'} you can't decide
          </summary>
          <ol class="cards">
            {others.map((g) => (
              <GateCard gate={g} now={now} />
            ))}
          </ol>
        </details>
      ) : null}
    </Layout>
  );
}
