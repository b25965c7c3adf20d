import { mkdir, rm } from 'node:fs/promises';
import type { PlanTask, SessionInput } from '../domain/index.js';
import type { ReviewerAnswer } from '../verify/index.js';
import { collectAnswer } from '../verify/index.js';
import { agentEnv } from './child-env.js';
import { errorMessage } from './logger.js';
import type { RunContext } from './run-context.js';
import { protectedPathsOf } from './run-context.js';
import { agentSandboxRequest, agentStateDir, openSandbox, prepareAgentState } from './sandbox/index.js';

/** One LLM session that only answers: who runs it, in which empty folder, on what prompt. */
export interface ScratchSession {
  agent: string;
  config: Record<string, unknown>;
  /** An empty folder of its own (created and removed here), the only place it may write. */
  scratch: string;
  /** Names its backend's private state folder (`<task>.review`, `final.review`). */
  stateKey: string;
  /** The task whose sandbox widenings apply; its context files are not handed over. */
  task: PlanTask;
  attemptId: string;
  attemptNumber: number;
  prompt: string;
  /**
   * Stop the session once its text passes this many characters, keeping only those (the answer
   * comes back `cut`): a runaway answer is not held whole. None: all of it is kept.
   */
  maxAnswerChars?: number;
}

/**
 * Runs a session that judges or answers from its prompt alone (a reviewer, the final review):
 * in the agent sandbox, writable only in its scratch folder and its backend's private state,
 * never in a worktree, so it can change nothing of the repository. A session that throws is a
 * failed answer, never a crash; `signal` stops it.
 */
export async function runScratchSession(
  ctx: RunContext,
  spec: ScratchSession,
  signal: AbortSignal,
): Promise<ReviewerAnswer> {
  const adapter = ctx.agents.get(spec.agent);
  await mkdir(spec.scratch, { recursive: true });
  try {
    const input: SessionInput = {
      runId: ctx.run.id,
      taskId: spec.task.id,
      attemptId: spec.attemptId,
      attemptNumber: spec.attemptNumber,
      kind: 'first',
      task: { ...spec.task, context_files: [] },
      prompt: spec.prompt,
      cwd: spec.scratch,
      config: spec.config,
      env: agentEnv(ctx.env, spec.config, adapter.envKeys),
      protectedPaths: protectedPathsOf(ctx.run),
    };
    const needs = adapter.sandboxNeeds?.(spec.config, ctx.env) ?? { writable: [], network: [] };
    const stateDir =
      needs.state === undefined
        ? undefined
        : prepareAgentState(
            agentStateDir(ctx.repo.root, ctx.run.id, spec.stateKey, adapter.name),
            needs.state.seed,
          );
    const opened = await openSandbox(
      agentSandboxRequest(ctx, spec.scratch, spec.task, needs, spec.config, stateDir),
    );
    try {
      const tooLong = new AbortController();
      const session = adapter.start(
        { ...input, sandbox: opened.sandbox, ...(stateDir === undefined ? {} : { stateDir }) },
        spec.maxAnswerChars === undefined ? signal : AbortSignal.any([signal, tooLong.signal]),
      );
      return await collectAnswer(
        session,
        spec.maxAnswerChars === undefined
          ? undefined
          : { maxChars: spec.maxAnswerChars, stop: () => tooLong.abort('the answer is too long') },
      );
    } finally {
      await opened.dispose();
    }
  } catch (error) {
    return { text: '', error: errorMessage(error) };
  } finally {
    await rm(spec.scratch, { recursive: true, force: true });
  }
}

/** The task a session that belongs to no task of the plan runs as: nothing to widen, nothing to read. */
export function sessionTask(id: string, title: string, extra: Partial<PlanTask> = {}): PlanTask {
  return {
    id,
    title,
    description: '',
    depends_on: [],
    deliverables: [],
    acceptance_criteria: [],
    context_files: [],
    ...extra,
  };
}
