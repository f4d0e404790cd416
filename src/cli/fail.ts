/**
 * How the command line reports failure: one line, `CODE  message`, never a stack trace
 * (set VIGIL_DEBUG=1 to see one). Unknown errors are bugs and say so.
 */
import { VigilError } from '../shared/vigil-error.js';

export function reportError(error: unknown): number {
  if (error instanceof VigilError) {
    console.error(`${error.code}  ${error.message}`);
  } else {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    console.error(`VIGIL_E_INTERNAL  ${message} (this is a bug; VIGIL_DEBUG=1 shows the stack)`);
  }
  if (process.env.VIGIL_DEBUG && error instanceof Error) console.error(error.stack);
  return 1;
}
