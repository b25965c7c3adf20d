import type { RunRecord } from '../../domain/index.js';
import { userError } from '../../domain/index.js';
import type { BaselineCheckResult } from './baseline-types.js';

/** Lines of a check's output shown in the report; the event keeps more. */
const REPORT_TAIL_LINES = 15;

/** One short line naming the checks that failed or could not run on the base: the run's reason. */
export function baselineReason(
  run: Pick<RunRecord, 'baseBranch' | 'baseCommit'>,
  bad: readonly BaselineCheckResult[],
): string {
  const names = bad.map((c) => `${c.name}${c.cannotRun ? ' (cannot run)' : ''}`).join(', ');
  return `the base ${run.baseBranch} (${run.baseCommit.slice(0, 8)}) fails its own checks before any agent started: ${names}`;
}

/**
 * The report of a failing base, for a person: per check its command, how it ended, the useful
 * tail of its output and the fix; then how to go on. Agents never see it.
 */
export function baselineReport(bad: readonly BaselineCheckResult[]): string {
  const sections = bad.map((check) => {
    const ending = check.cannotRun
      ? `cannot run${check.exitCode === null ? '' : ` (exit code ${check.exitCode})`}`
      : `failed (exit code ${check.exitCode ?? 'none'})`;
    const tail = check.tail.split('\n').slice(-REPORT_TAIL_LINES);
    return [
      `  ${check.name}: ${ending}`,
      `    command: ${check.command}`,
      ...(check.tail.trim() === '' ? ['    (no output)'] : tail.map((line) => `    │ ${line}`)),
      `    fix: ${check.fix ?? 'fix it on the base branch'}`,
    ].join('\n');
  });
  return sections.join('\n');
}

/** The user error that stops a run whose base fails its checks: the CLI prints it and exits 2. */
export function baselineFailedError(
  run: Pick<RunRecord, 'id' | 'baseBranch' | 'baseCommit' | 'planPath' | 'options'>,
  bad: readonly BaselineCheckResult[],
) {
  const names = bad.map((c) => c.name);
  return userError(
    'GAFFER_BASELINE_FAILED',
    `${baselineReason(run, bad)}\n${baselineReport(bad)}\nrun ${run.id} stopped; nothing was spent on agents.`,
    `this is the repository's state, not a task's: fix the base, install what is missing, ` +
      `add ${names.map((n) => `"${n}"`).join(', ')} to verifiers.skip, or set \`verifiers.baseline: allow_preexisting\` ` +
      `(tasks must then not make these checks worse) and start again with \`gaffer run ${run.options.spec === undefined ? run.planPath : `--spec ${run.options.spec}`}\`; ` +
      `once a missing tool or dependency is installed, \`gaffer retry ${run.id}\` checks the base again`,
    { runId: run.id, checks: bad },
  );
}
