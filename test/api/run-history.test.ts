/** What the run timeline reads from a recorded history: who and how, the trace, each SQL step's masked output, the end. */
import { readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect, it } from 'vitest';
import { MAX_ROWS_SHOWN, readRunHistory } from '../../src/api/run-history.js';

const history = (name: string) => historyFromJSON(JSON.parse(readFileSync(`test/fixtures/histories/${name}.json`, 'utf8')));

describe('readRunHistory', () => {
  it('reads the start, the trace id, the SQL output per step and the result of a completed run', () => {
    const facts = readRunHistory(history('hello-db'));
    expect(facts).toMatchObject({ runbook: 'hello-db', principalChain: 'human:alice', triggerSource: 'test', traceId: 'b387a0a057cddfc9fe5d5834d30cc8f5' });
    expect(facts.result?.steps.map((s) => [s.id, s.state])).toEqual([['open_orders', 'succeeded']]);
    const out = facts.outputs.get('open_orders');
    expect(out?.columns).toEqual(['id', 'status', 'total_cents', 'created_at']);
    expect(out?.rowCount).toBe(5);
    expect(out?.rows).toHaveLength(5);
    expect(out?.truncated).toBe(false);
    expect(facts.failure).toBeUndefined();
  });

  it('reads the failure code and message of a failed run, and no output for steps that ran no SQL', () => {
    const facts = readRunHistory(history('approval-expiry'));
    expect(facts.failure).toEqual({ code: 'VIGIL_E_APPROVAL_EXPIRED', message: 'step gate failed: no decision within 1000ms (escalated once)' });
    expect(facts.result).toBeUndefined();
    expect(facts.outputs.size).toBe(0);
  });

  it('reads a run recorded when the policy check was still an activity', () => {
    const facts = readRunHistory(history('hello-db-sql-check-activity'));
    expect(facts.outputs.get('open_orders')?.rowCount).toBe(5);
    expect(facts.traceId).toBe('ea135e0b79e36b5b17fc8b088973c7ce');
  });

  it('takes outputs only from the governed SQL activity, never from http or notify results', () => {
    const facts = readRunHistory(history('step-kinds'));
    expect([...facts.outputs.keys()]).toEqual(['flags']);
  });

  it(`shows at most ${MAX_ROWS_SHOWN} rows of a step and says it cut them`, () => {
    const h = history('hello-db');
    const scheduled = h.events?.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'executeGovernedSql');
    const completed = h.events?.find((e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === scheduled?.eventId?.toString());
    const payload = completed?.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
    if (!payload) throw new Error('fixture changed: no executeGovernedSql result');
    const output = JSON.parse(Buffer.from(payload.data as Uint8Array).toString('utf8'));
    output.rows = Array.from({ length: MAX_ROWS_SHOWN + 5 }, (_, i) => ({ id: String(i) }));
    output.row_count = output.rows.length;
    payload.data = Buffer.from(JSON.stringify(output));
    const out = readRunHistory(h).outputs.get('open_orders');
    expect(out?.rows).toHaveLength(MAX_ROWS_SHOWN);
    expect(out?.rowCount).toBe(MAX_ROWS_SHOWN + 5);
    expect(out?.truncated).toBe(true);
  });
});
