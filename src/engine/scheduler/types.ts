/** One node as the scheduler sees it: identity, edges, slot class and a duration guess. */
export interface SchedTask {
  id: string;
  /** Effective dependencies, including the extra edges of `order` waves (computed by the caller). */
  deps: string[];
  /** Agent backend; per-agent slot limits apply to it. */
  agent: string;
  /** Estimated duration in seconds; drives critical-path priority. */
  estimateS?: number;
  /** Position in the plan; breaks priority ties so dispatch order is stable. */
  planIndex: number;
}

/**
 * The scheduler's view of a task. `waiting`: some dependency has not passed yet. The pipeline
 * states between dispatch and verdict (evaluating, rework) are all `running` here; `awaiting`
 * is a result that waits for a person's decision, holding no slot, its dependents still waiting.
 */
export type SchedStatus =
  'waiting' | 'ready' | 'running' | 'awaiting' | 'passed' | 'blocked' | 'skipped' | 'cancelled';

/** Dispatch limits and policy. */
export interface SchedulerConfig {
  /** Global slot count (≥ 1). */
  concurrency: number;
  /** Per-agent slot limits (each ≥ 1); agents not listed share the global slots only. */
  agentConcurrency: Record<string, number>;
  /** On a blocked task, skip its dependents and go on instead of failing the run. */
  keepGoing: boolean;
  /** `waves` exists only to measure how much worse level-by-level dispatch is. */
  mode: 'critical-path' | 'waves';
}

/** Why dispatch has stopped: a pause, a cancel, or a blocked task without keep-going. */
export type SchedHalt = 'none' | 'pausing' | 'cancelling' | 'failing';

/** How a run (or, for `paused`, a stretch of it) ended. */
export type SchedOutcome = 'completed' | 'failed' | 'cancelled' | 'paused';

/** A blocked task and the reason the engine gave. */
export interface SchedBlock {
  taskId: string;
  reason: string;
}

/** Facts about the DAG computed once and shared, unchanged, by every later state. */
export interface SchedGraph {
  readonly tasks: ReadonlyMap<string, SchedTask>;
  /** Tasks in plan order (by planIndex); per-task state arrays are indexed by this position. */
  readonly order: readonly string[];
  /** Position of each task in `order`. */
  readonly index: ReadonlyMap<string, number>;
  /** Direct dependents of each task, in plan order. */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
  /** Longest remaining path (seconds or task count) including the task itself. */
  readonly priority: ReadonlyMap<string, number>;
  /** Position in dispatch preference: priority descending, then planIndex. */
  readonly rank: ReadonlyMap<string, number>;
  /** Longest dependency depth: 0 for tasks without dependencies. */
  readonly level: ReadonlyMap<string, number>;
}

/** The scheduler's whole state. Never mutated: {@link schedule} returns a new one. */
export interface SchedulerState {
  readonly config: SchedulerConfig;
  readonly graph: SchedGraph;
  readonly tasks: ReadonlyMap<string, SchedTask>;
  /**
   * Status of each task, indexed like `graph.order` (arrays, not maps: copying one per event
   * is a hundred times cheaper). Read it through {@link taskStatus} or {@link statusById}.
   */
  readonly status: readonly SchedStatus[];
  /** How many tasks are in each status. */
  readonly counts: Readonly<Record<SchedStatus, number>>;
  /** Dependencies of each task that have not passed yet, indexed like `graph.order`. */
  readonly unmetDeps: readonly number[];
  /** Ready task ids in dispatch preference order. */
  readonly ready: readonly string[];
  readonly running: number;
  readonly runningByAgent: ReadonlyMap<string, number>;
  /** Unsettled tasks per dependency level; `waves` mode dispatches only the lowest non-empty level. */
  readonly unsettledByLevel: readonly number[];
  readonly halted: SchedHalt;
  /** A `start` event has been seen (nothing is dispatched before it). */
  readonly started: boolean;
  /** Set by the first event: resume bookkeeping (mark-ready, skips) has been emitted. */
  readonly reconciled: boolean;
  /** Tasks the first event announces with `mark-ready` (they became ready while nobody recorded it). */
  readonly pendingMarks: readonly string[];
  /** Blocked tasks in the order they were reported (resumed ones first). */
  readonly blocked: readonly SchedBlock[];
  /** The last `finish` emitted; only `paused` can be left again (by `start` or `cancel`). */
  readonly outcome: SchedOutcome | null;
}

/** What the engine reports to the scheduler. */
export type SchedEvent =
  /** Start or resume: dispatch whatever is ready. */
  | { type: 'start' }
  | { type: 'task-passed'; taskId: string }
  | { type: 'task-blocked'; taskId: string; reason: string }
  /** The task's session ended without a verdict (crash recovery, pause): its slot frees, it is ready again. */
  | { type: 'task-interrupted'; taskId: string }
  /** The task's result waits for a person (an approval): its slot frees, nothing else moves. */
  | { type: 'task-awaiting'; taskId: string }
  /** A person decided on a waiting task: it is ready again (its pipeline merges or reworks). */
  | { type: 'task-decided'; taskId: string }
  | { type: 'pause' }
  | { type: 'cancel' };

/** What the scheduler asks the engine to do, in order. */
export type SchedAction =
  | { type: 'dispatch'; taskId: string }
  /** The task entered `ready` (its dependencies passed, or it came back from an interruption). */
  | { type: 'mark-ready'; taskId: string }
  /** A dependency is blocked, skipped or cancelled, so this task can never run. */
  | { type: 'skip'; taskId: string; reason: string }
  /** The task never started and the run is failing or cancelled. */
  | { type: 'cancel-task'; taskId: string; reason: string }
  /** `awaiting`: a pause because nothing can go on until a person decides on waiting results. */
  | { type: 'finish'; outcome: SchedOutcome; reason?: string; awaiting?: string[] };

/** The reducer's answer: the next state and the actions to perform, in order. */
export interface ScheduleResult {
  state: SchedulerState;
  actions: SchedAction[];
}
