import type { AttemptRecord, VerifierResult } from '../../domain/index.js';
import { taskEvaluating } from '../../domain/index.js';
import { checksFor, detectVerifiers, evaluateWorktree, judge } from '../../verify/index.js';
import { verifierEnv } from '../child-env.js';
import { redactSecrets } from '../redact.js';
import type { RunContext } from '../run-context.js';
import { taskOf } from '../run-context.js';

/**
 * Evaluate: the task's checks run in the attempt's worktree (redacted output), folded with the
 * guard's protected-path result into an evaluation recorded with its event. Returns false when
 * the run is stopping: an interrupted evaluation is not a verdict and records nothing, so the
 * checks run again on resume (without another agent session).
 */
export async function evaluateAttempt(
  ctx: RunContext,
  attempt: AttemptRecord,
  reverted: readonly string[],
  signal: AbortSignal,
): Promise<boolean> {
  const { run, store } = ctx;
  await ensureEvaluating(ctx, attempt);
  // A resumed evaluation needs the attempt's worktree; the branch holds its commit.
  await ctx.repo.addWorktree(attempt.worktreePath, attempt.branch, attempt.headCommit ?? attempt.baseCommit);
  const task = taskOf(run, attempt.taskId);
  const checks = checksFor(await detectVerifiers(attempt.worktreePath), run.plan.settings, task);
  const outcome = await evaluateWorktree({
    cwd: attempt.worktreePath,
    env: verifierEnv(ctx.env),
    verifiers: checks.verifiers,
    deliverables: checks.deliverables,
    timeoutMs: checks.timeoutMs,
    signal,
  });
  if (signal.aborted) return false;
  const results: VerifierResult[] = outcome.results.map((r) => ({ ...r, output: redactSecrets(r.output) }));
  const verdict = judge(results, reverted);
  await store.transaction((tx) =>
    tx.insertEvaluation(
      {
        id: `${attempt.id}.eval`,
        runId: run.id,
        taskId: attempt.taskId,
        attemptId: attempt.id,
        passed: verdict.passed,
        score: verdict.score,
        confidence: verdict.confidence,
        results: verdict.results,
        createdAt: new Date().toISOString(),
      },
      {
        type: 'evaluation.completed',
        runId: run.id,
        taskId: attempt.taskId,
        attemptId: attempt.id,
        data: {
          passed: verdict.passed,
          score: verdict.score,
          confidence: verdict.confidence,
          failed: verdict.results.filter((r) => !r.passed).map((r) => r.name),
        },
      },
    ),
  );
  return true;
}

/** A task resumed after a stop is `ready` again; evaluation and merge happen in `evaluating`. */
export async function ensureEvaluating(ctx: RunContext, attempt: AttemptRecord): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const task = await tx.getTask(attempt.runId, attempt.taskId);
    if (task?.status !== 'evaluating')
      await tx.apply(taskEvaluating(attempt, attempt.number, task?.filesChanged ?? 0));
  });
}
