/**
 * Small pieces several pages share: a state badge that says its state in words (never by colour alone), a time with
 * its machine-readable value, and a table of masked rows. Server-rendered only.
 */
import type { ComponentChildren } from 'preact';
import type { GateDecisionRecord } from '../../workflows/approval-gate.js';
import { cell, utc } from './format.js';

const STATE_LABEL: Record<string, string> = {
  waiting: 'waiting for approval',
  waiting_approval: 'waiting for approval',
  timed_out: 'timed out',
  rolled_back: 'rolled back',
  require_approval: 'requires approval',
  quorum_reached: 'quorum reached',
};

/** Badge colours group states: good, bad, waiting, neutral. */
const TONE: Record<string, string> = {
  succeeded: 'good', completed: 'good', approved: 'good', allow: 'good', counted: 'good', quorum_reached: 'good',
  failed: 'bad', denied: 'bad', deny: 'bad', expired: 'bad', terminated: 'bad', timed_out: 'bad', rejected: 'bad', rolled_back: 'bad',
  waiting: 'wait', waiting_approval: 'wait', pending: 'wait', running: 'wait', require_approval: 'wait',
};

export function StateBadge({ state }: { state: string }) {
  return <span class={`badge tone-${TONE[state] ?? 'neutral'}`}>{STATE_LABEL[state] ?? state.replaceAll('_', ' ')}</span>;
}

export function Time({ iso }: { iso: string | undefined }) {
  if (!iso) return null;
  return <time dateTime={iso}>{utc(iso)}</time>;
}

export function RowsTable({ columns, rows, caption }: { columns: readonly string[]; rows: readonly Record<string, unknown>[]; caption: string }) {
  const cols = columns.length > 0 ? columns : [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <div class="scroll" role="region" aria-label={caption} tabIndex={0}>
      <table class="rows">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {cols.map((c) => (
              <th scope="col">{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              {cols.map((c) => (
                <td>{cell(r[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A cell of a list table. On a phone the table turns into one block per row, each cell a label (from data-label)
 * beside its content; the wrapper keeps the content together in the second column.
 */
export function Td({ label, children }: { label: string; children?: ComponentChildren }) {
  return (
    <td data-label={label}>
      <div class="cell">{children}</div>
    </td>
  );
}

/** A definition list from pairs, skipping empty values. */
export function Facts({ items }: { items: readonly (readonly [string, ComponentChildren])[] }) {
  return (
    <dl class="facts">
      {items
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(([k, v]) => (
          <div>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
    </dl>
  );
}

/** One approver's decision on a gate, as the gate page and the run page list it. */
export function DecisionItem({ decision: d }: { decision: GateDecisionRecord }) {
  return (
    <li>
      <strong>{d.approver}</strong> {d.decision === 'approve' ? 'approved' : 'denied'}
      {d.group ? ` (for ${d.group})` : ''} at <Time iso={d.at} />
      {d.comment ? <blockquote>{d.comment}</blockquote> : null}
    </li>
  );
}
