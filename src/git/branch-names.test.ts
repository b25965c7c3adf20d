import { describe, expect, it } from 'vitest';
import { GafferError } from '../domain/index.js';
import { integrationBranchName, taskBranchName } from './branch-names.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return GafferError.isInstance(error) ? error.code : 'not a GafferError';
  }
}

describe('branch names', () => {
  it('names the integration branch gaffer/<run-slug>', () => {
    expect(integrationBranchName('add-login')).toBe('gaffer/add-login');
  });

  it('puts task branches in their own namespace, away from integration branches', () => {
    expect(taskBranchName('add-login', 'api.1')).toBe('gaffer-tasks/add-login/api.1');
  });

  it.each([
    ['', 't1'],
    ['a/b', 't1'],
    ['run', ''],
    ['run', 'x/y'],
    ['run', 'a..b'],
    ['run', 'x.lock'],
    ['bad slug', 't1'],
  ])('rejects run %j task %j', (run, task) => {
    expect(codeOf(() => taskBranchName(run, task))).toBe('GAFFER_INVALID_BRANCH');
  });

  it('rejects a bad run slug for the integration branch', () => {
    expect(codeOf(() => integrationBranchName('a/b'))).toBe('GAFFER_INVALID_BRANCH');
    expect(codeOf(() => integrationBranchName('x.lock'))).toBe('GAFFER_INVALID_BRANCH');
  });
});
