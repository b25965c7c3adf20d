import { GafferError, userError } from '../../domain/errors.js';
import { criticalPathLengths, dependencyLevels, dependentsOf, uniqueDeps } from './critical-path.js';
import type { SchedGraph, SchedStatus, SchedTask, SchedulerConfig, SchedulerState } from './types.js';

const ALL_STATUSES: readonly SchedStatus[] = [
  'waiting',
  'ready',
  'running',
  'awaiting',
  'passed',
  'blocked',
  'skipped',
  'cancelled',
];

/** Statuses after which a task holds no slot and will not change again in this run. */
export const SETTLED: ReadonlySet<SchedStatus> = new Set(['passed', 'blocked', 'skipped', 'cancelled']);

/**
 * Builds the initial state. For a resume, `initial` gives each task's stored status: passed,
 * blocked, skipped and cancelled tasks stay so; `running` ones (their session died with the
 * previous engine) and waiting ones whose dependencies all passed become ready and are
 * announced with `mark-ready` by the first event. Tasks missing from `initial` are waiting.
 */
export function createSchedulerState(
  tasks: readonly SchedTask[],
  config: SchedulerConfig,
  initial: Readonly<Record<string, SchedStatus>> = {},
): SchedulerState {
  validateConfig(config);
  const graph = buildGraph(tasks);
  for (const id of Object.keys(initial)) {
    if (!graph.tasks.has(id)) {
      throw new GafferError('GAFFER_BAD_INPUT', `initial status given for unknown task ${id}`, {
        details: { taskId: id },
      });
    }
  }

  const given = (id: string): SchedStatus => initial[id] ?? 'waiting';
  const unmetDeps = graph.order.map(
    (id) => uniqueDeps(graph.tasks.get(id)).filter((dep) => given(dep) !== 'passed').length,
  );
  const pendingMarks: string[] = [];
  const status = graph.order.map((id, index): SchedStatus => {
    const before = given(id);
    if (before !== 'waiting' && before !== 'ready' && before !== 'running') return before;
    if (unmetDeps[index] !== 0) return 'waiting';
    if (before !== 'ready') pendingMarks.push(id);
    return 'ready';
  });

  const counts = Object.fromEntries(ALL_STATUSES.map((s) => [s, 0])) as Record<SchedStatus, number>;
  const unsettledByLevel: number[] = [];
  graph.order.forEach((id, index) => {
    const s = status[index] ?? 'waiting';
    counts[s] += 1;
    const level = graph.level.get(id) ?? 0;
    while (unsettledByLevel.length <= level) unsettledByLevel.push(0);
    if (!SETTLED.has(s)) unsettledByLevel[level] = (unsettledByLevel[level] ?? 0) + 1;
  });
  const rankOf = (id: string) => graph.rank.get(id) ?? 0;
  const ready = graph.order.filter((_, i) => status[i] === 'ready').sort((a, b) => rankOf(a) - rankOf(b));
  const blocked = graph.order
    .filter((_, i) => status[i] === 'blocked')
    .map((taskId) => ({ taskId, reason: `task ${taskId} is blocked` }));

  return {
    config,
    graph,
    tasks: graph.tasks,
    status,
    counts,
    unmetDeps,
    ready,
    running: 0,
    runningByAgent: new Map(),
    unsettledByLevel,
    halted: 'none',
    started: false,
    reconciled: false,
    pendingMarks,
    blocked,
    outcome: null,
  };
}

/**
 * Precomputes the static facts. Tasks without an estimate count the mean of the given
 * estimates (1 when none is given), so a partly estimated plan does not treat its unestimated
 * tasks as near-instant.
 */
function buildGraph(tasks: readonly SchedTask[]): SchedGraph {
  const sorted = [...tasks].sort((a, b) => a.planIndex - b.planIndex);
  const known = sorted.flatMap((task) =>
    task.estimateS !== undefined && Number.isFinite(task.estimateS) && task.estimateS >= 0
      ? [task.estimateS]
      : [],
  );
  const fallback = known.length > 0 ? known.reduce((sum, e) => sum + e, 0) / known.length : 1;
  const priority = criticalPathLengths(sorted, fallback);
  const level = dependencyLevels(sorted);
  const byPreference = [...sorted].sort(
    (a, b) => (priority.get(b.id) ?? 0) - (priority.get(a.id) ?? 0) || a.planIndex - b.planIndex,
  );
  return {
    tasks: new Map(sorted.map((task) => [task.id, task])),
    order: sorted.map((task) => task.id),
    index: new Map(sorted.map((task, index) => [task.id, index])),
    dependents: dependentsOf(sorted),
    priority,
    rank: new Map(byPreference.map((task, index) => [task.id, index])),
    level,
  };
}

function validateConfig(config: SchedulerConfig): void {
  if (!Number.isInteger(config.concurrency) || config.concurrency < 1) {
    throw userError(
      'GAFFER_BAD_INPUT',
      `concurrency must be a whole number ≥ 1, got ${config.concurrency}`,
      'set settings.concurrency in plan.yaml to 1 or more',
    );
  }
  for (const [agent, limit] of Object.entries(config.agentConcurrency)) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw userError(
        'GAFFER_BAD_INPUT',
        `agent_concurrency for ${agent} must be a whole number ≥ 1, got ${limit}`,
        'remove the entry or set it to 1 or more',
      );
    }
  }
}

/** The status of one task; throws for an unknown id. */
export function taskStatus(state: SchedulerState, id: string): SchedStatus {
  const index = state.graph.index.get(id);
  const status = index === undefined ? undefined : state.status[index];
  if (status === undefined) {
    throw new GafferError('GAFFER_BAD_INPUT', `the scheduler has no task ${id}`, { details: { taskId: id } });
  }
  return status;
}

/** Every task's status by id, in plan order (for display, logs and tests). */
export function statusById(state: SchedulerState): Record<string, SchedStatus> {
  return Object.fromEntries(state.graph.order.map((id, index) => [id, state.status[index] ?? 'waiting']));
}
