import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/wait-for.js';
import { acquireLockFile } from './lock-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gaffer-lock-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('acquireLockFile', () => {
  it('keeps waiting for a holder that shows signs of life, however long it holds the lock', async () => {
    const path = join(dir, 'x.lock');
    const holder = await acquireLockFile(path, { heartbeatMs: 10 });
    let waited: 'pending' | 'acquired' | 'failed' = 'pending';
    const waiter = acquireLockFile(path, { stuckMs: 50 });
    void waiter.then(
      () => (waited = 'acquired'),
      () => (waited = 'failed'),
    );
    // Hold it for many heartbeats, well past the waiter's stuckMs, counted by what the file shows.
    const touches = new Set<number>();
    await waitFor(async () => {
      touches.add((await stat(path)).mtimeMs);
      return touches.size > 12 || waited !== 'pending';
    }, 'the holder to touch its lock a dozen times');
    expect(waited).toBe('pending');
    await holder.release();
    const lock = await waiter;
    expect(waited).toBe('acquired');
    await lock.release();
  });
});
