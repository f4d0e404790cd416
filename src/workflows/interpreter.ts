/**
 * Walks a Plan inside the workflow. Runs in the Temporal sandbox: no I/O, no randomness, no config;
 * everything external happens in activities, which this file knows only as types.
 * The switch on `step.kind` is exhaustive: a new step kind that is not handled here fails the type check.
 */
import { ActivityFailure, ApplicationFailure, condition, proxyActivities, sleep, type ActivityOptions } from '@temporalio/workflow';
import type { VigilActivities } from '../activities/types.js';
import { evaluateCel } from '../expressions/cel.js';
import { evaluateCondition, renderTemplate, type ExpressionContext } from '../expressions/render-template.js';
import type { ApprovalStep, OnError, StepNode, Template } from '../runbook/plan.js';
import { ApprovalGate } from './approval-gate.js';
import type { RunbookWorkflowInput, RunStatus, StepStatus } from './types.js';

const DEFAULT_STEP_TIMEOUT_MS = 60_000;

export interface RunIdentity {
  readonly workflowId: string;
  readonly runId: string;
}

/** A step failure the runbook can handle (`on_error`), carrying Vigil's error code. */
class StepFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class Interpreter {
  constructor(
    private readonly input: RunbookWorkflowInput,
    private readonly run: RunIdentity,
    private readonly status: RunStatus,
    private readonly gates: Map<string, ApprovalGate>,
  ) {}

  async runSteps(steps: readonly StepNode[], context: ExpressionContext, suffix = ''): Promise<void> {
    for (const step of steps) await this.runStep(step, context, suffix);
  }

  private async runStep(step: StepNode, context: ExpressionContext, suffix: string): Promise<void> {
    const label = `${step.id}${suffix}`;
    const record = this.track(step, label);
    const outputs = context.steps as Record<string, unknown>;

    if (step.when !== undefined && !this.condition(step.when, context, label)) {
      record.state = 'skipped';
      outputs[step.id] = { status: 'skipped' };
      return;
    }
    record.state = 'running';
    record.startedAt = now();
    try {
      const output = await this.execute(step, context, suffix, record);
      outputs[step.id] = { status: 'succeeded', ...output };
      record.state = 'succeeded';
    } catch (error) {
      const failure = asStepFailure(error);
      record.state = 'failed';
      record.error = { code: failure.code, message: failure.message };
      outputs[step.id] = { status: 'failed', error: record.error };
      await this.handleError(step.onError, failure, context, suffix, label);
    } finally {
      record.endedAt = now();
    }
  }

  private async handleError(onError: OnError, failure: StepFailed, context: ExpressionContext, suffix: string, label: string): Promise<void> {
    switch (onError.kind) {
      case 'continue':
        return;
      case 'compensate':
        await this.runSteps(onError.steps, context, suffix);
        throw ApplicationFailure.create({ type: failure.code, message: `step ${label} failed (compensated): ${failure.message}`, nonRetryable: true });
      case 'fail':
        throw ApplicationFailure.create({ type: failure.code, message: `step ${label} failed: ${failure.message}`, nonRetryable: true });
    }
  }

  private async execute(step: StepNode, context: ExpressionContext, suffix: string, record: StepStatus): Promise<Record<string, unknown>> {
    const label = `${step.id}${suffix}`;
    switch (step.kind) {
      case 'sql': {
        const result = await this.activities(step).executeGovernedSql({
          workflowId: this.run.workflowId,
          runId: this.run.runId,
          runbook: { name: this.input.plan.runbook.name, tags: this.input.plan.runbook.tags },
          step: { id: label, intent: step.intent },
          principal: this.input.principal,
          connection: step.connection,
          query: step.query,
          params: step.params.map((p) => this.render(p, context, label)),
          maxRows: step.maxRows,
          expect: step.expect,
          timeoutMs: step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
        });
        record.decision = result.decision.summary;
        record.summary = `${result.row_count} row${result.row_count === 1 ? '' : 's'} (${result.command})`;
        return { ...result };
      }
      case 'approval':
        return this.approve(step, context, label, record);
      case 'http': {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(step.headers)) headers[k] = String(this.render(v, context, label));
        const result = await this.activities(step).httpRequest({
          method: step.method,
          url: String(this.render(step.url, context, label)),
          headers,
          body: step.body === undefined ? undefined : this.render(step.body, context, label),
          expectStatus: step.expectStatus,
          timeoutMs: step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
        });
        record.summary = `HTTP ${result.status}`;
        return { ...result };
      }
      case 'notify': {
        const result = await this.activities(step).notify({ target: step.target, text: String(this.render(step.text, context, label)) });
        record.summary = result.delivered ? `sent to ${step.target}` : `not delivered to ${step.target}`;
        return { ...result };
      }
      case 'wait':
        await sleep(step.durationMs);
        return {};
      case 'parallel': {
        const settled = await Promise.allSettled(step.steps.map((s) => this.runStep(s, context, '')));
        const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed) throw failed.reason;
        return {};
      }
      case 'foreach': {
        const items = this.evaluate(step.items, context, label);
        if (!Array.isArray(items)) throw new StepFailed('VIGIL_E_STEP_TEMPLATE', `foreach items gave ${typeof items}, not a list`);
        const results: Record<string, unknown>[] = new Array(items.length);
        let next = 0;
        const worker = async () => {
          while (next < items.length) {
            const index = next++;
            const scoped: ExpressionContext = { ...context, item: items[index], index, steps: { ...(context.steps as object) } };
            await this.runSteps(step.steps, scoped, `${suffix}[${index}]`);
            const own: Record<string, unknown> = {};
            for (const inner of step.steps) own[inner.id] = (scoped.steps as Record<string, unknown>)[inner.id];
            results[index] = own;
          }
        };
        await Promise.all(Array.from({ length: Math.min(step.maxConcurrency, items.length) }, worker));
        record.summary = `${items.length} item${items.length === 1 ? '' : 's'}`;
        return { results, count: items.length };
      }
    }
  }

  private async approve(step: ApprovalStep, context: ExpressionContext, label: string, record: StepStatus): Promise<Record<string, unknown>> {
    const gate = new ApprovalGate(label, label, String(this.render(step.message, context, label)), this.input.principal, step.approvers, now());
    this.gates.set(label, gate);
    record.state = 'waiting_approval';
    const timeout = step.timeoutMs;
    const decided = timeout === undefined ? (await condition(() => gate.settled), true) : await condition(() => gate.settled, timeout);
    if (!decided && step.escalateTo && step.escalateTo.length > 0) {
      gate.escalate(step.escalateTo);
      await condition(() => gate.settled, timeout ?? DEFAULT_STEP_TIMEOUT_MS);
    }
    gate.close('expired', `no decision within ${timeout}ms`);
    const view = gate.view();
    record.state = 'running';
    if (view.state === 'denied') throw new StepFailed('VIGIL_E_APPROVAL_DENIED', view.reason ?? 'denied');
    if (view.state !== 'approved') throw new StepFailed('VIGIL_E_APPROVAL_EXPIRED', view.reason ?? `gate ${view.state}`);
    const approvers = view.decisions.filter((d) => d.decision === 'approve').map((d) => d.approver);
    record.summary = `approved by ${approvers.join(', ')}`;
    return { approved: true, approvers };
  }

  private activities(step: StepNode): VigilActivities {
    const timeout = step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    const options: ActivityOptions = {
      // The statement timeout is enforced inside the activity; leave the activity a margin to roll back and report.
      startToCloseTimeout: timeout + 10_000,
      retry: {
        maximumAttempts: step.retry?.maxAttempts ?? 3,
        initialInterval: step.retry?.initialIntervalMs ?? 1_000,
        backoffCoefficient: step.retry?.backoffCoefficient ?? 2,
      },
    };
    return proxyActivities<VigilActivities>(options);
  }

  private render(template: Template, context: ExpressionContext, label: string): unknown {
    try {
      return renderTemplate(template, context);
    } catch (error) {
      throw new StepFailed('VIGIL_E_STEP_TEMPLATE', `step ${label}: ${firstLine(error)}`);
    }
  }

  private evaluate(expr: string, context: ExpressionContext, label: string): unknown {
    try {
      return evaluateCel(expr, context);
    } catch (error) {
      throw new StepFailed('VIGIL_E_STEP_TEMPLATE', `step ${label}: ${firstLine(error)}`);
    }
  }

  private condition(expr: string, context: ExpressionContext, label: string): boolean {
    try {
      return evaluateCondition(expr, context);
    } catch (error) {
      throw ApplicationFailure.create({ type: 'VIGIL_E_STEP_CONDITION', message: `step ${label}: when: ${firstLine(error)}`, nonRetryable: true });
    }
  }

  private track(step: StepNode, label: string): StepStatus {
    const record: StepStatus = { id: label, name: step.name, kind: step.kind, state: 'pending' };
    this.status.steps.push(record);
    return record;
  }
}

/** Workflow time: deterministic inside the sandbox (Temporal replaces the clock with the task's start time). */
function now(): string {
  return new Date().toISOString();
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function asStepFailure(error: unknown): StepFailed {
  if (error instanceof StepFailed) return error;
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
    return new StepFailed(error.cause.type ?? 'VIGIL_E_STEP_FAILED', error.cause.message);
  }
  if (error instanceof ApplicationFailure) return new StepFailed(error.type ?? 'VIGIL_E_STEP_FAILED', error.message);
  if (error instanceof ActivityFailure) return new StepFailed('VIGIL_E_STEP_FAILED', error.cause?.message ?? error.message);
  throw error;
}
