/**
 * `vigil sql run --connection NAME [--as PRINCIPAL] [--intent TEXT] [--json] SQL`: one statement, run the way a
 * runbook step runs: a one-step governed run through Temporal, so policy, approvals, masking and audit all apply.
 * It prints the masked result; `--json` prints `{ columns, rows, row_count, masked, decision }` (a stable shape).
 */
import { connectTracedClient } from '../traced-client.js';
import { startRun } from '../../client/start-run.js';
import { watchRun } from '../../client/watch-run.js';
import { adHocPlan } from '../../runbook/ad-hoc-plan.js';
import type { SqlOutput } from '../../activities/types.js';
import { DEFAULT_TASK_QUEUE } from '../../shared/task-queue.js';
import { VigilError } from '../../shared/vigil-error.js';
import { loadCliGovernance } from '../governance-config.js';

export async function sqlRunCommand(sql: string, options: { connection: string; as?: string; intent?: string; json?: boolean }, env: NodeJS.ProcessEnv): Promise<number> {
  const { identities, localPrincipal } = loadCliGovernance(env);
  // --as runs as another principal (typically one's agent) on behalf of the caller: the chain shows both.
  let principal = localPrincipal;
  if (options.as) {
    const as = identities.principal(options.as, localPrincipal);
    if (!as) throw new VigilError('VIGIL_E_USAGE', `--as ${options.as}: no such user, agent or service in the identities file`);
    principal = as;
  }
  const plan = adHocPlan(options.connection, sql, options.intent ?? `ad-hoc statement by ${localPrincipal.id}`);
  const namespace = env.TEMPORAL_NAMESPACE ?? 'default';
  const temporal = await connectTracedClient({ address: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233', namespace }, env, 'vigil-cli');
  const { client } = temporal;
  try {
    const { handle, workflowId } = await startRun(client, { plan, inputs: {}, principal, trigger: { source: 'cli' }, taskQueue: env.VIGIL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE });
    if (!options.json) console.error(`Running as ${workflowId} (waits if policy asks for an approval: vigil approvals)`);
    const outcome = await watchRun(handle, () => undefined);
    if (!outcome.ok) {
      if (options.json) console.log(JSON.stringify({ error: outcome.code, message: outcome.message }));
      else console.error(`${outcome.code}  ${outcome.message}`);
      return 1;
    }
    const out = outcome.result.outputs.statement as SqlOutput;
    if (options.json) {
      console.log(JSON.stringify({ columns: out.columns, rows: out.rows, row_count: out.row_count, masked: out.masked, decision: out.decision }, null, 2));
    } else {
      console.table(out.rows);
      console.log(`${out.row_count} row(s) · ${out.decision.summary}${out.masked.length ? ` · masked: ${out.masked.join(', ')}` : ''}`);
    }
    return 0;
  } finally {
    await temporal.close();
  }
}
