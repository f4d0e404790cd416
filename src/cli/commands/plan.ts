/**
 * `vigil plan FILE [--json]`: the compiled plan, and the fate of each SQL step under the current policy,
 * decided exactly as the worker will decide it (same classifier, same policy file, as the caller).
 */
import { createSqlClassifier } from '../../governance/classify-sql.js';
import { decide } from '../../governance/decide.js';
import { formatIssue } from '../../runbook/issues.js';
import { loadCliGovernance } from '../governance-config.js';
import { compileFile } from '../load-runbook.js';
import { formatPlan } from '../print-plan.js';

export async function planCommand(file: string, options: { json?: boolean }, env: NodeJS.ProcessEnv): Promise<number> {
  const { policy, localPrincipal } = loadCliGovernance(env);
  const compiled = compileFile(file, { connections: Object.keys(policy.connections) });
  if (!compiled.ok) {
    for (const issue of compiled.issues) console.error(formatIssue(issue));
    return 1;
  }
  if (options.json) {
    console.log(JSON.stringify(compiled.plan, null, 2));
    return 0;
  }
  const classifier = await createSqlClassifier();
  const { plan } = compiled;
  console.log(
    formatPlan(plan, (step) =>
      decide({ classification: classifier.classify(step.query), principal: localPrincipal, connection: step.connection, runbook: plan.runbook, step }, policy).summary,
    ),
  );
  return 0;
}
