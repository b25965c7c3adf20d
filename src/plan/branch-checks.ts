import { TASK_ID_PATTERN, type PlanIssue } from '../domain/index.js';
import { taskIdBranchProblem } from '../git/branch-names.js';
import { issueAt, type IssueContext } from './issue.js';
import type { LooseTask } from './loose-plan.js';

/**
 * Each task id that cannot name its task's git branch (`gaffer-tasks/<run>/<id>`): `x.lock`,
 * `a..b` and `fix.` match the id pattern, but git refuses them as refs. Caught here, a plan is
 * refused at the id's line when it is written or approved, not at `gaffer run` with no line at all.
 * Ids the pattern already refuses are left to the schema check.
 */
export function branchIssues(context: IssueContext, tasks: readonly LooseTask[]): PlanIssue[] {
  return tasks.flatMap((task) => {
    if (task.id === undefined || !TASK_ID_PATTERN.test(task.id)) return [];
    const problem = taskIdBranchProblem(task.id);
    if (problem === undefined) return [];
    return [
      issueAt(
        context,
        ['tasks', task.index, 'id'],
        'branch-name',
        `task id "${task.id}" cannot name a git branch (gaffer-tasks/<run>/${task.id}): ${problem}`,
        `rename it, e.g. "${branchSafeId(task.id)}": an id may not hold "..", end with "." or end with ".lock"`,
      ),
    ];
  });
}

/** A close id git accepts: `..` folded, a trailing `.` dropped, a trailing `.lock` made `-lock`. */
function branchSafeId(id: string): string {
  const trimmed = id.replace(/\.{2,}/g, '.').replace(/\.+$/, '');
  return trimmed.endsWith('.lock') ? `${trimmed.slice(0, -'.lock'.length)}-lock` : trimmed;
}
