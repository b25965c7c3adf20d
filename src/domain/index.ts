export type { GafferErrorCode, GafferErrorOptions, PlanIssue } from './errors.js';
export {
  GafferError,
  PlanValidationError,
  IllegalTransitionError,
  CancelledError,
  TimeoutError,
  userError,
} from './errors.js';
export type { RunStatus, TaskStatus, AttemptStatus } from './status.js';
export {
  RUN_STATUSES,
  TASK_STATUSES,
  ATTEMPT_STATUSES,
  canMoveRun,
  canMoveTask,
  canMoveAttempt,
  assertRunMove,
  assertTaskMove,
  assertAttemptMove,
  isTerminalRun,
  isTerminalTask,
  isTerminalAttempt,
  isSettledTask,
} from './status.js';
export type { Plan, PlanTask, PlanSettings, VerifierSettings, Budgets, ModelPrice } from './plan.js';
export { ALWAYS_PROTECTED, TASK_ID_PATTERN } from './plan.js';
export type {
  RunOptions,
  RunRecord,
  TaskRecord,
  AttemptKind,
  AttemptRecord,
  VerifierResult,
  EvaluationRecord,
  LeaseRecord,
} from './records.js';
export type {
  Usage,
  SessionInput,
  AgentEvent,
  SessionResult,
  AgentSession,
  AgentCapabilities,
  AgentAdapter,
} from './agent.js';
export { ZERO_USAGE, addUsage } from './agent.js';
export type { GafferEvent, GafferEventType, StoredEvent } from './events.js';
