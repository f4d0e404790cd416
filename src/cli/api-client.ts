/**
 * The command line's client for the Vigil server's HTTP API: VIGIL_URL (default http://127.0.0.1:8787) and the
 * caller's VIGIL_TOKEN. Errors come back as `CODE  message` lines, like every other CLI error.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { VigilError } from '../shared/vigil-error.js';
import type { ErrorCode } from '../shared/error-codes.js';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8787';

/** The login file: one line, the token (`~/.config/vigil/token`, mode 0600 recommended). */
export function loginFile(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'vigil', 'token');
}

function token(env: NodeJS.ProcessEnv): string | undefined {
  if (env.VIGIL_TOKEN) return env.VIGIL_TOKEN;
  try {
    return readFileSync(loginFile(env), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function callApi<T>(env: NodeJS.ProcessEnv, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const base = (env.VIGIL_URL ?? DEFAULT_SERVER_URL).replace(/\/$/, '');
  const bearer = token(env);
  if (!bearer) throw new VigilError('VIGIL_E_UNAUTHENTICATED', `set VIGIL_TOKEN or write your token to ${loginFile(env)} (in development: dev-<your id>, e.g. dev-bob)`);
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
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
