import {
  createSchedulerState,
  schedule,
  type SchedAction,
  type SchedEvent,
  type SchedStatus,
  type SchedTask,
  type SchedulerConfig,
  type SchedulerState,
} from '../../../src/engine/scheduler/index.js';

/** `[id, deps, { agent, estimateS }]`: one task in the compact form tests write plans in. */
export type TaskSpec = [id: string, deps?: string[], extra?: { agent?: string; estimateS?: number }];

/** Tasks in plan order from compact specs (agent `a` unless given). */
export const plan = (...specs: TaskSpec[]): SchedTask[] =>
  specs.map(([id, deps = [], extra = {}], planIndex) => ({ id, deps, agent: 'a', planIndex, ...extra }));

/** Two slots, no agent limits, fail on the first block, critical-path dispatch; override what matters. */
export const schedulerConfig = (over: Partial<SchedulerConfig> = {}): SchedulerConfig => ({
  concurrency: 2,
  agentConcurrency: {},
  keepGoing: false,
  mode: 'critical-path',
  ...over,
});

/** Actions as one readable line each: `dispatch a`, `skip c: dependency b is blocked`, `finish completed`. */
export const showActions = (actions: readonly SchedAction[]): string[] =>
  actions.map((a) => {
    switch (a.type) {
      case 'dispatch':
      case 'mark-ready':
        return `${a.type} ${a.taskId}`;
      case 'skip':
      case 'cancel-task':
        return `${a.type} ${a.taskId}: ${a.reason}`;
      case 'finish':
        return a.reason === undefined ? `finish ${a.outcome}` : `finish ${a.outcome}: ${a.reason}`;
    }
  });

/** Feeds `schedule()` one event at a time, keeps the latest state and counts `finish` actions. */
export class SchedulerDriver {
  state: SchedulerState;
  finishes = 0;

  constructor(tasks: SchedTask[], config: SchedulerConfig, initial?: Record<string, SchedStatus>) {
    this.state = createSchedulerState(tasks, config, initial);
  }

  send(event: SchedEvent): string[] {
    const { state, actions } = schedule(this.state, event);
    this.state = state;
    this.finishes += actions.filter((a) => a.type === 'finish').length;
    return showActions(actions);
  }

  start = () => this.send({ type: 'start' });
  pause = () => this.send({ type: 'pause' });
  cancel = () => this.send({ type: 'cancel' });
  pass = (taskId: string) => this.send({ type: 'task-passed', taskId });
  block = (taskId: string, reason = `${taskId} failed its checks`) =>
    this.send({ type: 'task-blocked', taskId, reason });
  interrupt = (taskId: string) => this.send({ type: 'task-interrupted', taskId });
  awaitApproval = (taskId: string) => this.send({ type: 'task-awaiting', taskId });
  decide = (taskId: string) => this.send({ type: 'task-decided', taskId });
}
