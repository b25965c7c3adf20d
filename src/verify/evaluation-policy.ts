import type { PlanSettings, PlanTask, VerifierResult } from '../domain/index.js';
import type { EvaluationOutcome } from './evaluate-worktree.js';
import { scoreResults } from './evaluate-worktree.js';
import { formatFailures } from './format-failures.js';
import { resolveVerifiers } from './resolve-verifiers.js';
import type { VerifierCommand } from './verifier-command.js';

/** Per-verifier time limit when neither the plan nor the task sets `verifiers.timeout_s`. */
export const DEFAULT_VERIFIER_TIMEOUT_S = 600;

/** Which checks a task's result must pass, and how long each may take. */
export interface CheckPlan {
  verifiers: VerifierCommand[];
  timeoutMs: number;
  deliverables: readonly string[];
}

/** The checks of a task: detected ones, narrowed by the plan's then the task's `verifiers` settings. */
export function checksFor(
  detected: readonly VerifierCommand[],
  settings: Pick<PlanSettings, 'verifiers'>,
  task: Pick<PlanTask, 'verifiers' | 'deliverables'>,
): CheckPlan {
  const timeoutS = task.verifiers?.timeout_s ?? settings.verifiers?.timeout_s ?? DEFAULT_VERIFIER_TIMEOUT_S;
  return {
    verifiers: resolveVerifiers(detected, settings.verifiers, task.verifiers),
    timeoutMs: timeoutS * 1000,
    deliverables: task.deliverables,
  };
}

/** The result that records reverted protected-path changes: a failed check, told to the agent. */
export function protectedPathResult(violations: readonly string[]): VerifierResult {
  return {
    name: 'protected-paths',
    command: 'diff check against protected paths',
    passed: false,
    exitCode: null,
    durationMs: 0,
    timedOut: false,
    output: `These protected paths were changed and have been reverted: ${violations.join(', ')}. Do not change them.`,
  };
}

/** The verdict on an attempt's checks; a protected-path violation fails it whatever else passed. */
export function judge(results: readonly VerifierResult[], violations: readonly string[]): EvaluationOutcome {
  return scoreResults(violations.length ? [protectedPathResult(violations), ...results] : [...results]);
}

/** What a failed evaluation sends back: a short reason for status views, the full feedback for the agent. */
export function evaluationSetback(results: readonly VerifierResult[]): { reason: string; feedback: string } {
  const failed = results.filter((r) => !r.passed);
  return { reason: `${failed.map((r) => r.name).join(', ')} failed`, feedback: formatFailures(failed) };
}
