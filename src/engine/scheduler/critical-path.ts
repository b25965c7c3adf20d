import { GafferError } from '../../domain/errors.js';
import type { SchedTask } from './types.js';

/**
 * Task ids with dependencies before dependents (Kahn's algorithm, plan order among equals).
 * Throws on duplicate ids, unknown dependencies and cycles: the plan validator should have
 * caught them, so reaching this is a caller bug, not a user mistake.
 */
export function topologicalOrder(tasks: readonly SchedTask[]): string[] {
  const byId = indexTasks(tasks);
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const task of byId.values()) {
    const deps = uniqueDeps(task);
    indegree.set(task.id, deps.length);
    for (const dep of deps) {
      if (!byId.has(dep)) {
        throw new GafferError('GAFFER_BAD_INPUT', `task ${task.id} depends on unknown task ${dep}`, {
          hint: 'validate the plan before scheduling it',
          details: { taskId: task.id, dependency: dep },
        });
      }
      const list = dependents.get(dep);
      if (list) list.push(task.id);
      else dependents.set(dep, [task.id]);
    }
  }
  const queue = [...byId.keys()].filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string;
    order.push(id);
    for (const next of dependents.get(id) ?? []) {
      const left = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  if (order.length < byId.size) {
    const stuck = [...byId.keys()].filter((id) => (indegree.get(id) ?? 0) > 0);
    throw new GafferError('GAFFER_PLAN_CYCLE', `dependency cycle among tasks: ${stuck.join(', ')}`, {
      hint: 'remove one depends_on (or order) edge of the cycle',
      details: { tasks: stuck },
    });
  }
  return order;
}

/**
 * Longest remaining path from each task to the end of the DAG, including the task's own
 * estimate. Tasks without `estimateS` count `defaultEstimateS`.
 */
export function criticalPathLengths(tasks: readonly SchedTask[], defaultEstimateS = 1): Map<string, number> {
  const byId = indexTasks(tasks);
  const order = topologicalOrder(tasks);
  const dependents = dependentsOf(tasks);
  const lengths = new Map<string, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i] as string;
    let tail = 0;
    for (const next of dependents.get(id) ?? []) tail = Math.max(tail, lengths.get(next) ?? 0);
    lengths.set(id, estimateOf(byId.get(id), defaultEstimateS) + tail);
  }
  return lengths;
}

/** Length of the longest path through the DAG: no schedule, however many slots, finishes sooner. */
export function criticalPathBound(tasks: readonly SchedTask[], defaultEstimateS = 1): number {
  let bound = 0;
  for (const length of criticalPathLengths(tasks, defaultEstimateS).values()) bound = Math.max(bound, length);
  return bound;
}

/** Longest dependency depth of each task: 0 without dependencies, else 1 + the deepest dependency. */
export function dependencyLevels(tasks: readonly SchedTask[]): Map<string, number> {
  const byId = indexTasks(tasks);
  const levels = new Map<string, number>();
  for (const id of topologicalOrder(tasks)) {
    let level = 0;
    for (const dep of uniqueDeps(byId.get(id))) level = Math.max(level, (levels.get(dep) ?? 0) + 1);
    levels.set(id, level);
  }
  return levels;
}

/** Direct dependents of each task, in plan order. */
export function dependentsOf(tasks: readonly SchedTask[]): Map<string, string[]> {
  const sorted = [...tasks].sort((a, b) => a.planIndex - b.planIndex);
  const dependents = new Map<string, string[]>(sorted.map((task) => [task.id, []]));
  for (const task of sorted) {
    for (const dep of uniqueDeps(task)) dependents.get(dep)?.push(task.id);
  }
  return dependents;
}

/** Dependencies without repeats: a dependency listed twice is still one edge. */
export function uniqueDeps(task: SchedTask | undefined): string[] {
  return task ? [...new Set(task.deps)] : [];
}

function estimateOf(task: SchedTask | undefined, fallback: number): number {
  const estimate = task?.estimateS;
  return estimate !== undefined && Number.isFinite(estimate) && estimate >= 0 ? estimate : fallback;
}

function indexTasks(tasks: readonly SchedTask[]): Map<string, SchedTask> {
  const byId = new Map<string, SchedTask>();
  for (const task of tasks) {
    if (byId.has(task.id)) {
      throw new GafferError('GAFFER_BAD_INPUT', `duplicate task id ${task.id}`, {
        hint: 'validate the plan before scheduling it',
        details: { taskId: task.id },
      });
    }
    byId.set(task.id, task);
  }
  return byId;
}
