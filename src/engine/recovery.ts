import type { RunRecord } from '../domain/index.js';
import { attemptInterrupted, GafferError, runResumed, runStarted, taskRequeued } from '../domain/index.js';
import { mustGetRun } from './control/index.js';
import type { RunContext } from './run-context.js';
import { endLeftoverProcesses } from './recovery/end-leftover-processes.js';

/** Moves the run to `running`: a first start, a resume after a pause, or a take-over from a dead owner. */
export async function startOrResume(ctx: RunContext, ownerId: string): Promise<RunRecord> {
  const { store } = ctx;
  const run = await mustGetRun(store, ctx.run.id);
  switch (run.status) {
    case 'pending':
      return store.transaction((tx) => tx.apply(runStarted(run.id, ownerId)));
    case 'paused':
      return store.transaction((tx) => tx.apply(runResumed(run.id, ownerId)));
    case 'running':
      // The previous owner died; its lease is ours now.
      await store.transaction((tx) =>
        tx.appendEvent({ type: 'run.resumed', runId: run.id, data: { ownerId } }),
      );
      return run;
    case 'completed':
    case 'failed':
    case 'cancelled':
      throw endedRunError(run);
  }
}

/** A task waiting for approval runs nothing and stays waiting: its pipeline asks again on dispatch. */
const LIVE_TASK = new Set(['running', 'evaluating', 'rework']);

/**
 * Attempts left mid-flight by a dead owner become `interrupted` and their tasks go back to
 * `ready`; questions nobody waits for any more are closed (the resumed attempt asks again if
 * it must). The next dispatch decides from the record what comes next. First, every process the
 * dead owner's attempts left running (agents, checks) is ended, so no new attempt ever shares a
 * worktree with an old one.
 */
export async function requeueInterrupted(ctx: RunContext): Promise<void> {
  const { store, run } = ctx;
  const attempts = await store.listAttempts(run.id);
  const live = attempts.filter(
    (a) => a.status === 'starting' || a.status === 'running' || a.status === 'waiting_answer',
  );
  const tasks = (await store.listTasks(run.id)).filter((t) => LIVE_TASK.has(t.status));
  // A task mid-evaluation has a finished attempt whose checks may still run in its worktree.
  const liveTaskIds = new Set(tasks.map((t) => t.taskId));
  await endLeftoverProcesses(
    ctx,
    attempts.filter((a) => live.includes(a) || liveTaskIds.has(a.taskId)),
  );
  const liveIds = new Set(live.map((a) => a.id));
  const unanswered = new Map<string, { question: string; taskId: string; attemptId: string }>();
  const questions = await store.readEvents({
    runId: run.id,
    types: ['attempt.question-asked', 'attempt.question-answered'],
  });
  for (const event of questions) {
    if (event.type === 'attempt.question-asked' && liveIds.has(event.attemptId ?? '')) {
      unanswered.set(event.data.questionId, {
        question: event.data.question,
        taskId: event.taskId ?? '',
        attemptId: event.attemptId ?? '',
      });
    }
    if (event.type === 'attempt.question-answered') unanswered.delete(event.data.questionId);
  }
  // The time a dead engine's attempt ends at: its last event, not now (the hours the engine was
  // dead are nobody's work, and a task's wall-time budget must not pay for them).
  const lastHeard = new Map<string, string>();
  for (const attempt of live) {
    const events = await store.readEvents({ runId: run.id, taskId: attempt.taskId });
    const last = events.findLast((e) => e.attemptId === attempt.id);
    if (last) lastHeard.set(attempt.id, last.at);
  }
  await store.transaction(async (tx) => {
    for (const [questionId, q] of unanswered) {
      await tx.appendEvent({
        type: 'attempt.question-answered',
        runId: run.id,
        taskId: q.taskId,
        attemptId: q.attemptId,
        data: { questionId, question: q.question, answer: '', by: 'gaffer (attempt interrupted)' },
      });
    }
    for (const attempt of live) {
      await tx.apply(
        attemptInterrupted(
          attempt,
          'its engine stopped before the attempt ended',
          {},
          lastHeard.get(attempt.id),
        ),
      );
    }
    for (const task of tasks) {
      await tx.apply(taskRequeued(run.id, task.taskId, 'resumed after its engine stopped'));
    }
  });
}

/** What resuming an ended run says: it has ended, and how to go on (a retry, or a new run). */
export function endedRunError(run: RunRecord): GafferError {
  return new GafferError(
    'GAFFER_BAD_INPUT',
    `run ${run.id} has already ${run.status === 'completed' ? 'completed' : 'ended'} (${run.status})`,
    {
      userError: true,
      hint:
        run.status === 'completed'
          ? 'start a new run with `gaffer run <plan>`'
          : `retry what did not pass with \`gaffer retry ${run.id}\` (passed tasks are kept)`,
    },
  );
}
