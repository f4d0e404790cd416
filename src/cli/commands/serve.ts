/**
 * `vigil serve`: the Vigil server (approval API and alert webhooks) on VIGIL_LISTEN (default 127.0.0.1:8787), talking to
 * TEMPORAL_ADDRESS. It holds the approval signing key (VIGIL_APPROVAL_KEY; generated in Vigil's cache in development)
 * and the webhook sources' HMAC secrets, read here from the environment variables the identities file names.
 */
import type { FastifyInstance } from 'fastify';
import { createApprovalService } from '../../api/approval-service.js';
import { buildServer } from '../../api/server.js';
import { loadApprovalKeys } from '../../approvals/key-files.js';
import { connectClient } from '../../client/connect.js';
import { loadIdentitiesFile } from '../../governance/identity.js';
import { resolveWebhookSecrets } from '../../triggers/webhook-sources.js';
import { workerConfigFromEnv } from '../../../workers/config.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plan } from '../../runbook/plan.js';
import { RunbookInvalidError } from '../../runbook/issues.js';
import { compileFile } from '../load-runbook.js';

const RUNBOOKS_DIR = fileURLToPath(new URL('../../../runbooks/', import.meta.url));

/** Every runbook in the directory, compiled; one invalid runbook stops the server with all its problems. */
export function loadRunbookDirectory(dir: string): Plan[] {
  const plans: Plan[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort()) {
    const result = compileFile(join(dir, file));
    if (!result.ok) throw new RunbookInvalidError(result.issues);
    plans.push(result.plan);
  }
  return plans;
}

export async function startServer(env: NodeJS.ProcessEnv): Promise<{ app: FastifyInstance; url: string; close(): Promise<void> }> {
  const config = workerConfigFromEnv(env);
  const identities = loadIdentitiesFile(config.identitiesFile);
  // Before connecting anywhere: a missing secret is a configuration error to fix now, not a 401 to discover at 2 a.m.
  const sources = resolveWebhookSecrets(identities.webhooks, env);
  const keys = loadApprovalKeys(config.approvalKeyFile, config.approvalKeyGenerate);
  const client = await connectClient({ address: config.temporalAddress, namespace: config.namespace });
  const plans = loadRunbookDirectory(env.VIGIL_RUNBOOKS ?? RUNBOOKS_DIR);
  const app = buildServer({
    identities,
    approvals: createApprovalService({ client, privateKey: keys.privateKey, groupsOf: (id) => identities.groupsOf(id) }),
    hooks: { client, taskQueue: config.taskQueue, plans, sources },
  });
  const [host, port] = (env.VIGIL_LISTEN ?? '127.0.0.1:8787').split(':');
  await app.listen({ host, port: Number(port) });
  return {
    app,
    url: `http://${host}:${port}`,
    async close() {
      await app.close();
      await client.connection.close();
    },
  };
}

export async function serveCommand(env: NodeJS.ProcessEnv): Promise<number> {
  const server = await startServer(env);
  console.log(`Vigil server on ${server.url}. Ctrl-C stops it.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
