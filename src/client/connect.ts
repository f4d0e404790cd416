/**
 * Connects a door (CLI, API, webhooks) to Temporal, turning "connection refused" into one line that says where it looked.
 */
import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { VigilError } from '../shared/vigil-error.js';

export interface TemporalTarget {
  readonly address: string;
  readonly namespace: string;
  /** The OpenTelemetry client interceptor, so that a run's trace starts where the run was started. */
  readonly interceptors?: readonly WorkflowClientInterceptor[];
}

export async function connectClient(target: TemporalTarget): Promise<Client> {
  try {
    const connection = await Connection.connect({ address: target.address, connectTimeout: 5_000 });
    return new Client({ connection, namespace: target.namespace, interceptors: { workflow: [...(target.interceptors ?? [])] } });
  } catch (error) {
    throw new VigilError(
      'VIGIL_E_TEMPORAL_UNREACHABLE',
      `cannot reach Temporal at ${target.address} (${(error as Error).message.split('\n')[0]}); start one with \`vigil dev\` or set TEMPORAL_ADDRESS`,
    );
  }
}
