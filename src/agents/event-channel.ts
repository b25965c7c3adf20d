import { GafferError } from '../domain/index.js';

/** A buffered, single-consumer async queue: what a producer pushes before anyone reads is kept. */
export interface EventChannel<T> extends AsyncIterable<T> {
  /** Queues `value`; ignored once the channel has ended or its consumer has stopped reading. */
  push(value: T): void;
  /** Ends the stream: the consumer gets what is buffered, then `done`. Idempotent. */
  end(): void;
  readonly ended: boolean;
}

/**
 * Creates an {@link EventChannel}. One consumer only: adapters produce one stream per session and
 * the engine fans it out, so a second iteration is a bug we report instead of splitting events.
 * When the consumer stops early (`break`), later pushes are dropped so an unread session cannot
 * grow the buffer without bound.
 */
export function createEventChannel<T>(): EventChannel<T> {
  let buffer: T[] = [];
  let head = 0;
  const waiters: ((result: IteratorResult<T>) => void)[] = [];
  let ended = false;
  let detached = false;
  let claimed = false;

  const done = (): IteratorResult<T> => ({ done: true, value: undefined });
  const releaseWaiters = () => {
    for (const resolve of waiters.splice(0)) resolve(done());
  };

  const take = (): T | undefined => {
    const value = buffer[head];
    head += 1;
    // Compact now and then instead of shift(), which is O(n) per call on long transcripts.
    if (head > 1024 && head * 2 > buffer.length) {
      buffer = buffer.slice(head);
      head = 0;
    }
    return value;
  };

  const iterator: AsyncIterator<T> = {
    next() {
      if (head < buffer.length) return Promise.resolve({ done: false, value: take() as T });
      if (ended || detached) return Promise.resolve(done());
      return new Promise((resolve) => waiters.push(resolve));
    },
    return() {
      detached = true;
      buffer = [];
      head = 0;
      releaseWaiters();
      return Promise.resolve(done());
    },
  };

  return {
    get ended() {
      return ended;
    },
    push(value) {
      if (ended || detached) return;
      const waiter = waiters.shift();
      if (waiter) waiter({ done: false, value });
      else buffer.push(value);
    },
    end() {
      ended = true;
      releaseWaiters();
    },
    [Symbol.asyncIterator]() {
      if (claimed) {
        throw new GafferError('GAFFER_BAD_INPUT', 'this event channel is already being read', {
          hint: 'an event channel has one consumer: read it once and fan the events out',
        });
      }
      claimed = true;
      return iterator;
    },
  };
}
