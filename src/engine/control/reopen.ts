import type { RunRecord, TaskRecord } from '../../domain/index.js';
import { isTerminalRun, runReopened, taskReopened, userError } from '../../domain/index.js';
import type { Repo } from '../../git/index.js';
import { effectiveDependencies } from '../../plan/index.js';
import type { Store } from '../../store/index.js';
import { evaluationSetback } from '../../verify/index.js';
import { worktreePath } from '../run-context.js';
import { mustGetRun } from './control.js';
import { isDriven } from './liveness.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { endLeftoverProcesses } from '../recovery/end-leftover-processes.js';

export interface ReopenOptions {
  /** Only these tasks (and what depends on them); default: every blocked, skipped or cancelled task. */
  tasks?: readonly string[];
  /** Continue from each task's last attempt (its branch, told what stopped it) instead of starting it over. */
  keepWork?: boolean;
}

const REOPENABLE = new Set(['blocked', 'skipped', 'cancelled']);

/**
 * `gaffer retry`: reopens the blocked, skipped or cancelled tasks of an ended run with a fresh
 * rework budget, keeping everything that passed; the run waits, paused, for its next drive.
 * Without `keepWork` a reopened task starts over from the integration head (its branch and
 * worktree go); with it, the next attempt continues on its branch, told what stopped it.
 * A run that failed at its baseline is reopened whole: its next drive checks the base again.
 */
export async function reopenRun(
  store: Store,
  repo: Repo,
  runId: string,
  options: ReopenOptions = {},
  logger: Logger = silentLogger,
): Promise<RunRecord> {
  const run = await mustGetRun(store, runId);
  if (!isTerminalRun(run.status) || (await isDriven(store, runId))) {
    throw userError(
      'GAFFER_BAD_INPUT',
      `run ${runId} is ${run.status}: retry reopens runs that have ended`,
      run.status === 'paused'
        ? `continue it with \`gaffer resume ${runId}\``
        : `pause or cancel it first (\`gaffer pause ${runId}\`), or wait for it to end`,
    );
  }
  const tasks = await store.listTasks(runId);
  const chosen = chooseTasks(run, tasks, options.tasks);
  // Whatever a killed engine left running in these worktrees ends before they are reused.
  const chosenIds = new Set(chosen.map((t) => t.taskId));
  await endLeftoverProcesses(
    { store, logger },
    (await store.listAttempts(runId)).filter((a) => chosenIds.has(a.taskId)),
  );
  const feedback = options.keepWork ? await lastFeedback(store, runId, chosen) : new Map<string, string>();
  if (!options.keepWork) {
    for (const task of chosen) {
      await repo.removeWorktree(worktreePath(repo.root, run.slug, task.taskId));
      await repo.deleteBranch(task.branch);
    }
  }
  return store.transaction(async (tx) => {
    for (const task of chosen)
      await tx.apply(taskReopened(runId, task.taskId, task.attempts, feedback.get(task.taskId) ?? null));
    return tx.apply(
      runReopened(
        runId,
        chosen.map((t) => t.taskId),
        Boolean(options.keepWork),
      ),
    );
  });
}

/** The named tasks (or every reopenable one) plus the unfinished tasks that depend on them. */
function chooseTasks(run: RunRecord, tasks: readonly TaskRecord[], named: readonly string[] | undefined) {
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  for (const id of named ?? []) {
    const task = byId.get(id);
    if (!task)
      throw userError(
        'GAFFER_BAD_INPUT',
        `run ${run.id} has no task "${id}"`,
        `tasks: ${[...byId.keys()].join(', ')}`,
      );
    if (!REOPENABLE.has(task.status))
      throw userError(
        'GAFFER_BAD_INPUT',
        `task ${id} is ${task.status}: only blocked, skipped or cancelled tasks are retried`,
        'leave out --task to retry every task that did not pass',
      );
  }
  const seeds = new Set(named ?? tasks.filter((t) => REOPENABLE.has(t.status)).map((t) => t.taskId));
  const deps = effectiveDependencies(run.plan);
  // A task waiting on a reopened one is reopened too, or it would stay skipped for good.
  for (let grew = true; grew;) {
    grew = false;
    for (const task of tasks) {
      if (seeds.has(task.taskId) || !REOPENABLE.has(task.status)) continue;
      if ([...(deps.get(task.taskId) ?? [])].some((d) => seeds.has(d)))
        grew = seeds.add(task.taskId) !== undefined;
    }
  }
  const chosen = tasks.filter((t) => seeds.has(t.taskId));
  if (chosen.length === 0 && !stoppedBeforeAnyTask(run, tasks)) {
    throw userError(
      'GAFFER_BAD_INPUT',
      `run ${run.id} has nothing to retry: no task is blocked, skipped or cancelled`,
      'every task passed; start a new run for more work',
    );
  }
  return chosen;
}

/**
 * A run that failed before any task ran: its base failed its checks (or could not run them). A
 * retry reopens the run alone; its next drive checks the base again, now that the environment
 * may be fixed.
 */
function stoppedBeforeAnyTask(run: RunRecord, tasks: readonly TaskRecord[]): boolean {
  return run.status === 'failed' && tasks.every((t) => t.status === 'pending');
}

/** With --continue: what stopped each task — its last failed checks, or the reason it was stopped. */
async function lastFeedback(store: Store, runId: string, tasks: readonly TaskRecord[]) {
  const evaluations = await store.listEvaluations(runId);
  const attempts = await store.listAttempts(runId);
  const feedback = new Map<string, string>();
  for (const task of tasks) {
    const last = attempts.filter((a) => a.taskId === task.taskId).at(-1);
    if (!last) continue;
    const evaluation = evaluations.filter((e) => e.attemptId === last.id).at(-1);
    const text =
      evaluation && !evaluation.passed
        ? evaluationSetback(evaluation.results).feedback
        : (last.error ?? task.reason ?? 'The previous run stopped this task before it passed.');
    feedback.set(
      task.taskId,
      `The previous run stopped this task. Continue from your last attempt:\n\n${text}`,
    );
  }
  return feedback;
}
