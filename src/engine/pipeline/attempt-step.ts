import type {
  AttemptKind,
  AttemptRecord,
  SessionInput,
  SessionResult,
  TaskRecord,
} from '../../domain/index.js';
import { agentFailure, attemptAborted, attemptInterrupted, taskStarted } from '../../domain/index.js';
import type { RepoSnapshot } from '../../git/index.js';
import { snapshotRepository } from '../../git/index.js';
import { describeTamper, undoRepositoryChanges } from '../../git/repo-tamper.js';
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
import { StopRequest, stopRequestOf } from '../stop-request.js';
import { describeBreach, estimateAttempt } from '../budget/index.js';
import { ensureKnowledge, renderKnowledge } from '../knowledge/index.js';
import { keptPaths, prepareWorktreeFiles } from '../workspace/worktree-setup.js';
import type { TaskFacts } from './next-step.js';
import { integrationHead } from './repo-steps.js';

export interface AttemptPlan {
  kind: AttemptKind;
  feedback: string | null;
  resumeSessionId?: string;
  fromIntegration: boolean;
}

/**
 * How an attempt's agent session ended: run to its end, or stopped (pause, cancel, lost lease);
 * or it never started because the worktree setup failed and the task was blocked (recorded).
 */
export type AttemptEnd =
  | { type: 'finished'; attempt: AttemptRecord; session: SessionResult }
  | { type: 'stopped'; stop: StopRequest }
  | { type: 'blocked'; reason: string };

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
  // What the tasks passed so far did, dependencies first (recorded now if a crash lost it).
  const knowledge = renderKnowledge(ctx.run.plan, await ensureKnowledge(ctx), facts.task.taskId);
  // Before anything is prepared: a budget that allows no further attempt pauses the task here.
  const refused = await budgetRefusal(ctx, facts, plan, knowledge);
  if (refused) return { type: 'stopped', stop: new StopRequest('pause', refused) };
  const baseCommit = await prepareWorktree(ctx, facts.task, plan);
  // The repository's part of getting ready (copies, links, the setup): a failure is not the agent's.
  const ready = await prepareWorktreeFiles(
    ctx,
    worktreePath(ctx.repo.root, ctx.run.slug, facts.task.taskId),
    facts.task.taskId,
    signal,
  );
  if (ready.type === 'blocked') return ready;
  if (ready.type === 'stopped' || signal.aborted) return { type: 'stopped', stop: stopRequestOf(signal) };
  const attempt = await recordStart(ctx, facts.task, plan, baseCommit);
  ctx.spend?.attemptStarted(attempt.id, attempt.taskId, attempt.kind !== 'resume');
  const adapter = ctx.agents.get(attempt.agent);
  // A test double without a common dir has nothing to snapshot.
  const before = ctx.repo.commonDir === undefined ? undefined : await snapshotRepository(ctx.repo);
  const ran = await runAgentSession(
    ctx,
    adapter,
    sessionInput(ctx, attempt, plan, adapter.envKeys, tryNumber(facts, plan), knowledge),
    attempt.transcriptPath ?? '',
    signal,
  );
  const stopping = ran.status === 'aborted' || signal.aborted;
  const stop = stopping ? stopRequestOf(signal) : undefined;
  // After a lost lease another engine owns the run: write nothing, undo nothing.
  const tamper =
    before && stop?.kind !== 'lease-lost' ? await undoTampering(ctx, attempt, before) : undefined;
  if (stop === undefined) {
    return { type: 'finished', attempt, session: tamper ? failedByTamper(ran, tamper) : ran };
  }
  const session = ran;
  if (stop.kind !== 'lease-lost') {
    const outcome = { usage: session.usage, nativeSessionId: session.nativeSessionId };
    await ctx.store.transaction((tx) =>
      tx.apply(
        stop.kind === 'pause'
          ? attemptInterrupted(attempt, stop.message, outcome)
          : attemptAborted(attempt, stop.message, outcome),
      ),
    );
  }
  return { type: 'stopped', stop };
}

/**
 * Why the run's budgets refuse this attempt (a limit reached, or one the attempt's least cost
 * would pass), or undefined when it may start; the ledger records the breach and pauses the run.
 */
async function budgetRefusal(
  ctx: RunContext,
  facts: TaskFacts,
  plan: AttemptPlan,
  knowledge: string,
): Promise<string | undefined> {
  if (!ctx.spend) return undefined;
  const task = taskOf(ctx.run, facts.task.taskId);
  const agent = agentFor(ctx.run, task);
  const model = agentConfigFor(ctx.run, task, agent).model;
  const estimate = await estimateAttempt({
    prompt: buildPrompt({
      task,
      kind: plan.kind,
      attemptNumber: facts.task.attempts + 1,
      feedback: plan.feedback,
      instructions: ctx.instructions,
      protectedPaths: protectedPathsOf(ctx.run),
      knowledge,
    }),
    task,
    root: ctx.repo.root,
    model: typeof model === 'string' ? model : undefined,
    pricing: ctx.run.plan.settings.pricing,
  });
  const breach = ctx.spend.beforeAttempt(facts.task.taskId, estimate, plan.kind !== 'resume');
  return breach ? describeBreach(breach) : undefined;
}

/**
 * Undoes what the session changed in the repository beyond its worktree (refs, HEAD of the main
 * checkout, config, hooks; see undoRepositoryChanges) and records it as
 * `attempt.repository-tampered`. Returns the message the attempt fails with, or undefined when
 * nothing had changed.
 */
async function undoTampering(
  ctx: RunContext,
  attempt: AttemptRecord,
  before: RepoSnapshot,
): Promise<string | undefined> {
  const report = await undoRepositoryChanges(ctx.repo, before, {
    ownBranch: attempt.branch,
    integrationBranch: ctx.run.integrationBranch,
  });
  if (report.changes.length === 0) return undefined;
  const failed = new Set(report.failed.map((f) => f.change));
  await ctx.store.transaction((tx) =>
    tx.appendEvent({
      type: 'attempt.repository-tampered',
      runId: attempt.runId,
      taskId: attempt.taskId,
      attemptId: attempt.id,
      data: { changes: report.changes.map((c) => ({ ...c, undone: !failed.has(c) })) },
    }),
  );
  return describeTamper(report);
}

/**
 * A session that bent the repository fails, whatever it reported: `task_failed`, so the task is
 * sent back for rework (told what it did) while its budget lasts, and never merged from this attempt.
 */
function failedByTamper(session: SessionResult, message: string): SessionResult {
  return {
    ...session,
    status: 'failed',
    error: message,
    failure: agentFailure('task_failed', message, {
      hint: 'agents must change only their worktree: Gaffer makes every commit and owns the refs, config and hooks',
    }),
  };
}

/**
 * The worktree the attempt runs in, and the commit it starts from: a task branch that exists
 * (rework, resume, a removed worktree) is where work continues; otherwise — and after a merge
 * conflict — the task starts from the integration head. A worktree reused from the pool keeps
 * what the plan's `worktree.keep` names (the installed dependencies).
 */
async function prepareWorktree(ctx: RunContext, task: TaskRecord, plan: AttemptPlan): Promise<string> {
  const { repo, run } = ctx;
  const worktree = worktreePath(repo.root, run.slug, task.taskId);
  const head = await integrationHead(ctx);
  const baseCommit = plan.fromIntegration
    ? head
    : ((await repo.resolveCommit(`refs/heads/${task.branch}`)) ?? head);
  await repo.addWorktree(worktree, task.branch, baseCommit, { keep: keptPaths(ctx) });
  if (plan.fromIntegration) await repo.resetHard(worktree, head);
  return baseCommit;
}

/** Records attempt N+1 together with the task's move to `running`. */
async function recordStart(
  ctx: RunContext,
  task: TaskRecord,
  plan: AttemptPlan,
  baseCommit: string,
): Promise<AttemptRecord> {
  const { repo, run } = ctx;
  const number = task.attempts + 1;
  const id = `${run.id}.${task.taskId}.${number}`;
  const startedAt = new Date().toISOString();
  const attempt: AttemptRecord = {
    id,
    runId: run.id,
    taskId: task.taskId,
    number,
    kind: plan.kind,
    status: 'starting',
    agent: agentFor(run, taskOf(run, task.taskId)),
    worktreePath: worktreePath(repo.root, run.slug, task.taskId),
    branch: task.branch,
    baseCommit,
    headCommit: null,
    nativeSessionId: null,
    feedback: plan.feedback,
    error: null,
    failure: null,
    usage: null,
    transcriptPath: transcriptPath(repo.root, run.id, id),
    startedAt,
    finishedAt: null,
  };
  await ctx.store.transaction(async (tx) => {
    await tx.insertAttempt(attempt, {
      type: 'attempt.started',
      runId: run.id,
      taskId: task.taskId,
      attemptId: id,
      data: {
        number,
        kind: plan.kind,
        agent: attempt.agent,
        worktree: attempt.worktreePath,
        branch: task.branch,
      },
    });
    const reworks = task.reworks + (plan.kind === 'rework' ? 1 : 0);
    await tx.apply(
      taskStarted(attempt, { attempts: number, reworks, startedAt: task.startedAt ?? startedAt }),
    );
  });
  return attempt;
}

/** What the agent is given: the prompt, its worktree, its config and an explicit environment. */
function sessionInput(
  ctx: RunContext,
  attempt: AttemptRecord,
  plan: AttemptPlan,
  envKeys: readonly string[] | undefined,
  tryOfWork: number,
  knowledge: string,
): SessionInput {
  const task = taskOf(ctx.run, attempt.taskId);
  const protectedPaths = protectedPathsOf(ctx.run);
  const config = agentConfigFor(ctx.run, task, attempt.agent);
  return {
    runId: attempt.runId,
    taskId: attempt.taskId,
    attemptId: attempt.id,
    attemptNumber: attempt.number,
    kind: plan.kind,
    tryNumber: tryOfWork,
    task,
    prompt: buildPrompt({
      task,
      kind: plan.kind,
      attemptNumber: attempt.number,
      feedback: plan.feedback,
      instructions: ctx.instructions,
      protectedPaths,
      knowledge,
    }),
    cwd: attempt.worktreePath,
    config,
    env: agentEnv(ctx.env, config, envKeys),
    protectedPaths,
    ...(plan.resumeSessionId ? { resumeSessionId: plan.resumeSessionId } : {}),
  };
}

/** The try of the work an attempt is: first and rework attempts start one, resume and retry continue it. */
function tryNumber(facts: TaskFacts, plan: AttemptPlan): number {
  const tries = facts.attempts.filter((a) => a.kind === 'first' || a.kind === 'rework').length;
  return Math.max(1, tries + (plan.kind === 'first' || plan.kind === 'rework' ? 1 : 0));
}
