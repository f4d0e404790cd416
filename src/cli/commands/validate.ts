/** `vigil validate FILE...`: every problem in every file as `file:line:col  CODE  message`; exit 1 on any. */
import { formatIssue } from '../../runbook/issues.js';
import { compileFile } from '../load-runbook.js';

export function validateCommand(files: string[]): number {
  let problems = 0;
  for (const path of files) {
    const result = compileFile(path);
    if (result.ok) {
      console.log(`${path}: ok (${result.plan.steps.length} steps, plan ${result.plan.hash.slice(0, 12)})`);
    } else {
      problems += result.issues.length;
      for (const issue of result.issues) console.error(formatIssue(issue));
    }
  }
  if (problems > 0) console.error(`${problems} problem${problems === 1 ? '' : 's'} found`);
  return problems > 0 ? 1 : 0;
}
