import { GafferError, userError } from '../domain/index.js';
import { assertValidBranchName } from './ref-format.js';

/*
 * Naming scheme. Git stores refs as paths, so `gaffer/<run>` (a file) and `gaffer/<run>/<task>`
 * (a file inside a directory of the same name) cannot both exist. The integration branch keeps
 * the short, user-facing name `gaffer/<run-slug>` (it is what gets pushed or opened as a pull
 * request); task branches live in their own namespace `gaffer-tasks/<run-slug>/<task-id>`, which
 * can never collide with any integration branch, and keeps every task branch of a run under one
 * prefix for cleanup (`git for-each-ref refs/heads/gaffer-tasks/<run-slug>/`).
 */

const INTEGRATION_PREFIX = 'gaffer';
const TASK_PREFIX = 'gaffer-tasks';

/** The integration branch of a run: `gaffer/<run-slug>`. Throws GAFFER_INVALID_BRANCH for a bad slug. */
export function integrationBranchName(runSlug: string): string {
  assertSingleComponent('run slug', runSlug);
  const name = `${INTEGRATION_PREFIX}/${runSlug}`;
  assertValidBranchName(name);
  return name;
}

/** The branch of one task of a run: `gaffer-tasks/<run-slug>/<task-id>`. Throws GAFFER_INVALID_BRANCH for a bad slug or id. */
export function taskBranchName(runSlug: string, taskId: string): string {
  assertSingleComponent('run slug', runSlug);
  assertSingleComponent('task id', taskId);
  const name = `${TASK_PREFIX}/${runSlug}/${taskId}`;
  assertValidBranchName(name);
  return name;
}

/**
 * Why `taskId` cannot end a task branch (`gaffer-tasks/<run-slug>/<task-id>`), or undefined when
 * it can. The run slug is made when the run starts and is always a valid part, so a stand-in
 * decides: a plan can be checked (and refused at the id's line) long before any run exists.
 */
export function taskIdBranchProblem(taskId: string): string | undefined {
  try {
    taskBranchName('run', taskId);
    return undefined;
  } catch (error) {
    if (!GafferError.isInstance(error) || error.code !== 'GAFFER_INVALID_BRANCH') throw error;
    const problem = error.details.problem;
    return typeof problem === 'string' ? problem : error.message;
  }
}

/** Whether `ref` is a branch of Gaffer's (an integration or task branch of any run). */
export function isGafferBranchRef(ref: string): boolean {
  return ref.startsWith(`refs/heads/${INTEGRATION_PREFIX}/`) || ref.startsWith(`refs/heads/${TASK_PREFIX}/`);
}

/** A `/` would let two different (run, task) pairs map to the same ref path. */
function assertSingleComponent(what: string, value: string): void {
  if (value === '' || value.includes('/')) {
    throw userError(
      'GAFFER_INVALID_BRANCH',
      `invalid ${what} ${JSON.stringify(value)} for a branch name: it must be non-empty and contain no "/"`,
      `use a slug such as ${JSON.stringify(value.replaceAll('/', '-') || 'run')}`,
      { [what.replace(' ', '_')]: value },
    );
  }
}
