/**
 * `vigil sql check`: the classification and the policy decision for one statement, without running it.
 * A stable interface: `--json` prints one object, `--jsonl` reads one statement per line from stdin and prints one
 * object per line, in order. A statement that does not parse still gets its line, with effect "deny".
 * Exit status: 0 when the check ran (the effect is in the output), 1 when a single statement is denied, 2 on bad usage.
 */
import { createInterface } from 'node:readline';
import { createSqlClassifier, type SqlClassifier } from '../../governance/classify-sql.js';
import { decide } from '../../governance/decide.js';
import type { Identities } from '../../governance/identity.js';
import type { Policy } from '../../governance/policy.js';
import type { Decision } from '../../governance/types.js';
import type { Principal } from '../../shared/principal.js';
import { VigilError } from '../../shared/vigil-error.js';
import { loadCliGovernance } from '../governance-config.js';

export interface SqlCheckOptions {
  readonly connection?: string;
  readonly environment?: string;
  readonly as?: string;
  readonly json?: boolean;
  readonly jsonl?: boolean;
}

export function decisionJson(sql: string, d: Decision): Record<string, unknown> {
  const c = d.classification;
  return {
    sql,
    parsed: c.parsed,
    ...(c.error ? { error: c.error } : {}),
    kind: c.kind,
    command: c.command,
    class: c.class,
    tables: { read: c.tables.read.map((t) => t.name), write: c.tables.write.map((t) => t.name) },
    columns_written: c.tables.write.flatMap((t) => (t.columns ?? []).map((col) => `${t.name}.${col}`)),
    functions: c.functions,
    flags: c.flags,
    connection: d.connection,
    environment: d.environment,
    effect: d.effect,
    approvers: d.approvers,
    rules: d.rules.map((r) => ({ id: r.id, effect: r.effect, reason: r.reason })),
    summary: d.summary,
  };
}

function pickConnection(policy: Policy, options: SqlCheckOptions): string {
  if (options.connection) return options.connection;
  if (!options.environment) throw new VigilError('VIGIL_E_USAGE', 'give --connection NAME or --environment ENV');
  const match = Object.entries(policy.connections).find(([, c]) => c.environment === options.environment);
  if (!match) throw new VigilError('VIGIL_E_USAGE', `no connection in environment "${options.environment}" (environments: ${Object.keys(policy.environments).join(', ')})`);
  return match[0];
}

export function resolvePrincipal(identities: Identities, id: string | undefined, fallback: Principal): Principal {
  if (!id) return fallback;
  const principal = identities.principal(id);
  if (!principal) throw new VigilError('VIGIL_E_USAGE', `--as ${id}: no such user, agent or service in the identities file`);
  return principal;
}

function printHuman(d: Decision): void {
  const c = d.classification;
  if (c.parsed) {
    console.log(`${c.command}  (${c.class})`);
    if (c.tables.read.length) console.log(`  reads:     ${c.tables.read.map((t) => t.name).join(', ')}`);
    if (c.tables.write.length) console.log(`  writes:    ${c.tables.write.map((t) => (t.columns ? `${t.name} (${t.columns.join(', ')})` : t.name)).join(', ')}`);
    if (c.functions.length) console.log(`  functions: ${c.functions.join(', ')}`);
    if (c.flags.length) console.log(`  flags:     ${c.flags.join(', ')}`);
  } else {
    console.log(`not parsed: ${c.error}`);
  }
  console.log(`→ ${d.summary}`);
}

export async function sqlCheckCommand(sqlArg: string | undefined, options: SqlCheckOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const { policy, identities, localPrincipal } = loadCliGovernance(env);
  const connection = pickConnection(policy, options);
  const principal = resolvePrincipal(identities, options.as, localPrincipal);
  const classifier: SqlClassifier = await createSqlClassifier();
  const check = (sql: string) => decide({ classification: classifier.classify(sql), principal, connection }, policy);

  if (options.jsonl) {
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      process.stdout.write(`${JSON.stringify(decisionJson(line, check(line)))}\n`);
    }
    return 0;
  }
  if (sqlArg === undefined) throw new VigilError('VIGIL_E_USAGE', 'give the SQL as an argument, or use --jsonl to read statements from stdin');
  const decision = check(sqlArg);
  if (options.json) console.log(JSON.stringify(decisionJson(sqlArg, decision), null, 2));
  else printHuman(decision);
  return decision.effect === 'deny' ? 1 : 0;
}
