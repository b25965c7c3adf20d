import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_LOCK_FILE, withProcessLock, withRepoLock } from './repo-lock.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('withProcessLock', () => {
  it('runs holders of one key one at a time, in arrival order', async () => {
    const log: string[] = [];
    let inside = 0;
    let most = 0;
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        withProcessLock('k1', async () => {
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
    await Promise.all([withProcessLock('a', hold), withProcessLock('b', hold)]);
    expect(most).toBe(2);
  });

  it('is re-entrant and releases after a throw', async () => {
    const nested = withProcessLock('k2', () => withProcessLock('k2', async () => 'inner'));
    await expect(nested).resolves.toBe('inner');
    await expect(
      withProcessLock('k2', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(withProcessLock('k2', async () => 'after')).resolves.toBe('after');
  });
});

describe('withRepoLock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gaffer-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds a lock file while it runs, is re-entrant, and leaves nothing behind', async () => {
    const seen = await withRepoLock(dir, async () => {
      const inner = await withRepoLock(dir, async () => readdir(dir));
      return inner;
    });
    expect(seen).toEqual([REPO_LOCK_FILE]);
    expect(await readdir(dir)).toEqual([]);
    await expect(
      withRepoLock(dir, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a lock left by a process of this host that is gone', async () => {
    // A pid above the kernel's maximum (4194304 on Linux) names no process.
    const stamp = { pid: 99_999_999, host: hostname(), token: 'dead', acquiredAt: '2020-01-01T00:00:00Z' };
    await writeFile(join(dir, REPO_LOCK_FILE), JSON.stringify(stamp));
    await expect(withRepoLock(dir, async () => 'ran')).resolves.toBe('ran');
    expect(await readdir(dir)).toEqual([]);
  });

  it('waits for a live holder and names it once it keeps the lock too long', async () => {
    // Another host's process cannot be known dead, so it is waited for.
    const stamp = { pid: 1, host: `not-${hostname()}`, token: 'remote', acquiredAt: '2020-01-01T00:00:00Z' };
    await writeFile(join(dir, REPO_LOCK_FILE), JSON.stringify(stamp));
    const error: unknown = await withRepoLock(dir, async () => 'ran', { stuckMs: 50 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'GAFFER_REPO_LOCKED',
      message: expect.stringContaining(`held by process 1 on not-${hostname()}`) as unknown,
      hint: expect.stringContaining(`remove ${join(dir, REPO_LOCK_FILE)}`) as unknown,
    });
    expect(await readdir(dir)).toEqual([REPO_LOCK_FILE]);
  });
});
