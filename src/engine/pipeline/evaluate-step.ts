import type { AttemptRecord, ReviewerSettings, VerifierResult } from '../../domain/index.js';
import { addUsage, taskEvaluating, ZERO_USAGE } from '../../domain/index.js';
import type { EvaluationOutcome, JudgeOptions } from '../../verify/index.js';
import { evaluateWorktree, formatArgv, judge, noChangesResult, withReview } from '../../verify/index.js';
import { readRunBaseline } from '../baseline/index.js';
import { verifierEnv } from '../child-env.js';
import { errorMessage } from '../logger.js';
import { recordAttemptProcess } from '../recovery/record-process.js';
import { redactSecrets } from '../redact.js';
import { knownSecretValues } from '../secrets.js';
import { checkSandboxRequest, openSandbox } from '../sandbox/index.js';
import type { RunContext } from '../run-context.js';
import { reviewWithReviewer } from '../review-with-reviewer.js';
import { taskOf } from '../run-context.js';
import { integrationHead } from './repo-steps.js';
import { reviewerOf } from '../reviewer-settings.js';
import { keptPaths, prepareWorktreeFiles, setupAfterAgent } from '../workspace/worktree-setup.js';
import { taskChecks } from './task-checks.js';

/** How an evaluation ended: judged and recorded, stopped with the run, or the task blocked by its worktree setup. */
export type EvaluationEnd = 'evaluated' | 'stopped' | { type: 'blocked'; reason: string };

/**
 * Evaluate: the task's checks run in the attempt's worktree (redacted output), folded with the
 * guard's protected-path result into an evaluation recorded with its event. Returns `stopped`
 * when the run is stopping: an interrupted evaluation is not a verdict and records nothing, so
 * the checks run again on resume (without another agent session). A worktree made again for a
 * resumed evaluation whose setup fails blocks the task (recorded), as before an attempt. When the
 * agent changed a file the setup depends on, the setup runs again first, as a check named `setup`:
 * its failure is the attempt's (rework), and the checks do not run on the failed install. With a
 * `reviewer:` in the plan, the LLM reviewer then judges the diff and the checks' output, and the
 * confidence formula folds both into the verdict (`withReview`).
 */
export async function evaluateAttempt(
  ctx: RunContext,
  attempt: AttemptRecord,
  reverted: readonly string[],
  signal: AbortSignal,
): Promise<EvaluationEnd> {
  await ensureEvaluating(ctx, attempt);
  // A resumed evaluation needs the attempt's worktree; the branch holds its commit. One made
  // again (or taken from the pool) gets the plan's worktree setup, as before the agent ran.
  const made = await ctx.repo.addWorktree(
    attempt.worktreePath,
    attempt.branch,
    attempt.headCommit ?? attempt.baseCommit,
    { keep: keptPaths(ctx) },
  );
  if (made) {
    const ready = await prepareWorktreeFiles(ctx, attempt.worktreePath, attempt.taskId, signal);
    if (ready.type === 'blocked') return ready;
    if (ready.type === 'stopped') return 'stopped';
  }
  // The commit these checks judge; a check may not move the branch (an agent-written test that commits).
  const checked = await ctx.repo.resolveCommit(`refs/heads/${attempt.branch}`);
  // The agent changed what the setup depends on (a lock file): the checks must see that install.
  const setup = await setupAfterAgent(ctx, attempt.worktreePath, attempt.taskId, signal, (command) =>
    checkStarted(ctx, attempt, 'setup', command),
  );
  if (setup.type === 'stopped') return 'stopped';
  // Checks against a failed install test nothing: the setup's output is what the agent needs.
  const failedSetup = setup.type === 'ran' && !setup.result.passed;
  const ran = failedSetup ? { results: [], leftOut: [] } : await runChecks(ctx, attempt, signal);
  if (!ran) return 'stopped';
  const results = setup.type === 'ran' ? [setup.result, ...ran.results] : ran.results;
  if (checked && (await ctx.repo.resolveCommit(`refs/heads/${attempt.branch}`)) !== checked) {
    await ctx.repo.resetHard(attempt.worktreePath, checked);
    results.unshift(branchMovedResult());
  }
  const filesChanged = (await ctx.store.getTask(ctx.run.id, attempt.taskId))?.filesChanged ?? 0;
  const empty = filesChanged === 0 && !taskOf(ctx.run, attempt.taskId).allow_empty;
  if (empty) results.unshift(noChangesResult());
  const verdict = judge(results, reverted, { ...(await judgeOptions(ctx, attempt)), leftOut: ran.leftOut });
  const reviewer = reviewerOf(ctx.run);
  // An attempt that changed nothing has nothing to review: the `changes` failure says it all.
  const final =
    reviewer && !empty ? await withReviewer(ctx, attempt, checked, verdict, reviewer, signal) : verdict;
  if (signal.aborted) return 'stopped';
  await recordEvaluation(ctx, attempt, final, checked);
  if (setup.type === 'ran') await setup.settle();
  return 'evaluated';
}

/**
 * The task's checks in the attempt's worktree, output redacted, with the repository's checks its
 * verifiers left out; undefined when the run is stopping.
 */
async function runChecks(
  ctx: RunContext,
  attempt: AttemptRecord,
  signal: AbortSignal,
): Promise<{ results: VerifierResult[]; leftOut: string[] } | undefined> {
  const { checks, problems, leftOut } = await taskChecks(ctx, attempt.worktreePath, attempt.taskId);
  const opened = await openSandbox(
    checkSandboxRequest(ctx, attempt.worktreePath, taskOf(ctx.run, attempt.taskId)),
  );
  const outcome = await evaluateWorktree({
    sandbox: opened.sandbox,
    cwd: attempt.worktreePath,
    env: verifierEnv(ctx.env),
    verifiers: checks.verifiers,
    deliverables: checks.deliverables,
    timeoutMs: checks.timeoutMs,
    signal,
    onCheckStart: (verifier) => checkStarted(ctx, attempt, verifier.name, formatArgv(verifier.argv)),
    onSpawn: (pid, command) => recordCheckProcess(ctx, attempt, pid, command),
  }).finally(() => opened.dispose());
  if (signal.aborted) return undefined;
  const known = knownSecretValues(ctx.env);
  const results = [...problems, ...outcome.results].map((r) => ({
    ...r,
    output: redactSecrets(r.output, known),
  }));
  return { results, leftOut };
}

/** `evaluation.check-started`, so views can say which check runs. */
function checkStarted(ctx: RunContext, attempt: AttemptRecord, name: string, command: string): Promise<void> {
  return ctx.store.transaction(async (tx) => {
    await tx.appendEvent({
      type: 'evaluation.check-started',
      runId: attempt.runId,
      taskId: attempt.taskId,
      attemptId: attempt.id,
      data: { name, command },
    });
  });
}

/**
 * A check's process group goes on the attempt as it starts: an engine that takes over after a
 * crash ends it before another attempt works in the worktree. A failed write only loses that
 * record (the worktree's processes are found by directory too), never the evaluation.
 */
function recordCheckProcess(ctx: RunContext, attempt: AttemptRecord, pid: number, command: string): void {
  const safe = redactSecrets(command, knownSecretValues(ctx.env));
  recordAttemptProcess(ctx.store, attempt.id, { pid, pgid: pid, command: safe }).catch((error: unknown) =>
    ctx.logger.warn('could not record a check process', {
      attemptId: attempt.id,
      pid,
      error: errorMessage(error),
    }),
  );
}

/** The evaluation and its event, in one transaction; `checked` is the commit it judged. */
async function recordEvaluation(
  ctx: RunContext,
  attempt: AttemptRecord,
  verdict: EvaluationOutcome,
  checked: string | undefined,
): Promise<void> {
  const { store } = ctx;
  const where = { runId: attempt.runId, taskId: attempt.taskId, attemptId: attempt.id };
  // A rebased attempt is evaluated again: its later evaluations get their own ids.
  const earlier = (await store.listEvaluations(attempt.runId, attempt.taskId)).filter(
    (e) => e.attemptId === attempt.id,
  );
  const { passed, score, confidence, results, review } = verdict;
  await store.transaction(async (tx) => {
    await tx.insertEvaluation(
      {
        id: earlier.length === 0 ? `${attempt.id}.eval` : `${attempt.id}.eval.${earlier.length + 1}`,
        ...where,
        passed,
        score,
        confidence,
        results,
        ...(review ? { review } : {}),
        createdAt: new Date().toISOString(),
      },
      {
        type: 'evaluation.completed',
        ...where,
        data: {
          passed,
          score,
          confidence,
          failed: results.filter((r) => !r.passed && !r.preexisting).map((r) => r.name),
          ...(checked ? { commit: checked } : {}),
        },
      },
    );
    // The reviewer's sessions are spent on the attempt: run and task totals count them.
    if (review?.usage)
      await tx.updateAttempt(attempt.id, { usage: addUsage(attempt.usage ?? ZERO_USAGE, review.usage) });
    // The evaluation record has no place for a note; its event carries it for status and logs.
    if (verdict.note && confidence === 'yellow')
      await tx.appendEvent({ type: 'evaluation.no-checks', ...where, data: { note: verdict.note } });
  });
}

/**
 * The checks' verdict with the reviewer's folded in. The reviewer sees the task's diff against the
 * integration branch (secrets masked) and the checks' results; it runs in an empty scratch
 * directory under `.gaffer/runs/<run>/reviews/`, the only place its sandbox and tools may write,
 * so it can change nothing of the attempt. The directory is gone once the review is.
 */
async function withReviewer(
  ctx: RunContext,
  attempt: AttemptRecord,
  checked: string | undefined,
  verdict: EvaluationOutcome,
  reviewer: ReviewerSettings,
  signal: AbortSignal,
): Promise<EvaluationOutcome> {
  const started = Date.now();
  const review = await reviewWithReviewer(
    ctx,
    {
      reviewer,
      // Its context files are the attempt's to read, not the reviewer's: it judges the diff.
      task: taskOf(ctx.run, attempt.taskId),
      from: await integrationHead(ctx),
      to: checked ?? attempt.headCommit ?? attempt.baseCommit,
      results: verdict.results,
      scratchName: attempt.id,
      stateKey: `${attempt.taskId}.review`,
      attemptId: attempt.id,
      attemptNumber: attempt.number,
    },
    signal,
  );
  // Counted at once: a review is spending of the task like its agent's.
  if (review.usage) ctx.spend?.charge(attempt.taskId, review.usage);
  return withReview(verdict, review, reviewer, Date.now() - started);
}

/**
 * Under `verifiers.baseline: allow_preexisting`, failures the base already had do not count
 * against the task; outputs name the worktree where the base's named its checkout.
 */
async function judgeOptions(ctx: RunContext, attempt: AttemptRecord): Promise<JudgeOptions> {
  if (ctx.run.plan.settings.verifiers?.baseline !== 'allow_preexisting') return {};
  const baseline = await readRunBaseline(ctx.store, ctx.run.id);
  return baseline ? { baseline: baseline.checks, roots: [attempt.worktreePath] } : {};
}

function branchMovedResult(): VerifierResult {
  return {
    name: 'branch',
    command: 'the task branch before and after the checks',
    passed: false,
    exitCode: null,
    durationMs: 0,
    timedOut: false,
    output:
      'The task branch changed while its checks ran (something committed or reset it); Gaffer put it back. Checks must not change the repository.',
  };
}

/** A task resumed after a stop is `ready` again; evaluation and merge happen in `evaluating`. */
export async function ensureEvaluating(ctx: RunContext, attempt: AttemptRecord): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const task = await tx.getTask(attempt.runId, attempt.taskId);
    if (task?.status !== 'evaluating')
      await tx.apply(taskEvaluating(attempt, attempt.number, task?.filesChanged ?? 0));
  });
}
