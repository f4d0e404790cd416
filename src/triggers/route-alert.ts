/**
 * Which runbooks an alert starts or resolves, with which identity and which inputs. Pure: a runbook's `triggers` say
 * the source, label matchers (exact, or `~regex`) and severities; templates are evaluated over the alert's payload as
 * `trigger` (`trigger.labels.instance`). Generic sources may also declare `key` (the event's identity) and `resolved`
 * (a condition that makes the event a resolve). Each (alert, runbook) pair gets a workflow id derived from the runbook,
 * the source and that identity only, which is what makes retried and repeated deliveries attach to one run.
 */
import { createHash } from 'node:crypto';
import { evaluateCondition, renderTemplate } from '../expressions/render-template.js';
import type { Plan, TriggerSpec } from '../runbook/plan.js';

/** An alert as every source is normalised to. */
export interface NormalisedAlert {
  /** `alertmanager`, `grafana`, `pagerduty` or `generic:<name>`: what runbook triggers name. */
  readonly source: string;
  /**
   * Stable identity of this firing: the same alert repeated keeps it; a new firing after a resolve changes it.
   * Absent only for a generic event without an Idempotency-Key header: the trigger's `key` must then supply one.
   */
  readonly key?: string;
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt?: string;
  /** What templates see as `trigger`, and what the run carries in its history: keep it bounded. */
  readonly payload: Readonly<Record<string, unknown>>;
}

/** What one webhook delivery carries. */
export interface NormalisedDelivery {
  readonly alerts: readonly NormalisedAlert[];
  /** Why a valid delivery carries nothing to act on (e.g. a PagerDuty acknowledgement). */
  readonly ignored?: string;
}

export type Route =
  | { readonly plan: Plan; readonly key: string; readonly status: 'firing'; readonly inputs: Record<string, unknown> }
  | { readonly plan: Plan; readonly key: string; readonly status: 'resolved' }
  | { readonly plan: Plan; readonly error: string };

export function matches(trigger: TriggerSpec, alert: NormalisedAlert): boolean {
  if (trigger.source !== alert.source) return false;
  for (const [label, expected] of Object.entries(trigger.match)) {
    const actual = alert.labels[label];
    if (actual === undefined) return false;
    if (expected.startsWith('~') ? !new RegExp(`^(?:${expected.slice(1)})$`).test(actual) : actual !== expected) return false;
  }
  if (trigger.severity && trigger.severity.length > 0 && !trigger.severity.includes(alert.labels.severity ?? '')) return false;
  return true;
}

/** One route per runbook with a matching trigger (its first one); an error route says why that pair can't run. */
export function routeAlert(plans: readonly Plan[], alert: NormalisedAlert): Route[] {
  const routes: Route[] = [];
  for (const plan of plans) {
    const trigger = plan.triggers.find((t) => matches(t, alert));
    if (trigger) routes.push(routeOne(plan, trigger, alert));
  }
  return routes;
}

function routeOne(plan: Plan, trigger: TriggerSpec, alert: NormalisedAlert): Route {
  const context = { trigger: alert.payload };
  let key = alert.key;
  if (trigger.key) {
    try {
      const value = renderTemplate(trigger.key, context);
      key = typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
      if (!key) return { plan, error: `the trigger's key gave ${describe(value)}, not a non-empty string: the event has no identity` };
    } catch (error) {
      return { plan, error: `the trigger's key failed: ${firstLine(error)}` };
    }
  }
  if (!key) return { plan, error: 'the event has no identity: declare `key` on the trigger, or send an Idempotency-Key header' };

  let status = alert.status;
  if (trigger.resolved) {
    try {
      status = evaluateCondition(trigger.resolved, context) ? 'resolved' : 'firing';
    } catch (error) {
      return { plan, error: `the trigger's resolved condition failed: ${firstLine(error)}` };
    }
  }
  // A resolve only needs the identity: its inputs are never used, so a mapping that fails on it must not block it.
  if (status === 'resolved') return { plan, key, status };

  try {
    const inputs: Record<string, unknown> = {};
    for (const [name, template] of Object.entries(trigger.inputs)) inputs[name] = renderTemplate(template, context);
    return { plan, key, status, inputs };
  } catch (error) {
    return { plan, error: `input mapping failed: ${firstLine(error)}` };
  }
}

/**
 * The workflow id of one (runbook, source, identity). A key that is short and made of id-safe characters is used as
 * it is, so ids stay readable; any other is replaced by its SHA-256, never truncated or rewritten, because two keys
 * that differ only past a cut or in a replaced character would otherwise share a run.
 */
export function alertWorkflowId(runbook: string, source: string, key: string): string {
  const readable = /^[A-Za-z0-9._-]{1,128}$/.test(key) ? key : `sha256-${createHash('sha256').update(key, 'utf8').digest('hex')}`;
  return `vigil-${runbook}-${source}-${readable}`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  return typeof value === 'string' ? 'an empty string' : typeof value;
}
