import type { RunRecord } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { created, makeRun, makeTasks, taskEvent } from './fixtures.js';

/** Inserts a run with its tasks and returns it. */
export async function seedRun(store: Store, id = 'run-1', createdAt?: string): Promise<RunRecord> {
  const run = makeRun(id, createdAt);
  await store.transaction((tx) => tx.insertRun(run, makeTasks(run), created(run)));
  return run;
}

/** Moves a pending task to `evaluating`, the state a verdict is written from. */
export async function toEvaluating(store: Store, runId: string, taskId: string): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.setTaskStatus(runId, taskId, 'ready', {}, taskEvent(runId, taskId, 'task.ready'));
    await tx.setTaskStatus(
      runId,
      taskId,
      'running',
      { attempts: 1 },
      taskEvent(runId, taskId, 'task.started'),
    );
    await tx.setTaskStatus(
      runId,
      taskId,
      'evaluating',
      {},
      { type: 'task.evaluating', runId, taskId, data: { attempt: 1 } },
    );
  });
}

export const types = (events: { type: string }[]) => events.map((e) => e.type);
