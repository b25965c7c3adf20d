import type { RetryPolicy } from './retry.js';

/** Which checks a task runs, by name; `commands` overrides detection entirely. */
export interface VerifierSettings {
  /** Verifier names to run (test, lint, typecheck, build); default: every detected one. */
  only?: string[];
  /** Verifier names to leave out. */
  skip?: string[];
  /** Explicit commands by name, replacing detection: `{ test: "npm test" }` (split into argv, no shell). */
  commands?: Record<string, string | string[]>;
  /** Per-verifier timeout in seconds. */
  timeout_s?: number;
}

/**
 * How far a task's sandbox reaches beyond its defaults (its worktree, a private /tmp, the system
 * read-only): more paths to write or read, more hosts an agent may reach (`host` or `host:port`).
 * Paths are absolute or start with `~/`; they must exist.
 */
export interface SandboxSettings {
  writable?: string[];
  readable?: string[];
  network?: string[];
}

/** Per-attempt size limits, in megabytes: beyond them the attempt fails with the offending paths. */
export interface Limits {
  max_file_mb: number;
  max_diff_mb: number;
}

export const DEFAULT_LIMITS: Limits = { max_file_mb: 10, max_diff_mb: 100 };

/**
 * How each task's worktree is made ready before its agent starts (the plan's `worktree:`).
 * Paths are relative to the repository root, never under `.git/` or `.gaffer/`.
 */
export interface WorktreeSettings {
  /** Files or folders copied from the main checkout into each worktree, overwriting (`.env`). */
  copy: string[];
  /** Symbolic links in each worktree to the main checkout's path, readable in the sandbox, never written (`node_modules`). */
  link: string[];
  /** Run in the sandbox in the worktree before the agent: a string through `sh -c`, or an argv. */
  setup?: string | string[];
  /** Seconds the setup may take; default {@link DEFAULT_SETUP_TIMEOUT_S}. */
  setup_timeout_s?: number;
  /** Files whose content decides whether the setup runs again in a worktree it already ran in (`package-lock.json`). */
  setup_when_changed: string[];
  /** Untracked or ignored paths a reused worktree keeps (`git clean --exclude` patterns); default {@link defaultKeep}. */
  keep?: string[];
}

export const DEFAULT_SETUP_TIMEOUT_S = 600;

/** The dependency folders a reused worktree keeps when the plan has a setup and names no `keep`. */
export const SETUP_DEPENDENCY_DIRS = ['node_modules', '.venv', 'venv'] as const;

/**
 * What a reused worktree keeps: the plan's `keep`, else — when there is a setup to keep the
 * result of — the usual dependency folders; without a setup, nothing (what an agent installed
 * is not handed to the next task).
 */
export function defaultKeep(settings: WorktreeSettings | undefined): string[] {
  if (settings?.keep !== undefined) return [...settings.keep];
  return settings?.setup === undefined ? [] : [...SETUP_DEPENDENCY_DIRS];
}

/** Limits of one task's attempts together: dollars, tokens (input + output), wall seconds, attempts started. */
export interface TaskBudgets {
  cost_usd?: number;
  tokens?: number;
  wall_time_s?: number;
  attempts?: number;
}

/**
 * Limits of the whole run (its attempts together; wall time counts only while an engine drives
 * it), and `per_task`, the limits of every task that names none of its own. Reaching a limit
 * pauses the run until a person raises it (`gaffer resume --raise`).
 */
export interface Budgets extends TaskBudgets {
  per_task?: TaskBudgets;
}

/** The names of the limits a budget can set. */
export const BUDGET_LIMITS = ['cost_usd', 'tokens', 'wall_time_s', 'attempts'] as const;
export type BudgetLimit = (typeof BUDGET_LIMITS)[number];

/** US dollars per million tokens; `cached_input` is the price of input read from a prompt cache. */
export interface ModelPrice {
  input: number;
  output: number;
  cached_input?: number;
}

/**
 * How much a run may merge without a person: `full_auto` merges green and yellow results,
 * `review_yellow` (the default) lets yellow ones wait for `gaffer approve`, `review_all` makes
 * every result wait. Red results never merge, whatever the level.
 */
export const AUTONOMY_LEVELS = ['full_auto', 'review_yellow', 'review_all'] as const;
export type Autonomy = (typeof AUTONOMY_LEVELS)[number];

/** The run's autonomy; plans (and runs stored) without one get the default. */
export const autonomyOf = (settings: Pick<PlanSettings, 'autonomy'>): Autonomy =>
  settings.autonomy ?? 'review_yellow';

/** Run-wide settings of a plan. */
export interface PlanSettings {
  base_branch?: string;
  concurrency: number;
  /** Per-agent slot limits, e.g. `{ claude-code: 2 }`. */
  agent_concurrency: Record<string, number>;
  max_rework: number;
  /** How often a blocked task may be replanned; absent: 1 with a planner, else 0. */
  max_replans?: number;
  /** Writes a new plan for the unfinished part of a run when a task is blocked. */
  planner?: PlannerSettings;
  /** Which results wait for a person before they merge; absent: `review_yellow` ({@link autonomyOf}). */
  autonomy?: Autonomy;
  budgets: Budgets;
  /** Agent backend for tasks that do not name one. */
  agent: string;
  /** Globs (relative to the repository root) no agent may change. `.git/` and `.gaffer/` are always protected. */
  protected_paths: string[];
  /**
   * The plan's checks; `baseline` says what a check that already fails on the base commit does:
   * `require_green` (default) stops the run before any agent starts, `allow_preexisting` lets it
   * run as long as the tasks do not make it worse.
   */
  verifiers?: VerifierSettings & {
    baseline?: 'require_green' | 'allow_preexisting';
    /** Whether checks may reach the network (default true: tests often need local services). */
    network?: boolean;
    /** Run check commands as a task's changes define them (its package.json scripts, Makefile); default false: the base commit's. */
    trust_task_changes?: boolean;
    /** Run each merged task's checks on the integration branch after its merge (default true). */
    health_checks?: boolean;
  };
  /** `off` runs agents and checks unsandboxed (a warning on every run); otherwise widenings of the default policy. */
  sandbox?: 'off' | SandboxSettings;
  /** Absent: {@link DEFAULT_LIMITS}. */
  limits?: Partial<Limits>;
  /** How task worktrees are made ready (copies, links, a setup command); absent: as checked out. */
  worktree?: WorktreeSettings;
  /** Seconds an agent's question waits for a person before Gaffer tells the agent to assume and go on. */
  question_timeout_s: number;
  /** Model prices by model-id prefix, overriding and extending the built-in table. */
  pricing: Record<string, ModelPrice>;
  /** How transient agent failures (rate limits, outages, crashes) are retried; DEFAULT_RETRY_POLICY merged with the plan's `retry:`. */
  retry: RetryPolicy;
  /** How a passed task lands on the integration branch: `squash` (default) one commit per task, `keep` a merge commit keeping the attempts' history. */
  merge?: 'squash' | 'keep';
  /** Backend-specific settings, keyed by agent name (e.g. `command: { argv: [...] }`, `script: { tasks: … }`). */
  agents: Record<string, Record<string, unknown>>;
  /** The LLM reviewer of every attempt; absent or `none`: attempts are judged by their checks alone. */
  reviewer?: 'none' | ReviewerSettings;
  /** Answers agents' questions, escalating to a person below `answer_at`; absent or `none`: a person answers. */
  foreman?: 'none' | ForemanSettings;
}

/** The plan's `planner:`: the agent backend that replans the unfinished part of a run. */
export interface PlannerSettings {
  agent: string;
  model?: string;
  agent_config?: Record<string, unknown>;
}

/** The plan's `foreman:`: the agent backend that answers agents' questions first. */
export interface ForemanSettings {
  agent: string;
  /** Overrides the backend's `model` from `agents.<agent>`. */
  model?: string;
  /** Backend settings over `agents.<agent>` for the foreman alone. */
  agent_config?: Record<string, unknown>;
  /** A confidence at or above it answers the agent at once; below it a person is asked, with the proposal. */
  answer_at: number;
}

/**
 * The plan's `reviewer:`: which agent backend judges each attempt's acceptance criteria, and
 * the score thresholds of its confidence (see src/verify/review/confidence-formula.ts).
 */
export interface ReviewerSettings {
  agent: string;
  /** Overrides the backend's `model` from `agents.<agent>`. */
  model?: string;
  /** Backend settings over `agents.<agent>` for the reviewer alone. */
  agent_config?: Record<string, unknown>;
  /** A score at or above it is green. */
  green_at: number;
  /** A score at or above it (and below green_at) is yellow; below it, red. */
  yellow_at: number;
}

/** One node of the plan. */
export interface PlanTask {
  id: string;
  title: string;
  description: string;
  depends_on: string[];
  deliverables: string[];
  acceptance_criteria: string[];
  context_files: string[];
  /** Ids of the spec's acceptance criteria this task serves (`AC-1.1`), for tracing and coverage. */
  covers?: string[];
  agent?: string;
  /** Wave number: a task with a higher `order` waits for every task with a lower one (extra edges only). */
  order?: number;
  /** Estimated duration in seconds, for critical-path priority. */
  estimate_s?: number;
  verifiers?: VerifierSettings;
  /** Passes without changing a file (a task that only checks); otherwise an attempt that changes nothing fails. */
  allow_empty?: boolean;
  /** This task's widenings of the plan's sandbox policy. */
  sandbox?: SandboxSettings;
  /** Backend-specific settings for this task (e.g. the script agent's steps). */
  agent_config?: Record<string, unknown>;
  /** This task's limits, over the plan's `budgets.per_task`. */
  budgets?: TaskBudgets;
}

/** A validated plan: a DAG of tasks plus run settings. */
export interface Plan {
  name: string;
  settings: PlanSettings;
  tasks: PlanTask[];
}

/** Gaffer's own state folder and git's are protected whatever the plan says. */
export const ALWAYS_PROTECTED = ['.git/**', '.gaffer/**'] as const;

/** Task ids become branch name components: keep them simple. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
