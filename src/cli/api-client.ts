/**
 * The command line's client for the Vigil server's HTTP API: VIGIL_URL (default http://127.0.0.1:8787) and the
 * caller's VIGIL_TOKEN. Errors come back as `CODE  message` lines, like every other CLI error.
 */
import { VigilError } from '../shared/vigil-error.js';
import type { ErrorCode } from '../shared/error-codes.js';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8787';

export async function callApi<T>(env: NodeJS.ProcessEnv, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const base = (env.VIGIL_URL ?? DEFAULT_SERVER_URL).replace(/\/$/, '');
  if (!env.VIGIL_TOKEN) throw new VigilError('VIGIL_E_UNAUTHENTICATED', 'set VIGIL_TOKEN to your token (in development: dev-<your id>, e.g. dev-bob)');
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${env.VIGIL_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new VigilError('VIGIL_E_SERVER_UNREACHABLE', `cannot reach the Vigil server at ${base} (${(error as Error).message}); start it with \`vigil serve\` or \`vigil dev\`, or set VIGIL_URL`);
  }
  const payload = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
  if (!response.ok) throw new VigilError((payload.error ?? 'VIGIL_E_BAD_REQUEST') as ErrorCode, payload.message ?? `HTTP ${response.status}`);
  return payload as T;
}
