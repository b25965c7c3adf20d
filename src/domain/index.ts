export type { GafferErrorCode, GafferErrorOptions, PlanIssue } from './errors.js';
export {
  GafferError,
  PlanValidationError,
  IllegalTransitionError,
  CancelledError,
  TimeoutError,
  InvariantError,
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
export type {
  Plan,
  PlanTask,
  PlanSettings,
  VerifierSettings,
  Budgets,
  TaskBudgets,
  BudgetLimit,
  ForemanSettings,
  PlannerSettings,
  ModelPrice,
  SandboxSettings,
  Limits,
  WorktreeSettings,
  Autonomy,
  ReviewerSettings,
} from './plan.js';
export { AUTONOMY_LEVELS, BUDGET_LIMITS, autonomyOf } from './plan.js';
export { ALWAYS_PROTECTED, DEFAULT_LIMITS, TASK_ID_PATTERN } from './plan.js';
export { DEFAULT_SETUP_TIMEOUT_S, SETUP_DEPENDENCY_DIRS, defaultKeep } from './plan.js';
export type {
  RunOptions,
  RunRecord,
  TaskRecord,
  AttemptKind,
  AttemptRecord,
  VerifierResult,
  EvaluationRecord,
  EvaluationReview,
  CriterionJudgement,
  CriterionVerdict,
  Critique,
  CritiqueSeverity,
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
  CommandSandbox,
  SandboxedCommand,
  SandboxNeeds,
  PreflightContext,
  StateSeed,
} from './agent.js';
export { ZERO_USAGE, addUsage } from './agent.js';
export { expandHome } from './home-path.js';
export { isObject } from './values.js';
export type { AgentFailure, AgentFailureKind } from './agent.js';
export { AGENT_FAILURE_KINDS, agentFailure, isTransientFailureKind } from './agent.js';
export type { RetryPolicy } from './retry.js';
export { DEFAULT_RETRY_POLICY, retryDelayMs } from './retry.js';
export type { GafferEvent, GafferEventType, StoredEvent } from './events.js';
export type { BudgetRaise, BudgetScope, PauseCause } from './events.js';
export type {
  Transition,
  TransitionResult,
  RunTransition,
  TaskTransition,
  AttemptTransition,
  AttemptRef,
  SessionOutcome,
  RunPatch,
  TaskPatch,
  AttemptPatch,
} from './transitions.js';
export {
  runStarted,
  runResumed,
  runPaused,
  runReopened,
  runCompleted,
  runFailed,
  runCancelled,
  taskReady,
  taskRequeued,
  taskRetryScheduled,
  taskReopened,
  taskStarted,
  taskEvaluating,
  taskPassed,
  taskRework,
  taskAwaitingApproval,
  taskBlocked,
  taskSkipped,
  taskSuperseded,
  taskCancelled,
  attemptRunning,
  attemptWaiting,
  attemptSucceeded,
  attemptFailed,
  attemptInterrupted,
  attemptAborted,
} from './transitions.js';
