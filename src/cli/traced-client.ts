/**
 * The Temporal client of a door that starts runs (`vigil run`, `vigil sql run`, `vigil serve`, `vigil dev`), traced:
 * with OTEL_EXPORTER_OTLP_ENDPOINT set, each start is a span exported from here, and the run's workflow and
 * activity spans join its trace. So one run is one trace, from the door that started it to the last statement.
 */
import type { Client } from '@temporalio/client';
import { setupTracing } from '../../workers/tracing.js';
import { connectClient, type TemporalTarget } from '../client/connect.js';

export interface TracedClient {
  readonly client: Client;
  /** Closes the connection and sends the spans still buffered. */
  close(): Promise<void>;
}

export async function connectTracedClient(target: TemporalTarget, env: NodeJS.ProcessEnv, serviceName: string): Promise<TracedClient> {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracing = endpoint ? setupTracing({ serviceName, otlpEndpoint: endpoint }) : undefined;
  const client = await connectClient({ ...target, interceptors: tracing?.clientInterceptors });
  return {
    client,
    async close() {
      await client.connection.close();
      await tracing?.shutdown();
    },
  };
}
