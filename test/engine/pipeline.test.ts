import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgentRegistry } from '../../src/agents/index.js';
import type { PlanTask, RunRecord } from '../../src/domain/index.js';
import { agentFailure, DEFAULT_RETRY_POLICY, taskRequeued } from '../../src/domain/index.js';
import { silentLogger } from '../../src/engine/logger.js';
import { runTaskPipeline } from '../../src/engine/pipeline/run-task.js';
import type { RunContext } from '../../src/engine/run-context.js';
import { worktreePath } from '../../src/engine/run-context.js';
import { StopRequest } from '../../src/engine/stop-request.js';
import { created, makeRun, makeTask } from '../store/fixtures.js';
import type { ScriptedSession } from '../support/fakes/fake-agent.js';
import { FakeAgent, failed, succeeded } from '../support/fakes/fake-agent.js';
import type { FakeRepoOptions } from '../support/fakes/fake-repo.js';
import { FakeRepo } from '../support/fakes/fake-repo.js';
import { RecordingStore } from '../support/fakes/recording-store.js';

const INTEGRATION_HEAD = 'integration-1';
const INSTRUCTIONS = 'Always run `npm test` before you finish.';

interface Harness {
  ctx: RunContext;
  store: RecordingStore;
  repo: FakeRepo;
  agent: FakeAgent;
  run: RunRecord;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.store.close();
    rmSync(h.repo.root, { recursive: true, force: true });
  }
});

/**
 * One task `t` on the fake agent, `ready` as the scheduler dispatches it, in a run whose checks
 * resolve to none (only its deliverables, none by default) and whose retries wait 10 ms.
 */
async function harness(
  script: ScriptedSession[],
  options: { repo?: FakeRepoOptions; task?: Partial<PlanTask> } = {},
): Promise<Harness> {
  const base = makeRun('run-1', undefined, ['t']);
  const repo = new FakeRepo({
    // The agent's work: a task branch that changes nothing fails its evaluation.
    changedPaths: ['src/work.ts'],
    ...options.repo,
    refs: { [`refs/heads/${base.integrationBranch}`]: INTEGRATION_HEAD, ...options.repo?.refs },
  });
  const run: RunRecord = {
    ...base,
    status: 'running',
    repoPath: repo.root,
    options: { concurrency: 1, keepGoing: false, schedule: 'critical-path' },
    plan: {
      ...base.plan,
      settings: {
        ...base.plan.settings,
        agent: 'fake',
        agents: {},
        // No checks run here: the results are yellow, merged without waiting for a person.
        autonomy: 'full_auto',
        retry: { ...DEFAULT_RETRY_POLICY, initial_interval_s: 0.01 },
      },
      tasks: base.plan.tasks.map((t) => ({
        ...t,
        deliverables: [],
        verifiers: { commands: {}, only: [] },
        ...options.task,
      })),
    },
  };
  const store = await RecordingStore.open();
  await store.transaction((tx) =>
    tx.insertRun(run, [makeTask(run.id, 't', { status: 'ready' })], created(run)),
  );
  const agent = new FakeAgent(script);
  const ctx: RunContext = {
    store,
    repo,
    run,
    agents: createAgentRegistry([agent]),
    env: { PATH: process.env.PATH },
    instructions: INSTRUCTIONS,
    logger: silentLogger,
  };
  const h = { ctx, store, repo, agent, run };
  open.push(h);
  return h;
}

const drive = (h: Harness) => runTaskPipeline(h.ctx, 't', new AbortController().signal);
const attemptsOf = (h: Harness) => h.store.listAttempts(h.run.id, 't');
const taskOf = async (h: Harness) => (await h.store.getTask(h.run.id, 't'))!;
const taskLines = (h: Harness) => h.store.lines((t) => t.entity === 'task');

describe('task pipeline', () => {
  it('tells the first attempt the repository instructions and the task', async () => {
    const h = await harness([succeeded()]);
    expect(await drive(h)).toEqual({ type: 'passed' });
    const [input] = h.agent.inputs;
    expect(input?.kind).toBe('first');
    expect(input?.prompt).toContain(`## Repository instructions\n${INSTRUCTIONS}`);
    expect(input?.prompt).toContain('## Task t: Task t');
    expect(input?.cwd).toBe(worktreePath(h.repo.root, h.run.slug, 't'));
    expect(input).not.toHaveProperty('resumeSessionId');
    expect(h.store.lines()).toEqual([
      'task running (task.started)',
      'attempt running (attempt.running)',
      'attempt succeeded (attempt.succeeded)',
      'task evaluating (task.evaluating)',
      'task passed (task.passed)',
    ]);
  });

  it('keeps each refusal of the permission policy in the database, redacted, not only in the transcript', async () => {
    const h = await harness([
      {
        result: { status: 'succeeded' },
        events: [
          {
            type: 'denied',
            tool: 'Bash',
            input: { command: 'cat ~/.ssh/id_rsa' },
            reason: 'reading credentials',
          },
        ],
      },
    ]);
    expect(await drive(h)).toEqual({ type: 'passed' });
    const denials = await h.store.readEvents({ runId: h.run.id, types: ['attempt.denied'] });
    expect(denials.map((e) => e.data)).toEqual([
      { tool: 'Bash', reason: 'reading credentials', input: '{"command":"cat ~/.ssh/id_rsa"}' },
    ]);
  });

  it('retries a rate-limited session in the same native session without spending rework', async () => {
    const limited = agentFailure('rate_limited', '429 slow down', { retryAfterMs: 20 });
    const h = await harness([failed(limited, { nativeSessionId: 'native-1' }), succeeded()]);

    expect(await drive(h)).toEqual({ type: 'passed' });

    const task = await taskOf(h);
    expect(task).toMatchObject({ status: 'passed', attempts: 2, reworks: 0 });
    expect((await attemptsOf(h)).map((a) => [a.kind, a.status])).toEqual([
      ['first', 'failed'],
      ['retry', 'succeeded'],
    ]);
    expect(h.agent.inputs.map((i) => [i.kind, i.resumeSessionId])).toEqual([
      ['first', undefined],
      ['retry', 'native-1'],
    ]);
    expect(taskLines(h)).toEqual([
      'task running (task.started)',
      'task ready (attempt.retry-scheduled)',
      'task running (task.started)',
      'task evaluating (task.evaluating)',
      'task passed (task.passed)',
    ]);
    const [scheduled] = await h.store.readEvents({ runId: h.run.id, types: ['attempt.retry-scheduled'] });
    // Retry-After (20 ms) beats the 10 ms backoff.
    expect(scheduled).toMatchObject({
      attemptId: 'run-1.t.1',
      data: { kind: 'rate_limited', delayMs: 20, retry: 1 },
    });
  });

  it('blocks the task at once on an auth failure, with the fix in its reason', async () => {
    const auth = agentFailure('auth', 'invalid x-api-key', { hint: 'set ANTHROPIC_API_KEY to a valid key' });
    const h = await harness([failed(auth), succeeded()]);

    const outcome = await drive(h);

    expect(outcome).toEqual({
      type: 'blocked',
      reason: 'invalid x-api-key — set ANTHROPIC_API_KEY to a valid key',
    });
    expect(await taskOf(h)).toMatchObject({
      status: 'blocked',
      attempts: 1,
      reworks: 0,
      reason: expect.stringContaining('set ANTHROPIC_API_KEY to a valid key') as unknown,
    });
    expect(h.agent.inputs).toHaveLength(1);
    expect(h.store.lines()).toEqual([
      'task running (task.started)',
      'attempt running (attempt.running)',
      'attempt failed (attempt.failed)',
      'task blocked (task.blocked)',
    ]);
  });

  it('reworks a merge conflict on the integration head, naming the conflicting files', async () => {
    const h = await harness([succeeded(), succeeded()], {
      repo: {
        merges: [{ ok: false, conflicts: ['src/app.ts', 'src/util.ts'] }],
        rebases: [{ ok: false, conflicts: ['src/app.ts'] }],
      },
    });
    const worktree = worktreePath(h.repo.root, h.run.slug, 't');

    expect(await drive(h)).toEqual({ type: 'passed' });

    expect(await taskOf(h)).toMatchObject({ status: 'passed', attempts: 2, reworks: 1 });
    const [, rework] = await attemptsOf(h);
    expect(rework).toMatchObject({ kind: 'rework', baseCommit: INTEGRATION_HEAD });
    expect(h.agent.inputs[1]?.kind).toBe('rework');
    expect(h.agent.inputs[1]?.prompt).toContain('- src/app.ts\n- src/util.ts');
    // The worktree starts over on the integration head, not on the conflicted branch.
    expect(h.repo.callsOf('resetHard')).toEqual([[worktree, INTEGRATION_HEAD]]);
    expect(h.repo.callsOf('rebase')).toEqual([[worktree, h.run.integrationBranch]]);
    const [conflict] = await h.store.readEvents({ runId: h.run.id, types: ['merge.conflicted'] });
    expect(conflict).toMatchObject({
      attemptId: 'run-1.t.1',
      data: { files: ['src/app.ts', 'src/util.ts'], rebased: false },
    });
    expect(taskLines(h)).toEqual([
      'task running (task.started)',
      'task evaluating (task.evaluating)',
      'task rework (task.rework)',
      'task running (task.started)',
      'task evaluating (task.evaluating)',
      'task passed (task.passed)',
    ]);
  });

  it('checks a rebased branch again before it merges it', async () => {
    const h = await harness([succeeded()], {
      repo: {
        merges: [{ ok: false, conflicts: ['src/app.ts'] }],
        rebases: [{ ok: true, head: 'rebased-1' }],
      },
    });

    expect(await drive(h)).toEqual({ type: 'passed' });

    // One agent session; two evaluations of its attempt: before and after the rebase.
    expect(h.agent.inputs).toHaveLength(1);
    const evaluations = await h.store.listEvaluations(h.run.id, 't');
    expect(evaluations.map((e) => e.id)).toEqual(['run-1.t.1.eval', 'run-1.t.1.eval.2']);
    const types = (await h.store.readEvents({ runId: h.run.id, taskId: 't' })).map((e) => e.type);
    const rebasedAt = types.indexOf('merge.rebased');
    expect(rebasedAt).toBeGreaterThan(-1);
    expect(types.indexOf('evaluation.completed', rebasedAt)).toBeGreaterThan(rebasedAt);
    expect(types.indexOf('task.passed')).toBeGreaterThan(types.lastIndexOf('evaluation.completed'));
    expect(h.repo.callsOf('mergeBranch')).toHaveLength(2);
  });

  it('reworks a failed check with its output and passes once the check does', async () => {
    const writeDeliverable = (input: { cwd: string }) => writeFileSync(join(input.cwd, 'out.txt'), 'done\n');
    const h = await harness([succeeded(), { ...succeeded(), act: writeDeliverable }], {
      task: { deliverables: ['out.txt'] },
    });

    expect(await drive(h)).toEqual({ type: 'passed' });

    expect(await taskOf(h)).toMatchObject({ attempts: 2, reworks: 1 });
    expect(h.agent.inputs[1]?.prompt).toContain('### deliverables failed');
    expect(h.agent.inputs[1]?.prompt).toContain('missing deliverables (1 of 1):\n  out.txt');
    const evaluations = await h.store.listEvaluations(h.run.id, 't');
    expect(evaluations.map((e) => e.passed)).toEqual([false, true]);
    const [rework] = await h.store.readEvents({ runId: h.run.id, types: ['task.rework'] });
    expect(rework).toMatchObject({ data: { attempt: 2, reason: 'deliverables failed' } });
  });

  // A pause between a step's record and the next decision leaves the task requeued to `ready`;
  // the resumed pipeline must still apply the recorded setback (`ready → rework | blocked`).
  describe('a setback recorded just before a pause', () => {
    /** Pauses while `method` runs, drives to the stop, requeues the task as the driver does, then resumes. */
    async function pauseAtThenResume(
      method: 'commitAll' | 'rebase',
      script: ScriptedSession[],
      repo: FakeRepoOptions = {},
    ) {
      const pause = new AbortController();
      const h = await harness(script, {
        repo: {
          ...repo,
          onCall: (call) => {
            if (call.method === method && !pause.signal.aborted)
              pause.abort(new StopRequest('pause', 'paused by the user'));
          },
        },
      });
      expect(await runTaskPipeline(h.ctx, 't', pause.signal)).toMatchObject({
        type: 'stopped',
        kind: 'pause',
      });
      await h.store.transaction((tx) => tx.apply(taskRequeued(h.run.id, 't', 'paused by the user')));
      return { h, outcome: await drive(h) };
    }

    it('reworks a failed session after the resume', async () => {
      const gaveUp = agentFailure('task_failed', 'could not finish');
      const { h, outcome } = await pauseAtThenResume('commitAll', [failed(gaveUp), succeeded()]);
      expect(outcome).toEqual({ type: 'passed' });
      expect(h.agent.inputs.map((i) => i.kind)).toEqual(['first', 'rework']);
    });

    it('reworks a merge conflict after the resume', async () => {
      const { h, outcome } = await pauseAtThenResume('rebase', [succeeded(), succeeded()], {
        merges: [{ ok: false, conflicts: ['src/app.ts'] }],
        rebases: [{ ok: false, conflicts: ['src/app.ts'] }],
      });
      expect(outcome).toEqual({ type: 'passed' });
      expect(h.agent.inputs.map((i) => i.kind)).toEqual(['first', 'rework']);
    });

    it('blocks an auth failure after the resume', async () => {
      const auth = agentFailure('auth', 'invalid x-api-key', { hint: 'set ANTHROPIC_API_KEY' });
      const { outcome } = await pauseAtThenResume('commitAll', [failed(auth)]);
      expect(outcome).toEqual({ type: 'blocked', reason: 'invalid x-api-key — set ANTHROPIC_API_KEY' });
    });
  });
});
