/**
 * An error meant for a person: a code from the registry and a one-line message. Doors print these as
 * `CODE  message` and exit non-zero; anything else that escapes is a bug and is reported as such.
 */
import type { ErrorCode } from './error-codes.js';

export class VigilError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VigilError';
  }
}
