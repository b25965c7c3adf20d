import type { VerifierResult } from '../../domain/index.js';
import { GafferError } from '../../domain/index.js';
import type { CheckPlan } from '../../verify/index.js';
import { checksFor, detectVerifiers } from '../../verify/index.js';
import { readRunBaseline } from '../baseline/index.js';
import type { RunContext } from '../run-context.js';
import { taskOf } from '../run-context.js';

const failed = (name: string, command: string, output: string): VerifierResult => ({
  name,
  command,
  passed: false,
  exitCode: null,
  durationMs: 0,
  timedOut: false,
  output,
});

/**
 * The checks of a task's attempt, detected in its worktree — which the agent wrote. So what the
 * agent broke there is the task's setback, never an engine error that would stop the run on
 * every resume (a trailing comma in package.json), and a check that ran on the base but is gone
 * now (a script deleted) fails instead of silently not running.
 */
export async function taskChecks(
  ctx: RunContext,
  worktree: string,
  taskId: string,
): Promise<{ checks: CheckPlan; problems: VerifierResult[] }> {
  const task = taskOf(ctx.run, taskId);
  let detected;
  try {
    detected = await detectVerifiers(worktree);
  } catch (error) {
    if (!GafferError.isInstance(error) || !error.userError) throw error;
    const why = `${error.message}${error.hint ? ` — ${error.hint}` : ''}`;
    return {
      checks: checksFor([], ctx.run.plan.settings, task),
      problems: [
        failed('checks', 'detect the checks in the worktree', `The checks could not be found: ${why}`),
      ],
    };
  }
  const checks = checksFor(detected, ctx.run.plan.settings, task);
  const baseline = await readRunBaseline(ctx.store, ctx.run.id);
  const now = new Set(checks.verifiers.map((v) => v.name));
  const gone = (baseline?.checks ?? []).filter((c) => !now.has(c.name) && wantedFor(ctx, taskId, c.name));
  const problems = gone.map((c) =>
    failed(
      c.name,
      c.command,
      `The check "${c.name}" (${c.command}) ran on the base commit but no longer exists in this worktree. Restore it; do not remove the repository's checks.`,
    ),
  );
  return { checks, problems };
}

/** Whether the task's own settings would run a check of this name (a task may narrow the plan's checks). */
function wantedFor(ctx: RunContext, taskId: string, name: string): boolean {
  const own = taskOf(ctx.run, taskId).verifiers;
  if (own?.skip?.includes(name)) return false;
  if (own?.only && !own.only.includes(name)) return false;
  return true;
}
