/** The runs filter becomes a visibility query over Vigil's search attributes; a value that needs quoting is refused. */
import { describe, expect, it } from 'vitest';
import { MAX_RUN_LIMIT, runListLimit, runListQuery } from '../../src/api/run-query.js';
import { VigilError } from '../../src/shared/vigil-error.js';

describe('runListQuery', () => {
  it('lists only runbook runs when nothing is filtered, and ignores empty form fields', () => {
    expect(runListQuery({})).toBe("WorkflowType = 'runbookWorkflow'");
    expect(runListQuery({ status: '', runbook: ' ', principal: '', trigger: '' })).toBe("WorkflowType = 'runbookWorkflow'");
  });

  it.each([
    [{ runbook: 'stuck-payment-jobs' }, "VigilRunbook = 'stuck-payment-jobs'"],
    [{ principal: 'alice' }, "VigilPrincipal = 'alice'"],
    [{ trigger: 'alertmanager' }, "VigilTrigger = 'alertmanager'"],
    [{ status: 'failed' }, "ExecutionStatus = 'Failed'"],
    [{ status: 'cancelled' }, "ExecutionStatus = 'Canceled'"],
    [{ status: 'timed_out' }, "ExecutionStatus = 'TimedOut'"],
    [{ status: 'waiting' }, "ExecutionStatus = 'Running' AND VigilPendingApproval = true"],
  ])('%j adds %s', (filter, clause) => {
    expect(runListQuery(filter)).toBe(`WorkflowType = 'runbookWorkflow' AND ${clause}`);
  });

  it.each([["x' OR WorkflowType != 'y"], ['a b'], ['\\'], ['"quoted"'], ['x'.repeat(201)]])('refuses %s instead of quoting it', (runbook) => {
    expect(() => runListQuery({ runbook })).toThrow(VigilError);
    expect(() => runListQuery({ principal: runbook })).toThrow(/is not a name/);
  });

  it('refuses an unknown status and names the known ones', () => {
    expect(() => runListQuery({ status: 'done' })).toThrow(/status wants one of running, waiting, completed, failed/);
  });

  it('caps the limit and refuses nonsense', () => {
    expect(runListLimit(undefined)).toBe(50);
    expect(runListLimit(10_000)).toBe(MAX_RUN_LIMIT);
    expect(() => runListLimit(0)).toThrow(/whole number/);
    expect(() => runListLimit(1.5)).toThrow(/whole number/);
  });
});
