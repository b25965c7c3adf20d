import { readFile } from 'node:fs/promises';
import type { AttemptKind, AttemptRecord, TaskRecord, Usage, VerifierResult } from '../domain/index.js';
import { taskBranchName } from '../git/index.js';
import {
  evaluateWorktree,
  detectVerifiers,
  formatFailures,
  matchProtectedPaths,
  resolveVerifiers,
  scoreResults,
} from '../verify/index.js';
import type { RunContext } from './run-context.js';
import {
  agentConfigFor,
  agentFor,
  protectedPathsOf,
  taskOf,
  transcriptPath,
  worktreePath,
} from './run-context.js';
import { buildPrompt } from './prompt.js';
import { redactSecrets } from './redact.js';
import { runAgentSession } from './agent-session.js';
import { stopRequestOf } from './stop-request.js';
import { agentEnv, verifierEnv } from './child-env.js';

export type TaskOutcome =
  | { type: 'passed' }
  | { type: 'blocked'; reason: string }
  | { type: 'stopped'; kind: 'pause' | 'cancel' | 'lease-lost'; reason: string };

const DEFAULT_VERIFIER_TIMEOUT_S = 600;

/** A failure that sends the task back for rework: a short reason for status views, full feedback for the agent. */
interface Setback {
  reason: string;
  feedback: string;
}

/**
 * Carries one task from dispatch to `passed` or `blocked`: attempt → guard → commit →
 * evaluate → merge, with rework attempts in between. Every status change goes through the
 * store together with its event; everything else (worktrees, agents, verifiers) is idempotent
 * so a crash at any point can be resumed by running the pipeline again.
 */
export async function runTaskPipeline(
  ctx: RunContext,
  taskId: string,
  signal: AbortSignal,
): Promise<TaskOutcome> {
  const { store, repo, run } = ctx;
  const task = taskOf(run, taskId);
  const agentName = agentFor(run, task);
  const adapter = ctx.agents.get(agentName);
  const branch = taskBranchName(run.slug, taskId);
  const worktree = worktreePath(repo.root, run.slug, taskId);
  const protectedPaths = protectedPathsOf(run);
  const maxRework = run.plan.settings.max_rework;

  let record = await mustGetTask(ctx, taskId);
  const previous = (await store.listAttempts(run.id, taskId)).at(-1);
  let kind: AttemptKind = firstKind(record, previous);
  // A resumed attempt carries on with what its predecessor was told to fix.
  let feedback: string | null =
    kind === 'rework' ? record.reason : kind === 'resume' ? (previous?.feedback ?? null) : null;
  let resumeSessionId = kind === 'resume' ? (previous?.nativeSessionId ?? undefined) : undefined;

  for (;;) {
    if (signal.aborted) return stopped(signal);
    const number = record.attempts + 1;
    const attemptId = `${run.id}.${taskId}.${number}`;
    // A new worktree starts at the integration head; an existing one (rework, resume) at its HEAD.
    // A task branch that exists (rework, resume, a removed worktree) is where work continues;
    // otherwise the task starts from the integration head.
    const baseCommit = (await repo.resolveCommit(`refs/heads/${branch}`)) ?? (await integrationHead(ctx));
    const startedAt = new Date().toISOString();
    const attempt: AttemptRecord = {
      id: attemptId,
      runId: run.id,
      taskId,
      number,
      kind,
      status: 'starting',
      agent: agentName,
      worktreePath: worktree,
      branch,
      baseCommit,
      headCommit: null,
      nativeSessionId: null,
      feedback,
      error: null,
      usage: null,
      transcriptPath: transcriptPath(repo.root, run.id, attemptId),
      startedAt,
      finishedAt: null,
    };
    record = await store.transaction(async (tx) => {
      await tx.insertAttempt(attempt, {
        type: 'attempt.started',
        runId: run.id,
        taskId,
        attemptId,
        data: { number, kind, agent: agentName, worktree, branch },
      });
      return tx.setTaskStatus(
        run.id,
        taskId,
        'running',
        {
          attempts: number,
          reworks: record.reworks + (kind === 'rework' ? 1 : 0),
          startedAt: record.startedAt ?? startedAt,
          reason: null,
        },
        { type: 'task.started', runId: run.id, taskId, attemptId, data: { attempt: number } },
      );
    });

    await repo.addWorktree(worktree, branch, baseCommit);

    const session = await runAgentSession(
      ctx,
      adapter,
      {
        runId: run.id,
        taskId,
        attemptId,
        attemptNumber: number,
        kind,
        task,
        prompt: buildPrompt({
          task,
          kind,
          attemptNumber: number,
          feedback,
          instructions: ctx.instructions,
          protectedPaths,
        }),
        cwd: worktree,
        config: agentConfigFor(run, task, agentName),
        env: agentEnv(ctx.env, agentConfigFor(run, task, agentName), adapter.envKeys),
        protectedPaths,
        ...(resumeSessionId ? { resumeSessionId } : {}),
      },
      attempt.transcriptPath ?? '',
      signal,
    );
    resumeSessionId = undefined;

    if (session.status === 'aborted' || signal.aborted) {
      const stop = stopRequestOf(signal);
      // After a lost lease another engine owns the run: write nothing.
      if (stop.kind !== 'lease-lost') {
        const to = stop.kind === 'pause' ? 'interrupted' : 'aborted';
        await store.transaction((tx) =>
          tx.setAttemptStatus(
            attemptId,
            to,
            {
              finishedAt: new Date().toISOString(),
              usage: session.usage ?? null,
              ...sessionIdPatch(session),
            },
            { type: `attempt.${to}`, runId: run.id, taskId, attemptId, data: { reason: stop.message } },
          ),
        );
      }
      return { type: 'stopped', kind: stop.kind, reason: stop.message };
    }

    const violations = await guardProtectedPaths(
      ctx,
      worktree,
      baseCommit,
      protectedPaths,
      attemptId,
      taskId,
    );
    const head =
      (await repo.commitAll(worktree, `gaffer(${taskId}): ${task.title} [attempt ${number}]`)) ?? baseCommit;
    const filesChanged = (await repo.diffStat(await mergeBase(ctx, head), head)).files.length;

    let setback: Setback | undefined;
    let resetToIntegration = false;
    if (session.status === 'failed') {
      const error = session.error ?? 'the agent session failed';
      await store.transaction((tx) =>
        tx.setAttemptStatus(attemptId, 'failed', attemptPatch(head, session, error), {
          type: 'attempt.failed',
          runId: run.id,
          taskId,
          attemptId,
          data: { error, usage: session.usage ?? null },
        }),
      );
      setback = {
        reason: `agent failed: ${firstLine(error)}`,
        feedback: `The agent session failed:\n${error}`,
      };
    } else {
      await store.transaction(async (tx) => {
        await tx.setAttemptStatus(attemptId, 'succeeded', attemptPatch(head, session, null), {
          type: 'attempt.succeeded',
          runId: run.id,
          taskId,
          attemptId,
          data: { headCommit: head, filesChanged, usage: session.usage ?? null },
        });
        record = await tx.setTaskStatus(
          run.id,
          taskId,
          'evaluating',
          { filesChanged },
          {
            type: 'task.evaluating',
            runId: run.id,
            taskId,
            attemptId,
            data: { attempt: number },
          },
        );
      });
      setback = await evaluate(ctx, taskId, attemptId, worktree, violations, signal);
      if (!setback && !signal.aborted) {
        const merged = await mergeTask(ctx, taskId, worktree, branch, filesChanged);
        if (merged.type === 'passed') return merged;
        setback = merged.setback;
        resetToIntegration = true;
      }
    }
    if (signal.aborted || !setback) return stopped(signal);

    if (record.reworks >= maxRework) {
      // Blocked: the worktree keeps the agent's work for inspection, conflicts and all.
      await store.transaction((tx) =>
        tx.setTaskStatus(
          run.id,
          taskId,
          'blocked',
          { reason: setback.reason, finishedAt: new Date().toISOString() },
          { type: 'task.blocked', runId: run.id, taskId, data: { reason: setback.reason } },
        ),
      );
      return { type: 'blocked', reason: setback.reason };
    }
    record = await store.transaction((tx) =>
      tx.setTaskStatus(
        run.id,
        taskId,
        'rework',
        { reason: setback.feedback },
        { type: 'task.rework', runId: run.id, taskId, data: { attempt: number + 1, reason: setback.reason } },
      ),
    );
    // The rework after a conflict starts over on the new integration head.
    if (resetToIntegration) await repo.resetHard(worktree, await integrationHead(ctx));
    kind = 'rework';
    feedback = setback.feedback;
  }
}

/** On (re)dispatch: resume an interrupted attempt, rework after a recorded setback, otherwise start fresh. */
function firstKind(record: TaskRecord, previous: AttemptRecord | undefined): AttemptKind {
  if (!previous) return 'first';
  if (record.reason) return 'rework';
  return 'resume';
}

async function mustGetTask(ctx: RunContext, taskId: string): Promise<TaskRecord> {
  const record = await ctx.store.getTask(ctx.run.id, taskId);
  if (!record) throw new Error(`task ${taskId} of run ${ctx.run.id} is missing from the store`);
  return record;
}

async function integrationHead(ctx: RunContext): Promise<string> {
  const head = await ctx.repo.resolveCommit(ctx.run.integrationBranch);
  if (!head) throw new Error(`integration branch ${ctx.run.integrationBranch} is missing`);
  return head;
}

async function mergeBase(ctx: RunContext, head: string): Promise<string> {
  const result = await ctx.repo.git(['merge-base', ctx.run.integrationBranch, head], { allowFail: true });
  return result.code === 0 ? result.stdout.trim() : head;
}

/** The session id from the result, if any: never erase one the agent reported while running. */
const sessionIdPatch = (session: { nativeSessionId?: string }) =>
  session.nativeSessionId === undefined ? {} : { nativeSessionId: session.nativeSessionId };

function attemptPatch(
  head: string,
  session: { usage?: Usage; nativeSessionId?: string },
  error: string | null,
) {
  return {
    headCommit: head,
    usage: session.usage ?? null,
    ...sessionIdPatch(session),
    error,
    finishedAt: new Date().toISOString(),
  };
}

function stopped(signal: AbortSignal): TaskOutcome {
  const stop = stopRequestOf(signal);
  return { type: 'stopped', kind: stop.kind, reason: stop.message };
}

const firstLine = (text: string) =>
  text
    .split('\n')
    .find((line) => line.trim())
    ?.trim() ?? text;

/** Reverts changes to protected paths, whatever the agent's own permission system allowed. */
async function guardProtectedPaths(
  ctx: RunContext,
  worktree: string,
  baseCommit: string,
  protectedPaths: readonly string[],
  attemptId: string,
  taskId: string,
): Promise<string[]> {
  const changed = await ctx.repo.changedPaths(worktree, baseCommit);
  const violations = matchProtectedPaths(changed, protectedPaths);
  if (violations.length === 0) return [];
  await ctx.repo.restorePaths(worktree, violations, baseCommit);
  await ctx.store.transaction((tx) =>
    tx.appendEvent({
      type: 'attempt.protected-path-reverted',
      runId: ctx.run.id,
      taskId,
      attemptId,
      data: { paths: violations },
    }),
  );
  return violations;
}

async function evaluate(
  ctx: RunContext,
  taskId: string,
  attemptId: string,
  worktree: string,
  violations: string[],
  signal: AbortSignal,
): Promise<Setback | undefined> {
  const { run } = ctx;
  const task = taskOf(run, taskId);
  const verifiers = resolveVerifiers(
    await detectVerifiers(worktree),
    run.plan.settings.verifiers,
    task.verifiers,
  );
  const timeoutS =
    task.verifiers?.timeout_s ?? run.plan.settings.verifiers?.timeout_s ?? DEFAULT_VERIFIER_TIMEOUT_S;
  const outcome = await evaluateWorktree({
    cwd: worktree,
    env: verifierEnv(ctx.env),
    verifiers,
    deliverables: task.deliverables,
    timeoutMs: timeoutS * 1000,
    signal,
  });
  if (signal.aborted) return undefined;
  const results: VerifierResult[] = outcome.results.map((r) => ({ ...r, output: redactSecrets(r.output) }));
  if (violations.length) {
    results.unshift({
      name: 'protected-paths',
      command: 'diff check against protected paths',
      passed: false,
      exitCode: null,
      durationMs: 0,
      timedOut: false,
      output: `These protected paths were changed and have been reverted: ${violations.join(', ')}. Do not change them.`,
    });
  }
  const { passed, score, confidence } = scoreResults(results);
  const failed = results.filter((r) => !r.passed);
  await ctx.store.transaction((tx) =>
    tx.insertEvaluation(
      {
        id: `${attemptId}.eval`,
        runId: run.id,
        taskId,
        attemptId,
        passed,
        score,
        confidence,
        results,
        createdAt: new Date().toISOString(),
      },
      {
        type: 'evaluation.completed',
        runId: run.id,
        taskId,
        attemptId,
        data: { passed, score, confidence, failed: failed.map((r) => r.name) },
      },
    ),
  );
  if (passed) return undefined;
  return { reason: `${failed.map((r) => r.name).join(', ')} failed`, feedback: formatFailures(failed) };
}

type MergeOutcome = { type: 'passed' } | { type: 'conflict'; setback: Setback };

/** Merges the task branch into the integration branch; rebases once on conflict, else asks for rework. */
async function mergeTask(
  ctx: RunContext,
  taskId: string,
  worktree: string,
  branch: string,
  filesChanged: number,
): Promise<MergeOutcome> {
  const { repo, run, store } = ctx;
  const message = `gaffer: merge ${taskId} (${taskOf(run, taskId).title})`;
  let merged = await repo.mergeBranch(run.integrationBranch, branch, message);
  let rebased = false;
  if (!merged.ok) {
    const rebase = await repo.rebase(worktree, run.integrationBranch);
    if (rebase.ok) {
      rebased = true;
      merged = await repo.mergeBranch(run.integrationBranch, branch, message);
    }
  }
  if (!merged.ok) {
    const conflicts = merged.conflicts;
    await store.transaction((tx) =>
      tx.appendEvent({
        type: 'merge.conflicted',
        runId: run.id,
        taskId,
        data: { files: conflicts, rebased },
      }),
    );
    return {
      type: 'conflict',
      setback: {
        reason: `merge conflict in ${conflicts.join(', ')}`,
        feedback: [
          'Your changes conflicted with work merged meanwhile by other tasks, and could not be rebased.',
          'The worktree now starts from the current integration branch. Redo the task on top of it; these files conflicted:',
          ...conflicts.map((file) => `- ${file}`),
        ].join('\n'),
      },
    };
  }
  const mergeCommit = merged.commit;
  await store.transaction(async (tx) => {
    await tx.setTaskStatus(
      run.id,
      taskId,
      'passed',
      { mergeCommit, filesChanged, reason: null, finishedAt: new Date().toISOString() },
      { type: 'task.passed', runId: run.id, taskId, data: { mergeCommit, filesChanged } },
    );
    await tx.appendEvent({ type: 'merge.completed', runId: run.id, taskId, data: { commit: mergeCommit } });
  });
  // The task has passed: a worktree that will not go away is left for `gaffer clean`.
  await repo.removeWorktree(worktree).catch(() => undefined);
  return { type: 'passed' };
}

/** Repository instructions for agents: AGENTS.md, then CLAUDE.md. */
export async function readInstructions(root: string): Promise<string> {
  for (const name of ['AGENTS.md', 'CLAUDE.md']) {
    try {
      return await readFile(`${root}/${name}`, 'utf8');
    } catch {
      // try the next
    }
  }
  return '';
}
