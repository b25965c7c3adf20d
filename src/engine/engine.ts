import type { AgentRegistry } from '../agents/index.js';
import { defaultAgentRegistry } from '../agents/index.js';
import type {
  AttemptRecord,
  BudgetRaise,
  PauseCause,
  RunRecord,
  StoredEvent,
  TaskRecord,
} from '../domain/index.js';
import type { LimitRequest } from './budget/index.js';
import { raiseLimits } from './budget/index.js';
import { GafferError } from '../domain/index.js';
import type { Repo } from '../git/index.js';
import { openRepo } from '../git/index.js';
import type { Store } from '../store/index.js';
import type { ReopenOptions } from './control/index.js';
import { isDriven, mustGetRun, reopenRun, requestStop } from './control/index.js';
import type { CreateRunOptions } from './create-run.js';
import { createRun } from './create-run.js';
import { readInstructions } from './instructions.js';
import { newOwnerId } from './lease-keeper.js';
import type { Logger } from './logger.js';
import { errorMessage, silentLogger } from './logger.js';
import type {
  Approval,
  AttemptView,
  FollowOptions,
  OpenQuestion,
  RunSummary,
  RunView,
} from './queries/index.js';
import {
  attemptViews,
  followRunEvents,
  listApprovals,
  listRunSummaries,
  openQuestions,
  runView,
} from './queries/index.js';
import type { DecisionInput, DecisionResult } from './decide-approval.js';
import { recordDecision } from './decide-approval.js';
import type { AnswerOptions } from './answer-question.js';
import { recordAnswer } from './answer-question.js';
import { agentFor } from './run-context.js';
import { driveRun } from './run-driver.js';
import type { TranscriptLine } from './transcript.js';
import { readTranscript } from './transcript.js';
import type { TranscriptPage } from './queries/transcript-page.js';
import { readTranscriptPage } from './queries/transcript-page.js';
import type { CleanOptions, CleanResult } from './workspace/index.js';
import { cleanRuns } from './workspace/index.js';

export interface EngineOptions {
  /** The store, or a factory called only once input has been validated (so bad input creates nothing). */
  store: Store | (() => Promise<Store>);
  agents?: AgentRegistry;
  /** Parent environment agents and verifiers draw from; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** The engine's own diagnostics (never a run's events); default: silent. */
  logger?: Logger;
  ownerId?: string;
  leaseTtlMs?: number;
  heartbeatMs?: number;
  controlPollMs?: number;
}

export type { CreateRunOptions } from './create-run.js';

export interface DriveRunOptions {
  /** Aborting pauses the run: running attempts are interrupted and resume later. */
  signal?: AbortSignal;
}

/** The library face of Gaffer; the CLI and the server are thin shells over it. */
export interface Engine {
  /** Validates the plan, the repository and the agents, then records a new pending run and its integration branch. */
  createRun(options: CreateRunOptions): Promise<RunRecord>;
  /** Drives a pending, paused or orphaned run until it completes, fails, is cancelled or paused. */
  driveRun(runId: string, options?: DriveRunOptions): Promise<RunRecord>;
  /** Asks the engine driving `runId` to pause; pauses it directly when nobody drives it. */
  requestPause(runId: string, reason?: string, by?: PauseCause): Promise<RunRecord>;
  /** Asks the engine driving `runId` to cancel; cancels it directly when nobody drives it. */
  requestCancel(runId: string, reason?: string): Promise<RunRecord>;
  /**
   * Reopens the blocked, skipped or cancelled tasks of an ended run with a fresh rework budget
   * (passed tasks are kept); the run is then paused, ready for {@link Engine.driveRun}.
   */
  retryRun(runId: string, options?: ReopenOptions): Promise<RunRecord>;
  /**
   * Records a person's answer to an agent's question (with `accept`, the foreman's proposal and no
   * text of one's own); the waiting attempt picks it up.
   */
  answerQuestion(questionId: string, answer: string, options?: AnswerOptions): Promise<void>;
  /** Questions asked in a run and not answered yet. */
  openQuestions(runId: string): Promise<OpenQuestion[]>;
  /** The results a run asked a person about, oldest first (`open` ones still wait). */
  approvals(runId: string): Promise<Approval[]>;
  /** Approves or denies a waiting result; a driven run acts on it at once, a paused one on resume. */
  decide(input: DecisionInput): Promise<DecisionResult>;
  /**
   * Records higher limits for a run nobody drives (e.g. one a budget paused), refusing an unknown
   * limit, one the run does not have, or a value not above what is spent; drive it to continue.
   */
  raiseLimits(runId: string, requests: readonly LimitRequest[]): Promise<BudgetRaise[]>;
  getRun(runId: string): Promise<RunRecord>;
  /** The newest run, if any. */
  latestRun(): Promise<RunRecord | undefined>;
  /** Every run, newest first, with task counts and cost. */
  listRuns(): Promise<RunSummary[]>;
  listTasks(runId: string): Promise<TaskRecord[]>;
  /** A run with its tasks, attempts (and their evaluations), usage totals and open questions. */
  runView(runId: string): Promise<RunView>;
  /** The attempts of a run, or of one of its tasks, each with its evaluation. */
  attempts(runId: string, taskId?: string): Promise<AttemptView[]>;
  /** A run's events in order, from an indexed cursor; with `follow`, new ones as they are recorded. */
  tailEvents(runId: string, options?: FollowOptions): AsyncIterable<StoredEvent>;
  /** An attempt's agent transcript (secrets were redacted before it was written). */
  transcript(attempt: AttemptRecord): Promise<TranscriptLine[]>;
  /** Lines `[from, from + limit)` of an attempt's transcript and how many it has, reading no more than that needs. */
  transcriptPage(attempt: AttemptRecord, from: number, limit: number): Promise<TranscriptPage>;
  /** Whether an engine holds the run's lease right now. */
  isDriven(runId: string): Promise<boolean>;
  /** Removes worktrees that ended runs kept (one run's, or every ended run's). */
  clean(options?: { runId?: string } & CleanOptions): Promise<CleanResult>;
  /** Closes the store, if this engine opened it. */
  close(): Promise<void>;
}

export type { Approval, OpenQuestion } from './queries/index.js';
export type { DecisionInput, DecisionResult } from './decide-approval.js';

export function createEngine(options: EngineOptions): Engine {
  const agents = options.agents ?? defaultAgentRegistry();
  const env = options.env ?? process.env;
  const logger = options.logger ?? silentLogger;
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
  const drive = async (runId: string, driveOptions: DriveRunOptions = {}) => {
    const db = await store();
    const run = await mustGetRun(db, runId);
    const repo = await repoAt(run.repoPath);
    for (const task of run.plan.tasks) agents.get(agentFor(run, task));
    try {
      const instructions = await readInstructions(repo, run.baseCommit);
      return await driveRun(
        { store: db, repo, run, agents, env, instructions, logger: logger.child('driver') },
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
        `run ${runId} stopped: ${errorMessage(error)}`,
        { cause: error, hint: `fix the cause, then continue with \`gaffer resume ${runId}\`` },
      );
    }
  };

  return {
    createRun: async (input) => createRun(input, { repo: await repoAt(input.cwd), store, agents, env }),
    driveRun: drive,
    requestPause: async (runId, reason = 'paused by request', by = 'user') =>
      requestStop(await store(), runId, { kind: 'pause', reason, by }, logger.child('control')),
    requestCancel: async (runId, reason = 'cancelled by request') =>
      requestStop(await store(), runId, { kind: 'cancel', reason }, logger.child('control')),
    retryRun: async (runId, reopen = {}) => {
      const db = await store();
      const run = await mustGetRun(db, runId);
      return reopenRun(db, await repoAt(run.repoPath), runId, reopen, logger.child('control'));
    },
    answerQuestion: async (questionId, answer, answerOptions) =>
      recordAnswer(await store(), questionId, answer, answerOptions),
    openQuestions: async (runId) => openQuestions(await store(), runId),
    approvals: async (runId) => listApprovals(await store(), (await mustGetRun(await store(), runId)).id),
    decide: async (input) => recordDecision(await store(), input),
    raiseLimits: async (runId, requests) => {
      const db = await store();
      return raiseLimits(db, await mustGetRun(db, runId), requests);
    },
    getRun: async (runId) => mustGetRun(await store(), runId),
    latestRun: async () => (await (await store()).listRuns())[0],
    listRuns: async () => listRunSummaries(await store()),
    listTasks: async (runId) => (await store()).listTasks(runId),
    runView: async (runId) => runView(await store(), runId),
    attempts: async (runId, taskId) => attemptViews(await store(), runId, taskId),
    tailEvents: (runId, tail = {}) => followRunEvents(store, runId, tail),
    transcript: (attempt) => readTranscript(attempt.transcriptPath ?? ''),
    transcriptPage: (attempt, from, limit) => readTranscriptPage(attempt.transcriptPath ?? '', from, limit),
    isDriven: async (runId) => isDriven(await store(), runId),
    clean: async ({ runId, ...cleanOptions } = {}) => {
      const db = await store();
      const runs = runId ? [await mustGetRun(db, runId)] : await db.listRuns();
      return cleanRuns(db, runs, runId !== undefined, cleanOptions);
    },
    close: async () => {
      // Only a store this engine opened; one that failed to open has nothing to close.
      if (typeof options.store !== 'function') return;
      const db = await storePromise?.catch(() => undefined);
      await db?.close();
    },
  };
}
