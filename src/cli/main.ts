/**
 * The `vigil` command line: a door. It reads the environment, talks to Temporal through the client,
 * and prints errors as `CODE  message` lines with a non-zero exit.
 */
import { Command } from 'commander';
import { reportError } from './fail.js';

// Commands load on demand: `vigil validate` should not pay for loading the Temporal worker.

const program = new Command()
  .name('vigil')
  .description('Governed runbook automation: YAML runbooks on Temporal, every database step governed.')
  .showHelpAfterError();

const collect = (value: string, previous: string[]) => [...previous, value];

program
  .command('validate')
  .description('check runbooks; prints every problem as file:line:col  CODE  message')
  .argument('<files...>', 'runbook YAML files')
  .action(async (files: string[]) => {
    const { validateCommand } = await import('./commands/validate.js');
    process.exitCode = validateCommand(files);
  });

program
  .command('plan')
  .description("print the compiled plan as a tree, with each SQL step's policy decision")
  .argument('<file>', 'runbook YAML file')
  .option('--json', 'print the plan as JSON')
  .action(async (file: string, options: { json?: boolean }) => {
    const { planCommand } = await import('./commands/plan.js');
    process.exitCode = await planCommand(file, options, process.env);
  });

program
  .command('run')
  .description('start a run of a runbook')
  .argument('<file>', 'runbook YAML file')
  .option('-i, --input <name=value>', 'an input value (repeatable)', collect, [])
  .option('-w, --wait', 'follow the run: print each step as it starts and ends, then the result', false)
  .action(async (file: string, options: { input: string[]; wait: boolean }) => {
    const { runCommand } = await import('./commands/run.js');
    process.exitCode = await runCommand(file, options, process.env);
  });

const sql = program.command('sql').description('govern single statements');
sql
  .command('check')
  .description('classify a statement and show the policy decision, without running it')
  .argument('[sql]', 'the statement (omit with --jsonl)')
  .option('-c, --connection <name>', 'a connection from the policy')
  .option('-e, --environment <env>', 'an environment from the policy (uses one of its connections)')
  .option('--as <principal>', 'decide as this user, agent or service from the identities file')
  .option('--json', 'print the result as JSON')
  .option('--jsonl', 'read one statement per line from stdin; print one JSON object per line')
  .action(async (statement: string | undefined, options: { connection?: string; environment?: string; as?: string; json?: boolean; jsonl?: boolean }) => {
    const { sqlCheckCommand } = await import('./commands/sql-check.js');
    process.exitCode = await sqlCheckCommand(statement, options, process.env);
  });

sql
  .command('run')
  .description('run one statement as a governed one-step run: policy, approvals, masking and audit apply')
  .argument('<sql>', 'the statement')
  .requiredOption('-c, --connection <name>', 'a connection from the policy')
  .option('--as <principal>', 'run as this agent or service, on your behalf')
  .option('--intent <text>', 'why: recorded in the audit')
  .option('--json', 'print { columns, rows, row_count, masked, decision }')
  .action(async (statement: string, options: { connection: string; as?: string; intent?: string; json?: boolean }) => {
    const { sqlRunCommand } = await import('./commands/sql-run.js');
    process.exitCode = await sqlRunCommand(statement, options, process.env);
  });

program
  .command('serve')
  .description('run the Vigil server (approval API) on VIGIL_LISTEN, default 127.0.0.1:8787')
  .action(async () => {
    const { serveCommand } = await import('./commands/serve.js');
    process.exitCode = await serveCommand(process.env);
  });

program
  .command('approvals')
  .description('list the approval gates waiting (VIGIL_TOKEN says who you are)')
  .option('--mine', 'only the gates you may decide')
  .option('--json', 'print JSON')
  .action(async (options: { mine?: boolean; json?: boolean }) => {
    const { approvalsCommand } = await import('./commands/approvals.js');
    process.exitCode = await approvalsCommand(options, process.env);
  });

for (const decision of ['approve', 'deny'] as const) {
  program
    .command(decision)
    .description(decision === 'approve' ? "approve a run's pending gate" : "deny a run's pending gate; the step fails with your reason")
    .argument('<run>', 'the workflow id of the run')
    .argument('[gate]', 'the gate id, when the run has several pending')
    .option(decision === 'approve' ? '--comment <text>' : '--reason <text>', decision === 'approve' ? 'why you approve' : 'why you deny')
    .action(async (run: string, gate: string | undefined, options: { comment?: string; reason?: string }) => {
      const { decideCommand } = await import('./commands/approvals.js');
      process.exitCode = await decideCommand(decision, run, gate, options.comment ?? options.reason, process.env);
    });
}

const audit = program.command('audit').description('the audit trail: who did what, on whose behalf, why, who allowed it; and proof it is unaltered');
audit
  .command('search')
  .description('find audit records, newest first: who changed it, who approved it, why, and what happened')
  .option('--table <name>', 'statements that wrote this table')
  .option('--column <table.column>', 'statements that wrote this column (e.g. customers.email)')
  .option('--principal <id>', 'acted by, on behalf of, or approved by this principal (alice, or human:alice)')
  .option('--runbook <name>')
  .option('--run <workflowId>')
  .option('--decision <effect>', 'allow, deny or require_approval')
  .option('--kind <kind>', 'attempt, outcome, denial, approval_rejected or masking_exemption')
  .option('--from <time>', 'not before this time (ISO)')
  .option('--to <time>', 'not after this time (ISO)')
  .option('--text <text>', 'in the intent or the statement')
  .option('--limit <n>', 'at most this many', '100')
  .option('--long', 'every field of each record')
  .option('--json', 'one JSON record per line')
  .action(async (o: Record<string, string | boolean | undefined>) => {
    const { auditSearchCommand } = await import('./commands/audit.js');
    const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
    process.exitCode = await auditSearchCommand(
      {
        table: str('table'), column: str('column'), principal: str('principal'), runbook: str('runbook'), workflowId: str('run'),
        effect: str('decision'), kind: str('kind'), from: str('from'), to: str('to'), text: str('text'),
        limit: Number(str('limit') ?? 100), long: o.long === true, json: o.json === true,
      },
      process.env,
    );
  });
audit
  .command('verify')
  .description('walk the hash chain; print the first broken link and every attempt without an outcome; exit 1 on any')
  .option('--from <seq|time>', 'first record: a seq, or an ISO time')
  .option('--to <seq|time>', 'last record: a seq, or an ISO time')
  .option('--grace <duration>', 'attempts younger than this may still be running (default 5m; 0 for none)')
  .option('--grace-seconds <n>', 'the same, in seconds')
  .option('--anchor <file|seq:hash>', "a chain head saved earlier (an evidence bundle's chain-head.json) that must still hold")
  .option('--json', 'print the report as JSON')
  .action(async (options: { from?: string; to?: string; grace?: string; graceSeconds?: string; anchor?: string; json?: boolean }) => {
    const { auditVerifyCommand } = await import('./commands/audit.js');
    process.exitCode = await auditVerifyCommand(options, process.env);
  });
audit
  .command('export')
  .description('write a signed evidence bundle (records, summary mapped to controls, chain head, manifest) for a time range')
  .requiredOption('--from <time>', 'start of the range (ISO)')
  .requiredOption('--to <time>', 'end of the range (ISO)')
  .requiredOption('--out <dir>', 'a new or empty directory')
  .option('--json', 'print the manifest as JSON')
  .action(async (options: { from: string; to: string; out: string; json?: boolean }) => {
    const { auditExportCommand } = await import('./commands/audit.js');
    process.exitCode = await auditExportCommand(options, process.env);
  });
audit
  .command('verify-bundle')
  .description('check an evidence bundle offline: signature, key, file hashes, chain, summary; exit 1 on any failure')
  .argument('<dir>', 'the bundle directory')
  .option('--public-key <pem>', 'the key the bundle must be signed with (pins it)')
  .option('--key <pem>', 'the same as --public-key')
  .option('--json', 'print the report as JSON')
  .action(async (dir: string, options: { publicKey?: string; key?: string; json?: boolean }) => {
    const { auditVerifyBundleCommand } = await import('./commands/audit.js');
    process.exitCode = await auditVerifyBundleCommand(dir, { publicKey: options.publicKey ?? options.key, json: options.json });
  });

program
  .command('worker')
  .description('run a worker on TEMPORAL_ADDRESS (default 127.0.0.1:7233) until Ctrl-C')
  .action(async () => {
    const { workerCommand } = await import('./commands/worker.js');
    process.exitCode = await workerCommand(process.env);
  });

program
  .command('dev')
  .description('start Temporal (dev server), PostgreSQL (embedded unless DATABASE_URL) and a worker; Ctrl-C stops all')
  .option('--demo', 'seed the demo database and run runbooks/hello-db.yaml', false)
  .action(async (options: { demo: boolean }) => {
    const { devCommand } = await import('./commands/dev.js');
    process.exitCode = await devCommand(options, process.env);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}
// Some dependencies install exit hooks that would exit with 0; every command has finished here, so exit with its code.
process.exit(process.exitCode ?? 0);
