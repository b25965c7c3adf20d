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

/**
 * Whether a drive must check the base before its first task: `first` when nothing was recorded
 * yet (a first start, or a pause, crash or Ctrl-C before the baseline finished); `again` when
 * the recorded baseline is the one that stopped the run and `gaffer retry` reopened it, once the
 * environment was fixed (so the cached results are not to be trusted).
 */
export async function baselineDue(store: Store, runId: string): Promise<'first' | 'again' | undefined> {
  const events = await store.readEvents({ runId, types: ['run.baseline-completed', 'run.no-checks'] });
  const last = events.at(-1);
  if (last === undefined) return 'first';
  const stoppedTheRun =
    last.type === 'run.baseline-completed' &&
    last.data.policy === 'require_green' &&
    last.data.checks.some((check) => !check.passed);
  return stoppedTheRun ? 'again' : undefined;
}
