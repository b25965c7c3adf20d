import { taskAwaitingApproval, taskBlocked, taskRetryScheduled, taskRework } from '../../domain/index.js';
import { pause } from '../queries/index.js';
import type { RunContext } from '../run-context.js';
import type { StopRequest } from '../stop-request.js';
import { stopRequestOf } from '../stop-request.js';
import { runAttempt } from './attempt-step.js';
import type { AttemptPlan } from './attempt-step.js';
import { commitAttempt, guardProtectedPaths } from './commit-step.js';
import { evaluateAttempt } from './evaluate-step.js';
import { mergeAttempt } from './merge-step.js';
import { takeOutMerge } from './take-out-step.js';
import type { NextStep, TaskFacts } from './next-step.js';
import { nextStep } from './next-step.js';
import { readTaskFacts } from './task-facts.js';

export type TaskOutcome =
  | { type: 'passed' }
  | { type: 'blocked'; reason: string }
  /** The result waits for a person's decision (`approvalId`); the task holds no slot meanwhile. */
  | { type: 'awaiting'; approvalId: string }
  | { type: 'stopped'; kind: StopRequest['kind']; reason: string };

/**
 * Carries one task from dispatch to `passed` or `blocked`: read the recorded facts, decide the
 * next step ({@link nextStep}, pure), perform it (attempt → guard → commit, evaluate, merge,
 * rework, retry, block), repeat. Every step records its result in the store before the next
 * decision, so a crash at any point resumes by running the pipeline again.
 */
export async function runTaskPipeline(
  ctx: RunContext,
  taskId: string,
  signal: AbortSignal,
): Promise<TaskOutcome> {
  for (;;) {
    if (signal.aborted) return stopped(signal);
    const facts = await readTaskFacts(ctx, taskId);
    const step = nextStep(facts);
    ctx.logger.debug('next step', { taskId, step: step.type });
    const outcome = await perform(ctx, facts, step, signal);
    if (outcome) return outcome;
  }
}

/** Performs one step; an outcome ends the pipeline, undefined goes on to the next decision. */
async function perform(
  ctx: RunContext,
  facts: TaskFacts,
  step: NextStep,
  signal: AbortSignal,
): Promise<TaskOutcome | undefined> {
  const { run, store } = ctx;
  const taskId = facts.task.taskId;
  switch (step.type) {
    case 'passed':
      return { type: 'passed' };
    case 'attempt':
      return attemptAndCommit(ctx, facts, step, signal);
    case 'retry': {
      await store.transaction(async (tx) => {
        const retry = { kind: step.failure.kind, delayMs: step.delayMs, retry: step.retry };
        if ((await tx.getTask(run.id, taskId))?.status !== 'ready')
          await tx.apply(taskRetryScheduled(step.after, retry));
      });
      await pause(step.delayMs, signal);
      if (signal.aborted) return stopped(signal);
      const resume = step.after.nativeSessionId ? { resumeSessionId: step.after.nativeSessionId } : {};
      return attemptAndCommit(
        ctx,
        await readTaskFacts(ctx, taskId),
        { kind: 'retry', feedback: step.after.feedback, fromIntegration: false, ...resume },
        signal,
      );
    }
    case 'evaluate': {
      const end = await evaluateAttempt(ctx, step.attempt, facts.reverted, signal);
      if (end === 'evaluated') return undefined;
      return end === 'stopped' ? stopped(signal) : { type: 'blocked', reason: end.reason };
    }
    case 'merge': {
      const end = await mergeAttempt(ctx, step.attempt, signal);
      if (end === 'stopped') return stopped(signal);
      if (typeof end === 'object') return { type: 'blocked', reason: end.blocked };
      return end === 'passed' ? { type: 'passed' } : undefined;
    }
    case 'take-out': {
      // In the merge lane, as when the merge's own step takes it out: nothing merges meanwhile.
      const lane = ctx.mergeLane;
      const end = await (lane ? lane.run(() => takeOutMerge(ctx, step)) : takeOutMerge(ctx, step));
      return end ? { type: 'blocked', reason: end.blocked } : undefined;
    }
    case 'await-approval':
      // Asked once: a resumed run finds the task already waiting and asks nothing new.
      await store.transaction(async (tx) => {
        if ((await tx.getTask(run.id, taskId))?.status !== 'awaiting_approval')
          await tx.apply(taskAwaitingApproval(step.attempt, step.evaluation, step.why));
      });
      return { type: 'awaiting', approvalId: step.evaluation.id };
    case 'rework':
      await store.transaction((tx) =>
        tx.apply(taskRework(run.id, taskId, step.setback, facts.task.attempts + 1)),
      );
      return undefined;
    case 'block':
      // Blocked: the worktree keeps the agent's work for inspection, conflicts and all.
      await store.transaction((tx) => tx.apply(taskBlocked(run.id, taskId, step.reason)));
      return { type: 'blocked', reason: step.reason };
  }
}

async function attemptAndCommit(
  ctx: RunContext,
  facts: TaskFacts,
  plan: AttemptPlan,
  signal: AbortSignal,
): Promise<TaskOutcome | undefined> {
  const end = await runAttempt(ctx, facts, plan, signal);
  if (end.type === 'stopped') return { type: 'stopped', kind: end.stop.kind, reason: end.stop.message };
  // The worktree setup failed: the task is blocked (recorded), no attempt was started.
  if (end.type === 'blocked') return { type: 'blocked', reason: end.reason };
  const guarded = await guardProtectedPaths(ctx, end.attempt);
  await commitAttempt(ctx, end.attempt, end.session, guarded);
  return undefined;
}

function stopped(signal: AbortSignal): TaskOutcome {
  const stop = stopRequestOf(signal);
  return { type: 'stopped', kind: stop.kind, reason: stop.message };
}
