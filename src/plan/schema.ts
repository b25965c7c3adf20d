import { z } from 'zod';
import { AGENT_FAILURE_KINDS, AUTONOMY_LEVELS, TASK_ID_PATTERN } from '../domain/index.js';
import { sandboxWideningSchema } from '../sandbox/widening-schema.js';

/*
 * The shape of `plan.yaml` as written by people and LLMs: run settings flat at the top level,
 * then `tasks`. Every object is strict so a typo (`depend_on`) is an error instead of a
 * silently ignored key; only `agents` and `agent_config` are free-form, because their
 * contents belong to the agent backends.
 */

const nonEmpty = z.string().min(1);
const positive = z.number().positive();
const freeForm = z.record(z.string(), z.unknown());

export const verifierSchema = z.strictObject({
  only: z.array(nonEmpty).optional(),
  skip: z.array(nonEmpty).optional(),
  commands: z.record(nonEmpty, z.union([nonEmpty, z.array(nonEmpty).min(1)])).optional(),
  timeout_s: positive.optional(),
});

/** The plan's own `verifiers:` also says how a check already failing on the base commit is treated. */
export const BASELINE_POLICIES = ['require_green', 'allow_preexisting'] as const;
export const planVerifierSchema = verifierSchema.extend({
  baseline: z.enum(BASELINE_POLICIES).optional(),
  network: z.boolean().optional(),
  trust_task_changes: z.boolean().optional(),
  health_checks: z.boolean().optional(),
});

/** Widenings of the sandbox's default policy (paths are checked when the run is created). */
export const sandboxSchema = sandboxWideningSchema;

export const limitsSchema = z.strictObject({
  max_file_mb: positive.optional(),
  max_diff_mb: positive.optional(),
});

/**
 * Limits of one task (`budgets.per_task`, or a task's own `budgets`): what its attempts may
 * spend in dollars, tokens and wall time, and how many attempts it may start.
 */
export const taskBudgetsSchema = z.strictObject({
  cost_usd: positive.optional(),
  tokens: z.number().int().positive().optional(),
  wall_time_s: positive.optional(),
  attempts: z.number().int().positive().optional(),
});

/** Limits of the whole run; reaching one pauses the run (see src/engine/budget/). */
export const budgetsSchema = taskBudgetsSchema.extend({
  per_task: taskBudgetsSchema.optional(),
});

export const priceSchema = z.strictObject({
  input: z.number().min(0),
  output: z.number().min(0),
  cached_input: z.number().min(0).optional(),
});

/** A partial retry policy; validation merges it over DEFAULT_RETRY_POLICY. */
export const retrySchema = z.strictObject({
  attempts: z.number().int().min(0).max(20).optional(),
  initial_interval_s: z.number().min(0).optional(),
  backoff: z.number().min(1).optional(),
  max_interval_s: positive.optional(),
  non_retryable: z.array(z.enum(AGENT_FAILURE_KINDS)).optional(),
});

/**
 * How each task's worktree is made ready before its agent starts: files copied or linked from
 * the main checkout, a setup command (string: `sh -c`; list: argv) and what a reused worktree
 * keeps. Paths are relative to the repository root; they are checked when the plan is loaded.
 */
export const worktreeSchema = z.strictObject({
  copy: z.array(nonEmpty).default([]),
  link: z.array(nonEmpty).default([]),
  setup: z.union([nonEmpty, z.array(nonEmpty).min(1)]).optional(),
  setup_timeout_s: positive.optional(),
  setup_when_changed: z.array(nonEmpty).default([]),
  keep: z.array(nonEmpty).optional(),
});

/** A score threshold of the reviewer's confidence, in [0, 1]. */
const threshold = z.number().min(0).max(1);

/**
 * The LLM reviewer (`reviewer:`): which agent backend reads each attempt's diff and check output
 * and judges its acceptance criteria, and the score thresholds of the confidence it yields. A
 * plan without the key, or with `reviewer: none`, judges attempts by their checks alone.
 */
export const reviewerSchema = z
  .strictObject({
    agent: nonEmpty.default('api'),
    model: nonEmpty.optional(),
    agent_config: freeForm.optional(),
    green_at: threshold.default(0.8),
    yellow_at: threshold.default(0.5),
  })
  .refine((reviewer) => reviewer.yellow_at <= reviewer.green_at, {
    path: ['yellow_at'],
    message:
      'must not be above green_at (a score at or above green_at is green, at or above yellow_at yellow)',
  });

/**
 * The foreman (`foreman:`): which agent backend answers agents' questions, and the confidence at
 * or above which its answer goes straight back to the agent; below it the question is escalated
 * to a person with the foreman's proposal. Absent or `none`: every question goes to a person.
 */
export const foremanSchema = z.strictObject({
  agent: nonEmpty.default('api'),
  model: nonEmpty.optional(),
  agent_config: freeForm.optional(),
  answer_at: threshold.default(0.7),
});

/**
 * The planner (`planner:`): the agent backend that writes a new plan for the unfinished part of a
 * run when a task is blocked, up to `max_replans` times. Absent: a blocked task fails the run.
 */
export const plannerSchema = z.strictObject({
  agent: nonEmpty.default('api'),
  model: nonEmpty.optional(),
  agent_config: freeForm.optional(),
});

export const taskSchema = z.strictObject({
  id: z.string().regex(TASK_ID_PATTERN),
  title: nonEmpty,
  description: z.string().default(''),
  depends_on: z.array(z.string()).default([]),
  deliverables: z.array(nonEmpty).default([]),
  acceptance_criteria: z.array(nonEmpty).default([]),
  context_files: z.array(nonEmpty).default([]),
  /** The spec's acceptance-criterion ids (`AC-1.1`) this task serves; checked when the spec is known. */
  covers: z.array(nonEmpty).optional(),
  agent: nonEmpty.optional(),
  order: z.number().int().min(0).optional(),
  estimate_s: positive.optional(),
  verifiers: verifierSchema.optional(),
  /** A task that only checks (or may find nothing to do) passes without changing a file. */
  allow_empty: z.boolean().optional(),
  sandbox: sandboxSchema.optional(),
  agent_config: freeForm.optional(),
  /** This task's limits, over the plan's `budgets.per_task`. */
  budgets: taskBudgetsSchema.optional(),
});

export const planFileSchema = z
  .strictObject({
    name: nonEmpty.optional(),
    base_branch: nonEmpty.optional(),
    concurrency: z.number().int().min(1).max(64).default(4),
    agent_concurrency: z.record(nonEmpty, z.number().int().min(1).max(64)).default({}),
    max_rework: z.number().int().min(0).max(20).default(2),
    /** How often a blocked task may be replanned (needs `planner:`); default 1 with a planner. */
    max_replans: z.number().int().min(0).max(10).optional(),
    /**
     * Which results wait for a person before they merge: `full_auto` none (yellow merges),
     * `review_yellow` the yellow ones, `review_all` every one. Red never merges.
     */
    autonomy: z.enum(AUTONOMY_LEVELS).default('review_yellow'),
    budgets: budgetsSchema.default({}),
    agent: nonEmpty.default('claude-code'),
    protected_paths: z.array(nonEmpty).default([]),
    question_timeout_s: positive.default(600),
    pricing: z.record(nonEmpty, priceSchema).default({}),
    retry: retrySchema.optional(),
    /** squash: one commit per task on the integration branch; keep: a merge commit that keeps the attempts' history. */
    merge: z.enum(['squash', 'keep']).default('squash'),
    verifiers: planVerifierSchema.optional(),
    sandbox: z.union([z.literal('off'), sandboxSchema]).optional(),
    limits: limitsSchema.optional(),
    worktree: worktreeSchema.optional(),
    agents: z.record(nonEmpty, freeForm).default({}),
    reviewer: z.union([z.literal('none'), reviewerSchema]).optional(),
    foreman: z.union([z.literal('none'), foremanSchema]).optional(),
    planner: plannerSchema.optional(),
    tasks: z.array(taskSchema).min(1),
  })
  .refine((plan) => plan.max_replans === undefined || plan.max_replans === 0 || plan.planner !== undefined, {
    path: ['max_replans'],
    message: 'replanning needs a planner: add `planner: { agent: api, model: … }`, or remove max_replans',
  });

export type PlanFile = z.infer<typeof planFileSchema>;

/** The keys a strict object at `path` accepts, for "did you mean" hints on unknown keys. */
export function knownKeysAt(path: readonly (string | number)[]): readonly string[] {
  const last = path.at(-1);
  if (path.length === 0) return Object.keys(planFileSchema.shape);
  if (path.length === 1 && last === 'budgets') return Object.keys(budgetsSchema.shape);
  if (last === 'budgets' || last === 'per_task') return Object.keys(taskBudgetsSchema.shape);
  if (path.length === 1 && last === 'foreman') return Object.keys(foremanSchema.shape);
  if (path.length === 1 && last === 'planner') return Object.keys(plannerSchema.shape);
  if (last === 'sandbox') return Object.keys(sandboxSchema.shape);
  if (last === 'limits') return Object.keys(limitsSchema.shape);
  if (path.length === 1 && last === 'worktree') return Object.keys(worktreeSchema.shape);
  if (path.length === 1 && last === 'retry') return Object.keys(retrySchema.shape);
  if (path.length === 1 && last === 'reviewer') return Object.keys(reviewerSchema.shape);
  if (path.length === 1 && last === 'verifiers') return Object.keys(planVerifierSchema.shape);
  if (last === 'verifiers') return Object.keys(verifierSchema.shape);
  if (path.length === 2 && path[0] === 'pricing') return Object.keys(priceSchema.shape);
  if (path.length === 2 && path[0] === 'tasks') return Object.keys(taskSchema.shape);
  return [];
}
