import { GafferError, IllegalTransitionError } from '../../domain/errors.js';
import { SETTLED } from './create-state.js';
import type {
  SchedAction,
  SchedBlock,
  SchedHalt,
  SchedOutcome,
  SchedStatus,
  SchedTask,
  SchedulerConfig,
  SchedulerState,
} from './types.js';

/**
 * A private, mutable copy of one state for the length of one event. Copying the per-task maps
 * is O(n) per event, which keeps every transition simple and leaves old states untouched.
 */
export class Draft {
  readonly actions: SchedAction[] = [];
  readonly config: SchedulerConfig;
  private readonly base: SchedulerState;
  private readonly status: SchedStatus[];
  private readonly counts: Record<SchedStatus, number>;
  private readonly unmetDeps: number[];
  private ready: string[];
  private running: number;
  private readonly runningByAgent: Map<string, number>;
  private readonly unsettledByLevel: number[];
  private readonly blocked: SchedBlock[];
  halted: SchedHalt;
  started: boolean;
  reconciled: boolean;
  outcome: SchedOutcome | null;

  constructor(state: SchedulerState) {
    this.base = state;
    this.config = state.config;
    this.status = state.status.slice();
    this.counts = { ...state.counts };
    this.unmetDeps = state.unmetDeps.slice();
    this.ready = [...state.ready];
    this.running = state.running;
    this.runningByAgent = new Map(state.runningByAgent);
    this.unsettledByLevel = [...state.unsettledByLevel];
    this.blocked = [...state.blocked];
    this.halted = state.halted;
    this.started = state.started;
    this.reconciled = state.reconciled;
    this.outcome = state.outcome;
  }

  /** The new immutable state. */
  freeze(): SchedulerState {
    return {
      ...this.base,
      status: this.status,
      counts: this.counts,
      unmetDeps: this.unmetDeps,
      ready: this.ready,
      running: this.running,
      runningByAgent: this.runningByAgent,
      unsettledByLevel: this.unsettledByLevel,
      halted: this.halted,
      started: this.started,
      reconciled: this.reconciled,
      pendingMarks: this.reconciled ? [] : this.base.pendingMarks,
      blocked: this.blocked,
      outcome: this.outcome,
    };
  }

  statusOf(id: string): SchedStatus {
    const status = this.status[this.indexOf(id)];
    if (status === undefined) {
      throw new GafferError('GAFFER_BAD_INPUT', `the scheduler has no task ${id}`, {
        details: { taskId: id },
      });
    }
    return status;
  }

  /** Throws unless the task is in one of `from` (the engine reported something impossible). */
  expect(id: string, from: readonly SchedStatus[], to: SchedStatus): SchedStatus {
    const status = this.statusOf(id);
    if (!from.includes(status)) throw new IllegalTransitionError('task', status, to, id);
    return status;
  }

  /** Frees the slot of a running task, or takes a ready one off the ready list. */
  leave(id: string): void {
    const status = this.statusOf(id);
    if (status === 'running') {
      const agent = this.task(id).agent;
      this.running -= 1;
      this.runningByAgent.set(agent, (this.runningByAgent.get(agent) ?? 1) - 1);
    } else if (status === 'ready') {
      this.ready = this.ready.filter((other) => other !== id);
    }
  }

  /** Moves a waiting, running or interrupted task to ready and announces it. */
  markReady(id: string): void {
    this.set(id, 'ready');
    const rank = this.rankOf(id);
    let low = 0;
    let high = this.ready.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.rankOf(this.ready[mid] as string) < rank) low = mid + 1;
      else high = mid;
    }
    this.ready.splice(low, 0, id);
    this.actions.push({ type: 'mark-ready', taskId: id });
  }

  /** Records a pass and readies the dependents whose last dependency it was. */
  pass(id: string): void {
    this.set(id, 'passed');
    for (const next of this.base.graph.dependents.get(id) ?? []) {
      const index = this.indexOf(next);
      const left = (this.unmetDeps[index] ?? 1) - 1;
      this.unmetDeps[index] = left;
      if (left === 0 && this.status[index] === 'waiting') this.markReady(next);
    }
  }

  block(id: string, reason: string): void {
    this.set(id, 'blocked');
    this.blocked.push({ taskId: id, reason });
  }

  /** The reason a failing run gives: the first blocked task's. */
  firstBlock(): SchedBlock | undefined {
    return this.blocked[0];
  }

  blockedIds(): string[] {
    return this.blocked.map((block) => block.taskId);
  }

  /** Skips every waiting or ready task that transitively depends on `root`, in plan order. */
  skipDependents(root: string, reason: string): void {
    const dependents = this.base.graph.dependents;
    const seen = new Set<string>([root]);
    const stack = [...(dependents.get(root) ?? [])];
    const found: string[] = [];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      found.push(id);
      stack.push(...(dependents.get(id) ?? []));
    }
    found.sort((a, b) => this.indexOf(a) - this.indexOf(b));
    for (const id of found) {
      const status = this.statusOf(id);
      if (status !== 'waiting' && status !== 'ready') continue;
      this.leave(id);
      this.set(id, 'skipped');
      this.actions.push({ type: 'skip', taskId: id, reason });
    }
  }

  /** Parks a task whose result waits for a person (call {@link leave} first). */
  await(id: string): void {
    this.set(id, 'awaiting');
  }

  /** Tasks waiting for a person, in plan order. */
  awaitingIds(): string[] {
    return this.base.graph.order.filter((id) => this.statusOf(id) === 'awaiting');
  }

  /** Cancels every task that has not started (or waits for a person), in plan order. */
  cancelUnstarted(reason: string): void {
    for (const id of this.base.graph.order) {
      const status = this.statusOf(id);
      if (status !== 'waiting' && status !== 'ready' && status !== 'awaiting') continue;
      this.leave(id);
      this.cancel(id, reason);
    }
  }

  /** Cancels a task that holds no slot and is on no list (call {@link leave} first). */
  cancel(id: string, reason: string): void {
    this.set(id, 'cancelled');
    this.actions.push({ type: 'cancel-task', taskId: id, reason });
  }

  /** Fills free slots with ready tasks in preference order, within global and per-agent limits. */
  dispatch(): void {
    if (!this.started || this.halted !== 'none') return;
    const { concurrency, agentConcurrency, mode } = this.base.config;
    let free = concurrency - this.running;
    if (free <= 0 || this.ready.length === 0) return;
    const wave = mode === 'waves' ? this.currentWave() : Number.POSITIVE_INFINITY;
    const kept: string[] = [];
    for (const id of this.ready) {
      const task = this.task(id);
      const limit = agentConcurrency[task.agent];
      const agentBusy = limit !== undefined && (this.runningByAgent.get(task.agent) ?? 0) >= limit;
      if (free > 0 && !agentBusy && (this.base.graph.level.get(id) ?? 0) <= wave) {
        this.set(id, 'running');
        this.running += 1;
        this.runningByAgent.set(task.agent, (this.runningByAgent.get(task.agent) ?? 0) + 1);
        this.actions.push({ type: 'dispatch', taskId: id });
        free -= 1;
      } else {
        kept.push(id);
      }
    }
    this.ready = kept;
  }

  isRunning(): boolean {
    return this.running > 0;
  }

  hasReady(): boolean {
    return this.ready.length > 0;
  }

  count(status: SchedStatus): number {
    return this.counts[status];
  }

  finish(outcome: SchedOutcome, reason?: string, awaiting?: string[]): void {
    this.outcome = outcome;
    this.actions.push({
      type: 'finish',
      outcome,
      ...(reason === undefined ? {} : { reason }),
      ...(awaiting === undefined ? {} : { awaiting }),
    });
  }

  private currentWave(): number {
    const index = this.unsettledByLevel.findIndex((n) => n > 0);
    return index === -1 ? Number.POSITIVE_INFINITY : index;
  }

  private set(id: string, next: SchedStatus): void {
    const before = this.statusOf(id);
    this.status[this.indexOf(id)] = next;
    this.counts[before] -= 1;
    this.counts[next] += 1;
    if (SETTLED.has(next) && !SETTLED.has(before)) {
      const level = this.base.graph.level.get(id) ?? 0;
      this.unsettledByLevel[level] = (this.unsettledByLevel[level] ?? 1) - 1;
    }
  }

  private task(id: string): SchedTask {
    const task = this.base.graph.tasks.get(id);
    if (!task) throw new GafferError('GAFFER_BAD_INPUT', `the scheduler has no task ${id}`);
    return task;
  }

  private indexOf(id: string): number {
    return this.base.graph.index.get(id) ?? -1;
  }

  private rankOf(id: string): number {
    return this.base.graph.rank.get(id) ?? 0;
  }
}
