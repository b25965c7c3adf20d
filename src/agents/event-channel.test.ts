import { describe, expect, it } from 'vitest';
import { GafferError } from '../domain/index.js';
import { createEventChannel } from './event-channel.js';

async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const seen: T[] = [];
  for await (const value of iterable) seen.push(value);
  return seen;
}

describe('createEventChannel', () => {
  it('keeps what was pushed before anyone reads', async () => {
    const channel = createEventChannel<number>();
    channel.push(1);
    channel.push(2);
    channel.end();
    expect(await drain(channel)).toEqual([1, 2]);
  });

  it('delivers to a waiting reader and ends when the producer ends', async () => {
    const channel = createEventChannel<string>();
    const reading = drain(channel);
    channel.push('a');
    await Promise.resolve();
    channel.push('b');
    channel.end();
    channel.push('after end');
    expect(await reading).toEqual(['a', 'b']);
    expect(channel.ended).toBe(true);
  });

  it('answers concurrent next() calls in order', async () => {
    const channel = createEventChannel<number>();
    const iterator = channel[Symbol.asyncIterator]();
    const first = iterator.next();
    const second = iterator.next();
    const third = iterator.next();
    channel.push(10);
    channel.push(20);
    channel.end();
    expect(await Promise.all([first, second, third])).toEqual([
      { done: false, value: 10 },
      { done: false, value: 20 },
      { done: true, value: undefined },
    ]);
  });

  it('stops buffering once its reader breaks off', async () => {
    const channel = createEventChannel<number>();
    channel.push(1);
    channel.push(2);
    for await (const value of channel) {
      expect(value).toBe(1);
      break;
    }
    channel.push(3);
    const iterator = channel[Symbol.asyncIterator];
    expect(() => iterator.call(channel)).toThrow(GafferError);
  });

  it('keeps order over many events', async () => {
    const channel = createEventChannel<number>();
    const count = 5000;
    for (let index = 0; index < count; index += 1) channel.push(index);
    channel.end();
    const seen = await drain(channel);
    expect(seen).toHaveLength(count);
    expect(seen.every((value, index) => value === index)).toBe(true);
  });

  it('refuses a second reader', () => {
    const channel = createEventChannel<number>();
    channel[Symbol.asyncIterator]();
    expect(() => channel[Symbol.asyncIterator]()).toThrow(/already being read/);
  });

  it('counts what is queued and says when it reaches its high-water mark', async () => {
    const channel = createEventChannel<number>({ highWaterMark: 4 });
    expect([1, 2, 3, 4, 5].map((value) => channel.push(value))).toEqual([true, true, true, false, false]);
    expect(channel.size).toBe(5);
    const iterator = channel[Symbol.asyncIterator]();
    await iterator.next();
    expect(channel.size).toBe(4);
  });

  it('lets a producer wait until the reader has caught up by half', async () => {
    const channel = createEventChannel<number>({ highWaterMark: 4 });
    for (const value of [1, 2, 3, 4]) channel.push(value);
    let writable = false;
    const waiting = channel.whenWritable().then(() => (writable = true));
    const iterator = channel[Symbol.asyncIterator]();
    await iterator.next();
    await Promise.resolve();
    // Three queued, then two: only the second read brings it back to half the mark.
    expect(writable).toBe(false);
    await iterator.next();
    await waiting;
    expect(channel.size).toBe(2);
    await expect(channel.whenWritable()).resolves.toBeUndefined();
  });

  it('releases waiting producers when the channel ends or its reader leaves', async () => {
    const ending = createEventChannel<number>({ highWaterMark: 1 });
    ending.push(1);
    const waitingForEnd = ending.whenWritable();
    ending.end();
    await waitingForEnd;
    await ending.whenWritable();

    const left = createEventChannel<number>({ highWaterMark: 1 });
    left.push(1);
    left.push(2);
    const waitingForReader = left.whenWritable();
    for await (const _ of left) break;
    await waitingForReader;
    expect(left.size).toBe(0);
  });
});
