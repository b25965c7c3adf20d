import { beforeEach, describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { passedEvent, sleep } from './fixtures.js';
import { seedRun, toEvaluating, types } from './contract-helpers.js';

/** Contract part: the event log, exactly-once transitions under concurrency, leases, listing, migrations. */
export function concurrencyContract(current: () => Store): void {
  describe('events, concurrency and leases', () => {
    let store: Store;
    beforeEach(() => {
      store = current();
    });

    it('keeps events monotonic and filters them by run, task, afterId and limit', async () => {
      const a = await seedRun(store, 'run-a');
      const b = await seedRun(store, 'run-b');
      const appended = await store.transaction(async (tx) => {
        const out = [];
        for (let i = 0; i < 5; i++) {
          const run = i % 2 === 0 ? a : b;
          out.push(
            await tx.appendEvent({
              type: 'attempt.question-asked',
              runId: run.id,
              taskId: i < 3 ? 'alpha' : 'mid',
              data: { questionId: `q${i}`, question: `q${i}?` },
            }),
          );
        }
        return out;
      });
      const all = await store.readEvents({});
      expect(all).toHaveLength(7);
      for (let i = 1; i < all.length; i++) expect(all[i]!.id).toBeGreaterThan(all[i - 1]!.id);
      expect(all.slice(2)).toEqual(appended);

      expect((await store.readEvents({ runId: a.id })).map((e) => e.runId)).toEqual([
        'run-a',
        'run-a',
        'run-a',
        'run-a',
      ]);
      const alphaOfA = await store.readEvents({ runId: a.id, taskId: 'alpha' });
      expect(alphaOfA.map((e) => e.data)).toEqual([
        { questionId: 'q0', question: 'q0?' },
        { questionId: 'q2', question: 'q2?' },
      ]);
      expect(await store.readEvents({ afterId: appended[2]!.id })).toEqual(appended.slice(3));
      expect(await store.readEvents({ runId: b.id, afterId: all[1]!.id, limit: 1 })).toEqual([appended[1]]);
      expect(await store.readEvents({ limit: 2 })).toEqual(all.slice(0, 2));
      expect(await store.readEvents({ afterId: all[6]!.id })).toEqual([]);
    });

    it('lets a task pass only once', async () => {
      const run = await seedRun(store);
      await toEvaluating(store, run.id, 'mid');
      const pass = () =>
        store.transaction((tx) =>
          tx.setTaskStatus(
            run.id,
            'mid',
            'passed',
            { mergeCommit: 'c'.repeat(40), filesChanged: 3 },
            passedEvent(run.id, 'mid'),
          ),
        );
      expect(await pass()).toMatchObject({ status: 'passed', mergeCommit: 'c'.repeat(40), filesChanged: 3 });
      await expect(pass()).rejects.toBeInstanceOf(IllegalTransitionError);
      const passed = (await store.readEvents({ runId: run.id, taskId: 'mid' })).filter(
        (e) => e.type === 'task.passed',
      );
      expect(passed).toHaveLength(1);
    });

    it('lets exactly one of 20 concurrent transactions pass a task', async () => {
      const run = await seedRun(store);
      await toEvaluating(store, run.id, 'alpha');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          store.transaction((tx) =>
            tx.setTaskStatus(run.id, 'alpha', 'passed', {}, passedEvent(run.id, 'alpha')),
          ),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes)
        if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(IllegalTransitionError);
      expect(
        types(await store.readEvents({ runId: run.id, taskId: 'alpha' })).filter((t) => t === 'task.passed'),
      ).toHaveLength(1);
    });

    it('hands out leases with fencing tokens', async () => {
      await seedRun(store);
      const first = await store.acquireLease('run-1', 'owner-a', 60_000);
      expect(first).toMatchObject({ runId: 'run-1', ownerId: 'owner-a', token: 1 });
      expect(await store.getLease('run-1')).toEqual(first);
      expect(await store.acquireLease('run-1', 'owner-b', 60_000)).toBeUndefined();
      expect(await store.acquireLease('run-1', 'owner-a', 60_000)).toMatchObject({
        ownerId: 'owner-a',
        token: 1,
      });
      expect(await store.renewLease('run-1', 'owner-a', 1, 60_000)).toBe(true);

      expect(await store.acquireLease('run-1', 'owner-a', 1)).toMatchObject({ token: 1 });
      await sleep(20);
      const taken = await store.acquireLease('run-1', 'owner-b', 60_000);
      expect(taken).toMatchObject({ ownerId: 'owner-b', token: 2 });
      expect(await store.renewLease('run-1', 'owner-a', 1, 60_000)).toBe(false);
      expect(await store.renewLease('run-1', 'owner-b', 1, 60_000)).toBe(false);
      await store.releaseLease('run-1', 'owner-a', 1);
      expect(await store.getLease('run-1')).toMatchObject({ ownerId: 'owner-b', token: 2 });
      expect(await store.renewLease('run-1', 'owner-b', 2, 60_000)).toBe(true);
      await store.releaseLease('run-1', 'owner-b', 2);
      expect(await store.getLease('run-1')).toBeUndefined();
      expect(await store.renewLease('run-1', 'owner-b', 2, 60_000)).toBe(false);
      // the fencing token keeps growing after a release
      expect(await store.acquireLease('run-1', 'owner-c', 60_000)).toMatchObject({
        ownerId: 'owner-c',
        token: 3,
      });
    });

    it('takes a live lease over only from the owner named in takeOverFrom', async () => {
      await store.acquireLease('run-1', 'dead-owner', 60_000);
      expect(
        await store.acquireLease('run-1', 'new-owner', 60_000, { takeOverFrom: 'someone-else' }),
      ).toBeUndefined();
      const taken = await store.acquireLease('run-1', 'new-owner', 60_000, { takeOverFrom: 'dead-owner' });
      expect(taken).toMatchObject({ ownerId: 'new-owner', token: 2 });
      expect(await store.renewLease('run-1', 'dead-owner', 1, 60_000)).toBe(false);
      expect(await store.getLease('run-1')).toEqual(taken);
    });

    it('gives a free lease to exactly one of many racing owners', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.acquireLease('run-9', `owner-${i}`, 60_000)),
      );
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(await store.getLease('run-9')).toEqual(winners[0]);
    });

    it('lists runs newest first', async () => {
      await seedRun(store, 'middle', '2025-03-01T00:00:00.000Z');
      await seedRun(store, 'newest', '2025-04-01T00:00:00.000Z');
      await seedRun(store, 'oldest', '2025-01-01T00:00:00.000Z');
      expect((await store.listRuns()).map((r) => r.id)).toEqual(['newest', 'middle', 'oldest']);
    });

    it('migrates idempotently', async () => {
      const run = await seedRun(store);
      await store.migrate();
      await store.migrate();
      expect(await store.getRun(run.id)).toEqual(run);
    });

    it('refuses store calls made inside one of its own transactions', async () => {
      const run = await seedRun(store);
      await expect(store.transaction(() => store.getRun(run.id))).rejects.toMatchObject({
        code: 'GAFFER_STORE',
      });
      await expect(store.transaction(() => store.transaction(async () => 1))).rejects.toMatchObject({
        code: 'GAFFER_STORE',
      });
      expect(await store.transaction(async (tx) => (await tx.getRun(run.id))?.id)).toBe(run.id);
    });
  });
}
