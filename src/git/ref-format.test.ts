import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GafferError } from '../domain/index.js';
import { assertValidBranchName, isValidBranchName } from './ref-format.js';

const valid = [
  'main',
  'a/b',
  'feature/add-login',
  'gaffer/run-1',
  'gaffer-tasks/run-1/t1.2',
  'a@b',
  'a.b',
  'a/b.c',
  'x/-y',
  'héllo',
  'a.lockx',
  '@/a',
  'a{b}',
  'v1_2',
];

const invalid: [name: string, rule: string][] = [
  ['', 'empty'],
  ['@', 'single @'],
  ['HEAD', 'HEAD'],
  ['-x', 'leading dash'],
  ['a..b', 'double dot'],
  ['a..', 'double dot at the end'],
  ['a b', 'space'],
  ['a\tb', 'control character'],
  ['a\x7fb', 'DEL'],
  ['a~b', 'tilde'],
  ['a^b', 'caret'],
  ['a:b', 'colon'],
  ['a?b', 'question mark'],
  ['a*b', 'asterisk'],
  ['a[b', 'open bracket'],
  ['a\\b', 'backslash'],
  ['.a', 'component starting with a dot'],
  ['a/.b', 'later component starting with a dot'],
  ['a.lock', 'component ending with .lock'],
  ['a/b.lock/c', 'middle component ending with .lock'],
  ['a@{b', '@{'],
  ['a/', 'trailing slash'],
  ['/a', 'leading slash'],
  ['a//b', 'double slash'],
  ['a.', 'trailing dot'],
];

function gitAccepts(name: string): boolean {
  try {
    execFileSync('git', ['check-ref-format', '--branch', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('isValidBranchName', () => {
  it.each(valid)('accepts %j', (name) => {
    expect(isValidBranchName(name)).toBe(true);
  });

  it.each(invalid)('rejects %j (%s)', (name) => {
    expect(isValidBranchName(name)).toBe(false);
  });

  it('agrees with git check-ref-format --branch on every case', () => {
    // '@' is the one deliberate difference: git expands it to the current branch, we refuse it.
    const cases = [...valid, ...invalid.map(([name]) => name)].filter((name) => name !== '@' && name !== '');
    const disagreements = cases.filter((name) => isValidBranchName(name) !== gitAccepts(name));
    expect(disagreements).toEqual([]);
  });
});

describe('assertValidBranchName', () => {
  it('throws a user error naming the broken rule', () => {
    let caught: unknown;
    try {
      assertValidBranchName('feature/x.lock');
    } catch (error) {
      caught = error;
    }
    expect(GafferError.isInstance(caught)).toBe(true);
    const error = caught as GafferError;
    expect(error.code).toBe('GAFFER_INVALID_BRANCH');
    expect(error.userError).toBe(true);
    expect(error.message).toContain('.lock');
    expect(error.hint).toBeTruthy();
  });

  it('returns quietly for a valid name', () => {
    expect(() => assertValidBranchName('gaffer/demo')).not.toThrow();
  });
});
