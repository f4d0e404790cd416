/** `vigil worker`: serve runs from TEMPORAL_ADDRESS on VIGIL_TASK_QUEUE until Ctrl-C. */
import { workerConfigFromEnv } from '../../../workers/config.js';
import { startWorker } from '../../../workers/run-worker.js';

export async function workerCommand(env: NodeJS.ProcessEnv): Promise<number> {
  const config = workerConfigFromEnv(env);
  const { done } = await startWorker(config);
  console.log(`Vigil worker polling task queue "${config.taskQueue}" on ${config.temporalAddress}. Ctrl-C stops it.`);
  await done;
  return 0;
}
