/**
 * `vigil run FILE --input k=v ... [--wait]`: compiles the runbook, checks the inputs, starts a run.
 * A broken runbook or a bad input starts nothing.
 */
import { connectTracedClient } from '../traced-client.js';
import { startRun } from '../../client/start-run.js';
import { watchRun } from '../../client/watch-run.js';
import { formatIssue } from '../../runbook/issues.js';
import type { Principal } from '../../shared/principal.js';
import { DEFAULT_TASK_QUEUE } from '../../shared/task-queue.js';
import { loadInputSealer, type InputSealer } from '../../shared/input-sealer.js';
import { VigilError } from '../../shared/vigil-error.js';
import { workerConfigFromEnv } from '../../../workers/config.js';
import { loadCliGovernance } from '../governance-config.js';
import { compileFile } from '../load-runbook.js';
import { printOutcome, printStepEvent, runLink } from '../print-run.js';

export interface RunOptions {
  readonly input: string[];
  readonly wait: boolean;
}

export function parseInputs(pairs: readonly string[]): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new VigilError('VIGIL_E_INPUT_INVALID', `--input ${pair}: expected name=value`);
    inputs[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return inputs;
}

/** Who a run started from this terminal acts as: VIGIL_TOKEN's principal, else VIGIL_PRINCIPAL or the OS user. */
export function localPrincipal(env: NodeJS.ProcessEnv): Principal {
  return loadCliGovernance(env).localPrincipal;
}

export async function runCommand(file: string, options: RunOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const compiled = compileFile(file);
  if (!compiled.ok) {
    for (const issue of compiled.issues) console.error(formatIssue(issue));
    return 1;
  }
  const inputs = parseInputs(options.input);
  const namespace = env.TEMPORAL_NAMESPACE ?? 'default';
  const temporal = await connectTracedClient({ address: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233', namespace }, env, 'vigil-cli');
  const { client } = temporal;
  try {
    const { handle, workflowId } = await startRun(client, {
      plan: compiled.plan,
      inputs,
      principal: localPrincipal(env),
      trigger: { source: 'cli' },
      taskQueue: env.VIGIL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
      sealer: compiled.plan.inputs.some((i) => i.sensitive) ? sealerFromEnv(env) : undefined,
    });
    console.log(`Started ${workflowId} (runbook ${compiled.plan.runbook.name}, plan ${compiled.plan.hash.slice(0, 12)})`);
    const link = runLink(env.VIGIL_TEMPORAL_UI, namespace, workflowId);
    if (link) console.log(`  ${link}`);
    if (!options.wait) return 0;
    const outcome = await watchRun(handle, printStepEvent);
    printOutcome(outcome);
    return outcome.ok ? 0 : 1;
  } finally {
    await temporal.close();
  }
}

/** The key the workers open sensitive inputs with (VIGIL_SEAL_KEY; in development, the one in the cache). */
function sealerFromEnv(env: NodeJS.ProcessEnv): InputSealer {
  const config = workerConfigFromEnv(env);
  return loadInputSealer(config.sealKeyFile, config.sealKeyGenerate);
}
