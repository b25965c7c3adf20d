import type {
  AttemptRecord,
  EvaluationRecord,
  GafferEvent,
  Plan,
  RunRecord,
  TaskRecord,
} from '../../src/domain/index.js';
import { DEFAULT_RETRY_POLICY } from '../../src/domain/index.js';

/** A plan whose task order is not alphabetical, so plan order is observable. */
export function makePlan(taskIds: string[]): Plan {
  return {
    name: 'demo',
    settings: {
      base_branch: 'main',
      concurrency: 2,
      agent_concurrency: { script: 1 },
      max_rework: 2,
      budgets: { cost_usd: 1.5 },
      agent: 'script',
      protected_paths: ['secrets/**'],
      question_timeout_s: 600,
      pricing: { 'claude-': { input: 3, output: 15, cached_input: 0.3 } },
      agents: { script: { steps: [{ write: 'a.txt' }] } },
      retry: DEFAULT_RETRY_POLICY,
    },
    tasks: taskIds.map((id, i) => ({
      id,
      title: `Task ${id}`,
      description: 'Do it — ünïcode too',
      depends_on: i === 0 ? [] : [taskIds[i - 1]!],
      deliverables: [`${id}.txt`],
      acceptance_criteria: ['it exists'],
      context_files: [],
      ...(i === 0 ? { estimate_s: 30 } : {}),
    })),
  };
}

export function makeRun(
  id: string,
  createdAt = '2025-01-02T03:04:05.000Z',
  taskIds = ['zeta', 'alpha', 'mid'],
): RunRecord {
  return {
    id,
    slug: `${id}-slug`,
    status: 'pending',
    reason: null,
    repoPath: '/repo',
    planPath: '/repo/plan.yaml',
    plan: makePlan(taskIds),
    options: { concurrency: 2, keepGoing: false, schedule: 'critical-path', agent: 'script' },
    baseBranch: 'main',
    baseCommit: 'a'.repeat(40),
    integrationBranch: `gaffer/${id}`,
    createdAt,
    updatedAt: createdAt,
    finishedAt: null,
  };
}

export function makeTask(runId: string, taskId: string, overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    runId,
    taskId,
    status: 'pending',
    attempts: 0,
    reworks: 0,
    branch: `gaffer/${runId}/${taskId}`,
    mergeCommit: null,
    reason: null,
    filesChanged: 0,
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

export function makeTasks(run: RunRecord): TaskRecord[] {
  return run.plan.tasks.map((t) => makeTask(run.id, t.id));
}

export function makeAttempt(
  runId: string,
  taskId: string,
  number: number,
  overrides: Partial<AttemptRecord> = {},
): AttemptRecord {
  return {
    id: `${runId}-${taskId}-${number}`,
    runId,
    taskId,
    number,
    kind: number === 1 ? 'first' : 'rework',
    status: 'starting',
    agent: 'script',
    worktreePath: `/wt/${taskId}`,
    branch: `gaffer/${runId}/${taskId}`,
    baseCommit: 'b'.repeat(40),
    headCommit: null,
    nativeSessionId: null,
    feedback: number === 1 ? null : 'fix the tests',
    error: null,
    failure: null,
    usage: null,
    transcriptPath: null,
    startedAt: '2025-01-02T03:05:00.000Z',
    finishedAt: null,
    ...overrides,
  };
}

export function makeEvaluation(attempt: AttemptRecord, passed: boolean): EvaluationRecord {
  return {
    id: `${attempt.id}-eval`,
    runId: attempt.runId,
    taskId: attempt.taskId,
    attemptId: attempt.id,
    passed,
    score: passed ? 0.875 : 0.1,
    confidence: passed ? 'green' : 'red',
    results: [
      {
        name: 'test',
        command: 'npm test',
        passed,
        exitCode: passed ? 0 : 1,
        durationMs: 12,
        timedOut: false,
        output: 'ok\n',
      },
      {
        name: 'deliverables',
        command: 'deliverables',
        passed: true,
        exitCode: null,
        durationMs: 0,
        timedOut: false,
        output: '',
      },
    ],
    createdAt: '2025-01-02T03:06:00.000Z',
  };
}

export const created = (run: RunRecord): GafferEvent => ({
  type: 'run.created',
  runId: run.id,
  data: {
    planPath: run.planPath,
    tasks: run.plan.tasks.length,
    baseBranch: run.baseBranch,
    integrationBranch: run.integrationBranch,
  },
});

export const taskEvent = (runId: string, taskId: string, type: 'task.ready' | 'task.started'): GafferEvent =>
  type === 'task.ready' ? { type, runId, taskId, data: {} } : { type, runId, taskId, data: { attempt: 1 } };

export const passedEvent = (runId: string, taskId: string): GafferEvent => ({
  type: 'task.passed',
  runId,
  taskId,
  data: { mergeCommit: 'c'.repeat(40), filesChanged: 3 },
});

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
