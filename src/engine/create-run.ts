import { reviewerConfig, reviewerOf } from './reviewer-settings.js';
import { plannerConfig } from './replan/planner-settings.js';
import { foremanConfig, foremanOf } from './foreman/index.js';
import { randomBytes } from 'node:crypto';
import type { AgentRegistry } from '../agents/index.js';
import type { Plan, RunOptions, RunRecord, TaskRecord } from '../domain/index.js';
import { InvariantError, userError } from '../domain/index.js';
import type { Repo } from '../git/index.js';
import { assertValidBranchName, integrationBranchName, slugify, taskBranchName } from '../git/index.js';
import { loadPlan } from '../plan/index.js';
import type { Store } from '../store/index.js';
import { agentConfigFor, agentFor } from './run-context.js';
import { assertSandboxAvailable } from './sandbox/index.js';
import { worktreeRepositoryWarnings } from './workspace/worktree-repository.js';
import type { SpecRunPlan } from './spec/spec-for-run.js';
import { specOfPlanPath, specRunPlanAt } from './spec/spec-for-run.js';
import { withCoveredCriteria } from './spec/covered-criteria.js';

export interface CreateRunOptions {
  planPath: string;
  /** A directory inside the git repository to run in. */
  cwd: string;
  concurrency?: number;
  agent?: string;
  keepGoing?: boolean;
  schedule?: RunOptions['schedule'];
  /**
   * A spec's plan (`planPath` is `.gaffer/specs/<id>/plan.yaml`, as `gaffer run --spec` gives it):
   * run even though some acceptance criteria are covered by no task.
   */
  allowGaps?: boolean;
}

export interface CreateRunDeps {
  repo: Repo;
  store: () => Promise<Store>;
  agents: AgentRegistry;
  env: Record<string, string | undefined>;
}

/**
 * Validates the plan, the repository and the agents — all before the store is opened, so bad
 * input creates nothing — then records a new pending run with its integration branch.
 */
export async function createRun(input: CreateRunOptions, deps: CreateRunDeps): Promise<RunRecord> {
  const { repo } = deps;
  // A spec's plan runs only through its gate, however it is named (CLI, HTTP API, MCP).
  const specId = specOfPlanPath(repo.root, input.planPath);
  if (input.allowGaps && specId === undefined)
    throw userError(
      'GAFFER_BAD_INPUT',
      `--allow-gaps goes with a spec's plan, and ${input.planPath} is none: a plan of your own has no acceptance criteria to cover`,
      'leave it out, or run a spec: `gaffer run --spec <id> --allow-gaps`',
      { planPath: input.planPath },
    );
  const spec =
    specId === undefined
      ? undefined
      : specRunPlanAt(repo.root, specId, { allowGaps: Boolean(input.allowGaps) }).spec;
  const loaded = await loadPlan(input.planPath, {
    repoRoot: repo.root,
    ...(deps.env.HOME ? { home: deps.env.HOME } : {}),
    ...(spec ? { expectSha256: spec.planSha256, knownCriteria: Object.keys(spec.criteria) } : {}),
  });
  // Each task that `covers` acceptance criteria gets their text (`AC-1.1: WHEN …`) among its
  // acceptance criteria, so its agent is told, and its reviewer judges, exactly what it serves.
  const plan = spec ? { ...loaded, tasks: withCoveredCriteria(loaded.tasks, spec.criteria) } : loaded;
  // Fail closed: no run is recorded on a machine that cannot sandbox its agents.
  await assertSandboxAvailable(plan.settings.sandbox === 'off');
  const options = runOptionsOf(input, plan, spec);
  const baseBranch = await baseBranchOf(repo, plan);
  const baseCommit = await repo.resolveCommit(`refs/heads/${baseBranch}`);
  if (!baseCommit) {
    throw userError(
      'GAFFER_BAD_INPUT',
      `base branch "${baseBranch}" does not exist (or has no commits)`,
      'create it, commit once, or set base_branch in the plan',
    );
  }
  await refuseDirtyBase(repo, baseBranch);
  // What task worktrees will lack (submodules, LFS content) is said once, with the run.
  const warnings = await worktreeRepositoryWarnings(repo, plan, baseCommit);
  await preflightAgents(deps, { options, plan });
  const store = await deps.store();
  const slug = await freeRunId(repo, store, plan.name);
  const integrationBranch = integrationBranchName(slug);
  assertValidBranchName(integrationBranch);
  for (const task of plan.tasks) assertValidBranchName(taskBranchName(slug, task.id));

  await repo.ignoreGafferDir();
  const created = !(await repo.branchExists(integrationBranch));
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
    options,
    baseBranch,
    baseCommit,
    integrationBranch,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
  };
  const tasks = plan.tasks.map((task) => newTask(slug, task.id));
  try {
    await store.transaction(async (tx) => {
      await tx.insertRun(run, tasks, {
        type: 'run.created',
        runId: slug,
        data: { planPath: input.planPath, tasks: tasks.length, baseBranch, integrationBranch },
      });
      for (const warning of warnings)
        await tx.appendEvent({ type: 'run.warning', runId: slug, data: { warning } });
    });
  } catch (error) {
    // No run was recorded: an integration branch made for it would be an orphan nobody cleans.
    if (created) await repo.deleteBranch(integrationBranch);
    throw error;
  }
  return run;
}

function runOptionsOf(
  input: CreateRunOptions,
  plan: Plan,
  spec: SpecRunPlan['spec'] | undefined,
): RunOptions {
  const options: RunOptions = {
    concurrency: input.concurrency ?? plan.settings.concurrency,
    keepGoing: input.keepGoing ?? false,
    schedule: input.schedule ?? 'critical-path',
    ...(input.agent ? { agent: input.agent } : {}),
    ...(spec ? { spec: spec.id, specPlanSha256: spec.planSha256 } : {}),
  };
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw userError('GAFFER_BAD_INPUT', `concurrency must be a positive integer, got ${options.concurrency}`);
  }
  return options;
}

async function baseBranchOf(repo: Repo, plan: Plan): Promise<string> {
  const baseBranch = plan.settings.base_branch ?? (await repo.currentBranch());
  if (!baseBranch) {
    throw userError(
      'GAFFER_BAD_INPUT',
      'the repository is on a detached HEAD and the plan names no base_branch',
      'set base_branch in the plan or check out a branch',
    );
  }
  return baseBranch;
}

async function refuseDirtyBase(repo: Repo, baseBranch: string): Promise<void> {
  if ((await repo.currentBranch()) !== baseBranch) return;
  const dirty = await repo.dirtyFiles();
  if (dirty.length === 0) return;
  throw userError(
    'GAFFER_DIRTY_TREE',
    `the working tree on ${baseBranch} has uncommitted changes: ${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ', …' : ''}`,
    'commit or stash them first: agents start from the last commit and would not see them',
  );
}

/** Every task's agent exists and is usable (binary, key) before anything is recorded. */
async function preflightAgents(deps: CreateRunDeps, run: Pick<RunRecord, 'options' | 'plan'>): Promise<void> {
  for (const task of run.plan.tasks) {
    const name = agentFor(run, task);
    const adapter = deps.agents.get(name);
    await adapter.preflight?.(agentConfigFor(run, task, name), deps.env, {
      sandboxed: run.plan.settings.sandbox !== 'off',
    });
  }
  // The reviewer too: a missing key or binary is said now, not at the first evaluation.
  const reviewer = reviewerOf(run);
  if (reviewer)
    await deps.agents.get(reviewer.agent).preflight?.(reviewerConfig(run, reviewer), deps.env, {
      sandboxed: run.plan.settings.sandbox !== 'off',
    });
  // And the foreman: a question must not be the first to find its backend unusable.
  const foreman = foremanOf(run);
  if (foreman)
    await deps.agents.get(foreman.agent).preflight?.(foremanConfig(run, foreman), deps.env, {
      sandboxed: run.plan.settings.sandbox !== 'off',
    });
  // And the planner, which is only needed once a task is blocked: then is too late to find out.
  const planner = run.plan.settings.planner;
  if (planner)
    await deps.agents.get(planner.agent).preflight?.(plannerConfig(run, planner), deps.env, {
      sandboxed: run.plan.settings.sandbox !== 'off',
    });
}

/** Run ids are short for people to type; the rare clash with an earlier run's branch is retried. */
async function freeRunId(repo: Repo, store: Store, name: string): Promise<string> {
  for (let tries = 0; tries < 20; tries++) {
    const candidate = `${slugify(name)}-${randomBytes(3).toString('hex')}`;
    if (!(await repo.branchExists(integrationBranchName(candidate))) && !(await store.getRun(candidate)))
      return candidate;
  }
  throw new InvariantError('could not find a free run id in 20 tries');
}

/** A task's record before anything happened to it (at the run's creation, or added by a replan). */
export const newTask = (runId: string, taskId: string): TaskRecord => ({
  runId,
  taskId,
  status: 'pending',
  attempts: 0,
  reworks: 0,
  branch: taskBranchName(runId, taskId),
  mergeCommit: null,
  reason: null,
  filesChanged: 0,
  startedAt: null,
  finishedAt: null,
});
