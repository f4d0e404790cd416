/**
 * `vigil dev [--demo]`: everything on one machine in one process tree. Starts (or reuses) Temporal and PostgreSQL,
 * runs a worker, and with --demo seeds the demo database and runs runbooks/hello-db.yaml.
 * Ctrl-C stops the worker first, then the services this command started.
 */
import { fileURLToPath } from 'node:url';
import { checkPostgres } from '../../client/check-postgres.js';
import { connectTracedClient } from '../traced-client.js';
import { startRun } from '../../client/start-run.js';
import { watchRun } from '../../client/watch-run.js';
import { seedDemoDatabase } from '../../dev/demo-database.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../dev/embedded-postgres.js';
import { preferredPort } from '../../dev/ports.js';
import { startDevServer, type DevServer } from '../../dev/temporal-server.js';
import { compileRunbookOrThrow } from '../../runbook/compile.js';
import { workerConfigFromEnv } from '../../../workers/config.js';
import { startWorker } from '../../../workers/run-worker.js';
import { installQuietRuntime } from '../../../workers/runtime.js';
import { startServer } from './serve.js';
import { readFileSync } from 'node:fs';
import { printOutcome, printStepEvent, runLink } from '../print-run.js';
import { localPrincipal } from './run.js';

const HELLO_DB = fileURLToPath(new URL('../../../runbooks/hello-db.yaml', import.meta.url));

export interface DevOptions {
  readonly demo: boolean;
}

export async function devCommand(options: DevOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const log = (line: string) => console.log(line);
  const stops: (() => Promise<void>)[] = [];
  // Before the dev server: starting it creates the Temporal runtime, which can't be configured afterwards.
  installQuietRuntime();
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  // While starting up (a first start builds Temporal and creates a cluster), Ctrl-C stops what has started and exits.
  // Once everything runs, the worker's own shutdown on the signal leads, and the services stop after it.
  const interrupt = () => void stopAll().finally(() => process.exit(130));
  const onStartupSignals = (on: boolean) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      if (on) process.once(signal, interrupt);
      else process.off(signal, interrupt);
    }
  };
  onStartupSignals(true);
  try {
    let databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      const embedded: EmbeddedDatabase = await startEmbeddedPostgres(log);
      stops.push(() => embedded.stop());
      databaseUrl = embedded.url;
    }
    await checkPostgres(databaseUrl);

    let address = env.TEMPORAL_ADDRESS;
    let uiUrl = env.VIGIL_TEMPORAL_UI;
    if (!address) {
      const server: DevServer = await startDevServer({ env, log, port: await preferredPort(7233), uiPort: await preferredPort(8233) });
      stops.push(() => server.stop());
      address = server.address;
      uiUrl = server.uiUrl;
    }

    const config = workerConfigFromEnv({ ...env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: address });
    if (options.demo) {
      const { seeded } = await seedDemoDatabase(databaseUrl);
      log(seeded ? 'Seeded the demo database (customers, orders, payment jobs, feature flags).' : 'Demo database already seeded.');
    }
    const { done } = await startWorker(config);
    log(`Worker polling task queue "${config.taskQueue}" on Temporal ${address}.`);
    const serverEnv = {
      ...env,
      TEMPORAL_ADDRESS: address,
      DATABASE_URL: databaseUrl,
      ...(uiUrl ? { VIGIL_TEMPORAL_UI: uiUrl } : {}),
      VIGIL_LISTEN: env.VIGIL_LISTEN ?? `127.0.0.1:${await preferredPort(8787)}`,
    };
    const server = await startServer(serverEnv);
    stops.push(() => server.close());
    log(`Vigil web UI on ${server.url}/ (sign in with dev-<id>, e.g. dev-bob); API on ${server.url}/v1, alert webhooks on ${server.url}/v1/hooks/...`);

    if (options.demo) {
      const plan = compileRunbookOrThrow(readFileSync(HELLO_DB, 'utf8'), 'runbooks/hello-db.yaml');
      const temporal = await connectTracedClient({ address, namespace: config.namespace }, env, 'vigil-dev');
      const { client } = temporal;
      const { handle, workflowId } = await startRun(client, {
        plan,
        inputs: {},
        principal: localPrincipal(env),
        trigger: { source: 'demo' },
        taskQueue: config.taskQueue,
      });
      log(`\nDemo: running runbooks/hello-db.yaml as ${workflowId}`);
      const outcome = await watchRun(handle, printStepEvent);
      printOutcome(outcome);
      const link = runLink(uiUrl, config.namespace, workflowId);
      if (link) log(`See it in the Temporal UI: ${link}`);
      await temporal.close();
    }
    log(`\nVigil is running. Web UI: ${server.url}/${uiUrl ? `  Temporal UI: ${uiUrl}` : ''}`);
    log(`Try: TEMPORAL_ADDRESS=${address} npx vigil run runbooks/stuck-payment-jobs.yaml --wait`);
    log(`and, in another terminal: VIGIL_URL=${server.url} VIGIL_TOKEN=dev-bob npx vigil approvals --mine`);
    log('Ctrl-C stops everything.');
    onStartupSignals(false);
    await done;
    return 0;
  } finally {
    onStartupSignals(false);
    await stopAll();
  }
}
