import { GafferError } from '../domain/index.js';

/** A buffered, single-consumer async queue: what a producer pushes before anyone reads is kept. */
export interface EventChannel<T> extends AsyncIterable<T> {
  /**
   * Queues `value`; ignored once the channel has ended or its consumer has stopped reading.
   * Returns false once `highWaterMark` values are queued, like a stream's `write`: a producer
   * that can wait should then await {@link whenWritable} before pushing more.
   */
  push(value: T): boolean;
  /** Ends the stream: the consumer gets what is buffered, then `done`. Idempotent. */
  end(): void;
  readonly ended: boolean;
  /** How many values are queued and not yet read. */
  readonly size: number;
  /**
   * Resolves once the queue is back to half its high-water mark (at once when it is already
   * below the mark), or when nobody will read any more: the channel ended or its reader left.
   * Never rejects.
   */
  whenWritable(): Promise<void>;
}

export interface EventChannelOptions {
  /** How many queued values make `push` return false. Default 1024. */
  highWaterMark?: number;
}

/**
 * Creates an {@link EventChannel}. One consumer only: adapters produce one stream per session and
 * the engine fans it out, so a second iteration is a bug we report instead of splitting events.
 * When the consumer stops early (`break`), later pushes are dropped so an unread session cannot
 * grow the buffer without bound. The high-water mark only advises: nothing is ever dropped
 * because the reader is slow, and producers that cannot wait (a model's stream) keep pushing.
 */
export function createEventChannel<T>(options: EventChannelOptions = {}): EventChannel<T> {
  const highWaterMark = Math.max(1, options.highWaterMark ?? 1024);
  // Hysteresis: a producer resumes once the reader has caught up by half, not after every read.
  const lowWaterMark = Math.floor(highWaterMark / 2);
  let buffer: T[] = [];
  let head = 0;
  const waiters: ((result: IteratorResult<T>) => void)[] = [];
  let writers: (() => void)[] = [];
  let ended = false;
  let detached = false;
  let claimed = false;

  const done = (): IteratorResult<T> => ({ done: true, value: undefined });
  const queued = () => buffer.length - head;
  const releaseWaiters = () => {
    for (const resolve of waiters.splice(0)) resolve(done());
  };
  const releaseWriters = () => {
    const ready = writers;
    writers = [];
    for (const resolve of ready) resolve();
  };

  const take = (): T | undefined => {
    const value = buffer[head];
    head += 1;
    // Compact now and then instead of shift(), which is O(n) per call on long transcripts.
    if (head > 1024 && head * 2 > buffer.length) {
      buffer = buffer.slice(head);
      head = 0;
    }
    if (writers.length > 0 && queued() <= lowWaterMark) releaseWriters();
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
      releaseWriters();
      return Promise.resolve(done());
    },
  };

  return {
    get ended() {
      return ended;
    },
    get size() {
      return queued();
    },
    push(value) {
      if (ended || detached) return true;
      const waiter = waiters.shift();
      if (waiter) waiter({ done: false, value });
      else buffer.push(value);
      return queued() < highWaterMark;
    },
    end() {
      ended = true;
      releaseWaiters();
      releaseWriters();
    },
    whenWritable() {
      if (ended || detached || queued() < highWaterMark) return Promise.resolve();
      return new Promise((resolve) => writers.push(resolve));
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
