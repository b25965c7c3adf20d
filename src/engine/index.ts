export type {
  Engine,
  EngineOptions,
  CreateRunOptions,
  DriveRunOptions,
  OpenQuestion,
  Approval,
  DecisionInput,
  DecisionResult,
} from './engine.js';
export { createEngine } from './engine.js';
export type { WorkspaceEngineOptions } from './workspace-engine.js';
export { createWorkspaceEngine } from './workspace-engine.js';
export type { TaskView, AttemptView, RunView, RunSummary, FollowOptions } from './queries/index.js';
export type { ControlRequest, ReopenOptions } from './control/index.js';
export type { Logger, LogRecord } from './logger.js';
export { createLogger, silentLogger } from './logger.js';
export type { CleanResult } from './workspace/index.js';
export { prepareWorkspace, repositoryRoot, checkPlanFile } from './workspace/index.js';
export { planPathInside } from './plan-path.js';
export { gafferDir, worktreePath, runDir, transcriptPath } from './run-context.js';
export type { TranscriptLine } from './transcript.js';
export { readTranscript } from './transcript.js';
export { redactSecrets } from './redact.js';
export { buildPrompt } from './prompt.js';
export { UNANSWERED } from './question-router.js';
export type { AnswerOptions } from './answer-question.js';
export { ANSWERED_BY } from './foreman/index.js';
export type { TaskFacts, NextStep } from './pipeline/index.js';
export { nextStep } from './pipeline/index.js';
// Plan formatting for shells, so they need not reach into the plan layer.
export { formatPlanIssue } from '../plan/index.js';
export type { PlanCheckResult } from '../plan/index.js';
export { endedRunError } from './recovery.js';
export type {
  CleanOptions,
  CheckPlanOptions,
  CheckInfo,
  SkippedCheck,
  TaskChecks,
  ChecksReport,
} from './workspace/index.js';
export { detectChecks, checksReport } from './workspace/index.js';
export { taskActivities, toolCallSummary } from './queries/index.js';
export type { BudgetLine, BudgetView, LimitRequest } from './budget/index.js';
export { describeBreach, formatFigure, limitOwner, suggestion } from './budget/index.js';
export type { KnowledgeEntry } from './knowledge/index.js';
