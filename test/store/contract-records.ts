import { beforeEach, describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../src/domain/index.js';
import type { GafferEvent } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import {
  created,
  makeAttempt,
  makeEvaluation,
  makeRun,
  makeTasks,
  passedEvent,
  taskEvent,
} from './fixtures.js';
import { seedRun, types } from './contract-helpers.js';

/** Contract part: records round-trip, and status changes are written with their events or not at all. */
export function recordsContract(current: () => Store): void {
  describe('records and transitions', () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    it('round-trips a run, its tasks in plan order, attempts, evaluations and events exactly', async () => {
      const run = await seedRun(store);
      expect(await store.getRun(run.id)).toEqual(run);
      expect(await store.listTasks(run.id)).toEqual(makeTasks(run));
      expect((await store.listTasks(run.id)).map((t) => t.taskId)).toEqual(['zeta', 'alpha', 'mid']);
      expect(await store.getTask(run.id, 'nope')).toBeUndefined();
      expect(await store.getRun('nope')).toBeUndefined();

      const first = makeAttempt(run.id, 'alpha', 1, {
        usage: { inputTokens: 1200, outputTokens: 340, cachedInputTokens: 0, costUsd: 0.0123 },
        headCommit: 'd'.repeat(40),
        nativeSessionId: 'sess-1',
        transcriptPath: '/t/1.jsonl',
        finishedAt: '2025-01-02T03:05:30.000Z',
      });
      const second = makeAttempt(run.id, 'alpha', 2);
      const started: GafferEvent = {
        type: 'attempt.started',
        runId: run.id,
        taskId: 'alpha',
        attemptId: first.id,
        data: { number: 1, kind: 'first', agent: 'script', worktree: '/wt/alpha', branch: first.branch },
      };
      const evaluation = makeEvaluation(first, true);
      await store.transaction(async (tx) => {
        await tx.insertAttempt(second, { ...started, attemptId: second.id });
        await tx.insertAttempt(first, started);
        await tx.insertEvaluation(evaluation, {
          type: 'evaluation.completed',
          runId: run.id,
          taskId: 'alpha',
          attemptId: first.id,
          data: { passed: true, score: 0.875, confidence: 'green', failed: [] },
        });
        expect(await tx.getAttempt(first.id)).toEqual(first);
      });
      expect(await store.getAttempt(first.id)).toEqual(first);
      expect(await store.getAttempt(second.id)).toEqual(second);
      expect(await store.listAttempts(run.id)).toEqual([first, second]);
      expect(await store.listAttempts(run.id, 'zeta')).toEqual([]);
      expect(await store.listEvaluations(run.id, 'alpha')).toEqual([evaluation]);
      expect(await store.listEvaluations(run.id, 'zeta')).toEqual([]);

      const events = await store.readEvents({ runId: run.id });
      expect(types(events)).toEqual([
        'run.created',
        'attempt.started',
        'attempt.started',
        'evaluation.completed',
      ]);
      expect(events[0]).toStrictEqual({ ...created(run), id: events[0]!.id, at: events[0]!.at });
      expect(events[2]).toStrictEqual({ ...started, id: events[2]!.id, at: events[2]!.at });
      expect(Number.isNaN(Date.parse(events[0]!.at))).toBe(false);
    });

    it('writes a status change and its event together, and neither on an illegal move', async () => {
      const run = await seedRun(store);
      const ready = await store.transaction((tx) =>
        tx.setTaskStatus(
          run.id,
          'alpha',
          'ready',
          { reason: 'deps done' },
          taskEvent(run.id, 'alpha', 'task.ready'),
        ),
      );
      expect(ready).toEqual({ ...makeTasks(run)[1], status: 'ready', reason: 'deps done' });
      expect(await store.getTask(run.id, 'alpha')).toEqual(ready);

      const before = await store.readEvents({ runId: run.id });
      const illegal = store.transaction((tx) =>
        tx.setTaskStatus(run.id, 'alpha', 'passed', {}, passedEvent(run.id, 'alpha')),
      );
      await expect(illegal).rejects.toBeInstanceOf(IllegalTransitionError);
      await expect(illegal).rejects.toMatchObject({
        code: 'GAFFER_ILLEGAL_TRANSITION',
        from: 'ready',
        to: 'passed',
      });
      expect(await store.getTask(run.id, 'alpha')).toEqual(ready);
      expect(await store.readEvents({ runId: run.id })).toEqual(before);

      const running = await store.transaction((tx) =>
        tx.setRunStatus(
          run.id,
          'running',
          {},
          { type: 'run.started', runId: run.id, data: { ownerId: 'o', resumed: false } },
        ),
      );
      expect(running.status).toBe('running');
      expect(running.updatedAt > run.updatedAt).toBe(true);
      const failed = await store.transaction((tx) =>
        tx.setRunStatus(
          run.id,
          'failed',
          { reason: 'boom', finishedAt: '2025-02-01T00:00:00.000Z' },
          {
            type: 'run.failed',
            runId: run.id,
            data: { reason: 'boom' },
          },
        ),
      );
      expect(await store.getRun(run.id)).toEqual({ ...failed, status: 'failed', reason: 'boom' });
      expect(failed.finishedAt).toBe('2025-02-01T00:00:00.000Z');
      expect(types(await store.readEvents({ runId: run.id }))).toEqual([
        'run.created',
        'task.ready',
        'run.started',
        'run.failed',
      ]);
    });

    it('moves attempts through their state machine and updates rows without events', async () => {
      const run = await seedRun(store);
      const attempt = makeAttempt(run.id, 'zeta', 1);
      const usage = { inputTokens: 10, outputTokens: 5, cachedInputTokens: 2, costUsd: 0.5 };
      const done = await store.transaction(async (tx) => {
        await tx.insertAttempt(attempt, {
          type: 'attempt.running',
          runId: run.id,
          attemptId: attempt.id,
          data: {},
        });
        await tx.setAttemptStatus(
          attempt.id,
          'running',
          {},
          { type: 'attempt.running', runId: run.id, data: {} },
        );
        await tx.updateAttempt(attempt.id, { nativeSessionId: 'native-7' });
        await tx.updateTask(run.id, 'zeta', { attempts: 1, startedAt: '2025-01-02T03:05:00.000Z' });
        await tx.updateRun(run.id, { options: { ...run.options, concurrency: 8 } });
        return tx.setAttemptStatus(
          attempt.id,
          'succeeded',
          { usage, headCommit: 'e'.repeat(40), finishedAt: 'x' },
          {
            type: 'attempt.succeeded',
            runId: run.id,
            attemptId: attempt.id,
            data: { headCommit: 'e'.repeat(40), filesChanged: 1, usage },
          },
        );
      });
      const expected = {
        ...attempt,
        status: 'succeeded',
        nativeSessionId: 'native-7',
        usage,
        headCommit: 'e'.repeat(40),
        finishedAt: 'x',
      };
      expect(done).toEqual(expected);
      expect(await store.getAttempt(attempt.id)).toEqual(expected);
      expect(await store.getTask(run.id, 'zeta')).toMatchObject({
        attempts: 1,
        startedAt: '2025-01-02T03:05:00.000Z',
      });
      expect((await store.getRun(run.id))?.options.concurrency).toBe(8);
      await expect(
        store.transaction((tx) =>
          tx.setAttemptStatus(
            attempt.id,
            'running',
            {},
            { type: 'attempt.running', runId: run.id, data: {} },
          ),
        ),
      ).rejects.toBeInstanceOf(IllegalTransitionError);
      expect(types(await store.readEvents({ runId: run.id }))).toEqual([
        'run.created',
        'attempt.running',
        'attempt.running',
        'attempt.succeeded',
      ]);
    });

    it('reports unknown rows as errors', async () => {
      const run = await seedRun(store);
      await expect(
        store.transaction((tx) =>
          tx.setRunStatus(
            'ghost',
            'running',
            {},
            { type: 'run.started', runId: 'ghost', data: { ownerId: 'o', resumed: false } },
          ),
        ),
      ).rejects.toMatchObject({ code: 'GAFFER_RUN_NOT_FOUND' });
      await expect(
        store.transaction((tx) =>
          tx.setTaskStatus(run.id, 'ghost', 'ready', {}, taskEvent(run.id, 'ghost', 'task.ready')),
        ),
      ).rejects.toMatchObject({ code: 'GAFFER_STORE', details: { runId: run.id, taskId: 'ghost' } });
      await expect(
        store.transaction((tx) => tx.updateAttempt('ghost', { error: 'x' })),
      ).rejects.toMatchObject({ code: 'GAFFER_STORE' });
      expect(types(await store.readEvents({}))).toEqual(['run.created']);
    });

    it('rolls back rows and events when the transaction callback throws', async () => {
      const run = await seedRun(store);
      const outcome = store.transaction(async (tx) => {
        await tx.setTaskStatus(run.id, 'zeta', 'ready', {}, taskEvent(run.id, 'zeta', 'task.ready'));
        await tx.appendEvent({
          type: 'attempt.question-asked',
          runId: run.id,
          data: { questionId: 'q', question: 'why?' },
        });
        expect((await tx.getTask(run.id, 'zeta'))?.status).toBe('ready');
        throw new Error('boom');
      });
      await expect(outcome).rejects.toThrow('boom');
      expect((await store.getTask(run.id, 'zeta'))?.status).toBe('pending');
      expect(types(await store.readEvents({ runId: run.id }))).toEqual(['run.created']);
      const rolledBackRun = makeRun('run-2');
      await expect(
        store.transaction(async (tx) => {
          await tx.insertRun(rolledBackRun, makeTasks(rolledBackRun), created(rolledBackRun));
          throw new Error('later failure');
        }),
      ).rejects.toThrow('later failure');
      expect(await store.getRun('run-2')).toBeUndefined();
      expect(await store.listTasks('run-2')).toEqual([]);
    });
  });
}
