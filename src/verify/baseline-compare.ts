import type { VerifierResult } from '../domain/index.js';

/** A check is the same check on the base and in a task when both its name and its command match. */
export function checkKey(name: string, command: string): string {
  return JSON.stringify([name, command]);
}

/** What a task's results are compared with: a check of the base commit and whether it passed there. */
export interface BaselineEntry {
  name: string;
  command: string;
  passed: boolean;
  /** How it ended on the base; a failure that now ends otherwise is a different failure. */
  exitCode?: number | null;
}

/**
 * Marks as `preexisting` every failed result whose check (same name and command) failed on the
 * base commit too: the task did not make it worse, so it must not fail the task nor be sent to
 * its agent. A check that passed on the base and fails now is the task's, as is any check the
 * baseline did not run (a task-only command, a deliverable, a protected path).
 */
export function markPreexisting(
  results: readonly VerifierResult[],
  baseline: readonly BaselineEntry[],
): VerifierResult[] {
  const failedOnBase = new Map(
    baseline.filter((b) => !b.passed).map((b) => [checkKey(b.name, b.command), b]),
  );
  return results.map((result) => {
    const before = result.passed ? undefined : failedOnBase.get(checkKey(result.name, result.command));
    const same =
      before !== undefined && (before.exitCode === undefined || before.exitCode === result.exitCode);
    return same ? { ...result, preexisting: true } : result;
  });
}
