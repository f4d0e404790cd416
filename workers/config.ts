/**
 * The worker's configuration, read once from the environment, validated, and frozen.
 * This is a door: library code under src/ reads no environment variables.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { vigilCacheDir } from '../src/dev/temporal-cli.js';
import { DEFAULT_TASK_QUEUE } from '../src/shared/task-queue.js';

export interface WorkerConfig {
  readonly temporalAddress: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly policyFile: string;
  /** Environment variables, for resolving each connection's `url_env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Chat target name to incoming-webhook URL (VIGIL_NOTIFY_TARGETS, JSON). */
  readonly notifyTargets: Readonly<Record<string, string>>;
  /** Chat target told when a gate opens (VIGIL_APPROVALS_TARGET), and the public URL of the Vigil server (VIGIL_PUBLIC_URL). */
  readonly approvalsTarget?: string;
  readonly publicUrl?: string;
  /** Key of the HMAC pseudonyms that masking's `hash` strategy produces. */
  readonly maskingKey: string;
  /** Identities file: users, agents, services, token hashes (VIGIL_IDENTITIES). */
  readonly identitiesFile: string;
  /** PEM with the approval service's key (VIGIL_APPROVAL_KEY); generated in the cache in development. */
  readonly approvalKeyFile: string;
  /** Generate the approval key when missing: development only (no VIGIL_APPROVAL_KEY given). */
  readonly approvalKeyGenerate: boolean;
  /** File with the key that seals sensitive inputs (VIGIL_SEAL_KEY), shared with whatever starts runs; generated in the cache in development. */
  readonly sealKeyFile: string;
  /** Generate the sealing key when missing: development only (no VIGIL_SEAL_KEY given). */
  readonly sealKeyGenerate: boolean;
  /** OTLP/HTTP endpoint for traces (OTEL_EXPORTER_OTLP_ENDPOINT); none means spans are not exported. */
  readonly otlpEndpoint?: string;
}

export const DEFAULT_POLICY_FILE = fileURLToPath(new URL('../policies/default.yaml', import.meta.url));
export const DEV_IDENTITIES_FILE = fileURLToPath(new URL('../identities/dev.yaml', import.meta.url));

export function workerConfigFromEnv(env: NodeJS.ProcessEnv, overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  let notifyTargets: Record<string, string> = {};
  if (env.VIGIL_NOTIFY_TARGETS) {
    try {
      notifyTargets = JSON.parse(env.VIGIL_NOTIFY_TARGETS) as Record<string, string>;
    } catch {
      throw new Error('VIGIL_NOTIFY_TARGETS must be a JSON object of target name to webhook URL');
    }
  }
  return Object.freeze({
    temporalAddress: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.VIGIL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
    policyFile: env.VIGIL_POLICY ?? DEFAULT_POLICY_FILE,
    env: { ...env },
    notifyTargets,
    maskingKey: env.VIGIL_MASKING_KEY ?? 'vigil-development-masking-key',
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    approvalsTarget: env.VIGIL_APPROVALS_TARGET,
    publicUrl: env.VIGIL_PUBLIC_URL,
    identitiesFile: env.VIGIL_IDENTITIES ?? DEV_IDENTITIES_FILE,
    approvalKeyFile: env.VIGIL_APPROVAL_KEY ?? join(vigilCacheDir(env), 'approval-key.pem'),
    approvalKeyGenerate: !env.VIGIL_APPROVAL_KEY,
    sealKeyFile: env.VIGIL_SEAL_KEY ?? join(vigilCacheDir(env), 'seal-key'),
    sealKeyGenerate: !env.VIGIL_SEAL_KEY,
    ...overrides,
  });
}
