import { describe, expect, it } from 'vitest';
import { GafferError } from '../../domain/errors.js';
import {
  criticalPathBound,
  criticalPathLengths,
  dependencyLevels,
  topologicalOrder,
} from './critical-path.js';
import type { SchedTask } from './types.js';

const task = (id: string, deps: string[] = [], estimateS?: number, planIndex = 0): SchedTask => ({
  id,
  deps,
  agent: 'a',
  planIndex,
  ...(estimateS === undefined ? {} : { estimateS }),
});

// a → b → d, a → c → d
const diamond = (eb?: number, ec?: number) => [
  task('a', [], 2, 0),
  task('b', ['a'], eb, 1),
  task('c', ['a'], ec, 2),
  task('d', ['b', 'c'], 1, 3),
];

describe('criticalPathLengths', () => {
  it('is the longest remaining path including the task itself', () => {
    const lengths = criticalPathLengths(diamond(5, 3));
    expect(Object.fromEntries(lengths)).toEqual({ a: 8, b: 6, c: 4, d: 1 });
    expect(criticalPathBound(diamond(5, 3))).toBe(8);
  });

  it('counts missing estimates as the default', () => {
    expect(Object.fromEntries(criticalPathLengths(diamond()))).toEqual({ a: 4, b: 2, c: 2, d: 1 });
    expect(Object.fromEntries(criticalPathLengths(diamond(), 10))).toEqual({ a: 13, b: 11, c: 11, d: 1 });
  });

  it('counts a dependency listed twice once', () => {
    const tasks = [task('a', [], 1), task('b', ['a', 'a'], 1)];
    expect(criticalPathBound(tasks)).toBe(2);
    expect(topologicalOrder(tasks)).toEqual(['a', 'b']);
  });
});

describe('dependencyLevels', () => {
  it('is the longest dependency depth', () => {
    const tasks = [task('a'), task('b', ['a']), task('c', ['b']), task('d', ['a', 'c']), task('e')];
    expect(Object.fromEntries(dependencyLevels(tasks))).toEqual({ a: 0, b: 1, c: 2, d: 3, e: 0 });
  });
});

describe('topologicalOrder', () => {
  it('rejects a cycle with the tasks on it', () => {
    const tasks = [task('a', ['c']), task('b', ['a']), task('c', ['b']), task('d')];
    const error = (() => {
      try {
        topologicalOrder(tasks);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(GafferError.isInstance(error) && error.code).toBe('GAFFER_PLAN_CYCLE');
    expect((error as Error).message).toBe('dependency cycle among tasks: a, b, c');
  });

  it('rejects unknown dependencies and duplicate ids', () => {
    expect(() => topologicalOrder([task('a', ['zz'])])).toThrow('task a depends on unknown task zz');
    expect(() => topologicalOrder([task('a'), task('a')])).toThrow('duplicate task id a');
  });
});
