import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../domain/index.js';
import {
  BYTES_PER_MB,
  judgeDiffLimits,
  limitsMessage,
  limitsOf,
  measureChangedFiles,
} from './diff-limits.js';

const MB = BYTES_PER_MB;
const limits = { max_file_mb: 10, max_diff_mb: 25 };

describe('judgeDiffLimits', () => {
  it('leaves out every file over max_file_mb, and nothing when all fit', () => {
    expect(judgeDiffLimits([{ path: 'a', bytes: 10 * MB }], limits).oversized).toEqual([]);
    const verdict = judgeDiffLimits(
      [
        { path: 'small.txt', bytes: 100 },
        { path: 'big.bin', bytes: 10 * MB + 1 },
      ],
      limits,
    );
    expect(verdict).toEqual({
      oversized: [{ path: 'big.bin', bytes: 10 * MB + 1 }],
      totalBytes: 10 * MB + 101,
      limits,
    });
  });

  it('over max_diff_mb, leaves out the largest files until the rest fits', () => {
    const files = [
      { path: 'a', bytes: 9 * MB },
      { path: 'b', bytes: 9 * MB },
      { path: 'c', bytes: 8 * MB },
      { path: 'd', bytes: 1 * MB },
    ];
    const verdict = judgeDiffLimits(files, limits);
    // 27 MB: dropping one 9 MB file (the first by path among equals) brings it to 18 MB.
    expect(verdict.oversized.map((f) => f.path)).toEqual(['a']);
    expect(verdict.totalBytes).toBe(27 * MB);
  });

  it('counts files already left out for their size against the total', () => {
    const files = [
      { path: 'huge', bytes: 30 * MB },
      { path: 'x', bytes: 9 * MB },
      { path: 'y', bytes: 9 * MB },
    ];
    expect(judgeDiffLimits(files, limits).oversized.map((f) => f.path)).toEqual(['huge']);
  });

  it('takes the plan’s limits over the defaults', () => {
    expect(limitsOf({})).toEqual(DEFAULT_LIMITS);
    expect(limitsOf({ limits: { max_file_mb: 50 } })).toEqual({ ...DEFAULT_LIMITS, max_file_mb: 50 });
  });
});

describe('limitsMessage', () => {
  it('names the files, their sizes, the limit each broke and the setting to raise', () => {
    const verdict = judgeDiffLimits(
      [
        { path: 'big.bin', bytes: 12 * MB },
        { path: 'a', bytes: 9 * MB },
        { path: 'b', bytes: 9 * MB },
        { path: 'c', bytes: 9 * MB },
      ],
      limits,
    );
    const message = limitsMessage(verdict);
    expect(message.split('\n')[0]).toBe(
      "The attempt's changes exceed the plan's size limits; a, big.bin were not committed and removed from the worktree.",
    );
    expect(message).toContain(
      'Over limits.max_file_mb (10 MB per file):\n- big.bin (12.0 MB (12582912 bytes))',
    );
    expect(message).toContain('The changes total 39.0 MB');
    expect(message).toContain('over limits.max_diff_mb (25 MB per attempt)');
    expect(message).toContain('- a (9.0 MB');
    expect(message).toContain('raise limits.max_file_mb or limits.max_diff_mb in the plan');
  });

  it('names a few files on its first line and counts the rest', () => {
    const files = ['a', 'b', 'c', 'd', 'e'].map((path) => ({ path, bytes: 11 * MB }));
    const first = limitsMessage(judgeDiffLimits(files, { max_file_mb: 10, max_diff_mb: 1000 })).split(
      '\n',
    )[0];
    expect(first).toContain('a, b, c and 2 more were not committed');
  });
});

describe('measureChangedFiles', () => {
  it('measures files and symbolic links without following them; skips deleted paths, directories and paths below a link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gaffer-limits-'));
    const outside = mkdtempSync(join(tmpdir(), 'gaffer-outside-'));
    writeFileSync(join(outside, 'huge'), Buffer.alloc(4096));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'a.txt'), 'hello');
    symlinkSync(join(outside, 'huge'), join(dir, 'link-to-huge'));
    symlinkSync(outside, join(dir, 'linked-dir'));
    mkdirSync(join(dir, 'embedded'));
    const files = await measureChangedFiles(dir, [
      'src/a.txt',
      'link-to-huge',
      'linked-dir/huge',
      'deleted.txt',
      'embedded/',
      '../escape',
    ]);
    expect(files).toEqual([
      { path: 'src/a.txt', bytes: 5 },
      { path: 'link-to-huge', bytes: join(outside, 'huge').length },
    ]);
  });
});
