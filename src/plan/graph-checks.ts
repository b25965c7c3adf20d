import type { PlanIssue } from '../domain/index.js';
import { buildDependencies, findCycle, type GraphTask } from './graph.js';
import { issueAt, type IssueContext } from './issue.js';
import type { LooseTask } from './loose-plan.js';
import { closest } from './suggest.js';

/** Reporting every cycle of a dense graph helps no one; the first few show the pattern. */
const MAX_CYCLES = 10;

/** Duplicate ids, unknown dependencies and dependency cycles. */
export function graphIssues(context: IssueContext, tasks: readonly LooseTask[]): PlanIssue[] {
  const first = new Map<string, LooseTask>();
  const issues: PlanIssue[] = [];
  for (const task of tasks) {
    if (task.id === undefined) continue;
    const earlier = first.get(task.id);
    if (earlier === undefined) {
      first.set(task.id, task);
      continue;
    }
    const line = context.map.locate(['tasks', earlier.index, 'id']).line;
    issues.push(
      issueAt(
        context,
        ['tasks', task.index, 'id'],
        'duplicate-id',
        `duplicate task id "${task.id}" (first defined on line ${line})`,
        'rename one of them: task ids must be unique',
      ),
    );
  }
  issues.push(...unknownDependencies(context, tasks, first));
  issues.push(...cycles(context, first));
  return issues;
}

function unknownDependencies(
  context: IssueContext,
  tasks: readonly LooseTask[],
  known: ReadonlyMap<string, LooseTask>,
): PlanIssue[] {
  const ids = [...known.keys()];
  return tasks.flatMap((task) =>
    task.dependsOn
      .filter((dep) => !known.has(dep.value))
      .map((dep) => {
        const suggestion = closest(dep.value, ids);
        const listed = ids.length > 8 ? `${ids.slice(0, 8).join(', ')}, …` : ids.join(', ');
        return issueAt(
          context,
          ['tasks', task.index, 'depends_on', dep.index],
          'unknown-dependency',
          `${name(task)} depends on unknown task "${dep.value}"`,
          suggestion !== undefined ? `did you mean "${suggestion}"?` : `known task ids: ${listed}`,
        );
      }),
  );
}

/**
 * Cycles among `depends_on` edges first. Only when there are none, cycles that need an
 * `order` edge: `order` alone can never close a loop, but a `depends_on` pointing to a later
 * wave can.
 */
function cycles(context: IssueContext, tasks: ReadonlyMap<string, LooseTask>): PlanIssue[] {
  const ids = [...tasks.keys()];
  const graph = (withOrder: boolean): GraphTask[] =>
    [...tasks.values()].map((task) => ({
      id: task.id ?? '',
      depends_on: task.dependsOn.map((dep) => dep.value).filter((dep) => tasks.has(dep)),
      order: withOrder ? task.order : undefined,
    }));
  let found = collectCycles(buildDependencies(graph(false)), ids);
  const throughOrder = found.length === 0;
  if (throughOrder) found = collectCycles(buildDependencies(graph(true)), ids);
  return found.map((cycle) => cycleIssue(context, tasks, cycle, throughOrder));
}

/** Distinct cycles: after each one is found its tasks are taken out of the graph. */
function collectCycles(deps: Map<string, Set<string>>, ids: readonly string[]): string[][] {
  const found: string[][] = [];
  let remaining = [...ids];
  while (found.length < MAX_CYCLES) {
    const cycle = findCycle(deps, remaining);
    if (cycle === undefined) break;
    // Start the cycle at the task that comes first in the file, whatever node the search hit.
    const members = cycle.slice(0, -1);
    const start = members.indexOf(remaining.find((id) => members.includes(id)) ?? members[0] ?? '');
    const rotated = [...members.slice(start), ...members.slice(0, start)];
    found.push([...rotated, rotated[0] ?? '']);
    remaining = remaining.filter((id) => !members.includes(id));
    for (const id of members) deps.delete(id);
    for (const set of deps.values()) for (const id of members) set.delete(id);
  }
  return found;
}

function cycleIssue(
  context: IssueContext,
  tasks: ReadonlyMap<string, LooseTask>,
  cycle: readonly string[],
  throughOrder: boolean,
): PlanIssue {
  const text = cycle.join(' → ');
  // Point at the first `depends_on` entry that closes the loop; order edges have no entry.
  for (let k = 0; k + 1 < cycle.length; k++) {
    const from = tasks.get(cycle[k] ?? '');
    const entry = from?.dependsOn.find((dep) => dep.value === cycle[k + 1]);
    if (from === undefined || entry === undefined) continue;
    const path = ['tasks', from.index, 'depends_on', entry.index];
    if (cycle.length === 2) {
      return issueAt(
        context,
        path,
        'cycle',
        `${name(from)} depends on itself: ${text}`,
        `remove "${from.id}" from its own depends_on`,
      );
    }
    return throughOrder
      ? issueAt(
          context,
          path,
          'cycle',
          `dependency cycle through \`order\`: ${text}`,
          'a task already waits for every task with a lower order; drop this depends_on entry or change the orders',
        )
      : issueAt(
          context,
          path,
          'cycle',
          `dependency cycle: ${text}`,
          'remove one of these depends_on entries so the tasks form a DAG',
        );
  }
  const head = tasks.get(cycle[0] ?? '');
  return issueAt(context, ['tasks', head?.index ?? 0], 'cycle', `dependency cycle: ${text}`);
}

function name(task: LooseTask): string {
  return task.id === undefined ? `task #${task.index + 1}` : `task "${task.id}"`;
}
