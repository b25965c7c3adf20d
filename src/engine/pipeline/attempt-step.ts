import type { AttemptKind, AttemptRecord, SessionResult } from '../../domain/index.js';
import { attemptAborted, attemptInterrupted, taskStarted } from '../../domain/index.js';
import { runAgentSession } from '../agent-session.js';
import { agentEnv } from '../child-env.js';
import { buildPrompt } from '../prompt.js';
import type { RunContext } from '../run-context.js';
import {
  agentConfigFor,
  agentFor,
  protectedPathsOf,
  taskOf,
  transcriptPath,
  worktreePath,
} from '../run-context.js';
import type { StopRequest } from '../stop-request.js';
import { stopRequestOf } from '../stop-request.js';
import type { TaskFacts } from './next-step.js';
import { integrationHead } from './repo-steps.js';

export interface AttemptPlan {
  kind: AttemptKind;
  feedback: string | null;
  resumeSessionId?: string;
  fromIntegration: boolean;
}

/** How an attempt's agent session ended: run to its end, or stopped (pause, cancel, lost lease). */
export type AttemptEnd =
  | { type: 'finished'; attempt: AttemptRecord; session: SessionResult }
  | { type: 'stopped'; stop: StopRequest };

/**
 * Starts attempt N+1 of a task — recorded with the task's move to `running` — in the task's
 * worktree (created at the integration head, or kept with its branch for rework and resume),
 * and runs the agent session to its end. A stopped session is recorded as interrupted (pause)
 * or aborted (cancel); after a lost lease another engine owns the run and nothing is written.
 */
export async function runAttempt(
  ctx: RunContext,
  facts: TaskFacts,
  plan: AttemptPlan,
  signal: AbortSignal,
): Promise<AttemptEnd> {
  const { store, repo, run } = ctx;
  const taskId = facts.task.taskId;
  const task = taskOf(run, taskId);
  const agentName = agentFor(run, task);
  const adapter = ctx.agents.get(agentName);
  const worktree = worktreePath(repo.root, run.slug, taskId);
  const branch = facts.task.branch;
  const number = facts.task.attempts + 1;
  const attemptId = `${run.id}.${taskId}.${number}`;

  // A task branch that exists (rework, resume, a removed worktree) is where work continues;
  // otherwise — and after a merge conflict — the task starts from the integration head.
  const head = await integrationHead(ctx);
  const baseCommit = plan.fromIntegration
    ? head
    : ((await repo.resolveCommit(`refs/heads/${branch}`)) ?? head);
  await repo.addWorktree(worktree, branch, baseCommit);
  if (plan.fromIntegration) await repo.resetHard(worktree, head);

  const startedAt = new Date().toISOString();
  const attempt: AttemptRecord = {
    id: attemptId,
    runId: run.id,
    taskId,
    number,
    kind: plan.kind,
    status: 'starting',
    agent: agentName,
    worktreePath: worktree,
    branch,
    baseCommit,
    headCommit: null,
    nativeSessionId: null,
    feedback: plan.feedback,
    error: null,
    failure: null,
    usage: null,
    transcriptPath: transcriptPath(repo.root, run.id, attemptId),
    startedAt,
    finishedAt: null,
  };
  await store.transaction(async (tx) => {
    await tx.insertAttempt(attempt, {
      type: 'attempt.started',
      runId: run.id,
      taskId,
      attemptId,
      data: { number, kind: plan.kind, agent: agentName, worktree, branch },
    });
    await tx.apply(
      taskStarted(attempt, {
        attempts: number,
        reworks: facts.task.reworks + (plan.kind === 'rework' ? 1 : 0),
        startedAt: facts.task.startedAt ?? startedAt,
      }),
    );
  });

  const protectedPaths = protectedPathsOf(run);
  const config = agentConfigFor(run, task, agentName);
  const session = await runAgentSession(
    ctx,
    adapter,
    {
      runId: run.id,
      taskId,
      attemptId,
      attemptNumber: number,
      kind: plan.kind,
      task,
      prompt: buildPrompt({
        task,
        kind: plan.kind,
        attemptNumber: number,
        feedback: plan.feedback,
        instructions: ctx.instructions,
        protectedPaths,
      }),
      cwd: worktree,
      config,
      env: agentEnv(ctx.env, config, adapter.envKeys),
      protectedPaths,
      ...(plan.resumeSessionId ? { resumeSessionId: plan.resumeSessionId } : {}),
    },
    attempt.transcriptPath ?? '',
    signal,
  );

  if (session.status === 'aborted' || signal.aborted) {
    const stop = stopRequestOf(signal);
    if (stop.kind !== 'lease-lost') {
      const outcome = { usage: session.usage, nativeSessionId: session.nativeSessionId };
      await store.transaction((tx) =>
        tx.apply(
          stop.kind === 'pause'
            ? attemptInterrupted(attempt, stop.message, outcome)
            : attemptAborted(attempt, stop.message, outcome),
        ),
      );
    }
    return { type: 'stopped', stop };
  }
  return { type: 'finished', attempt, session };
}
