import type { Store } from '../../store/index.js';
import type { Logger } from '../logger.js';
import { errorMessage } from '../logger.js';
import { pause, tailEvents } from '../queries/tail-events.js';
import type { ControlRequest } from './control.js';

/**
 * Follows a driven run's log for pause and cancel requests from other processes (recorded by
 * {@link requestStop}), and for decisions on waiting results (`onDecision`, with the task's id),
 * until `signal` aborts. A read error must not end the run — the lease
 * decides that — so the watch logs it and starts again from where it was.
 */
export async function watchControlRequests(
  store: Store,
  runId: string,
  options: { after: number; pollMs: number; signal: AbortSignal; logger: Logger },
  onRequest: (request: ControlRequest) => void,
  onDecision: (taskId: string) => void = () => undefined,
): Promise<void> {
  let after = options.after;
  while (!options.signal.aborted) {
    try {
      for await (const event of tailEvents(store, runId, {
        after,
        types: ['run.pause-requested', 'run.cancel-requested', 'approval.decided'],
        follow: true,
        pollMs: options.pollMs,
        signal: options.signal,
      })) {
        after = event.id;
        if (event.type === 'run.pause-requested') onRequest({ kind: 'pause', ...event.data });
        if (event.type === 'run.cancel-requested') onRequest({ kind: 'cancel', reason: event.data.reason });
        if (event.type === 'approval.decided' && event.taskId !== undefined) onDecision(event.taskId);
      }
    } catch (error) {
      options.logger.warn('reading control requests failed; retrying', { runId, error: errorMessage(error) });
      await pause(options.pollMs, options.signal);
    }
  }
}
