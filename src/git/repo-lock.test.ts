import { describe, expect, it } from 'vitest';
import { withKeyedLock } from './repo-lock.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('withKeyedLock', () => {
  it('runs holders of one key one at a time, in arrival order', async () => {
    const log: string[] = [];
    let inside = 0;
    let most = 0;
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        withKeyedLock('k1', async () => {
          inside++;
          most = Math.max(most, inside);
          log.push(`start ${i}`);
          await tick(5);
          log.push(`end ${i}`);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(log.slice(0, 4)).toEqual(['start 0', 'end 0', 'start 1', 'end 1']);
  });

  it('lets different keys run at the same time', async () => {
    let inside = 0;
    let most = 0;
    const hold = async () => {
      inside++;
      most = Math.max(most, inside);
      await tick(10);
      inside--;
    };
    await Promise.all([withKeyedLock('a', hold), withKeyedLock('b', hold)]);
    expect(most).toBe(2);
  });

  it('is re-entrant and releases after a throw', async () => {
    const nested = withKeyedLock('k2', () => withKeyedLock('k2', async () => 'inner'));
    await expect(nested).resolves.toBe('inner');
    await expect(
      withKeyedLock('k2', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(withKeyedLock('k2', async () => 'after')).resolves.toBe('after');
  });
});
