import { randomBytes } from 'node:crypto';
import type { AgentRegistry } from '../agents/index.js';
import { defaultAgentRegistry } from '../agents/index.js';
import type { RunOptions, RunRecord, TaskRecord } from '../domain/index.js';
import { GafferError, isSettledTask, isTerminalAttempt, isTerminalRun, userError } from '../domain/index.js';
import type { Repo } from '../git/index.js';
import {
  assertValidBranchName,
  integrationBranchName,
  openRepo,
  slugify,
  taskBranchName,
} from '../git/index.js';
import { loadPlan } from '../plan/index.js';
import type { Store } from '../store/index.js';
import { agentConfigFor, agentFor } from './run-context.js';
import { driveRun } from './run-driver.js';
import { newOwnerId, ownerIsDead } from './lease-keeper.js';
import { readInstructions } from './task-pipeline.js';

export interface EngineOptions {
  /** The store, or a factory called only once input has been validated (so bad input creates nothing). */
  store: Store | (() => Promise<Store>);
  agents?: AgentRegistry;
  /** Parent environment agents and verifiers draw from; default `process.env`. */
  env?: Record<string, string | undefined>;
  ownerId?: string;
  leaseTtlMs?: number;
  heartbeatMs?: number;
  controlPollMs?: number;
}

export interface CreateRunOptions {
  planPath: string;
  /** A directory inside the git repository to run in. */
  cwd: string;
  concurrency?: number;
  agent?: string;
  keepGoing?: boolean;
  schedule?: RunOptions['schedule'];
}

export interface DriveRunOptions {
  /** Aborting pauses the run: running attempts are interrupted and resume later. */
  signal?: AbortSignal;
}

/** The library face of Gaffer; the CLI is a thin shell over it. */
export interface Engine {
  /** Validates the plan, the repository and the agents, then records a new pending run and its integration branch. */
  createRun(options: CreateRunOptions): Promise<RunRecord>;
  /** Drives a pending, paused or orphaned run until it completes, fails, is cancelled or paused. */
  driveRun(runId: string, options?: DriveRunOptions): Promise<RunRecord>;
  /** Asks the engine driving `runId` to pause; pauses it directly when nobody drives it. */
  requestPause(runId: string, reason?: string): Promise<RunRecord>;
  /** Asks the engine driving `runId` to cancel; cancels it directly when nobody drives it. */
  requestCancel(runId: string, reason?: string): Promise<RunRecord>;
  /** Records a person's answer to an agent's question; the waiting attempt picks it up. */
  answerQuestion(questionId: string, answer: string): Promise<void>;
  /** Questions asked in a run and not answered yet. */
  openQuestions(runId: string): Promise<OpenQuestion[]>;
  getRun(runId: string): Promise<RunRecord>;
  /** The given run, or the newest one. */
  latestRun(): Promise<RunRecord | undefined>;
  listTasks(runId: string): Promise<TaskRecord[]>;
  store(): Promise<Store>;
}

export interface OpenQuestion {
  questionId: string;
  taskId: string;
  attemptId: string;
  question: string;
  askedAt: string;
}

export function createEngine(options: EngineOptions): Engine {
  const agents = options.agents ?? defaultAgentRegistry();
  const env = options.env ?? process.env;
  const ownerId = options.ownerId ?? newOwnerId();
  let storePromise: Promise<Store> | undefined;
  const store = () =>
    (storePromise ??= typeof options.store === 'function' ? options.store() : Promise.resolve(options.store));
  const repos = new Map<string, Promise<Repo>>();
  const repoAt = (path: string) => {
    let repo = repos.get(path);
    if (!repo) repos.set(path, (repo = openRepo(path)));
    return repo;
  };

  const getRun = async (runId: string) => {
    const run = await (await store()).getRun(runId);
    if (!run) {
      throw userError('GAFFER_RUN_NOT_FOUND', `no run named "${runId}"`, 'list runs with `gaffer status`');
    }
    return run;
  };

  const request = async (runId: string, kind: 'pause' | 'cancel', reason: string) => {
    const db = await store();
    const run = await getRun(runId);
    if (isTerminalRun(run.status)) {
      throw userError('GAFFER_BAD_INPUT', `run ${runId} has already ended (${run.status})`);
    }
    const lease = await db.getLease(runId);
    // A lease still in date whose owner died (kill -9 on this host) drives nothing.
    const driven =
      lease !== undefined && Date.parse(lease.expiresAt) > Date.now() && !ownerIsDead(lease.ownerId);
    const tasks = kind === 'cancel' && !driven ? await db.listTasks(runId) : [];
    const attempts = kind === 'cancel' && !driven ? await db.listAttempts(runId) : [];
    return db.transaction(async (tx) => {
      if (driven) {
        // The driving engine polls for requests and stops its attempts cleanly.
        await tx.appendEvent({ type: `run.${kind}-requested`, runId, data: { reason } });
        return run;
      }
      if (kind === 'pause') {
        if (run.status === 'paused') return run;
        return tx.setRunStatus(runId, 'paused', { reason }, { type: 'run.paused', runId, data: { reason } });
      }
      // Nobody drives the run: cancel what an engine would have cancelled.
      for (const attempt of attempts.filter((a) => !isTerminalAttempt(a.status))) {
        await tx.setAttemptStatus(
          attempt.id,
          'aborted',
          { finishedAt: new Date().toISOString() },
          {
            type: 'attempt.aborted',
            runId,
            taskId: attempt.taskId,
            attemptId: attempt.id,
            data: { reason },
          },
        );
      }
      for (const task of tasks.filter((t) => !isSettledTask(t.status))) {
        await tx.setTaskStatus(
          runId,
          task.taskId,
          'cancelled',
          { reason, finishedAt: new Date().toISOString() },
          {
            type: 'task.cancelled',
            runId,
            taskId: task.taskId,
            data: { reason },
          },
        );
      }
      return tx.setRunStatus(
        runId,
        'cancelled',
        { reason, finishedAt: new Date().toISOString() },
        {
          type: 'run.cancelled',
          runId,
          data: { reason },
        },
      );
    });
  };

  const openQuestions = async (runId: string): Promise<OpenQuestion[]> => {
    const open = new Map<string, OpenQuestion>();
    for (const event of await (await store()).readEvents({ runId })) {
      if (event.type === 'attempt.question-asked') {
        open.set(event.data.questionId, {
          questionId: event.data.questionId,
          taskId: event.taskId ?? '',
          attemptId: event.attemptId ?? '',
          question: event.data.question,
          askedAt: event.at,
        });
      }
      if (event.type === 'attempt.question-answered') open.delete(event.data.questionId);
    }
    return [...open.values()];
  };

  return {
    async createRun(input) {
      const repo = await repoAt(input.cwd);
      const plan = await loadPlan(input.planPath, { repoRoot: repo.root });
      const runOptions: RunOptions = {
        concurrency: input.concurrency ?? plan.settings.concurrency,
        keepGoing: input.keepGoing ?? false,
        schedule: input.schedule ?? 'critical-path',
        ...(input.agent ? { agent: input.agent } : {}),
      };
      if (!Number.isInteger(runOptions.concurrency) || runOptions.concurrency < 1) {
        throw userError(
          'GAFFER_BAD_INPUT',
          `concurrency must be a positive integer, got ${runOptions.concurrency}`,
        );
      }
      const baseBranch = plan.settings.base_branch ?? (await repo.currentBranch());
      if (!baseBranch) {
        throw userError(
          'GAFFER_BAD_INPUT',
          'the repository is on a detached HEAD and the plan names no base_branch',
          'set base_branch in the plan or check out a branch',
        );
      }
      const baseCommit = await repo.resolveCommit(`refs/heads/${baseBranch}`);
      if (!baseCommit) {
        throw userError(
          'GAFFER_BAD_INPUT',
          `base branch "${baseBranch}" does not exist (or has no commits)`,
          'create it, commit once, or set base_branch in the plan',
        );
      }
      if ((await repo.currentBranch()) === baseBranch) {
        const dirty = await repo.dirtyFiles();
        if (dirty.length) {
          throw userError(
            'GAFFER_DIRTY_TREE',
            `the working tree on ${baseBranch} has uncommitted changes: ${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ', …' : ''}`,
            'commit or stash them first: agents start from the last commit and would not see them',
          );
        }
      }
      const stub = { options: runOptions, plan } as RunRecord;
      for (const task of plan.tasks) {
        const name = agentFor(stub, task);
        const adapter = agents.get(name);
        await adapter.preflight?.(agentConfigFor(stub, task, name));
      }
      const db = await store();
      let slug = '';
      let integrationBranch = '';
      // Run ids are short for people to type; retry the rare clash with an earlier run's branch.
      for (let tries = 0; tries < 20 && !slug; tries++) {
        const candidate = `${slugify(plan.name)}-${randomBytes(3).toString('hex')}`;
        const branch = integrationBranchName(candidate);
        if (!(await repo.branchExists(branch)) && !(await db.getRun(candidate)))
          [slug, integrationBranch] = [candidate, branch];
      }
      if (!slug) throw new GafferError('GAFFER_INTERNAL', 'could not find a free run id');
      assertValidBranchName(integrationBranch);
      for (const task of plan.tasks) assertValidBranchName(taskBranchName(slug, task.id));

      await repo.ignoreGafferDir();
      await repo.ensureBranch(integrationBranch, baseCommit);
      const now = new Date().toISOString();
      const run: RunRecord = {
        id: slug,
        slug,
        status: 'pending',
        reason: null,
        repoPath: repo.root,
        planPath: input.planPath,
        plan,
        options: runOptions,
        baseBranch,
        baseCommit,
        integrationBranch,
        createdAt: now,
        updatedAt: now,
        finishedAt: null,
      };
      const tasks: TaskRecord[] = plan.tasks.map((task) => ({
        runId: slug,
        taskId: task.id,
        status: 'pending',
        attempts: 0,
        reworks: 0,
        branch: taskBranchName(slug, task.id),
        mergeCommit: null,
        reason: null,
        filesChanged: 0,
        startedAt: null,
        finishedAt: null,
      }));
      await db.transaction((tx) =>
        tx.insertRun(run, tasks, {
          type: 'run.created',
          runId: slug,
          data: { planPath: input.planPath, tasks: tasks.length, baseBranch, integrationBranch },
        }),
      );
      return run;
    },

    async driveRun(runId, driveOptions = {}) {
      const db = await store();
      const run = await getRun(runId);
      const repo = await repoAt(run.repoPath);
      for (const task of run.plan.tasks) agents.get(agentFor(run, task));
      try {
        return await driveRun(
          { store: db, repo, run, agents, env, instructions: await readInstructions(repo.root) },
          {
            ownerId,
            leaseTtlMs: options.leaseTtlMs ?? 15_000,
            heartbeatMs: options.heartbeatMs ?? 3_000,
            controlPollMs: options.controlPollMs ?? 500,
            ...(driveOptions.signal ? { signal: driveOptions.signal } : {}),
          },
        );
      } catch (error) {
        if (GafferError.isInstance(error) && error.userError) throw error;
        // The run stays resumable: its attempts were interrupted, not cancelled.
        throw new GafferError(
          GafferError.isInstance(error) ? error.code : 'GAFFER_INTERNAL',
          `run ${runId} stopped: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error, hint: `fix the cause, then continue with \`gaffer resume ${runId}\`` },
        );
      }
    },

    requestPause: (runId, reason = 'paused by request') => request(runId, 'pause', reason),
    requestCancel: (runId, reason = 'cancelled by request') => request(runId, 'cancel', reason),
    async answerQuestion(questionId, answer) {
      const runId = questionId.split('.')[0] ?? '';
      const open = (await openQuestions(runId)).find((q) => q.questionId === questionId);
      const waiting = open && (await (await store()).getAttempt(open.attemptId))?.status === 'waiting_answer';
      if (!open || !waiting) {
        throw userError(
          'GAFFER_BAD_INPUT',
          `no open question "${questionId}"`,
          'open questions and their ids are listed by `gaffer status`',
        );
      }
      await (
        await store()
      ).transaction((tx) =>
        tx.appendEvent({
          type: 'attempt.question-answered',
          runId,
          taskId: open.taskId,
          attemptId: open.attemptId,
          data: { questionId, question: open.question, answer, by: 'person' },
        }),
      );
    },
    openQuestions,
    getRun,
    async latestRun() {
      return (await (await store()).listRuns())[0];
    },
    async listTasks(runId) {
      return (await store()).listTasks(runId);
    },
    store,
  };
}
