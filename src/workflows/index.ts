/** The workflows a Worker registers. Bundled for the sandbox from this file. */
export { runbookWorkflow } from './runbook-workflow.js';
