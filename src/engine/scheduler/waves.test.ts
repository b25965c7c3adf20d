import { describe, expect, it } from 'vitest';
import type { SimTask } from '../../../test/support/scheduler/random-dag.js';
import { simulate } from '../../../test/support/scheduler/simulate.js';
import type { SchedulerConfig } from './types.js';

// Level 0: a (10 s), b (1 s). Level 1: c after a, d after b. Level 2: e (10 s) after d.
// Dependency-driven dispatch starts d at 1 s and e at 2 s; waves hold d until a is done at 10 s.
const crafted: SimTask[] = [
  { id: 'a', deps: [], durationS: 10 },
  { id: 'b', deps: [], durationS: 1 },
  { id: 'c', deps: ['a'], durationS: 1 },
  { id: 'd', deps: ['b'], durationS: 1 },
  { id: 'e', deps: ['d'], durationS: 10 },
].map((task, planIndex) => ({ ...task, agent: 'a', planIndex, estimateS: task.durationS }));

const config = (mode: SchedulerConfig['mode']): SchedulerConfig => ({
  concurrency: 2,
  agentConcurrency: {},
  keepGoing: false,
  mode,
});

describe('waves versus dependency-driven dispatch', () => {
  it('dependency-driven dispatch starts a task as soon as its own dependencies pass', () => {
    const run = simulate(crafted, config('critical-path'));
    expect(Object.fromEntries(run.starts)).toEqual({ a: 0, b: 0, d: 1, e: 2, c: 10 });
    expect(run.makespanS).toBe(12);
    expect(run.outcome).toBe('completed');
  });

  it('waves start a level only when the whole level before it has settled', () => {
    const run = simulate(crafted, config('waves'));
    expect(Object.fromEntries(run.starts)).toEqual({ a: 0, b: 0, c: 10, d: 10, e: 11 });
    expect(run.makespanS).toBe(21);
    // d is announced ready at 1 s but not dispatched until level 0 has settled.
    const atOne = run.trace.find((step) => step.atS === 1);
    expect(atOne?.actions).toEqual([{ type: 'mark-ready', taskId: 'd' }]);
  });

  it('dependency-driven makespan is never longer than waves on the crafted DAG', () => {
    for (const slots of [1, 2, 3, 5]) {
      const cp = simulate(crafted, { ...config('critical-path'), concurrency: slots });
      const waves = simulate(crafted, { ...config('waves'), concurrency: slots });
      expect(cp.makespanS).toBeLessThanOrEqual(waves.makespanS);
    }
  });
});
