import type { PlanTask } from '../../domain/index.js';

/**
 * Each task's acceptance criteria with the text of the spec criteria it `covers` added
 * (`AC-1.1: WHEN …`, once each), so its agent is told, and its reviewer judges, what it serves.
 */
export function withCoveredCriteria<T extends Pick<PlanTask, 'covers' | 'acceptance_criteria'>>(
  tasks: readonly T[],
  criteria: Readonly<Record<string, string>>,
): T[] {
  return tasks.map((task) => {
    const added = [...new Set(task.covers ?? [])].flatMap((id) => {
      const text = criteria[id];
      const line = `${id}: ${text ?? ''}`;
      return text === undefined || task.acceptance_criteria.includes(line) ? [] : [line];
    });
    return added.length === 0
      ? task
      : { ...task, acceptance_criteria: [...task.acceptance_criteria, ...added] };
  });
}

/** The criteria ids a plan's tasks cover: the spec's criteria a run from it knows. */
export function coveredIdsOf(plan: { readonly tasks: readonly PlanTask[] }): string[] {
  return [...new Set(plan.tasks.flatMap((t) => t.covers ?? []))];
}

/**
 * The text of each criterion a plan's tasks cover, read back from their acceptance criteria
 * (`${id}: text`, as {@link withCoveredCriteria} put it there); an id without such a line has none.
 */
export function criteriaOfPlan(plan: { readonly tasks: readonly PlanTask[] }): Record<string, string> {
  const criteria: Record<string, string> = {};
  for (const task of plan.tasks)
    for (const id of task.covers ?? []) {
      if (criteria[id] !== undefined) continue;
      const line = task.acceptance_criteria.find((c) => c.startsWith(`${id}: `));
      if (line !== undefined) criteria[id] = line.slice(id.length + 2);
    }
  return criteria;
}
