import { describe, expect, it } from 'vitest';
import { GafferError } from '../../domain/errors.js';
import {
  plan,
  schedulerConfig,
  showActions,
  SchedulerDriver,
} from '../../../test/support/scheduler/scheduler-driver.js';
import { createSchedulerState, statusById } from './create-state.js';
import { schedule } from './schedule.js';

const diamond = () => plan(['a'], ['b', ['a']], ['c', ['a']], ['d', ['b', 'c']]);

describe('resume from stored statuses', () => {
  it('keeps passed tasks and redispatches running ones', () => {
    const tasks = plan(['a'], ['b'], ['c', ['a']], ['d', ['b']], ['e', ['c', 'd']]);
    const run = new SchedulerDriver(tasks, schedulerConfig({ concurrency: 3 }), {
      a: 'passed',
      b: 'running',
      c: 'ready',
    });
    expect(run.start()).toEqual(['mark-ready b', 'dispatch b', 'dispatch c']);
    expect(run.pass('b')).toEqual(['mark-ready d', 'dispatch d']);
    run.pass('c');
    expect(run.pass('d')).toEqual(['mark-ready e', 'dispatch e']);
    expect(run.pass('e')).toEqual(['finish completed']);
    expect(run.state.counts.passed).toBe(5);
  });

  it('readies a waiting task whose dependencies all passed before the crash', () => {
    const run = new SchedulerDriver(plan(['a'], ['b', ['a']]), schedulerConfig(), {
      a: 'passed',
      b: 'waiting',
    });
    expect(run.start()).toEqual(['mark-ready b', 'dispatch b']);
  });

  it('finishes completed when everything had passed', () => {
    const run = new SchedulerDriver(plan(['a'], ['b', ['a']]), schedulerConfig(), {
      a: 'passed',
      b: 'passed',
    });
    expect(run.start()).toEqual(['finish completed']);
  });

  it('with keep-going skips the dependents of a stored blocked task', () => {
    const run = new SchedulerDriver(plan(['a'], ['b', ['a']], ['c']), schedulerConfig({ keepGoing: true }), {
      a: 'blocked',
    });
    expect(run.start()).toEqual(['skip b: dependency a is blocked', 'mark-ready c', 'dispatch c']);
    expect(run.pass('c')).toEqual(['finish failed: 1 task(s) blocked: a']);
  });

  it('without keep-going a stored blocked task fails the run', () => {
    const run = new SchedulerDriver(plan(['a'], ['b', ['a']], ['c']), schedulerConfig(), { a: 'blocked' });
    expect(run.start()).toEqual([
      'cancel-task b: run failed: task a is blocked',
      'cancel-task c: run failed: task a is blocked',
      'finish failed: task a is blocked',
    ]);
  });
});

describe('state handling', () => {
  it('never changes an earlier state', () => {
    const s0 = createSchedulerState(diamond(), schedulerConfig());
    const before = statusById(s0);
    const first = schedule(s0, { type: 'start' });
    const second = schedule(first.state, { type: 'task-passed', taskId: 'a' });
    expect(statusById(s0)).toEqual(before);
    expect(statusById(first.state)).toEqual({ a: 'running', b: 'waiting', c: 'waiting', d: 'waiting' });
    expect(second.state.running).toBe(2);
    // Replaying from a kept state gives the same answer.
    expect(schedule(first.state, { type: 'task-passed', taskId: 'a' }).actions).toEqual(second.actions);
  });

  it('rejects impossible reports and bad limits', () => {
    const s0 = schedule(createSchedulerState(diamond(), schedulerConfig()), { type: 'start' }).state;
    expect(() => schedule(s0, { type: 'task-passed', taskId: 'd' })).toThrow(
      'task d: illegal transition waiting → passed',
    );
    expect(() => schedule(s0, { type: 'task-passed', taskId: 'nope' })).toThrow(
      'the scheduler has no task nope',
    );
    const bad = (() => {
      try {
        createSchedulerState(diamond(), schedulerConfig({ agentConcurrency: { claude: 0 } }));
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(GafferError.isInstance(bad) && bad.userError).toBe(true);
    expect(() => createSchedulerState(diamond(), schedulerConfig({ concurrency: 0 }))).toThrow(
      'concurrency must be',
    );
    expect(() => createSchedulerState(diamond(), schedulerConfig(), { zz: 'passed' })).toThrow(
      'unknown task zz',
    );
  });

  it('counts unestimated tasks as the mean of the given estimates', () => {
    // x: 10 s; y unestimated counts mean(10, 4) = 7, so y → z is 11 s and beats x.
    const tasks = plan(['x', [], { estimateS: 10 }], ['y'], ['z', ['y'], { estimateS: 4 }]);
    const state = createSchedulerState(tasks, schedulerConfig());
    expect(state.graph.priority.get('y')).toBe(11);
    const started = schedule(createSchedulerState(tasks, schedulerConfig({ concurrency: 1 })), {
      type: 'start',
    });
    expect(showActions(started.actions)).toContain('dispatch y');
    expect(started.state.running).toBe(1);
  });
});
