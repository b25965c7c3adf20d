import type { GafferEventType, StoredEvent } from '../../domain/index.js';
import type { Store } from '../../store/index.js';

export interface TailOptions {
  /** Only events with a larger id: the cursor a client resumes from (SSE `Last-Event-ID`). */
  after?: number;
  taskId?: string;
  types?: readonly GafferEventType[];
  /**
   * Keep waiting for new events; without it the tail ends at the newest event. With a function,
   * the tail ends once it returns true (checked whenever the log has nothing new), after one last read.
   */
  follow?: boolean | (() => Promise<boolean>);
  /** Ends the tail (also while it waits). */
  signal?: AbortSignal;
  /** How long to wait between reads of an idle log. */
  pollMs?: number;
}

// One page of the cursor: the log is read in indexed slices, never as a whole.
const PAGE = 500;

/**
 * A run's events in id order as an async iterable over the indexed `(run_id, id)` cursor. Every
 * shell (CLI follow, live table, SSE, the question router, the engine's control watch) reads
 * the log through this, so what one sees can never be lost or reordered.
 */
export async function* tailEvents(
  store: Store,
  runId: string,
  options: TailOptions = {},
): AsyncGenerator<StoredEvent> {
  let after = options.after ?? 0;
  let ending = false;
  for (;;) {
    if (options.signal?.aborted) return;
    const page = await store.readEvents({
      runId,
      afterId: after,
      limit: PAGE,
      ...(options.taskId === undefined ? {} : { taskId: options.taskId }),
      ...(options.types === undefined ? {} : { types: options.types }),
    });
    for (const event of page) {
      after = event.id;
      yield event;
      if (options.signal?.aborted) return;
    }
    if (page.length === PAGE) continue;
    if (ending || !options.follow) return;
    if (typeof options.follow === 'function' && (await options.follow())) {
      ending = true; // read once more: what was written before the end counts
      continue;
    }
    await pause(options.pollMs ?? 200, options.signal);
  }
}

/** Waits `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
