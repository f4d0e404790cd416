/**
 * The Temporal Core runtime of this process, installed once with a quiet logger. The SDK creates the runtime
 * lazily the first time anything native runs (a Worker, a NativeConnection, the dev server through
 * TestWorkflowEnvironment), and after that it can't be configured: so every door calls this before any of those.
 */
import { DefaultLogger, IllegalStateError, Runtime } from '@temporalio/worker';

let installed = false;

export function installQuietRuntime(): void {
  if (installed) return;
  installed = true;
  try {
    // The worker's state changes at INFO are noise on an operator's terminal; warnings and errors still show.
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch (error) {
    // Something native ran first: the runtime keeps its default logger, which is noisier but harmless.
    if (!(error instanceof IllegalStateError)) throw error;
  }
}
