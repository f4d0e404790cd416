/**
 * Acts on one delivery's alerts: each (alert, matching runbook) pair starts a run, joins the run it already started,
 * or, for a resolve, signals that run. Runs on the Vigil server, talking to Temporal through the client only.
 *
 * Exactly once comes from the workflow id (runbook + source + alert identity) and the start's conflict policy, not
 * from anything remembered here: two servers, a retry and a duplicate delivery all race to the same id and all but
 * one attach. So when Temporal can't be reached this answers "unavailable" for the whole delivery and the sender's
 * retry is safe: what started already is joined, what did not starts then.
 */
import { isGrpcDeadlineError, isGrpcServiceError, ServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { startRun } from '../client/start-run.js';
import type { InputSealer } from '../shared/input-sealer.js';
import type { Plan } from '../runbook/plan.js';
import type { Principal } from '../shared/principal.js';
import { mapLimit } from '../shared/map-limit.js';
import { VigilError } from '../shared/vigil-error.js';
import { alertResolvedSignal } from '../workflows/definitions.js';
import { alertWorkflowId, routeAlert, type NormalisedAlert, type Route } from '../triggers/route-alert.js';

export interface DispatchDeps {
  readonly client: Client;
  readonly taskQueue: string;
  readonly plans: readonly Plan[];
  /**
   * How long one delivery may wait on Temporal before it is answered 503 (default 4 s: PagerDuty gives up after 5 s,
   * and a sender that timed out retries anyway, not knowing what happened).
   */
  readonly temporalDeadlineMs?: number;
  /** Seals the sensitive inputs an alert fills; runbooks with none start without it. */
  readonly sealer?: InputSealer;
}

export interface AlertResult {
  readonly alert: string;
  readonly status: 'firing' | 'resolved';
  readonly runbook?: string;
  readonly workflowId?: string;
  readonly outcome: 'started' | 'joined' | 'signalled' | 'skipped';
  readonly reason?: string;
}

export interface DispatchOutcome {
  readonly results: AlertResult[];
  /** Pairs skipped because the alert could not fill the runbook (mapping, inputs, identity): the sender's problem. */
  readonly invalid: number;
  /** Pairs that started, joined or signalled a run. */
  readonly acted: number;
}

// Starts of one delivery go out together, but a 1000-alert group must not open 1000 calls at once.
const CONCURRENCY = 16;

export async function dispatchAlerts(deps: DispatchDeps, principal: Principal, alerts: readonly NormalisedAlert[]): Promise<DispatchOutcome> {
  const jobs: { alert: NormalisedAlert; route?: Route }[] = [];
  for (const alert of alerts) {
    const routes = routeAlert(deps.plans, alert);
    if (routes.length === 0) jobs.push({ alert });
    for (const route of routes) jobs.push({ alert, route });
  }
  const deadline = Date.now() + (deps.temporalDeadlineMs ?? 4_000);
  const done = await mapLimit(jobs, CONCURRENCY, async (job) => {
    try {
      return await deps.client.withDeadline(deadline, () => act(deps, principal, job.alert, job.route));
    } catch (error) {
      if (!(error instanceof ServiceError || isGrpcServiceError(error) || isGrpcDeadlineError(error))) throw error;
      return { unreachable: error };
    }
  });
  const unreachable = done.flatMap((d) => ('unreachable' in d ? [d.unreachable] : []));
  if (unreachable.length > 0) {
    throw new VigilError('VIGIL_E_TEMPORAL_UNREACHABLE', `Temporal did not answer for ${unreachable.length} of ${jobs.length} runs (${firstLine(unreachable[0])}); retry the delivery: runs already started are joined, not started again`);
  }
  const results = done.map((d) => (d as { result: AlertResult }).result);
  const invalid = done.filter((d) => 'invalid' in d && d.invalid).length;
  return { results, invalid, acted: results.filter((r) => r.outcome !== 'skipped').length };
}

async function act(deps: DispatchDeps, principal: Principal, alert: NormalisedAlert, route: Route | undefined): Promise<{ result: AlertResult; invalid?: true }> {
  const name = alert.labels.alertname || alert.key || alert.source;
  if (!route) return { result: { alert: name, status: alert.status, outcome: 'skipped', reason: 'no runbook matched' } };
  const runbook = route.plan.runbook.name;
  if ('error' in route) return { result: { alert: name, status: alert.status, runbook, outcome: 'skipped', reason: route.error }, invalid: true };
  const workflowId = alertWorkflowId(runbook, alert.source, route.key);

  if (route.status === 'resolved') {
    try {
      await deps.client.workflow.getHandle(workflowId).signal(alertResolvedSignal, { at: new Date().toISOString() });
      return { result: { alert: name, status: 'resolved', runbook, workflowId, outcome: 'signalled' } };
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      // Nothing running under that id: it finished already, or the firing never reached us. Not an error.
      return { result: { alert: name, status: 'resolved', runbook, workflowId, outcome: 'skipped', reason: 'no running run for this alert' } };
    }
  }
  try {
    const started = await startRun(deps.client, {
      plan: route.plan,
      inputs: route.inputs,
      principal,
      trigger: { source: alert.source, id: route.key, payload: alert.payload },
      taskQueue: deps.taskQueue,
      workflowId,
      sealer: deps.sealer,
    });
    return { result: { alert: name, status: 'firing', runbook, workflowId, outcome: started.started ? 'started' : 'joined' } };
  } catch (error) {
    // startRun refuses invalid inputs (VIGIL_E_INPUT_INVALID) before anything reaches Temporal.
    if (!(error instanceof VigilError)) throw error;
    return { result: { alert: name, status: 'firing', runbook, outcome: 'skipped', reason: error.message }, invalid: true };
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
