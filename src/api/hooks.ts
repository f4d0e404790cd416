/**
 * Alerting webhooks: each alert × each runbook whose triggers match it is one run, started exactly once.
 * The workflow id is derived from the runbook and the alert's identity, so a retried or repeated delivery attaches to
 * the run it already started; a `resolved` alert signals that run. The source's service principal (authenticated by its
 * token) becomes the run's principal. The answer lists, per alert, the runs started or joined, or why it was skipped.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { startRun } from '../client/start-run.js';
import type { Plan } from '../runbook/plan.js';
import type { Principal } from '../shared/principal.js';
import { VigilError } from '../shared/vigil-error.js';
import { alertResolvedSignal } from '../workflows/definitions.js';
import { alertmanagerBodySchema, normaliseAlertmanager, type AlertmanagerPayload } from '../triggers/alertmanager.js';
import { alertWorkflowId, routeAlert, type NormalisedAlert } from '../triggers/route-alert.js';

export interface HookDeps {
  readonly client: Client;
  readonly taskQueue: string;
  /** The compiled runbooks whose triggers are routed; loaded once at start. */
  readonly plans: readonly Plan[];
}

export interface HookResult {
  readonly alert: string;
  readonly status: 'firing' | 'resolved';
  readonly runbook?: string;
  readonly workflowId?: string;
  readonly outcome: 'started' | 'joined' | 'signalled' | 'skipped';
  readonly reason?: string;
}

async function handleAlert(deps: HookDeps, principal: Principal, alert: NormalisedAlert): Promise<HookResult[]> {
  const name = alert.labels.alertname ?? alert.key;
  const routes = routeAlert(deps.plans, alert);
  if (routes.length === 0) return [{ alert: name, status: alert.status, outcome: 'skipped', reason: 'no runbook matched' }];
  const results: HookResult[] = [];
  for (const route of routes) {
    const runbook = route.plan.runbook.name;
    const workflowId = alertWorkflowId(runbook, alert);
    if ('error' in route) {
      results.push({ alert: name, status: alert.status, runbook, outcome: 'skipped', reason: route.error });
      continue;
    }
    if (alert.status === 'resolved') {
      try {
        await deps.client.workflow.getHandle(workflowId).signal(alertResolvedSignal, { at: new Date().toISOString() });
        results.push({ alert: name, status: alert.status, runbook, workflowId, outcome: 'signalled' });
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        results.push({ alert: name, status: alert.status, runbook, workflowId, outcome: 'skipped', reason: 'no running run for this alert' });
      }
      continue;
    }
    try {
      const started = await startRun(deps.client, {
        plan: route.plan,
        inputs: route.inputs,
        principal,
        trigger: { source: alert.source, id: alert.key, payload: alert.payload },
        taskQueue: deps.taskQueue,
        workflowId,
      });
      results.push({ alert: name, status: alert.status, runbook, workflowId, outcome: started.started ? 'started' : 'joined' });
    } catch (error) {
      if (!(error instanceof VigilError)) throw error;
      results.push({ alert: name, status: alert.status, runbook, outcome: 'skipped', reason: error.message });
    }
  }
  return results;
}

export function registerHooks(app: FastifyInstance, deps: HookDeps): void {
  app.post<{ Body: AlertmanagerPayload }>(
    '/v1/hooks/alertmanager',
    { schema: { body: alertmanagerBodySchema }, config: { rateLimit: { max: 600, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const principal = request.principal as Principal;
      if (principal.kind !== 'service' || principal.id !== 'alertmanager') {
        return reply.code(403).send({ error: 'VIGIL_E_HOOK_FORBIDDEN', message: `this token belongs to ${principal.kind} ${principal.id}, not the alertmanager service` });
      }
      const results: HookResult[] = [];
      for (const alert of normaliseAlertmanager(request.body)) results.push(...(await handleAlert(deps, principal, alert)));
      return reply.code(202).send({ results });
    },
  );
}
