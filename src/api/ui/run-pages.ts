/**
 * The runs list and one run's timeline, from the run service: the same functions behind GET /v1/runs and
 * GET /v1/runs/:run. A bad filter is said on the page beside the form, not as an error page.
 */
import type { FastifyInstance } from 'fastify';
import { VigilError } from '../../shared/vigil-error.js';
import type { RunFilter } from '../run-query.js';
import type { RunService, RunSummary } from '../run-service.js';
import type { ContextOf } from './register-ui.js';
import { sendPage } from './render.js';
import { runPage } from './run-view.js';
import { runsPage } from './runs-view.js';

export interface RunPagesDeps {
  readonly runs?: RunService;
  readonly context: ContextOf;
  readonly now?: () => Date;
}

export function registerRunPages(ui: FastifyInstance, deps: RunPagesDeps): void {
  const now = deps.now ?? (() => new Date());
  const service = (): RunService => {
    if (!deps.runs) throw new VigilError('VIGIL_E_NOT_FOUND', 'this server shows no runs (it was started without a Temporal client for them)');
    return deps.runs;
  };

  ui.get<{ Querystring: Record<string, string | undefined> }>('/runs', async (request, reply) => {
    const q = request.query;
    const filter: RunFilter = { status: q.status || undefined, runbook: q.runbook || undefined, principal: q.principal || undefined, trigger: q.trigger || undefined };
    let runs: RunSummary[] | undefined;
    let error: string | undefined;
    try {
      runs = await service().list(filter);
    } catch (e) {
      if (!(e instanceof VigilError) || e.code !== 'VIGIL_E_BAD_REQUEST') throw e;
      error = `${e.code}: ${e.message}`;
    }
    return sendPage(reply, runsPage({ ctx: deps.context(reply), filter, runs, error, now: now() }), error ? 400 : 200);
  });

  ui.get<{ Params: { workflowId: string } }>('/runs/:workflowId', async (request, reply) => {
    const run = await service().get(request.params.workflowId);
    return sendPage(reply, runPage({ ctx: deps.context(reply), run, now: now() }));
  });
}
