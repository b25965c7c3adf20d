import type {
  AttemptRecord,
  EvaluationRecord,
  EvaluationReview,
  RunRecord,
  RunStatus,
  TaskRecord,
  Usage,
} from '../../domain/index.js';
import { addUsage, ZERO_USAGE } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { mustGetRun } from '../control/control.js';
import { isDriven } from '../control/liveness.js';
import { agentFor, taskOf } from '../run-context.js';
import type { OpenQuestion } from './open-questions.js';
import { openQuestions } from './open-questions.js';
import type { Approval } from './approvals.js';
import { listApprovals } from './approvals.js';
import type { BudgetView } from '../budget/index.js';
import type { KnowledgeEntry } from '../knowledge/index.js';
import { readKnowledge } from '../knowledge/index.js';
import { budgetView } from '../budget/index.js';

/** A task as status views show it: its record, title, agent and what its attempts spent. */
export interface TaskView extends TaskRecord {
  title: string;
  agent: string;
  usage: Usage;
  /** The error of its newest failed attempt, if any. */
  lastError: string | null;
}

/** An attempt with the evaluation of its result (null when it was not evaluated). */
export interface AttemptView extends AttemptRecord {
  evaluation: EvaluationRecord | null;
}

/** Everything `status` shows of a run; the HTTP API serves the same. */
export interface RunView {
  run: RunRecord;
  tasks: TaskView[];
  attempts: AttemptView[];
  /** Sum over every attempt. */
  usage: Usage;
  openQuestions: OpenQuestion[];
  /** Results that wait for a person's approval now. */
  openApprovals: Approval[];
  /** The run's and its tasks' limits with what is spent; null when the plan sets none. */
  budget: BudgetView | null;
  /** The newest final review of the whole run (absent without a reviewer, or before every task passed). */
  finalReview: { approvalId: string; commit: string; review: EvaluationReview; at: string } | null;
  /** What each passed task left for later ones (files, decisions, patterns), in the order they passed. */
  knowledge: KnowledgeEntry[];
  /** Whether an engine holds the run's lease right now. */
  driven: boolean;
  /**
   * Who moves the run: `driven` (an engine holds a live lease), `owner-gone` (it says `running`
   * but its engine died or lost its lease: shown as interrupted, resumable), or `idle` (nobody
   * needs to: pending, paused or ended).
   */
  liveness: RunLiveness;
}

/** See {@link RunView.liveness}. */
export type RunLiveness = 'driven' | 'owner-gone' | 'idle';

/** A run that says `running` with nobody driving it was left behind by a dead engine. */
export function livenessOf(status: RunStatus, driven: boolean): RunLiveness {
  if (driven) return 'driven';
  return status === 'running' ? 'owner-gone' : 'idle';
}

/** One line of a run list. */
export interface RunSummary {
  id: string;
  status: RunStatus;
  reason: string | null;
  planPath: string;
  integrationBranch: string;
  createdAt: string;
  finishedAt: string | null;
  tasks: number;
  passed: number;
  attempts: number;
  usage: Usage;
}

const usageOf = (attempts: readonly AttemptRecord[]) =>
  attempts.reduce((sum, a) => (a.usage ? addUsage(sum, a.usage) : sum), ZERO_USAGE);

/** The attempts of a run (or of one task), each with its evaluation. */
export async function attemptViews(store: Store, runId: string, taskId?: string): Promise<AttemptView[]> {
  const [attempts, evaluations] = await Promise.all([
    store.listAttempts(runId, taskId),
    store.listEvaluations(runId, taskId),
  ]);
  const byAttempt = new Map(evaluations.map((e) => [e.attemptId, e]));
  return attempts.map((a) => ({ ...a, evaluation: byAttempt.get(a.id) ?? null }));
}

export function taskViews(run: RunRecord, tasks: readonly TaskRecord[], attempts: readonly AttemptRecord[]) {
  return tasks.map((task): TaskView => {
    const own = attempts.filter((a) => a.taskId === task.taskId);
    const plan = taskOf(run, task.taskId);
    return {
      ...task,
      title: plan.title,
      agent: agentFor(run, plan),
      usage: usageOf(own),
      lastError: own.filter((a) => a.error).at(-1)?.error ?? null,
    };
  });
}

/** A run with its tasks, attempts, usage totals and open questions. */
export async function runView(store: Store, runId: string): Promise<RunView> {
  const run = await mustGetRun(store, runId);
  const [tasks, attempts, questions, approvals, driven, budget, knowledge, finals] = await Promise.all([
    store.listTasks(runId),
    attemptViews(store, runId),
    openQuestions(store, runId),
    listApprovals(store, runId),
    isDriven(store, runId),
    budgetView(store, run),
    readKnowledge(store, runId),
    store.readEvents({ runId, types: ['run.final-review'] }),
  ]);
  const final = finals.at(-1);
  return {
    run,
    tasks: taskViews(run, tasks, attempts),
    attempts,
    usage: usageOf(attempts),
    openQuestions: questions,
    openApprovals: approvals.filter((a) => a.open),
    budget,
    knowledge,
    finalReview: final?.type === 'run.final-review' ? { ...final.data, at: final.at } : null,
    driven,
    liveness: livenessOf(run.status, driven),
  };
}

/** Every run, newest first, with task counts and cost. */
export async function listRunSummaries(store: Store): Promise<RunSummary[]> {
  const runs = await store.listRuns();
  return Promise.all(
    runs.map(async (run) => {
      const [tasks, attempts] = await Promise.all([store.listTasks(run.id), store.listAttempts(run.id)]);
      return {
        id: run.id,
        status: run.status,
        reason: run.reason,
        planPath: run.planPath,
        integrationBranch: run.integrationBranch,
        createdAt: run.createdAt,
        finishedAt: run.finishedAt,
        tasks: tasks.length,
        passed: tasks.filter((t) => t.status === 'passed').length,
        attempts: attempts.length,
        usage: usageOf(attempts),
      };
    }),
  );
}
