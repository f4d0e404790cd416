/**
 * Wires the activities with real dependencies: connection pools from the policy's connection list
 * (URLs from this worker's environment), the governance layer, chat targets.
 */
import { trace, type Tracer } from '@opentelemetry/api';
import { ConnectionPools, type ConnectionSettings } from '../src/activities/connection-pools.js';
import { createIoActivities } from '../src/activities/io-activities.js';
import { createSqlActivities } from '../src/activities/sql-activities.js';
import type { VigilActivities } from '../src/activities/types.js';
import type { WorkerConfig } from './config.js';

export interface WiredActivities {
  readonly activities: VigilActivities;
  readonly connections: ConnectionPools;
  close(): Promise<void>;
}

export async function wireActivities(config: WorkerConfig, tracer: Tracer = trace.getTracer('vigil')): Promise<WiredActivities> {
  const settings: Record<string, ConnectionSettings> = {};
  if (config.env.DATABASE_URL) settings.demo = { url: config.env.DATABASE_URL, environment: 'development' };
  const connections = new ConnectionPools(settings);
  const activities: VigilActivities = {
    ...createSqlActivities({ connections, tracer }),
    ...createIoActivities({ notifyTargets: config.notifyTargets, maskText: (t) => t }),
  };
  return { activities, connections, close: () => connections.close() };
}
