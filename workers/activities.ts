/**
 * Wires the activities with real dependencies: the policy and identities files, connection pools for the policy's
 * connections (URLs from this worker's environment, named by each connection's `url_env`), the SQL classifier,
 * the masker, the approval service's public key and the chat targets.
 */
import { trace, type Tracer } from '@opentelemetry/api';
import pg from 'pg';
import { createAuditStore, migrateAuditStore } from '../src/audit/audit-store.js';
import { checkPostgres } from '../src/client/check-postgres.js';
import { ConnectionPools, type ConnectionSettings } from '../src/activities/connection-pools.js';
import { createApprovalActivities } from '../src/activities/approval-activities.js';
import { createIoActivities } from '../src/activities/io-activities.js';
import { createSqlActivities } from '../src/activities/sql-activities.js';
import { loadInputSealer } from '../src/shared/input-sealer.js';
import type { VigilActivities } from '../src/activities/types.js';
import { loadApprovalKeys } from '../src/approvals/key-files.js';
import { createSqlClassifier } from '../src/governance/classify-sql.js';
import { loadIdentitiesFile } from '../src/governance/identity.js';
import type { ColumnRule } from '../src/governance/masking/column-rules.js';
import type { MaskingExemption } from '../src/governance/masking/exemptions.js';
import { createMasker, type MaskingOptions } from '../src/governance/masking/create-masker.js';
import { loadPolicyFile, type Policy } from '../src/governance/policy.js';
import { VigilError } from '../src/shared/vigil-error.js';
import type { WorkerConfig } from './config.js';

export interface WiredActivities {
  readonly activities: VigilActivities;
  readonly connections: ConnectionPools;
  readonly policy: Policy;
  close(): Promise<void>;
}

export function connectionSettings(policy: Policy, env: Readonly<Record<string, string | undefined>>): Record<string, ConnectionSettings> {
  const settings: Record<string, ConnectionSettings> = {};
  for (const [name, c] of Object.entries(policy.connections)) {
    const url = env[c.urlEnv];
    // A connection whose URL this worker doesn't hold is not served here: another environment's worker serves it.
    if (url) settings[name] = { url, environment: c.environment };
  }
  return settings;
}

export async function wireActivities(config: WorkerConfig, tracer: Tracer = trace.getTracer('vigil')): Promise<WiredActivities> {
  const policy = loadPolicyFile(config.policyFile);
  const identities = loadIdentitiesFile(config.identitiesFile);
  const keys = loadApprovalKeys(config.approvalKeyFile, config.approvalKeyGenerate);
  const auditUrl = config.env.VIGIL_DATABASE_URL ?? config.env.DATABASE_URL;
  if (!auditUrl) throw new VigilError('VIGIL_E_USAGE', 'no database for the audit store: set VIGIL_DATABASE_URL (or DATABASE_URL in development)');
  // Before the pool: an unreachable database is then one line saying where, not a connect error from inside the migration.
  await checkPostgres(auditUrl);
  const connections = new ConnectionPools(connectionSettings(policy, config.env));
  const auditPool = new pg.Pool({ connectionString: auditUrl, max: 4 });
  auditPool.on('error', () => undefined);
  await migrateAuditStore(auditPool);
  const audit = createAuditStore(auditPool);
  const masker = createMasker({
    rules: (policy.masking.rules ?? []) as ColumnRule[],
    strategies: (policy.masking.type_strategies ?? {}) as MaskingOptions['strategies'],
    hashKey: config.maskingKey,
  });
  const activities: VigilActivities = {
    ...createSqlActivities({
      connections,
      classifier: await createSqlClassifier(),
      policy,
      masker,
      tracer,
      approvals: { publicKey: keys.publicKey, directory: identities },
      audit,
      exemptions: (policy.masking.exemptions ?? []) as MaskingExemption[],
      sealer: loadInputSealer(config.sealKeyFile, config.sealKeyGenerate),
    }),
    ...createIoActivities({
      notifyTargets: config.notifyTargets,
      maskText: (t) => masker.maskText(t),
      approvals: { target: config.approvalsTarget, publicUrl: config.publicUrl },
    }),
    ...createApprovalActivities({ publicKey: keys.publicKey, directory: identities, audit }),
  };
  return {
    activities,
    connections,
    policy,
    async close() {
      await connections.close();
      await auditPool.end();
    },
  };
}
