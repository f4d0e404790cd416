/**
 * Walks a Plan inside the workflow. Runs in the Temporal sandbox: no I/O, no randomness, no config;
 * everything external happens in activities, which this file knows only as types.
 * The switch on `step.kind` is exhaustive: a new step kind that is not handled here fails the type check.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { GovernedSqlRequest, GrantedApproval, SqlCheck, SqlOutput, VigilActivities } from '../activities/types.js';
import { ATTR, SPAN } from '../audit/span-attributes.js';
import { alertName } from '../shared/alert-name.js';
import { principalChain } from '../shared/principal.js';
import { evaluateCel } from '../expressions/cel.js';
import { evaluateCondition, renderTemplate, type ExpressionContext } from '../expressions/render-template.js';
import type { ApprovalStep, OnError, StepNode, Template } from '../runbook/plan.js';
import { ApprovalGate, type ApproverRequirement, type GateView } from './approval-gate.js';
import { PATCH } from './patches.js';
import { publishGates } from './publish-gates.js';
import type { RunbookWorkflowInput, RunStatus, StepStatus } from './types.js';

const DEFAULT_STEP_TIMEOUT_MS = 60_000;
/** How many times a gate re-opens after execution outgrew its preview before the step fails. */
const MAX_GATE_ROUNDS = 3;
/** How long a gate that policy opened waits for its approvers before the step expires. */
const POLICY_GATE_TIMEOUT_MS = 4 * 60 * 60_000;

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
  /** The trigger as spans and audit records name it: source, event id and, for an alert, its name. */
  private readonly trigger: { readonly source: string; readonly id?: string; readonly name?: string };

  constructor(
    private readonly input: RunbookWorkflowInput,
    private readonly run: RunIdentity,
    private readonly status: RunStatus,
    private readonly gates: Map<string, ApprovalGate>,
  ) {
    const { source, id, payload } = input.trigger;
    const name = alertName(payload);
    this.trigger = { source, ...(id ? { id } : {}), ...(name ? { name } : {}) };
  }

  async runSteps(steps: readonly StepNode[], context: ExpressionContext, suffix = ''): Promise<void> {
    for (const step of steps) await this.runStep(step, context, suffix);
  }

  private async runStep(step: StepNode, context: ExpressionContext, suffix: string): Promise<void> {
    const label = `${step.id}${suffix}`;
    // One span per step: intent when it opens, outcome when it closes. Activities it schedules become its children.
    await tracer().startActiveSpan(`${SPAN.STEP} ${label}`, { attributes: this.intentAttributes(step, label) }, async (span) => {
      const record = this.track(step, label);
      try {
        await this.runTracked(step, context, suffix, label, record);
      } finally {
        span.setAttribute(ATTR.OUTCOME, record.state);
        if (record.error) span.setAttribute(ATTR.ERROR_CODE, record.error.code);
        if (record.decision) span.setAttribute(ATTR.DECISION_SUMMARY, record.decision);
        if (record.state === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: record.error?.message });
        span.end();
      }
    });
  }

  private intentAttributes(step: StepNode, label: string): Record<string, string> {
    const attributes: Record<string, string> = {
      [ATTR.RUNBOOK]: this.input.plan.runbook.name,
      [ATTR.PLAN_HASH]: this.input.plan.hash,
      [ATTR.STEP_ID]: label,
      [ATTR.STEP_KIND]: step.kind,
      [ATTR.TRIGGER_SOURCE]: this.trigger.source,
      [ATTR.PRINCIPAL]: this.input.principal.id,
      [ATTR.PRINCIPAL_CHAIN]: principalChain(this.input.principal),
    };
    if (step.intent) attributes[ATTR.INTENT] = step.intent;
    if (this.trigger.id) attributes[ATTR.TRIGGER_ID] = this.trigger.id;
    if (this.trigger.name) attributes[ATTR.TRIGGER_NAME] = this.trigger.name;
    return attributes;
  }

  private async runTracked(step: StepNode, context: ExpressionContext, suffix: string, label: string, record: StepStatus): Promise<void> {
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
      if (isCancellation(error)) {
        record.state = 'failed';
        record.error = { code: 'VIGIL_E_RUN_CANCELLED', message: 'the run was cancelled' };
        throw error;
      }
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
        const activities = this.activities(step);
        const request = {
          workflowId: this.run.workflowId,
          runId: this.run.runId,
          runbook: { name: this.input.plan.runbook.name, tags: this.input.plan.runbook.tags },
          step: { id: label, intent: step.intent },
          principal: this.input.principal,
          trigger: this.trigger,
          connection: step.connection,
          query: step.query,
          // Params from sensitive inputs are rendered by the activity, which alone can open the sealed values.
          params: step.params.map((p, i) => (step.sensitiveParams?.includes(i) ? null : this.render(p, context, label))),
          sensitiveParams: step.sensitiveParams,
          ...(step.sensitiveParams ? { sealedParams: step.sensitiveParams.map((index) => ({ index, template: step.params[index] as Template })), inputs: context.inputs as Record<string, unknown> } : {}),
          maxRows: step.maxRows,
          expect: step.expect,
          timeoutMs: step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
        };
        // A write whose execution exceeds the dry run the approvers saw rolls back; the gate re-opens on a fresh preview.
        let result: SqlOutput | undefined;
        for (let round = 1; result === undefined; round++) {
          const check = await this.checkSql(step, request);
          record.decision = check.summary;
          if (check.effect === 'deny') throw new StepFailed('VIGIL_E_POLICY_DENIED', check.summary);
          let approvals: GrantedApproval[] = [];
          const gateId = round === 1 ? label : `${label}/${round}`;
          if (check.effect === 'require_approval') {
            const message = `${round > 1 ? 'Again (the statement touched more rows than previewed): ' : ''}${step.intent ?? step.name}: ${check.summary}`;
            try {
              approvals = (await this.gate(gateId, message, check.approvers, POLICY_GATE_TIMEOUT_MS, undefined, record, check)).approvals;
            } catch (error) {
              // An approver stopped the statement: the audit holds it next to the statements that ran.
              if (error instanceof StepFailed && error.code === 'VIGIL_E_APPROVAL_DENIED' && patched(PATCH.AUDIT_GATE_DECISIONS)) {
                await proxyLocalActivities<VigilActivities>(this.activityOptions(step)).recordSqlDenial({ ...request, reason: error.message, code: error.code });
              }
              throw error;
            }
          }
          try {
            result = await activities.executeGovernedSql({ ...request, statementHash: check.statementHash, approvals, previewRows: check.preview?.dryRunRows, gateId });
          } catch (error) {
            const mismatch = error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === 'VIGIL_E_PREVIEW_MISMATCH';
            if (!mismatch || round >= MAX_GATE_ROUNDS) throw error;
          }
        }
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
    const message = String(this.render(step.message, context, label));
    const { approvals } = await this.gate(label, message, step.approvers, step.timeoutMs, step.escalateTo, record);
    return { approved: true, approvers: approvals.map((a) => a.approver) };
  }

  /** Opens a gate, waits durably for its quorum (escalating once on timeout), and fails the step on deny or expiry. */
  private async gate(
    label: string,
    message: string,
    approvers: readonly ApproverRequirement[],
    timeoutMs: number | undefined,
    escalateTo: readonly ApproverRequirement[] | undefined,
    record: StepStatus,
    subject?: SqlCheck,
  ): Promise<{ approvals: GrantedApproval[] }> {
    const signingKey = patched(PATCH.GATE_CHECKS_SIGNATURES) ? await this.approvalKey() : undefined;
    const gate = new ApprovalGate(label, label, message, this.input.principal, approvers, now(), subject, { signingKey, firstOpenGroup: !patched(PATCH.MATCHED_QUORUM) });
    this.gates.set(label, gate);
    record.state = 'waiting_approval';
    publishGates(this.gates.values());
    await this.announce(gate.view());
    try {
      const decided = timeoutMs === undefined ? (await condition(() => gate.settled), true) : await condition(() => gate.settled, timeoutMs);
      if (!decided && escalateTo && escalateTo.length > 0) {
        gate.escalate(escalateTo);
        // The groups it escalates to are asked as the first ones were, unless the approvals given already meet them.
        if (!gate.settled && patched(PATCH.RENOTIFY_ON_ESCALATION)) await this.announce(gate.view());
        await condition(() => gate.settled, timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS);
      }
    } catch (error) {
      // The run was cancelled while waiting: the gate closes with that reason, and nobody is asked any more.
      if (isCancellation(error)) {
        gate.close('cancelled', 'the run was cancelled');
        publishGates(this.gates.values());
      }
      throw error;
    }
    gate.close('expired', `no decision within ${timeoutMs}ms${escalateTo?.length ? ' (escalated once)' : ''}`);
    publishGates(this.gates.values());
    const view = gate.view();
    record.state = 'running';
    if (view.state === 'denied') throw new StepFailed('VIGIL_E_APPROVAL_DENIED', view.reason ?? 'denied');
    if (view.state === 'cancelled') throw new StepFailed('VIGIL_E_APPROVAL_CANCELLED', view.reason ?? 'gate cancelled');
    if (view.state !== 'approved') throw new StepFailed('VIGIL_E_APPROVAL_EXPIRED', view.reason ?? `gate ${view.state}`);
    const approvals = view.decisions
      .filter((d) => d.decision === 'approve')
      .map((d) => ({ approver: d.approver, group: d.group, at: d.at, signature: d.signature, comment: d.comment, ...(d.groups ? { groups: d.groups } : {}) }));
    record.summary = `approved by ${approvals.map((a) => a.approver).join(', ')}`;
    return { approvals };
  }

  /**
   * The approval service's public key as the worker has it now, kept in history by the local activity's marker: a
   * replay checks signatures with the key the run saw, even after a rotation. Without it the gate still works, asking
   * the worker to check every decision.
   */
  private async approvalKey(): Promise<string | undefined> {
    try {
      return await proxyLocalActivities<VigilActivities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3 } }).approvalPublicKey();
    } catch (error) {
      if (isCancellation(error)) throw error;
      return undefined;
    }
  }

  /** Tells the approvers a gate waits for them. A chat outage must not fail the run: the gate is listed by the API anyway. */
  private async announce(view: GateView): Promise<void> {
    const chat = proxyActivities<VigilActivities>({ startToCloseTimeout: '15 seconds', retry: { maximumAttempts: 3 } });
    try {
      await chat.announceGate({
        workflowId: this.run.workflowId,
        gateId: view.gateId,
        runbook: this.input.plan.runbook.name,
        requester: view.requester,
        message: view.message,
        required: view.required,
        statement: view.subject?.statement,
        decision: view.subject?.summary,
        impact: view.subject?.preview ? `about ${view.subject.preview.estimatedRows} row(s): ${view.subject.preview.plan}` : undefined,
      });
    } catch {
      // Recorded in history as a failed activity; the gate stays open.
    }
  }

  /**
   * The policy check, as a local activity: it runs inside the workflow task that asks for it, so deciding costs no
   * trip through the task queue and no extra workflow task. Runs recorded before the change keep their activity.
   */
  private checkSql(step: StepNode, request: GovernedSqlRequest): Promise<SqlCheck> {
    if (!patched(PATCH.LOCAL_SQL_CHECK)) return this.activities(step).checkSql(request);
    return proxyLocalActivities<VigilActivities>(this.activityOptions(step)).checkSql(request);
  }

  private activities(step: StepNode): VigilActivities {
    return proxyActivities<VigilActivities>(this.activityOptions(step));
  }

  private activityOptions(step: StepNode): ActivityOptions & LocalActivityOptions {
    const timeout = step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    return {
      // The statement timeout is enforced inside the activity; leave the activity a margin to roll back and report.
      startToCloseTimeout: timeout + 10_000,
      retry: {
        maximumAttempts: step.retry?.maxAttempts ?? 3,
        initialInterval: step.retry?.initialIntervalMs ?? 1_000,
        backoffCoefficient: step.retry?.backoffCoefficient ?? 2,
      },
    };
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

/** Inside the sandbox, Temporal's OpenTelemetry runtime provides the tracer and exports through a sink. */
function tracer() {
  return trace.getTracer('vigil-workflow');
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
