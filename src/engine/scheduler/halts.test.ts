import { describe, expect, it } from 'vitest';
import { plan, schedulerConfig, SchedulerDriver } from '../../../test/support/scheduler/scheduler-driver.js';
import { statusById } from './create-state.js';

describe('blocked tasks', () => {
  const tasks = () =>
    plan(
      ['a', [], { estimateS: 5 }],
      ['b', [], { estimateS: 3 }],
      ['c', [], { estimateS: 1 }],
      ['d', ['a'], { estimateS: 1 }],
    );

  it('without keep-going cancels what has not started and fails once running tasks settle', () => {
    const run = new SchedulerDriver(tasks(), schedulerConfig());
    expect(run.start().filter((a) => a.startsWith('dispatch'))).toEqual(['dispatch a', 'dispatch b']);
    expect(run.block('a', 'tests fail: 3 of 40')).toEqual([
      'cancel-task c: run failed: task a is blocked',
      'cancel-task d: run failed: task a is blocked',
    ]);
    expect(run.state.ready).toEqual([]);
    expect(run.state.halted).toBe('failing');
    expect(run.pass('b')).toEqual(['finish failed: tests fail: 3 of 40']);
    expect(statusById(run.state)).toEqual({ a: 'blocked', b: 'passed', c: 'cancelled', d: 'cancelled' });
    expect(run.start()).toEqual([]);
    expect(run.finishes).toBe(1);
  });

  it('keeps the first reason when a second running task blocks while failing', () => {
    const run = new SchedulerDriver(tasks(), schedulerConfig());
    run.start();
    run.block('b', 'lint fails');
    expect(run.block('a', 'tests fail')).toEqual(['finish failed: lint fails']);
  });

  it('cancels a task interrupted while failing, and a block during a pause fails the run', () => {
    const failing = new SchedulerDriver(tasks(), schedulerConfig());
    failing.start();
    failing.block('b', 'lint fails');
    expect(failing.interrupt('a')).toEqual([
      'cancel-task a: run failed: task b is blocked',
      'finish failed: lint fails',
    ]);

    const paused = new SchedulerDriver(tasks(), schedulerConfig());
    paused.start();
    paused.pause();
    expect(paused.block('a', 'tests fail')).toEqual([
      'cancel-task c: run failed: task a is blocked',
      'cancel-task d: run failed: task a is blocked',
    ]);
    expect(paused.pass('b')).toEqual(['finish failed: tests fail']);
    expect(paused.finishes).toBe(1);
  });

  it('with keep-going skips only the transitive dependents', () => {
    const graph = plan(
      ['a'],
      ['b', ['a']],
      ['c', ['b']],
      ['d', ['a']],
      ['e'],
      ['f', ['b', 'e']],
      ['g', ['c']],
    );
    const run = new SchedulerDriver(graph, schedulerConfig({ concurrency: 4, keepGoing: true }));
    expect(run.start().filter((a) => a.startsWith('dispatch'))).toEqual(['dispatch a', 'dispatch e']);
    expect(run.pass('a')).toEqual(['mark-ready b', 'mark-ready d', 'dispatch b', 'dispatch d']);
    expect(run.pass('e')).toEqual([]);
    expect(run.block('b', 'tests fail')).toEqual([
      'skip c: dependency b is blocked',
      'skip f: dependency b is blocked',
      'skip g: dependency b is blocked',
    ]);
    expect(run.pass('d')).toEqual(['finish failed: 1 task(s) blocked: b']);
    expect(statusById(run.state)).toEqual({
      a: 'passed',
      b: 'blocked',
      c: 'skipped',
      d: 'passed',
      e: 'passed',
      f: 'skipped',
      g: 'skipped',
    });
  });

  it('with keep-going lists every blocked task', () => {
    const run = new SchedulerDriver(
      plan(['a'], ['b'], ['c']),
      schedulerConfig({ concurrency: 3, keepGoing: true }),
    );
    run.start();
    expect(run.block('c')).toEqual([]);
    expect(run.pass('b')).toEqual([]);
    expect(run.block('a')).toEqual(['finish failed: 2 task(s) blocked: c, a']);
  });
});

describe('pause, cancel and interruption', () => {
  it('pause dispatches nothing more, finishes paused when idle, and start resumes', () => {
    const run = new SchedulerDriver(plan(['a'], ['b'], ['c'], ['d', ['a']]), schedulerConfig());
    expect(run.start().filter((a) => a.startsWith('dispatch'))).toEqual(['dispatch a', 'dispatch b']);
    expect(run.pause()).toEqual([]);
    expect(run.pass('a')).toEqual(['mark-ready d']);
    expect(run.pause()).toEqual([]);
    expect(run.pass('b')).toEqual(['finish paused']);
    expect(run.pause()).toEqual([]);
    expect(run.start()).toEqual(['dispatch c', 'dispatch d']);
    run.pass('c');
    expect(run.pass('d')).toEqual(['finish completed']);
  });

  it('a pause during the last running task ends the run completed', () => {
    const run = new SchedulerDriver(plan(['a'], ['b']), schedulerConfig({ concurrency: 1 }));
    run.start();
    run.pass('a');
    expect(run.pause()).toEqual([]);
    expect(run.pass('b')).toEqual(['finish completed']);
    expect(run.finishes).toBe(1);
  });

  it('an interrupted task goes back to ready, and while pausing stays there', () => {
    const run = new SchedulerDriver(plan(['a'], ['b']), schedulerConfig({ concurrency: 1 }));
    run.start();
    expect(run.interrupt('a')).toEqual(['mark-ready a', 'dispatch a']);
    run.pause();
    expect(run.interrupt('a')).toEqual(['mark-ready a', 'finish paused']);
    expect(run.start()).toEqual(['dispatch a']);
  });

  it('cancel cancels what has not started and finishes cancelled when running tasks end', () => {
    const run = new SchedulerDriver(plan(['a'], ['b'], ['c'], ['d', ['a']]), schedulerConfig());
    run.start();
    expect(run.cancel()).toEqual(['cancel-task c: run cancelled', 'cancel-task d: run cancelled']);
    expect(run.interrupt('a')).toEqual(['cancel-task a: run cancelled']);
    expect(run.block('b', 'aborted')).toEqual(['finish cancelled']);
    expect(statusById(run.state)).toEqual({ a: 'cancelled', b: 'blocked', c: 'cancelled', d: 'cancelled' });
    expect(run.cancel()).toEqual([]);
    expect(run.finishes).toBe(1);
  });

  it('cancel after a pause finishes cancelled', () => {
    const run = new SchedulerDriver(plan(['a'], ['b', ['a']]), schedulerConfig());
    run.start();
    run.pause();
    expect(run.pass('a')).toEqual(['mark-ready b', 'finish paused']);
    expect(run.cancel()).toEqual(['cancel-task b: run cancelled', 'finish cancelled']);
  });
});
