import type { VerifierResult } from '../domain/index.js';
import type { FailureMarkerOptions } from './failure-markers.js';
import { failureCounts, failureMarkers } from './failure-markers.js';

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
  /** The failures its output named there (`failureMarkers`); absent for old baselines and unrecognised output. */
  markers?: readonly string[];
  /** The failure count its summary stated there (`failureCounts`). */
  failureCount?: number;
}

/** How a task's output is normalised before its failures are compared with the base's. */
export type CompareOptions = FailureMarkerOptions;

/** New failures listed in the note; the count says how many more there are. */
const LISTED = 20;

/**
 * Marks as `preexisting` every failed result whose check (same name and command) failed on the
 * base commit too, the same way and no worse: it must not fail the task nor be sent to its
 * agent. Worse means another exit code, a failure the base's output did not name, or a larger
 * failure count; such a result stays the task's, its output led by a note naming what is new.
 * A check that passed on the base and fails now is the task's, as is any check the baseline did
 * not run (a task-only command, a deliverable, a protected path).
 */
export function markPreexisting(
  results: readonly VerifierResult[],
  baseline: readonly BaselineEntry[],
  options: CompareOptions = {},
): VerifierResult[] {
  const failedOnBase = new Map(
    baseline.filter((b) => !b.passed).map((b) => [checkKey(b.name, b.command), b]),
  );
  return results.map((result) => {
    const before = result.passed ? undefined : failedOnBase.get(checkKey(result.name, result.command));
    if (before === undefined) return result;
    if (before.exitCode !== undefined && before.exitCode !== result.exitCode) return result;
    const worse = worseThanBase(result.output, before, options);
    return worse === undefined
      ? { ...result, preexisting: true }
      : { ...result, output: `${worse}\n\n${result.output}` };
  });
}

/** How the note that makes a preexisting failure the task's own begins; views keep it in sight. */
export const WORSE_THAN_BASE = 'worse than on the base commit:';

/** What the task's output reports beyond the base's failures, as a note for the agent; undefined when nothing. */
function worseThanBase(output: string, before: BaselineEntry, options: CompareOptions): string | undefined {
  const known = new Set(before.markers ?? []);
  const added = before.markers ? failureMarkers(output, options).filter((m) => !known.has(m)) : [];
  const count = failureCounts(output);
  const grew = before.failureCount !== undefined && count !== undefined && count > before.failureCount;
  if (added.length === 0 && !grew) return undefined;
  const counts = grew ? `${count} failures, ${before.failureCount} on the base commit` : '';
  const lines =
    added.length === 0
      ? [`${WORSE_THAN_BASE} ${counts}`]
      : [
          `${WORSE_THAN_BASE} ${added.length} new failure(s):`,
          ...added.slice(0, LISTED).map((marker) => `  ${marker}`),
          ...(added.length > LISTED ? [`  … and ${added.length - LISTED} more`] : []),
          ...(grew ? [`(${counts})`] : []),
        ];
  return [...lines, 'Fix what is new: the base commit already failed the rest of this check.'].join('\n');
}
