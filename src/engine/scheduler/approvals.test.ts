import { describe, expect, it } from 'vitest';
import { plan, schedulerConfig, SchedulerDriver } from '../../../test/support/scheduler/scheduler-driver.js';
import { statusById } from './create-state.js';

describe('results that wait for a person', () => {
  const tasks = () => plan(['a'], ['b'], ['c', ['a']], ['d']);

  it('free their slot for independent work and hold back their dependents', () => {
    const run = new SchedulerDriver(tasks(), schedulerConfig());
    expect(run.start().filter((a) => a.startsWith('dispatch'))).toEqual(['dispatch a', 'dispatch b']);
    // a waits: its slot goes to d; c (which needs a) stays waiting.
    expect(run.awaitApproval('a')).toEqual(['dispatch d']);
    expect(statusById(run.state)).toMatchObject({ a: 'awaiting', c: 'waiting' });
    expect(run.pass('b')).toEqual([]);
    // The last running task ends with only the approval left: the run pauses, naming it.
    expect(run.pass('d')).toEqual(['finish paused: waiting for approval: a']);
  });

  it('go on when decided while other work runs, and a decision told twice counts once', () => {
    const run = new SchedulerDriver(tasks(), schedulerConfig());
    run.start();
    run.awaitApproval('a');
    expect(run.decide('a')).toEqual(['mark-ready a']);
    expect(run.decide('a')).toEqual([]);
    expect(run.pass('b')).toEqual(['dispatch a']);
    expect(run.pass('a')).toEqual(['mark-ready c', 'dispatch c']);
  });

  it('are cancelled with the run, and do not keep a failing run waiting', () => {
    const cancelled = new SchedulerDriver(tasks(), schedulerConfig());
    cancelled.start();
    cancelled.awaitApproval('a');
    expect(cancelled.cancel()).toContain('cancel-task a: run cancelled');

    const failing = new SchedulerDriver(tasks(), schedulerConfig());
    failing.start();
    failing.awaitApproval('a');
    failing.block('b', 'tests fail');
    expect(failing.pass('d')).toEqual(['finish failed: tests fail']);
    expect(statusById(failing.state).a).toBe('cancelled');
  });

  it('that arrive while the run fails or is cancelled are cancelled, never left waiting in an ended run', () => {
    const failing = new SchedulerDriver(tasks(), schedulerConfig());
    failing.start();
    failing.block('b', 'tests fail');
    expect(failing.awaitApproval('a')).toEqual([
      'cancel-task a: run failed: task b is blocked',
      'finish failed: tests fail',
    ]);

    const cancelled = new SchedulerDriver(tasks(), schedulerConfig());
    cancelled.start();
    cancelled.cancel();
    expect(cancelled.awaitApproval('a')).toEqual(['cancel-task a: run cancelled']);
  });

  it('a pause while results wait finishes paused once nothing runs', () => {
    const run = new SchedulerDriver(plan(['a'], ['b']), schedulerConfig());
    run.start();
    run.awaitApproval('a');
    run.pause();
    expect(run.pass('b')).toEqual(['finish paused: waiting for approval: a']);
  });
});
