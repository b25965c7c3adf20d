import { GafferError, type Plan } from '../domain/index.js';

/** The part of a task the dependency graph needs. */
export interface GraphTask {
  id: string;
  depends_on: readonly string[];
  order?: number | undefined;
}

/**
 * Edges implied by `depends_on` plus `order`: a task with order k also depends on every task
 * with a lower order (tasks without `order` take no part in waves). Returns taskId → ids it
 * waits for; edges to ids that are not in the plan are kept, so callers can report them.
 */
export function effectiveDependencies(plan: Plan): Map<string, Set<string>> {
  return buildDependencies(plan.tasks);
}

/** `effectiveDependencies` over any task-like list (the validator also runs it on unvalidated input). */
export function buildDependencies(tasks: readonly GraphTask[]): Map<string, Set<string>> {
  const deps = new Map<string, Set<string>>();
  for (const task of tasks) {
    const set = deps.get(task.id) ?? new Set<string>();
    for (const dep of task.depends_on) set.add(dep);
    const order = task.order;
    if (order !== undefined) {
      for (const other of tasks) {
        if (other.order !== undefined && other.order < order) set.add(other.id);
      }
    }
    deps.set(task.id, set);
  }
  return deps;
}

/**
 * A cycle as a list of ids `[a, b, c, a]` (a depends on b, b on c, c on a), or undefined.
 * Depth-first from each id in `order`, visiting dependencies in `order` too, so the same graph
 * always yields the same cycle: the first one found in plan order.
 */
export function findCycle(deps: Map<string, Set<string>>, order: string[]): string[] | undefined {
  const rank = new Map(order.map((id, index) => [id, index]));
  const byRank = (a: string, b: string) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity);
  const starts = [...order, ...[...deps.keys()].filter((id) => !rank.has(id))];
  const done = new Set<string>();
  const onPath = new Set<string>();

  for (const start of starts) {
    if (done.has(start)) continue;
    // Iterative DFS: plans written by an LLM can be long chains, recursion is not worth the risk.
    const path: string[] = [start];
    const pending: string[][] = [[...(deps.get(start) ?? [])].sort(byRank)];
    onPath.add(start);
    while (path.length > 0) {
      const next = pending.at(-1)?.shift();
      if (next === undefined) {
        const finished = path.pop();
        pending.pop();
        if (finished !== undefined) {
          onPath.delete(finished);
          done.add(finished);
        }
        continue;
      }
      if (onPath.has(next)) return [...path.slice(path.indexOf(next)), next];
      if (done.has(next)) continue;
      path.push(next);
      onPath.add(next);
      pending.push([...(deps.get(next) ?? [])].sort(byRank));
    }
  }
  return undefined;
}

/**
 * Task ids in a deterministic topological order: dependencies first, ties broken by plan
 * order. Throws `GAFFER_PLAN_CYCLE` for a cyclic plan (a validated plan never is).
 */
export function topologicalOrder(plan: Plan): string[] {
  const ids = plan.tasks.map((task) => task.id);
  const known = new Set(ids);
  const deps = effectiveDependencies(plan);
  const waiting = new Map(ids.map((id) => [id, [...(deps.get(id) ?? [])].filter((dep) => known.has(dep))]));
  const placed = new Set<string>();
  const result: string[] = [];
  while (result.length < ids.length) {
    // Lowest plan index among the ready ones; quadratic, which is fine for plans of hundreds of tasks.
    const ready = ids.find(
      (id) => !placed.has(id) && (waiting.get(id) ?? []).every((dep) => placed.has(dep)),
    );
    if (ready === undefined) {
      const cycle = findCycle(deps, ids) ?? [];
      throw new GafferError('GAFFER_PLAN_CYCLE', `plan has a dependency cycle: ${cycle.join(' → ')}`, {
        hint: 'load plans through loadPlan or validatePlan, which reject cycles',
        details: { cycle },
      });
    }
    placed.add(ready);
    result.push(ready);
  }
  return result;
}
