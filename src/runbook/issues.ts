/**
 * Problems found in a runbook are data: a list of issues, each with file, line, column, code and message.
 * Printing them is a separate function, so the CLI, the API and the tests share one shape.
 */
import type { ErrorCode } from '../shared/error-codes.js';

export interface RunbookIssue {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly code: ErrorCode;
  readonly message: string;
}

export class RunbookInvalidError extends Error {
  constructor(readonly issues: readonly RunbookIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'RunbookInvalidError';
  }
}

/** `file:line:col  CODE  message`: the shape editors and terminals link to. */
export function formatIssue(issue: RunbookIssue): string {
  return `${issue.file}:${issue.line}:${issue.col}  ${issue.code}  ${issue.message}`;
}
