import { describe, expect, it } from 'vitest';
import { GafferError, type Plan, type PlanTask } from '../domain/index.js';
import { effectiveDependencies, findCycle, topologicalOrder } from './index.js';
import { DEFAULT_RETRY_POLICY } from '../domain/index.js';

function task(id: string, depends_on: string[] = [], extra: Partial<PlanTask> = {}): PlanTask {
  return {
    id,
    title: id,
    description: '',
    depends_on,
    deliverables: [],
    acceptance_criteria: [],
    context_files: [],
    ...extra,
  };
}

function plan(...tasks: PlanTask[]): Plan {
  return {
    name: 'p',
    settings: {
      concurrency: 4,
      agent_concurrency: {},
      max_rework: 2,
      question_timeout_s: 600,
      pricing: {},
      budgets: {},
      agent: 'script',
      protected_paths: [],
      retry: DEFAULT_RETRY_POLICY,
      agents: {},
    },
    tasks,
  };
}

const graph = (edges: Record<string, string[]>) =>
  new Map(Object.entries(edges).map(([id, deps]) => [id, new Set(deps)]));

const asObject = (deps: Map<string, Set<string>>) =>
  Object.fromEntries([...deps].map(([id, set]) => [id, [...set].sort()]));

describe('effectiveDependencies', () => {
  it('adds an edge from each task to every task of a lower order', () => {
    const deps = effectiveDependencies(
      plan(
        task('w0a', [], { order: 0 }),
        task('w0b', [], { order: 0 }),
        task('w1', ['free'], { order: 1 }),
        task('w2', [], { order: 2 }),
        task('free'),
      ),
    );
    expect(asObject(deps)).toEqual({
      w0a: [],
      w0b: [],
      w1: ['free', 'w0a', 'w0b'],
      w2: ['w0a', 'w0b', 'w1'],
      free: [],
    });
  });
});

describe('findCycle', () => {
  it('returns undefined for a DAG', () => {
    expect(findCycle(graph({ a: [], b: ['a'], c: ['a', 'b'] }), ['a', 'b', 'c'])).toBeUndefined();
  });

  it('returns the first cycle found in plan order, closed on its first id', () => {
    const deps = graph({ x: ['y'], y: ['x'], a: ['b'], b: ['c'], c: ['a'] });
    expect(findCycle(deps, ['a', 'b', 'c', 'x', 'y'])).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(deps, ['x', 'y', 'a', 'b', 'c'])).toEqual(['x', 'y', 'x']);
  });

  it('follows dependencies in plan order, not insertion order', () => {
    const deps = graph({ a: ['c', 'b'], b: ['a'], c: ['a'] });
    expect(findCycle(deps, ['a', 'b', 'c'])).toEqual(['a', 'b', 'a']);
  });

  it('finds a self-dependency and ignores ids missing from the graph', () => {
    expect(findCycle(graph({ a: ['ghost', 'a'] }), ['a'])).toEqual(['a', 'a']);
  });

  it('formats as the arrow chain used in messages', () => {
    expect(findCycle(graph({ a: ['b'], b: ['c'], c: ['a'] }), ['a', 'b', 'c'])?.join(' → ')).toBe(
      'a → b → c → a',
    );
  });

  it('copes with long chains without recursion', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `t${i}`);
    const deps = new Map(
      ids.map((id, i) => [id, new Set(i === 0 ? [ids.at(-1) ?? ''] : [ids[i - 1] ?? ''])]),
    );
    expect(findCycle(deps, ids)).toHaveLength(20_001);
  });
});

describe('topologicalOrder', () => {
  it('puts dependencies first and breaks ties by plan order', () => {
    const diamond = plan(
      task('join', ['left', 'right']),
      task('right', ['base']),
      task('left', ['base']),
      task('base'),
    );
    expect(topologicalOrder(diamond)).toEqual(['base', 'right', 'left', 'join']);
  });

  it('honours order waves', () => {
    const waves = plan(task('late', [], { order: 1 }), task('early', [], { order: 0 }), task('any'));
    expect(topologicalOrder(waves)).toEqual(['early', 'late', 'any']);
  });

  it('gives the same answer every time', () => {
    const tasks = Array.from({ length: 30 }, (_, i) => task(`t${i}`, i > 2 ? [`t${i % 3}`] : []));
    const first = topologicalOrder(plan(...tasks));
    for (let i = 0; i < 5; i++) expect(topologicalOrder(plan(...tasks))).toEqual(first);
    expect(first.slice(0, 4)).toEqual(['t0', 't1', 't2', 't3']);
  });

  it('throws GAFFER_PLAN_CYCLE with the cycle for a cyclic plan', () => {
    let caught: unknown;
    try {
      topologicalOrder(plan(task('a', ['b']), task('b', ['a'])));
    } catch (error) {
      caught = error;
    }
    expect(GafferError.isInstance(caught)).toBe(true);
    expect(caught).toMatchObject({
      code: 'GAFFER_PLAN_CYCLE',
      message: 'plan has a dependency cycle: a → b → a',
    });
  });
});
