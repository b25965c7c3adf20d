import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../domain/errors.js';
import { plan, schedulerConfig, SchedulerDriver } from '../../../test/support/scheduler/scheduler-driver.js';
import { statusById, taskStatus } from './create-state.js';

const diamond = () => plan(['a'], ['b', ['a']], ['c', ['a']], ['d', ['b', 'c']]);

describe('dependency-driven dispatch', () => {
  it('runs a diamond in dependency order with one slot', () => {
    const run = new SchedulerDriver(diamond(), schedulerConfig({ concurrency: 1 }));
    // Roots are announced too: the store moves them pending → ready before ready → running.
    expect(run.start()).toEqual(['mark-ready a', 'dispatch a']);
    expect(run.pass('a')).toEqual(['mark-ready b', 'mark-ready c', 'dispatch b']);
    expect(run.pass('b')).toEqual(['dispatch c']);
    expect(run.pass('c')).toEqual(['mark-ready d', 'dispatch d']);
    expect(run.pass('d')).toEqual(['finish completed']);
    expect(statusById(run.state)).toEqual({ a: 'passed', b: 'passed', c: 'passed', d: 'passed' });
  });

  it('fills every free slot and never more', () => {
    const run = new SchedulerDriver(diamond(), schedulerConfig({ concurrency: 2 }));
    expect(run.start()).toEqual(['mark-ready a', 'dispatch a']);
    expect(run.pass('a')).toEqual(['mark-ready b', 'mark-ready c', 'dispatch b', 'dispatch c']);

    const wide = new SchedulerDriver(
      plan(['t1'], ['t2'], ['t3'], ['t4'], ['t5']),
      schedulerConfig({ concurrency: 2 }),
    );
    expect(wide.start()).toEqual([
      'mark-ready t1',
      'mark-ready t2',
      'mark-ready t3',
      'mark-ready t4',
      'mark-ready t5',
      'dispatch t1',
      'dispatch t2',
    ]);
    expect(wide.state.running).toBe(2);
    expect(wide.pass('t2')).toEqual(['dispatch t3']);
    expect(wide.start()).toEqual([]); // a repeated start dispatches nothing beyond the limit
    expect(wide.pass('t1')).toEqual(['dispatch t4']);
  });

  it('prefers the longest remaining critical path over plan order', () => {
    const tasks = plan(
      ['x', [], { estimateS: 5 }],
      ['y', [], { estimateS: 1 }],
      ['z', ['y'], { estimateS: 10 }],
    );
    const run = new SchedulerDriver(tasks, schedulerConfig({ concurrency: 1 }));
    expect(run.start()).toEqual(['mark-ready x', 'mark-ready y', 'dispatch y']);
    expect(run.pass('y')).toEqual(['mark-ready z', 'dispatch z']);
    expect(run.pass('z')).toEqual(['dispatch x']);

    // Without estimates each task counts 1, so the chain y → z still goes first.
    const plain = new SchedulerDriver(plan(['x'], ['y'], ['z', ['y']]), schedulerConfig({ concurrency: 1 }));
    expect(plain.start()).toContain('dispatch y');
    expect(plain.state.status).toEqual(['ready', 'running', 'waiting']);
  });

  it('breaks priority ties by plan order', () => {
    const run = new SchedulerDriver(plan(['p'], ['q'], ['r']), schedulerConfig({ concurrency: 1 }));
    expect(run.start()).toEqual(['mark-ready p', 'mark-ready q', 'mark-ready r', 'dispatch p']);
    expect(run.pass('p')).toEqual(['dispatch q']);
  });

  it('honours per-agent limits while global slots are free', () => {
    const tasks = plan(
      ['c1', [], { agent: 'claude' }],
      ['c2', [], { agent: 'claude' }],
      ['c3', [], { agent: 'claude' }],
      ['x1', [], { agent: 'codex' }],
    );
    const run = new SchedulerDriver(
      tasks,
      schedulerConfig({ concurrency: 3, agentConcurrency: { claude: 1 } }),
    );
    expect(run.start().filter((a) => a.startsWith('dispatch'))).toEqual(['dispatch c1', 'dispatch x1']);
    expect(run.state.runningByAgent.get('claude')).toBe(1);
    expect(run.pass('x1')).toEqual([]);
    expect(run.pass('c1')).toEqual(['dispatch c2']);
  });

  it('treats order edges like any dependency', () => {
    // `late` has order 2 and the caller turned that into an edge to every order-1 task.
    const tasks = plan(['early1'], ['early2'], ['late', ['early1', 'early2'], { estimateS: 100 }], ['free']);
    const run = new SchedulerDriver(tasks, schedulerConfig({ concurrency: 4 }));
    expect(run.start()).toEqual([
      'mark-ready early1',
      'mark-ready early2',
      'mark-ready free',
      'dispatch early1',
      'dispatch early2',
      'dispatch free',
    ]);
    expect(run.pass('early1')).toEqual([]);
    expect(run.pass('early2')).toEqual(['mark-ready late', 'dispatch late']);
  });

  it('finishes at once for an empty plan and ignores events after finishing', () => {
    const run = new SchedulerDriver([], schedulerConfig());
    expect(run.start()).toEqual(['finish completed']);
    expect(run.start()).toEqual([]);
    expect(run.pause()).toEqual([]);
    expect(run.cancel()).toEqual([]);
    expect(run.finishes).toBe(1);
  });

  it('dispatches nothing before start', () => {
    const run = new SchedulerDriver(plan(['a'], ['b', ['a']]), schedulerConfig());
    expect(taskStatus(run.state, 'a')).toBe('ready');
    expect(() => run.interrupt('a')).toThrow(IllegalTransitionError);
    expect(run.pause()).toEqual(['mark-ready a', 'finish paused']);
    expect(run.start()).toEqual(['dispatch a']);
  });
});
