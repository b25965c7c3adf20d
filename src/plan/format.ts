import type { PlanIssue } from '../domain/index.js';

/** One issue the way compilers print them, so editors and terminals can jump to it: `file:line:column: message`, then the hint. */
export function formatPlanIssue(issue: PlanIssue): string {
  const head = `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`;
  return issue.hint === undefined ? head : `${head}\n  hint: ${issue.hint}`;
}
