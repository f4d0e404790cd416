/**
 * What the server tells a person about an error, for the API (JSON) and the UI (a page) alike: a code from the
 * registry, the HTTP status that goes with it, and one line. An error nobody expected says only "internal error":
 * its message and stack may hold anything, so neither leaves the process.
 */
import type { FastifyError } from 'fastify';
import type { ErrorCode } from '../shared/error-codes.js';
import { VigilError } from '../shared/vigil-error.js';
import { ApprovalError } from './approval-service.js';

/** HTTP status of each error code a person may meet from the server. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  VIGIL_E_BAD_REQUEST: 400,
  VIGIL_E_USAGE: 400,
  VIGIL_E_UNAUTHENTICATED: 401,
  VIGIL_E_APPROVAL_REFUSED: 403,
  VIGIL_E_CSRF_INVALID: 403,
  VIGIL_E_NOT_FOUND: 404,
  VIGIL_E_RUN_NOT_FOUND: 404,
  VIGIL_E_RATE_LIMITED: 429,
  VIGIL_E_INTERNAL: 500,
};

export interface ServerError {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
}

/** What a person is told about any error: a code from the registry and one line. Unknown errors say only "internal". */
export function describeError(error: unknown): ServerError {
  if (error instanceof ApprovalError) return { status: error.statusCode, code: 'VIGIL_E_APPROVAL_REFUSED', message: error.message };
  if (error instanceof VigilError) return { status: STATUS[error.code] ?? 503, code: error.code, message: error.message };
  const e = error as FastifyError;
  if (e.code === 'FST_CSRF_INVALID_TOKEN' || e.code === 'FST_CSRF_MISSING_SECRET') {
    return { status: 403, code: 'VIGIL_E_CSRF_INVALID', message: 'the form expired or did not come from this site: reload the page and try again' };
  }
  if (e.statusCode === 429) return { status: 429, code: 'VIGIL_E_RATE_LIMITED', message: e.message };
  if (typeof e.statusCode === 'number' && e.statusCode < 500) return { status: e.statusCode, code: 'VIGIL_E_BAD_REQUEST', message: e.message };
  return { status: 500, code: 'VIGIL_E_INTERNAL', message: 'internal error' };
}

