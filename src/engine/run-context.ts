import { join } from 'node:path';
import type { AgentRegistry } from '../agents/index.js';
import type { PlanTask, RunRecord, Usage } from '../domain/index.js';
import type { AttemptEstimate, Breach } from './budget/spend.js';
import { ALWAYS_PROTECTED } from '../domain/index.js';
import type { Repo } from '../git/index.js';
import type { Store } from '../store/index.js';
import type { Logger } from './logger.js';
import type { MergeLane } from './health/merge-lane.js';
import { InvariantError } from '../domain/index.js';

/** What every piece of a run's execution shares. */
export interface RunContext {
  store: Store;
  repo: Repo;
  run: RunRecord;
  agents: AgentRegistry;
  /** The parent environment, from which agents and verifiers get an explicit subset. */
  env: Record<string, string | undefined>;
  /** AGENTS.md and CLAUDE.md as committed at the run's base, read once per drive. */
  instructions: string;
  logger: Logger;
  /**
   * Where spending outside an agent's own session is told as it happens (the foreman's answers),
   * so the run's budget breakers see it; absent outside a drive.
   */
  spend?: SpendMeter;
  /** Merges one at a time, each with its health check; absent outside a drive (merges then go unqueued). */
  mergeLane?: MergeLane;
}

/** Counts usage against the run's and a task's budgets (see src/engine/budget/ledger.ts). */
export interface SpendMeter {
  /** `usage` was spent for `taskId` beyond its attempts' own sessions (stored by the caller in its event). */
  charge(taskId: string, usage: Usage): void;
  /** A limit that refuses attempt N+1 of `taskId` (which would cost at least `estimate`), if one does. */
  /** `counts`: the attempt is a new try of the work (first, rework, retry), not a resume after a pause. */
  beforeAttempt(taskId: string, estimate: AttemptEstimate, counts: boolean): Breach | undefined;
  attemptStarted(attemptId: string, taskId: string, counts: boolean): void;
  /** A session's running total, as it streams. */
  sessionUsage(attemptId: string, usage: Usage): void;
  sessionEnded(attemptId: string, usage: Usage | undefined): void;
}

/** `.gaffer/` of the repository: database, worktrees, run artifacts. */
export const gafferDir = (repoRoot: string) => join(repoRoot, '.gaffer');
export const worktreePath = (repoRoot: string, runSlug: string, taskId: string) =>
  join(gafferDir(repoRoot), 'worktrees', runSlug, taskId);
export const runDir = (repoRoot: string, runId: string) => join(gafferDir(repoRoot), 'runs', runId);
export const transcriptPath = (repoRoot: string, runId: string, attemptId: string) =>
  join(runDir(repoRoot, runId), 'attempts', `${attemptId}.jsonl`);

/** The agent backend a task runs on: `--agent` beats the task's own, which beats the plan default. */
export function agentFor(run: Pick<RunRecord, 'options' | 'plan'>, task: PlanTask): string {
  return run.options.agent ?? task.agent ?? run.plan.settings.agent;
}

/**
 * Backend settings for a task: plan-wide `agents.<name>` overlaid with the task's
 * `agent_config`; the plan's `pricing` table applies unless the agent has its own.
 */
export function agentConfigFor(
  run: Pick<RunRecord, 'plan'>,
  task: PlanTask,
  agent: string,
): Record<string, unknown> {
  const config = { ...(run.plan.settings.agents[agent] ?? {}), ...(task.agent_config ?? {}) };
  const pricing = run.plan.settings.pricing;
  return config.pricing === undefined && Object.keys(pricing).length > 0 ? { ...config, pricing } : config;
}

export function protectedPathsOf(run: RunRecord): string[] {
  return [...ALWAYS_PROTECTED, ...run.plan.settings.protected_paths];
}

export function taskOf(run: RunRecord, taskId: string): PlanTask {
  const task = run.plan.tasks.find((t) => t.id === taskId);
  if (!task) throw new InvariantError(`task ${taskId} is not in run ${run.id}`);
  return task;
}
