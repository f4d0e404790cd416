/**
 * Starts the Temporal dev server (`temporal server start-dev`) on 127.0.0.1 with Vigil's search attributes,
 * waits until it answers, and stops it cleanly. Used by `vigil dev`, `npm start`, the tests and the benchmarks.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../shared/search-attributes.js';
import { findTemporalCli, vigilCacheDir } from './temporal-cli.js';

export interface DevServer {
  /** host:port of the frontend. */
  readonly address: string;
  readonly uiUrl?: string;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
  readonly port?: number;
  /** Serve the Temporal web UI on this port. */
  readonly uiPort?: number;
  /** SQLite file to keep state across restarts; in memory when absent. */
  readonly dbFilename?: string;
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const cli = await findTemporalCli(options.env, options.log);
  const testEnv = await TestWorkflowEnvironment.createLocal({
    server: {
      executable:
        cli.kind === 'path' ? { type: 'existing-path', path: cli.path } : { type: 'cached-download', downloadDir: vigilCacheDir(options.env) },
      ip: '127.0.0.1',
      port: options.port,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      dbFilename: options.dbFilename,
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'error' },
      // A workflow task that schedules an activity gets the activity back in the same answer instead of through the
      // task queue: a governed SQL step's check and execution each skip a queue pickup. Production servers want the
      // same dynamic config (docs/webhooks.md).
      extraArgs: ['--dynamic-config-value', 'system.enableActivityEagerExecution=true'],
    },
  });
  const address = testEnv.address;
  return {
    address,
    uiUrl: options.uiPort === undefined ? undefined : `http://127.0.0.1:${options.uiPort}`,
    // The SDK's connections are closed with it; the server process is stopped last.
    stop: () => testEnv.teardown(),
  };
}
