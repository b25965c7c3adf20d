import type { Store } from '../../store/index.js';
import type { BaselineCompletedEvent } from './baseline-types.js';

/**
 * The baseline a run recorded when it started, from its event log (the newest, should a start
 * have been repeated): what its evaluations compare against. Undefined for a run that has none
 * (it started before baselines existed, or its repository has no checks).
 */
export async function readRunBaseline(
  store: Store,
  runId: string,
): Promise<BaselineCompletedEvent['data'] | undefined> {
  const events = await store.readEvents({ runId, types: ['run.baseline-completed'] });
  const last = events.at(-1);
  return last?.type === 'run.baseline-completed' ? last.data : undefined;
}
