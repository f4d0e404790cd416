/**
 * The policy and identities the command line decides with: the same files the worker loads
 * (VIGIL_POLICY, VIGIL_IDENTITIES), so `vigil sql check` and `vigil plan` predict exactly what a run will meet.
 */
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadIdentitiesFile, type Identities } from '../governance/identity.js';
import { DEFAULT_POLICY_FILE, loadPolicyFile, type Policy } from '../governance/policy.js';
import type { Principal } from '../shared/principal.js';

export const DEV_IDENTITIES_FILE = fileURLToPath(new URL('../../identities/dev.yaml', import.meta.url));

export interface CliGovernance {
  readonly policy: Policy;
  readonly identities: Identities;
  /** Who the command acts as: VIGIL_TOKEN's principal, else VIGIL_PRINCIPAL or the OS user, looked up in the identities. */
  readonly localPrincipal: Principal;
}

export function loadCliGovernance(env: NodeJS.ProcessEnv): CliGovernance {
  const policy = loadPolicyFile(env.VIGIL_POLICY ?? DEFAULT_POLICY_FILE);
  const identities = loadIdentitiesFile(env.VIGIL_IDENTITIES ?? DEV_IDENTITIES_FILE);
  const fromToken = env.VIGIL_TOKEN ? identities.authenticate(env.VIGIL_TOKEN) : undefined;
  const id = env.VIGIL_PRINCIPAL ?? userInfo().username;
  const localPrincipal = fromToken ?? identities.principal(id) ?? { id, kind: 'human' as const, groups: [] };
  return { policy, identities, localPrincipal };
}
