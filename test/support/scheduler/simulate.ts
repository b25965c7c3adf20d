import {
  criticalPathBound,
  createSchedulerState,
  schedule,
  type SchedAction,
  type SchedEvent,
  type SchedOutcome,
  type SchedStatus,
  type SchedulerConfig,
  type SchedulerState,
} from '../../../src/engine/scheduler/index.js';
import { withTrueEstimates, type SimTask } from './random-dag.js';

export interface SimulateOptions {
  /** Tasks that end `blocked` instead of `passed` when their duration has elapsed. */
  blocked?: ReadonlySet<string>;
  /** Stored statuses to resume from. */
  initial?: Readonly<Record<string, SchedStatus>>;
}

/** What happened in one simulated run, in virtual seconds. */
export interface SimulationResult {
  makespanS: number;
  outcome: SchedOutcome | undefined;
  reason: string | undefined;
  /** How many `finish` actions were emitted (the scheduler promises exactly one). */
  finishCount: number;
  maxRunning: number;
  maxRunningByAgent: Map<string, number>;
  starts: Map<string, number>;
  ends: Map<string, number>;
  dispatchOrder: string[];
  /** Every action, in order. */
  actions: SchedAction[];
  /** Every event with the virtual time it happened at, the actions it produced and the state after it. */
  trace: TraceStep[];
  state: SchedulerState;
}

/** One call of `schedule()` during a simulation. */
export interface TraceStep {
  atS: number;
  event: SchedEvent;
  actions: SchedAction[];
  state: SchedulerState;
}

interface Running {
  id: string;
  endS: number;
  seq: number;
}

/**
 * Drives `schedule()` with a discrete-event loop in virtual time: a dispatched task reports
 * `task-passed` (or `task-blocked`) when its duration has elapsed. Simultaneous completions are
 * reported one by one in dispatch order, as an engine would see them.
 */
export function simulate(
  tasks: readonly SimTask[],
  config: SchedulerConfig,
  options: SimulateOptions = {},
): SimulationResult {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const result: SimulationResult = {
    makespanS: 0,
    outcome: undefined,
    reason: undefined,
    finishCount: 0,
    maxRunning: 0,
    maxRunningByAgent: new Map(),
    starts: new Map(),
    ends: new Map(),
    dispatchOrder: [],
    actions: [],
    trace: [],
    state: createSchedulerState(tasks, config, options.initial),
  };
  const running: Running[] = [];
  const runningByAgent = new Map<string, number>();
  let now = 0;
  let seq = 0;

  const step = (event: SchedEvent) => {
    const next = schedule(result.state, event);
    result.state = next.state;
    result.trace.push({ atS: now, event, actions: next.actions, state: next.state });
    for (const action of next.actions) {
      result.actions.push(action);
      if (action.type === 'finish') {
        result.finishCount += 1;
        result.outcome = action.outcome;
        result.reason = action.reason;
        result.makespanS = now;
      } else if (action.type === 'dispatch') {
        const task = byId.get(action.taskId);
        if (!task) throw new Error(`dispatched unknown task ${action.taskId}`);
        running.push({ id: task.id, endS: now + task.durationS, seq: seq++ });
        const agentRunning = (runningByAgent.get(task.agent) ?? 0) + 1;
        runningByAgent.set(task.agent, agentRunning);
        result.starts.set(task.id, now);
        result.dispatchOrder.push(task.id);
        result.maxRunning = Math.max(result.maxRunning, running.length);
        result.maxRunningByAgent.set(
          task.agent,
          Math.max(result.maxRunningByAgent.get(task.agent) ?? 0, agentRunning),
        );
      }
    }
  };

  step({ type: 'start' });
  while (running.length > 0) {
    let first = 0;
    running.forEach((candidate, index) => {
      const best = running[first] as Running;
      if (candidate.endS < best.endS || (candidate.endS === best.endS && candidate.seq < best.seq))
        first = index;
    });
    const done = running.splice(first, 1)[0] as Running;
    const task = byId.get(done.id) as SimTask;
    runningByAgent.set(task.agent, (runningByAgent.get(task.agent) ?? 1) - 1);
    now = done.endS;
    result.ends.set(done.id, now);
    step(
      options.blocked?.has(done.id)
        ? { type: 'task-blocked', taskId: done.id, reason: `${done.id} failed its checks` }
        : { type: 'task-passed', taskId: done.id },
    );
  }
  return result;
}

/** The best any schedule could do: the longer of the critical path and the work spread over every slot. */
export function lowerBoundS(tasks: readonly SimTask[], slots: number): number {
  const work = tasks.reduce((sum, task) => sum + task.durationS, 0);
  return Math.max(criticalPathBound(withTrueEstimates(tasks)), work / slots);
}
