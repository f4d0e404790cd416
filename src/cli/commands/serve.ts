/**
 * `vigil serve`: the Vigil server (JSON API, alert webhooks and web UI) on VIGIL_LISTEN (default 127.0.0.1:8787),
 * talking to TEMPORAL_ADDRESS. It holds the approval signing key (VIGIL_APPROVAL_KEY; generated in Vigil's cache in
 * development), the evidence signing key (VIGIL_AUDIT_SIGNING_KEY; likewise) and the webhook sources' HMAC secrets
 * (read from the environment variables the identities file names), and reads the audit store in VIGIL_DATABASE_URL
 * (else DATABASE_URL). This is a door: it reads the environment, the library code does not.
 */
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { createApprovalService } from '../../api/approval-service.js';
import { createAuditService } from '../../api/audit-service.js';
import { createRunService } from '../../api/run-service.js';
import { buildServer } from '../../api/server.js';
import { loadApprovalKeys } from '../../approvals/key-files.js';
import { connectTracedClient } from '../traced-client.js';
import { loadIdentitiesFile } from '../../governance/identity.js';
import { resolveWebhookSecrets } from '../../triggers/webhook-sources.js';
import { loadInputSealer } from '../../shared/input-sealer.js';
import { workerConfigFromEnv } from '../../../workers/config.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plan } from '../../runbook/plan.js';
import { RunbookInvalidError } from '../../runbook/issues.js';
import { compileFile } from '../load-runbook.js';
import { signingKey } from './audit.js';

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
  const temporal = await connectTracedClient({ address: config.temporalAddress, namespace: config.namespace }, env, 'vigil-server');
  const { client } = temporal;
  const plans = loadRunbookDirectory(env.VIGIL_RUNBOOKS ?? RUNBOOKS_DIR);
  const auditUrl = env.VIGIL_DATABASE_URL ?? env.DATABASE_URL;
  // Reads only; a login holding vigil_audit_reader suffices. Without a database the UI says audit is unavailable.
  const auditPool = auditUrl ? new pg.Pool({ connectionString: auditUrl, max: 4, connectionTimeoutMillis: 5_000 }) : undefined;
  auditPool?.on('error', () => undefined);
  const secure = (env.VIGIL_PUBLIC_URL ?? '').startsWith('https://');
  const audit = createAuditService({ pool: auditPool, signingKey: auditPool ? signingKey(env).key : undefined });
  const app = buildServer({
    identities,
    approvals: createApprovalService({ client, privateKey: keys.privateKey }),
    runs: createRunService({
      client,
      namespace: config.namespace,
      temporalUiUrl: env.VIGIL_TEMPORAL_UI,
      traceUrlTemplate: env.VIGIL_TRACE_URL,
      auditedTraceId: (workflowId) => audit.traceIdOfRun(workflowId),
    }),
    audit,
    hooks: { client, taskQueue: config.taskQueue, plans, sources, sealer: loadInputSealer(config.sealKeyFile, config.sealKeyGenerate) },
    ui: { secureCookies: secure },
    // Behind an https proxy the protocol and client address come from its X-Forwarded headers; trust only it.
    trustProxy: env.VIGIL_TRUST_PROXY ?? (secure ? '127.0.0.1,::1' : undefined),
  });
  const [host, port] = (env.VIGIL_LISTEN ?? '127.0.0.1:8787').split(':');
  // The address actually bound (port 0 picks a free one).
  const url = await app.listen({ host, port: Number(port) });
  return {
    app,
    url,
    async close() {
      await app.close();
      await temporal.close();
      await auditPool?.end();
    },
  };
}

export async function serveCommand(env: NodeJS.ProcessEnv): Promise<number> {
  const server = await startServer(env);
  console.log(`Vigil server on ${server.url}: web UI at ${server.url}/, API under ${server.url}/v1. Ctrl-C stops it.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
