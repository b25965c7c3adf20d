import { describe, expect, it } from 'vitest';
import type {
  AgentFailure,
  AttemptKind,
  AttemptRecord,
  AttemptStatus,
  EvaluationRecord,
  TaskRecord,
  VerifierResult,
} from '../../domain/index.js';
import { agentFailure, DEFAULT_RETRY_POLICY } from '../../domain/index.js';
import type { TaskFacts } from './next-step.js';
import { nextStep } from './next-step.js';

// ── builders ─────────────────────────────────────────────────────────────────────────────

const task = (overrides: Partial<TaskRecord> = {}): TaskRecord => ({
  runId: 'run-1',
  taskId: 't',
  status: 'running',
  attempts: 0,
  reworks: 0,
  branch: 'gaffer/run-1/t',
  mergeCommit: null,
  reason: null,
  filesChanged: 0,
  startedAt: null,
  finishedAt: null,
  ...overrides,
});

const attempt = (
  number: number,
  kind: AttemptKind,
  overrides: Partial<AttemptRecord> = {},
): AttemptRecord => ({
  id: `run-1.t.${number}`,
  runId: 'run-1',
  taskId: 't',
  number,
  kind,
  status: 'succeeded',
  agent: 'fake',
  worktreePath: '/wt/t',
  branch: 'gaffer/run-1/t',
  baseCommit: 'base',
  headCommit: `head-${number}`,
  nativeSessionId: null,
  feedback: null,
  error: null,
  failure: null,
  usage: null,
  transcriptPath: null,
  startedAt: '2025-01-02T03:04:05.000Z',
  finishedAt: null,
  ...overrides,
});

/** An attempt whose session failed with `failure` (its error text is the failure's message). */
const failedAttempt = (number: number, kind: AttemptKind, failure: AgentFailure | null, error = 'boom') =>
  attempt(number, kind, { status: 'failed', failure, error: failure?.message ?? error });

const check = (name: string, passed: boolean, output = ''): VerifierResult => ({
  name,
  command: `npm run ${name}`,
  passed,
  exitCode: passed ? 0 : 1,
  durationMs: 5,
  timedOut: false,
  output,
});

const evaluation = (of: AttemptRecord, results: VerifierResult[]): EvaluationRecord => {
  const passed = results.every((r) => r.passed);
  return {
    id: `${of.id}.eval`,
    runId: of.runId,
    taskId: of.taskId,
    attemptId: of.id,
    passed,
    score: passed ? 1 : 0,
    confidence: passed ? 'green' : 'red',
    results,
    createdAt: '2025-01-02T03:05:00.000Z',
  };
};

/** Facts whose task counts its attempts and reworks from `attempts`, unless `task` says otherwise. */
const facts = ({
  task: taskFields = {},
  ...overrides
}: Partial<Omit<TaskFacts, 'task'>> & { task?: Partial<TaskRecord> } = {}): TaskFacts => {
  const attempts = overrides.attempts ?? [];
  return {
    task: task({
      attempts: attempts.length,
      reworks: attempts.filter((a) => a.kind === 'rework').length,
      ...taskFields,
    }),
    attempts,
    evaluation: undefined,
    conflict: undefined,
    reverted: [],
    brokeIntegration: undefined,
    decision: undefined,
    autonomy: 'review_yellow',
    maxRework: 2,
    retry: DEFAULT_RETRY_POLICY,
    ...overrides,
  };
};

const rateLimited = agentFailure('rate_limited', '429 Too Many Requests', { retryAfterMs: 7_000 });
const serverError = agentFailure('server_error', '503 upstream overloaded');

// ── decisions ────────────────────────────────────────────────────────────────────────────

describe('nextStep', () => {
  it('starts with a first attempt: no feedback, no session to resume, from the task branch', () => {
    expect(nextStep(facts({ task: { status: 'ready' } }))).toEqual({
      type: 'attempt',
      kind: 'first',
      feedback: null,
      fromIntegration: false,
    });
  });

  it('is done once the task has passed, whatever its attempts say', () => {
    const last = attempt(1, 'first');
    expect(nextStep(facts({ task: { status: 'passed' }, attempts: [last] }))).toEqual({
      type: 'passed',
    });
  });

  describe('a recorded setback', () => {
    const failedChecks = attempt(1, 'first');
    const base = facts({
      task: { status: 'rework', reason: 'fix the failing test' },
      attempts: [failedChecks],
      evaluation: evaluation(failedChecks, [check('test', false, 'expected 1')]),
    });

    it('is reworked with the feedback kept on the task, on the task branch', () => {
      expect(nextStep(base)).toEqual({
        type: 'attempt',
        kind: 'rework',
        feedback: 'fix the failing test',
        fromIntegration: false,
      });
    });

    it('after a merge conflict restarts from the integration head', () => {
      expect(nextStep({ ...base, conflict: ['src/a.ts'] })).toMatchObject({
        type: 'attempt',
        kind: 'rework',
        fromIntegration: true,
      });
    });
  });

  describe('an attempt that did not end on its own', () => {
    it.each<AttemptStatus>(['interrupted', 'aborted', 'starting', 'running', 'waiting_answer'])(
      'is resumed when %s, with its feedback and its native session',
      (status) => {
        const last = attempt(2, 'rework', {
          status,
          feedback: 'the build broke',
          nativeSessionId: 'native-7',
        });
        expect(nextStep(facts({ attempts: [attempt(1, 'first'), last] }))).toEqual({
          type: 'attempt',
          kind: 'resume',
          feedback: 'the build broke',
          resumeSessionId: 'native-7',
          fromIntegration: false,
        });
      },
    );

    it('is resumed in a new session when the agent never reported one', () => {
      const step = nextStep(facts({ attempts: [attempt(1, 'first', { status: 'interrupted' })] }));
      expect(step).toEqual({ type: 'attempt', kind: 'resume', feedback: null, fromIntegration: false });
      expect(step).not.toHaveProperty('resumeSessionId');
    });
  });

  describe('a configuration failure', () => {
    it.each(['auth', 'config', 'binary_missing'] as const)(
      'blocks the task at once on %s, telling the fix, without spending rework',
      (kind) => {
        const failure = agentFailure(kind, `${kind} went wrong`, { hint: 'set ANTHROPIC_API_KEY' });
        const step = nextStep(facts({ attempts: [failedAttempt(1, 'first', failure)], maxRework: 5 }));
        expect(step).toEqual({ type: 'block', reason: `${kind} went wrong — set ANTHROPIC_API_KEY` });
      },
    );

    it('blocks with the message alone when there is no hint', () => {
      const failure = agentFailure('auth', 'invalid x-api-key');
      expect(nextStep(facts({ attempts: [failedAttempt(1, 'first', failure)] }))).toEqual({
        type: 'block',
        reason: 'invalid x-api-key',
      });
    });
  });

  describe('a transient failure', () => {
    it('is retried after the server’s Retry-After when it is longer than the backoff', () => {
      const last = failedAttempt(1, 'first', rateLimited);
      expect(nextStep(facts({ attempts: [last] }))).toEqual({
        type: 'retry',
        after: last,
        failure: rateLimited,
        delayMs: 7_000,
        retry: 1,
      });
    });

    it('is retried with a growing backoff, counting the retries made', () => {
      const first = failedAttempt(1, 'first', serverError);
      const retried = failedAttempt(2, 'retry', serverError);
      expect(nextStep(facts({ attempts: [first] }))).toMatchObject({
        type: 'retry',
        delayMs: 2_000,
        retry: 1,
      });
      expect(nextStep(facts({ attempts: [first, retried] }))).toMatchObject({
        type: 'retry',
        after: retried,
        delayMs: 4_000,
        retry: 2,
      });
    });

    const exhausted = [
      failedAttempt(1, 'first', serverError),
      failedAttempt(2, 'retry', serverError),
      failedAttempt(3, 'retry', serverError),
      failedAttempt(4, 'retry', serverError),
    ];

    it('becomes a setback once the policy’s retries are used: reworked with the error', () => {
      expect(nextStep(facts({ attempts: exhausted }))).toEqual({
        type: 'rework',
        setback: {
          reason: 'agent failed: 503 upstream overloaded',
          feedback: 'The agent session failed:\n503 upstream overloaded',
        },
      });
    });

    it('blocks once the retries and the rework budget are both spent', () => {
      expect(nextStep(facts({ attempts: exhausted, task: { reworks: 2 } }))).toEqual({
        type: 'block',
        reason: 'agent failed: 503 upstream overloaded',
      });
    });

    it('counts retries only since the newest first or rework attempt', () => {
      const last = failedAttempt(5, 'rework', serverError);
      expect(nextStep(facts({ attempts: [...exhausted, last] }))).toMatchObject({
        type: 'retry',
        after: last,
        delayMs: 2_000,
        retry: 1,
      });
    });

    it('counts a retry that was resumed after a pause', () => {
      const attempts = [
        failedAttempt(1, 'first', serverError),
        attempt(2, 'retry', { status: 'interrupted' }),
        failedAttempt(3, 'resume', serverError),
      ];
      expect(nextStep(facts({ attempts }))).toMatchObject({ type: 'retry', retry: 2, delayMs: 4_000 });
    });
  });

  describe('a failed task (the agent gave up, or gave no typed failure)', () => {
    it('is reworked, not retried, with the first line as reason and the whole error as feedback', () => {
      const failure = agentFailure('task_failed', 'could not make the tests pass\nsee the log');
      expect(nextStep(facts({ attempts: [failedAttempt(1, 'first', failure)] }))).toEqual({
        type: 'rework',
        setback: {
          reason: 'agent failed: could not make the tests pass',
          feedback: 'The agent session failed:\ncould not make the tests pass\nsee the log',
        },
      });
    });

    it('counts as a failed task when the adapter gave no typed failure', () => {
      const last = failedAttempt(1, 'first', null, 'exit code 3');
      expect(nextStep(facts({ attempts: [last] }))).toMatchObject({
        type: 'rework',
        setback: { reason: 'agent failed: exit code 3' },
      });
    });

    it('blocks when the rework budget is spent', () => {
      const failure = agentFailure('task_failed', 'gave up');
      const attempts = [attempt(1, 'first'), attempt(2, 'rework'), failedAttempt(3, 'rework', failure)];
      expect(nextStep(facts({ attempts }))).toEqual({ type: 'block', reason: 'agent failed: gave up' });
    });
  });

  describe('a finished attempt', () => {
    const last = attempt(1, 'first');

    it('is evaluated when it has no evaluation yet (a pause during checks re-runs only the checks)', () => {
      expect(nextStep(facts({ task: { status: 'ready' }, attempts: [last] }))).toEqual({
        type: 'evaluate',
        attempt: last,
      });
    });

    it('that failed its checks is reworked with their output, derived from the stored evaluation', () => {
      // Requeued after a pause: nothing on the task holds the feedback, the evaluation does.
      const failed = evaluation(last, [
        check('lint', true, 'lint is fine'),
        check('test', false, 'AssertionError: expected 2 to be 3'),
      ]);
      const step = nextStep(facts({ task: { status: 'ready' }, attempts: [last], evaluation: failed }));
      expect(step).toMatchObject({ type: 'rework', setback: { reason: 'test failed' } });
      const feedback = step.type === 'rework' ? step.setback.feedback : '';
      expect(feedback).toContain('### test failed (exit code 1)');
      expect(feedback).toContain('Command: npm run test');
      expect(feedback).toContain('AssertionError: expected 2 to be 3');
      expect(feedback).not.toContain('lint is fine');
    });

    it('that failed its checks blocks the task when the rework budget is spent', () => {
      const again = attempt(3, 'rework');
      const step = nextStep(
        facts({
          attempts: [attempt(1, 'first'), attempt(2, 'rework'), again],
          evaluation: evaluation(again, [check('test', false, 'still red')]),
        }),
      );
      expect(step).toEqual({ type: 'block', reason: 'test failed' });
    });

    it('that passed its checks is merged', () => {
      const passed = evaluation(last, [check('test', true)]);
      expect(nextStep(facts({ attempts: [last], evaluation: passed }))).toEqual({
        type: 'merge',
        attempt: last,
      });
    });

    it('whose merge conflicted is reworked with the conflicting files', () => {
      const passed = evaluation(last, [check('test', true)]);
      const step = nextStep(
        facts({ attempts: [last], evaluation: passed, conflict: ['src/a.ts', 'README.md'] }),
      );
      expect(step).toMatchObject({
        type: 'rework',
        setback: { reason: 'merge conflict in src/a.ts, README.md' },
      });
      const feedback = step.type === 'rework' ? step.setback.feedback : '';
      expect(feedback).toContain('- src/a.ts\n- README.md');
      expect(feedback).toContain('starts from the current integration branch');
    });

    it('whose merge conflicted blocks the task when the rework budget is spent', () => {
      const step = nextStep(
        facts({
          task: { reworks: 1 },
          attempts: [last],
          evaluation: evaluation(last, [check('test', true)]),
          conflict: ['src/a.ts'],
          maxRework: 1,
        }),
      );
      expect(step).toEqual({ type: 'block', reason: 'merge conflict in src/a.ts' });
    });

    it('whose merge broke the integration branch is taken out, then reworked with what failed there', () => {
      const broken = { ...check('test', false), output: 'FAIL sum.test.js: expected 3, got 4' };
      const step = nextStep(
        facts({
          attempts: [last],
          evaluation: evaluation(last, [check('test', true)]),
          brokeIntegration: { merge: 'merge-1', checks: [broken] },
        }),
      );
      expect(step).toMatchObject({
        type: 'take-out',
        attempt: last,
        merge: 'merge-1',
        then: { type: 'rework', setback: { reason: 'health check after merge: test failed' } },
      });
      const feedback =
        step.type === 'take-out' && step.then.type === 'rework' ? step.then.setback.feedback : '';
      expect(feedback).toContain('taken back out');
      expect(feedback).toContain('expected 3, got 4');
    });

    it('whose merge broke the integration branch is taken out and blocks when the rework budget is spent', () => {
      const step = nextStep(
        facts({
          task: { reworks: 1 },
          attempts: [last],
          evaluation: evaluation(last, [check('test', true)]),
          brokeIntegration: { merge: 'merge-1', checks: [check('test', false)] },
          maxRework: 1,
        }),
      );
      expect(step).toMatchObject({
        type: 'take-out',
        then: { type: 'block', reason: 'health check after merge: test failed' },
      });
    });
  });

  describe('a passing result under the run’s autonomy', () => {
    const last = attempt(1, 'first', { status: 'succeeded' });
    const yellow = { ...evaluation(last, [check('test', true)]), confidence: 'yellow' as const };
    const green = evaluation(last, [check('test', true)]);

    it('waits for a person when yellow under review_yellow, and merges when green', () => {
      const step = nextStep(facts({ attempts: [last], evaluation: yellow }));
      expect(step).toMatchObject({ type: 'await-approval', evaluation: { id: yellow.id } });
      expect(step.type === 'await-approval' ? step.why : '').toContain('review_yellow');
      expect(nextStep(facts({ attempts: [last], evaluation: green }))).toMatchObject({ type: 'merge' });
    });

    it('merges yellow under full_auto, and waits even when green under review_all', () => {
      expect(nextStep(facts({ attempts: [last], evaluation: yellow, autonomy: 'full_auto' }))).toMatchObject({
        type: 'merge',
      });
      expect(nextStep(facts({ attempts: [last], evaluation: green, autonomy: 'review_all' }))).toMatchObject({
        type: 'await-approval',
      });
    });

    it('merges once approved; a denial is a rework carrying the reason, even with no rework left', () => {
      const approved = { decision: 'approved' as const, reason: null };
      expect(nextStep(facts({ attempts: [last], evaluation: yellow, decision: approved }))).toMatchObject({
        type: 'merge',
      });
      const denied = { decision: 'denied' as const, reason: 'use the existing helper\nnot a new one' };
      const step = nextStep(facts({ attempts: [last], evaluation: yellow, decision: denied, maxRework: 0 }));
      expect(step).toMatchObject({ type: 'rework', setback: { reason: 'denied: use the existing helper' } });
      expect(step.type === 'rework' ? step.setback.feedback : '').toContain(
        'use the existing helper\nnot a new one',
      );
    });

    it('never asks about a red result: it goes back for rework', () => {
      const red = evaluation(last, [check('test', false, 'boom')]);
      expect(nextStep(facts({ attempts: [last], evaluation: red, autonomy: 'review_all' }))).toMatchObject({
        type: 'rework',
      });
    });
  });
});
