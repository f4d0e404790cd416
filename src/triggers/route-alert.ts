/**
 * Which runbooks an alert starts, and with which inputs. Pure: a runbook's `triggers` say the source, label matchers
 * (exact, or `~regex`) and severities; its input templates are evaluated over the alert (`trigger.labels...`).
 */
import { renderTemplate } from '../expressions/render-template.js';
import type { Plan, TriggerSpec } from '../runbook/plan.js';

/** An alert as every source is normalised to. */
export interface NormalisedAlert {
  readonly source: string;
  /** Stable identity of this firing: the same alert repeated keeps it; a new firing after a resolve changes it. */
  readonly key: string;
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt?: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

export type Route = { readonly plan: Plan; readonly trigger: TriggerSpec; readonly inputs: Record<string, unknown> } | { readonly plan: Plan; readonly error: string };

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

export function routeAlert(plans: readonly Plan[], alert: NormalisedAlert): Route[] {
  const routes: Route[] = [];
  for (const plan of plans) {
    const trigger = plan.triggers.find((t) => matches(t, alert));
    if (!trigger) continue;
    try {
      const inputs: Record<string, unknown> = {};
      for (const [name, template] of Object.entries(trigger.inputs)) inputs[name] = renderTemplate(template, { trigger: alert.payload });
      routes.push({ plan, trigger, inputs });
    } catch (error) {
      routes.push({ plan, error: `input mapping failed: ${(error as Error).message.split('\n')[0]}` });
    }
  }
  return routes;
}

/** Workflow ids that make a repeated delivery attach to the run it already started. */
export function alertWorkflowId(runbook: string, alert: NormalisedAlert): string {
  return `vigil-${runbook}-${alert.source}-${alert.key}`.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 250);
}
