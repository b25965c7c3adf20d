import type { StoredEvent } from '../../domain/index.js';
import { isTerminalRun } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { mustGetRun } from '../control/control.js';
import { isDriven } from '../control/liveness.js';
import type { TailOptions } from './tail-events.js';
import { tailEvents } from './tail-events.js';

/** Options of a reader's tail. */
export interface FollowOptions extends Pick<TailOptions, 'after' | 'taskId' | 'types' | 'signal' | 'pollMs'> {
  /** Keep following until the run stops (ends, pauses, or is left pending with nobody driving it). */
  follow?: boolean;
  /**
   * With `follow`: `stopped` (default) as above, for a terminal that drives the run itself; `ended`
   * follows a paused or pending run too, until it completes, fails or is cancelled (or the signal
   * aborts) — a dashboard watching a run that is about to be driven, or resumed later.
   */
  until?: 'stopped' | 'ended';
}

/**
 * A run's events for a reader (CLI follow, SSE): with `follow`, new ones as they are recorded,
 * until the run stops.
 */
export async function* followRunEvents(
  store: () => Promise<Store>,
  runId: string,
  options: FollowOptions,
): AsyncGenerator<StoredEvent> {
  const db = await store();
  await mustGetRun(db, runId);
  const { follow, until, ...rest } = options;
  // A run stops being worth following once it ended or paused, or sits pending with nobody to drive it.
  const stopped = async () => {
    const run = await mustGetRun(db, runId);
    if (isTerminalRun(run.status)) return true;
    if (until === 'ended') return false;
    return run.status === 'paused' || (run.status === 'pending' && !(await isDriven(db, runId)));
  };
  yield* tailEvents(db, runId, { ...rest, ...(follow ? { follow: stopped } : {}) });
}
