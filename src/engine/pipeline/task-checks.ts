import type { VerifierResult } from '../../domain/index.js';
import { GafferError } from '../../domain/index.js';
import type { Repo } from '../../git/index.js';
import type { CheckPlan, DefinitionTree } from '../../verify/index.js';
import {
  checksFor,
  definitionsResult,
  detectVerifiers,
  findDefinitionChanges,
  worktreeTree,
} from '../../verify/index.js';
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
 * every resume (a trailing comma in package.json), a check that ran on the base but is gone
 * now (a script deleted) fails instead of silently not running, and so does one the task
 * redefined (its script, Makefile or tool settings differ from the base commit's) unless the
 * plan sets `verifiers.trust_task_changes` — see docs/decisions/2026-12-01-checks-from-base.md.
 */
export async function taskChecks(
  ctx: RunContext,
  worktree: string,
  taskId: string,
): Promise<{ checks: CheckPlan; problems: VerifierResult[]; leftOut: string[] }> {
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
      leftOut: [],
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
  // The checks are the base commit's: a task may not redefine one (a package.json script, a
  // Makefile, a test runner's settings) unless the plan trusts it to.
  if (ctx.run.plan.settings.verifiers?.trust_task_changes !== true) {
    const changes = await findDefinitionChanges(
      checks.verifiers,
      baseline?.checks ?? [],
      commitTree(ctx.repo, ctx.run.baseCommit),
      worktreeTree(worktree),
    );
    const redefined = definitionsResult(changes);
    if (redefined) problems.push(redefined);
  }
  const chosen = new Set(checks.verifiers.map((v) => v.name));
  return { checks, problems, leftOut: detected.map((v) => v.name).filter((name) => !chosen.has(name)) };
}

/**
 * A commit's files as a {@link DefinitionTree}, read from git objects (a symbolic link as its
 * target). Every task's evaluation reads the same base commit, whose objects never change: each
 * answer is kept per repository and commit, so only the first evaluation asks git.
 */
function commitTree(repo: Repo, commit: string): DefinitionTree {
  const byCommit = commitReads.get(repo) ?? new Map<string, Map<string, Promise<unknown>>>();
  commitReads.set(repo, byCommit);
  const reads = byCommit.get(commit) ?? new Map<string, Promise<unknown>>();
  byCommit.set(commit, reads);
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    const known = reads.get(key) as Promise<T> | undefined;
    if (known !== undefined) return known;
    const reading = read();
    reads.set(key, reading);
    // A failed read (git could not run) is asked again next time, not remembered.
    reading.catch(() => reads.delete(key));
    return reading;
  };
  return {
    rootNames: () =>
      once('', async () =>
        splitNul((await repo.git(['ls-tree', '-z', '--full-tree', '--name-only', commit])).stdout),
      ),
    read: (path) =>
      once(`/${path}`, async () => {
        const listed = await repo.git(['ls-tree', '-z', '--full-tree', commit, '--', path]);
        const mode = /^(\d+) blob /.exec(splitNul(listed.stdout)[0] ?? '')?.[1];
        if (mode === undefined) return undefined;
        const text = (await repo.readFileAt(commit, path)) ?? '';
        return mode === '120000' ? { link: text } : { text };
      }),
  };
}

/** What {@link commitTree} read, per repository and commit. */
const commitReads = new WeakMap<Repo, Map<string, Map<string, Promise<unknown>>>>();

const splitNul = (text: string) => text.split('\0').filter((part) => part !== '');

/** Whether the task's own settings would run a check of this name (a task may narrow the plan's checks). */
function wantedFor(ctx: RunContext, taskId: string, name: string): boolean {
  const own = taskOf(ctx.run, taskId).verifiers;
  if (own?.skip?.includes(name)) return false;
  if (own?.only && !own.only.includes(name)) return false;
  return true;
}
